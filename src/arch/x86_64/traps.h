// Exceptions and interrupts: the full register frame the stubs build, and the C side.
#ifndef LSTAR_ARCH_TRAPS_H
#define LSTAR_ARCH_TRAPS_H
#include <stddef.h>
#include <stdint.h>
#include "arch/x86_64/asm_layout.h"

// What trap_stubs.asm leaves on the stack, lowest address first: the general registers it
// pushed, the vector and error code (0 when the CPU pushes none), then the CPU's own frame.
struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error_code;
    uint64_t rip, cs, rflags, rsp, ss; // pushed by the CPU; what iretq pops
};
_Static_assert(offsetof(struct trap_frame, vector) == TF_VECTOR, "asm_layout.h TF_VECTOR");
_Static_assert(offsetof(struct trap_frame, error_code) == TF_ERROR, "asm_layout.h TF_ERROR");
_Static_assert(offsetof(struct trap_frame, rip) == TF_RIP, "asm_layout.h TF_RIP");
_Static_assert(offsetof(struct trap_frame, cs) == TF_CS, "asm_layout.h TF_CS");
_Static_assert(offsetof(struct trap_frame, rsp) == TF_RSP, "asm_layout.h TF_RSP");
_Static_assert(sizeof(struct trap_frame) == TF_SIZE, "asm_layout.h TF_SIZE");
_Static_assert(TF_SIZE % 16 == 0, "the C handler runs on a 16-byte aligned stack");

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
#define VEC_APIC_SPURIOUS 49 // the local APIC's spurious vector: no EOI (SDM Vol. 3A 11.9)
#define TRAP_STUBS 50        // vectors 0..49 have a stub in trap_stubs.asm
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
