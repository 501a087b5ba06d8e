# SPDX-License-Identifier: MIT
# CR0, CR4 and EFER are written whole (src/arch/x86_64/control_regs.c): CR4.FSGSBASE and CR4.PCE,
# set from GDB at kmain as a loader could leave them, are gone by the time ring 3 runs. Single
# CPU, so the two programs are pids 2 and 3 (init is 1) and each fault line names its program:
# crash:wrgsbase must be #UD, crash:rdpmc #GP (QEMU's TCG gives #UD for rdpmc with PCE = 1).
lstar_gdb_test(cr4_bits_a_loader_left_are_cleared_before_ring3_runs control_regs_left_set.gdb
  "run=crash:wrgsbase,crash:rdpmc"
  --cpu max
  --expect-exit 35
  --expect [=[^\[ktest\] PASS every_cpu_runs_with_the_exact_cr0_cr4_and_efer$]=]
  --expect [=[^\[fault\] program 'crash' \(pid 2\) stopped: vector 6, #UD invalid opcode$]=]
  --expect [=[^\[fault\] program 'crash' \(pid 3\) stopped: vector 13, #GP general protection$]=]
  --reject [=[^\[panic\]]=])
