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

section .text
align 64
int80_entry:
    test byte [rsp + SCF_CS - SCF_RIP], 3 ; from ring 3? (the saved CS's RPL)
    jz .kernel_gs
    swapgs                                ; GS base <- this CPU's struct percpu
.kernel_gs:
    SMAP_CLAC                             ; the gate left the user's AC: clear it
    cld                                   ; the C ABI wants DF = 0; the gate left the user's
    push rcx                              ; the user's RCX: the frame now matches LSTAR's
    jmp syscall_dispatch                  ; same table, same return checks

; ---- the benchmark's floor: a gate that returns at once ----
; Installed at vector 0x80 only by SYS_bench_entry(BENCH_ENTRY_EMPTY_GATE).
align 16
int80_empty:
    iretq                                 ; back at once: nothing switched, so nothing to undo
