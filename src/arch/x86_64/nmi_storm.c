// SPDX-License-Identifier: MIT
// The NMI storm (nmistorm=N): cpu1 sends cpu0 N NMIs through its local APIC while cpu0 runs the
// ring-3 programs, and both sides count, so that every NMI is accounted for.
//
// QEMU's monitor can inject NMIs too (tests/qemu), but each `nmi` command takes tens of
// milliseconds under TCG; an IPI takes microseconds. cpu1 sends one NMI, waits until cpu0's handler
// has counted it, then waits a random few microseconds before the next: so the NMIs land at random
// instructions (ring 3, both entries, the entry windows) and never two at a time, which the CPU
// would merge into one (only one NMI is held pending; SDM Vol. 3A "Handling Multiple NMIs"). A send
// that cpu0 never counts is reported as lost. How many NMIs fit into one run of the programs
// depends on the host (the two CPUs are two host threads that must both be scheduled for each NMI):
// kmain runs the programs again while the storm lasts (nmi_storm_sending), up to a bound, and cpu0
// then waits in the kernel for whatever is left, so that every run checks all N.
#include <stdbool.h>
#include "arch/x86_64/nmi_storm.h"
#include "arch/x86_64/cr.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/timer.h"
#include "core/console.h"

#define STORM_GAP_MAX_US 64 // the longest random pause between two NMIs
#define STORM_WAIT_US \
    30000000               // how long cpu1 waits for cpu0 to count one NMI: a
                           // loaded host may not run cpu0's thread for seconds
#define STORM_FINISH_S 120 // how long cpu0 waits for the rest after the programs end

static struct {
    unsigned requested; // nmistorm=N
    volatile bool go, stop, serving, done;
    volatile uint64_t sent, lost;
    uint64_t counted_before; // cpu0's NMI count when the storm started
} storm;

// Records the request from the command line, before the APs start.
void nmi_storm_request(unsigned count) { storm.requested = count; }

// Spins for about `us` microseconds.
static void spin_us(uint64_t us)
{
    uint64_t end = rdtsc() + tsc_hz() / 1000000 * us;
    while (rdtsc() < end)
        __asm__ volatile("pause");
}

// cpu1's side: waits for nmi_storm_start, then sends until N are sent or cpu0 says stop.
void nmi_storm_serve(unsigned cpu)
{
    if (cpu != 1 || storm.requested == 0)
        return;
    storm.serving = true;
    while (!storm.go)
        __asm__ volatile("pause");
    struct percpu *target = &percpu_areas[0];
    uint64_t seed = rdtsc() | 1;
    while (storm.sent + storm.lost < storm.requested && !storm.stop) {
        uint64_t before = __atomic_load_n(&target->nmi.count, __ATOMIC_ACQUIRE);
        if (!lapic_send_nmi((uint8_t)target->apic_id)) {
            storm.lost++;
            continue;
        }
        uint64_t deadline = rdtsc() + tsc_hz() / 1000000 * STORM_WAIT_US;
        while (__atomic_load_n(&target->nmi.count, __ATOMIC_ACQUIRE) == before && rdtsc() < deadline)
            __asm__ volatile("pause");
        if (__atomic_load_n(&target->nmi.count, __ATOMIC_ACQUIRE) == before)
            storm.lost++;
        else
            storm.sent++;
        seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17; // xorshift64
        spin_us(seed % (STORM_GAP_MAX_US + 1));
    }
    storm.done = true;
}

// Tells whether cpu1 is still sending (kmain runs the programs again meanwhile).
bool nmi_storm_sending(void) { return storm.requested && storm.serving && storm.go && !storm.done; }

// Lets cpu1 start sending (kmain, just before the first program).
void nmi_storm_start(void)
{
    if (storm.requested == 0)
        return;
    storm.counted_before = __atomic_load_n(&percpu_areas[0].nmi.count, __ATOMIC_ACQUIRE);
    storm.go = true;
}

// Waits (bounded) for cpu1 to send the rest, stops it, reports; returns 1 if any NMI went
// missing or not all N could be sent, else 0.
int nmi_storm_finish(void)
{
    if (storm.requested == 0)
        return 0;
    if (!storm.serving) {
        kprintf("[nmi] storm: nmistorm=%u needs a second CPU to send from (-smp 2 or more)\n", storm.requested);
        return 1;
    }
    uint64_t during_programs = storm.sent;
    uint64_t deadline = rdtsc() + tsc_hz() * STORM_FINISH_S;
    while (!storm.done && rdtsc() < deadline)
        __asm__ volatile("pause");
    storm.stop = true;
    deadline = rdtsc() + tsc_hz() / 1000000 * (STORM_WAIT_US + 1000000); // cpu1 is one wait from done
    while (!storm.done && rdtsc() < deadline)
        __asm__ volatile("pause");
    uint64_t counted = __atomic_load_n(&percpu_areas[0].nmi.count, __ATOMIC_ACQUIRE) - storm.counted_before;
    bool ok = storm.done && storm.lost == 0 && storm.sent == storm.requested && counted == storm.sent;
    kprintf("[nmi] storm: cpu1 sent %llu of %u NMIs to cpu0 (%llu while the programs ran), cpu0 counted %llu, "
            "%llu lost: %s\n",
            (unsigned long long)storm.sent, storm.requested, (unsigned long long)during_programs,
            (unsigned long long)counted, (unsigned long long)storm.lost, ok ? "all accounted for" : "FAILED");
    return ok ? 0 : 1;
}
