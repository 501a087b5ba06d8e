// SPDX-License-Identifier: MIT
// Deliberate failures on request (crash= option): how the test suite proves that a broken
// kernel ends the run with a report and a failing exit code, never a silent hang.
#ifndef LSTAR_CORE_CRASH_H
#define LSTAR_CORE_CRASH_H
#include "core/cmdline.h"

void crash_if_requested(enum cmdline_crash how, unsigned cpu);

#endif
