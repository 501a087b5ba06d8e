; SPDX-License-Identifier: MIT
; SYS_probe_regs(value, entry): which registers still hold `value` when the handler starts.
;
; The observable of clear-regs (docs/hardening.md): the selftest loads one value into RBX, RBP
; and R10-R15 (and into RDI, the first argument) and calls this through either entry. A handler
; written in C could not promise to read the registers before its own code changes them, so the
; look is taken here, first thing, and handed to mitigations_probe_report (mitigations.c),
; which prints the kernel line the tests read and returns how many registers held the value.
; Like every handler it gives back every register but RAX (no_caller_saved_registers: the
; reporter is declared so too).
%include "asm_offsets.inc"              ; (no constants needed; the one include of every .asm)

extern mitigations_probe_report
global sys_probe_regs

section .text
align 16
sys_probe_regs:
    xor eax, eax                          ; bit i: register i of the list below held the value
    cmp rbx, rdi
    jne .rbp
    bts eax, 0
.rbp:
    cmp rbp, rdi
    jne .r10
    bts eax, 1
.r10:
    cmp r10, rdi
    jne .r11
    bts eax, 2
.r11:
    cmp r11, rdi
    jne .r12
    bts eax, 3
.r12:
    cmp r12, rdi
    jne .r13
    bts eax, 4
.r13:
    cmp r13, rdi
    jne .r14
    bts eax, 5
.r14:
    cmp r14, rdi
    jne .r15
    bts eax, 6
.r15:
    cmp r15, rdi
    jne .report
    bts eax, 7
.report:
    push rdi                              ; mitigations_probe_report(mask, entry)
    mov edi, eax
    call mitigations_probe_report         ; RSP: 16-aligned at our entry + 8 (return) + 8 (rdi)
    pop rdi
    ret
