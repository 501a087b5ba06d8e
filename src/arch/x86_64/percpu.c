// SPDX-License-Identifier: MIT
// Per-CPU areas and GS: each CPU's IA32_GS_BASE points at its own struct percpu.
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/msr.h"
#include "arch/x86_64/pti.h"

// In the entry set (pti.c): the stubs read it through GS before they switch to the kernel's
// tables, and it holds each CPU's GDT and TSS, which the CPU reads in any CR3.
struct percpu percpu_areas[MAX_CPUS] __attribute__((section(".bss.pti_entry")));
bool percpu_ready;

// Sets up `cpu`'s area, its GDT and TSS, and points GS at it.
void percpu_init(unsigned cpu)
{
    struct percpu *p = &percpu_areas[cpu];
    p->self = p;
    p->cpu = cpu;
    p->pti_entry_rsp = pti_entry_stack_top(cpu);
    gdt_init_cpu(&p->gdt, &p->tss, cpu);
    // Loading GS with a null selector (gdt_init_cpu) zeroed its base; set it after that.
    wrmsr(MSR_GS_BASE, (uint64_t)p);
    wrmsr(MSR_KERNEL_GS_BASE, 0); // what ring 3 sees after the first swapgs
    percpu_ready = true;
}

// Makes `top` the stack the CPU switches to on entry from ring 3, on both entries:
// TSS.RSP0 for interrupts and int 0x80, the per-CPU kernel_rsp for the LSTAR stub. With PTI on,
// TSS.RSP0 is the entry stack instead (mapped in the user tables too), and the stubs move the
// frame to `top` once they have switched to the kernel's tables (pti.inc).
void percpu_set_kernel_stack(uint64_t top)
{
    struct percpu *p = this_cpu();
    p->tss.rsp[0] = pti_enabled() ? p->pti_entry_rsp : top;
    p->kernel_rsp = top;
}
