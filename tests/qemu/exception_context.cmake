# SPDX-License-Identifier: MIT
# Exception context never waits (docs/design.md "Exception context"): NMI, #MC and #DB handlers
# can land on a CPU that holds the console lock or is queued for it, so they record what they
# print and ordinary code prints it. A ring-3 printer (crash:print: 200-byte lines for 3 s) keeps
# a CPU in the console most of the time. Included from tests/qemu/CMakeLists.txt, which sets
# ${inject}, ${qemu_run}, ${iso} and ${logs}.
#
# Each machine-check test boots five times (tests/qemu/boots-in-a-row.sh): the race is where
# the #MC lands. With the #MC handler printing through the console lock (before exception_log.c),
# the broadcast test failed 5 boots of 5 on its PANIC (the spinlock watchdog, from
# machine_check_handle -> kprintf), and the other 5 of 5: its first #MC never finished, so the
# second found MCIP set and QEMU reset the machine (recorded with commit de887271 on 2026-12-07;
# docs/testing.md).
set(boots ${CMAKE_CURRENT_SOURCE_DIR}/boots-in-a-row.sh)
# The SRAO of machine_check_srao_in_ring3_stops_the_program (MCACOD 0xc0, VAL UC EN MISCV ADDRV
# S, AR=0; RIPV=1 EIPV=0): at most one program pays for it.
set(srao "0 3 0xbd000000000000c0 0x5 0x2345000 0x86")

# `mce -b`: cpu0 gets the SRAO, cpu1 (printing) the spurious log QEMU gives the other CPUs; both
# report and resume or stop, and neither may wait. cpu0's crash:spin is stopped (or, if the #MC
# found it in the tick, stopped later by limit=), so the run ends with exit 35.
add_test(NAME machine_check_broadcast_while_a_cpu_prints_never_waits
  COMMAND bash ${boots} --boots 5 --log ${logs}/machine_check_broadcast_while_a_cpu_prints_never_waits.log --
          bash ${inject} --run ${qemu_run} --log {log}
          --after [=[^\[cpu1\] \[proc\] started 'crash' \(pid [0-9]+, parent [0-9]+\) args 'print'$]=]
          --command "mce -b ${srao}" --
          --iso ${iso} --accel tcg --timeout 60 --smp 2
          --cmdline "run=crash:spin@0,crash:print@1 ktest=off limit=4"
          --expect-exit 35
          --reject ${kernel_panic}
          --expect [=[^\[cpu0\] \[mce\] cpu0 verdict: (stop the program|resume at)]=]
          --expect [=[^\[cpu1\] \[mce\] cpu1 verdict: resume at RIP=[0-9a-f]{16} \(ring [03]\): nothing uncorrected]=]
          --expect [=[^\[cpu1\] \[boot\] cpu1: init ended with status 0$]=])

# `mce 0`: only cpu0 takes the #MC, while both CPUs print; three of them, 0.5 s apart. In ring 3
# the SRAO stops the program it lands in (a printer, or cpu0's init), in ring 0 the kernel
# resumes: either is right, so exit 33 or 35, but every #MC has its verdict and none a panic.
add_test(NAME machine_check_while_every_cpu_prints_never_waits
  COMMAND bash ${boots} --boots 5 --log ${logs}/machine_check_while_every_cpu_prints_never_waits.log --
          bash ${inject} --run ${qemu_run} --log {log}
          --after [=[^\[cpu0\] \[proc\] started 'crash' \(pid [0-9]+, parent [0-9]+\) args 'print'$]=]
          --count 3 --every 0.5 --command "mce ${srao}"
          --expect-count 3 [=[^\[cpu0\] \[mce\] cpu0 verdict: (stop the program: SRAO|resume at RIP=[0-9a-f]{16} \(ring 0\): SRAO)]=] --
          --iso ${iso} --accel tcg --timeout 60 --smp 2
          --cmdline "run=crash:print@0,crash:print@1 ktest=off"
          --expect-exit 33,35
          --reject ${kernel_panic}
          --expect [=[^\[cpu1\] \[boot\] cpu1: init ended with status 0$]=])

# NMIs from the monitor every 10 ms while both CPUs print: every NMI counted on its IST stack,
# no panic, no line broken by another (a [cpuN] tag inside a line).
add_test(NAME nmis_while_every_cpu_prints_never_wait
  COMMAND bash ${inject} --run ${qemu_run} --log ${logs}/nmis_while_every_cpu_prints_never_wait.log
          --after [=[^\[cpu1\] \[proc\] started 'crash' \(pid [0-9]+, parent [0-9]+\) args 'print'$]=]
          --command nmi --every 0.01 --count 0 --
          --iso ${iso} --accel tcg --timeout 60 --smp 2
          --cmdline "run=crash:print@0,crash:print@1 ktest=off"
          --reject ${kernel_panic}
          --reject [=[^.+\[cpu[0-9]\] ]=]
          --expect [=[^\[nmi\] cpu0 total: [1-9][0-9]* NMIs on the IST stack]=]
          --expect [=[^\[nmi\] cpu1 total: [1-9][0-9]* NMIs on the IST stack]=]
          --expect [=[^\[boot\] done: success$]=])

set_tests_properties(machine_check_broadcast_while_a_cpu_prints_never_waits
                     machine_check_while_every_cpu_prints_never_waits
                     PROPERTIES LABELS qemu TIMEOUT 400)
set_tests_properties(nmis_while_every_cpu_prints_never_wait PROPERTIES LABELS qemu TIMEOUT 90)
