; SPDX-License-Identifier: MIT
; From GRUB's 32-bit hand-over to kmain in 64-bit mode.
;
; Multiboot2 spec 3.3 ("Machine state"): EAX = 0x36d76289, EBX = physical address of the boot
; information, protected mode with paging off, interrupts off, and no usable GDT or stack.
; Steps, each needed before the next (SDM Vol. 3A "Initializing IA-32e Mode"):
;   check the loader and the CPU -> our own GDT -> page tables -> CR4.PAE -> EFER.LME|NXE ->
;   CR0.PG (long mode becomes active) -> far jump to a 64-bit code segment -> the higher half.
; Anything missing is said on COM1 and the VGA screen, then the CPU halts: never a silent reset.

%include "asm_offsets.inc"               ; every value shared with C: selectors and descriptors,
                                         ; CR0_*, CR4_*, EFER_*, MSR_EFER, RFLAGS_ID, PTE_*,
                                         ; CPUID leaves and bits, COM1, the multiboot2 magic

%define VGA_TEXT         0xb8000          ; the colour text buffer: only this code writes it there

; 4-level paging's geometry (Intel SDM Vol. 3A, section "4-Level Paging and 5-Level Paging"):
; 512 eight-byte entries per table, 9 address bits per level, 2 MiB pages in a page directory.
%define PT_ENTRIES       (PAGE_SIZE / 8)
%define PML4_INDEX(va)   (((va) >> 39) & (PT_ENTRIES - 1))
%define PDPT_INDEX(va)   (((va) >> 30) & (PT_ENTRIES - 1))
%define HUGE_PAGE_SHIFT  21

extern kmain
extern kernel_bss_start
extern kernel_bss_end
extern boot_stack_top

global boot_entry32
global boot_pml4

section .boot.text
bits 32
boot_entry32:
    cli                                   ; GRUB left IF clear; say so explicitly
    cld                                   ; string instructions below count upwards
    mov esp, boot_stack32_top             ; a stack of our own: GRUB gave none
    mov edi, ebx                          ; keep the info pointer out of the way of CPUID

    ; ---- the loader: only a multiboot2 loader gives us the info block we parse ----
    cmp eax, MB2_BOOTLOADER_MAGIC
    jne .not_multiboot2

    ; ---- the CPU: CPUID exists if EFLAGS.ID can be flipped ----
    pushfd
    pop eax
    mov ecx, eax
    xor eax, RFLAGS_ID
    push eax
    popfd
    pushfd
    pop eax
    push ecx
    popfd                                 ; put the original flags back
    cmp eax, ecx
    je .no_cpuid

    mov eax, CPUID_LEAF_EXTENDED          ; highest extended leaf
    cpuid
    cmp eax, CPUID_LEAF_EXT_FEATURES
    jb .no_long_mode
    mov eax, CPUID_LEAF_EXT_FEATURES
    cpuid
    test edx, CPUID80000001_EDX_LM        ; long mode (AMD APM Vol. 3, CPUID Fn8000_0001 EDX)
    jz .no_long_mode
    test edx, CPUID80000001_EDX_NX        ; NX: we map data no-execute (W^X)
    jz .no_nx

    ; ---- our GDT: the spec says GRUB's may be gone, so load one before touching segments ----
    lgdt [boot_gdt_ptr]
    jmp GDT_KERNEL_CS32:.flat32           ; reload CS from our table
.flat32:
    mov ax, GDT_KERNEL_DS
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor ax, ax
    mov fs, ax
    mov gs, ax

    ; ---- boot page tables: 1 GiB in 2 MiB pages, seen three ways ----
    ; identity (so this code keeps running once paging is on), the direct map at
    ; DIRECT_MAP_BASE and the kernel window at KERNEL_VMA. paging.c replaces all of it
    ; with 4 KiB, W^X mappings early in kmain.
    push edi
    mov edi, boot_page_tables             ; zero PML4, both PDPTs and the PD
    mov ecx, 4 * PAGE_SIZE / 4
    xor eax, eax
    rep stosd
    pop edi

    mov eax, boot_pdpt_low + (PTE_PRESENT | PTE_WRITABLE)
    mov [boot_pml4 + 0 * 8], eax          ; PML4[0]: identity
    mov [boot_pml4 + PML4_INDEX(DIRECT_MAP_BASE) * 8], eax ; PML4[256]: the direct map
    mov eax, boot_pdpt_high + (PTE_PRESENT | PTE_WRITABLE)
    mov [boot_pml4 + PML4_INDEX(KERNEL_VMA) * 8], eax ; PML4[511]: the top 512 GiB
    mov eax, boot_pd + (PTE_PRESENT | PTE_WRITABLE)
    mov [boot_pdpt_low + 0 * 8], eax      ; first GiB
    mov [boot_pdpt_high + PDPT_INDEX(KERNEL_VMA) * 8], eax ; KERNEL_VMA: PML4 511, PDPT 510

    xor ecx, ecx                          ; PD: 512 x 2 MiB pages covering physical 0..1 GiB
.fill_pd:
    mov eax, ecx
    shl eax, HUGE_PAGE_SHIFT
    or eax, PTE_PRESENT | PTE_WRITABLE | PTE_HUGE
    mov [boot_pd + ecx * 8], eax
    inc ecx
    cmp ecx, PT_ENTRIES
    jne .fill_pd

    ; ---- enter long mode ----
    ; CR4, EFER and CR0 are written whole, not ORed into what the loader left: LA57 can only be
    ; cleared here, before long mode, and nothing else survives to long mode by accident.
    ; control_regs.c writes the final values (docs/msr.md "Control registers written whole").
    mov eax, CR4_PAE                      ; 64-bit paging needs PAE's 8-byte entries; all else 0
    mov cr4, eax
    mov eax, boot_pml4
    mov cr3, eax
    mov ecx, MSR_EFER
    mov eax, EFER_LME | EFER_NXE          ; LME: long mode on next CR0.PG; NXE: honour bit 63
    xor edx, edx                          ; EFER[63:32]: reserved, 0
    wrmsr
    mov eax, CR0_PG | CR0_WP | CR0_NE | CR0_ET | CR0_MP | CR0_PE
                                          ; paging on: the CPU is now in compatibility mode;
                                          ; WP: ring 0 honours read-only pages (W^X); CD, NW,
                                          ; AM, TS, EM: 0
    mov cr0, eax
    jmp GDT_KERNEL_CS:boot_entry64        ; a 64-bit CS (L=1) takes us into 64-bit mode

; ---- refusals: a message on COM1 and VGA, then halt ----
.not_multiboot2:
    mov esi, msg_not_multiboot2
    jmp boot_fail32
.no_cpuid:
    mov esi, msg_no_cpuid
    jmp boot_fail32
.no_long_mode:
    mov esi, msg_no_long_mode
    jmp boot_fail32
.no_nx:
    mov esi, msg_no_nx
    jmp boot_fail32

; Prints the NUL-terminated string at ESI on COM1 and the top VGA line, then halts for good.
boot_fail32:
    mov edi, VGA_TEXT
.next:
    lodsb
    test al, al
    jz .halt
    mov ah, 0x4f                          ; white on red
    mov [edi], ax
    add edi, 2
    mov dx, COM1 + UART_LSR               ; line status register
    mov bl, al
.wait:
    in al, dx
    test al, UART_LSR_THRE                ; transmit holding register empty?
    jz .wait
    mov dx, COM1
    mov al, bl
    out dx, al
    jmp .next
.halt:
    mov dx, QEMU_EXIT_PORT                ; under QEMU with isa-debug-exit: a failing exit code
    mov al, QEMU_EXIT_PANIC
    out dx, al
    cli
    hlt
    jmp .halt                             ; an NMI can wake hlt: stay halted

bits 64
; First 64-bit instructions, still at the low (identity) address: jump to the higher half.
boot_entry64:
    mov edi, edi                          ; upper halves are undefined after the mode switch
    mov rax, boot_higher_half
    jmp rax

section .boot.data
align 8
boot_gdt:
    dq 0                                  ; null
    dq DESC_KERNEL_CS32                   ; GDT_KERNEL_CS32: kernel code, 32-bit, flat (for .flat32)
    dq DESC_KERNEL_CS                     ; GDT_KERNEL_CS: kernel code, 64-bit (L=1)
    dq DESC_KERNEL_DS                     ; GDT_KERNEL_DS: kernel data, flat
boot_gdt_end:
%if GDT_KERNEL_CS32 != 1 * 8 || GDT_KERNEL_CS != 2 * 8 || GDT_KERNEL_DS != 3 * 8
%error "boot_gdt: the entries above are in the order of the GDT_KERNEL_* selectors (asm_layout.h)"
%endif
boot_gdt_ptr:
    dw boot_gdt_end - boot_gdt - 1
    dd boot_gdt

msg_not_multiboot2: db "lstar: not booted by a multiboot2 loader (EAX != 0x36d76289); boot it with GRUB2's multiboot2 command", 13, 10, 0
msg_no_cpuid:       db "lstar: this CPU has no CPUID instruction; lstar needs an x86_64 CPU", 13, 10, 0
msg_no_long_mode:   db "lstar: this CPU has no long mode (CPUID 0x80000001 EDX.LM = 0); lstar needs an x86_64 CPU", 13, 10, 0
msg_no_nx:          db "lstar: this CPU has no NX bit (CPUID 0x80000001 EDX.NX = 0); lstar maps data no-execute", 13, 10, 0

section .boot.bss nobits
align PAGE_SIZE
boot_page_tables:
boot_pml4:      resb PAGE_SIZE
boot_pdpt_low:  resb PAGE_SIZE
boot_pdpt_high: resb PAGE_SIZE
boot_pd:        resb PAGE_SIZE
boot_stack32:   resb PAGE_SIZE
boot_stack32_top:

section .text.entry
bits 64
; Now running at KERNEL_VMA: zero .bss, take the boot stack (with its guard page) and call C.
boot_higher_half:
    mov ax, GDT_KERNEL_DS
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov rbx, rdi                          ; boot info, physical
    mov rdi, kernel_bss_start             ; C expects .bss zero: do not rely on the loader
    mov rcx, kernel_bss_end
    sub rcx, rdi
    xor eax, eax
    rep stosb
    mov rsp, boot_stack_top               ; 16-byte aligned; see stacks.c
    xor ebp, ebp                          ; ends the frame-pointer chain for backtraces
    mov rdi, rbx                          ; kmain(info_phys)
    call kmain
.hang:                                    ; kmain never returns; if it did, stop here
    cli
    hlt
    jmp .hang
