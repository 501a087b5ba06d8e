; SPDX-License-Identifier: MIT
; The `sysenter` entry and its `sysexitq` exit, in the order a call runs through them:
;
;   1. the entry (sysenter_entry)          IA32_SYSENTER_EIP points here (syscall_msr.c), on
;                                          GenuineIntel CPUs only: AMD's raise #UD for
;                                          `sysenter` in long mode (AMD APM Vol. 3 "SYSENTER")
;   2. the flags SYSENTER leaves the user's (sysenter_fix_flags), out of the straight line
;   3. the dispatch: the same bounds check and table as lstar_entry.asm's syscall_dispatch
;   4. the exit (sysenter_return)          five checks, then sysexitq; iretq otherwise
;   5. the slow path (trace=) and the benchmark's empty entry (sysenter_empty)
;   6. `sysenter` from compatibility mode (sysenter32_entry): the i386 ABI, a 32-bit `sysexit`;
;      IA32_SYSENTER_EIP points there instead of 1. while a process that asked for it with
;      SYS_sysenter_abi(SYSENTER_ABI_32) runs (process.c); 1. to 5. are not changed by it
;
; The ABI (docs/abi.md, "sysenter and sysexit"): SYSENTER saves neither RIP nor RSP, and SYSEXIT
; takes RIP from RDX and RSP from RCX (SDM Vol. 2B "SYSENTER", "SYSEXIT"). So the caller passes
; them: RCX = its RSP, R11 = its return RIP, RAX = the number, RDI, RSI, RDX, R10, R8, R9 = the
; arguments, as for `syscall`. It gets back RAX = the result, RCX = its RSP, RDX = its return
; RIP (the argument in RDX is lost: SYSEXIT needs the register), every other register as it was.
;
; Entry windows, as in lstar_entry.asm (entry_window.inc): every stretch below that runs in ring
; 0 with the user's GS base, or with the user's TF still set (below), is named by an ENTRY_WINDOW
; line next to it, and every way into and out of ring 3 by a RING3_EDGE line.

%include "asm_offsets.inc"              ; GDT selectors, PERCPU_*, IRET_*, RFLAGS_*, SYS_NR, ENOSYS,
                                        ; USER_CEILING, SYSCALL_WORK_TRACE, TRACE_ENTRY_SYSENTER
%include "arch/x86_64/entry_window.inc" ; ENTRY_WINDOW, RING3_EDGE
%include "syscall/compat_abi.inc"       ; COMPAT_ARGS, COMPAT_RESTORE (6.)
%include "arch/x86_64/mitigation_site.inc" ; MITIGATION_SITE: the swapgs fence, VERW
%include "arch/x86_64/pti.inc"          ; PTI_SYSCALL_ENTER, PTI_SYSEXIT_EXIT

extern syscall_table
extern syscall_slow_path
extern syscall_exit_iret_hardened
extern mitigation_verw_selector
global sysenter_entry
global sysenter_entry_tf_steps_end
global sysenter_fix_flags
global sysenter_flags_fixed
global sysenter_fix_flags_end
global sysenter_entry_kernel_tables
global sysenter_return
global sysenter_exit_user_cr3
global sysenter_exit_user_gs
global sysenter_sysexit
global sysenter_empty
global sysenter_entry_end
global sysenter_empty_sysexit
global sysenter32_entry
global sysenter32_entry_tf_steps_end
global sysenter32_fix_flags
global sysenter32_flags_fixed
global sysenter32_fix_flags_end
global sysenter32_return
global sysenter32_exit_user_gs
global sysenter32_sysexit
global sysenter32_exit_iret
global sysenter32_empty
global sysenter32_empty_sysexit

section .rodata
align 8
; The first address ring 3 may never run at, as in lstar_entry.asm: a return RIP (or an RSP) at or
; above it would be non-canonical or in the last, never-mapped page. It does not fit an imm32.
sysenter_rip_limit: dq USER_CEILING
; A 32-bit SYSEXIT loads EIP from EDX and ESP from ECX: a frame RIP or RSP at or above 4 GiB
; cannot go back that way (6.).
sysenter32_limit: dq 1 << 32

; ==== 1. the entry ====
; What the CPU has done when we get here (SDM Vol. 2B "SYSENTER"; SDM Vol. 3A "SYSENTER and
; SYSEXIT Instructions in IA-32e Mode"):
;   CS <- IA32_SYSENTER_CS (GDT_KERNEL_CS), SS <- IA32_SYSENTER_CS + 8 (flat, the GDT not read)
;   RIP <- IA32_SYSENTER_EIP, RSP <- IA32_SYSENTER_ESP (this CPU's value: syscall_msr.c)
;   RFLAGS.IF, .VM and .RF <- 0
; and nothing else: no return address and no flags are saved anywhere. GS is still the user's;
; TF, NT, AC and DF are still as ring 3 left them. TF set means a single-step trap after
; `sysenter`, on the first instruction below, in ring 0 (no FMASK filters it as for `syscall`):
; the #DB handler (debug_trap.c) absorbs every step taken between sysenter_entry and the popfq
; of 2. and, there only, leaves TF set, so the pushfq below records the user's TF and the exit
; gives the program its own trap. Linux's entry_SYSENTER_compat (arch/x86/entry/
; entry_64_compat.S) single-steps its way to the same kind of popfq.
; RSP is never the user's here: SYSENTER loaded IA32_SYSENTER_ESP, which nothing below uses.
;
; The protections (docs/hardening.md, "Which protections each entry path carries"): this path
; exists in one copy only, so each protection is a boot-patched site in it (mitigation_site.inc,
; pti.inc): the swapgs fence and the CR3 switch here, VERW and the switch back at the exit. With
; mitigations=off each costs one `jmp short` over its body: four instructions a call.
section .text
align 64
    ENTRY_WINDOW sysenter_entry, sysenter_entry_tf_steps_end, "sysenter entry" ; user GS, then user TF
    RING3_EDGE sysenter_entry
sysenter_entry:
    ; [mutant swapgs-sysenter-entry: delete]
    swapgs                                ; GS base <- this CPU's struct percpu (was KERNEL_GS_BASE)
    ; swapgs-fence: as lstar_entry's, an unconditional swapgs; only the first GS-relative load
    ; must not run on a speculated base (CVE-2019-1125).
    MITIGATION_SITE SWAPGS_FENCE
    lfence                                ; [mutant fence-sysenter-entry: delete]
    MITIGATION_SITE_END
    ; SYSENTER ran on the user's CR3: with PTI this text is in the entry set (boot/kernel.ld), the
    ; kernel stack is not. RSP (IA32_SYSENTER_ESP) is free as scratch.
    PTI_SYSCALL_ENTER                     ; pti.inc
sysenter_entry_kernel_tables:
    mov rsp, [gs:PERCPU_KERNEL_RSP]       ; the running process's kernel stack (16-byte aligned)
    ; ---- build the frame (struct syscall_frame): what iretq would pop, then the user's RCX ----
    push GDT_USER_DS_SYSEXIT              ; SS: what 64-bit SYSEXIT loads (IA32_SYSENTER_CS + 40)
    push rcx                              ; RSP: the caller passes it in RCX (the ABI above)
    pushfq                                ; RFLAGS: the user's, but IF and RF (SYSENTER cleared them)
    or qword [rsp], RFLAGS_IF             ; ring 3 runs with IF = 1 (IOPL 0: it cannot clear it)
    ; ---- the flags SYSENTER left the user's: TF, NT, AC, DF ----
    ; One test for all four, on the copy just saved; the pushes below keep its result for the jnz.
    ; A call that set none (the usual case) falls straight through.
    test dword [rsp], RFLAGS_TF | RFLAGS_NT | RFLAGS_AC | RFLAGS_DF
    push GDT_USER_CS                      ; CS: what 64-bit SYSEXIT loads (IA32_SYSENTER_CS + 32)
    push r11                              ; RIP: the caller passes its return address in R11
    push rcx                              ; the user's RCX slot (its RSP, by the ABI)
sysenter_entry_tf_steps_end:              ; ---- with TF set, the last single step lands here ----
    jnz sysenter_fix_flags                ; [mutant sysenter-entry-flags: delete]
sysenter_flags_fixed:
    ; Work to do around this process's calls (trace=)? The same one test as the other entries.
    test byte [gs:PERCPU_SYSCALL_WORK], SYSCALL_WORK_TRACE
    jnz sysenter_slow_path                ; [mutant trace-work-sysenter: delete]

; ==== 3. the dispatch: RAX = number, frame at RSP; as syscall_dispatch (lstar_entry.asm) ====
    cmp rax, SYS_NR                       ; unsigned and 64-bit: -1, 2^32 and 2^63 all fail it
    jae sysenter_bad_number               ; [mutant sysenter-bounds-check: delete]
    sbb rcx, rcx                          ; Spectre v1: RCX = all ones here, 0 on a mispredicted path
    and rax, rcx
    mov rcx, r10                          ; 4th argument: syscall ABI R10 -> C ABI RCX
    call [syscall_table + rax * 8]        ; RSP is 16-byte aligned (syscall_frame.h asserts it)

; ==== 4. the exit: RAX = result, every register but RCX as the user left it ====
; SYSEXIT in 64-bit mode (SDM Vol. 2B "SYSEXIT"; REX.W, `o64 sysexit`) loads RIP from RDX, RSP
; from RCX, CS = IA32_SYSENTER_CS + 32 and SS = + 40 (RPL 3 forced), and touches no flag: it
; restores nothing else. So sysexitq is a valid way out only when the frame asks for exactly
; that, which the checks below establish; any doubt and we take iretq, which is always right.
; RDX and RCX are loaded from the frame on both ways out, so the ABI's promise holds on both.
sysenter_return:
    pop rcx                               ; the RCX word (the user's RSP, unless changed); RSP at the iretq frame
    mov rdx, [rsp + IRET_RIP]             ; the return RIP: SYSEXIT's RDX, and the ABI's RDX
    ; -- check 1: the frame's CS and SS are the selectors SYSEXIT loads anyway --
    cmp qword [rsp + IRET_CS], GDT_USER_CS
    jne sysenter_exit_iret                ; [mutant sysexit-cs: delete]
    cmp qword [rsp + IRET_SS], GDT_USER_DS_SYSEXIT
    jne sysenter_exit_iret                ; [mutant sysexit-ss: delete]
    ; -- check 2: TF and RF clear, IF set --
    ; SYSEXIT cannot restore RF, and with TF set (the popfq below would set it) the trap would
    ; come before the first user instruction, where iretq lets that instruction run first. The
    ; `sti` below gives ring 3 IF = 1, so a frame without IF (only the kernel could make one)
    ; goes to iretq.
    ; [mutant sysexit-tf: "RFLAGS_TF | RFLAGS_RF" -> RFLAGS_RF]
    test dword [rsp + IRET_RFLAGS], RFLAGS_TF | RFLAGS_RF
    jnz sysenter_exit_iret
    test dword [rsp + IRET_RFLAGS], RFLAGS_IF
    jz sysenter_exit_iret                 ; [mutant sysexit-if: delete]
    ; -- check 3: the return RIP is below USER_CEILING, hence canonical --
    ; SYSEXIT raises #GP(0) on a non-canonical RDX or RCX in 64-bit mode, and it does so in ring
    ; 0 with the user's GS already swapped in (SDM Vol. 2B "SYSEXIT", Protected Mode Exceptions):
    ; the kernel fault CVE-2012-0217 made of SYSRET. Never let it happen.
    cmp rdx, [rel sysenter_rip_limit]
    jae sysenter_exit_iret                ; [mutant sysexit-rip-canonical: delete]
    ; -- check 4: RCX, the user's RSP by the ABI, is the frame's RSP --
    ; SYSEXIT loads RSP from RCX, not from the frame. They agree after `sysenter` unless the
    ; kernel changed the frame (SYS_null_via_iret zeroes the RCX word to test this exit).
    cmp rcx, [rsp + IRET_RSP]
    jne sysenter_exit_iret                ; [mutant sysexit-rcx-is-rsp: delete]
    ; -- check 5: that RSP is below USER_CEILING, hence canonical --
    ; SYSRET loads RSP with no check; SYSEXIT raises #GP in ring 0 on a non-canonical RCX. Ring 3
    ; may pass any RSP: one at or above USER_CEILING (a kernel-half one, canonical, included)
    ; leaves by iretq, which restores it as it is. One compare where a canonical test takes four.
    cmp rcx, [rel sysenter_rip_limit]
    jae sysenter_exit_iret                ; [mutant sysexit-rsp-canonical: delete]
    ; ---- all hold: VERW, then the user's flags, exactly; IF last ----
    ; VERW (lstar_entry.asm's VERW_SITE): after the last read of the frame, before popfq (VERW
    ; writes ZF, popfq must give the user's back) and, as on every exit, before the switch to the
    ; user's tables.
    MITIGATION_SITE VERW
    verw [rel mitigation_verw_selector]   ; [mutant verw-sysexit: delete]
    MITIGATION_SITE_END
    ; SYSEXIT does not restore RFLAGS: the user's DF, AC, NT and arithmetic flags come back from
    ; the frame by popfq, with IF still 0 there; `sti` sets it, and an interrupt is recognised
    ; only after the instruction following `sti` (SDM Vol. 2B "STI"), the sysexitq: none can
    ; arrive in ring 0 on the user's GS. Linux's 32-bit SYSEXIT path does the same (btr IF;
    ; popfl; sti; sysexit).
    push qword [rsp + IRET_RFLAGS]
    and qword [rsp], ~RFLAGS_IF           ; IF waits for the sti
    ; With PTI, the flags word moves to the entry stack and CR3 becomes the user's: popfq after
    ; the switch, which may change arithmetic flags (pti.inc). Ring 0 on the user's CR3 from here.
    ENTRY_WINDOW sysenter_exit_user_cr3, sysenter_sysexit, "sysexitq exit"
    RING3_EDGE sysenter_sysexit
sysenter_exit_user_cr3:
    PTI_SYSEXIT_EXIT                      ; pti.inc: RCX and RDX survive it
    ; [mutant sysexit-popfq: delete]
    popfq                                 ; from here on no memory is touched: AC and DF are the user's
    ; RSP is at the flags word's old place (plus 8); SYSEXIT loads the user's RSP from RCX.
sysenter_exit_user_gs:                    ; ---- GS is the user's from here to sysexitq ----
    ; [mutant swapgs-sysexit: delete]
    swapgs                                ; GS base <- the user's (0)
    sti                                   ; IF = 1 from after the next instruction
sysenter_sysexit:
    o64 sysexit                           ; RIP <- RDX, RSP <- RCX, CS/SS from SYSENTER_CS; CPL 3

; ---- a check failed: leave by iretq (lstar_entry.asm's shared iretq exit) ----
; The hardened copy's exit, whichever copy LSTAR uses: its VERW and PTI sites are patched as
; mitigations= decided, so it is right in every mode; with mitigations=off it costs two `jmp
; short` more than the plain one, on this rare way out only.
sysenter_exit_iret:                       ; RCX is the frame's RCX word, RSP at the iretq frame
    jmp syscall_exit_iret_hardened        ; swapgs and iretq: restores RIP, CS, RFLAGS, RSP, SS

sysenter_bad_number:
    mov rax, -ENOSYS                      ; unknown number: -ENOSYS, nothing else happens
    jmp sysenter_return

; ==== 2. the flags SYSENTER leaves the user's ====
; NT and AC must not stay set in ring 0 (AC = 1 disables SMAP; NT = 1 makes a later iretq fault),
; the C ABI wants DF = 0, and TF = 1 is still single-stepping every instruction since
; sysenter_entry. One popfq clears all four; IF stays 0. The single step after this popfq (TF
; was set when it began) lands on the jmp: the window ends there.
    ENTRY_WINDOW sysenter_fix_flags, sysenter_fix_flags_end, "sysenter flags fix" ; user TF
sysenter_fix_flags:
    push RFLAGS_FIXED                     ; every flag 0 but the one that always reads 1
    popfq
sysenter_fix_flags_end:
    jmp sysenter_flags_fixed

; ==== 5. the slow path and the benchmark's empty entry ====
; The slow path: as lstar_entry.asm's, with this entry's name; syscall_slow_path gives back every
; register but RAX, and takes its seventh and eighth arguments on the stack.
sysenter_slow_path:
    push TRACE_ENTRY_SYSENTER             ; entry
    push rax                              ; nr
    mov rcx, r10                          ; 4th argument: syscall ABI R10 -> C ABI RCX
    call syscall_slow_path                ; RSP 16-byte aligned: the frame plus two words
    pop rcx                               ; drop nr and entry: sysenter_return reloads RCX
    pop rcx                               ; from the frame anyway
    jmp sysenter_return

; ---- the benchmark's floor for `sysenter`: a SYSENTER_EIP target that returns at once ----
; Installed only by SYS_bench_entry(BENCH_ENTRY_EMPTY_SYSENTER). No swapgs, no stack switch and
; no frame: the caller's RCX is already its RSP, R11 its return RIP (canonical: ring 3 cannot
; run code at or above USER_CEILING), and its flags are still in RFLAGS but IF, which SYSENTER
; cleared: `sti` gives it back, its shadow covering the sysexitq.
align 16
    ENTRY_WINDOW sysenter_empty, sysenter_empty_sysexit, "empty sysenter entry" ; the user's GS throughout
    RING3_EDGE sysenter_empty
    RING3_EDGE sysenter_empty_sysexit
sysenter_empty:
    mov rdx, r11                          ; SYSEXIT's RIP
    sti
sysenter_empty_sysexit:
    o64 sysexit                           ; RAX comes back unchanged

; ==== 6. `sysenter` from compatibility mode ====
; The ABI (docs/abi.md, "sysenter from compatibility mode"): SYSENTER saves no return address in
; compatibility mode either, and 32-bit code can write neither R11 nor an upper half, so the
; caller passes them in the two i386 registers the 64-bit ABI has no use for here:
;   EAX = the number; EBX, ECX, EDX, ESI = arguments 0-3 (the i386 registers of compat_abi.inc);
;   EDI = its return EIP, EBP = its ESP (as Linux's vDSO keeps ESP in EBP for sysenter);
; there are no arguments 4 and 5 (handlers that read them see the return EIP and the ESP). It gets
; back EAX = the result, ECX = its ESP and EDX = its return EIP (32-bit SYSEXIT loads ESP from
; ECX and EIP from EDX: arguments 1 and 2 are lost), EBX, ESI, EDI and EBP as they were. No user
; memory is read: no fault can happen in this entry, and no stac.
; What the CPU has done is what it does for 1., from compatibility mode as from 64-bit mode (SDM
; Vol. 3A "SYSENTER and SYSEXIT Instructions in IA-32e Mode": 64-bit mode, CS and SS from
; IA32_SYSENTER_CS, RIP and RSP from _EIP and _ESP, IF and RF cleared): the user's GS, the user's
; TF, NT, AC, DF, and upper halves of RAX-RDI that are undefined (compat_abi.inc). Everything
; about flags and TF is as in 1. and 2.; debug_trap.c absorbs the user's single steps here too.
align 64
    ENTRY_WINDOW sysenter32_entry, sysenter32_entry_tf_steps_end, "compatibility-mode sysenter entry" ; user GS, then user TF
    RING3_EDGE sysenter32_entry
sysenter32_entry:
    ; [mutant swapgs-sysenter32-entry: delete]
    swapgs                                ; GS base <- this CPU's struct percpu
    ; The protections as in 1.: the swapgs fence, then (PTI) the kernel's tables; RSP is free.
    MITIGATION_SITE SWAPGS_FENCE
    lfence                                ; [mutant fence-sysenter32-entry: delete]
    MITIGATION_SITE_END
    PTI_SYSCALL_ENTER                     ; pti.inc
sysenter32_entry_kernel_tables:
    mov rsp, [gs:PERCPU_KERNEL_RSP]       ; the running process's kernel stack
    ; [mutant sysenter32-zero-extend: delete]
    mov edi, edi                          ; the return EIP, zero-extended in place
    mov ebp, ebp                          ; the user's ESP, zero-extended in place
    push GDT_USER_DS                      ; SS: what 32-bit SYSEXIT loads (IA32_SYSENTER_CS + 24)
    push rbp                              ; RSP: EBP by the ABI
    pushfq                                ; RFLAGS: the user's, but IF and RF
    or qword [rsp], RFLAGS_IF             ; ring 3 runs with IF = 1
    test dword [rsp], RFLAGS_TF | RFLAGS_NT | RFLAGS_AC | RFLAGS_DF
    push GDT_USER_CS32                    ; CS: what 32-bit SYSEXIT loads (IA32_SYSENTER_CS + 16)
    push rdi                              ; RIP: EDI by the ABI
    push rbp                              ; the RCX slot: the user's ESP, what ECX holds after
sysenter32_entry_tf_steps_end:            ; ---- with TF set, the last single step lands here ----
    jnz sysenter32_fix_flags              ; [mutant sysenter32-entry-flags: delete]
sysenter32_flags_fixed:
    test byte [gs:PERCPU_SYSCALL_WORK], SYSCALL_WORK_TRACE
    jnz sysenter32_slow_path              ; [mutant trace-work-sysenter32: delete]
    ; EDI and EBP land in R8 and R9, arguments 4 and 5: user values (the return EIP and ESP),
    ; and R8 keeps EDI for COMPAT_RESTORE.
    COMPAT_ARGS ecx, ebp                  ; EBX, ECX, EDX, ESI, EDI, EBP -> RDI .. R9, zero-extended
    cmp rax, SYS_NR
    jae sysenter32_bad_number             ; [mutant sysenter32-bounds-check: delete]
    sbb rcx, rcx                          ; Spectre v1, as in 3.
    and rax, rcx
    mov rcx, r10
    call [syscall_table + rax * 8]

; The exit: as 4., for the target of a 32-bit SYSEXIT (SDM Vol. 2B "SYSEXIT", operand size 32:
; CS <- IA32_SYSENTER_CS + 16 = GDT_USER_CS32, SS <- + 24 = GDT_USER_DS, RPL 3 forced, EIP <-
; EDX, ESP <- ECX, both zero-extended; no flag restored). A RIP or RSP below 4 GiB is all it can
; load, so the canonical checks of 4. become checks against 4 GiB.
sysenter32_return:
    ; [mutant sysenter32-restore: delete]
    COMPAT_RESTORE                        ; ESI and EDI as the caller had them
    pop rcx                               ; the RCX word (the user's ESP); RSP at the iretq frame
    mov rdx, [rsp + IRET_RIP]             ; the return EIP: SYSEXIT's EDX, and the ABI's EDX
    ; -- check 1: the frame's CS and SS are the selectors SYSEXIT loads --
    cmp qword [rsp + IRET_CS], GDT_USER_CS32
    jne sysenter32_exit_iret              ; [mutant sysexit32-cs: delete]
    cmp qword [rsp + IRET_SS], GDT_USER_DS
    jne sysenter32_exit_iret              ; [mutant sysexit32-ss: delete]
    ; -- check 2: TF and RF clear, IF set (as in 4.) --
    test dword [rsp + IRET_RFLAGS], RFLAGS_TF | RFLAGS_RF
    jnz sysenter32_exit_iret              ; [mutant sysexit32-tf: delete]
    test dword [rsp + IRET_RFLAGS], RFLAGS_IF
    jz sysenter32_exit_iret               ; [mutant sysexit32-if: delete]
    ; -- check 3: the return RIP is below 4 GiB: EDX is all SYSEXIT loads --
    cmp rdx, [rel sysenter32_limit]
    jae sysenter32_exit_iret              ; [mutant sysexit32-rip-limit: delete]
    ; -- check 4: RCX, the user's ESP by the ABI, is the frame's RSP --
    cmp rcx, [rsp + IRET_RSP]
    jne sysenter32_exit_iret              ; [mutant sysexit32-rcx-is-rsp: delete]
    ; -- check 5: that RSP is below 4 GiB (never above it after this entry: it was EBP) --
    cmp rcx, [rel sysenter32_limit]
    jae sysenter32_exit_iret              ; [mutant sysexit32-rsp-limit: delete]
    ; ---- all hold: VERW, then the user's flags exactly, IF last, as in 4. ----
    MITIGATION_SITE VERW
    verw [rel mitigation_verw_selector]   ; [mutant verw-sysexit32: delete]
    MITIGATION_SITE_END
    push qword [rsp + IRET_RFLAGS]
    and qword [rsp], ~RFLAGS_IF
    ENTRY_WINDOW sysenter32_exit_user_cr3, sysenter32_sysexit, "compatibility-mode sysexit exit"
    RING3_EDGE sysenter32_sysexit
sysenter32_exit_user_cr3:
    PTI_SYSEXIT_EXIT                      ; pti.inc: as in 4., popfq after the switch
    ; [mutant sysexit32-popfq: delete]
    popfq
sysenter32_exit_user_gs:                  ; ---- GS is the user's from here to sysexit ----
    ; [mutant swapgs-sysexit32: delete]
    swapgs
    sti                                   ; IF = 1 from after the sysexit
sysenter32_sysexit:
    sysexit                               ; no REX.W: compatibility mode, EIP <- EDX, ESP <- ECX

sysenter32_exit_iret:                     ; RCX is the frame's RCX word, RSP at the iretq frame
    jmp syscall_exit_iret_hardened        ; to compatibility mode with every register; as in 4.

sysenter32_bad_number:
    mov rax, -ENOSYS
    jmp sysenter32_return

; The flags SYSENTER left the user's, as 2.
    ENTRY_WINDOW sysenter32_fix_flags, sysenter32_fix_flags_end, "compatibility-mode sysenter flags fix" ; user TF
sysenter32_fix_flags:
    push RFLAGS_FIXED
    popfq
sysenter32_fix_flags_end:
    jmp sysenter32_flags_fixed

; The slow path, as 5. and compat_entry.asm's.
sysenter32_slow_path:
    COMPAT_ARGS ecx, ebp
    mov ecx, TRACE_ENTRY_COMPAT_SYSENTER
    push rcx                              ; entry
    push rax                              ; nr
    mov rcx, r10
    call syscall_slow_path                ; RSP 16-byte aligned: the frame plus two words
    pop rcx
    pop rcx                               ; the exit reloads RCX from the frame
    jmp sysenter32_return

; The benchmark's floor for compatibility-mode `sysenter`: installed only by
; SYS_bench_entry(BENCH_ENTRY_EMPTY_SYSENTER32). EDI is the return EIP and EBP the ESP by the
; ABI; a 32-bit SYSEXIT reads only their low halves.
align 16
    ENTRY_WINDOW sysenter32_empty, sysenter32_empty_sysexit, "empty compatibility-mode sysenter entry" ; the user's GS throughout
    RING3_EDGE sysenter32_empty
    RING3_EDGE sysenter32_empty_sysexit
sysenter32_empty:
    mov edx, edi                          ; SYSEXIT's EIP
    mov ecx, ebp                          ; SYSEXIT's ESP
    sti
sysenter32_empty_sysexit:
    sysexit                               ; EAX comes back unchanged

; The end of this file's code: tests/gdb/entry_windows.gdb counts the windows between
; sysenter_entry and here as unreachable on a CPU without `sysenter` (sysenter_enabled = 0).
sysenter_entry_end:
