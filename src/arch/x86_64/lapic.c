// SPDX-License-Identifier: MIT
// Local APIC access through its MMIO page, in xAPIC mode (SDM Vol. 3A "Advanced Programmable
// Interrupt Controller (APIC)"; IPIs: "Issuing Interprocessor Interrupts"), and its timer: the
// periodic tick of every CPU but the boot CPU, which keeps the PIT (timer.c).
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/cr.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/timer.h"
#include "core/panic.h"

#define LAPIC_VA 0xffffffffc0100000ull // a kernel page above the image, mapped uncached
#define LAPIC_ID 0x20
#define LAPIC_ICR_LOW 0x300
#define LAPIC_ICR_HIGH 0x310
#define ICR_INIT (5u << 8)
#define ICR_STARTUP (6u << 8)
#define ICR_NMI (4u << 8) // delivery mode NMI: vector field ignored (SDM Vol. 3A "Interrupt Command Register (ICR)")
#define ICR_LEVEL_ASSERT (1u << 14)
#define ICR_PENDING (1u << 12)      // delivery status: the last IPI is still being sent
#define ICR_ALL_BUT_SELF (3u << 18) // destination shorthand: every CPU but the sender
#define LAPIC_EOI 0xb0
#define LAPIC_SVR 0xf0       // spurious-interrupt vector register (SDM Vol. 3A "Spurious Interrupt")
#define SVR_ENABLE (1u << 8) // APIC software enable: without it the timer stays masked
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT1 0x360
#define LVT_DELIVERY_NMI (4u << 8) // delivery mode 100b: the pin raises an NMI
#define LVT_PERIODIC (1u << 17)    // timer mode bits 18:17 = 01 (SDM Vol. 3A "APIC Timer")
#define LVT_MASKED (1u << 16)
#define LAPIC_TIMER_INITIAL 0x380
#define LAPIC_TIMER_CURRENT 0x390
#define LAPIC_TIMER_DIVIDE 0x3e0
#define DIVIDE_BY_16 0x3 // divide configuration encoding 0011b
#define CALIBRATE_MS 10
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)

static volatile uint32_t *lapic;
static uint32_t timer_counts_per_s; // the timer's rate after the divider, measured once

// Maps the local APIC's registers (one page, uncached: they are device registers, not memory).
void lapic_map(uint64_t phys)
{
    if (paging_map(paging_kernel_cr3(), LAPIC_VA, phys & ~(PAGE_SIZE - 1), PTE_WRITABLE | PTE_NX | PTE_PCD | PTE_PWT) !=
        0)
        panic("local APIC page already mapped");
    lapic = (volatile uint32_t *)(LAPIC_VA + (phys & (PAGE_SIZE - 1)));
}

// Reads a register.
static uint32_t lapic_read(uint32_t reg) { return lapic[reg / 4]; }

// Writes a register.
static void lapic_write(uint32_t reg, uint32_t value) { lapic[reg / 4] = value; }

// Returns this CPU's local APIC ID.
uint8_t lapic_id(void) { return (uint8_t)(lapic_read(LAPIC_ID) >> 24); }

// Sends one IPI and waits (bounded) until the APIC has delivered it.
static bool lapic_send(uint8_t apic_id, uint32_t command)
{
    lapic_write(LAPIC_ICR_HIGH, (uint32_t)apic_id << 24);
    lapic_write(LAPIC_ICR_LOW, command); // writing the low half sends it
    for (uint64_t t0 = rdtsc(); lapic_read(LAPIC_ICR_LOW) & ICR_PENDING;)
        if (rdtsc() - t0 > 1000000000ull)
            return false;
    return true;
}

// INIT: the target CPU resets and waits for a STARTUP IPI.
bool lapic_send_init(uint8_t apic_id) { return lapic_send(apic_id, ICR_INIT | ICR_LEVEL_ASSERT); }

// STARTUP: the target starts in real mode at trampoline_phys (page-aligned, below 1 MiB).
bool lapic_send_startup(uint8_t apic_id, uint64_t trampoline_phys)
{
    return lapic_send(apic_id, ICR_STARTUP | (uint32_t)(trampoline_phys >> 12));
}

// NMI: the target takes vector 2 at once, whatever its IF (the NMI storm, nmi_storm.c).
bool lapic_send_nmi(uint8_t apic_id) { return lapic_send(apic_id, ICR_NMI | ICR_LEVEL_ASSERT); }

// NMI to every other CPU at once (a panic stops them: panic.c).
bool lapic_send_nmi_all_others(void)
{
    if (!lapic)
        return false;
    return lapic_send(0, ICR_NMI | ICR_LEVEL_ASSERT | ICR_ALL_BUT_SELF);
}

// Signals the end of an interrupt the local APIC delivered (its timer).
void lapic_eoi(void) { lapic_write(LAPIC_EOI, 0); }

// Software-enables this CPU's local APIC with `spurious` as its spurious vector, then starts its
// timer as a `hz` periodic tick on `vector`. The timer counts the bus clock, whose rate the
// SDM leaves to the platform, so the first caller measures it against the TSC (tsc_hz) and
// every CPU uses that: they share one bus clock.
void lapic_timer_start(uint8_t vector, uint8_t spurious, unsigned hz)
{
    lapic_write(LAPIC_SVR, SVR_ENABLE | spurious);
    lapic_write(LAPIC_TIMER_DIVIDE, DIVIDE_BY_16);
    if (!timer_counts_per_s) {
        lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | vector); // one-shot, masked: count only
        lapic_write(LAPIC_TIMER_INITIAL, 0xffffffffu);
        uint64_t end = rdtsc() + tsc_hz() / 1000 * CALIBRATE_MS;
        while (rdtsc() < end)
            __asm__ volatile("pause");
        uint32_t elapsed = 0xffffffffu - lapic_read(LAPIC_TIMER_CURRENT);
        timer_counts_per_s = elapsed * (1000 / CALIBRATE_MS);
    }
    lapic_write(LAPIC_LVT_TIMER, LVT_PERIODIC | vector);
    lapic_write(LAPIC_TIMER_INITIAL, timer_counts_per_s / hz ? timer_counts_per_s / hz : 1);
}

// Lets this CPU take an NMI raised on its LINT1 pin. Firmware wires LINT1 as NMI on the boot CPU
// only ("virtual wire" mode, MP spec 3.6.2.2); after INIT every LVT entry of the others is masked
// (SDM Vol. 3A "Local APIC State After Power-Up or Reset", "Local APIC State After an INIT Reset";
// LVT layout: "Local Vector Table"). QEMU's monitor `nmi` reaches every CPU through that pin.
void lapic_lint1_nmi(void) { lapic_write(LAPIC_LVT_LINT1, LVT_DELIVERY_NMI); }
