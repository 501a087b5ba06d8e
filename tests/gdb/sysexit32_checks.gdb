# SPDX-License-Identifier: MIT
# The compatibility-mode sysenter exit's checks (src/syscall/sysenter_entry.asm, sysenter32_return;
# docs/abi.md "sysenter from compatibility mode"), each forced from GDB as sysexit_checks.gdb
# forces the 64-bit ones: a frame a 32-bit SYSEXIT cannot restore exactly must leave by iretq.
# 32-bit SYSEXIT loads CS = GDT_USER_CS32 and SS = GDT_USER_DS, EIP from EDX and ESP from ECX
# (SDM Vol. 2B "SYSEXIT"): nothing above 4 GiB, no flag. No ring-3 call gives the kernel such a
# frame, so GDB makes each state at sysenter32_return, watches which way out comes first, then
# puts the frame back as it was, and the program goes on through iretq.
# One crash:compat-sysenter32-calls (SYSENTER_ABI_32, then nine getpid calls through `sysenter`
# from compatibility mode, then exit 0) on an Intel model; each of its first seven calls gets one
# change:
#   1. CS = GDT_USER_CS (0x33)       2. SS = GDT_USER_DS_SYSEXIT (0x3b)     3. IF cleared
#   4. TF set                         5. RIP = 4 GiB (EDX cannot hold it)
#   6. RCX slot = RSP - 64: a user stack address unlike the frame's RSP
#   7. RSP and the RCX slot = 4 GiB (equal, but beyond ECX)
# the eighth none: it must leave by sysexit; the ninth enters with upper halves 0x5a5a5a5a in RDI
# and RBP, set by GDB at sysenter32_entry (compatibility mode leaves them undefined): the entry's
# zero-extension must give a frame with the 32-bit values, which leaves by sysexit. The program
# exits 0 only if every call came back in compatibility mode with its pid.
set architecture i386:x86-64
set pagination off
set confirm off

define check
  if $arg0
    echo [gdb] PASS $arg1\n
  else
    echo [gdb] FAIL $arg1\n
  end
end

# Stops at the next sysenter32_return of a program called crash; $f is the frame.
define stop_at_the_next_sysenter32_exit
  hbreak *sysenter32_return if percpu_areas[0].current->name[0]=='c'
  continue
  delete
  set $f = (struct syscall_frame *)$rsp
end

# Runs the exit with a breakpoint on each of its two ways out: $left_by_iretq says which came first.
define take_the_sysenter32_exit
  hbreak *sysenter32_sysexit
  hbreak *sysenter32_exit_iret
  continue
  delete
  set $left_by_iretq = $pc==(long)&sysenter32_exit_iret
end

# 1. CS: iretq would return to this 32-bit code in 64-bit mode
stop_at_the_next_sysenter32_exit
set $was = $f->cs
set $f->cs = 0x33
take_the_sysenter32_exit
check $left_by_iretq a_frame_cs_other_than_32_bit_sysexits_leaves_by_iretq
set $f->cs = $was

# 2. SS
stop_at_the_next_sysenter32_exit
set $was = $f->ss
set $f->ss = 0x3b
take_the_sysenter32_exit
check $left_by_iretq a_frame_ss_other_than_32_bit_sysexits_leaves_by_iretq
set $f->ss = $was

# 3. IF clear: the sti before sysexit would set it anyway
stop_at_the_next_sysenter32_exit
set $was = $f->rflags
set $f->rflags = $was & ~0x200
take_the_sysenter32_exit
check $left_by_iretq a_compat_frame_without_if_leaves_by_iretq
set $f->rflags = $was

# 4. TF set: the popfq would set it in ring 0, before sysexit
stop_at_the_next_sysenter32_exit
set $was = $f->rflags
set $f->rflags = $was | 0x100
take_the_sysenter32_exit
check $left_by_iretq a_compat_frame_with_tf_leaves_by_iretq
set $f->rflags = $was

# 5. a return RIP at 4 GiB: SYSEXIT would load only its low half, 0
stop_at_the_next_sysenter32_exit
set $was = $f->rip
set $f->rip = 0x100000000
take_the_sysenter32_exit
check $left_by_iretq a_return_rip_above_4_gib_leaves_by_iretq
set $f->rip = $was
# the exit loaded RDX from the frame's RIP already: the ABI's EDX is the real return address
set $rdx = $was

# 6. the RCX slot unlike the frame's RSP: SYSEXIT would load ESP from ECX
stop_at_the_next_sysenter32_exit
set $was = $f->rcx
set $f->rcx = $f->rsp - 64
take_the_sysenter32_exit
check $left_by_iretq a_compat_rcx_unlike_the_frames_rsp_leaves_by_iretq
set $f->rcx = $was
set $rcx = $was

# 7. RSP and RCX equal but at 4 GiB: SYSEXIT would load ESP = 0
stop_at_the_next_sysenter32_exit
set $was = $f->rsp
set $f->rsp = 0x100000000
set $f->rcx = 0x100000000
take_the_sysenter32_exit
check $left_by_iretq an_rsp_above_4_gib_leaves_by_iretq
set $f->rsp = $was
set $f->rcx = $was
set $rcx = $was

# 8. nothing changed: sysexit
stop_at_the_next_sysenter32_exit
take_the_sysenter32_exit
check !$left_by_iretq an_unchanged_compat_frame_leaves_by_sysexit

# 9. upper halves in the return EIP and ESP registers: zero-extended by the entry
hbreak *sysenter32_entry if percpu_areas[0].current->name[0]=='c'
continue
delete
set $eip_in = $rdi & 0xffffffff
set $esp_in = (long)$rbp & 0xffffffff
set $rdi = $rdi | 0x5a5a5a5a00000000
set $rbp = (long)$rbp | 0x5a5a5a5a00000000
stop_at_the_next_sysenter32_exit
check ($f->rip==$eip_in&&$f->rsp==$esp_in&&$f->rcx==$esp_in) the_entry_zero_extends_the_return_eip_and_esp
take_the_sysenter32_exit
check !$left_by_iretq a_call_with_upper_halves_in_edi_and_ebp_leaves_by_sysexit

detach
