// SPDX-License-Identifier: MIT
// fuzz: random system calls through both entries, every register random, every pointer hostile
// or harmless by chance. The kernel must answer each with a result the ABI allows, give back
// every register it promises to, and survive: the run ends with `fuzz: N passed, M failed`.
//
// Arguments: `calls=N` (default 100000), `seed=N` (default 1). The seed and the failing call's
// number are printed, so a failure replays exactly with the same arguments.
//
// Not fuzzed, because their effect is the point and the selftest covers them: exit (ends the
// fuzzer), spawn (runs programs), and bench_entry's real modes (would empty an entry).
#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/arch_bits.h"
#include "libc/stdio.h"
#include "libc/stdlib.h"
#include "libc/string.h"
#include "libc/syscall.h"
#include "selftest/regs.h"

#define DEFAULT_CALLS 100000
#define REPORT_LIMIT 20 // failures printed in full; the rest are only counted

// Memory the fuzzer owns and may let the kernel write: nothing else it points at is writable.
static char scratch[2 * 4096] __attribute__((aligned(4096)));

static uint64_t rng_state;

// xorshift64*: small, fast, and the same sequence for the same seed everywhere.
static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

// A random value of the kinds that break kernels: small numbers, edges, hostile addresses.
static uint64_t hostile_value(void)
{
    static const uint64_t edges[] = {
        0,
        1,
        2,
        3,
        4,
        7,
        8,
        64,
        4095,
        4096,
        4097,
        0x7fffffff,
        0x80000000,
        0xffffffff,
        0x100000000ull,
        0x7fffffffffffffffull,
        0x8000000000000000ull,
        ~0ull,
        ~0ull - 4095,
        0x10000,            // unmapped user page
        USER_IMAGE_BASE,    // the program's own text: readable, not writable
        USER_STACK_TOP - 8, // the last bytes of the stack
        USER_CEILING - 1,
        USER_CEILING,          // the last byte ring 3 could ever own, and past it
        0x0000800000000000ull, // first non-canonical address
        0xffff800000000000ull, // the kernel's direct map
        0xffffffff80000000ull, // the kernel image
        0xfffffffffffff000ull, // the top page
    };
    switch (rng() % 4) {
    case 0:
        return edges[rng() % (sizeof edges / sizeof edges[0])];
    case 1:
        return (uint64_t)scratch + rng() % sizeof scratch; // inside the fuzzer's buffer
    case 2:
        return rng() % 512;
    default:
        return rng();
    }
}

// Whether `r` is a result the ABI allows for call `nr` with these arguments.
static bool result_allowed(uint64_t nr, const uint64_t *a, long r, long pid, long cpu)
{
    switch (nr) {
    case SYS_null:
    case SYS_null_via_iret:
        return r == 0;
    case SYS_getpid:
        return r == pid;
    case SYS_getcpu:
        return r == cpu;
    case SYS_clock_ns:
    case SYS_trap_count:
        return r >= 0;
    case SYS_write:
        if (a[0] < 1 || a[0] > 3)
            return r == -EBADF;
        return r == (long)a[2] || r == -EFAULT;
    case SYS_sysinfo:
        return r == 0 || r == -EINVAL || r == -EFAULT;
    case SYS_getargs:
        return r >= 0 || r == -E2BIG || r == -EFAULT;
    case SYS_bench_entry:
        return r == -EINVAL;
    case SYS_kernel_rflags:
        return a[0] > KERNEL_RFLAGS_LAST_DEBUG ? r == -EINVAL : r >= 0;
    case SYS_probe_regs:
        return r >= 0 && r <= 8; // how many of eight registers held a[0]
    default:
        return r == -ENOSYS;
    }
}

// Picks a call number: mostly real ones, the rest anywhere in 64 bits.
static uint64_t pick_number(void)
{
    static const uint64_t allowed[] = {SYS_null,        SYS_write,         SYS_getpid,     SYS_clock_ns,
                                       SYS_sysinfo,     SYS_getargs,       SYS_trap_count, SYS_null_via_iret,
                                       SYS_bench_entry, SYS_kernel_rflags, SYS_getcpu};
    switch (rng() % 4) {
    case 0:
        return hostile_value();
    case 1:
        return SYS_NR + rng() % 8;
    default:
        return allowed[rng() % (sizeof allowed / sizeof allowed[0])];
    }
}

// Whether a number would reach one of the calls the fuzzer must not make. sysenter_abi(32)
// would send the fuzzer's own 64-bit `sysenter` calls to the compatibility-mode entry.
static bool forbidden(uint64_t nr) { return nr == SYS_exit || nr == SYS_spawn || nr == SYS_sysenter_abi; }

// Offsets of the fifteen general registers in struct regs (regs_layout.h), rax first.
static const unsigned gpr_offsets[15] = {REGS_RAX, REGS_RBX, REGS_RCX, REGS_RDX, REGS_RSI, REGS_RDI, REGS_RBP, REGS_R8,
                                         REGS_R9,  REGS_R10, REGS_R11, REGS_R12, REGS_R13, REGS_R14, REGS_R15};

// Reads the register at byte offset `offset` of r.
static uint64_t gpr(const struct regs *r, unsigned offset)
{
    uint64_t v;
    memcpy(&v, (const char *)r + offset, sizeof v);
    return v;
}

// Makes one random call; returns whether the kernel's answer and the registers were right.
static bool fuzz_one(unsigned long long index, long pid, long cpu, bool report)
{
    uint64_t nr;
    do
        nr = pick_number();
    while (forbidden(nr));

    struct regs in, out;
    memset(&in, 0, sizeof in);
    for (int i = 0; i < 15; i++) {
        uint64_t v = rng();
        memcpy((char *)&in + gpr_offsets[i], &v, sizeof v);
    }
    in.rax = nr;
    in.rdi = hostile_value();
    in.rsi = hostile_value();
    in.rdx = hostile_value() % (rng() % 2 ? 65 : 1u << 20); // a length: mostly short
    in.r10 = hostile_value();
    in.r8 = hostile_value();
    in.r9 = hostile_value();
    if (nr == SYS_write && (in.rdi == 1 || in.rdi == 2))
        in.rdi = 3; // the sink: random bytes have no business on the console
    if (nr == SYS_bench_entry)
        in.rdi = BENCH_ENTRY_MODES + rng() % 1000; // only modes that do not exist
    if (nr == SYS_kernel_rflags && rng() % 2)
        in.rdi = rng() % 3; // the two real questions, and the first that is not
    in.rflags = RFLAGS_FIXED | RFLAGS_IF;

    bool via_syscall = rng() % 2;
    if (via_syscall)
        regs_call_syscall(&in, &out);
    else
        regs_call_int80(&in, &out);

    uint64_t args[3] = {in.rdi, in.rsi, in.rdx};
    bool ok = result_allowed(nr, args, (long)out.rax, pid, cpu);
    for (int i = 1; i < 15; i++) { // every register but rax; rcx and r11 are syscall's own
        unsigned off = gpr_offsets[i];
        bool clobbered = via_syscall && (off == REGS_RCX || off == REGS_R11);
        if (!clobbered && gpr(&in, off) != gpr(&out, off))
            ok = false;
    }
    ok = ok && out.rsp == out.rsp_before;
    if (!ok && report)
        printf("[fuzz] FAIL call %llu via %s: nr=0x%lx args=0x%lx 0x%lx 0x%lx -> 0x%lx\n", index,
               via_syscall ? "syscall" : "int80", nr, in.rdi, in.rsi, in.rdx, out.rax);
    return ok;
}

// Parses calls=N and seed=N.
int main(int argc, char **argv)
{
    uint64_t calls = DEFAULT_CALLS, seed = 1;
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "calls=", 6) == 0 && parse_u64(argv[i] + 6, &calls) && calls > 0)
            continue;
        if (strncmp(argv[i], "seed=", 5) == 0 && parse_u64(argv[i] + 5, &seed) && seed != 0)
            continue;
        printf("usage: fuzz [calls=N] [seed=N]  (N > 0)\n");
        return 2;
    }
    rng_state = seed;
    long pid = sys_getpid();
    struct lstar_sysinfo info; // getcpu must name the CPU sysinfo names (a program stays put)
    long cpu = sys_sysinfo(&info, sizeof info) == 0 ? (long)info.cpu : -1;
    printf("[fuzz] %llu random calls through both entries, seed %llu\n", (unsigned long long)calls,
           (unsigned long long)seed);
    unsigned long long passed = 0, failed = 0;
    for (uint64_t i = 0; i < calls; i++) {
        if (fuzz_one(i, pid, cpu, failed < REPORT_LIMIT))
            passed++;
        else
            failed++;
    }
    printf("fuzz: %llu passed, %llu failed\n", passed, failed);
    return failed ? 1 : 0;
}
