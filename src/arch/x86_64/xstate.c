// SPDX-License-Identifier: MIT
// The clean x87/SSE state a process starts with (docs/abi.md "A program's address space and
// start", docs/design.md).
//
// The ISA ring 3 gets (x87 and SSE on, nothing that needs XSAVE: what the x86-64 psABI assumes)
// is set by control_regs.c, which writes CR0, CR4 and EFER whole on every CPU: firmware leaves
// them as it likes (through SeaBIOS CR4.OSFXSR is clear and every SSE instruction is #UD; OVMF
// sets it, and may set OSXSAVE).
#include "arch/x86_64/xstate.h"
#include "core/string.h"

// The state every process starts with: what FNINIT and a reset give (FCW 0x037f, status and
// pointers 0, every x87 register empty), MXCSR 0x1f80, and every x87/MMX and XMM register zero.
static const struct xstate xstate_clean = {
    .fcw = XSTATE_FCW_DEFAULT,
    .ftw = 0, // abridged tag word: 0 = all eight registers empty (FNINIT's full tag word 0xffff)
    .mxcsr = XSTATE_MXCSR_DEFAULT,
};

// Fills *xs with the clean state a new process starts from.
void xstate_init(struct xstate *xs) { memcpy(xs, &xstate_clean, sizeof *xs); }
