// SPDX-License-Identifier: MIT
// System-call numbers of Linux's ia32 ABI, the one `int 0x80` enters on x86-64 (ia32_numbers.c).
#ifndef LSTAR_LINUX_BENCH_IA32_NUMBERS_H
#define LSTAR_LINUX_BENCH_IA32_NUMBERS_H

extern const long ia32_nr_getppid;

#endif
