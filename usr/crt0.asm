; SPDX-License-Identifier: MIT
; Entry point of every ring-3 program.
;
; The kernel starts a program here with RSP = USER_STACK_TOP (16-byte aligned), RDI = the CPU
; the program was placed on (the run= list's @CPU, inherited by children), every other
; register zero and RFLAGS = 0x202. There is nothing on the stack: the argument string is
; fetched by __libc_start with SYS_getargs. RDI is passed on untouched as __libc_start's
; first argument.

bits 64
default rel

; Its own section, which user.ld puts first: the entry point is the first byte of the image.
section .text.start progbits alloc exec nowrite align=16
global _start
extern __libc_start

_start:
    xor ebp, ebp            ; a zero frame pointer ends every RBP-chain walk here
    and rsp, -16            ; the kernel promises alignment; keeping it true costs one instruction
    call __libc_start       ; the call pushes 8, so the callee sees RSP = 8 mod 16 as the ABI wants
    ud2                     ; __libc_start never returns; if it ever did, fault rather than run on
