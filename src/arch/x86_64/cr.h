// SPDX-License-Identifier: MIT
// Control registers, TLB and interrupt-flag helpers (SDM Vol. 3A "Control Registers").
#ifndef LSTAR_ARCH_CR_H
#define LSTAR_ARCH_CR_H
#include <stdint.h>
#include "arch/x86_64/arch_bits.h" // CR0_*, CR4_*, RFLAGS_*: one name per bit

// Declares a reader and a writer for one control register.
#define LSTAR_CR_ACCESSORS(n)                             \
    static inline uint64_t read_cr##n(void)               \
    {                                                     \
        uint64_t v;                                       \
        __asm__ volatile("mov %%cr" #n ", %0" : "=r"(v)); \
        return v;                                         \
    }                                                     \
    static inline void write_cr##n(uint64_t v) { __asm__ volatile("mov %0, %%cr" #n ::"r"(v) : "memory"); }
LSTAR_CR_ACCESSORS(0)
LSTAR_CR_ACCESSORS(2)
LSTAR_CR_ACCESSORS(3)
LSTAR_CR_ACCESSORS(4)
#undef LSTAR_CR_ACCESSORS

// Drops the TLB entry for one virtual address.
static inline void invlpg(uint64_t va) { __asm__ volatile("invlpg (%0)" ::"r"(va) : "memory"); }

// Reads RFLAGS.
static inline uint64_t read_rflags(void)
{
    uint64_t f;
    __asm__ volatile("pushfq; popq %0" : "=r"(f));
    return f;
}

// Enables maskable interrupts.
static inline void irq_enable(void) { __asm__ volatile("sti" ::: "memory"); }
// Disables maskable interrupts.
static inline void irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }

// Reads the time-stamp counter (not serialising: callers fence where order matters).
static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

#endif
