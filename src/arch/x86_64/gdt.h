// SPDX-License-Identifier: MIT
// The GDT and the 64-bit TSS of one CPU (SDM Vol. 3A "Segment Descriptors", "Task Management in
// 64-bit Mode").
#ifndef LSTAR_ARCH_GDT_H
#define LSTAR_ARCH_GDT_H
#include <stdint.h>
#include "arch/x86_64/asm_layout.h"

// The 64-bit TSS (Intel SDM Vol. 3A, section "Task Management in 64-bit Mode"): in long mode the
// CPU reads only its stack pointers and its I/O map base. lstar gives no I/O permission bitmap:
// the base lies past the segment's limit, so every in/out at CPL > IOPL (ring 3, IOPL 0) is #GP
// (Intel SDM Vol. 1, section "I/O Permission Bit Map").
struct tss {
    uint32_t reserved0;
    uint64_t rsp[3]; // RSP0: the stack the CPU loads on an interrupt from ring 3
    uint64_t reserved1;
    uint64_t ist[7]; // IST1..7: stacks selected by an IDT gate's IST field, whatever the ring
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base; // gdt.c: sizeof(struct tss), past the limit (sizeof - 1): no bitmap
} __attribute__((packed));
_Static_assert(sizeof(struct tss) == 104, "64-bit TSS is 104 bytes (SDM Vol. 3A figure '64-Bit TSS Format')");

// ---- segment descriptor fields (SDM Vol. 3A "Segment Descriptors"), as bits of the 8-byte entry ----
// gdt.c builds the table from them and arch_checks.c reads the loaded table back with them.
// Accessed, preset: otherwise the CPU sets it itself the first time a selector for the entry is
// loaded, a locked write into the table (SDM Vol. 3A "Code- and Data-Segment Descriptor Types";
// "Automatic Locking" in the multiple-processor chapter). The GDT is writable (per-CPU .bss), so
// this is not needed for correctness: it spares that locked write and keeps each entry exactly as
// gdt_init_cpu wrote it.
#define DESC_ACCESSED (1ull << 40)
#define DESC_RW (1ull << 41)   // code: readable; data: writable
#define DESC_CODE (1ull << 43) // executable
#define DESC_S (1ull << 44)    // code/data, not system
#define DESC_DPL_SHIFT 45
#define DESC_DPL(n) ((uint64_t)(n) << DESC_DPL_SHIFT) // descriptor privilege level, 0-3
#define DESC_PRESENT (1ull << 47)
#define DESC_LONG (1ull << 53)     // L: 64-bit code segment
#define DESC_DB (1ull << 54)       // 32-bit default size (must be 0 when L = 1)
#define DESC_GRANULAR (1ull << 55) // limit in 4 KiB units
#define DESC_LIMIT_MAX (0xffffull | (0xfull << 48))
// System descriptor type 9: an available 64-bit TSS (SDM Vol. 3A "TSS Descriptor in 64-bit mode").
#define DESC_TYPE_TSS64 (9ull << 40)

// ---- the 64-bit call gate (SDM Vol. 3A "IA-32e Mode Call Gates"; AMD APM Vol. 2 "Long-Mode Call
// Gates"): 16 bytes, two GDT slots. Low quadword: target offset[15:0] (bits 0-15), target code
// selector (16-31), bits 32-39 reserved (no parameter count in IA-32e mode: the CPU copies no
// parameters), type 12 (40-43), S = 0 (44), DPL (45-46), P (47), offset[31:16] (48-63). High
// quadword: offset[63:32] (bits 0-31); bits 40-44 must be 0, so that a legacy reading of the
// upper half finds an invalid type (the CPU checks it: #GP otherwise). ----
#define DESC_TYPE_CALL_GATE64 (12ull << 40)
#define DESC_TYPE_MASK (0x1full << 40) // type (4 bits) and S: what the CPU checks first
#define GATE_SELECTOR_SHIFT 16
#define GATE_OFFSET_LOW(target) (((uint64_t)(target)&0xffff) | (((uint64_t)(target) >> 16 & 0xffff) << 48))
#define GATE_OFFSET_HIGH(target) ((uint64_t)(target) >> 32)

// A flat code or data segment of privilege `dpl`: base 0, limit 4 GiB, present, accessed. Base
// and limit are ignored in 64-bit mode, but a 32-bit segment (the boot code's, the user
// compatibility placeholder) still uses them. A constant expression, so that the boot code's
// GDTs (boot/entry32.asm, ap_trampoline.asm) are built from it too (asm_offsets.c).
#define DESC_FLAT(dpl, code, long_mode)                                                                 \
    (DESC_LIMIT_MAX | DESC_GRANULAR | DESC_ACCESSED | DESC_RW | DESC_S | DESC_PRESENT | DESC_DPL(dpl) | \
     ((code) ? DESC_CODE | ((long_mode) ? DESC_LONG : DESC_DB) : DESC_DB))

// null, kcode32, kcode, kdata, ucode32, udata, ucode, udata for SYSEXIT, TSS (two slots), call gate
// (two slots)
#define GDT_ENTRIES 12

struct gdt {
    uint64_t entry[GDT_ENTRIES];
} __attribute__((aligned(16)));

void gdt_init_cpu(struct gdt *gdt, struct tss *tss, unsigned cpu);
uint64_t gdt_segment_descriptor(unsigned dpl, int code, int long_mode);
// Points this GDT's call gate (GDT_CALL_GATE) at GDT_KERNEL_CS:target, DPL 3. gdt_init_cpu installs
// callgate_entry; SYS_bench_entry swaps in the empty stub and back.
void gdt_set_call_gate(struct gdt *gdt, void (*target)(void));
// The target offset a call-gate descriptor pair holds (arch_checks.c reads the loaded one back).
uint64_t gdt_call_gate_target(const uint64_t *pair);

#endif
