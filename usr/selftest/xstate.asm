; SPDX-License-Identifier: MIT
; x87, MMX and SSE registers and the data selectors, read and written exactly, for
; xstate_tests.c. In NASM because C (built with -mgeneral-regs-only) can name none of these
; registers, and no compiled code between two of these calls touches them.

section .text
global fx_save
global fx_load
global fx_scribble
global sse_double
global avx_probe
global selectors_read
global selectors_load

; void fx_save(struct xstate *out): every x87/MMX/SSE register, as this process holds them.
fx_save:
    fxsave64 [rdi]                        ; 64-bit image; out is 16-byte aligned
    ret

; void fx_load(const struct xstate *in): the reverse; legal in ring 3.
fx_load:
    fxrstor64 [rdi]
    ret

; void fx_scribble(void): a child's own values, written with ordinary instructions.
fx_scribble:
    fninit
    fldcw [rel scribble_fcw]              ; 53-bit precision, round to nearest
    fldpi                                 ; two values on the x87 stack
    fld1
    ldmxcsr [rel scribble_mxcsr]          ; round down, flush to zero
    mov rax, 0x0badc0ffee0ddf00
    movq mm0, rax                         ; MMX: also TOP <- 0, every tag valid
%assign i 0
%rep 16
    pcmpeqd xmm %+ i, xmm %+ i            ; every XMM register all ones
%assign i i + 1
%endrep
    ret

; uint64_t sse_double(uint64_t v): 2 * v, computed in XMM0 (#UD unless CR4.OSFXSR is set).
sse_double:
    movq xmm0, rdi
    paddq xmm0, xmm0
    movq rax, xmm0
    ret

; void avx_probe(void): one AVX instruction (#UD unless CR4.OSXSAVE and XCR0 allow AVX).
avx_probe:
    vpxor xmm0, xmm0, xmm0
    ret

; uint64_t selectors_read(void): DS | ES << 16 | FS << 32 | GS << 48.
selectors_read:
    mov rax, gs                           ; REX.W form: the selector zero-extended
    shl rax, 16
    mov rcx, fs
    or rax, rcx
    shl rax, 16
    mov rcx, es
    or rax, rcx
    shl rax, 16
    mov rcx, ds
    or rax, rcx
    ret

; void selectors_load(uint64_t packed): the reverse (FS and GS bases become 0: the GDT's).
selectors_load:
    mov rax, rdi
    mov ds, eax
    shr rax, 16
    mov es, eax
    shr rax, 16
    mov fs, eax
    shr rax, 16
    mov gs, eax
    ret

section .rodata
scribble_fcw:   dw 0x027f                 ; precision control 10b (53 bits); all masked
scribble_mxcsr: dd 0xbf80                 ; FZ | RC = 01b (down) | all masked
