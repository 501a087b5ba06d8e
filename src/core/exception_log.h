// SPDX-License-Identifier: MIT
// Exception context and its log: what NMI, #MC and #DB handlers print is recorded in a ring of
// their CPU's own, without a lock, and printed later by ordinary kernel code (docs/design.md
// "Exception context").
#ifndef LSTAR_CORE_EXCEPTION_LOG_H
#define LSTAR_CORE_EXCEPTION_LOG_H
#include <stdbool.h>
#include <stddef.h>

#define EXCEPTION_LOG_LINE_MAX 256 // the longest record: one console line (console.c asserts it)
#define EXCEPTION_LOG_RECORDS 64   // records per CPU: a #MC report with 12 valid banks fits

// Where the reader sends each record: the CPU that wrote it, and the text.
typedef void exception_log_out(unsigned cpu, const char *s, size_t n);

void exception_context_enter(unsigned cpu);
void exception_context_leave(unsigned cpu);
bool exception_context_active(unsigned cpu);
void exception_log_write(unsigned cpu, const char *s, size_t n);
bool exception_log_pending(void);
void exception_log_drain(exception_log_out *out, bool machine_stopped);

#endif
