// SPDX-License-Identifier: MIT
// The C half of program start (crt0.asm is the other): fetch the arguments, run main, exit.
#include "libc/stdlib.h"

#include "libc/cpu.h"
#include "libc/stdio.h"
#include "libc/syscall.h"

// Room for a long kernel `run=` list; spawned children get at most 127 bytes anyway.
#define ARGS_MAX 1024
#define ARGV_MAX 32

static char args[ARGS_MAX];
static char *argv[ARGV_MAX + 1];

// Split args in place on spaces into argv; returns argc, or -1 if there are too many words.
static int split_args(char *s)
{
    int argc = 0;
    for (;;) {
        while (*s == ' ')
            *s++ = '\0';
        if (*s == '\0')
            break;
        if (argc == ARGV_MAX)
            return -1;
        argv[argc++] = s;
        while (*s != '\0' && *s != ' ')
            s++;
    }
    argv[argc] = NULL;
    return argc;
}

static unsigned placed_on;

// Returns the CPU this program was placed on, as the kernel said at its start (crt0.asm).
unsigned placed_cpu(void) { return placed_on; }

// Called by _start with the CPU the program was placed on: never returns.
__attribute__((noreturn)) void __libc_start(unsigned long cpu);
__attribute__((noreturn)) void __libc_start(unsigned long cpu)
{
    placed_on = (unsigned)cpu;
    long len = sys_getargs(args, sizeof args);
    if (len < 0) {
        printf("[libc] cannot read the argument string: error %ld\n", len);
        exit(127);
    }
    int argc = split_args(args);
    if (argc < 0) {
        printf("[libc] more than %d arguments\n", ARGV_MAX);
        exit(127);
    }
    exit(main(argc, argv));
}

// Flush stdout, then end the program.
void exit(int status)
{
    stdout_flush();
    sys_exit(status);
}
