// SPDX-License-Identifier: MIT
// #DB (vector 1): single steps, on their own IST stack (idt.c).
//
// Ring 3 may set TF (popfq) to single-step itself: each step is a trap the program is charged for
// (SYS_trap_count); a program that set TF right before `syscall` gets exactly one, after the call
// returns. The kernel never runs with TF set: FMASK clears it on `syscall`, every gate clears it on
// entry (SDM Vol. 3A "Flag Usage by Exception- or Interrupt-Handler Procedure"), and a TF in R11
// sends the exit to iretq (lstar_entry.asm), which sets it only as it lands in ring 3.
//
// A single step can still land in ring 0, in an entry window, where RSP or GS is the user's:
//  - an emulator's reading: Bochs 2.7 raises the single-step trap after a `syscall` executed
//    with TF = 1, at the first instruction of lstar_entry. Hardware checks TF at the end of
//    `syscall`, after FMASK cleared it, and takes no trap (SDM Vol. 2B "SYSCALL").
//  - a debugger that sets TF in the kernel's RFLAGS (tests/gdb does exactly that).
//  - on hardware, a data breakpoint hit by `mov ss`/`pop ss` is held until after the next
//    instruction (SDM Vol. 3A "Masking Exceptions and Interrupts When Switching Stacks"); if
//    that is `syscall`, the #DB arrives at lstar_entry (CVE-2018-8897). lstar never arms
//    DR0-DR7, but the stub must not depend on that.
//  - `sysenter` executed with TF = 1: SYSENTER clears IF, VM and RF but not TF (SDM Vol. 2B
//    "SYSENTER"), so the trap comes after it, at sysenter_entry, in ring 0, on every CPU.
// The IST stack and the paranoid GS decision make such a #DB safe to take; this file makes it
// harmless: TF is cleared in the interrupted kernel context, the event is counted and reported
// once, and the program keeps its own TF (still in R11, or in the frame) for its own trap.
// The one exception is the stretch of sysenter_entry.asm that runs on the user's TF: SYSENTER
// saved no flags, so the user's TF exists only in RFLAGS until the stub's pushfq has copied it
// into the frame. There the step is absorbed and TF left set: the kernel steps on to the stub's
// own popfq, which clears it (as Linux does for entry_SYSENTER_compat: is_sysenter_singlestep).
#include "arch/x86_64/debug_trap.h"
#include "arch/x86_64/arch_bits.h"
#include "arch/x86_64/cr.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/traps.h"
#include "core/console.h"
#include "core/ksyms.h"
#include "core/process.h"
#include "arch/x86_64/entry_window.h"

// The two stretches of sysenter_entry.asm a user's TF steps through, as its windows name them.
extern const char sysenter_entry[], sysenter_entry_tf_steps_end[];
extern const char sysenter_fix_flags[], sysenter_fix_flags_end[];
// The same two stretches of its compatibility-mode entry (sysenter32_entry).
extern const char sysenter32_entry[], sysenter32_entry_tf_steps_end[];
extern const char sysenter32_fix_flags[], sysenter32_fix_flags_end[];

// Tells whether a single step at `rip` is the user's TF stepping through a sysenter entry.
static bool sysenter_tf_steps(uint64_t rip)
{
    return (rip >= (uint64_t)sysenter_entry && rip <= (uint64_t)sysenter_entry_tf_steps_end) ||
           (rip >= (uint64_t)sysenter_fix_flags && rip < (uint64_t)sysenter_fix_flags_end) ||
           // [mutant sysenter32-tf-kept: "rip <= (uint64_t)sysenter32_entry_tf_steps_end" -> false]
           (rip >= (uint64_t)sysenter32_entry && rip <= (uint64_t)sysenter32_entry_tf_steps_end) ||
           (rip >= (uint64_t)sysenter32_fix_flags && rip < (uint64_t)sysenter32_fix_flags_end);
}

#define DR6_BS (1ull << 14)     // the #DB was a single step (SDM Vol. 3A "Debug Status Register (DR6)")
#define DR6_CLEAN 0xffff0ff0ull // DR6 with no condition reported (its reserved bits are 1)

// Reads DR6, which says what caused the #DB.
static inline uint64_t read_dr6(void)
{
    uint64_t v;
    __asm__ volatile("mov %%dr6, %0" : "=r"(v));
    return v;
}

// Clears DR6: the CPU sets its condition bits but never clears them (SDM Vol. 3A "Debug Status
// Register (DR6)").
static inline void clear_dr6(void) { __asm__ volatile("mov %0, %%dr6" ::"r"(DR6_CLEAN)); }

// Handles a #DB; returns false when it is none of ours (a kernel bug: the caller panics).
bool debug_trap_handle(struct trap_frame *tf)
{
    uint64_t dr6 = read_dr6();
    clear_dr6();
    if (tf->cs & 3) {
        struct process *p = process_current();
        if (!p)
            return false;
        p->debug_traps++;                     // the program's own single step: count it,
        p->debug_trap_rflags = read_rflags(); // note what the entry left us (SYS_kernel_rflags),
        tf->rflags &= ~(uint64_t)RFLAGS_TF;   // stop stepping, resume
        return true;
    }
    const char *window = entry_window_name(tf->rip);
    if (!(dr6 & DR6_BS) || !window)
        return false;
    struct percpu *cpu = this_cpu();
    // [mutant sysenter-tf-kept: "sysenter_tf_steps(tf->rip);" -> "sysenter_tf_steps(tf->rip) && false;"]
    bool keep_tf = sysenter_tf_steps(tf->rip);
    if (!keep_tf)
        tf->rflags &= ~(uint64_t)RFLAGS_TF; // the interrupted kernel code runs on without stepping
    if (cpu->db_absorbed++ == 0) {
        kprintf("[db] cpu%llu: a single step landed in the %s window at RIP=%016llx", (unsigned long long)cpu->cpu,
                window, (unsigned long long)tf->rip);
        ksym_print(tf->rip);
        kprintf(" with RSP=%016llx: absorbed on the #DB IST stack, %s\n", (unsigned long long)tf->rsp,
                keep_tf ? "TF kept until the stub's popfq (the user's, saved by no one else)"
                        : "TF cleared in the kernel");
    }
    return true;
}

// Says how many kernel-mode single steps each CPU absorbed (end of the boot; silent if none).
void debug_trap_report(void)
{
    for (unsigned c = 0; c < MAX_CPUS; c++) {
        struct percpu *cpu = &percpu_areas[c];
        if (cpu->self && cpu->db_absorbed)
            kprintf("[db] cpu%u total: %llu single step(s) absorbed in entry windows\n", c,
                    (unsigned long long)cpu->db_absorbed);
    }
}
