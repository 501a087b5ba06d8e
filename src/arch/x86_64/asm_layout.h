// Constants shared by C and NASM: the one place they are written down.
//
// This file holds nothing but `#define NAME value` lines so that CMake can turn it into
// generated/asm_layout.inc for NASM. C code proves each value against the real structures with
// _Static_assert (gdt.c, percpu.c, traps.c, syscall_frame.h), so the two languages cannot drift.
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

// ---- the syscall / int 0x80 frame (syscall_frame.h), offsets from its lowest address ----
#define SCF_RCX 0
#define SCF_RIP 8
#define SCF_CS 16
#define SCF_RFLAGS 24
#define SCF_RSP 32
#define SCF_SS 40
#define SCF_SIZE 48

// ---- the exception frame (traps.h): 15 GPRs, vector, error code, then what iretq pops ----
#define TF_VECTOR 120
#define TF_ERROR 128
#define TF_RIP 136
#define TF_CS 144
#define TF_RSP 160
#define TF_SIZE 176

// ---- RFLAGS bits (SDM Vol. 1 3.4.3) ----
#define RFLAGS_TF 0x100
#define RFLAGS_RF 0x10000

// ---- MSRs (SDM Vol. 4) ----
#define MSR_EFER 0xc0000080
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_FMASK 0xc0000084
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102

// ---- isa-debug-exit values (QEMU exits with (value << 1) | 1) ----
#define QEMU_EXIT_PORT 0xf4
#define QEMU_EXIT_SUCCESS 0x10
#define QEMU_EXIT_FAILURE 0x11
#define QEMU_EXIT_PANIC 0x12

#endif
