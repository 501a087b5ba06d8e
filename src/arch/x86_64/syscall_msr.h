// SPDX-License-Identifier: MIT
// Programming and checking the MSRs behind `syscall`/`sysret`: part of each CPU's bring-up
// (cpu_init.c), as Linux's syscall_init is part of arch/x86/kernel/cpu/common.c. The stubs the
// MSRs point at live in src/syscall/lstar_entry.asm; this layer knows them by symbol only.
#ifndef LSTAR_ARCH_SYSCALL_MSR_H
#define LSTAR_ARCH_SYSCALL_MSR_H
#include <stdint.h>

#include <stdbool.h>

void syscall_msr_init(unsigned cpu);
int syscall_msr_check(unsigned cpu);
void syscall_set_lstar(void (*entry)(void));
bool sysenter_available(void);
extern bool sysenter_enabled;
void syscall_set_sysenter_eip(void (*entry)(void));
void sysenter_install(bool compat);

#endif
