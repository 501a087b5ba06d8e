// SPDX-License-Identifier: MIT
// Where the entry windows are: the table the ENTRY_WINDOW lines of the assembly make.
#include <stddef.h>
#include "arch/x86_64/entry_window.h"

// One ENTRY_WINDOW record (src/arch/x86_64/entry_window.inc): the window is [first, last],
// every RIP at which an exception or NMI can be delivered (the CPU reports the address of the
// next instruction to run) while ring 0 has the user's RSP or GS (or, with page-table isolation,
// the user's CR3), or has just switched away from them. boot/kernel.ld collects the records between these two symbols.
struct entry_window {
    const char *first, *last, *name;
};
extern const struct entry_window entry_windows_start[], entry_windows_end[];

// Returns the name of the entry window `rip` is in, or NULL.
const char *entry_window_name(uint64_t rip)
{
    for (const struct entry_window *w = entry_windows_start; w < entry_windows_end; w++)
        if (rip >= (uint64_t)w->first && rip <= (uint64_t)w->last)
            return w->name;
    return NULL;
}
