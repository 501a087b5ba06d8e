; SPDX-License-Identifier: MIT
; The call-gate entry: a third way from ring 3 into the same dispatcher, top to bottom as a call
; runs through it:
;
;   1. the entry (callgate_entry)              GDT_CALL_GATE, a DPL-3 64-bit call gate (gdt.c)
;   2. the dispatch                            the table and bounds check of syscall_dispatch
;   3. the exit (callgate_return)              checks, then lretq; iretq when one fails
;   4. the resumes an interrupt handler picks  when an IRQ arrived before a target's first
;      (callgate_irq_resume, ...)              instruction (trap_stubs.asm)
;   5. the benchmark's empty stub (callgate_empty)
;
; Ring 3 enters with a far call through the gate's selector (`call far [m16:32]` with selector
; GDT_CALL_GATE | 3; the offset is ignored, the gate supplies it). What the CPU has done when we
; get here (SDM Vol. 3A "Calling Procedures Using a Call Gate", "IA-32e Mode Call Gates"; AMD APM
; Vol. 2 "Long-Mode Call Gates"): checked CPL <= gate DPL (3) and the target CS's DPL (0) <= CPL;
; as that is a change of privilege, loaded RSP from TSS.RSP0 and SS with a null selector (RPL 0),
; and pushed, 8 bytes each, the caller's SS, RSP, CS and RIP: four words, no RFLAGS, no
; parameters (IA-32e gates copy none). It changed NO flag: IF, TF, DF, AC, NT are ring 3's.
;
;   consequence 1: IF = 1. A maskable interrupt can be delivered before the first instruction
;   here, in ring 0 with the user's GS base; the interrupted CS is ours (RPL 0), so trap_common's
;   "from ring 3?" test says no. trap_common therefore compares the saved RIP with callgate_entry
;   (and callgate_empty), swaps GS itself and resumes at callgate_irq_resume, which redoes the cli
;   with the kernel's GS already in place (4. below). After the cli no maskable interrupt comes.
;   consequence 2: TF = 1 from ring 3 traps at callgate_entry: the #DB handler finds RIP in this
;   entry's window and absorbs it, clearing TF (debug_trap.c). The program loses its own TF for
;   the return (docs/abi.md, "The call gate").
;   consequence 3: DF, AC and NT are the user's: one test of the saved flags, and a popfq of the
;   fixed value when any is set (Linux's entry_SYSENTER_compat does the same for SYSENTER).
;
; Registers: the `syscall` ABI (rax = number; rdi, rsi, rdx, r10, r8, r9 = arguments; result in
; rax), and unlike `syscall` every other register comes back unchanged, RCX and R11 included.
;
; Frame: struct syscall_frame (syscall_frame.h), the same as the other entries', at the top of
; the kernel stack, so every handler and syscall_current_frame() see a call gate's call as any
; other. The gate pushed four of its words; the stub adds RFLAGS and the RCX slot and moves RIP
; and CS down by one word to make room.

%include "asm_offsets.inc"              ; GDT selectors, PERCPU_*, SF_*, RFLAGS_*, SYS_NR, ENOSYS,
                                        ; USER_CEILING, SYSCALL_WORK_TRACE, TRACE_ENTRY_CALLGATE
%include "arch/x86_64/entry_window.inc" ; ENTRY_WINDOW, RING3_EDGE
%include "arch/x86_64/mitigation_site.inc" ; MITIGATION_SITE: the swapgs fence, VERW
%include "arch/x86_64/pti.inc"          ; PTI_CALLGATE_ENTER, PTI_LRET_EXIT

extern syscall_table
extern syscall_slow_path
extern syscall_exit_iret_hardened
extern mitigation_verw_selector
global callgate_entry
global callgate_entry_kernel_gs
global callgate_entry_kernel_tables
global callgate_exit_user_cr3
global callgate_return
global callgate_exit_user_gs
global callgate_lretq
global callgate_exit_iret
global callgate_irq_resume
global callgate_empty
global callgate_empty_irq_resume
global callgate_empty_lretq

section .rodata
align 8
; The first address ring 3 may never run at; as lstar_entry.asm's syscall_rip_limit.
callgate_rip_limit: dq USER_CEILING

; ==== 1. the entry ====
; On the stack (T = TSS.RSP0, the process's kernel stack top, 16-byte aligned):
;   the gate left   T-8 SS, T-16 RSP, T-24 CS, T-32 RIP
;   the frame wants T-8 SS, T-16 RSP, T-24 RFLAGS, T-32 CS, T-40 RIP, T-48 RCX (SF_* from T-48)
; With PTI on, T is first TSS.RSP0, the per-CPU entry stack, and CR3 the user's: after the
; pushfq, PTI_CALLGATE_ENTER switches to the kernel's tables and moves those five words to the
; top of the process's kernel stack (pti.inc), the T of the rest. The protections are boot-patched
; sites in this one copy (docs/hardening.md, "Which protections each entry path carries"): the
; swapgs fence and the CR3 switch here, VERW and the switch back at the lretq exit; with
; mitigations=off each costs one `jmp short`.
section .text
align 64
    ENTRY_WINDOW callgate_entry, callgate_entry_kernel_tables, "call gate entry" ; user GS, CR3
    RING3_EDGE callgate_entry
callgate_entry:
    cli                                   ; first: no maskable interrupt after this instruction
    ; [mutant swapgs-callgate-entry: delete]
    swapgs                                ; GS base <- this CPU's struct percpu
    ; swapgs-fence: an unconditional swapgs, as lstar_entry's (CVE-2019-1125). The IRQ resume
    ; below comes in after it: its swapgs was trap_common's, fenced there.
    MITIGATION_SITE SWAPGS_FENCE
    lfence                                ; [mutant fence-callgate-entry: delete]
    MITIGATION_SITE_END
callgate_entry_kernel_gs:
    pushfq                                ; T-40: ring 3's RFLAGS, but IF (the cli cleared it)
    PTI_CALLGATE_ENTER                    ; pti.inc: the five words to the kernel stack's top
callgate_entry_kernel_tables:
    push rcx                              ; T-48: the user's RCX. RSP is now the frame.
    ; Rotate three words: [RIP slot] flags, [CS slot] RIP, [RFLAGS slot] CS  ->  RIP, CS, flags.
    mov rcx, [rsp + SF_RIP]               ; the flags pushfq stored
    push qword [rsp + SF_RFLAGS]          ; the gate's CS, parked below the frame
    or ecx, RFLAGS_IF                     ; ring 3 always runs with IF = 1 (IOPL 0: it cannot
                                          ; clear it); the frame records that, as an int gate's
    mov [rsp + 8 + SF_RFLAGS], rcx        ; RFLAGS
    mov rcx, [rsp + 8 + SF_CS]            ; the gate's RIP
    mov [rsp + 8 + SF_RIP], rcx           ; RIP
    pop qword [rsp + SF_CS]               ; CS (a pop to [rsp + n] addresses after the pop)
    ; DF, AC or NT set by ring 3 (or TF, should a debugger have set it after the #DB above)?
    ; The C ABI wants DF = 0, SMAP wants AC = 0, and NT = 1 would make the iretq exit #GP.
    test dword [rsp + SF_RFLAGS], RFLAGS_DF | RFLAGS_AC | RFLAGS_NT | RFLAGS_TF
    jnz callgate_fix_flags                ; [mutant callgate-fix-flags: delete]
callgate_flags_clean:
    ; Work to do around this process's calls (trace=)? As the other entries: one test.
    test byte [gs:PERCPU_SYSCALL_WORK], SYSCALL_WORK_TRACE
    jnz callgate_slow_path                ; [mutant trace-work-callgate: delete]

; ==== 2. the dispatch: syscall_dispatch's bounds check, clamp and table, inline ====
; (lstar_entry.asm explains each instruction.) Inline, not a jump to syscall_dispatch, because
; that one falls through into the sysretq exit; this entry leaves by lretq.
    cmp rax, SYS_NR
    jae callgate_bad_number               ; [mutant callgate-bounds-check: delete]
    sbb rcx, rcx
    and rax, rcx
    mov rcx, r10                          ; 4th argument: R10 -> the C ABI's RCX
    call [syscall_table + rax * 8]        ; RSP is the frame: 16-byte aligned

; ==== 3. the exit: RAX = result, RSP at the frame ====
; LRETQ from ring 0 to ring 3 pops RIP, CS, RSP and SS (SDM Vol. 2B "RET": far return to an
; outer privilege level) and, like the gate, touches no flag. So the exit restores RFLAGS itself
; with popfq, and takes lretq only when that pair restores exactly what iretq would:
;   check 1: RIP below USER_CEILING (canonical; a far return to a non-canonical RIP is #GP in
;            ring 0, with the user's GS already swapped in);
;   check 2: the frame's CS and SS are the ones a 64-bit caller's gate call pushed (GDT_USER_CS,
;            GDT_USER_DS), so lretq's descriptor checks cannot fail;
;   check 3: IF set, TF and RF clear in the frame's RFLAGS: IF comes back by `sti` (below), a
;            TF popped in ring 0 would trap at the next kernel instruction, and popfq cannot set
;            RF.
; Any doubt and the frame, already what iretq pops, leaves by the shared iretq exit.
callgate_return:
    mov rcx, [rsp + SF_RIP]
    cmp rcx, [rel callgate_rip_limit]
    jae callgate_exit_iret                ; [mutant callgate-rip-limit: delete]
    cmp qword [rsp + SF_CS], GDT_USER_CS
    jne callgate_exit_iret                ; [mutant callgate-cs: delete]
    cmp qword [rsp + SF_SS], GDT_USER_DS
    jne callgate_exit_iret                ; [mutant callgate-ss: delete]
    mov rcx, [rsp + SF_RFLAGS]
    xor ecx, RFLAGS_IF                    ; IF 1 -> 0: what popfq must load (the upper half of
                                          ; RFLAGS is reserved, zero)
    ; [mutant callgate-tf-rf: "RFLAGS_IF | RFLAGS_TF | RFLAGS_RF" -> RFLAGS_IF]
    test ecx, RFLAGS_IF | RFLAGS_TF | RFLAGS_RF
    jnz callgate_exit_iret
    ; ---- all hold: make the frame's top what lretq pops (RIP, CS, RSP, SS) ----
    push rcx                              ; the flags to restore, IF clear
    mov rcx, [rsp + 8 + SF_CS]
    mov [rsp + 8 + SF_RFLAGS], rcx        ; CS, one word up
    mov rcx, [rsp + 8 + SF_RIP]
    mov [rsp + 8 + SF_CS], rcx            ; RIP, one word up
    ; VERW after the last kernel data access but the switch's, before popfq (it writes ZF).
    MITIGATION_SITE VERW
    verw [rel mitigation_verw_selector]   ; [mutant verw-callgate-exit: delete]
    MITIGATION_SITE_END
    ; With PTI, these seven words move to the entry stack and CR3 becomes the user's; popfq
    ; comes after the switch, which may change arithmetic flags (pti.inc).
    ENTRY_WINDOW callgate_exit_user_cr3, callgate_lretq, "call gate lretq exit"
    RING3_EDGE callgate_lretq
callgate_exit_user_cr3:
    PTI_LRET_EXIT                         ; pti.inc: every register preserved
    popfq                                 ; ring 3's flags (DF, AC, ...) but IF: still none
    pop rcx                               ; the user's RCX
    lea rsp, [rsp + 8]                    ; to the moved RIP (lea: no flag changes)
    ; From here to lretq GS is the user's while CPL is 0: interrupts must stay off until ring 3.
    ; STI sets IF, but the CPU recognizes no maskable interrupt until after the instruction that
    ; follows it (SDM Vol. 2B "STI"), here lretq: the first one can arrive in ring 3. A popfq
    ; with IF = 1 has no such shadow, which is why popfq restored IF = 0 above.
callgate_exit_user_gs:
    ; [mutant swapgs-callgate-exit: delete]
    swapgs                                ; GS base <- the user's (0)
    ; [mutant callgate-sti: delete]
    sti
callgate_lretq:
    o64 retf                              ; RIP, CS, then RSP, SS: ring 3, where the call was

    ; ---- a check failed: the frame is an iretq frame after the RCX word ----
; The hardened copy's iretq exit whichever copy is installed: its VERW and PTI sites are patched
; as mitigations= decided (two `jmp short` more than the plain exit when off, on this way only).
callgate_exit_iret:
    pop rcx                               ; the user's RCX
    jmp syscall_exit_iret_hardened        ; swapgs if the frame goes to ring 3, then iretq

; Out of the straight line: flags ring 3 left that the kernel must not run with.
callgate_fix_flags:
    push RFLAGS_FIXED
    popfq                                 ; DF, AC, NT, TF = 0; IF stays 0; the frame keeps them
    jmp callgate_flags_clean

callgate_bad_number:
    mov rax, -ENOSYS
    jmp callgate_return

; The slow path (trace=): syscall_slow_path, as lstar_entry.asm's, then this entry's own exit.
callgate_slow_path:
    mov ecx, TRACE_ENTRY_CALLGATE
    push rcx                              ; entry
    push rax                              ; nr
    mov rcx, r10
    call syscall_slow_path                ; RSP 16-byte aligned: the frame plus two words
    pop rcx
    pop rcx                               ; the frame's RCX is reloaded by the exit
    jmp callgate_return

; ==== 4. where an interrupt taken at a target's first instruction resumes ====
; trap_common (trap_stubs.asm) found the saved RIP equal to callgate_entry (or callgate_empty):
; CPL 0 but the user's GS. It swapped GS to the kernel's before calling its handler, did not
; swap back (the saved CS is ring 0's), and put one of these in the saved RIP instead. The
; handler's iretq restored ring 3's flags, IF = 1 included: these redo the cli first.
callgate_irq_resume:
    cli                                   ; GS is already the kernel's: skip the swapgs
    jmp callgate_entry_kernel_gs

; ==== 5. the benchmark's floor: a call-gate target that returns at once ====
; Installed only by SYS_bench_entry(BENCH_ENTRY_EMPTY_CALLGATE), for this CPU's GDT. No swapgs,
; no flags: the kernel looks at nothing, and lretq pops exactly what the gate pushed.
align 16
    ENTRY_WINDOW callgate_empty, callgate_empty, "empty call gate entry" ; the user's GS
    RING3_EDGE callgate_empty
callgate_empty:
    o64 retf
; Its resume after an interrupt at callgate_empty (4.): GS is the kernel's, IF is 1. Give GS back
; with interrupts off, and leave in STI's shadow, as the real exit does.
; With PTI, trap_common left the kernel's tables loaded: the user's go back first.
callgate_empty_irq_resume:
    cli
    ENTRY_WINDOW callgate_empty_irq_user_cr3, callgate_empty_lretq, "empty call gate resume"
    RING3_EDGE callgate_empty_lretq
callgate_empty_irq_user_cr3:
    PTI_EMPTY_GATE_RESUME                 ; pti.inc
callgate_empty_irq_swapgs:
    swapgs
    sti
callgate_empty_lretq:
    o64 retf
