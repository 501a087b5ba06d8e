// SPDX-License-Identifier: MIT
// The direct dispatch (mitigations=direct-dispatch): every handler reached by a direct call from
// one switch over the number, generated from SYSCALL_LIST, with no indirect branch a poisoned
// predictor could steer (Spectre v2; Linux 6.9's x64_sys_call, arch/x86/entry/syscall_64.c).
// This file is compiled with -fno-jump-tables (CMakeLists.txt): a jump table would be an
// indirect jump again. The hardened entry (lstar_entry.asm) calls it with the number clamped
// below SYS_NR, as the seventh argument, on the stack.
#include "syscall/syscall_table.h"

__attribute__((no_caller_saved_registers)) long syscall_call_direct(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                                                                    uint64_t a4, uint64_t a5, uint64_t nr);

__attribute__((no_caller_saved_registers)) long syscall_call_direct(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                                                                    uint64_t a4, uint64_t a5, uint64_t nr)
{
    switch (nr) {
#define SYSCALL_CASE(name) \
    case SYS_##name:       \
        return sys_##name(a0, a1, a2, a3, a4, a5);
        SYSCALL_LIST(SYSCALL_CASE)
#undef SYSCALL_CASE
    }
    return -ENOSYS; // not reached: the entry refuses nr >= SYS_NR
}
