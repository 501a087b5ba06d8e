// SPDX-License-Identifier: MIT
// The periodic timer (PIT channel 0) and the TSC's frequency.
#ifndef LSTAR_ARCH_TIMER_H
#define LSTAR_ARCH_TIMER_H
#include <stdint.h>

#define TIMER_HZ 100

void timer_init(void);
uint64_t tsc_hz(void);
const char *tsc_source(void);
uint64_t tsc_to_ns(uint64_t ticks);
void tsc_calibrate(void);

#endif
