// SPDX-License-Identifier: MIT
// Processes: a ring-3 program with its own address space and kernel stack, run to completion.
//
// lstar runs one program at a time per CPU, on every CPU at once. A parent that spawns a child waits inside the
// spawn call until the child exits or faults; the kernel then switches back to the parent's
// kernel stack (context_switch.asm) and the spawn call returns the child's fate. Each process
// keeps its own x87/SSE registers (xstate) and DS/ES/FS/GS selectors across those switches.
#ifndef LSTAR_CORE_PROCESS_H
#define LSTAR_CORE_PROCESS_H
#include <stdbool.h>
#include <stdint.h>
#include "arch/x86_64/xstate.h"
#include "syscall/abi.h"
#include "syscall/syscall_trace.h"

struct trap_frame;

#define PROCESS_NAME_MAX 32
#define PROCESS_ARGS_MAX 128
#define PROGRAM_LINE_MAX 256 // escaped bytes of a program's line kept before a piece goes out

struct process {
    int pid;
    char name[PROCESS_NAME_MAX];
    char args[PROCESS_ARGS_MAX];
    uint64_t cr3;              // physical address of its PML4
    uint64_t kernel_stack_top; // RSP0 and the LSTAR stub's stack while it runs
    uint64_t saved_rsp;        // kernel RSP while switched away (context_switch)
    struct process *parent;
    uint64_t debug_traps;       // #DB traps taken in ring 3 (SYS_trap_count)
    uint64_t debug_trap_rflags; // RFLAGS the #DB handler ran with at the last one (SYS_kernel_rflags)
    uint64_t user_ticks;        // timer ticks that found it running in ring 3
    int fate;                   // exit status, or SPAWN_FAULTED | vector
    unsigned placed_cpu;        // the CPU its init was started on; it never runs anywhere else
    char out[PROGRAM_LINE_MAX]; // its unfinished output line, escaped (program_output.c)
    uint16_t out_len;
    bool out_continued;   // part of the line went out already: the next piece says so
    struct xstate xstate; // x87/MMX/SSE registers while switched away (16-byte aligned)
    bool sysenter32;      // SYS_sysenter_abi(SYSENTER_ABI_32): its `sysenter` is the i386 one

    // The system-call tracer (syscall_trace.h): SYSCALL_WORK_* bits, which process_install
    // copies into the per-CPU area for the entries to test, and the counts of a traced process.
    uint64_t syscall_work;
    struct syscall_trace_row trace[SYSCALL_TRACE_ROWS];
};

int process_spawn(const char *name, const char *args);
int process_spawn_first(unsigned cpu, const char *name, const char *args);
__attribute__((noreturn)) void process_exit(int status);
__attribute__((noreturn)) void process_kill_after_fault(const struct trap_frame *tf);
struct process *process_current(void);
void process_set_time_limit(unsigned seconds);
void process_user_tick(void);

#endif
