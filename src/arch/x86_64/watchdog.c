// SPDX-License-Identifier: MIT
// The hard-lockup watchdog, by buddies: each CPU's periodic tick counts a heartbeat of its own
// and looks at the heartbeat of the next watched CPU (its buddy). A buddy whose heartbeat has
// not moved for the threshold is running with interrupts off, or not at all: the watcher sends
// it an NMI with a per-CPU request, and the buddy's NMI handler panics with the frame it
// interrupted, so the report shows where that CPU hangs. This is the scheme of Linux's buddy
// detector (kernel/watchdog_buddy.c): no performance counter and no extra timer, only the tick
// every CPU already has and the NMI IPI (Intel SDM Vol. 3A, "Local APIC", section "Issuing
// Interprocessor Interrupts": delivery mode NMI).
//
// Never a false report, so these CPUs are not watched: one whose tick has not run yet (the
// boot CPU before kmain enables interrupts, an AP still starting or sending the NMI storm), one
// that halts for good on purpose (watchdog_park), every CPU once a panic has claimed the
// machine, and every CPU when there is no tick (timer=off). A watcher also counts its own ticks
// while its buddy's stand still and fires only after half the threshold's worth of them: if the
// whole machine stood still (QEMU not scheduled, a host suspended), the watcher stood still too.
// What stays undetected, one CPU above all: docs/design.md "Hard lockups".
#include <stdint.h>
#include "arch/x86_64/watchdog.h"
#include "arch/x86_64/cr.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/timer.h"
#include "arch/x86_64/traps.h"
#include "core/console.h"
#include "core/panic.h"

#define NO_BUDDY MAX_CPUS

// One CPU's watchdog state, on a cache line of its own: its tick writes it 100 times a second.
struct watch {
    // ---- the watched side: written by this CPU only ----
    uint64_t heartbeat;     // ticks taken (0: the tick has not run yet)
    uint64_t last_tick_tsc; // TSC at the latest tick
    bool parked;            // halts for good on purpose: nobody may take that for a hang
    // ---- written by this CPU's watcher, read by this CPU's NMI handler ----
    uint64_t hung_request; // heartbeat + 1 that the watcher saw standing still (0: none)
    unsigned requested_by; // the watcher that sent the NMI
    // ---- the watcher's side: what this CPU knows of its buddy ----
    unsigned buddy;             // NO_BUDDY until the first look
    uint64_t buddy_heartbeat;   // the buddy's heartbeat as last seen
    uint64_t still_since_tsc;   // when it was first seen at that value
    uint64_t still_since_ticks; // this CPU's heartbeat then
    bool nmi_sent;              // the request is out: wait for the panic
} __attribute__((aligned(CACHE_LINE)));

static struct watch watches[MAX_CPUS];
static unsigned threshold_s;   // watchdog=SECONDS
static uint64_t threshold_tsc; // the same in TSC ticks; 0 while the watchdog is off

// Arms the watchdog for every CPU online now (kmain, after the APs started, before the boot
// CPU's first tick); `seconds` 0 means watchdog=off; `tick` false means timer=off.
void watchdog_init(unsigned seconds, bool tick)
{
    for (unsigned c = 0; c < MAX_CPUS; c++)
        watches[c].buddy = NO_BUDDY;
    unsigned cpus = smp_online_cpus();
    if (!tick) {
        kprintf("[watchdog] off: timer=off leaves no tick to watch, so a hang with interrupts off is not "
                "detected\n");
        return;
    }
    if (seconds == 0) {
        kprintf("[watchdog] off (watchdog=off): a hang with interrupts off is not detected\n");
        return;
    }
    if (cpus < 2) {
        // Only another CPU can notice that this one's tick stopped; see docs/design.md.
        kprintf("[watchdog] one CPU: a hang with interrupts off is not detected\n");
        return;
    }
    threshold_s = seconds;
    threshold_tsc = tsc_hz() * seconds;
    kprintf("[watchdog] %u CPUs watch each other's tick: a CPU that takes none for %u s gets an NMI and "
            "panics\n",
            cpus, seconds);
}

// The next CPU after `cpu`, in a ring, whose tick runs and that is not parked; `cpu` if none.
static unsigned next_watched(unsigned cpu)
{
    unsigned online = smp_online_cpus();
    for (unsigned step = 1; step < online; step++) {
        unsigned c = (cpu + step) % online;
        if (__atomic_load_n(&watches[c].heartbeat, __ATOMIC_ACQUIRE) &&
            !__atomic_load_n(&watches[c].parked, __ATOMIC_ACQUIRE))
            return c;
    }
    return cpu;
}

// Sends the buddy the "you are hung" NMI, or, if it did not answer the first one within another
// threshold (its NMIs blocked: hung inside an NMI handler), reports it from here.
static void fire(unsigned cpu, struct watch *me, uint64_t now)
{
    unsigned buddy = me->buddy;
    struct watch *b = &watches[buddy];
    if (!me->nmi_sent) {
        b->requested_by = cpu;
        __atomic_store_n(&b->hung_request, me->buddy_heartbeat + 1, __ATOMIC_RELEASE); // before the NMI
        me->nmi_sent = true;
        me->still_since_tsc = now; // the answer gets another threshold
        // From the tick, with interrupts off, like every other IPI sender (smp.c, panic.c,
        // nmi_storm.c): so none of them is ever interrupted between its two ICR writes.
        lapic_send_nmi((uint8_t)percpu_areas[buddy].apic_id);
        return;
    }
    panic("hard lockup: cpu%u has taken no timer tick for more than %u s and did not answer the watchdog's NMI "
          "(seen by cpu%u)",
          buddy, 2 * threshold_s, cpu);
}

// This CPU's periodic tick (cpu0: the PIT; the others: the local APIC timer): counts a
// heartbeat, then checks that the buddy's heartbeat has moved within the threshold.
void watchdog_tick(unsigned cpu)
{
    struct watch *me = &watches[cpu];
    uint64_t now = rdtsc();
    __atomic_store_n(&me->last_tick_tsc, now, __ATOMIC_RELAXED);
    __atomic_store_n(&me->heartbeat, me->heartbeat + 1, __ATOMIC_RELEASE);
    // [mutant watchdog-check: "!threshold_tsc" -> "1"]
    if (!threshold_tsc || panic_on_other_cpu(cpu))
        return; // off, or a panic is stopping every CPU: their ticks stop for a reason
    unsigned buddy = next_watched(cpu);
    if (buddy == cpu) {
        me->buddy = NO_BUDDY; // alone among the watched: nobody to look at
        return;
    }
    uint64_t beat = __atomic_load_n(&watches[buddy].heartbeat, __ATOMIC_ACQUIRE);
    if (buddy != me->buddy || beat != me->buddy_heartbeat) { // a new buddy, or its tick ran
        me->buddy = buddy;
        me->buddy_heartbeat = beat;
        me->still_since_tsc = now;
        me->still_since_ticks = me->heartbeat;
        me->nmi_sent = false;
        return;
    }
    // Standing still for the threshold by the TSC, and for half of it by this CPU's own ticks:
    // this CPU ran meanwhile, so its buddy had the host's time to tick too.
    if (now - me->still_since_tsc >= threshold_tsc &&
        me->heartbeat - me->still_since_ticks >= (uint64_t)threshold_s * TIMER_HZ / 2)
        fire(cpu, me, now);
}

// Takes this CPU out of the watch for good, before it halts on purpose with interrupts off.
void watchdog_park(unsigned cpu) { __atomic_store_n(&watches[cpu].parked, true, __ATOMIC_RELEASE); }

// The NMI handler's first call: panics if this NMI is the watchdog's and this CPU really is
// hung, else returns at once. Lock-free up to the panic (nmi.c), which may print: panic.c
// breaks the console's lock for its report.
void watchdog_nmi(const struct trap_frame *tf)
{
    unsigned cpu = (unsigned)this_cpu()->cpu;
    struct watch *me = &watches[cpu];
    // [mutant watchdog-nmi: "if (!" -> "if (1 || !"]
    if (!__atomic_load_n(&me->hung_request, __ATOMIC_ACQUIRE))
        return; // the common case: an NMI of some other source
    uint64_t request = __atomic_exchange_n(&me->hung_request, 0, __ATOMIC_ACQ_REL);
    // A tick since the request, or a park, means the watcher saw a CPU that was about to move
    // on: no hang. A panic elsewhere is stopping this CPU: nmi_handle does that next.
    if (request == 0 || __atomic_load_n(&me->heartbeat, __ATOMIC_ACQUIRE) + 1 != request ||
        __atomic_load_n(&me->parked, __ATOMIC_ACQUIRE) || panic_on_other_cpu(cpu))
        return;
    uint64_t still = rdtsc() - __atomic_load_n(&me->last_tick_tsc, __ATOMIC_RELAXED);
    uint64_t tenths = tsc_to_ns(still) / 100000000u;
    panic_with_frame(tf,
                     "hard lockup: cpu%u has taken no timer tick for %llu.%llu s, interrupts %s (cpu%u's watchdog "
                     "sent this NMI)",
                     cpu, (unsigned long long)(tenths / 10), (unsigned long long)(tenths % 10),
                     (tf->rflags & RFLAGS_IF) ? "on" : "off", me->requested_by);
}
