// The groups of tests selftest.c runs, one file each.
#ifndef LSTAR_SELFTEST_SUITES_H
#define LSTAR_SELFTEST_SUITES_H

// call_tests.c: each call's results and errors, the same through both entries.
void run_call_tests(void);

// entry_tests.c: what the entries themselves must preserve (registers, flags, RSP, TF).
void run_entry_tests(void);

// spawn_tests.c: children, their fates, and the faults the kernel must survive.
void run_spawn_tests(void);

#endif
