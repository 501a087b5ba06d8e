# SPDX-License-Identifier: MIT
# GDB tests of the hardened copy of the syscall and int 0x80 entries (src/syscall/lstar_entry.asm,
# labels ending in _hardened), which mitigations= installs when any entry protection is on
# (src/arch/x86_64/mitigations.c, docs/hardening.md). docs/testing.md, "The hardened
# entries under GDB".
#
# The protections chosen: the swapgs fences (lfence inside the syscall and int 0x80 entry
# windows), clear-regs (pushes and xors after the frame, pops before the exit checks), VERW
# (inside both exit windows) and the direct dispatch; every other site of the copy (IBRS, PTI,
# the retpoline) is patched to `jmp short` over its body, and the sweep steps over those jumps
# too. Not pti: under page-table isolation ring 3 runs on the user page tables, which map no
# kernel data, and GDB reads memory through the CR3 the CPU stopped with, so at every ring-3 stop
# the sweep's reads of syscall_table, percpu_areas and the window table would fail.
set(hardened_entry_protections "swapgs-fence,clear-regs,verw,direct-dispatch")

# The window sweep (window_sweep.gdb) with the hardened copy installed: an NMI and a machine check
# at every boundary of its syscall entry, sysretq exit, int 0x80 entry and iretq exit (the sweep
# reads which copy the boot installed and takes that copy's labels), then every other window as
# in the plain run. Every window of the table must be reached but the plain copy's four, which
# nothing can reach on this boot and the sweep names "not installed".
lstar_gdb_test(every_boundary_of_the_hardened_entry_windows_survives_an_nmi_and_a_machine_check window_sweep.gdb
  "run=selftest,crash:compat-syscall,bench:batches=1:calls=8 ktest=off timer=off mitigations=${hardened_entry_protections}"
  ${gdb_selftest_passes}
  --expect [=[^\[mitigations\] entries: hardened;]=]
  --expect [=[^\[proc\] 'crash' \(pid [0-9]+\) exited with status 0$]=]
  --expect [=[^\[proc\] 'bench' \(pid [0-9]+\) exited with status 0$]=]
  --expect [=[^\[mce\] cpu0 verdict: resume at RIP=[0-9a-f]+ \(ring 0\)]=]
  --reject [=[^\[mce\] cpu[0-9] verdict: (panic|stop the program)]=]
  --reject [=[^\[panic\]]=])
set_tests_properties(every_boundary_of_the_hardened_entry_windows_survives_an_nmi_and_a_machine_check
  PROPERTIES TIMEOUT 900)

# The same on an Intel model (Skylake-Client), where the sysenter windows are reached too (part 16
# of the sweep; the sysenter entry has one copy only) and the protections' decisions are
# Intel's: the same four asked for, the same sites in force.
lstar_gdb_test(every_boundary_of_the_hardened_entry_windows_survives_an_nmi_and_a_machine_check_on_intel window_sweep.gdb
  "run=selftest:compat-syscall=dispatched,crash:compat-syscall,bench:batches=1:calls=8:compat-syscall=dispatched ktest=off timer=off mitigations=${hardened_entry_protections}"
  --cpu Skylake-Client
  ${gdb_selftest_passes}
  --expect [=[^\[mitigations\] entries: hardened;]=]
  --expect [=[^\[proc\] 'crash' \(pid [0-9]+\) exited with status 0$]=]
  --expect [=[^\[proc\] 'bench' \(pid [0-9]+\) exited with status 0$]=]
  --expect [=[^\[mce\] cpu0 verdict: resume at RIP=[0-9a-f]+ \(ring 0\)]=]
  --reject [=[^\[mce\] cpu[0-9] verdict: (panic|stop the program)]=]
  --reject [=[^\[panic\]]=])
set_tests_properties(every_boundary_of_the_hardened_entry_windows_survives_an_nmi_and_a_machine_check_on_intel
  PROPERTIES TIMEOUT 900)

# gdb-test.sh names its logs after the script: no two runs of window_sweep.gdb may overlap.
set_tests_properties(every_boundary_of_the_hardened_entry_windows_survives_an_nmi_and_a_machine_check
  every_boundary_of_the_hardened_entry_windows_survives_an_nmi_and_a_machine_check_on_intel
  PROPERTIES RESOURCE_LOCK window_sweep_gdb_logs)

# The GDB tour (entry_tour.gdb) through the hardened copy: what each instruction of the syscall
# entry and exit and of the int 0x80 gate and its iretq exit does to CS, SS, RSP, GS and the
# frame, the frame found above the registers clear-regs saved, and those registers zero at the
# dispatch.
lstar_gdb_test(gdb_tour_of_both_hardened_entry_paths entry_tour.gdb
  "run=selftest ktest=off timer=off mitigations=${hardened_entry_protections}"
  ${gdb_selftest_passes}
  --expect [=[^\[mitigations\] entries: hardened;]=])
# gdb-test.sh names its logs after the script: the two tours must not overlap.
set_tests_properties(gdb_tour_of_both_entry_paths gdb_tour_of_both_hardened_entry_paths
  PROPERTIES RESOURCE_LOCK entry_tour_gdb_logs)
