// SPDX-License-Identifier: MIT
// File access and printf for the benchmark's init, over raw Linux system calls.
#include "linux-bench/linux_sys.h"

#include <stdarg.h>

#include <asm-generic/fcntl.h>

#include "core/format.h"

// One serial line fits; longer text is written in buffer-sized pieces.
#define STDOUT_BUFFER_SIZE 256

static char stdout_buffer[STDOUT_BUFFER_SIZE];
static size_t stdout_used;

// Write all of buf to fd; returns n or a negative errno.
long linux_write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    size_t done = 0;
    while (done < n) {
        long got = linux_syscall3(__NR_write, fd, (long)(p + done), (long)(n - done));
        if (got < 0)
            return got;
        done += (size_t)got;
    }
    return (long)n;
}

// Read up to size - 1 bytes of the file at path into buf, NUL-terminated, with trailing newlines
// removed; returns the length or a negative errno.
long linux_read_file(const char *path, char *buf, size_t size)
{
    long fd = linux_syscall3(__NR_open, (long)path, O_RDONLY, 0);
    if (fd < 0)
        return fd;
    size_t used = 0;
    long got;
    while (used + 1 < size && (got = linux_syscall3(__NR_read, fd, (long)(buf + used), (long)(size - 1 - used))) > 0)
        used += (size_t)got;
    linux_syscall3(__NR_close, fd, 0, 0);
    while (used > 0 && buf[used - 1] == '\n')
        used--;
    buf[used] = '\0';
    return (long)used;
}

// Write out whatever is buffered; errors are dropped, as there is nowhere to report them.
void stdout_flush(void)
{
    if (stdout_used > 0)
        linux_write_all(1, stdout_buffer, stdout_used);
    stdout_used = 0;
}

// format_sink: append the engine's pieces, flushing after each newline and when full.
static void stdout_sink(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    for (size_t i = 0; i < n; i++) {
        stdout_buffer[stdout_used++] = s[i];
        if (s[i] == '\n' || stdout_used == STDOUT_BUFFER_SIZE)
            stdout_flush();
    }
}

// Format to stdout; returns the number of characters produced.
int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = format_v(stdout_sink, NULL, fmt, ap);
    va_end(ap);
    return n;
}
