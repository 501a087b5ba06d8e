// SPDX-License-Identifier: MIT
// crash: faults on purpose, in the way its argument names, so tests can prove the kernel reports
// a ring-3 exception, ends only this program, and goes on.
//
// Every fault is raised from inline assembly: in C, a null dereference or a division by zero is
// undefined behaviour the compiler may turn into something else (gcc emits ud2 for the former).
// If the instruction does not fault, crash says so and exits 1, which the parent sees as a
// wrong fate.
#include <stdint.h>

#include "libc/entries32.h"
#include "libc/errno.h"
#include "libc/stdio.h"
#include "libc/stdlib.h"
#include "libc/string.h"
#include "libc/syscall.h"

// Addresses ring 3 must never reach.
#define KERNEL_ADDRESS 0xffffffff80100000ull       // in the kernel's higher-half image
#define NONCANONICAL_ADDRESS 0x0000800000000000ull // first address past the lower canonical half

// Read one byte at addr with a plain load the compiler cannot reason about.
static void read_byte_at(uint64_t addr)
{
    uint8_t value;
    __asm__ volatile("movb (%1), %0" : "=r"(value) : "r"(addr) : "memory");
}

// ud2: the architecturally undefined instruction, #UD (vector 6).
static void raise_ud(void) { __asm__ volatile("ud2"); }

// hlt is privileged: at CPL 3 it raises #GP(0) (vector 13).
static void raise_gp(void) { __asm__ volatile("hlt"); }

// int3 goes through IDT vector 3, whose DPL is 0: from CPL 3 that is #GP (vector 13), not #BP.
static void raise_int3(void) { __asm__ volatile("int3"); }

// int $0x81: every vector but 0x80 has DPL 0, so #GP (vector 13).
static void raise_int81(void) { __asm__ volatile("int $0x81"); }

// Divide by zero: #DE (vector 0).
static void raise_de(void) { __asm__ volatile("divl %%ecx" : : "a"(1), "d"(0), "c"(0)); }

// Touch one page after another below RSP until the guard page under the 64 KiB stack: #PF (14).
// RSP itself walks down, so the fault is a real stack overflow; this never returns.
__attribute__((noreturn)) static void overflow_stack(void)
{
    __asm__ volatile("1:\n\t"
                     "sub $4096, %%rsp\n\t" // one page deeper
                     "movq $0, (%%rsp)\n\t" // touch it: mapped until the guard page
                     "jmp 1b"
                     :
                     :
                     : "memory");
    __builtin_unreachable();
}

// ud2 with DF and AC set: the exception stub must clear both before the kernel's C code runs
// (the fault report says which flags its handler ran with).
static void raise_ud_with_df_and_ac(void)
{
    __asm__ volatile("pushfq\n\t"
                     "orq $0x40400, (%%rsp)\n\t" // AC (bit 18) and DF (bit 10)
                     "popfq\n\t"
                     "ud2" ::
                         : "memory", "cc");
}

// Jump into the kernel's half: an instruction fetch at CPL 3 from a supervisor page, a
// user/supervisor violation (SDM Vol. 3A "Access Rights"), is #PF (vector 14) with or without SMEP.
static void jump_to_kernel(void) { __asm__ volatile("jmp *%0" : : "r"(KERNEL_ADDRESS)); }

#define SYSENTER_CALLS 8         // crash:sysenter-calls
#define SYSENTER32_CALLS 9       // crash:compat-sysenter32-calls (tests/gdb/sysexit32_checks.gdb)
#define CRASH_SYSENTER_STATUS 61 // spawn_tests.c expects it from crash:sysenter on Intel

// sysenter: exit(CRASH_SYSENTER_STATUS) through `sysenter`. Intel CPUs enter the kernel, which
// programs IA32_SYSENTER_* on them, and the program exits with that status; AMD CPUs do not
// offer sysenter in long mode and raise #UD (6), and the kernel programs nothing there.
static void raise_sysenter(void) { lstar_sysenter_call(SYS_exit, CRASH_SYSENTER_STATUS, 0, 0, 0, 0, 0); }

// getpid through `sysenter` with a non-canonical return address in R11 (docs/abi.md: the caller
// passes it). SYSEXIT would raise #GP in ring 0 for such an RDX; the kernel's exit must leave by
// iretq instead, whose own #GP on the frame the kernel reports, ending only this program. AMD: #UD.
static void sysenter_to_noncanonical_rip(void)
{
    __asm__ volatile("mov %%rsp, %%rcx\n\t"
                     "movabs %1, %%r11\n\t"
                     "sysenter" ::"a"((long)SYS_getpid),
                     "i"(NONCANONICAL_ADDRESS)
                     : "rcx", "rdx", "r11", "memory");
}

// wrgsbase with a kernel address: #UD (vector 6) while CR4.FSGSBASE = 0, as the kernel keeps it
// (control_regs.c), and on a CPU without FSGSBASE. Were it allowed, ring 3 would choose the GS
// base by whose sign the NMI, #MC and #DB entries decide whether to swapgs (trap_stubs.asm).
static void raise_wrgsbase(void) { __asm__ volatile("wrgsbase %0" : : "r"(KERNEL_ADDRESS)); }

// rdpmc of counter 0 from ring 3: #GP (vector 13) while CR4.PCE = 0. (With PCE = 1 QEMU's TCG,
// which models no counters, raises #UD instead: the two settings still look different.)
static void raise_rdpmc(void) { __asm__ volatile("rdpmc" : : "c"(0) : "eax", "edx"); }

// Defined in compat.asm: `syscall` from compatibility mode; returns its EAX.
int64_t compat_mode_syscall(void);
// Defined in compat.asm: getpid through `int 0x80` from compatibility mode; returns its EAX.
int64_t compat_mode_int80_getpid(void);
// Defined in compat.asm: getpid through `sysenter` from compatibility mode under the default
// SYSENTER_ABI_64, which comes back in 64-bit mode at the R11 set before (docs/abi.md); returns its RAX.
int64_t compat_mode_sysenter_getpid(void);
// Defined in compat.asm: getpid through `sysenter` from compatibility mode with the
// compatibility-mode sysenter ABI, back in compatibility mode.
int64_t compat_mode_sysenter32_getpid(void);
// The same with TF set just before the `sysenter` (compat.asm).
int64_t compat_mode_sysenter32_tf_getpid(void);

#define VECTOR_BY_VENDOR (-1) // sysenter: exits 61 on Intel, #UD on AMD; each CPU model's test states which

// One way to crash: its argument, what it does, and the vector the parent should see.
struct fault {
    const char *arg;
    const char *what;
    int vector;
    void (*raise)(void);
};

// pf-* and exit-N are handled in main: they need an address or a number.
static const struct fault faults[] = {
    {"ud", "execute ud2", 6, raise_ud},
    {"ud-df-ac", "execute ud2 with DF and AC set", 6, raise_ud_with_df_and_ac},
    {"gp", "execute hlt (privileged)", 13, raise_gp},
    {"int3", "execute int3 (vector 3 has DPL 0)", 13, raise_int3},
    {"int81", "execute int $0x81 (DPL 0)", 13, raise_int81},
    {"de", "divide by zero", 0, raise_de},
    {"kernel-page", "jump to kernel address 0xffffffff80100000 (supervisor page)", 14, jump_to_kernel},
    {"sysenter", "exit(61) through sysenter (Intel: exits 61; AMD: not in long mode)", VECTOR_BY_VENDOR,
     raise_sysenter},
    {"wrgsbase", "execute wrgsbase with kernel address 0xffffffff80100000 (CR4.FSGSBASE is 0)", 6, raise_wrgsbase},
    {"rdpmc", "execute rdpmc (CR4.PCE is 0)", 13, raise_rdpmc},
};

// crash:nest spawns another crash:nest, which spawns another, until the kernel refuses one
// (each CPU has its share of the process slots, process.c). The last one holds its place, and
// with it every slot above it, for NEST_HOLD_NS, so that programs on other CPUs must find
// slots of their own meanwhile; then each exits 0. Any refusal but -ENOMEM, or a child's fate
// other than 0, is passed up as status 1.
#define NEST_HOLD_NS 3000000000ll

static int nest(void)
{
    long fate = sys_spawn("crash", "nest");
    if (fate == -ENOMEM) {
        printf("[crash] nest: pid %ld: spawn refused with -ENOMEM; holding every slot above for 3 s\n", sys_getpid());
        stdout_flush();
        long end = sys_clock_ns() + NEST_HOLD_NS;
        while (sys_clock_ns() < end)
            ;
        return 0;
    }
    return fate == 0 ? 0 : 1;
}

// crash:storm spawns crash:exit-0 STORM_SPAWNS times, one after another, and checks that each
// child started and exited 0. Run on every CPU at once, it takes and frees process slots as fast
// as the kernel can, which is how a process table without its lock shows: two CPUs handed one
// slot share its kernel stack, and the kernel faults.
#define STORM_SPAWNS 1000

static int storm(void)
{
    for (int i = 0; i < STORM_SPAWNS; i++) {
        long fate = sys_spawn("crash", "exit-0");
        if (fate != 0) {
            printf("[crash] storm: spawn %d of %d gave %ld\n", i + 1, STORM_SPAWNS, fate);
            return 1;
        }
    }
    printf("[crash] storm: %d spawns, each child exited 0\n", STORM_SPAWNS);
    return 0;
}

// crash:print writes 200-byte lines, one write each, for PRINT_NS of its clock, then exits 0: a
// CPU that spends most of its time in the console (holding its lock, or queued for it), which is
// where an NMI, #MC or #DB must find the kernel printing and still not wait (docs/design.md
// "Exception context").
#define PRINT_NS 3000000000ll
#define PRINT_LINE 200 // bytes with the newline

static int print_lines(void)
{
    char line[PRINT_LINE];
    long pid = sys_getpid(), end = sys_clock_ns() + PRINT_NS;
    for (unsigned long n = 0; sys_clock_ns() < end; n++) {
        int len = snprintf(line, sizeof line, "[crash] print: pid %ld line %lu ", pid, n);
        memset(line + len, '.', PRINT_LINE - 1 - len);
        line[PRINT_LINE - 1] = '\n';
        sys_write(1, line, PRINT_LINE);
    }
    return 0;
}

// crash:calls makes a fixed sequence of system calls through both entries and exits 0, for the
// trace= test (tests/qemu/trace.cmake), which expects one kernel line for each of them in this
// order. No libc output: printf would add calls of its own. Numbers no handler serves go
// through each entry once, so the tracer's -ENOSYS path is seen from both.
#define CALLS_NO_SUCH 0x1234abcd
static int make_calls(void)
{
    static const char hello[] = "calls: hello\n";
    sys_write(1, hello, sizeof hello - 1);
    sys_write(9, hello, 1); // -EBADF
    sys_getpid();
    lstar_getpid(ENTRY_INT80);
    lstar_call0(ENTRY_SYSCALL, CALLS_NO_SUCH);
    lstar_call0(ENTRY_INT80, CALLS_NO_SUCH);
    sys_exit(0);
}

// Print how crash is used; returns the exit status for a usage error.
static int usage(void)
{
    printf("usage: crash <how>, one of:\n");
    for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++)
        if (faults[i].vector == VECTOR_BY_VENDOR)
            printf("  %-16s %s (status 61 on Intel, vector 6 on AMD)\n", faults[i].arg, faults[i].what);
        else
            printf("  %-16s %s (vector %d)\n", faults[i].arg, faults[i].what, faults[i].vector);
    printf("  %-16s read address 0 (vector 14)\n", "pf-null");
    printf("  %-16s read kernel address 0xffffffff80100000 (vector 14)\n", "pf-kernel");
    printf("  %-16s read non-canonical 0x0000800000000000 (vector 13)\n", "pf-noncanonical");
    printf("  %-16s overflow the stack into its guard page (vector 14)\n", "pf-stack");
    printf("  %-16s SYS_null by syscall from compatibility mode; exit with -result (0)\n", "compat-syscall");
    printf("  %-16s getpid by int 0x80 from compatibility mode; exit 0 if it returned there\n", "compat-int80");
    printf("  %-16s getpid by sysenter from compatibility mode under SYSENTER_ABI_64, back in 64-bit mode at R11; "
           "exit 0 if right (AMD: vector 6)\n",
           "compat-sysenter");
    printf("  %-16s sysenter_abi(32), then getpid by sysenter from compatibility mode with that ABI, back there; "
           "exit 0 if right (AMD: the ABI refused, then vector 6 or 13)\n",
           "compat-sysenter32");
    printf("  %-16s sysenter_abi(32), then getpid by sysenter from compatibility mode %d times; exit 0 if all right "
           "(Intel only)\n",
           "compat-sysenter32-calls", SYSENTER32_CALLS);
    printf("  %-16s the compat-sysenter32 call with TF set just before it: exit 0 if it returned the pid and the "
           "program took exactly one trap (Intel only)\n",
           "compat-sysenter32-tf");
    printf("  %-16s the same call with SYSENTER_ABI_64 in force: R11 non-canonical, so a fault (vector 13)\n",
           "compat-sysenter64");
    printf("  %-16s getpid by sysenter returning to non-canonical 0x0000800000000000 (vector 13 on Intel, 6 on "
           "AMD)\n",
           "sysenter-bad-rip");
    printf("  %-16s getpid by sysenter %d times, then exit 0 (Intel only)\n", "sysenter-calls", SYSENTER_CALLS);
    printf("  %-16s empty both entries, then ud2 (vector 6)\n", "empty-entries");
    printf("  %-16s loop in ring 3 forever (stopped by the kernel's limit=)\n", "spin");
    printf("  %-16s write 200-byte lines for 3 s, then exit 0\n", "print");
    printf("  %-16s spawn crash:nest until refused, hold 3 s, exit 0\n", "nest");
    printf("  %-16s a fixed sequence of calls through both entries, then exit 0\n", "calls");
    printf("  %-16s getpid through the call gate; exit 0 if it is the pid\n", "callgate");
    printf("  %-16s spawn crash:exit-0 %d times, each must exit 0\n", "storm", STORM_SPAWNS);
    printf("  %-16s exit with status N\n", "exit-N");
    printf("  %-16s exit with its own pid as status\n", "exit-pid");
    return 2;
}

// Announce a fault before raising it, so the log shows what was meant.
static void announce(const char *what, int vector)
{
    if (vector == VECTOR_BY_VENDOR)
        printf("[crash] about to %s: expect exit status 61 on Intel, vector 6 on AMD\n", what);
    else
        printf("[crash] about to %s: expect vector %d\n", what, vector);
    stdout_flush();
}

// Fault (or exit) as argv[0] says.
int main(int argc, char **argv)
{
    if (argc != 1)
        return usage();
    const char *how = argv[0];

    if (strncmp(how, "exit-", 5) == 0) {
        uint64_t status;
        if (strcmp(how + 5, "pid") == 0)
            return (int)(sys_getpid() & 0xff);
        if (!parse_u64(how + 5, &status))
            return usage();
        return (int)(status & 0xff);
    }

    if (strcmp(how, "nest") == 0)
        return nest();
    if (strcmp(how, "storm") == 0)
        return storm();
    if (strcmp(how, "print") == 0)
        return print_lines();
    if (strcmp(how, "calls") == 0)
        return make_calls();
    if (strcmp(how, "callgate") == 0) // one getpid through the call gate (tests/gdb/callgate_exit.gdb)
        return callgate_call(SYS_getpid, 0, 0, 0, 0, 0, 0) == sys_getpid() ? 0 : 1;

    if (strcmp(how, "spin") == 0) {
        // Never enter the kernel again: only the kernel's limit= option can stop this.
        printf("[crash] spinning in ring 3 forever\n");
        stdout_flush();
        for (;;)
            __asm__ volatile("pause");
    }

    if (strcmp(how, "empty-entries") == 0) {
        // Leave both entries empty (each installed through the other, while it still works),
        // then fault: with no entry left, ud2 is the only way out. The kernel must put the
        // real entries back when this program ends.
        announce("empty both entries, then execute ud2", 6);
        lstar_bench_entry(ENTRY_SYSCALL, BENCH_ENTRY_EMPTY_GATE);
        lstar_bench_entry(ENTRY_SYSCALL, BENCH_ENTRY_EMPTY_LSTAR);
        raise_ud();
        return 1;
    }

    if (strcmp(how, "compat-int80") == 0) {
        int64_t result = compat_mode_int80_getpid();
        long pid = sys_getpid();
        printf("[crash] int 0x80 (getpid) in compatibility mode returned %lld, pid %ld\n", (long long)result, pid);
        return result == pid ? 0 : 1;
    }
    if (strcmp(how, "compat-sysenter") == 0) { // Intel only: AMD raises #UD
        int64_t result = compat_mode_sysenter_getpid();
        printf("[crash] sysenter in compatibility mode returned %lld in 64-bit mode\n", (long long)result);
        return result == sys_getpid() ? 0 : 1;
    }
    if (strcmp(how, "compat-sysenter32") == 0) { // Intel only; elsewhere the ABI is refused
        long abi = sys_sysenter_abi(SYSENTER_ABI_32);
        printf("[crash] sysenter_abi(SYSENTER_ABI_32) returned %ld\n", abi);
        int64_t result = compat_mode_sysenter32_getpid();
        printf("[crash] sysenter32 in compatibility mode returned %lld there\n", (long long)result);
        return abi == 0 && result == sys_getpid() ? 0 : 1;
    }
    if (strcmp(how, "compat-sysenter32-calls") == 0) { // tests/gdb/sysexit32_checks.gdb changes their frames
        if (sys_sysenter_abi(SYSENTER_ABI_32) != 0)
            return 2;
        long pid = sys_getpid();
        int wrong = 0;
        for (int i = 0; i < SYSENTER32_CALLS; i++)
            wrong += compat_mode_sysenter32_getpid() != pid;
        printf("[crash] %d of %d getpid calls by sysenter from compatibility mode were wrong\n", wrong,
               SYSENTER32_CALLS);
        return wrong == 0 ? 0 : 1;
    }
    if (strcmp(how, "compat-sysenter32-tf") == 0) { // TF set just before the sysenter; Intel only
        if (sys_sysenter_abi(SYSENTER_ABI_32) != 0)
            return 2;
        long before = sys_trap_count();
        int64_t result = compat_mode_sysenter32_tf_getpid();
        long traps = sys_trap_count() - before;
        printf("[crash] sysenter32 with TF returned %lld, %ld ring-3 trap(s)\n", (long long)result, traps);
        return result == sys_getpid() && traps == 1 ? 0 : 1;
    }
    if (strcmp(how, "compat-sysenter64") == 0) { // the 32-bit caller, its process in SYSENTER_ABI_64
        long abi = sys_sysenter_abi(SYSENTER_ABI_64);
        printf("[crash] sysenter_abi(SYSENTER_ABI_64) returned %ld\n", abi);
        int64_t result = compat_mode_sysenter32_getpid();
        printf("[crash] compat-sysenter64 came back with %lld\n", (long long)result);
        return 1;
    }
    if (strcmp(how, "compat-syscall") == 0) {
        int64_t result = compat_mode_syscall();
        printf("[crash] syscall in compatibility mode returned %lld\n", (long long)result);
        return (int)(-result & 0xff);
    }

    for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++) {
        if (strcmp(how, faults[i].arg) == 0) {
            announce(faults[i].what, faults[i].vector);
            faults[i].raise();
            printf("[crash] %s did not fault\n", how);
            return 1;
        }
    }

    if (strcmp(how, "sysenter-calls") == 0) { // tests/gdb/sysexit_checks.gdb changes their frames
        for (int i = 0; i < SYSENTER_CALLS; i++)
            if (lstar_getpid(ENTRY_SYSENTER) != sys_getpid())
                return 1;
        return 0;
    }
    if (strcmp(how, "sysenter-bad-rip") == 0) {
        printf("[crash] about to return from sysenter to non-canonical 0x0000800000000000: expect vector 13 on Intel "
               "(the kernel's iretq), 6 on AMD\n");
        stdout_flush();
        sysenter_to_noncanonical_rip();
        printf("[crash] sysenter-bad-rip came back\n");
        return 1;
    }
    if (strcmp(how, "pf-null") == 0) {
        announce("read address 0", 14);
        read_byte_at(0);
    } else if (strcmp(how, "pf-kernel") == 0) {
        announce("read kernel address 0xffffffff80100000", 14);
        read_byte_at(KERNEL_ADDRESS);
    } else if (strcmp(how, "pf-noncanonical") == 0) {
        announce("read non-canonical address 0x0000800000000000", 13);
        read_byte_at(NONCANONICAL_ADDRESS);
    } else if (strcmp(how, "pf-stack") == 0) {
        announce("overflow the 64 KiB stack into its guard page", 14);
        overflow_stack();
    } else {
        return usage();
    }
    printf("[crash] %s did not fault\n", how);
    return 1;
}
