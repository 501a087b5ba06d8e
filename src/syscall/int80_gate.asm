; The `int 0x80` entry: an IDT interrupt gate with DPL 3 (idt.c), kept beside `syscall` so the
; two mechanisms can be compared through the same dispatcher, frame and return path.
;
; What the CPU has done when we get here (SDM Vol. 3A 6.12.1, 6.14.2): looked up vector 0x80
; in the IDT, checked the gate's DPL (3) against CPL, loaded RSP from TSS.RSP0 (ring 3 -> 0),
; aligned it to 16 and pushed SS, RSP, RFLAGS, CS, RIP; cleared IF (interrupt gate), TF, NT
; and RF. Unlike `syscall` it clobbered no register. It did not clear DF or AC.

%include "asm_layout.inc"
%include "arch/x86_64/smap_clac.inc"

extern syscall_dispatch
global int80_entry
global int80_empty

section .rodata
int80_kernel_ss: dw GDT_KERNEL_DS          ; `mov ss` takes no immediate

section .text
align 64
int80_entry:
    test byte [rsp + SCF_CS - SCF_RIP], 3 ; from ring 3? (the saved CS's RPL)
    jz .kernel_gs
    ; [mutant swapgs-int80-entry: delete]
    swapgs                                ; GS base <- this CPU's struct percpu
    ; The gate loaded SS with a null selector (RPL 0), as every gate taken from ring 3 does
    ; in 64-bit mode (SDM Vol. 3A 6.14.4). If the shared exit leaves by sysretq, SYSRET loads
    ; SS's selector from STAR, but on AMD not its hidden attributes (APM Vol. 3 "SYSRET":
    ; SS.sel = STAR.SYSRET_CS + 8, the rest unchanged; Linux: X86_BUG_SYSRET_SS_ATTRS): ring 3
    ; would run on with the unusable null SS, and its first stack access after a far jump to
    ; compatibility mode would be #SS. A real kernel data selector here, as `syscall` itself
    ; loads, makes SYSRET's result valid on every vendor. The frame keeps the user's SS.
    ; [mutant int80-ss-reload: delete]
    mov ss, [rel int80_kernel_ss]         ; one instruction; no register to save
.kernel_gs:
    ; [mutant clac-int80: delete]
    SMAP_CLAC                             ; the gate left the user's AC: clear it
    ; [mutant cld-int80: delete]
    cld                                   ; the C ABI wants DF = 0; the gate left the user's
    push rcx                              ; the user's RCX: the frame now matches LSTAR's
    jmp syscall_dispatch                  ; same table, same return checks

; ---- the benchmark's floor: a gate that returns at once ----
; Installed at vector 0x80 only by SYS_bench_entry(BENCH_ENTRY_EMPTY_GATE).
align 16
int80_empty:
    iretq                                 ; back at once: nothing switched, so nothing to undo
