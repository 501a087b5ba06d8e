// SPDX-License-Identifier: MIT
// The few Linux system calls the benchmark's init makes, with no libc: raw `syscall` (x86-64
// ABI: number in rax; arguments in rdi, rsi, rdx, r10, r8, r9; rcx and r11 clobbered; result in
// rax, -errno on error), and printf over fd 1. The numbers and structures are Linux's own uapi
// headers (Debian's linux-libc-dev), never written here by hand.
#ifndef LSTAR_LINUX_BENCH_LINUX_SYS_H
#define LSTAR_LINUX_BENCH_LINUX_SYS_H

#include <stddef.h>
#include <stdint.h>

#include <asm/unistd_64.h>

#include "core/format.h"

// A Linux system call through `syscall` with up to six arguments.
static inline long linux_syscall6(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
    register long r10 __asm__("r10") = a3;
    register long r8 __asm__("r8") = a4;
    register long r9 __asm__("r9") = a5;
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory"); // syscall keeps the return RIP and RFLAGS there
    return ret;
}

static inline long linux_syscall3(long nr, long a0, long a1, long a2)
{
    return linux_syscall6(nr, a0, a1, a2, 0, 0, 0);
}

// A system call of the ia32 ABI through `int 0x80`, without arguments (the ones the benchmark
// checks): number in eax, result in eax. Linux 6.1 saves and restores every other register on
// this path (entry_INT80_compat), but r8-r11 were zeroed by kernels before 4.17: listed, so an
// older kernel cannot break the caller.
static inline long linux_int80(long nr)
{
    long ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr) : "r8", "r9", "r10", "r11", "memory");
    return (int)ret; // the ia32 ABI returns a 32-bit value
}

// Write all of buf to fd; returns n or a negative errno.
long linux_write_all(int fd, const void *buf, size_t n);

// Read up to size - 1 bytes of the file at path into buf, NUL-terminated, with trailing newlines
// removed; returns the length or a negative errno.
long linux_read_file(const char *path, char *buf, size_t size);

// printf to fd 1 through a line buffer (the shared formatting engine, src/core/format.c).
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

// Write out whatever printf has buffered.
void stdout_flush(void);

// snprintf, which is the engine itself.
#define snprintf format_buf

#endif
