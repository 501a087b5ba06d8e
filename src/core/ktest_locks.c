// SPDX-License-Identifier: MIT
// The self-check of the locks every CPU shares: all online CPUs hammer the frame allocator and a
// spinlock-guarded counter at the same moment.
//
// A lock that is missing or does not exclude shows only when two CPUs really meet inside it,
// which an ordinary boot leaves to chance. Here every CPU waits at a start line until all have
// arrived, then each takes frames in batches, stamps every frame with its CPU and round, checks
// that the stamps are still its own, and gives the frames back; between batches it adds one to a
// counter through a plain read and write under a spinlock of its own. Afterwards:
//   - a frame handed to two CPUs at once shows as another CPU's stamp (or, when both give it
//     back, as frame_put's "not an allocated frame" panic);
//   - an allocator update lost between two CPUs shows as a free count that differs from the
//     one before;
//   - a spinlock that lets two CPUs in shows as a counter short of CPUs x rounds.
// With one CPU online the same rounds run on cpu0 alone: the check is the same at every boot,
// and proves the exclusion only with -smp 2 or more (docs/testing.md says which tests boot so).
#include <stdbool.h>
#include <stdint.h>
#include "arch/x86_64/cr.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/stacks.h"
#include "arch/x86_64/timer.h"
#include "core/console.h"
#include "core/format.h"
#include "core/ktest.h"
#include "core/panic.h"
#include "core/physmem.h"
#include "core/spinlock.h"

#define LOCK_CHECK_MS 250 // how long the CPUs hammer: under TCG, thousands of meetings
// ...or until cpu0 has done this many rounds: an emulator's clock can run far behind the wall
// clock (Bochs's TSC follows emulated instructions: its 250 ms once took 24 s of wall time)
#define LOCK_CHECK_MAX_ROUNDS 10000
#define LOCK_BATCH 8 // frames held at once by one CPU

static unsigned cpus;                     // how many CPUs take part
static volatile unsigned arrived;         // CPUs at the start line
static volatile bool time_is_up;          // set by cpu0 after LOCK_CHECK_MS
static uint32_t foreign_stamps[MAX_CPUS]; // each CPU writes only its own entries
static uint32_t rounds_done[MAX_CPUS];

static struct spinlock counter_lock = SPINLOCK_INIT;
static volatile uint64_t counter; // read, then written, under counter_lock only

// What CPU `cpu` writes into the i-th frame of its batch in round `round`.
static uint64_t stamp(unsigned cpu, unsigned round, unsigned i)
{
    return 0x6c6f636b00000000ull | (uint64_t)cpu << 24 | (uint64_t)round << 8 | i;
}

// Waits until every CPU taking part has arrived, so that all of them start at once. A CPU that
// never arrives is a kernel bug: a panic report, not a hang.
static void start_line(unsigned cpu)
{
    __atomic_fetch_add(&arrived, 1, __ATOMIC_SEQ_CST);
    // An idle AP looks for work at its next tick (10 ms); ten seconds leave room for a host that
    // gives a vCPU thread no core for a while.
    uint64_t give_up = rdtsc() + 10 * tsc_hz();
    while (__atomic_load_n(&arrived, __ATOMIC_SEQ_CST) < cpus) {
        if (rdtsc() > give_up)
            panic("lock check: cpu%u waited 10 s at the start line, %u of %u CPUs came", cpu, arrived, cpus);
        __asm__ volatile("pause");
    }
}

// One CPU's share: batches of frames, and one counter step after each, until cpu0 says stop.
// Rounds, not a fixed count, are what a time limit bounds: with four vCPUs on two host cores a
// ticket lock waits whenever the CPU whose turn it is has no host core, so a CPU's rounds per
// second vary by a factor of fifty between -smp 2 and -smp 4.
static void hammer(unsigned cpu)
{
    start_line(cpu);
    uint64_t stop_at = rdtsc() + tsc_hz() / 1000 * LOCK_CHECK_MS; // cpu0's clock decides
    unsigned round = 0;
    for (; !__atomic_load_n(&time_is_up, __ATOMIC_RELAXED); round++) {
        uint64_t frames[LOCK_BATCH];
        for (unsigned i = 0; i < LOCK_BATCH; i++) {
            frames[i] = frame_get();
            *(volatile uint64_t *)phys_to_virt(frames[i]) = stamp(cpu, round, i);
        }
        for (unsigned i = 0; i < LOCK_BATCH; i++)
            if (*(volatile uint64_t *)phys_to_virt(frames[i]) != stamp(cpu, round, i))
                foreign_stamps[cpu]++;
        for (unsigned i = 0; i < LOCK_BATCH; i++)
            frame_put(frames[i]);

        uint64_t flags = spin_lock(&counter_lock);
        uint64_t seen = counter;
        __asm__ volatile("pause"); // widen the window a second CPU inside the lock would hit
        counter = seen + 1;
        spin_unlock(&counter_lock, flags);
        if (cpu == 0 && (rdtsc() > stop_at || round + 1 == LOCK_CHECK_MAX_ROUNDS))
            __atomic_store_n(&time_is_up, true, __ATOMIC_RELAXED);
    }
    rounds_done[cpu] = round;
}

// Runs the rounds on every online CPU at once and checks what they left behind.
void ktest_locks(void)
{
    cpus = smp_online_cpus();
    arrived = 0;
    time_is_up = false;
    counter = 0;
    for (unsigned cpu = 0; cpu < cpus; cpu++)
        foreign_stamps[cpu] = rounds_done[cpu] = 0;
    uint64_t free_before = frames_free();
    uint64_t hint_before = physmem_allocator()->hint;
    uint64_t t0 = rdtsc();

    for (unsigned cpu = 1; cpu < cpus; cpu++)
        smp_call(cpu, hammer);
    hammer(0);
    for (unsigned cpu = 1; cpu < cpus; cpu++)
        smp_wait(cpu);
    uint64_t ms = (rdtsc() - t0) / (tsc_hz() / 1000);

    uint32_t foreign = 0;
    uint64_t expected = 0; // every round adds one to the counter
    for (unsigned cpu = 0; cpu < cpus; cpu++) {
        foreign += foreign_stamps[cpu];
        expected += rounds_done[cpu];
    }
    uint64_t free_after = frames_free();
    // Every frame is back, so putting the search hint back leaves the allocator as it was: what
    // the boot allocates next (page tables, CR3 values the docs quote) does not depend on how
    // many rounds this host's timing allowed. The other CPUs are waiting again: no lock needed.
    physmem_allocator()->hint = hint_before;
    char detail[128];
    format_buf(detail, sizeof detail,
               "%u CPU(s): %u frame(s) held by two CPUs, free frames %llu -> %llu, counter %llu of %llu", cpus, foreign,
               (unsigned long long)free_before, (unsigned long long)free_after, (unsigned long long)counter,
               (unsigned long long)expected);
    kprintf("[ktest] lock check: %u CPU(s), %llu rounds of %u frames in %llu ms\n", cpus, (unsigned long long)expected,
            LOCK_BATCH, (unsigned long long)ms);
    ktest_check(foreign == 0 && free_after == free_before && counter == expected,
                "frames_and_spinlocks_hold_with_every_cpu_at_once", detail);
}
