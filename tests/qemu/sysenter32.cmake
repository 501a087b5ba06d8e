# SPDX-License-Identifier: MIT
# `sysenter` from compatibility mode (src/syscall/sysenter_entry.asm, sysenter32_entry; docs/abi.md,
# "sysenter from compatibility mode"): a process chooses SYSENTER_ABI_32 with SYS_sysenter_abi,
# its CPU's SYSENTER_EIP follows it at every switch, and 32-bit code then enters with the i386
# registers, EDI = the return EIP and EBP = ESP, and comes back by a 32-bit sysexit. GenuineIntel
# only; on AMD's models the kernel refuses the ABI and the CPU refuses the instruction.
# Bochs runs the same programs on its own Intel and AMD models: tests/bochs/sysenter32.cmake.

# ---- Intel: the compatibility-mode checks of the selftest through sysenter ----
# Results, -ENOSYS, -EFAULT, the 32-bit registers exactly (ECX = ESP and EDX = EIP after, by
# either exit), the flags, upper halves ignored, the empty stub and the restore that gives back
# the process's ABI, children starting with the 64-bit ABI and the parent's back after them.
lstar_boot_test(compat_sysenter_selftest_checks_pass_on_intel
  --cpu Skylake-Client
  --cmdline "run=selftest:sysenter=exit:compat-syscall=dispatched ktest=off"
  --expect [=[^selftest\[[0-9]+\]: \[selftest\] PASS compat_sysenter_registers_survive_null$]=]
  --expect [=[^selftest\[[0-9]+\]: \[selftest\] PASS compat_sysenter_registers_survive_null_via_iret$]=]
  --expect [=[^selftest\[[0-9]+\]: \[selftest\] PASS compat_sysenter_arithmetic_flags_df_and_ac_survive$]=]
  --expect [=[^selftest\[[0-9]+\]: \[selftest\] PASS compat_sysenter_argument_upper_halves_are_ignored$]=]
  --expect [=[^selftest\[[0-9]+\]: \[selftest\] PASS compat_sysenter_real_entry_is_back_after_restore$]=]
  --expect [=[^selftest\[[0-9]+\]: \[selftest\] PASS compat_sysenter_parents_abi_is_back_after_its_children$]=]
  --expect [=[^selftest\[[0-9]+\]: \[selftest\] PASS sysenter_64_works_again_after_sysenter_abi_64$]=]
  --reject ${kernel_panic}
  ${selftest_passes})

# The same through the slow path (trace=): each call printed under the entry's own name.
lstar_boot_test(compat_sysenter_calls_are_traced_as_compat_sysenter
  --cpu Skylake-Client
  --cmdline "run=selftest:sysenter=exit:compat-syscall=dispatched trace=selftest ktest=off"
  --expect [=[^\[trace\] selftest\[[0-9]+\] cpu0 compat sysenter getpid\(\) = [0-9]+$]=]
  --expect [=[^\[trace\] selftest\[[0-9]+\] cpu0 compat sysenter null_via_iret\(\) = 0$]=]
  --reject ${kernel_panic}
  ${selftest_passes})

# ---- each sysenter ABI, from 32-bit code, in a program of its own ----
# SYSENTER_ABI_32: getpid comes back in compatibility mode with the pid (exit 0).
lstar_boot_test(compat_sysenter_with_the_32_bit_abi_returns_in_compatibility_mode_on_intel
  --cpu Skylake-Client
  --cmdline "run=crash:compat-sysenter32 ktest=off"
  --expect [=[^\[proc\] 'crash' \(pid [0-9]+\) exited with status 0$]=]
  --reject ${kernel_panic})
# SYSENTER_ABI_64 (the default) and the same call: sysenter_entry takes R11 (non-canonical) as the
# return RIP, the exit sends it to iretq and the program's #GP ends only it.
lstar_boot_test(compat_sysenter_with_the_64_bit_abi_faults_on_intel
  --cpu Skylake-Client
  --cmdline "run=crash:compat-sysenter64 ktest=off"
  --expect-exit 35
  --expect [=[^\[fault\] program 'crash' \(pid [0-9]+\) stopped: vector 13, #GP general protection$]=]
  --reject ${kernel_panic})

# TF set just before the 32-bit `sysenter`: the steps in ring 0 from sysenter32_entry to the
# stub's popfq are absorbed with TF kept (debug_trap.c), 18 of them (16, and with mitigations=off
# the `jmp short` of the entry's swapgs-fence and CR3-switch sites), and the program takes exactly
# one trap, after the return (crash:compat-sysenter32-tf exits 0 only then).
lstar_boot_test(compat_sysenter_with_tf_gives_exactly_one_user_trap_on_intel
  --cpu Skylake-Client
  --cmdline "run=crash:compat-sysenter32-tf ktest=off"
  --expect [=[^\[db\] cpu0: a single step landed in the compatibility-mode sysenter entry window at RIP=[0-9a-f]{16} sysenter32_entry\+0x0 with RSP=[0-9a-f]{16}: absorbed on the #DB IST stack, TF kept until the stub's popfq]=]
  --expect [=[^\[db\] cpu0 total: 18 single step\(s\) absorbed in entry windows$]=]
  --expect [=[^\[proc\] 'crash' \(pid [0-9]+\) exited with status 0$]=]
  --reject ${kernel_panic})

# ---- AMD: the ABI refused, and the instruction's fate ----
# The selftest checks the refusal (-EINVAL); crash:compat-sysenter32 then makes the call anyway:
# QEMU 7.2's AMD models raise #GP for SYSENTER in compatibility mode (SYSENTER_CS is 0 there;
# sysenter.cmake), where AMD's CPUs raise #UD.
lstar_boot_test(compat_sysenter_abi_is_refused_on_amd
  --cpu max
  --cmdline "run=selftest:sysenter=ud:compat-syscall=dispatched,crash:compat-sysenter32 ktest=off"
  --expect-exit 35
  --expect [=[^selftest\[[0-9]+\]: \[selftest\] PASS sysenter_abi_32_is_refused_without_sysenter$]=]
  --expect [=[^selftest\[[0-9]+\]: \[selftest\] PASS bench_entry_refuses_the_empty_compat_sysenter_stub_without_sysenter$]=]
  --expect [=[^\[proc\] 'selftest' \(pid [0-9]+\) exited with status 0$]=]
  --expect [=[^\[fault\] program 'crash' \(pid [0-9]+\) stopped: vector 13, #GP general protection$]=]
  --reject ${kernel_panic})

# ---- the benchmark rows ----
# Under -icount shift=0 the medians are guest instructions per call: the empty stub's floor and
# the whole null call, exact (docs/testing.md): with mitigations=off each `sysenter` path pays
# four `jmp short` over its protection sites (docs/hardening.md), the 64-bit rows as sysenter.cmake.
add_test(NAME compat_sysenter_bench_rows_cost_exact_instruction_counts
  COMMAND bash -c [=[
    set -euo pipefail
    qemu_run=$1 iso=$2 log=$3 check=$4
    mkdir -p "$(dirname "$log")"
    "$qemu_run" --iso "$iso" --cpu Skylake-Client --icount --cmdline "run=bench:quick ktest=off" --timeout 300 --log "$log"
    "$check" "$log" "compat_sysenter_empty=8.29" "compat_sysenter_null=62.29" "sysenter_empty=8.25" "sysenter_null=52.25"
  ]=] compat_sysenter_bench_rows
    ${qemu_run} ${iso} ${logs}/compat_sysenter_bench_rows_cost_exact_instruction_counts.log ${check_budget})
set_tests_properties(compat_sysenter_bench_rows_cost_exact_instruction_counts PROPERTIES LABELS qemu TIMEOUT 330)
lstar_boot_test(compat_sysenter_bench_rows_are_skipped_on_amd
  --cpu max
  --cmdline "run=bench:quick ktest=off"
  --expect [=[^bench\[[0-9]+\]: \[bench\] skip path=compat_sysenter_null: CPU vendor AuthenticAMD has no sysenter in compatibility mode$]=]
  --expect [=[^bench\[[0-9]+\]: \[bench\] skip path=compat_sysenter_empty: CPU vendor AuthenticAMD has no sysenter in compatibility mode$]=]
  --expect [=[^\[proc\] 'bench' \(pid [0-9]+\) exited with status 0$]=]
  --reject ${kernel_panic})
