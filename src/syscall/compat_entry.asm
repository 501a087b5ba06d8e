; SPDX-License-Identifier: MIT
; The compatibility-mode entries: system calls made by 32-bit code (ring 3 after a far jump to
; GDT_USER_CS32) with the i386 ABI of compat_abi.inc, into the same table. Top to bottom:
;
;   1. `int 0x80` from compatibility mode (int80_compat)   int80_entry (lstar_entry.asm) sends
;                                                           a frame whose CS is GDT_USER_CS32 here
;   2. `syscall` from compatibility mode (cstar_entry)      IA32_CSTAR (syscall_msr.c)
;   3. the CSTAR exit (cstar_return)                        checks, then 32-bit sysret; else iretq
;   4. the benchmark's empty CSTAR stub (cstar_empty)
;
; Which CPUs reach 2.: AMD's, whose SYSCALL in compatibility mode loads RIP from CSTAR (APM Vol.
; 2 "SYSCALL and SYSRET"; APM Vol. 3 "SYSCALL"). Intel's raise #UD for SYSCALL outside 64-bit
; mode (SDM Vol. 2B "SYSCALL": "IF (CS.L != 1) or (IA32_EFER.LMA != 1) or (IA32_EFER.SCE != 1)
; THEN #UD"); IA32_CSTAR exists there but is never used. QEMU 7.2's TCG sends compatibility-mode
; SYSCALL to CSTAR for every CPU model, Intel ones included; Bochs 2.7 follows the vendor
; (docs/testing.md, "CPU models and the legacy entries").

%include "asm_offsets.inc"              ; GDT selectors, PERCPU_*, SF_*, IRET_*, RFLAGS_*, SYS_NR,
                                        ; ENOSYS, SYSCALL_WORK_TRACE, TRACE_ENTRY_COMPAT_*
%include "arch/x86_64/entry_window.inc" ; ENTRY_WINDOW, RING3_EDGE
%include "syscall/compat_abi.inc"       ; COMPAT_ARGS, COMPAT_RESTORE
%include "arch/x86_64/mitigation_site.inc" ; MITIGATION_SITE: the swapgs fence, VERW
%include "arch/x86_64/pti.inc"          ; PTI_SYSCALL_ENTER, PTI_SYSRET_EXIT

extern syscall_table
extern syscall_slow_path
extern syscall_return
extern syscall_return_hardened_compat
extern syscall_exit_iret_hardened
extern mitigation_verw_selector
global int80_compat
global int80_compat_slow_path
global int80_compat_hardened
global int80_compat_slow_path_hardened
global cstar_entry
global cstar_entry_safe_stack
global cstar_return
global cstar_exit_user_stack
global cstar_exit_user_gs
global cstar_sysret
global cstar_empty

section .rodata
align 8
; A 32-bit SYSRET loads EIP from ECX: a frame RIP at or above 4 GiB cannot go back that way.
cstar_rip_limit: dq 1 << 32

; ==== 1. `int 0x80` from compatibility mode ====
; int80_entry has done its part (swapgs, SS, clac, cld, the RCX slot, the work test) and found
; the frame's CS to be GDT_USER_CS32. Same frame, same table, same shared exit: only the
; registers differ. The shared exit leaves by iretq, because its CS check (4) fails for
; GDT_USER_CS32: a 64-bit SYSRET cannot return to compatibility mode.
; Two copies, as lstar_entry.asm's paths (its "The two copies"): int80_compat, which the plain
; int80_entry sends here and which leaves by the plain syscall_return, and int80_compat_hardened,
; which int80_entry_hardened sends here (after its swapgs fence and CR3 switch, before its
; clear-regs: EBX and EBP are arguments here) and which leaves by the hardened exit, past its
; clear-regs restore (nothing was saved): VERW, and the switch back to the user's tables. N()
; names the copy's labels; the plain copy is the instructions it was before.
%macro INT80_COMPAT 0
align 16
N(int80_compat):
    COMPAT_ARGS ecx, ebp                  ; EBX, ECX, EDX, ESI, EDI, EBP -> RDI .. R9
N(int80_compat_dispatch):                 ; as syscall_dispatch (lstar_entry.asm), inline
    cmp rax, SYS_NR
    jae N(int80_compat_bad_number)        ; [mutant compat-int80-bounds-check: delete]
    sbb rcx, rcx
    and rax, rcx
    mov rcx, r10
    call [syscall_table + rax * 8]
N(int80_compat_return):
    ; [mutant compat-int80-restore: delete]
    COMPAT_RESTORE                        ; ESI and EDI back; ECX comes from the frame
    %if HARD
    ; [mutant compat-int80-hardened-exit: syscall_return_hardened_compat -> syscall_return]
    jmp syscall_return_hardened_compat    ; VERW and the switch back to the user's tables
    %else
    jmp syscall_return
    %endif
N(int80_compat_bad_number):
    mov rax, -ENOSYS                      ; EAX is the i386 result; RAX as the 64-bit entries give it
    jmp N(int80_compat_return)

; The slow path (trace=) of a compatibility-mode int 0x80: int80_slow_path sends it here.
N(int80_compat_slow_path):
    COMPAT_ARGS ecx, ebp
    mov ecx, TRACE_ENTRY_COMPAT_INT80
    push rcx                              ; entry
    push rax                              ; nr
    mov rcx, r10
    call syscall_slow_path                ; RSP 16-byte aligned: the frame plus two words
    pop rcx
    pop rcx                               ; the exit reloads RCX from the frame
    jmp N(int80_compat_return)
%endmacro

section .text
%define HARD 0
%define N(label) label
INT80_COMPAT
%define HARD 1
%define N(label) label %+ _hardened
INT80_COMPAT
%undef N
%undef HARD

; ==== 2. `syscall` from compatibility mode (IA32_CSTAR) ====
; What the CPU has done (AMD APM Vol. 3 "SYSCALL", legacy/compatibility mode branch): ECX <- the
; EIP of the next instruction (RCX's upper half 0), R11 <- RFLAGS, RFLAGS &= ~FMASK, CS and SS
; from STAR[47:32] as for 64-bit SYSCALL, RIP <- CSTAR: ring 0, 64-bit mode, the user's GS and
; RSP, interrupts off. As lstar_entry, and the user's ESP is zero-extended first (its upper half
; is undefined after compatibility-mode code).
; One copy only: its protections are boot-patched sites (docs/hardening.md, "Which protections
; each entry path carries"), the swapgs fence and the CR3 switch here, VERW and the switch back
; at the sysret exit; with mitigations=off each costs one `jmp short`.
align 64
    ENTRY_WINDOW cstar_entry, cstar_entry_safe_stack, "compatibility-mode syscall entry"
    RING3_EDGE cstar_entry
cstar_entry:
    mov esp, esp                          ; the user's ESP, zero-extended; never dereferenced
    ; [mutant swapgs-cstar-entry: delete]
    swapgs
    MITIGATION_SITE SWAPGS_FENCE          ; unconditional swapgs: as lstar_entry's (CVE-2019-1125)
    lfence                                ; [mutant fence-cstar-entry: delete]
    MITIGATION_SITE_END
    mov [gs:PERCPU_USER_RSP], rsp
    PTI_SYSCALL_ENTER                     ; pti.inc: CSTAR is reached on the user's CR3
    mov rsp, [gs:PERCPU_KERNEL_RSP]
cstar_entry_safe_stack:
    push GDT_USER_DS                      ; SS: what 32-bit SYSRET loads (STAR[63:48] + 8)
    push qword [gs:PERCPU_USER_RSP]       ; RSP
    push r11                              ; RFLAGS, as the CPU saved them
    push GDT_USER_CS32                    ; CS: compatibility mode (STAR[63:48])
    push rcx                              ; RIP: the return EIP
    push rcx                              ; the RCX slot: ECX is the return EIP here as well
    test byte [gs:PERCPU_SYSCALL_WORK], SYSCALL_WORK_TRACE
    jnz cstar_slow_path                   ; [mutant trace-work-cstar: delete]
    COMPAT_ARGS ebp, none                 ; argument 1 from EBP; no argument 5
    cmp rax, SYS_NR
    jae cstar_bad_number                  ; [mutant compat-syscall-bounds-check: delete]
    sbb rcx, rcx
    and rax, rcx
    mov rcx, r10
    call [syscall_table + rax * 8]

; ==== 3. the CSTAR exit: RAX = result, RSP at the frame ====
; A 32-bit SYSRET (no REX.W) returns to compatibility mode: CS <- STAR[63:48] (GDT_USER_CS32),
; SS <- STAR[63:48] + 8, EIP <- ECX, RFLAGS <- R11 (SDM Vol. 2B "SYSRET"; AMD APM Vol. 3). The
; checks of the 64-bit exit (lstar_entry.asm, docs/msr.md), for that target: RCX and R11 are the
; frame's RIP and RFLAGS, TF and RF clear, RIP below 4 GiB (EIP is all SYSRET loads), CS and SS
; the ones it loads. Otherwise iretq, which the frame already is.
cstar_return:
    ; [mutant compat-syscall-restore: delete]
    COMPAT_RESTORE
    pop rcx                               ; the frame's RCX slot: the return EIP
    cmp rcx, [rsp + IRET_RIP]
    jne cstar_exit_iret                   ; [mutant cstar-rcx-is-rip: delete]
    cmp r11, [rsp + IRET_RFLAGS]
    jne cstar_exit_iret
    test r11d, RFLAGS_TF | RFLAGS_RF
    jnz cstar_exit_iret
    cmp rcx, [rel cstar_rip_limit]
    jae cstar_exit_iret
    cmp qword [rsp + IRET_CS], GDT_USER_CS32
    jne cstar_exit_iret
    cmp qword [rsp + IRET_SS], GDT_USER_DS
    jne cstar_exit_iret
    mov rsp, [rsp + IRET_RSP]
    ENTRY_WINDOW cstar_exit_user_stack, cstar_sysret, "compatibility-mode sysret exit"
    RING3_EDGE cstar_sysret
cstar_exit_user_stack:
    ; As lstar_entry.asm's sysretq exit: VERW, then the user's tables; RCX and R11 survive both.
    MITIGATION_SITE VERW
    verw [rel mitigation_verw_selector]   ; [mutant verw-cstar-exit: delete]
    MITIGATION_SITE_END
    PTI_SYSRET_EXIT
cstar_exit_user_gs:                       ; the last instruction before sysret
    ; [mutant swapgs-cstar-exit: delete]
    swapgs
cstar_sysret:
    sysret                                ; no REX.W: to compatibility mode, EIP <- ECX
; The hardened copy's iretq exit whichever copy is installed: its sites are patched as
; mitigations= decided (two `jmp short` more than the plain exit when off, on this way only).
cstar_exit_iret:
    jmp syscall_exit_iret_hardened        ; swapgs (the frame goes to ring 3), iretq

cstar_bad_number:
    mov rax, -ENOSYS
    jmp cstar_return

cstar_slow_path:
    COMPAT_ARGS ebp, none
    mov ecx, TRACE_ENTRY_COMPAT_SYSCALL
    push rcx
    push rax
    mov rcx, r10
    call syscall_slow_path
    pop rcx
    pop rcx
    jmp cstar_return

; ==== 4. the benchmark's floor for compatibility-mode `syscall` ====
; Installed only by SYS_bench_entry(BENCH_ENTRY_EMPTY_CSTAR). As lstar_empty, in 32 bits.
align 16
    ENTRY_WINDOW cstar_empty, cstar_empty, "empty compatibility-mode syscall entry"
    RING3_EDGE cstar_empty
cstar_empty:
    sysret                                ; EIP <- ECX, RFLAGS <- R11, EAX unchanged
