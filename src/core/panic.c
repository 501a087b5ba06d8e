// SPDX-License-Identifier: MIT
// Kernel panic: a report on the console, a backtrace, a failing QEMU exit code, then halt.
//
// With several CPUs the first panic wins: that CPU stops every other one with an NMI (which
// they take whatever they are doing, nmi.c), then writes its report alone and the exit code.
// A CPU that panics second stops itself without a word, so the log holds one report, the
// first cause, never two reports mixed line by line.
#include <stdarg.h>
#include <stdint.h>
#include "core/panic.h"
#include "core/console.h"
#include "core/format.h"
#include "core/ksyms.h"
#include "arch/x86_64/traps.h"
#include "arch/x86_64/cr.h"
#include "arch/x86_64/fb_console.h"
#include "arch/x86_64/qemu_exit.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/smp.h"

#define NO_CPU (-1)
#define STOP_WAIT_TSC (1ull << 32) // how long to wait for the others to stop: ~1 s at 4 GHz

static int panic_cpu = NO_CPU; // the CPU whose report is being written
static unsigned stopped;       // CPUs that took the stop NMI

// Tells whether another CPU's panic has claimed the machine (nmi.c then stops this one).
bool panic_on_other_cpu(unsigned cpu)
{
    int owner = __atomic_load_n(&panic_cpu, __ATOMIC_ACQUIRE);
    return owner != NO_CPU && owner != (int)cpu;
}

// Another CPU's panic stops this one: called from the NMI handler, never returns.
__attribute__((noreturn)) void panic_stop_this_cpu(void)
{
    __atomic_fetch_add(&stopped, 1, __ATOMIC_RELEASE);
    cpu_halt_forever(); // IF = 0 and NMIs held off until an iretq that never comes
}

// Claims the machine for this CPU's report, or stops this CPU if another CPU's panic came first.
static void claim(void)
{
    int me = percpu_ready ? (int)this_cpu()->cpu : 0;
    int expected = NO_CPU;
    // [mutant panic-first-wins: __atomic_compare_exchange_n -> "1 || __atomic_compare_exchange_n"]
    if (__atomic_compare_exchange_n(&panic_cpu, &expected, me, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        unsigned others = smp_stop_other_cpus(); // NMI IPIs; 0 when no other CPU is running
        for (uint64_t t0 = rdtsc(); __atomic_load_n(&stopped, __ATOMIC_ACQUIRE) < others;)
            if (rdtsc() - t0 > STOP_WAIT_TSC)
                break;       // report anyway: a CPU that did not stop can only add lines
        console_skip_lock(); // a stopped CPU may have stopped holding it
        // What NMI, #MC and #DB handlers recorded, on any CPU, comes before the report: a
        // machine check's [mce] lines say why the machine stops.
        console_print_recorded();
        return;
    }
    if (expected == me) { // a panic while writing this CPU's own report: say the least and stop
        static int nested;
        if (nested++ == 0) // once: the console itself may be what faulted
            kprintf("\n[panic] the panic report itself failed: stopping\n");
        qemu_exit(QEMU_EXIT_PANIC);
        cpu_halt_forever();
    }
    panic_stop_this_cpu(); // the other CPU's report wins; its NMI may be on the way too
}

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
    claim();
    kprintf("\n[panic] PANIC: ");
    format_v(panic_sink, NULL, fmt, ap);
    kprintf("\n");
    if (tf)
        trap_print_frame(tf);
    else {
        kprintf("[panic] called from RIP=%016llx", (unsigned long long)caller);
        ksym_print_return(caller);
        kprintf(" CR3=%016llx\n", (unsigned long long)read_cr3());
    }
    print_backtrace(tf ? tf->rbp : (uint64_t)__builtin_frame_address(0));
    kprintf("[panic] the kernel stops here (exit code 0x%x)\n", QEMU_EXIT_PANIC);
    console_flush();
    fb_console_flush(); // the report's last lines may be waiting for the screen's next redraw
    fb_console_hold();
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
