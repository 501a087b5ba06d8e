// SPDX-License-Identifier: MIT
// Memory and string primitives for the kernel and for the ring-3 programs' small libc.
//
// The names are the standard ones on purpose: gcc emits calls to memcpy, memmove, memset and
// memcmp by itself (struct copies, large initialisers), even with -ffreestanding.
//
// Host unit tests link these files next to the host's libc, where the same names already exist.
// When LSTAR_HOST_TEST is defined, this header renames every function to lstar_<name> (for
// example memcpy -> lstar_memcpy), both where it is declared and where it is called. So a file
// that includes this header calls our implementation in every build, and a test exercises the
// very code the kernel runs. A test must not include the libc <string.h> after this header.
#ifndef LSTAR_CORE_STRING_H
#define LSTAR_CORE_STRING_H

#include <stddef.h>

#ifdef LSTAR_HOST_TEST
#define memcpy lstar_memcpy
#define memmove lstar_memmove
#define memset lstar_memset
#define memcmp lstar_memcmp
#define strlen lstar_strlen
#define strnlen lstar_strnlen
#define strcmp lstar_strcmp
#define strncmp lstar_strncmp
#define strchr lstar_strchr
#endif

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

#endif
