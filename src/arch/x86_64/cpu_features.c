// SPDX-License-Identifier: MIT
// Detects SMEP, SMAP and UMIP (SDM Vol. 3A "Control Registers", "Determination of Access Rights"),
// and names the CPU. control_regs.c turns on those found, in the CR4 it writes whole on every CPU.
//
// SMEP: the kernel faults if it ever executes a user page (no ret2usr).
// SMAP: the kernel faults if it reads or writes a user page outside stac/clac (user_copy.c).
// UMIP: ring 3 cannot read descriptor-table addresses (sgdt, sidt, sldt, smsw, str).
#include "arch/x86_64/cpu_features.h"
#include "arch/x86_64/cpuid.h"
#include "core/string.h"
#include "syscall/abi.h"

static uint32_t features;
extern uint64_t smap_sites_start[], smap_sites_end[];

// Reads CPUID leaf 7 for the features; must run before the kernel text is made read-only.
void cpu_features_detect(void)
{
    struct cpuid_regs r = cpuid(CPUID_LEAF_STRUCTURED, 0);
    if (cpuid(CPUID_LEAF_BASIC, 0).eax < CPUID_LEAF_STRUCTURED)
        r.ebx = r.ecx = 0;
    features = ((r.ebx & CPUID7_EBX_SMEP) ? LSTAR_FEATURE_SMEP : 0) |
               ((r.ebx & CPUID7_EBX_SMAP) ? LSTAR_FEATURE_SMAP : 0) |
               ((r.ecx & CPUID7_ECX_UMIP) ? LSTAR_FEATURE_UMIP : 0);
    if (!(features & LSTAR_FEATURE_SMAP)) {
        // No SMAP: stac/clac would be #UD. Replace each recorded site (entry stubs, copy
        // routines) with a 3-byte NOP.
        static const uint8_t nop3[3] = {0x0f, 0x1f, 0x00};
        for (uint64_t *site = smap_sites_start; site < smap_sites_end; site++)
            memcpy((void *)*site, nop3, sizeof nop3);
    }
}

// Returns the LSTAR_FEATURE_* bits in force.
uint32_t cpu_features(void) { return features; }

// Copies 4-byte CPUID register values into a string.
static void put_regs(char *dst, const uint32_t *regs, int n)
{
    memcpy(dst, regs, (size_t)n * 4);
    dst[n * 4] = 0;
}

// Fills the vendor, brand and hypervisor strings (empty when a leaf is missing).
void cpu_identify(char vendor[16], char brand[64], char hypervisor[16])
{
    struct cpuid_regs r = cpuid(CPUID_LEAF_BASIC, 0);
    uint32_t v[3] = {r.ebx, r.edx, r.ecx};
    put_regs(vendor, v, 3);
    brand[0] = 0;
    if (cpuid(CPUID_LEAF_EXTENDED, 0).eax >= CPUID_LEAF_BRAND_LAST) {
        uint32_t b[12];
        for (uint32_t i = 0; i < 3; i++) {
            r = cpuid(CPUID_LEAF_BRAND + i, 0);
            b[i * 4] = r.eax, b[i * 4 + 1] = r.ebx, b[i * 4 + 2] = r.ecx, b[i * 4 + 3] = r.edx;
        }
        put_regs(brand, b, 12);
        char *s = brand; // brand strings are often right-justified with spaces
        while (*s == ' ')
            s++;
        memmove(brand, s, strlen(s) + 1);
    }
    hypervisor[0] = 0;
    if (cpuid(CPUID_LEAF_FEATURES, 0).ecx & CPUID1_ECX_HYPERVISOR) {
        r = cpuid(CPUID_LEAF_HYPERVISOR, 0);
        uint32_t h[3] = {r.ebx, r.ecx, r.edx};
        put_regs(hypervisor, h, 3);
    }
}
