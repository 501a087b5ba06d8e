// SPDX-License-Identifier: MIT
// The waiting half of the ticket lock (spinlock.h), with its watchdog.
#include "core/spinlock.h"
#include "arch/x86_64/timer.h"
#include "core/panic.h"

// TSC ticks of SPIN_LOCK_PATIENCE_S seconds; before the TSC is calibrated (no CPU waits for a
// lock then, but a kernel bug might), 2^35 ticks: 5 to 30 s at 1 to 7 GHz.
static uint64_t patience_ticks(void)
{
    uint64_t hz = tsc_hz();
    return hz ? hz * SPIN_LOCK_PATIENCE_S : 1ull << 35;
}

// Waits until the lock serves `ticket`. A wait longer than SPIN_LOCK_PATIENCE_S is a kernel
// bug (a CPU took a lock it holds, or stopped with one held): a panic report names the lock
// and the tickets, and the backtrace the code that waited.
void spin_lock_wait(struct spinlock *l, uint32_t ticket)
{
    uint64_t start = rdtsc(), patience = patience_ticks();
    while (__atomic_load_n(&l->serving, __ATOMIC_ACQUIRE) != ticket) {
        __asm__ volatile("pause");
        // [mutant spinlock-watchdog: "> patience" -> "> patience && 0"]
        if (rdtsc() - start > patience)
            panic("spinlock %p: ticket %u waited %d s, the lock still serves ticket %u (next %u): its holder never "
                  "let go",
                  (void *)l, ticket, SPIN_LOCK_PATIENCE_S, __atomic_load_n(&l->serving, __ATOMIC_RELAXED),
                  __atomic_load_n(&l->next, __ATOMIC_RELAXED));
    }
}
