// SPDX-License-Identifier: MIT
// printf, puts and putchar over a line buffer on fd 1, formatted by the shared engine (snprintf
// is the engine itself: libc/stdio.h).
#include "libc/stdio.h"

#include "core/format.h"
#include "libc/string.h"
#include "libc/syscall.h"

// One serial line fits; longer text is written in buffer-sized pieces.
#define STDOUT_BUFFER_SIZE 256

static char stdout_buffer[STDOUT_BUFFER_SIZE];
static size_t stdout_used;

// Write out whatever is buffered; errors are dropped, as there is nowhere to report them.
void stdout_flush(void)
{
    if (stdout_used > 0)
        sys_write(1, stdout_buffer, stdout_used);
    stdout_used = 0;
}

// Append n bytes to the buffer, flushing after each newline and whenever it is full.
static void stdout_append(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        stdout_buffer[stdout_used++] = s[i];
        if (s[i] == '\n' || stdout_used == STDOUT_BUFFER_SIZE)
            stdout_flush();
    }
}

// format_sink adapter: the engine hands text over in pieces.
static void stdout_sink(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    stdout_append(s, n);
}

// Format to stdout from a va_list; returns the number of characters produced.
int vprintf(const char *fmt, va_list ap) { return format_v(stdout_sink, NULL, fmt, ap); }

// Format to stdout; returns the number of characters produced.
int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

// Print s and a newline, like the standard puts.
int puts(const char *s)
{
    stdout_append(s, strlen(s));
    stdout_append("\n", 1);
    return 0;
}

// Print one character; returns it as an unsigned char.
int putchar(int c)
{
    char ch = (char)c;
    stdout_append(&ch, 1);
    return (unsigned char)ch;
}
