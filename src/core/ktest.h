// SPDX-License-Identifier: MIT
// The kernel's boot-time self-checks.
#ifndef LSTAR_CORE_KTEST_H
#define LSTAR_CORE_KTEST_H
#include <stdbool.h>

int ktest_run(void);
// Every online CPU's exact CR0, CR4 and EFER (ktest_control_regs.c).
void ktest_control_regs(void);
// The frame allocator and spinlocks under every online CPU at once (ktest_locks.c).
void ktest_locks(void);
// Loads that run out of frames at every point (ktest_out_of_memory.c).
void ktest_out_of_memory(void);
// The entry protections: installed copies and every site (ktest_mitigations.c).
void ktest_mitigations(void);
// Records one self-check's outcome: a `[ktest] PASS name` or `[ktest] FAIL name: detail` line.
void ktest_check(bool ok, const char *name, const char *detail);

#endif
