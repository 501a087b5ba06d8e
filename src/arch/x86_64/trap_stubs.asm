; SPDX-License-Identifier: MIT
; Exception and IRQ entry stubs: build a struct trap_frame (traps.h) and call trap_dispatch.
;
; The CPU has already pushed SS, RSP, RFLAGS, CS, RIP (and an error code for some vectors), after
; aligning RSP to 16 bytes (SDM Vol. 3A "64-Bit Mode Stack Frame"). Each stub makes the frame
; uniform by pushing a 0 where the CPU pushed no error code, then the vector number.

%include "asm_offsets.inc"               ; TF_*, IRET_*, MSR_GS_BASE, VEC_*, TRAP_STUBS
%include "arch/x86_64/smap_clac.inc"
%include "arch/x86_64/entry_window.inc" ; ENTRY_WINDOW, RING3_EDGE
%include "arch/x86_64/mitigation_site.inc" ; MITIGATION_SITE: the swapgs fences
%include "arch/x86_64/pti.inc"          ; PTI_TRAP_ENTER, PTI_IRET_EXIT, PTI_PARANOID_*

extern trap_dispatch
extern syscall_iretq
extern callgate_entry                     ; callgate_entry.asm: its first instruction, and
extern callgate_empty                     ; where an interrupt taken there resumes
extern callgate_irq_resume
extern callgate_empty_irq_resume
extern syscall_iretq_hardened
global trap_stub_table
global trap_common_iretq
global trap_paranoid_iretq

section .text

; The general registers in struct trap_frame order (r15 ends up lowest).
%macro PUSH_GPRS 0
    push rax
    push rbx
    push rcx
    push rdx
    push rsi
    push rdi
    push rbp
    push r8
    push r9
    push r10
    push r11
    push r12
    push r13
    push r14
    push r15
%endmacro
%macro POP_GPRS 0
    pop r15
    pop r14
    pop r13
    pop r12
    pop r11
    pop r10
    pop r9
    pop r8
    pop rbp
    pop rdi
    pop rsi
    pop rdx
    pop rcx
    pop rbx
    pop rax
%endmacro

; ---- per-vector stubs ----
; From ring 3, every stub and trap_common up to its swapgs run with the user's GS: one entry
; window from the first stub to the first instruction after that swapgs (entry_window.inc).
    ENTRY_WINDOW trap_stub_0, trap_common.fenced, "exception entry"
%macro TRAP_NOERR 1
    RING3_EDGE trap_stub_%1               ; an IDT gate's target
trap_stub_%1:
    push 0                                ; no error code from the CPU: keep the layout
    push %1                               ; vector
    jmp trap_common
%endmacro
%macro TRAP_ERR 1
    RING3_EDGE trap_stub_%1               ; an IDT gate's target
trap_stub_%1:
    push %1                               ; vector (the CPU pushed the error code)
    jmp trap_common
%endmacro
%macro TRAP_IST 1
    RING3_EDGE trap_stub_%1               ; an IDT gate's target
trap_stub_%1:
    push 0
    push %1
    jmp trap_paranoid
%endmacro
%macro TRAP_IST_ERR 1
    RING3_EDGE trap_stub_%1               ; an IDT gate's target
trap_stub_%1:
    push %1
    jmp trap_paranoid
%endmacro

; Vectors with an error code: 8, 10-14, 17 and 21 (Intel SDM Vol. 3A, table "Protected-Mode
; Exceptions and Interrupts"); 29 (#VC) and 30 (#SX) are AMD's, both with an error code (AMD APM
; Vol. 2, table "Interrupt Vector Source and Cause").
TRAP_NOERR 0
TRAP_IST 1                                ; #DB: IST4
TRAP_IST 2                                ; NMI: IST1
TRAP_NOERR 3
TRAP_NOERR 4
TRAP_NOERR 5
TRAP_NOERR 6
TRAP_NOERR 7
TRAP_IST_ERR 8                            ; #DF: IST2
TRAP_NOERR 9
TRAP_ERR 10
TRAP_ERR 11
TRAP_ERR 12
TRAP_ERR 13
TRAP_ERR 14
TRAP_NOERR 15
TRAP_NOERR 16
TRAP_ERR 17
TRAP_IST 18                               ; #MC: IST3
TRAP_NOERR 19
TRAP_NOERR 20
TRAP_ERR 21
%assign v 22
%rep 7
TRAP_NOERR %[v]
%assign v v + 1
%endrep
TRAP_ERR 29
TRAP_ERR 30
TRAP_NOERR 31
%assign v VEC_IRQ0                        ; PIC IRQs 0-15 (traps.h VEC_IRQ0..VEC_IRQ15)
%rep VEC_IRQ15 - VEC_IRQ0 + 1
TRAP_NOERR %[v]
%assign v v + 1
%endrep
%assign v VEC_LAPIC_TIMER                 ; the local APIC timer
TRAP_NOERR %[v]
%assign v VEC_APIC_SPURIOUS               ; the local APIC's spurious vector
TRAP_NOERR %[v]
; The table below lists trap_stub_0 .. trap_stub_(TRAP_STUBS - 1): no vector may be skipped.
%if VEC_IRQ0 != EXCEPTION_VECTORS || VEC_LAPIC_TIMER != VEC_IRQ15 + 1 || \
    VEC_APIC_SPURIOUS != VEC_LAPIC_TIMER + 1 || VEC_APIC_SPURIOUS + 1 != TRAP_STUBS
%error "trap_stubs.asm: the stubs above must cover vectors 0 to TRAP_STUBS - 1 (traps.h)"
%endif

; ---- the common path: vectors that never run on an IST stack ----
; These arrive with a trustworthy CS: from ring 3 (GS is the user's: swap) or from kernel code
; that already runs with the kernel's GS (the syscall window has IF = 0, and no exception is
; expected there), with one exception below. NMI, #MC and #DB can break into the entry windows,
; hence trap_paranoid.
; With page-table isolation on, an event from ring 3 lands on the entry stack (TSS.RSP0) with the
; user's CR3: PTI_TRAP_ENTER switches to the kernel's tables and moves the vector, the error code
; and the frame to the process's kernel stack before anything else is pushed (pti.inc).
; The stub pushed the vector and an error code (or 0): the hardware frame lies above them.
%define TRAP_IRET_FRAME (TF_RIP - TF_VECTOR)
trap_common:
    test byte [rsp + TRAP_IRET_FRAME + IRET_CS], 3 ; came from ring 3?
    jnz .swap
    PUSH_GPRS                             ; RAX and RCX are needed for the test below
    ; From ring 0, yet possibly with the user's GS (and, with PTI, the user's CR3 and the entry
    ; stack): an `iretq` back to ring 3 that the CPU refused. IRETQ checks the frame it pops
    ; (selectors, RIP) before it leaves ring 0 and raises #GP, #SS or #NP at the iretq itself
    ; (SDM Vol. 2A "IRET"), after the exit path's swapgs. Linux's error_entry makes the same
    ; check. Such a frame is the program's: traps.c stops the program; here only GS (and CR3,
    ; and the stack) must be made right.
    mov rax, [rsp + TF_RIP]
    ; Or an interrupt delivered before a call-gate target's first instruction: a call gate does
    ; not clear IF, and it left CPL 0 with the user's GS (callgate_entry.asm, "consequence 1").
    ; Swap, and resume at the target's own resume point, which redoes its cli and knows GS is
    ; the kernel's (the exit below does not swap back: the saved CS is ring 0's).
    lea rcx, [rel callgate_entry]
    cmp rax, rcx
    je .callgate_first                    ; [mutant callgate-irq-gs: delete]
    lea rcx, [rel callgate_empty]
    cmp rax, rcx
    je .callgate_empty_first
    lea rcx, [rel syscall_iretq]
    cmp rax, rcx
    je .refused_iret
    lea rcx, [rel syscall_iretq_hardened] ; the hardened copy's (mitigations.c)
    cmp rax, rcx
    je .refused_iret
    lea rcx, [rel trap_common_iretq]
    cmp rax, rcx
    jne .kernel_gs
.refused_iret:
    mov rax, [rsp + TF_RSP]               ; the iretq's RSP: the frame it refused
    test byte [rax + IRET_CS], 3          ; that frame's CS: was it going to ring 3?
    ; [mutant refused-iret-gs: jz -> jmp]
    jz .kernel_gs                         ; no: an iretq to the kernel, GS is the kernel's
    POP_GPRS                              ; yes: as from ring 3, the frame moves first (PTI)
    jmp .swap
.callgate_empty_first:
    lea rcx, [rel callgate_empty_irq_resume]
    jmp .callgate_resume
.callgate_first:
    lea rcx, [rel callgate_irq_resume]
.callgate_resume:
    mov [rsp + TF_RIP], rcx
    POP_GPRS                              ; as from ring 3: .swap pushes them after PTI's move
    jmp .swap
; From ring 0 there was no swapgs, yet the CPU may have speculated down the ring-3 side with
; its swapgs: the same fence (Linux's FENCE_SWAPGS_KERNEL_ENTRY), out of the ring-3 path's way
; (which falls through from .swap) but inside the entry window, as the GDB sweeps walk it.
.kernel_gs:
    MITIGATION_SITE SWAPGS_FENCE
    lfence                                ; [mutant fence-trap-common-kernel: delete]
    MITIGATION_SITE_END
    jmp .fenced
.swap:
    ; [mutant swapgs-trap-common-in: delete]
    swapgs                                ; GS base <- this CPU's struct percpu
    ; swapgs-fence on both ways of the conditional swapgs (CVE-2019-1125; Intel, "Speculative
    ; Behavior of SWAPGS and Segment Registers"; Linux's FENCE_SWAPGS_USER_ENTRY and
    ; _KERNEL_ENTRY): no GS-relative load may run with a base guessed down the wrong side of the
    ; test above. Patched sites (mitigation_site.inc): with the protection off, each costs one
    ; `jmp short` over its lfence, on every exception and interrupt.
    MITIGATION_SITE SWAPGS_FENCE
    lfence                                ; [mutant fence-trap-common-user: delete]
    MITIGATION_SITE_END
    PTI_TRAP_ENTER                        ; the kernel's tables, the frame on the kernel stack
    PUSH_GPRS
.fenced:                                  ; the way from ring 0 (.kernel_gs above) rejoins here
    ; [mutant cld-trap-common: delete]
    cld                                   ; the C ABI wants DF = 0: ring 3 may have set it
    ; [mutant clac-trap-common: delete]
    SMAP_CLAC                             ; and AC = 1 would switch SMAP off in the handler
    mov rdi, rsp                          ; trap_dispatch(struct trap_frame *)
    call trap_dispatch                    ; RSP is 16-byte aligned here (TF_SIZE % 16 == 0)
    POP_GPRS
    add rsp, 16                           ; drop vector and error code
    ENTRY_WINDOW trap_common.exit, trap_common_iretq, "exception exit"
    RING3_EDGE trap_common_iretq
.exit:
    test byte [rsp + IRET_CS], 3          ; returning to ring 3? (RSP is at the saved RIP)
    jz .kernel_ret
    PTI_IRET_EXIT                         ; the frame to the entry stack, the user's tables
    ; [mutant swapgs-trap-common-out: delete]
    swapgs                                ; give the user its GS base back
.kernel_ret:
trap_common_iretq:
    iretq

; ---- the paranoid path: NMI, #DF, #MC and #DB on their IST stacks ----
; These can arrive anywhere, including between `syscall` and the LSTAR stub's swapgs (CPL 0,
; user GS) or between the exit path's swapgs and sysretq. CS says nothing about GS there, so
; read IA32_GS_BASE itself: kernel GS bases are kernel-half (negative) addresses.
; That test relies on one invariant: ring 3 can never make its GS base negative. It holds
; because CR4.FSGSBASE is 0 on every CPU: control_regs.c writes CR4 whole and leaves it out,
; whatever firmware or the loader set (its list "Cleared on purpose"), and
; ktest_control_regs.c checks it, so `wrgsbase` is #UD in ring 3; lstar has no call that sets
; a user GS base; and a selector loaded into GS from ring 3 takes its base from a GDT
; descriptor, all of which have base 0 (Intel SDM Vol. 3A, "Segment Loading Instructions in
; IA-32e Mode"). With FSGSBASE on, ring 3 could choose any base and this test would have to
; become Linux's FSGSBASE paranoid entry (arch/x86/entry/entry_64.S, paranoid_entry and
; SAVE_AND_SET_GSBASE): save whatever GS base is live with rdgsbase, load this CPU's kernel
; base with wrgsbase unconditionally, no swapgs, and write the saved base back on the way out.
; Limit, stated plainly (docs/design.md "NMIs"): the CPU holds off further NMIs until the
; NMI handler's iretq, but any iretq un-blocks them, so an exception taken *inside* the NMI
; handler and returned from would let a second NMI reuse the same IST stack (Linux's
; entry_64.S spends a page of code on this). lstar's NMI handler only counts; the one event
; that can interrupt it and return with iretq is a corrected-error #MC.
    ENTRY_WINDOW trap_paranoid, trap_paranoid.have_kernel_gs, "paranoid entry" ; GS as found
trap_paranoid:
    PUSH_GPRS
    ; [mutant cld-trap-paranoid: delete]
    cld                                   ; DF and AC as for trap_common; iretq restores both
    SMAP_CLAC                             ; [mutant clac-trap-paranoid: delete]
    PTI_PARANOID_ENTER                    ; R12 <- CR3 as found; the kernel's tables from here
    xor ebx, ebx                          ; rbx (callee-saved) = "we swapped", for the way out
    mov ecx, MSR_GS_BASE
    rdmsr                                 ; EDX:EAX = current GS base
    test edx, edx
    ; [mutant paranoid-gs-always-swap: delete]
    ; [mutant paranoid-gs-never-swap: js -> jmp]
    js .have_kernel_gs                    ; bit 63 set: already the kernel's
    swapgs                                ; [mutant swapgs-trap-paranoid-in: delete]
    mov ebx, 1
.have_kernel_gs:
    MITIGATION_SITE SWAPGS_FENCE          ; both ways of the swapgs above, as in trap_common
    lfence                                ; [mutant fence-trap-paranoid: delete]
    MITIGATION_SITE_END
    mov rdi, rsp
    call trap_dispatch
    ENTRY_WINDOW trap_paranoid.exit, trap_paranoid_iretq, "paranoid exit" ; GS as it was found
    RING3_EDGE trap_paranoid_iretq
.exit:
    test ebx, ebx
    jz .no_swap_back
    ; [mutant swapgs-trap-paranoid-out: delete]
    swapgs                                ; restore exactly the GS state we found
.no_swap_back:
    PTI_PARANOID_EXIT                     ; CR3 as it was found (R12)
    POP_GPRS
    add rsp, 16
trap_paranoid_iretq:
    iretq

section .rodata
align 8
trap_stub_table:                          ; idt.c installs these
%assign v 0
%rep TRAP_STUBS
    dq trap_stub_%[v]
%assign v v + 1
%endrep
