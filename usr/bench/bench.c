// SPDX-License-Identifier: MIT
// bench: the ring-3 benchmark of the two entry paths, side by side in one run.
//
// For each path: a few warm-up batches, then B batches of K calls (bench_loops.asm), each
// batch timed with the TSC. The timer's own cost (the median empty batch) is subtracted and the
// rest divided by K: one sample per batch, in ticks per call. Each row reports min, median,
// p90, p99, max and mean over the B samples, and how many were outliers (bench/stats.c).
//
// Arguments: `quick` (B=20, K=200), `batches=N`, `calls=N` (rounded up to a multiple of 8).
// `scaling [seconds=N]` measures something else: calls per second of the null and empty paths
// over fixed wall-clock windows, meant to run on every CPU at once (`run=bench:scaling@all`;
// see "scaling mode" below).
// These `[bench]` lines are parsed by a host script; their format is fixed (one line each,
// wrapped here):
//   [bench] context tsc_hz=<n> tsc_source=<s> vendor=<s> brand="<s>" hypervisor="<s>"
//           commit=<s> smep=<0|1> smap=<0|1>
//   [bench] timer_overhead=<n.nn> ticks per batch (subtracted)
//   [bench] row path=<name> min=<n.nn> median=<n.nn> p90=<n.nn> p99=<n.nn> max=<n.nn>
//           mean=<n.nn> samples=<B> calls_per_sample=<K> outliers=<n> unit=tsc_ticks
//   [bench] done rows=<n>
// with a human-readable table (ns columns when the TSC frequency is known) before `done`.
// Scaling mode prints the context line, then after its last window (wrapped here):
//   [bench] scaling cpu=<n> placed=<n> path=<name> window=<i> seconds=<n> calls=<n>
//           start_ns=<n> end_ns=<n> calls_per_second=<n>          (one per path)
//   [bench] scaling done cpu=<n> rows=<n>
// docs/benchmark.md explains the method and how to read the results.
#include <stdbool.h>
#include <stdint.h>

#include "bench/bench_loops.h"
#include "bench/stats.h"
#include "core/string.h"
#include "libc/cpu.h"
#include "libc/entries32.h"
#include "libc/errno.h"
#include "libc/stdio.h"
#include "libc/stdlib.h"
#include "libc/syscall.h"

#define DEFAULT_BATCHES 200
#define DEFAULT_CALLS 1000
#define QUICK_BATCHES 20
#define QUICK_CALLS 200
#define MAX_BATCHES 10000
#define MAX_CALLS 10000000
#define WARMUP_BATCHES 3
#define TIMER_BATCHES 101

// A number no handler accepts: the real entry answers -ENOSYS, an empty one hands rax back.
#define PROBE_NUMBER 0x1234abcdL

// How a path's batch is run.
enum batch_kind {
    BATCH_FUNCTION,        // call to an empty function
    BATCH_SYSCALL,         // mov rax, nr; syscall
    BATCH_INT80,           // mov rax, nr; int 0x80
    BATCH_INT80_SYSRET,    // int 0x80 with rcx/r11 set so the kernel may leave by sysretq
    BATCH_CALLGATE,        // mov rax, nr; call far through the call gate (bench_entries32.asm)
    BATCH_COMPAT_INT80,    // mov eax, nr; int 0x80, in compatibility mode
    BATCH_COMPAT_SYSCALL,  // mov eax, nr; syscall, in compatibility mode (CSTAR)
    BATCH_SYSENTER,        // mov rax, nr; mov rdx, a2; mov rcx, rsp; lea r11, [next]; sysenter (Intel)
    BATCH_COMPAT_SYSENTER, // mov eax, [nr]; mov edi, next; mov ebp, esp; sysenter, in compatibility mode (Intel)
};

// One row of the benchmark.
struct path {
    const char *name;
    enum batch_kind kind;
    uint64_t nr;
    int empty_entry; // BENCH_ENTRY_EMPTY_* installed around the row, or REAL_ENTRY
};
#define REAL_ENTRY (-1)

// One measured row.
struct row {
    const char *name;
    struct stats stats;
};

static char write_payload[64]; // what the write64 rows write (to the discard sink, fd 3)

static const struct path paths[] = {
    {"function_call", BATCH_FUNCTION, 0, REAL_ENTRY},
    {"syscall_null", BATCH_SYSCALL, SYS_null, REAL_ENTRY},
    {"int80_null", BATCH_INT80, SYS_null, REAL_ENTRY},
    {"syscall_entry_iret_exit", BATCH_SYSCALL, SYS_null_via_iret, REAL_ENTRY},
    {"int80_entry_sysret_exit", BATCH_INT80_SYSRET, SYS_null, REAL_ENTRY},
    {"syscall_empty", BATCH_SYSCALL, SYS_null, BENCH_ENTRY_EMPTY_LSTAR},
    {"int80_empty", BATCH_INT80, SYS_null, BENCH_ENTRY_EMPTY_GATE},
    {"syscall_getpid", BATCH_SYSCALL, SYS_getpid, REAL_ENTRY},
    {"int80_getpid", BATCH_INT80, SYS_getpid, REAL_ENTRY},
    {"syscall_write64", BATCH_SYSCALL, SYS_write, REAL_ENTRY},
    {"int80_write64", BATCH_INT80, SYS_write, REAL_ENTRY},
    {"callgate_null", BATCH_CALLGATE, SYS_null, REAL_ENTRY},
    {"callgate_empty", BATCH_CALLGATE, SYS_null, BENCH_ENTRY_EMPTY_CALLGATE},
    {"compat_int80_null", BATCH_COMPAT_INT80, SYS_null, REAL_ENTRY},
    {"compat_int80_empty", BATCH_COMPAT_INT80, SYS_null, BENCH_ENTRY_EMPTY_GATE},
    {"compat_syscall_null", BATCH_COMPAT_SYSCALL, SYS_null, REAL_ENTRY},
    {"compat_syscall_empty", BATCH_COMPAT_SYSCALL, SYS_null, BENCH_ENTRY_EMPTY_CSTAR},
    // The process's sysenter ABI is SYSENTER_ABI_32 around these two rows only (measure_row).
    {"compat_sysenter_null", BATCH_COMPAT_SYSENTER, SYS_null, REAL_ENTRY},
    {"compat_sysenter_empty", BATCH_COMPAT_SYSENTER, SYS_null, BENCH_ENTRY_EMPTY_SYSENTER32},
    // Last: 64-bit SYSEXIT leaves SS = GDT_USER_DS_SYSEXIT, which sends a following int 0x80's
    // exit to iretq (the shared exit wants GDT_USER_DS) until a sysretq loads it again.
    {"sysenter_null", BATCH_SYSENTER, SYS_null, REAL_ENTRY},
    {"sysenter_empty", BATCH_SYSENTER, SYS_null, BENCH_ENTRY_EMPTY_SYSENTER},
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

// The arguments of p's call: fd 3, write_payload and its size for the write rows, else zeros.
static void path_args(const struct path *p, uint64_t args[3])
{
    bool write = p->nr == SYS_write;
    args[0] = write ? 3 : 0; // the discard sink: validated and copied, not printed
    args[1] = write ? (uint64_t)write_payload : 0;
    args[2] = write ? sizeof write_payload : 0;
}

// Run one timed batch of `n` calls of path p; returns ticks.
static uint64_t run_batch(const struct path *p, uint64_t n)
{
    uint64_t a[3];
    path_args(p, a);
    switch (p->kind) {
    case BATCH_FUNCTION:
        return bench_batch_function(n);
    case BATCH_SYSCALL:
        return bench_batch_syscall(n, p->nr, a[0], a[1], a[2]);
    case BATCH_INT80:
        return bench_batch_int80(n, p->nr, a[0], a[1], a[2]);
    case BATCH_INT80_SYSRET:
        return bench_batch_int80_sysret(n, p->nr);
    case BATCH_CALLGATE:
        return bench_batch_callgate(n, p->nr);
    case BATCH_COMPAT_INT80:
        return bench_batch_compat(n, p->nr, COMPAT_INT80);
    case BATCH_COMPAT_SYSCALL:
        return bench_batch_compat(n, p->nr, COMPAT_SYSCALL);
    case BATCH_SYSENTER:
        return bench_batch_sysenter(n, p->nr, a[0], a[1], a[2]);
    case BATCH_COMPAT_SYSENTER:
        return bench_batch_compat(n, p->nr, COMPAT_SYSENTER);
    }
    return 0;
}

// One call of nr through p's own way in, with arguments a0..a2.
static long path_call(const struct path *p, long nr, long a0, long a1, long a2)
{
    switch (p->kind) {
    case BATCH_CALLGATE:
        return callgate_call(nr, a0, a1, a2, 0, 0, 0);
    case BATCH_COMPAT_INT80:
        return compat_call(COMPAT_INT80, (uint32_t)nr, (uint32_t)a0, (uint32_t)a1, (uint32_t)a2, 0, 0, 0);
    case BATCH_COMPAT_SYSCALL:
        return compat_call(COMPAT_SYSCALL, (uint32_t)nr, (uint32_t)a0, (uint32_t)a1, (uint32_t)a2, 0, 0, 0);
    case BATCH_SYSENTER:
        return lstar_call(ENTRY_SYSENTER, nr, a0, a1, a2, 0, 0, 0);
    case BATCH_COMPAT_SYSENTER:
        return compat_call(COMPAT_SYSENTER, (uint32_t)nr, (uint32_t)a0, (uint32_t)a1, (uint32_t)a2, 0, 0, 0);
    default:
        return lstar_call(p->kind == BATCH_INT80 || p->kind == BATCH_INT80_SYSRET ? ENTRY_INT80 : ENTRY_SYSCALL, nr, a0,
                          a1, a2, 0, 0, 0);
    }
}

// The entry that still works while p's empty entry is installed: the way back from it. Only an
// empty LSTAR target takes `syscall` away; every other empty entry leaves it working.
static enum lstar_entry working_entry(const struct path *p)
{
    return p->kind == BATCH_SYSCALL ? ENTRY_INT80 : ENTRY_SYSCALL;
}

// Whether this CPU can run p; if not, says why in `why`. `sysenter` in 64-bit mode exists only on
// GenuineIntel CPUs (AMD: #UD in long mode; SDM Vol. 2B and AMD APM Vol. 3 "SYSENTER").
// `syscall` from compatibility mode is #UD on Intel's CPUs (SDM Vol. 2B "SYSCALL"): run only on
// AMD's, or where the `compat-syscall=dispatched` argument says the model sends it to CSTAR all
// the same (QEMU's Intel models).
static bool compat_syscall_stated;
static bool path_runs_here(const struct path *p, const char **why)
{
    static struct lstar_sysinfo info;
    const char *vendor = sys_sysinfo(&info, sizeof info) == 0 ? info.cpu_vendor : "unknown";
    if (p->kind == BATCH_SYSENTER || p->kind == BATCH_COMPAT_SYSENTER) {
        static char text[80];
        snprintf(text, sizeof text, "CPU vendor %s has no sysenter in %s", vendor,
                 p->kind == BATCH_SYSENTER ? "64-bit mode" : "compatibility mode");
        *why = text;
        return strcmp(vendor, "GenuineIntel") == 0;
    }
    if (p->kind != BATCH_COMPAT_SYSCALL || compat_syscall_stated)
        return true;
    if (strcmp(vendor, "AuthenticAMD") == 0)
        return true;
    *why = "syscall outside 64-bit mode is #UD on this vendor's CPUs (give compat-syscall=dispatched on a model "
           "that reaches CSTAR anyway)";
    return false;
}

// Check, outside any timing, that one call of p returns what it should; false with a message
// (printable: no empty entry is installed when this runs).
static bool path_works(const struct path *p)
{
    if (p->kind == BATCH_FUNCTION)
        return true;
    uint64_t a[3];
    path_args(p, a);
    long expected;
    switch (p->nr) {
    case SYS_getpid:
        expected = sys_getpid();
        break;
    case SYS_write:
        expected = (long)a[2];
        break;
    default:
        expected = 0;
        break;
    }
    long got = path_call(p, (long)p->nr, (long)a[0], (long)a[1], (long)a[2]);
    if (got == expected)
        return true;
    printf("[bench] error path=%s: one call returned %ld, expected %ld\n", p->name, got, expected);
    return false;
}

// Leave through the entry that still works, after an empty entry could not be removed.
__attribute__((noreturn)) static void die_with_empty_entry(enum lstar_entry working)
{
    static const char message[] = "[bench] error: the real entry could not be restored\n";
    lstar_write(working, 1, message, sizeof message - 1);
    lstar_exit(working, 1);
}

// Installs p's empty entry, if it has one, and proves it is the empty stub; false with a message
// (the real entries are back then). Nothing may be printed until restore_real_entry: printf
// goes through `syscall`.
static bool install_empty_entry(const struct path *p)
{
    if (p->empty_entry == REAL_ENTRY)
        return true;
    stdout_flush();
    long installed = lstar_bench_entry(working_entry(p), p->empty_entry);
    if (installed != 0) {
        printf("[bench] error path=%s: bench_entry(%d) returned -%s\n", p->name, p->empty_entry, errno_name(installed));
        return false;
    }
    if (path_call(p, PROBE_NUMBER, 0, 0, 0) != PROBE_NUMBER) {
        // Not the empty stub after all; put things back and say so.
        lstar_bench_entry(working_entry(p), BENCH_ENTRY_RESTORE);
        printf("[bench] error path=%s: the empty entry did not hand rax back\n", p->name);
        return false;
    }
    return true;
}

// Puts the real entries back after install_empty_entry(p), and proves the emptied one is real
// again; a program that cannot is ended through the entry that still works.
static void restore_real_entry(const struct path *p)
{
    if (p->empty_entry == REAL_ENTRY)
        return;
    enum lstar_entry working = working_entry(p);
    if (lstar_bench_entry(working, BENCH_ENTRY_RESTORE) != 0 || path_call(p, PROBE_NUMBER, 0, 0, 0) != -ENOSYS)
        die_with_empty_entry(working);
}

// Measure path p into *out; false (with a message) if it could not be measured.
static bool measure(const struct path *p, struct row *out, uint64_t timer_overhead)
{
    if (p->empty_entry == REAL_ENTRY && !path_works(p))
        return false;

    stdout_flush();
    if (!install_empty_entry(p))
        return false;

    for (unsigned i = 0; i < WARMUP_BATCHES; i++)
        run_batch(p, calls);
    for (unsigned i = 0; i < batches; i++) {
        uint64_t ticks = run_batch(p, calls);
        uint64_t net = ticks > timer_overhead ? ticks - timer_overhead : 0;
        samples[i] = net * 100 / calls;
    }

    restore_real_entry(p);

    out->name = p->name;
    stats_compute(samples, batches, &out->stats);
    return true;
}

// measure(p) with the process's sysenter ABI set for p: SYSENTER_ABI_32 for the compatibility-mode
// sysenter rows (docs/abi.md), the default SYSENTER_ABI_64 again after them.
static bool measure_row(const struct path *p, struct row *out, uint64_t timer_overhead)
{
    if (p->kind != BATCH_COMPAT_SYSENTER)
        return measure(p, out, timer_overhead);
    long chosen = sys_sysenter_abi(SYSENTER_ABI_32);
    if (chosen != 0) {
        printf("[bench] error path=%s: sysenter_abi(SYSENTER_ABI_32) returned -%s\n", p->name, errno_name(chosen));
        return false;
    }
    bool measured = measure(p, out, timer_overhead);
    sys_sysenter_abi(SYSENTER_ABI_64);
    return measured;
}

// Print the machine-readable line of one row.
static void print_row(const struct row *r)
{
    char v[6][24];
    const struct stats *s = &r->stats;
    printf("[bench] row path=%s min=%s median=%s p90=%s p99=%s max=%s mean=%s samples=%u "
           "calls_per_sample=%lu outliers=%u unit=tsc_ticks\n",
           r->name, fixed2(v[0], 24, s->min), fixed2(v[1], 24, s->median), fixed2(v[2], 24, s->p90),
           fixed2(v[3], 24, s->p99), fixed2(v[4], 24, s->max), fixed2(v[5], 24, s->mean), batches, calls, s->outliers);
}

// Nanoseconds x 100 for ticks x 100 at tsc_hz.
static uint64_t ticks_to_ns_x100(uint64_t ticks_x100, uint64_t tsc_hz)
{
    const uint64_t ns_per_s = 1000000000ull;
    if (ticks_x100 > UINT64_MAX / ns_per_s)
        return ticks_x100 / tsc_hz * ns_per_s;
    return ticks_x100 * ns_per_s / tsc_hz;
}

// Print the human-readable table of every measured row.
static void print_table(const struct row *rows, unsigned n, uint64_t tsc_hz)
{
    char v[8][24];
    printf("[bench]\n");
    printf("[bench]   %-24s %10s %10s %10s %10s %10s %10s %10s %10s %8s\n", "ticks per call", "min", "median", "p90",
           "p99", "max", "mean", "min ns", "median ns", "outliers");
    for (unsigned i = 0; i < n; i++) {
        const struct stats *s = &rows[i].stats;
        if (tsc_hz != 0) {
            fixed2(v[6], 24, ticks_to_ns_x100(s->min, tsc_hz));
            fixed2(v[7], 24, ticks_to_ns_x100(s->median, tsc_hz));
        } else {
            snprintf(v[6], 24, "-");
            snprintf(v[7], 24, "-");
        }
        printf("[bench]   %-24s %10s %10s %10s %10s %10s %10s %10s %10s %8u\n", rows[i].name, fixed2(v[0], 24, s->min),
               fixed2(v[1], 24, s->median), fixed2(v[2], 24, s->p90), fixed2(v[3], 24, s->p99),
               fixed2(v[4], 24, s->max), fixed2(v[5], 24, s->mean), v[6], v[7], s->outliers);
    }
    printf("[bench]\n");
}

// Skip the blanks CPUID pads brand strings with.
static const char *trim_leading_spaces(const char *s)
{
    while (*s == ' ')
        s++;
    return s;
}

// A token for the context line: "unknown" when the kernel left the field empty.
static const char *token_or_unknown(const char *s) { return s[0] != '\0' ? s : "unknown"; }

// Print the context line; returns the TSC frequency (0 if unknown).
static uint64_t print_context(void)
{
    static struct lstar_sysinfo info;
    long got = sys_sysinfo(&info, sizeof info);
    if (got != 0) {
        memset(&info, 0, sizeof info);
        printf("[bench] warning: sysinfo returned -%s; context unknown\n", errno_name(got));
    }
    printf("[bench] context tsc_hz=%llu tsc_source=%s vendor=%s brand=\"%s\" hypervisor=\"%s\" "
           "commit=%s smep=%d smap=%d\n",
           info.tsc_hz, token_or_unknown(info.tsc_source), token_or_unknown(info.cpu_vendor),
           trim_leading_spaces(info.cpu_brand), info.hypervisor, token_or_unknown(info.commit),
           (info.features & LSTAR_FEATURE_SMEP) != 0, (info.features & LSTAR_FEATURE_SMAP) != 0);
    return info.tsc_hz;
}

// ---- scaling mode: calls per second on every CPU at once ----
//
// Each CPU counts calls of one path for a fixed wall-clock window, then the next path: windows
// of `seconds` back to back, the n-th starting at t0 + n x seconds on this CPU's clock_ns, with
// t0 = the program's start + SCALING_SETTLE_NS. Programs placed with @all start within tens of
// milliseconds of each other, so the CPUs' n-th windows cover almost the same time: the host
// script (cmake/bench-scaling.sh) reads every CPU's start_ns and end_ns and refuses a run whose
// windows overlap too little. The clock is read every SCALING_CHUNK calls, through the entry
// that is not being measured (an empty entry cannot answer it), and nothing is printed until
// the last window is over: the console is shared by every CPU and would tie them together.

#define SCALING_DEFAULT_SECONDS 5
#define SCALING_MAX_SECONDS 60
#define SCALING_CHUNK 2048           // calls between two looks at the clock
#define SCALING_WARMUP_CHUNKS 4      // per path, before the first window
#define SCALING_SETTLE_NS 500000000L // from the start to the first window
#define NS_PER_SECOND 1000000000L

// The paths of scaling mode, in the order their windows run.
static const char *const scaling_names[] = {"syscall_null", "int80_null", "syscall_empty", "int80_empty"};
#define SCALING_PATHS (sizeof scaling_names / sizeof scaling_names[0])

// One window of scaling mode.
struct window {
    const struct path *path;
    uint64_t calls;
    long start_ns, end_ns; // the first and the last clock reading of the window
};

static bool scaling = false;
static unsigned scaling_seconds = SCALING_DEFAULT_SECONDS;

// The benchmark path called `name`, or NULL.
static const struct path *find_path(const char *name)
{
    for (unsigned i = 0; i < PATH_COUNT; i++)
        if (strcmp(paths[i].name, name) == 0)
            return &paths[i];
    return NULL;
}

// Calls p in chunks from the nominal start `from` until the clock passes `until` (both in
// clock_ns); fills *w. The empty entry, if p has one, must be installed.
static void run_window(const struct path *p, long from, long until, struct window *w)
{
    enum lstar_entry clock = working_entry(p);
    long now;
    while ((now = lstar_clock_ns(clock)) < from)
        __asm__ volatile("pause");
    w->path = p;
    w->start_ns = now;
    w->calls = 0;
    while (now < until) {
        run_batch(p, SCALING_CHUNK);
        w->calls += SCALING_CHUNK;
        now = lstar_clock_ns(clock);
    }
    w->end_ns = now;
}

// Calls per second of window w (0 for an empty one).
static uint64_t window_rate(const struct window *w)
{
    long ns = w->end_ns - w->start_ns;
    if (ns <= 0)
        return 0;
    return (uint64_t)((unsigned __int128)w->calls * NS_PER_SECOND / (uint64_t)ns);
}

// Scaling mode: one window per path, every row printed after the last window; exit 0 only if
// every window ran on the CPU the program was placed on.
static int run_scaling(void)
{
    long begin = sys_clock_ns();
    unsigned placed = placed_cpu();
    bench_detect_rdtscp();
    long cpu = sys_getcpu();
    print_context();
    printf("[bench] scaling: cpu%ld, %u windows of %u s back to back, %d calls between clock readings\n", cpu,
           (unsigned)SCALING_PATHS, scaling_seconds, SCALING_CHUNK);
    memset(write_payload, 'x', sizeof write_payload);

    const struct path *list[SCALING_PATHS];
    for (unsigned i = 0; i < SCALING_PATHS; i++) {
        list[i] = find_path(scaling_names[i]);
        if (list[i] == NULL || (list[i]->empty_entry == REAL_ENTRY && !path_works(list[i])))
            return 1;
    }
    stdout_flush();

    // Warm up every path (QEMU translates code on its first run), then wait for t0.
    for (unsigned i = 0; i < SCALING_PATHS; i++) {
        if (!install_empty_entry(list[i]))
            return 1;
        for (unsigned c = 0; c < SCALING_WARMUP_CHUNKS; c++)
            run_batch(list[i], SCALING_CHUNK);
        restore_real_entry(list[i]);
    }
    long t0 = begin + SCALING_SETTLE_NS;
    long window_ns = (long)scaling_seconds * NS_PER_SECOND;

    static struct window windows[SCALING_PATHS];
    for (unsigned i = 0; i < SCALING_PATHS; i++) {
        if (!install_empty_entry(list[i]))
            return 1;
        run_window(list[i], t0 + (long)i * window_ns, t0 + (long)(i + 1) * window_ns, &windows[i]);
        restore_real_entry(list[i]);
    }

    long cpu_after = sys_getcpu();
    for (unsigned i = 0; i < SCALING_PATHS; i++) {
        const struct window *w = &windows[i];
        printf("[bench] scaling cpu=%ld placed=%u path=%s window=%u seconds=%u calls=%llu "
               "start_ns=%ld end_ns=%ld calls_per_second=%llu\n",
               cpu, placed, w->path->name, i, scaling_seconds, (unsigned long long)w->calls, w->start_ns, w->end_ns,
               (unsigned long long)window_rate(w));
    }
    if (cpu != (long)placed || cpu_after != cpu) {
        printf("[bench] error: placed on cpu%u, getcpu said %ld before the windows and %ld after\n", placed, cpu,
               cpu_after);
        return 1;
    }
    printf("[bench] scaling done cpu=%ld rows=%u\n", cpu, (unsigned)SCALING_PATHS);
    return 0;
}

// Print how bench is used; returns the exit status for a usage error.
static int usage(const char *arg)
{
    printf("[bench] unknown argument '%s'\n", arg);
    printf("usage: bench [quick] [batches=N] [calls=N]\n"
           "       bench scaling [seconds=N]\n"
           "  quick      %u batches of %u calls (a fast check)\n"
           "  batches=N  samples per row, 1..%u (default %u)\n"
           "  calls=N    calls per sample, rounded up to a multiple of 8 (default %u)\n"
           "  scaling    calls per second of each path for a fixed time, for running on every CPU\n"
           "  seconds=N  scaling: seconds per path, 1..%u (default %u)\n",
           QUICK_BATCHES, QUICK_CALLS, MAX_BATCHES, DEFAULT_BATCHES, DEFAULT_CALLS, SCALING_MAX_SECONDS,
           SCALING_DEFAULT_SECONDS);
    return 2;
}

// Apply the arguments to batches and calls; returns the index of a bad argument, or -1.
static int parse_args(int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        uint64_t n;
        if (strcmp(argv[i], "quick") == 0) {
            batches = QUICK_BATCHES;
            calls = QUICK_CALLS;
        } else if (strncmp(argv[i], "batches=", 8) == 0 && parse_u64(argv[i] + 8, &n) && n >= 1 && n <= MAX_BATCHES) {
            batches = (unsigned)n;
        } else if (strncmp(argv[i], "calls=", 6) == 0 && parse_u64(argv[i] + 6, &n) && n >= 1 && n <= MAX_CALLS) {
            calls = (n + 7) / 8 * 8; // the loops run eight calls per iteration
        } else if (strcmp(argv[i], "compat-syscall=dispatched") == 0) {
            compat_syscall_stated = true;
        } else if (strcmp(argv[i], "scaling") == 0) {
            scaling = true;
        } else if (strncmp(argv[i], "seconds=", 8) == 0 && parse_u64(argv[i] + 8, &n) && n >= 1 &&
                   n <= SCALING_MAX_SECONDS) {
            scaling_seconds = (unsigned)n;
        } else {
            return i;
        }
    }
    return -1;
}

// Measure every path, print rows and the table; exit 0 only if every row was measured.
int main(int argc, char **argv)
{
    int bad = parse_args(argc, argv);
    if (bad >= 0)
        return usage(argv[bad]);
    if (scaling)
        return run_scaling();

    bench_detect_rdtscp();
    uint64_t tsc_hz = print_context();
    printf("[bench] method: %u batches of %lu calls per path, TSC read with %s\n", batches, calls,
           bench_have_rdtscp ? "lfence;rdtsc .. rdtscp;lfence" : "lfence;rdtsc .. lfence;rdtsc;lfence");

    for (unsigned i = 0; i < TIMER_BATCHES; i++)
        timer_samples[i] = bench_batch_empty();
    uint64_t timer_overhead = stats_median(timer_samples, TIMER_BATCHES);
    char overhead[24];
    printf("[bench] timer_overhead=%s ticks per batch (subtracted)\n",
           fixed2(overhead, sizeof overhead, timer_overhead * 100));

    memset(write_payload, 'x', sizeof write_payload);

    unsigned measured = 0, skipped = 0;
    for (unsigned i = 0; i < PATH_COUNT; i++) {
        const char *why = "";
        if (!path_runs_here(&paths[i], &why)) {
            printf("[bench] skip path=%s: %s\n", paths[i].name, why);
            skipped++;
        } else if (measure_row(&paths[i], &results[measured], timer_overhead)) {
            print_row(&results[measured++]);
        }
    }
    print_table(results, measured, tsc_hz);
    printf("[bench] done rows=%u\n", measured);
    return measured + skipped == PATH_COUNT ? 0 : 1;
}
