// SPDX-License-Identifier: MIT
// The legacy 8259A PIC pair: remapped off the exception vectors, IRQ0 (the PIT) unmasked.
#ifndef LSTAR_ARCH_PIC_H
#define LSTAR_ARCH_PIC_H
#include <stdint.h>

void pic_init(void);
void pic_eoi(uint8_t irq);
void pic_mask_all(void);
int pic_is_spurious(uint8_t irq);

#endif
