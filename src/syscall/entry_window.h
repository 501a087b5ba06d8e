// The entry windows: the stretches of kernel code that run in ring 0 while RSP or the GS base
// is still the user's (the entries and exits of lstar_entry.asm, the trap stubs' own swapgs,
// the context switch's GS load). Only NMI, #MC, #DF and #DB can be taken there, each on its
// own IST stack (idt.c); their handlers use this to say where they landed. The windows are
// declared in the assembly itself (src/arch/x86_64/entry_window.inc).
#ifndef LSTAR_SYSCALL_ENTRY_WINDOW_H
#define LSTAR_SYSCALL_ENTRY_WINDOW_H
#include <stdint.h>

// Returns the name of the entry window `rip` is in ("syscall entry", ...), or NULL.
const char *entry_window_name(uint64_t rip);

#endif
