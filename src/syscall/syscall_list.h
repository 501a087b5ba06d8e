// SPDX-License-Identifier: MIT
// Which handler serves each system-call number: the one list the table and the handlers'
// prototypes are generated from (syscall_table.h, syscall_table.c).
//
// X(name) pairs SYS_<name> (abi.h) with handler sys_<name>. The list is in number order, one
// entry per number below SYS_NR; syscall_table.c proves both at compile time, so a number
// without a handler (a NULL slot the stubs would call in ring 0) cannot be built. The numbers
// themselves stay plain `#define`s in abi.h, which NASM and ring 3 read as they are.
#ifndef LSTAR_SYSCALL_LIST_H
#define LSTAR_SYSCALL_LIST_H

#define SYSCALL_LIST(X) \
    X(null)             \
    X(exit)             \
    X(write)            \
    X(getpid)           \
    X(clock_ns)         \
    X(sysinfo)          \
    X(spawn)            \
    X(getargs)          \
    X(trap_count)       \
    X(null_via_iret)    \
    X(bench_entry)      \
    X(kernel_rflags)    \
    X(getcpu)           \
    X(probe_regs)       \
    X(sysenter_abi)

#endif
