// SPDX-License-Identifier: MIT
// Memory and string primitives: plain C loops, eight bytes at a time where alignment allows.
#include <stdint.h>

#include "core/string.h"

// gcc recognises copy, fill and length loops and may replace them with calls to memcpy, memset
// or strlen, which inside those very functions would be endless recursion (and in host tests
// would quietly test libc instead). This attribute switches that transformation off for the
// functions below, whatever flags the file is built with.
#define NO_LOOP_TO_CALL __attribute__((optimize("no-tree-loop-distribute-patterns")))

// A 64-bit word that may alias any other type, so word-wide copies stay well defined.
typedef uint64_t __attribute__((may_alias)) word_t;

// Copy n bytes from src to dst; the ranges must not overlap.
NO_LOOP_TO_CALL void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if ((((uintptr_t)d | (uintptr_t)s) & 7) == 0) {
        for (; n >= 8; n -= 8, d += 8, s += 8)
            *(word_t *)d = *(const word_t *)s;
    }
    while (n--)
        *d++ = *s++;
    return dst;
}

// Copy n bytes from src to dst; the ranges may overlap.
NO_LOOP_TO_CALL void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d == s || n == 0)
        return dst;
    // Copying forwards is safe unless dst starts inside [src, src + n).
    if ((uintptr_t)d - (uintptr_t)s >= n) {
        while (n--)
            *d++ = *s++;
    } else {
        while (n--)
            d[n] = s[n];
    }
    return dst;
}

// Fill n bytes at dst with the byte value c.
NO_LOOP_TO_CALL void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    unsigned char byte = (unsigned char)c;
    if (((uintptr_t)d & 7) == 0) {
        word_t word = 0x0101010101010101ull * byte;
        for (; n >= 8; n -= 8, d += 8)
            *(word_t *)d = word;
    }
    while (n--)
        *d++ = byte;
    return dst;
}

// Compare n bytes as unsigned chars: <0, 0 or >0 like the standard function.
int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (size_t i = 0; i < n; i++) {
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    }
    return 0;
}

// Length of the NUL-terminated string s.
NO_LOOP_TO_CALL size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

// Length of s, but never reading more than max bytes.
NO_LOOP_TO_CALL size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

// Compare two NUL-terminated strings as unsigned chars.
int strcmp(const char *a, const char *b)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    while (*x && *x == *y) {
        x++;
        y++;
    }
    return (*x > *y) - (*x < *y);
}

// Compare at most n characters of two strings as unsigned chars.
int strncmp(const char *a, const char *b, size_t n)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    for (; n > 0; n--, x++, y++) {
        if (*x != *y)
            return *x < *y ? -1 : 1;
        if (*x == 0)
            break;
    }
    return 0;
}

// First occurrence of (char)c in s, the terminating NUL included; NULL if absent.
char *strchr(const char *s, int c)
{
    char ch = (char)c;
    for (;; s++) {
        if (*s == ch)
            return (char *)s;
        if (*s == 0)
            return NULL;
    }
}
