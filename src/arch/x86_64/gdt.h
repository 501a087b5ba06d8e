// The GDT and the 64-bit TSS of one CPU (SDM Vol. 3A 3.4.5, 8.7).
#ifndef LSTAR_ARCH_GDT_H
#define LSTAR_ARCH_GDT_H
#include <stdint.h>
#include "arch/x86_64/asm_layout.h"

// The 64-bit TSS: only the stack pointers matter in long mode (SDM Vol. 3A 8.7, figure 8-11).
struct tss {
    uint32_t reserved0;
    uint64_t rsp[3];     // RSP0: the stack the CPU loads on an interrupt from ring 3
    uint64_t reserved1;
    uint64_t ist[7];     // IST1..7: stacks selected by an IDT gate's IST field, whatever the ring
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base; // past the limit: no I/O permission bitmap, ring 3 gets no ports
} __attribute__((packed));
_Static_assert(sizeof(struct tss) == 104, "64-bit TSS is 104 bytes (SDM Vol. 3A figure 8-11)");

#define GDT_ENTRIES 9 // null, kcode32, kcode, kdata, ucode32, udata, ucode, TSS (two slots)

struct gdt {
    uint64_t entry[GDT_ENTRIES];
} __attribute__((aligned(16)));

void gdt_init_cpu(struct gdt *gdt, struct tss *tss, unsigned cpu);
uint64_t gdt_segment_descriptor(unsigned dpl, int code, int long_mode);

#endif
