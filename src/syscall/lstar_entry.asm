; The `syscall` entry: the code IA32_LSTAR points at, and the return path both entries share.
;
; What the CPU has done when we get here (SDM Vol. 2B "SYSCALL"; AMD APM Vol. 2 6.1.1):
;   RCX <- RIP of the next instruction      R11 <- RFLAGS
;   RFLAGS <- RFLAGS & ~IA32_FMASK          (IF, TF, DF, AC, ... are now 0: see syscall_msr.c)
;   CS <- STAR[47:32], SS <- STAR[47:32]+8  (flat ring-0 segments; the GDT is not read)
;   RIP <- IA32_LSTAR
; and nothing else. RSP is still the user's, GS still the user's, and we are in ring 0.
; Nothing below may touch memory through RSP until the stack switch: ring 3 chose that value.
;
; Registers: rax = number; rdi, rsi, rdx, r10, r8, r9 = arguments (docs/abi.md).
; Every handler is compiled with no_caller_saved_registers, so it gives back every register
; but RAX unchanged; this stub therefore saves only what the CPU or the stub itself clobbers
; (RCX, and the user's RSP) and never has to scrub kernel values out of registers.

%include "asm_layout.inc"
%include "abi.inc"                      ; SYS_NR, ENOSYS, USER_CEILING from src/syscall/abi.h
%include "arch/x86_64/smap_clac.inc"

extern syscall_table
global lstar_entry
global lstar_entry_user_stack
global lstar_entry_safe_stack
global syscall_dispatch
global syscall_return
global syscall_exit_user_stack
global syscall_sysret
global syscall_exit_iret
global syscall_iretq
global lstar_empty
global cstar_entry

; Offsets into the frame once the saved RCX is popped: exactly what iretq consumes.
%define IRET_RIP    (SCF_RIP - SCF_RIP)
%define IRET_CS     (SCF_CS - SCF_RIP)
%define IRET_RFLAGS (SCF_RFLAGS - SCF_RIP)
%define IRET_RSP    (SCF_RSP - SCF_RIP)
%define IRET_SS     (SCF_SS - SCF_RIP)

section .rodata
align 8
; The first address ring 3 may never run at (below 2^47): a return RIP at or above it would be
; non-canonical or in the last, never-mapped page. Kept in memory: it does not fit an imm32.
syscall_rip_limit: dq USER_CEILING

section .text
align 64
lstar_entry:
lstar_entry_user_stack:                   ; ---- RSP is the user's from here ... ----
    ; [mutant swapgs-lstar-entry: delete]
    swapgs                                ; GS base <- this CPU's struct percpu (was KERNEL_GS_BASE)
    ; [mutant stack-switch-order: swap-next]
    mov [gs:PERCPU_USER_RSP], rsp         ; park the user's RSP; it is never dereferenced
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
    ; IF is still 0 (FMASK), so no maskable interrupt arrives between here and sysretq; NMI,
    ; #MC and #DB still can, and run on their IST stacks (idt.c).

; ---- common to both entries: RAX = number, frame (struct syscall_frame) at RSP ----
syscall_dispatch:
    cmp rax, SYS_NR                       ; unsigned and 64-bit: -1, 2^32 and 2^63 all fail it
    jae syscall_bad_number                ; [mutant bounds-check: delete]
    sbb rcx, rcx                          ; RCX = all ones (CF = 1 here); if the CPU speculates
    ; [mutant speculation-clamp: delete]
    and rax, rcx                          ; past jae with a bad RAX, the index collapses to 0
    mov rcx, r10                          ; 4th argument: syscall ABI R10 -> C ABI RCX
    call [syscall_table + rax * 8]        ; RSP is 16-byte aligned (SCF_SIZE % 16 == 0)

; ---- the way back: RAX = result, every register but RCX as the user left it ----
syscall_return:
    pop rcx                               ; the user's RCX; RSP now at the iretq frame
    ; SYSRET is only a valid way out when it restores exactly what IRETQ would. The checks are
    ; the ones Linux makes in C at the end of do_syscall_64 (arch/x86/entry/common.c, syscall_64.c
    ; in recent kernels): RCX and R11 equal RIP and RFLAGS, CS/SS are STAR's, RIP is below the
    ; user ceiling, RF and TF are clear. Any doubt and we take the slower IRETQ, always right.
    cmp rcx, [rsp + IRET_RIP]             ; SYSRET jumps to RCX: it must be the frame's RIP
    jne syscall_exit_iret                 ; [mutant sysret-rcx-is-rip: delete]
    cmp r11, [rsp + IRET_RFLAGS]          ; SYSRET loads RFLAGS from R11: must be the frame's
    jne syscall_exit_iret                 ; [mutant sysret-r11-is-rflags: delete]
    ; [mutant sysret-tf: "RFLAGS_TF | RFLAGS_RF" -> RFLAGS_RF]
    ; [mutant sysret-rf: "RFLAGS_TF | RFLAGS_RF" -> RFLAGS_TF]
    test r11d, RFLAGS_TF | RFLAGS_RF      ; SYSRET clears RF and would trap at once with TF
    jnz syscall_exit_iret
    cmp rcx, [rel syscall_rip_limit]      ; Intel SYSRET #GPs on a non-canonical RCX *in ring 0
    ; [mutant sysret-canonical-limit: delete]
    jae syscall_exit_iret                 ; with the user's RSP* (CVE-2012-0217): never let it
    cmp qword [rsp + IRET_CS], GDT_USER_CS ; SYSRET forces these selectors: the frame must agree
    ; [mutant sysret-cs: delete]
    jne syscall_exit_iret                 ; (a ring-0 `int 0x80` has the kernel's CS here)
    cmp qword [rsp + IRET_SS], GDT_USER_DS
    jne syscall_exit_iret                 ; [mutant sysret-ss: delete]
    mov rsp, [rsp + IRET_RSP]             ; the user's RSP, straight from the frame
syscall_exit_user_stack:                  ; ---- RSP is the user's again until sysretq ----
    ; [mutant swapgs-sysret-exit: delete]
    swapgs                                ; GS base <- the user's (0)
syscall_sysret:
    o64 sysret                            ; REX.W: back to 64-bit mode; RIP <- RCX, RFLAGS <- R11

syscall_exit_iret:
    test byte [rsp + IRET_CS], 3          ; going back to ring 3?
    jz .to_kernel
    swapgs                                ; yes: the user's GS base [mutant swapgs-iret-exit: delete]
.to_kernel:
syscall_iretq:
    iretq                                 ; pops RIP, CS, RFLAGS, RSP, SS: restores RF and TF too

syscall_bad_number:
    mov rax, -ENOSYS                      ; unknown number: -ENOSYS, nothing else happens
    jmp syscall_return

; ---- the benchmark's floor: an LSTAR target that returns at once ----
; Installed only by SYS_bench_entry(BENCH_ENTRY_EMPTY_LSTAR). No swapgs and no stack switch:
; the kernel never looks at anything, so the user's GS and RSP stay as they are. RCX is the
; CPU-written return RIP, canonical because ring 3 cannot map code at or above USER_CEILING.
align 64
lstar_empty:
    o64 sysret                            ; RIP <- RCX, RFLAGS <- R11; RAX comes back unchanged

; ---- 32-bit `syscall` from compatibility mode (IA32_CSTAR) ----
; lstar runs no 32-bit programs, but ring 3 can reach compatibility mode by a far jump to the
; user 32-bit code segment SYSRET needs in the GDT. Refuse without touching stack or GS.
align 16
cstar_entry:
    mov eax, -ENOSYS                      ; the 32-bit ABI's result register
    sysret                                ; no REX.W: 32-bit SYSRET to compatibility mode, EIP <- ECX
