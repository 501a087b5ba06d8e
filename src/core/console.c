// kprintf and the console it writes to.
#include <stdarg.h>
#include "core/console.h"
#include "core/format.h"
#include "arch/x86_64/serial.h"
#include "arch/x86_64/vga_text.h"

// Writes raw bytes to every console.
void console_write(const char *s, size_t n)
{
    serial_write(s, n);
    vga_text_write(s, n);
}

// format_v's sink: forwards to the consoles.
static void console_sink(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    console_write(s, n);
}

// Formats like printf and writes the result to the console.
int kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = format_v(console_sink, NULL, fmt, ap);
    va_end(ap);
    return n;
}
