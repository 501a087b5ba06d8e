// SPDX-License-Identifier: MIT
// The benchmark's empty entries (SYS_bench_entry, sys_bench.c), and putting the real ones back.
#ifndef LSTAR_SYSCALL_SYS_BENCH_H
#define LSTAR_SYSCALL_SYS_BENCH_H

// Puts the real LSTAR stub and int 0x80 gate back; process.c calls it when a program ends, so
// an empty entry never outlives the program that installed it.
void syscall_entries_restore(void);

#endif
