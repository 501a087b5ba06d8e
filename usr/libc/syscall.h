// SPDX-License-Identifier: MIT
// System-call wrappers for ring 3, through either entry.
//
// Three layers:
//   lstar_call0..3(entry, nr, ...), lstar_call(entry, nr, a0..a5)
//                                 raw calls loading only the registers given, one instruction
//   lstar_<name>(entry, ...)      typed calls through either entry
//   sys_<name>(...)               the same through `syscall`, for everyday use
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
    ENTRY_SYSENTER, // `sysenter` -> SYSENTER_EIP stub -> `sysexitq` (or `iretq`); Intel CPUs only
};

// ---- `sysenter` (docs/abi.md, "sysenter and sysexit") ----
// SYSENTER saves neither RIP nor RSP: the caller passes its RSP in RCX and its return address in
// R11; the arguments are those of `syscall`. SYSEXIT takes RIP from RDX and RSP from RCX, so the
// call gives back RCX = RSP and RDX = the return address: RDX, the third argument, is lost.
// Only GenuineIntel CPUs execute it in 64-bit mode; AMD's raise #UD.
static inline long lstar_sysenter_call(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
    register long rdx __asm__("rdx") = a2;
    register long r10 __asm__("r10") = a3;
    register long r8 __asm__("r8") = a4;
    register long r9 __asm__("r9") = a5;
    __asm__ volatile("mov %%rsp, %%rcx\n\t"     // RSP: SYSENTER does not save it
                     "lea 1f(%%rip), %%r11\n\t" // the return address: nor this
                     "sysenter\n"
                     "1:"
                     : "+a"(nr), "+d"(rdx)
                     : "D"(a0), "S"(a1), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return nr;
}

// ---- raw calls ----

// Enters the kernel through `entry` with rax = rax_inout (the number in, the result out) and
// the argument registers bound by the asm input operands in `...` (none for a call without
// arguments). With a constant entry, as in every sys_<name>, only one asm statement remains.
#define LSTAR_ENTER(entry, rax_inout, ...)                                                        \
    do {                                                                                          \
        if ((entry) == ENTRY_INT80)                                                               \
            __asm__ volatile("int $0x80" : "+a"(rax_inout) : __VA_ARGS__ : "memory");             \
        else                                                                                      \
            __asm__ volatile("syscall" : "+a"(rax_inout) : __VA_ARGS__ : "rcx", "r11", "memory"); \
    } while (0)

// Call nr through `entry` with no arguments.
static inline long lstar_call0(enum lstar_entry entry, long nr)
{
    if (entry == ENTRY_SYSENTER)
        return lstar_sysenter_call(nr, 0, 0, 0, 0, 0, 0);
    LSTAR_ENTER(entry, nr);
    return nr;
}

// Call nr through `entry` with one argument (rdi).
static inline long lstar_call1(enum lstar_entry entry, long nr, long a0)
{
    if (entry == ENTRY_SYSENTER)
        return lstar_sysenter_call(nr, a0, 0, 0, 0, 0, 0);
    LSTAR_ENTER(entry, nr, "D"(a0));
    return nr;
}

// Call nr through `entry` with two arguments (rdi, rsi).
static inline long lstar_call2(enum lstar_entry entry, long nr, long a0, long a1)
{
    if (entry == ENTRY_SYSENTER)
        return lstar_sysenter_call(nr, a0, a1, 0, 0, 0, 0);
    LSTAR_ENTER(entry, nr, "D"(a0), "S"(a1));
    return nr;
}

// Call nr through `entry` with three arguments (rdi, rsi, rdx).
static inline long lstar_call3(enum lstar_entry entry, long nr, long a0, long a1, long a2)
{
    if (entry == ENTRY_SYSENTER)
        return lstar_sysenter_call(nr, a0, a1, a2, 0, 0, 0);
    LSTAR_ENTER(entry, nr, "D"(a0), "S"(a1), "d"(a2));
    return nr;
}

// Call nr through `entry` with all six argument registers (the kernel ignores those a call does
// not read). The fourth goes in r10, not rcx: `syscall` takes rcx, and `int 0x80` follows suit.
static inline long lstar_call(enum lstar_entry entry, long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
    if (entry == ENTRY_SYSENTER)
        return lstar_sysenter_call(nr, a0, a1, a2, a3, a4, a5);
    register long r10 __asm__("r10") = a3;
    register long r8 __asm__("r8") = a4;
    register long r9 __asm__("r9") = a5;
    LSTAR_ENTER(entry, nr, "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9));
    return nr;
}

// Name of an entry, as used in test names and logs ("syscall", "int80", "sysenter").
static inline const char *lstar_entry_name(enum lstar_entry entry)
{
    return entry == ENTRY_INT80 ? "int80" : entry == ENTRY_SYSENTER ? "sysenter" : "syscall";
}

// ---- typed calls: lstar_<name> through either entry, sys_<name> through `syscall` ----

// SYS_null: does nothing, returns 0.
static inline long lstar_null(enum lstar_entry e) { return lstar_call0(e, SYS_null); }
static inline long sys_null(void) { return lstar_null(ENTRY_SYSCALL); }

// SYS_exit: ends the caller; status & 0xff is what its parent sees. Prefer exit() from
// libc/stdlib.h to sys_exit: it flushes stdout first.
__attribute__((noreturn)) static inline void lstar_exit(enum lstar_entry e, int status)
{
    lstar_call1(e, SYS_exit, status);
    __builtin_unreachable();
}
__attribute__((noreturn)) static inline void sys_exit(int status) { lstar_exit(ENTRY_SYSCALL, status); }

// SYS_write: fd 1/2 console, fd 3 discard sink; returns len or -EBADF/-EFAULT.
static inline long lstar_write(enum lstar_entry e, int fd, const void *buf, size_t len)
{
    return lstar_call3(e, SYS_write, fd, (long)buf, (long)len);
}
static inline long sys_write(int fd, const void *buf, size_t len) { return lstar_write(ENTRY_SYSCALL, fd, buf, len); }

// SYS_getpid: the caller's process id.
static inline long lstar_getpid(enum lstar_entry e) { return lstar_call0(e, SYS_getpid); }
static inline long sys_getpid(void) { return lstar_getpid(ENTRY_SYSCALL); }

// SYS_clock_ns: monotonic nanoseconds since boot.
static inline long lstar_clock_ns(enum lstar_entry e) { return lstar_call0(e, SYS_clock_ns); }
static inline long sys_clock_ns(void) { return lstar_clock_ns(ENTRY_SYSCALL); }

// SYS_sysinfo: fills *buf; len must be at least sizeof *buf.
static inline long lstar_sysinfo(enum lstar_entry e, struct lstar_sysinfo *buf, size_t len)
{
    return lstar_call2(e, SYS_sysinfo, (long)buf, (long)len);
}
static inline long sys_sysinfo(struct lstar_sysinfo *buf, size_t len) { return lstar_sysinfo(ENTRY_SYSCALL, buf, len); }

// SYS_spawn: runs module `name` with argument string `args`, returns its fate.
static inline long lstar_spawn(enum lstar_entry e, const char *name, const char *args)
{
    return lstar_call2(e, SYS_spawn, (long)name, (long)args);
}
static inline long sys_spawn(const char *name, const char *args) { return lstar_spawn(ENTRY_SYSCALL, name, args); }

// SYS_getargs: copies the caller's argument string into buf; returns its length.
static inline long lstar_getargs(enum lstar_entry e, char *buf, size_t len)
{
    return lstar_call2(e, SYS_getargs, (long)buf, (long)len);
}
static inline long sys_getargs(char *buf, size_t len) { return lstar_getargs(ENTRY_SYSCALL, buf, len); }

// SYS_trap_count: how many ring-3 #DB traps the caller has taken.
static inline long lstar_trap_count(enum lstar_entry e) { return lstar_call0(e, SYS_trap_count); }
static inline long sys_trap_count(void) { return lstar_trap_count(ENTRY_SYSCALL); }

// SYS_null_via_iret: returns 0, leaving the kernel through `iretq`.
static inline long lstar_null_via_iret(enum lstar_entry e) { return lstar_call0(e, SYS_null_via_iret); }
static inline long sys_null_via_iret(void) { return lstar_null_via_iret(ENTRY_SYSCALL); }

// SYS_bench_entry: installs an empty entry (BENCH_ENTRY_*) or restores the real ones.
static inline long lstar_bench_entry(enum lstar_entry e, long mode) { return lstar_call1(e, SYS_bench_entry, mode); }
static inline long sys_bench_entry(long mode) { return lstar_bench_entry(ENTRY_SYSCALL, mode); }

// SYS_kernel_rflags: the RFLAGS a kernel handler ran with (KERNEL_RFLAGS_*).
static inline long lstar_kernel_rflags(enum lstar_entry e, long which)
{
    return lstar_call1(e, SYS_kernel_rflags, which);
}
static inline long sys_kernel_rflags(long which) { return lstar_kernel_rflags(ENTRY_SYSCALL, which); }

// SYS_getcpu: the number of the CPU the caller runs on, read by the kernel through GS.
static inline long lstar_getcpu(enum lstar_entry e) { return lstar_call0(e, SYS_getcpu); }
static inline long sys_getcpu(void) { return lstar_getcpu(ENTRY_SYSCALL); }

// SYS_sysenter_abi: SYSENTER_ABI_64 or SYSENTER_ABI_32, the entry this process's `sysenter` reaches.
static inline long sys_sysenter_abi(long abi) { return lstar_call1(ENTRY_SYSCALL, SYS_sysenter_abi, abi); }

#endif
