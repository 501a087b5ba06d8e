// SPDX-License-Identifier: MIT
// Extended register state: the x87, MMX and SSE registers each process owns (FXSAVE format).
// The CR0/CR4 bits that give ring 3 exactly x87 and SSE are control_regs.c's.
//
// lstar switches processes only in process.c (spawn and the end of a child), so that is the one
// place that saves and restores this state: FXSAVE the side that goes on later, FXRSTOR the side
// that runs next (SDM Vol. 3A "Saving the SSE/SSE2/SSE3/SSSE3/SSE4 State on Task or Context
// Switches" and the section after it). The kernel is built with -mgeneral-regs-only, so nothing
// between a program's entry and the switch touches the state. XSAVE stays off (CR4.OSXSAVE = 0):
// AVX is #UD in ring 3 and the 512 bytes are all of it. Limit: AMD CPUs save and restore the x87
// last-instruction/data pointers and opcode only while an unmasked x87 exception is pending (AMD
// APM Vol. 4 "FXSAVE"), so on AMD hardware those three can pass from one program to the next; Linux
// overwrites them with a dummy x87 load before each restore (X86_BUG_FXSAVE_LEAK). lstar does not,
// yet.
#ifndef LSTAR_ARCH_XSTATE_H
#define LSTAR_ARCH_XSTATE_H
#include "arch/x86_64/xstate_layout.h" // struct xstate, XSTATE_FCW_DEFAULT, XSTATE_MXCSR_DEFAULT

void xstate_init(struct xstate *xs);

// Stores this CPU's x87/MMX/SSE registers into *xs (64-bit format: full FIP/FDP).
static inline void xstate_save(struct xstate *xs) { __asm__ volatile("fxsave64 %0" : "=m"(*xs)); }

// Loads this CPU's x87/MMX/SSE registers from *xs.
static inline void xstate_restore(const struct xstate *xs) { __asm__ volatile("fxrstor64 %0" ::"m"(*xs)); }

#endif
