// SPDX-License-Identifier: MIT
// The system-call table: one slot per number in abi.h, indexed by both entry stubs.
#include "syscall/syscall_table.h"

// Each name's position in SYSCALL_LIST, and the list's length.
enum {
#define SYSCALL_POSITION(name) SYSCALL_POSITION_##name,
    SYSCALL_LIST(SYSCALL_POSITION)
#undef SYSCALL_POSITION
        SYSCALL_LIST_LENGTH
};

// Every entry sits at its own number, and the list has SYS_NR entries: together, every number
// from 0 to SYS_NR - 1 has exactly one handler, and no slot of the table is left NULL.
#define SYSCALL_CHECK_NUMBER(name)                                                          \
    _Static_assert(SYSCALL_POSITION_##name == SYS_##name,                                   \
                   "SYSCALL_LIST (syscall_list.h): " #name " is not at position SYS_" #name \
                   "; keep the list in number order");
SYSCALL_LIST(SYSCALL_CHECK_NUMBER)
#undef SYSCALL_CHECK_NUMBER
_Static_assert(SYSCALL_LIST_LENGTH == SYS_NR,
               "SYSCALL_LIST (syscall_list.h) must name a handler for every number below SYS_NR (abi.h)");

// The size is SYS_NR, and the stubs refuse any RAX >= SYS_NR (read from abi.h through the
// generated asm_offsets.inc).
const syscall_handler syscall_table[SYS_NR] = {
#define SYSCALL_SLOT(name) [SYS_##name] = sys_##name,
    SYSCALL_LIST(SYSCALL_SLOT)
#undef SYSCALL_SLOT
};
