; SPDX-License-Identifier: MIT
; The call gate's far pointer, and the compatibility-mode calls of entries32.h.
;
; Compatibility mode: a far jump to the 32-bit user code segment (GDT_USER_CS32) runs the same
; address space with 32-bit code, as a 32-bit program would. Only the low 4 GiB are reachable
; there and the upper halves of the general registers are undefined after it (SDM Vol. 1
; "General-Purpose Registers in 64-Bit Mode"; R8-R15 are kept across a trip through
; compatibility mode): everything the 64-bit caller needs is kept in memory (.bss, linked at
; 4 MiB by user.ld), and the 32-bit part runs on a stack of its own there, because the program's
; stack lies near the top of the lower half.

bits 64
default rel

%include "asm_layout.inc"               ; GDT_CALL_GATE, GDT_USER_CS32, GDT_USER_CS
%include "arch_bits.inc"                ; RFLAGS_FIXED

%define CR_EAX 0                        ; struct compat_regs (entries32.h)
%define CR_EBX 4
%define CR_ECX 8
%define CR_EDX 12
%define CR_ESI 16
%define CR_EDI 20
%define CR_EBP 24
%define CR_EFLAGS 28
%define CR_SIZE 32
%define COMPAT_SYSCALL 1                ; enum compat_entry (entries32.h)
%define COMPAT_DIRTY_UPPER 2
%define COMPAT_SYSENTER 4
%define COMPAT_UPPER_GARBAGE 0x5a5a5a5a00000000

global lstar_callgate_pointer
global compat_regs_call
global compat_syscall_return
global compat_int80_return
global compat_sysenter_return
global compat_stack_top

section .rodata
lstar_callgate_pointer:
    dd 0                                ; offset: ignored, the gate holds the target
    dw GDT_CALL_GATE | 3                ; RPL 3: the caller's privilege

section .data
align 8
to_compat_int80:   dd compat_int80_part
                   dw GDT_USER_CS32
to_compat_syscall: dd compat_syscall_part
                   dw GDT_USER_CS32
to_long:           dd long_part
                   dw GDT_USER_CS
to_compat_int80_loaded:   dd compat_int80_loaded
                          dw GDT_USER_CS32
to_compat_syscall_loaded: dd compat_syscall_loaded
                          dw GDT_USER_CS32
to_compat_sysenter:       dd compat_sysenter_part
                          dw GDT_USER_CS32
to_compat_sysenter_loaded: dd compat_sysenter_loaded
                           dw GDT_USER_CS32

section .bss
align 16
saved_rsp:  resq 1
out_ptr:    resq 1
regs_in:    resb CR_SIZE
regs_out:   resb CR_SIZE
            resb 256
compat_stack_top:                       ; the 32-bit code's stack (pushfd, popfd)

section .text
; void compat_regs_call(const struct compat_regs *in /* rdi */, struct compat_regs *out /* rsi */,
;                       enum compat_entry how /* edx */)
compat_regs_call:
    push rbx
    push rbp
    push r12
    push r13
    push r14
    push r15
    pushfq                              ; the caller's flags (DF = 0), for the way back
    mov [saved_rsp], rsp
    mov [out_ptr], rsi
    mov rax, [rdi]                      ; *in, copied below 4 GiB
    mov [regs_in], rax
    mov rax, [rdi + 8]
    mov [regs_in + 8], rax
    mov rax, [rdi + 16]
    mov [regs_in + 16], rax
    mov rax, [rdi + 24]
    mov [regs_in + 24], rax
    mov ax, ss                          ; 32-bit code addresses data through DS and ES: the
    mov ds, ax                          ; flat user data segment (64-bit code has them null)
    mov es, ax
    mov esp, compat_stack_top           ; zero-extends: RSP now below 4 GiB
    test edx, COMPAT_DIRTY_UPPER
    jnz .dirty
    test edx, COMPAT_SYSENTER
    jnz .sysenter
    test edx, edx
    jnz .syscall
    jmp far dword [to_compat_int80]
.syscall:
    jmp far dword [to_compat_syscall]
.sysenter:
    jmp far dword [to_compat_sysenter]
    ; COMPAT_DIRTY_UPPER: load the registers here, in 64-bit mode, each with a nonzero upper
    ; half, and enter at once in compatibility mode without writing them: the kernel must look
    ; at the low halves only (compat_abi.inc).
.dirty:
    mov r11, COMPAT_UPPER_GARBAGE
    mov r12d, edx                       ; `how`, before RDX is loaded
    mov eax, [regs_in + CR_EAX]
    or rax, r11
    mov ebx, [regs_in + CR_EBX]
    or rbx, r11
    mov ecx, [regs_in + CR_ECX]
    or rcx, r11
    mov edx, [regs_in + CR_EDX]
    or rdx, r11
    mov esi, [regs_in + CR_ESI]
    or rsi, r11
    mov edi, [regs_in + CR_EDI]
    or rdi, r11
    mov ebp, [regs_in + CR_EBP]
    or rbp, r11
    test r12d, COMPAT_SYSENTER
    jnz .dirty_sysenter
    test r12d, COMPAT_SYSCALL
    jnz .dirty_syscall
    jmp far dword [to_compat_int80_loaded]
.dirty_syscall:
    jmp far dword [to_compat_syscall_loaded]
    ; sysenter's EDI and EBP are its return EIP and ESP (docs/abi.md): those, with upper halves.
.dirty_sysenter:
    mov edi, compat_sysenter_return
    or rdi, r11
    mov ebp, esp                        ; compat_stack_top: the 32-bit code's ESP at the sysenter
    or rbp, r11
    jmp far dword [to_compat_sysenter_loaded]

bits 32
; The 32-bit halves every way in shares: the flags and EAX..ESI from regs_in (EDI and EBP are
; loaded by each part, sysenter's carrying its return EIP and ESP), and after the call every
; register and the flags into regs_out, then the far jump back to 64-bit mode.
%macro LOAD_FLAGS_AND_EAX_TO_ESI 0
    push dword [regs_in + CR_EFLAGS]
    popfd
    mov eax, [regs_in + CR_EAX]
    mov ebx, [regs_in + CR_EBX]
    mov ecx, [regs_in + CR_ECX]
    mov edx, [regs_in + CR_EDX]
    mov esi, [regs_in + CR_ESI]
%endmacro
%macro STORE_AND_RETURN 0
    pushfd
    mov [regs_out + CR_EAX], eax
    mov [regs_out + CR_EBX], ebx
    mov [regs_out + CR_ECX], ecx
    mov [regs_out + CR_EDX], edx
    mov [regs_out + CR_ESI], esi
    mov [regs_out + CR_EDI], edi
    mov [regs_out + CR_EBP], ebp
    pop dword [regs_out + CR_EFLAGS]
    jmp far dword [to_long]
%endmacro

compat_int80_part:
    LOAD_FLAGS_AND_EAX_TO_ESI
    mov edi, [regs_in + CR_EDI]
    mov ebp, [regs_in + CR_EBP]
compat_int80_loaded:
    int 0x80
compat_int80_return:
    STORE_AND_RETURN

compat_syscall_part:
    LOAD_FLAGS_AND_EAX_TO_ESI
    mov edi, [regs_in + CR_EDI]
    mov ebp, [regs_in + CR_EBP]
compat_syscall_loaded:
    syscall                             ; -> IA32_CSTAR, back by 32-bit sysret (or iretq)
compat_syscall_return:
    STORE_AND_RETURN

; `sysenter` with the compatibility-mode sysenter ABI (SYS_sysenter_abi(SYSENTER_ABI_32), which
; the caller must have chosen; docs/abi.md): EAX = number, EBX, ECX, EDX, ESI = arguments, EDI =
; the return EIP, EBP = ESP. The kernel comes back at the EIP in EDI, with ECX = ESP and EDX = EIP.
compat_sysenter_part:
    LOAD_FLAGS_AND_EAX_TO_ESI
    mov edi, compat_sysenter_return     ; where to come back
    mov ebp, esp                        ; with this ESP (compat_stack_top)
compat_sysenter_loaded:
    sysenter                            ; -> sysenter32_entry, back by 32-bit sysexit (or iretq)
compat_sysenter_return:
    STORE_AND_RETURN

bits 64
long_part:
    xor eax, eax
    mov ds, ax                          ; the null data selectors 64-bit code had
    mov es, ax
    mov rsp, [saved_rsp]
    mov rsi, [out_ptr]
    mov rax, [regs_out]
    mov [rsi], rax
    mov rax, [regs_out + 8]
    mov [rsi + 8], rax
    mov rax, [regs_out + 16]
    mov [rsi + 16], rax
    mov rax, [regs_out + 24]
    mov [rsi + 24], rax
    popfq                               ; DF and AC as the caller had them
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbp
    pop rbx
    ret

; long callgate_call_with_ss(long nr /* rdi */, uint64_t ss /* rsi */, uint64_t *ss_after /* rdx */)
; SYS nr through the call gate with SS loaded with `ss` (a flat DPL-3 data selector such as
; GDT_USER_DS_SYSEXIT): the gate pushes that SS, which the lretq exit does not accept, so the
; call must come back by the iretq exit with SS unchanged. *ss_after gets the SS after the call.
global callgate_call_with_ss
callgate_call_with_ss:
    mov rax, rdi
    mov r11, rdx                        ; the out pointer: R11 survives the call gate
    mov cx, ss
    mov ss, si
    call far dword [lstar_callgate_pointer]
    mov esi, ss                         ; zero-extends
    mov ss, cx                          ; the program's own SS back
    mov [r11], rsi
    ret
