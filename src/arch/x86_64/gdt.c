// SPDX-License-Identifier: MIT
// Builds each CPU's GDT in the order SYSCALL and SYSRET require, and its TSS.
//
// SYSCALL loads CS from STAR[47:32] and SS from STAR[47:32] + 8; SYSRET to 64-bit mode loads CS
// from STAR[63:48] + 16 and SS from STAR[63:48] + 8 (SDM Vol. 2B "SYSCALL", "SYSRET"; AMD APM Vol.
// 2 "SYSCALL and SYSRET"). SYSENTER loads CS from IA32_SYSENTER_CS and SS from it + 8; SYSEXIT
// to 64-bit mode loads CS from IA32_SYSENTER_CS + 32 and SS from + 40, to compatibility mode CS
// from + 16 and SS from + 24 (SDM Vol. 2B "SYSENTER", "SYSEXIT"). With IA32_SYSENTER_CS =
// GDT_KERNEL_CS one table serves both pairs: SYSEXIT's 32-bit pair is SYSRET's, its 64-bit CS is
// SYSRET's, and only its 64-bit SS needs a slot of its own, a second user data segment right after
// the 64-bit user code. The selectors are therefore not free: the asserts below prove the layout
// at compile time, and syscall_msr.c builds STAR from the same names. docs/msr.md walks through
// every entry.
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/stacks.h"
#include "core/string.h"

// ---- the SYSRET layout, proved ----
_Static_assert(GDT_KERNEL_DS == GDT_KERNEL_CS + 8, "SYSCALL: SS = STAR[47:32] + 8 must be kernel data");
_Static_assert(GDT_USER_DS == GDT_USER_CS32 + 8, "SYSRET: SS = STAR[63:48] + 8 must be user data");
_Static_assert(GDT_USER_CS == GDT_USER_CS32 + 16, "SYSRET: 64-bit CS = STAR[63:48] + 16 must be user code");
_Static_assert((GDT_USER_CS32 & 3) == 3 && (GDT_USER_DS & 3) == 3 && (GDT_USER_CS & 3) == 3,
               "user selectors carry RPL 3");
_Static_assert((GDT_KERNEL_CS & 3) == 0 && (GDT_KERNEL_DS & 3) == 0, "kernel selectors carry RPL 0");
// ---- the SYSEXIT layout, proved: IA32_SYSENTER_CS = GDT_KERNEL_CS (the `| 3`: SYSEXIT forces RPL 3) ----
_Static_assert(GDT_KERNEL_DS == GDT_KERNEL_CS + 8, "SYSENTER: SS = SYSENTER_CS + 8 must be kernel data");
_Static_assert(GDT_USER_CS32 == ((GDT_KERNEL_CS + 16) | 3), "SYSEXIT (32-bit): CS = SYSENTER_CS + 16");
_Static_assert(GDT_USER_DS == ((GDT_KERNEL_CS + 24) | 3), "SYSEXIT (32-bit): SS = SYSENTER_CS + 24");
_Static_assert(GDT_USER_CS == ((GDT_KERNEL_CS + 32) | 3), "SYSEXIT (64-bit): CS = SYSENTER_CS + 32");
_Static_assert(GDT_USER_DS_SYSEXIT == ((GDT_KERNEL_CS + 40) | 3), "SYSEXIT (64-bit): SS = SYSENTER_CS + 40");
_Static_assert(GDT_TSS / 8 + 2 == GDT_CALL_GATE / 8, "the TSS descriptor takes two slots before the call gate");
_Static_assert(GDT_CALL_GATE / 8 + 2 == GDT_ENTRIES, "the call gate takes the last two slots");

// Encodes a flat code or data segment (DESC_FLAT, gdt.h).
uint64_t gdt_segment_descriptor(unsigned dpl, int code, int long_mode) { return DESC_FLAT(dpl, code, long_mode); }

extern void callgate_entry(void);

// A DPL-3 64-bit call gate to GDT_KERNEL_CS:target (gdt.h; SDM Vol. 3A "IA-32e Mode Call Gates").
// DPL 3: ring 3 may name the gate (CPL <= gate DPL); the target segment's DPL 0 makes the far call
// a privilege change, so the CPU loads RSP from TSS.RSP0 and pushes SS, RSP, CS and RIP there
// ("Calling Procedures Using a Call Gate"). The high word is written first: the gate is never
// half pointing at the new target with the old upper offset while the low word says present
// (all targets are in the kernel's top 2 GiB, so the high word never changes in practice).
void gdt_set_call_gate(struct gdt *gdt, void (*target)(void))
{
    volatile uint64_t *pair = &gdt->entry[GDT_CALL_GATE / 8];
    pair[1] = GATE_OFFSET_HIGH(target);
    pair[0] = GATE_OFFSET_LOW(target) | ((uint64_t)GDT_KERNEL_CS << GATE_SELECTOR_SHIFT) | DESC_TYPE_CALL_GATE64 |
              DESC_DPL(3) | DESC_PRESENT;
}

// The target offset of a call-gate descriptor pair.
uint64_t gdt_call_gate_target(const uint64_t *pair)
{
    return (pair[0] & 0xffff) | ((pair[0] >> 48 & 0xffff) << 16) | ((pair[1] & 0xffffffff) << 32);
}

// Fills `gdt` and `tss` for `cpu`, loads them and reloads every segment register.
void gdt_init_cpu(struct gdt *gdt, struct tss *tss, unsigned cpu)
{
    memset(tss, 0, sizeof *tss);
    tss->ist[IST_NMI - 1] = stack_ist_top(cpu, IST_NMI);
    tss->ist[IST_DF - 1] = stack_ist_top(cpu, IST_DF);
    tss->ist[IST_MC - 1] = stack_ist_top(cpu, IST_MC);
    tss->ist[IST_DB - 1] = stack_ist_top(cpu, IST_DB);
    tss->iomap_base = sizeof *tss;

    gdt->entry[0] = 0;
    gdt->entry[GDT_KERNEL_CS32 / 8] = gdt_segment_descriptor(0, 1, 0);
    gdt->entry[GDT_KERNEL_CS / 8] = gdt_segment_descriptor(0, 1, 1);
    gdt->entry[GDT_KERNEL_DS / 8] = gdt_segment_descriptor(0, 0, 0);
    // User 32-bit code: SYSRET needs STAR[63:48] to point 16 bytes below the 64-bit user CS, and
    // ring 3 runs compatibility-mode code in it (the 32-bit entries, docs/abi.md).
    gdt->entry[GDT_USER_CS32 / 8] = gdt_segment_descriptor(3, 1, 0);
    gdt->entry[GDT_USER_DS / 8] = gdt_segment_descriptor(3, 0, 0);
    gdt->entry[GDT_USER_CS / 8] = gdt_segment_descriptor(3, 1, 1);
    // The same flat user data segment again, under the selector 64-bit SYSEXIT loads into SS.
    gdt->entry[GDT_USER_DS_SYSEXIT / 8] = gdt_segment_descriptor(3, 0, 0);

    // 16-byte TSS descriptor (SDM Vol. 3A "TSS Descriptor in 64-bit mode").
    uint64_t base = (uint64_t)tss, limit = sizeof *tss - 1;
    gdt->entry[GDT_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) | DESC_TYPE_TSS64 | DESC_PRESENT |
                              (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt->entry[GDT_TSS / 8 + 1] = base >> 32;
    // The call gate: a third way into ring 0 beside `syscall` and `int 0x80` (callgate_entry.asm).
    gdt_set_call_gate(gdt, callgate_entry);

    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) gdtr = {sizeof gdt->entry - 1, (uint64_t)gdt->entry};

    __asm__ volatile("lgdt %0\n\t"
                     "pushq %1\n\t" // far return reloads CS from our table
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:\n\t"
                     "movw %w2, %%ax\n\t"
                     "movw %%ax, %%ds\n\t"
                     "movw %%ax, %%es\n\t"
                     "movw %%ax, %%ss\n\t"
                     "xorl %%eax, %%eax\n\t" // FS and GS: null; their bases come from MSRs
                     "movw %%ax, %%fs\n\t"
                     "movw %%ax, %%gs\n\t"
                     "movw %w3, %%ax\n\t"
                     "ltr %%ax"
                     :
                     : "m"(gdtr), "i"(GDT_KERNEL_CS), "i"(GDT_KERNEL_DS), "i"(GDT_TSS)
                     : "rax", "memory");
}
