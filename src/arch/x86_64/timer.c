// SPDX-License-Identifier: MIT
// PIT channel 0 as a 100 Hz tick; the TSC's frequency from CPUID or measured against the PIT.
#include "arch/x86_64/timer.h"
#include "arch/x86_64/cpuid.h"
#include "arch/x86_64/cr.h"
#include "arch/x86_64/io.h"

#define PIT_HZ 1193182u
#define PIT_CH0 0x40
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PIT_GATE 0x61      // bit 0: channel 2 gate; bit 5: channel 2 output
#define PIT_MEASUREMENTS 5 // of 10 ms each, when CPUID does not give the TSC's frequency

static uint64_t tsc_frequency;
static uint64_t ns_mult; // ns = ticks * ns_mult >> 32
static const char *tsc_from = "none";

// Starts channel 0 as a rate generator at TIMER_HZ (IRQ0).
void timer_init(void)
{
    uint16_t divisor = PIT_HZ / TIMER_HZ;
    outb(PIT_CMD, 0x34); // channel 0, lobyte/hibyte, mode 2 (rate generator)
    outb(PIT_CH0, (uint8_t)divisor);
    outb(PIT_CH0, (uint8_t)(divisor >> 8));
}

// Counts TSC ticks across 10 ms of PIT channel 2 (one-shot, polled through port 0x61).
static uint64_t tsc_measure_against_pit(void)
{
    uint16_t count = PIT_HZ / 100;
    outb(PIT_GATE, (uint8_t)((inb(PIT_GATE) & ~0x02) | 0x01)); // gate on, speaker off
    outb(PIT_CMD, 0xb0);                                       // channel 2, mode 0
    outb(PIT_CH2, (uint8_t)count);
    outb(PIT_CH2, (uint8_t)(count >> 8));
    uint64_t start = rdtsc();
    for (uint64_t spin = 0; !(inb(PIT_GATE) & 0x20) && spin < 100000000ull; spin++)
        ;
    return (rdtsc() - start) * 100;
}

// Finds the TSC frequency: CPUID 0x15 (crystal ratio), then 0x16 (base MHz), else the PIT.
void tsc_calibrate(void)
{
    uint32_t max_leaf = cpuid(CPUID_LEAF_BASIC, 0).eax;
    if (max_leaf >= CPUID_LEAF_TSC) {
        struct cpuid_regs r = cpuid(CPUID_LEAF_TSC, 0);
        if (r.eax && r.ebx && r.ecx) {
            tsc_frequency = (uint64_t)r.ecx * r.ebx / r.eax;
            tsc_from = "cpuid15";
        }
    }
    if (!tsc_frequency && max_leaf >= CPUID_LEAF_FREQUENCY) {
        uint32_t mhz = cpuid(CPUID_LEAF_FREQUENCY, 0).eax & 0xffff;
        if (mhz) {
            tsc_frequency = (uint64_t)mhz * 1000000u;
            tsc_from = "cpuid16";
        }
    }
    if (!tsc_frequency) {
        // A poll that sees the PIT's edge late (a host that did not run this vCPU just then)
        // only ever adds TSC ticks, so the smallest of a few measurements is the best one.
        for (int i = 0; i < PIT_MEASUREMENTS; i++) {
            uint64_t hz = tsc_measure_against_pit();
            if (hz && (!tsc_frequency || hz < tsc_frequency))
                tsc_frequency = hz;
        }
        tsc_from = "pit";
    }
    if (!tsc_frequency)
        tsc_frequency = 1000000000u; // a PIT that never fired: keep ns meaningful-ish, say so
    ns_mult = (uint64_t)(((unsigned __int128)1000000000u << 32) / tsc_frequency);
}

// Returns the TSC frequency in Hz.
uint64_t tsc_hz(void) { return tsc_frequency; }

// Returns where the frequency came from: "cpuid15", "cpuid16" or "pit".
const char *tsc_source(void) { return tsc_from; }

// Converts TSC ticks to nanoseconds.
uint64_t tsc_to_ns(uint64_t ticks) { return (uint64_t)(((unsigned __int128)ticks * ns_mult) >> 32); }
