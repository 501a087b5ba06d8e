# SPDX-License-Identifier: MIT
# Page-table isolation under GDB (mitigations=pti): CR3 at both entries and both exits, before and after
# each switch, and in the handler; then the call gate, compatibility mode's int 0x80 and CSTAR.
# With PTI on the hardened copy of lstar_entry.asm is installed (mitigations.c), so the stops
# are its labels, the ones ending in _hardened. Run by tests/gdb/gdb-test.sh (tests/qemu/pti.cmake) against a
# QEMU paused at reset. Each check prints "[gdb] PASS name" or "[gdb] FAIL name: ...".
#
# What CR3 must hold (src/arch/x86_64/pti.h, SDM Vol. 3A "4-Level Paging and 5-Level Paging" and
# "Process-Context Identifiers (PCIDs)"): in ring 3 and up to each entry's switch, the user PML4
# (bit 12 set) with the user PCID; from the switch on, the kernel PML4 (bit 12 clear) with the
# kernel PCID; CR3 reads never show bit 63. The expected values are this CPU's own
# pti_user_cr3/pti_kernel_cr3 (percpu.h), which process_install wrote: without PCIDs (QEMU's TCG
# offers none) their low 12 bits are 0; with PCIDs bit 11 marks the user one.
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

set $noflush = 0x8000000000000000
set $bit12 = 0x1000
set $bit11 = 0x800
# CR4.PCIDE (bit 17): whether CR3[11:0] hold a PCID (read from the CPU: pti.c's variables are not
# mapped in the user tables GDB reads memory through at the entry).

# ---- the `syscall` entry: user tables at the first instruction ----
hbreak lstar_entry_hardened
continue
delete
set $user_cr3 = percpu_areas[0].pti_user_cr3 & ~$noflush
set $kernel_cr3 = percpu_areas[0].pti_kernel_cr3 & ~$noflush
check (($cr3&$bit12)!=0) syscall_entry_runs_on_the_user_pml4
check ($cr3==$user_cr3) syscall_entry_cr3_is_this_processs_user_cr3
check (($kernel_cr3|$bit12|($kernel_cr3&0xfff?$bit11:0))==$user_cr3) user_cr3_is_the_kernel_cr3_plus_bit_12_and_the_user_pcid
check (($cr3&0xfff)==(($cr4&0x20000)!=0?($kernel_cr3&0x7ff)|$bit11:0)) syscall_entry_pcid_is_the_user_pcid
check ((($kernel_cr3&0xfff)!=0)==(($cr4&0x20000)!=0)) kernel_cr3_carries_a_pcid_exactly_with_pcids


# ---- an NMI at lstar_entry (ring 0 on the user's tables): the paranoid entry finds the user
# CR3, switches to its kernel twin before anything outside the entry set runs, and restores it
# on the way out (pti.inc, PTI_PARANOID_ENTER/_EXIT) ----
set $b = (long)$pc
hbreak trap_stub_2
monitor nmi
continue
delete
check ((long)$pc==(long)&trap_stub_2&&$cr3==$user_cr3) nmi_in_the_entry_arrives_on_the_user_pml4
hbreak trap_paranoid.have_kernel_gs
continue
delete
check ($cr3==$kernel_cr3) paranoid_entry_switched_to_the_kernel_pml4
check ($r12==$user_cr3) paranoid_entry_kept_the_cr3_it_found_in_r12
# Without the switch the handler could not run (its text is not in the user tables) and the
# kernel would loop on page faults: put the kernel's tables in by hand so that the run ends.
if ($cr3&$bit12)!=0
  set $cr3 = $kernel_cr3
end
hbreak nmi_handle
continue
delete
check ($cr3==$kernel_cr3) paranoid_handler_runs_on_the_kernel_pml4
hbreak trap_paranoid_iretq
continue
delete
check ($cr3==$user_cr3) paranoid_exit_restores_the_users_cr3
hbreak *$b
continue
delete
check ((long)$pc==$b&&$cr3==$user_cr3) nmi_returns_to_lstar_entry_on_the_user_pml4

# ---- after its switch: the kernel tables before the kernel stack is loaded ----
hbreak lstar_entry_safe_stack_hardened
continue
delete
check (($cr3&$bit12)==0) syscall_entry_switched_to_the_kernel_pml4
check ($cr3==$kernel_cr3) syscall_entry_cr3_is_this_processs_kernel_cr3
check (($cr3&$bit11)==0) syscall_entry_pcid_is_the_kernel_pcid

# ---- an NMI there (ring 0, the kernel's tables): the paranoid entry leaves CR3 alone ----
set $b = (long)$pc
hbreak trap_paranoid.have_kernel_gs
monitor nmi
continue
delete
check ($cr3==$kernel_cr3&&($r12&$bit12)==0) paranoid_entry_keeps_the_kernel_pml4_it_found
hbreak trap_paranoid_iretq
continue
delete
check ($cr3==$kernel_cr3) paranoid_exit_leaves_the_kernel_pml4
hbreak *$b
continue
delete

# ---- in the handler ----
hbreak syscall_dispatch_hardened
continue
delete
check ($cr3==$kernel_cr3) syscall_handler_runs_on_the_kernel_pml4

# ---- the sysretq exit: kernel tables before its switch, user tables at sysretq ----
hbreak syscall_exit_user_stack_hardened
continue
delete
check ($cr3==$kernel_cr3) sysret_exit_is_on_the_kernel_pml4_before_its_switch
hbreak syscall_sysret_hardened
continue
delete
check ($cr3==$user_cr3) sysretq_runs_on_the_user_pml4
check (($cr3&$bit12)!=0) sysretq_cr3_has_bit_12

# ---- the int 0x80 gate: user tables, the frame on the entry stack ----
hbreak int80_entry_hardened
continue
delete
# Another process may make the first int 0x80 (selftest, not init): its own CR3 values.
set $user_cr3 = percpu_areas[0].pti_user_cr3 & ~$noflush
set $kernel_cr3 = percpu_areas[0].pti_kernel_cr3 & ~$noflush
check ($cr3==$user_cr3) int80_entry_runs_on_the_user_pml4
check ((long)$rsp==percpu_areas[0].pti_entry_rsp-40) int80_frame_is_on_the_entry_stack
set $int80_rip = *(long*)$rsp
hbreak int80_entry_hardened.kernel_gs
continue
delete
check ($cr3==$kernel_cr3) int80_entry_switched_to_the_kernel_pml4
check ((long)$rsp==percpu_areas[0].kernel_rsp-40) int80_frame_moved_to_the_kernel_stack
check (*(long*)$rsp==$int80_rip&&*(long*)((long)$rsp+8)==0x33&&*(long*)((long)$rsp+32)==0x2b) int80_moved_frame_is_identical

# ---- its iretq exit: kernel tables before the switch, user tables and the entry stack at iretq ----
hbreak syscall_exit_iret_hardened
continue
delete
check ($cr3==$kernel_cr3) iret_exit_is_on_the_kernel_pml4_before_its_switch
hbreak syscall_iretq_hardened
continue
delete
check ($cr3==$user_cr3) iretq_runs_on_the_user_pml4
check ((long)$rsp==percpu_areas[0].pti_entry_rsp-40) iretq_frame_is_on_the_entry_stack
check (*(long*)$rsp==$int80_rip) iretq_returns_after_the_int

# ---- the call gate: the far call's four words, and the stub's pushfq, on the entry stack ----
hbreak callgate_entry
continue
delete
set $user_cr3 = percpu_areas[0].pti_user_cr3 & ~$noflush
set $kernel_cr3 = percpu_areas[0].pti_kernel_cr3 & ~$noflush
check ($cr3==$user_cr3) callgate_entry_runs_on_the_user_pml4
check ((long)$rsp==percpu_areas[0].pti_entry_rsp-32) callgate_frame_is_on_the_entry_stack
set $cg_rip = *(long*)$rsp
hbreak callgate_entry_kernel_tables
continue
delete
check ($cr3==$kernel_cr3) callgate_entry_switched_to_the_kernel_pml4
check ((long)$rsp==percpu_areas[0].kernel_rsp-40&&*(long*)((long)$rsp+8)==$cg_rip) callgate_words_moved_to_the_kernel_stack
hbreak callgate_exit_user_cr3
continue
delete
check ($cr3==$kernel_cr3) lret_exit_is_on_the_kernel_pml4_before_its_switch
hbreak callgate_lretq
continue
delete
check ($cr3==$user_cr3) lretq_runs_on_the_user_pml4
check ((long)$rsp==percpu_areas[0].pti_entry_rsp-32&&*(long*)$rsp==$cg_rip) lretq_frame_is_on_the_entry_stack

# ---- compatibility mode's int 0x80: the hardened gate's switch, then the hardened exit's ----
hbreak int80_compat_hardened
continue
delete
check ($cr3==$kernel_cr3) compat_int80_runs_on_the_kernel_pml4
hbreak syscall_iretq_hardened
continue
delete
check ($cr3==$user_cr3&&*(long*)((long)$rsp+8)==0x23) compat_int80_leaves_by_the_hardened_iretq_on_the_user_pml4

# ---- compatibility-mode syscall (CSTAR; this QEMU model reaches it) ----
hbreak cstar_entry
continue
delete
check ($cr3==$user_cr3) cstar_entry_runs_on_the_user_pml4
hbreak cstar_entry_safe_stack
continue
delete
check ($cr3==$kernel_cr3) cstar_entry_switched_to_the_kernel_pml4
hbreak cstar_sysret
continue
delete
check ($cr3==$user_cr3) cstar_sysret_runs_on_the_user_pml4

# ---- let the run finish ----
detach
quit
