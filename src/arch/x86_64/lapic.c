// Local APIC access through its MMIO page, in xAPIC mode (SDM Vol. 3A ch. 11, 11.6 IPIs).
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/cr.h"
#include "arch/x86_64/paging.h"
#include "core/panic.h"

#define LAPIC_VA 0xffffffffc0100000ull // a kernel page above the image, mapped uncached
#define LAPIC_ID 0x20
#define LAPIC_ICR_LOW 0x300
#define LAPIC_ICR_HIGH 0x310
#define ICR_INIT (5u << 8)
#define ICR_STARTUP (6u << 8)
#define ICR_NMI (4u << 8)              // delivery mode NMI: vector field ignored (SDM Vol. 3A 11.6.1)
#define ICR_LEVEL_ASSERT (1u << 14)
#define ICR_PENDING (1u << 12)         // delivery status: the last IPI is still being sent
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)

static volatile uint32_t *lapic;

// Maps the local APIC's registers (one page, uncached: they are device registers, not memory).
void lapic_map(uint64_t phys)
{
    if (paging_map(paging_kernel_cr3(), LAPIC_VA, phys & ~(PAGE_SIZE - 1),
                   PTE_WRITABLE | PTE_NX | PTE_PCD | PTE_PWT) != 0)
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
