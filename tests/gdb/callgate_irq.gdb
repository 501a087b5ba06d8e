# SPDX-License-Identifier: MIT
# A maskable interrupt delivered before the first instruction of a call-gate target: the one
# boundary where the kernel runs in ring 0 with the user's GS and interrupts on. A call gate
# clears no flag (SDM Vol. 3A "Calling Procedures Using a Call Gate"), so IF is ring 3's (1)
# when callgate_entry's first instruction, its cli, is about to run; the interrupted CS is the
# kernel's (RPL 0), so trap_common's "from ring 3?" test says no. trap_common must recognise the
# saved RIP, swap GS itself, and resume the stub where it redoes the cli with the kernel's GS
# (src/syscall/callgate_entry.asm, "consequence 1"; src/arch/x86_64/trap_stubs.asm).
#
# GDB stops at callgate_entry on a far call from ring 3 (the selftest's first), checks CPL 0,
# IF = 1 and the user's GS there, and delivers IRQ 0 (vector 32, the PIT's) at that boundary as
# the CPU does for an interrupt gate from ring 0 in 64-bit mode (SDM Vol. 3A "64-Bit Mode Stack
# Frame": RSP aligned to 16, then SS, RSP, RFLAGS, CS, RIP pushed; IF, TF, NT, RF cleared; RIP
# from the gate): the frame below the gate's, RIP = trap_stub_32. QEMU has no command that
# raises an IRQ at an instruction GDB chooses, and its gdbstub steps with interrupts masked, so
# the frame is built here, exactly as the hardware would build it. Then the handler must run
# with the kernel's GS, the stub go on with interrupts off, and the call leave by lretq with the
# user's GS. The same for the benchmark's empty stub (bench's callgate_empty row).
# Run by tests/gdb/gdb-test.sh; each check prints "[gdb] PASS name" or "[gdb] FAIL name".
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

# deliver_irq0: the CPU's delivery of vector 32 through its interrupt gate (no IST, CPL 0 to 0:
# no stack switch) at the current instruction.
define deliver_irq0
  set $gate_rsp = (long)$rsp
  set $r = $gate_rsp & ~15
  set $f = (unsigned long *)($r-40)
  set $f[0] = (long)$pc
  set $f[1] = $cs&0xffff
  set $f[2] = $eflags&0xffffffff
  set $f[3] = $gate_rsp
  set $f[4] = $ss&0xffff
  set $rsp = $r-40
  set $eflags = $eflags & ~0x14300
  set $pc = (long)&trap_stub_32
end

set $kgs = (long)&percpu_areas[0]

# ---- 1. the real entry: the selftest's first far call through the gate ----
hbreak *callgate_entry if (*(long*)($rsp+8)&3)==3
continue
delete
check ($cs==0x10&&$gs_base==0&&$k_gs_base==$kgs) entry_stops_in_ring_0_with_the_users_gs
check (($eflags&0x200)!=0) the_gate_left_interrupts_on
set $user_rip = *(long*)$rsp
deliver_irq0
hbreak trap_dispatch
continue
delete
set $tfp = (struct trap_frame *)$rdi
check ($gs_base==$kgs&&$k_gs_base==0) entry_irq_handler_runs_with_the_kernels_gs
check ($tfp->vector==32&&$tfp->cs==0x10) entry_irq_frame_is_vector_32_from_ring_0
check ($tfp->rip==(long)&callgate_irq_resume) entry_irq_resumes_at_callgate_irq_resume
hbreak *callgate_irq_resume
continue
delete
check ($gs_base==$kgs&&($eflags&0x200)!=0&&(long)$rsp==$gate_rsp) entry_resume_has_the_kernels_gs_and_the_gates_frame
hbreak *callgate_entry_kernel_gs
continue
delete
check (($eflags&0x200)==0&&$gs_base==$kgs) entry_resume_runs_on_with_interrupts_off
hbreak *callgate_lretq
continue
delete
check ($gs_base==0&&$k_gs_base==$kgs&&*(long*)$rsp==$user_rip&&*(long*)($rsp+8)==0x33) entry_leaves_by_lretq_with_the_users_gs_and_rip
stepi
check ($cs==0x33&&(long)$pc==$user_rip&&($eflags&0x200)!=0) entry_call_is_back_in_ring_3_with_interrupts_on

# ---- 2. the empty stub: the benchmark's callgate_empty row ----
hbreak *callgate_empty if (*(long*)($rsp+8)&3)==3
continue
delete
check ($cs==0x10&&$gs_base==0&&($eflags&0x200)!=0) empty_stops_in_ring_0_with_the_users_gs_and_if
set $user_rip = *(long*)$rsp
deliver_irq0
hbreak trap_dispatch
continue
delete
set $tfp = (struct trap_frame *)$rdi
check ($gs_base==$kgs&&$tfp->rip==(long)&callgate_empty_irq_resume) empty_irq_handler_has_the_kernels_gs_and_resumes_at_its_resume
hbreak *callgate_empty_lretq
continue
delete
check ($gs_base==0&&$k_gs_base==$kgs&&($eflags&0x200)!=0&&*(long*)$rsp==$user_rip) empty_leaves_by_lretq_with_the_users_gs
stepi
check ($cs==0x33&&(long)$pc==$user_rip) empty_call_is_back_in_ring_3

detach
quit
