// SPDX-License-Identifier: MIT
// The frame every system-call entry builds on the kernel stack, and how C finds it.
//
// Both entries in lstar_entry.asm leave the same six words at the top of the running
// process's kernel stack: the user's RCX, then exactly what iretq pops. Only these are
// saved because the handlers themselves preserve every other register (no_caller_saved_registers,
// see syscall_table.h): a null call then costs no stores for registers nobody touches.
#ifndef LSTAR_SYSCALL_FRAME_H
#define LSTAR_SYSCALL_FRAME_H
#include <stddef.h>
#include <stdint.h>
#include "arch/x86_64/asm_layout.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/traps.h"
#include "syscall/abi.h"

struct syscall_frame {
    uint64_t rcx;    // the user's RCX (after `syscall`: the return RIP, as the CPU wrote it; after a
                     // compatibility-mode `syscall`: the return EIP)
    uint64_t rip;    // where the user resumes
    uint64_t cs;     // the user's code selector (GDT_USER_CS; GDT_USER_CS32 from compatibility mode)
    uint64_t rflags; // the user's flags (after `syscall`: R11)
    uint64_t rsp;    // the user's stack pointer, never dereferenced by the kernel
    uint64_t ss;     // the user's stack selector (GDT_USER_DS)
};
// lstar_entry.asm pushes the RCX word, then pops it and reads the rest as an iretq frame
// (IRET_*, from struct iret_frame in traps.h), and calls the handler with RSP at the frame.
// callgate_entry.asm builds it word by word with SF_* (asm_offsets.c: one word, then struct
// iret_frame), which the asserts below make this structure's offsets.
_Static_assert(offsetof(struct syscall_frame, rcx) == 0 && offsetof(struct syscall_frame, rip) == 8,
               "the user's RCX, then the iretq frame");
_Static_assert(
    sizeof(struct syscall_frame) - offsetof(struct syscall_frame, rip) == sizeof(struct iret_frame) &&
        offsetof(struct syscall_frame, cs) - offsetof(struct syscall_frame, rip) == offsetof(struct iret_frame, cs) &&
        offsetof(struct syscall_frame, rflags) - offsetof(struct syscall_frame, rip) ==
            offsetof(struct iret_frame, rflags) &&
        offsetof(struct syscall_frame, rsp) - offsetof(struct syscall_frame, rip) == offsetof(struct iret_frame, rsp) &&
        offsetof(struct syscall_frame, ss) - offsetof(struct syscall_frame, rip) == offsetof(struct iret_frame, ss),
    "struct syscall_frame ends in the iretq frame");
_Static_assert(sizeof(struct syscall_frame) % 16 == 0, "the handler is called on a 16-byte aligned stack");

// Returns the frame of the system call this CPU is executing (made from ring 3).
static inline struct syscall_frame *syscall_current_frame(void)
{
    return (struct syscall_frame *)(this_cpu()->kernel_rsp - sizeof(struct syscall_frame));
}

#endif
