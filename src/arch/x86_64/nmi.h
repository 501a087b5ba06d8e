// SPDX-License-Identifier: MIT
// NMIs: counted per CPU by the handler, reported later from ordinary kernel code.
#ifndef LSTAR_ARCH_NMI_H
#define LSTAR_ARCH_NMI_H
#include <stdbool.h>

struct trap_frame;
struct percpu;

void nmi_handle(const struct trap_frame *tf);
void nmi_report(struct percpu *cpu, bool total);
void nmi_report_totals(void);

#endif
