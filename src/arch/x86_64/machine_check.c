// Machine checks (SDM Vol. 3B ch. 16): enable error reporting in every bank so that a hardware
// error arrives as #MC (vector 18, on its own IST stack) with CR4.MCE set, and say which bank
// logged what. lstar does not try to recover: #MC in ring 3 ends the program, in ring 0 panics.
#include <stdint.h>
#include "arch/x86_64/machine_check.h"
#include "arch/x86_64/cpuid.h"
#include "arch/x86_64/msr.h"
#include "core/console.h"

#define CPUID1_EDX_MCA (1u << 14)
#define MSR_MCG_CAP 0x179
#define MSR_MCG_STATUS 0x17a
#define MSR_MCG_CTL 0x17b
#define MCG_CAP_COUNT(cap) ((unsigned)((cap) & 0xff))
#define MCG_CAP_CTL_P (1ull << 8)                        // MCG_CTL is present
#define MSR_MC_CTL(bank) (0x400u + 4u * (bank))
#define MSR_MC_STATUS(bank) (0x401u + 4u * (bank))
#define MSR_MC_ADDR(bank) (0x402u + 4u * (bank))
#define MCI_STATUS_VAL (1ull << 63)                      // the bank holds a valid error
#define MCI_STATUS_UC (1ull << 61)                       // uncorrected
#define MCI_STATUS_ADDRV (1ull << 58)                    // MCi_ADDR is valid

static unsigned banks;

// Enables every error source in this CPU's banks and clears stale status from before the
// boot; the boot CPU (cpu 0) logs it.
void machine_check_init(unsigned cpu)
{
    if (!(cpuid(1, 0).edx & CPUID1_EDX_MCA)) {
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
        wrmsr(MSR_MC_STATUS(b), 0);
    }
    if (cpu == 0)
        kprintf("[cpu] machine-check banks: %u enabled\n", banks);
}

// Prints MCG_STATUS and every bank that holds a valid error (from the #MC handler).
void machine_check_report(void)
{
    if (!banks)
        return;
    kprintf("[mce] MCG_STATUS=0x%016llx\n", (unsigned long long)rdmsr(MSR_MCG_STATUS));
    for (unsigned b = 0; b < banks; b++) {
        uint64_t status = rdmsr(MSR_MC_STATUS(b));
        if (!(status & MCI_STATUS_VAL))
            continue;
        kprintf("[mce] bank %u: STATUS=0x%016llx (%s)", b, (unsigned long long)status,
                (status & MCI_STATUS_UC) ? "uncorrected" : "corrected");
        if (status & MCI_STATUS_ADDRV)
            kprintf(" ADDR=0x%016llx", (unsigned long long)rdmsr(MSR_MC_ADDR(b)));
        kprintf("\n");
    }
}
