// SPDX-License-Identifier: MIT
// Spinlocks for the few structures the CPUs share: the frame allocator, the process table,
// the console and panic. The entry paths take none of them (docs/design.md "Sharing the
// kernel between CPUs").
//
// A ticket lock: each CPU takes a number and waits until the lock serves it, so CPUs get it in
// the order they asked and none starves under TCG's uneven scheduling of vCPU threads. The
// wait has a watchdog (spinlock.c): a lock not handed over within SPIN_LOCK_PATIENCE_S seconds
// is a kernel bug, and ends in a panic report instead of a silent hang. Taking
// a lock disables maskable interrupts on this CPU until it is released, so a timer tick can
// never find its own CPU holding a lock its handler wants. IF does not mask an NMI or a #MC,
// and a #DB can come from anywhere, so their handlers take no lock at all: what they print is
// recorded without one (exception_log.c) and printed by ordinary code under the console lock.
#ifndef LSTAR_CORE_SPINLOCK_H
#define LSTAR_CORE_SPINLOCK_H
#include <stdint.h>
#include "arch/x86_64/cr.h"

struct spinlock {
    uint32_t next;    // the next ticket to hand out
    uint32_t serving; // the ticket that holds the lock
};

#define SPINLOCK_INIT \
    {                 \
        0, 0          \
    }

// No holder keeps a lock for more than microseconds (a few frames, one console line), so a
// wait this long means a CPU will never let go.
#define SPIN_LOCK_PATIENCE_S 5

void spin_lock_wait(struct spinlock *l, uint32_t ticket);

// Takes the lock with interrupts off; returns the RFLAGS to give spin_unlock.
static inline uint64_t spin_lock(struct spinlock *l)
{
    uint64_t flags = read_rflags();
    irq_disable();
    uint32_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
    // [mutant spinlock-excludes: "!= ticket" -> "!= ticket && 0"]
    if (__atomic_load_n(&l->serving, __ATOMIC_ACQUIRE) != ticket)
        spin_lock_wait(l, ticket); // out of line: only a contended lock waits
    return flags;
}

// Releases the lock and restores the interrupt flag spin_lock found.
static inline void spin_unlock(struct spinlock *l, uint64_t flags)
{
    __atomic_store_n(&l->serving, l->serving + 1, __ATOMIC_RELEASE);
    if (flags & RFLAGS_IF)
        irq_enable();
}

#endif
