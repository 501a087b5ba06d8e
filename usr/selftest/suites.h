// SPDX-License-Identifier: MIT
// The groups of tests selftest.c runs, one file each.
#ifndef LSTAR_SELFTEST_SUITES_H
#define LSTAR_SELFTEST_SUITES_H

#include <stdbool.h>

#include "libc/syscall.h"

// call_tests.c: each call's results and errors, the same through both entries.
void run_call_tests(void);
void run_call_tests_through(enum lstar_entry e);

// entry_tests.c: what the entries themselves must preserve (registers, flags, RSP, TF).
void run_entry_tests(void);
void run_entry_tests_through(enum lstar_entry e);

// sysenter_tests.c: the same call and entry checks through a 64-bit `sysenter` where the CPU
// (GenuineIntel) has it, and what its own ABI promises; elsewhere that it is refused.
void run_sysenter_tests(void);

// spawn_tests.c: children, their fates, and the faults the kernel must survive.
void run_spawn_tests(void);
// spawn_tests.c: takes one argument word of the selftest (`sysenter=exit|gp|ud`,
// `compat-syscall=ud|dispatched`: the fates the CPU model under test gives); false if unknown.
bool spawn_tests_take_argument(const char *word);
// spawn_tests.c: whether `syscall` from compatibility mode reaches IA32_CSTAR on this CPU (the
// `compat-syscall=` argument, else the vendor rule).
bool spawn_tests_compat_syscall_is_dispatched(void);

// callgate_tests.c: the same checks through the call gate (GDT_CALL_GATE).
void run_callgate_tests(void);

// compat_tests.c: the same checks through `int 0x80` and `syscall` from compatibility mode.
void run_compat_tests(void);

// xstate_tests.c: each process's own x87/SSE registers and data selectors, clean at its start.
void run_xstate_tests(void);

// The child half of xstate_tests.c: a selftest spawned with `xstate-child <role>` runs only this.
#define XSTATE_CHILD_ARG "xstate-child"
int xstate_child_main(int argc, char **argv);

#endif
