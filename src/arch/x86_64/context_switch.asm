; Kernel-stack switching between processes, and a new process's first entry to ring 3.

%include "asm_layout.inc"

global context_switch
global user_first_entry

section .text
; void context_switch(uint64_t *save_rsp, uint64_t next_rsp)
; Saves the callee-saved registers (the C ABI's promise to our caller) on this stack, parks
; RSP in *save_rsp, and resumes whatever stack next_rsp describes at its own `ret`.
context_switch:
    push rbp
    push rbx
    push r12
    push r13
    push r14
    push r15
    mov [rdi], rsp                        ; where to resume this side later
    mov rsp, rsi                          ; the other side's saved stack
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    ret                                   ; into its context_switch call, or user_first_entry

; A new process's kernel stack is built (process.c) so that context_switch "returns" here
; with RSP at an iretq frame for the program's entry point.
user_first_entry:
    xor eax, eax                          ; the program starts with every register zero:
    xor ebx, ebx                          ; nothing of the kernel's leaks into ring 3
    xor ecx, ecx
    xor edx, edx
    xor esi, esi
    xor edi, edi
    xor ebp, ebp
    xor r8d, r8d
    xor r9d, r9d
    xor r10d, r10d
    xor r11d, r11d
    xor r12d, r12d
    xor r13d, r13d
    xor r14d, r14d
    xor r15d, r15d
    swapgs                                ; GS base <- the user's (0); ours goes to KERNEL_GS_BASE
    iretq                                 ; RIP = entry, CS = user, RFLAGS = IF, RSP = stack top
