// Extended register state: the x87, MMX and SSE registers each process owns (FXSAVE format),
// and the CR0/CR4 bits that give ring 3 exactly x87 and SSE, whatever the firmware left.
//
// lstar switches processes only in process.c (spawn and the end of a child), so that is the
// one place that saves and restores this state: FXSAVE the side that goes on later, FXRSTOR
// the side that runs next (SDM Vol. 3A 13.4, 13.5). The kernel is built with
// -mgeneral-regs-only, so nothing between a program's entry and the switch touches the state.
// XSAVE stays off (CR4.OSXSAVE = 0): AVX is #UD in ring 3 and the 512 bytes are all of it.
// Limit: AMD CPUs save and restore the x87 last-instruction/data pointers and opcode only
// while an unmasked x87 exception is pending (AMD APM Vol. 4 "FXSAVE"), so on AMD hardware
// those three can pass from one program to the next; Linux overwrites them with a dummy x87
// load before each restore (X86_BUG_FXSAVE_LEAK). lstar does not, yet.
#ifndef LSTAR_ARCH_XSTATE_H
#define LSTAR_ARCH_XSTATE_H
#include <stddef.h>
#include <stdint.h>

// The 64-bit FXSAVE64/FXRSTOR64 image (SDM Vol. 2A "FXSAVE", the REX.W layout). FXSAVE and
// FXRSTOR #GP on an address that is not 16-byte aligned.
struct xstate {
    uint16_t fcw;           // x87 control word
    uint16_t fsw;           // x87 status word (TOP, exception flags)
    uint8_t ftw;            // abridged tag word: bit i set = physical register i valid
    uint8_t reserved0;
    uint16_t fop;           // last x87 opcode
    uint64_t fip, fdp;      // last x87 instruction and data pointers
    uint32_t mxcsr;         // SSE control and status
    uint32_t mxcsr_mask;    // written by FXSAVE, ignored by FXRSTOR
    uint8_t st[8][16];      // ST0-ST7 / MM0-MM7: 10 bytes each, 6 reserved
    uint8_t xmm[16][16];    // XMM0-XMM15
    uint8_t reserved1[96];
} __attribute__((aligned(16)));

_Static_assert(sizeof(struct xstate) == 512, "FXSAVE image is 512 bytes");
_Static_assert(offsetof(struct xstate, mxcsr) == 24, "FXSAVE image: MXCSR at byte 24");
_Static_assert(offsetof(struct xstate, st) == 32, "FXSAVE image: ST0 at byte 32");
_Static_assert(offsetof(struct xstate, xmm) == 160, "FXSAVE image: XMM0 at byte 160");

#define XSTATE_FCW_DEFAULT   0x037f // after FNINIT: all x87 exceptions masked, round to nearest, 64-bit precision (SDM Vol. 1 8.1.5)
#define XSTATE_MXCSR_DEFAULT 0x1f80 // after reset: all SIMD exceptions masked, round to nearest (SDM Vol. 1 10.2.3)

void xstate_cpu_init(unsigned cpu);
void xstate_init(struct xstate *xs);

// Stores this CPU's x87/MMX/SSE registers into *xs (64-bit format: full FIP/FDP).
static inline void xstate_save(struct xstate *xs) { __asm__ volatile("fxsave64 %0" : "=m"(*xs)); }

// Loads this CPU's x87/MMX/SSE registers from *xs.
static inline void xstate_restore(const struct xstate *xs) { __asm__ volatile("fxrstor64 %0" ::"m"(*xs)); }

#endif
