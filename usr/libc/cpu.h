// SPDX-License-Identifier: MIT
// Where a program runs: the CPU the kernel placed it on (the run= list's @CPU).
//
// The kernel hands the number over once, in RDI at the program's first instruction (crt0.asm),
// from the CPU's own start-up code rather than from the per-CPU area: so comparing it with
// sys_getcpu(), which reads the per-CPU area through GS on every call, checks that GS points
// at this CPU's area on every entry.
#ifndef LSTAR_USR_LIBC_CPU_H
#define LSTAR_USR_LIBC_CPU_H

unsigned placed_cpu(void);

#endif
