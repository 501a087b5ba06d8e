// SPDX-License-Identifier: MIT
// A printf formatting engine with no libc, shared by the kernel log and the ring-3 libc.
//
// Supported: conversions %d %i %u %x %X %o %p %s %c %%; flags - 0 + space #; width and
// precision, either may be `*`; length modifiers hh h l ll z t j. No floating point.
// %s of NULL prints "(null)"; %p prints "0x" and 16 lowercase hex digits. Any other
// conversion is printed literally, from its '%' to its letter (%q prints "%q"). Widths and
// precisions are clamped to 4096, so a stray "%*d" cannot emit gigabytes of padding.
#ifndef LSTAR_CORE_FORMAT_H
#define LSTAR_CORE_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

// Receives the formatted text in pieces; s is not NUL-terminated.
typedef void (*format_sink)(void *ctx, const char *s, size_t n);

// Formats into sink; returns the number of characters emitted (capped at INT_MAX).
int format_v(format_sink sink, void *ctx, const char *fmt, va_list ap);

// snprintf: writes at most size bytes, always NUL-terminated when size > 0, and returns the
// length the whole text would have had.
int format_buf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vformat_buf(char *buf, size_t size, const char *fmt, va_list ap);
// Writes "<prefix>: <reason>" into err (when err and errlen allow) for a parser's refusal; returns -1.
int format_reason(char *err, size_t errlen, const char *prefix, const char *fmt, va_list ap);

// Writes a one-line reason into err (when err is not NULL and errlen > 0) and returns -1: the
// refusal path of the validating parsers (multiboot2.c, elf64.c).
int format_error(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

// The longest text format_escape_byte writes for one byte ("\xNN").
#define FORMAT_ESCAPE_MAX 4

// Writes byte c of untrusted text (a program's output, its arguments) as printable ASCII into
// out and returns how many bytes that took: tab and ' ' to '~' as they are, except '\', which
// becomes "\\"; every other byte (newline, CR, ESC, DEL, bytes >= 0x80) as "\xNN" in lowercase
// hex. The result can neither end a line nor move a terminal's cursor, and reads back
// unambiguously.
size_t format_escape_byte(char out[FORMAT_ESCAPE_MAX], unsigned char c);

#endif
