// How system-call handlers are declared, and the table the entry stubs index.
//
// Every handler is no_caller_saved_registers: it preserves every register but RAX, so the
// entry stubs need not save the argument registers for the user nor clear kernel values out
// of them afterwards (the handler never leaves any). The selftest proves it for every call.
#ifndef LSTAR_SYSCALL_TABLE_H
#define LSTAR_SYSCALL_TABLE_H
#include <stdint.h>
#include "syscall/abi.h"

#define SYSCALL_ARG __attribute__((unused)) uint64_t
// Defines handler sys_<name>, taking the six argument registers in ABI order.
#define SYSCALL_DEFINE(name)                                                                          \
    __attribute__((no_caller_saved_registers)) long sys_##name(SYSCALL_ARG a0, SYSCALL_ARG a1, SYSCALL_ARG a2, \
                                                                SYSCALL_ARG a3, SYSCALL_ARG a4, SYSCALL_ARG a5)

typedef __attribute__((no_caller_saved_registers)) long (*syscall_handler)(uint64_t, uint64_t, uint64_t, uint64_t,
                                                                          uint64_t, uint64_t);

extern const syscall_handler syscall_table[SYS_NR];

SYSCALL_DEFINE(null);
SYSCALL_DEFINE(exit);
SYSCALL_DEFINE(write);
SYSCALL_DEFINE(getpid);
SYSCALL_DEFINE(clock_ns);
SYSCALL_DEFINE(sysinfo);
SYSCALL_DEFINE(spawn);
SYSCALL_DEFINE(getargs);
SYSCALL_DEFINE(trap_count);
SYSCALL_DEFINE(null_via_iret);
SYSCALL_DEFINE(bench_entry);
SYSCALL_DEFINE(kernel_rflags);

#endif
