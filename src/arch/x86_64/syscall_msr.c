// SPDX-License-Identifier: MIT
// The MSR setup for `syscall`/`sysret`, written as reference code: docs/msr.md explains each
// value, and the self-check below compares what the CPU reads back with what we meant.
//
// Intel SDM Vol. 2B, instruction pages "SYSCALL—Fast System Call" and "SYSRET—Return From Fast
// System Call"; SDM Vol. 3A "Fast System Calls in 64-Bit Mode" (its figure "MSRs Used by
// SYSCALL and SYSRET"); AMD APM Vol. 2 "SYSCALL and SYSRET".
#include "arch/x86_64/syscall_msr.h"
#include "arch/x86_64/arch_bits.h"
#include "arch/x86_64/asm_layout.h"
#include "arch/x86_64/control_regs.h"
#include "arch/x86_64/cpu_features.h"
#include "arch/x86_64/cpuid.h"
#include "arch/x86_64/msr.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/stacks.h"
#include "core/console.h"
#include "core/string.h"

#include "arch/x86_64/mitigations.h"

extern void cstar_entry(void);
extern void sysenter_entry(void);
extern void sysenter32_entry(void);

// ---- IA32_STAR: the selectors SYSCALL loads and SYSRET derives ----
//
//   63               48 47               32 31                              0
//  +-------------------+-------------------+---------------------------------+
//  | SYSRET CS and SS  | SYSCALL CS and SS | Intel: reserved                 |
//  | selector base     | selector base     | AMD: legacy-mode SYSCALL EIP    |
//  | = GDT_USER_CS32   | = GDT_KERNEL_CS   | (unused in long mode) = 0       |
//  +-------------------+-------------------+---------------------------------+
//
// [47:32] SYSCALL:               CS = this,      SS = this + 8 -> kernel code, kernel data
// [63:48] SYSRET to 64-bit mode: CS = this + 16, SS = this + 8 -> user code, user data
//         (a 32-bit SYSRET would load CS = this: the user 32-bit code placeholder).
//         Intel's SYSRET ORs RPL 3 into both selectors (SDM Vol. 2B SYSRET pseudo-code), AMD's
//         only into CS (APM Vol. 3 "SYSRET"): the field is written with RPL 3 already, so ring
//         3's SS has RPL 3 on both vendors and STAR holds the very selectors ring 3 ends up with.
// [31:0]  SYSCALL's EIP in legacy mode (AMD; reserved on Intel): unused in long mode, left 0.
// That the GDT really has this layout (kernel DS = kernel CS + 8, user DS = user CS32 + 8, user
// CS = user CS32 + 16, RPLs) is proved at compile time, once, by the _Static_asserts in gdt.c.
#define STAR_SYSCALL_CS_SHIFT 32
#define STAR_SYSRET_CS_SHIFT 48
static const uint64_t star = ((uint64_t)GDT_USER_CS32 << STAR_SYSRET_CS_SHIFT) |
                             ((uint64_t)GDT_KERNEL_CS << STAR_SYSCALL_CS_SHIFT);

// ---- IA32_FMASK: RFLAGS bits cleared on every `syscall` ----
// SYSCALL saves RFLAGS in R11, then clears each RFLAGS bit that is set here (SDM Vol. 2B
// SYSCALL: "RFLAGS := RFLAGS AND NOT(IA32_FMASK)"). We clear what Linux clears: every flag whose
// user value could mislead or endanger kernel code, so the stub starts from a known RFLAGS (the
// user's copy is safe in R11).
//
// RF is redundant here: SYSCALL clears it by itself (AMD APM Vol. 3 "SYSCALL": RFLAGS.RF = 0;
// older SDM editions: "none of the bits in RFLAGS are automatically cleared (except for RF)";
// the current SDM pseudo-code only applies FMASK). Kept, as Linux keeps it, so a CPU that
// followed the letter of today's SDM would still not suppress a kernel instruction breakpoint.
// One bit per line, each with its reason: kept as laid out here.
// clang-format off
enum {
    FMASK = RFLAGS_CF   // the status flags (CF PF AF ZF SF OF): no kernel code may consume
          | RFLAGS_PF   //   the user's arithmetic state
          | RFLAGS_AF
          | RFLAGS_ZF
          | RFLAGS_SF
          | RFLAGS_OF
          | RFLAGS_TF   // single step: else #DB on the stub's first instruction, in ring 0
          | RFLAGS_IF   // interrupts: off until the kernel stack is in place (the stub never enables them)
          | RFLAGS_DF   // direction: the C ABI requires DF = 0; rep movs must count upward
          | RFLAGS_IOPL // I/O privilege level: meaningless in ring 0, cleared for hygiene
          | RFLAGS_NT   // nested task: an IRET with NT = 1 would fault (#GP in long mode)
          | RFLAGS_RF   // resume flag: redundant (above), kept as Linux keeps it
          | RFLAGS_AC   // alignment check / SMAP override: AC = 1 would disable SMAP
          | RFLAGS_ID,  // CPUID-detect flag: harmless, cleared as Linux does
};
// clang-format on
_Static_assert(FMASK == 0x257fd5, "docs/msr.md documents IA32_FMASK = 0x0000000000257fd5: change both together");

// The FMASK value syscall_msr_init writes and syscall_msr_check expects. The mutation test
// (cmake/mutants.sh) takes one safety bit out here, in both places at once, leaving FMASK and
// its assert intact: only a test of behaviour, or of the logged value, can then notice.
// [mutant fmask-tf: FMASK -> "FMASK & ~RFLAGS_TF"]
// [mutant fmask-if: FMASK -> "FMASK & ~RFLAGS_IF"]
// [mutant fmask-df: FMASK -> "FMASK & ~RFLAGS_DF"]
// [mutant fmask-nt: FMASK -> "FMASK & ~RFLAGS_NT"]
// [mutant fmask-ac: FMASK -> "FMASK & ~RFLAGS_AC"]
static const uint64_t fmask = FMASK;

// Points IA32_LSTAR at `entry` (the real stub, or the benchmark's empty one).
void syscall_set_lstar(void (*entry)(void)) { wrmsr(MSR_LSTAR, (uint64_t)entry); }

// ---- IA32_SYSENTER_CS, _ESP, _EIP: the `sysenter` entry (docs/msr.md) ----
//
// SDM Vol. 2B "SYSENTER" and "SYSEXIT"; SDM Vol. 3A "SYSENTER and SYSEXIT Instructions in
// IA-32e Mode". SYSENTER in 64-bit or compatibility mode enters 64-bit mode with
//   CS = IA32_SYSENTER_CS, SS = IA32_SYSENTER_CS + 8, RIP = IA32_SYSENTER_EIP,
//   RSP = IA32_SYSENTER_ESP
// (all 64 bits of the last two); 64-bit SYSEXIT loads CS = IA32_SYSENTER_CS + 32 and SS = + 40,
// 32-bit SYSEXIT CS = + 16 and SS = + 24, each with RPL 3. gdt.c proves those are the GDT's user
// selectors when IA32_SYSENTER_CS = GDT_KERNEL_CS. A SYSENTER_CS of 0 makes `sysenter` #GP(0).
// AMD CPUs raise #UD for SYSENTER and SYSEXIT in long mode whatever these hold (AMD APM Vol. 3
// "SYSENTER", "SYSEXIT"): on them nothing here is written.
static const uint64_t sysenter_cs = GDT_KERNEL_CS;

// IA32_SYSENTER_ESP of `cpu`. SYSENTER loads RSP from it and saves nothing, so it must be a
// per-CPU value (two CPUs may enter at once) and cannot be the running process's kernel stack,
// which changes at every context switch (that would cost a wrmsr per switch). The stub never uses
// it: its first two instructions are swapgs and the load of the process's stack from the per-CPU
// area (sysenter_entry.asm), and the only events that can arrive before that, NMI, #MC and #DB,
// run on IST stacks. So it points where a use would be caught at once: the bottom of this CPU's
// #DF stack, whose guard page below is unmapped (stacks.c). A push there is a #PF on that guard
// page, taken as a #DF and reported, never a silent write into another stack.
static uint64_t sysenter_esp(unsigned cpu) { return stack_ist_top(cpu, IST_DF) - KSTACK_SIZE; }

// Tells whether this CPU executes `sysenter` in long mode: GenuineIntel only (SDM Vol. 2B
// "SYSENTER"; AMD APM Vol. 3 "SYSENTER": #UD in long mode). A vendor rule, not a CPUID bit:
// CPUID.01H:EDX.SEP is set on AMD CPUs too, since they have SYSENTER in legacy mode.
bool sysenter_available(void)
{
    struct cpuid_regs r = cpuid(CPUID_LEAF_BASIC, 0);
    uint32_t v[3] = {r.ebx, r.edx, r.ecx};
    return memcmp(v, "GenuineIntel", sizeof v) == 0;
}

// Whether this machine's CPUs have the SYSENTER MSRs programmed (the boot CPU's vendor decides;
// every CPU of a machine has the same). tests/gdb reads it to know which windows it can reach.
bool sysenter_enabled;

// Points IA32_SYSENTER_EIP of this CPU at `entry` (a real stub, or a benchmark's empty one).
// The per-CPU copy is what the MSR holds (this function and syscall_msr_init are its only
// writers), so the context switch, which calls this for every process it installs, pays a wrmsr
// only when the process's sysenter ABI asks for the other entry: WRMSR is a serializing
// instruction (SDM Vol. 3A "Serializing Instructions"), the cache a load and a compare (docs/msr.md).
void syscall_set_sysenter_eip(void (*entry)(void))
{
    struct percpu *c = this_cpu();
    if (c->sysenter_eip == (uint64_t)entry)
        return;
    wrmsr(MSR_SYSENTER_EIP, (uint64_t)entry);
    c->sysenter_eip = (uint64_t)entry;
}

// Points IA32_SYSENTER_EIP at the entry of a sysenter ABI (SYS_sysenter_abi): sysenter32_entry
// for a compatibility-mode program, sysenter_entry otherwise.
void sysenter_install(bool compat) { syscall_set_sysenter_eip(compat ? sysenter32_entry : sysenter_entry); }

// Programs CPU `cpu`'s MSRs for the fast path. GS_BASE/KERNEL_GS_BASE are set by percpu_init.
void syscall_msr_init(unsigned cpu)
{
    wrmsr(MSR_STAR, star);
    wrmsr(MSR_LSTAR, (uint64_t)mitigations_lstar_entry()); // `syscall` lands here: plain or hardened copy
    wrmsr(MSR_CSTAR, (uint64_t)cstar_entry);               // compatibility-mode `syscall` (compat_entry.asm)
    wrmsr(MSR_FMASK, fmask);
    if (sysenter_available()) { // `sysenter`: above; EIP last, as CS decides whether it is usable
        // [mutant sysenter-cs: sysenter_cs -> 0]
        wrmsr(MSR_SYSENTER_CS, sysenter_cs);
        wrmsr(MSR_SYSENTER_ESP, sysenter_esp(cpu));
        wrmsr(MSR_SYSENTER_EIP, (uint64_t)sysenter_entry);
        percpu_areas[cpu].sysenter_eip = (uint64_t)sysenter_entry; // what the MSR holds
        sysenter_enabled = true;
    }
    // EFER.SCE last: `syscall` is #UD until now, so no half-programmed state is reachable.
    // EFER is written whole, the value control_regs.c decides (SCE included), never ORed into
    // what was there.
    wrmsr(MSR_EFER, control_regs_wanted().efer);
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
    check_msr(cpu, "LSTAR", MSR_LSTAR, (uint64_t)mitigations_lstar_entry(), &passed, &failed);
    check_msr(cpu, "CSTAR", MSR_CSTAR, (uint64_t)cstar_entry, &passed, &failed);
    check_msr(cpu, "FMASK", MSR_FMASK, fmask, &passed, &failed);
    check_msr(cpu, "GS_BASE", MSR_GS_BASE, (uint64_t)&percpu_areas[cpu], &passed, &failed);
    check_msr(cpu, "KERNEL_GS_BASE", MSR_KERNEL_GS_BASE, 0, &passed, &failed);
    if (sysenter_available()) {
        check_msr(cpu, "SYSENTER_CS", MSR_SYSENTER_CS, sysenter_cs, &passed, &failed);
        check_msr(cpu, "SYSENTER_ESP", MSR_SYSENTER_ESP, sysenter_esp(cpu), &passed, &failed);
        check_msr(cpu, "SYSENTER_EIP", MSR_SYSENTER_EIP, (uint64_t)sysenter_entry, &passed, &failed);
    } else if (cpu == 0) { // one line for the machine: the vendor is the same on every CPU
        char vendor[16], brand[64], hypervisor[16];
        cpu_identify(vendor, brand, hypervisor);
        kprintf("[msr] SYSENTER_CS, _ESP, _EIP left alone: sysenter is #UD in long mode on %s (AMD APM Vol. 3 "
                "\"SYSENTER\")\n",
                vendor);
    }
    kprintf("[msr] cpu%u self-check: %d passed, %d failed\n", cpu, passed, failed);
    return failed;
}
