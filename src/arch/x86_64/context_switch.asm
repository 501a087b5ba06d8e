; SPDX-License-Identifier: MIT
; Kernel-stack switching between processes, and a new process's first entry to ring 3.
;
; The data segment registers travel with each side here. No entry into the kernel loads DS, ES,
; FS or GS (`syscall` and interrupt gates change only CS and SS), so while the kernel runs they
; still hold what the running program loaded; they are pushed and popped beside the callee-saved
; registers. Their bases need no saving: every descriptor a program can load has base 0, and
; CR4.FSGSBASE is 0 (control_regs.c writes CR4 whole without it, so wrfsbase and wrgsbase are
; #UD), so a program's FS and GS bases are always 0.

%include "asm_offsets.inc"              ; GDT_KERNEL_DS
%include "arch/x86_64/entry_window.inc" ; ENTRY_WINDOW, RING3_EDGE
%include "arch/x86_64/mitigation_site.inc" ; MITIGATION_SITE: the return-buffer fill
%include "arch/x86_64/pti.inc"          ; PTI_IRET_EXIT

global context_switch
global user_first_entry
global rsb_fill
extern mitigation_verw_selector

section .text
; void context_switch(uint64_t *save_rsp, uint64_t next_rsp)
; Saves the callee-saved registers (the C ABI's promise to our caller) and the data selectors
; on this stack, parks RSP in *save_rsp, and resumes whatever stack next_rsp describes at its
; own `ret`. Called with interrupts off (process.c).
context_switch:
    push rbp
    push rbx
    push r12
    push r13
    push r14
    push r15
    mov eax, ds                           ; the outgoing program's selectors, as it left them
    push rax
    mov eax, es
    push rax
    mov eax, fs
    push rax
    mov eax, gs
    push rax
    mov [rdi], rsp                        ; where to resume this side later
    mov rsp, rsi                          ; the other side's saved stack
    ; rsb: the `ret`s below and the next side's own would otherwise be predicted from return
    ; addresses the previous side left in the return stack buffer (Spectre v2 / SpectreRSB; on
    ; underflow some CPUs fall back to the BTB: ARCH_CAPABILITIES.RSBA). Overwrite it with
    ; harmless entries first (Linux's FILL_RETURN_BUFFER in __switch_to_asm). A patched site:
    ; with the protection off, one `jmp short` over the call.
    MITIGATION_SITE RSB
    call rsb_fill                         ; [mutant rsb-fill-call: delete]
    MITIGATION_SITE_END
    ; ---- resuming the other side ----
    ; SS may be null here: an interrupt gate taken from ring 3 (an exception, the timer, #MC) loads
    ; a null SS (SDM Vol. 3A "Stack Switching in IA-32e Mode"), and a child ended that way reaches
    ; this point with it. The parent would then leave `spawn` by `sysretq` with that null SS, and
    ; AMD's SYSRET writes SS's selector but not its hidden attributes (Linux:
    ; X86_BUG_SYSRET_SS_ATTRS, and Linux reloads SS on context switch for it): a later far jump to
    ; compatibility mode would #SS. Reloading the kernel's flat SS makes every side start from the
    ; same SS.
    mov eax, GDT_KERNEL_DS
    mov ss, eax                           ; SS <- the kernel data segment, attributes and all
    pop rax                               ; GS selector
    pop rcx                               ; FS selector
    pop rdx                               ; ES selector
    pop rsi                               ; DS selector
    mov ds, esi                           ; DS and ES are ignored in 64-bit mode: load as saved
    mov es, edx
    mov fs, ecx                           ; FS base <- 0 from the descriptor: the kernel uses no FS
    ; Loading GS writes the *active* GS base. Here that is IA32_GS_BASE, this CPU's struct
    ; percpu, which the kernel cannot lose: so make the user's base (0) the active one for the
    ; load and swap back. Interrupts must be off in between, or a handler would find the user's
    ; base where CS says the kernel's is; nor may the load fault, and it cannot: the selector
    ; was live in GS when it was saved, and the GDT does not change. An NMI or #MC can still
    ; arrive; their handler reads IA32_GS_BASE to decide whether to swapgs (trap_stubs.asm,
    ; trap_paranoid), so it is fine.
    pushfq
    cli                                   ; callers already have IF = 0: this only makes sure
    ENTRY_WINDOW context_switch.user_gs, context_switch.kernel_gs, "context switch GS load"
.user_gs:
    swapgs                                ; GS base <- the user's (0); ours to KERNEL_GS_BASE
    mov gs, eax                           ; the program's GS selector (its base stays 0)
    swapgs                                ; GS base <- this CPU's struct percpu again
.kernel_gs:
    popfq
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    ret                                   ; into its context_switch call, or user_first_entry

; A new process's kernel stack is built (process.c) so that context_switch "returns" here
; with RSP at the CPU the program was placed on, then an iretq frame for its entry point.
; In the entry text (boot/kernel.ld): with page-table isolation its last instructions run on
; the user's tables.
section .text.pti_entry progbits alloc exec nowrite align=16
user_first_entry:
    pop rdi                               ; RDI = the CPU it was placed on (crt0.asm keeps it)
    xor eax, eax                          ; every other register zero:
    xor ebx, ebx                          ; nothing of the kernel's leaks into ring 3
    xor ecx, ecx
    xor edx, edx
    xor esi, esi
    xor ebp, ebp
    xor r8d, r8d
    xor r9d, r9d
    xor r10d, r10d
    xor r11d, r11d
    xor r12d, r12d
    xor r13d, r13d
    xor r14d, r14d
    xor r15d, r15d
    ; verw: a program's first way into ring 3 clears the CPU's buffers as the system-call exits do
    ; (lstar_entry.asm, VERW_SITE; docs/hardening.md). ZF is all it changes; iretq loads the flags.
    ; Before PTI's switch: the selector operand is kernel data the user's tables do not map.
    MITIGATION_SITE VERW
    verw [rel mitigation_verw_selector]   ; [mutant verw-first-entry: delete]
    MITIGATION_SITE_END
    ENTRY_WINDOW user_first_entry.user_cr3, user_first_entry.to_ring3, "first entry to ring 3"
.user_cr3:
    PTI_IRET_EXIT                         ; PTI: the frame to the entry stack, the user's tables
.user_gs:
    swapgs                                ; GS base <- the user's (0); ours goes to KERNEL_GS_BASE
    ; ---- from here GS base is the user's: interrupts are off (the caller's cli) until iretq;
    ;      an NMI or #MC reads IA32_GS_BASE itself ----
    mov ds, eax                           ; null data selectors, whatever the parent had: the
    mov es, eax                           ; x87/SSE registers were reset too (process.c), so the
    mov fs, eax                           ; program starts with nothing of anyone else's
    mov gs, eax                           ; after swapgs: writes the user's GS base, not percpu's
    RING3_EDGE user_first_entry.to_ring3
.to_ring3:
    iretq                                 ; RIP = entry, CS = user, RFLAGS = IF, RSP = stack top

; Fills the return stack buffer with RSB_FILL_SLOTS entries that each predict a return into an
; `int3` trap, then drops those return addresses from the stack again; RSP and every register
; but the flags are as they were. Each `call` pushes a prediction that no `ret` consumes; a later
; mispredicted `ret` can only speculate into an int3 (Linux's __FILL_RETURN_BUFFER; Intel,
; "Retpoline: A Branch Target Injection Mitigation", "RSB stuffing"). Its own final `ret` pops one
; of them: the buffer holds RSB_FILL_SLOTS - 1 harmless entries afterwards, more than the 16 of
; the CPUs that have one that small. The lfence keeps the stack adjustment from being
; speculated past (Linux: the same, for CPUs that could otherwise run ahead).
align 16
rsb_fill:
%assign slot 0
%rep RSB_FILL_SLOTS
    call rsb_fill.slot_%[slot]
    int3
.slot_%[slot]:
%assign slot slot + 1
%endrep
    add rsp, RSB_FILL_SLOTS * 8
    lfence
    ret
