// Bringing up the other CPUs: each gets its per-CPU area, GDT, TSS, IDT, protections and the
// syscall MSRs, checks them, and then waits halted.
#ifndef LSTAR_ARCH_SMP_H
#define LSTAR_ARCH_SMP_H

struct mb2_info;

int smp_start_cpus(const struct mb2_info *info);

#endif
