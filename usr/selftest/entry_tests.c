// SPDX-License-Identifier: MIT
// What the entries themselves must get right, checked register by register: every register
// the ABI promises survives, rcx and r11 hold exactly what `syscall` put there, the user's flags
// come back, a garbage RSP is neither used nor changed, and TF yields exactly one user trap.
#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/arch_bits.h" // RFLAGS_*: the names the kernel uses
#include "core/string.h"
#include "libc/stdio.h"
#include "libc/syscall.h"
#include "selftest/check.h"
#include "selftest/regs.h"
#include "selftest/suites.h"

#define RFLAGS_USER (RFLAGS_FIXED | RFLAGS_IF) // what a program starts with
#define RFLAGS_ARITH (RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_OF)

#define UNMAPPED_ADDRESS 0x0000000000010000ull

// Tells whether the kernel runs with SMAP (and so executes its `clac`s).
static bool cpu_has_smap(void)
{
    struct lstar_sysinfo info;
    return sys_sysinfo(&info, sizeof info) == 0 && (info.features & LSTAR_FEATURE_SMAP);
}

// The program's first byte (user.ld): the page below it is unmapped.
extern const char __image_start[];

// One general register in struct regs: its name and byte offset (regs_layout.h).
struct reg_slot {
    const char *name;
    unsigned offset;
};

// Every register but rax, which carries the result.
static const struct reg_slot preserved_slots[] = {
    {"rbx", REGS_RBX}, {"rcx", REGS_RCX}, {"rdx", REGS_RDX}, {"rsi", REGS_RSI}, {"rdi", REGS_RDI},
    {"rbp", REGS_RBP}, {"r8", REGS_R8},   {"r9", REGS_R9},   {"r10", REGS_R10}, {"r11", REGS_R11},
    {"r12", REGS_R12}, {"r13", REGS_R13}, {"r14", REGS_R14}, {"r15", REGS_R15},
};

// Read the register at a slot.
static uint64_t slot_value(const struct regs *r, unsigned offset)
{
    uint64_t value;
    memcpy(&value, (const char *)r + offset, sizeof value);
    return value;
}

// Write the register at a slot.
static void set_slot(struct regs *r, unsigned offset, uint64_t value)
{
    memcpy((char *)r + offset, &value, sizeof value);
}

// Load every register with its own pattern: no two alike and every byte different, so a swap,
// a 32-bit truncation or a zeroing all show.
static void fill_patterns(struct regs *r)
{
    memset(r, 0, sizeof *r);
    for (size_t i = 0; i < sizeof preserved_slots / sizeof preserved_slots[0]; i++) {
        unsigned n = (unsigned)i + 1;
        const uint64_t base = 0x0123456789abcdefull;
        uint64_t rotated = (base << (4 * n)) | (base >> (64 - 4 * n));
        set_slot(r, preserved_slots[i].offset, rotated ^ (0x1111111111111111ull * n));
    }
    r->rflags = RFLAGS_USER;
}

// Run one register-exact call through entry e.
static void regs_call(enum lstar_entry e, const struct regs *in, struct regs *out)
{
    stdout_flush(); // nothing buffered may be lost if the call goes wrong
    memset(out, 0, sizeof *out);
    if (e == ENTRY_INT80)
        regs_call_int80(in, out);
    else if (e == ENTRY_SYSENTER)
        regs_call_sysenter(in, out);
    else
        regs_call_syscall(in, out);
}

// Append "<reg> expected 0x.. got 0x..; " to detail for a mismatch.
static void note_mismatch(char *detail, size_t size, const char *reg, uint64_t want, uint64_t got)
{
    size_t used = strlen(detail);
    snprintf(detail + used, size - used, "%s%s expected 0x%lx, got 0x%lx", used ? "; " : "", reg, want, got);
}

// Make the call in *in through e and check the result, RSP, the flags and every register the
// entry must preserve. After `syscall`, rcx must be the return address and r11 the RFLAGS,
// except after SYS_null_via_iret, where rcx must be 0 and r11 is unspecified. After `int 0x80`
// every register but rax survives, SYS_null_via_iret included. After `sysenter` (docs/abi.md)
// rcx must be the RSP at the call, rdx and r11 the return address (r11 is the caller's own
// value, passed in), except after SYS_null_via_iret, where rcx must be 0.
static void check_call_preserves(const char *base, enum lstar_entry e, const struct regs *in, long expected_rax)
{
    bool via_iret = e != ENTRY_INT80 && in->rax == SYS_null_via_iret;
    struct regs out;
    regs_call(e, in, &out);
    char detail[512] = "";
    for (size_t i = 0; i < sizeof preserved_slots / sizeof preserved_slots[0]; i++) {
        const struct reg_slot *slot = &preserved_slots[i];
        uint64_t want = slot_value(in, slot->offset);
        uint64_t got = slot_value(&out, slot->offset);
        if (slot->offset == REGS_RCX && via_iret)
            want = 0;
        else if (slot->offset == REGS_RCX && e == ENTRY_SYSCALL)
            want = (uint64_t)regs_syscall_return;
        else if (slot->offset == REGS_RCX && e == ENTRY_SYSENTER)
            want = out.rsp_before;
        if ((slot->offset == REGS_RDX || slot->offset == REGS_R11) && e == ENTRY_SYSENTER)
            want = (uint64_t)regs_sysenter_return;
        if (slot->offset == REGS_R11 && via_iret && e == ENTRY_SYSCALL)
            continue;
        if (slot->offset == REGS_R11 && e == ENTRY_SYSCALL) {
            want = out.rflags_before & ~RFLAGS_RF; // SYSCALL saves RFLAGS with RF cleared
            got &= ~RFLAGS_RF;
        }
        if (got != want)
            note_mismatch(detail, sizeof detail, slot->name, want, got);
    }
    if ((uint64_t)expected_rax != out.rax)
        note_mismatch(detail, sizeof detail, "rax", (uint64_t)expected_rax, out.rax);
    if (out.rsp != out.rsp_before)
        note_mismatch(detail, sizeof detail, "rsp", out.rsp_before, out.rsp);
    if ((out.rflags & ~RFLAGS_RF) != (out.rflags_before & ~RFLAGS_RF))
        note_mismatch(detail, sizeof detail, "rflags", out.rflags_before, out.rflags);
    const char *name = test_name(base, e);
    if (detail[0] == '\0')
        check_pass(name);
    else
        check_fail(name, "%s", detail);
}

// ---- registers ----

// The value SYS_probe_regs looks for: every byte different, never a kernel address.
#define PROBE_VALUE 0x5a17e0d2c4b39681ull

// SYS_probe_regs through e with one value in RBX, RBP, R10-R15 and RDI: the kernel reports in
// its own log line how many of those registers the handler still saw it in (the observable of
// mitigations=clear-regs; the tests read that line, docs/hardening.md). Here: whatever the
// kernel cleared for the handler, every register comes back as the caller left it.
static void registers_survive_the_register_probe(enum lstar_entry e)
{
    struct regs in, out;
    fill_patterns(&in);
    in.rax = SYS_probe_regs;
    in.rdi = in.rbx = in.rbp = in.r10 = in.r11 = in.r12 = in.r13 = in.r14 = in.r15 = PROBE_VALUE;
    in.rsi = e == ENTRY_INT80;
    regs_call(e, &in, &out);
    long seen = (long)out.rax;
    if (seen < 0 || seen > 8) {
        check_fail(test_name("register_probe_counts_registers", e), "returned %ld", seen);
        return;
    }
    check_call_preserves("registers_survive_the_register_probe", e, &in, seen);
}

// Every register but rax (and rcx/r11 for `syscall`) survives calls that succeed and calls
// that fail; nothing of the kernel's is left in any of them.
static void registers_survive(enum lstar_entry e)
{
    static const char message[] = "registers";
    struct regs in;

    fill_patterns(&in);
    in.rax = SYS_null;
    check_call_preserves("registers_survive_null", e, &in, 0);

    fill_patterns(&in);
    in.rax = SYS_getpid;
    check_call_preserves("registers_survive_getpid", e, &in, sys_getpid());

    fill_patterns(&in);
    in.rax = SYS_write;
    in.rdi = 3;
    in.rsi = (uint64_t)message;
    in.rdx = sizeof message - 1;
    check_call_preserves("registers_survive_write", e, &in, sizeof message - 1);

    fill_patterns(&in);
    in.rax = 1ull << 32;
    check_call_preserves("registers_survive_enosys", e, &in, -ENOSYS);

    fill_patterns(&in);
    in.rax = SYS_write;
    in.rdi = 1;
    in.rsi = UNMAPPED_ADDRESS;
    in.rdx = 16;
    check_call_preserves("registers_survive_efault", e, &in, -EFAULT);

    // spawn runs a whole other program (its own registers, its own kernel stack) before the
    // parent's call returns: none of the child's values may show up in the parent's registers,
    // whether the child exits or is stopped by a fault.
    static const char child[] = "crash", exits[] = "exit-3", faults[] = "ud";
    fill_patterns(&in);
    in.rax = SYS_spawn;
    in.rdi = (uint64_t)child;
    in.rsi = (uint64_t)exits;
    check_call_preserves("registers_survive_spawn_of_a_child_that_exits", e, &in, 3);

    fill_patterns(&in);
    in.rax = SYS_spawn;
    in.rdi = (uint64_t)child;
    in.rsi = (uint64_t)faults;
    check_call_preserves("registers_survive_spawn_of_a_child_that_faults", e, &in, SPAWN_FAULTED | 6);

    // After `syscall` the kernel has no user rcx to give back from its iretq exit: it returns 0
    // there, and r11 is unspecified. Through int 0x80 everything survives as usual.
    fill_patterns(&in);
    in.rax = SYS_null_via_iret;
    check_call_preserves("registers_survive_null_via_iret", e, &in, 0);

    // An int 0x80 made with RCX already the return address and R11 the flags passes every
    // check of the shared exit, which then leaves by sysretq (the benchmark's
    // int80_entry_sysret_exit row): every register must survive that exit too. The kernel's SS
    // at that sysretq is checked from GDB (tests/gdb/sysret_ss.gdb).
    if (e == ENTRY_INT80) {
        fill_patterns(&in);
        in.rax = SYS_null;
        in.rcx = (uint64_t)regs_int80_return;
        in.r11 = RFLAGS_USER;
        check_call_preserves("registers_survive_the_sysret_exit", e, &in, 0);
    }
}

// ---- flags ----

// Set flags with popfq before the call; they must come back as they were (RF aside).
static void check_flags_survive(const char *base, enum lstar_entry e, uint64_t nr, long expected, uint64_t flags)
{
    struct regs in, out;
    fill_patterns(&in);
    in.rax = nr;
    in.rflags = RFLAGS_USER | flags;
    regs_call(e, &in, &out);
    const char *name = test_name(base, e);
    if ((out.rflags_before & flags) != flags)
        check_fail(name, "popfq did not set 0x%lx: rflags 0x%lx", flags, out.rflags_before);
    else if ((out.rflags & ~RFLAGS_RF) != (out.rflags_before & ~RFLAGS_RF))
        check_fail(name, "rflags expected 0x%lx, got 0x%lx", out.rflags_before, out.rflags);
    else if (out.rax != (uint64_t)expected)
        check_fail(name, "rax expected 0x%lx, got 0x%lx", (uint64_t)expected, out.rax);
    else
        check_pass(name);
}

// CF, PF, AF, ZF, SF, OF, DF and AC all set (and all clear) come back unchanged, after a call
// that succeeds and after one that fails; so does NT, which iretq must not trip over.
static void flags_survive(enum lstar_entry e)
{
    uint64_t all = RFLAGS_ARITH | RFLAGS_DF | RFLAGS_AC;
    check_flags_survive("arithmetic_flags_df_and_ac_survive", e, SYS_null, 0, all);
    check_flags_survive("cleared_flags_survive", e, SYS_null, 0, 0);
    check_flags_survive("flags_survive_a_failed_call", e, 1ull << 32, -ENOSYS, all);
    check_flags_survive("flags_survive_the_iret_exit", e, SYS_null_via_iret, 0, all);
    check_flags_survive("nt_flag_survives", e, SYS_null, 0, RFLAGS_NT);
}

// With DF set by the user, the kernel still copies forwards: the buffer starts on the image's
// first page, so a backwards copy would run into the unmapped page below and fail.
static void write_with_df_set_copies_forwards(enum lstar_entry e)
{
    struct regs in, out;
    fill_patterns(&in);
    in.rax = SYS_write;
    in.rdi = 3;
    in.rsi = (uint64_t)__image_start;
    in.rdx = 64;
    in.rflags = RFLAGS_USER | RFLAGS_DF;
    regs_call(e, &in, &out);
    check_result(test_name("write_with_df_set_copies_forwards", e), 64, (long)out.rax);
}

// With DF set, a console write still prints its line in order (the log shows it).
static void write_with_df_set_prints_forwards(enum lstar_entry e)
{
    static const char via_syscall[] = "[selftest] DF was set for this syscall write: it reads forwards\n";
    static const char via_int80[] = "[selftest] DF was set for this int80 write: it reads forwards\n";
    static const char via_sysenter[] = "[selftest] DF was set for this sysenter write: it reads forwards\n";
    const char *line = e == ENTRY_INT80 ? via_int80 : e == ENTRY_SYSENTER ? via_sysenter : via_syscall;
    struct regs in, out;
    fill_patterns(&in);
    in.rax = SYS_write;
    in.rdi = 1;
    in.rsi = (uint64_t)line;
    in.rdx = strlen(line);
    in.rflags = RFLAGS_USER | RFLAGS_DF;
    regs_call(e, &in, &out);
    check_result(test_name("write_with_df_set_prints_forwards", e), (long)in.rdx, (long)out.rax);
}

// ---- rcx and r11 after syscall ----

// After `syscall`, rcx is the address of the next instruction and r11 the RFLAGS at the
// `syscall` (RF aside), on success and on failure, with flags set and clear.
static void syscall_rcx_and_r11_are_exact(void)
{
    static const struct {
        const char *test;
        uint64_t nr;
        uint64_t flags;
    } cases[] = {
        {"syscall_rcx_and_r11_are_exact_after_null", SYS_null, 0},
        {"syscall_rcx_and_r11_are_exact_with_flags_set", SYS_null, RFLAGS_ARITH | RFLAGS_DF | RFLAGS_AC},
        {"syscall_rcx_and_r11_are_exact_after_enosys", 1ull << 63, RFLAGS_CF | RFLAGS_ZF},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct regs in, out;
        fill_patterns(&in);
        in.rax = cases[i].nr;
        in.rflags = RFLAGS_USER | cases[i].flags;
        regs_call(ENTRY_SYSCALL, &in, &out);
        uint64_t want_rcx = (uint64_t)regs_syscall_return;
        uint64_t want_r11 = out.rflags_before & ~RFLAGS_RF;
        if (out.rcx != want_rcx)
            check_fail(cases[i].test, "rcx expected 0x%lx, got 0x%lx", want_rcx, out.rcx);
        else if ((out.r11 & ~RFLAGS_RF) != want_r11)
            check_fail(cases[i].test, "r11 expected 0x%lx, got 0x%lx", want_r11, out.r11);
        else
            check_pass(cases[i].test);
    }
}

// ---- the flags the kernel runs with ----

// Whatever the caller's flags, the handler runs with IF, TF, DF, AC and NT clear: FMASK clears
// them on `syscall`; on `int 0x80` the gate clears IF, TF and NT and the stub DF (cld) and AC
// (clac, patched to a NOP where the CPU has no SMAP: AC is then harmless and may stay set).
static void handler_runs_with_if_tf_df_ac_nt_clear(enum lstar_entry e)
{
    struct regs in, out;
    fill_patterns(&in);
    in.rax = SYS_kernel_rflags;
    in.rdi = KERNEL_RFLAGS_THIS_CALL;
    in.rflags = RFLAGS_USER | RFLAGS_ARITH | RFLAGS_DF | RFLAGS_AC | RFLAGS_NT;
    regs_call(e, &in, &out);
    uint64_t must_be_clear = RFLAGS_IF | RFLAGS_TF | RFLAGS_DF | RFLAGS_NT;
    if (e != ENTRY_INT80 || cpu_has_smap()) // sysenter: its stub's popfq clears AC on every CPU
        must_be_clear |= RFLAGS_AC;
    const char *name = test_name("handler_runs_with_if_tf_df_ac_nt_clear", e);
    if ((out.rflags_before & (RFLAGS_DF | RFLAGS_AC | RFLAGS_NT)) != (RFLAGS_DF | RFLAGS_AC | RFLAGS_NT))
        check_fail(name, "popfq did not set DF, AC and NT: rflags 0x%lx", out.rflags_before);
    else if ((long)out.rax < 0 || (out.rax & must_be_clear) != 0)
        check_fail(name, "the handler ran with rflags 0x%lx (must clear 0x%lx)", out.rax, must_be_clear);
    else
        check_pass(name);
}

// The same for the exception path: a single step taken with DF and AC set reaches the #DB
// handler (trap_paranoid) with both clear.
static void debug_handler_runs_with_df_and_ac_clear(void)
{
    const char *name = "debug_handler_runs_with_df_and_ac_clear";
    stdout_flush();
    long before = sys_trap_count();
    tf_step_with_df_and_ac();
    long after = sys_trap_count();
    long flags = lstar_kernel_rflags(ENTRY_SYSCALL, KERNEL_RFLAGS_LAST_DEBUG);
    uint64_t must_be_clear = RFLAGS_IF | RFLAGS_TF | RFLAGS_DF | (cpu_has_smap() ? RFLAGS_AC : 0);
    if (after - before != 1)
        check_fail(name, "%ld single-step traps, expected 1", after - before);
    else if (flags < 0 || ((uint64_t)flags & must_be_clear) != 0)
        check_fail(name, "the #DB handler ran with rflags 0x%lx (must clear 0x%lx)", (uint64_t)flags, must_be_clear);
    else
        check_pass(name);
}

// ---- TF ----

// TF set right before the entry: no trap inside the kernel, exactly one #DB in ring 3.
static void check_tf_gives_one_trap(const char *base, enum lstar_entry e, uint64_t nr)
{
    const char *name = test_name(base, e);
    stdout_flush();
    long before = sys_trap_count();
    long result = e == ENTRY_INT80      ? tf_call_int80(nr)
                  : e == ENTRY_SYSENTER ? tf_call_sysenter(nr)
                                        : tf_call_syscall(nr);
    long after = sys_trap_count();
    if (result != 0)
        check_fail(name, "call returned 0x%lx, expected 0x0", (uint64_t)result);
    else
        check_eq(name, 1, (uint64_t)(after - before));
}

// Through the sysret exit and through the iret exit.
static void tf_gives_exactly_one_user_trap(enum lstar_entry e)
{
    check_tf_gives_one_trap("tf_before_entry_gives_exactly_one_user_trap", e, SYS_null);
    check_tf_gives_one_trap("tf_before_entry_with_iret_exit_gives_exactly_one_user_trap", e, SYS_null_via_iret);
}

// ---- RSP ----

// A call made with a garbage RSP returns normally with that RSP intact: the entry neither
// uses the user stack nor changes RSP.
static void garbage_rsp_survives(enum lstar_entry e)
{
    static const struct {
        const char *test;
        uint64_t rsp;
    } cases[] = {
        {"zero_rsp_is_untouched_by_the_call", 0},
        {"noncanonical_rsp_is_untouched_by_the_call", 0xdead0000dead0000ull},
        {"kernel_half_rsp_is_untouched_by_the_call", 0xffffffff80000000ull},
        {"misaligned_rsp_is_untouched_by_the_call", USER_STACK_TOP - 0x1235},
    };
    stdout_flush();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint64_t rsp_after = 0;
        long result = e == ENTRY_INT80      ? rsp_call_int80(SYS_null, cases[i].rsp, &rsp_after)
                      : e == ENTRY_SYSENTER ? rsp_call_sysenter(SYS_null, cases[i].rsp, &rsp_after)
                                            : rsp_call_syscall(SYS_null, cases[i].rsp, &rsp_after);
        const char *name = test_name(cases[i].test, e);
        if (result != 0)
            check_fail(name, "call returned 0x%lx, expected 0x0", (uint64_t)result);
        else
            check_eq(name, cases[i].rsp, rsp_after);
    }
}

// Everything the entries must preserve, through both.
void run_entry_tests(void)
{
    FOR_EACH_ENTRY(e)
    {
        run_entry_tests_through(e);
        registers_survive_the_register_probe(e);
    }
    syscall_rcx_and_r11_are_exact();
    debug_handler_runs_with_df_and_ac_clear();
}

// What entry e must preserve (run_entry_tests: both; sysenter_tests.c: sysenter).
void run_entry_tests_through(enum lstar_entry e)
{
    registers_survive(e);
    flags_survive(e);
    write_with_df_set_copies_forwards(e);
    write_with_df_set_prints_forwards(e);
    tf_gives_exactly_one_user_trap(e);
    handler_runs_with_if_tf_df_ac_nt_clear(e);
    garbage_rsp_survives(e);
}
