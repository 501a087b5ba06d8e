; SPDX-License-Identifier: MIT
; Timed batches of calls for the benchmark and the selftest (declared in bench_loops.h).
;
; Layout of every batch:
;   START_STAMP      lfence; rdtsc, kept in r13    (lfence: earlier work has finished first)
;   mov rdx, r14     the third argument; rdtsc took rdx
;   loop: 8 calls, dec r12, jnz                     <- what is measured
;   END_STAMP        rdtscp; lfence                 (rdtscp waits for the calls to finish;
;                                                    lfence keeps later work out of the window)
; bench_batch_empty is START_STAMP, the mov and END_STAMP with no loop, so subtracting it
; leaves the calls and their loop.

bits 64
default rel

CPUID_EXT_FEATURES equ 0x80000001
CPUID_EDX_RDTSCP   equ 1 << 27

section .data
global bench_have_rdtscp
bench_have_rdtscp: db 0

section .text

; void bench_detect_rdtscp(void)
global bench_detect_rdtscp
bench_detect_rdtscp:
    push rbx                            ; cpuid writes rbx, which C expects preserved
    mov eax, 0x80000000
    cpuid                               ; eax = highest extended leaf
    cmp eax, CPUID_EXT_FEATURES
    jb .done                            ; no extended leaves: no rdtscp either
    mov eax, CPUID_EXT_FEATURES
    cpuid
    test edx, CPUID_EDX_RDTSCP
    jz .done
    mov byte [bench_have_rdtscp], 1
.done:
    pop rbx
    ret

; Every batch uses rbx (the call number), r12 (iterations left), r13 (the start stamp) and
; r14 (the third argument while rdtsc holds rdx): all callee-saved in C, so kept for the caller.
%macro BATCH_PROLOGUE 0
    push rbx
    push r12
    push r13
    push r14
%endmacro

%macro BATCH_EPILOGUE 0
    pop r14
    pop r13
    pop r12
    pop rbx
    ret
%endmacro

; Start of the timed window: r13 = TSC.
%macro START_STAMP 0
    lfence                              ; everything before has completed
    rdtsc
    shl rdx, 32
    or rax, rdx
    mov r13, rax                        ; the start, in a register every call preserves
    mov rdx, r14                        ; the third argument back (rdtsc overwrote rdx)
%endmacro

; End of the timed window: rax = ticks since START_STAMP.
%macro END_STAMP 0
    cmp byte [bench_have_rdtscp], 0
    je %%plain
    rdtscp                              ; waits until every earlier instruction has executed
    jmp %%stamped
%%plain:
    lfence                              ; the same ordering without rdtscp
    rdtsc
%%stamped:
    lfence                              ; nothing after may start before the stamp
    shl rdx, 32
    or rax, rdx
    sub rax, r13
%endmacro

; uint64_t bench_batch_empty(void)
global bench_batch_empty
bench_batch_empty:
    BATCH_PROLOGUE
    xor r14d, r14d
    START_STAMP
    END_STAMP
    BATCH_EPILOGUE

; An empty function, kept out of line: the subject of the function_call row.
bench_empty_function:
    ret

; uint64_t bench_batch_function(uint64_t calls /* rdi */)
global bench_batch_function
bench_batch_function:
    BATCH_PROLOGUE
    mov r12, rdi
    shr r12, 3                          ; eight calls per iteration
    xor r14d, r14d
    START_STAMP
.loop:
%rep 8
    call bench_empty_function
%endrep
    dec r12
    jnz .loop
    END_STAMP
    BATCH_EPILOGUE

; Defines %1(calls /* rdi */, nr /* rsi */, a0 /* rdx */, a1 /* rcx */, a2 /* r8 */): a timed
; batch of system calls made with the entry instruction %2. The two entries take the same
; registers, so one body serves both; only the instruction differs.
%macro SYSCALL_BATCH 2
global %1
%1:
    BATCH_PROLOGUE
    mov r12, rdi
    shr r12, 3                          ; eight calls per iteration
    mov rbx, rsi                        ; nr: rax is overwritten by every result
    mov rdi, rdx                        ; a0
    mov rsi, rcx                        ; a1
    mov r14, r8                         ; a2, moved to rdx inside START_STAMP
    START_STAMP
%%loop:
%rep 8
    mov rax, rbx
    %2                                  ; syscall clobbers rcx and r11, nothing the loop uses
%endrep
    dec r12
    jnz %%loop
    END_STAMP
    BATCH_EPILOGUE
%endmacro

SYSCALL_BATCH bench_batch_syscall, syscall
SYSCALL_BATCH bench_batch_int80, {int 0x80}

; Defines %1(calls /* rdi */, nr /* rsi */, a0 /* rdx */, a1 /* rcx */, a2 /* r8 */): the same
; batch through a 64-bit `sysenter` (docs/abi.md, "sysenter and sysexit"). Its ABI costs the
; caller three instructions more than `syscall`'s: RCX = RSP and R11 = the return address, which
; SYSENTER does not save, and RDX again, which SYSEXIT took for the return address.
; One call: the number from rbx, the third argument from r14.
%macro SYSENTER_CALL 0
    mov rax, rbx
    mov rdx, r14                        ; a2: the last call's sysexit left its RIP in rdx
    mov rcx, rsp                        ; RSP, for SYSEXIT to take back
    lea r11, [rel %%after]              ; the return address, for SYSEXIT's RDX
    sysenter
%%after:
%endmacro

%macro SYSENTER_BATCH 1
global %1
%1:
    BATCH_PROLOGUE
    mov r12, rdi
    shr r12, 3                          ; eight calls per iteration
    mov rbx, rsi                        ; nr: rax is overwritten by every result
    mov rdi, rdx                        ; a0
    mov rsi, rcx                        ; a1
    mov r14, r8                         ; a2, moved to rdx inside START_STAMP and by each call
    START_STAMP
%%loop:
%rep 8
    SYSENTER_CALL
%endrep
    dec r12
    jnz %%loop
    END_STAMP
    BATCH_EPILOGUE
%endmacro

SYSENTER_BATCH bench_batch_sysenter

; One int 0x80 dressed like a syscall: rcx = the return RIP and r11 = RFLAGS, which is what
; the kernel's return path checks before it allows sysretq.
%macro INT80_AS_SYSCALL 0
    lea rcx, [rel %%after]              ; RCX == RIP of the next instruction
    pushfq
    pop r11                             ; R11 == RFLAGS as the gate will save them
    mov rax, rbx
    int 0x80
%%after:
%endmacro

; uint64_t bench_batch_int80_sysret(uint64_t calls /* rdi */, uint64_t nr /* rsi */)
global bench_batch_int80_sysret
bench_batch_int80_sysret:
    BATCH_PROLOGUE
    mov r12, rdi
    shr r12, 3                          ; eight calls per iteration
    mov rbx, rsi                        ; nr
    xor r14d, r14d
    START_STAMP
.loop:
%rep 8
    INT80_AS_SYSCALL
%endrep
    dec r12
    jnz .loop
    END_STAMP
    BATCH_EPILOGUE
