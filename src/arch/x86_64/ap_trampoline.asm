; SPDX-License-Identifier: MIT
; Where the other CPUs start: a STARTUP IPI puts each one in real mode at CS:IP = 0x0800:0000,
; i.e. physical AP_TRAMPOLINE_PHYS. smp.c copies this block there and fills in its data fields.
;
; Real mode straight to long mode (SDM Vol. 3A "Initializing IA-32e Mode"): load a GDT, CR4.PAE, CR3
; = the kernel's page tables (smp.c maps this page identity while CPUs start), EFER.LME|NXE, then
; CR0.PE|PG in one write; the far jump to a 64-bit code segment lands in 64-bit mode, still at a low
; address, and an absolute jump reaches ap_main in the higher half on the CPU's own stack.

%include "asm_offsets.inc"               ; AP_TRAMPOLINE_PHYS, GDT selectors and descriptors, CR0_*, CR4_*, EFER_*

; The physical address a label of this block has once copied to AP_TRAMPOLINE_PHYS.
%define AT(label) (AP_TRAMPOLINE_PHYS + (label) - ap_trampoline_start)

global ap_trampoline_start
global ap_trampoline_end
global ap_trampoline_cr3
global ap_trampoline_stack
global ap_trampoline_cpu
global ap_trampoline_entry

section .rodata                           ; copied, never executed in place
align 16
bits 16
ap_trampoline_start:
    cli
    cld
    xor ax, ax
    mov ds, ax                            ; DS base 0: AT() addresses are physical
    lgdt [AT(ap_gdt_ptr)]
    ; Whole values, as in boot/entry32.asm; control_regs.c writes the final ones.
    mov eax, CR4_PAE                      ; required for long mode; all else 0
    mov cr4, eax
    mov eax, [AT(ap_trampoline_cr3)]      ; the kernel's PML4 (below 4 GiB: a frame from physmem)
    mov cr3, eax
    mov ecx, MSR_EFER
    mov eax, EFER_LME | EFER_NXE          ; long mode on next CR0.PG; the kernel's pages use bit 63
    xor edx, edx
    wrmsr
    mov eax, CR0_PG | CR0_WP | CR0_NE | CR0_ET | CR0_MP | CR0_PE
                                          ; protected mode and paging at once; CD = NW = 0:
                                          ; INIT left both set (caches off)
    mov cr0, eax
    jmp dword GDT_KERNEL_CS:AT(ap_long_mode) ; 64-bit code segment of ap_gdt

bits 64
ap_long_mode:
    mov ax, GDT_KERNEL_DS
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov rsp, [AT(ap_trampoline_stack)]    ; this CPU's kernel stack (stacks.c)
    mov rdi, [AT(ap_trampoline_cpu)]      ; ap_main(cpu)
    mov rax, [AT(ap_trampoline_entry)]
    xor ebp, ebp                          ; ends the frame-pointer chain
    push rbp                              ; a null return address, as if ap_main were called:
                                          ; RSP = 8 mod 16 as the ABI wants at entry, and a
                                          ; backtrace stops there instead of reading the
                                          ; unmapped guard page above the stack
    jmp rax                               ; into the higher half; never returns

align 8
; The kernel GDT's first four entries (gdt.h DESC_FLAT, as gdt.c builds them), so the kernel's
; selector names hold here too.
ap_gdt:
    dq 0                                  ; null
    dq DESC_KERNEL_CS32                   ; GDT_KERNEL_CS32: 32-bit code (unused)
    dq DESC_KERNEL_CS                     ; GDT_KERNEL_CS: 64-bit code
    dq DESC_KERNEL_DS                     ; GDT_KERNEL_DS: data
ap_gdt_ptr:
%if GDT_KERNEL_CS32 != 1 * 8 || GDT_KERNEL_CS != 2 * 8 || GDT_KERNEL_DS != 3 * 8
%error "ap_gdt: the entries above are in the order of the GDT_KERNEL_* selectors (asm_layout.h)"
%endif
    dw ap_gdt_ptr - ap_gdt - 1
    dd AT(ap_gdt)
align 8
ap_trampoline_cr3:   dq 0                 ; filled in by smp.c before each STARTUP
ap_trampoline_stack: dq 0
ap_trampoline_cpu:   dq 0
ap_trampoline_entry: dq 0
ap_trampoline_end:
