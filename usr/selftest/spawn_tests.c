// SPDX-License-Identifier: MIT
// Spawning children: exit statuses reach the parent, every ring-3 fault is reported as
// SPAWN_FAULTED | vector while the kernel goes on, and bad requests are refused cleanly.
#include <stdbool.h>
#include <stdint.h>

#include "core/string.h"
#include "libc/stdio.h"
#include "libc/syscall.h"
#include "selftest/check.h"
#include "selftest/suites.h"

// The end of the program's image (user.ld): the page after the one it ends in is unmapped.
extern char __image_end[];

#define UNMAPPED_ADDRESS 0x0000000000010000ull
#define KERNEL_HALF_ADDRESS 0xffffffff80000000ull
#define NONCANONICAL_ADDRESS 0x0000800000000000ull

// spawn accepts names and arguments of up to this many bytes.
#define SPAWN_STRING_LIMIT 127

// One way crash faults, and the vector the kernel must report for it.
struct fault_case {
    const char *test;
    const char *arg;
    long vector;
};

static const struct fault_case fault_cases[] = {
    {"ud_from_ring3_is_reported_not_fatal", "ud", 6},
    {"hlt_from_ring3_is_reported_not_fatal", "gp", 13},
    {"int3_from_ring3_is_reported_not_fatal", "int3", 13},
    {"int_0x81_from_ring3_is_reported_not_fatal", "int81", 13},
    {"divide_by_zero_from_ring3_is_reported_not_fatal", "de", 0},
    {"null_read_from_ring3_is_reported_not_fatal", "pf-null", 14},
    {"kernel_read_from_ring3_is_reported_not_fatal", "pf-kernel", 14},
    {"noncanonical_read_from_ring3_is_reported_not_fatal", "pf-noncanonical", 13},
    {"stack_overflow_into_guard_page_is_reported_not_fatal", "pf-stack", 14},
    {"jump_to_kernel_address_is_reported_not_fatal", "kernel-page", 14},
};

// Spawn through e, flushing first so the child's output follows ours in the log.
static long spawn(enum lstar_entry e, const char *name, const char *args)
{
    stdout_flush();
    return lstar_spawn(e, name, args);
}

// Each fault ends only the child, which the parent sees as SPAWN_FAULTED | vector.
static void faults_are_reported_not_fatal(enum lstar_entry e)
{
    for (size_t i = 0; i < sizeof fault_cases / sizeof fault_cases[0]; i++) {
        long fate = spawn(e, "crash", fault_cases[i].arg);
        check_result(test_name(fault_cases[i].test, e), SPAWN_FAULTED | fault_cases[i].vector, fate);
    }
}

// Exit statuses reach the parent, truncated to 8 bits.
static void exit_status_reaches_parent(enum lstar_entry e)
{
    check_result(test_name("child_exit_status_reaches_parent", e), 7, spawn(e, "crash", "exit-7"));
    check_result(test_name("child_exit_zero_reaches_parent", e), 0, spawn(e, "crash", "exit-0"));
    check_result(test_name("child_exit_status_is_truncated_to_8_bits", e), 300 & 0xff, spawn(e, "crash", "exit-300"));
}

// A child runs as its own process: its pid (low 8 bits, as an exit status) is not ours.
static void child_pid_differs_from_parent(enum lstar_entry e)
{
    const char *name = test_name("child_pid_differs_from_parent", e);
    long mine = sys_getpid() & 0xff;
    long childs = spawn(e, "crash", "exit-pid");
    if (childs < 0 || (childs & SPAWN_FAULTED))
        check_fail(name, "spawn gave 0x%lx", (uint64_t)childs);
    else if (childs == mine)
        check_fail(name, "child pid & 0xff is 0x%lx, the same as the parent's", (uint64_t)childs);
    else
        check_pass(name);
}

// Malformed or missing modules and bad pointers are refused, and the kernel goes on.
static void bad_requests_are_refused(enum lstar_entry e)
{
    check_result(test_name("malformed_elf_is_refused_with_enoexec", e), -ENOEXEC, spawn(e, "badelf", ""));
    check_result(test_name("missing_program_returns_enoent", e), -ENOENT, spawn(e, "no-such-program", ""));
    check_result(test_name("program_larger_than_memory_returns_enomem", e), -ENOMEM, spawn(e, "hog", ""));
    check_result(test_name("null_name_pointer_returns_efault", e), -EFAULT, spawn(e, NULL, ""));
    check_result(test_name("kernel_half_name_pointer_returns_efault", e), -EFAULT,
                 spawn(e, (const char *)KERNEL_HALF_ADDRESS, ""));
    check_result(test_name("noncanonical_name_pointer_returns_efault", e), -EFAULT,
                 spawn(e, (const char *)NONCANONICAL_ADDRESS, ""));
    check_result(test_name("unmapped_args_pointer_returns_efault", e), -EFAULT,
                 spawn(e, "crash", (const char *)UNMAPPED_ADDRESS));

    // A name that starts on a mapped page and runs, NUL-less, into the unmapped page after the
    // image: the kernel must check each new page before it reads it (a check of the first byte
    // alone would let the copy fault in ring 0). The last three bytes of the image's last page
    // are the program's own (bss rounding), so writing them is harmless.
    char *last = (char *)(((uint64_t)__image_end + 4095) & ~4095ull) - 3;
    memcpy(last, "abc", 3);
    check_result(test_name("name_running_into_an_unmapped_page_returns_efault", e), -EFAULT, spawn(e, last, ""));
}

// 127 bytes is the limit for names and arguments: one more is -EINVAL, exactly 127 is fine.
static void string_length_limit_is_127_bytes(enum lstar_entry e)
{
    static char long_string[SPAWN_STRING_LIMIT + 2];
    static char exit_arg[SPAWN_STRING_LIMIT + 1];

    memset(long_string, 'a', SPAWN_STRING_LIMIT + 1);
    long_string[SPAWN_STRING_LIMIT + 1] = '\0';
    check_result(test_name("name_longer_than_127_bytes_returns_einval", e), -EINVAL, spawn(e, long_string, ""));
    check_result(test_name("args_longer_than_127_bytes_return_einval", e), -EINVAL, spawn(e, "crash", long_string));

    long_string[SPAWN_STRING_LIMIT] = '\0'; // 127 bytes: long enough, but no such module
    check_result(test_name("name_of_127_bytes_is_not_too_long", e), -ENOENT, spawn(e, long_string, ""));

    // "exit-000...07", 127 bytes: crash must receive all of it to find the 7 at the end.
    memset(exit_arg, '0', SPAWN_STRING_LIMIT);
    memcpy(exit_arg, "exit-", 5);
    exit_arg[SPAWN_STRING_LIMIT - 1] = '7';
    exit_arg[SPAWN_STRING_LIMIT] = '\0';
    check_result(test_name("args_of_127_bytes_reach_the_child", e), 7, spawn(e, "crash", exit_arg));
}

// What the CPU under test must do with the two legacy entries lstar leaves shut, as the fate the
// parent sees: for `sysenter` and for `syscall` from compatibility mode. NO_RULE until stated by
// an argument or taken from the vendor rule.
#define NO_RULE (-1l)
#define FATE_GP (SPAWN_FAULTED | 13)
#define FATE_UD (SPAWN_FAULTED | 6)
#define FATE_DISPATCHED 0l     // crash:compat-syscall exits with -result: SYS_null's 0 through CSTAR
#define FATE_SYSENTER_EXIT 61l // crash:sysenter's exit(61) made through `sysenter` itself
static long stated_sysenter = NO_RULE;
static long stated_compat_syscall = NO_RULE;

// Takes `sysenter=exit|gp|ud` or `compat-syscall=ud|dispatched`, which a test that boots a CPU model
// gives when that model's rule is not its vendor's (an emulator's own choice, measured) or to
// say the vendor's rule in so many words. Returns false for any other word.
bool spawn_tests_take_argument(const char *word)
{
    if (strcmp(word, "sysenter=gp") == 0)
        stated_sysenter = FATE_GP;
    else if (strcmp(word, "sysenter=exit") == 0)
        stated_sysenter = FATE_SYSENTER_EXIT;
    else if (strcmp(word, "sysenter=ud") == 0)
        stated_sysenter = FATE_UD;
    else if (strcmp(word, "compat-syscall=ud") == 0)
        stated_compat_syscall = FATE_UD;
    else if (strcmp(word, "compat-syscall=dispatched") == 0)
        stated_compat_syscall = FATE_DISPATCHED;
    else
        return false;
    return true;
}

// Whether `syscall` from compatibility mode reaches IA32_CSTAR here: as stated by the argument,
// else by the vendor rule (AMD: yes; Intel: #UD). compat_tests.c runs its CSTAR checks only then.
bool spawn_tests_compat_syscall_is_dispatched(void)
{
    if (stated_compat_syscall != NO_RULE)
        return stated_compat_syscall == FATE_DISPATCHED;
    struct lstar_sysinfo info;
    return sys_sysinfo(&info, sizeof info) == 0 && strcmp(info.cpu_vendor, "AuthenticAMD") == 0;
}

// How a fate (FATE_GP, FATE_UD or FATE_DISPATCHED) reads in the log.
static const char *fate_name(long fate)
{
    if (fate == FATE_GP)
        return "#GP (vector 13)";
    if (fate == FATE_UD)
        return "#UD (vector 6)";
    if (fate == FATE_SYSENTER_EXIT)
        return "exit status 61 through SYSENTER_EIP";
    return "a dispatched call through IA32_CSTAR (exit status 0)";
}

// The fate the check expects: the stated one, else the vendor rule (Intel SDM Vol. 2B,
// "SYSENTER": enters at IA32_SYSENTER_EIP, which the kernel programs on Intel CPUs, and
// "SYSCALL": #UD outside 64-bit mode; AMD
// APM Vol. 3, "SYSENTER": #UD in long mode, and "SYSCALL": compatibility mode enters at
// CSTAR), else NO_RULE. Says in the log which one it is and why.
static long expected_fate(const char *what, long stated, long intel, long amd, const char *vendor)
{
    long fate = stated;
    const char *why = "stated by the selftest's argument";
    if (fate == NO_RULE) {
        why = "the vendor rule";
        if (strcmp(vendor, "GenuineIntel") == 0)
            fate = intel;
        else if (strcmp(vendor, "AuthenticAMD") == 0)
            fate = amd;
    }
    if (fate == NO_RULE)
        printf("[selftest] %s: no argument states its fate, and CPU vendor %s has no rule\n", what, vendor);
    else
        printf("[selftest] %s must give %s: %s (CPU vendor %s)\n", what, fate_name(fate), why, vendor);
    return fate;
}

// Checks one legacy entry's fate against exactly one expected fate.
static void check_legacy_fate(const char *name, const char *argument, long expected, long got)
{
    if (expected == NO_RULE)
        check_fail(name, "no vendor rule for this CPU: give the selftest %s=...", argument);
    else
        check_result(name, expected, got);
}

// The legacy entries: `sysenter` enters the kernel on Intel (crash:sysenter exits 61 through it)
// and faults on AMD, where only that program ends; `syscall` from compatibility mode either
// reaches IA32_CSTAR, which dispatches it (compat_entry.asm), or is refused by the CPU with #UD.
// Which one happens is the CPU's: each check expects exactly one
// fate, the one its test states or the vendor's rule (expected_fate). Emulators depart from the
// rule in both (docs/testing.md, "CPU models and the legacy entries"): QEMU 7.2's Intel models send compatibility-mode
// `syscall` to CSTAR, and Bochs 2.7's `ryzen` raises #GP for `sysenter`.
static void legacy_entries_are_refused(void)
{
    struct lstar_sysinfo info;
    const char *vendor = sys_sysinfo(&info, sizeof info) == 0 ? info.cpu_vendor : "(sysinfo failed)";
    long want_sysenter = expected_fate("sysenter", stated_sysenter, FATE_SYSENTER_EXIT, FATE_UD, vendor);
    check_legacy_fate("sysenter_from_ring3_is_reported_not_fatal", "sysenter", want_sysenter,
                      spawn(ENTRY_SYSCALL, "crash", "sysenter"));
    // An int 0x80 from compatibility mode with RCX and R11 as sysretq would want them: the
    // exit's CS check alone must send it back by iretq, into compatibility mode.
    check_result("int80_from_compatibility_mode_returns_there", 0, spawn(ENTRY_SYSCALL, "crash", "compat-int80"));
    long want_compat = expected_fate("compatibility-mode syscall", stated_compat_syscall, FATE_UD, FATE_DISPATCHED,
                                     vendor);
    check_legacy_fate("compat_mode_syscall_has_its_vendors_fate", "compat-syscall", want_compat,
                      spawn(ENTRY_SYSCALL, "crash", "compat-syscall"));
}

// A program that leaves both entries empty (SYS_bench_entry) and dies must not take them with
// it: the kernel restores the real ones when any program ends.
static void empty_entries_do_not_outlive_their_program(void)
{
    check_result("child_that_empties_both_entries_faults", SPAWN_FAULTED | 6,
                 spawn(ENTRY_SYSCALL, "crash", "empty-entries"));
    // An empty entry hands rax back unchanged; the real one answers an unknown number -ENOSYS.
    const long probe = 0x1234abcd;
    check_result("syscall_entry_is_real_again_after_the_child", -ENOSYS,
                 lstar_call(ENTRY_SYSCALL, probe, 0, 0, 0, 0, 0, 0));
    check_result("int80_entry_is_real_again_after_the_child", -ENOSYS,
                 lstar_call(ENTRY_INT80, probe, 0, 0, 0, 0, 0, 0));
}

// Children and faults, through both entries.
void run_spawn_tests(void)
{
    legacy_entries_are_refused();
    empty_entries_do_not_outlive_their_program();
    FOR_EACH_ENTRY(e)
    {
        exit_status_reaches_parent(e);
        child_pid_differs_from_parent(e);
        faults_are_reported_not_fatal(e);
        bad_requests_are_refused(e);
        string_length_limit_is_127_bytes(e);
    }
}
