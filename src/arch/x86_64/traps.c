// SPDX-License-Identifier: MIT
// Exception and interrupt handling: reports, the timer tick, and who pays for a fault.
//
// A fault in ring 3 ends that program with a report and the kernel carries on; a fault in
// the kernel is a kernel bug and panics. NMI and #DB are the exceptions to "fault": an NMI is
// counted (nmi.c), a single step is counted and TF cleared (debug_trap.c), and a machine check
// is judged by what the banks say (machine_check.c).
#include "arch/x86_64/traps.h"
#include "arch/x86_64/cr.h"
#include "arch/x86_64/debug_trap.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/machine_check.h"
#include "arch/x86_64/nmi.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/pic.h"
#include "arch/x86_64/stacks.h"
#include "arch/x86_64/timer.h"
#include "arch/x86_64/watchdog.h"
#include "core/console.h"
#include "core/exception_log.h"
#include "core/ksyms.h"
#include "core/panic.h"
#include "core/process.h"

volatile uint64_t timer_ticks;

static uint64_t expect_vector = ~0ull, expect_resume;
static int expect_taken;

static const char *const vector_names[EXCEPTION_VECTORS] = {
    "#DE divide error",
    "#DB debug",
    "NMI",
    "#BP breakpoint",
    "#OF overflow",
    "#BR bound range",
    "#UD invalid opcode",
    "#NM device not available",
    "#DF double fault",
    "coprocessor overrun",
    "#TS invalid TSS",
    "#NP segment not present",
    "#SS stack fault",
    "#GP general protection",
    "#PF page fault",
    "reserved 15",
    "#MF x87 error",
    "#AC alignment check",
    "#MC machine check",
    "#XM SIMD error",
    "#VE virtualization",
    "#CP control protection",
    "reserved 22",
    "reserved 23",
    "reserved 24",
    "reserved 25",
    "reserved 26",
    "reserved 27",
    "#HV hypervisor injection",
    "#VC VMM communication",
    "#SX security",
    "reserved 31",
};

// Names a vector for reports.
const char *trap_vector_name(uint64_t vector)
{
    if (vector < EXCEPTION_VECTORS)
        return vector_names[vector];
    if (vector == VEC_INT80)
        return "int 0x80";
    return "interrupt";
}

// Arms the self-check hook: the next `vector` in the kernel resumes at `resume`.
void trap_expect(uint64_t vector, uint64_t resume)
{
    expect_vector = vector;
    expect_resume = resume;
    expect_taken = 0;
}

// Tells whether the armed exception happened (and disarms the hook).
int trap_expected_taken(void)
{
    int taken = expect_taken;
    expect_vector = ~0ull;
    expect_taken = 0;
    return taken;
}

// Spells out a #PF error code (SDM Vol. 3A "Page-Fault Exceptions").
static void print_pf_error(uint64_t e)
{
    kprintf("[%s%s%s%s%s]", e & 1 ? "protection-violation" : "not-present", e & 2 ? " write" : " read",
            e & 4 ? " user" : " supervisor", e & 8 ? " reserved-bit" : "", e & 16 ? " instruction-fetch" : "");
}

// Spells out a selector error code (#GP, #NP, #SS, #TS; SDM Vol. 3A "Error Code").
static void print_selector_error(uint64_t e)
{
    if (e == 0) {
        kprintf("[no selector]");
        return;
    }
    const char *table = (e & 2) ? "IDT" : (e & 4) ? "LDT" : "GDT";
    // For an IDT entry the SDM puts the vector in bits 15:3; QEMU 7.2's TCG reports twice the
    // vector there in 64-bit mode (16-byte gates), so the field is shown as it is.
    kprintf("[%s, index field 0x%llx%s]", table, (unsigned long long)(e >> 3), e & 1 ? " external" : "");
}

// Prints the whole frame: vector, decoded error code, the CPU's frame, CR2, CR3, registers.
void trap_print_frame(const struct trap_frame *tf)
{
    const char *tag = (tf->cs & 3) ? "[fault]" : "[panic]";
    kprintf("%s vector %llu (%s), error code 0x%llx ", tag, (unsigned long long)tf->vector,
            trap_vector_name(tf->vector), (unsigned long long)tf->error_code);
    if (tf->vector == VEC_PF)
        print_pf_error(tf->error_code);
    else if (tf->vector == VEC_GP || tf->vector == 10 || tf->vector == 11 || tf->vector == 12)
        print_selector_error(tf->error_code);
    kprintf("\n%s   RIP=%016llx", tag, (unsigned long long)tf->rip);
    if (!(tf->cs & 3))
        ksym_print(tf->rip);
    kprintf(" CS=%04llx RFLAGS=%016llx\n", (unsigned long long)tf->cs, (unsigned long long)tf->rflags);
    kprintf("%s   RSP=%016llx SS=%04llx CR2=%016llx CR3=%016llx\n", tag, (unsigned long long)tf->rsp,
            (unsigned long long)tf->ss, (unsigned long long)read_cr2(), (unsigned long long)read_cr3());
    kprintf("%s   RAX=%016llx RBX=%016llx RCX=%016llx RDX=%016llx\n", tag, (unsigned long long)tf->rax,
            (unsigned long long)tf->rbx, (unsigned long long)tf->rcx, (unsigned long long)tf->rdx);
    kprintf("%s   RSI=%016llx RDI=%016llx RBP=%016llx R8 =%016llx\n", tag, (unsigned long long)tf->rsi,
            (unsigned long long)tf->rdi, (unsigned long long)tf->rbp, (unsigned long long)tf->r8);
    kprintf("%s   R9 =%016llx R10=%016llx R11=%016llx R12=%016llx\n", tag, (unsigned long long)tf->r9,
            (unsigned long long)tf->r10, (unsigned long long)tf->r11, (unsigned long long)tf->r12);
    kprintf("%s   R13=%016llx R14=%016llx R15=%016llx\n", tag, (unsigned long long)tf->r13, (unsigned long long)tf->r14,
            (unsigned long long)tf->r15);
    // What the entry stub left this handler with, whatever the program's flags were: the
    // stubs clear DF and AC (cld, clac) and the gate IF, so a report saying otherwise is a bug.
    uint64_t k = read_rflags();
    kprintf("%s   the handler ran with IF=%d DF=%d AC=%d\n", tag, (int)((k >> 9) & 1), (int)((k >> 10) & 1),
            (int)((k >> 18) & 1));
    const char *stack;
    // A #DF keeps the CR2 of the #PF that could not be delivered: an overflow shows as either.
    if ((tf->vector == VEC_PF || tf->vector == VEC_DF) && stack_guard_hit(read_cr2(), &stack))
        kprintf("%s   CR2 is in the guard page of a %s: stack overflow\n", tag, stack);
}

// Handles a hardware interrupt (the PIC's vectors VEC_IRQ0-VEC_IRQ15, 32-47).
static void handle_irq(struct trap_frame *tf)
{
    uint8_t irq = (uint8_t)(tf->vector - VEC_IRQ0);
    if ((irq == 7 || irq == 15) && pic_is_spurious(irq)) {
        if (irq == 15)
            pic_eoi(2); // the master saw a real IRQ2 from the slave
        return;
    }
    if (irq == 0) {
        timer_ticks++;
        watchdog_tick((unsigned)this_cpu()->cpu); // the PIT ticks cpu0 only, but ask rather than assume
    }
    pic_eoi(irq);
    // What NMI, #MC and #DB handlers recorded, on any CPU: a report must not wait for the next
    // line someone prints. Safe at any tick: the console lock is held only with IF = 0.
    if (irq == 0)
        console_print_recorded();
    if (irq == 0 && (tf->cs & 3)) {
        // Ring 3 was interrupted, so no kernel line is half printed: a safe moment to say what
        // the NMI handler only counted. Once a second at most.
        if (timer_ticks % TIMER_HZ == 0)
            nmi_report(this_cpu(), false);
        process_user_tick(); // may stop the program: after the EOI, which it would never reach
    }
}

// Handles the local APIC's vectors: the tick of the CPUs other than cpu0, and its spurious vector.
static void handle_lapic(struct trap_frame *tf)
{
    if (tf->vector == VEC_APIC_SPURIOUS)
        return; // the APIC withdrew the interrupt: nothing to acknowledge
    struct percpu *cpu = this_cpu();
    cpu->lapic_ticks++;
    watchdog_tick((unsigned)cpu->cpu);
    lapic_eoi();
    // What NMI, #MC and #DB handlers recorded: an idle AP prints nothing else (handle_irq).
    console_print_recorded();
    if (tf->cs & 3) { // as for the PIT on cpu0 (handle_irq)
        if (cpu->lapic_ticks % TIMER_HZ == 0)
            nmi_report(cpu, false);
        process_user_tick();
    }
}

extern const char syscall_iretq[], syscall_iretq_hardened[], trap_common_iretq[];

// Tells whether a ring-0 fault is an `iretq` back to ring 3 that the CPU refused (a
// non-canonical RIP, a null or wrong SS or CS in the frame: SDM Vol. 2A "IRET"), and if so fills
// *user with the program's view: its registers (the exit had restored them) and the frame the
// iretq refused, which sits where the iretq's RSP points. trap_common already swapped GS.
static bool refused_iret_to_user(const struct trap_frame *tf, struct trap_frame *user)
{
    if (tf->cs & 3 || (tf->rip != (uint64_t)syscall_iretq && tf->rip != (uint64_t)syscall_iretq_hardened &&
                       tf->rip != (uint64_t)trap_common_iretq))
        return false;
    const uint64_t *refused = (const uint64_t *)tf->rsp; // RIP, CS, RFLAGS, RSP, SS
    if (!(refused[1] & 3))
        return false;
    *user = *tf;
    user->rip = refused[0], user->cs = refused[1], user->rflags = refused[2];
    user->rsp = refused[3], user->ss = refused[4];
    return true;
}

// This CPU's number as the console tells it (console.c): cpu0 until GS holds a per-CPU area.
static unsigned cpu_number(void) { return percpu_ready ? (unsigned)this_cpu()->cpu : 0; }

// The C entry of every exception and IRQ stub.
void trap_dispatch(struct trap_frame *tf)
{
    // NMI, #DB and #MC run in exception context: they can land on a CPU inside a lock or queued
    // for one, so whatever they print is recorded and printed later (exception_log.c).
    if (tf->vector == VEC_NMI) {
        exception_context_enter(cpu_number());
        nmi_handle(tf); // first, and nothing else: bounded work only (nmi.c)
        exception_context_leave(cpu_number());
        return;
    }
    if (tf->vector >= VEC_LAPIC_TIMER) {
        handle_lapic(tf);
        return;
    }
    if (tf->vector >= VEC_IRQ0) {
        handle_irq(tf);
        return;
    }
    if (tf->vector == VEC_DB) {
        exception_context_enter(cpu_number());
        bool absorbed = debug_trap_handle(tf);
        exception_context_leave(cpu_number());
        if (absorbed)
            return; // otherwise a kernel bug: the panic below claims the console for itself
    }
    if (tf->vector == VEC_MC) {
        exception_context_enter(cpu_number());
        machine_check_handle(tf); // resumes, stops the program (leaving exception context) or panics
        exception_context_leave(cpu_number());
        return;
    }
    if (tf->cs & 3)
        process_kill_after_fault(tf);
    struct trap_frame user;
    if (refused_iret_to_user(tf, &user)) {
        // As Linux does for a faulting IRET: the program's return frame is bad, so the program
        // pays, with a report of that frame, and the kernel goes on.
        kprintf("[fault] the iretq back to ring 3 raised %s (error code 0x%llx) on the program's frame: "
                "RIP=%016llx CS=%04llx SS=%04llx\n",
                trap_vector_name(tf->vector), (unsigned long long)tf->error_code, (unsigned long long)user.rip,
                (unsigned long long)user.cs, (unsigned long long)user.ss);
        process_kill_after_fault(&user);
    }
    if (tf->vector == expect_vector) {
        kprintf("[ktest] caught the expected %s at RIP=%016llx CR2=%016llx, resuming\n", trap_vector_name(tf->vector),
                (unsigned long long)tf->rip, (unsigned long long)read_cr2());
        expect_taken = 1;
        expect_vector = ~0ull;
        tf->rip = expect_resume;
        return;
    }
    panic_with_frame(tf, "%s in the kernel", trap_vector_name(tf->vector));
}
