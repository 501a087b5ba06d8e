# SPDX-License-Identifier: MIT
# `sysenter` from compatibility mode on Bochs 2.7 (tests/qemu/sysenter32.cmake has the QEMU side):
# a second model of both vendors. corei7_skylake_x: with SYSENTER_ABI_32 the call comes back in
# compatibility mode by a 32-bit sysexit; under the default ABI the same call faults. ryzen: the
# kernel refuses the ABI and the CPU refuses the instruction (#GP, SYSENTER_CS left 0).
lstar_bochs_test(bochs_compat_sysenter_with_the_32_bit_abi_returns_in_compatibility_mode_skylake corei7_skylake_x
  --cmdline "run=crash:compat-sysenter32 ktest=off"
  --expect [=[^\[proc\] 'crash' \(pid [0-9]+\) exited with status 0$]=]
  --reject [=[^\[panic\]]=])
bochs_failing_run_test(bochs_compat_sysenter_with_the_64_bit_abi_faults_skylake corei7_skylake_x
  "run=crash:compat-sysenter64 ktest=off"
  [=[^\[fault\] program 'crash' \(pid [0-9]+\) stopped: vector 13, #GP general protection$]=])
bochs_failing_run_test(bochs_compat_sysenter_is_refused_ryzen ryzen
  "run=crash:compat-sysenter32 ktest=off"
  [=[^\[fault\] program 'crash' \(pid [0-9]+\) stopped: vector 13, #GP general protection$]=])
# The selftest's compatibility-mode sysenter checks on the Intel model.
lstar_bochs_test(bochs_compat_sysenter_selftest_checks_pass_skylake corei7_skylake_x TIMEOUT 600
  --cmdline "run=selftest:sysenter=exit:compat-syscall=ud ktest=off"
  --expect [=[^selftest\[[0-9]+\]: \[selftest\] PASS compat_sysenter_registers_survive_null_via_iret$]=]
  --expect [=[^selftest\[[0-9]+\]: \[selftest\] PASS compat_sysenter_parents_abi_is_back_after_its_children$]=]
  ${bochs_selftest_passes})
lstar_bochs_test(bochs_compat_sysenter_with_tf_gives_exactly_one_user_trap_skylake corei7_skylake_x
  --cmdline "run=crash:compat-sysenter32-tf ktest=off"
  --expect [=[^\[db\] cpu0 total: 18 single step\(s\) absorbed in entry windows$]=]
  --expect [=[^\[proc\] 'crash' \(pid [0-9]+\) exited with status 0$]=]
  --reject [=[^\[panic\]]=])
