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
;   5. the benchmark's empty stubs (lstar_empty, int80_empty) and the CSTAR target (cstar_entry)
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
; bytes per stub. int80_empty and cstar_entry take 16, the usual function alignment, and
; nothing more.

%include "asm_offsets.inc"              ; GDT selectors, PERCPU_*, IRET_*, RFLAGS_*, SYS_NR, ENOSYS, USER_CEILING,
                                        ; SYSCALL_WORK_TRACE, TRACE_ENTRY_*
%include "arch/x86_64/smap_clac.inc"
%include "arch/x86_64/entry_window.inc" ; ENTRY_WINDOW, RING3_EDGE
%include "arch/x86_64/pti.inc"          ; the four PTI sites below (page-table isolation, pti.c)

extern syscall_table
extern syscall_slow_path
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
global cstar_entry
global cstar_sysret

section .rodata
align 8
; The first address ring 3 may never run at (below 2^47): a return RIP at or above it would be
; non-canonical or in the last, never-mapped page. Kept in memory: it does not fit an imm32.
syscall_rip_limit: dq USER_CEILING
int80_kernel_ss: dw GDT_KERNEL_DS       ; `mov ss` takes no immediate

; ==== 1. the `syscall` entry ====
; What the CPU has done when we get here (SDM Vol. 2B "SYSCALL"; AMD APM Vol. 2 "SYSCALL and
; SYSRET"):
;   RCX <- RIP of the next instruction      R11 <- RFLAGS
;   RFLAGS <- RFLAGS & ~IA32_FMASK          (IF, TF, DF, AC, ... are now 0: see syscall_msr.c)
;   CS <- STAR[47:32], SS <- STAR[47:32]+8  (flat ring-0 segments; the GDT is not read)
;   RIP <- IA32_LSTAR
; and nothing else. RSP is still the user's, GS still the user's, and we are in ring 0.
; Nothing below may touch memory through RSP until the stack switch: ring 3 chose that value.
section .text
align 64
    ENTRY_WINDOW lstar_entry, lstar_entry_safe_stack, "syscall entry"
    RING3_EDGE lstar_entry
lstar_entry:
lstar_entry_user_stack:                   ; ---- RSP is the user's from here ... ----
    ; [mutant swapgs-lstar-entry: delete]
    swapgs                                ; GS base <- this CPU's struct percpu (was KERNEL_GS_BASE)
    ; [mutant stack-switch-order: swap-next]
    mov [gs:PERCPU_USER_RSP], rsp         ; park the user's RSP; it is never dereferenced
    PTI_SYSCALL_ENTER                     ; PTI: the kernel's page tables (RSP is scratch here)
    mov rsp, [gs:PERCPU_KERNEL_RSP]       ; the running process's kernel stack (16-byte aligned)
lstar_entry_safe_stack:                   ; ---- ... to here. An NMI or #MC in that window runs
                                          ;      on its IST stack and reads GS_BASE itself.
    ; ---- build the frame: what iretq would pop, then the user's RCX ----
    push GDT_USER_DS                      ; SS: SYSRET's (STAR[63:48] + 8), proved in gdt.c
    push qword [gs:PERCPU_USER_RSP]       ; RSP
    push r11                              ; RFLAGS, as the CPU saved them before masking
    push GDT_USER_CS                      ; CS: SYSRET's (STAR[63:48] + 16)
    push rcx                              ; RIP: the instruction after `syscall`
    push rcx                              ; the user's RCX slot (`syscall` wrote RIP into it)
    ; Work to do around this process's calls (trace=)? One test of the word the context switch
    ; copied from the process (process_install); taken, it leaves the fast path at once.
    test byte [gs:PERCPU_SYSCALL_WORK], SYSCALL_WORK_TRACE
    jnz lstar_slow_path                   ; [mutant trace-work-lstar: delete]
    ; IF is still 0 (FMASK), so no maskable interrupt arrives between here and sysretq; NMI,
    ; #MC and #DB still can, and run on their IST stacks (idt.c).
    ;
    ; In memory this falls straight through into syscall_dispatch (3. below): the `int 0x80`
    ; entry, which this file shows next, is assembled into a section of its own, .text.int80,
    ; so the fast path needs no jump.

; ==== 2. the `int 0x80` entry ====
; An IDT interrupt gate with DPL 3 (idt.c), kept beside `syscall` so the two mechanisms can be
; compared through the same dispatcher, frame and return path.
;
; What the CPU has done when we get here (SDM Vol. 3A "Exception- or Interrupt-Handler Procedures",
; "64-Bit Mode Stack Frame"): looked up vector 0x80 in the IDT, checked the gate's DPL (3) against
; CPL, loaded RSP from TSS.RSP0 (ring 3 -> 0), aligned it to 16 and pushed SS, RSP, RFLAGS, CS, RIP;
; cleared IF (interrupt gate), TF, NT and RF. Unlike `syscall` it clobbered no register. It did not
; clear DF or AC.
section .text.int80 progbits alloc exec nowrite align=64
align 64
    ENTRY_WINDOW int80_entry, int80_entry.kernel_gs, "int 0x80 entry" ; GS is the user's to swapgs
    RING3_EDGE int80_entry
int80_entry:
    test byte [rsp + IRET_CS], 3          ; from ring 3? (the saved CS's RPL; RSP is at the RIP)
    jz .kernel_gs
    ; [mutant swapgs-int80-entry: delete]
    swapgs                                ; GS base <- this CPU's struct percpu
    PTI_GATE_ENTER                        ; PTI: the kernel's page tables, the frame on the kernel stack
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
    ; The same work test as the `syscall` entry's. From ring 0 GS is the kernel's too, and the
    ; kernel's own code has no work (process_install clears the word for it).
    test byte [gs:PERCPU_SYSCALL_WORK], SYSCALL_WORK_TRACE
    jnz int80_slow_path                   ; [mutant trace-work-int80: delete]
    jmp syscall_dispatch                  ; same table, same return checks

; ==== 3. the shared dispatch: RAX = number, frame (struct syscall_frame) at RSP ====
section .text                             ; resumes right after lstar_entry's last push
syscall_dispatch:
    cmp rax, SYS_NR                       ; unsigned and 64-bit: -1, 2^32 and 2^63 all fail it
    jae syscall_bad_number                ; [mutant bounds-check: delete]
    ; Spectre v1: should the CPU speculate past jae with a bad RAX, CF is 0 there, so RCX
    ; becomes 0 and so does the index.
    sbb rcx, rcx                          ; RCX = all ones: CF = 1 (RAX < SYS_NR) on this path
    ; [mutant speculation-clamp: delete]
    and rax, rcx                          ; a valid RAX is unchanged
    mov rcx, r10                          ; 4th argument: syscall ABI R10 -> C ABI RCX
    call [syscall_table + rax * 8]        ; RSP is 16-byte aligned (syscall_frame.h asserts it)

; ==== 4. the shared exit: RAX = result, every register but RCX as the user left it ====
; SYSRET restores only RIP (from RCX), RFLAGS (from R11) and fixed CS/SS (SDM Vol. 2B
; "SYSRET"); IRETQ restores all five from the frame. So sysretq is a valid way out only when it
; restores exactly what iretq would, which the four checks below establish: the list of
; docs/msr.md ("The return: why not always sysretq"), same numbers, same order. They are the
; ones Linux makes in C at the end of do_syscall_64 (arch/x86/entry/common.c; syscall_64.c in
; recent kernels). Any doubt and we take the slower iretq, which is always right.
syscall_return:
    pop rcx                               ; the user's RCX; RSP now at the iretq frame

    ; -- check 1: RCX equals the frame's RIP, and R11 the frame's RFLAGS --
    ; SYSRET jumps to RCX and loads RFLAGS from R11, not from the frame. After `syscall` they
    ; agree unless the kernel changed the frame; after `int 0x80` only if ring 3 happened to
    ; hold its return address and flags in RCX and R11.
    cmp rcx, [rsp + IRET_RIP]
    jne syscall_exit_iret                 ; [mutant sysret-rcx-is-rip: delete]
    cmp r11, [rsp + IRET_RFLAGS]
    jne syscall_exit_iret                 ; [mutant sysret-r11-is-rflags: delete]

    ; -- check 2: TF and RF are clear --
    ; SYSRET cannot restore RF (it clears it), and with TF set it traps in ring 3 at once,
    ; before the first user instruction, where iretq lets that instruction run first.
    ; [mutant sysret-tf: "RFLAGS_TF | RFLAGS_RF" -> RFLAGS_RF]
    ; [mutant sysret-rf: "RFLAGS_TF | RFLAGS_RF" -> RFLAGS_TF]
    test r11d, RFLAGS_TF | RFLAGS_RF
    jnz syscall_exit_iret

    ; -- check 3: RCX is below USER_CEILING, hence canonical --
    ; Intel's SYSRET raises #GP on a non-canonical RCX *in ring 0, with the user's RSP already
    ; loaded* (CVE-2012-0217): a kernel exception on a stack ring 3 chose. AMD checks after the
    ; switch to ring 3. Never let it happen.
    cmp rcx, [rel syscall_rip_limit]
    jae syscall_exit_iret                 ; [mutant sysret-canonical-limit: delete]

    ; -- check 4: the frame's CS and SS are the user selectors SYSRET loads anyway --
    ; SYSRET forces CS = STAR[63:48] + 16 and SS = STAR[63:48] + 8 whatever the frame says; a
    ; frame with others needs iretq: an `int 0x80` from compatibility mode has GDT_USER_CS32
    ; here, one from ring 0 the kernel's CS.
    cmp qword [rsp + IRET_CS], GDT_USER_CS
    jne syscall_exit_iret                 ; [mutant sysret-cs: delete]
    cmp qword [rsp + IRET_SS], GDT_USER_DS
    jne syscall_exit_iret                 ; [mutant sysret-ss: delete]

    ; ---- all four hold: leave by sysretq ----
    mov rsp, [rsp + IRET_RSP]             ; the user's RSP, straight from the frame
    ENTRY_WINDOW syscall_exit_user_stack, syscall_sysret, "sysretq exit"
    RING3_EDGE syscall_sysret
syscall_exit_user_stack:                  ; ---- RSP is the user's again until sysretq ----
    PTI_SYSRET_EXIT                       ; PTI: the user's page tables (RCX, R11 kept)
    ; [mutant swapgs-sysret-exit: delete]
    swapgs                                ; GS base <- the user's (0)
syscall_sysret:
    o64 sysret                            ; REX.W: back to 64-bit mode; RIP <- RCX, RFLAGS <- R11

    ; ---- a check failed: leave by iretq ----
    ENTRY_WINDOW syscall_exit_iret, syscall_iretq, "iretq exit"
    RING3_EDGE syscall_iretq
syscall_exit_iret:
    test byte [rsp + IRET_CS], 3          ; going back to ring 3?
    jz .to_kernel
    PTI_IRET_EXIT                         ; PTI: the frame to the entry stack, the user's page tables
    swapgs                                ; yes: the user's GS base [mutant swapgs-iret-exit: delete]
.to_kernel:
syscall_iretq:
    iretq                                 ; pops RIP, CS, RFLAGS, RSP, SS: restores RF and TF too

; The dispatch's refusal (3.), out of the straight line so a valid call falls through.
syscall_bad_number:
    mov rax, -ENOSYS                      ; unknown number: -ENOSYS, nothing else happens
    jmp syscall_return

; ---- the slow path: the running process has work (SYSCALL_WORK_*, syscall_trace.h) ----
; Out of the straight line, like Linux's syscall_trace_enter/exit: C does the work before and
; after calling the handler from the same table (syscall_slow_path, syscall_trace.c) and comes
; back here with the result in RAX; the exit checks (4.) then run on the same frame, unchanged.
; RAX = number, the arguments in their registers, the frame (struct syscall_frame) at RSP.
; RCX is free on both entries: the user's value is in the frame, which syscall_return reloads.
lstar_slow_path:
    mov ecx, TRACE_ENTRY_SYSCALL
    jmp syscall_slow_path_call
int80_slow_path:
    mov ecx, TRACE_ENTRY_INT80
syscall_slow_path_call:
    ; syscall_slow_path(a0, ..., a5, nr, entry) is no_caller_saved_registers, like a handler: it
    ; gives back every register but RAX. Its seventh and eighth arguments go on the stack.
    push rcx                              ; entry
    push rax                              ; nr
    mov rcx, r10                          ; 4th argument: syscall ABI R10 -> C ABI RCX
    call syscall_slow_path                ; RSP 16-byte aligned: the frame plus two words
    pop rcx                               ; drop nr and entry: syscall_return reloads RCX
    pop rcx                               ; from the frame anyway
    jmp syscall_return

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

; ---- 32-bit `syscall` from compatibility mode (IA32_CSTAR) ----
; lstar runs no 32-bit programs, but ring 3 can reach compatibility mode by a far jump to the
; user 32-bit code segment SYSRET needs in the GDT. Refuse without touching stack or GS.
align 16
    ENTRY_WINDOW cstar_entry, cstar_sysret, "compatibility-mode syscall entry" ; user GS and RSP
    RING3_EDGE cstar_entry
    RING3_EDGE cstar_sysret
cstar_entry:
    mov eax, -ENOSYS                      ; the 32-bit ABI's result register
cstar_sysret:
    sysret                                ; no REX.W: 32-bit SYSRET to compatibility mode, EIP <- ECX

; ---- the end of .text: pad it to a whole line ----
; NASM's debug information gives this file one address range: from the start of .text, as long
; as .text and .text.int80 together. It is right only if the linker puts .text.int80 (64-byte
; aligned) directly after this file's .text, which this padding makes sure of; without it GDB
; finds no source line inside int80_entry.
align 64
