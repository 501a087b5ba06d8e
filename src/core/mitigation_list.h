// SPDX-License-Identifier: MIT
// The protections of the entry paths, each a name on the command line (mitigations=LIST) and a
// bit: the one list the parser (cmdline.c), the decisions (arch/x86_64/mitigations.c) and the
// NASM sites (asm_offsets.inc: MITIGATION_BIT_*) are generated from. docs/hardening.md says what
// each one blocks and what it costs.
//
// X(CONSTANT, bit, "name"): MITIGATION_<CONSTANT> is 1 << bit. The order is the boot log's.
#ifndef LSTAR_CORE_MITIGATION_LIST_H
#define LSTAR_CORE_MITIGATION_LIST_H

#define MITIGATION_LIST(X)                   \
    X(SWAPGS_FENCE, 0, "swapgs-fence")       \
    X(CLEAR_REGS, 1, "clear-regs")           \
    X(USER_MASK, 2, "user-mask")             \
    X(DIRECT_DISPATCH, 3, "direct-dispatch") \
    X(RETPOLINE, 4, "retpoline")             \
    X(VERW, 5, "verw")                       \
    X(RSB, 6, "rsb")                         \
    X(IBPB, 7, "ibpb")                       \
    X(IBRS, 8, "ibrs")                       \
    X(PTI, 9, "pti")

enum {
#define MITIGATION_ENUM(c, bit, name) MITIGATION_##c = 1u << (bit),
    MITIGATION_LIST(MITIGATION_ENUM)
#undef MITIGATION_ENUM
};
enum {
#define MITIGATION_BIT_ENUM(c, bit, name) MITIGATION_BIT_##c = (bit),
    MITIGATION_LIST(MITIGATION_BIT_ENUM)
#undef MITIGATION_BIT_ENUM
};
#define MITIGATION_COUNT 10 // entries of MITIGATION_LIST; cmdline.c checks it

// What mitigations= asked for.
enum mitigation_mode {
    MITIGATIONS_OFF,  // none: today's exact entry and exit paths (the default)
    MITIGATIONS_AUTO, // what this CPU needs, decided from CPUID and IA32_ARCH_CAPABILITIES
    MITIGATIONS_ALL,  // every protection the CPU can do
    MITIGATIONS_LIST, // exactly the listed ones (those the CPU cannot do: off, with a reason)
};

#endif
