// SPDX-License-Identifier: MIT
// Timed batches of calls, in NASM (bench_loops.asm) so that what is measured is exactly the
// instructions listed there. Each function returns the TSC ticks its batch took.
//
// Every batch has the same fixed part: `lfence; rdtsc` and its bookkeeping at the start,
// `rdtscp; lfence` (or `lfence; rdtsc` on a CPU without rdtscp) at the end. bench_batch_empty is
// that fixed part alone, so subtracting it leaves the calls and the loop around them. The loop
// is unrolled eight times: `calls` must be a positive multiple of 8.
#ifndef LSTAR_BENCH_LOOPS_H
#define LSTAR_BENCH_LOOPS_H

#include <stdint.h>

// Set to 1 by bench_detect_rdtscp() when the CPU has rdtscp; the batches read it.
extern uint8_t bench_have_rdtscp;

// Look up rdtscp in CPUID and set bench_have_rdtscp.
void bench_detect_rdtscp(void);

// The timer alone: what every batch costs besides its calls.
uint64_t bench_batch_empty(void);

// `call` to an empty function, calls times.
uint64_t bench_batch_function(uint64_t calls);

// `mov rax, nr; syscall`, calls times, with rdi, rsi, rdx = a0, a1, a2 (the kernel keeps them).
uint64_t bench_batch_syscall(uint64_t calls, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2);

// `mov rax, nr; int 0x80`, calls times, with rdi, rsi, rdx = a0, a1, a2.
uint64_t bench_batch_int80(uint64_t calls, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2);

// `mov rax, nr; mov rdx, a2; mov rcx, rsp; lea r11, [next]; sysenter`, calls times, with rdi,
// rsi = a0, a1 (the kernel keeps them); GenuineIntel CPUs only.
uint64_t bench_batch_sysenter(uint64_t calls, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2);

// `int 0x80` with rcx = the address after it and r11 = RFLAGS, so the kernel's return checks
// (RCX == RIP, R11 == RFLAGS) pass and it leaves through sysretq; calls times.
uint64_t bench_batch_int80_sysret(uint64_t calls, uint64_t nr);

// bench_entries32.asm: `mov rax, nr; call far` through the call gate, calls times.
uint64_t bench_batch_callgate(uint64_t calls, uint64_t nr);
// bench_entries32.asm: `mov eax, nr; int 0x80` (how = COMPAT_INT80) or `syscall` (COMPAT_SYSCALL)
// in compatibility mode, calls times.
uint64_t bench_batch_compat(uint64_t calls, uint64_t nr, int how);

#endif
