// SPDX-License-Identifier: MIT
// The entry protections: what mitigations= asked for, what this CPU needs and can do, and the
// patching that puts the decision in force. docs/hardening.md describes each protection.
//
// The decision follows Linux's (arch/x86/kernel/cpu/bugs.c and common.c's vulnerability
// whitelist) in substance, simplified to lstar's few protections and without per-model tables:
//   - AMD (and Hygon) CPUs are not affected by Meltdown (no PTI), by Microarchitectural Data
//     Sampling (no VERW) nor by the SWAPGS variant of Spectre v1 (AMD: "Software Techniques for
//     Managing Speculation on AMD Processors"); Intel ones are unless IA32_ARCH_CAPABILITIES
//     says otherwise (RDCL_NO, MDS_NO).
//   - IBRS and IBPB exist where CPUID says so (Intel leaf 7 EDX bit 26; AMD leaf 0x80000008 EBX
//     bits 14 and 12); enhanced IBRS (ARCH_CAPABILITIES.IBRS_ALL) is set once per CPU instead of
//     on every entry (Intel, "Speculative Execution Side Channel Mitigations", "Enhanced IBRS").
//   - Register clearing, user-pointer masking, direct dispatch and RSB filling cost nothing a CPU
//     lacks, and every x86-64 CPU that speculates needs them: auto turns them on everywhere.
// One decision for all CPUs, made on the boot CPU: lstar assumes identical CPUs (QEMU and Bochs
// give every CPU the same model), as Linux's boot-CPU-wide X86_BUG_* flags do.
#include "arch/x86_64/mitigations.h"
#include "arch/x86_64/pti.h"
#include "arch/x86_64/arch_bits.h"
#include "arch/x86_64/cpuid.h"
#include "arch/x86_64/msr.h"
#include "arch/x86_64/percpu.h"
#include "core/cmdline.h"
#include "core/console.h"
#include "core/format.h"
#include "core/panic.h"
#include "core/string.h"

extern const struct mitigation_site mitigation_sites_start[], mitigation_sites_end[];
extern void lstar_entry(void), int80_entry(void);
extern void lstar_entry_hardened(void), int80_entry_hardened(void);

// What the CPU is, as far as the decisions go.
struct cpu_speculation {
    char vendor[13]; // CPUID leaf 0's string
    bool amd;        // AuthenticAMD or HygonGenuine
    bool ibrs, ibpb; // IA32_SPEC_CTRL.IBRS and IA32_PRED_CMD.IBPB exist
    bool eibrs;      // ARCH_CAPABILITIES.IBRS_ALL
    bool md_clear;   // CPUID says VERW clears the buffers
    bool arch_cap;   // IA32_ARCH_CAPABILITIES exists
    uint64_t caps;   // its value (0 without it)
};

static uint32_t in_force;            // MITIGATION_* bits that are on
static bool ibrs_on_entry;           // IBRS written on entry and cleared on exit (no eIBRS)
static bool ibrs_once;               // enhanced IBRS: set once per CPU
static bool hardened_entry;          // LSTAR and vector 0x80 point at the hardened copies
static uint64_t last_user[MAX_CPUS]; // the program (pid) each CPU last ran, for IBPB

// Reads what the decisions need from CPUID and, if it exists, IA32_ARCH_CAPABILITIES.
static struct cpu_speculation read_cpu(void)
{
    struct cpu_speculation c = {0};
    struct cpuid_regs r = cpuid(CPUID_LEAF_BASIC, 0);
    uint32_t max_leaf = r.eax;
    memcpy(c.vendor, &r.ebx, 4), memcpy(c.vendor + 4, &r.edx, 4), memcpy(c.vendor + 8, &r.ecx, 4);
    c.amd = (r.ebx == 0x68747541 && r.edx == 0x69746e65 && r.ecx == 0x444d4163) || // "AuthenticAMD"
            (r.ebx == 0x6f677948 && r.edx == 0x6e65476e && r.ecx == 0x656e6975);   // "HygonGenuine"
    if (max_leaf >= CPUID_LEAF_STRUCTURED) {
        uint32_t edx = cpuid(CPUID_LEAF_STRUCTURED, 0).edx;
        c.ibrs = c.ibpb = (edx & CPUID7_EDX_SPEC_CTRL) != 0;
        c.md_clear = (edx & CPUID7_EDX_MD_CLEAR) != 0;
        c.arch_cap = (edx & CPUID7_EDX_ARCH_CAP) != 0;
    }
    if (cpuid(CPUID_LEAF_EXTENDED, 0).eax >= CPUID_LEAF_EXT_SIZES) {
        uint32_t ebx = cpuid(CPUID_LEAF_EXT_SIZES, 0).ebx;
        c.ibpb |= (ebx & CPUID80000008_EBX_IBPB) != 0;
        c.ibrs |= (ebx & CPUID80000008_EBX_IBRS) != 0;
    }
    if (c.arch_cap)
        c.caps = rdmsr(MSR_ARCH_CAPABILITIES);
    c.eibrs = c.ibrs && (c.caps & ARCH_CAP_IBRS_ALL);
    return c;
}

// One protection's decision: on or off, and why.
struct decision {
    bool on;
    char why[96];
};

// What auto decides for protection `bit` on CPU c.
static void decide_auto(uint32_t bit, const struct cpu_speculation *c, struct decision *d)
{
    d->on = true;
    switch (bit) {
    case MITIGATION_SWAPGS_FENCE:
        if (c->amd)
            d->on = false, format_buf(d->why, sizeof d->why, "not affected: AMD does not speculate past SWAPGS");
        else
            format_buf(d->why, sizeof d->why, "conditional swapgs can be speculated past (CVE-2019-1125)");
        break;
    case MITIGATION_CLEAR_REGS:
        format_buf(d->why, sizeof d->why, "every speculating CPU");
        break;
    case MITIGATION_USER_MASK:
        format_buf(d->why, sizeof d->why, "every speculating CPU: Spectre v1");
        break;
    case MITIGATION_DIRECT_DISPATCH:
        format_buf(d->why, sizeof d->why, "every speculating CPU: Spectre v2");
        break;
    case MITIGATION_RETPOLINE:
        d->on = false, format_buf(d->why, sizeof d->why, "direct-dispatch leaves no indirect call");
        break;
    case MITIGATION_VERW:
        if (c->amd)
            d->on = false, format_buf(d->why, sizeof d->why, "not affected: AMD");
        else if (c->caps & ARCH_CAP_MDS_NO)
            d->on = false, format_buf(d->why, sizeof d->why, "not affected: MDS_NO");
        else if (c->md_clear)
            format_buf(d->why, sizeof d->why, "CPUID MD_CLEAR, MDS_NO clear");
        else
            format_buf(d->why, sizeof d->why, "MDS_NO clear, no MD_CLEAR in CPUID: VERW may clear nothing");
        break;
    case MITIGATION_RSB:
        format_buf(d->why, sizeof d->why, "every CPU with a return stack buffer: Spectre v2");
        break;
    case MITIGATION_IBPB:
        if (!c->ibpb)
            d->on = false, format_buf(d->why, sizeof d->why, "CPU lacks IBPB");
        else
            format_buf(d->why, sizeof d->why, "CPUID IBPB");
        break;
    case MITIGATION_IBRS:
        if (!c->ibrs)
            d->on = false, format_buf(d->why, sizeof d->why, "CPU lacks IBRS");
        else if (c->eibrs)
            format_buf(d->why, sizeof d->why, "eIBRS (IBRS_ALL): set once at boot");
        else if (c->amd)
            d->on = false, format_buf(d->why, sizeof d->why, "AMD: direct dispatch instead, as Linux");
        else
            format_buf(d->why, sizeof d->why, "IBRS without eIBRS: set on entry, cleared on exit");
        break;
    case MITIGATION_PTI:
        if (c->amd)
            d->on = false, format_buf(d->why, sizeof d->why, "not affected: AMD");
        else if (c->caps & ARCH_CAP_RDCL_NO)
            d->on = false, format_buf(d->why, sizeof d->why, "not affected: RDCL_NO");
        else
            format_buf(d->why, sizeof d->why, "affected: RDCL_NO clear");
        break;
    }
}

// Whether CPU c can do protection `bit` at all; if not, why into d.
static bool can_do(uint32_t bit, const struct cpu_speculation *c, struct decision *d)
{
    if (bit == MITIGATION_IBRS && !c->ibrs)
        return format_buf(d->why, sizeof d->why, "CPU lacks IBRS"), false;
    if (bit == MITIGATION_IBPB && !c->ibpb)
        return format_buf(d->why, sizeof d->why, "CPU lacks IBPB"), false;
    return true;
}

// Decides protection `bit` for the mode.
static struct decision decide(uint32_t bit, enum mitigation_mode mode, uint32_t list, const struct cpu_speculation *c,
                              uint32_t decided)
{
    struct decision d = {false, ""};
    if (mode == MITIGATIONS_OFF) {
        format_buf(d.why, sizeof d.why, "mitigations=off");
    } else if (mode == MITIGATIONS_LIST && !(list & bit)) {
        format_buf(d.why, sizeof d.why, "not listed");
    } else if (bit == MITIGATION_RETPOLINE && (decided & MITIGATION_DIRECT_DISPATCH)) {
        format_buf(d.why, sizeof d.why, "direct-dispatch leaves no indirect call");
    } else if (mode == MITIGATIONS_AUTO) {
        decide_auto(bit, c, &d); // "not affected" first, as Linux reports it; then "CPU lacks"
        if (d.on && !can_do(bit, c, &d))
            d.on = false;
    } else if (!can_do(bit, c, &d)) {
        d.on = false;
    } else {
        d.on = true;
        format_buf(d.why, sizeof d.why, mode == MITIGATIONS_ALL ? "mitigations=all" : "listed");
    }
    if (d.on && bit == MITIGATION_IBRS && c->eibrs && mode != MITIGATIONS_AUTO)
        format_buf(d.why + strlen(d.why), sizeof d.why - strlen(d.why), ", eIBRS: set once at boot");
    if (d.on && bit == MITIGATION_PTI)
        pti_enable(); // pti.c: every CPU can isolate; pti_boot patches its sites after this
    return d;
}

// Whether a site of protection `bit` stays as assembled.
static bool site_wanted(uint32_t bit)
{
    if (bit == MITIGATION_IBRS)
        return ibrs_on_entry; // eIBRS needs no write on entry or exit
    return (in_force & bit) != 0;
}

// Overwrites every site whose protection is off with `jmp short` over it (mitigation_site.inc).
static unsigned patch_sites(void)
{
    unsigned patched = 0;
    for (const struct mitigation_site *s = mitigation_sites_start; s < mitigation_sites_end; s++) {
        if (s->bit >= MITIGATION_COUNT || s->len > 129)
            panic("mitigation site at %016llx: bit %u, %u bytes", (unsigned long long)s->addr, s->bit, s->len);
        if (s->len == 0 || site_wanted(1u << s->bit))
            continue;
        uint8_t *p = (uint8_t *)s->addr;
        if (s->len == 1) {
            p[0] = 0x90; // nop
        } else {
            p[0] = 0xeb; // jmp rel8, to the first byte after the site
            p[1] = (uint8_t)(s->len - 2);
        }
        patched++;
    }
    return patched;
}

void mitigations_init(enum mitigation_mode mode, uint32_t list, bool given)
{
    static const char *const mode_names[] = {"off", "auto", "all", "list"};
    struct cpu_speculation c = read_cpu();
    kprintf("[mitigations] mode %s, CPU %s: IBRS %s, eIBRS %s, IBPB %s, MD_CLEAR %s, ARCH_CAPABILITIES %s\n",
            mode_names[mode], c.vendor, c.ibrs ? "yes" : "no", c.eibrs ? "yes" : "no", c.ibpb ? "yes" : "no",
            c.md_clear ? "yes" : "no", c.arch_cap ? "present" : "absent");
    if (c.arch_cap)
        kprintf("[mitigations] IA32_ARCH_CAPABILITIES = 0x%016llx\n", (unsigned long long)c.caps);
    if (!given)
        kprintf("[mitigations] no mitigations= option accepted: off, the bare entries (lstar's default; "
                "docs/hardening.md)\n");
    for (unsigned i = 0; i < MITIGATION_COUNT; i++) {
        struct decision d = decide(1u << i, mode, list, &c, in_force);
        if (d.on)
            in_force |= 1u << i;
        kprintf("[mitigations] %s: %s (%s)\n", cmdline_mitigation_name(i), d.on ? "on" : "off", d.why);
    }
    ibrs_once = (in_force & MITIGATION_IBRS) && c.eibrs;
    ibrs_on_entry = (in_force & MITIGATION_IBRS) && !c.eibrs;
    hardened_entry = (in_force & (MITIGATION_SWAPGS_FENCE | MITIGATION_CLEAR_REGS | MITIGATION_DIRECT_DISPATCH |
                                  MITIGATION_RETPOLINE | MITIGATION_VERW | MITIGATION_PTI)) ||
                     ibrs_on_entry;
    unsigned patched = patch_sites();
    kprintf("[mitigations] entries: %s; %u of %u sites patched to jump over their body; one decision for every "
            "CPU\n",
            hardened_entry ? "hardened" : "plain (today's exact instructions)", patched,
            (unsigned)(mitigation_sites_end - mitigation_sites_start));
}

void mitigations_cpu_init(void)
{
    // Enhanced IBRS: once set, it protects every later mode switch (Intel, "Speculative Execution
    // Side Channel Mitigations", "Enhanced IBRS"); no write on entry or exit.
    if (ibrs_once) {
        wrmsr(MSR_SPEC_CTRL, SPEC_CTRL_IBRS); // [mutant eibrs-once: delete]
    }
}

uint32_t mitigations_in_force(void) { return in_force; }
bool mitigations_hardened_entry(void) { return hardened_entry; }
bool mitigations_ibrs_on_entry(void) { return ibrs_on_entry; }
void (*mitigations_lstar_entry(void))(void) { return hardened_entry ? lstar_entry_hardened : lstar_entry; }
void (*mitigations_int80_entry(void))(void) { return hardened_entry ? int80_entry_hardened : int80_entry; }

void mitigations_switch_to(uint64_t next)
{
    // IBPB: predictions the last program trained cannot steer the next one's (Intel, "Indirect
    // Branch Predictor Barrier"; AMD, "Indirect Branch Control Extension"). Only between two
    // different programs, as Linux does on a change of mm.
    if (!(in_force & MITIGATION_IBPB) || next == 0)
        return;
    unsigned cpu = (unsigned)this_cpu()->cpu;
    if (last_user[cpu] != next) {
        last_user[cpu] = next;
        wrmsr(MSR_PRED_CMD, PRED_CMD_IBPB); // [mutant ibpb-write: delete]
    }
}

// SYS_probe_regs's report (sys_probe.asm): bit i of `seen` set when register i of RBX, RBP,
// R10-R15 still held the caller's value as the handler started. One kernel line, which the
// tests read; returns the count. `entry` is the caller's word for the way it came in (0 =
// syscall, 1 = int 0x80), only to tell the two lines apart.
__attribute__((no_caller_saved_registers)) long mitigations_probe_report(uint64_t seen, uint64_t entry);
__attribute__((no_caller_saved_registers)) long mitigations_probe_report(uint64_t seen, uint64_t entry)
{
    static const char *const names[] = {"rbx", "rbp", "r10", "r11", "r12", "r13", "r14", "r15"};
    char list[64] = "";
    long count = 0;
    for (unsigned i = 0; i < 8; i++) {
        if (seen & (1u << i)) {
            size_t used = strlen(list);
            format_buf(list + used, sizeof list - used, " %s", names[i]);
            count++;
        }
    }
    if (entry > 1)
        return count; // a call the tests did not make (the fuzzer's): no line
    kprintf("[mitigations] probe (%s, %s entry): the handler saw the caller's value in %ld of 8 registers%s%s\n",
            entry == 0 ? "syscall" : "int 0x80", hardened_entry ? "hardened" : "plain", count, count ? ":" : "", list);
    return count;
}
