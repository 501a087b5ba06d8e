// SPDX-License-Identifier: MIT
// Console output for ring-3 programs: printf and friends over write(1, ...).
//
// Output is collected in a small buffer and written when a line ends, when the buffer fills,
// at stdout_flush() and at exit(), so a line normally reaches the serial port in one write.
// Formatting is src/core/format.c, the same engine the kernel log uses.
#ifndef LSTAR_LIBC_STDIO_H
#define LSTAR_LIBC_STDIO_H

#include <stdarg.h>
#include <stddef.h>

// Format to stdout; returns the number of characters produced.
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

// printf with a va_list.
int vprintf(const char *fmt, va_list ap);

// Print s and a newline.
int puts(const char *s);

// Print one character; returns it as an unsigned char.
int putchar(int c);

// Write out whatever is buffered: before spawning a child, or before anything that must not
// find text still waiting (exit() does it too).
void stdout_flush(void);

// Format into buf: at most size bytes, NUL-terminated when size > 0; returns the full length.
// These are the shared engine's format_buf and vformat_buf under their standard names: the asm
// labels make every call go straight to them, with no wrapper in between.
int snprintf(char *buf, size_t size, const char *fmt, ...) __asm__("format_buf") __attribute__((format(printf, 3, 4)));

// snprintf with a va_list.
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap) __asm__("vformat_buf");

#endif
