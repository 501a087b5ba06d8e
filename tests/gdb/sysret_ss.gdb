# SPDX-License-Identifier: MIT
# SS at the sysretq that follows an interrupt-gate entry from ring 3. Such a gate loads a null
# SS (SDM Vol. 3A, section "Stack Switching in IA-32e Mode" [6.14.4]); AMD's SYSRET then writes SS's selector but keeps those attributes
# (APM Vol. 3 "SYSRET"), so the kernel must hold its real data selector, 0x18, when it executes
# sysretq. QEMU models SYSRET as Intel does and cannot show that failure; GDB can read SS.
# Three ways there, each checked once, in the order the run reaches them:
#   1. a parent's spawn returning after its child was stopped by a fault,
#   2. an int 0x80 whose RCX already holds its return RIP (the shared exit leaves by sysretq),
#   3. a parent's spawn returning after its child was stopped by its time limit.
# Run by tests/gdb/gdb-test.sh with "run=selftest,crash:spin,crash:exit-0". Only rare places
# get a breakpoint: every breakpoint hit costs a round trip to GDB, and the selftest makes
# tens of thousands of calls.
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

# ---- 1. a child stopped by a fault: its parent's spawn returns next ----
hbreak process_kill_after_fault
continue
delete
hbreak syscall_return
continue
delete
check ($ss==0x18) ss_is_kernel_data_when_spawn_returns_after_a_child_faulted
set $f = (struct syscall_frame *)$rsp
check ($f->cs==0x33) the_parent_returns_to_ring_3

# ---- 2. int 0x80 with RCX == its return RIP: selftest's registers_survive_the_sysret_exit ----
hbreak int80_entry if (*(long*)($rsp+8)&3)==3&&*(long*)$rsp==$rcx
continue
delete
set $int80_return = *(long*)$rsp
hbreak syscall_sysret
continue
delete
check ($rcx==$int80_return) int80_with_rcx_equal_to_rip_leaves_by_sysretq
check ($ss==0x18) ss_is_kernel_data_at_sysretq_after_int80

# ---- 3. a child stopped by its time limit ----
# The limit is set from here, for `crash spin` alone, so that no other program is held to it.
# At process_spawn's first instruction its second argument, the child's argument string, is in RSI.
hbreak *process_spawn if ((char*)$rsi)[0]=='s'&&((char*)$rsi)[1]=='p'&&((char*)$rsi)[2]=='i'&&((char*)$rsi)[3]=='n'&&((char*)$rsi)[4]==0
continue
delete
set var 'process.c'::limit_ticks = 100
hbreak process_user_tick if percpu_areas[0].current->user_ticks+1>'process.c'::limit_ticks
continue
delete
hbreak syscall_return
continue
delete
check ($ss==0x18) ss_is_kernel_data_when_spawn_returns_after_a_child_ran_out_of_time
hbreak syscall_sysret
continue
delete
check ($ss==0x18) ss_is_kernel_data_at_that_sysretq

# ---- let the run finish ----
detach
quit
