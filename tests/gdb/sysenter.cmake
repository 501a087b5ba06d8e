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

# The tour of one sysenter call (tests/gdb/sysenter_tour.gdb): what SYSENTER loads (CS 0x10, SS
# 0x18, RSP = IA32_SYSENTER_ESP, IF clear, the user's GS), the stub's swapgs and stack, the frame,
# and what SYSEXIT loads (CS 0x33, SS 0x3b, RIP from RDX, RSP from RCX) with the caller's flags.
lstar_gdb_test(gdb_tour_of_a_sysenter_call sysenter_tour.gdb
  "run=crash:sysenter-calls ktest=off timer=off"
  --cpu Skylake-Client
  --expect [=[^\[proc\] 'crash' \(pid [0-9]+\) exited with status 0$]=]
  --reject [=[^\[panic\]]=])

# The window sweep (window_sweep.gdb) on an Intel model, where its part 13 runs: an NMI and a
# machine check at every boundary of the sysenter entry, its flags fix (GDB sets the program's DF
# for the one call), its sysexitq exit and the empty sysenter stub, from the benchmark's
# sysenter_null and sysenter_empty rows, besides every other window as on `max`. Every window of
# the table must be reached here; on `max` the sysenter ones are out of reach and named so.
lstar_gdb_test(every_boundary_of_the_entry_windows_survives_an_nmi_and_a_machine_check_on_intel window_sweep.gdb
  "run=selftest:compat-syscall=dispatched,crash:compat-syscall,bench:batches=1:calls=8:compat-syscall=dispatched ktest=off timer=off"
  --cpu Skylake-Client
  ${gdb_selftest_passes}
  --expect [=[^\[proc\] 'crash' \(pid [0-9]+\) exited with status 0$]=]
  --expect [=[^\[proc\] 'bench' \(pid [0-9]+\) exited with status 0$]=]
  --expect [=[^\[mce\] cpu0 verdict: resume at RIP=[0-9a-f]+ \(ring 0\)]=]
  --reject [=[^\[mce\] cpu[0-9] verdict: (panic|stop the program)]=]
  --reject [=[^\[panic\]]=])
set_tests_properties(every_boundary_of_the_entry_windows_survives_an_nmi_and_a_machine_check_on_intel PROPERTIES TIMEOUT 600)
# gdb-test.sh names its logs after the script: the two runs of window_sweep.gdb must not overlap.
set_tests_properties(every_boundary_of_the_entry_windows_survives_an_nmi_and_a_machine_check
  every_boundary_of_the_entry_windows_survives_an_nmi_and_a_machine_check_on_intel
  PROPERTIES RESOURCE_LOCK window_sweep_gdb_logs)
