# SPDX-License-Identifier: MIT
# CR4 bits a loader could leave set do not survive cpu_init (src/arch/x86_64/control_regs.c;
# docs/msr.md "Control registers written whole"). Stopped at kmain, before cpu_init(0), GDB sets
# CR4.FSGSBASE (bit 16: ring 3 could choose its GS base with wrgsbase) and CR4.PCE (bit 8: ring 3
# could read the performance counters with rdpmc), as a careless loader might. QEMU's gdbstub
# writes cr4 as the CPU's own mov to CR4 would. Then:
#   1. both bits are clear once cpu_init(0) has run (checked at cpu_identify, the next call);
#   2. the boot's own expectations (tests/gdb/control_regs.cmake): ktest's exact comparison
#      passes, and ring 3's wrgsbase is #UD and its rdpmc #GP (crash:wrgsbase, crash:rdpmc).
# Run by tests/gdb/gdb-test.sh with "run=crash:wrgsbase,crash:rdpmc" on -cpu max, which has
# FSGSBASE.
set architecture i386:x86-64
set pagination off
set confirm off

# check EXPRESSION NAME: the expression must be written without spaces (GDB splits a user
# command's arguments at whitespace).
define check
  if $arg0
    echo [gdb] PASS $arg1\n
  else
    echo [gdb] FAIL $arg1\n
  end
end

set $fsgsbase = 1 << 16
set $pce = 1 << 8

# ---- 1. at kmain: the loader's CR4, with FSGSBASE and PCE added ----
hbreak kmain
continue
delete
set $cr4 = $cr4 | $fsgsbase | $pce
check (($cr4&($fsgsbase|$pce))==($fsgsbase|$pce)) gdb_set_cr4_fsgsbase_and_pce_at_kmain

# ---- 2. after cpu_init(0): the kernel wrote CR4 whole ----
hbreak cpu_identify
continue
delete
check (($cr4&$fsgsbase)==0) cpu_init_cleared_cr4_fsgsbase
check (($cr4&$pce)==0) cpu_init_cleared_cr4_pce

# ---- let the run finish: the programs' faults are the boot's expectations ----
detach
quit
