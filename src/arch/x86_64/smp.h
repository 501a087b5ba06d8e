// SPDX-License-Identifier: MIT
// Bringing up the other CPUs: each gets its per-CPU area, GDT, TSS, IDT, protections and the
// syscall MSRs (cpu_init), checks them, starts its own tick, and then runs what kmain gives it.
#ifndef LSTAR_ARCH_SMP_H
#define LSTAR_ARCH_SMP_H
#include <stdbool.h>

struct mb2_info;

int smp_start_cpus(const struct mb2_info *info, bool tick);
bool smp_cpu_online(unsigned cpu);
unsigned smp_online_cpus(void);
void smp_call(unsigned cpu, void (*work)(unsigned cpu));
void smp_run(unsigned cpu, void (*work)(unsigned cpu));
void smp_wait(unsigned cpu);
unsigned smp_stop_other_cpus(void);

#endif
