# SPDX-License-Identifier: MIT
# The sysenter exit's checks (src/syscall/sysenter_entry.asm, sysenter_return; docs/abi.md
# "sysenter and sysexit"), each forced from GDB: a frame SYSEXIT cannot restore exactly must
# leave by iretq. SYSEXIT loads fixed CS and SS, RSP from RCX and RIP from RDX, and raises #GP in
# ring 0 for a non-canonical RCX or RDX (SDM Vol. 2B "SYSEXIT"), which QEMU 7.2 does not model;
# no ring-3 call gives the kernel a frame with foreign selectors or flags. So GDB makes each state
# at sysenter_return, watches which way out comes first, then puts the frame back as it was, and
# the program goes on through iretq, which restores what the frame says.
# One crash:sysenter-calls (eight getpid calls through `sysenter`, then exit 0) on an Intel model;
# each of its first seven calls gets one change:
#   1. CS = GDT_USER_CS32 (0x23)     2. SS = GDT_USER_DS (0x2b)       3. IF cleared
#   4. TF set                         5. RIP = 0x0000800000000000
#   6. RCX slot = RSP - 64: a user stack address unlike the frame's RSP, which the check that
#      RCX is below USER_CEILING lets through
#   7. RSP and the RCX slot = 0x0000800000000000 (equal, but not canonical)
# and the eighth none: it must leave by sysexitq. The program exits 0, the selftest-like check
# of its own results (getpid through sysenter equal to getpid through syscall) included.
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

# Stops at the next sysenter_return of a program called crash; $f is the frame.
define stop_at_the_next_sysenter_exit
  hbreak *sysenter_return if percpu_areas[0].current->name[0]=='c'
  continue
  delete
  set $f = (struct syscall_frame *)$rsp
end

# Runs the exit with a breakpoint on each of its two ways out: $left_by_iretq says which came first.
define take_the_sysenter_exit
  hbreak *sysenter_sysexit
  hbreak *sysenter_exit_iret
  continue
  delete
  set $left_by_iretq = $pc==(long)&sysenter_exit_iret
end

# 1. CS
stop_at_the_next_sysenter_exit
set $was = $f->cs
set $f->cs = 0x23
take_the_sysenter_exit
check $left_by_iretq a_frame_cs_other_than_sysexits_leaves_by_iretq
set $f->cs = $was

# 2. SS
stop_at_the_next_sysenter_exit
set $was = $f->ss
set $f->ss = 0x2b
take_the_sysenter_exit
check $left_by_iretq a_frame_ss_other_than_sysexits_leaves_by_iretq
set $f->ss = $was

# 3. IF clear: the sti before sysexitq would set it anyway
stop_at_the_next_sysenter_exit
set $was = $f->rflags
set $f->rflags = $was & ~0x200
take_the_sysenter_exit
check $left_by_iretq a_frame_without_if_leaves_by_iretq
set $f->rflags = $was

# 4. TF set: the popfq would set it in ring 0, before sysexitq
stop_at_the_next_sysenter_exit
set $was = $f->rflags
set $f->rflags = $was | 0x100
take_the_sysenter_exit
check $left_by_iretq a_frame_with_tf_leaves_by_iretq
set $f->rflags = $was

# 5. a non-canonical return RIP: SYSEXIT's #GP in ring 0
stop_at_the_next_sysenter_exit
set $was = $f->rip
set $f->rip = 0x0000800000000000
take_the_sysenter_exit
check $left_by_iretq a_noncanonical_return_rip_leaves_by_iretq
set $f->rip = $was
# the exit loaded RDX from the frame's RIP already: the ABI's RDX is the real return address
set $rdx = $was

# 6. the RCX slot unlike the frame's RSP: SYSEXIT would load RSP from RCX
stop_at_the_next_sysenter_exit
set $was = $f->rcx
set $f->rcx = $f->rsp - 64
take_the_sysenter_exit
check $left_by_iretq an_rcx_unlike_the_frames_rsp_leaves_by_iretq
# the exit popped the RCX word into RCX already: the caller's value again in both
set $f->rcx = $was
set $rcx = $was

# 7. RSP and RCX equal but non-canonical: SYSEXIT's #GP in ring 0
stop_at_the_next_sysenter_exit
set $was = $f->rsp
set $f->rsp = 0x0000800000000000
set $f->rcx = 0x0000800000000000
take_the_sysenter_exit
check $left_by_iretq a_noncanonical_rsp_leaves_by_iretq
set $f->rsp = $was
set $f->rcx = $was
set $rcx = $was

# 8. nothing changed: sysexitq
stop_at_the_next_sysenter_exit
take_the_sysenter_exit
check !$left_by_iretq an_unchanged_frame_leaves_by_sysexitq

detach
