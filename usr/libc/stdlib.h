// SPDX-License-Identifier: MIT
// Process start and end for ring-3 programs, and number parsing for their arguments.
#ifndef LSTAR_LIBC_STDLIB_H
#define LSTAR_LIBC_STDLIB_H

#include <stdbool.h>
#include <stdint.h>

// Every program defines main; argv holds the space-separated words of the argument string
// (there is no program name in argv[0]) and argv[argc] is NULL.
int main(int argc, char **argv);

// Flush stdout, then end the program; the parent sees status & 0xff.
__attribute__((noreturn)) void exit(int status);

// Parse a whole string as an unsigned number, decimal or 0x-prefixed hex; false if it is not one
// or does not fit in 64 bits.
bool parse_u64(const char *s, uint64_t *out);

#endif
