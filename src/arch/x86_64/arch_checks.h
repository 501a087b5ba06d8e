// SPDX-License-Identifier: MIT
// Boot-time self-checks of what the CPU itself holds: the loaded GDT, TSS and IDT, and the
// protection bits of CR0 and CR4. ktest_run calls them; each reports through ktest_check.
#ifndef LSTAR_ARCH_ARCH_CHECKS_H
#define LSTAR_ARCH_ARCH_CHECKS_H

void arch_check_gdt_and_tss(void);
void arch_check_idt(void);
void arch_check_protection_features(void);

#endif
