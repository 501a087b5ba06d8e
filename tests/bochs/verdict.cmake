# SPDX-License-Identifier: MIT
# ---- a program cannot forge the verdict of a Bochs run either (tests/qemu/verdict.cmake) ----
# Bochs has no isa-debug-exit: bochs-run.sh judges by the kernel's lines alone, so this is the
# runner a forged "[boot] done: success" could fool. It must fail on the kernel's own
# "[boot] done: failure", and no verdict expression may match a line of the boot.
set(forged_verdict ${CMAKE_SOURCE_DIR}/tests/qemu/forged-verdict.sh)
set(bochs_verdict_log ${logs}/a_program_cannot_forge_the_verdict_of_a_bochs_run.log)
add_test(NAME a_program_cannot_forge_the_verdict_of_a_bochs_run
  COMMAND bash ${forged_verdict} --log ${bochs_verdict_log}
          --fails-with "the kernel reported failure ([boot] done: failure)"
          --verdict [=[^(\[cpu[0-9]\] )?\[boot\] done: success$]=]
          --verdict [=[^(\[cpu[0-9]\] )?\[proc\] 'selftest' \(pid [0-9]+\) exited with status 0$]=]
          --verdict [=[^(\[cpu[0-9]\] )?selftest\[[0-9]+\]: selftest: [0-9]+ passed, 0 failed$]=] --
          bash ${bochs_run} --iso ${iso} --cpu corei7_skylake_x --timeout 180 --log ${bochs_verdict_log}
          --cmdline "run=forge ktest=off" ${bochs_selftest_passes})
set_tests_properties(a_program_cannot_forge_the_verdict_of_a_bochs_run PROPERTIES LABELS bochs TIMEOUT 240)
