# SPDX-License-Identifier: MIT
# A single step in ring 0 inside every entry window of the kernel's table, made on purpose: GDB
# sets TF in the kernel's RFLAGS at a window's first instructions, as Bochs does after a
# `syscall` with TF = 1 and as a debugger can. Each #DB must be taken on its own IST stack (IST4)
# with the kernel's GS whatever GS was, absorbed (debug_trap_handle returns true: TF cleared in
# the interrupted kernel context), and the programs must go on: the selftest's own TF checks,
# run around the first one, still see exactly one ring-3 trap.
#
# The windows are taken in the order the run reaches them: the selftest (the syscall entry and
# its two exits, the int 0x80 entry, an exception and its exit, an NMI's paranoid path), a
# context switch and a new process's first entry (the selftest's children, or the next program),
# the call gate and the CSTAR entry with their exits (the selftest's calls through them), then
# the benchmark's empty entries, callgate_empty's resume after an interrupt and cstar_empty. Three need more than TF at the window's start:
#   - the paranoid path runs only for NMI, #MC, #DF and #DB: GDB injects an NMI (`monitor nmi`)
#     at the syscall entry, where GS is the user's, and steps the NMI's way in and out;
#   - lstar_empty is one sysretq: a step set there lands in ring 3. What lands on it is a step
#     after `syscall` itself, as Bochs raises one and as a MOV SS-delayed #DB does on hardware
#     (CVE-2018-8897). GDB makes QEMU do the same: FMASK without TF (written by running the
#     kernel's own wrmsr with GDB's registers), TF set in ring 3 on the benchmark's next
#     `syscall`; then FMASK is written back;
#   - int80_empty is one iretq behind an interrupt gate, which clears TF: no step from ring 3 can
#     land on it. A debugger stepping an iretq whose frame returns to it can: GDB builds that
#     frame below the gate's and runs one of the kernel's iretq with TF set.
# At the end every window of the table (read from the kernel, tests/gdb/entry_windows.gdb) must
# have had a step land in it and be absorbed: a window added to the code without a way to reach
# it here fails every_window_of_the_table_was_stepped, naming it.
# Run by tests/gdb/gdb-test.sh; each check prints "[gdb] PASS name" or "[gdb] FAIL name".
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

set $stepped = (unsigned long long)0

# stop_in_the_db_handler: continues to debug_trap_handle's first instruction; $tf = the #DB's
# frame (where it landed, with which RSP), $db_return = where the handler returns to.
define stop_in_the_db_handler
  hbreak *debug_trap_handle
  continue
  delete
  set $tf = (struct trap_frame *)$rdi
  set $db_return = *(long *)$rsp
  set $ist_top = (long)percpu_areas[0].tss.ist[3]
  set $on_ist4 = (long)$rsp<$ist_top&&(long)$rsp>$ist_top-16384
  set $kernel_gs = $gs_base==(long)&percpu_areas[0]
  window_of $tf->rip
  set $landed_in = $win
end

# finish_db_handler: runs the handler to its return; $absorbed = it returned true (a step it
# took for its own: in an entry window). The window the step landed in counts as stepped.
define finish_db_handler
  hbreak *$db_return
  continue
  delete
  set $absorbed = ($rax&0xff)==1
  if $absorbed && $landed_in >= 0
    set $stepped = $stepped | ((unsigned long long)1 << $landed_in)
  end
end

# in_window NAME_OF_FIRST_LABEL: $c = the #DB landed in the window whose first address is
# that label's, in ring 0.
define landed_in_window_of
  window_of $arg0
  set $c = $tf->cs==0x10&&$landed_in>=0&&$landed_in==$win
end

# wrmsr_from_gdb MSR VALUE: writes an MSR by running the kernel's own `wrmsr` (in
# syscall_set_lstar) once with GDB's ECX, EDX:EAX, then puts RIP and those registers back.
# Only in ring 0. $wrmsr_ok = the instruction ran.
define wrmsr_from_gdb
  set $w_rip = (long)$pc
  set $w_rax = $rax
  set $w_rcx = $rcx
  set $w_rdx = $rdx
  set $pc = $wrmsr_at
  set $rcx = $arg0
  set $rax = ($arg1) & 0xffffffff
  set $rdx = (unsigned long)($arg1) >> 32
  stepi
  set $wrmsr_ok = (long)$pc==$wrmsr_at+2
  set $pc = $w_rip
  set $rax = $w_rax
  set $rcx = $w_rcx
  set $rdx = $w_rdx
end

# ---- 1. the syscall entry window: RSP is the user's, GS about to be swapped ----
# SYS_trap_count is called only by the selftest's TF checks, right before the `syscall` made
# with TF set: the next lstar_entry is that call, and R11 holds the user's TF.
hbreak sys_trap_count
continue
delete
hbreak lstar_entry
continue
delete
check (($r11&0x100)!=0) stopped_at_the_syscall_made_with_tf
set $user_rsp = (long)$rsp
set $eflags = $eflags | 0x100
stop_in_the_db_handler
check ($tf->cs==0x10) entry_db_came_from_ring_0
check ($tf->rip>=(long)&lstar_entry&&$tf->rip<=(long)&lstar_entry_safe_stack) entry_db_landed_in_the_syscall_entry_window
check ($tf->rsp==$user_rsp) entry_db_interrupted_the_users_rsp
check $on_ist4 entry_db_runs_on_the_ist4_stack
check $kernel_gs entry_db_handler_has_the_kernels_gs
finish_db_handler
check $absorbed entry_db_was_absorbed
hbreak lstar_entry_safe_stack
continue
delete
check (($eflags&0x100)==0) entry_db_cleared_tf_in_the_kernel
check ((long)$rsp==percpu_areas[0].kernel_rsp&&percpu_areas[0].user_rsp==$user_rsp) entry_stack_switch_went_on_as_usual

# ---- 2. the sysretq exit window: after swapgs, GS and RSP are both the user's, in ring 0 ----
hbreak syscall_exit_user_stack
continue
delete
set $user_rsp = (long)$rsp
set $eflags = $eflags | 0x100
stop_in_the_db_handler
check ($tf->cs==0x10&&$tf->rip==(long)&syscall_sysret) exit_db_landed_on_sysretq
check ($tf->rsp==$user_rsp) exit_db_interrupted_the_users_rsp
check $on_ist4 exit_db_runs_on_the_ist4_stack
check ($gs_base==(long)&percpu_areas[0]&&$k_gs_base==0) exit_db_handler_swapped_to_the_kernels_gs
finish_db_handler
check $absorbed exit_db_was_absorbed
hbreak syscall_sysret
continue
delete
check ($gs_base==0&&$k_gs_base==(long)&percpu_areas[0]) exit_db_gave_the_user_gs_back
check (($eflags&0x100)==0&&(long)$rsp==$user_rsp) exit_db_cleared_tf_and_kept_the_users_rsp

# ---- 3. the iretq exit window ----
hbreak syscall_exit_iret
continue
delete
set $eflags = $eflags | 0x100
stop_in_the_db_handler
check ($tf->rip>(long)&syscall_exit_iret&&$tf->rip<=(long)&syscall_iretq) iret_db_landed_in_the_iretq_exit_window
check $on_ist4 iret_db_runs_on_the_ist4_stack
finish_db_handler
check $absorbed iret_db_was_absorbed

# ---- 4. the int 0x80 entry from ring 3, before its swapgs ----
hbreak *int80_entry if (*(long*)($rsp+8)&3)==3
continue
delete
check ($gs_base==0) int80_entry_starts_with_the_users_gs
set $eflags = $eflags | 0x100
stop_in_the_db_handler
landed_in_window_of &int80_entry
check ($c&&$tf->rip<(long)&'int80_entry.kernel_gs') int80_entry_db_landed_before_the_swapgs
check ($on_ist4&&$kernel_gs&&$k_gs_base==0) int80_entry_db_handler_swapped_to_the_kernels_gs
finish_db_handler
check $absorbed int80_entry_db_was_absorbed

# ---- 5. the exception entry: a PIT tick (IRQ 0, vector 32) from ring 3, in its stub with the user's GS ----
hbreak *trap_stub_32 if (*(long*)($rsp+8)&3)==3
continue
delete
set $eflags = $eflags | 0x100
stop_in_the_db_handler
landed_in_window_of &trap_stub_0
check $c exception_entry_db_landed_in_the_exception_entry_window
check ($on_ist4&&$kernel_gs&&$k_gs_base==0) exception_entry_db_runs_on_ist4_with_the_kernels_gs
finish_db_handler
check $absorbed exception_entry_db_was_absorbed

# ---- 6. the exception exit: trap_common on its way back to ring 3 (RSP at the saved RIP) ----
hbreak *'trap_common.exit' if (*(long*)($rsp+8)&3)==3
continue
delete
set $eflags = $eflags | 0x100
stop_in_the_db_handler
landed_in_window_of &'trap_common.exit'
check $c exception_exit_db_landed_in_the_exception_exit_window
check ($on_ist4&&$kernel_gs) exception_exit_db_runs_on_ist4_with_the_kernels_gs
finish_db_handler
check $absorbed exception_exit_db_was_absorbed

# ---- 7. the paranoid entry: an NMI at lstar_entry (GS is the user's), stepped in its stub ----
hbreak lstar_entry
continue
delete
monitor nmi
hbreak *trap_paranoid
continue
delete
check ($gs_base==0&&*(long*)($rsp+16)==(long)&lstar_entry) the_nmi_reached_the_paranoid_path_with_the_users_gs
set $eflags = $eflags | 0x100
stop_in_the_db_handler
landed_in_window_of &trap_paranoid
check $c paranoid_entry_db_landed_in_the_paranoid_entry_window
check ($on_ist4&&$kernel_gs&&$k_gs_base==0) paranoid_entry_db_runs_on_ist4_with_the_kernels_gs
finish_db_handler
check $absorbed paranoid_entry_db_was_absorbed

# ---- 8. the paranoid exit: the same NMI's way out, on IST1 (the #DB's own exit runs on IST4) ----
set $ist1_top = (long)percpu_areas[0].tss.ist[0]
hbreak *'trap_paranoid.exit' if (long)$rsp<$ist1_top&&(long)$rsp>$ist1_top-16384
continue
delete
set $eflags = $eflags | 0x100
stop_in_the_db_handler
landed_in_window_of &'trap_paranoid.exit'
check $c paranoid_exit_db_landed_in_the_paranoid_exit_window
check ($on_ist4&&$kernel_gs) paranoid_exit_db_runs_on_ist4_with_the_kernels_gs
finish_db_handler
check $absorbed paranoid_exit_db_was_absorbed

# ---- 9. the context switch's GS load: the user's GS base is active for two instructions ----
hbreak *'context_switch.user_gs'
continue
delete
set $eflags = $eflags | 0x100
stop_in_the_db_handler
landed_in_window_of &'context_switch.user_gs'
check ($c&&$tf->rip==(long)&'context_switch.user_gs'+3) context_switch_db_landed_after_the_first_swapgs
check ($on_ist4&&$kernel_gs&&$k_gs_base==0) context_switch_db_runs_on_ist4_with_the_kernels_gs
finish_db_handler
check $absorbed context_switch_db_was_absorbed

# ---- 10. a new process's first entry to ring 3: swapgs, then the null selectors and iretq ----
hbreak *'user_first_entry.user_gs'
continue
delete
set $eflags = $eflags | 0x100
stop_in_the_db_handler
landed_in_window_of &'user_first_entry.user_gs'
check ($c&&$tf->rip==(long)&'user_first_entry.user_gs'+3) first_entry_db_landed_after_its_swapgs
check ($on_ist4&&$kernel_gs&&$k_gs_base==0) first_entry_db_runs_on_ist4_with_the_kernels_gs
finish_db_handler
check $absorbed first_entry_db_was_absorbed

# ---- 11. the call gate's entry (after its cli) and its lretq exit: the selftest's first call ----
hbreak *callgate_entry if (*(long*)($rsp+8)&3)==3
continue
delete
set $eflags = $eflags | 0x100
stop_in_the_db_handler
landed_in_window_of &callgate_entry
check ($c&&$tf->rip==(long)&callgate_entry+1) callgate_entry_db_landed_after_the_cli
check ($on_ist4&&$kernel_gs&&$k_gs_base==0) callgate_entry_db_handler_swapped_to_the_kernels_gs
finish_db_handler
check $absorbed callgate_entry_db_was_absorbed
hbreak *callgate_exit_user_gs
continue
delete
set $eflags = $eflags | 0x100
stop_in_the_db_handler
landed_in_window_of &callgate_exit_user_gs
check ($c&&$tf->cs==0x10) callgate_exit_db_landed_in_the_lretq_exit_window
check ($on_ist4&&$kernel_gs&&$k_gs_base==0) callgate_exit_db_handler_swapped_to_the_kernels_gs
finish_db_handler
check $absorbed callgate_exit_db_was_absorbed

# ---- 11a. the CSTAR entry and its sysret exit: the selftest's compatibility-mode syscalls ----
hbreak *cstar_entry
continue
delete
set $eflags = $eflags | 0x100
stop_in_the_db_handler
landed_in_window_of &cstar_entry
check ($c&&$tf->rip<(long)&cstar_entry_safe_stack) cstar_db_landed_in_its_entry_window
check ($on_ist4&&$kernel_gs&&$k_gs_base==0) cstar_db_handler_swapped_to_the_kernels_gs
finish_db_handler
check $absorbed cstar_db_was_absorbed
hbreak *cstar_exit_user_gs
continue
delete
set $user_rsp = (long)$rsp
set $eflags = $eflags | 0x100
stop_in_the_db_handler
check ($tf->cs==0x10&&$tf->rip==(long)&cstar_sysret&&$tf->rsp==$user_rsp) cstar_exit_db_landed_on_its_sysret_with_the_users_rsp
check ($on_ist4&&$kernel_gs&&$k_gs_base==0) cstar_exit_db_handler_swapped_to_the_kernels_gs
finish_db_handler
check $absorbed cstar_exit_db_was_absorbed

# ---- 12. lstar_empty: a step right after the benchmark's `syscall`, with FMASK letting TF through ----
find_insn syscall_set_lstar 0x300f 32
set $wrmsr_at = $found
check ($wrmsr_at!=0) found_the_kernels_wrmsr
# a call from the unrolled loop (bench_loops.asm): RCX points at `mov rax, rbx; syscall` again
hbreak *lstar_empty if *(unsigned short*)($rcx+3)==0x050f
continue
delete
set $fmask = 'syscall_msr.c'::fmask
wrmsr_from_gdb 0xc0000084 ($fmask&~0x100)
check $wrmsr_ok fmask_without_tf_written
set $next_syscall = $rcx + 3
hbreak *$next_syscall
continue
delete
check ($cs==0x33&&(long)$pc==$next_syscall) stopped_at_the_benchmarks_next_syscall
set $user_rsp = (long)$rsp
set $eflags = $eflags | 0x100
stop_in_the_db_handler
check ($tf->cs==0x10&&$tf->rip==(long)&lstar_empty&&$tf->rsp==$user_rsp) lstar_empty_db_landed_on_it_with_the_users_rsp
check ($on_ist4&&$kernel_gs&&$k_gs_base==0) lstar_empty_db_handler_swapped_to_the_kernels_gs
wrmsr_from_gdb 0xc0000084 $fmask
check $wrmsr_ok fmask_written_back
finish_db_handler
check $absorbed lstar_empty_db_was_absorbed

# ---- 13. int80_empty: an iretq with TF set whose frame returns to it ----
hbreak *int80_empty if (*(long*)($rsp+8)&3)==3
continue
delete
set $gate_rsp = (long)$rsp
check ($gs_base==0) int80_empty_runs_with_the_users_gs
set $f = (unsigned long *)($gate_rsp-40)
set $f[0] = (long)&int80_empty
set $f[1] = 0x10
set $f[2] = $eflags&~0x100
set $f[3] = $gate_rsp
set $f[4] = $ss
set $rsp = $gate_rsp-40
set $pc = (long)&trap_paranoid_iretq
set $eflags = $eflags | 0x100
stop_in_the_db_handler
check ($tf->cs==0x10&&$tf->rip==(long)&int80_empty&&$tf->rsp==$gate_rsp) int80_empty_db_landed_on_it_over_the_gates_frame
check ($on_ist4&&$kernel_gs&&$k_gs_base==0) int80_empty_db_handler_swapped_to_the_kernels_gs
finish_db_handler
check $absorbed int80_empty_db_was_absorbed

# ---- 14. callgate_empty: TF set in ring 3 on the benchmark's next far call (a gate keeps TF) ----
hbreak *callgate_empty if (*(long*)($rsp+8)&3)==3&&*(unsigned short*)(*(long*)$rsp+3)==0x1dff
continue
delete
set $next_call = *(long*)$rsp + 3
hbreak *$next_call
continue
delete
check ($cs==0x33&&(long)$pc==$next_call) stopped_at_the_benchmarks_next_far_call
set $eflags = $eflags | 0x100
stop_in_the_db_handler
check ($tf->cs==0x10&&$tf->rip==(long)&callgate_empty) callgate_empty_db_landed_on_it
check ($on_ist4&&$kernel_gs&&$k_gs_base==0) callgate_empty_db_handler_swapped_to_the_kernels_gs
finish_db_handler
check $absorbed callgate_empty_db_was_absorbed

# ---- 15. the empty stub's resume: GDB delivers IRQ 0 at callgate_empty as the CPU would
# (tests/gdb/callgate_irq.gdb), then a step after the resume's swapgs ----
hbreak *callgate_empty if (*(long*)($rsp+8)&3)==3
continue
delete
set $gate_rsp = (long)$rsp
set $f = (unsigned long *)(($gate_rsp&~15)-40)
set $f[0] = (long)$pc
set $f[1] = $cs&0xffff
set $f[2] = $eflags&0xffffffff
set $f[3] = $gate_rsp
set $f[4] = $ss&0xffff
set $rsp = ($gate_rsp&~15)-40
set $eflags = $eflags & ~0x14300
set $pc = (long)&trap_stub_32
hbreak *callgate_empty_irq_swapgs
continue
delete
set $eflags = $eflags | 0x100
stop_in_the_db_handler
landed_in_window_of &callgate_empty_irq_swapgs
check ($c&&$tf->cs==0x10) empty_resume_db_landed_in_its_window
check ($on_ist4&&$kernel_gs&&$k_gs_base==0) empty_resume_db_handler_swapped_to_the_kernels_gs
finish_db_handler
check $absorbed empty_resume_db_was_absorbed

# ---- 16. cstar_empty: as lstar_empty, FMASK without TF for one compatibility-mode syscall of
# the benchmark's loop (bench_entries32.asm: mov eax, ebp; syscall) ----
hbreak *cstar_empty if *(unsigned short*)($rcx+2)==0x050f
continue
delete
wrmsr_from_gdb 0xc0000084 ($fmask&~0x100)
check $wrmsr_ok cstar_fmask_without_tf_written
set $next_syscall = $rcx + 2
hbreak *$next_syscall
continue
delete
check ($cs==0x23&&(long)$pc==$next_syscall) stopped_at_the_benchmarks_next_compat_syscall
set $user_rsp = (long)$rsp
set $eflags = $eflags | 0x100
stop_in_the_db_handler
check ($tf->cs==0x10&&$tf->rip==(long)&cstar_empty&&($tf->rsp&0xffffffff)==($user_rsp&0xffffffff)) cstar_empty_db_landed_on_it_with_the_users_esp
check ($on_ist4&&$kernel_gs&&$k_gs_base==0) cstar_empty_db_handler_swapped_to_the_kernels_gs
wrmsr_from_gdb 0xc0000084 $fmask
check $wrmsr_ok cstar_fmask_written_back
finish_db_handler
check $absorbed cstar_empty_db_was_absorbed

# ---- every window of the kernel's table had a step land in it, absorbed ----
windows_missed $stepped
check ($missed==0&&$windows>0) every_window_of_the_table_was_stepped
printf "[gdb] steps absorbed in %d of %d entry windows\n", $windows - $missed, $windows

# ---- let the run finish: the selftest must still pass, TF checks included ----
detach
quit
