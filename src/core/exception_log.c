// SPDX-License-Identifier: MIT
// Exception context: the NMI, #MC and #DB handlers, which never wait, and the log they print to.
//
// IF = 0 masks neither an NMI nor a machine check (Intel SDM Vol. 3A, chapter "Interrupt and
// Exception Handling", "Nonmaskable Interrupt (NMI)"; Vol. 3B, chapter "Machine-Check
// Architecture": #MC is an abort delivered whatever IF says), and a #DB can come from a debugger
// or a data breakpoint anywhere. So these handlers can land on a CPU that holds the console's
// lock or has taken a ticket for it: if they waited for that lock, they would wait for the code
// they interrupted, forever. trap_dispatch marks them as exception context (a depth per CPU, for
// an NMI inside a #MC); while it is non-zero, console_write hands this CPU's text to
// exception_log_write instead of the console. Each finished line becomes a record in the CPU's
// own ring, reserved with one compare-and-swap and published by a sequence store: no lock, no
// wait, and a handler nested inside another on the same CPU reserves a slot of its own. A full
// ring drops the line and counts it. Ordinary code prints the records (exception_log_drain,
// called by the console under its own lock, which no handler takes) before its own next line,
// at the timer tick, at the end of the boot, and, lock or no lock, when a panic stops the machine.
#include <stdint.h>
#include "core/exception_log.h"
#include "core/format.h"
#include "core/string.h"
#include "arch/x86_64/percpu.h" // MAX_CPUS, CACHE_LINE

#define MAX_NESTING 4 // #DB, then #MC inside it, then NMI inside that: deeper lines are dropped

// One line, readable once `seq` says it is whole.
struct record {
    uint64_t seq; // the ring position + 1 once the line is written; anything else: not yet
    uint32_t len;
    char text[EXCEPTION_LOG_LINE_MAX];
};

// One CPU's ring. Only that CPU's handlers write it; one reader at a time (the console lock, or
// the panicking CPU once the others are stopped) prints it.
struct exception_ring {
    uint32_t depth;   // exception handlers running on this CPU now
    uint64_t entries; // handlers entered so far: a reader sees one start while it looks
    struct {
        char text[EXCEPTION_LOG_LINE_MAX];
        uint32_t len;
    } building[MAX_NESTING]; // the line each nested handler is building
    uint64_t head;           // the next position to reserve
    uint64_t tail;           // the next position to print
    uint64_t lost;           // lines dropped: the ring was full, or the handlers nested too deep
    uint64_t lost_reported;  // `lost` when the reader last said so
    struct record records[EXCEPTION_LOG_RECORDS];
} __attribute__((aligned(CACHE_LINE)));

static struct exception_ring rings[MAX_CPUS];

// Marks the start of an NMI, #MC or #DB handler on `cpu`, the CPU that runs it (trap_dispatch).
void exception_context_enter(unsigned cpu)
{
    struct exception_ring *r = &rings[cpu];
    // `entries` first: a reader that finds depth 0 and then the same `entries` as before knows
    // no handler began in between (exception_log_drain).
    __atomic_fetch_add(&r->entries, 1, __ATOMIC_SEQ_CST);
    uint32_t depth = __atomic_add_fetch(&r->depth, 1, __ATOMIC_SEQ_CST);
    if (depth <= MAX_NESTING)
        r->building[depth - 1].len = 0;
}

// Tells whether `cpu` runs an NMI, #MC or #DB handler (console.c then records, never prints).
bool exception_context_active(unsigned cpu) { return __atomic_load_n(&rings[cpu].depth, __ATOMIC_RELAXED) != 0; }

// Takes the next free position of the ring; false if the ring is full. The loop repeats only
// if a handler nested on this CPU took a position between the load and the exchange.
static bool reserve(struct exception_ring *r, uint64_t *pos)
{
    uint64_t head = __atomic_load_n(&r->head, __ATOMIC_RELAXED);
    do {
        if (head - __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE) >= EXCEPTION_LOG_RECORDS)
            return false;
    } while (!__atomic_compare_exchange_n(&r->head, &head, head + 1, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED));
    *pos = head;
    return true;
}

// Copies one line into a record of the ring, or counts it lost.
static void commit(struct exception_ring *r, const char *text, size_t len)
{
    uint64_t pos;
    if (!reserve(r, &pos)) {
        __atomic_fetch_add(&r->lost, 1, __ATOMIC_RELAXED);
        return;
    }
    struct record *rec = &r->records[pos % EXCEPTION_LOG_RECORDS];
    memcpy(rec->text, text, len);
    rec->len = (uint32_t)len;
    __atomic_store_n(&rec->seq, pos + 1, __ATOMIC_RELEASE); // the reader may print it from here on
}

// Adds bytes to the line the innermost handler of `cpu` is building; each finished line (or
// full buffer) becomes a record. Called on `cpu` itself, in exception context.
void exception_log_write(unsigned cpu, const char *s, size_t n)
{
    struct exception_ring *r = &rings[cpu];
    uint32_t depth = __atomic_load_n(&r->depth, __ATOMIC_RELAXED);
    if (depth == 0 || depth > MAX_NESTING) {
        for (size_t i = 0; i < n; i++)
            if (s[i] == '\n')
                __atomic_fetch_add(&r->lost, 1, __ATOMIC_RELAXED);
        return;
    }
    char *text = r->building[depth - 1].text;
    uint32_t len = r->building[depth - 1].len;
    for (size_t i = 0; i < n; i++) {
        text[len++] = s[i];
        if (s[i] == '\n' || len == EXCEPTION_LOG_LINE_MAX) {
            commit(r, text, len);
            len = 0;
        }
    }
    r->building[depth - 1].len = len;
}

// Marks the end of the innermost handler on `cpu`, the CPU that runs it, recording what it left
// of an unfinished line. machine_check.c calls it early when it leaves the #MC for good to stop
// a program.
void exception_context_leave(unsigned cpu)
{
    struct exception_ring *r = &rings[cpu];
    uint32_t depth = __atomic_load_n(&r->depth, __ATOMIC_RELAXED);
    if (depth == 0)
        return;
    if (depth <= MAX_NESTING && r->building[depth - 1].len) {
        uint32_t len = r->building[depth - 1].len; // below the maximum: a full line was committed
        r->building[depth - 1].text[len++] = '\n'; // console lines stay whole
        commit(r, r->building[depth - 1].text, len);
    }
    // After its records: a reader that sees depth 0 finds every one of them written.
    __atomic_store_n(&r->depth, depth - 1, __ATOMIC_SEQ_CST);
}

// Tells whether any CPU has records (or lost lines) no reader has printed yet.
bool exception_log_pending(void)
{
    for (unsigned c = 0; c < MAX_CPUS; c++) {
        struct exception_ring *r = &rings[c];
        // Without the console lock (console_print_recorded asks first): a stale answer only
        // delays the records to the next line, tick or panic.
        if (__atomic_load_n(&r->head, __ATOMIC_ACQUIRE) != __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE) ||
            __atomic_load_n(&r->lost, __ATOMIC_RELAXED) != __atomic_load_n(&r->lost_reported, __ATOMIC_RELAXED))
            return true;
    }
    return false;
}

// Hands `out` the records of every CPU, oldest first, and a line for any lost ones. The caller
// is the only reader (it holds the console lock, or the machine has stopped).
//
// A CPU still inside a handler is passed over until the handler ends, so the lines of one report
// (a #MC's banks and verdict) come out together. With machine_stopped (panic: the other CPUs are
// halted, some perhaps inside a handler for good) every written record is printed, and a
// position reserved but never written is skipped.
void exception_log_drain(exception_log_out *out, bool machine_stopped)
{
    for (unsigned c = 0; c < MAX_CPUS; c++) {
        struct exception_ring *r = &rings[c];
        uint64_t entries = __atomic_load_n(&r->entries, __ATOMIC_SEQ_CST);
        if (!machine_stopped && __atomic_load_n(&r->depth, __ATOMIC_SEQ_CST) != 0)
            continue;
        uint64_t end = __atomic_load_n(&r->head, __ATOMIC_SEQ_CST);
        if (!machine_stopped && __atomic_load_n(&r->entries, __ATOMIC_SEQ_CST) != entries)
            continue; // a handler began meanwhile: [tail, end) may hold half its report
        for (uint64_t pos = r->tail; pos != end; pos++) {
            struct record *rec = &r->records[pos % EXCEPTION_LOG_RECORDS];
            bool written = __atomic_load_n(&rec->seq, __ATOMIC_ACQUIRE) == pos + 1;
            if (!written && !machine_stopped)
                break; // cannot happen: the handler ended after writing it; read it next time
            if (written)
                out(c, rec->text, rec->len);
            __atomic_store_n(&r->tail, pos + 1, __ATOMIC_RELEASE); // the slot is free again
        }
        uint64_t lost = __atomic_load_n(&r->lost, __ATOMIC_RELAXED);
        if (lost != r->lost_reported) {
            char line[160];
            int n = format_buf(line, sizeof line,
                               "[exlog] cpu%u: %llu line(s) of NMI, #MC or #DB handlers lost (a full ring of %d "
                               "records, or handlers nested more than %d deep)\n",
                               c, (unsigned long long)(lost - r->lost_reported), EXCEPTION_LOG_RECORDS, MAX_NESTING);
            out(c, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
            __atomic_store_n(&r->lost_reported, lost, __ATOMIC_RELAXED);
        }
    }
}
