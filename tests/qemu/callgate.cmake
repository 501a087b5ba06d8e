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

# The three new round trips and int 0x80's, in guest instructions (-icount shift=0, cpu max: an
# AMD model, so CSTAR is reached), with mitigations=off. Measured on 2026-12-07 (commit 19af732):
# callgate_null 47.25, compat_int80_null 39.28, compat_syscall_null 47.28, int80_null 28.25 (27.25
# before the compatibility-mode check: one compare more). The call gate and CSTAR exist in one
# copy, so their protections are boot-patched sites (docs/hardening.md, "Which protections each
# entry path carries"): four each (swapgs fence and CR3 switch in, VERW and CR3 switch out), each a
# `jmp short` when off: callgate_null 51.25 and compat_syscall_null 51.28 measured since.
# compat_int80_null keeps its plain copy (39.28). The budgets leave about two instructions. The
# empty rows must stay the bare mechanism: at most 4 (callgate_empty 3.25, compat_int80_empty and
# compat_syscall_empty 3.28 measured).
add_test(NAME callgate_and_compat_round_trips_stay_within_their_icount_budgets
  COMMAND bash -c [=[
    set -euo pipefail
    qemu_run=$1 iso=$2 log=$3 check=$4
    "$qemu_run" --iso "$iso" --icount --cmdline "run=bench:quick ktest=off" --timeout 300 --log "$log"
    "$check" "$log" int80_null=29 callgate_null=53 callgate_empty=4 compat_int80_null=42 \
      compat_int80_empty=4 compat_syscall_null=53 compat_syscall_empty=4
  ]=] callgate_icount
    ${qemu_run} ${iso} ${CMAKE_BINARY_DIR}/bench/callgate-icount.log ${check_budget})
set_tests_properties(callgate_and_compat_round_trips_stay_within_their_icount_budgets PROPERTIES LABELS qemu TIMEOUT 330)

# The tracer names each new entry, and the slow path maps the 32-bit registers as the fast path
# does: the whole selftest traced (trace=selftest), its calls through the gate and from
# compatibility mode shown as the kernel sees them (write(3, buffer, 13) made with the i386
# registers, argument 1 from EBP for `syscall`).
lstar_boot_test(trace_names_the_call_gate_and_compatibility_mode_entries TIMEOUT 240
  --cmdline "run=selftest ktest=off trace=selftest"
  ${selftest_passes}
  --expect [=[^\[trace\] selftest\[[0-9]+\] cpu0 call gate null\(\) = 0$]=]
  --expect [=[^\[trace\] selftest\[[0-9]+\] cpu0 call gate getpid\(\) = [0-9]+$]=]
  --expect [=[^\[trace\] selftest\[[0-9]+\] cpu0 compat int 0x80 null\(\) = 0$]=]
  --expect [=[^\[trace\] selftest\[[0-9]+\] cpu0 compat int 0x80 write\(3, 0x[0-9a-f]+, 13\) = 13$]=]
  --expect [=[^\[trace\] selftest\[[0-9]+\] cpu0 compat syscall null\(\) = 0$]=]
  --expect [=[^\[trace\] selftest\[[0-9]+\] cpu0 compat syscall write\(3, 0x[0-9a-f]+, 13\) = 13$]=]
  --reject ${kernel_panic})

# The same interrupt on an Intel model (Skylake-Client: the gate, IF and GS behave alike; the
# benchmark skips its compatibility-mode `syscall` rows there, Intel's vendor rule).
add_test(NAME gdb_irq_at_the_call_gate_entry_finds_the_kernels_gs_skylake
         COMMAND bash ${CMAKE_SOURCE_DIR}/tests/gdb/gdb-test.sh ${qemu_run} ${iso} $<TARGET_FILE:kernel>
                 ${CMAKE_BINARY_DIR}/tests/gdb/logs-skylake ${CMAKE_SOURCE_DIR}/tests/gdb/callgate_irq.gdb
                 "run=selftest:sysenter=exit:compat-syscall=dispatched,bench:batches=1:calls=8 ktest=off"
                 --cpu Skylake-Client
                 --expect ${selftest_exited_0} --expect ${selftest_summary}
                 --expect [=[^bench\[[0-9]+\]: \[bench\] skip path=compat_syscall_null: ]=]
                 --expect [=[^\[proc\] 'bench' \(pid [0-9]+\) exited with status 0$]=]
                 --reject ${kernel_panic})
set_tests_properties(gdb_irq_at_the_call_gate_entry_finds_the_kernels_gs_skylake PROPERTIES LABELS "qemu;gdb" TIMEOUT 260)

# Bochs (tests/bochs/CMakeLists.txt): the selftest's call-gate and compatibility-mode checks run
# in bochs_selftest_skylake (corei7_skylake_x: compatibility-mode `syscall` is #UD, its checks
# skipped with a line) and bochs_selftest_ryzen (CSTAR reached and dispatched).

# The call gate's edges instruction by instruction, and its lretq exit's checks forced from GDB
# on five crash:callgate programs (tests/gdb/callgate_exit.gdb): TF in the frame (the program
# takes its step trap and exits 0), RIP = USER_CEILING (#PF in ring 3), CS = 0x2b and SS = 0 (the
# iretq refuses the frame, in ring 0, where trap_common knows it): each leaves by iretq, three
# programs are stopped, the kernel goes on.
add_test(NAME gdb_call_gate_exit_sends_what_lretq_cannot_restore_to_iretq
         COMMAND bash ${CMAKE_SOURCE_DIR}/tests/gdb/gdb-test.sh ${qemu_run} ${iso} $<TARGET_FILE:kernel>
                 ${CMAKE_BINARY_DIR}/tests/gdb/logs ${CMAKE_SOURCE_DIR}/tests/gdb/callgate_exit.gdb
                 "run=crash:callgate,crash:callgate,crash:callgate,crash:callgate,crash:callgate ktest=off"
                 --expect-exit 35
                 --expect [=[^init\[[0-9]+\]: \[init\] 3 of 5 programs failed$]=]
                 --expect [=[^\[fault\] vector 14 \(#PF page fault\), error code 0x14 \[not-present read user instruction-fetch\]$]=]
                 --expect [=[^\[fault\] the iretq back to ring 3 raised #GP general protection \(error code 0x28\) on the program's frame: RIP=[0-9a-f]{16} CS=002b SS=002b$]=]
                 --expect [=[^\[fault\] the iretq back to ring 3 raised #GP general protection \(error code 0x0\) on the program's frame: RIP=[0-9a-f]{16} CS=0033 SS=0000$]=]
                 --expect [=[^\[boot\] done: failure$]=]
                 --reject ${kernel_panic})
set_tests_properties(gdb_call_gate_exit_sends_what_lretq_cannot_restore_to_iretq PROPERTIES LABELS "qemu;gdb" TIMEOUT 260)
