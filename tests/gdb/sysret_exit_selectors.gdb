# SPDX-License-Identifier: MIT
# The shared exit's checks on the frame's selectors (src/syscall/lstar_entry.asm,
# syscall_return; check 4 of docs/msr.md "The return"): sysretq forces CS = 0x33 and SS = 0x2b
# (SDM Vol. 2B "SYSRET"), so a frame with any other CS or SS must leave by iretq, which uses the
# frame's own. No ring-3 call yields such a frame, so deleting either check passes every ring-3
# test; GDB makes it.
# Two programs' first `syscall` (SYS_getargs, usr/libc/start.c) is given, at syscall_return:
#   1. CS = 0x23, the 32-bit user code: iretq lands in compatibility mode at the same RIP
#      (SDM Vol. 3A, section "Code-Segment Descriptor in 64-bit Mode" [5.2.1]), where 64-bit code runs as something else until it faults; the
#      program is stopped by that fault, taken with CS = 0x23, and a note says which vector.
#   2. SS = 0: IRETQ to ring 3 refuses a null SS with #GP(0) in ring 0, at the iretq itself
#      (SDM Vol. 2A "IRET", IA-32e-MODE-RETURN). trap_common must take the kernel's GS back
#      (the exit had swapped in the user's) and traps.c (refused_iret_to_user) must charge the
#      program with its refused frame instead of panicking.
# A third program then exits 0: the kernel went on.
# Run by tests/gdb/gdb-test.sh with "run=crash:exit-0" three times. Only rare places get a
# breakpoint: each hit costs a round trip to GDB.
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

# The next crash's first `syscall`, stopped where the shared exit begins: $f is its frame
# (struct syscall_frame: the RCX slot, then what iretq pops), $pid the program.
define stop_at_the_next_programs_first_return
  hbreak *sys_getargs if percpu_areas[0].current->name[0]=='c'
  continue
  delete
  set $pid = percpu_areas[0].current->pid
  hbreak syscall_return
  continue
  delete
  set $f = (struct syscall_frame *)$rsp
  set $return_rip = $f->rip
end

# Runs the exit with a breakpoint on each of its two ways out: $left_by_iretq says which came first.
define take_the_shared_exit
  hbreak syscall_sysret
  hbreak syscall_exit_iret
  continue
  delete
  set $left_by_iretq = $pc==(long)&syscall_exit_iret
end

# The exception that stops the program: $trap as trap_dispatch got it (IRQs aside) and the GS
# base it runs with, $killed as process_kill_after_fault reports it (for an iretq the CPU
# refused, the frame it refused).
define stop_at_the_fault_that_stops_it
  hbreak *trap_dispatch if ((struct trap_frame *)$rdi)->vector<32
  continue
  delete
  set $trap = *(struct trap_frame *)$rdi
  set $trap_gs = $gs_base
  set $trap_user_gs = $k_gs_base
  hbreak *process_kill_after_fault
  continue
  delete
  set $killed = *(struct trap_frame *)$rdi
  set $killed_pid = percpu_areas[0].current->pid
end

# ---- 1. CS = 0x23: back to ring 3 in compatibility mode ----
stop_at_the_next_programs_first_return
set $f->cs = 0x23
take_the_shared_exit
check ($left_by_iretq) cs32_leaves_by_iretq
hbreak syscall_iretq
continue
delete
stepi
check ($pc==$return_rip&&$cs==0x23&&$ss==0x2b) cs32_lands_in_compatibility_mode_at_the_frames_rip
stop_at_the_fault_that_stops_it
printf "[gdb] note: in compatibility mode the program raised vector %lu\n", $trap.vector
check ($trap.cs==0x23&&$killed_pid==$pid&&$killed.cs==0x23&&$killed.vector==$trap.vector) cs32_program_is_stopped_by_a_fault_in_compatibility_mode

# ---- 2. SS = 0: the iretq itself faults, in ring 0 ----
stop_at_the_next_programs_first_return
check ($pid==$killed_pid+1) the_kernel_went_on_after_cs32
set $f->ss = 0
take_the_shared_exit
check ($left_by_iretq) null_ss_leaves_by_iretq
stop_at_the_fault_that_stops_it
check ($trap.vector==13&&$trap.error_code==0&&$trap.cs==0x10&&$trap.rip==(long)&syscall_iretq) null_ss_makes_the_iretq_raise_gp_0_in_ring_0
check ($trap_gs==(long)&percpu_areas[0]&&$trap_user_gs==0) null_ss_gp_runs_with_the_kernels_gs
check ($killed_pid==$pid&&$killed.vector==13&&$killed.rip==$return_rip&&$killed.cs==0x33&&$killed.ss==0) null_ss_stops_the_program_with_its_refused_frame

# ---- the next program runs and exits 0 ----
hbreak *process_exit
continue
delete
check ($rdi==0&&percpu_areas[0].current->pid==$pid+1) the_kernel_runs_the_next_program

detach
quit
