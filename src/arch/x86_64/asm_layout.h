// SPDX-License-Identifier: MIT
// The kernel's own constants that the assembly needs as well as C: the address-space layout,
// where the other CPUs start, the GDT selectors and the isa-debug-exit codes. Plain #defines,
// safe for ring 3 (usr/include/arch/x86_64/asm_layout.h forwards it: ring 3 finds these
// selectors in its segment registers).
//
// NASM does not read this file: it reads generated/asm_offsets.inc, which asm_offsets.c makes
// with the compiler from this header and the others (structure offsets included), so no value
// is written twice. Architectural constants (RFLAGS, CR0, CR4 and EFER bits, MSR numbers) are
// in arch_bits.h, CPUID's in cpuid.h.
#ifndef LSTAR_ARCH_ASM_LAYOUT_H
#define LSTAR_ARCH_ASM_LAYOUT_H

// ---- address space ----
#define KERNEL_VMA 0xffffffff80000000ull
#define DIRECT_MAP_BASE 0xffff800000000000ull

// ---- where the other CPUs start (smp.c copies ap_trampoline.asm there): below 1 MiB, page
// aligned (a STARTUP IPI gives only the page number), and outside the frame allocator ----
#define AP_TRAMPOLINE_PHYS 0x8000

// ---- GDT selectors (gdt.c; order fixed by SYSRET and SYSEXIT, see docs/msr.md) ----
#define GDT_KERNEL_CS32 0x08
#define GDT_KERNEL_CS 0x10
#define GDT_KERNEL_DS 0x18
#define GDT_USER_CS32 0x23
#define GDT_USER_DS 0x2b
#define GDT_USER_CS 0x33
#define GDT_USER_DS_SYSEXIT 0x3b // 64-bit SYSEXIT's SS = IA32_SYSENTER_CS + 40
#define GDT_TSS 0x40
#define GDT_CALL_GATE 0x50 // a 64-bit call gate takes two slots, like the TSS

// ---- isa-debug-exit values (QEMU exits with (value << 1) | 1) ----
#define QEMU_EXIT_PORT 0xf4
#define QEMU_EXIT_SUCCESS 0x10
#define QEMU_EXIT_FAILURE 0x11
#define QEMU_EXIT_PANIC 0x12

#endif
