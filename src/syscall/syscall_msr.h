// Programming and checking the MSRs behind `syscall`/`sysret`.
#ifndef LSTAR_SYSCALL_MSR_H
#define LSTAR_SYSCALL_MSR_H
#include <stdint.h>

void syscall_msr_init(void);
int syscall_msr_check(unsigned cpu);
uint64_t syscall_star_value(void);
uint64_t syscall_fmask_value(void);
void syscall_set_lstar(void (*entry)(void));
void syscall_entries_restore(void);

#endif
