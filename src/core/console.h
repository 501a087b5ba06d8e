// The kernel log: kprintf to COM1, mirrored to the VGA text screen when there is one.
//
// Lines carry fixed tags so the log can be grepped and parsed: [boot] [mem] [cpu] [msr] [gdt]
// [idt] [timer] [ktest] [proc] [fault] [sys]. One fact per line.
#ifndef LSTAR_CORE_CONSOLE_H
#define LSTAR_CORE_CONSOLE_H
#include <stddef.h>

int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void console_write(const char *s, size_t n);

#endif
