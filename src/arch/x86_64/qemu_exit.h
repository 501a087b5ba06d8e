// SPDX-License-Identifier: MIT
// Ending a QEMU run with a chosen exit code through the isa-debug-exit device, and telling
// Bochs the same code through its port 0xE9 hack. Both are I/O ports, which ring 3 cannot
// reach (IOPL 0, no I/O permission bitmap): the code is the kernel's alone.
#ifndef LSTAR_ARCH_QEMU_EXIT_H
#define LSTAR_ARCH_QEMU_EXIT_H
#include "arch/x86_64/asm_layout.h"
#include "arch/x86_64/io.h"

// Bochs's debug port (bochsrc `port_e9_hack: enabled=1`): bytes written to it appear on Bochs's
// own console, and reading it gives 0xE9, which is how the kernel knows it is there.
#define BOCHS_E9_PORT 0xe9

// Writes "\nlstar: exit code 0xNN\n" to Bochs's debug port if there is one (bochs-run.sh reads it).
static inline void bochs_e9_exit_code(uint8_t code)
{
    static const char hex[] = "0123456789abcdef";
    if (inb(BOCHS_E9_PORT) != BOCHS_E9_PORT)
        return; // not Bochs, or Bochs without the hack: QEMU and a PC read 0xff here
    for (const char *p = "\nlstar: exit code 0x"; *p; p++)
        outb(BOCHS_E9_PORT, (uint8_t)*p);
    outb(BOCHS_E9_PORT, (uint8_t)hex[code >> 4]);
    outb(BOCHS_E9_PORT, (uint8_t)hex[code & 15]);
    outb(BOCHS_E9_PORT, '\n');
}

// Asks QEMU to exit with status (code << 1) | 1, after telling Bochs the code; on a real PC (or
// QEMU without the device) the write goes nowhere, so callers follow it with a halt.
static inline void qemu_exit(uint8_t code)
{
    bochs_e9_exit_code(code);
    outb(QEMU_EXIT_PORT, code);
}

// Stops this CPU for good: interrupts off, hlt in a loop (an NMI could wake a single hlt).
static inline __attribute__((noreturn)) void cpu_halt_forever(void)
{
    for (;;)
        __asm__ volatile("cli; hlt");
}

#endif
