// Constants shared by C and NASM: the one place they are written down.
//
// This file holds nothing but `#define NAME value` lines so that CMake can turn it into
// generated/asm_layout.inc for NASM. C code proves each value against the real structures with
// _Static_assert (gdt.c, percpu.h, traps.h, syscall_frame.h), so the two languages cannot drift.
// Architectural constants (RFLAGS, CR0, CR4 and EFER bits, MSR numbers) are in arch_bits.h.
#ifndef LSTAR_ARCH_ASM_LAYOUT_H
#define LSTAR_ARCH_ASM_LAYOUT_H

// ---- address space ----
#define KERNEL_VMA 0xffffffff80000000ull
#define DIRECT_MAP_BASE 0xffff800000000000ull

// ---- where the other CPUs start (smp.c copies ap_trampoline.asm there): below 1 MiB, page
// aligned (a STARTUP IPI gives only the page number), and outside the frame allocator ----
#define AP_TRAMPOLINE_PHYS 0x8000

// ---- GDT selectors (gdt.c; order fixed by SYSRET, see docs/msr.md) ----
#define GDT_KERNEL_CS32 0x08
#define GDT_KERNEL_CS 0x10
#define GDT_KERNEL_DS 0x18
#define GDT_USER_CS32 0x23
#define GDT_USER_DS 0x2b
#define GDT_USER_CS 0x33
#define GDT_TSS 0x38

// ---- per-CPU area, reached through GS (percpu.h) ----
#define PERCPU_SELF 0
#define PERCPU_KERNEL_RSP 8
#define PERCPU_USER_RSP 16
#define PERCPU_CURRENT 24
#define PERCPU_CPU 32

// ---- the frame iretq pops, as every interrupt and exception pushes it in 64-bit mode (SDM Vol.
// 3A 6.14.2 "64-Bit Mode Stack Frame"): offsets from its lowest word, the RIP. Both frames below
// end in it, so their last fields are defined from these.
#define IRET_RIP 0
#define IRET_CS 8
#define IRET_RFLAGS 16
#define IRET_RSP 24
#define IRET_SS 32

// ---- the syscall / int 0x80 frame (syscall_frame.h), offsets from its lowest address: the
// user's RCX, then the iretq frame ----
#define SCF_RCX 0
#define SCF_RIP 8
#define SCF_CS (SCF_RIP + IRET_CS)
#define SCF_RFLAGS (SCF_RIP + IRET_RFLAGS)
#define SCF_RSP (SCF_RIP + IRET_RSP)
#define SCF_SS (SCF_RIP + IRET_SS)
#define SCF_SIZE 48

// ---- the exception frame (traps.h): 15 GPRs, vector, error code, then the iretq frame ----
#define TF_VECTOR 120
#define TF_ERROR 128
#define TF_RIP 136
#define TF_CS (TF_RIP + IRET_CS)
#define TF_RSP (TF_RIP + IRET_RSP)
#define TF_SIZE 176

// ---- isa-debug-exit values (QEMU exits with (value << 1) | 1) ----
#define QEMU_EXIT_PORT 0xf4
#define QEMU_EXIT_SUCCESS 0x10
#define QEMU_EXIT_FAILURE 0x11
#define QEMU_EXIT_PANIC 0x12

#endif
