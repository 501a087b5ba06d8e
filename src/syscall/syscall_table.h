// SPDX-License-Identifier: MIT
// How system-call handlers are declared, and the table the entry stubs index.
//
// Every handler is no_caller_saved_registers: it gives back every register but RAX, so the
// entry stubs need not save the argument registers for the user nor clear kernel values out
// of them afterwards (the handler never leaves any). The selftest proves it for every call.
//
// That guarantee comes from the prototypes, nowhere else. The stubs reach a handler with a
// plain `call [syscall_table + rax * 8]`, which knows nothing of attributes; what makes GCC
// save every register the body (or anything it calls) may change is the attribute on the
// declaration the definition sees. SYSCALL_DEFINE puts it on the definition, and the prototypes
// below, generated from SYSCALL_LIST, put it on every handler's declaration, which GCC also
// applies to a later definition written without it. The attribute on syscall_handler does not
// help: GCC 12 stores a function without it into that pointer type without a word. So a handler
// is defined with SYSCALL_DEFINE in a file that includes this header. The kernel is built with
// -mgeneral-regs-only, so general registers are all there is to preserve.
#ifndef LSTAR_SYSCALL_TABLE_H
#define LSTAR_SYSCALL_TABLE_H
#include <stdint.h>
#include "syscall/abi.h"
#include "syscall/syscall_list.h"

#define SYSCALL_ARG __attribute__((unused)) uint64_t
// Defines handler sys_<name>, taking the six argument registers in ABI order.
#define SYSCALL_DEFINE(name)                                                                                   \
    __attribute__((no_caller_saved_registers)) long sys_##name(SYSCALL_ARG a0, SYSCALL_ARG a1, SYSCALL_ARG a2, \
                                                               SYSCALL_ARG a3, SYSCALL_ARG a4, SYSCALL_ARG a5)

typedef __attribute__((no_caller_saved_registers)) long (*syscall_handler)(uint64_t, uint64_t, uint64_t, uint64_t,
                                                                           uint64_t, uint64_t);

extern const syscall_handler syscall_table[SYS_NR];

// One prototype per entry of SYSCALL_LIST: sys_null, sys_exit, ...
#define SYSCALL_PROTOTYPE(name) SYSCALL_DEFINE(name);
SYSCALL_LIST(SYSCALL_PROTOTYPE)
#undef SYSCALL_PROTOTYPE

#endif
