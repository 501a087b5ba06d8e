// SPDX-License-Identifier: MIT
// Test reporting: PASS/FAIL lines with hex details, and the pass/fail counters.
#include "selftest/check.h"

#include <stdarg.h>

#include "libc/errno.h"
#include "libc/stdio.h"

static unsigned passed, failed;

// Build "<base>_<entry>" in a static buffer.
const char *test_name(const char *base, enum lstar_entry e)
{
    static char name[128];
    snprintf(name, sizeof name, "%s_%s", base, lstar_entry_name(e));
    return name;
}

// Record a pass.
void check_pass(const char *name)
{
    passed++;
    printf("[selftest] PASS %s\n", name);
}

// Record a failure with a detail line.
void check_fail(const char *name, const char *fmt, ...)
{
    failed++;
    printf("[selftest] FAIL %s: ", name);
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

// Pass if the two values are equal, else show both in hex.
bool check_eq(const char *name, uint64_t expected, uint64_t got)
{
    if (got == expected) {
        check_pass(name);
        return true;
    }
    check_fail(name, "expected 0x%lx, got 0x%lx", expected, got);
    return false;
}

// Render a system-call result: hex, and the errno name when it is a negative errno.
static void describe_result(char *buf, size_t size, long value)
{
    if (value < 0 && value >= -4095)
        snprintf(buf, size, "0x%lx (-%s)", (uint64_t)value, errno_name(value));
    else
        snprintf(buf, size, "0x%lx", (uint64_t)value);
}

// Pass if the result is as expected, else show both in hex with errno names.
bool check_result(const char *name, long expected, long got)
{
    if (got == expected) {
        check_pass(name);
        return true;
    }
    char want[48], have[48];
    describe_result(want, sizeof want, expected);
    describe_result(have, sizeof have, got);
    check_fail(name, "expected %s, got %s", want, have);
    return false;
}

// Number of passes so far.
unsigned check_passed(void) { return passed; }

// Number of failures so far.
unsigned check_failed(void) { return failed; }
