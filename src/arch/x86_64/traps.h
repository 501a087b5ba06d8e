// SPDX-License-Identifier: MIT
// Exceptions and interrupts: the full register frame the stubs build, and the C side.
#ifndef LSTAR_ARCH_TRAPS_H
#define LSTAR_ARCH_TRAPS_H
#include <stddef.h>
#include <stdint.h>

// The frame iretq pops, as every interrupt and exception pushes it in 64-bit mode (Intel SDM
// Vol. 3A, section "64-Bit Mode Stack Frame"): RIP at the lowest address. Both frames the entry
// stubs build end in it (struct trap_frame below, struct syscall_frame), and the assembly reads
// it through IRET_* (asm_offsets.c).
struct iret_frame {
    uint64_t rip, cs, rflags, rsp, ss;
};

// What trap_stubs.asm leaves on the stack, lowest address first: the general registers it
// pushed, the vector and error code (0 when the CPU pushes none), then the CPU's own frame.
struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error_code;
    uint64_t rip, cs, rflags, rsp, ss; // pushed by the CPU; what iretq pops
};
// The stubs hand trap_dispatch the frame's address as RSP: the alignment the C ABI wants.
_Static_assert(sizeof(struct trap_frame) % 16 == 0, "the C handler runs on a 16-byte aligned stack");
_Static_assert(
    sizeof(struct trap_frame) - offsetof(struct trap_frame, rip) == sizeof(struct iret_frame) &&
        offsetof(struct trap_frame, cs) - offsetof(struct trap_frame, rip) == offsetof(struct iret_frame, cs) &&
        offsetof(struct trap_frame, rflags) - offsetof(struct trap_frame, rip) == offsetof(struct iret_frame, rflags) &&
        offsetof(struct trap_frame, rsp) - offsetof(struct trap_frame, rip) == offsetof(struct iret_frame, rsp) &&
        offsetof(struct trap_frame, ss) - offsetof(struct trap_frame, rip) == offsetof(struct iret_frame, ss),
    "struct trap_frame ends in the iretq frame");

#define EXCEPTION_VECTORS 32 // vectors 0-31: the CPU's exceptions, defined or reserved
#define VEC_DE 0
#define VEC_DB 1
#define VEC_NMI 2
#define VEC_BP 3
#define VEC_UD 6
#define VEC_DF 8
#define VEC_GP 13
#define VEC_PF 14
#define VEC_MC 18
#define VEC_IRQ0 32          // PIT timer after the PIC remap
#define VEC_IRQ7 39          // the master PIC's spurious vector
#define VEC_IRQ15 47         // the slave PIC's spurious vector
#define VEC_LAPIC_TIMER 48   // the local APIC timer: the tick of every CPU but cpu0 (lapic.c)
#define VEC_APIC_SPURIOUS 49 // the local APIC's spurious vector: no EOI (SDM Vol. 3A "Spurious Interrupt")
#define TRAP_STUBS 50        // vectors 0..TRAP_STUBS-1 have a stub in trap_stubs.asm
#define VEC_INT80 0x80

void trap_dispatch(struct trap_frame *tf);
void trap_print_frame(const struct trap_frame *tf);
const char *trap_vector_name(uint64_t vector);

// An exception the kernel provokes on purpose (self-checks): the handler reports it and
// resumes at `resume` instead of panicking. One at a time; cleared when taken.
void trap_expect(uint64_t vector, uint64_t resume);
int trap_expected_taken(void);

extern volatile uint64_t timer_ticks;

#endif
