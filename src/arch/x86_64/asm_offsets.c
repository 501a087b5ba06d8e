// SPDX-License-Identifier: MIT
// Every number the assembly (boot/*.asm, src/**/*.asm) shares with C, computed by the compiler:
// structure offsets by offsetof, constants from the headers that define them. Never linked:
// the build compiles this file with the kernel's flags and -S (CMakeLists.txt), and
// cmake/asm-offsets.cmake turns each "->NAME value" line of the assembly listing into
// `%define NAME value` in generated/asm_offsets.inc, which NASM reads. So a value is written
// once, in C; NASM never holds a copy that could drift (Linux's arch/x86/kernel/asm-offsets_64.c
// does the same). tests/scripts/asm_literals.sh fails if a NASM source spells one out again.
//
// A new name here is a new %define; a name the assembly needs and this file lacks stops the
// assembler ("symbol not defined").
#include <stddef.h>
#include "arch/x86_64/arch_bits.h"
#include "arch/x86_64/asm_layout.h"
#include "arch/x86_64/cpuid.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/mitigations.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/pti.h"
#include "arch/x86_64/serial.h"
#include "arch/x86_64/traps.h"
#include "core/mitigation_list.h"
#include "core/multiboot2.h"
#include "syscall/abi.h"

// Puts "->NAME value" into the assembly listing; "i" makes the compiler evaluate `value`, and %0
// prints it as an AT&T immediate ($-2147483648: %c0 refuses constants beyond 32 bits).
#define DEFINE(name, value) __asm__ volatile("\n.ascii \"->" #name " %0\"" : : "i"((long long)(value)))
#define OFFSET(name, type, field) DEFINE(name, offsetof(struct type, field))

// The generator's only function: each statement is one line of the listing.
void asm_offsets(void);
void asm_offsets(void)
{
    // ---- the per-CPU area behind GS (percpu.h): the fields the entry stubs read ----
    OFFSET(PERCPU_SELF, percpu, self);
    OFFSET(PERCPU_KERNEL_RSP, percpu, kernel_rsp);
    OFFSET(PERCPU_USER_RSP, percpu, user_rsp);
    OFFSET(PERCPU_CURRENT, percpu, current);
    OFFSET(PERCPU_CPU, percpu, cpu);
    OFFSET(PERCPU_SYSCALL_WORK, percpu, syscall_work);
    OFFSET(PERCPU_PTI_KERNEL_CR3, percpu, pti_kernel_cr3);
    OFFSET(PERCPU_PTI_USER_CR3, percpu, pti_user_cr3);
    OFFSET(PERCPU_PTI_SCRATCH, percpu, pti_scratch);
    OFFSET(PERCPU_PTI_ENTRY_RSP, percpu, pti_entry_rsp);
    DEFINE(PTI_USER_PML4_BIT, PTI_USER_PML4_BIT);
    DEFINE(PTI_USER_BITS, PTI_USER_BITS);

    // ---- the iretq frame (traps.h), which both entry frames end in ----
    OFFSET(IRET_RIP, iret_frame, rip);
    OFFSET(IRET_CS, iret_frame, cs);
    OFFSET(IRET_RFLAGS, iret_frame, rflags);
    OFFSET(IRET_RSP, iret_frame, rsp);
    OFFSET(IRET_SS, iret_frame, ss);
    // struct syscall_frame (src/syscall/syscall_frame.h, which proves this layout and which src/arch
    // may not include): the user's RCX word, then struct iret_frame. The call gate's stub builds it
    // word by word.
    DEFINE(SF_RCX, 0);
    DEFINE(SF_RIP, sizeof(uint64_t) + offsetof(struct iret_frame, rip));
    DEFINE(SF_CS, sizeof(uint64_t) + offsetof(struct iret_frame, cs));
    DEFINE(SF_RFLAGS, sizeof(uint64_t) + offsetof(struct iret_frame, rflags));
    DEFINE(SF_RSP, sizeof(uint64_t) + offsetof(struct iret_frame, rsp));
    DEFINE(SF_SS, sizeof(uint64_t) + offsetof(struct iret_frame, ss));

    // ---- the exception frame trap_stubs.asm builds (traps.h) ----
    OFFSET(TF_VECTOR, trap_frame, vector);
    OFFSET(TF_ERROR, trap_frame, error_code);
    OFFSET(TF_RIP, trap_frame, rip);
    OFFSET(TF_CS, trap_frame, cs);
    OFFSET(TF_RSP, trap_frame, rsp);
    DEFINE(TF_SIZE, sizeof(struct trap_frame));

    // ---- vectors with a stub (traps.h) ----
    DEFINE(EXCEPTION_VECTORS, EXCEPTION_VECTORS);
    DEFINE(VEC_IRQ0, VEC_IRQ0);
    DEFINE(VEC_IRQ15, VEC_IRQ15);
    DEFINE(VEC_LAPIC_TIMER, VEC_LAPIC_TIMER);
    DEFINE(VEC_APIC_SPURIOUS, VEC_APIC_SPURIOUS);
    DEFINE(TRAP_STUBS, TRAP_STUBS);

    // ---- GDT selectors (asm_layout.h) and the boot GDTs' descriptors (gdt.h) ----
    DEFINE(GDT_KERNEL_CS32, GDT_KERNEL_CS32);
    DEFINE(GDT_KERNEL_CS, GDT_KERNEL_CS);
    DEFINE(GDT_KERNEL_DS, GDT_KERNEL_DS);
    DEFINE(GDT_USER_CS32, GDT_USER_CS32);
    DEFINE(GDT_USER_DS, GDT_USER_DS);
    DEFINE(GDT_USER_CS, GDT_USER_CS);
    DEFINE(GDT_USER_DS_SYSEXIT, GDT_USER_DS_SYSEXIT);
    DEFINE(GDT_TSS, GDT_TSS);
    DEFINE(GDT_CALL_GATE, GDT_CALL_GATE);
    DEFINE(DESC_KERNEL_CS32, DESC_FLAT(0, 1, 0));
    DEFINE(DESC_KERNEL_CS, DESC_FLAT(0, 1, 1));
    DEFINE(DESC_KERNEL_DS, DESC_FLAT(0, 0, 0));

    // ---- addresses (asm_layout.h, paging.h) ----
    DEFINE(KERNEL_VMA, KERNEL_VMA);
    DEFINE(DIRECT_MAP_BASE, DIRECT_MAP_BASE);
    DEFINE(AP_TRAMPOLINE_PHYS, AP_TRAMPOLINE_PHYS);
    DEFINE(PAGE_SIZE, PAGE_SIZE);
    DEFINE(PTE_PRESENT, PTE_PRESENT);
    DEFINE(PTE_WRITABLE, PTE_WRITABLE);
    DEFINE(PTE_HUGE, PTE_HUGE);
    DEFINE(KSTACK_SIZE, KSTACK_SIZE);

    // ---- architectural bits and MSR numbers (arch_bits.h) ----
    DEFINE(RFLAGS_FIXED, RFLAGS_FIXED);
    DEFINE(RFLAGS_TF, RFLAGS_TF);
    DEFINE(RFLAGS_IF, RFLAGS_IF);
    DEFINE(RFLAGS_DF, RFLAGS_DF);
    DEFINE(RFLAGS_NT, RFLAGS_NT);
    DEFINE(RFLAGS_AC, RFLAGS_AC);
    DEFINE(RFLAGS_RF, RFLAGS_RF);
    DEFINE(RFLAGS_ID, RFLAGS_ID);
    DEFINE(CR0_PE, CR0_PE);
    DEFINE(CR0_MP, CR0_MP);
    DEFINE(CR0_ET, CR0_ET);
    DEFINE(CR0_NE, CR0_NE);
    DEFINE(CR0_WP, CR0_WP);
    DEFINE(CR0_PG, CR0_PG);
    DEFINE(CR4_PAE, CR4_PAE);
    DEFINE(EFER_LME, EFER_LME);
    DEFINE(EFER_NXE, EFER_NXE);
    DEFINE(MSR_EFER, MSR_EFER);
    DEFINE(MSR_GS_BASE, MSR_GS_BASE);
    DEFINE(MSR_SPEC_CTRL, MSR_SPEC_CTRL);
    DEFINE(SPEC_CTRL_IBRS, SPEC_CTRL_IBRS);
    DEFINE(RSB_FILL_SLOTS, RSB_FILL_SLOTS);
#define MITIGATION_BIT(c, bit, name) DEFINE(MITIGATION_BIT_##c, bit);
    MITIGATION_LIST(MITIGATION_BIT)
#undef MITIGATION_BIT

    // ---- CPUID (cpuid.h): what the boot code asks before long mode ----
    DEFINE(CPUID_LEAF_EXTENDED, CPUID_LEAF_EXTENDED);
    DEFINE(CPUID_LEAF_EXT_FEATURES, CPUID_LEAF_EXT_FEATURES);
    DEFINE(CPUID80000001_EDX_LM, CPUID80000001_EDX_LM);
    DEFINE(CPUID80000001_EDX_NX, CPUID80000001_EDX_NX);

    // ---- the system-call ABI (syscall/abi.h) ----
    DEFINE(SYS_NR, SYS_NR);
    DEFINE(ENOSYS, ENOSYS);
    DEFINE(USER_CEILING, USER_CEILING);

    // ---- the system-call slow path (percpu.h; src/syscall/syscall_trace.c) ----
    DEFINE(SYSCALL_WORK_TRACE, SYSCALL_WORK_TRACE);
    DEFINE(TRACE_ENTRY_SYSCALL, TRACE_ENTRY_SYSCALL);
    DEFINE(TRACE_ENTRY_INT80, TRACE_ENTRY_INT80);
    DEFINE(TRACE_ENTRY_CALLGATE, TRACE_ENTRY_CALLGATE);
    DEFINE(TRACE_ENTRY_COMPAT_SYSCALL, TRACE_ENTRY_COMPAT_SYSCALL);
    DEFINE(TRACE_ENTRY_COMPAT_INT80, TRACE_ENTRY_COMPAT_INT80);
    DEFINE(TRACE_ENTRY_SYSENTER, TRACE_ENTRY_SYSENTER);
    DEFINE(TRACE_ENTRY_COMPAT_SYSENTER, TRACE_ENTRY_COMPAT_SYSENTER);

    // ---- devices and the loader ----
    DEFINE(COM1, COM1); // serial.h
    DEFINE(UART_LSR, UART_LSR);
    DEFINE(UART_LSR_THRE, UART_LSR_THRE);
    DEFINE(QEMU_EXIT_PORT, QEMU_EXIT_PORT); // asm_layout.h
    DEFINE(QEMU_EXIT_SUCCESS, QEMU_EXIT_SUCCESS);
    DEFINE(QEMU_EXIT_FAILURE, QEMU_EXIT_FAILURE);
    DEFINE(QEMU_EXIT_PANIC, QEMU_EXIT_PANIC);
    DEFINE(MB2_BOOTLOADER_MAGIC, MB2_BOOTLOADER_MAGIC); // core/multiboot2.h
}
