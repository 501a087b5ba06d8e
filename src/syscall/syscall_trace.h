// SPDX-License-Identifier: MIT
// The system-call tracer (trace= option): the slow path both entries take when the running
// process has work to do around its calls, and what it prints.
//
// The mechanism is Linux's (SYSCALL_WORK_SYSCALL_TRACE, checked once on entry in
// syscall_enter_from_user_mode_work, include/linux/entry-common.h): one word of per-process work
// flags (SYSCALL_WORK_*, percpu.h), copied into the per-CPU area whenever a process is installed
// on a CPU (process.c), so each entry stub reads it through GS with one `test` and one `jnz`.
// With no bit set the call takes the fast path as it always did; with one set it goes to
// lstar_slow_path or int80_slow_path (lstar_entry.asm), which call syscall_slow_path below. That
// C function does the work before and after the same table's handler, and returns to the same
// exit checks as every other call.
#ifndef LSTAR_SYSCALL_TRACE_H
#define LSTAR_SYSCALL_TRACE_H
#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/percpu.h" // SYSCALL_WORK_TRACE, TRACE_ENTRY_*
#include "syscall/abi.h"

struct process;

// One row of a process's summary: a number below SYS_NR, or the last row for every other one.
struct syscall_trace_row {
    uint64_t calls;
    uint64_t errors; // calls that returned a negative result
    uint64_t timed;  // calls that returned, so were timed (exit never does)
    uint64_t ticks;  // TSC ticks from before the handler to after it, summed over those
};
#define SYSCALL_TRACE_ROWS (SYS_NR + 1) // the last row: numbers the table has no handler for

// Sets the programs to trace: a comma-separated list of names, as trace= accepted it ("" for none).
void syscall_trace_set_programs(const char *list);
// Called once for each new process, before it first runs: sets its SYSCALL_WORK_TRACE if its
// name is on the list, and clears its counts.
void syscall_trace_start(struct process *p);
// Called when a traced process ends, however it ends: prints its summary.
void syscall_trace_end(struct process *p);

// The slow path (lstar_entry.asm's syscall_traced): traces, dispatches through syscall_table
// and traces the result. Keeps every register but RAX, like a handler.
__attribute__((no_caller_saved_registers)) long syscall_slow_path(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                                                                  uint64_t a4, uint64_t a5, uint64_t nr,
                                                                  uint64_t entry);

#endif
