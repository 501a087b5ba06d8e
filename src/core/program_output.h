// SPDX-License-Identifier: MIT
// What ring-3 programs write to the console, marked as theirs.
//
// Every line a program writes (SYS_write to fd 1 or 2) reaches the console as
// `NAME[PID]: text`, after the console's optional `[cpuN] ` tag, where NAME is the program's
// module name and PID its pid. The kernel's own lines all start with a `[tag]`, so no program
// can print a line that reads as the kernel's: the verdict of a run stays the kernel's
// (docs/abi.md, "Output").
#ifndef LSTAR_CORE_PROGRAM_OUTPUT_H
#define LSTAR_CORE_PROGRAM_OUTPUT_H
#include <stddef.h>

struct process;

void program_output_write(struct process *p, const char *s, size_t n);
void program_output_end(struct process *p);

#endif
