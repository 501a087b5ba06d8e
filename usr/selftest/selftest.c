// SPDX-License-Identifier: MIT
// selftest: the ring-3 correctness suite for both system-call entries.
//
// Prints one `[selftest] PASS name` or `[selftest] FAIL name: detail` line per test, then
// `selftest: N passed, M failed` as the very last line; the exit status is min(M, 255). Just
// before the summary, for information only, the cost of one null round trip through each entry
// (measured with the benchmark's loops, bench/bench_loops.asm).
#include <stdint.h>

#include "bench/bench_loops.h"
#include "core/string.h"
#include "libc/stdio.h"
#include "libc/stdlib.h"
#include "libc/syscall.h"
#include "selftest/check.h"
#include "selftest/suites.h"

#define TIMING_BATCHES 20
#define TIMING_CALLS 1000

// Smallest of TIMING_BATCHES timings of a null-call batch through e (the timer alone if !calls).
static uint64_t min_batch_ticks(enum lstar_entry e, uint64_t calls)
{
    uint64_t best = UINT64_MAX;
    for (unsigned i = 0; i < TIMING_BATCHES; i++) {
        uint64_t ticks;
        if (calls == 0)
            ticks = bench_batch_empty();
        else if (e == ENTRY_INT80)
            ticks = bench_batch_int80(calls, SYS_null, 0, 0, 0);
        else
            ticks = bench_batch_syscall(calls, SYS_null, 0, 0, 0);
        if (ticks < best)
            best = ticks;
    }
    return best;
}

// Ticks per call, times 100, with the timer's own cost taken out.
static uint64_t per_call_x100(uint64_t batch, uint64_t timer)
{
    uint64_t net = batch > timer ? batch - timer : 0;
    return net * 100 / TIMING_CALLS;
}

// Print the null round-trip cost of each entry. Under QEMU -icount shift=0 the TSC counts
// guest instructions, so the figures are exact instruction counts there.
static void print_round_trip_cost(void)
{
    bench_detect_rdtscp();
    uint64_t timer = min_batch_ticks(ENTRY_SYSCALL, 0);
    uint64_t sc = per_call_x100(min_batch_ticks(ENTRY_SYSCALL, TIMING_CALLS), timer);
    uint64_t i80 = per_call_x100(min_batch_ticks(ENTRY_INT80, TIMING_CALLS), timer);
    printf("[selftest] null round trip: syscall=%lu.%02lu int80=%lu.%02lu tsc ticks per call "
           "(= guest instructions under -icount shift=0)\n",
           sc / 100, sc % 100, i80 / 100, i80 % 100);
}

// Run every group and the timing (the arguments say what the CPU model under test does with the
// legacy entries: spawn_tests_take_argument), print the summary, exit with the number of failures.
int main(int argc, char **argv)
{
    if (argc > 0 && strcmp(argv[0], XSTATE_CHILD_ARG) == 0)
        return xstate_child_main(argc, argv); // spawned by run_xstate_tests as its child
    printf("[selftest] ring-3 suite, pid %ld\n", sys_getpid());
    for (int i = 0; i < argc; i++)
        if (!spawn_tests_take_argument(argv[i]))
            check_fail("arguments_are_understood", "unknown argument '%s'", argv[i]);
    run_call_tests();
    run_entry_tests();
    run_sysenter_tests();
    run_spawn_tests();
    run_xstate_tests();
    run_callgate_tests();
    run_compat_tests();
    print_round_trip_cost();
    unsigned failed = check_failed();
    printf("selftest: %u passed, %u failed\n", check_passed(), failed);
    return failed > 255 ? 255 : (int)failed;
}
