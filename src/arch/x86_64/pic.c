// SPDX-License-Identifier: MIT
// 8259A programming: after reset the PICs deliver IRQ0-7 on vectors 8-15, on top of the CPU's
// exceptions (#DF is 8), so they are moved to 32-47 before interrupts are ever enabled.
#include "arch/x86_64/pic.h"
#include "arch/x86_64/io.h"
#include "arch/x86_64/traps.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xa0
#define PIC2_DATA 0xa1
#define PIC_EOI 0x20
#define PIC_READ_ISR 0x0b

// ICW2 gives each PIC the first of its eight vectors; its low three bits must be 0.
_Static_assert(VEC_IRQ15 == VEC_IRQ0 + 15 && VEC_IRQ0 % 8 == 0, "each PIC takes 8 vectors from an 8-aligned base");

// Remaps both PICs to vectors VEC_IRQ0-VEC_IRQ15 (32-47) and masks every line but IRQ0.
void pic_init(void)
{
    outb(PIC1_CMD, 0x11); // ICW1: initialise, ICW4 follows
    outb(PIC2_CMD, 0x11);
    outb(PIC1_DATA, VEC_IRQ0);     // ICW2: master vector base (IRQ0-7)
    outb(PIC2_DATA, VEC_IRQ0 + 8); // ICW2: slave vector base (IRQ8-15)
    outb(PIC1_DATA, 4);            // ICW3: slave on IRQ2
    outb(PIC2_DATA, 2);            // ICW3: slave identity
    outb(PIC1_DATA, 0x01);         // ICW4: 8086 mode
    outb(PIC2_DATA, 0x01);
    outb(PIC1_DATA, 0xfe); // mask all but IRQ0 (timer)
    outb(PIC2_DATA, 0xff);
}

// Masks every line, the timer's too (timer=off): ring 3 then runs without a single kernel entry
// it did not ask for, which is what a test needs that must hit ring 3 and nothing else.
void pic_mask_all(void)
{
    outb(PIC1_DATA, 0xff);
    outb(PIC2_DATA, 0xff);
}

// Tells whether IRQ 7/15 is spurious (not in service), which must not be acknowledged.
int pic_is_spurious(uint8_t irq)
{
    uint16_t cmd = irq >= 8 ? PIC2_CMD : PIC1_CMD;
    outb(cmd, PIC_READ_ISR);
    return !(inb(cmd) & (1u << (irq & 7)));
}

// Acknowledges an IRQ so the PIC delivers the next one.
void pic_eoi(uint8_t irq)
{
    if (irq >= 8)
        outb(PIC2_CMD, PIC_EOI);
    outb(PIC1_CMD, PIC_EOI);
}
