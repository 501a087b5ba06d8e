// SPDX-License-Identifier: MIT
// The system-call tracer: syscall_slow_path, which both entry stubs call instead of the table
// when the running process has SYSCALL_WORK_TRACE (see syscall_trace.h), and the summary each
// traced process leaves when it ends.
//
// One kernel line per call, printed when the handler returns:
//   [trace] NAME[PID] cpuN ENTRY CALL(ARGS) = RESULT [ERRNO]
// ENTRY is `syscall` or `int 0x80`; CALL the handler's name from SYSCALL_LIST, or the number in
// hex for one the table has no handler for (then its arguments, which no handler reads, show as
// "..."). exit never returns: its line is printed before the handler runs, ending in "= ?" as
// strace does.
#include "syscall/syscall_trace.h"
#include "arch/x86_64/cr.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/timer.h"
#include "core/cmdline.h"
#include "core/console.h"
#include "core/format.h"
#include "core/process.h"
#include "core/string.h"
#include "syscall/syscall_table.h"

// Every name in SYSCALL_LIST, at its number.
static const char *const call_names[SYS_NR] = {
#define SYSCALL_NAME(name) [SYS_##name] = #name,
    SYSCALL_LIST(SYSCALL_NAME)
#undef SYSCALL_NAME
};

// How many of the six argument registers each handler reads (abi.h says what they are), for
// every number: a call added to SYSCALL_LIST without a count here stops the build below.
#define CALL_ARGS(X)    \
    X(null, 0)          \
    X(exit, 1)          \
    X(write, 3)         \
    X(getpid, 0)        \
    X(clock_ns, 0)      \
    X(sysinfo, 2)       \
    X(spawn, 2)         \
    X(getargs, 2)       \
    X(trap_count, 0)    \
    X(null_via_iret, 0) \
    X(bench_entry, 1)   \
    X(kernel_rflags, 1) \
    X(getcpu, 0)        \
    X(probe_regs, 2)    \
    X(sysenter_abi, 1)
static const uint8_t call_args[SYS_NR] = {
#define CALL_ARGS_SLOT(name, n) [SYS_##name] = n,
    CALL_ARGS(CALL_ARGS_SLOT)
#undef CALL_ARGS_SLOT
};
enum {
#define CALL_ARGS_ONE(name, n) +1
    CALL_ARGS_LENGTH = 0 CALL_ARGS(CALL_ARGS_ONE)
#undef CALL_ARGS_ONE
};
_Static_assert(CALL_ARGS_LENGTH == SYS_NR,
               "CALL_ARGS (syscall_trace.c) must give the argument count of every call in SYSCALL_LIST");

static char traced[CMDLINE_RUN_MAX]; // the trace= list: comma-separated program names

// Sets the programs to trace; see syscall_trace.h.
void syscall_trace_set_programs(const char *list)
{
    size_t n = strnlen(list, sizeof traced - 1);
    memcpy(traced, list, n);
    traced[n] = '\0';
}

// Whether `name` is one of the comma-separated names in the trace= list.
static bool is_traced(const char *name)
{
    size_t len = strlen(name);
    for (const char *item = traced; *item;) {
        const char *end = strchr(item, ',');
        size_t n = end ? (size_t)(end - item) : strlen(item);
        if (n == len && memcmp(item, name, n) == 0)
            return true;
        item += end ? n + 1 : n;
    }
    return false;
}

// Decides whether a new process is traced; its counts start at zero (take_slot cleared them).
void syscall_trace_start(struct process *p)
{
    if (is_traced(p->name))
        p->syscall_work |= SYSCALL_WORK_TRACE;
}

// The name of errno value -result, or NULL when the ABI defines none by that number.
// The name of the entry a call came through (TRACE_ENTRY_*, percpu.h), as the trace line shows it.
static const char *trace_entry_name(uint64_t entry)
{
    switch (entry) {
    case TRACE_ENTRY_INT80:
        return "int 0x80";
    case TRACE_ENTRY_CALLGATE:
        return "call gate";
    case TRACE_ENTRY_COMPAT_SYSCALL:
        return "compat syscall";
    case TRACE_ENTRY_COMPAT_INT80:
        return "compat int 0x80";
    case TRACE_ENTRY_SYSENTER:
        return "sysenter";
    case TRACE_ENTRY_COMPAT_SYSENTER:
        return "compat sysenter";
    default:
        return "syscall";
    }
}

static const char *errno_name(long result) { return lstar_errno_name(-result); }

// Appends one argument to out: small values (file descriptors, lengths, modes, small negative
// numbers) in signed decimal, anything else, such as an address, in hex.
static int format_arg(char *out, size_t size, uint64_t v)
{
    int64_t s = (int64_t)v;
    if (s >= -4096 && s < 0x10000)
        return format_buf(out, size, "%lld", (long long)s);
    return format_buf(out, size, "0x%llx", (unsigned long long)v);
}

// All ones when nr < SYS_NR, 0 otherwise, computed without a branch (Linux:
// array_index_mask_nospec): `nr & mask` is then a number the arrays have even on a path the CPU
// only speculates down past a bounds check with a bad nr (Spectre v1), as the fast path's
// sbb/and makes it 0 there.
static uint64_t number_mask(uint64_t nr)
{
    uint64_t mask;
    __asm__("cmp %2, %1\n\tsbb %0, %0" : "=r"(mask) : "r"(nr), "i"(SYS_NR) : "cc");
    return mask;
}

// Prints the call's line: everything up to " = ", then `result_text`.
// `call` is nr clamped by number_mask.
static void print_call(const struct process *p, uint64_t nr, uint64_t call, const uint64_t args[6], uint64_t entry,
                       const char *result_text)
{
    char text[160];
    if (nr < SYS_NR) {
        size_t len = (size_t)format_buf(text, sizeof text, "%s(", call_names[call]);
        for (unsigned i = 0; i < call_args[call] && len < sizeof text; i++) {
            if (i > 0)
                len += (size_t)format_buf(text + len, sizeof text - len, ", ");
            if (len < sizeof text)
                len += (size_t)format_arg(text + len, sizeof text - len, args[i]);
        }
        if (len < sizeof text)
            format_buf(text + len, sizeof text - len, ")");
    } else {
        format_buf(text, sizeof text, "0x%llx(...)", (unsigned long long)nr);
    }
    kprintf("[trace] %s[%d] cpu%llu %s %s = %s\n", p->name, p->pid, (unsigned long long)this_cpu()->cpu,
            trace_entry_name(entry), text, result_text);
}

// The slow path; see syscall_trace.h. Interrupts are off, as on the fast path (FMASK, or the
// interrupt gate), and the frame is the same: a handler cannot tell which path called it.
long syscall_slow_path(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5, uint64_t nr,
                       uint64_t entry)
{
    struct process *p = process_current();
    const uint64_t args[6] = {a0, a1, a2, a3, a4, a5};
    // A bad number indexes the tables at 0, even under speculation, and counts in the last row.
    uint64_t mask = number_mask(nr);
    uint64_t call = nr & mask;
    struct syscall_trace_row *row = &p->trace[call | (SYS_NR & ~mask)];

    if (nr == SYS_exit) { // no return to print: count it and say so first
        row->calls++;
        print_call(p, nr, call, args, entry, "?");
    }
    uint64_t start = rdtsc();
    long result = -ENOSYS;
    if (nr < SYS_NR)
        result = syscall_table[call](a0, a1, a2, a3, a4, a5);
    uint64_t ticks = rdtsc() - start;

    // A spawn ran a whole child in between; the process is still this CPU's current one.
    row->calls++;
    row->timed++;
    row->ticks += ticks;
    char text[48];
    if (result < 0) {
        row->errors++;
        const char *name = errno_name(result);
        format_buf(text, sizeof text, "%ld %s", result, name ? name : "E?");
    } else {
        format_buf(text, sizeof text, "%ld", result);
    }
    print_call(p, nr, call, args, entry, text);
    return result;
}

// Prints one row of the summary: count, errors and the mean time of a call in TSC ticks and,
// when the TSC's frequency is known, nanoseconds ("-" where there is nothing to say: an exit,
// which is never timed, or an unknown frequency).
static void print_row(const struct process *p, const struct syscall_trace_row *row, const char *name)
{
    uint64_t per_call = row->timed ? row->ticks / row->timed : 0;
    char ticks[24] = "-", ns[24] = "-";
    if (row->timed != 0)
        format_buf(ticks, sizeof ticks, "%llu", (unsigned long long)per_call);
    if (row->timed != 0 && tsc_hz() != 0)
        format_buf(ns, sizeof ns, "%llu", (unsigned long long)tsc_to_ns(per_call));
    kprintf("[trace] %s[%d] %8llu %8llu %12s %10s  %s\n", p->name, p->pid, (unsigned long long)row->calls,
            (unsigned long long)row->errors, ticks, ns, name);
}

// Prints a traced process's summary, like `strace -c`: a row per number it called, then the totals.
void syscall_trace_end(struct process *p)
{
    struct syscall_trace_row total = {0, 0, 0, 0};
    kprintf("[trace] %s[%d] summary of its system calls:\n", p->name, p->pid);
    kprintf("[trace] %s[%d] %8s %8s %12s %10s  %s\n", p->name, p->pid, "calls", "errors", "ticks/call", "ns/call",
            "syscall");
    for (unsigned nr = 0; nr < SYSCALL_TRACE_ROWS; nr++) {
        const struct syscall_trace_row *row = &p->trace[nr];
        if (row->calls == 0)
            continue;
        print_row(p, row, nr < SYS_NR ? call_names[nr] : "(no such call)");
        total.calls += row->calls;
        total.errors += row->errors;
        total.timed += row->timed;
        total.ticks += row->ticks;
    }
    print_row(p, &total, "total");
}
