# SPDX-License-Identifier: MIT
# ---- CR0, CR4 and EFER written whole on every CPU (docs/msr.md "Control registers written whole") ----
# Ring 3's wrgsbase (with a kernel address) is #UD and its rdpmc #GP: CR4.FSGSBASE and CR4.PCE are
# 0 on every model that has the instructions, not only where the firmware left them 0. The
# programs run on cpu1, which reached long mode through ap_trampoline.asm; ktest compares both
# CPUs' registers with the exact values. With cpu0 running nothing, cpu1's init is pid 1 and
# its two programs pids 2 and 3, so each fault line names its program.
# tests/gdb/control_regs.cmake sets both bits from GDB first, as a loader could.
lstar_boot_test(ring3_wrgsbase_is_ud_and_rdpmc_is_gp_on_every_cpu
  --cpu max
  --smp 2
  --cmdline "run=crash:wrgsbase@1,crash:rdpmc@1"
  --expect-exit 35
  --expect [=[^\[cpu\] cpu0 CR0=0x0000000080010033 CR4=0x0000000000300e60 EFER=0x0000000000000d01$]=]
  --expect [=[^\[cpu\] cpu1 CR0=0x0000000080010033 CR4=0x0000000000300e60 EFER=0x0000000000000d01$]=]
  --expect [=[^\[ktest\] PASS every_cpu_runs_with_the_exact_cr0_cr4_and_efer$]=]
  --expect [=[^\[cpu1\] \[fault\] program 'crash' \(pid 2\) stopped: vector 6, #UD invalid opcode$]=]
  --expect [=[^\[cpu1\] \[fault\] program 'crash' \(pid 3\) stopped: vector 13, #GP general protection$]=]
  --reject ${kernel_panic})
# An Intel model with FSGSBASE (Skylake-Client), without ktest: the same two faults on cpu0.
lstar_boot_test(ring3_wrgsbase_is_ud_and_rdpmc_is_gp_cpu_skylake
  --cpu Skylake-Client
  --cmdline "run=crash:wrgsbase,crash:rdpmc ktest=off"
  --expect-exit 35
  --expect [=[^\[fault\] program 'crash' \(pid 2\) stopped: vector 6, #UD invalid opcode$]=]
  --expect [=[^\[fault\] program 'crash' \(pid 3\) stopped: vector 13, #GP general protection$]=]
  --reject ${kernel_panic})
