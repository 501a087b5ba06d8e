# A single step in ring 0 inside each entry window, made on purpose: GDB sets TF in the kernel's
# RFLAGS at the start of a window, as Bochs does after a `syscall` with TF = 1 and as a debugger
# can. Each #DB must be taken on its own IST stack (IST4) with the kernel's GS whatever GS was,
# absorbed (TF cleared in the interrupted kernel context), and the program must go on: the
# selftest's own TF checks, run around the first one, still see exactly one ring-3 trap.
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

# The #DB's own frame, as debug_trap_handle sees it: where it landed and on which stack.
define stop_in_the_db_handler
  hbreak debug_trap_handle
  continue
  delete
  set $tf = (struct trap_frame *)$rdi
  set $ist_top = (long)percpu_areas[0].tss.ist[3]
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
check ((long)$rsp<$ist_top&&(long)$rsp>$ist_top-16384) entry_db_runs_on_the_ist4_stack
check ($gs_base==(long)&percpu_areas[0]) entry_db_handler_has_the_kernels_gs
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
check ((long)$rsp<$ist_top&&(long)$rsp>$ist_top-16384) exit_db_runs_on_the_ist4_stack
check ($gs_base==(long)&percpu_areas[0]&&$k_gs_base==0) exit_db_handler_swapped_to_the_kernels_gs
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
check ((long)$rsp<$ist_top&&(long)$rsp>$ist_top-16384) iret_db_runs_on_the_ist4_stack

# ---- let the run finish: the selftest must still pass, TF checks included ----
detach
quit
