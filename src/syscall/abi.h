// SPDX-License-Identifier: MIT
// The lstar system-call ABI, shared by the kernel and the ring-3 programs in usr/.
//
// Registers follow Linux x86_64: number in rax; arguments in rdi, rsi, rdx, r10, r8, r9;
// result in rax, a negative errno on failure. Both entries (`syscall` and `int 0x80`) take the
// same registers and reach the same table. `syscall` clobbers rcx and r11 (the CPU writes the
// return RIP and RFLAGS there, SDM Vol. 2B "SYSCALL"); `int 0x80` clobbers only rax.
// Every other register, and the user's RSP and flags (TF aside), survive. See docs/abi.md.
#ifndef LSTAR_SYSCALL_ABI_H
#define LSTAR_SYSCALL_ABI_H

// ---- system-call numbers (rax) ----
#define SYS_null 0           // does nothing, returns 0: the benchmark's subject
#define SYS_exit 1           // exit(status): ends the calling program; never returns
#define SYS_write 2          // write(fd, buf, len): fd 1/2 console, fd 3 discard sink
#define SYS_getpid 3         // getpid(): the caller's process id (init is 1)
#define SYS_clock_ns 4       // clock_ns(): monotonic nanoseconds since boot (TSC based)
#define SYS_sysinfo 5        // sysinfo(buf, len): fills struct lstar_sysinfo
#define SYS_spawn 6          // spawn(name, args): runs module `name` to completion
#define SYS_getargs 7        // getargs(buf, len): the caller's argument string
#define SYS_trap_count 8     // trap_count(): #DB traps this process took in ring 3
#define SYS_null_via_iret 9  // like SYS_null, but forces the iretq exit (benchmark)
#define SYS_bench_entry 10   // bench_entry(mode): installs an empty entry (benchmark)
#define SYS_kernel_rflags 11 // kernel_rflags(which): RFLAGS a kernel handler ran with (tests)
#define SYS_getcpu 12        // getcpu(): the number of the CPU the caller runs on
#define SYS_probe_regs 13    // probe_regs(value, entry): which registers the handler sees `value` in (tests)
#define SYS_sysenter_abi 14  // sysenter_abi(abi): which ABI this process's `sysenter` uses (Intel)
#define SYS_NR 15            // number of table slots; rax >= SYS_NR gives -ENOSYS
// A new number also needs its handler in SYSCALL_LIST (syscall_list.h), in the same place in
// number order: the table is built from that list and the build fails when they disagree.

// ---- kernel_rflags(which) ----
#define KERNEL_RFLAGS_THIS_CALL 0  // the flags this system call's handler runs with
#define KERNEL_RFLAGS_LAST_DEBUG 1 // the flags the #DB handler ran with at the caller's last step

// ---- errno values (Linux numbering, returned negated) ----
#define ENOENT 2  // spawn: no module with that name
#define E2BIG 7   // getargs: buffer too small for the string and its NUL
#define ENOEXEC 8 // spawn: the module is not a valid lstar ELF64 program
#define EBADF 9   // write: fd is not 1, 2 or 3
#define ENOMEM 12 // spawn: no process slot, or not enough free memory for the child
#define EFAULT 14 // a user pointer is NULL, kernel-half, non-canonical, wrapping or unmapped
#define EINVAL 22 // an argument is out of range
#define ENOSYS 38 // rax is not a system-call number

// The name of errno value `err` (or -err), or NULL when the ABI defines none: one table for the
// kernel's tracer and ring 3's libc.
static inline const char *lstar_errno_name(long err)
{
    switch (err < 0 ? -err : err) {
    case ENOENT:
        return "ENOENT";
    case E2BIG:
        return "E2BIG";
    case ENOEXEC:
        return "ENOEXEC";
    case EBADF:
        return "EBADF";
    case ENOMEM:
        return "ENOMEM";
    case EFAULT:
        return "EFAULT";
    case EINVAL:
        return "EINVAL";
    case ENOSYS:
        return "ENOSYS";
    default:
        return 0;
    }
}

// ---- SYS_bench_entry modes ----
// Empty entries let the benchmark measure the bare hardware mechanism. While one is installed
// the other entry still works, and is the way back: an empty LSTAR target is removed with
// `int 0x80`, an empty gate with `syscall`.
#define BENCH_ENTRY_RESTORE 0     // put the real LSTAR, CSTAR and SYSENTER stubs, int 0x80 gate and call gate back
#define BENCH_ENTRY_EMPTY_LSTAR 1 // LSTAR -> `o64 sysret` at once (no swapgs, no stack switch)
#define BENCH_ENTRY_EMPTY_GATE 2  // vector 0x80 -> `iretq` at once
// SYSENTER_EIP -> `sti; o64 sysexit` at once (GenuineIntel only: -EINVAL elsewhere); removed
// with `syscall` or `int 0x80`, like the others.
#define BENCH_ENTRY_EMPTY_SYSENTER 3
#define BENCH_ENTRY_EMPTY_CALLGATE 5 // this CPU's call gate -> `lretq` at once (callgate_entry.asm)
#define BENCH_ENTRY_EMPTY_CSTAR 6    // IA32_CSTAR -> 32-bit `sysret` at once
// SYSENTER_EIP -> the empty stub of compatibility-mode `sysenter` (sysenter32_empty; GenuineIntel
// only: -EINVAL elsewhere); removed with `syscall` or `int 0x80`, which restore the process's ABI.
#define BENCH_ENTRY_EMPTY_SYSENTER32 7
#define BENCH_ENTRY_MODES 8 // every mode is below this (4 unused); any other: -EINVAL

// ---- SYS_sysenter_abi(abi) ----
// SYSENTER has one target, IA32_SYSENTER_EIP, and leaves nothing that tells a 64-bit caller from a
// compatibility-mode one, so each process says which it is (docs/abi.md, "sysenter from
// compatibility mode"); the context switch points SYSENTER_EIP of its CPU at that entry. Any
// other value, or a CPU without `sysenter` in long mode (not GenuineIntel), gives -EINVAL.
#define SYSENTER_ABI_64 64 // the default: sysenter_entry, the 64-bit ABI (RCX = RSP, R11 = RIP)
#define SYSENTER_ABI_32 32 // sysenter32_entry: the i386 ABI, EBP = ESP and EDI = EIP

// ---- SYS_spawn result ----
// A non-negative result is the child's fate: its exit status (0..255) when it called exit,
// SPAWN_FAULTED | vector when the kernel stopped it after an exception, or SPAWN_TIMED_OUT
// when it used up the ring-3 time the kernel's limit= option allows.
#define SPAWN_FAULTED 0x100
#define SPAWN_TIMED_OUT 0x200

// ---- user address space ----
#define USER_IMAGE_BASE 0x0000000000400000ull // lowest address an ELF segment may use
#define USER_STACK_TOP 0x00007ffffffe0000ull  // initial RSP; the page above is a guard
#define USER_STACK_SIZE 0x0000000000010000ull // 64 KiB, with an unmapped guard page below
#define USER_CEILING 0x00007ffffffff000ull    // first address ring 3 may never use (< 2^47)

// ---- SYS_sysinfo ----
struct lstar_sysinfo {
    unsigned long long tsc_hz;   // TSC frequency (CPUID 0x15/0x16 or PIT calibration)
    unsigned long long boot_tsc; // TSC when the kernel started
    unsigned int cpu;            // CPU number the caller runs on
    unsigned int features;       // LSTAR_FEATURE_* bits in force
    char cpu_vendor[16];         // CPUID leaf 0 vendor string, NUL-terminated
    char cpu_brand[64];          // CPUID 0x80000002..4 brand string, NUL-terminated
    char hypervisor[16];         // CPUID 0x40000000 signature, "" on bare metal
    char commit[16];             // kernel git commit (short), "unknown" outside git
    char tsc_source[16];         // "cpuid15", "cpuid16" or "pit"
};
#define LSTAR_FEATURE_SMEP (1u << 0)
#define LSTAR_FEATURE_SMAP (1u << 1)
#define LSTAR_FEATURE_UMIP (1u << 2)

#endif
