// SPDX-License-Identifier: MIT
// SYS_bench_entry: swaps in empty entries so the benchmark can measure the bare mechanism.
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/msr.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/mitigations.h"
#include "arch/x86_64/traps.h"
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

// Puts the real LSTAR stub and int 0x80 gate back (also when a program ends: one that stopped
// with an empty entry installed must not leave it to the next).
void syscall_entries_restore(void)
{
    syscall_set_lstar(mitigations_lstar_entry()); // the copies mitigations= chose at boot
    idt_set_gate(VEC_INT80, mitigations_int80_entry(), 3, 0);
    gdt_set_call_gate(&this_cpu()->gdt, callgate_entry);
    wrmsr(MSR_CSTAR, (uint64_t)cstar_entry);
    if (sysenter_available())
        syscall_set_sysenter_eip(sysenter_entry);
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
    default:
        return -EINVAL;
    }
}
