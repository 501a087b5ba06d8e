# SPDX-License-Identifier: MIT
# What `sysenter`, the stub and `sysexitq` do to CS, SS, RSP, RIP, RFLAGS and GS, one getpid of
# crash:sysenter-calls at a time, on an Intel model (docs/msr.md "IA32_SYSENTER_CS, _ESP, _EIP";
# SDM Vol. 2B "SYSENTER", "SYSEXIT"):
#   - at the ring-3 `sysenter`: RCX = RSP and R11 = the next instruction (the ABI, docs/abi.md);
#   - after it: CS = IA32_SYSENTER_CS = 0x10, SS = + 8 = 0x18, RSP = IA32_SYSENTER_ESP (this CPU's
#     value, not the user's), RIP = sysenter_entry, IF cleared, GS base still the user's (0);
#   - after swapgs and the stack load: GS base = this CPU's area, RSP = its kernel_rsp;
#   - at the dispatch: the frame holds RCX, R11 as RIP, 0x33, the user's RFLAGS with IF, RCX as
#     RSP, 0x3b: what iretq would pop, SYSEXIT's selectors;
#   - at sysexitq: RDX = the return address, RCX = the user's RSP, GS base = 0, IF set by the sti;
#   - after it: CS = IA32_SYSENTER_CS + 32 | 3 = 0x33, SS = + 40 | 3 = 0x3b, RIP = RDX, RSP = RCX,
#     RAX = the pid, RFLAGS as before the call.
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

# The first sysenter of crash: stop at the stub, then find the ring-3 `sysenter` before it.
hbreak *sysenter_entry if percpu_areas[0].current->name[0]=='c'
continue
delete
set $user_sysenter = (long)$r11 - 2
set $c = *(unsigned short*)$user_sysenter==0x340f
check $c found_crashs_sysenter
# the next call from the same place, from its ring-3 instruction on
hbreak *$user_sysenter
continue
delete
set $u_rsp = (long)$rsp
set $u_flags = $eflags&0x3fffff
check ($cs==0x33&&$rcx==$u_rsp&&$r11==$user_sysenter+2) the_caller_passes_rsp_in_rcx_and_the_return_address_in_r11
stepi
check ((long)$pc==(long)&sysenter_entry&&$cs==0x10&&$ss==0x18) sysenter_loads_cs_and_ss_from_ia32_sysenter_cs
check ((long)$rsp==(long)percpu_areas[0].tss.ist[1]-16384) sysenter_loads_rsp_from_ia32_sysenter_esp_the_bottom_of_the_df_stack
check (($eflags&0x200)==0&&$gs_base==0&&$k_gs_base==(long)&percpu_areas[0]) sysenter_clears_if_and_leaves_gs_the_users
# swapgs, then (past the swapgs fence's and the CR3 switch's sites, patched jumps unless
# mitigations= turned them on) the stack load
stepi
hbreak *sysenter_entry_kernel_tables
continue
delete
stepi
check ($gs_base==(long)&percpu_areas[0]&&(long)$rsp==(long)percpu_areas[0].kernel_rsp) swapgs_and_the_stack_load_give_the_kernels_gs_and_stack
hbreak *sysenter_flags_fixed
continue
delete
set $f = (unsigned long *)$rsp
check ($f[0]==$u_rsp&&$f[1]==$user_sysenter+2&&$f[2]==0x33&&$f[3]==($u_flags|0x200)&&$f[4]==$u_rsp&&$f[5]==0x3b) the_frame_holds_rcx_rip_cs_rflags_rsp_ss_for_iretq_and_sysexit
hbreak *sysenter_sysexit
continue
delete
check ($rdx==$user_sysenter+2&&$rcx==$u_rsp&&$gs_base==0&&($eflags&0x200)) at_sysexitq_rdx_is_the_return_rcx_the_rsp_gs_the_users_and_if_set
set $pid = percpu_areas[0].current->pid
stepi
check ($cs==0x33&&$ss==0x3b&&(long)$pc==$user_sysenter+2&&(long)$rsp==$u_rsp) sysexitq_loads_cs_0x33_ss_0x3b_rip_from_rdx_rsp_from_rcx
check ($rax==$pid&&($eflags&0x3fffff)==$u_flags) the_call_returns_its_result_with_the_callers_flags
detach
