# SPDX-License-Identifier: MIT
# Page-table isolation (mitigations=pti, src/arch/x86_64/pti.c, docs/pti.md): real boots with it on.
# Included at the end of tests/qemu/CMakeLists.txt, whose lstar_boot_test, regexes and variables
# it uses. Under TCG every CR3 write flushes QEMU's whole software TLB, so with PTI on each entry
# and exit costs a refill: the timeouts here are generous. QEMU 7.2's TCG offers no PCID on any
# model (it warns and drops the bit), so the boots with PCIDs are Bochs's (tests/bochs).

# The kernel's lines: PTI is on, and every process's user tables were walked before it ran.
set(pti_on [=[^\[pti\] on: [0-9]+ entry and exit sites switch CR3. PCID (on|off)]=])
set(pti_walked [=[^\[pti\] pid [0-9]+: user tables map only the entry set \([0-9]+ pages\)$]=])
set(pti_passes --expect ${pti_on} --expect ${pti_walked} --reject ${kernel_panic}
  --reject [=[^\[pti\] off]=])

# ---- the self-checks: a fresh address space's user tables, walked and translated ----
lstar_boot_test(pti_user_tables_map_only_the_entry_set TIMEOUT 180
  --cpu Skylake-Client
  --cmdline "run=none mitigations=pti"
  --expect ${pti_on}
  --expect [=[^\[ktest\] PASS pti_user_tables_do_not_map_kernel_data_text_or_direct_map$]=]
  --expect [=[^\[ktest\] PASS pti_user_tables_map_the_entry_set$]=]
  --expect [=[^\[ktest\] PASS pti_user_tables_map_only_the_entry_set$]=]
  --expect [=[^\[ktest\] PASS pti_user_tables_share_the_lower_half$]=]
  --expect [=[^ktest: [0-9]+ passed, 0 failed$]=]
  --reject ${kernel_panic})

# ---- the ring-3 selftest through both entries, with PTI, on three CPU models ----
lstar_boot_test(pti_selftest_cpu_skylake TIMEOUT 300
  --cpu Skylake-Client
  --cmdline "run=selftest:sysenter=exit:compat-syscall=dispatched mitigations=pti"
  ${pti_passes} ${selftest_passes})
# Skylake-Client without PCID: what TCG gives anyway, said explicitly.
lstar_boot_test(pti_selftest_cpu_skylake_without_pcid TIMEOUT 300
  --cpu Skylake-Client,-pcid
  --cmdline "run=selftest:sysenter=exit:compat-syscall=dispatched mitigations=pti"
  --expect [=[^\[pti\] on: [0-9]+ entry and exit sites switch CR3. PCID off]=]
  ${pti_passes} ${selftest_passes})
# max is an AMD model: not affected, so PTI is forced on, and the kernel says so.
lstar_boot_test(pti_selftest_cpu_max TIMEOUT 300
  --cpu max
  --cmdline "run=selftest:sysenter=ud:compat-syscall=dispatched mitigations=pti"
  --expect [=[^\[pti\] on: .*\(forced: this CPU reports it is not affected\)$]=]
  ${pti_passes} ${selftest_passes})
# qemu64: no SMEP, no SMAP; the `clac` sites are NOPs and the PTI sites still switch.
lstar_boot_test(pti_selftest_cpu_qemu64 TIMEOUT 300
  --cpu qemu64
  --cmdline "run=selftest:sysenter=ud:compat-syscall=dispatched mitigations=pti"
  ${pti_passes} ${selftest_passes})

# ---- the fuzzer, with PTI: every call through the switched entries and exits ----
lstar_boot_test(pti_syscall_fuzzer_finds_nothing TIMEOUT 400
  --cmdline "run=fuzz:calls=100000:seed=1,fuzz:calls=100000:seed=20261125 ktest=off mitigations=pti"
  --expect ${pti_on}
  --expect ${fuzz_exited_0}
  --expect [=[^fuzz\[[0-9]+\]: fuzz: 100000 passed, 0 failed$]=]
  --reject [=[^fuzz\[[0-9]+\]: \[fuzz\] FAIL]=]
  --reject ${kernel_panic})

# ---- the switch itself (mitigations=...pti): off by default, with every site skipped ----
lstar_boot_test(pti_is_off_by_default_and_its_sites_are_skipped
  --cmdline "run=none ktest=off"
  --expect [=[^\[pti\] off: [0-9]+ entry and exit sites jump over their CR3 switch]=]
  --reject [=[^\[pti\] (on|pid)]=])
# ---- GDB: CR3 (bit 12, PCID bits) at both entries and both exits, before and after each switch,
# and through the paranoid entry of an NMI injected in each CR3. The benchmark (both entries, no
# single steps: a broken paranoid switch must fail a check here, not hang a #DB) ----
add_test(NAME pti_cr3_at_every_entry_and_exit_under_gdb
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/gdb/gdb-test.sh ${qemu_run} ${iso} $<TARGET_FILE:kernel>
          ${CMAKE_BINARY_DIR}/tests/gdb/logs ${CMAKE_SOURCE_DIR}/tests/gdb/pti_cr3.gdb
          "run=bench:batches=1:calls=8 ktest=off timer=off mitigations=pti"
          --expect [=[^\[proc\] 'bench' \(pid [0-9]+\) exited with status 0$]=] --reject ${kernel_panic})
set_tests_properties(pti_cr3_at_every_entry_and_exit_under_gdb PROPERTIES LABELS "qemu;gdb" TIMEOUT 260)

# ---- PCIDs: Bochs's Skylake-X model has PCID and INVPCID, so CR4.PCIDE, a kernel and a user
# PCID per process and CR3_NOFLUSH on every switch run there (QEMU's TCG drops PCID) ----
add_test(NAME pti_selftest_with_pcids_bochs_skylake
  COMMAND bash ${CMAKE_SOURCE_DIR}/cmake/bochs-run.sh --iso ${iso} --cpu corei7_skylake_x --timeout 400
          --log ${CMAKE_BINARY_DIR}/tests/bochs/logs/pti_selftest_with_pcids_bochs_skylake.log
          --cmdline "run=selftest:sysenter=exit:compat-syscall=ud mitigations=pti"
          --expect [=[^\[pti\] on: [0-9]+ entry and exit sites switch CR3. PCID on, INVPCID yes$]=]
          --expect [=[^\[ktest\] PASS every_cpu_runs_with_the_exact_cr0_cr4_and_efer$]=]
          --expect [=[^\[cpu\] cpu0 CR0=0x[0-9a-f]+ CR4=0x[0-9a-f]*[2367abef][0-9a-f]{4} ]=]
          --expect ${pti_walked}
          --expect [=[^\[proc\] 'selftest' \(pid [0-9]+\) exited with status 0$]=]
          --expect [=[^selftest\[[0-9]+\]: selftest: [0-9]+ passed, 0 failed$]=]
          --reject ${kernel_panic})
set_tests_properties(pti_selftest_with_pcids_bochs_skylake PROPERTIES LABELS bochs TIMEOUT 430)

# ---- NMIs with PTI: they land on their IST stack in either CR3, and the paranoid entry switches
# to the kernel's tables only when it finds the user's (and switches back) ----
add_test(NAME pti_nmi_during_syscalls_is_harmless
  COMMAND bash ${inject} --run ${qemu_run} --log ${logs}/pti_nmi_during_syscalls_is_harmless.log
          --after [=[^\[proc\] started]=] --command nmi --every 0.01 --count 0 --
          --iso ${iso} --accel tcg --timeout 400 --cmdline "run=selftest,bench:quick ktest=off mitigations=pti"
          ${selftest_passes} --expect ${pti_on} --reject ${kernel_panic}
          --expect [=[^\[nmi\] cpu0 total: [0-9]+ NMIs on the IST stack: [1-9][0-9]* in ring 3, [1-9][0-9]* in ring 0]=])
set_tests_properties(pti_nmi_during_syscalls_is_harmless PROPERTIES LABELS qemu TIMEOUT 430)


# ---- four CPUs: each its entry stack, its per-CPU CR3 values, its processes' pairs ----
lstar_boot_test(pti_selftest_and_fuzzer_on_every_cpu TIMEOUT 400
  --smp 4
  --cmdline "run=selftest@all,fuzz:calls=30000:seed=1@0,fuzz:calls=30000:seed=2@1,fuzz:calls=30000:seed=3@2,fuzz:calls=30000:seed=4@3 ktest=off mitigations=pti"
  --expect ${pti_on}
  --expect [=[^(\[cpu[0-9]\] )?\[pti\] pid [0-9]+: user tables map only the entry set \([0-9]+ pages\)$]=]
  ${suites_everywhere}
  --expect ${kernel_success}
  --reject ${kernel_panic})

# ---- faults from ring 3 with PTI: each lands on the entry stack, moves to the kernel stack, is
# reported with the frame ring 3 left, and the kernel goes on ----
lstar_boot_test(pti_user_faults_are_reported_and_kernel_goes_on TIMEOUT 180
  --cmdline "run=crash:gp,crash:pf-null,crash:ud-df-ac,crash:exit-0 mitigations=pti"
  --expect-exit 35
  --expect ${pti_on}
  --expect [=[^\[fault\] program 'crash' \(pid [0-9]+\) stopped: vector 13, #GP general protection$]=]
  --expect [=[^\[fault\] program 'crash' \(pid [0-9]+\) stopped: vector 14, #PF page fault$]=]
  --expect [=[^\[fault\]   RSP=[0-9a-f]{16} SS=[0-9a-f]{4} CR2=0000000000000000 ]=]
  --expect [=[^\[fault\]   the handler ran with IF=0 DF=0 AC=0$]=]
  --reject [=[^\[fault\]   the handler ran with .*(DF|AC)=1]=]
  --expect ${crash_exited_0}
  --reject ${kernel_panic})

# ---- a machine check in ring 3 with PTI: the paranoid entry finds the user's CR3, switches to
# the kernel's tables, and the program is stopped (never returning to that IST frame) ----
add_test(NAME pti_machine_check_srao_in_ring3_stops_the_program
  COMMAND bash ${inject} --run ${qemu_run} --log ${logs}/pti_machine_check_srao_in_ring3_stops_the_program.log
          --after ${crash_spins}
          --command "mce 0 3 0xbd000000000000c0 0x5 0x2345000 0x86"
          --expect-count 1 [=[^\[fault\] program 'crash' \(pid [0-9]+\) stopped: vector 18, #MC machine check$]=] --
          --iso ${iso} --accel tcg --timeout 120 --cmdline "run=crash:spin,crash:exit-0 ktest=off timer=off mitigations=pti"
          --expect-exit 35
          --expect ${pti_on}
          --expect [=[^\[mce\] cpu0 verdict: stop the program: SRAO while it ran]=]
          --expect ${crash_exited_0}
          --reject ${kernel_panic})
set_tests_properties(pti_machine_check_srao_in_ring3_stops_the_program PROPERTIES LABELS qemu TIMEOUT 150)
add_test(NAME pti_fuzzer_with_pcids_bochs_skylake
  COMMAND bash ${CMAKE_SOURCE_DIR}/cmake/bochs-run.sh --iso ${iso} --cpu corei7_skylake_x --timeout 400
          --log ${CMAKE_BINARY_DIR}/tests/bochs/logs/pti_fuzzer_with_pcids_bochs_skylake.log
          --cmdline "run=fuzz:calls=100000:seed=1 ktest=off mitigations=pti"
          --expect [=[^\[pti\] on: [0-9]+ entry and exit sites switch CR3. PCID on, INVPCID yes$]=]
          --expect [=[^\[proc\] 'fuzz' \(pid [0-9]+\) exited with status 0$]=]
          --expect [=[^fuzz\[[0-9]+\]: fuzz: 100000 passed, 0 failed$]=]
          --reject [=[^fuzz\[[0-9]+\]: \[fuzz\] FAIL]=]
          --reject ${kernel_panic})
set_tests_properties(pti_fuzzer_with_pcids_bochs_skylake PROPERTIES LABELS bochs TIMEOUT 430)
