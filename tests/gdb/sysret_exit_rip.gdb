# SPDX-License-Identifier: MIT
# The shared exit's checks on the return RIP (src/syscall/lstar_entry.asm, syscall_return;
# checks 1 and 3 of docs/msr.md "The return"): a RIP sysretq cannot be trusted with must leave
# by iretq. Intel's SYSRET raises #GP in ring 0, on the user's RSP, for a non-canonical RCX (SDM
# Vol. 2B "SYSRET"; CVE-2012-0217), and no lstar path yields such a RIP: QEMU does not model
# that #GP, so only GDB can show the check.
# Three programs' first `syscall` (SYS_getargs, usr/libc/start.c) is given, at syscall_return:
#   1. the return RIP 0x0000800000000000, non-canonical: IRETQ raises #GP(0) on it (SDM Vol. 2A
#      "IRET", IA-32e-MODE-RETURN) and the kernel charges the program (traps.c
#      refused_iret_to_user); a CPU whose IRETQ lets it pass faults on the fetch in ring 3,
#      #GP too (SDM Vol. 3A, section "Canonical Addressing" [3.3.7.1]). Either way: vector 13 on the program, and a note says which.
#   2. the return RIP 0x00007ffffffff000, USER_CEILING: canonical but never mapped: #PF on the
#      instruction fetch, in ring 3.
#   3. a saved RCX unlike the frame's RIP: sysretq would jump to RCX; iretq goes to the RIP and
#      gives the program its RCX back, and the program exits 0.
# A fourth program then exits 0: the kernel went on. In each RIP case the saved RCX slot holds
# the same value, so the RIP limit is the only check that can refuse sysretq.
# Run by tests/gdb/gdb-test.sh with "run=crash:exit-0" four times. Only rare places get a
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

# The exception that stops the program: $trap as trap_dispatch got it (IRQs aside), $killed as
# process_kill_after_fault reports it (for an iretq the CPU refused, the frame it refused).
define stop_at_the_fault_that_stops_it
  hbreak *trap_dispatch if ((struct trap_frame *)$rdi)->vector<32
  continue
  delete
  set $trap = *(struct trap_frame *)$rdi
  hbreak *process_kill_after_fault
  continue
  delete
  set $killed = *(struct trap_frame *)$rdi
  set $killed_pid = percpu_areas[0].current->pid
end

# The next program's end: $status as it passed to exit, $exiting its pid.
define stop_at_the_next_exit
  hbreak *process_exit
  continue
  delete
  set $status = (int)$rdi
  set $exiting = percpu_areas[0].current->pid
end

# ---- 1. a non-canonical return RIP ----
stop_at_the_next_programs_first_return
set $f->rcx = 0x0000800000000000
set $f->rip = 0x0000800000000000
take_the_shared_exit
check ($left_by_iretq) noncanonical_rip_leaves_by_iretq
stop_at_the_fault_that_stops_it
if $trap.cs==0x10
  echo [gdb] note: the iretq raised #GP in ring 0 on the non-canonical RIP; the kernel charged the program\n
else
  echo [gdb] note: the iretq went back to ring 3 with the non-canonical RIP; the fetch there raised #GP\n
end
check ($trap.vector==13&&(($trap.cs==0x10&&$trap.rip==(long)&syscall_iretq)||($trap.cs==0x33&&$trap.rip==0x800000000000))) noncanonical_rip_raises_gp_at_the_iretq_or_at_the_fetch
check ($killed_pid==$pid&&$killed.vector==13&&$killed.cs==0x33&&$killed.rip==0x800000000000) noncanonical_rip_stops_the_program_with_gp

# ---- 2. the first address ring 3 may never run at ----
stop_at_the_next_programs_first_return
check ($pid==$killed_pid+1) the_kernel_went_on_after_the_noncanonical_rip
set $f->rcx = 0x00007ffffffff000
set $f->rip = 0x00007ffffffff000
take_the_shared_exit
check ($left_by_iretq) ceiling_rip_leaves_by_iretq
stop_at_the_fault_that_stops_it
check ($trap.cs==0x33&&$trap.rip==0x7ffffffff000) ceiling_rip_faults_in_ring_3
check ($killed_pid==$pid&&$killed.vector==14&&$killed.rip==0x7ffffffff000&&($killed.error_code&0x15)==0x14) ceiling_rip_stops_the_program_with_a_user_fetch_page_fault

# ---- 3. a saved RCX unlike the frame's RIP (still canonical, below the limit) ----
stop_at_the_next_programs_first_return
check ($pid==$killed_pid+1) the_kernel_went_on_after_the_ceiling_rip
set $f->rcx = 0xdead
take_the_shared_exit
check ($left_by_iretq) rcx_unlike_rip_leaves_by_iretq
hbreak syscall_iretq
continue
delete
stepi
check ($pc==$return_rip&&$cs==0x33&&$rcx==0xdead) rcx_unlike_rip_resumes_at_the_frames_rip_with_its_rcx
stop_at_the_next_exit
check ($exiting==$pid&&$status==0) rcx_unlike_rip_program_exits_0

# ---- the next program runs and exits 0 ----
stop_at_the_next_exit
check ($exiting==$pid+1&&$status==0) the_kernel_runs_the_next_program

detach
quit
