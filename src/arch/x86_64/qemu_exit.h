// Ending a QEMU run with a chosen exit code through the isa-debug-exit device.
#ifndef LSTAR_ARCH_QEMU_EXIT_H
#define LSTAR_ARCH_QEMU_EXIT_H
#include "arch/x86_64/asm_layout.h"
#include "arch/x86_64/io.h"

// Asks QEMU to exit with status (code << 1) | 1; on a real PC (or QEMU without the device) the
// write goes nowhere, so callers follow it with a halt.
static inline void qemu_exit(uint8_t code) { outb(QEMU_EXIT_PORT, code); }

// Stops this CPU for good: interrupts off, hlt in a loop (an NMI could wake a single hlt).
static inline __attribute__((noreturn)) void cpu_halt_forever(void)
{
    for (;;)
        __asm__ volatile("cli; hlt");
}

#endif
