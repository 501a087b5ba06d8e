// SPDX-License-Identifier: MIT
// The third entry, `sysenter`/`sysexitq`, checked like the other two: every call's results and
// every entry check of call_tests.c and entry_tests.c run through it too, then what its own ABI
// promises (docs/abi.md, "sysenter and sysexit"). Only GenuineIntel CPUs execute `sysenter` in
// 64-bit mode (SDM Vol. 2B "SYSENTER"); AMD's raise #UD (AMD APM Vol. 3 "SYSENTER"), which
// spawn_tests.c checks through crash:sysenter. On those the kernel programs no SYSENTER MSR and
// refuses the empty sysenter entry, which is all this file checks there.
#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/arch_bits.h" // RFLAGS_*: the names the kernel uses
#include "core/string.h"
#include "libc/stdio.h"
#include "libc/syscall.h"
#include "selftest/check.h"
#include "selftest/regs.h"
#include "selftest/suites.h"

// A number no handler accepts: the real entry answers -ENOSYS, an empty one hands rax back.
#define PROBE_NUMBER 0x5eedcafeL

// The fixed patterns of the registers a sysenter call carries in and out.
#define PATTERN_RBX 0x1111222233334444ull
#define PATTERN_RDX 0x5555666677778888ull

// The empty SYSENTER_EIP target returns rax untouched; `syscall` puts the real one back.
static void empty_sysenter_entry_round_trip(void)
{
    stdout_flush(); // nothing printed between: printf goes through `syscall`, which stays real
    long installed = sys_bench_entry(BENCH_ENTRY_EMPTY_SYSENTER);
    long echoed = 0, restored = 0;
    if (installed == 0) {
        echoed = lstar_call0(ENTRY_SYSENTER, PROBE_NUMBER);
        restored = sys_bench_entry(BENCH_ENTRY_RESTORE);
    }
    if (!check_result("bench_entry_installs_the_empty_sysenter_entry", 0, installed))
        return;
    check_result("empty_sysenter_entry_returns_rax_unchanged", PROBE_NUMBER, echoed);
    check_result("bench_entry_restore_after_empty_sysenter_returns_zero", 0, restored);
    check_result("real_sysenter_entry_is_back_after_restore", -ENOSYS, lstar_call0(ENTRY_SYSENTER, PROBE_NUMBER));
}

// The registers the sysenter ABI defines on return, exactly: rcx = the RSP at the call, rdx =
// r11 = the return address (rdx's argument is lost), on success and on failure, with flags set.
static void sysenter_rcx_rdx_r11_are_exact(void)
{
    static const struct {
        const char *test;
        uint64_t nr;
        uint64_t flags;
    } cases[] = {
        {"sysenter_rcx_rdx_r11_are_exact_after_null", SYS_null, 0},
        {"sysenter_rcx_rdx_r11_are_exact_with_flags_set", SYS_null, RFLAGS_CF | RFLAGS_SF | RFLAGS_DF | RFLAGS_AC},
        {"sysenter_rcx_rdx_r11_are_exact_after_enosys", 1ull << 63, RFLAGS_CF | RFLAGS_ZF},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct regs in, out;
        memset(&in, 0, sizeof in);
        in.rax = cases[i].nr;
        in.rbx = PATTERN_RBX;
        in.rdx = PATTERN_RDX;
        in.rflags = RFLAGS_FIXED | RFLAGS_IF | cases[i].flags;
        stdout_flush();
        regs_call_sysenter(&in, &out);
        uint64_t back = (uint64_t)regs_sysenter_return;
        if (out.rcx != out.rsp_before)
            check_fail(cases[i].test, "rcx expected 0x%lx (RSP), got 0x%lx", out.rsp_before, out.rcx);
        else if (out.rdx != back || out.r11 != back)
            check_fail(cases[i].test, "rdx and r11 expected 0x%lx, got 0x%lx and 0x%lx", back, out.rdx, out.r11);
        else if (out.rbx != PATTERN_RBX)
            check_fail(cases[i].test, "rbx expected 0x%llx, got 0x%lx", PATTERN_RBX, out.rbx);
        else
            check_pass(cases[i].test);
    }
}

// A child started through `sysenter` runs and its fate comes back through it.
static void spawn_through_sysenter(void)
{
    check_result("spawn_through_sysenter_returns_the_childs_status", 3, lstar_spawn(ENTRY_SYSENTER, "crash", "exit-3"));
    check_result("spawn_through_sysenter_returns_the_childs_fault", SPAWN_FAULTED | 6,
                 lstar_spawn(ENTRY_SYSENTER, "crash", "ud"));
}

// The whole suite through `sysenter` where the CPU has it; elsewhere, that the kernel refuses it.
void run_sysenter_tests(void)
{
    struct lstar_sysinfo info;
    const char *vendor = sys_sysinfo(&info, sizeof info) == 0 ? info.cpu_vendor : "(sysinfo failed)";
    if (strcmp(vendor, "GenuineIntel") != 0) {
        printf("[selftest] sysenter: CPU vendor %s has no sysenter in 64-bit mode: only its refusal is checked\n",
               vendor);
        check_result("bench_entry_refuses_the_empty_sysenter_entry_without_sysenter", -EINVAL,
                     sys_bench_entry(BENCH_ENTRY_EMPTY_SYSENTER));
        return;
    }
    printf("[selftest] sysenter: CPU vendor %s: every call and entry check through sysenter\n", vendor);
    run_call_tests_through(ENTRY_SYSENTER);
    run_entry_tests_through(ENTRY_SYSENTER);
    sysenter_rcx_rdx_r11_are_exact();
    empty_sysenter_entry_round_trip();
    spawn_through_sysenter();
}
