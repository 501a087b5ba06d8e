// SPDX-License-Identifier: MIT
// Parsing unsigned numbers out of argument strings (batches=200, exit-7).
#include "libc/stdlib.h"

// Value of hex digit c, or -1.
static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// Parse all of s as decimal or 0x-prefixed hex; false on any other character or on overflow.
bool parse_u64(const char *s, uint64_t *out)
{
    unsigned base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (*s == '\0')
        return false;
    uint64_t value = 0;
    for (; *s != '\0'; s++) {
        int digit = hex_digit(*s);
        if (digit < 0 || (unsigned)digit >= base)
            return false;
        if (value > (UINT64_MAX - (uint64_t)digit) / base)
            return false;
        value = value * base + (uint64_t)digit;
    }
    *out = value;
    return true;
}
