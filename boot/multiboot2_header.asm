; SPDX-License-Identifier: MIT
; The Multiboot2 header: how GRUB recognises lstar.elf and what we ask it for.
; Multiboot2 specification, section 3.1 ("OS image format"). GRUB searches the first 32 KiB of
; the file for this 8-byte-aligned block; the linker script puts it first in the image.

%define MB2_MAGIC        0xe85250d6   ; header magic (spec 3.1.1)
%define MB2_ARCH_I386    0            ; "i386 protected mode": we enter in 32-bit mode

section .multiboot2 align=8
mb2_header:
    dd MB2_MAGIC
    dd MB2_ARCH_I386
    dd mb2_header_end - mb2_header                          ; header length
    dd -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header)) ; checksum: all four sum to 0

    ; Information request tag (type 1): the boot information we cannot work without. GRUB
    ; refuses to boot rather than hand over a block missing a tag listed here.
align 8
.info_request:
    dw 1, 0                                 ; type 1, flags 0 = required
    dd .info_request_end - .info_request
    dd 1                                    ; boot command line
    dd 3                                    ; modules (the ring-3 programs)
    dd 6                                    ; memory map
.info_request_end:

    ; Information request tag, optional entries: nice to have, boot goes on without them.
align 8
.info_optional:
    dw 1, 1                                 ; type 1, flags 1 = optional
    dd .info_optional_end - .info_optional
    dd 2                                    ; boot loader name (logged)
    dd 14                                   ; ACPI 1.0 RSDP copy
    dd 15                                   ; ACPI 2.0+ RSDP copy
    dd 8                                    ; framebuffer info: VGA text, or where to draw the log
.info_optional_end:

    ; Console flags tag (type 4): we can use an EGA text console (bit 1), so a loader that has
    ; no graphics mode to give (GRUB without a video driver) leaves the screen in text mode at
    ; 0xb8000 and the log is mirrored there.
align 8
    dw 4, 1                                 ; type 4, optional
    dd 12
    dd 2                                    ; EGA text supported

    ; Framebuffer tag (type 5, spec 3.1.10): the mode we prefer, optional, so a loader without
    ; one still boots. UEFI PCs have no text mode: GRUB gives the GOP framebuffer, and under BIOS
    ; a VBE mode when grub.cfg loads a video driver; fb_console.c draws the log there. 1024x768
    ; is in every VBE and GOP mode list QEMU and Bochs offer, and small enough that redrawing it
    ; under emulation stays cheap.
align 8
    dw 5, 1                                 ; type 5, optional
    dd 20
    dd 1280                                 ; width
    dd 1024                                 ; height
    dd 32                                   ; bits per pixel

    ; Module alignment tag (type 6): modules start on page boundaries, so ELF segments can be
    ; copied from them page by page and their frames reserved exactly.
align 8
    dw 6, 0
    dd 8

    ; End tag.
align 8
    dw 0, 0
    dd 8
mb2_header_end:

; ---- a Multiboot version 1 header, so that a wrong loader gets a clear answer ----
; `qemu-system-x86_64 -kernel lstar.elf` is the quickest way to try a kernel, and QEMU's loader
; speaks only version 1 (spec 0.6.96, section 3.1). It loads a 64-bit ELF file only through the
; "a.out kludge" address fields (flag bit 16), which here describe just the 32-bit boot part;
; boot_entry32 then finds EAX = 0x2badb002 instead of the multiboot2 magic and says so.
%define MB1_MAGIC 0x1badb002
%define MB1_FLAG_ADDRESSES (1 << 16)

extern boot_start
extern boot_load_end
extern boot_end
extern boot_entry32

align 4
mb1_header:
    dd MB1_MAGIC
    dd MB1_FLAG_ADDRESSES
    dd -(MB1_MAGIC + MB1_FLAG_ADDRESSES)   ; checksum: the three sum to 0
    dd mb1_header                         ; header_addr: where this header lands in memory
    dd boot_start                         ; load_addr: first byte of the boot part (1 MiB)
    dd boot_load_end                      ; load_end_addr: end of its file image
    dd boot_end                           ; bss_end_addr: zeroed up to here (boot page tables, stack)
    dd boot_entry32                       ; entry_addr
