// Fills the IDT: exceptions, the PIC's IRQs and the int 0x80 system-call gate.
//
// Every gate is an interrupt gate (IF cleared on entry: the kernel is never preempted) with
// DPL 0, so ring 3 cannot raise it with `int n` (it gets #GP instead, SDM Vol. 3A 6.12.1.1),
// except vector 0x80, whose DPL 3 is the whole point of the classic system-call gate.
#include "arch/x86_64/idt.h"
#include "arch/x86_64/asm_layout.h"
#include "arch/x86_64/stacks.h"
#include "arch/x86_64/traps.h"

#define GATE_PRESENT 0x80
#define GATE_INTERRUPT 0x0e

static struct idt_gate idt[256] __attribute__((aligned(16)));
extern void (*const trap_stub_table[48])(void);
extern void int80_entry(void);

// Points `vector` at `handler` with the given DPL and IST slot (0 = none).
void idt_set_gate(uint8_t vector, void (*handler)(void), unsigned dpl, unsigned ist)
{
    uint64_t a = (uint64_t)handler;
    idt[vector] = (struct idt_gate){
        .offset_low = (uint16_t)a,
        .selector = GDT_KERNEL_CS,
        .ist = (uint8_t)ist,
        .type_attr = (uint8_t)(GATE_PRESENT | (dpl << 5) | GATE_INTERRUPT),
        .offset_mid = (uint16_t)(a >> 16),
        .offset_high = (uint32_t)(a >> 32),
        .reserved = 0,
    };
}

// Returns the gate of `vector`, for the self-checks that read the table back (ktest.c).
const struct idt_gate *idt_gate(uint8_t vector) { return &idt[vector]; }

// Builds the table once; each CPU then loads it with idt_load.
void idt_init(void)
{
    for (unsigned v = 0; v < 48; v++)
        idt_set_gate((uint8_t)v, trap_stub_table[v], 0, 0);
    // NMI, #DF, #MC and #DB get stacks of their own: they may strike while RSP is still the
    // user's (the first instructions of the LSTAR stub, the last ones before sysretq) or the
    // kernel stack is exhausted. #DB can land there too: a single step that an emulator or a
    // debugger raises right after `syscall`, or a data breakpoint deferred past `syscall` by
    // `mov ss`/`pop ss` (CVE-2018-8897; SDM Vol. 3A 6.8.3). Linux keeps #DB on an IST stack
    // for the same reasons. An IST gate loads RSP from the TSS whatever the old RSP was
    // (SDM Vol. 3A 6.14.5).
    idt_set_gate(VEC_NMI, trap_stub_table[VEC_NMI], 0, IST_NMI); // [mutant ist-nmi: IST_NMI -> 0]
    idt_set_gate(VEC_DF, trap_stub_table[VEC_DF], 0, IST_DF);    // [mutant ist-df: IST_DF -> 0]
    idt_set_gate(VEC_MC, trap_stub_table[VEC_MC], 0, IST_MC);    // [mutant ist-mc: IST_MC -> 0]
    idt_set_gate(VEC_DB, trap_stub_table[VEC_DB], 0, IST_DB);    // [mutant ist-db: IST_DB -> 0]
    idt_set_gate(VEC_INT80, int80_entry, 3, 0);
}

// Loads the IDT into this CPU's IDTR.
void idt_load(void)
{
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) idtr = {sizeof idt - 1, (uint64_t)idt};
    __asm__ volatile("lidt %0" ::"m"(idtr) : "memory");
}
