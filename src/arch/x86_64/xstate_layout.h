// SPDX-License-Identifier: MIT
// The 64-bit FXSAVE64/FXRSTOR64 image of the x87, MMX and SSE registers, and the control words
// a clean state starts with: architecture only, no kernel code, so ring 3 includes it too (the
// selftest reads its own registers through it). Which state each process owns: xstate.h.
#ifndef LSTAR_ARCH_XSTATE_LAYOUT_H
#define LSTAR_ARCH_XSTATE_LAYOUT_H
#include <stddef.h>
#include <stdint.h>

// The REX.W layout (SDM Vol. 2A "FXSAVE"). FXSAVE and FXRSTOR #GP on an address
// that is not 16-byte aligned.
struct xstate {
    uint16_t fcw; // x87 control word
    uint16_t fsw; // x87 status word (TOP, exception flags)
    uint8_t ftw;  // abridged tag word: bit i set = physical register i valid
    uint8_t reserved0;
    uint16_t fop;        // last x87 opcode
    uint64_t fip, fdp;   // last x87 instruction and data pointers
    uint32_t mxcsr;      // SSE control and status
    uint32_t mxcsr_mask; // written by FXSAVE, ignored by FXRSTOR
    uint8_t st[8][16];   // ST0-ST7 / MM0-MM7: 10 bytes each (MMn the low 8), 6 reserved
    uint8_t xmm[16][16]; // XMM0-XMM15
    uint8_t reserved1[96];
} __attribute__((aligned(16)));

// The SDM's byte offsets, so that a mistake in the structure cannot pass for the architecture.
_Static_assert(sizeof(struct xstate) == 512, "FXSAVE image is 512 bytes");
_Static_assert(offsetof(struct xstate, mxcsr) == 24, "FXSAVE image: MXCSR at byte 24");
_Static_assert(offsetof(struct xstate, st) == 32, "FXSAVE image: ST0 at byte 32");
_Static_assert(offsetof(struct xstate, xmm) == 160, "FXSAVE image: XMM0 at byte 160");

// After FNINIT: all x87 exceptions masked, round to nearest, 64-bit precision (SDM Vol. 1 "x87
// FPU Control Word").
#define XSTATE_FCW_DEFAULT 0x037f
// After reset: all SIMD exceptions masked, round to nearest (SDM Vol. 1 "MXCSR Control and
// Status Register").
#define XSTATE_MXCSR_DEFAULT 0x1f80

#endif
