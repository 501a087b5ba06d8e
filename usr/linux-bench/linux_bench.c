// SPDX-License-Identifier: MIT
// linux-bench: the init of a Linux guest that times Linux's system calls the way usr/bench times
// lstar's, for the comparison in docs/benchmark.md ("Linux, measured the same way").
//
// cmake/bench-linux.sh boots Debian's kernel package in QEMU with this program as the only file
// of its initramfs. The method is usr/bench's, from usr/bench's own files: the batches of
// bench_loops.asm (`lfence; rdtsc`, K calls unrolled x8, `rdtscp; lfence`), the statistics of
// stats.c, and bench.c's constants: 3 warm-up batches, then B batches of K calls per row; the
// timer's own cost (the median of 101 empty batches) subtracted from each batch before dividing
// by K. It prints bench.c's `[bench]` lines, so cmake/bench-report.sh makes the same CSV of them.
//
// Rows: function_call (the loop's floor); syscall_enosys and int80_enosys (a number no table
// holds: Linux answers -ENOSYS from sys_ni_syscall); syscall_getppid and int80_getppid. On x86-64
// Linux `int 0x80` is the ia32 compatibility entry, so it takes the ia32 numbers (getppid is 64
// there, 110 through `syscall`).
//
// Arguments (what follows `--` on Linux's command line): batches=N (1..10000, default 200) and
// calls=N (rounded up to a multiple of 8, default 1000), as bench's. Before measuring it prints
// what ran, one fact per line:
//   [linux] uname release=<s> version="<s>" machine=<s>
//   [linux] cmdline "<s>"
//   [linux] vulnerability <name>="<text>"     (one per file of /sys/devices/system/cpu/vulnerabilities)
// It ends the machine through QEMU's isa-debug-exit (QEMU exits 33 after a complete run, 35 after
// a failed one), or powers it off if the port cannot be had; docs/benchmark.md says why.
#include <stdbool.h>
#include <stdint.h>

#include <linux/errno.h>
#include <asm-generic/fcntl.h>
#include <linux/reboot.h>
#include <linux/utsname.h>

#include "arch/x86_64/asm_layout.h"
#include "bench/bench_loops.h"
#include "bench/stats.h"
#include "core/string.h"
#include "linux-bench/ia32_numbers.h"
#include "linux-bench/linux_sys.h"
#include "lstar_commit.h"

// bench.c's constants: the same method, the same defaults.
#define DEFAULT_BATCHES 200
#define DEFAULT_CALLS 1000
#define MAX_BATCHES 10000
#define MAX_CALLS 10000000
#define WARMUP_BATCHES 3
#define TIMER_BATCHES 101

// lstar's bench probes with this number (PROBE_NUMBER): past the end of both of Linux's tables,
// and not -1, which Linux's entry code returns from without calling sys_ni_syscall at all.
#define INVALID_NUMBER 0x1234abcdL

// syslog(2) action: set the console's log level. 1 lets only KERN_ALERT through, so no kernel
// message lands in the middle of a [bench] line or a timed batch.
#define SYSLOG_ACTION_CONSOLE_LEVEL 8
#define CONSOLE_LEVEL_QUIET 1

static const long x64_nr_getppid = __NR_getppid;
static const long invalid_number = INVALID_NUMBER;

// How a path's batch is run.
enum batch_kind {
    BATCH_FUNCTION, // call to an empty function
    BATCH_SYSCALL,  // mov rax, nr; syscall (the x86-64 ABI)
    BATCH_INT80,    // mov rax, nr; int 0x80 (the ia32 ABI)
};

// One row of the benchmark.
struct path {
    const char *name;
    enum batch_kind kind;
    const long *nr; // the number in rax (ia32_numbers.c holds the ia32 ones); NULL: no call
};

// One measured row.
struct row {
    const char *name;
    struct stats stats;
};

static const struct path paths[] = {
    {"function_call", BATCH_FUNCTION, NULL},             // the loop's own floor
    {"syscall_enosys", BATCH_SYSCALL, &invalid_number},  // entry, bounds check, sys_ni_syscall, exit
    {"int80_enosys", BATCH_INT80, &invalid_number},      // the same through the ia32 gate
    {"syscall_getppid", BATCH_SYSCALL, &x64_nr_getppid}, // a real call reading the task's parent
    {"int80_getppid", BATCH_INT80, &ia32_nr_getppid},    // the same through the ia32 gate
};
#define PATH_COUNT (sizeof paths / sizeof paths[0])

static struct row results[PATH_COUNT];
static uint64_t samples[MAX_BATCHES];
static uint64_t timer_samples[TIMER_BATCHES];

static unsigned batches = DEFAULT_BATCHES;
static uint64_t calls = DEFAULT_CALLS;

// Print a fixed-point value (x 100) with two decimals into buf.
static const char *fixed2(char *buf, size_t size, uint64_t x100)
{
    snprintf(buf, size, "%lu.%02lu", x100 / 100, x100 % 100);
    return buf;
}

// Run one timed batch of `n` calls of path p; returns ticks.
static uint64_t run_batch(const struct path *p, uint64_t n)
{
    switch (p->kind) {
    case BATCH_FUNCTION:
        return bench_batch_function(n);
    case BATCH_SYSCALL:
        return bench_batch_syscall(n, (uint64_t)*p->nr, 0, 0, 0);
    case BATCH_INT80:
        return bench_batch_int80(n, (uint64_t)*p->nr, 0, 0, 0);
    }
    return 0;
}

// Check, outside any timing, that one call of p returns what it should; false with a message.
static bool path_works(const struct path *p)
{
    if (p->kind == BATCH_FUNCTION)
        return true;
    // PID 1's parent is the kernel: getppid answers 0 through either entry.
    long expected = *p->nr == invalid_number ? -ENOSYS : linux_syscall3(__NR_getppid, 0, 0, 0);
    long got = p->kind == BATCH_SYSCALL ? linux_syscall3(*p->nr, 0, 0, 0) : linux_int80(*p->nr);
    if (got == expected)
        return true;
    printf("[bench] error path=%s: one call returned %ld, expected %ld\n", p->name, got, expected);
    return false;
}

// Measure path p into *out; false (with a message) if it could not be measured.
static bool measure(const struct path *p, struct row *out, uint64_t timer_overhead)
{
    if (!path_works(p))
        return false;
    stdout_flush();
    for (unsigned i = 0; i < WARMUP_BATCHES; i++)
        run_batch(p, calls);
    for (unsigned i = 0; i < batches; i++) {
        uint64_t ticks = run_batch(p, calls);
        uint64_t net = ticks > timer_overhead ? ticks - timer_overhead : 0;
        samples[i] = net * 100 / calls;
    }
    out->name = p->name;
    stats_compute(samples, batches, &out->stats);
    return true;
}

// Print the machine-readable line of one row (bench.c's format).
static void print_row(const struct row *r)
{
    char v[6][24];
    const struct stats *s = &r->stats;
    printf("[bench] row path=%s min=%s median=%s p90=%s p99=%s max=%s mean=%s samples=%u "
           "calls_per_sample=%lu outliers=%u unit=tsc_ticks\n",
           r->name, fixed2(v[0], 24, s->min), fixed2(v[1], 24, s->median), fixed2(v[2], 24, s->p90),
           fixed2(v[3], 24, s->p99), fixed2(v[4], 24, s->max), fixed2(v[5], 24, s->mean), batches, calls, s->outliers);
}

// Print the human-readable table of every measured row.
static void print_table(const struct row *rows, unsigned n)
{
    char v[6][24];
    printf("[bench]\n");
    printf("[bench]   %-24s %10s %10s %10s %10s %10s %10s %8s\n", "ticks per call", "min", "median", "p90", "p99",
           "max", "mean", "outliers");
    for (unsigned i = 0; i < n; i++) {
        const struct stats *s = &rows[i].stats;
        printf("[bench]   %-24s %10s %10s %10s %10s %10s %10s %8u\n", rows[i].name, fixed2(v[0], 24, s->min),
               fixed2(v[1], 24, s->median), fixed2(v[2], 24, s->p90), fixed2(v[3], 24, s->p99),
               fixed2(v[4], 24, s->max), fixed2(v[5], 24, s->mean), s->outliers);
    }
    printf("[bench]\n");
}

// ---- what ran: the CPU, the kernel, its protections ----

// CPUID leaf (subleaf 0) into r[0..3] = eax, ebx, ecx, edx.
static void cpuid(uint32_t leaf, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(0));
}

// Print bench.c's context line from CPUID. Linux's TSC calibration is in its own log (`tsc:
// Detected`), which the host script reads: tsc_hz is 0 here and the table has no ns columns.
static void print_context(void)
{
    uint32_t r[4];
    char vendor[13], brand[49] = "", hypervisor[13] = "";
    cpuid(0, r);
    memcpy(vendor, &r[1], 4);
    memcpy(vendor + 4, &r[3], 4);
    memcpy(vendor + 8, &r[2], 4);
    vendor[12] = '\0';
    uint32_t max_leaf = r[0];
    cpuid(1, r);
    if (r[2] & (1u << 31)) { // CPUID.1:ECX.hypervisor: leaf 0x40000000 names it
        cpuid(0x40000000, r);
        memcpy(hypervisor, &r[1], 4);
        memcpy(hypervisor + 4, &r[2], 4);
        memcpy(hypervisor + 8, &r[3], 4);
        hypervisor[12] = '\0';
    }
    cpuid(0x80000000, r);
    if (r[0] >= 0x80000004) {
        for (uint32_t i = 0; i < 3; i++) {
            cpuid(0x80000002 + i, r);
            memcpy(brand + 16 * i, r, 16);
        }
        brand[48] = '\0';
    }
    const char *b = brand;
    while (*b == ' ')
        b++;
    // CPUID.(EAX=7,ECX=0):EBX bit 7 is SMEP, bit 20 SMAP; Linux turns each on when present.
    int smep = 0, smap = 0;
    if (max_leaf >= 7) {
        cpuid(7, r);
        smep = (r[1] >> 7) & 1;
        smap = (r[1] >> 20) & 1;
    }
    printf("[bench] context tsc_hz=0 tsc_source=none vendor=%s brand=\"%s\" hypervisor=\"%s\" commit=%s "
           "smep=%d smap=%d\n",
           vendor[0] ? vendor : "unknown", b, hypervisor, LSTAR_COMMIT, smep, smap);
}

// The layout getdents64(2) fills (man 2 getdents): the uapi headers do not export it.
struct linux_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

// Print each of Linux's verdicts on the CPU's speculation flaws and what it does about them.
static void print_vulnerabilities(void)
{
    static const char dir[] = "/sys/devices/system/cpu/vulnerabilities";
    static char entries[4096];
    long fd = linux_syscall3(__NR_open, (long)dir, O_RDONLY | O_DIRECTORY, 0);
    if (fd < 0) {
        printf("[linux] vulnerability none: %s unreadable (errno %ld)\n", dir, -fd);
        return;
    }
    long n;
    while ((n = linux_syscall3(__NR_getdents64, fd, (long)entries, sizeof entries)) > 0) {
        for (long at = 0; at < n;) {
            const struct linux_dirent64 *d = (const void *)(entries + at);
            at += d->d_reclen;
            if (d->d_name[0] == '.')
                continue;
            char path[128], text[256];
            snprintf(path, sizeof path, "%s/%s", dir, d->d_name);
            if (linux_read_file(path, text, sizeof text) >= 0)
                printf("[linux] vulnerability %s=\"%s\"\n", d->d_name, text);
        }
    }
    linux_syscall3(__NR_close, fd, 0, 0);
}

// Mount what the facts are read from, and make sure fds 0-2 are the console.
static void prepare_system(void)
{
    static const struct {
        const char *dir, *fs;
    } mounts[] = {{"/dev", "devtmpfs"}, {"/proc", "proc"}, {"/sys", "sysfs"}};
    for (unsigned i = 0; i < sizeof mounts / sizeof mounts[0]; i++) {
        linux_syscall3(__NR_mkdir, (long)mounts[i].dir, 0755, 0); // EEXIST is fine
        linux_syscall6(__NR_mount, (long)mounts[i].fs, (long)mounts[i].dir, (long)mounts[i].fs, 0, 0, 0);
    }
    // Linux opens /dev/console as fds 0-2 when the initramfs has it; else open it now.
    if (linux_syscall3(__NR_write, 1, (long)"", 0) < 0) {
        long fd = linux_syscall3(__NR_open, (long)"/dev/console", O_RDWR, 0);
        for (long i = 0; fd >= 0 && i < 3; i++)
            if (fd != i)
                linux_syscall3(__NR_dup2, fd, i, 0);
    }
}

// Print the kernel's name, version and command line.
static void print_kernel(void)
{
    static struct new_utsname u;
    if (linux_syscall3(__NR_uname, (long)&u, 0, 0) == 0)
        printf("[linux] uname release=%s version=\"%s\" machine=%s\n", u.release, u.version, u.machine);
    static char cmdline[1024];
    if (linux_read_file("/proc/cmdline", cmdline, sizeof cmdline) >= 0)
        printf("[linux] cmdline \"%s\"\n", cmdline);
}

// ---- arguments and the end ----

// Parse a decimal number of at most 19 digits; false if s is not one.
static bool parse_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    unsigned digits = 0;
    for (; *s >= '0' && *s <= '9'; s++, digits++)
        v = v * 10 + (uint64_t)(*s - '0');
    *out = v;
    return *s == '\0' && digits > 0 && digits <= 19;
}

// Apply the arguments to batches and calls; returns the index of a bad argument, or -1.
static int parse_args(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        uint64_t n;
        if (strncmp(argv[i], "batches=", 8) == 0 && parse_u64(argv[i] + 8, &n) && n >= 1 && n <= MAX_BATCHES)
            batches = (unsigned)n;
        else if (strncmp(argv[i], "calls=", 6) == 0 && parse_u64(argv[i] + 6, &n) && n >= 1 && n <= MAX_CALLS)
            calls = (n + 7) / 8 * 8; // the loops run eight calls per iteration
        else
            return i;
    }
    return -1;
}

// End the machine: QEMU's isa-debug-exit when ioperm(2) grants the port (QEMU then exits with
// (code << 1) | 1: 33 or 35, as after an lstar boot), else an ACPI power-off. PID 1 may not exit.
__attribute__((noreturn)) static void end_machine(bool ok)
{
    stdout_flush();
    if (linux_syscall3(__NR_ioperm, QEMU_EXIT_PORT, 1, 1) == 0) {
        uint8_t code = ok ? QEMU_EXIT_SUCCESS : QEMU_EXIT_FAILURE;
        __asm__ volatile("outb %0, %1" : : "a"(code), "Nd"((uint16_t)QEMU_EXIT_PORT));
    }
    printf("[linux] isa-debug-exit unusable: powering off\n");
    stdout_flush();
    linux_syscall6(__NR_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_POWER_OFF, 0, 0, 0);
    for (;;)
        __asm__ volatile("pause");
}

// Measure every path and print the rows; the machine ends when it is done.
__attribute__((noreturn)) void linux_bench_start(long *initial_stack);
__attribute__((noreturn)) void linux_bench_start(long *initial_stack)
{
    int argc = (int)initial_stack[0];
    char **argv = (char **)(initial_stack + 1);

    prepare_system();
    print_kernel();
    print_vulnerabilities();
    linux_syscall3(__NR_syslog, SYSLOG_ACTION_CONSOLE_LEVEL, 0, CONSOLE_LEVEL_QUIET);

    int bad = parse_args(argc, argv);
    if (bad >= 0) {
        printf("[bench] unknown argument '%s' (usage: batches=N calls=N after -- on Linux's command line)\n",
               argv[bad]);
        end_machine(false);
    }

    bench_detect_rdtscp();
    print_context();
    printf("[bench] method: %u batches of %lu calls per path, TSC read with %s\n", batches, calls,
           bench_have_rdtscp ? "lfence;rdtsc .. rdtscp;lfence" : "lfence;rdtsc .. lfence;rdtsc;lfence");

    for (unsigned i = 0; i < TIMER_BATCHES; i++)
        timer_samples[i] = bench_batch_empty();
    uint64_t timer_overhead = stats_median(timer_samples, TIMER_BATCHES);
    char overhead[24];
    printf("[bench] timer_overhead=%s ticks per batch (subtracted)\n",
           fixed2(overhead, sizeof overhead, timer_overhead * 100));

    unsigned measured = 0;
    for (unsigned i = 0; i < PATH_COUNT; i++) {
        if (measure(&paths[i], &results[measured], timer_overhead))
            print_row(&results[measured++]);
    }
    print_table(results, measured);
    printf("[bench] done rows=%u\n", measured);
    end_machine(measured == PATH_COUNT);
}
