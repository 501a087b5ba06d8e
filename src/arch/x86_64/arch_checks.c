// SPDX-License-Identifier: MIT
// Reads the descriptor tables and control registers back as the CPU sees them (sgdt, str, sidt,
// mov from CR0/CR4) and compares them with what gdt.c, idt.c and cpu_features.c meant to
// install, by the same field names those files build them with (gdt.h, idt.h, arch_bits.h).
#include <stdbool.h>
#include <stdint.h>
#include "arch/x86_64/arch_checks.h"
#include "arch/x86_64/arch_bits.h"
#include "arch/x86_64/asm_layout.h"
#include "arch/x86_64/cpu_features.h"
#include "arch/x86_64/cr.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/stacks.h"
#include "arch/x86_64/traps.h"
#include "core/ktest.h"

// Returns the DPL field of a segment descriptor.
static unsigned desc_dpl(uint64_t d) { return (unsigned)((d & DESC_DPL(3)) >> DESC_DPL_SHIFT); }

// GDT as loaded: SYSRET's layout, DPLs, L bits, and the TSS in TR with its stacks.
void arch_check_gdt_and_tss(void)
{
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) gdtr;
    uint16_t tr;
    __asm__ volatile("sgdt %0; str %1" : "=m"(gdtr), "=r"(tr));
    struct percpu *cpu = this_cpu();
    const uint64_t *g = (const uint64_t *)gdtr.base;
    bool ok = gdtr.base == (uint64_t)cpu->gdt.entry && gdtr.limit == sizeof cpu->gdt.entry - 1 && tr == GDT_TSS;
    uint64_t kcode = g[GDT_KERNEL_CS / 8], kdata = g[GDT_KERNEL_DS / 8];
    uint64_t ucode = g[GDT_USER_CS / 8], udata = g[GDT_USER_DS / 8], ucode32 = g[GDT_USER_CS32 / 8];
    uint64_t udata_sysexit = g[GDT_USER_DS_SYSEXIT / 8];
    ok = ok && desc_dpl(kcode) == 0 && (kcode & DESC_LONG) && (kcode & DESC_CODE);
    ok = ok && desc_dpl(kdata) == 0 && !(kdata & DESC_CODE);
    ok = ok && desc_dpl(ucode) == 3 && (ucode & DESC_LONG) && (ucode & DESC_CODE);
    ok = ok && desc_dpl(udata) == 3 && !(udata & DESC_CODE);
    ok = ok && udata_sysexit == udata;
    ok = ok && desc_dpl(ucode32) == 3 && !(ucode32 & DESC_LONG);
    ktest_check(ok, "gdt_is_loaded_in_sysret_order_with_tss_in_tr", "GDT or TR differ from gdt.c");
    // The call gate, field by field (gdt.h): present, DPL 3, type 12, S = 0, the kernel's 64-bit CS,
    // reserved bits 32-39 zero, the upper half's type field zero, and the target callgate_entry.
    const uint64_t *gate = &g[GDT_CALL_GATE / 8];
    extern void callgate_entry(void);
    bool gate_ok = (gate[0] & DESC_PRESENT) && desc_dpl(gate[0]) == 3 &&
                   (gate[0] & DESC_TYPE_MASK) == DESC_TYPE_CALL_GATE64 &&
                   (gate[0] >> GATE_SELECTOR_SHIFT & 0xffff) == GDT_KERNEL_CS && (gate[0] >> 32 & 0xff) == 0 &&
                   (gate[1] & DESC_TYPE_MASK) == 0 && (gate[1] >> 32) == 0 &&
                   gdt_call_gate_target(gate) == (uint64_t)callgate_entry;
    ktest_check(gate_ok, "gdt_call_gate_is_dpl3_64bit_to_callgate_entry", "call gate differs from gdt.c");
    const struct tss *t = &cpu->tss;
    bool stacks = t->iomap_base == sizeof *t;
    for (unsigned i = 0; i < IST_STACKS; i++) {
        stacks = stacks && t->ist[i] != 0 && (t->ist[i] & 15) == 0;
        for (unsigned j = 0; j < i; j++)
            stacks = stacks && t->ist[i] != t->ist[j];
    }
    ktest_check(stacks, "tss_has_distinct_aligned_ist_stacks_and_no_io_bitmap", "TSS stacks wrong");
}

// IDT as loaded: every gate DPL 0 but int 0x80's, NMI/#DF/#MC/#DB on their IST stacks.
void arch_check_idt(void)
{
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) idtr;
    __asm__ volatile("sidt %0" : "=m"(idtr));
    bool ok = idtr.limit == IDT_GATES * sizeof(struct idt_gate) - 1;
    for (unsigned v = 0; v < IDT_GATES; v++) {
        const struct idt_gate *g = idt_gate((uint8_t)v);
        unsigned dpl = (g->type_attr & GATE_DPL(3)) >> GATE_DPL_SHIFT;
        bool present = g->type_attr & GATE_PRESENT;
        if (v == VEC_INT80)
            ok = ok && present && dpl == 3 && (g->type_attr & GATE_TYPE_MASK) == GATE_TYPE_INTERRUPT;
        else
            ok = ok && dpl == 0;
        if (v < TRAP_STUBS) // every vector with a stub: the exceptions, the PIC and the local APIC
            ok = ok && present && g->selector == GDT_KERNEL_CS;
    }
    ok = ok && idt_gate(VEC_NMI)->ist == IST_NMI && idt_gate(VEC_DF)->ist == IST_DF &&
         idt_gate(VEC_MC)->ist == IST_MC && idt_gate(VEC_DB)->ist == IST_DB;
    for (unsigned v = 0; v < IDT_GATES; v++) // and no other gate uses one: only these run the paranoid path
        ok = ok && (v == VEC_NMI || v == VEC_DF || v == VEC_MC || v == VEC_DB || idt_gate((uint8_t)v)->ist == 0);
    ktest_check(ok, "idt_gates_are_dpl0_except_int80_and_nmi_df_mc_db_use_ist", "an IDT gate is wrong");
}

// CR4 has SMEP/SMAP/UMIP exactly when the CPU offers them; CR0.WP protects read-only pages.
void arch_check_protection_features(void)
{
    uint64_t cr4 = read_cr4();
    uint32_t f = cpu_features();
    bool ok = !!(cr4 & CR4_SMEP) == !!(f & LSTAR_FEATURE_SMEP) && !!(cr4 & CR4_SMAP) == !!(f & LSTAR_FEATURE_SMAP) &&
              !!(cr4 & CR4_UMIP) == !!(f & LSTAR_FEATURE_UMIP) && (read_cr0() & CR0_WP);
    ktest_check(ok, "smep_smap_umip_on_when_available_and_cr0_wp_set", "CR0/CR4 do not match CPUID");
}
