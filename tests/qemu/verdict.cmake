# SPDX-License-Identifier: MIT
# ---- verdicts a program cannot forge (tests/qemu/forged-verdict.sh, docs/testing.md) ----
# usr/forge prints every line a verdict is read from, plain and behind CR, ESC and newlines,
# starts a child whose arguments hold such lines, then exits with status 1. Booted with the
# suite's usual success expectations, the run must fail on the kernel's exit code, the forgery
# must be in the log marked as the program's, and none of the expressions below, which the
# tests and runners take as success, may match any line of that boot.
set(forged_verdict ${CMAKE_CURRENT_SOURCE_DIR}/forged-verdict.sh)
set(verdict_regexes
  --verdict ${kernel_success}
  --verdict [=[^ktest: [0-9]+ passed, 0 failed$]=]
  --verdict [=[^(\[cpu[0-9]\] )?\[proc\] '(selftest|fuzz|stress|crash|init)' \(pid [0-9]+\) exited with status 0$]=]
  --verdict [=[^(\[cpu[0-9]\] )?\[boot\] cpu[0-9]: init ended with status 0$]=]
  --verdict [=[^(\[cpu[0-9]\] )?selftest\[[0-9]+\]: selftest: [0-9]+ passed, 0 failed$]=]
  --verdict [=[^(\[cpu[0-9]\] )?fuzz\[[0-9]+\]: fuzz: [0-9]+ passed, 0 failed$]=]
  --verdict [=[^(\[cpu[0-9]\] )?init\[[0-9]+\]: \[init\] all [0-9]+ programs exited with status 0$]=]
  --verdict [=[^(\[cpu[0-9]+\] )?bench\[[0-9]+\]: \[bench\] done rows=]=])
# What a passing selftest boot is asked for: the runner's own expectations in this boot.
set(selftest_success_expectations --expect ${kernel_success} ${selftest_passes})

add_test(NAME a_program_cannot_forge_the_verdict_of_a_qemu_run
  COMMAND bash ${forged_verdict} --log ${logs}/a_program_cannot_forge_the_verdict_of_a_qemu_run.log
          --fails-with "tests failed (exit 35)" ${verdict_regexes} --
          bash ${qemu_run} --iso ${iso} --accel tcg --timeout 120
          --log ${logs}/a_program_cannot_forge_the_verdict_of_a_qemu_run.log
          --cmdline "run=forge ktest=off" ${selftest_success_expectations})
set_tests_properties(a_program_cannot_forge_the_verdict_of_a_qemu_run PROPERTIES LABELS qemu TIMEOUT 150)
