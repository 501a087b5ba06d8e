// SPDX-License-Identifier: MIT
// Reporting for the selftest: one line per test, counters for the summary.
//
//   [selftest] PASS name
//   [selftest] FAIL name: detail        (detail gives expected and got in hex)
#ifndef LSTAR_SELFTEST_CHECK_H
#define LSTAR_SELFTEST_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "libc/syscall.h"

// Run a test body once per entry, e taking ENTRY_SYSCALL then ENTRY_INT80.
#define FOR_EACH_ENTRY(e) for (enum lstar_entry e = ENTRY_SYSCALL; e <= ENTRY_INT80; e++)

// "<base>_syscall" or "<base>_int80", in a buffer valid until the next call.
const char *test_name(const char *base, enum lstar_entry e);

// Record a pass.
void check_pass(const char *name);

// Record a failure with a printf-style detail.
void check_fail(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

// Pass if got == expected; otherwise fail with both in hex. Returns whether it passed.
bool check_eq(const char *name, uint64_t expected, uint64_t got);

// Like check_eq for system-call results: a negative errno is also shown by name.
bool check_result(const char *name, long expected, long got);

// Counters for the summary line.
unsigned check_passed(void);
unsigned check_failed(void);

#endif
