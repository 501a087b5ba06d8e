// SPDX-License-Identifier: MIT
// Register-exact system calls for the selftest, written in NASM (regs.asm) because C inline
// assembly cannot promise what every register and flag holds at the instant of the call.
#ifndef LSTAR_SELFTEST_REGS_H
#define LSTAR_SELFTEST_REGS_H

#include <stddef.h>
#include <stdint.h>

#include "selftest/regs_layout.h"

// Every general register around one entry. In: all but the *_before and rsp fields are loaded
// just before the instruction (rflags with popfq). Out: the registers just after it.
struct regs {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rflags;        // in: what to popfq; out: pushfq right after the call
    uint64_t rflags_before; // out: pushfq right before the call (what popfq really set)
    uint64_t rsp_before;    // out: RSP at the call
    uint64_t rsp;           // out: RSP just after it
};

_Static_assert(offsetof(struct regs, rax) == REGS_RAX, "regs_layout.h: rax");
_Static_assert(offsetof(struct regs, rbx) == REGS_RBX, "regs_layout.h: rbx");
_Static_assert(offsetof(struct regs, rcx) == REGS_RCX, "regs_layout.h: rcx");
_Static_assert(offsetof(struct regs, rdx) == REGS_RDX, "regs_layout.h: rdx");
_Static_assert(offsetof(struct regs, rsi) == REGS_RSI, "regs_layout.h: rsi");
_Static_assert(offsetof(struct regs, rdi) == REGS_RDI, "regs_layout.h: rdi");
_Static_assert(offsetof(struct regs, rbp) == REGS_RBP, "regs_layout.h: rbp");
_Static_assert(offsetof(struct regs, r8) == REGS_R8, "regs_layout.h: r8");
_Static_assert(offsetof(struct regs, r9) == REGS_R9, "regs_layout.h: r9");
_Static_assert(offsetof(struct regs, r10) == REGS_R10, "regs_layout.h: r10");
_Static_assert(offsetof(struct regs, r11) == REGS_R11, "regs_layout.h: r11");
_Static_assert(offsetof(struct regs, r12) == REGS_R12, "regs_layout.h: r12");
_Static_assert(offsetof(struct regs, r13) == REGS_R13, "regs_layout.h: r13");
_Static_assert(offsetof(struct regs, r14) == REGS_R14, "regs_layout.h: r14");
_Static_assert(offsetof(struct regs, r15) == REGS_R15, "regs_layout.h: r15");
_Static_assert(offsetof(struct regs, rflags) == REGS_RFLAGS, "regs_layout.h: rflags");
_Static_assert(offsetof(struct regs, rflags_before) == REGS_RFLAGS_BEFORE, "regs_layout.h: rflags_before");
_Static_assert(offsetof(struct regs, rsp_before) == REGS_RSP_BEFORE, "regs_layout.h: rsp_before");
_Static_assert(offsetof(struct regs, rsp) == REGS_RSP, "regs_layout.h: rsp");
_Static_assert(sizeof(struct regs) == REGS_SIZE, "regs_layout.h: size");

// Load every register from *in, execute `syscall`, store every register to *out.
void regs_call_syscall(const struct regs *in, struct regs *out);
// The same around `int 0x80`.
void regs_call_int80(const struct regs *in, struct regs *out);
// The address right after regs_call_syscall's `syscall`: what rcx must hold on return.
extern const char regs_syscall_return[];
// The address right after regs_call_int80's `int 0x80`: its frame's return RIP.
extern const char regs_int80_return[];
// The same around a 64-bit `sysenter` (RCX = RSP and R11 = regs_sysenter_return overwrite the
// values *in gives them: docs/abi.md); regs_sysenter_return is right after the `sysenter`.
void regs_call_sysenter(const struct regs *in, struct regs *out);
extern const char regs_sysenter_return[];

// pushfq; set TF; popfq; then `syscall` (or `int 0x80`) of nr and a few plain instructions for
// the single-step trap to land after. TF is cleared again before returning; returns rax.
long tf_call_syscall(uint64_t nr);
long tf_call_int80(uint64_t nr);
long tf_call_sysenter(uint64_t nr);

// Sets TF, DF and AC together, lets exactly one instruction be single-stepped (the #DB handler
// sees DF and AC set in the frame it was given), then clears all three again.
void tf_step_with_df_and_ac(void);

// Make call nr with RSP = bad_rsp; the real RSP is kept in memory meanwhile. *rsp_after gets
// the RSP the kernel returned with. Returns rax.
long rsp_call_syscall(uint64_t nr, uint64_t bad_rsp, uint64_t *rsp_after);
long rsp_call_int80(uint64_t nr, uint64_t bad_rsp, uint64_t *rsp_after);
long rsp_call_sysenter(uint64_t nr, uint64_t bad_rsp, uint64_t *rsp_after);

#endif
