// SPDX-License-Identifier: MIT
// The per-CPU area: everything the entry paths need, reached through GS without a lookup.
//
// IA32_GS_BASE points here while the CPU runs kernel code; `swapgs` exchanges it with
// IA32_KERNEL_GS_BASE (which holds the user's GS base, 0) on every crossing to and from ring 3.
// The first fields are read by NASM as PERCPU_* (generated/asm_offsets.inc, from asm_offsets.c).
#ifndef LSTAR_ARCH_PERCPU_H
#define LSTAR_ARCH_PERCPU_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arch/x86_64/asm_layout.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/stacks.h"

struct process;

// Bits of percpu.syscall_work: the running process's work around its system calls, which the
// context switch copies from struct process (process.c) and both entry stubs test with one
// `test` + `jnz` before the table (lstar_entry.asm). Any bit set sends the call to the slow path,
// syscall_slow_path (src/syscall/syscall_trace.c), as Linux's SYSCALL_WORK_* bits do.
#define SYSCALL_WORK_TRACE 1u // trace= names the program: print and count each call
// Which entry a call on the slow path came through: the stubs pass it to syscall_slow_path.
#define TRACE_ENTRY_SYSCALL 0
#define TRACE_ENTRY_INT80 1
#define TRACE_ENTRY_CALLGATE 2        // far call through GDT_CALL_GATE (callgate_entry.asm)
#define TRACE_ENTRY_COMPAT_SYSCALL 3  // `syscall` from compatibility mode (IA32_CSTAR)
#define TRACE_ENTRY_COMPAT_INT80 4    // `int 0x80` from compatibility mode (the i386 ABI)
#define TRACE_ENTRY_SYSENTER 5        // `sysenter` in 64-bit mode (sysenter_entry.asm; Intel only)
#define TRACE_ENTRY_COMPAT_SYSENTER 6 // `sysenter` from compatibility mode (sysenter32_entry; Intel only)

#define CACHE_LINE 64 // bytes; every x86_64 CPU lstar knows of (CPUID leaf 1 EBX[15:8] * 8 says so)

struct percpu {
    struct percpu *self;     // [gs:0]: lets C find the area with one load
    uint64_t kernel_rsp;     // top of the running process's kernel stack (the LSTAR stub loads it)
    uint64_t user_rsp;       // the LSTAR stub parks the user's RSP here while it switches
    struct process *current; // the process running on this CPU, NULL in the kernel's own work
    uint64_t cpu;            // this CPU's number, 0 = the boot CPU
    uint64_t syscall_work;   // SYSCALL_WORK_* of the running process (above)
    // Page-table isolation (pti.c, pti.inc): the CR3 values the entries and exits load, a word
    // the exits may park a register in, and the top of the entry stack (TSS.RSP0 with PTI on).
    uint64_t pti_kernel_cr3; // the running process's kernel PML4, PCID and CR3_NOFLUSH as due
    uint64_t pti_user_cr3;   // its user PML4 (+ 4096); CR3_NOFLUSH clear while a flush is due
    uint64_t pti_scratch;    // RAX while an entry or exit moves a frame (IF = 0: one user)
    uint64_t pti_entry_rsp;  // top of this CPU's entry stack
    // ---- fields below are C-only ----
    struct tss tss;
    struct gdt gdt;
    // NMIs taken (nmi.c): the handler only increments these; nmi_report prints them later.
    struct {
        uint64_t count;    // every NMI
        uint64_t ring3;    // ... that interrupted ring 3
        uint64_t window;   // ... that landed in an entry window (entry_window.c)
        uint64_t last_rip; // where the latest one landed
        uint64_t reported; // `count` when nmi_report last printed
    } nmi;
    uint32_t apic_id;     // this CPU's local APIC id (smp.c; 0 until the APs start)
    uint64_t db_absorbed; // kernel-mode single steps absorbed in an entry window (debug_trap.c)
    uint64_t lapic_ticks; // local APIC timer interrupts (the tick of every CPU but cpu0)
    struct {              // what this CPU's registers said after cpu_init (cpu_init.c)
        uint64_t gs_base, gdt, tss, ist[IST_STACKS], stack;
    } loaded;
    // What IA32_SYSENTER_EIP of this CPU holds, kept by syscall_set_sysenter_eip: the context
    // switch rewrites the MSR only when the next process's sysenter ABI wants another target.
    uint64_t sysenter_eip;
} __attribute__((aligned(CACHE_LINE)));

// this_cpu() below reads [gs:0]: the area must begin with its own address.
_Static_assert(offsetof(struct percpu, self) == 0, "this_cpu() reads the self pointer at [gs:0]");

// No false sharing: every area starts on a cache line of its own and fills whole lines, so a
// CPU writing its own area (the LSTAR stub's user_rsp on every call) never writes a line
// another CPU reads. (Intel's spatial prefetcher fetches lines in 128-byte-aligned pairs, per
// its Optimization Reference Manual; a neighbour's line it brings in is never written by this
// CPU, so the owner's writes cost at most an invalidation, not the back and forth of two
// writers. docs/benchmark.md "Scaling across CPUs" measures the result.)
_Static_assert(_Alignof(struct percpu) == CACHE_LINE, "percpu areas start on a cache line");
_Static_assert(sizeof(struct percpu) % CACHE_LINE == 0, "percpu areas fill whole cache lines");

extern struct percpu percpu_areas[MAX_CPUS];
extern bool percpu_ready; // GS holds a per-CPU area (set once the boot CPU's is loaded)

void percpu_init(unsigned cpu);
void percpu_set_kernel_stack(uint64_t top);

// Returns this CPU's area (valid only with the kernel's GS loaded).
static inline struct percpu *this_cpu(void)
{
    struct percpu *p;
    __asm__ volatile("movq %%gs:0, %0" : "=r"(p));
    return p;
}

#endif
