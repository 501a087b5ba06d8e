// SPDX-License-Identifier: MIT
// One CPU's setup, in one order for all of them: kmain.c calls it for the boot CPU, smp.c's
// ap_main for every other CPU, so the two can never drift apart.
//
// The order is forced by what each step needs:
//   1. percpu_init   GS -> this CPU's area, its own GDT and TSS loaded (this_cpu() works from
//                    here, and the IST stacks the IDT names exist in this CPU's TSS)
//   2. idt_load      its own copy of the IDT (the boot CPU's, built by idt_init beforehand)
//   3. control_regs_init     CR0, CR4 and EFER written whole (control_regs.c): SMEP/SMAP/UMIP,
//                            CR4.MCE, the x87/SSE bits, XSAVE and FSGSBASE off, before any
//                            ring-3 code can run; EFER.SCE held back for step 5. (CR0.WP comes
//                            from the boot code and is written again here.)
//   4. machine_check_init    the machine-check banks (CR4.MCE was set in step 3)
//   5. syscall_msr_init      STAR, LSTAR, CSTAR, FMASK, then EFER.SCE (docs/msr.md)
//   6. record what the CPU's registers now say, for cpu_check_distinct
//   7. control_regs_check    read CR0, CR4, EFER back and log them as `[cpu] cpuN CR0=...`
//   8. syscall_msr_check     read the MSRs back and log them as `[msr] cpuN ...`
#include "arch/x86_64/cpu_init.h"
#include "arch/x86_64/control_regs.h"
#include "arch/x86_64/mitigations.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/machine_check.h"
#include "arch/x86_64/msr.h"
#include "arch/x86_64/percpu.h"
#include "core/console.h"
#include "arch/x86_64/syscall_msr.h"

// The base address a 16-byte system descriptor (the TSS's) holds (SDM Vol. 3A figure "Format of TSS
// and LDT Descriptors in 64-bit Mode").
static uint64_t system_descriptor_base(const uint64_t *d)
{
    return ((d[0] >> 16) & 0xffffff) | ((d[0] >> 32) & 0xff000000) | (d[1] << 32);
}

// Reads back the structures this CPU really uses: GS base, GDTR, the TSS that TR selects, its
// IST pointers, and the stack it runs on now.
static void record_loaded(struct percpu *p)
{
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) gdtr;
    uint16_t tr;
    uint64_t rsp;
    __asm__ volatile("sgdt %0; str %1; mov %%rsp, %2" : "=m"(gdtr), "=r"(tr), "=r"(rsp));
    p->loaded.gs_base = rdmsr(MSR_GS_BASE);
    p->loaded.gdt = gdtr.base;
    p->loaded.tss = system_descriptor_base((const uint64_t *)(gdtr.base + (tr & ~7u)));
    const struct tss *tss = (const struct tss *)p->loaded.tss;
    for (unsigned i = 0; i < IST_STACKS; i++)
        p->loaded.ist[i] = tss->ist[i];
    p->loaded.stack = rsp;
}

// Sets up CPU `cpu` (its number from the caller, not from GS); returns how many of its control
// register and MSR read-backs failed.
int cpu_init(unsigned cpu)
{
    percpu_init(cpu);
    idt_load(cpu);
    control_regs_init(cpu);
    machine_check_init(cpu);
    syscall_msr_init(cpu);
    mitigations_cpu_init(); // enhanced IBRS, set once per CPU when in force
    record_loaded(&percpu_areas[cpu]);
    int failures = control_regs_check(cpu);
    return failures + syscall_msr_check(cpu);
}

// Logs the per-CPU structures of CPUs 0..count-1 and checks that each CPU's GS base is its own
// area and that no two CPUs share a GDT, a TSS, an IST stack or a kernel stack (16 KiB apart
// at least); returns the number of problems.
int cpu_check_distinct(unsigned count)
{
    int problems = 0;
    for (unsigned c = 0; c < count; c++) {
        const struct percpu *p = &percpu_areas[c];
        kprintf("[cpu] cpu%u: GS base %016llx, GDT %016llx, TSS %016llx, IST tops %016llx %016llx %016llx "
                "%016llx, stack %016llx\n",
                c, (unsigned long long)p->loaded.gs_base, (unsigned long long)p->loaded.gdt,
                (unsigned long long)p->loaded.tss, (unsigned long long)p->loaded.ist[0],
                (unsigned long long)p->loaded.ist[1], (unsigned long long)p->loaded.ist[2],
                (unsigned long long)p->loaded.ist[3], (unsigned long long)p->loaded.stack);
        if (p->loaded.gs_base != (uint64_t)p) {
            kprintf("[cpu] cpu%u: GS base is not its own per-CPU area %p\n", c, (const void *)p);
            problems++;
        }
        // Every address below, of every CPU, must be unique; stacks must not even overlap.
        const uint64_t mine[] = {p->loaded.gdt,    p->loaded.tss,    p->loaded.ist[0], p->loaded.ist[1],
                                 p->loaded.ist[2], p->loaded.ist[3], p->loaded.stack};
        for (unsigned o = 0; o < c; o++) {
            const struct percpu *q = &percpu_areas[o];
            const uint64_t theirs[] = {q->loaded.gdt,    q->loaded.tss,    q->loaded.ist[0], q->loaded.ist[1],
                                       q->loaded.ist[2], q->loaded.ist[3], q->loaded.stack};
            for (unsigned i = 0; i < sizeof mine / sizeof mine[0]; i++)
                for (unsigned j = 0; j < sizeof theirs / sizeof theirs[0]; j++) {
                    uint64_t gap = mine[i] > theirs[j] ? mine[i] - theirs[j] : theirs[j] - mine[i];
                    if (gap < (i >= 2 && j >= 2 ? KSTACK_SIZE : 1)) {
                        kprintf("[cpu] cpu%u and cpu%u share %016llx\n", o, c, (unsigned long long)mine[i]);
                        problems++;
                    }
                }
        }
    }
    kprintf("[cpu] %u CPU(s): GS bases, GDTs, TSSs, IST and kernel stacks %s\n", count,
            problems ? "SHARED: see above" : "all distinct");
    return problems;
}
