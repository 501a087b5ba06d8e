// SPDX-License-Identifier: MIT
// NMIs: counted per CPU by the handler, reported later from ordinary kernel code.
//
// An NMI cannot be masked by IF and can land anywhere, the entry windows included (it runs on
// its own IST stack, trap_stubs.asm). Its handler therefore does bounded, lock-free work only:
// a few increments in this CPU's own area, no call that could spin, wait or fault. (The one
// exception is a panic on another CPU, which uses the NMI to stop this one for good.) Printing
// is left to nmi_report, called where the kernel may take its time: the timer tick that
// interrupted ring 3 (once a second), and the end of the boot. A polled serial port can spin
// for a long time per character, and an NMI that arrived while the console was mid-line
// would otherwise interleave with it or, once the console has a lock, wait for itself.
#include "arch/x86_64/nmi.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/traps.h"
#include "arch/x86_64/watchdog.h"
#include "core/console.h"
#include "core/panic.h"
#include "arch/x86_64/entry_window.h"

// Counts one NMI on this CPU, by where it landed (called from the NMI stub, on IST1).
void nmi_handle(const struct trap_frame *tf)
{
    watchdog_nmi(tf);                // panics if the watchdog sent this NMI to a hung CPU (watchdog.c)
    struct percpu *cpu = this_cpu(); // the paranoid stub made GS the kernel's, whatever CS says
    if (panic_on_other_cpu((unsigned)cpu->cpu))
        panic_stop_this_cpu(); // the panicking CPU's stop signal (panic.c): halt, never return
    if (tf->cs & 3)
        cpu->nmi.ring3++;
    else if (entry_window_name(tf->rip))
        cpu->nmi.window++;
    cpu->nmi.last_rip = tf->rip;
    // The total last: a report that reads it never sees more NMIs than the parts add up to.
    __atomic_store_n(&cpu->nmi.count, cpu->nmi.count + 1, __ATOMIC_RELEASE);
}

// Prints `cpu`'s NMI counts if any arrived since the last report (always, for the total).
void nmi_report(struct percpu *cpu, bool total)
{
    uint64_t count, ring3, window;
    do { // an NMI may arrive between the reads: take a set of counts that belong together
        count = __atomic_load_n(&cpu->nmi.count, __ATOMIC_ACQUIRE);
        ring3 = cpu->nmi.ring3;
        window = cpu->nmi.window;
    } while (count != __atomic_load_n(&cpu->nmi.count, __ATOMIC_ACQUIRE));
    if (!total && count == cpu->nmi.reported)
        return;
    kprintf("[nmi] cpu%llu%s: %llu NMIs on the IST stack: %llu in ring 3, %llu in ring 0 (%llu in an entry "
            "window), latest at RIP=%016llx\n",
            (unsigned long long)cpu->cpu, total ? " total" : "", (unsigned long long)count, (unsigned long long)ring3,
            (unsigned long long)(count - ring3), (unsigned long long)window, (unsigned long long)cpu->nmi.last_rip);
    cpu->nmi.reported = count;
}

// Prints the totals of every CPU that took an NMI (end of the boot).
void nmi_report_totals(void)
{
    for (unsigned c = 0; c < MAX_CPUS; c++)
        if (percpu_areas[c].self && percpu_areas[c].nmi.count)
            nmi_report(&percpu_areas[c], true);
}
