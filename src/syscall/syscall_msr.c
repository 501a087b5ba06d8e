// The MSR setup for `syscall`/`sysret`, written as reference code: docs/msr.md explains each
// value, and the self-check below compares what the CPU reads back with what we meant.
//
// SDM Vol. 3A 5.8.8 "Fast System Calls in 64-Bit Mode" and Vol. 2B "SYSCALL"/"SYSRET";
// AMD APM Vol. 2 6.1.1 "SYSCALL and SYSRET".
#include "syscall/syscall_msr.h"
#include "arch/x86_64/asm_layout.h"
#include "arch/x86_64/msr.h"
#include "arch/x86_64/percpu.h"
#include "core/console.h"

extern void lstar_entry(void);
extern void cstar_entry(void);

// ---- IA32_STAR: the selectors SYSCALL loads and SYSRET derives ----
// [47:32] SYSCALL: CS = this, SS = this + 8            -> kernel code, kernel data
// [63:48] SYSRET:  CS = this + 16, SS = this + 8 (64-bit) -> user code, user data
//         Intel's SYSRET ORs RPL 3 into both selectors (SDM SYSRET pseudo-code), AMD's only
//         into CS (APM Vol. 3 "SYSRET"): the field is written with RPL 3 already, so ring 3's
//         SS has RPL 3 on both vendors and STAR holds the very selectors ring 3 ends up with.
// [31:0]  SYSCALL's EIP in legacy mode: unused in long mode.
#define STAR_SYSCALL_CS_SHIFT 32
#define STAR_SYSRET_CS_SHIFT 48
static const uint64_t star = ((uint64_t)GDT_USER_CS32 << STAR_SYSRET_CS_SHIFT) |
                             ((uint64_t)GDT_KERNEL_CS << STAR_SYSCALL_CS_SHIFT);
_Static_assert(GDT_USER_CS32 + 16 == GDT_USER_CS && GDT_USER_CS32 + 8 == GDT_USER_DS,
               "STAR[63:48] must sit 16 below the 64-bit user CS and 8 below user data");
_Static_assert(GDT_KERNEL_CS + 8 == GDT_KERNEL_DS, "STAR[47:32] + 8 must be kernel data");

// ---- IA32_FMASK: RFLAGS bits cleared on every `syscall` ----
// We clear what Linux clears: every flag whose user value could mislead or endanger kernel
// code, so the stub starts from a known RFLAGS (the user's copy is safe in R11).
#define FL_CF   (1u << 0)  // status flags: no kernel code may consume user arithmetic state
#define FL_PF   (1u << 2)
#define FL_AF   (1u << 4)
#define FL_ZF   (1u << 6)
#define FL_SF   (1u << 7)
// [mutant fmask-tf: 1u -> 0u]
#define FL_TF   (1u << 8)  // single-step: else #DB on the stub's first instruction, in ring 0
// [mutant fmask-if: 1u -> 0u]
#define FL_IF   (1u << 9)  // interrupts: off until the kernel stack is in place (the stub never enables them)
// [mutant fmask-df: 1u -> 0u]
#define FL_DF   (1u << 10) // direction: the C ABI requires DF = 0; rep movs must count upward
#define FL_OF   (1u << 11)
#define FL_IOPL (3u << 12) // I/O privilege level: meaningless in ring 0, clear for hygiene
// [mutant fmask-nt: 1u -> 0u]
#define FL_NT   (1u << 14) // nested task: an IRET with NT = 1 would fault (#GP in long mode)
// RF is redundant here: SYSCALL clears it by itself (AMD APM Vol. 3 "SYSCALL": RFLAGS.RF = 0;
// older SDM editions: "none of the bits in RFLAGS are automatically cleared (except for RF)";
// the current SDM pseudo-code only applies FMASK). Kept, as Linux keeps it, so a CPU that
// followed the letter of today's SDM would still not suppress a kernel instruction breakpoint.
#define FL_RF   (1u << 16) // resume flag
// [mutant fmask-ac: 1u -> 0u]
#define FL_AC   (1u << 18) // alignment check / SMAP override: AC = 1 would disable SMAP
#define FL_ID   (1u << 21) // CPUID-detect flag: harmless, cleared as Linux does
static const uint64_t fmask = FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_TF | FL_IF | FL_DF | FL_OF | FL_IOPL |
                              FL_NT | FL_RF | FL_AC | FL_ID;

// Points IA32_LSTAR at `entry` (the real stub, or the benchmark's empty one).
void syscall_set_lstar(void (*entry)(void)) { wrmsr(MSR_LSTAR, (uint64_t)entry); }

// Programs this CPU's MSRs for the fast path. GS_BASE/KERNEL_GS_BASE are set by percpu_init.
void syscall_msr_init(void)
{
    wrmsr(MSR_STAR, star);
    wrmsr(MSR_LSTAR, (uint64_t)lstar_entry);  // 64-bit `syscall` lands here
    wrmsr(MSR_CSTAR, (uint64_t)cstar_entry);  // compatibility-mode `syscall` (refused)
    wrmsr(MSR_FMASK, fmask);
    // SYSENTER: CS = 0 makes `sysenter` raise #GP (SDM Vol. 2B "SYSENTER"), which ends the
    // program with a report; ESP/EIP = 0 so no stale value points anywhere.
    wrmsr(MSR_SYSENTER_CS, 0);
    wrmsr(MSR_SYSENTER_ESP, 0);
    wrmsr(MSR_SYSENTER_EIP, 0);
    // EFER.SCE last: `syscall` is #UD until now, so no half-programmed state is reachable.
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
}

// Logs one MSR as read back and counts whether it has the intended value.
static void check_msr(unsigned cpu, const char *name, uint32_t msr, uint64_t want, int *passed, int *failed)
{
    uint64_t got = rdmsr(msr);
    kprintf("[msr] cpu%u %s=0x%016llx\n", cpu, name, (unsigned long long)got);
    if (got == want) {
        ++*passed;
    } else {
        ++*failed;
        kprintf("[msr] cpu%u %s: expected 0x%016llx\n", cpu, name, (unsigned long long)want);
    }
}

// Reads back and logs every MSR the entry path depends on; returns the number that differ.
int syscall_msr_check(unsigned cpu)
{
    int passed = 0, failed = 0;
    check_msr(cpu, "EFER", MSR_EFER, EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE, &passed, &failed);
    check_msr(cpu, "STAR", MSR_STAR, star, &passed, &failed);
    check_msr(cpu, "LSTAR", MSR_LSTAR, (uint64_t)lstar_entry, &passed, &failed);
    check_msr(cpu, "CSTAR", MSR_CSTAR, (uint64_t)cstar_entry, &passed, &failed);
    check_msr(cpu, "FMASK", MSR_FMASK, fmask, &passed, &failed);
    check_msr(cpu, "GS_BASE", MSR_GS_BASE, (uint64_t)&percpu_areas[cpu], &passed, &failed);
    check_msr(cpu, "KERNEL_GS_BASE", MSR_KERNEL_GS_BASE, 0, &passed, &failed);
    kprintf("[msr] cpu%u self-check: %d passed, %d failed\n", cpu, passed, failed);
    return failed;
}
