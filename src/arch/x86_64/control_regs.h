// SPDX-License-Identifier: MIT
// The exact CR0, CR4 and EFER every CPU runs with, written whole, never read-modify-write
// (docs/msr.md "Control registers written whole").
#ifndef LSTAR_ARCH_CONTROL_REGS_H
#define LSTAR_ARCH_CONTROL_REGS_H
#include <stddef.h>
#include <stdint.h>

struct control_regs {
    uint64_t cr0, cr4, efer;
};

enum control_reg { REG_CR0, REG_CR4, REG_EFER };

struct control_regs control_regs_wanted(void);
struct control_regs control_regs_read(void);
void control_regs_init(unsigned cpu);
int control_regs_check(unsigned cpu);
void control_regs_name_bits(char *buf, size_t n, enum control_reg reg, uint64_t bits);

#endif
