// SPDX-License-Identifier: MIT
// A tiny check framework for the host unit tests.
//
// Each test is a function whose name states the behaviour it proves; RUN() calls it. A failed
// CHECK prints one line, "file:line: test: what failed", and testing goes on. check_summary()
// prints "N passed, M failed" and gives main's exit status.
//
// Include this before any src/core header: core/string.h renames memcpy & co. for host builds,
// and the libc headers pulled in here must not see those names.
#ifndef LSTAR_TESTS_CHECK_H
#define LSTAR_TESTS_CHECK_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static int check_passed, check_failed;
static const char *check_test = "?";

// Count one check, printing where it failed if it did.
static inline bool check_result(bool ok, const char *file, int line, const char *what)
{
    if (ok) {
        check_passed++;
    } else {
        check_failed++;
        printf("%s:%d: %s: %s\n", file, line, check_test, what);
    }
    return ok;
}

// Whether two strings are equal (no libc <string.h> here, see above).
static inline bool check_streq(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

// Whether needle occurs in haystack.
static inline bool check_contains(const char *haystack, const char *needle)
{
    if (haystack == NULL || needle == NULL)
        return false;
    for (; *haystack; haystack++) {
        const char *h = haystack, *n = needle;
        while (*n && *h == *n) {
            h++;
            n++;
        }
        if (*n == 0)
            return true;
    }
    return *needle == 0;
}

// Compare two strings (how: "to be" or "to contain"), reporting both sides on failure.
static inline bool check_str_result(const char *file, int line, const char *expr, const char *actual,
                                    const char *expected, bool contains)
{
    bool ok = contains ? check_contains(actual, expected) : check_streq(actual, expected);
    if (!ok) {
        char what[1024];
        snprintf(what, sizeof what, "%s is \"%s\", expected it %s \"%s\"", expr, actual ? actual : "(null)",
                 contains ? "to contain" : "to be", expected ? expected : "(null)");
        return check_result(false, file, line, what);
    }
    return check_result(true, file, line, expr);
}

// Compare two integers, reporting both values on failure.
static inline bool check_int_result(const char *file, int line, const char *expr, long long actual, long long expected)
{
    if (actual != expected) {
        char what[512];
        snprintf(what, sizeof what, "%s is %lld (0x%llx), expected %lld (0x%llx)", expr, actual,
                 (unsigned long long)actual, expected, (unsigned long long)expected);
        return check_result(false, file, line, what);
    }
    return check_result(true, file, line, expr);
}

// Each macro evaluates its arguments exactly once.
#define CHECK(cond) check_result((cond), __FILE__, __LINE__, "CHECK(" #cond ") failed")
#define CHECK_EQ(actual, expected) \
    check_int_result(__FILE__, __LINE__, #actual, (long long)(actual), (long long)(expected))
#define CHECK_STR(actual, expected) check_str_result(__FILE__, __LINE__, #actual, (actual), (expected), false)
#define CHECK_CONTAINS(actual, needle) check_str_result(__FILE__, __LINE__, #actual, (actual), (needle), true)

#define RUN(test)           \
    do {                    \
        check_test = #test; \
        test();             \
    } while (0)

// Print the totals; the value is main's exit status.
static inline int check_summary(void)
{
    printf("%d passed, %d failed\n", check_passed, check_failed);
    return check_failed > 0;
}

// A deterministic xorshift64* generator, so every run mutates the same bytes.
static inline uint64_t check_rand(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545f4914f6cdd1dull;
}

#endif
