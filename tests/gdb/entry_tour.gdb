# SPDX-License-Identifier: MIT
# A GDB tour of the syscall entry and exit, then of the int 0x80 gate and its iretq exit,
# asserted: run by tests/gdb/gdb-test.sh against a QEMU paused at reset. Each check prints "[gdb] PASS name" or "[gdb] FAIL name: ...".
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

# ---- the first instruction after `syscall` (ring 3's first system call) ----
hbreak lstar_entry
continue
delete
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

# ---- swapgs, then the stack switch ----
stepi
check ($gs_base==(long)&percpu_areas[0]) swapgs_makes_gs_the_percpu_area
check ($k_gs_base==0) swapgs_parks_the_users_gs_base
stepi 2
check ((long)$pc==(long)&lstar_entry_safe_stack) two_instructions_reach_the_safe_stack_label
check ((long)$rsp==percpu_areas[0].kernel_rsp) rsp_is_the_kernel_stack_top
check (percpu_areas[0].user_rsp==$user_rsp) user_rsp_is_parked_in_the_percpu_area

# ---- the frame, just before dispatch ----
hbreak syscall_dispatch
continue
delete
set $f = (struct syscall_frame *)$rsp
check ($f->rip==$user_rip) frame_rip_is_the_return_address
check ($f->rflags==$user_rflags) frame_rflags_are_the_users
check ($f->rsp==$user_rsp) frame_rsp_is_the_users
check ($f->cs==0x33&&$f->ss==0x2b) frame_selectors_are_sysrets
check (((long)$rsp&15)==0) dispatch_runs_on_a_16_byte_aligned_stack

# ---- the exit window: checks passed, RSP is the user's again, swapgs and sysretq next ----
hbreak syscall_exit_user_stack
continue
delete
check ((long)$rsp==$user_rsp) exit_restores_the_users_rsp
check ($rcx==$user_rip&&$r11==$user_rflags) sysret_will_restore_rip_and_rflags
check ($gs_base==(long)&percpu_areas[0]) gs_is_the_kernels_until_the_last_swapgs
stepi
check ($gs_base==0) exit_swapgs_gives_the_user_its_gs
stepi
check ($cs==0x33&&$ss==0x2b&&(long)$pc==$user_rip) sysretq_lands_in_ring_3_after_the_syscall

# ---- the int 0x80 gate: the CPU switched stacks and pushed the frame itself ----
hbreak int80_entry
continue
delete
check ($cs==0x10) int80_gate_loaded_its_kernel_cs
check ($gs_base==0) gs_is_still_the_users_at_int80_entry
check ((long)$rsp==percpu_areas[0].kernel_rsp-40) cpu_pushed_five_words_on_tss_rsp0
check (*(long*)((long)$rsp+8)==0x33&&*(long*)((long)$rsp+32)==0x2b) pushed_frame_holds_the_user_selectors
check ((*(long*)((long)$rsp+16)&0x200)!=0&&($eflags&0x200)==0) gate_cleared_if_and_saved_the_users
set $int80_rip = *(long*)$rsp
stepi 3
check ($gs_base==(long)&percpu_areas[0]) int80_swapgs_after_seeing_rpl_3

# ---- its exit: RCX is the caller's own, so the sysret checks send it to iretq ----
hbreak syscall_exit_iret
continue
delete
check (*(long*)$rsp==$int80_rip) int80_leaves_by_iretq_to_its_own_return_address
stepi 3
check ($gs_base==0) iret_path_swapgs_back_to_the_user
stepi
check ($cs==0x33&&(long)$pc==$int80_rip) iretq_lands_in_ring_3_after_the_int

# ---- let the run finish ----
detach
quit
