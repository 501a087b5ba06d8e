// SPDX-License-Identifier: MIT
// The interrupt descriptor table (SDM Vol. 3A "Interrupt Descriptor Table (IDT)", "64-Bit Mode
// IDT").
#ifndef LSTAR_ARCH_IDT_H
#define LSTAR_ARCH_IDT_H
#include <stdint.h>

struct idt_gate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;       // bits 0-2: IST index, 0 = use RSP0 / current stack
    uint8_t type_attr; // P, DPL, type: the GATE_* bits below
    uint16_t offset_mid;
    uint32_t offset_high;
    uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_gate) == 16, "64-bit IDT gates are 16 bytes");

// ---- type_attr (SDM Vol. 3A "64-Bit Mode IDT"): idt.c writes it, arch_checks.c reads it back ----
#define IDT_GATES 256 // vectors 0-255
#define GATE_PRESENT 0x80
#define GATE_DPL_SHIFT 5
#define GATE_DPL(n) ((unsigned)(n) << GATE_DPL_SHIFT) // the lowest CPL that may `int n` to it
#define GATE_TYPE_MASK 0x0f
#define GATE_TYPE_INTERRUPT 0x0e // 64-bit interrupt gate: IF cleared on entry

void idt_init(void);
void idt_load(unsigned cpu);
void idt_set_gate(uint8_t vector, void (*handler)(void), unsigned dpl, unsigned ist);
const struct idt_gate *idt_gate(uint8_t vector);

#endif
