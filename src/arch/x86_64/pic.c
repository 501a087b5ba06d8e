// 8259A programming: after reset the PICs deliver IRQ0-7 on vectors 8-15, on top of the CPU's
// exceptions (#DF is 8), so they are moved to 32-47 before interrupts are ever enabled.
#include "arch/x86_64/pic.h"
#include "arch/x86_64/io.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xa0
#define PIC2_DATA 0xa1
#define PIC_EOI 0x20
#define PIC_READ_ISR 0x0b

// Remaps both PICs to vectors 32-47 and masks every line but IRQ0.
void pic_init(void)
{
    outb(PIC1_CMD, 0x11); // ICW1: initialise, ICW4 follows
    outb(PIC2_CMD, 0x11);
    outb(PIC1_DATA, 32);   // ICW2: master vector base
    outb(PIC2_DATA, 40);   // ICW2: slave vector base
    outb(PIC1_DATA, 4);    // ICW3: slave on IRQ2
    outb(PIC2_DATA, 2);    // ICW3: slave identity
    outb(PIC1_DATA, 0x01); // ICW4: 8086 mode
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
