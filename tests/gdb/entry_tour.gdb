# SPDX-License-Identifier: MIT
# A GDB tour of the syscall entry and exit, then of the int 0x80 gate and its iretq exit,
# asserted: run by tests/gdb/gdb-test.sh against a QEMU paused at reset. Each check prints "[gdb] PASS name" or "[gdb] FAIL name: ...".
# The tour walks the copy of the entries mitigations= installed (src/arch/x86_64/mitigations.c):
# the plain one, or the hardened one (lstar_entry.asm: labels ending in _hardened, with the
# protections' sites between the same instructions). It reads the boot's decision at the first
# `syscall` and from then on uses that copy's labels ($e_*); where the hardened copy has more
# instructions between two stops (a fence, VERW, a `jmp short` over a site that is off), the
# tour steps up to the instruction it looks at instead of counting steps.
set architecture i386:x86-64
set pagination off
set confirm off

# check EXPRESSION NAME: the expression must be written without spaces (GDB splits a user
# command's arguments at whitespace).
define check
  if $arg0
    echo [gdb] PASS $arg1\n
  else
    echo [gdb] FAIL $arg1\n
  end
end

# step_past_swapgs: stepi until one swapgs has run (at most 8 instructions: a fence, VERW, a
# jmp short over a site that is off, the plain copy's test and jz before it).
define step_past_swapgs
  set $was_swapgs = 0
  set $n = 0
  while !$was_swapgs && $n < 8
    set $ib = (unsigned char *)$pc
    set $was_swapgs = $ib[0]==0x0f&&$ib[1]==0x01&&$ib[2]==0xf8
    stepi
    set $n = $n + 1
  end
end

# ---- the first instruction after `syscall` (ring 3's first system call) ----
# Both copies watched: which one LSTAR points at is decided at boot, after GDB attached.
hbreak *lstar_entry
hbreak *lstar_entry_hardened
continue
delete
set $hardened = 'mitigations.c'::hardened_entry
if $hardened
  set $e_lstar = (long)&lstar_entry_hardened
  set $e_safe_stack = (long)&lstar_entry_safe_stack_hardened
  set $e_dispatch = (long)&syscall_dispatch_hardened
  set $e_exit_user_stack = (long)&syscall_exit_user_stack_hardened
  set $e_int80 = (long)&int80_entry_hardened
  set $e_exit_iret = (long)&syscall_exit_iret_hardened
  echo tour: mitigations= installed the hardened copy of the entries\n
else
  set $e_lstar = (long)&lstar_entry
  set $e_safe_stack = (long)&lstar_entry_safe_stack
  set $e_dispatch = (long)&syscall_dispatch
  set $e_exit_user_stack = (long)&syscall_exit_user_stack
  set $e_int80 = (long)&int80_entry
  set $e_exit_iret = (long)&syscall_exit_iret
  echo tour: the plain copy of the entries is installed\n
end
check ((long)$pc==$e_lstar) the_syscall_enters_the_installed_copy
check ($cs==0x10) syscall_loaded_kernel_cs_from_star
check ($ss==0x18) syscall_loaded_kernel_ss_from_star_plus_8
check (($eflags&0x200)==0) fmask_cleared_if_before_the_first_instruction
check ($gs_base==0) gs_is_still_the_users_at_lstar_entry
check ($k_gs_base==(long)&percpu_areas[0]) kernel_gs_base_holds_the_percpu_area
check (((long)$rsp>>47)==0) rsp_is_still_the_users_at_lstar_entry
check (($rcx>>47)==0&&$rcx!=0) rcx_holds_the_users_return_rip
set $user_rsp = (long)$rsp
set $user_rip = $rcx
set $user_rflags = $r11
# RBX, RBP and R12-R15 get patterns of GDB's for this one call (the program's own values are
# often 0 at its first call, which would hide a register the entry failed to clear); every copy
# of the entry must give them back unchanged, and GDB puts the program's values back after the
# sysretq.
set $o_rbx = $rbx
set $o_rbp = (long)$rbp
set $o_r12 = $r12
set $o_r13 = $r13
set $o_r14 = $r14
set $o_r15 = $r15
set $rbx = 0x1111111111111111
set $rbp = 0x2222222222222222
set $r12 = 0x3333333333333333
set $r13 = 0x4444444444444444
set $r14 = 0x5555555555555555
set $r15 = 0x6666666666666666

# ---- swapgs, then the stack switch ----
stepi
check ($gs_base==(long)&percpu_areas[0]) swapgs_makes_gs_the_percpu_area
check ($k_gs_base==0) swapgs_parks_the_users_gs_base
# the plain copy: two instructions; the hardened one: its fence, a jmp short over the PTI site
# when that is off, the same two
set $n = 0
while (long)$pc != $e_safe_stack && $n < 8
  stepi
  set $n = $n + 1
end
check ((long)$pc==$e_safe_stack&&($hardened||$n==2)) the_stack_switch_reaches_the_safe_stack_label
check ((long)$rsp==percpu_areas[0].kernel_rsp) rsp_is_the_kernel_stack_top
check (percpu_areas[0].user_rsp==$user_rsp) user_rsp_is_parked_in_the_percpu_area

# ---- the frame, just before dispatch ----
# With clear-regs in force the hardened entry saved RBX, RBP and R10-R15 below the frame (eight
# pushes, lstar_entry.asm ENTRY_PROTECTIONS) and zeroed all of them but R10, which the dispatch
# zeroes after copying it: the frame is 64 bytes above RSP, and those six registers are 0 here.
hbreak *$e_dispatch
continue
delete
set $clear_regs = $hardened && ('mitigations.c'::in_force & MITIGATION_CLEAR_REGS)
set $below = 0
if $clear_regs
  set $below = 64
end
set $f = (struct syscall_frame *)((long)$rsp + $below)
check (!$clear_regs||($rbx|(long)$rbp|$r11|$r12|$r13|$r14|$r15)==0) clear_regs_zeroed_the_users_registers_before_dispatch
check ($f->rip==$user_rip) frame_rip_is_the_return_address
check ($f->rflags==$user_rflags) frame_rflags_are_the_users
check ($f->rsp==$user_rsp) frame_rsp_is_the_users
check ($f->cs==0x33&&$f->ss==0x2b) frame_selectors_are_sysrets
check (((long)$rsp&15)==0) dispatch_runs_on_a_16_byte_aligned_stack

# ---- the exit window: checks passed, RSP is the user's again, swapgs and sysretq next ----
hbreak *$e_exit_user_stack
continue
delete
check ((long)$rsp==$user_rsp) exit_restores_the_users_rsp
check ($rcx==$user_rip&&$r11==$user_rflags) sysret_will_restore_rip_and_rflags
check ($gs_base==(long)&percpu_areas[0]) gs_is_the_kernels_until_the_last_swapgs
step_past_swapgs
check ($gs_base==0) exit_swapgs_gives_the_user_its_gs
stepi
check ($cs==0x33&&$ss==0x2b&&(long)$pc==$user_rip) sysretq_lands_in_ring_3_after_the_syscall
set $c = $rbx==0x1111111111111111&&(long)$rbp==0x2222222222222222&&$r12==0x3333333333333333
set $c = $c&&$r13==0x4444444444444444&&$r14==0x5555555555555555&&$r15==0x6666666666666666
check $c the_callers_rbx_rbp_and_r12_to_r15_come_back_from_the_syscall
set $rbx = $o_rbx
set $rbp = $o_rbp
set $r12 = $o_r12
set $r13 = $o_r13
set $r14 = $o_r14
set $r15 = $o_r15

# ---- the int 0x80 gate: the CPU switched stacks and pushed the frame itself ----
hbreak *$e_int80
continue
delete
check ($cs==0x10) int80_gate_loaded_its_kernel_cs
check ($gs_base==0) gs_is_still_the_users_at_int80_entry
check ((long)$rsp==percpu_areas[0].kernel_rsp-40) cpu_pushed_five_words_on_tss_rsp0
check (*(long*)((long)$rsp+8)==0x33&&*(long*)((long)$rsp+32)==0x2b) pushed_frame_holds_the_user_selectors
check ((*(long*)((long)$rsp+16)&0x200)!=0&&($eflags&0x200)==0) gate_cleared_if_and_saved_the_users
set $int80_rip = *(long*)$rsp
step_past_swapgs
check ($gs_base==(long)&percpu_areas[0]) int80_swapgs_after_seeing_rpl_3

# ---- its exit: RCX is the caller's own, so the sysret checks send it to iretq ----
hbreak *$e_exit_iret
continue
delete
check (*(long*)$rsp==$int80_rip) int80_leaves_by_iretq_to_its_own_return_address
step_past_swapgs
check ($gs_base==0) iret_path_swapgs_back_to_the_user
stepi
check ($cs==0x33&&(long)$pc==$int80_rip) iretq_lands_in_ring_3_after_the_int

# ---- let the run finish ----
detach
quit
