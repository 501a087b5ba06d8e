// SPDX-License-Identifier: MIT
// Model-specific registers: rdmsr and wrmsr (SDM Vol. 4 table "IA-32 Architectural MSRs" lists the
// numbers).
#ifndef LSTAR_ARCH_MSR_H
#define LSTAR_ARCH_MSR_H
#include <stdint.h>
#include "arch/x86_64/arch_bits.h" // MSR_* numbers and EFER_* bits, shared with NASM

// Reads the MSR `msr` (ECX) as EDX:EAX.
static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

// Writes `value` to the MSR `msr`.
static inline void wrmsr(uint32_t msr, uint64_t value)
{
    __asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)) : "memory");
}

#endif
