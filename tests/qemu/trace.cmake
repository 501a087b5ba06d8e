# SPDX-License-Identifier: MIT
# The system-call tracer (trace= option; src/syscall/syscall_trace.c, docs/debugging.md "Tracing
# a program's system calls"): a traced program's calls, through both entries, each as one kernel
# line, then its summary; untraced programs print none. Included from CMakeLists.txt.
set(trace_lines ${CMAKE_CURRENT_SOURCE_DIR}/trace-lines.sh)

# trace-lines.sh puts the traced process's pid for {pid}. A summary row's mean time is TSC ticks,
# then nanoseconds ("-" when the frequency is unknown): any number.
#
# crash:calls makes a fixed sequence of calls (usr/crash/crash.c): getargs (its libc's start),
# write to the console, write to a bad fd, getpid and a number no handler serves through each
# entry, then exit. The lines must be exactly these, in this order: the entry each call came
# through, its name, its arguments, its result with the errno's name, `= ?` for exit, then the
# summary by call number with the errors counted. init is not traced and must print none.
add_test(NAME trace_shows_each_call_through_both_entries_and_a_summary
  COMMAND bash ${trace_lines} --run ${qemu_run} --log ${logs}/trace_shows_each_call_through_both_entries_and_a_summary.log
    --program crash
    --line [=[\[trace\] crash\[{pid}\] cpu0 syscall getargs\(0x[0-9a-f]+, 1024\) = 5]=]
    --line [=[\[trace\] crash\[{pid}\] cpu0 syscall write\(1, 0x[0-9a-f]+, 13\) = 13]=]
    --line [=[\[trace\] crash\[{pid}\] cpu0 syscall write\(9, 0x[0-9a-f]+, 1\) = -9 EBADF]=]
    --line [=[\[trace\] crash\[{pid}\] cpu0 syscall getpid\(\) = {pid}]=]
    --line [=[\[trace\] crash\[{pid}\] cpu0 int 0x80 getpid\(\) = {pid}]=]
    --line [=[\[trace\] crash\[{pid}\] cpu0 syscall 0x1234abcd\(\.\.\.\) = -38 ENOSYS]=]
    --line [=[\[trace\] crash\[{pid}\] cpu0 int 0x80 0x1234abcd\(\.\.\.\) = -38 ENOSYS]=]
    --line [=[\[trace\] crash\[{pid}\] cpu0 syscall exit\(0\) = \?]=]
    --line [=[\[trace\] crash\[{pid}\] summary of its system calls:]=]
    --line [=[\[trace\] crash\[{pid}\] +calls +errors +ticks/call +ns/call  syscall]=]
    --line [=[\[trace\] crash\[{pid}\] +1 +0 +- +-  exit]=]
    --line [=[\[trace\] crash\[{pid}\] +2 +1 +[0-9]+ +([0-9]+|-)  write]=]
    --line [=[\[trace\] crash\[{pid}\] +2 +0 +[0-9]+ +([0-9]+|-)  getpid]=]
    --line [=[\[trace\] crash\[{pid}\] +1 +0 +[0-9]+ +([0-9]+|-)  getargs]=]
    --line [=[\[trace\] crash\[{pid}\] +2 +2 +[0-9]+ +([0-9]+|-)  \(no such call\)]=]
    --line [=[\[trace\] crash\[{pid}\] +8 +3 +[0-9]+ +([0-9]+|-)  total]=]
    -- --iso ${iso} --accel tcg --timeout 120 --cmdline "run=crash:calls ktest=off trace=crash"
    --expect [=[^\[boot\] tracing the system calls of 'crash'$]=]
    --expect [=[^crash\[[0-9]+\]: calls: hello$]=]
    --expect ${crash_exited_0}
    --reject [=[^(\[cpu[0-9]\] )?\[trace\] init\[[0-9]+\]]=]
    --reject ${kernel_panic})
set_tests_properties(trace_shows_each_call_through_both_entries_and_a_summary PROPERTIES LABELS qemu TIMEOUT 150)

# The whole self-test suite through the slow path (trace=selftest): every register check, both
# entries and every exit check of docs/msr.md must hold for traced calls as they do untraced,
# and the suite's summary comes out with its calls through int 0x80 traced too. The programs it
# spawns under other names (crash) and init are not traced: no [trace] line of theirs.
lstar_boot_test(selftest_passes_traced_and_untraced_programs_print_no_trace_line TIMEOUT 240
  --cmdline "run=selftest ktest=off trace=selftest"
  ${selftest_passes}
  --expect [=[^\[trace\] selftest\[[0-9]+\] cpu0 syscall null\(\) = 0$]=]
  --expect [=[^\[trace\] selftest\[[0-9]+\] cpu0 int 0x80 null\(\) = 0$]=]
  --expect [=[^\[trace\] selftest\[[0-9]+\] +[1-9][0-9]* +[0-9]+ +[0-9]+ +([0-9]+|-)  total$]=]
  --reject [=[^(\[cpu[0-9]\] )?\[trace\] (init|crash)\[[0-9]+\]]=]
  --reject ${kernel_panic})
