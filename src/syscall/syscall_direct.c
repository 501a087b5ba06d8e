// SPDX-License-Identifier: MIT
// The direct dispatch (mitigations=direct-dispatch): every handler reached by a direct jump from
// one switch over the number, generated from SYSCALL_LIST, with no indirect branch a poisoned
// predictor could steer (Spectre v2; Linux 6.9's x64_sys_call, arch/x86/entry/syscall_64.c).
// This file is compiled with -fno-jump-tables (CMakeLists.txt): a jump table would be an
// indirect jump again. The hardened entry (lstar_entry.asm) calls it with the number clamped
// below SYS_NR, as the seventh argument, on the stack.
//
// Why it is not no_caller_saved_registers like the handlers, although the entry needs every
// register but RAX back: with that attribute GCC 12 saves and restores all six argument registers
// around the handler's call (it does not count on the callee's attribute), twelve instructions a
// call. Without it, every case is a sibling call (`jmp sys_<name>`, -O2's
// -foptimize-sibling-calls) after a compare tree that touches only RAX and the flags (the file
// is compiled without a frame pointer: as every case leaves by a jump, it is never on the stack a
// backtrace walks), and the handler itself, no_caller_saved_registers, returns straight to the
// entry with everything else as it found it. The selftest's register checks
// (usr/selftest/entry_tests.c) run through this path under mitigations=all and fail if a
// compiler ever spills anything here.
#include "syscall/syscall_table.h"

long syscall_call_direct(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5, uint64_t nr);

long syscall_call_direct(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5, uint64_t nr)
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
