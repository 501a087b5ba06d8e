// SPDX-License-Identifier: MIT
// The one place that decides CR0, CR4 and EFER: every bit is set or cleared on purpose, and each
// register is written as a whole value, so nothing the firmware, the loader or a CPU's INIT state
// left behind survives (docs/msr.md "Control registers written whole").
//
// Why whole values: a bit nobody chose is a bit nobody checks. CR4.FSGSBASE left set by a
// loader would let ring 3 `wrgsbase` a kernel address; the NMI, #MC and #DB entries decide
// whether to swapgs by the sign of IA32_GS_BASE (trap_stubs.asm), so an NMI in ring 3 would then
// skip swapgs and run on a per-CPU pointer the program chose.
//
// References, by title: Intel SDM Vol. 3A "Control Registers" (and its figure of that name),
// "Extended Feature Enable Register"; AMD APM Vol. 2 "System-Control Registers" ("CR0
// Register", "CR4 Register", "Extended Feature Enable Register (EFER)").
#include <stdbool.h>
#include "arch/x86_64/control_regs.h"
#include "arch/x86_64/arch_bits.h"
#include "arch/x86_64/cpu_features.h"
#include "arch/x86_64/cpuid.h"
#include "arch/x86_64/cr.h"
#include "arch/x86_64/msr.h"
#include "arch/x86_64/pti.h"
#include "core/console.h"
#include "core/format.h"
#include "core/panic.h"

// Bits that are fixed while long mode is active: they are checked, and written as they are
// (changing PG, PE, PAE or LME there is #GP; LMA is read-only; LA57 may only change outside
// IA-32e mode). The boot code (boot/entry32.asm, ap_trampoline.asm) set them.
#define CR0_FIXED_ON (CR0_PE | CR0_PG)
#define CR4_FIXED_ON CR4_PAE
#define CR4_FIXED_OFF CR4_LA57 // lstar's page tables have four levels
#define EFER_FIXED_ON (EFER_LME | EFER_LMA)

// ---- CR0: one bit per line, each with its reason; every bit not named here is 0 ----
// clang-format off
static const uint64_t cr0_wanted =
      CR0_PE    // protected mode: fixed in long mode (checked)
    | CR0_MP    // WAIT/FWAIT honour TS: what SSE requires (SDM Vol. 3A "Initialization of the SSE Extensions")
    | CR0_ET    // reserved, hard-wired to 1 on every x86-64 CPU: written as it reads
    | CR0_NE    // unmasked x87 errors are #MF (vector 16), not the legacy FERR# pin
    | CR0_WP    // ring 0 honours read-only pages: the kernel's text and rodata stay W^X
    | CR0_PG;   // paging: fixed in long mode (checked)
// Cleared on purpose:
//   EM  x87 and SSE run natively (EM = 1 makes them #NM/#UD; SSE requires EM = 0)
//   TS  no lazy x87/SSE switching: every switch saves and restores (process.c), so a TS left
//       set would only turn the next fxsave into #NM
//   AM  alignment checks off: with AM = 1 a ring-3 RFLAGS.AC would turn on #AC (vector 17);
//       lstar offers programs no #AC, so AC means one thing only, SMAP's override in ring 0
//       between stac and clac (#AC never applies in ring 0 anyway)
//   NW, CD  caches in their normal write-back mode: INIT leaves CR0 = 60000010H, CD = NW = 1
//       (SDM Vol. 3A table "IA-32 and Intel 64 Processor States Following Power-up, Reset, or INIT")
//   bits 6-15, 17, 19-28, 32-63  reserved
// clang-format on

// ---- EFER: the same; every bit not named here is 0 ----
// clang-format off
static const uint64_t efer_wanted =
      EFER_SCE  // syscall/sysret: set last, by syscall_msr_init, once STAR/LSTAR/FMASK hold their values
    | EFER_LME  // long mode enabled: fixed while paging is on (checked)
    | EFER_LMA  // long mode active: read-only, set by the CPU (checked)
    | EFER_NXE; // page-table bit 63 means no-execute: data and stacks are never code
// Cleared on purpose:
//   SVME     no virtualisation: VMRUN and friends stay #UD
//   LMSLE    64-bit mode ignores segment limits, as lstar's flat GDT assumes
//   FFXSR    with it, FXSAVE/FXRSTOR at CPL 0 skip the XMM registers (AMD APM Vol. 2
//            "Extended Feature Enable Register (EFER)"), which would let them leak from one
//            program to the next
//   TCE      INVLPG keeps its architectural scope
//   MCOMMIT, INTWB  instructions lstar does not use
//   UAIE     upper-address ignore would make non-canonical user pointers usable: the user-pointer
//            checks (user_copy.c) assume the canonical rule
//   AIBRSE   automatic IBRS: a speculation protection is a named, switchable site, never one
//            firmware turned on
// clang-format on

// ---- CR4: computed, since four bits depend on the CPU ----
// clang-format off
static const uint64_t cr4_always =
      CR4_PAE          // 8-byte page-table entries: fixed in long mode (checked)
    | CR4_OSFXSR       // SSE runs, and FXSAVE/FXRSTOR include XMM and MXCSR
    | CR4_OSXMMEXCPT;  // unmasked SIMD exceptions are #XM (vector 19), not #UD
// Set when the CPU has them (CPUID): MCE, UMIP, SMEP, SMAP (control_regs_wanted).
// Cleared on purpose:
//   VME, PVI   no virtual-8086 mode; with PVI ring 3's cli/sti would change VIF quietly, not #GP
//   TSD        ring 3 reads the TSC: the benchmark and the selftest time with rdtsc
//   DE         no I/O breakpoints; debug_trap.c names DR6/DR7, never their DR4/DR5 aliases
//   PSE        ignored with PAE; written 0
//   PGE        no page is global (paging.c sets no G bit): a CR3 load flushes every entry
//   PCE        rdpmc is #GP in ring 3: the counters count other programs and the kernel too
//   LA57       fixed in long mode: must be 0, lstar's page tables have four levels (checked)
//   VMXE, SMXE no VMX, no SMX
//   FSGSBASE   ring 3 must not choose its GS base: the paranoid NMI/#MC/#DB entries trust
//              its sign (trap_stubs.asm); {rd,wr}{fs,gs}base are #UD in every ring
//   PCIDE      no PCIDs (CR3[11:0] hold no identifier), unless page-table isolation uses them
//              (mitigations=pti on a CPU with CPUID.1:ECX.PCID): then set above
//   OSXSAVE    XSAVE off: AVX and XGETBV are #UD, and FXSAVE's 512 bytes are all a process owns
//   KL         no Key Locker
//   PKE        PKRU is state lstar does not switch: one program's wrpkru would reach the next
//   CET        no shadow stacks or IBT
//   PKS        no supervisor protection keys
//   UINTR      no user interrupts
//   LAM_SUP    kernel pointers are used as they are, all 64 bits
//   FRED       events arrive through the IDT and syscall, which FRED would replace
// clang-format on

// The CR0, CR4 and EFER this CPU must run with, from the features cpu_features_detect found
// and this CPU's CPUID; EFER includes SCE, which syscall_msr_init sets last.
struct control_regs control_regs_wanted(void)
{
    uint32_t f = cpu_features();
    uint64_t cr4 = cr4_always;
    if (cpuid(CPUID_LEAF_FEATURES, 0).edx & CPUID1_EDX_MCE)
        cr4 |= CR4_MCE; // a machine check is #MC (vector 18, its own IST stack), not a shutdown
    if (f & LSTAR_FEATURE_UMIP)
        cr4 |= CR4_UMIP; // ring 3 cannot read descriptor-table addresses (sgdt, sidt, sldt, smsw, str)
    if (f & LSTAR_FEATURE_SMEP)
        cr4 |= CR4_SMEP; // ring 0 faults if it ever executes a user page (no ret2usr)
    if (f & LSTAR_FEATURE_SMAP)
        cr4 |= CR4_SMAP; // ring 0 faults on a user page outside stac/clac (user_copy.c)
    if (pti_pcid())
        cr4 |= CR4_PCIDE; // page-table isolation tags each PML4's TLB entries: pti.c
    return (struct control_regs){.cr0 = cr0_wanted, .cr4 = cr4, .efer = efer_wanted};
}

// Reads this CPU's CR0, CR4 and EFER.
struct control_regs control_regs_read(void)
{
    return (struct control_regs){.cr0 = read_cr0(), .cr4 = read_cr4(), .efer = rdmsr(MSR_EFER)};
}

// The manual's name of every bit that has one, per register.
struct bit_name {
    uint64_t bit;
    const char *name;
};
static const struct bit_name cr0_names[] = {
    {CR0_PE, "PE"}, {CR0_MP, "MP"}, {CR0_EM, "EM"}, {CR0_TS, "TS"}, {CR0_ET, "ET"}, {CR0_NE, "NE"},
    {CR0_WP, "WP"}, {CR0_AM, "AM"}, {CR0_NW, "NW"}, {CR0_CD, "CD"}, {CR0_PG, "PG"},
};
static const struct bit_name cr4_names[] = {
    {CR4_VME, "VME"},
    {CR4_PVI, "PVI"},
    {CR4_TSD, "TSD"},
    {CR4_DE, "DE"},
    {CR4_PSE, "PSE"},
    {CR4_PAE, "PAE"},
    {CR4_MCE, "MCE"},
    {CR4_PGE, "PGE"},
    {CR4_PCE, "PCE"},
    {CR4_OSFXSR, "OSFXSR"},
    {CR4_OSXMMEXCPT, "OSXMMEXCPT"},
    {CR4_UMIP, "UMIP"},
    {CR4_LA57, "LA57"},
    {CR4_VMXE, "VMXE"},
    {CR4_SMXE, "SMXE"},
    {CR4_FSGSBASE, "FSGSBASE"},
    {CR4_PCIDE, "PCIDE"},
    {CR4_OSXSAVE, "OSXSAVE"},
    {CR4_KL, "KL"},
    {CR4_SMEP, "SMEP"},
    {CR4_SMAP, "SMAP"},
    {CR4_PKE, "PKE"},
    {CR4_CET, "CET"},
    {CR4_PKS, "PKS"},
    {CR4_UINTR, "UINTR"},
    {CR4_LAM_SUP, "LAM_SUP"},
    {CR4_FRED, "FRED"},
};
static const struct bit_name efer_names[] = {
    {EFER_SCE, "SCE"},         {EFER_LME, "LME"},     {EFER_LMA, "LMA"},     {EFER_NXE, "NXE"},
    {EFER_SVME, "SVME"},       {EFER_LMSLE, "LMSLE"}, {EFER_FFXSR, "FFXSR"}, {EFER_TCE, "TCE"},
    {EFER_MCOMMIT, "MCOMMIT"}, {EFER_INTWB, "INTWB"}, {EFER_UAIE, "UAIE"},   {EFER_AIBRSE, "AIBRSE"},
};

// Writes the names of `bits` of register `reg` into buf as "FSGSBASE|PCE" (bitN for a bit the
// manual leaves unnamed here; "none" for no bit).
void control_regs_name_bits(char *buf, size_t n, enum control_reg reg, uint64_t bits)
{
    const struct bit_name *names = reg == REG_CR0 ? cr0_names : reg == REG_CR4 ? cr4_names : efer_names;
    size_t count = reg == REG_CR0   ? sizeof cr0_names / sizeof cr0_names[0]
                   : reg == REG_CR4 ? sizeof cr4_names / sizeof cr4_names[0]
                                    : sizeof efer_names / sizeof efer_names[0];
    size_t len = 0;
    if (n)
        buf[0] = 0;
    for (unsigned b = 0; b < 64; b++) {
        if (!(bits & (1ull << b)))
            continue;
        const char *name = NULL;
        for (size_t i = 0; i < count; i++)
            if (names[i].bit == 1ull << b)
                name = names[i].name;
        char unnamed[8];
        if (!name) {
            format_buf(unnamed, sizeof unnamed, "bit%u", b);
            name = unnamed;
        }
        if (len < n)
            len += (size_t)format_buf(buf + len, n - len, "%s%s", len ? "|" : "", name);
    }
    if (!bits)
        format_buf(buf, n, "none");
}

// Writes CR0, CR4 and EFER of this CPU as whole values (EFER without SCE: syscall_msr_init sets
// it last), after checking the bits long mode fixes; the boot CPU logs what is on. Panics on a
// CPU that lacks x87, FXSAVE or SSE/SSE2, which no x86-64 CPU does.
void control_regs_init(unsigned cpu)
{
    const uint32_t need = CPUID1_EDX_FPU | CPUID1_EDX_FXSR | CPUID1_EDX_SSE | CPUID1_EDX_SSE2;
    uint32_t edx = cpuid(CPUID_LEAF_FEATURES, 0).edx;
    if ((edx & need) != need)
        panic("cpu%u lacks x87, FXSAVE or SSE/SSE2 (CPUID.01H:EDX=0x%08x): not an x86-64 CPU lstar can run", cpu,
              (unsigned)edx);

    struct control_regs was = control_regs_read();
    if ((was.cr0 & CR0_FIXED_ON) != CR0_FIXED_ON || (was.cr4 & CR4_FIXED_ON) != CR4_FIXED_ON ||
        (was.cr4 & CR4_FIXED_OFF) || (was.efer & EFER_FIXED_ON) != EFER_FIXED_ON)
        panic("cpu%u: not in 4-level long mode as the boot code left it: CR0=0x%016llx CR4=0x%016llx EFER=0x%016llx",
              cpu, (unsigned long long)was.cr0, (unsigned long long)was.cr4, (unsigned long long)was.efer);

    struct control_regs want = control_regs_wanted();
    write_cr0(want.cr0);
    // [mutant cr4-whole-value: "want.cr4)" -> "read_cr4() | want.cr4)"]
    write_cr4(want.cr4);
    wrmsr(MSR_EFER, want.efer & ~EFER_SCE); // `syscall` stays #UD until syscall_msr_init

    if (cpu != 0)
        return;
    uint32_t f = cpu_features();
    kprintf("[cpu] SMEP %s, SMAP %s, UMIP %s, machine-check exception %s\n", (f & LSTAR_FEATURE_SMEP) ? "on" : "absent",
            (f & LSTAR_FEATURE_SMAP) ? "on" : "absent", (f & LSTAR_FEATURE_UMIP) ? "on" : "absent",
            (want.cr4 & CR4_MCE) ? "on" : "absent");
    kprintf("[cpu] x87 and SSE on (CR0.MP|NE, CR4.OSFXSR|OSXMMEXCPT), XSAVE off: ring 3 gets no AVX\n");
}

// Logs one register's differences from its wanted value; returns 1 when there are any.
static int report_difference(unsigned cpu, const char *name, enum control_reg reg, uint64_t got, uint64_t want)
{
    if (got == want)
        return 0;
    char extra[160], missing[160];
    control_regs_name_bits(extra, sizeof extra, reg, got & ~want);
    control_regs_name_bits(missing, sizeof missing, reg, want & ~got);
    kprintf("[cpu] cpu%u %s: expected 0x%016llx; set but unwanted: %s; wanted but clear: %s\n", cpu, name,
            (unsigned long long)want, extra, missing);
    return 1;
}

// Reads this CPU's CR0, CR4 and EFER back, logs them as `[cpu] cpuN CR0=... CR4=... EFER=...`
// and returns how many of the three differ from control_regs_wanted.
int control_regs_check(unsigned cpu)
{
    struct control_regs got = control_regs_read(), want = control_regs_wanted();
    kprintf("[cpu] cpu%u CR0=0x%016llx CR4=0x%016llx EFER=0x%016llx\n", cpu, (unsigned long long)got.cr0,
            (unsigned long long)got.cr4, (unsigned long long)got.efer);
    return report_difference(cpu, "CR0", REG_CR0, got.cr0, want.cr0) +
           report_difference(cpu, "CR4", REG_CR4, got.cr4, want.cr4) +
           report_difference(cpu, "EFER", REG_EFER, got.efer, want.efer);
}
