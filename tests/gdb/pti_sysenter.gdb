# SPDX-License-Identifier: MIT
# Page-table isolation under GDB on the `sysenter` path (mitigations=pti, an Intel CPU model):
# CR3 at the entry's first instruction, after its switch, before the sysexitq exit's switch and
# at sysexitq, whose popfq read its flags word from the entry stack (pti.inc, PTI_SYSCALL_ENTER
# and PTI_SYSEXIT_EXIT). Run by tests/gdb/gdb-test.sh (tests/gdb/pti_sysenter.cmake). Each check
# prints "[gdb] PASS name" or "[gdb] FAIL name".
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

# ---- the entry: SYSENTER runs on the user's tables; the switch comes before the kernel stack ----
hbreak sysenter_entry
continue
delete
set $user_cr3 = percpu_areas[0].pti_user_cr3 & ~$noflush
set $kernel_cr3 = percpu_areas[0].pti_kernel_cr3 & ~$noflush
check ($cr3==$user_cr3) sysenter_entry_runs_on_the_user_pml4
hbreak sysenter_entry_kernel_tables
continue
delete
check ($cr3==$kernel_cr3) sysenter_entry_switched_to_the_kernel_pml4

# ---- the sysexitq exit: kernel tables before its switch, the user's at sysexitq ----
hbreak sysenter_exit_user_cr3
continue
delete
check ($cr3==$kernel_cr3) sysexit_exit_is_on_the_kernel_pml4_before_its_switch
hbreak sysenter_sysexit
continue
delete
check ($cr3==$user_cr3) sysexitq_runs_on_the_user_pml4
check ((long)$rsp==percpu_areas[0].pti_entry_rsp) sysexit_popfq_read_its_flags_from_the_entry_stack

detach
quit
