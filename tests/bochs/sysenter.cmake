# SPDX-License-Identifier: MIT
# The `sysenter` entry on Bochs 2.7 (docs/testing.md, "The sysenter entry"): a second model of
# both vendors, written apart from QEMU's TCG. Bochs models what QEMU 7.2 does not: SYSEXIT's
# #GP on a non-canonical RCX or RDX, and IRETQ's on a non-canonical RIP.

# corei7_skylake_x (GenuineIntel): the MSRs read back, crash:sysenter exits 61 through sysenter,
# the selftest's whole suite passes through it too. 35 absorbed single steps: Bochs also raises
# the trap after a `syscall` made with TF (one for each of the selftest's two TF checks; docs/
# testing.md, "Bochs"), and the two sysenter TF checks step 16 instructions each, as on QEMU
# (14, and with mitigations=off the `jmp short` of the entry's swapgs-fence and CR3-switch
# sites); and the call gate's selftest absorbs one at callgate_entry (a far call through a gate
# keeps TF).
lstar_bochs_test(bochs_sysenter_is_programmed_and_used_skylake corei7_skylake_x
  --cmdline "run=selftest:sysenter=exit:compat-syscall=ud ktest=off"
  --expect [=[^\[msr\] cpu0 SYSENTER_CS=0x0000000000000010$]=]
  --expect [=[^\[msr\] cpu0 SYSENTER_EIP=0xffffffff8[0-9a-f]{7}$]=]
  --expect [=[^\[msr\] cpu0 self-check: 10 passed, 0 failed$]=]
  --expect [=[^\[proc\] 'crash' \(pid [0-9]+\) exited with status 61$]=]
  --expect [=[^\[db\] cpu0 total: 35 single step\(s\) absorbed in entry windows$]=]
  ${bochs_selftest_passes})

# bochs_failing_run_test(NAME CPU CMDLINE REGEX...): a boot in which a program is meant to fail,
# so the kernel ends with "[boot] done: failure" and bochs-run.sh with exit 1; every REGEX must
# then match a line of the serial log, and no line may be a kernel panic.
function(bochs_failing_run_test name cpu cmdline)
  add_test(NAME ${name}
    COMMAND bash -c [=[
      run=$1 iso=$2 cpu=$3 cmdline=$4 log=$5
      shift 5
      status=0
      "$run" --iso "$iso" --cpu "$cpu" --cmdline "$cmdline" --timeout 120 --log "$log" || status=$?
      [ "$status" -eq 1 ] || { echo "FAIL: expected bochs-run.sh to exit 1, got $status"; exit 1; }
      grep -Eq '^\[boot\] done: failure$' "$log" || { echo "FAIL: no '[boot] done: failure' line"; exit 1; }
      ! grep -Eq '^\[panic\]' "$log" || { echo "FAIL: rejected line found: $(grep -Em1 '^\[panic\]' "$log")"; exit 1; }
      for regex in "$@"; do
        grep -Eq "$regex" "$log" || { echo "FAIL: expected line not found: $regex"; exit 1; }
      done
      echo "PASS: $# expected line(s) found, no panic"
    ]=] ${name} ${bochs_run} ${iso} ${cpu} ${cmdline} ${logs}/${name}.log ${ARGN})
  set_tests_properties(${name} PROPERTIES LABELS bochs TIMEOUT 150)
endfunction()

# A non-canonical return address passed to sysenter: the exit sends it to iretq, whose own #GP
# in ring 0 (modelled by Bochs) the kernel reports as a refused frame, ending only that program.
bochs_failing_run_test(bochs_sysenter_to_a_noncanonical_rip_is_refused_by_iretq_skylake corei7_skylake_x
  "run=crash:sysenter-bad-rip,crash:sysenter ktest=off"
  [=[^\[fault\] the iretq back to ring 3 raised #GP general protection \(error code 0x0\) on the program's frame: RIP=0000800000000000 CS=0033 SS=003b$]=]
  [=[^\[proc\] 'crash' \(pid [0-9]+\) exited with status 61$]=])

# ryzen (AuthenticAMD): nothing programmed, one kernel line says why; Bochs 2.7 raises #GP for
# `sysenter` in long mode (it checks the SYSENTER_CS left 0), where AMD's CPUs raise #UD.
bochs_failing_run_test(bochs_sysenter_is_refused_ryzen ryzen
  "run=crash:sysenter ktest=off"
  [=[^\[msr\] SYSENTER_CS, _ESP, _EIP left alone: sysenter is #UD in long mode on AuthenticAMD]=]
  [=[^\[fault\] program 'crash' \(pid [0-9]+\) stopped: vector 13, #GP general protection$]=])

# sysenter from compatibility mode under the default SYSENTER_ABI_64: back in 64-bit mode at R11
# on the Intel model (docs/abi.md; SYSENTER_ABI_32's return to compatibility mode: sysenter32.cmake);
# #GP on ryzen, where AMD's CPUs raise #UD (Bochs checks the SYSENTER_CS left 0, as in 64-bit mode).
lstar_bochs_test(bochs_sysenter_from_compatibility_mode_returns_to_64_bit_mode_skylake corei7_skylake_x
  --cmdline "run=crash:compat-sysenter ktest=off"
  --expect [=[^\[proc\] 'crash' \(pid [0-9]+\) exited with status 0$]=]
  --reject [=[^\[panic\]]=])
bochs_failing_run_test(bochs_sysenter_from_compatibility_mode_is_refused_ryzen ryzen
  "run=crash:compat-sysenter ktest=off"
  [=[^\[fault\] program 'crash' \(pid [0-9]+\) stopped: vector 13, #GP general protection$]=])
