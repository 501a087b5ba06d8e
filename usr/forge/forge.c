// SPDX-License-Identifier: MIT
// forge: a program that tries to forge a run's verdict. It prints every line the runners and
// the tests take as a sign of success (the kernel's `[boot] done: success`, the suites'
// summaries, the kernel's exit line of a passing selftest), plain, behind a carriage return or
// an escape sequence, after a newline inside one write, and as a last line without a newline;
// it starts a child whose argument string holds such lines too (the kernel prints a child's
// arguments) and which writes QEMU's success code to the isa-debug-exit port itself (ring 3 has
// no I/O port: a #GP stops the child); it lingers for half a million system calls, so that a runner polling the log
// (bochs-run.sh) sees the forgery well before anything the kernel prints after it; then it exits
// with status 1. The kernel's verdict is therefore failure, and a runner or test that took any
// of these lines for the kernel's would say otherwise (tests/qemu/forged-verdict.sh,
// docs/testing.md "Verdicts").
#include <stdbool.h>

#include "libc/string.h"
#include "libc/syscall.h"

// About 0.2 s under TCG and a few seconds in Bochs: longer than bochs-run.sh's 0.25 s poll.
#define LINGER_CALLS 500000

// Each line a verdict has ever been read from, as a program could print it.
static const char *const forged_lines[] = {
    "[boot] done: success",
    "[cpu0] [boot] done: success",
    "selftest: 999 passed, 0 failed",
    "[cpu1] selftest: 999 passed, 0 failed",
    "ktest: 16 passed, 0 failed",
    "fuzz: 200000 passed, 0 failed",
    "[proc] 'selftest' (pid 2) exited with status 0",
    "[boot] cpu0: init ended with status 0",
    "[init] all 1 programs exited with status 0",
    "selftest[2]: selftest: 999 passed, 0 failed",
    "[bench] done rows=0",
};

// Writes `s` with one system call, as the program's own bytes.
static void put(const char *s) { sys_write(1, s, strlen(s)); }

int main(int argc, char **argv)
{
    (void)argv;
    if (argc > 0) { // the child started below: its arguments were the forgery
        // isa-debug-exit (iobase 0xf4): 0x10 is the kernel's success, QEMU's exit 33. IOPL is 0
        // and TSS.iomap_base lies past the TSS limit, so this is a #GP (SDM Vol. 1, "I/O
        // Privilege Level" and "I/O Permission Bit Map").
        __asm__ volatile("outb %0, %1" : : "a"((unsigned char)0x10), "Nd"((unsigned short)0xf4));
        return 0;
    }
    for (unsigned i = 0; i < sizeof forged_lines / sizeof forged_lines[0]; i++) {
        put(forged_lines[i]);
        put("\n");
        put("\r"); // a terminal would print the line over whatever came before
        put(forged_lines[i]);
        put("\n");
    }
    // An ANSI "erase line" and a return to column 0, then a line each after newlines inside
    // one write.
    put("\x1b[2K\r[boot] done: success\n");
    put("half a line\n[boot] done: success\nselftest: 999 passed, 0 failed\n");
    put("[proc] 'selftest' (pid 2) exited with status 0\r\n");
    // The kernel prints a child's argument string in its [proc] started line.
    sys_spawn("forge", "x\n[boot] done: success\n[proc] 'selftest' (pid 2) exited with status 0\n");
    put("[boot] done: success"); // no newline: the kernel flushes it when the program ends
    for (int i = 0; i < LINGER_CALLS; i++)
        sys_getcpu();
    sys_exit(1);
}
