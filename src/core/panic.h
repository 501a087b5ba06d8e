// SPDX-License-Identifier: MIT
// panic(): the end of the road for a kernel bug.
#ifndef LSTAR_CORE_PANIC_H
#define LSTAR_CORE_PANIC_H

#include <stdbool.h>

struct trap_frame;

bool panic_on_other_cpu(unsigned cpu);
__attribute__((noreturn)) void panic_stop_this_cpu(void);

__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);
__attribute__((noreturn)) void panic_with_frame(const struct trap_frame *tf, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

// Checks a condition the kernel relies on; a false one is a kernel bug.
#define KASSERT(cond)                                                         \
    do {                                                                      \
        if (!(cond))                                                          \
            panic("assertion failed: %s (%s:%d)", #cond, __FILE__, __LINE__); \
    } while (0)

#endif
