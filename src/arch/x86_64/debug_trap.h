// SPDX-License-Identifier: MIT
// #DB: single steps from ring 3, and the ones an emulator or debugger lands in an entry window.
#ifndef LSTAR_ARCH_DEBUG_TRAP_H
#define LSTAR_ARCH_DEBUG_TRAP_H
#include <stdbool.h>

struct trap_frame;

bool debug_trap_handle(struct trap_frame *tf);
void debug_trap_report(void);

#endif
