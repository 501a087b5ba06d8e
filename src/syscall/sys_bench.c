// SPDX-License-Identifier: MIT
// SYS_bench_entry: swaps in empty entries so the benchmark can measure the bare mechanism.
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/msr.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/mitigations.h"
#include "arch/x86_64/traps.h"
#include "core/process.h"
#include "syscall/sys_bench.h"
#include "arch/x86_64/syscall_msr.h"
#include "syscall/syscall_table.h"

extern void lstar_empty(void);
extern void int80_empty(void);
extern void callgate_entry(void);
extern void callgate_empty(void);
extern void cstar_entry(void);
extern void cstar_empty(void);
extern void sysenter_entry(void);
extern void sysenter_empty(void);
extern void sysenter32_empty(void);

// Puts the real LSTAR stub and int 0x80 gate back (also when a program ends: one that stopped
// with an empty entry installed must not leave it to the next). SYSENTER_EIP goes back to the
// entry of the running process's sysenter ABI (SYS_sysenter_abi), not always the 64-bit one.
void syscall_entries_restore(void)
{
    syscall_set_lstar(mitigations_lstar_entry()); // the copies mitigations= chose at boot
    idt_set_gate(VEC_INT80, mitigations_int80_entry(), 3, 0);
    gdt_set_call_gate(&this_cpu()->gdt, callgate_entry);
    wrmsr(MSR_CSTAR, (uint64_t)cstar_entry);
    if (sysenter_available()) {
        const struct process *p = process_current();
        // [mutant restore-sysenter-abi: "p && p->sysenter32" -> "p && false"]
        sysenter_install(p && p->sysenter32);
    }
}

// bench_entry(mode): installs an empty LSTAR target, int 0x80 gate or SYSENTER_EIP target, or
// restores all three. Each empty entry leaves the other entry working, which is how the caller undoes it.
SYSCALL_DEFINE(bench_entry)
{
    switch (a0) {
    case BENCH_ENTRY_RESTORE:
        syscall_entries_restore();
        return 0;
    case BENCH_ENTRY_EMPTY_LSTAR:
        syscall_set_lstar(lstar_empty);
        return 0;
    case BENCH_ENTRY_EMPTY_GATE:
        idt_set_gate(VEC_INT80, int80_empty, 3, 0);
        return 0;
    case BENCH_ENTRY_EMPTY_CALLGATE: // this CPU's GDT: the one the caller runs on
        gdt_set_call_gate(&this_cpu()->gdt, callgate_empty);
        return 0;
    case BENCH_ENTRY_EMPTY_CSTAR:
        wrmsr(MSR_CSTAR, (uint64_t)cstar_empty);
        return 0;
    case BENCH_ENTRY_EMPTY_SYSENTER:
        if (!sysenter_available())
            return -EINVAL; // AMD: `sysenter` is #UD in long mode, there is nothing to empty
        syscall_set_sysenter_eip(sysenter_empty);
        return 0;
    case BENCH_ENTRY_EMPTY_SYSENTER32:
        if (!sysenter_available())
            return -EINVAL;
        syscall_set_sysenter_eip(sysenter32_empty);
        return 0;
    default:
        return -EINVAL;
    }
}

// sysenter_abi(abi): which entry this process's `sysenter` reaches (abi.h, docs/abi.md "sysenter
// from compatibility mode"). SYSENTER tells the kernel nothing of the caller's mode, so the
// process states it once; from now on, whenever it runs, its CPU's SYSENTER_EIP points at that
// entry (process_install), and at once here. A process starts with SYSENTER_ABI_64; a child
// does not inherit the choice. Not GenuineIntel: -EINVAL, as there is no `sysenter` to choose
// for (AMD APM Vol. 3 "SYSENTER": #UD in long mode).
SYSCALL_DEFINE(sysenter_abi)
{
    if (!sysenter_enabled)
        return -EINVAL;
    bool compat;
    if (a0 == SYSENTER_ABI_64)
        compat = false;
    else if (a0 == SYSENTER_ABI_32)
        compat = true;
    else
        return -EINVAL;
    process_current()->sysenter32 = compat;
    sysenter_install(compat);
    return 0;
}
