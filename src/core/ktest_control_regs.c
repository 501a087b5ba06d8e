// SPDX-License-Identifier: MIT
// The self-check that every online CPU runs with exactly the CR0, CR4 and EFER control_regs.c
// decides, nothing more: each CPU reads its own registers (smp_call), the boot CPU compares and
// names every bit that differs (docs/msr.md "Control registers written whole").
//
// Besides the exact comparison, a few CR4 bits are refused by name, whatever control_regs.c
// wants: they would hand ring 3 a power the entries do not expect (FSGSBASE: its own GS base,
// which the paranoid NMI/#MC/#DB entries trust; PCE: the performance counters; TSD would take
// the TSC from the benchmark; OSXSAVE, PKE: state no switch saves).
#include <stdbool.h>
#include <stdint.h>
#include "arch/x86_64/arch_bits.h"
#include "arch/x86_64/control_regs.h"
#include "arch/x86_64/pti.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/stacks.h"
#include "core/format.h"
#include "core/ktest.h"

#define CR4_NEVER (CR4_FSGSBASE | CR4_PCE | CR4_TSD | CR4_OSXSAVE | CR4_PKE | CR4_LA57 | CR4_FRED)

static struct control_regs seen[MAX_CPUS], wanted[MAX_CPUS];

// Reads this CPU's registers and what it should hold, on the CPU itself.
static void read_mine(unsigned cpu)
{
    seen[cpu] = control_regs_read();
    wanted[cpu] = control_regs_wanted();
}

// Appends " cpuN REG +SET -CLEAR" to detail when got differs from want; returns 1 if it does.
static int describe(char *detail, size_t n, unsigned cpu, const char *name, enum control_reg reg, uint64_t got,
                    uint64_t want)
{
    if (got == want)
        return 0;
    char extra[96], missing[96];
    control_regs_name_bits(extra, sizeof extra, reg, got & ~want);
    control_regs_name_bits(missing, sizeof missing, reg, want & ~got);
    size_t len = 0;
    while (len < n && detail[len])
        len++;
    if (len < n)
        format_buf(detail + len, n - len, "%scpu%u %s 0x%llx: unwanted %s, missing %s", len ? "; " : "", cpu, name,
                   (unsigned long long)got, extra, missing);
    return 1;
}

// Compares every online CPU's CR0, CR4 and EFER with the exact values and the refused bits.
void ktest_control_regs(void)
{
    unsigned cpus = smp_online_cpus();
    for (unsigned cpu = 1; cpu < cpus; cpu++) {
        smp_call(cpu, read_mine);
        smp_wait(cpu);
    }
    read_mine(0);

    char detail[480] = "";
    int differences = 0;
    for (unsigned cpu = 0; cpu < cpus; cpu++) {
        differences += describe(detail, sizeof detail, cpu, "CR0", REG_CR0, seen[cpu].cr0, wanted[cpu].cr0);
        differences += describe(detail, sizeof detail, cpu, "CR4", REG_CR4, seen[cpu].cr4, wanted[cpu].cr4);
        differences += describe(detail, sizeof detail, cpu, "EFER", REG_EFER, seen[cpu].efer, wanted[cpu].efer);
        // Refused outright, so that a wanted value that grew one of them fails too.
        differences += describe(detail, sizeof detail, cpu, "CR4 (never)", REG_CR4, wanted[cpu].cr4 & CR4_NEVER, 0);
        // PCIDE only for page-table isolation with PCIDs (pti.c), and then on every CPU.
        differences += describe(detail, sizeof detail, cpu, "CR4 (PCIDE)", REG_CR4, seen[cpu].cr4 & CR4_PCIDE,
                                pti_pcid() ? CR4_PCIDE : 0);
    }
    ktest_check(differences == 0, "every_cpu_runs_with_the_exact_cr0_cr4_and_efer", detail);
}
