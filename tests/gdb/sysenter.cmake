# SPDX-License-Identifier: MIT
# GDB tests of the `sysenter` entry (src/syscall/sysenter_entry.asm), on an Intel model: AMD's
# raise #UD for `sysenter` in long mode. docs/testing.md, "The sysenter entry".

# Each of the sysexitq exit's checks forced from GDB at sysenter_return (tests/gdb/sysexit_checks.gdb):
# a frame SYSEXIT cannot restore exactly (foreign CS or SS, IF clear, TF set, a non-canonical RIP,
# RCX unlike RSP, a non-canonical RSP) leaves by iretq; an unchanged one by sysexitq. GDB puts each
# frame back before the iretq, so the program's eight calls all succeed and it exits 0.
lstar_gdb_test(sysexit_exit_sends_frames_it_cannot_restore_to_iretq sysexit_checks.gdb
  "run=crash:sysenter-calls ktest=off"
  --cpu Skylake-Client
  --expect [=[^\[proc\] 'crash' \(pid [0-9]+\) exited with status 0$]=]
  --expect [=[^\[proc\] 'init' \(pid [0-9]+\) exited with status 0$]=]
  --reject [=[^\[panic\]]=])
