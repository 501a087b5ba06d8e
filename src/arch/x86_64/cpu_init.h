// SPDX-License-Identifier: MIT
// One CPU's setup, the same for the boot CPU and every other one, and the check that no two
// CPUs share a GDT, TSS, IST stack or per-CPU area.
#ifndef LSTAR_ARCH_CPU_INIT_H
#define LSTAR_ARCH_CPU_INIT_H

int cpu_init(unsigned cpu);
int cpu_check_distinct(unsigned count);

#endif
