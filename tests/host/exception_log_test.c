// SPDX-License-Identifier: MIT
// Host tests of src/core/exception_log.c: what NMI, #MC and #DB handlers print becomes whole
// records in their CPU's ring, a nested handler keeps its own line, a reader prints a CPU's
// records only once its handler has ended (unless the machine stopped), and a full ring drops
// lines and says how many.
#include "check.h"

#include "core/exception_log.h"
#include "core/string.h"

#define MAX_SEEN 128

// What the reader printed, one entry per call of the output function.
static struct {
    unsigned cpu;
    char text[EXCEPTION_LOG_LINE_MAX + 1];
} seen[MAX_SEEN];
static int nseen;

// exception_log_drain's output: keeps each line with its CPU.
static void keep(unsigned cpu, const char *s, size_t n)
{
    if (nseen == MAX_SEEN)
        return;
    seen[nseen].cpu = cpu;
    memcpy(seen[nseen].text, s, n);
    seen[nseen].text[n] = '\0';
    nseen++;
}

// Drains everything into `seen`, which starts empty.
static void drain(bool machine_stopped)
{
    nseen = 0;
    exception_log_drain(keep, machine_stopped);
}

// Writes a C string as a handler on `cpu` would, through console_write.
static void say(unsigned cpu, const char *s) { exception_log_write(cpu, s, strlen(s)); }

static void a_handlers_line_is_printed_once_the_handler_has_ended(void)
{
    exception_context_enter(0);
    CHECK(exception_context_active(0));
    CHECK(!exception_context_active(1));
    say(0, "[mce] cpu0 verdict: resume\n");
    CHECK(exception_log_pending());
    drain(false);
    CHECK_EQ(nseen, 0); // still inside the handler: its report may not be whole yet
    exception_context_leave(0);
    CHECK(!exception_context_active(0));
    drain(false);
    CHECK_EQ(nseen, 1);
    CHECK_EQ(seen[0].cpu, 0);
    CHECK(check_streq(seen[0].text, "[mce] cpu0 verdict: resume\n"));
    CHECK(!exception_log_pending());
    drain(false);
    CHECK_EQ(nseen, 0); // printed once
}

static void pieces_make_one_line_and_an_unfinished_line_gets_its_newline(void)
{
    exception_context_enter(1);
    say(1, "[db] a");
    say(1, "b");
    say(1, "c\n[db] d");
    exception_context_leave(1);
    drain(false);
    CHECK_EQ(nseen, 2);
    CHECK(check_streq(seen[0].text, "[db] abc\n"));
    CHECK(check_streq(seen[1].text, "[db] d\n"));
    CHECK_EQ(seen[1].cpu, 1);
}

static void a_nested_handler_keeps_its_own_line(void)
{
    exception_context_enter(0); // a #MC
    say(0, "[mce] outer ");
    exception_context_enter(0); // an NMI inside it
    say(0, "[nmi] inner\n");
    exception_context_leave(0);
    CHECK(exception_context_active(0));
    say(0, "line\n");
    exception_context_leave(0);
    drain(false);
    CHECK_EQ(nseen, 2);
    CHECK(check_streq(seen[0].text, "[nmi] inner\n"));
    CHECK(check_streq(seen[1].text, "[mce] outer line\n"));
}

static void a_line_longer_than_a_record_is_split_not_lost(void)
{
    char line[EXCEPTION_LOG_LINE_MAX + 11];
    memset(line, 'x', sizeof line - 1);
    line[sizeof line - 2] = '\n';
    line[sizeof line - 1] = '\0';
    exception_context_enter(2);
    say(2, line);
    exception_context_leave(2);
    drain(false);
    CHECK_EQ(nseen, 2);
    CHECK_EQ(strlen(seen[0].text), EXCEPTION_LOG_LINE_MAX);
    CHECK_EQ(strlen(seen[1].text), 10);
}

static void each_cpu_has_its_own_ring_and_a_cpu_in_a_handler_waits_its_turn(void)
{
    exception_context_enter(3);
    say(3, "three\n");
    exception_context_enter(1);
    say(1, "one\n");
    exception_context_leave(1);
    drain(false);
    CHECK_EQ(nseen, 1); // cpu1's handler ended; cpu3's has not
    CHECK_EQ(seen[0].cpu, 1);
    exception_context_leave(3);
    drain(false);
    CHECK_EQ(nseen, 1);
    CHECK_EQ(seen[0].cpu, 3);
    CHECK(check_streq(seen[0].text, "three\n"));
}

static void a_stopped_machine_prints_a_handler_that_never_ended(void)
{
    exception_context_enter(2); // a CPU stopped for good inside its handler (panic)
    say(2, "[mce] cpu2 #MC in ring 0\n");
    drain(false);
    CHECK_EQ(nseen, 0);
    drain(true);
    CHECK_EQ(nseen, 1);
    CHECK(check_streq(seen[0].text, "[mce] cpu2 #MC in ring 0\n"));
    exception_context_leave(2); // only so that the next test starts clean
    drain(false);
    CHECK_EQ(nseen, 0);
}

static void a_full_ring_drops_lines_and_says_how_many(void)
{
    exception_context_enter(0);
    for (int i = 0; i < EXCEPTION_LOG_RECORDS + 6; i++)
        say(0, "[nmi] a line\n");
    exception_context_leave(0);
    drain(false);
    CHECK_EQ(nseen, EXCEPTION_LOG_RECORDS + 1);
    CHECK(check_streq(seen[EXCEPTION_LOG_RECORDS - 1].text, "[nmi] a line\n"));
    CHECK(check_streq(seen[EXCEPTION_LOG_RECORDS].text,
                      "[exlog] cpu0: 6 line(s) of NMI, #MC or #DB handlers lost (a full ring of 64 records, or "
                      "handlers nested more than 4 deep)\n"));
    CHECK(!exception_log_pending());
    // The ring is free again, and the count is not said twice.
    exception_context_enter(0);
    say(0, "[nmi] after\n");
    exception_context_leave(0);
    drain(false);
    CHECK_EQ(nseen, 1);
    CHECK(check_streq(seen[0].text, "[nmi] after\n"));
}

static void handlers_nested_too_deep_lose_their_lines_and_the_count_says_so(void)
{
    for (int i = 0; i < 5; i++)
        exception_context_enter(1);
    say(1, "[nmi] fifth\n");
    for (int i = 0; i < 5; i++)
        exception_context_leave(1);
    drain(false);
    CHECK_EQ(nseen, 1);
    CHECK(check_streq(seen[0].text,
                      "[exlog] cpu1: 1 line(s) of NMI, #MC or #DB handlers lost (a full ring of 64 records, or "
                      "handlers nested more than 4 deep)\n"));
}

int main(void)
{
    RUN(a_handlers_line_is_printed_once_the_handler_has_ended);
    RUN(pieces_make_one_line_and_an_unfinished_line_gets_its_newline);
    RUN(a_nested_handler_keeps_its_own_line);
    RUN(a_line_longer_than_a_record_is_split_not_lost);
    RUN(each_cpu_has_its_own_ring_and_a_cpu_in_a_handler_waits_its_turn);
    RUN(a_stopped_machine_prints_a_handler_that_never_ended);
    RUN(a_full_ring_drops_lines_and_says_how_many);
    RUN(handlers_nested_too_deep_lose_their_lines_and_the_count_says_so);
    return check_summary();
}
