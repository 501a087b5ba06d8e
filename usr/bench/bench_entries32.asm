; SPDX-License-Identifier: MIT
; The benchmark's batches through the call gate and from compatibility mode (bench_loops.h has
; the timing method; these follow it exactly: the same stamps, eight calls per iteration).
;
; The compatibility-mode batches take the timed window's first stamp in 64-bit mode, far-jump
; into compatibility mode, run the whole loop there, far-jump back and take the last stamp: two
; far jumps per batch (not in the timer's own batch), a few instructions in a thousand calls.
; RSP, the callee-saved registers and the stamp wait in memory below 4 GiB meanwhile.

bits 64
default rel

%include "asm_layout.inc"               ; GDT_USER_CS32, GDT_USER_CS

extern bench_have_rdtscp
extern lstar_callgate_pointer
global bench_batch_callgate
global bench_batch_compat

%define COMPAT_SYSENTER 4               ; enum compat_entry (entries32.h)

section .data
align 8
to_int80_loop:   dd int80_loop
                 dw GDT_USER_CS32
to_syscall_loop: dd syscall_loop
                 dw GDT_USER_CS32
to_sysenter_loop: dd sysenter_loop
                 dw GDT_USER_CS32
to_long:         dd back_in_long_mode
                 dw GDT_USER_CS

section .bss
align 8
saved_rsp:  resq 1
start:      resq 1
iterations: resd 1
number:     resd 1                      ; nr, for the sysenter loop (EBP is its ESP there)

section .text
; uint64_t bench_batch_callgate(uint64_t calls /* rdi */, uint64_t nr /* rsi */)
; `mov rax, nr; call far [gate]`, calls times.
bench_batch_callgate:
    push rbx
    push r12
    push r13
    mov r12, rdi
    shr r12, 3                          ; eight calls per iteration
    mov rbx, rsi
    xor edi, edi                        ; the arguments: zeros
    xor esi, esi
    lfence
    rdtsc
    shl rdx, 32
    or rax, rdx
    mov r13, rax                        ; the start: the gate preserves every register but RAX
    xor edx, edx
.loop:
%rep 8
    mov rax, rbx
    call far dword [lstar_callgate_pointer]
%endrep
    dec r12
    jnz .loop
    call end_stamp
    sub rax, r13
    pop r13
    pop r12
    pop rbx
    ret

; rax = the TSC at the end of a window, as bench_loops.asm's END_STAMP takes it.
end_stamp:
    cmp byte [bench_have_rdtscp], 0
    je .plain
    rdtscp
    jmp .stamped
.plain:
    lfence
    rdtsc
.stamped:
    lfence
    shl rdx, 32
    or rax, rdx
    ret

; uint64_t bench_batch_compat(uint64_t calls /* rdi */, uint64_t nr /* rsi */, int how /* edx */)
; how 0: `mov eax, nr; int 0x80` from compatibility mode; 1: `mov eax, nr; syscall` there;
; 4 (COMPAT_SYSENTER): `sysenter` there, with the compatibility-mode sysenter ABI, which the
; caller has chosen (SYS_sysenter_abi). EBX, EDX are the first and third arguments (0), EBP
; holds nr: all three survive int 0x80 and syscall (the sysenter loop below differs).
bench_batch_compat:
    push rbx
    push rbp
    push r12
    push r13
    push r14
    push r15
    mov [saved_rsp], rsp
    shr rdi, 3
    mov [iterations], edi
    mov ebp, esi                        ; nr
    mov r12d, edx                       ; how
    mov ax, ss
    mov ds, ax                          ; 32-bit code addresses data through DS
    mov es, ax
    xor ebx, ebx
    lfence
    rdtsc
    shl rdx, 32
    or rax, rdx
    mov [start], rax
    xor edx, edx
    cmp r12d, COMPAT_SYSENTER
    je .sysenter
    test r12d, r12d
    jnz .syscall
    jmp far dword [to_int80_loop]
.syscall:
    jmp far dword [to_syscall_loop]
.sysenter:
    mov [number], ebp
    jmp far dword [to_sysenter_loop]

bits 32
int80_loop:
    mov edi, [iterations]
.loop:
%rep 8
    mov eax, ebp
    int 0x80
%endrep
    dec edi
    jnz .loop
    jmp far dword [to_long]

syscall_loop:
    mov edi, [iterations]
.loop:
%rep 8
    mov eax, ebp
    syscall                             ; clobbers ECX and R11, nothing the loop uses
%endrep
    dec edi
    jnz .loop
    jmp far dword [to_long]

; One compatibility-mode `sysenter` as its ABI asks (docs/abi.md): EDI = the return EIP, EBP =
; ESP, both set at every call as a caller with a moving stack must; the number from memory, as
; EBP is taken. EBX (argument 0) stays 0; EDX (argument 2) is the last call's return EIP, which
; 32-bit SYSEXIT left there (SYS_null reads no argument); ECX is the ESP.
%macro COMPAT_SYSENTER_CALL 0
    mov eax, [number]
    mov edi, %%after
    mov ebp, esp
    sysenter
%%after:
%endmacro

sysenter_loop:
    mov esi, [iterations]               ; ESI survives: the counter
.loop:
%rep 8
    COMPAT_SYSENTER_CALL
%endrep
    dec esi
    jnz .loop
    jmp far dword [to_long]

bits 64
back_in_long_mode:
    mov rsp, [saved_rsp]
    call end_stamp
    sub rax, [start]
    xor edx, edx
    mov ds, dx                          ; the null data selectors 64-bit code had
    mov es, dx
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbp
    pop rbx
    ret
