// SPDX-License-Identifier: MIT
// Ring 3's ways into the kernel beside `syscall` and `int 0x80` (docs/abi.md): the 64-bit call
// gate, and `int 0x80` and `syscall` made from compatibility mode (32-bit code) with the i386
// register convention.
#ifndef LSTAR_LIBC_ENTRIES32_H
#define LSTAR_LIBC_ENTRIES32_H

#include <stdint.h>

#include "syscall/abi.h"

// The m16:32 far pointer a call through the gate uses: offset 0 (ignored: the gate supplies it),
// selector GDT_CALL_GATE | 3 (entries32.asm).
extern const char lstar_callgate_pointer[6];

// Call nr through the call gate: the `syscall` registers (rax = number; rdi, rsi, rdx, r10, r8, r9
// = arguments; result in rax), and every other register, RCX and R11 included, comes back as it
// was. `lcall *mem` without REX.W takes an m16:32 operand, which Intel and AMD both accept in
// 64-bit mode (SDM Vol. 2A "CALL"; AMD ignores REX.W on far calls).
static inline long callgate_call(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
    register long r10 __asm__("r10") = a3;
    register long r8 __asm__("r8") = a4;
    register long r9 __asm__("r9") = a5;
    __asm__ volatile("lcall *%[gate]"
                     : "+a"(nr)
                     : [gate] "m"(*(const char(*)[6])lstar_callgate_pointer), "D"(a0), "S"(a1), "d"(a2), "r"(r10),
                       "r"(r8), "r"(r9)
                     : "memory");
    return nr;
}

// The 32-bit registers around one compatibility-mode call (entries32.asm). In: what the 32-bit
// code loads just before the instruction (eflags with popfd). Out: what it finds just after.
struct compat_regs {
    uint32_t eax, ebx, ecx, edx, esi, edi, ebp, eflags;
};

// How compat_regs_call enters the kernel from compatibility mode.
enum compat_entry {
    COMPAT_INT80,   // `int 0x80`: the DPL-3 gate, i386 registers (EBX, ECX, EDX, ESI, EDI, EBP)
    COMPAT_SYSCALL, // `syscall`: IA32_CSTAR on AMD (and QEMU's Intel models); #UD on Intel
    // Or'ed in: load the registers in 64-bit mode with upper halves 0x5a5a5a5a and enter at once
    // in compatibility mode without writing them, so the kernel receives those upper halves.
    COMPAT_DIRTY_UPPER = 2,
    // `sysenter` (Intel only) with the compatibility-mode sysenter ABI, which the program must
    // have chosen first with sys_sysenter_abi(SYSENTER_ABI_32): EBX, ECX, EDX, ESI = arguments
    // 0-3, EDI = the return EIP, EBP = ESP (set by the wrapper: in->edi and in->ebp are not
    // used); after it ECX = that ESP, EDX = EDI = compat_sysenter_return, EBP = ESP.
    COMPAT_SYSENTER = 4,
};

// Far-jumps into compatibility mode, loads *in, enters through `how`, stores the registers to
// *out and comes back to 64-bit mode. Runs on a stack of its own below 4 GiB.
void compat_regs_call(const struct compat_regs *in, struct compat_regs *out, int how);
// The address of the instruction after compat_regs_call's `syscall`: what ECX holds after it.
extern const char compat_syscall_return[];
// Where a COMPAT_SYSENTER call comes back, and the ESP it passes (in EBP) and gets back in ECX.
extern const char compat_sysenter_return[];
extern const char compat_stack_top[];

// Call nr from compatibility mode with the i386 ABI; returns EAX sign-extended (a negative errno
// on failure). a0..a5 go to EBX, ECX (EBP for `syscall`: the CPU takes ECX), EDX, ESI, EDI, EBP;
// `sysenter` takes a0..a3 only (EDI and EBP carry its return EIP and ESP).
static inline long compat_call(int how, uint32_t nr, uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4,
                               uint32_t a5)
{
    struct compat_regs in = {.eax = nr, .ebx = a0, .ecx = a1, .edx = a2, .esi = a3, .edi = a4, .ebp = a5, .eflags = 2};
    if (how & COMPAT_SYSCALL) {
        in.ebp = a1; // arg 1 in EBP; arg 5 is not taken (docs/abi.md)
        in.ecx = 0;
    }
    struct compat_regs out;
    compat_regs_call(&in, &out, how);
    return (long)(int32_t)out.eax;
}

#endif
