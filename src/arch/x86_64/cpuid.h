// SPDX-License-Identifier: MIT
// CPUID: the instruction, and every leaf and feature bit lstar asks about: the kernel's C, the
// boot code (through generated/asm_offsets.inc) and ring 3 (through usr/include) read them here.
//
// Intel SDM Vol. 2A, instruction page "CPUID—CPU Identification"; AMD APM Vol. 3, appendix
// "Obtaining Processor Information Via the CPUID Instruction". Names: CPUID<leaf>_<register>_<bit>,
// the leaf in hex as the manuals write it (CPUID80000001_EDX_LM is "CPUID Fn8000_0001 EDX.LM").
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

// ---- leaves ----
#define CPUID_LEAF_BASIC 0x0               // EAX: highest basic leaf; EBX, EDX, ECX: vendor
#define CPUID_LEAF_FEATURES 0x1            // feature flags in ECX and EDX
#define CPUID_LEAF_STRUCTURED 0x7          // structured extended feature flags (subleaf 0)
#define CPUID_LEAF_TSC 0x15                // TSC / core crystal clock ratio
#define CPUID_LEAF_FREQUENCY 0x16          // base frequency in MHz
#define CPUID_LEAF_HYPERVISOR 0x40000000   // a hypervisor's signature (when CPUID1_ECX_HYPERVISOR)
#define CPUID_LEAF_EXTENDED 0x80000000     // EAX: highest extended leaf
#define CPUID_LEAF_EXT_FEATURES 0x80000001 // extended feature flags (long mode, NX)
#define CPUID_LEAF_BRAND 0x80000002        // ... 0x80000004: the brand string, 16 bytes each
#define CPUID_LEAF_BRAND_LAST 0x80000004

// ---- CPUID.01H ----
// EDX bits every x86-64 CPU has (SDM table "Feature Information Returned in the EDX Register"):
// control_regs.c refuses a CPU without FPU, FXSR, SSE and SSE2.
#define CPUID1_EDX_FPU (1u << 0)
#define CPUID1_EDX_MCE (1u << 7) // machine-check exception (#MC, CR4.MCE)
#define CPUID1_EDX_APIC (1u << 9)
#define CPUID1_EDX_MCA (1u << 14) // machine-check architecture (the MCG_ and MCi_ MSRs)
#define CPUID1_EDX_FXSR (1u << 24)
#define CPUID1_EDX_SSE (1u << 25)
#define CPUID1_EDX_SSE2 (1u << 26)
#define CPUID1_ECX_PCID (1u << 17)       // process-context identifiers (CR4.PCIDE)
#define CPUID1_ECX_OSXSAVE (1u << 27)    // mirrors CR4.OSXSAVE, in every ring
#define CPUID1_ECX_HYPERVISOR (1u << 31) // set by hypervisors, 0 on bare metal

// ---- CPUID.(EAX=07H, ECX=0) ----
#define CPUID7_EBX_SMEP (1u << 7)
#define CPUID7_EBX_SMAP (1u << 20)
#define CPUID7_EBX_INVPCID (1u << 10)
#define CPUID7_ECX_UMIP (1u << 2)
// Speculation controls (Intel, "Speculative Execution Side Channel Mitigations", CPUID enumeration)
#define CPUID7_EDX_MD_CLEAR (1u << 10)  // VERW clears the CPU's buffers (MDS)
#define CPUID7_EDX_SPEC_CTRL (1u << 26) // IA32_SPEC_CTRL.IBRS and IA32_PRED_CMD.IBPB exist
#define CPUID7_EDX_STIBP (1u << 27)
#define CPUID7_EDX_ARCH_CAP (1u << 29) // IA32_ARCH_CAPABILITIES exists
#define CPUID7_EDX_SSBD (1u << 31)
#define CPUID_LEAF_EXT_SIZES 0x80000008 // EBX: AMD's speculation controls
// AMD, "Indirect Branch Control Extension" (AMD64 Technology white paper) and APM Vol. 3 CPUID
#define CPUID80000008_EBX_IBPB (1u << 12)
#define CPUID80000008_EBX_IBRS (1u << 14)
#define CPUID80000008_EBX_STIBP (1u << 15)
// IA32_ARCH_CAPABILITIES bits (SDM Vol. 4 "IA-32 Architectural MSRs")
#define ARCH_CAP_RDCL_NO (1u << 0)  // not affected by Meltdown (rogue data cache load)
#define ARCH_CAP_IBRS_ALL (1u << 1) // enhanced IBRS: set IBRS once
#define ARCH_CAP_RSBA (1u << 2)     // RET may predict from the BTB when the RSB underflows
#define ARCH_CAP_SSB_NO (1u << 4)
#define ARCH_CAP_MDS_NO (1u << 5) // not affected by Microarchitectural Data Sampling
#define ARCH_CAP_TAA_NO (1u << 8)

// ---- CPUID.80000001H (AMD: Fn8000_0001) ----
#define CPUID80000001_EDX_NX (1u << 20) // execute disable: page-table bit 63, EFER.NXE
#define CPUID80000001_EDX_LM (1u << 29) // long mode

#endif
