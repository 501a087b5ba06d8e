// SPDX-License-Identifier: MIT
// Compatibility mode (src/syscall/compat_entry.asm): the checks of the 64-bit entries, through
// `int 0x80` and `syscall` made by 32-bit code with the i386 ABI (docs/abi.md, "Compatibility
// mode"). Results, -ENOSYS for bad numbers, -EFAULT for bad pointers, the 32-bit registers and
// the flags as documented, only the low halves read, the handler's flags, the empty CSTAR stub.
// `syscall` is checked only where it reaches IA32_CSTAR (the `compat-syscall=` argument, else
// the vendor rule): on a CPU that raises #UD the selftest itself would die of it; spawn_tests.c
// checks that fate in a child. `sysenter` from compatibility mode (sysenter32_entry) is checked
// on GenuineIntel CPUs only, after this process chose SYSENTER_ABI_32 (docs/abi.md, "sysenter from
// compatibility mode"); elsewhere only the kernel's refusal of that ABI is checked here, and the
// CPU's fate by tests/qemu/sysenter32.cmake.
#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/arch_bits.h"
#include "core/string.h"
#include "libc/entries32.h"
#include "libc/stdio.h"
#include "libc/syscall.h"
#include "selftest/check.h"
#include "selftest/suites.h"

#define RFLAGS_ARITH (RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_OF)

static char name_buf[96];

// "compat_<entry>_<base>".
static const char *cname(const char *base, int how)
{
    const char *entry = (how & COMPAT_SYSENTER) ? "sysenter" : (how & COMPAT_SYSCALL) ? "syscall" : "int80";
    snprintf(name_buf, sizeof name_buf, "compat_%s_%s", entry, base);
    return name_buf;
}

// A buffer below 4 GiB (the program is linked at 4 MiB): a 32-bit pointer to it is valid.
static const char text[] = "compat write\n";

static void results_and_refusals(int how)
{
    check_result(cname("null_returns_0", how), 0, compat_call(how, SYS_null, 0, 0, 0, 0, 0, 0));
    check_result(cname("getpid_matches_syscall", how), sys_getpid(), compat_call(how, SYS_getpid, 0, 0, 0, 0, 0, 0));
    check_result(cname("write_returns_its_length", how), sizeof text - 1,
                 compat_call(how, SYS_write, 3, (uint32_t)(uintptr_t)text, sizeof text - 1, 0, 0, 0));
    static const uint32_t bad_numbers[] = {0xffffffffu, SYS_NR, 0x80000000u, 0x80000000u + SYS_null};
    bool all = true;
    for (size_t i = 0; i < sizeof bad_numbers / sizeof bad_numbers[0]; i++) {
        long got = compat_call(how, bad_numbers[i], 0, 0, 0, 0, 0, 0);
        if (got != -ENOSYS) {
            check_fail(cname("bad_numbers_give_enosys", how), "number 0x%x gave %ld", bad_numbers[i], got);
            all = false;
        }
    }
    if (all)
        check_pass(cname("bad_numbers_give_enosys", how));
    // NULL; the top page of the 32-bit space; 2 GiB, which sign-extended would be a kernel
    // address and zero-extended is an unmapped user one.
    static const uint32_t bad_pointers[] = {0, 0xfffff000u, 0x80000000u, 0xfffffff8u};
    all = true;
    for (size_t i = 0; i < sizeof bad_pointers / sizeof bad_pointers[0]; i++) {
        long got = compat_call(how, SYS_write, 3, bad_pointers[i], 16, 0, 0, 0);
        if (got != -EFAULT) {
            check_fail(cname("bad_pointers_give_efault", how), "pointer 0x%x gave %ld", bad_pointers[i], got);
            all = false;
        }
    }
    if (all)
        check_pass(cname("bad_pointers_give_efault", how));
}

// One register-exact call: EBX, ECX (the return EIP after `syscall`), EDX, ESI, EDI, EBP and
// EFLAGS as documented, EAX = expected. After `sysenter` ECX and EBP are the ESP of the call and
// EDX and EDI its return EIP, whichever exit the kernel took.
static void check_regs(const char *base, int how, uint32_t nr, uint32_t flags, long expected)
{
    struct compat_regs in = {nr,         0x11223344, 0x55667788, 0x99aabbcc,
                             0xddeeff01, 0x23456789, 0x3456789a, (uint32_t)(RFLAGS_FIXED | RFLAGS_IF | flags)};
    struct compat_regs out;
    stdout_flush();
    memset(&out, 0, sizeof out);
    compat_regs_call(&in, &out, how);
    uint32_t want_ecx = (how & COMPAT_SYSCALL) ? (uint32_t)(uintptr_t)compat_syscall_return : in.ecx;
    if ((how & COMPAT_SYSCALL) && nr == SYS_null_via_iret)
        want_ecx = 0; // the handler zeroed the frame's RCX slot (the return EIP): iretq gives it back
    uint32_t want_edx = in.edx, want_edi = in.edi, want_ebp = in.ebp;
    if (how & COMPAT_SYSENTER) {
        want_ecx = nr == SYS_null_via_iret ? 0 : (uint32_t)(uintptr_t)compat_stack_top; // RCX slot zeroed
        want_edx = want_edi = (uint32_t)(uintptr_t)compat_sysenter_return;
        want_ebp = (uint32_t)(uintptr_t)compat_stack_top;
    }
    const char *name = cname(base, how);
    if ((int32_t)out.eax != (int32_t)expected)
        check_fail(name, "eax 0x%x, expected 0x%x", out.eax, (uint32_t)expected);
    else if (out.ebx != in.ebx || out.ecx != want_ecx || out.edx != want_edx || out.esi != in.esi ||
             out.edi != want_edi || out.ebp != want_ebp)
        check_fail(name, "ebx %x ecx %x edx %x esi %x edi %x ebp %x", out.ebx, out.ecx, out.edx, out.esi, out.edi,
                   out.ebp);
    else if ((out.eflags & ~(uint32_t)RFLAGS_RF) != (in.eflags & ~(uint32_t)RFLAGS_RF))
        check_fail(name, "eflags 0x%x, expected 0x%x", out.eflags, in.eflags);
    else
        check_pass(name);
}

static void registers_and_flags_survive(int how)
{
    check_regs("registers_survive_null", how, SYS_null, 0, 0);
    check_regs("registers_survive_getpid", how, SYS_getpid, 0, sys_getpid());
    check_regs("registers_survive_enosys", how, 0xffffffffu, 0, -ENOSYS);
    // A frame changed by the handler (RCX slot zeroed after `syscall` or `sysenter`): the CSTAR
    // exit's first check, or the sysexit's RCX-is-RSP check, sends it to iretq, which returns to
    // compatibility mode with every register.
    check_regs("registers_survive_null_via_iret", how, SYS_null_via_iret, RFLAGS_ARITH | RFLAGS_DF, 0);
    check_regs("arithmetic_flags_df_and_ac_survive", how, SYS_null, RFLAGS_ARITH | RFLAGS_DF | RFLAGS_AC, 0);
    check_regs("flags_survive_a_failed_call", how, SYS_NR, RFLAGS_ARITH | RFLAGS_DF | RFLAGS_AC, -ENOSYS);
}

// The kernel reads the low halves only: the same calls with upper halves 0x5a5a5a5a in every
// register the kernel reads (left there by 64-bit code, never written in compatibility mode).
static void upper_halves_are_ignored(int how)
{
    struct compat_regs in = {SYS_getpid, 0, 0, 0, 0, 0, 0, 0}, out;
    compat_regs_call(&in, &out, how | COMPAT_DIRTY_UPPER);
    check_result(cname("number_upper_half_is_ignored", how), sys_getpid(), (long)(int32_t)out.eax);
    in = (struct compat_regs){SYS_write, 3, (uint32_t)(uintptr_t)text, sizeof text - 1, 0, 0, 0, 0};
    if (how & COMPAT_SYSCALL) {
        in.ebp = in.ecx; // argument 1 in EBP
        in.ecx = 0;
    }
    compat_regs_call(&in, &out, how | COMPAT_DIRTY_UPPER);
    check_result(cname("argument_upper_halves_are_ignored", how), sizeof text - 1, (long)(int32_t)out.eax);
}

// The handler runs with IF, TF, DF, AC and NT clear whatever the 32-bit caller's flags.
static void handler_runs_with_flags_clear(int how)
{
    struct compat_regs in = {SYS_kernel_rflags,
                             KERNEL_RFLAGS_THIS_CALL,
                             0,
                             0,
                             0,
                             0,
                             0,
                             (uint32_t)(RFLAGS_FIXED | RFLAGS_IF | RFLAGS_ARITH | RFLAGS_DF | RFLAGS_AC)},
                       out;
    compat_regs_call(&in, &out, how);
    uint32_t must_be_clear = (uint32_t)(RFLAGS_IF | RFLAGS_TF | RFLAGS_DF | RFLAGS_NT);
    const char *name = cname("handler_runs_with_if_tf_df_nt_clear", how);
    if ((int32_t)out.eax < 0 || (out.eax & must_be_clear) != 0)
        check_fail(name, "the handler ran with eflags 0x%x", out.eax);
    else
        check_pass(name);
}

// The empty CSTAR stub: EAX comes back as it went.
static void empty_cstar_stub(void)
{
    const uint32_t probe = 0x1234abcd;
    check_result("compat_syscall_bench_entry_installs_the_empty_stub", 0, sys_bench_entry(BENCH_ENTRY_EMPTY_CSTAR));
    check_result("compat_syscall_empty_stub_returns_eax_unchanged", probe,
                 compat_call(COMPAT_SYSCALL, probe, 0, 0, 0, 0, 0, 0));
    check_result("compat_syscall_bench_entry_restores_the_real_entry", 0, sys_bench_entry(BENCH_ENTRY_RESTORE));
    check_result("compat_syscall_real_entry_is_back", -ENOSYS, compat_call(COMPAT_SYSCALL, probe, 0, 0, 0, 0, 0, 0));
}

static void run_for(int how)
{
    results_and_refusals(how);
    registers_and_flags_survive(how);
    upper_halves_are_ignored(how);
    handler_runs_with_flags_clear(how);
}

// ---- `sysenter` from compatibility mode (sysenter32_entry) ----
// The empty stub, and that restoring the real entries gives back this process's choice: after
// BENCH_ENTRY_RESTORE a compatibility-mode `sysenter` must reach sysenter32_entry again, not the
// 64-bit entry (which would send it to R11 in 64-bit mode and end this program).
static void empty_sysenter32_stub(void)
{
    const uint32_t probe = 0x1234abcd;
    check_result("compat_sysenter_bench_entry_installs_the_empty_stub", 0,
                 sys_bench_entry(BENCH_ENTRY_EMPTY_SYSENTER32));
    check_result("compat_sysenter_empty_stub_returns_eax_unchanged", probe,
                 compat_call(COMPAT_SYSENTER, probe, 0, 0, 0, 0, 0, 0));
    check_result("compat_sysenter_bench_entry_restores_the_real_entry", 0, sys_bench_entry(BENCH_ENTRY_RESTORE));
    check_result("compat_sysenter_real_entry_is_back_after_restore", -ENOSYS,
                 compat_call(COMPAT_SYSENTER, probe, 0, 0, 0, 0, 0, 0));
}

// Children start with SYSENTER_ABI_64 whatever their parent chose, and the parent's choice is
// back when they end (process_install): crash:compat-sysenter (the 64-bit ABI from 32-bit code,
// back at R11 in 64-bit mode) and crash:sysenter-calls (64-bit `sysenter`) run as under the
// default; crash:compat-sysenter32 chooses the 32-bit ABI itself and comes back in compatibility
// mode; crash:compat-sysenter64 makes that call under SYSENTER_ABI_64: the 64-bit entry takes its
// non-canonical R11 for the return address, and iretq's #GP ends it.
static void abi_is_per_process(void)
{
    check_result("compat_sysenter_child_starts_with_the_64_bit_abi", 0,
                 lstar_spawn(ENTRY_SYSCALL, "crash", "compat-sysenter"));
    check_result("compat_sysenter_child_64_bit_sysenter_works", 0,
                 lstar_spawn(ENTRY_SYSCALL, "crash", "sysenter-calls"));
    check_result("compat_sysenter_child_choosing_the_32_bit_abi_returns_in_compatibility_mode", 0,
                 lstar_spawn(ENTRY_SYSCALL, "crash", "compat-sysenter32"));
    check_result("compat_sysenter_with_the_64_bit_abi_is_a_fault", SPAWN_FAULTED | 13,
                 lstar_spawn(ENTRY_SYSCALL, "crash", "compat-sysenter64"));
    check_result("compat_sysenter_parents_abi_is_back_after_its_children", sys_getpid(),
                 compat_call(COMPAT_SYSENTER, SYS_getpid, 0, 0, 0, 0, 0, 0));
}

static void run_compat_sysenter_tests(void)
{
    struct lstar_sysinfo info;
    const char *vendor = sys_sysinfo(&info, sizeof info) == 0 ? info.cpu_vendor : "(sysinfo failed)";
    check_result("sysenter_abi_refuses_other_values", -EINVAL, sys_sysenter_abi(0));
    if (strcmp(vendor, "GenuineIntel") != 0) {
        printf("[selftest] compat sysenter: CPU vendor %s has no sysenter in long mode: only the refusal of its ABI "
               "is checked\n",
               vendor);
        check_result("sysenter_abi_32_is_refused_without_sysenter", -EINVAL, sys_sysenter_abi(SYSENTER_ABI_32));
        check_result("bench_entry_refuses_the_empty_compat_sysenter_stub_without_sysenter", -EINVAL,
                     sys_bench_entry(BENCH_ENTRY_EMPTY_SYSENTER32));
        return;
    }
    printf("[selftest] compat sysenter: CPU vendor %s: the compatibility-mode checks through sysenter\n", vendor);
    check_result("sysenter_abi_refuses_values_between", -EINVAL, sys_sysenter_abi(SYSENTER_ABI_32 | SYSENTER_ABI_64));
    if (!check_result("sysenter_abi_32_is_accepted", 0, sys_sysenter_abi(SYSENTER_ABI_32)))
        return; // a compatibility-mode `sysenter` would go to the 64-bit entry and end this program
    run_for(COMPAT_SYSENTER);
    empty_sysenter32_stub();
    abi_is_per_process();
    check_result("sysenter_abi_64_is_accepted", 0, sys_sysenter_abi(SYSENTER_ABI_64));
    check_result("sysenter_64_works_again_after_sysenter_abi_64", sys_getpid(), lstar_getpid(ENTRY_SYSENTER));
}

void run_compat_tests(void)
{
    run_for(COMPAT_INT80);
    run_compat_sysenter_tests();
    if (!spawn_tests_compat_syscall_is_dispatched()) {
        printf("[selftest] compat syscall checks skipped: this CPU raises #UD for syscall outside 64-bit mode\n");
        return;
    }
    run_for(COMPAT_SYSCALL);
    empty_cstar_stub();
}
