; SPDX-License-Identifier: MIT
; Entry point of the benchmark's init, the first process Linux starts (/init of the initramfs).
;
; Linux starts a static ELF with RSP at argc, followed by argv[0..argc-1], NULL, the
; environment, NULL and the auxiliary vector (System V AMD64 psABI, "Process Initialization";
; Linux's create_elf_tables). The C start reads argc and argv from there.

bits 64
default rel

section .text
global _start
extern linux_bench_start

_start:
    xor ebp, ebp                ; a zero frame pointer ends every RBP-chain walk here
    mov rdi, rsp                ; the initial stack: argc, then argv
    and rsp, -16                ; the ABI's alignment at a call
    call linux_bench_start      ; never returns: PID 1 must not exit (Linux would panic)
    ud2
