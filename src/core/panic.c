// Kernel panic: a report on the console, a backtrace, a failing QEMU exit code, then halt.
#include <stdarg.h>
#include <stdint.h>
#include "core/panic.h"
#include "core/console.h"
#include "core/format.h"
#include "core/ksyms.h"
#include "arch/x86_64/traps.h"
#include "arch/x86_64/cr.h"
#include "arch/x86_64/qemu_exit.h"

static int panicking;

// format_v's sink for the panic message.
static void panic_sink(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    console_write(s, n);
}

// Prints the return addresses along the RBP chain (the kernel keeps frame pointers).
static void print_backtrace(uint64_t rbp)
{
    kprintf("[panic] backtrace:\n");
    for (int depth = 0; depth < 16 && rbp >= 0xffffffff80000000ull && (rbp & 7) == 0; depth++) {
        const uint64_t *frame = (const uint64_t *)rbp;
        if (frame[1] == 0)
            break;
        kprintf("[panic]   #%d %p", depth, (void *)frame[1]);
        ksym_print_return(frame[1]);
        kprintf("\n");
        rbp = frame[0];
    }
}

// Common tail: message, optional register report, exit code, halt.
static __attribute__((noreturn)) void panic_finish(const struct trap_frame *tf, uint64_t caller, const char *fmt,
                                                    va_list ap)
{
    irq_disable();
    if (panicking++) { // a panic while panicking: say the least and stop
        qemu_exit(QEMU_EXIT_PANIC);
        cpu_halt_forever();
    }
    kprintf("\n[panic] PANIC: ");
    format_v(panic_sink, NULL, fmt, ap);
    kprintf("\n");
    if (tf)
        trap_print_frame(tf);
    else
    {
        kprintf("[panic] called from RIP=%016llx", (unsigned long long)caller);
        ksym_print_return(caller);
        kprintf(" CR3=%016llx\n", (unsigned long long)read_cr3());
    }
    print_backtrace(tf ? tf->rbp : (uint64_t)__builtin_frame_address(0));
    kprintf("[panic] the kernel stops here (exit code 0x%x)\n", QEMU_EXIT_PANIC);
    qemu_exit(QEMU_EXIT_PANIC);
    cpu_halt_forever();
}

// Reports a kernel bug and stops the machine.
void panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    panic_finish(NULL, (uint64_t)__builtin_return_address(0), fmt, ap);
}

// Reports a kernel bug found by an exception handler, with the registers it saw.
void panic_with_frame(const struct trap_frame *tf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    panic_finish(tf, tf->rip, fmt, ap);
}
