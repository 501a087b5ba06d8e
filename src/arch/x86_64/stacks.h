// SPDX-License-Identifier: MIT
// Kernel stacks, each with an unmapped guard page below it so an overflow faults at once.
#ifndef LSTAR_ARCH_STACKS_H
#define LSTAR_ARCH_STACKS_H
#include <stddef.h>
#include <stdint.h>

#define KSTACK_SIZE 16384 // every kernel stack: boot, IST and per-process
#define MAX_CPUS 8
#define MAX_PROCESS_STACKS 32 // processes alive at once, shared out equally among the online CPUs (process.c)

// TSS.IST index (1..7) per vector kind: each of these may strike where the current stack cannot
// be trusted (the entry windows, an exhausted kernel stack), so each gets a stack of its own.
enum ist_slot { IST_NMI = 1, IST_DF = 2, IST_MC = 3, IST_DB = 4 };
#define IST_STACKS 4 // IST stacks per CPU: one per ist_slot

uint64_t stack_ist_top(unsigned cpu, enum ist_slot slot);
uint64_t stack_process_top(unsigned index);
uint64_t stack_cpu_top(unsigned cpu);
size_t stack_guard_pages(const uint64_t **pages);
int stack_guard_hit(uint64_t addr, const char **what);

#endif
