// SPDX-License-Identifier: MIT
// kprintf and the console it writes to, shared by every CPU one whole line at a time.
//
// Each CPU builds its current line in a buffer of its own and hands the console only complete
// lines (or a full buffer), under the console lock: lines from CPUs running at the same time
// never interleave, however many kprintf calls or ring-3 writes a line took to build. NMI, #MC
// and #DB handlers never take the lock (they can interrupt its holder, or a CPU queued for it):
// what they print is recorded (exception_log.c), and whoever next holds the lock prints the
// records first. After a panic has stopped the other CPUs, one of them may have stopped holding
// the lock: panic makes the console skip it from then on.
//
// A program's lines (program_output.c) come whole through console_write_line, apart from the
// CPU's own line buffer, and always start a line of the devices: when a kernel line was sent
// out in pieces and is unfinished there, a newline ends it first. So kernel text and program
// text never share a line, and a program's line cannot be made to look like a kernel line.
#include <stdarg.h>
#include <stdbool.h>
#include "core/console.h"
#include "core/exception_log.h"
#include "core/format.h"
#include "core/spinlock.h"
#include "arch/x86_64/fb_console.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/serial.h"
#include "arch/x86_64/vga_text.h"

#define CONSOLE_LINE_MAX 256 // a longer line goes out in pieces of this size
#define NO_CPU (-1)
_Static_assert(MAX_CPUS <= 10, "the [cpuN] tag has room for one digit");
_Static_assert(EXCEPTION_LOG_LINE_MAX == CONSOLE_LINE_MAX, "a recorded line is a console line");

static struct {
    char text[CONSOLE_LINE_MAX];
    size_t len;
} lines[MAX_CPUS];

static struct spinlock lock = SPINLOCK_INIT;
static bool lock_skipped;       // panic stopped the other CPUs: write without the lock
static bool tag_lines;          // programs run on several CPUs: start each line with [cpuN]
static int unfinished = NO_CPU; // the CPU whose line the devices are in the middle of (under `lock`)

// The CPU printing: its number from the per-CPU area once GS holds one, cpu0 before that.
static unsigned console_cpu(void) { return percpu_ready ? (unsigned)this_cpu()->cpu : 0; }

// Whether `cpu` runs an NMI, #MC or #DB handler, which records its lines instead of taking the
// lock; once a panic has claimed the machine there is no lock to wait for, and it prints.
static bool in_a_handler(unsigned cpu)
{
    // [mutant exception-context-records: "active(cpu) &&" -> "active(cpu) && 0 &&"]
    return exception_context_active(cpu) && !__atomic_load_n(&lock_skipped, __ATOMIC_ACQUIRE);
}

// Writes every console device.
static void devices_write(const char *s, size_t n)
{
    serial_write(s, n);
    vga_text_write(s, n);
    fb_console_write(s, n);
}

// Writes one line (or a piece of one) to every console device: the lock is held, or skipped. A
// piece that must start a line (`fresh`, or from another CPU than the unfinished line's) ends
// that line first; the [cpuN] tag goes at the start of each line of the devices.
static void write_devices(unsigned cpu, const char *s, size_t n, bool fresh)
{
    if (unfinished != NO_CPU && (fresh || unfinished != (int)cpu)) {
        devices_write("\n", 1);
        unfinished = NO_CPU;
    }
    if (tag_lines && unfinished == NO_CPU) {
        char tag[] = "[cpu0] ";
        tag[4] = (char)('0' + cpu);
        devices_write(tag, sizeof tag - 1);
    }
    devices_write(s, n);
    unfinished = n > 0 && s[n - 1] != '\n' ? (int)cpu : NO_CPU;
}

// exception_log_drain's output: each recorded line is whole, and starts a line of its own.
static void write_recorded(unsigned cpu, const char *s, size_t n) { write_devices(cpu, s, n, true); }

// Under the lock: first what exception context recorded on any CPU (older than this line),
// then the line itself, if any. Never called in exception context, unless the lock is skipped.
static void emit(unsigned cpu, const char *s, size_t n, bool fresh)
{
    bool locked = !__atomic_load_n(&lock_skipped, __ATOMIC_ACQUIRE);
    uint64_t flags = 0;
    if (locked)
        flags = spin_lock(&lock);
    if (exception_log_pending())
        exception_log_drain(write_recorded, !locked);
    if (n)
        write_devices(cpu, s, n, fresh);
    if (locked)
        spin_unlock(&lock, flags);
}

// Adds bytes to this CPU's line, handing each finished line to the console devices.
void console_write(const char *s, size_t n)
{
    unsigned cpu = console_cpu();
    if (in_a_handler(cpu)) {
        exception_log_write(cpu, s, n); // an NMI, #MC or #DB handler: record, never wait
        return;
    }
    uint64_t flags = read_rflags();
    irq_disable(); // a tick on this CPU must not find the line half updated
    char *text = lines[cpu].text;
    size_t len = lines[cpu].len;
    for (size_t i = 0; i < n; i++) {
        text[len++] = s[i];
        // [mutant console-whole-lines: "len == CONSOLE_LINE_MAX" -> "len > 0"]
        if (s[i] == '\n' || len == CONSOLE_LINE_MAX) {
            emit(cpu, text, len, false);
            len = 0;
        }
    }
    lines[cpu].len = len;
    if (flags & RFLAGS_IF)
        irq_enable();
}

// Sends out what this CPU has of an unfinished line (before the machine stops).
void console_flush(void)
{
    unsigned cpu = console_cpu();
    if (in_a_handler(cpu))
        return; // the handler's lines are records (console_write)
    if (lines[cpu].len) {
        emit(cpu, lines[cpu].text, lines[cpu].len, false);
        lines[cpu].len = 0;
    }
}

// Prints what NMI, #MC and #DB handlers recorded on any CPU, if anything (ordinary context:
// the timer tick, the end of the boot, panic; every line printed does it too).
void console_print_recorded(void)
{
    if (in_a_handler(console_cpu()))
        return; // the records wait for ordinary code
    if (exception_log_pending())
        emit(console_cpu(), NULL, 0, false);
}

// Writes `s`, one whole line ending in a newline, on a line of its own, past this CPU's line
// buffer (which may hold an unfinished kernel line): a program's line (program_output.c).
void console_write_line(const char *s, size_t n)
{
    unsigned cpu = console_cpu();
    if (in_a_handler(cpu)) {
        exception_log_write(cpu, s, n); // never from a handler today; if ever, it must not wait
        return;
    }
    uint64_t flags = read_rflags();
    irq_disable();
    emit(cpu, s, n, true);
    if (flags & RFLAGS_IF)
        irq_enable();
}

// Whether each line names the CPU that printed it (kmain: while several CPUs run programs).
void console_tag_lines(bool on) { tag_lines = on; }

// The other CPUs are stopped (panic.c): none of them will release the lock, so stop taking it.
void console_skip_lock(void) { __atomic_store_n(&lock_skipped, true, __ATOMIC_RELEASE); }

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
