// SPDX-License-Identifier: MIT
// The kernel log: kprintf to COM1, mirrored to the VGA text screen when there is one.
//
// Lines carry fixed tags so the log can be grepped and parsed: [boot] [mem] [cpu] [msr] [gdt]
// [idt] [timer] [ktest] [proc] [fault] [sys]. One fact per line. Lines are whole: the CPUs
// share the console a line at a time (console.c); while programs run on several CPUs each
// line starts with the [cpuN] that printed it. What programs write is marked as theirs
// (program_output.c): `NAME[PID]: text`, after the [cpuN] tag.
#ifndef LSTAR_CORE_CONSOLE_H
#define LSTAR_CORE_CONSOLE_H
#include <stdbool.h>
#include <stddef.h>

int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void console_write(const char *s, size_t n);
void console_write_line(const char *s, size_t n);
void console_flush(void);
void console_tag_lines(bool on);
void console_skip_lock(void);
void console_print_recorded(void);

#endif
