// SPDX-License-Identifier: MIT
// The crash= option's failures, each one a kernel bug the runner must catch.
#include "core/crash.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/qemu_exit.h"
#include "arch/x86_64/smp.h"
#include "core/console.h"
#include "core/panic.h"
#include "core/spinlock.h"

static volatile unsigned panic_ready; // CPUs waiting for the signal to panic together
static volatile bool panic_go;

// crash=panicall on one CPU: wait until every CPU is ready, then panic with the others.
static __attribute__((noreturn)) void panic_together(unsigned cpu)
{
    __atomic_fetch_add(&panic_ready, 1, __ATOMIC_RELEASE);
    while (!__atomic_load_n(&panic_go, __ATOMIC_ACQUIRE))
        __asm__ volatile("pause");
    panic("deliberate panic on cpu%u (crash=panicall)", cpu);
}

// Has every CPU panic at the same moment: one report must win, the rest stop silently.
static __attribute__((noreturn)) void panic_on_every_cpu(void)
{
    unsigned cpus = smp_online_cpus();
    kprintf("[boot] crash=panicall: %u CPU(s) panic at once\n", cpus);
    for (unsigned cpu = 1; cpu < cpus; cpu++)
        smp_run(cpu, panic_together);
    while (__atomic_load_n(&panic_ready, __ATOMIC_ACQUIRE) < cpus - 1)
        __asm__ volatile("pause");
    __atomic_store_n(&panic_go, true, __ATOMIC_RELEASE);
    panic_together(0);
}

// crash=hang: says so, then stops this CPU's tick for good, the way a kernel bug would. Out of
// line, so that the report's RIP names it and its backtrace the caller; the kprintf call also
// keeps its frame, which GCC leaves out of a leaf function that never returns.
static __attribute__((noinline, noreturn)) void hang_with_interrupts_off(unsigned cpu)
{
    if (cpu == 0)
        kprintf("[boot] crash=hang: cpu0 halts with interrupts off\n");
    else
        kprintf("[boot] crash=hang@%u: cpu%u halts with interrupts off\n", cpu, cpu);
    for (;;)
        __asm__ volatile("cli; hlt"); // hlt rather than a spin: the host's core stays free
}

// crash=hang@CPU on an AP: what smp_run gives that CPU.
static void hang_on_this_cpu(unsigned cpu) { hang_with_interrupts_off(cpu); }

// crash=hang@CPU: hangs `cpu`; the boot CPU goes on taking its tick meanwhile, so that only
// another CPU's watchdog can end the run (docs/design.md "Hard lockups").
static __attribute__((noreturn)) void hang(unsigned cpu)
{
    if (cpu == 0)
        hang_with_interrupts_off(0);
    if (!smp_cpu_online(cpu))
        panic("crash=hang@%u: cpu%u is not online (%u CPU(s))", cpu, cpu, smp_online_cpus());
    smp_run(cpu, hang_on_this_cpu);
    for (;;)
        __asm__ volatile("sti; hlt; cli" ::: "memory"); // ticking, and waiting for the end
}

// Fails the way `how` says (a hang on CPU `cpu`), or returns at once for CRASH_NONE.
void crash_if_requested(enum cmdline_crash how, unsigned cpu)
{
    switch (how) {
    case CRASH_NONE:
        return;
    case CRASH_PANIC:
        panic("deliberate panic (crash=panic)");
    case CRASH_PANIC_ALL:
        panic_on_every_cpu();
    case CRASH_PAGEFAULT:
        kprintf("[boot] crash=pagefault: reading address 0 in ring 0\n");
        (void)*(volatile uint64_t *)0;
        panic("reading address 0 did not fault");
    case CRASH_TRIPLE: {
        kprintf("[boot] crash=triple: empty IDT, then int3\n");
        struct {
            uint16_t limit;
            uint64_t base;
        } __attribute__((packed)) empty = {0, 0};
        // #BP finds no gate -> #GP, which finds none -> #DF, which finds none: the CPU resets
        // (shutdown), and with -no-reboot QEMU exits without an isa-debug-exit code.
        __asm__ volatile("lidt %0; int3" ::"m"(empty));
        panic("int3 with an empty IDT returned");
    }
    case CRASH_STACK_OVERFLOW:
        // Walk RSP down the boot stack a page at a time until the store hits its guard page.
        // The #PF cannot be delivered on that stack (its frame would go to the guard page
        // too), so the CPU raises #DF, which runs on its own IST stack and reports.
        kprintf("[boot] crash=stackoverflow: running the boot stack into its guard page\n");
        __asm__ volatile("1: subq $4096, %%rsp\n\tmovq $0, (%%rsp)\n\tjmp 1b" ::: "memory");
        __builtin_unreachable();
    case CRASH_HANG:
        hang(cpu);
    case CRASH_DEADLOCK: {
        // The second spin_lock waits for a turn that never comes: its watchdog must end the
        // wait with a panic report (spinlock.c), where a plain spin would hang in silence.
        static struct spinlock lock = SPINLOCK_INIT;
        kprintf("[boot] crash=deadlock: taking a spinlock this CPU already holds\n");
        spin_lock(&lock);
        spin_lock(&lock);
        panic("a spinlock held by this CPU was taken again");
    }
    }
}
