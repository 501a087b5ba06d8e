// Programming and checking the MSRs behind `syscall`/`sysret`.
#ifndef LSTAR_SYSCALL_MSR_H
#define LSTAR_SYSCALL_MSR_H
#include <stdint.h>

void syscall_msr_init(void);
int syscall_msr_check(unsigned cpu);
void syscall_set_lstar(void (*entry)(void));

#endif
