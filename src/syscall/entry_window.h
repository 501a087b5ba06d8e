// The entry windows: the few instructions of lstar_entry.asm that run in ring 0 while RSP or
// the GS base is still the user's. Only NMI, #MC, #DF and #DB can be taken there, each on its
// own IST stack (idt.c); their handlers use this to say where they landed.
#ifndef LSTAR_SYSCALL_ENTRY_WINDOW_H
#define LSTAR_SYSCALL_ENTRY_WINDOW_H
#include <stdint.h>

// Returns the name of the entry window `rip` is in ("syscall entry", ...), or NULL.
const char *entry_window_name(uint64_t rip);

#endif
