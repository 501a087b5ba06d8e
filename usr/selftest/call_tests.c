// SPDX-License-Identifier: MIT
// Results and errors of every system call, checked through both entries: same number, same
// arguments, same result, whichever instruction entered the kernel.
#include <stdint.h>

#include "libc/stdio.h"
#include "libc/string.h"
#include "libc/syscall.h"
#include "selftest/check.h"
#include "selftest/suites.h"

// Addresses ring 3 may name but never use.
#define UNMAPPED_ADDRESS 0x0000000000010000ull     // below USER_IMAGE_BASE, never mapped
#define KERNEL_HALF_ADDRESS 0xffffffff80000000ull  // the kernel's image
#define NONCANONICAL_ADDRESS 0x0000800000000000ull // first address past the lower half
// The last 8 bytes of the stack: mapped, but the page above USER_STACK_TOP is a guard.
#define STACK_TOP_STRADDLE (USER_STACK_TOP - 8)

static const char small_message[] = "lstar selftest: a small write\n";

// ---- null, getpid, clock_ns, null_via_iret ----

// SYS_null returns 0.
static void null_returns_zero(enum lstar_entry e) { check_result(test_name("null_returns_zero", e), 0, lstar_null(e)); }

// SYS_null_via_iret returns 0 like SYS_null, whatever exit the kernel takes.
static void null_via_iret_returns_zero(enum lstar_entry e)
{
    check_result(test_name("null_via_iret_returns_zero", e), 0, lstar_null_via_iret(e));
}

// getpid is positive and the same on every call.
static void getpid_is_positive_and_stable(enum lstar_entry e)
{
    const char *name = test_name("getpid_is_positive_and_stable", e);
    long first = lstar_getpid(e);
    long second = lstar_getpid(e);
    if (first <= 0)
        check_fail(name, "expected a positive pid, got 0x%lx", (uint64_t)first);
    else
        check_result(name, first, second);
}

// Both entries report the same pid.
static void getpid_is_the_same_through_both_entries(void)
{
    check_result("getpid_is_the_same_through_both_entries", lstar_getpid(ENTRY_SYSCALL), lstar_getpid(ENTRY_INT80));
}

// clock_ns never goes back, and moves forward within a bounded number of calls.
static void clock_ns_increases(enum lstar_entry e)
{
    const char *name = test_name("clock_ns_increases", e);
    uint64_t start = (uint64_t)lstar_clock_ns(e);
    uint64_t now = start;
    for (unsigned i = 0; i < 1000000 && now == start; i++) {
        uint64_t next = (uint64_t)lstar_clock_ns(e);
        if (next < now) {
            check_fail(name, "went back from 0x%lx to 0x%lx", now, next);
            return;
        }
        now = next;
    }
    if (now > start)
        check_pass(name);
    else
        check_fail(name, "still 0x%lx after 1000000 calls", start);
}

// ---- write ----

// Writing to the discard sink (fd 3) returns the length.
static void write_returns_len(enum lstar_entry e)
{
    size_t len = sizeof small_message - 1;
    check_result(test_name("write_returns_len", e), (long)len, lstar_write(e, 3, small_message, len));
}

// Writing to the console returns the length (and the line shows in the log).
static void write_to_console_returns_len(enum lstar_entry e)
{
    static const char via_syscall[] = "[selftest] this line was written through syscall\n";
    static const char via_int80[] = "[selftest] this line was written through int80\n";
    const char *line = e == ENTRY_INT80 ? via_int80 : via_syscall;
    size_t len = strlen(line);
    stdout_flush(); // keep the log in order: buffered text first
    check_result(test_name("write_to_console_returns_len", e), (long)len, lstar_write(e, 1, line, len));
}

// A zero-length write returns 0 without looking at the buffer, even a NULL one.
static void write_of_zero_bytes_does_not_touch_buf(enum lstar_entry e)
{
    check_result(test_name("write_of_zero_bytes_does_not_touch_buf", e), 0, lstar_write(e, 1, NULL, 0));
}

// fds other than 1, 2 and 3 give -EBADF.
static void write_to_bad_fd_returns_ebadf(enum lstar_entry e)
{
    static const int bad_fds[] = {0, 4, 5, 1000, -1};
    const char *name = test_name("write_to_bad_fd_returns_ebadf", e);
    for (size_t i = 0; i < sizeof bad_fds / sizeof bad_fds[0]; i++) {
        long got = lstar_write(e, bad_fds[i], small_message, 4);
        if (got != -EBADF) {
            check_fail(name, "fd %d: expected 0x%lx, got 0x%lx", bad_fds[i], (uint64_t)-EBADF, (uint64_t)got);
            return;
        }
    }
    check_pass(name);
}

// One bad buffer for write: the kernel must refuse it whole, before writing anything.
struct bad_buffer {
    const char *test;
    uint64_t buf;
    uint64_t len;
};

// Every kind of bad user range gives -EFAULT, on the console (where a partial write would
// show) and on the discard sink (which must validate all the same).
static void write_bad_buffers_return_efault(enum lstar_entry e)
{
    // What a refused write would show if the kernel wrote part of it before the fault: the
    // tests reject any log line holding this text (tests/qemu/CMakeLists.txt, selftest_passes).
    static char mapped[64] = "partial-write-must-not-show";
    uint64_t valid = (uint64_t)mapped;
    const struct bad_buffer cases[] = {
        {"write_null_buf_returns_efault", 0, 16},
        {"write_kernel_half_buf_returns_efault", KERNEL_HALF_ADDRESS, 16},
        {"write_noncanonical_buf_returns_efault", NONCANONICAL_ADDRESS, 16},
        {"write_unmapped_buf_returns_efault", UNMAPPED_ADDRESS, 16},
        {"write_straddling_into_unmapped_page_returns_efault", STACK_TOP_STRADDLE, 64},
        {"write_range_wrapping_past_2_pow_64_returns_efault", valid, UINT64_MAX},
        {"write_range_wrapping_to_low_memory_returns_efault", valid, 0 - valid + 16},
        {"write_range_reaching_the_kernel_half_returns_efault", valid, KERNEL_HALF_ADDRESS - valid},
        // A non-canonical alias of a mapped buffer: the page walk ignores bits 63:48, so only
        // the ceiling check stands between this pointer and a #GP in the kernel's copy.
        {"write_noncanonical_alias_of_a_mapped_buf_returns_efault", valid | (1ull << 63), 16},
    };
    stdout_flush();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        long got = lstar_write(e, 1, (const void *)cases[i].buf, cases[i].len);
        check_result(test_name(cases[i].test, e), -EFAULT, got);
    }
    check_result(test_name("discard_sink_write_validates_buf", e), -EFAULT,
                 lstar_write(e, 3, (const void *)UNMAPPED_ADDRESS, 16));
}

// ---- numbers out of range ----

// -1, SYS_NR, 2^32 (alone and with a valid number in the low half) and 2^63 give -ENOSYS: the
// kernel compares all 64 bits of rax, not eax.
static void numbers_out_of_range_return_enosys(enum lstar_entry e)
{
    static const struct {
        const char *test;
        uint64_t nr;
    } cases[] = {
        {"number_minus_1_returns_enosys", UINT64_MAX},
        {"number_sys_nr_returns_enosys", SYS_NR},
        {"number_sys_nr_plus_1_returns_enosys", SYS_NR + 1},
        {"number_2_pow_32_minus_1_returns_enosys", 0xffffffffull},
        {"number_2_pow_32_returns_enosys", 1ull << 32},
        {"number_2_pow_32_plus_null_returns_enosys", (1ull << 32) + SYS_null},
        {"number_2_pow_32_plus_getpid_returns_enosys", (1ull << 32) + SYS_getpid},
        {"number_2_pow_63_returns_enosys", 1ull << 63},
        {"number_2_pow_63_plus_null_returns_enosys", (1ull << 63) + SYS_null},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        long got = lstar_call(e, (long)cases[i].nr, 0, 0, 0, 0, 0, 0);
        check_result(test_name(cases[i].test, e), -ENOSYS, got);
    }
}

// ---- sysinfo ----

// True if the array field holds a NUL-terminated string within its size.
static bool terminated(const char *field, size_t size) { return strnlen(field, size) < size; }

// sysinfo returns 0 and fills every string field with a terminated string.
static void sysinfo_fills_the_buffer(enum lstar_entry e)
{
    const char *name = test_name("sysinfo_returns_zero_and_terminated_strings", e);
    struct lstar_sysinfo info;
    memset(&info, 0xff, sizeof info); // no NUL anywhere unless the kernel writes one
    long got = lstar_sysinfo(e, &info, sizeof info);
    if (got != 0)
        check_fail(name, "expected 0x0, got 0x%lx", (uint64_t)got);
    else if (!terminated(info.cpu_vendor, sizeof info.cpu_vendor) || info.cpu_vendor[0] == '\0')
        check_fail(name, "cpu_vendor is empty or not terminated");
    else if (!terminated(info.cpu_brand, sizeof info.cpu_brand))
        check_fail(name, "cpu_brand is not terminated");
    else if (!terminated(info.hypervisor, sizeof info.hypervisor))
        check_fail(name, "hypervisor is not terminated");
    else if (!terminated(info.commit, sizeof info.commit) || info.commit[0] == '\0')
        check_fail(name, "commit is empty or not terminated");
    else if (!terminated(info.tsc_source, sizeof info.tsc_source) || info.tsc_source[0] == '\0')
        check_fail(name, "tsc_source is empty or not terminated");
    else
        check_pass(name);
}

// Both entries fill the structure identically.
static void sysinfo_is_the_same_through_both_entries(void)
{
    const char *name = "sysinfo_is_the_same_through_both_entries";
    struct lstar_sysinfo a, b;
    memset(&a, 0x00, sizeof a);
    memset(&b, 0xff, sizeof b); // different fillers: a byte the kernel skips shows up
    long ra = lstar_sysinfo(ENTRY_SYSCALL, &a, sizeof a);
    long rb = lstar_sysinfo(ENTRY_INT80, &b, sizeof b);
    if (ra != 0 || rb != 0) {
        check_fail(name, "results 0x%lx and 0x%lx, expected 0x0", (uint64_t)ra, (uint64_t)rb);
        return;
    }
    const unsigned char *x = (const unsigned char *)&a, *y = (const unsigned char *)&b;
    for (size_t i = 0; i < sizeof a; i++) {
        if (x[i] != y[i]) {
            check_fail(name, "byte %zu: syscall gave 0x%x, int80 gave 0x%x", i, x[i], y[i]);
            return;
        }
    }
    check_pass(name);
}

// A length below sizeof(struct lstar_sysinfo) gives -EINVAL.
static void sysinfo_short_len_returns_einval(enum lstar_entry e)
{
    struct lstar_sysinfo info;
    const char *name = test_name("sysinfo_short_len_returns_einval", e);
    long short_by_one = lstar_sysinfo(e, &info, sizeof info - 1);
    long zero = lstar_sysinfo(e, &info, 0);
    if (short_by_one != -EINVAL)
        check_fail(name, "len %zu: expected 0x%lx, got 0x%lx", sizeof info - 1, (uint64_t)-EINVAL,
                   (uint64_t)short_by_one);
    else
        check_result(name, -EINVAL, zero);
}

// A bad buffer gives -EFAULT, including one that runs off the top of the stack.
static void sysinfo_bad_buf_returns_efault(enum lstar_entry e)
{
    size_t len = sizeof(struct lstar_sysinfo);
    check_result(test_name("sysinfo_null_buf_returns_efault", e), -EFAULT, lstar_sysinfo(e, NULL, len));
    check_result(test_name("sysinfo_kernel_half_buf_returns_efault", e), -EFAULT,
                 lstar_sysinfo(e, (struct lstar_sysinfo *)KERNEL_HALF_ADDRESS, len));
    check_result(test_name("sysinfo_buf_straddling_into_unmapped_page_returns_efault", e), -EFAULT,
                 lstar_sysinfo(e, (struct lstar_sysinfo *)STACK_TOP_STRADDLE, len));
}

// ---- getcpu ----

// getcpu names the CPU sysinfo reports, through either entry.
static void getcpu_matches_sysinfo(enum lstar_entry e)
{
    const char *name = test_name("getcpu_matches_sysinfo_cpu", e);
    struct lstar_sysinfo info;
    long got = lstar_sysinfo(e, &info, sizeof info);
    if (got != 0)
        check_fail(name, "sysinfo: expected 0x0, got 0x%lx", (uint64_t)got);
    else
        check_result(name, info.cpu, lstar_getcpu(e));
}

// ---- getargs ----

// getargs returns the length of a NUL-terminated string, and both entries return the same one.
static void getargs_returns_the_argument_string(enum lstar_entry e)
{
    const char *name = test_name("getargs_returns_the_argument_string", e);
    static char mine[256], reference[256];
    memset(mine, 0xff, sizeof mine);
    long len = lstar_getargs(e, mine, sizeof mine);
    long ref_len = lstar_getargs(ENTRY_SYSCALL, reference, sizeof reference);
    if (len < 0 || (size_t)len >= sizeof mine)
        check_fail(name, "expected a length below 0x%zx, got 0x%lx", sizeof mine, (uint64_t)len);
    else if (mine[len] != '\0' || strlen(mine) != (size_t)len)
        check_fail(name, "length 0x%lx but strlen 0x%zx", (uint64_t)len, strnlen(mine, sizeof mine));
    else if (len != ref_len || strcmp(mine, reference) != 0)
        check_fail(name, "'%s' differs from '%s' (through syscall)", mine, reference);
    else
        check_pass(name);
}

// A buffer one byte too short for the NUL gives -E2BIG; one exactly long enough succeeds.
static void getargs_needs_room_for_the_nul(enum lstar_entry e)
{
    static char buf[256];
    long len = lstar_getargs(e, buf, sizeof buf);
    if (len < 0) {
        check_fail(test_name("getargs_without_room_for_nul_returns_e2big", e), "could not read the arguments: 0x%lx",
                   (uint64_t)len);
        return;
    }
    check_result(test_name("getargs_without_room_for_nul_returns_e2big", e), -E2BIG,
                 lstar_getargs(e, buf, (size_t)len));
    check_result(test_name("getargs_with_exactly_enough_room_returns_len", e), len,
                 lstar_getargs(e, buf, (size_t)len + 1));
}

// A bad buffer gives -EFAULT.
static void getargs_bad_buf_returns_efault(enum lstar_entry e)
{
    check_result(test_name("getargs_unmapped_buf_returns_efault", e), -EFAULT,
                 lstar_getargs(e, (char *)UNMAPPED_ADDRESS, 64));
    check_result(test_name("getargs_kernel_half_buf_returns_efault", e), -EFAULT,
                 lstar_getargs(e, (char *)KERNEL_HALF_ADDRESS, 64));
}

// ---- bench_entry ----

// Modes other than the three defined give -EINVAL (and change nothing).
static void bench_entry_rejects_unknown_modes(enum lstar_entry e)
{
    const char *name = test_name("bench_entry_rejects_unknown_modes", e);
    const long unknown = BENCH_ENTRY_EMPTY_SYSENTER + 1; // the first mode past the last one
    long past = lstar_bench_entry(e, unknown);
    long minus_one = lstar_bench_entry(e, -1);
    if (past != -EINVAL)
        check_fail(name, "mode %ld: expected 0x%lx, got 0x%lx", unknown, (uint64_t)-EINVAL, (uint64_t)past);
    else
        check_result(name, -EINVAL, minus_one);
}

// A number no handler accepts: the real entry answers -ENOSYS, an empty one hands rax back.
#define PROBE_NUMBER 0x1234abcdL

// One empty entry's round trip, and the names of its four checks.
struct empty_entry_case {
    enum lstar_entry emptied; // the entry made empty; the other one is the way back
    long mode;                // BENCH_ENTRY_EMPTY_LSTAR or BENCH_ENTRY_EMPTY_GATE
    const char *installs, *echoes, *restores, *is_back;
};

// The empty entry returns rax untouched; the other entry puts the real one back. Nothing is
// printed in between: printf itself goes through `syscall`.
static void empty_entry_round_trip(const struct empty_entry_case *c)
{
    enum lstar_entry other = c->emptied == ENTRY_INT80 ? ENTRY_SYSCALL : ENTRY_INT80;
    stdout_flush();
    long installed = sys_bench_entry(c->mode);
    long echoed = 0, restored = 0;
    if (installed == 0) {
        echoed = lstar_call0(c->emptied, PROBE_NUMBER);
        restored = lstar_bench_entry(other, BENCH_ENTRY_RESTORE);
    }
    if (!check_result(c->installs, 0, installed))
        return;
    check_result(c->echoes, PROBE_NUMBER, echoed);
    check_result(c->restores, 0, restored);
    check_result(c->is_back, -ENOSYS, lstar_call0(c->emptied, PROBE_NUMBER));
}

// The empty LSTAR target (undone through int 0x80), then the empty gate (undone through syscall).
static void empty_entries_round_trip(void)
{
    static const struct empty_entry_case cases[] = {
        {ENTRY_SYSCALL, BENCH_ENTRY_EMPTY_LSTAR, "bench_entry_installs_the_empty_lstar_entry",
         "empty_lstar_entry_returns_rax_unchanged", "bench_entry_restore_through_int80_returns_zero",
         "real_lstar_entry_is_back_after_restore"},
        {ENTRY_INT80, BENCH_ENTRY_EMPTY_GATE, "bench_entry_installs_the_empty_gate", "empty_gate_returns_rax_unchanged",
         "bench_entry_restore_through_syscall_returns_zero", "real_gate_is_back_after_restore"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        empty_entry_round_trip(&cases[i]);
}

// Every call's results, through entry e (run_call_tests: both; sysenter_tests.c: sysenter).
void run_call_tests_through(enum lstar_entry e)
{
    null_returns_zero(e);
    null_via_iret_returns_zero(e);
    getpid_is_positive_and_stable(e);
    clock_ns_increases(e);
    write_returns_len(e);
    write_to_console_returns_len(e);
    write_of_zero_bytes_does_not_touch_buf(e);
    write_to_bad_fd_returns_ebadf(e);
    write_bad_buffers_return_efault(e);
    numbers_out_of_range_return_enosys(e);
    sysinfo_fills_the_buffer(e);
    sysinfo_short_len_returns_einval(e);
    sysinfo_bad_buf_returns_efault(e);
    getcpu_matches_sysinfo(e);
    getargs_returns_the_argument_string(e);
    getargs_needs_room_for_the_nul(e);
    getargs_bad_buf_returns_efault(e);
    bench_entry_rejects_unknown_modes(e);
}

// Every call's results, through both entries.
void run_call_tests(void)
{
    FOR_EACH_ENTRY(e)
    run_call_tests_through(e);
    getpid_is_the_same_through_both_entries();
    sysinfo_is_the_same_through_both_entries();
    empty_entries_round_trip();
}
