// SPDX-License-Identifier: MIT
// The kernel's stacks live in .bss.stacks: one guard page, then the stack, all page-aligned.
// paging.c leaves every guard page unmapped, so running off the bottom of a stack is a #PF
// (reported on the #DF stack if it cascades) instead of silent corruption of its neighbour.
#include "arch/x86_64/stacks.h"

struct guarded_stack {
    uint8_t guard[4096];
    uint8_t stack[KSTACK_SIZE];
} __attribute__((aligned(4096)));

#define SECTION_STACKS __attribute__((section(".bss.stacks")))

static struct guarded_stack boot_stack SECTION_STACKS __attribute__((used));
static struct guarded_stack ist_stacks[MAX_CPUS][IST_STACKS] SECTION_STACKS; // NMI, #DF, #MC, #DB per CPU
static struct guarded_stack process_stacks[MAX_PROCESS_STACKS] SECTION_STACKS;
static struct guarded_stack cpu_stacks[MAX_CPUS] SECTION_STACKS; // ap_main's stack, CPUs 1..N

// entry32.asm starts kmain at boot_stack_top: the page-aligned top of the boot stack.
__asm__(".globl boot_stack_top\n.set boot_stack_top, boot_stack + 4096 + 16384");
_Static_assert(KSTACK_SIZE == 16384, "boot_stack_top above spells out KSTACK_SIZE");

static uint64_t guard_pages[1 + MAX_CPUS * (IST_STACKS + 1) + MAX_PROCESS_STACKS];

// Returns the top of an IST stack of `cpu`.
uint64_t stack_ist_top(unsigned cpu, enum ist_slot slot)
{
    return (uint64_t)&ist_stacks[cpu][slot - 1].stack[KSTACK_SIZE];
}

// Returns the top of the stack CPU `cpu` (not the boot CPU) starts its kernel code on.
uint64_t stack_cpu_top(unsigned cpu) { return (uint64_t)&cpu_stacks[cpu].stack[KSTACK_SIZE]; }

// Returns the top of process kernel stack number `index`.
uint64_t stack_process_top(unsigned index) { return (uint64_t)&process_stacks[index].stack[KSTACK_SIZE]; }

// Lists every guard page's address; paging.c must not map them.
size_t stack_guard_pages(const uint64_t **pages)
{
    size_t n = 0;
    guard_pages[n++] = (uint64_t)boot_stack.guard;
    for (unsigned c = 0; c < MAX_CPUS; c++)
        for (unsigned s = 0; s < IST_STACKS; s++)
            guard_pages[n++] = (uint64_t)ist_stacks[c][s].guard;
    for (unsigned i = 0; i < MAX_PROCESS_STACKS; i++)
        guard_pages[n++] = (uint64_t)process_stacks[i].guard;
    for (unsigned c = 0; c < MAX_CPUS; c++)
        guard_pages[n++] = (uint64_t)cpu_stacks[c].guard;
    *pages = guard_pages;
    return n;
}

// Tells whether addr falls in a guard page, and whose (for fault reports).
int stack_guard_hit(uint64_t addr, const char **what)
{
    uint64_t page = addr & ~0xfffull;
    if (page == (uint64_t)boot_stack.guard) {
        *what = "boot stack";
        return 1;
    }
    for (unsigned c = 0; c < MAX_CPUS; c++)
        for (unsigned s = 0; s < IST_STACKS; s++)
            if (page == (uint64_t)ist_stacks[c][s].guard) {
                *what = "IST stack";
                return 1;
            }
    for (unsigned i = 0; i < MAX_PROCESS_STACKS; i++)
        if (page == (uint64_t)process_stacks[i].guard) {
            *what = "process kernel stack";
            return 1;
        }
    for (unsigned c = 0; c < MAX_CPUS; c++)
        if (page == (uint64_t)cpu_stacks[c].guard) {
            *what = "CPU kernel stack";
            return 1;
        }
    return 0;
}
