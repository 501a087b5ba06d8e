// Model-specific registers: rdmsr/wrmsr and the numbers lstar uses (SDM Vol. 4, table 2-2).
#ifndef LSTAR_ARCH_MSR_H
#define LSTAR_ARCH_MSR_H
#include <stdint.h>
#include "arch/x86_64/asm_layout.h" // MSR_EFER, MSR_STAR, ... (shared with NASM)

#define MSR_SYSENTER_CS  0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176
#define MSR_FS_BASE      0xc0000100

#define EFER_SCE (1ull << 0)  // SYSCALL/SYSRET enable
#define EFER_LME (1ull << 8)  // long mode enable
#define EFER_LMA (1ull << 10) // long mode active (read-only, set by the CPU)
#define EFER_NXE (1ull << 11) // page-table bit 63 means no-execute

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
