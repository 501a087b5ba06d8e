; SPDX-License-Identifier: MIT
; Ring 3 leaving 64-bit mode for compatibility mode and executing `syscall` there.
;
; SYSRET needs a 32-bit user code segment in the GDT (16 below the 64-bit one), and any program
; can far-jump into it. A compatibility-mode `syscall` reaches IA32_CSTAR on AMD CPUs, where the
; kernel dispatches it with the i386 ABI (compat_entry.asm); Intel CPUs raise #UD for `syscall`
; outside 64-bit mode instead.

global compat_mode_syscall
global compat_mode_int80_getpid
global compat_mode_sysenter_getpid
global compat_mode_sysenter32_getpid
global compat_mode_sysenter32_tf_getpid

section .bss
align 8
saved_rsp:  resq 1
saved_rbx:  resq 1
saved_rbp:  resq 1
saved_r12:  resq 1
saved_r13:  resq 1
saved_r14:  resq 1
saved_r15:  resq 1
result:     resq 1
            resb 64
tf_stack_top:                             ; the TF call's stack: the program's is above 4 GiB

section .data
align 8
to_compat:  dd compat_part                ; m16:32 far pointer: offset, then selector
            dw 0                          ; the 32-bit user CS, filled in at run time
to_long:    dd long_part
            dw 0                          ; the 64-bit user CS, filled in at run time
to_compat_int80: dd compat_int80_part
            dw 0                          ; the 32-bit user CS, filled in at run time
to_compat_sysenter: dd compat_sysenter_part
            dw 0                          ; the 32-bit user CS, filled in at run time
to_compat_sysenter32: dd compat_sysenter32_part
            dw 0                          ; the 32-bit user CS, filled in at run time
to_compat_sysenter32_tf: dd compat_sysenter32_tf_part
            dw 0                          ; the 32-bit user CS, filled in at run time


; ENTER_COMPAT_PREPARE far_pointer: everything before the far jump into compatibility mode.
; Upper register halves are not guaranteed across a trip through 32-bit code: keep what the C
; caller needs in memory, which stays below 4 GiB (user.ld links us at 4 MiB). Then fill in the
; selectors of both far pointers, and give 32-bit code a flat DS/ES (a null DS would #GP there).
%macro ENTER_COMPAT_PREPARE 1
    mov [rel saved_rsp], rsp
    mov [rel saved_rbx], rbx
    mov [rel saved_rbp], rbp
    mov [rel saved_r12], r12
    mov [rel saved_r13], r13
    mov [rel saved_r14], r14
    mov [rel saved_r15], r15
    mov ax, cs
    mov [rel to_long + 4], ax             ; our own selector for the way back
    sub ax, 16                            ; SYSRET layout: 32-bit user CS = 64-bit user CS - 16
    mov [rel %1 + 4], ax
    mov ax, ss
    mov ds, ax                            ; 32-bit code addresses data through DS
    mov es, ax
%endmacro

section .text
bits 64
; int64_t compat_mode_syscall(void): the EAX (sign-extended) that `syscall` in compatibility
; mode came back with.
compat_mode_syscall:
    ENTER_COMPAT_PREPARE to_compat
    jmp far dword [rel to_compat]         ; into compatibility mode

bits 32
compat_part:
    xor eax, eax                          ; SYS_null: 0 back when dispatched
    syscall                               ; -> IA32_CSTAR -> 32-bit sysret back to the next line
    mov [result], eax
    jmp far dword [to_long]               ; back to 64-bit mode

bits 64
long_part:
    xor eax, eax
    mov ds, ax                            ; null data selectors, as the program had them
    mov es, ax
    mov rsp, [rel saved_rsp]
    mov rbx, [rel saved_rbx]
    mov rbp, [rel saved_rbp]
    mov r12, [rel saved_r12]
    mov r13, [rel saved_r13]
    mov r14, [rel saved_r14]
    mov r15, [rel saved_r15]
    movsxd rax, dword [rel result]
    ret

; ---- int 0x80 from compatibility mode, with RCX and R11 ready for sysretq ----
; int64_t compat_mode_int80_getpid(void): SYS_getpid through `int 0x80` made in compatibility
; mode, with RCX already holding the return address and R11 the flags, so that of the shared
; exit's sysret checks only one tells this call apart: the frame's CS is the 32-bit user code
; segment, not the 64-bit one SYSRET would load. The kernel must leave by iretq, back into
; compatibility mode; a `sysretq` would resume this 32-bit code in 64-bit mode. Returns the
; call's EAX (sign-extended) as seen back in compatibility mode.
SYS_GETPID equ 3
bits 64
compat_mode_int80_getpid:
    ENTER_COMPAT_PREPARE to_compat_int80
    lea rcx, [rel compat_int80_return]    ; RCX = the frame's RIP-to-be (below 4 GiB)
    pushfq
    pop r11                               ; R11 = the frame's RFLAGS-to-be: no instruction
                                          ; from here to the int changes a flag
    jmp far dword [rel to_compat_int80]

bits 32
compat_int80_part:
    mov eax, SYS_GETPID                   ; ECX and R11 stay as set (R11 is out of reach here)
    int 0x80
compat_int80_return:
    mov [result], eax                     ; still 32-bit code: only right if we came back here
    jmp far dword [to_long]               ; in compatibility mode

; ---- sysenter from compatibility mode (Intel only; AMD: #UD) ----
; int64_t compat_mode_sysenter_getpid(void): under the default SYSENTER_ABI_64, SYS_getpid through
; `sysenter` made in compatibility mode, with R11 set in 64-bit mode beforehand to a 64-bit
; landing point. SYSENTER enters 64-bit
; mode from either mode and saves nothing that says which (SDM Vol. 3A "SYSENTER and SYSEXIT
; Instructions in IA-32e Mode"), and the stub of a process that kept SYSENTER_ABI_64 takes every
; caller as a 64-bit one (docs/abi.md, "sysenter and sysexit"): it returns by `sysexitq` (or iretq, CS = GDT_USER_CS either way) to
; R11 in 64-bit mode, with RSP from RCX. So the call comes back in 64-bit mode, at
; compat_sysenter_back, never in the 32-bit code. Returns the call's RAX.
bits 64
compat_mode_sysenter_getpid:
    ENTER_COMPAT_PREPARE to_compat_sysenter
    lea r11, [rel compat_sysenter_back]   ; out of reach in compatibility mode, kept there
    jmp far dword [rel to_compat_sysenter]

bits 32
compat_sysenter_part:
    mov eax, SYS_GETPID
    mov ecx, esp                          ; the ABI's RSP (the upper half is not ours to set)
    sysenter                              ; back at compat_sysenter_back, in 64-bit mode
    ud2                                   ; never reached

bits 64
compat_sysenter_back:
    mov [rel result], eax
    jmp long_part                         ; the caller's registers and null data selectors back


; ---- sysenter from compatibility mode with SYSENTER_ABI_32 (docs/abi.md) ----
; int64_t compat_mode_sysenter32_getpid(void): SYS_getpid through `sysenter` in compatibility
; mode, made as the compatibility-mode sysenter ABI asks (EDI = the return EIP, EBP = ESP). With
; that ABI chosen the kernel's sysenter32_entry returns by 32-bit sysexit to EDI, still in
; compatibility mode; with SYSENTER_ABI_64 still in force, sysenter_entry would take R11 (left
; here as a non-canonical value) as the return RIP: a fault, never a silent return.
bits 64
compat_mode_sysenter32_getpid:
    ENTER_COMPAT_PREPARE to_compat_sysenter32
    mov r11, 0x0000800000000000           ; not an address ring 3 can run at
    jmp far dword [rel to_compat_sysenter32]

bits 32
compat_sysenter32_part:
    mov eax, SYS_GETPID
    mov edi, compat_sysenter32_return     ; the return EIP
    mov ebp, esp                          ; the ESP
    sysenter
compat_sysenter32_return:
    mov [result], eax                     ; compatibility mode: only right if we came back here
    jmp far dword [to_long]

; int64_t compat_mode_sysenter32_tf_getpid(void): the same call with TF set by the `popfd` just
; before the `sysenter`, so that the single step comes after the `sysenter` itself: in ring 0,
; at sysenter32_entry (SYSENTER does not clear TF). The kernel must absorb its own steps, keep the
; user's TF for the frame, and give the program exactly one trap, after the return (the #DB
; handler then clears TF: the program's later instructions do not trap).
bits 64
compat_mode_sysenter32_tf_getpid:
    ENTER_COMPAT_PREPARE to_compat_sysenter32_tf
    jmp far dword [rel to_compat_sysenter32_tf]

bits 32
compat_sysenter32_tf_part:
    mov esp, tf_stack_top                 ; pushfd needs a stack 32-bit code can address
    mov eax, SYS_GETPID
    mov edi, compat_sysenter32_tf_return
    mov ebp, esp
    pushfd
    or dword [esp], 0x100                 ; TF (RFLAGS bit 8)
    popfd                                 ; the step comes after the next instruction
    sysenter
compat_sysenter32_tf_return:
    mov [result], eax                     ; the one trap of the program comes after this
    jmp far dword [to_long]
