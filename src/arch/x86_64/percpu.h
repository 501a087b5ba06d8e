// The per-CPU area: everything the entry paths need, reached through GS without a lookup.
//
// IA32_GS_BASE points here while the CPU runs kernel code; `swapgs` exchanges it with
// IA32_KERNEL_GS_BASE (which holds the user's GS base, 0) on every crossing to and from ring 3.
// The first fields are read by NASM at fixed offsets, proved below against asm_layout.h.
#ifndef LSTAR_ARCH_PERCPU_H
#define LSTAR_ARCH_PERCPU_H
#include <stddef.h>
#include <stdint.h>
#include "arch/x86_64/asm_layout.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/stacks.h"

struct process;

struct percpu {
    struct percpu *self;       // [gs:0]: lets C find the area with one load
    uint64_t kernel_rsp;       // top of the running process's kernel stack (the LSTAR stub loads it)
    uint64_t user_rsp;         // the LSTAR stub parks the user's RSP here while it switches
    struct process *current;   // the process running on this CPU, NULL in the kernel's own work
    uint64_t cpu;              // this CPU's number, 0 = the boot CPU
    // ---- fields below are C-only ----
    struct tss tss;
    struct gdt gdt;
    // NMIs taken (nmi.c): the handler only increments these; nmi_report prints them later.
    struct {
        uint64_t count;        // every NMI
        uint64_t ring3;        // ... that interrupted ring 3
        uint64_t window;       // ... that landed in an entry window (entry_window.c)
        uint64_t last_rip;     // where the latest one landed
        uint64_t reported;     // `count` when nmi_report last printed
    } nmi;
    uint32_t apic_id;          // this CPU's local APIC id (smp.c; 0 until the APs start)
    uint64_t db_absorbed;      // kernel-mode single steps absorbed in an entry window (debug_trap.c)
} __attribute__((aligned(64)));

_Static_assert(offsetof(struct percpu, self) == PERCPU_SELF, "asm_layout.h PERCPU_SELF");
_Static_assert(offsetof(struct percpu, kernel_rsp) == PERCPU_KERNEL_RSP, "asm_layout.h PERCPU_KERNEL_RSP");
_Static_assert(offsetof(struct percpu, user_rsp) == PERCPU_USER_RSP, "asm_layout.h PERCPU_USER_RSP");
_Static_assert(offsetof(struct percpu, current) == PERCPU_CURRENT, "asm_layout.h PERCPU_CURRENT");
_Static_assert(offsetof(struct percpu, cpu) == PERCPU_CPU, "asm_layout.h PERCPU_CPU");

extern struct percpu percpu_areas[MAX_CPUS];

void percpu_init(unsigned cpu);
void percpu_set_kernel_stack(uint64_t top);

// Returns this CPU's area (valid only with the kernel's GS loaded).
static inline struct percpu *this_cpu(void)
{
    struct percpu *p;
    __asm__ volatile("movq %%gs:0, %0" : "=r"(p));
    return p;
}

#endif
