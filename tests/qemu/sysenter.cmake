# SPDX-License-Identifier: MIT
# The `sysenter`/`sysexitq` entry (src/syscall/sysenter_entry.asm; docs/testing.md, "The
# sysenter entry"): programmed and used on Intel models, refused on AMD ones, each by the vendor's
# rule (Intel SDM Vol. 2B "SYSENTER": enters 64-bit mode at IA32_SYSENTER_EIP; AMD APM Vol. 3
# "SYSENTER": #UD in long mode). QEMU 7.2's TCG follows the vendor of the model: Skylake-Client is
# GenuineIntel, `max` and `qemu64` are AuthenticAMD. Verdicts from kernel lines and the exit code
# only; the selftest's own lines are data.

# Kernel lines: a program exited with the status `sysenter` carried (crash:sysenter: exit(61)
# made through `sysenter` itself), or was stopped by the #UD an AMD CPU raises.
set(sysenter_crash_exited_61 [=[^\[proc\] 'crash' \(pid [0-9]+\) exited with status 61$]=])
set(sysenter_crash_ud [=[^\[fault\] program 'crash' \(pid [0-9]+\) stopped: vector 6, #UD invalid opcode$]=])

# ---- Intel: every CPU programs and reads back the three MSRs; the selftest's whole suite ----
# ---- passes through `sysenter`, a user TF steps the stub up to its popfq, and nothing else  ----
# SYSENTER_ESP differs per CPU (the bottom of its own #DF stack: syscall_msr.c); SYSENTER_EIP is
# the stub in the kernel's half. 33 absorbed steps: the two TF checks (sysexitq and iretq exits)
# each step the 16 instructions from sysenter_entry to the jmp after the flags popfq (14, and
# with mitigations=off the `jmp short` of the entry's swapgs-fence and CR3-switch sites), and
# the call gate's selftest absorbs one at callgate_entry (a far call through a gate keeps TF).
lstar_boot_test(sysenter_is_programmed_and_used_on_intel
  --cpu Skylake-Client
  --smp 2
  --cmdline "run=selftest:sysenter=exit:compat-syscall=dispatched ktest=off"
  --expect [=[^\[msr\] cpu0 SYSENTER_CS=0x0000000000000010$]=]
  --expect [=[^\[msr\] cpu0 SYSENTER_ESP=0xffffffff8[0-9a-f]{7}$]=]
  --expect [=[^\[msr\] cpu0 SYSENTER_EIP=0xffffffff8[0-9a-f]{7}$]=]
  --expect [=[^\[msr\] cpu1 SYSENTER_CS=0x0000000000000010$]=]
  --expect [=[^\[msr\] cpu0 self-check: 10 passed, 0 failed$]=]
  --expect [=[^\[msr\] cpu1 self-check: 10 passed, 0 failed$]=]
  --reject [=[SYSENTER_CS, _ESP, _EIP left alone]=]
  --expect ${sysenter_crash_exited_61}
  --expect [=[^\[db\] cpu0: a single step landed in the sysenter entry window at RIP=[0-9a-f]{16} sysenter_entry\+0x0 with RSP=[0-9a-f]{16}: absorbed on the #DB IST stack, TF kept until the stub's popfq]=]
  --expect [=[^\[db\] cpu0 total: 33 single step\(s\) absorbed in entry windows$]=]
  --expect [=[^selftest\[[0-9]+\]: \[selftest\] PASS tf_before_entry_with_iret_exit_gives_exactly_one_user_trap_sysenter$]=]
  --reject ${kernel_panic}
  ${selftest_passes})

# ---- AMD: nothing programmed, one kernel line says why, and `sysenter` is #UD ----
lstar_boot_test(sysenter_is_refused_on_amd
  --cpu max
  --cmdline "run=selftest:sysenter=ud:compat-syscall=dispatched ktest=off"
  --expect [=[^\[msr\] SYSENTER_CS, _ESP, _EIP left alone: sysenter is #UD in long mode on AuthenticAMD \(AMD APM Vol\. 3 "SYSENTER"\)$]=]
  --reject [=[^\[msr\] cpu[0-9] SYSENTER_]=]
  --expect [=[^\[msr\] cpu0 self-check: 7 passed, 0 failed$]=]
  --expect ${sysenter_crash_ud}
  --reject ${sysenter_crash_exited_61}
  --reject ${kernel_panic}
  ${selftest_passes})

# qemu64: the other AuthenticAMD model, without SMEP/SMAP. The same refusal.
lstar_boot_test(sysenter_is_refused_on_qemu64
  --cpu qemu64
  --cmdline "run=crash:sysenter ktest=off"
  --expect-exit 35
  --expect [=[^\[msr\] SYSENTER_CS, _ESP, _EIP left alone: sysenter is #UD in long mode on AuthenticAMD]=]
  --expect ${sysenter_crash_ud}
  --reject ${kernel_panic})

# ---- the tracer names the entry a call came through ----
# crash:sysenter exits 61, so init reports one failed program (exit 35).
lstar_boot_test(sysenter_calls_are_traced_as_sysenter
  --cpu Skylake-Client
  --cmdline "run=crash:sysenter trace=crash ktest=off"
  --expect-exit 35
  --expect [=[^\[trace\] crash\[[0-9]+\] cpu0 sysenter exit\(61\) = \?$]=]
  --expect ${sysenter_crash_exited_61}
  --reject ${kernel_panic})

# ---- the benchmark's sysenter rows, held to exact instruction counts ----
# Under -icount shift=0 rdtsc counts guest instructions, so a median is an exact count per call
# (loop overhead of 0.25 included). sysenter_empty: the five user instructions of the call
# (mov rax; mov rdx; mov rcx, rsp; lea r11; sysenter) and the stub's three (mov rdx, r11; sti;
# sysexitq) = 8. sysenter_null: those five and the real stub's entry, dispatch, handler and
# exit checks, and (mitigations=off, this boot) the four protection sites of this one-copy path
# as one `jmp short` each (swapgs fence and CR3 switch in, VERW and CR3 switch out): 48.25
# before them, 52.25 with them. On `max` (AuthenticAMD) both rows are skipped with a line that says why, and the
# run still completes.
add_test(NAME sysenter_bench_rows_cost_exact_instruction_counts
  COMMAND bash -c [=[
    set -euo pipefail
    qemu_run=$1 iso=$2 log=$3 check=$4
    mkdir -p "$(dirname "$log")"
    "$qemu_run" --iso "$iso" --cpu Skylake-Client --icount --cmdline "run=bench:quick ktest=off" --timeout 300 --log "$log"
    "$check" "$log" "sysenter_empty=8.25" "sysenter_null=52.25"
  ]=] sysenter_bench_rows
    ${qemu_run} ${iso} ${logs}/sysenter_bench_rows_cost_exact_instruction_counts.log ${check_budget})
set_tests_properties(sysenter_bench_rows_cost_exact_instruction_counts PROPERTIES LABELS qemu TIMEOUT 330)
lstar_boot_test(sysenter_bench_rows_are_skipped_on_amd
  --cpu max
  --cmdline "run=bench:quick ktest=off"
  --expect [=[^bench\[[0-9]+\]: \[bench\] skip path=sysenter_null: CPU vendor AuthenticAMD has no sysenter in 64-bit mode$]=]
  --expect [=[^\[proc\] 'bench' \(pid [0-9]+\) exited with status 0$]=]
  --reject ${kernel_panic})

# ---- a return address ring 3 chose badly ends only that program ----
# R11 = 0x0000800000000000: the exit must not hand it to SYSEXIT (#GP in ring 0, on the user's
# GS); its iretq returns there (QEMU 7.2's IRETQ does not check RIP either) and the fetch is a
# ring-3 #GP at that address. The kernel reports it and goes on: init exits 1 for the one program.
lstar_boot_test(sysenter_to_a_noncanonical_rip_ends_only_the_program
  --cpu Skylake-Client
  --cmdline "run=crash:sysenter-bad-rip,crash:sysenter ktest=off"
  --expect-exit 35
  --expect [=[^\[fault\] program 'crash' \(pid [0-9]+\) stopped: vector 13, #GP general protection$]=]
  --expect [=[^\[fault\]   RIP=0000800000000000 CS=0033 ]=]
  --expect ${sysenter_crash_exited_61}
  --reject ${kernel_panic})

# ---- sysenter from compatibility mode ----
# Intel, under the default sysenter ABI (SYSENTER_ABI_64): SYSENTER from compatibility mode
# enters 64-bit mode at the same stub, which takes every caller as a 64-bit one and returns to
# R11 in 64-bit mode (docs/abi.md): crash:compat-sysenter sets R11 before its far jump, makes
# getpid there and must come back with its pid (exit 0). A process that chose SYSENTER_ABI_32
# enters sysenter32_entry instead and comes back in compatibility mode: sysenter32.cmake.
lstar_boot_test(sysenter_from_compatibility_mode_returns_to_64_bit_mode_on_intel
  --cpu Skylake-Client
  --cmdline "run=crash:compat-sysenter ktest=off"
  --expect [=[^\[proc\] 'crash' \(pid [0-9]+\) exited with status 0$]=]
  --reject ${kernel_panic})
# AMD's rule is #UD for SYSENTER anywhere in long mode (AMD APM Vol. 3 "SYSENTER"); QEMU 7.2
# raises #UD on its AMD models only in 64-bit mode, and in compatibility mode goes on to the
# SYSENTER_CS check, which is 0 there: #GP. A departure, measured, so stated here.
lstar_boot_test(sysenter_from_compatibility_mode_is_refused_on_amd
  --cpu max
  --cmdline "run=crash:compat-sysenter ktest=off"
  --expect-exit 35
  --expect [=[^\[fault\] program 'crash' \(pid [0-9]+\) stopped: vector 13, #GP general protection$]=]
  --reject ${kernel_panic})

# ---- the whole selftest through the slow path, sysenter included ----
# trace=selftest sends every call to syscall_slow_path; the sysenter checks (registers, flags,
# TF, the exit checks) must hold there too, with each call printed under its entry's name.
lstar_boot_test(sysenter_selftest_passes_traced_on_intel
  --cpu Skylake-Client
  --cmdline "run=selftest:sysenter=exit:compat-syscall=dispatched trace=selftest ktest=off"
  --expect [=[^\[trace\] selftest\[[0-9]+\] cpu0 sysenter getpid\(\) = [0-9]+$]=]
  --expect [=[^\[trace\] selftest\[[0-9]+\] cpu0 sysenter null_via_iret\(\) = 0$]=]
  --reject ${kernel_panic}
  ${selftest_passes})
