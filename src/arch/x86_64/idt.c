// SPDX-License-Identifier: MIT
// Fills the IDT: exceptions, the PIC's IRQs and the int 0x80 system-call gate.
//
// Every gate is an interrupt gate (IF cleared on entry: the kernel is never preempted) with DPL 0,
// so ring 3 cannot raise it with `int n` (it gets #GP instead, SDM Vol. 3A "Protection of
// Exception- and Interrupt-Handler Procedures"), except vector 0x80, whose DPL 3 is the whole point
// of the classic system-call gate.
//
// Each CPU has its own copy of the table, made from the boot CPU's when the CPU starts. The
// copies are identical except while a benchmark has put an empty int 0x80 gate in one
// (sys_bench.c): that must change the gate of the CPU the benchmark runs on and of no other,
// where other programs may be using int 0x80 at the same moment.
#include "arch/x86_64/idt.h"
#include "arch/x86_64/asm_layout.h"
#include "arch/x86_64/mitigations.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/stacks.h"
#include "arch/x86_64/traps.h"
#include "core/string.h"

// In the entry set (pti.c): the CPU reads the IDT in whatever CR3 is loaded.
static struct idt_gate idts[MAX_CPUS][IDT_GATES] __attribute__((aligned(16), section(".bss.pti_entry")));
extern void (*const trap_stub_table[TRAP_STUBS])(void);

// The table of the CPU running this code (the boot CPU's before its per-CPU area exists).
static struct idt_gate *this_cpu_idt(void) { return idts[percpu_ready ? this_cpu()->cpu : 0]; }

// Points `vector` at `handler` in this CPU's table, with the given DPL and IST slot (0 = none).
void idt_set_gate(uint8_t vector, void (*handler)(void), unsigned dpl, unsigned ist)
{
    uint64_t a = (uint64_t)handler;
    this_cpu_idt()[vector] = (struct idt_gate){
        .offset_low = (uint16_t)a,
        .selector = GDT_KERNEL_CS,
        .ist = (uint8_t)ist,
        .type_attr = (uint8_t)(GATE_PRESENT | GATE_DPL(dpl) | GATE_TYPE_INTERRUPT),
        .offset_mid = (uint16_t)(a >> 16),
        .offset_high = (uint32_t)(a >> 32),
        .reserved = 0,
    };
}

// Returns the gate of `vector`, for the self-checks that read the table back (arch_checks.c).
const struct idt_gate *idt_gate(uint8_t vector) { return &this_cpu_idt()[vector]; }

// Builds the boot CPU's table; each CPU then copies it and loads its copy with idt_load.
void idt_init(void)
{
    for (unsigned v = 0; v < TRAP_STUBS; v++)
        idt_set_gate((uint8_t)v, trap_stub_table[v], 0, 0);
    // NMI, #DF, #MC and #DB get stacks of their own: they may strike while RSP is still the user's
    // (in the entry windows, entry_window.inc: the first instructions of the LSTAR stub, the last
    // ones before sysretq, the empty and CSTAR stubs) or the kernel stack is exhausted. #DB can
    // land there too: a single step that an emulator or a debugger raises right after `syscall`, or
    // a data breakpoint deferred past `syscall` by `mov ss`/`pop ss` (CVE-2018-8897; SDM Vol. 3A
    // "Masking Exceptions and Interrupts When Switching Stacks"). Linux keeps #DB on an IST stack
    // for the same reasons. An IST gate loads RSP from the TSS whatever the old RSP was (SDM Vol.
    // 3A "Interrupt Stack Table").
    idt_set_gate(VEC_NMI, trap_stub_table[VEC_NMI], 0, IST_NMI); // [mutant ist-nmi: IST_NMI -> 0]
    idt_set_gate(VEC_DF, trap_stub_table[VEC_DF], 0, IST_DF);    // [mutant ist-df: IST_DF -> 0]
    idt_set_gate(VEC_MC, trap_stub_table[VEC_MC], 0, IST_MC);    // [mutant ist-mc: IST_MC -> 0]
    idt_set_gate(VEC_DB, trap_stub_table[VEC_DB], 0, IST_DB);    // [mutant ist-db: IST_DB -> 0]
    idt_set_gate(VEC_INT80, mitigations_int80_entry(), 3, 0);    // the plain or the hardened copy
}

// Gives CPU `cpu` its copy of the boot CPU's table and loads it into its IDTR.
void idt_load(unsigned cpu)
{
    if (cpu != 0)
        memcpy(idts[cpu], idts[0], sizeof idts[0]);
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) idtr = {sizeof idts[cpu] - 1, (uint64_t)idts[cpu]};
    __asm__ volatile("lidt %0" ::"m"(idtr) : "memory");
}
