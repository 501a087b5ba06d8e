// SPDX-License-Identifier: MIT
// The hard-lockup watchdog: every CPU's tick watches the next CPU's tick, and a CPU whose tick
// has stood still too long gets an NMI that makes it panic with its registers and backtrace.
// docs/design.md "Hard lockups" says how, what the threshold is, and what stays undetected.
#ifndef LSTAR_ARCH_WATCHDOG_H
#define LSTAR_ARCH_WATCHDOG_H
#include <stdbool.h>

struct trap_frame;

void watchdog_init(unsigned seconds, bool tick);
void watchdog_tick(unsigned cpu);
void watchdog_park(unsigned cpu);
void watchdog_nmi(const struct trap_frame *tf);

#endif
