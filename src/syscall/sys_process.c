// SPDX-License-Identifier: MIT
// Process system calls: exit, spawn, getargs.
#include "arch/x86_64/user_copy.h"
#include "core/process.h"
#include "core/string.h"
#include "syscall/syscall_table.h"

// SYS_exit(status): ends the caller; the parent's spawn returns status & 0xff.
SYSCALL_DEFINE(exit) { process_exit((int)a0); }

// SYS_spawn(name, args): runs a module as a child to completion and returns its fate.
SYSCALL_DEFINE(spawn)
{
    char name[PROCESS_ARGS_MAX], args[PROCESS_ARGS_MAX]; // both: up to 127 bytes and a NUL
    long n = copy_string_from_user(name, a0, sizeof name);
    if (n < 0)
        return n;
    n = a1 ? copy_string_from_user(args, a1, sizeof args) : (args[0] = 0, 0);
    if (n < 0)
        return n;
    return process_spawn(name, args);
}

// SYS_getargs(buf, len): copies the caller's argument string with its NUL.
SYSCALL_DEFINE(getargs)
{
    const char *args = process_current()->args;
    uint64_t n = strlen(args);
    if (a1 < n + 1)
        return -E2BIG;
    if (copy_to_user(a0, args, n + 1) != 0)
        return -EFAULT;
    return (long)n;
}
