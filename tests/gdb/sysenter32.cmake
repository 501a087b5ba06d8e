# SPDX-License-Identifier: MIT
# GDB test of the compatibility-mode `sysenter` exit (src/syscall/sysenter_entry.asm,
# sysenter32_return), on an Intel model. docs/testing.md, "sysenter from compatibility mode".

# Each of the 32-bit sysexit exit's checks forced from GDB (tests/gdb/sysexit32_checks.gdb): a frame
# a 32-bit SYSEXIT cannot restore exactly (foreign CS or SS, IF clear, TF set, a RIP or RSP at
# 4 GiB, RCX unlike RSP) leaves by iretq; an unchanged one by sysexit, and so does one entered
# with upper halves in RDI and RBP, which the entry zero-extends. GDB puts each frame back before
# the iretq, so the program's nine calls all come back with its pid and it exits 0.
lstar_gdb_test(sysexit32_exit_sends_frames_it_cannot_restore_to_iretq sysexit32_checks.gdb
  "run=crash:compat-sysenter32-calls ktest=off"
  --cpu Skylake-Client
  --expect [=[^\[proc\] 'crash' \(pid [0-9]+\) exited with status 0$]=]
  --expect [=[^\[proc\] 'init' \(pid [0-9]+\) exited with status 0$]=]
  --reject [=[^\[panic\]]=])
