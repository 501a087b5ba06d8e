; SPDX-License-Identifier: MIT
; Register-exact system calls for the selftest (declared in regs.h).
;
; C inline assembly cannot promise what RBP, RSP or the flags hold at the instant of a call, nor
; load all fifteen general registers at once; these routines can. Each saves what the C caller
; needs back (RBX, RBP, R12-R15 and its flags, which carry DF = 0) and restores it at the end.

bits 64
default rel

%include "regs_layout.inc"
%include "arch_bits.inc"                ; RFLAGS_*: the names the kernel uses

; ---- regs_call_syscall / regs_call_int80 ----
; void regs_call_<entry>(const struct regs *in /* rdi */, struct regs *out /* rsi */)
; %1: the routine's name, %2: the entry instruction, %3: a label to put right after it.
%macro REGS_CALL 3
section .text
global %1
%1:
    ; ---- keep what the C caller needs back ----
    push rbx
    push rbp
    push r12
    push r13
    push r14
    push r15
    pushfq                              ; the caller's flags: DF = 0, as the ABI requires
    push rsi                            ; out pointer, found again at [rsp] after the call

    ; ---- flags first: no instruction below, up to the call, changes them ----
    push qword [rdi + REGS_RFLAGS]
    popfq                               ; in ring 3, IF and IOPL changes are silently dropped...
    pushfq
    pop qword [rsi + REGS_RFLAGS_BEFORE] ; ...so record what the CPU really holds now
    mov [rsi + REGS_RSP_BEFORE], rsp    ; RSP at the call, for the "RSP survives" check

    ; ---- every general register from *in (mov leaves the flags alone) ----
    mov rax, [rdi + REGS_RAX]
    mov rbx, [rdi + REGS_RBX]
    mov rcx, [rdi + REGS_RCX]
    mov rdx, [rdi + REGS_RDX]
    mov rbp, [rdi + REGS_RBP]
    mov r8,  [rdi + REGS_R8]
    mov r9,  [rdi + REGS_R9]
    mov r10, [rdi + REGS_R10]
    mov r11, [rdi + REGS_R11]
    mov r12, [rdi + REGS_R12]
    mov r13, [rdi + REGS_R13]
    mov r14, [rdi + REGS_R14]
    mov r15, [rdi + REGS_R15]
    mov rsi, [rdi + REGS_RSI]
    mov rdi, [rdi + REGS_RDI]           ; last: until here rdi was the base pointer

    %2
%3:
    ; ---- every register to *out, before anything can change one ----
    xchg rax, [rsp]                     ; rax = out pointer, the result waits on the stack;
                                        ; xchg changes no flag
    mov [rax + REGS_RBX], rbx
    mov [rax + REGS_RCX], rcx
    mov [rax + REGS_RDX], rdx
    mov [rax + REGS_RSI], rsi
    mov [rax + REGS_RDI], rdi
    mov [rax + REGS_RBP], rbp
    mov [rax + REGS_R8],  r8
    mov [rax + REGS_R9],  r9
    mov [rax + REGS_R10], r10
    mov [rax + REGS_R11], r11
    mov [rax + REGS_R12], r12
    mov [rax + REGS_R13], r13
    mov [rax + REGS_R14], r14
    mov [rax + REGS_R15], r15
    mov [rax + REGS_RSP], rsp           ; still pointing at the out-pointer slot if RSP survived
    pushfq
    pop qword [rax + REGS_RFLAGS]       ; the flags as the kernel handed them back
    pop qword [rax + REGS_RAX]          ; the result, parked by the xchg

    ; ---- back to the caller's state ----
    popfq                               ; DF = 0 and AC = 0 again before any C code runs
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbp
    pop rbx
    ret
%endmacro

; SYSENTER_64: a 64-bit `sysenter` by the ABI of docs/abi.md ("sysenter and
; sysexit"): RCX = the caller's RSP, R11 = its return address (neither changes a flag).
; The caller resumes right after the `sysenter`, at %%back.
%macro SYSENTER_64 0
    mov rcx, rsp
    lea r11, [rel %%back]
    sysenter
%%back:
%endmacro

global regs_syscall_return
global regs_int80_return
global regs_sysenter_return
REGS_CALL regs_call_syscall, syscall, regs_syscall_return
REGS_CALL regs_call_int80, {int 0x80}, regs_int80_return
; The call gate (usr/selftest/callgate_tests.c): a far call through GDT_CALL_GATE | 3.
extern lstar_callgate_pointer
global regs_callgate_return
REGS_CALL regs_call_callgate, {call far dword [rel lstar_callgate_pointer]}, regs_callgate_return
REGS_CALL regs_call_sysenter, SYSENTER_64, regs_sysenter_return

; ---- tf_call_syscall / tf_call_int80 ----
; long tf_call_<entry>(uint64_t nr /* rdi */)
; TF is set by popfq, so the entry instruction is the first to start with TF = 1. The kernel
; must keep the single-step trap out of ring 0 and let exactly one #DB reach ring 3, where it
; counts the trap and clears TF in the saved flags. The nops give that trap a harmless
; instruction to land after; should TF stay on, the final popfq still turns it off.
%macro TF_CALL 2
section .text
global %1
%1:
    mov rax, rdi                        ; the call number
    pushfq
    or qword [rsp], RFLAGS_TF
    popfq                               ; TF = 1 from the next instruction on
    %2
    nop
    nop
    pushfq
    and qword [rsp], ~RFLAGS_TF         ; clear TF even if the kernel did not
    popfq
    ret
%endmacro

TF_CALL tf_call_syscall, syscall
TF_CALL tf_call_int80, {int 0x80}
TF_CALL tf_call_callgate, {call far dword [rel lstar_callgate_pointer]}

; long tf_call_sysenter(uint64_t nr /* rdi */): the same, with RCX and R11 made ready before TF
; goes on, so that the `sysenter` itself is the first instruction to run with TF = 1 (SYSENTER_64
; would let the trap land on its `mov` in ring 3, and the kernel would never see TF).
section .text
global tf_call_sysenter
tf_call_sysenter:
    mov rax, rdi                        ; the call number
    pushfq
    or qword [rsp], RFLAGS_TF
    lea rcx, [rsp + 8]                  ; RSP as it will be after the popfq: the ABI's RCX
    lea r11, [rel .back]                ; the return address
    popfq                               ; TF = 1 from the next instruction on: the sysenter
    sysenter
.back:
    nop
    nop
    pushfq
    and qword [rsp], ~RFLAGS_TF         ; clear TF even if the kernel did not
    popfq
    ret

; ---- rsp_call_syscall / rsp_call_int80 ----
; long rsp_call_<entry>(uint64_t nr /* rdi */, uint64_t bad_rsp /* rsi */,
;                       uint64_t *rsp_after /* rdx */)
; With RSP garbage nothing may touch the stack: the real RSP waits in memory, the out pointer in
; RBX, which the kernel preserves on both entries.
%macro RSP_CALL 2
section .text
global %1
%1:
    push rbx
    mov rbx, rdx                        ; out pointer, in a register the kernel must preserve
    mov [rel saved_rsp], rsp            ; the only copy of our RSP is not on the stack
    mov rax, rdi                        ; the call number
    mov rsp, rsi                        ; garbage: the kernel must neither use nor change it
    %2
    mov [rbx], rsp                      ; the RSP the kernel returned with
    mov rsp, [rel saved_rsp]            ; our stack back
    pop rbx
    ret
%endmacro

RSP_CALL rsp_call_syscall, syscall
RSP_CALL rsp_call_int80, {int 0x80}
RSP_CALL rsp_call_sysenter, SYSENTER_64

section .bss
align 8
saved_rsp: resq 1

; ---- tf_step_with_df_and_ac ----
; void tf_step_with_df_and_ac(void): one single step taken with DF and AC set (and CR0.AM is
; irrelevant: nothing here is misaligned). The trap lands after the `nop`; the kernel clears TF
; in the frame, so the following popfq runs unstepped and restores the caller's flags.
section .text
global tf_step_with_df_and_ac
tf_step_with_df_and_ac:
    pushfq                              ; the caller's flags, for the way out
    pushfq
    or qword [rsp], RFLAGS_TF | RFLAGS_DF | RFLAGS_AC
    popfq                               ; TF, DF and AC on: the next instruction is stepped
    nop                                 ; #DB after this one
    popfq                               ; the caller's flags again
    ret
