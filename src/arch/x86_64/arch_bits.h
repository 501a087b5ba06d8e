// SPDX-License-Identifier: MIT
// The architectural bits and MSR numbers lstar programs or tests: one name for each, read by C,
// by the kernel's NASM through generated/asm_offsets.inc (asm_offsets.c) and by ring 3 (its C
// through usr/include, its NASM as arch_bits.inc, made by cmake/nasm-include.cmake).
//
// One scheme: the register's name, then the manual's name for the bit (RFLAGS_TF, EFER_SCE,
// CR0_WP, CR4_SMEP, APIC_BASE_ENABLE) or, for an MSR number, MSR_ and the MSR's name without
// IA32_ (MSR_LSTAR). Bits of registers that one driver alone decodes (DR6 in debug_trap.c, the
// machine-check banks in machine_check.c) are named there.
//
// This file holds nothing but `#define NAME value` lines, so that ring 3's converter can read it:
// no includes, casts or function-like macros. A value is a plain number or (1ull << n), which C and
// NASM evaluate alike once the converter has dropped the `ull`.
#ifndef LSTAR_ARCH_BITS_H
#define LSTAR_ARCH_BITS_H

// ---- RFLAGS (SDM Vol. 1 "EFLAGS Register"; Vol. 3A "System Flags and Fields in the EFLAGS Register") ----
#define RFLAGS_CF (1ull << 0)    // carry
#define RFLAGS_FIXED (1ull << 1) // reserved, always reads 1
#define RFLAGS_PF (1ull << 2)    // parity
#define RFLAGS_AF (1ull << 4)    // auxiliary carry
#define RFLAGS_ZF (1ull << 6)    // zero
#define RFLAGS_SF (1ull << 7)    // sign
#define RFLAGS_TF (1ull << 8)    // trap: single-step, #DB after each instruction
#define RFLAGS_IF (1ull << 9)    // maskable interrupts enabled
#define RFLAGS_DF (1ull << 10)   // direction: string instructions count down
#define RFLAGS_OF (1ull << 11)   // overflow
#define RFLAGS_IOPL (3ull << 12) // I/O privilege level (two bits)
#define RFLAGS_NT (1ull << 14)   // nested task
#define RFLAGS_RF (1ull << 16)   // resume: suppresses instruction breakpoints for one instruction
#define RFLAGS_AC (1ull << 18)   // alignment check; with CR4.SMAP, ring 0 may touch user pages
#define RFLAGS_ID (1ull << 21)   // toggleable exactly when CPUID exists

// ---- CR0 (SDM Vol. 3A "Control Registers") ----
#define CR0_PE (1ull << 0)  // protected mode
#define CR0_MP (1ull << 1)  // WAIT/FWAIT honour TS
#define CR0_EM (1ull << 2)  // x87 emulated: x87 and SSE instructions fault
#define CR0_TS (1ull << 3)  // task switched: the next x87/SSE instruction raises #NM
#define CR0_ET (1ull << 4)  // extension type: reserved, reads 1 on every x86-64 CPU
#define CR0_NE (1ull << 5)  // x87 errors are #MF, not FERR#
#define CR0_WP (1ull << 16) // ring 0 honours read-only pages
#define CR0_AM (1ull << 18) // RFLAGS.AC enables alignment checks in ring 3
#define CR0_NW (1ull << 29) // not write-through (with CD: the cache-control modes)
#define CR0_CD (1ull << 30) // cache disable
#define CR0_PG (1ull << 31) // paging

// ---- CR4 (SDM Vol. 3A "Control Registers") ----
#define CR4_VME (1ull << 0)         // virtual-8086 mode extensions
#define CR4_PVI (1ull << 1)         // protected-mode virtual interrupts (VIF/VIP)
#define CR4_TSD (1ull << 2)         // rdtsc and rdtscp are #GP outside ring 0
#define CR4_DE (1ull << 3)          // debugging extensions: I/O breakpoints, DR4/DR5 are #UD
#define CR4_PSE (1ull << 4)         // 4 MiB pages in 32-bit paging (ignored with PAE)
#define CR4_PAE (1ull << 5)         // 8-byte page-table entries, required for long mode
#define CR4_MCE (1ull << 6)         // machine checks are #MC, not a shutdown
#define CR4_PGE (1ull << 7)         // global pages
#define CR4_PCE (1ull << 8)         // rdpmc allowed outside ring 0
#define CR4_OSFXSR (1ull << 9)      // SSE and FXSAVE/FXRSTOR of XMM
#define CR4_OSXMMEXCPT (1ull << 10) // unmasked SIMD exceptions are #XM
#define CR4_UMIP (1ull << 11)       // sgdt, sidt, sldt, smsw, str are #GP in ring 3
#define CR4_LA57 (1ull << 12)       // 5-level paging (fixed while long mode is active)
#define CR4_VMXE (1ull << 13)       // VMX operation allowed
#define CR4_SMXE (1ull << 14)       // SMX (GETSEC) allowed
#define CR4_FSGSBASE (1ull << 16)   // rdfsbase, rdgsbase, wrfsbase, wrgsbase in every ring
#define CR4_PCIDE (1ull << 17)      // process-context identifiers in CR3[11:0]
#define CR4_OSXSAVE (1ull << 18)    // XSAVE and XGETBV
#define CR4_KL (1ull << 19)         // Key Locker (LOADIWKEY)
#define CR4_SMEP (1ull << 20)       // ring 0 never executes a user page
#define CR4_SMAP (1ull << 21)       // ring 0 touches user pages only with RFLAGS.AC = 1
#define CR4_PKE (1ull << 22)        // protection keys for user pages (PKRU, rdpkru/wrpkru)
#define CR4_CET (1ull << 23)        // control-flow enforcement (shadow stacks, IBT)
#define CR4_PKS (1ull << 24)        // protection keys for supervisor pages
#define CR4_UINTR (1ull << 25)      // user interrupts
#define CR4_LAM_SUP (1ull << 28)    // linear-address masking of supervisor pointers
#define CR4_FRED (1ull << 32)       // flexible return and event delivery

// ---- IA32_EFER (SDM Vol. 3A "Extended Feature Enable Register", Vol. 4 table "IA-32
//      Architectural MSRs"; AMD APM Vol. 2 "Extended Feature Enable Register (EFER)") ----
#define EFER_SCE (1ull << 0)      // SYSCALL/SYSRET enabled
#define EFER_LME (1ull << 8)      // long mode enable: active from the next CR0.PG = 1
#define EFER_LMA (1ull << 10)     // long mode active (read-only, set by the CPU)
#define EFER_NXE (1ull << 11)     // page-table bit 63 means no-execute
#define EFER_SVME (1ull << 12)    // AMD: SVM (VMRUN and friends) enabled
#define EFER_LMSLE (1ull << 13)   // AMD: long-mode segment limits enforced
#define EFER_FFXSR (1ull << 14)   // AMD fast FXSAVE/FXRSTOR: skip XMM at CPL 0
#define EFER_TCE (1ull << 15)     // AMD: translation-cache extension (INVLPG scope)
#define EFER_MCOMMIT (1ull << 17) // AMD: MCOMMIT instruction enabled
#define EFER_INTWB (1ull << 18)   // AMD: WBINVD/WBNOINVD interruptible
#define EFER_UAIE (1ull << 20)    // AMD: upper-address ignore
#define EFER_AIBRSE (1ull << 21)  // AMD: automatic IBRS

// ---- IA32_APIC_BASE (SDM Vol. 3A "Local APIC Status and Location") ----
#define APIC_BASE_X2APIC (1ull << 10) // x2APIC mode (registers are MSRs, not MMIO)
#define APIC_BASE_ENABLE (1ull << 11) // the local APIC is enabled

// ---- MSR numbers (SDM Vol. 4 table "IA-32 Architectural MSRs") ----
#define MSR_APIC_BASE 0x1b
#define MSR_SPEC_CTRL 0x48 // IBRS (bit 0), STIBP, SSBD: Intel's "Speculative Execution Side Channel Mitigations"
#define MSR_PRED_CMD 0x49  // write-only; bit 0 = IBPB: forget indirect-branch predictions
#define MSR_ARCH_CAPABILITIES 0x10a // read-only: which speculation bugs the CPU does not have
#define SPEC_CTRL_IBRS (1u << 0)    // restricted indirect-branch speculation
#define PRED_CMD_IBPB (1u << 0)     // the barrier, in MSR_PRED_CMD
#define MSR_SYSENTER_CS 0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176
#define MSR_MCG_CAP 0x179
#define MSR_MCG_STATUS 0x17a
#define MSR_MCG_CTL 0x17b
#define MSR_MC0_CTL 0x400 // bank i's four MSRs are MC0's + 4 * i (SDM Vol. 3B "Error-Reporting Register Banks")
#define MSR_MC0_STATUS 0x401
#define MSR_MC0_ADDR 0x402
#define MSR_MC0_MISC 0x403
#define MSR_EFER 0xc0000080
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_FMASK 0xc0000084
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102

#endif
