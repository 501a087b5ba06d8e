// SPDX-License-Identifier: MIT
// Self-checks of the entry protections (mitigations=, docs/hardening.md): the hardened or plain
// copies are the ones installed, and every protection's sites are in place, whole, and patched
// exactly when the protection is off. What TCG cannot show (that VERW clears buffers, that an
// lfence stops speculation), the bytes can: a site that lost its instruction fails here by name.
#include "arch/x86_64/arch_bits.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/mitigations.h"
#include "arch/x86_64/msr.h"
#include "arch/x86_64/traps.h"
#include "core/cmdline.h"
#include "core/format.h"
#include "core/ktest.h"
#include "core/string.h"

extern const struct mitigation_site mitigation_sites_start[], mitigation_sites_end[];
extern const char lstar_entry[], lstar_entry_hardened[], int80_entry[], int80_entry_hardened[];
extern const char syscall_call_direct[], syscall_retpoline_rax[], rsb_fill[];
extern const uint16_t mitigation_verw_selector;

// What every site of one protection must hold: its count, and an instruction each one contains.
struct site_rule {
    uint32_t bit;
    unsigned count;       // sites of this protection in the kernel (0: at least one)
    const uint8_t *bytes; // an instruction every site holds (NULL: see `target`)
    unsigned len;
    const void *target; // or: every site calls this (E8 rel32)
};

static const uint8_t lfence[] = {0x0f, 0xae, 0xe8};
static const uint8_t verw_rip[] = {0x0f, 0x00, 0x2d}; // verw [rip + disp32]: 0F 00 /5
static const uint8_t wrmsr_insn[] = {0x0f, 0x30};
static const uint8_t push_rbx_rbp[] = {0x53, 0x55, 0x41, 0x52}; // push rbx, rbp, r10
static const uint8_t xor_r10d[] = {0x45, 0x31, 0xd2};
static const uint8_t pop_r15_r14[] = {0x41, 0x5f, 0x41, 0x5e};

// Whether the `len` bytes of `insn` stand at offset i of the site, as far as the patch left
// them: a patched site's first two bytes are its `jmp short`, the rest is as assembled.
static bool site_has_at(const struct mitigation_site *s, bool patched, unsigned i, const uint8_t *insn, unsigned len)
{
    const uint8_t *p = (const uint8_t *)s->addr;
    unsigned compared = 0;
    for (unsigned j = 0; j < len; j++) {
        if (patched && i + j < 2)
            continue;
        if (p[i + j] != insn[j])
            return false;
        compared++;
    }
    return compared > 0;
}

// Whether the site holds `insn` anywhere.
static bool site_holds(const struct mitigation_site *s, bool patched, const uint8_t *insn, unsigned len)
{
    for (unsigned i = 0; i + len <= s->len; i++)
        if (site_has_at(s, patched, i, insn, len))
            return true;
    return false;
}

// Whether the site holds a 64-bit register `and` (REX.W 21 /r or 23 /r, mod 11): the mask's last
// step in user_copy.c's mask_user_address.
static bool masks_with_and(const struct mitigation_site *s, bool patched)
{
    const uint8_t *p = (const uint8_t *)s->addr;
    for (unsigned i = patched ? 2 : 0; i + 3 <= s->len; i++) // (the mask's `and` is never first)
        if ((p[i] & 0xf8) == 0x48 && (p[i + 1] == 0x21 || p[i + 1] == 0x23) && (p[i + 2] & 0xc0) == 0xc0)
            return true;
    return false;
}

// Whether the site calls `target` (E8 rel32) somewhere.
static bool site_calls(const struct mitigation_site *s, bool patched, const void *target)
{
    for (unsigned i = 0; i + 5 <= s->len; i++) {
        int32_t rel = (int32_t)((int64_t)(uint64_t)target - (int64_t)(s->addr + i + 5));
        uint8_t call[5] = {0xe8};
        memcpy(call + 1, &rel, 4);
        if (site_has_at(s, patched, i, call, sizeof call))
            return true;
    }
    return false;
}

// Whether the site holds what mitigations_init leaves there: `jmp short` over its body (or a
// NOP for a 1-byte site) when its protection is off, its own first bytes otherwise.
static bool site_is_patched(const struct mitigation_site *s)
{
    const uint8_t *p = (const uint8_t *)s->addr;
    return s->len == 1 ? p[0] == 0x90 : (p[0] == 0xeb && p[1] == s->len - 2);
}

// One check per protection: every site in place, whole, and patched exactly when it is off.
static void sites_of(const struct site_rule *r, const char *name)
{
    uint32_t on = mitigations_in_force();
    bool want_patched = !(on & (1u << r->bit));
    if (r->bit == MITIGATION_BIT_IBRS && (on & MITIGATION_IBRS))
        want_patched = !mitigations_ibrs_on_entry(); // eIBRS: set once, no site runs
    unsigned count = 0;
    char detail[128] = "";
    for (const struct mitigation_site *s = mitigation_sites_start; s < mitigation_sites_end; s++) {
        if (s->bit != r->bit)
            continue;
        count++;
        bool patched = site_is_patched(s);
        bool holds = r->bit == MITIGATION_BIT_CLEAR_REGS ? true // its bodies: ..._are_whole
                     : r->bytes                          ? site_holds(s, patched, r->bytes, r->len)
                     : r->target                         ? site_calls(s, patched, r->target)
                                                         : masks_with_and(s, patched);
        if (detail[0] == '\0' && !holds)
            format_buf(detail, sizeof detail, "site %u at %016llx (%u bytes) lacks its instruction", count,
                       (unsigned long long)s->addr, s->len);
        else if (detail[0] == '\0' && patched != want_patched)
            format_buf(detail, sizeof detail, "site %u at %016llx is %s, the protection is %s", count,
                       (unsigned long long)s->addr, patched ? "patched out" : "live", want_patched ? "off" : "on");
    }
    if (detail[0] == '\0' && (r->count ? count != r->count : count == 0))
        format_buf(detail, sizeof detail, "%u sites, expected %u", count, r->count);
    char check[64];
    format_buf(check, sizeof check, "mitigation_sites_of_%s_in_place", name);
    ktest_check(detail[0] == '\0', check, detail);
}

// The gate's handler address.
static uint64_t gate_target(const struct idt_gate *g)
{
    return g->offset_low | (uint64_t)g->offset_mid << 16 | (uint64_t)g->offset_high << 32;
}

void ktest_mitigations(void)
{
    bool hardened = mitigations_hardened_entry();
    uint64_t lstar = rdmsr(MSR_LSTAR), gate = gate_target(idt_gate(VEC_INT80));
    ktest_check(lstar == (uint64_t)(hardened ? lstar_entry_hardened : lstar_entry) &&
                    gate == (uint64_t)(hardened ? int80_entry_hardened : int80_entry),
                hardened ? "hardened_entries_installed" : "plain_entries_installed",
                "LSTAR or the int 0x80 gate points at the other copy");

    // The counts: swapgs fences in the hardened syscall entry (1), int 0x80 entry (2: both
    // ways), trap_common (2), trap_paranoid (1), and the one-copy entries sysenter (64-bit and
    // compatibility mode), call gate and compatibility-mode syscall (1 each); clear-regs: both
    // entries, the dispatch and the exit; IBRS: both entries and the exit; VERW: the sysretq and
    // the iretq exit, a program's first entry to ring 3 (context_switch.asm), and the sysexitq,
    // 32-bit sysexit, lretq and 32-bit sysret exits.
    const struct site_rule rules[] = {
        {MITIGATION_BIT_SWAPGS_FENCE, 10, lfence, sizeof lfence, NULL},
        {MITIGATION_BIT_CLEAR_REGS, 0, NULL, 0, NULL}, // checked below, site by site
        {MITIGATION_BIT_USER_MASK, 0, NULL, 0, NULL},  // holds a 64-bit `and`: masks_with_and
        {MITIGATION_BIT_DIRECT_DISPATCH, 1, NULL, 0, syscall_call_direct},
        {MITIGATION_BIT_RETPOLINE, 1, NULL, 0, syscall_retpoline_rax},
        {MITIGATION_BIT_VERW, 7, verw_rip, sizeof verw_rip, NULL},
        {MITIGATION_BIT_RSB, 1, NULL, 0, rsb_fill},
        {MITIGATION_BIT_IBRS, 3, wrmsr_insn, sizeof wrmsr_insn, NULL},
    };
    for (unsigned i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        if (rules[i].bit == MITIGATION_BIT_CLEAR_REGS) {
            // Four sites with four bodies: save and zero (two), zero R10, restore.
            static const struct site_rule parts[] = {
                {MITIGATION_BIT_CLEAR_REGS, 0, push_rbx_rbp, sizeof push_rbx_rbp, NULL},
                {MITIGATION_BIT_CLEAR_REGS, 0, xor_r10d, sizeof xor_r10d, NULL},
                {MITIGATION_BIT_CLEAR_REGS, 0, pop_r15_r14, sizeof pop_r15_r14, NULL},
            };
            unsigned n = 0, found[3] = {0, 0, 0};
            bool zeroes = true;
            for (const struct mitigation_site *s = mitigation_sites_start; s < mitigation_sites_end; s++) {
                if (s->bit != MITIGATION_BIT_CLEAR_REGS)
                    continue;
                n++;
                bool patched = site_is_patched(s);
                for (unsigned k = 0; k < 3; k++)
                    found[k] += site_holds(s, patched, parts[k].bytes, parts[k].len);
                // a save-and-zero site: 8 pushes (14 bytes), then 7 xors (19 bytes)
                if (site_holds(s, patched, push_rbx_rbp, sizeof push_rbx_rbp) && s->len != 33)
                    zeroes = false;
            }
            char detail[96] = "";
            if (n != 4 || found[0] != 2 || found[1] != 1 || found[2] != 1 || !zeroes)
                format_buf(detail, sizeof detail, "%u sites: %u save, %u r10, %u restore; save sites whole: %s", n,
                           found[0], found[1], found[2], zeroes ? "yes" : "no");
            ktest_check(detail[0] == '\0', "mitigation_sites_of_clear-regs_are_whole", detail);
        }
        sites_of(&rules[i], cmdline_mitigation_name(rules[i].bit));
    }
    // Enhanced IBRS is set once per CPU (mitigations_cpu_init): IA32_SPEC_CTRL reads it back.
    if ((mitigations_in_force() & MITIGATION_IBRS) && !mitigations_ibrs_on_entry())
        ktest_check(rdmsr(MSR_SPEC_CTRL) & SPEC_CTRL_IBRS, "enhanced_ibrs_is_set_on_this_cpu",
                    "IA32_SPEC_CTRL.IBRS is clear");
    // VERW's operand must name a writable data segment for VERW to clear the buffers (Intel,
    // "Microarchitectural Data Sampling": "VERW m16" with a valid selector).
    ktest_check(mitigation_verw_selector == GDT_KERNEL_DS, "verw_operand_is_the_kernel_data_selector",
                "mitigation_verw_selector is not GDT_KERNEL_DS");
}
