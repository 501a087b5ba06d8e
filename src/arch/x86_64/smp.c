// SPDX-License-Identifier: MIT
// Starts every CPU the MADT lists (SDM Vol. 3A, section "Multiple-Processor (MP) Initialization" [9.4]):
// INIT, 10 ms, STARTUP, and a second STARTUP if the CPU has not answered, one CPU at a time
// so the log stays readable. Each one runs ap_main: the same per-CPU setup the boot CPU did
// (cpu_init), its MSRs read back and logged as `[msr] cpuN ...`, its own timer, and then it
// waits for the work the boot CPU hands it: the lock check's share (smp_call, ktest_locks.c),
// then its share of the run= list (smp_run), after which it halts.
#include <stdbool.h>
#include "arch/x86_64/smp.h"
#include "arch/x86_64/cpu_init.h"
#include "arch/x86_64/cr.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/msr.h"
#include "arch/x86_64/nmi_storm.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/qemu_exit.h"
#include "arch/x86_64/stacks.h"
#include "arch/x86_64/timer.h"
#include "arch/x86_64/traps.h"
#include "arch/x86_64/watchdog.h"
#include "core/acpi.h"
#include "core/console.h"
#include "core/multiboot2.h"
#include "core/panic.h"
#include "core/string.h"

extern const char ap_trampoline_start[], ap_trampoline_end[];
extern uint64_t ap_trampoline_cr3, ap_trampoline_stack, ap_trampoline_cpu, ap_trampoline_entry;

static volatile unsigned online = 1; // the boot CPU
static volatile int ap_failures;
static volatile bool ap_ready;
static bool ap_tick; // start each AP's local APIC timer (timer=on)

// What the boot CPU hands each AP (smp_call, smp_run), and when the AP is through with it.
static struct {
    void (*volatile work)(unsigned cpu); // NULL: nothing to do yet
    volatile bool last;                  // smp_run's: after it the AP halts for good
    volatile bool done;
} ap_work[MAX_CPUS];

// Makes physical ACPI tables readable for acpi.c: only what the direct map covers.
static const void *acpi_map(uint64_t phys, size_t len)
{
    if (phys + len < phys || phys + len > paging_direct_map_end)
        return NULL;
    return phys_to_virt(phys);
}

// Busy-waits about `us` microseconds on the TSC.
static void delay_us(uint64_t us)
{
    uint64_t end = rdtsc() + tsc_hz() / 1000000 * us;
    while (rdtsc() < end)
        __asm__ volatile("pause");
}

// The 64-bit entry of every other CPU, on its own stack (ap_trampoline.asm); `cpu` comes from
// the trampoline, so it is this CPU's number independently of GS.
__attribute__((noreturn)) void ap_main(uint64_t cpu)
{
    int failures = cpu_init((unsigned)cpu);
    __atomic_fetch_add(&ap_failures, failures, __ATOMIC_RELAXED);
    // [mutant ap-lint1-nmi: delete]
    lapic_lint1_nmi(); // an NMI on the pin (QEMU's monitor `nmi`) reaches this CPU too
    // [mutant ap-timer: ap_tick -> false]
    if (ap_tick)
        lapic_timer_start(VEC_LAPIC_TIMER, VEC_APIC_SPURIOUS, TIMER_HZ);
    __atomic_store_n(&ap_ready, true, __ATOMIC_RELEASE);
    nmi_storm_serve((unsigned)cpu); // nmistorm=N: cpu1 sends cpu0 its NMIs first
    for (bool last = false; !last;) {
        void (*work)(unsigned);
        while ((work = __atomic_load_n(&ap_work[cpu].work, __ATOMIC_ACQUIRE)) == NULL) {
            if (ap_tick)
                __asm__ volatile("sti; hlt; cli" ::: "memory"); // the next tick wakes it to look again
            else
                __asm__ volatile("pause");
        }
        last = ap_work[cpu].last;
        irq_enable(); // the tick may stop a program that uses up its time (limit=)
        work((unsigned)cpu);
        irq_disable();
        ap_work[cpu].work = NULL; // before `done`: the next smp_call finds the slot free
        __atomic_store_n(&ap_work[cpu].done, true, __ATOMIC_RELEASE);
    }
    // Its last work done, the AP halts rather than polls, so that it takes no host time from
    // the CPUs still running programs (under TCG each vCPU is a host thread). Its tick stops
    // with it, on purpose: out of the watchdog's ring first.
    // [mutant watchdog-park: delete]
    watchdog_park((unsigned)cpu);
    cpu_halt_forever(); // NMIs are still taken (IST stack) and return here
}

// Tells whether `cpu` came online.
bool smp_cpu_online(unsigned cpu) { return cpu < online; }

// Returns how many CPUs are online (the boot CPU included).
unsigned smp_online_cpus(void) { return online; }

// Hands `work` to AP `cpu`; `last`: the AP halts for good once it returns.
static void hand_over(unsigned cpu, void (*work)(unsigned cpu), bool last)
{
    KASSERT(cpu > 0 && cpu < online);
    KASSERT(ap_work[cpu].work == NULL); // smp_wait before handing over more
    ap_work[cpu].last = last;
    ap_work[cpu].done = false;
    __atomic_store_n(&ap_work[cpu].work, work, __ATOMIC_RELEASE); // publishes `last` and `done`
}

// Hands `work` to AP `cpu`, which runs it at once and then waits for more; smp_wait waits for
// it to return.
void smp_call(unsigned cpu, void (*work)(unsigned cpu)) { hand_over(cpu, work, false); }

// Hands AP `cpu` its last work: the AP runs it, then halts for good. smp_wait waits for it.
void smp_run(unsigned cpu, void (*work)(unsigned cpu)) { hand_over(cpu, work, true); }

// Waits until AP `cpu` has finished what smp_call or smp_run gave it.
void smp_wait(unsigned cpu)
{
    while (!__atomic_load_n(&ap_work[cpu].done, __ATOMIC_ACQUIRE))
        __asm__ volatile("pause");
}

// Sends every other CPU an NMI that stops it (panic.c); returns how many CPUs that is.
unsigned smp_stop_other_cpus(void)
{
    if (online < 2 || !lapic_send_nmi_all_others())
        return 0;
    return online - 1;
}

// Copies the trampoline, starts one CPU with INIT-SIPI-SIPI and waits for it; false on timeout.
static bool start_cpu(unsigned cpu, uint8_t apic_id)
{
    char *tramp = phys_to_virt(AP_TRAMPOLINE_PHYS);
    memcpy(tramp, ap_trampoline_start, (size_t)(ap_trampoline_end - ap_trampoline_start));
    // The data fields, at the same offsets in the copy as in the original.
#define FIELD(sym) (*(uint64_t *)(tramp + ((const char *)&(sym)-ap_trampoline_start)))
    FIELD(ap_trampoline_cr3) = paging_kernel_cr3();
    FIELD(ap_trampoline_stack) = stack_cpu_top(cpu);
    FIELD(ap_trampoline_cpu) = cpu;
    FIELD(ap_trampoline_entry) = (uint64_t)ap_main;
#undef FIELD
    __atomic_store_n(&ap_ready, false, __ATOMIC_RELEASE);
    if (!lapic_send_init(apic_id))
        return false;
    delay_us(10000);
    for (int attempt = 0; attempt < 2; attempt++) {
        if (!lapic_send_startup(apic_id, AP_TRAMPOLINE_PHYS))
            return false;
        for (uint64_t waited = 0; waited < (attempt ? 1000000 : 200); waited += 100) {
            if (__atomic_load_n(&ap_ready, __ATOMIC_ACQUIRE))
                return true;
            delay_us(100);
        }
    }
    return false;
}

// Starts every CPU listed by the MADT; returns how many failed to start or to check out.
int smp_start_cpus(const struct mb2_info *info, bool tick)
{
    ap_tick = tick;
    struct acpi_cpus cpus;
    char why[128];
    if (acpi_find_cpus(info->rsdp, info->rsdp_size, acpi_map, &cpus, why, sizeof why) != 0) {
        kprintf("[smp] running on the boot CPU only: %s\n", why);
        return 0;
    }
    // lstar drives the local APIC through its MMIO page (xAPIC mode). Firmware may hand over
    // with the APIC globally disabled or already in x2APIC mode, where that page is dead.
    uint64_t apic_base = rdmsr(MSR_APIC_BASE);
    if (!(apic_base & APIC_BASE_ENABLE) || (apic_base & APIC_BASE_X2APIC)) {
        kprintf("[smp] running on the boot CPU only: the local APIC is %s\n",
                (apic_base & APIC_BASE_ENABLE) ? "in x2APIC mode" : "disabled");
        return 0;
    }
    lapic_map(cpus.lapic_phys);
    uint8_t self = lapic_id();
    percpu_areas[0].apic_id = self;
    kprintf("[smp] MADT lists %u CPU(s), local APICs at 0x%llx; boot CPU has APIC id %u\n", cpus.count,
            (unsigned long long)cpus.lapic_phys, self);
    if (cpus.skipped)
        kprintf("[smp] %u CPU(s) left out (x2APIC-only IDs or more than %d)\n", cpus.skipped, ACPI_MAX_CPUS);

    // The trampoline runs with the kernel's page tables before it can reach the higher half:
    // map its page at its own address for as long as CPUs are starting.
    if (paging_map(paging_kernel_cr3(), AP_TRAMPOLINE_PHYS, AP_TRAMPOLINE_PHYS, PTE_WRITABLE) != 0)
        panic("the AP trampoline page is already mapped");
    int failures = 0;
    for (unsigned i = 0; i < cpus.count; i++) {
        if (cpus.apic_id[i] == self)
            continue;
        if (online >= MAX_CPUS) {
            kprintf("[smp] APIC id %u left out: lstar supports %d CPUs\n", cpus.apic_id[i], MAX_CPUS);
            continue;
        }
        unsigned cpu = online;
        percpu_areas[cpu].apic_id = cpus.apic_id[i];
        if (!start_cpu(cpu, cpus.apic_id[i])) {
            kprintf("[smp] cpu%u (APIC id %u) did not come online\n", cpu, cpus.apic_id[i]);
            failures++;
            continue;
        }
        online++;
    }
    paging_unmap(paging_kernel_cr3(), AP_TRAMPOLINE_PHYS, NULL);
    failures += ap_failures;
    kprintf("[smp] %u CPU(s) online\n", online);
    return failures + cpu_check_distinct(online);
}
