// System-call wrappers for ring 3, through either entry.
//
// Four layers:
//   lstar_syscallN / lstar_int80_N  raw calls with N arguments, one instruction each
//   lstar_call(entry, nr, a0..a5)   either entry, chosen at run time (tests, benchmark)
//   lstar_<name>(entry, ...)        typed calls through either entry
//   sys_<name>(...)                 typed calls through `syscall`, for everyday use
//
// Registers (see docs/abi.md): rax = number; rdi, rsi, rdx, r10, r8, r9 = arguments; result in
// rax, negative errno on failure. `syscall` overwrites rcx (return RIP) and r11 (RFLAGS), so
// those are clobbered; `int 0x80` changes only rax. "memory" because the kernel reads and
// writes user buffers behind the compiler's back.
#ifndef LSTAR_LIBC_SYSCALL_H
#define LSTAR_LIBC_SYSCALL_H

#include <stddef.h>

#include "syscall/abi.h"

// Which instruction enters the kernel.
enum lstar_entry {
    ENTRY_SYSCALL,  // `syscall` -> LSTAR stub -> `sysretq` (or `iretq` when sysret is unsafe)
    ENTRY_INT80,    // `int 0x80` -> DPL-3 interrupt gate -> `iretq`
};

// ---- raw calls through `syscall` ----

// Call nr with no arguments through `syscall`.
static inline long lstar_syscall0(long nr)
{
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(nr) : "rcx", "r11", "memory");
    return ret;
}

// Call nr with one argument through `syscall`.
static inline long lstar_syscall1(long nr, long a0)
{
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a0) : "rcx", "r11", "memory");
    return ret;
}

// Call nr with two arguments through `syscall`.
static inline long lstar_syscall2(long nr, long a0, long a1)
{
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a0), "S"(a1) : "rcx", "r11", "memory");
    return ret;
}

// Call nr with three arguments through `syscall`.
static inline long lstar_syscall3(long nr, long a0, long a1, long a2)
{
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a0), "S"(a1), "d"(a2)
                     : "rcx", "r11", "memory");
    return ret;
}

// Call nr with four arguments through `syscall`; the fourth goes in r10 (rcx is taken by the CPU).
static inline long lstar_syscall4(long nr, long a0, long a1, long a2, long a3)
{
    register long r10 __asm__("r10") = a3;
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10)
                     : "rcx", "r11", "memory");
    return ret;
}

// Call nr with five arguments through `syscall`.
static inline long lstar_syscall5(long nr, long a0, long a1, long a2, long a3, long a4)
{
    register long r10 __asm__("r10") = a3;
    register long r8 __asm__("r8") = a4;
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8)
                     : "rcx", "r11", "memory");
    return ret;
}

// Call nr with six arguments through `syscall`.
static inline long lstar_syscall6(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
    register long r10 __asm__("r10") = a3;
    register long r8 __asm__("r8") = a4;
    register long r9 __asm__("r9") = a5;
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

// ---- raw calls through `int 0x80`: same registers, only rax changes ----

// Call nr with no arguments through `int 0x80`.
static inline long lstar_int80_0(long nr)
{
    long ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr) : "memory");
    return ret;
}

// Call nr with one argument through `int 0x80`.
static inline long lstar_int80_1(long nr, long a0)
{
    long ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "D"(a0) : "memory");
    return ret;
}

// Call nr with two arguments through `int 0x80`.
static inline long lstar_int80_2(long nr, long a0, long a1)
{
    long ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "D"(a0), "S"(a1) : "memory");
    return ret;
}

// Call nr with three arguments through `int 0x80`.
static inline long lstar_int80_3(long nr, long a0, long a1, long a2)
{
    long ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "D"(a0), "S"(a1), "d"(a2) : "memory");
    return ret;
}

// Call nr with four arguments through `int 0x80`; r10 as for `syscall`, so one ABI serves both.
static inline long lstar_int80_4(long nr, long a0, long a1, long a2, long a3)
{
    register long r10 __asm__("r10") = a3;
    long ret;
    __asm__ volatile("int $0x80"
                     : "=a"(ret)
                     : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10)
                     : "memory");
    return ret;
}

// Call nr with five arguments through `int 0x80`.
static inline long lstar_int80_5(long nr, long a0, long a1, long a2, long a3, long a4)
{
    register long r10 __asm__("r10") = a3;
    register long r8 __asm__("r8") = a4;
    long ret;
    __asm__ volatile("int $0x80"
                     : "=a"(ret)
                     : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8)
                     : "memory");
    return ret;
}

// Call nr with six arguments through `int 0x80`.
static inline long lstar_int80_6(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
    register long r10 __asm__("r10") = a3;
    register long r8 __asm__("r8") = a4;
    register long r9 __asm__("r9") = a5;
    long ret;
    __asm__ volatile("int $0x80"
                     : "=a"(ret)
                     : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
                     : "memory");
    return ret;
}

// ---- either entry ----

// Call nr through the given entry with six arguments (unused ones are ignored by the kernel).
static inline long lstar_call(enum lstar_entry entry, long nr, long a0, long a1, long a2,
                              long a3, long a4, long a5)
{
    if (entry == ENTRY_INT80)
        return lstar_int80_6(nr, a0, a1, a2, a3, a4, a5);
    return lstar_syscall6(nr, a0, a1, a2, a3, a4, a5);
}

// Name of an entry, as used in test names and logs ("syscall", "int80").
static inline const char *lstar_entry_name(enum lstar_entry entry)
{
    return entry == ENTRY_INT80 ? "int80" : "syscall";
}

// ---- typed calls through either entry ----

// SYS_null: does nothing, returns 0.
static inline long lstar_null(enum lstar_entry e)
{
    return lstar_call(e, SYS_null, 0, 0, 0, 0, 0, 0);
}

// SYS_exit: ends the caller; status & 0xff is what its parent sees.
__attribute__((noreturn)) static inline void lstar_exit(enum lstar_entry e, int status)
{
    lstar_call(e, SYS_exit, status, 0, 0, 0, 0, 0);
    __builtin_unreachable();
}

// SYS_write: fd 1/2 console, fd 3 discard sink; returns len or -EBADF/-EFAULT.
static inline long lstar_write(enum lstar_entry e, int fd, const void *buf, size_t len)
{
    return lstar_call(e, SYS_write, fd, (long)buf, (long)len, 0, 0, 0);
}

// SYS_getpid: the caller's process id.
static inline long lstar_getpid(enum lstar_entry e)
{
    return lstar_call(e, SYS_getpid, 0, 0, 0, 0, 0, 0);
}

// SYS_clock_ns: monotonic nanoseconds since boot.
static inline long lstar_clock_ns(enum lstar_entry e)
{
    return lstar_call(e, SYS_clock_ns, 0, 0, 0, 0, 0, 0);
}

// SYS_sysinfo: fills *buf; len must be at least sizeof *buf.
static inline long lstar_sysinfo(enum lstar_entry e, struct lstar_sysinfo *buf, size_t len)
{
    return lstar_call(e, SYS_sysinfo, (long)buf, (long)len, 0, 0, 0, 0);
}

// SYS_spawn: runs module `name` with argument string `args`, returns its fate.
static inline long lstar_spawn(enum lstar_entry e, const char *name, const char *args)
{
    return lstar_call(e, SYS_spawn, (long)name, (long)args, 0, 0, 0, 0);
}

// SYS_getargs: copies the caller's argument string into buf; returns its length.
static inline long lstar_getargs(enum lstar_entry e, char *buf, size_t len)
{
    return lstar_call(e, SYS_getargs, (long)buf, (long)len, 0, 0, 0, 0);
}

// SYS_trap_count: how many ring-3 #DB traps the caller has taken.
static inline long lstar_trap_count(enum lstar_entry e)
{
    return lstar_call(e, SYS_trap_count, 0, 0, 0, 0, 0, 0);
}

// SYS_kernel_rflags: the RFLAGS a kernel handler ran with (KERNEL_RFLAGS_*).
static inline long lstar_kernel_rflags(enum lstar_entry e, long which)
{
    return lstar_call(e, SYS_kernel_rflags, which, 0, 0, 0, 0, 0);
}

// SYS_null_via_iret: returns 0, leaving the kernel through `iretq`.
static inline long lstar_null_via_iret(enum lstar_entry e)
{
    return lstar_call(e, SYS_null_via_iret, 0, 0, 0, 0, 0, 0);
}

// SYS_bench_entry: installs an empty entry (BENCH_ENTRY_*) or restores the real ones.
static inline long lstar_bench_entry(enum lstar_entry e, long mode)
{
    return lstar_call(e, SYS_bench_entry, mode, 0, 0, 0, 0, 0);
}

// ---- typed calls through `syscall`, loading only the registers each call reads ----

// SYS_null through `syscall`.
static inline long sys_null(void)
{
    return lstar_syscall0(SYS_null);
}

// SYS_exit through `syscall`; prefer exit() from libc/stdlib.h, which flushes stdout first.
__attribute__((noreturn)) static inline void sys_exit(int status)
{
    lstar_syscall1(SYS_exit, status);
    __builtin_unreachable();
}

// SYS_write through `syscall`.
static inline long sys_write(int fd, const void *buf, size_t len)
{
    return lstar_syscall3(SYS_write, fd, (long)buf, (long)len);
}

// SYS_getpid through `syscall`.
static inline long sys_getpid(void)
{
    return lstar_syscall0(SYS_getpid);
}

// SYS_clock_ns through `syscall`.
static inline long sys_clock_ns(void)
{
    return lstar_syscall0(SYS_clock_ns);
}

// SYS_sysinfo through `syscall`.
static inline long sys_sysinfo(struct lstar_sysinfo *buf, size_t len)
{
    return lstar_syscall2(SYS_sysinfo, (long)buf, (long)len);
}

// SYS_spawn through `syscall`.
static inline long sys_spawn(const char *name, const char *args)
{
    return lstar_syscall2(SYS_spawn, (long)name, (long)args);
}

// SYS_getargs through `syscall`.
static inline long sys_getargs(char *buf, size_t len)
{
    return lstar_syscall2(SYS_getargs, (long)buf, (long)len);
}

// SYS_trap_count through `syscall`.
static inline long sys_trap_count(void)
{
    return lstar_syscall0(SYS_trap_count);
}

// SYS_null_via_iret through `syscall`.
static inline long sys_null_via_iret(void)
{
    return lstar_syscall0(SYS_null_via_iret);
}

// SYS_bench_entry through `syscall`.
static inline long sys_bench_entry(long mode)
{
    return lstar_syscall1(SYS_bench_entry, mode);
}

#endif
