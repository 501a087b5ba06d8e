// Control registers, TLB and interrupt-flag helpers (SDM Vol. 3A 2.5).
#ifndef LSTAR_ARCH_CR_H
#define LSTAR_ARCH_CR_H
#include <stdint.h>

#define CR0_MP   (1ull << 1)
#define CR0_EM   (1ull << 2)
#define CR0_TS   (1ull << 3)
#define CR0_NE   (1ull << 5)
#define CR0_WP   (1ull << 16)
#define CR0_AM   (1ull << 18)
#define CR4_PAE  (1ull << 5)
#define CR4_MCE  (1ull << 6)
#define CR4_PGE  (1ull << 7)
#define CR4_OSFXSR     (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define CR4_UMIP (1ull << 11)
#define CR4_OSXSAVE    (1ull << 18)
#define CR4_SMEP (1ull << 20)
#define CR4_SMAP (1ull << 21)

#define RFLAGS_IF (1ull << 9)
#define RFLAGS_AC (1ull << 18)

// Declares a reader and a writer for one control register.
#define LSTAR_CR_ACCESSORS(n)                                                             \
    static inline uint64_t read_cr##n(void)                                               \
    {                                                                                     \
        uint64_t v;                                                                       \
        __asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));                                 \
        return v;                                                                         \
    }                                                                                     \
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
