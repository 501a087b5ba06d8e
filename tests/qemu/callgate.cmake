# SPDX-License-Identifier: MIT
# The call gate and the compatibility-mode entries (src/syscall/callgate_entry.asm,
# compat_entry.asm): what the ordinary selftest boots do not show. Included at the end of
# tests/qemu/CMakeLists.txt; the selftest's own checks of these entries (usr/selftest/
# callgate_tests.c, compat_tests.c) run in every selftest boot, Bochs's included.

# An interrupt delivered at the first instruction of a call-gate target (ring 0, the user's GS,
# IF = 1), from GDB, for the real stub and the benchmark's empty one: the handler has the
# kernel's GS, the stub goes on with interrupts off, the call returns. tests/gdb/callgate_irq.gdb.
add_test(NAME gdb_irq_at_the_call_gate_entry_finds_the_kernels_gs
         COMMAND bash ${CMAKE_SOURCE_DIR}/tests/gdb/gdb-test.sh ${qemu_run} ${iso} $<TARGET_FILE:kernel>
                 ${CMAKE_BINARY_DIR}/tests/gdb/logs ${CMAKE_SOURCE_DIR}/tests/gdb/callgate_irq.gdb
                 "run=selftest,bench:batches=1:calls=8 ktest=off"
                 --expect ${selftest_exited_0} --expect ${selftest_summary}
                 --expect [=[^\[proc\] 'bench' \(pid [0-9]+\) exited with status 0$]=]
                 --reject ${kernel_panic})
set_tests_properties(gdb_irq_at_the_call_gate_entry_finds_the_kernels_gs PROPERTIES LABELS "qemu;gdb" TIMEOUT 260)
