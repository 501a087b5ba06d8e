// SPDX-License-Identifier: MIT
// The entry windows: the stretches of kernel code that run in ring 0 while RSP or the GS base
// is still the user's (the entries and exits of src/syscall/lstar_entry.asm, the trap stubs' own
// swapgs, the context switch's GS load). Only NMI, #MC, #DF and #DB can be taken there, each on
// its own IST stack (idt.c); their handlers (nmi.c, debug_trap.c) use this to say where they
// landed. The windows are declared in the assembly itself (entry_window.inc), and the table is
// the architecture's, as the IST stacks and the paranoid entry that consult it are.
#ifndef LSTAR_ARCH_ENTRY_WINDOW_H
#define LSTAR_ARCH_ENTRY_WINDOW_H
#include <stdint.h>

// Returns the name of the entry window `rip` is in ("syscall entry", ...), or NULL.
const char *entry_window_name(uint64_t rip);

#endif
