// CPUID: the instruction and the feature bits lstar asks about (SDM Vol. 2A "CPUID").
#ifndef LSTAR_ARCH_CPUID_H
#define LSTAR_ARCH_CPUID_H
#include <stdint.h>

struct cpuid_regs {
    uint32_t eax, ebx, ecx, edx;
};

// Executes CPUID for `leaf`/`subleaf`.
static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
    struct cpuid_regs r;
    __asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
    return r;
}

#define CPUID7_EBX_SMEP (1u << 7)
#define CPUID7_EBX_SMAP (1u << 20)
#define CPUID7_ECX_UMIP (1u << 2)
#define CPUID1_ECX_HYPERVISOR (1u << 31)
#define CPUID1_EDX_APIC (1u << 9)
#define CPUID1_EDX_MCE (1u << 7)
// CPUID.01H:EDX bits every x86-64 CPU has (SDM Vol. 2A "CPUID", table "Feature Information
// Returned in the EDX Register"): control_regs.c refuses a CPU without them.
#define CPUID1_EDX_FPU (1u << 0)
#define CPUID1_EDX_FXSR (1u << 24)
#define CPUID1_EDX_SSE (1u << 25)
#define CPUID1_EDX_SSE2 (1u << 26)

#endif
