# SPDX-License-Identifier: MIT
# The call gate, instruction by instruction at its edges, then its exit's checks forced one by one.
# Five programs crash:callgate each make one getpid through the gate (usr/crash/crash.c).
#   1. what the far call left (SDM Vol. 3A "Calling Procedures Using a Call Gate": RSP from
#      TSS.RSP0, a null SS, the caller's SS, RSP, CS, RIP pushed, no flag changed), the frame the
#      handler sees (struct syscall_frame), what lretq pops, and ring 3 after it: RIP, RSP, RCX,
#      R11 and RFLAGS as they were;
#   2-5. at callgate_return GDB changes the frame as a handler could: TF set in RFLAGS, RIP =
#      USER_CEILING, CS = 0x2b (a data segment), SS = 0. lretq cannot restore TF, and would take the others' faults in
#      ring 0 after its swapgs; each must leave by the shared iretq exit instead, which restores
#      TF (the program takes one step trap and exits 0), or meets the bad frame where trap_common
#      knows it (the program is stopped, the kernel goes on).
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

# ---- 1. the first program's call ----
hbreak *callgate_entry if (*(long*)($rsp+8)&3)==3
continue
delete
set $top = (long)percpu_areas[0].tss.rsp[0]
check ((long)$rsp==$top-32&&$cs==0x10) the_gate_switched_to_tss_rsp0_and_pushed_four_words
set $u_rip = *(long*)$rsp
set $u_rsp = *(long*)($rsp+16)
check (*(long*)($rsp+8)==0x33&&*(long*)($rsp+24)==0x2b) the_gate_pushed_the_users_cs_and_ss
check (($ss&0xfffc)==0) the_gate_loaded_a_null_ss
check (($eflags&0x200)!=0&&$gs_base==0) the_gate_left_if_set_and_the_users_gs
set $u_flags = $eflags&0xffffffff
set $u_rcx = $rcx
set $u_r11 = $r11
hbreak sys_getpid
continue
delete
set $f = (unsigned long *)($top-48)
check ($f[0]==$u_rcx&&$f[1]==$u_rip&&$f[2]==0x33&&$f[3]==$u_flags&&$f[4]==$u_rsp&&$f[5]==0x2b) the_handler_sees_the_frame_of_every_entry
check (($eflags&0x200)==0&&$gs_base==(long)&percpu_areas[0]) the_handler_runs_with_if_clear_and_the_kernels_gs
hbreak *callgate_lretq
continue
delete
check (*(long*)$rsp==$u_rip&&*(long*)($rsp+8)==0x33&&*(long*)($rsp+16)==$u_rsp&&*(long*)($rsp+24)==0x2b) lretq_pops_what_the_gate_pushed
check ($gs_base==0&&($eflags&0x200)!=0&&($eflags&0x100)==0) lretq_runs_with_the_users_gs_and_if_set_by_sti
stepi
check ($cs==0x33&&$ss==0x2b&&(long)$pc==$u_rip&&(long)$rsp==$u_rsp&&$rcx==$u_rcx&&$r11==$u_r11&&($eflags&0xffffffff)==$u_flags) back_in_ring_3_with_rip_rsp_rcx_r11_and_rflags

# force FIELD VALUE: at the next call's callgate_return, sets frame word FIELD (struct
# syscall_frame: 1 RIP, 2 CS, 3 RFLAGS, 5 SS) to VALUE; $to_iret = the exit then went to
# callgate_exit_iret before any lretq.
define force
  hbreak *callgate_return
  continue
  delete
  set $f = (unsigned long *)$rsp
  set $f[$arg0] = $arg1
  hbreak *callgate_exit_iret
  hbreak *callgate_lretq
  continue
  delete
  set $to_iret = (long)$pc==(long)&callgate_exit_iret
end

# ---- 2. TF in the frame's RFLAGS ----
hbreak *callgate_return
continue
delete
set $f = (unsigned long *)$rsp
set $f[3] = $f[3] | 0x100
hbreak *callgate_exit_iret
hbreak *callgate_lretq
continue
delete
check ((long)$pc==(long)&callgate_exit_iret) a_frame_with_tf_leaves_by_iretq

# ---- 3. RIP = USER_CEILING ----
force 1 0x00007ffffffff000
check $to_iret a_frame_rip_at_user_ceiling_leaves_by_iretq

# ---- 4. CS = GDT_USER_DS (0x2b, RPL 3 but a data segment: no far return or iretq accepts it) ----
force 2 0x2b
check $to_iret a_frame_with_a_data_selector_for_cs_leaves_by_iretq

# ---- 5. SS = 0 ----
force 5 0
check $to_iret a_frame_with_a_null_ss_leaves_by_iretq

detach
quit
