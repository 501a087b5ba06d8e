# SPDX-License-Identifier: MIT
# The hard-lockup watchdog (src/arch/x86_64/watchdog.c, docs/design.md "Hard lockups"): a CPU
# whose tick stands still for watchdog=SECONDS (default 10) gets an NMI from the CPU that
# watches it and panics with its own registers and backtrace. Included from CMakeLists.txt.
set(expect_within ${CMAKE_CURRENT_SOURCE_DIR}/expect-within.sh)

# lstar_report_within_test(NAME WITHIN SEC QEMU_RUN_ARGS... [EXPECT REGEX...]): boot with
# expect-within.sh, so a report that never comes fails as that missing line, named, not only as
# "guest hung"; the run must end with the panic exit code within SEC seconds.
function(lstar_report_within_test name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "WITHIN" "EXPECT")
  set(expects)
  foreach(re IN LISTS arg_EXPECT)
    list(APPEND expects --expect "${re}")
  endforeach()
  add_test(NAME ${name}
           COMMAND bash ${expect_within} --run ${qemu_run} --log ${logs}/${name}.log --within ${arg_WITHIN}
                   ${expects} -- --iso ${iso} --accel tcg --expect-exit 37 ${arg_UNPARSED_ARGUMENTS})
  math(EXPR ctest_timeout "${arg_WITHIN} + 30")
  set_tests_properties(${name} PROPERTIES LABELS qemu TIMEOUT ${ctest_timeout})
endfunction()

# cpu1 halts with interrupts off (crash=hang@1) while cpu0 keeps its PIT tick: cpu0's tick sees
# cpu1's heartbeat stand still for the default 10 s and sends it the NMI; cpu1's report names the
# cause, how long its tick stood still (10 s at least, and the run must end within the test's
# time), the RIP in the hanging function and that function's caller in the backtrace. Without
# the check (mutant watchdog-check) no report comes and each line below is named missing; without
# the NMI side (mutant watchdog-nmi) only cpu0's "did not answer the watchdog's NMI" comes, and
# cpu1's own lines are missing.
lstar_report_within_test(a_hard_lockup_on_an_ap_ends_in_its_own_panic_report WITHIN 90
  --smp 2 --cmdline "run=none ktest=off crash=hang@1"
  EXPECT
    [=[^\[watchdog\] 2 CPUs watch each other's tick: a CPU that takes none for 10 s gets an NMI and panics$]=]
    [=[^\[panic\] PANIC: hard lockup: cpu1 has taken no timer tick for [12][0-9]\.[0-9] s, interrupts off \(cpu0's watchdog sent this NMI\)$]=]
    [=[^\[panic\]   RIP=[0-9a-f]{16} hang_with_interrupts_off\+0x[0-9a-f]+ CS=0010 ]=]
    [=[^\[panic\]   #0 0x[0-9a-f]+ hang_on_this_cpu\+0x[0-9a-f]+$]=]
    [=[^\[panic\] the kernel stops here \(exit code 0x12\)$]=])

# The other way round, through the option: cpu0 halts with interrupts off (crash=hang), cpu1's
# local APIC tick watches it with watchdog=3 and cpu0 panics with its own report.
lstar_report_within_test(a_hard_lockup_on_the_boot_cpu_is_caught_by_the_next_cpu WITHIN 60
  --smp 2 --cmdline "run=none ktest=off crash=hang watchdog=3"
  EXPECT
    [=[^\[watchdog\] 2 CPUs watch each other's tick: a CPU that takes none for 3 s gets an NMI and panics$]=]
    [=[^\[panic\] PANIC: hard lockup: cpu0 has taken no timer tick for ([3-9]|1[0-9])\.[0-9] s, interrupts off \(cpu1's watchdog sent this NMI\)$]=]
    [=[^\[panic\]   RIP=[0-9a-f]{16} hang_with_interrupts_off\+0x[0-9a-f]+ CS=0010 ]=]
    [=[^\[panic\]   #0 0x[0-9a-f]+ crash_if_requested\+0x[0-9a-f]+$]=])

# What the watchdog cannot do is said in the log: on one CPU nobody watches the boot CPU (the
# limit docs/design.md "Hard lockups" describes), and without a tick there is nothing to watch.
# Refused watchdog= values get a message and leave the default.
lstar_boot_test(one_cpu_says_a_hang_with_interrupts_off_is_not_detected TIMEOUT 60
  --cmdline "run=none ktest=off watchdog=0 watchdog=3601"
  --expect [=[^\[boot\] refused option 'watchdog=0': expected off or seconds, 1 to 3600$]=]
  --expect [=[^\[boot\] refused option 'watchdog=3601': expected off or seconds, 1 to 3600$]=]
  --expect [=[^\[watchdog\] one CPU: a hang with interrupts off is not detected$]=])
lstar_boot_test(without_a_tick_there_is_no_watchdog_and_the_log_says_so TIMEOUT 60
  --smp 2 --cmdline "run=none ktest=off timer=off"
  --expect [=[^\[watchdog\] off: timer=off leaves no tick to watch, so a hang with interrupts off is not detected$]=])
lstar_boot_test(watchdog_off_is_said_in_the_log TIMEOUT 60
  --smp 2 --cmdline "run=none ktest=off watchdog=off"
  --expect [=[^\[watchdog\] off \(watchdog=off\): a hang with interrupts off is not detected$]=]
  --reject [=[^\[watchdog\] [0-9]+ CPUs watch]=])

# APs with nothing to run halt for good with interrupts off (smp.c); they leave the watch first
# (watchdog_park), so cpu0, running a program that spins in ring 3 until its 3 s of ring-3 time
# are used up (limit=3: a fixed time, whatever the host's speed) with a 1 s threshold meanwhile,
# does not take its idle neighbours for hung. Without the park (mutant watchdog-park) cpu1
# panicked with "hard lockup: cpu1" (with the earlier workload of a selftest and a million calls,
# a fast host finished it before the threshold passed, and the mutant survived a run).
lstar_boot_test(parked_cpus_are_not_taken_for_hung TIMEOUT 120
  --smp 4
  --cmdline "run=crash:spin limit=3 ktest=off watchdog=1"
  --expect-exit 35
  --expect [=[^\[watchdog\] 4 CPUs watch each other's tick: a CPU that takes none for 1 s gets an NMI and panics$]=]
  --expect [=[^\[proc\] 'crash' \(pid [0-9]+\) used up its 3 s of ring-3 time \(limit=\): stopped$]=]
  --expect [=[^\[boot\] done: failure$]=]
  --reject ${kernel_panic})

# A deadlock with interrupts off is a hard lockup too, but the spinlock's own watchdog (5 s) says
# more: which lock and which tickets. On two CPUs, with the hard-lockup watchdog at its default,
# the spinlock's report must still be the one that comes.
lstar_boot_test(a_deadlock_on_two_cpus_is_still_the_spinlocks_report TIMEOUT 60
  --smp 2 --cmdline "run=none ktest=off crash=deadlock"
  --expect-exit 37
  --expect [=[^\[watchdog\] 2 CPUs watch each other's tick: a CPU that takes none for 10 s gets an NMI and panics$]=]
  --expect [=[^\[panic\] PANIC: spinlock 0x[0-9a-f]+: ticket 1 waited 5 s, the lock still serves ticket 0 \(next 2\): its holder never let go$]=]
  --reject [=[hard lockup]=])

# The same AP hang on a second CPU model: Bochs's own local APIC delivers the NMI IPI and its
# timer the ticks. bochs-run.sh fails every run that panics (exit 1, "kernel panic: <the line>"),
# so the test requires that failure with the hard-lockup report, and cpu1's backtrace line.
add_test(NAME bochs_hard_lockup_on_an_ap_ends_in_its_own_panic_report
  COMMAND bash -c [=[
    out=$("$1" --iso "$2" --cpu ryzen --smp 2 --cmdline "run=none ktest=off crash=hang@1" --timeout 60 --log "$3" 2>&1)
    status=$?
    if [ "$status" -ne 1 ]; then echo "FAIL: expected exit 1 (a kernel panic), got $status"; exit 1; fi
    case $out in
      *"[run] FAIL: kernel panic: [panic] PANIC: hard lockup: cpu1 has taken no timer tick for "*" s, interrupts off (cpu0's watchdog sent this NMI)"*) ;;
      *) echo "FAIL: no hard-lockup report of cpu1 in:"; echo "$out" | tail -n 5; exit 1 ;;
    esac
    grep -Eq '^\[panic\]   #0 0x[0-9a-f]+ hang_on_this_cpu\+0x[0-9a-f]+$' "$3" ||
      { echo "FAIL: no backtrace line naming hang_on_this_cpu"; exit 1; }
    echo "ok: cpu1's hard lockup reported by cpu1"
  ]=] bochs_hard_lockup_on_an_ap_ends_in_its_own_panic_report ${CMAKE_SOURCE_DIR}/cmake/bochs-run.sh ${iso}
    ${logs}/bochs_hard_lockup_on_an_ap_ends_in_its_own_panic_report.log)
set_tests_properties(bochs_hard_lockup_on_an_ap_ends_in_its_own_panic_report PROPERTIES LABELS bochs TIMEOUT 90)
