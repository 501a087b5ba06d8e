; SPDX-License-Identifier: MIT
; Both system-call entries and the path they share, in the order a call runs through them:
;
;   1. the `syscall` entry (lstar_entry)       IA32_LSTAR points here (syscall_msr.c)
;   2. the `int 0x80` entry (int80_entry)      the DPL-3 interrupt gate of vector 0x80 (idt.c)
;   3. the shared dispatch (syscall_dispatch)  bounds check, then the handler from syscall_table;
;                                              or, when the running process has work (trace=),
;                                              the slow path (lstar_slow_path, int80_slow_path)
;   4. the shared exit (syscall_return)        four checks, numbered as in docs/msr.md: sysretq
;                                              if they all hold, iretq otherwise
;   5. the benchmark's empty stubs (lstar_empty, int80_empty); compatibility mode's entries,
;      CSTAR's and int 0x80's 32-bit half, are in compat_entry.asm
;
; 1 to 4 exist twice, assembled from the same macros: the plain copy (mitigations=off, the
; default: the instructions the benchmark and the -icount budget measure) and the hardened copy
; (labels ending in _hardened, sections .text.hardened and .text.hardened_int80) with the
; protections' sites (docs/hardening.md). mitigations.c decides at boot which one LSTAR and the
; int 0x80 gate point at. "The two copies", before 1, says how.
;
; Entry windows. Every stretch below that runs in ring 0 with the user's GS base or RSP is named
; by an ENTRY_WINDOW line next to it, and every way into and out of ring 3 by a RING3_EDGE line
; (entry_window.inc): the table the NMI and #DB handlers read, checked at every link.
;
; Registers: rax = number; rdi, rsi, rdx, r10, r8, r9 = arguments (docs/abi.md); both entries
; use the same ones and leave the same frame (struct syscall_frame, syscall_frame.h).
; Every handler is compiled with no_caller_saved_registers, so it gives back every register
; but RAX unchanged; the stubs therefore save only what the CPU or the stubs themselves clobber
; (RCX, and the user's RSP) and never have to scrub kernel values out of registers.
;
; Alignment. The three entry points (lstar_entry, int80_entry, lstar_empty) each start a 64-byte
; line (`align 64`), the cache-line size of current x86-64 CPUs. What that buys: a stub's
; instructions sit on the same lines in every build, whatever code is linked before them, so the
; entry's share of instruction fetches cannot differ between two builds being compared (today
; the `syscall` entry, its work test and the dispatch fill one line, but for the last bytes of
; the handler's call, and the exit checks up to sysretq the next).
; What it does not buy: a measured speed-up. No lstar measurement compares aligned with
; unaligned stubs; QEMU's TCG, where lstar's numbers come from, models no instruction cache, and
; under -icount alignment changes no count. The cost is padding that never runs, at most 63
; bytes per stub. int80_empty takes 16, the usual function alignment, and nothing more.

%include "asm_offsets.inc"              ; GDT selectors, PERCPU_*, IRET_*, RFLAGS_*, SYS_NR, ENOSYS, USER_CEILING,
                                        ; SYSCALL_WORK_TRACE, TRACE_ENTRY_*
%include "arch/x86_64/smap_clac.inc"
%include "arch/x86_64/entry_window.inc" ; ENTRY_WINDOW, RING3_EDGE
%include "arch/x86_64/mitigation_site.inc" ; MITIGATION_SITE, MITIGATION_SITE_END
%include "arch/x86_64/pti.inc"          ; PTI_SYSCALL_ENTER, PTI_GATE_ENTER, PTI_SYSRET_EXIT, PTI_IRET_EXIT

extern syscall_table
extern syscall_slow_path
extern int80_compat                     ; compat_entry.asm: the two copies of compatibility
extern int80_compat_slow_path           ; mode's int 0x80 half
extern int80_compat_hardened
extern int80_compat_slow_path_hardened
extern syscall_call_direct
global lstar_entry_hardened
global int80_entry_hardened
global syscall_return_hardened
global syscall_return_hardened_compat
global syscall_exit_iret_hardened
global syscall_iretq_hardened
global syscall_sysret_hardened
global mitigation_verw_selector
global syscall_retpoline_rax
global lstar_entry
global lstar_entry_user_stack
global lstar_entry_safe_stack
global int80_entry
global syscall_dispatch
global syscall_return
global syscall_exit_user_stack
global syscall_sysret
global syscall_exit_iret
global syscall_iretq
global lstar_empty
global int80_empty

section .rodata
align 8
; The first address ring 3 may never run at (below 2^47): a return RIP at or above it would be
; non-canonical or in the last, never-mapped page. Kept in memory: it does not fit an imm32.
syscall_rip_limit: dq USER_CEILING
int80_kernel_ss: dw GDT_KERNEL_DS       ; `mov ss` takes no immediate

; ---- The two copies ----
; The paths 1 to 4 below are written once, as macros, and each is assembled twice: with HARD
; defined as 0 it gives the plain copy (today's exact instructions, the labels without suffix),
; with HARD 1 the hardened copy (every label with the suffix _hardened), which carries the protections' sites (mitigation_site.inc) and the
; page-table isolation points (pti.inc). `%if HARD` lines hold everything only the hardened copy
; has: the plain copy assembles to the very bytes it did before the hardened one existed.
; mitigations.c points LSTAR and vector 0x80 at one copy or the other, once, at boot. Both copies
; are instantiated after the macros, at the end of 4.
;
; N(label) is the label in the copy being assembled: `label` or `label_hardened`.

; WINDOW first, last, "name": ENTRY_WINDOW for the copy being assembled ("hardened name" in the
; hardened one, so the windows' table tells the copies apart).
%macro WINDOW 3
    %if HARD
        %strcat WINDOW_NAME "hardened ", %3
        ENTRY_WINDOW %1, %2, WINDOW_NAME
    %else
        ENTRY_WINDOW %1, %2, %3
    %endif
%endmacro

%macro SECTION_OF 2                       ; SECTION_OF plain-section, hardened-section
    %if HARD
        section %2 progbits alloc exec nowrite align=64
    %else
        section %1
    %endif
%endmacro

; The protections both entries take once the frame is built (hardened copy only), before the
; work test: nothing of the user's stays in a register the handler does not need, and the
; CPU's indirect branch predictions are restricted before the first indirect branch or `ret`.
%macro ENTRY_PROTECTIONS 0
    %if HARD
    ; clear-regs: the handlers are no_caller_saved_registers, so whatever the user left in RBX,
    ; RBP and R11-R15 would stay live through the handler, there for a speculative gadget to
    ; use (Linux: PUSH_AND_CLEAR_REGS, arch/x86/entry/calling.h). Save them below the frame
    ; (syscall_current_frame finds the frame from the stack's top, so it does not move) and zero
    ; them; R10 (the fourth argument) is zeroed once the dispatch has copied it to RCX, and comes
    ; back with the rest on the way out. Eight pushes: the handler's stack stays 16-aligned.
    MITIGATION_SITE CLEAR_REGS
    push rbx
    push rbp
    push r10
    push r11
    push r12
    push r13
    push r14
    push r15
    xor ebx, ebx                          ; [mutant clear-regs-rbx: delete]
    xor ebp, ebp
    xor r11d, r11d
    xor r12d, r12d
    xor r13d, r13d
    xor r14d, r14d
    xor r15d, r15d
    MITIGATION_SITE_END
    ; ibrs: IA32_SPEC_CTRL.IBRS = 1 for the time in the kernel, on a CPU with IBRS and without
    ; enhanced IBRS (Intel, "Speculative Execution Side Channel Mitigations", "Indirect Branch
    ; Restricted Speculation"; AMD, "Indirect Branch Control Extension"). With eIBRS it is set
    ; once per CPU at boot (mitigations.c) and this site is patched out. RCX is free here (the
    ; user's is in the frame); RAX (the number) and RDX (the third argument) are kept.
    MITIGATION_SITE IBRS
    push rax
    push rdx
    mov ecx, MSR_SPEC_CTRL
    mov eax, SPEC_CTRL_IBRS
    xor edx, edx
    wrmsr                                 ; [mutant ibrs-entry: delete]
    pop rdx
    pop rax
    MITIGATION_SITE_END
    %endif
%endmacro

; ==== 1. the `syscall` entry ====
; What the CPU has done when we get here (SDM Vol. 2B "SYSCALL"; AMD APM Vol. 2 "SYSCALL and
; SYSRET"):
;   RCX <- RIP of the next instruction      R11 <- RFLAGS
;   RFLAGS <- RFLAGS & ~IA32_FMASK          (IF, TF, DF, AC, ... are now 0: see syscall_msr.c)
;   CS <- STAR[47:32], SS <- STAR[47:32]+8  (flat ring-0 segments; the GDT is not read)
;   RIP <- IA32_LSTAR
; and nothing else. RSP is still the user's, GS still the user's, and we are in ring 0.
; Nothing below may touch memory through RSP until the stack switch: ring 3 chose that value.
%macro SYSCALL_ENTRY 0
    SECTION_OF .text, .text.hardened
align 64
    WINDOW N(lstar_entry), N(lstar_entry_safe_stack), "syscall entry"
    RING3_EDGE N(lstar_entry)
N(lstar_entry):
N(lstar_entry_user_stack):                ; ---- RSP is the user's from here ... ----
    ; [mutant swapgs-lstar-entry: delete]
    swapgs                                ; GS base <- this CPU's struct percpu (was KERNEL_GS_BASE)
    %if HARD
    ; swapgs-fence: no load below may run, even speculatively, before swapgs has taken effect
    ; (CVE-2019-1125; Intel, "Speculative Behavior of SWAPGS and Segment Registers"; Linux's
    ; FENCE_SWAPGS_USER_ENTRY). `syscall` swaps unconditionally, so this is the cheap case: it
    ; only keeps the first GS-relative load from using a speculated base.
    MITIGATION_SITE SWAPGS_FENCE
    lfence                                ; [mutant fence-lstar-entry: delete]
    MITIGATION_SITE_END
    %endif
    ; [mutant stack-switch-order: swap-next]
    mov [gs:PERCPU_USER_RSP], rsp         ; park the user's RSP; it is never dereferenced
    %if HARD
    PTI_SYSCALL_ENTER                     ; pti.inc: RSP free as scratch, the rest preserved
    %endif
    mov rsp, [gs:PERCPU_KERNEL_RSP]       ; the running process's kernel stack (16-byte aligned)
N(lstar_entry_safe_stack):                ; ---- ... to here. An NMI or #MC in that window runs
                                          ;      on its IST stack and reads GS_BASE itself.
    ; ---- build the frame: what iretq would pop, then the user's RCX ----
    push GDT_USER_DS                      ; SS: SYSRET's (STAR[63:48] + 8), proved in gdt.c
    push qword [gs:PERCPU_USER_RSP]       ; RSP
    push r11                              ; RFLAGS, as the CPU saved them before masking
    push GDT_USER_CS                      ; CS: SYSRET's (STAR[63:48] + 16)
    push rcx                              ; RIP: the instruction after `syscall`
    push rcx                              ; the user's RCX slot (`syscall` wrote RIP into it)
    ENTRY_PROTECTIONS
    ; Work to do around this process's calls (trace=)? One test of the word the context switch
    ; copied from the process (process_install); taken, it leaves the fast path at once.
    test byte [gs:PERCPU_SYSCALL_WORK], SYSCALL_WORK_TRACE
    jnz N(lstar_slow_path)                ; [mutant trace-work-lstar: delete]
    ; IF is still 0 (FMASK), so no maskable interrupt arrives between here and sysretq; NMI,
    ; #MC and #DB still can, and run on their IST stacks (idt.c).
    ;
    ; In memory this falls straight through into syscall_dispatch (3. below): the `int 0x80`
    ; entry, which this file shows next, is assembled into a section of its own, .text.int80
    ; (.text.hardened_int80), so the fast path needs no jump.
%endmacro

; ==== 2. the `int 0x80` entry ====
; An IDT interrupt gate with DPL 3 (idt.c), kept beside `syscall` so the two mechanisms can be
; compared through the same dispatcher, frame and return path.
;
; What the CPU has done when we get here (SDM Vol. 3A "Exception- or Interrupt-Handler Procedures",
; "64-Bit Mode Stack Frame"): looked up vector 0x80 in the IDT, checked the gate's DPL (3) against
; CPL, loaded RSP from TSS.RSP0 (ring 3 -> 0), aligned it to 16 and pushed SS, RSP, RFLAGS, CS, RIP;
; cleared IF (interrupt gate), TF, NT and RF. Unlike `syscall` it clobbered no register. It did not
; clear DF or AC.
%macro INT80_ENTRY 0
    SECTION_OF {.text.int80 progbits alloc exec nowrite align=64}, .text.hardened_int80
align 64
    WINDOW N(int80_entry), N(int80_entry).kernel_gs, "int 0x80 entry" ; GS is the user's to swapgs
    RING3_EDGE N(int80_entry)
N(int80_entry):
    test byte [rsp + IRET_CS], 3          ; from ring 3? (the saved CS's RPL; RSP is at the RIP)
    %if HARD
    jz .from_kernel                       ; out of line, below: the ring-3 path falls through
    %else
    jz .kernel_gs
    %endif
    ; [mutant swapgs-int80-entry: delete]
    swapgs                                ; GS base <- this CPU's struct percpu
    %if HARD
    ; swapgs-fence, both ways of a conditional swapgs (Linux: FENCE_SWAPGS_USER_ENTRY here,
    ; FENCE_SWAPGS_KERNEL_ENTRY at .from_kernel): the CPU may speculate down either side of the
    ; jz above, and a GS-relative load with the wrong base would read kernel or user memory
    ; chosen by ring 3 (CVE-2019-1125; Intel, "Speculative Behavior of SWAPGS and Segment
    ; Registers").
    MITIGATION_SITE SWAPGS_FENCE
    lfence                                ; [mutant fence-int80-user: delete]
    MITIGATION_SITE_END
    PTI_GATE_ENTER                        ; pti.inc: RSP at the hardware frame, all preserved
    %endif
    ; The gate loaded SS with a null selector (RPL 0), as every gate taken from ring 3 does in
    ; 64-bit mode (SDM Vol. 3A "Stack Switching in IA-32e Mode"). If the shared exit leaves by
    ; sysretq, SYSRET loads SS's selector from STAR, but on AMD not its hidden attributes (APM Vol.
    ; 3 "SYSRET": SS.sel = STAR.SYSRET_CS + 8, the rest unchanged; Linux: X86_BUG_SYSRET_SS_ATTRS):
    ; ring 3 would run on with the unusable null SS, and its first stack access after a far jump to
    ; compatibility mode would be #SS. A real kernel data selector here, as `syscall` itself loads,
    ; makes SYSRET's result valid on every vendor. The frame keeps the user's SS.
    ; [mutant int80-ss-reload: delete]
    mov ss, [rel int80_kernel_ss]         ; one instruction; no register to save
.kernel_gs:
    ; [mutant clac-int80: delete]
    SMAP_CLAC                             ; the gate left the user's AC: clear it
    ; [mutant cld-int80: delete]
    cld                                   ; the C ABI wants DF = 0; the gate left the user's
    push rcx                              ; the user's RCX: the frame now matches LSTAR's
    %if HARD
    ; Compatibility mode leaves the hardened copy here, before clear-regs would zero EBX..EBP,
    ; its arguments: compat_entry.asm's path carries none of this copy's protections.
    cmp qword [rsp + SF_CS], GDT_USER_CS32
    je .compat
    %endif
    ENTRY_PROTECTIONS
    ; The same work test as the `syscall` entry's. From ring 0 GS is the kernel's too, and the
    ; kernel's own code has no work (process_install clears the word for it).
    test byte [gs:PERCPU_SYSCALL_WORK], SYSCALL_WORK_TRACE
    jnz N(int80_slow_path)                ; [mutant trace-work-int80: delete]
    %if HARD
    jmp N(syscall_dispatch)               ; compatibility mode left before the protections
    %else
    ; From compatibility mode? Its registers are the i386 ABI's (compat_entry.asm maps them).
    ; One compare, and the jump to the dispatch made conditional: one instruction more here.
    cmp qword [rsp + SF_CS], GDT_USER_CS32
    ; [mutant compat-int80-detect: jne -> jmp]
    jne N(syscall_dispatch)               ; same table, same return checks
    jmp N(int80_compat)
    %endif
    %if HARD
.compat:                                  ; compatibility mode, from the hardened gate
    test byte [gs:PERCPU_SYSCALL_WORK], SYSCALL_WORK_TRACE
    jnz N(int80_compat_slow_path)
    jmp N(int80_compat)                   ; it leaves by syscall_return_hardened_compat
.from_kernel:                             ; an int 0x80 from ring 0: no swapgs, but the fence
    MITIGATION_SITE SWAPGS_FENCE
    lfence                                ; [mutant fence-int80-kernel: delete]
    MITIGATION_SITE_END
    jmp .kernel_gs
    %endif
%endmacro

; ==== 3. the shared dispatch: RAX = number, frame (struct syscall_frame) at RSP ====
%macro DISPATCH 0
    SECTION_OF .text, .text.hardened      ; resumes right after lstar_entry's last instruction
N(syscall_dispatch):
    cmp rax, SYS_NR                       ; unsigned and 64-bit: -1, 2^32 and 2^63 all fail it
    jae N(syscall_bad_number)             ; [mutant bounds-check: delete]
    ; Spectre v1: should the CPU speculate past jae with a bad RAX, CF is 0 there, so RCX
    ; becomes 0 and so does the index.
    sbb rcx, rcx                          ; RCX = all ones: CF = 1 (RAX < SYS_NR) on this path
    ; [mutant speculation-clamp: delete]
    and rax, rcx                          ; a valid RAX is unchanged
    mov rcx, r10                          ; 4th argument: syscall ABI R10 -> C ABI RCX
    %if HARD
    MITIGATION_SITE CLEAR_REGS
    xor r10d, r10d                        ; the user's R10 lives on in RCX only (restored on exit)
    MITIGATION_SITE_END
    ; direct-dispatch: no indirect branch at all (Linux 6.9's x64_sys_call): a switch over the
    ; number, generated from SYSCALL_LIST and compiled without a jump table (syscall_direct.c).
    ; Its seventh argument, the number, goes on the stack (twice: 16-byte alignment).
    MITIGATION_SITE DIRECT_DISPATCH
    push rax
    push rax
    call syscall_call_direct              ; [mutant direct-dispatch-call: delete]
    add rsp, 2 * 8                        ; drop the number, pushed twice
    jmp N(syscall_return)
    MITIGATION_SITE_END
    ; retpoline: the indirect call through a thunk whose mispredicted `ret` can only speculate
    ; into a harmless loop (Google's "Retpoline: a software construct for preventing
    ; branch-target-injection"; Linux's __x86_indirect_thunk_rax). RAX, the number, becomes
    ; the handler's address: a handler reads no RAX.
    MITIGATION_SITE RETPOLINE
    mov rax, [syscall_table + rax * 8]
    call syscall_retpoline_rax            ; [mutant retpoline-call: delete]
    jmp N(syscall_return)
    MITIGATION_SITE_END
    %endif
    call [syscall_table + rax * 8]        ; RSP is 16-byte aligned (syscall_frame.h asserts it)
%endmacro

; ==== 4. the shared exit: RAX = result, every register but RCX as the user left it ====
; SYSRET restores only RIP (from RCX), RFLAGS (from R11) and fixed CS/SS (SDM Vol. 2B
; "SYSRET"); IRETQ restores all five from the frame. So sysretq is a valid way out only when it
; restores exactly what iretq would, which the four checks below establish: the list of
; docs/msr.md ("The return: why not always sysretq"), same numbers, same order. They are the
; ones Linux makes in C at the end of do_syscall_64 (arch/x86/entry/common.c; syscall_64.c in
; recent kernels). Any doubt and we take the slower iretq, which is always right.
%macro SYSCALL_EXIT 0
N(syscall_return):
    %if HARD
    MITIGATION_SITE CLEAR_REGS            ; the user's registers, as ENTRY_PROTECTIONS saved them
    pop r15
    pop r14
    pop r13
    pop r12
    pop r11
    pop r10
    pop rbp
    pop rbx
    MITIGATION_SITE_END
    ; Compatibility mode's int 0x80 (compat_entry.asm, int80_compat_hardened) comes in here: it
    ; left before ENTRY_PROTECTIONS, so there is nothing of clear-regs' to restore. The rest of
    ; the exit (IBRS's wrmsr, a no-op for it; VERW; the switch to the user's tables) is its too.
syscall_return_hardened_compat:
    ; ibrs: back to the user's IA32_SPEC_CTRL (0: lstar sets no STIBP or SSBD for ring 3), after
    ; the last `ret` of the kernel path. RCX is reloaded from the frame just below.
    MITIGATION_SITE IBRS
    push rax
    push rdx
    mov ecx, MSR_SPEC_CTRL
    xor eax, eax
    xor edx, edx
    wrmsr                                 ; [mutant ibrs-exit: delete]
    pop rdx
    pop rax
    MITIGATION_SITE_END
    %endif
    pop rcx                               ; the user's RCX; RSP now at the iretq frame

    ; -- check 1: RCX equals the frame's RIP, and R11 the frame's RFLAGS --
    ; SYSRET jumps to RCX and loads RFLAGS from R11, not from the frame. After `syscall` they
    ; agree unless the kernel changed the frame; after `int 0x80` only if ring 3 happened to
    ; hold its return address and flags in RCX and R11.
    cmp rcx, [rsp + IRET_RIP]
    jne N(syscall_exit_iret)              ; [mutant sysret-rcx-is-rip: delete]
    cmp r11, [rsp + IRET_RFLAGS]
    jne N(syscall_exit_iret)              ; [mutant sysret-r11-is-rflags: delete]

    ; -- check 2: TF and RF are clear --
    ; SYSRET cannot restore RF (it clears it), and with TF set it traps in ring 3 at once,
    ; before the first user instruction, where iretq lets that instruction run first.
    ; [mutant sysret-tf: "RFLAGS_TF | RFLAGS_RF" -> RFLAGS_RF]
    ; [mutant sysret-rf: "RFLAGS_TF | RFLAGS_RF" -> RFLAGS_TF]
    test r11d, RFLAGS_TF | RFLAGS_RF
    jnz N(syscall_exit_iret)

    ; -- check 3: RCX is below USER_CEILING, hence canonical --
    ; Intel's SYSRET raises #GP on a non-canonical RCX *in ring 0, with the user's RSP already
    ; loaded* (CVE-2012-0217): a kernel exception on a stack ring 3 chose. AMD checks after the
    ; switch to ring 3. Never let it happen.
    cmp rcx, [rel syscall_rip_limit]
    jae N(syscall_exit_iret)              ; [mutant sysret-canonical-limit: delete]

    ; -- check 4: the frame's CS and SS are the user selectors SYSRET loads anyway --
    ; SYSRET forces CS = STAR[63:48] + 16 and SS = STAR[63:48] + 8 whatever the frame says; a
    ; frame with others needs iretq: an `int 0x80` from compatibility mode has GDT_USER_CS32
    ; here, one from ring 0 the kernel's CS.
    cmp qword [rsp + IRET_CS], GDT_USER_CS
    jne N(syscall_exit_iret)              ; [mutant sysret-cs: delete]
    cmp qword [rsp + IRET_SS], GDT_USER_DS
    jne N(syscall_exit_iret)              ; [mutant sysret-ss: delete]

    ; ---- all four hold: leave by sysretq ----
    mov rsp, [rsp + IRET_RSP]             ; the user's RSP, straight from the frame
    WINDOW N(syscall_exit_user_stack), N(syscall_sysret), "sysretq exit"
    RING3_EDGE N(syscall_sysret)
N(syscall_exit_user_stack):               ; ---- RSP is the user's again until sysretq ----
    %if HARD
    ; VERW before the switch to the user's tables: its selector operand is kernel data, which
    ; those tables do not map (Linux keeps its selector in the entry area and clears after).
    VERW_SITE                             ; [mutant verw-sysret: delete]
    PTI_SYSRET_EXIT                       ; pti.inc: RCX and R11 survive it
    %endif
    ; [mutant swapgs-sysret-exit: delete]
    swapgs                                ; GS base <- the user's (0)
N(syscall_sysret):
    o64 sysret                            ; REX.W: back to 64-bit mode; RIP <- RCX, RFLAGS <- R11

    ; ---- a check failed: leave by iretq ----
    WINDOW N(syscall_exit_iret), N(syscall_iretq), "iretq exit"
    RING3_EDGE N(syscall_iretq)
N(syscall_exit_iret):
    test byte [rsp + IRET_CS], 3          ; going back to ring 3?
    jz .to_kernel
    %if HARD
    VERW_SITE                             ; [mutant verw-iret: delete] (before PTI: as above)
    PTI_IRET_EXIT                         ; pti.inc: RSP at an identical frame afterwards
    %endif
    swapgs                                ; yes: the user's GS base [mutant swapgs-iret-exit: delete]
.to_kernel:
N(syscall_iretq):
    iretq                                 ; pops RIP, CS, RFLAGS, RSP, SS: restores RF and TF too

; The dispatch's refusal (3.), out of the straight line so a valid call falls through.
N(syscall_bad_number):
    mov rax, -ENOSYS                      ; unknown number: -ENOSYS, nothing else happens
    jmp N(syscall_return)

; ---- the slow path: the running process has work (SYSCALL_WORK_*, syscall_trace.h) ----
; Out of the straight line, like Linux's syscall_trace_enter/exit: C does the work before and
; after calling the handler from the same table (syscall_slow_path, syscall_trace.c) and comes
; back here with the result in RAX; the exit checks (4.) then run on the same frame, unchanged.
; RAX = number, the arguments in their registers, the frame (struct syscall_frame) at RSP.
; RCX is free on both entries: the user's value is in the frame, which syscall_return reloads.
N(lstar_slow_path):
    mov ecx, TRACE_ENTRY_SYSCALL
    jmp N(syscall_slow_path_call)
N(int80_slow_path):
    cmp qword [rsp + SF_CS], GDT_USER_CS32 ; from compatibility mode: its own mapping first
    je N(int80_compat_slow_path)
    mov ecx, TRACE_ENTRY_INT80
N(syscall_slow_path_call):
    ; syscall_slow_path(a0, ..., a5, nr, entry) is no_caller_saved_registers, like a handler: it
    ; gives back every register but RAX. Its seventh and eighth arguments go on the stack.
    push rcx                              ; entry
    push rax                              ; nr
    mov rcx, r10                          ; 4th argument: syscall ABI R10 -> C ABI RCX
    call syscall_slow_path                ; RSP 16-byte aligned: the frame plus two words
    pop rcx                               ; drop nr and entry: syscall_return reloads RCX
    pop rcx                               ; from the frame anyway
    jmp N(syscall_return)
%endmacro

; verw: VERW with a memory operand naming a writable data selector overwrites the CPU's store,
; fill and load buffers on CPUs with MD_CLEAR (Intel, "Microarchitectural Data Sampling",
; "Mitigation: VERW"; Linux's CLEAR_CPU_BUFFERS), so no kernel data sampled from them reaches
; ring 3. Right before each way back, after the last kernel memory access but the selector's.
; It changes ZF only, which neither sysretq (R11) nor iretq (the frame) takes from the CPU.
%macro VERW_SITE 0
    MITIGATION_SITE VERW
    verw [rel mitigation_verw_selector]
    MITIGATION_SITE_END
%endmacro

; ---- the two copies ----
%define HARD 0
%define N(label) label
SYSCALL_ENTRY
INT80_ENTRY
DISPATCH
SYSCALL_EXIT
%define HARD 1
%define N(label) label %+ _hardened
SYSCALL_ENTRY
INT80_ENTRY
DISPATCH
SYSCALL_EXIT

; The hardened copy's helpers, in its own section.
section .text.hardened
; Linux's __x86_indirect_thunk_rax: `call` pushes a return address the return stack buffer
; predicts (into the pause/lfence loop), the real target replaces it on the stack, and `ret`
; goes there; a misprediction can only spin in the loop. No indirect jmp or call is left.
align 16
syscall_retpoline_rax:
    call .set_target
.trap:
    pause
    lfence
    jmp .trap
.set_target:
    mov [rsp], rax
    ret
; VERW's operand: kept in the entry's own text, which stays mapped wherever the entry runs
; (Linux's mds_verw_sel sits in .entry.text for the same reason, page-table isolation).
align 16
mitigation_verw_selector: dw GDT_KERNEL_DS

; ==== 5. the benchmark's empty stubs and the CSTAR target ====

; ---- the benchmark's floor for `syscall`: an LSTAR target that returns at once ----
; Installed only by SYS_bench_entry(BENCH_ENTRY_EMPTY_LSTAR). No swapgs and no stack switch:
; the kernel never looks at anything, so the user's GS and RSP stay as they are. RCX is the
; CPU-written return RIP, canonical because ring 3 cannot map code at or above USER_CEILING.
align 64
    ENTRY_WINDOW lstar_empty, lstar_empty, "empty syscall entry" ; the user's GS and RSP throughout
    RING3_EDGE lstar_empty
lstar_empty:
    o64 sysret                            ; RIP <- RCX, RFLAGS <- R11; RAX comes back unchanged

; ---- the benchmark's floor for `int 0x80`: a gate that returns at once ----
; Installed at vector 0x80 only by SYS_bench_entry(BENCH_ENTRY_EMPTY_GATE).
align 16
    ENTRY_WINDOW int80_empty, int80_empty, "empty int 0x80 entry" ; the user's GS throughout
    RING3_EDGE int80_empty
int80_empty:
    iretq                                 ; back at once: nothing switched, so nothing to undo

; ---- 32-bit `syscall` from compatibility mode (IA32_CSTAR): compat_entry.asm, with the
; compatibility-mode half of `int 0x80` (int80_compat) ----

; ---- the end of .text: pad it to a whole line ----
; NASM's debug information gives this file one address range: from the start of .text, as long
; as .text and .text.int80 together. It is right only if the linker puts .text.int80 (64-byte
; aligned) directly after this file's .text, which this padding makes sure of; without it GDB
; finds no source line inside int80_entry.
align 64
