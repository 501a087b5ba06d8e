// SPDX-License-Identifier: MIT
// Per-CPU areas and GS: each CPU's IA32_GS_BASE points at its own struct percpu.
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/msr.h"

struct percpu percpu_areas[MAX_CPUS];
bool percpu_ready;

// Sets up `cpu`'s area, its GDT and TSS, and points GS at it.
void percpu_init(unsigned cpu)
{
    struct percpu *p = &percpu_areas[cpu];
    p->self = p;
    p->cpu = cpu;
    gdt_init_cpu(&p->gdt, &p->tss, cpu);
    // Loading GS with a null selector (gdt_init_cpu) zeroed its base; set it after that.
    wrmsr(MSR_GS_BASE, (uint64_t)p);
    wrmsr(MSR_KERNEL_GS_BASE, 0); // what ring 3 sees after the first swapgs
    percpu_ready = true;
}

// Makes `top` the stack the CPU switches to on entry from ring 3, on both entries:
// TSS.RSP0 for interrupts and int 0x80, the per-CPU kernel_rsp for the LSTAR stub.
void percpu_set_kernel_stack(uint64_t top)
{
    struct percpu *p = this_cpu();
    p->tss.rsp[0] = top;
    p->kernel_rsp = top;
}
