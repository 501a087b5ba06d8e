// SPDX-License-Identifier: MIT
// The entry protections (mitigations=, docs/hardening.md): decided once on the boot CPU from
// the command line, CPUID and IA32_ARCH_CAPABILITIES, logged one line each, and put in force by
// patching the named sites (mitigation_site.inc) and choosing which copy of the syscall and
// int 0x80 entries IA32_LSTAR and vector 0x80 point at. Every CPU shares the decision.
#ifndef LSTAR_ARCH_MITIGATIONS_H
#define LSTAR_ARCH_MITIGATIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/mitigation_list.h"

#define RSB_FILL_SLOTS 32 // return-stack entries rsb_fill overwrites (Linux: RSB_CLEAR_LOOPS)

// One record of .mitigation_sites, as MITIGATION_SITE_END writes it.
struct mitigation_site {
    uint64_t addr; // the site's first byte
    uint32_t len;  // its length in bytes
    uint32_t bit;  // its protection: bit number in MITIGATION_LIST
};

// Decides every protection for `mode` (and `list`, for MITIGATIONS_LIST), logs one line per
// protection and patches the sites of those that are off. Runs once, on the boot CPU, before
// the kernel text becomes read-only and before any CPU programs LSTAR or loads the IDT.
void mitigations_init(enum mitigation_mode mode, uint32_t list, bool given);
// What this CPU must set once (IA32_SPEC_CTRL.IBRS with enhanced IBRS). Every CPU, in cpu_init.
void mitigations_cpu_init(void);

// The MITIGATION_* bits in force.
uint32_t mitigations_in_force(void);
// Whether IA32_SPEC_CTRL.IBRS is written on every entry and exit (IBRS without eIBRS).
bool mitigations_ibrs_on_entry(void);
// Whether the hardened syscall/int 0x80 entries are installed (some protection of theirs is on).
bool mitigations_hardened_entry(void);
// The entry IA32_LSTAR and the int 0x80 gate point at: the plain copies or the hardened ones.
void (*mitigations_lstar_entry(void))(void);
void (*mitigations_int80_entry(void))(void);

// Before context_switch hands this CPU to `program` (a process id, or 0 for the kernel itself):
// IBPB when the CPU goes to a different program than the one it last ran in ring 3.
void mitigations_switch_to(uint64_t program);

#endif
