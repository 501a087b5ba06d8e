// The interrupt descriptor table (SDM Vol. 3A 6.10, 6.14.1).
#ifndef LSTAR_ARCH_IDT_H
#define LSTAR_ARCH_IDT_H
#include <stdint.h>

struct idt_gate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;        // bits 0-2: IST index, 0 = use RSP0 / current stack
    uint8_t type_attr;  // P, DPL, type (0xe = 64-bit interrupt gate: IF cleared on entry)
    uint16_t offset_mid;
    uint32_t offset_high;
    uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_gate) == 16, "64-bit IDT gates are 16 bytes");

void idt_init(void);
void idt_load(void);
void idt_set_gate(uint8_t vector, void (*handler)(void), unsigned dpl, unsigned ist);
const struct idt_gate *idt_gate(uint8_t vector);

#endif
