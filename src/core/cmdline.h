// SPDX-License-Identifier: MIT
// The kernel command line: space-separated key=value options, checked one by one.
//
//   run=PROG[:ARG][@CPU][,...]      programs init runs in order, e.g. run=selftest,crash:gp;
//                                    @CPU places an item on CPU 0..7, @all on every CPU that is
//                                    online (no '@': cpu0). Each CPU runs its own init with its
//                                    own items, at the same time as the others: run=fuzz@all
//   run=none                         run no program
//   trace=PROG[,PROG...]             print every system call of the programs with these names,
//                                    and a summary of them when each ends (trace=none: none)
//   ktest=on|off                     run the in-kernel self-checks
//   limit=SECONDS                    stop a program after this much ring-3 time (0: never)
//   timer=on|off                     the 100 Hz tick (off: no ring-3 time limit; for tests)
//   nmistorm=N                       cpu1 sends cpu0 N NMIs while the programs run (0: none)
//   hold=SECONDS                     keep the screen as it is this long before the exit (0: none),
//                                    so that a test can take a screenshot of the end of the run
//   watchdog=SECONDS|off             a CPU whose tick stands still this long (interrupts off, or
//                                    stopped) is made to panic by another CPU's (default 10)
//   mitigations=off|auto|all|NAME[,NAME...]   the entry protections (mitigation_list.h,
//                                    docs/hardening.md): none (the default), what this CPU needs,
//                                    all it can do, or exactly the named ones
//   crash=none|panic|triple|hang|pagefault|stackoverflow|panicall|deadlock   fail on purpose (for
//                                    the test suite; panicall: every CPU panics at the same moment;
//                                    deadlock: a spinlock taken twice); hang@CPU hangs that CPU
//                                    (hang alone: cpu0)
//
// Program names are [a-z0-9_-]+, arguments [a-z0-9_.=:-]+. A bad option is refused with a reason,
// keeps the previous value, and does not stop the rest of the line from being read. A first
// word with a '/' and no '=' is the kernel's path (GRUB puts it there) and is skipped.
#ifndef LSTAR_CORE_CMDLINE_H
#define LSTAR_CORE_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/mitigation_list.h"

#define CMDLINE_RUN_MAX 128          // the run= value's buffer, NUL included
#define CMDLINE_LIMIT_MAX 86400      // limit=: one day
#define CMDLINE_NMISTORM_MAX 1000000 // nmistorm=: a million NMIs
#define CMDLINE_HOLD_MAX 600         // hold=: ten minutes
#define CMDLINE_WATCHDOG_DEFAULT 10  // watchdog=: seconds (Linux's default watchdog_thresh too)
#define CMDLINE_WATCHDOG_MAX 3600    // watchdog=: an hour
#define CMDLINE_CPUS 8               // @0 .. @7: the kernel's MAX_CPUS (kmain.c checks they agree)
#define RUN_ON_ALL 0x100             // an item's placement: @all
#define RUN_ON_ALL_MASK (1u << 31)   // cmdline_run_cpus: some item says @all

enum cmdline_crash {
    CRASH_NONE,
    CRASH_PANIC,
    CRASH_TRIPLE,
    CRASH_HANG,
    CRASH_PAGEFAULT,
    CRASH_STACK_OVERFLOW,
    CRASH_PANIC_ALL,
    CRASH_DEADLOCK // the last: CRASH_KINDS below counts up to it
};
#define CRASH_KINDS (CRASH_DEADLOCK + 1)

struct cmdline_options {
    char run[CMDLINE_RUN_MAX]; // comma-separated programs for init; default "selftest,bench"
    bool ktest;                // run the in-kernel self-checks; default true
    bool timer;                // the periodic timer interrupt; default true
    enum cmdline_crash crash;  // a deliberate failure, for the test suite; default CRASH_NONE
    unsigned crash_cpu;        // the CPU crash=hang@CPU hangs; default 0
    unsigned limit_seconds;    // ring-3 seconds a program may run; default 0 (no limit)
    unsigned nmi_storm;        // NMIs cpu1 sends cpu0 during the programs; default 0 (none)
    unsigned hold_seconds;     // seconds the screen stays before the exit; default 0
    unsigned watchdog_seconds; // the hard-lockup watchdog's threshold; 0 = off; default 10

    // comma-separated names of the programs whose system calls are traced; default "" (none)
    char trace[CMDLINE_RUN_MAX];

    enum mitigation_mode mitigations; // default MITIGATIONS_OFF
    bool mitigations_given;           // a mitigations= option was accepted (else: the default)
    uint32_t mitigation_list;         // MITIGATION_* bits named by mitigations=LIST
};

// Receives one message per refused option: one line, no trailing newline.
typedef void (*cmdline_report)(void *ctx, const char *message);

// The crash= value that names `how` ("none", "panic", ...).
const char *cmdline_crash_name(enum cmdline_crash how);
// The mitigations= name of bit i of MITIGATION_LIST (0 .. MITIGATION_COUNT - 1).
const char *cmdline_mitigation_name(unsigned i);
// Fill o with the defaults.
void cmdline_defaults(struct cmdline_options *o);

// Parses space-separated key=value options, later ones overriding earlier ones; returns the
// number of options refused. report may be NULL.
int cmdline_parse(const char *text, struct cmdline_options *o, cmdline_report report, void *ctx);

// The items of a run= value (as cmdline_parse accepted it) that are placed on `cpu`, without
// their placement, comma-separated into out (size bytes, NUL included; CMDLINE_RUN_MAX is
// always enough). Returns the length written; 0 means no program runs on that CPU.
size_t cmdline_run_list_for_cpu(const char *run, unsigned cpu, char *out, size_t size);

// Which CPUs a run= value names: bit n for an item placed @n (or without '@', n = 0), plus
// RUN_ON_ALL_MASK if some item says @all.
uint32_t cmdline_run_cpus(const char *run);

#endif
