// The ISA ring 3 gets, set explicitly on every CPU, and the clean x87/SSE state a process starts
// with (docs/abi.md "A program's address space and start", docs/design.md).
//
// Firmware leaves CR0 and CR4 as it likes: booted through SeaBIOS, CR4.OSFXSR is clear and every
// SSE instruction is #UD; OVMF sets it (and may set OSXSAVE). So both registers are written here,
// bit by bit, to what the x86-64 psABI assumes: x87 and SSE on, nothing that needs XSAVE.
#include "arch/x86_64/xstate.h"
#include "arch/x86_64/cpuid.h"
#include "arch/x86_64/cr.h"
#include "arch/x86_64/msr.h"
#include "core/console.h"
#include "core/panic.h"
#include "core/string.h"

// CPUID.01H:EDX bits every x86-64 CPU has (SDM Vol. 2A "CPUID", table 3-11).
#define CPUID1_EDX_FPU (1u << 0)
#define CPUID1_EDX_FXSR (1u << 24)
#define CPUID1_EDX_SSE (1u << 25)
#define CPUID1_EDX_SSE2 (1u << 26)

// The state every process starts with: what FNINIT and a reset give (FCW 0x037f, status and
// pointers 0, every x87 register empty), MXCSR 0x1f80, and every x87/MMX and XMM register zero.
static const struct xstate xstate_clean = {
    .fcw = XSTATE_FCW_DEFAULT,
    .ftw = 0, // abridged tag word: 0 = all eight registers empty (FNINIT's full tag word 0xffff)
    .mxcsr = XSTATE_MXCSR_DEFAULT,
};

// Sets CR0 and CR4 for x87 and SSE in ring 3 (SDM Vol. 3A 2.5, 13.1.3) with XSAVE off, on this
// CPU; panics on a CPU without FXSR/SSE, which no x86-64 CPU is. The boot CPU logs the result.
void xstate_cpu_init(unsigned cpu)
{
    const uint32_t need = CPUID1_EDX_FPU | CPUID1_EDX_FXSR | CPUID1_EDX_SSE | CPUID1_EDX_SSE2;
    uint32_t edx = cpuid(1, 0).edx;
    if ((edx & need) != need)
        panic("cpu%u lacks x87, FXSAVE or SSE/SSE2 (CPUID.01H:EDX=0x%08x): not an x86-64 CPU lstar can run", cpu,
              (unsigned)edx);

    uint64_t cr0 = read_cr0();
    cr0 &= ~CR0_EM; // EM = 0: x87 instructions run, not #NM/#UD for an emulator; SSE requires it
    cr0 &= ~CR0_TS; // TS = 0: no lazy switching, every switch saves and restores (process.c)
    cr0 |= CR0_MP;  // MP = 1: WAIT/FWAIT honour TS, the setting SSE requires (SDM Vol. 3A 13.1.3)
    cr0 |= CR0_NE;  // NE = 1: unmasked x87 errors are #MF (vector 16), not the legacy FERR# pin
    write_cr0(cr0);

    uint64_t cr4 = read_cr4();
    cr4 |= CR4_OSFXSR;     // SSE instructions run, and FXSAVE/FXRSTOR include XMM and MXCSR
    cr4 |= CR4_OSXMMEXCPT; // unmasked SIMD exceptions are #XM (vector 19) instead of #UD
    cr4 &= ~CR4_OSXSAVE;   // XSAVE off: AVX and XGETBV are #UD in ring 3, on every firmware,
                           // and FXSAVE's 512 bytes are the whole state a process owns
    write_cr4(cr4);

    // EFER.FFXSR, AMD's fast FXSAVE/FXRSTOR: with it, FXSAVE and FXRSTOR at CPL 0 in 64-bit mode
    // skip the XMM registers (AMD APM Vol. 2 3.1.7), which would let them leak from one program
    // to the next. Off.
    uint64_t efer = rdmsr(MSR_EFER);
    if (efer & EFER_FFXSR)
        wrmsr(MSR_EFER, efer & ~EFER_FFXSR);

    if (cpu == 0)
        kprintf("[cpu] x87 and SSE on (CR0.MP|NE, CR4.OSFXSR|OSXMMEXCPT), XSAVE off: ring 3 gets no AVX\n");
}

// Fills *xs with the clean state a new process starts from.
void xstate_init(struct xstate *xs) { memcpy(xs, &xstate_clean, sizeof *xs); }
