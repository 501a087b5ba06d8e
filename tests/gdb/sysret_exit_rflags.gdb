# SPDX-License-Identifier: MIT
# The shared exit's checks on RFLAGS (src/syscall/lstar_entry.asm, syscall_return; checks 1 and
# 2 of docs/msr.md "The return"): sysretq loads RFLAGS from R11, cannot restore RF and, with TF
# in R11, traps at once in ring 3 (SDM Vol. 2B "SYSRET"), so each of these must leave by iretq,
# which restores the frame's RFLAGS exactly (SDM Vol. 2A "IRET"). No lstar path hands ring 3
# such an R11 today, so deleting a check passes every ring-3 test; GDB makes the state and
# watches the exit.
# Three programs' first `syscall` (SYS_getargs, usr/libc/start.c) is given, at syscall_return:
#   1. an R11 unlike the frame's RFLAGS (CF flipped): the program resumes with the frame's
#      RFLAGS, R11 as it was, and exits 0.
#   2. TF in both R11 and the frame: the program runs one instruction, takes its own single-step
#      #DB in ring 3 (SDM Vol. 3A, section "Single-Step Exception Condition" [18.3.1.4]), counted once (debug_trap.c), and exits 0.
#   3. RF in both: iretq restores it, it suppresses only instruction breakpoints for one
#      instruction (SDM Vol. 3A, section "Instruction-Breakpoint Exception Condition" [18.3.1.1]): nothing the program can see, and it exits 0.
# A fourth program then exits 0: the kernel went on.
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
# (struct syscall_frame: the RCX slot, then what iretq pops), $pid the program. R11 still holds
# the RFLAGS `syscall` saved: every handler gives it back unchanged.
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

# Runs the iretq and stops at the first ring-3 instruction, before it runs.
define step_over_the_iretq
  hbreak syscall_iretq
  continue
  delete
  stepi
end

# The next program's end: $status as it passed to exit, $exiting its pid, $traps its ring-3 #DBs.
define stop_at_the_next_exit
  hbreak *process_exit
  continue
  delete
  set $status = (int)$rdi
  set $exiting = percpu_areas[0].current->pid
  set $traps = percpu_areas[0].current->debug_traps
end

# ---- 1. R11 unlike the frame's RFLAGS ----
stop_at_the_next_programs_first_return
set $frame_rflags = $f->rflags
set $r11 = $r11^1
set $forced_r11 = $r11
take_the_shared_exit
check ($left_by_iretq) r11_unlike_rflags_leaves_by_iretq
step_over_the_iretq
check ($pc==$return_rip&&($eflags&0xffffffff)==$frame_rflags&&$r11==$forced_r11) r11_unlike_rflags_resumes_with_the_frames_rflags
stop_at_the_next_exit
check ($exiting==$pid&&$status==0&&$traps==0) r11_unlike_rflags_program_exits_0

# ---- 2. TF: the program's own single step ----
stop_at_the_next_programs_first_return
set $r11 = $r11|0x100
set $f->rflags = $r11
take_the_shared_exit
check ($left_by_iretq) tf_leaves_by_iretq
hbreak *debug_trap_handle
continue
delete
set $db = *(struct trap_frame *)$rdi
check ($db.cs==0x33&&$db.rip>$return_rip&&$db.rip<$return_rip+16&&($db.rflags&0x100)!=0) tf_traps_in_ring_3_after_one_instruction
stop_at_the_next_exit
check ($exiting==$pid&&$status==0&&$traps==1) tf_program_counted_one_trap_and_exits_0

# ---- 3. RF ----
stop_at_the_next_programs_first_return
set $r11 = $r11|0x10000
set $f->rflags = $r11
take_the_shared_exit
check ($left_by_iretq) rf_leaves_by_iretq
step_over_the_iretq
check ($pc==$return_rip&&$cs==0x33&&($eflags&0x10000)!=0) rf_is_restored_in_ring_3
stop_at_the_next_exit
check ($exiting==$pid&&$status==0&&$traps==0) rf_program_exits_0

# ---- the next program runs and exits 0 ----
stop_at_the_next_exit
check ($exiting==$pid+1&&$status==0) the_kernel_runs_the_next_program

detach
quit
