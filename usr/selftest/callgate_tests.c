// SPDX-License-Identifier: MIT
// The call gate (GDT_CALL_GATE, src/syscall/callgate_entry.asm): the checks `syscall` and
// `int 0x80` pass, through a far call to the gate. Results, -ENOSYS for bad numbers, -EFAULT for
// bad pointers, every register and flag as the caller left it (docs/abi.md, "The call gate"),
// the lretq exit and the iretq exit, the flags the handler runs with, the empty stub, and a
// single step across the far call.
#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/arch_bits.h"
#include "arch/x86_64/asm_layout.h"
#include "core/string.h"
#include "libc/entries32.h"
#include "libc/stdio.h"
#include "libc/syscall.h"
#include "selftest/check.h"
#include "selftest/regs.h"
#include "selftest/suites.h"

#define RFLAGS_USER (RFLAGS_FIXED | RFLAGS_IF)
#define RFLAGS_ARITH (RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_OF)

// regs.asm: every register around a far call through the gate; TF set across one.
void regs_call_callgate(const struct regs *in, struct regs *out);
long tf_call_callgate(uint64_t nr);
// entries32.asm: a call made with SS = ss; *ss_after = SS after it.
long callgate_call_with_ss(long nr, uint64_t ss, uint64_t *ss_after);

// Results and refusals, as call_tests.c checks them through the other entries.
static void results_and_refusals(void)
{
    check_result("callgate_null_returns_0", 0, callgate_call(SYS_null, 0, 0, 0, 0, 0, 0));
    check_result("callgate_getpid_matches_syscall", sys_getpid(), callgate_call(SYS_getpid, 0, 0, 0, 0, 0, 0));
    static const char text[] = "callgate write\n";
    check_result("callgate_write_returns_its_length", sizeof text - 1,
                 callgate_call(SYS_write, 3, (long)text, sizeof text - 1, 0, 0, 0));
    static const uint64_t bad_numbers[] = {(uint64_t)-1, SYS_NR, 1ull << 32, 1ull << 63};
    bool all = true;
    for (size_t i = 0; i < sizeof bad_numbers / sizeof bad_numbers[0]; i++) {
        long got = callgate_call((long)bad_numbers[i], 0, 0, 0, 0, 0, 0);
        if (got != -ENOSYS) {
            check_fail("callgate_bad_numbers_give_enosys", "number 0x%lx gave %ld", bad_numbers[i], got);
            all = false;
        }
    }
    if (all)
        check_pass("callgate_bad_numbers_give_enosys");
    static const uint64_t bad_pointers[] = {0, DIRECT_MAP_BASE, 1ull << 47, KERNEL_VMA, (uint64_t)-16};
    all = true;
    for (size_t i = 0; i < sizeof bad_pointers / sizeof bad_pointers[0]; i++) {
        long got = callgate_call(SYS_write, 3, (long)bad_pointers[i], 16, 0, 0, 0);
        if (got != -EFAULT) {
            check_fail("callgate_bad_pointers_give_efault", "pointer 0x%lx gave %ld", bad_pointers[i], got);
            all = false;
        }
    }
    if (all)
        check_pass("callgate_bad_pointers_give_efault");
}

// The registers a call must give back: all but rax.
static const struct {
    const char *name;
    size_t offset;
} slots[] = {
    {"rbx", REGS_RBX}, {"rcx", REGS_RCX}, {"rdx", REGS_RDX}, {"rsi", REGS_RSI}, {"rdi", REGS_RDI},
    {"rbp", REGS_RBP}, {"r8", REGS_R8},   {"r9", REGS_R9},   {"r10", REGS_R10}, {"r11", REGS_R11},
    {"r12", REGS_R12}, {"r13", REGS_R13}, {"r14", REGS_R14}, {"r15", REGS_R15},
};

// Every register with its own pattern (as entry_tests.c's fill_patterns).
static void fill(struct regs *r, uint64_t nr, uint64_t flags)
{
    memset(r, 0, sizeof *r);
    for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++) {
        uint64_t v = 0x0123456789abcdefull * (i + 3) ^ (0x1111111111111111ull * (i + 1));
        memcpy((char *)r + slots[i].offset, &v, sizeof v);
    }
    r->rax = nr;
    r->rflags = RFLAGS_USER | flags;
}

// One register-exact call through the gate: every register but rax, RSP and RFLAGS (RF aside) as
// they were, rax = expected.
static void check_preserves(const char *name, const struct regs *in, long expected)
{
    struct regs out;
    stdout_flush();
    memset(&out, 0, sizeof out);
    regs_call_callgate(in, &out);
    char detail[400] = "";
    size_t used = 0;
    for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++) {
        uint64_t want, got;
        memcpy(&want, (const char *)in + slots[i].offset, sizeof want);
        memcpy(&got, (const char *)&out + slots[i].offset, sizeof got);
        if (want != got && used < sizeof detail)
            used += (size_t)snprintf(detail + used, sizeof detail - used, "%s 0x%lx->0x%lx ", slots[i].name, want, got);
    }
    if (out.rax != (uint64_t)expected && used < sizeof detail)
        used += (size_t)snprintf(detail + used, sizeof detail - used, "rax 0x%lx (want 0x%lx) ", out.rax,
                                 (uint64_t)expected);
    if (out.rsp != out.rsp_before && used < sizeof detail)
        used += (size_t)snprintf(detail + used, sizeof detail - used, "rsp 0x%lx->0x%lx ", out.rsp_before, out.rsp);
    if ((out.rflags & ~RFLAGS_RF) != (out.rflags_before & ~RFLAGS_RF) && used < sizeof detail)
        snprintf(detail + used, sizeof detail - used, "rflags 0x%lx->0x%lx", out.rflags_before, out.rflags);
    if (detail[0] == '\0')
        check_pass(name);
    else
        check_fail(name, "%s", detail);
}

// Registers and flags: the gate's ABI gives back everything but rax, RCX and R11 included, and
// the flags the caller had, DF, AC and NT included (popfq on the lretq exit, iretq otherwise).
static void registers_and_flags_survive(void)
{
    struct regs in;
    fill(&in, SYS_null, 0);
    check_preserves("callgate_registers_survive_null", &in, 0);
    fill(&in, SYS_getpid, 0);
    check_preserves("callgate_registers_survive_getpid", &in, sys_getpid());
    fill(&in, 1ull << 63, 0);
    check_preserves("callgate_registers_survive_enosys", &in, -ENOSYS);
    fill(&in, SYS_write, 0);
    in.rdi = 3;
    in.rsi = 1ull << 47;
    in.rdx = 8;
    check_preserves("callgate_registers_survive_efault", &in, -EFAULT);
    fill(&in, SYS_null, RFLAGS_ARITH | RFLAGS_DF | RFLAGS_AC);
    check_preserves("callgate_arithmetic_flags_df_and_ac_survive", &in, 0);
    fill(&in, 1ull << 32, RFLAGS_ARITH | RFLAGS_DF | RFLAGS_AC);
    check_preserves("callgate_flags_survive_a_failed_call", &in, -ENOSYS);
    fill(&in, SYS_null, RFLAGS_NT);
    check_preserves("callgate_nt_flag_survives", &in, 0);
}

// The handler runs with IF, TF, DF, AC and NT clear, whatever the caller's flags: the gate
// cleared none of them, the stub did (cli; a popfq when DF, AC, NT or TF was set).
static void handler_runs_with_flags_clear(void)
{
    struct regs in, out;
    fill(&in, SYS_kernel_rflags, RFLAGS_ARITH | RFLAGS_DF | RFLAGS_AC | RFLAGS_NT);
    in.rdi = KERNEL_RFLAGS_THIS_CALL;
    regs_call_callgate(&in, &out);
    uint64_t must_be_clear = RFLAGS_IF | RFLAGS_TF | RFLAGS_DF | RFLAGS_AC | RFLAGS_NT;
    const char *name = "callgate_handler_runs_with_if_tf_df_ac_nt_clear";
    if ((long)out.rax < 0 || (out.rax & must_be_clear) != 0)
        check_fail(name, "the handler ran with rflags 0x%lx (must clear 0x%lx)", out.rax, must_be_clear);
    else
        check_pass(name);
    fill(&in, SYS_kernel_rflags, 0);
    in.rdi = KERNEL_RFLAGS_THIS_CALL;
    regs_call_callgate(&in, &out);
    if ((long)out.rax < 0 || (out.rax & must_be_clear) != 0)
        check_fail("callgate_handler_runs_with_if_clear_from_clean_flags", "rflags 0x%lx", out.rax);
    else
        check_pass("callgate_handler_runs_with_if_clear_from_clean_flags");
}

// The iretq exit: with SS = GDT_USER_DS_SYSEXIT (a flat DPL-3 data segment) the gate pushes a
// selector the lretq exit does not accept; the call must still return, by iretq, with that SS.
static void iret_exit_keeps_a_different_ss(void)
{
    uint64_t ss_after = 0;
    long got = callgate_call_with_ss(SYS_getpid, GDT_USER_DS_SYSEXIT, &ss_after);
    if (got != sys_getpid() || ss_after != GDT_USER_DS_SYSEXIT)
        check_fail("callgate_iret_exit_keeps_the_callers_ss", "result %ld, ss 0x%lx", got, ss_after);
    else
        check_pass("callgate_iret_exit_keeps_the_callers_ss");
}

// The empty stub answers with rax unchanged; restored, the real entry answers -ENOSYS again.
static void empty_stub_is_installed_and_removed(void)
{
    const long probe = 0x1234abcd;
    check_result("callgate_bench_entry_installs_the_empty_stub", 0, sys_bench_entry(BENCH_ENTRY_EMPTY_CALLGATE));
    check_result("callgate_empty_stub_returns_rax_unchanged", probe, callgate_call(probe, 0, 0, 0, 0, 0, 0));
    check_result("callgate_bench_entry_restores_the_real_entry", 0, sys_bench_entry(BENCH_ENTRY_RESTORE));
    check_result("callgate_real_entry_is_back", -ENOSYS, callgate_call(probe, 0, 0, 0, 0, 0, 0));
}

// TF set before the far call: the gate does not clear TF, so the single step lands on
// callgate_entry in ring 0, where the #DB handler absorbs it and clears TF (debug_trap.c). The
// call completes; ring 3 gets no trap of its own (docs/abi.md: TF does not survive the gate).
static void tf_across_the_gate(void)
{
    long before = sys_trap_count();
    long result = tf_call_callgate(SYS_null);
    long after = sys_trap_count();
    if (result != 0)
        check_fail("callgate_tf_step_is_absorbed_and_the_call_completes", "result %ld", result);
    else if (after - before != 0)
        check_fail("callgate_tf_step_is_absorbed_and_the_call_completes", "%ld ring-3 traps, expected 0",
                   after - before);
    else
        check_pass("callgate_tf_step_is_absorbed_and_the_call_completes");
}

void run_callgate_tests(void)
{
    results_and_refusals();
    registers_and_flags_survive();
    handler_runs_with_flags_clear();
    iret_exit_keeps_a_different_ss();
    empty_stub_is_installed_and_removed();
    tf_across_the_gate();
}
