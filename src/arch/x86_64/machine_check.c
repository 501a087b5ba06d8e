// SPDX-License-Identifier: MIT
// Machine checks: every bank is enabled at boot so that a hardware error arrives as #MC
// (vector 18, on its own IST stack, CR4.MCE set); on #MC the handler reads MCG_STATUS and every
// bank, reports them, and decides by what the SDM says can be recovered: resume, stop the
// interrupted program, or panic. docs/design.md "Machine checks" has the policy as a table.
//
// IF = 0 does not hold a #MC off, so it can interrupt a CPU that holds the console lock or is
// queued for it: the handler takes no lock, and its kprintf lines are recorded in this CPU's
// exception log (trap_dispatch makes it exception context) and printed by ordinary code, each
// CPU's report as one block (docs/design.md "Exception context").
//
// References are to Intel SDM Vol. 3B, chapter "Machine-Check Architecture" (its number moves
// between editions), by section title: "IA32_MCG_STATUS MSR", "IA32_MCi_STATUS MSRS",
// "Detection of Software Error Recovery Support", "UCR Error Reporting and Logging" (table "MC
// Error Classifications"), "UCR Error Classification", "UCR Error Overwrite Rules",
// "Architecturally Defined UCR Errors" and "Machine-Check Exception Handler for Error Recovery"
// (its pseudocode example).
#include <stdbool.h>
#include <stdint.h>
#include "arch/x86_64/machine_check.h"
#include "arch/x86_64/cpuid.h"
#include "arch/x86_64/msr.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/traps.h"
#include "core/console.h"
#include "core/exception_log.h"
#include "core/format.h"
#include "core/panic.h"
#include "core/process.h"

#define MCG_CAP_COUNT(cap) ((unsigned)((cap)&0xff))
#define MCG_CAP_CTL_P (1ull << 8)                    // MCG_CTL is present
#define MCG_CAP_SER_P (1ull << 24)                   // software error recovery: S, AR and the UCR classes exist
#define MCG_STATUS_RIPV (1ull << 0)                  // the interrupted code can restart at the pushed RIP
#define MCG_STATUS_EIPV (1ull << 1)                  // the pushed RIP is the instruction the error is tied to
#define MCG_STATUS_MCIP (1ull << 2)                  // #MC in progress: another one while set shuts the CPU down
#define MSR_MC_CTL(bank) (MSR_MC0_CTL + 4u * (bank)) // bank i's MSRs: MC0's + 4 * i
#define MSR_MC_STATUS(bank) (MSR_MC0_STATUS + 4u * (bank))
#define MSR_MC_ADDR(bank) (MSR_MC0_ADDR + 4u * (bank))
#define MSR_MC_MISC(bank) (MSR_MC0_MISC + 4u * (bank))
#define MCI_STATUS_VAL (1ull << 63)   // the bank holds a valid error
#define MCI_STATUS_OVER (1ull << 62)  // another error came while VAL was set: one was lost
#define MCI_STATUS_UC (1ull << 61)    // uncorrected
#define MCI_STATUS_EN (1ull << 60)    // MCi_CTL enabled signalling this error
#define MCI_STATUS_MISCV (1ull << 59) // MCi_MISC holds information (address mode, LSB)
#define MCI_STATUS_ADDRV (1ull << 58) // MCi_ADDR holds the error's address
#define MCI_STATUS_PCC (1ull << 57)   // processor context corrupt
#define MCI_STATUS_S (1ull << 56)     // signalled as #MC (a UCR error), with MCG_SER_P
#define MCI_STATUS_AR (1ull << 55)    // action required before this CPU runs anything else
#define MCI_MCACOD(status) ((unsigned)((status)&0xffff))
#define MCI_MSCOD(status) ((unsigned)(((status) >> 16) & 0xffff))
#define MCACOD_FILTER (1u << 12) // correction report filtering: not part of the error type
#define MCACOD_DATA_LOAD 0x0134  // SRAR on a data load (16.9.3.2)
#define MCACOD_INSN_FETCH 0x0150 // SRAR on an instruction fetch (16.9.3.2)
#define MAX_BANKS 256            // MCG_CAP.Count is 8 bits

// The classes of the SDM's table "MC Error Classifications", plus the two outcomes its handler
// pseudocode adds: a spurious log, and a signature nothing can recover from.
enum mc_class {
    MC_CORRECTED, // UC=0 (CE): the hardware fixed it
    MC_SPURIOUS,  // UC=1 with EN=0 and OVER=0: logged, but not what raised this #MC
    MC_UCNA,      // UC=1 PCC=0 S=0 AR=0: corrupt data somewhere, not consumed, no action required
    MC_SRAO,      // UC=1 PCC=0 S=1 AR=0: the same, with an optional recovery action
    MC_SRAR,      // UC=1 PCC=0 S=1 AR=1: consumed here; this context cannot go on as it was
    MC_FATAL,     // no recovery possible: reset the system
};

static unsigned banks;

// Enables every error source in this CPU's banks and clears stale status from before the
// boot, saying what it clears; the boot CPU (cpu 0) logs the bank count.
void machine_check_init(unsigned cpu)
{
    if (!(cpuid(CPUID_LEAF_FEATURES, 0).edx & CPUID1_EDX_MCA)) {
        if (cpu == 0)
            kprintf("[cpu] no machine-check architecture: #MC reports carry no bank status\n");
        return;
    }
    uint64_t cap = rdmsr(MSR_MCG_CAP);
    banks = MCG_CAP_COUNT(cap);
    if (cap & MCG_CAP_CTL_P)
        wrmsr(MSR_MCG_CTL, ~0ull);
    for (unsigned b = 0; b < banks; b++) {
        wrmsr(MSR_MC_CTL(b), ~0ull);
        // A bank can still hold an error from before a warm reset (Linux logs those "left over
        // from the previous reset"): worth one line before it is gone.
        uint64_t status = rdmsr(MSR_MC_STATUS(b));
        if (status & MCI_STATUS_VAL)
            kprintf("[mce] cpu%u bank %u: STATUS=0x%016llx left from before this boot, cleared\n", cpu, b,
                    (unsigned long long)status);
        wrmsr(MSR_MC_STATUS(b), 0);
    }
    if (cpu == 0)
        kprintf("[cpu] machine-check banks: %u enabled, software error recovery (MCG_SER_P) %s\n", banks,
                (cap & MCG_CAP_SER_P) ? "yes" : "no");
}

// Sorts one valid bank into its class (16.6.3 and the 16.10.4.1 pseudocode) and writes why
// into `what`. The order of the tests is the pseudocode's.
static enum mc_class classify(uint64_t status, bool ser_p, char *what, size_t n)
{
    if (!(status & MCI_STATUS_UC)) {
        format_buf(what, n, "corrected (CE): the hardware fixed it, nothing to do");
        return MC_CORRECTED;
    }
    // Without MCG_SER_P the processor promises nothing about an uncorrected error: its
    // handler's job is to log and shut down (16.6.1).
    if (!ser_p) {
        format_buf(what, n, "uncorrected, and MCG_CAP.MCG_SER_P=0: this processor offers no recovery");
        return MC_FATAL;
    }
    // EN=0 and OVER=0: a "spurious MCA log" to log and clear; it did not raise this #MC
    // (QEMU's `mce -b` leaves one in the other CPUs' bank 1).
    if (!(status & MCI_STATUS_EN) && !(status & MCI_STATUS_OVER)) {
        format_buf(what, n, "spurious: EN=0, OVER=0: logged without signalling, nothing to recover");
        return MC_SPURIOUS;
    }
    // PCC=1: "recovery is not possible"; the classification table says: reset the system.
    if (status & MCI_STATUS_PCC) {
        format_buf(what, n, "PCC=1: the processor context may be corrupt");
        return MC_FATAL;
    }
    if (!(status & MCI_STATUS_S)) {
        // S=0, AR=1 is no class at all: the pseudocode gives up on it.
        if (status & MCI_STATUS_AR) {
            format_buf(what, n, "S=0 with AR=1: not a valid signature");
            return MC_FATAL;
        }
        format_buf(what, n, "UCNA: uncorrected, no action required (S=0, AR=0): the data was not consumed");
        return MC_UCNA;
    }
    if (!(status & MCI_STATUS_AR)) {
        format_buf(what, n, "SRAO: software recoverable, action optional (S=1, AR=0): the data was not consumed");
        return MC_SRAO;
    }
    // SRAR: the overwrite rules (16.6.4) say an SRAR with OVER=1 needs a reset (the error it
    // displaced is unknown); without MISCV and ADDRV "shut down the system"; for an MCA code
    // the SDM defines no recovery for, "must bugcheck".
    if (status & MCI_STATUS_OVER) {
        format_buf(what, n, "SRAR with OVER=1: an error in this bank was lost");
        return MC_FATAL;
    }
    if (!(status & MCI_STATUS_MISCV) || !(status & MCI_STATUS_ADDRV)) {
        format_buf(what, n, "SRAR without MISCV and ADDRV: no address to recover");
        return MC_FATAL;
    }
    unsigned code = MCI_MCACOD(status) & ~MCACOD_FILTER;
    if (code != MCACOD_DATA_LOAD && code != MCACOD_INSN_FETCH) {
        format_buf(what, n, "SRAR with MCA code 0x%04x, for which the SDM defines no recovery", code);
        return MC_FATAL;
    }
    format_buf(what, n, "SRAR: software recoverable, action required (%s): the data was consumed here",
               code == MCACOD_DATA_LOAD ? "data load" : "instruction fetch");
    return MC_SRAR;
}

// Prints one valid bank: the raw status, each architectural flag, the address and the class.
static void report_bank(unsigned b, uint64_t status, const char *what)
{
    kprintf("[mce] bank %u: STATUS=0x%016llx (%s)\n", b, (unsigned long long)status,
            (status & MCI_STATUS_UC) ? "uncorrected" : "corrected");
    kprintf(
        "[mce] bank %u:   VAL=%d OVER=%d UC=%d EN=%d MISCV=%d ADDRV=%d PCC=%d S=%d AR=%d MCACOD=0x%04x MSCOD=0x%04x\n",
        b, !!(status & MCI_STATUS_VAL), !!(status & MCI_STATUS_OVER), !!(status & MCI_STATUS_UC),
        !!(status & MCI_STATUS_EN), !!(status & MCI_STATUS_MISCV), !!(status & MCI_STATUS_ADDRV),
        !!(status & MCI_STATUS_PCC), !!(status & MCI_STATUS_S), !!(status & MCI_STATUS_AR), MCI_MCACOD(status),
        MCI_MSCOD(status));
    // MCi_ADDR and MCi_MISC may not exist when their valid bit is clear: reading them then
    // raises #GP (16.3.2.3, 16.3.2.4).
    if (status & MCI_STATUS_ADDRV)
        kprintf("[mce] bank %u:   ADDR=0x%016llx\n", b, (unsigned long long)rdmsr(MSR_MC_ADDR(b)));
    if (status & MCI_STATUS_MISCV)
        kprintf("[mce] bank %u:   MISC=0x%016llx\n", b, (unsigned long long)rdmsr(MSR_MC_MISC(b)));
    kprintf("[mce] bank %u:   %s\n", b, what);
}

// Zeroes a bank the handler has read and reported, ADDR and MISC too when valid (16.10.4.1), so
// that the next error is logged afresh instead of as an overflow (OVER) of this one.
static void clear_bank(unsigned b, uint64_t status)
{
    wrmsr(MSR_MC_STATUS(b), 0);
    if (status & MCI_STATUS_ADDRV)
        wrmsr(MSR_MC_ADDR(b), 0);
    if (status & MCI_STATUS_MISCV)
        wrmsr(MSR_MC_MISC(b), 0);
}

// The last step of stopping a program, on its own kernel stack: MCIP cleared, then the fault report and its end.
static __attribute__((noreturn)) void stop_program_on_its_stack(struct trap_frame *tf)
{
    // Only now: until here a second #MC would have reused the IST stack this one still ran on.
    // From here one would find MCIP clear and a free IST stack, and be judged on its own.
    wrmsr(MSR_MCG_STATUS, 0);
    process_kill_after_fault(tf);
}

// Leaves the #MC IST stack for the interrupted program's kernel stack, which is empty (the
// program was in ring 3), and ends the program from there; the IST stack is simply abandoned.
static __attribute__((noreturn)) void stop_program(const struct trap_frame *tf)
{
    struct process *p = process_current();
    if (!p)
        panic_with_frame(tf, "machine check in ring 3 with no current process");
    // The frame travels along at the top of that stack; TF_SIZE % 16 == 0 keeps RSP aligned
    // for the call, as the C ABI wants.
    struct trap_frame *copy = (struct trap_frame *)((p->kernel_stack_top & ~15ull) - sizeof *copy);
    *copy = *tf;
    // The #MC ends here: what follows (the fault report, the switch to the parent) is ordinary
    // code, which prints through the console and its lock like any other. It cannot wait for
    // itself: the #MC came from ring 3, so this CPU held no lock and was queued for none.
    exception_context_leave((unsigned)this_cpu()->cpu);
    __asm__ volatile("mov %%rdi, %%rsp\n\t" // the program's kernel stack, the frame at its top
                     "call %P0\n\t"         // stop_program_on_its_stack(copy): never returns
                     "ud2"
                     :
                     : "i"(stop_program_on_its_stack), "D"(copy)
                     : "memory");
    __builtin_unreachable();
}

// Handles #MC: reads MCG_STATUS and every bank, reports them, and resumes, stops the
// interrupted program, or panics. Resuming and stopping clear every valid bank and then
// MCG_STATUS.MCIP first; a panic leaves them as logged for whoever reads them after the reset.
void machine_check_handle(struct trap_frame *tf)
{
    unsigned long long cpu = this_cpu()->cpu;
    int ring = (int)(tf->cs & 3);
    char fatal[128] = "", what[128];

    if (!banks)
        panic_with_frame(tf, "machine check with no machine-check banks: nothing says what happened");
    bool ser_p = rdmsr(MSR_MCG_CAP) & MCG_CAP_SER_P;
    uint64_t mcg = rdmsr(MSR_MCG_STATUS);
    kprintf("[mce] cpu%llu #MC in ring %d at RIP=%016llx: MCG_STATUS=0x%016llx RIPV=%d EIPV=%d MCIP=%d\n", cpu, ring,
            (unsigned long long)tf->rip, (unsigned long long)mcg, !!(mcg & MCG_STATUS_RIPV), !!(mcg & MCG_STATUS_EIPV),
            !!(mcg & MCG_STATUS_MCIP));

    uint64_t seen[MAX_BANKS / 64] = {0}, status_of[MAX_BANKS];
    unsigned valid = 0;
    const char *uncorrected = NULL; // the first UCNA/SRAO/SRAR seen, by name
    for (unsigned b = 0; b < banks; b++) {
        uint64_t status = rdmsr(MSR_MC_STATUS(b));
        if (!(status & MCI_STATUS_VAL))
            continue; // "do not contain valid error information and do not need to be checked"
        seen[b / 64] |= 1ull << (b % 64);
        status_of[b] = status;
        valid++;
        enum mc_class cls = classify(status, ser_p, what, sizeof what);
        report_bank(b, status, what);
        if (cls == MC_FATAL && !fatal[0])
            format_buf(fatal, sizeof fatal, "bank %u: %s", b, what);
        if (!uncorrected && (cls == MC_UCNA || cls == MC_SRAO || cls == MC_SRAR))
            uncorrected = cls == MC_UCNA ? "UCNA" : cls == MC_SRAO ? "SRAO" : "SRAR";
    }

    // ---- panic: what the SDM says cannot be recovered, whatever the ring ----
    // A fatal bank (above) is a panic even in ring 3: with PCC=1 the processor itself may be
    // corrupt, so ending one program would not contain it ("reset the system"). MCIP=0 means
    // the processor did not signal this #MC ("MCIP=0 upon MCA is unexpected", 16.10.4.1). With
    // no valid bank nothing says the error was contained. RIPV=0 in ring 0: the kernel cannot
    // go on where it was, and has no one else to charge it to.
    if (!fatal[0]) {
        if (!(mcg & MCG_STATUS_MCIP))
            format_buf(fatal, sizeof fatal, "MCIP=0: the processor did not signal this machine check");
        else if (valid == 0)
            format_buf(fatal, sizeof fatal, "no bank holds a valid error: nothing says what happened");
        else if (!(mcg & MCG_STATUS_RIPV) && ring == 0)
            format_buf(fatal, sizeof fatal, "RIPV=0 in ring 0: the kernel cannot go on where it was interrupted");
    }
    if (fatal[0]) {
        kprintf("[mce] cpu%llu verdict: panic: %s; banks left as logged\n", cpu, fatal);
        panic_with_frame(tf, "machine check in ring %d: %s", ring, fatal);
    }

    // ---- stop the program: ring 3, no PCC, and its context cannot (or should not) go on ----
    // RIPV=0 (an SRAR: UC=1 S=1 AR=1, RIPV=0 EIPV=1): the SDM asks for "an alternative
    // execution stream"; the program's parent is one. RIPV=1 with a UCNA or SRAO: the SDM
    // would let it resume, but its recovery action (taking the page at MCi_ADDR out of use)
    // is one lstar does not have, so an uncorrected error costs the program that was running
    // and nothing else.
    bool stop = ring == 3 && (!(mcg & MCG_STATUS_RIPV) || uncorrected);
    if (stop)
        kprintf("[mce] cpu%llu verdict: stop the program: %s %s; banks and MCIP cleared\n", cpu,
                uncorrected ? uncorrected : "an error",
                !(mcg & MCG_STATUS_RIPV) ? "with RIPV=0: it cannot go on where it was interrupted"
                                         : "while it ran, the processor context intact (PCC=0)");
    // ---- resume: RIPV=1 and nothing fatal ----
    // Corrected errors and spurious logs need nothing ("continue"); in ring 0 an uncorrected
    // error with PCC=0 and RIPV=1 was not consumed by this CPU (an SRAR's other CPUs see
    // RIPV=1, EIPV=0), and with AR=0 the SDM says execution "can safely resume".
    else
        kprintf("[mce] cpu%llu verdict: resume at RIP=%016llx (ring %d): %s%s, RIPV=1; banks and MCIP cleared\n", cpu,
                (unsigned long long)tf->rip, ring, uncorrected ? uncorrected : "nothing uncorrected",
                uncorrected ? " contained (PCC=0) and not consumed here" : "");

    for (unsigned b = 0; b < banks; b++)
        if (seen[b / 64] & (1ull << (b % 64)))
            clear_bank(b, status_of[b]);
    if (stop)
        stop_program(tf);     // clears MCIP once off the IST stack
    wrmsr(MSR_MCG_STATUS, 0); // last: a new #MC may come from here on, and finds MCIP clear
}
