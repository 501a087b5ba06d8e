// The frame both system-call entries build on the kernel stack, and how C finds it.
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
#include "syscall/abi.h"

struct syscall_frame {
    uint64_t rcx;    // the user's RCX (after `syscall`: the return RIP, as the CPU wrote it)
    uint64_t rip;    // where the user resumes
    uint64_t cs;     // the user's code selector (GDT_USER_CS)
    uint64_t rflags; // the user's flags (after `syscall`: R11)
    uint64_t rsp;    // the user's stack pointer, never dereferenced by the kernel
    uint64_t ss;     // the user's stack selector (GDT_USER_DS)
};
_Static_assert(offsetof(struct syscall_frame, rcx) == SCF_RCX, "asm_layout.h SCF_RCX");
_Static_assert(offsetof(struct syscall_frame, rip) == SCF_RIP, "asm_layout.h SCF_RIP");
_Static_assert(offsetof(struct syscall_frame, cs) == SCF_CS, "asm_layout.h SCF_CS");
_Static_assert(offsetof(struct syscall_frame, rflags) == SCF_RFLAGS, "asm_layout.h SCF_RFLAGS");
_Static_assert(offsetof(struct syscall_frame, rsp) == SCF_RSP, "asm_layout.h SCF_RSP");
_Static_assert(offsetof(struct syscall_frame, ss) == SCF_SS, "asm_layout.h SCF_SS");
_Static_assert(sizeof(struct syscall_frame) == SCF_SIZE, "asm_layout.h SCF_SIZE");
_Static_assert(SCF_SIZE % 16 == 0, "the handler is called on a 16-byte aligned stack");

// Returns the frame of the system call this CPU is executing (made from ring 3).
static inline struct syscall_frame *syscall_current_frame(void)
{
    return (struct syscall_frame *)(this_cpu()->kernel_rsp - sizeof(struct syscall_frame));
}

#endif
