#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The mutation test's reading of a failed test (cmake/mutants.sh --classify): each fixture below
# is what a killing test printed, in the runners' own phrasing (cmake/qemu-run.sh,
# cmake/bochs-run.sh, tests/gdb/gdb-test.sh, tests/qemu/monitor-inject.sh), and must come out as
# the kind it is: assertion, pin, timeout or unknown. Then --docs-from-last-run, on a copy of the
# tree: it must refuse a run recorded in the format without kinds, and write one with kinds.
#
# Usage: mutants_classify_test.sh SOURCE_DIR
set -euo pipefail
export LC_ALL=C

root=${1:?usage: mutants_classify_test.sh SOURCE_DIR}
mutants=$root/cmake/mutants.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0 checks=0

# expect_kind NAME TEST STATUS KIND: classify the fixture $tmp/NAME.out (written just before) as
# TEST with CTest status STATUS; its kind must be KIND.
expect_kind() {
  local name=$1 test=$2 status=$3 want=$4 got
  checks=$((checks + 1))
  got=$(bash "$mutants" --classify "$test" "$status" "$tmp/$name.out")
  if [[ ${got%%$'\t'*} == "$want" ]]; then
    echo "ok: $name: $got"
  else
    echo "FAIL: $name: expected $want, got '$got'"
    failures=$((failures + 1))
  fi
}

run_header='[run] accel=tcg cpu=max firmware=bios qemu=7.2.0
[run] icount=off
[run] machine=q35 memory=256M smp=1 timeout=120s'

# ---- qemu-run.sh ----
cat >"$tmp/missing-expect.out" <<EOF
$run_header
[boot] lstar starting
selftest: 41 passed, 2 failed
[run] FAIL: expected line not found: ^selftest: [0-9]+ passed, 0 failed\$
EOF
expect_kind missing-expect selftest_cpu_max Failed assertion

cat >"$tmp/reject.out" <<EOF
$run_header
[panic] PANIC: page fault in the kernel at 0xffffffff80104a2b
ktest: 30 passed, 0 failed
[run] FAIL: rejected line found: [panic] PANIC: page fault in the kernel at 0xffffffff80104a2b
EOF
expect_kind reject boot_bios_ktest Failed assertion

cat >"$tmp/exit-37.out" <<EOF
$run_header
[panic] PANIC: general protection fault (error 0x0) at 0xffffffff80100c31
[run] FAIL: kernel panic (exit 37)
EOF
expect_kind exit-37 syscall_fuzzer_finds_nothing Failed assertion

cat >"$tmp/exit-35.out" <<EOF
$run_header
[boot] done: failure
[run] FAIL: tests failed (exit 35)
EOF
expect_kind exit-35 selftest_cpu_skylake Failed assertion

cat >"$tmp/triple-fault.out" <<EOF
$run_header
[proc] started 'selftest' (pid 1)
[run] FAIL: guest reset or triple fault: QEMU exited 0 without an exit code (see -d int: rerun with --extra "-d int,cpu_reset -D qemu.log")
EOF
expect_kind triple-fault selftest_cpu_max Failed assertion

cat >"$tmp/guest-hung.out" <<EOF
$run_header
[boot] crash=deadlock: cpu0 takes a lock it holds
[run] FAIL: guest hung: no exit within 60 s (last serial line: [boot] crash=deadlock: cpu0 takes a lock it holds)
EOF
expect_kind guest-hung a_deadlocked_spinlock_ends_in_a_panic_report Failed timeout

cat >"$tmp/fail-fast.out" <<EOF
$run_header
[run] FAIL: the failure did not come within --fail-fast 60 s: guest hung: no exit within 60 s (last serial line: none)
EOF
expect_kind fail-fast triple_fault_fails_fast Failed timeout

cat >"$tmp/ctest-timeout.out" <<EOF
$run_header
[boot] lstar starting
[proc] started 'fuzz' (pid 1)
EOF
expect_kind ctest-timeout syscall_fuzzer_finds_nothing Timeout timeout

cat >"$tmp/qemu-failed.out" <<EOF
$run_header
[qemu] qemu-system-x86_64: -cdrom lstar.iso: Could not open 'lstar.iso': No such file or directory
[run] FAIL: QEMU failed (exit 1): qemu-system-x86_64: -cdrom lstar.iso: Could not open 'lstar.iso': No such file or directory
EOF
expect_kind qemu-failed selftest_cpu_max Failed unknown

printf 'Segmentation fault\n' >"$tmp/no-verdict.out"
expect_kind no-verdict selftest_cpu_max Failed unknown

# A guest line that looks like a verdict, before the real one: only the last verdict counts.
cat >"$tmp/spoofed-verdict.out" <<EOF
$run_header
[run] FAIL: guest hung: no exit within 1 s (last serial line: none)
[run] FAIL: expected line not found: ^selftest: [0-9]+ passed, 0 failed\$
EOF
expect_kind spoofed-verdict selftest_cpu_max Failed assertion

# ---- value pins ----
# msr_values_match_docs when only the quoted values moved (FMASK lost TF: 0x257fd5 - 0x100) ...
cat >"$tmp/pin-only.out" <<EOF
$run_header
[msr] cpu0 FMASK=0x0000000000257ed5
[msr] cpu0 self-check: 7 passed, 0 failed
[run] FAIL: expected line not found: ^\\[msr\\] cpu0 FMASK=0x0000000000257fd5\$
EOF
expect_kind pin-only msr_values_match_docs Failed pin

# ... and every_cpu_programs_and_checks_its_syscall_msrs, whose selftest still passed.
cat >"$tmp/pin-only-smp.out" <<EOF
$run_header
[run] FAIL: expected line not found: ^\\[msr\\] cpu3 FMASK=0x0000000000257fd5\$
EOF
expect_kind pin-only-smp every_cpu_programs_and_checks_its_syscall_msrs Failed pin

# The kernel's own read-back failing beside a pin is an assertion.
cat >"$tmp/pin-and-self-check.out" <<EOF
$run_header
[run] also: expected line not found: ^\\[msr\\] cpu0 self-check: [0-9]+ passed, 0 failed\$
[run] FAIL: expected line not found: ^\\[msr\\] cpu0 FMASK=0x0000000000257fd5\$
EOF
expect_kind pin-and-self-check msr_values_match_docs Failed assertion

# The same missing MSR line in a test that is not a pin test is an assertion of that test.
cp "$tmp/pin-only.out" "$tmp/pin-elsewhere.out"
expect_kind pin-elsewhere boot_bios_ktest Failed assertion

# A pin test that hung is a timeout, not a pin.
cat >"$tmp/pin-test-hung.out" <<EOF
$run_header
[run] FAIL: guest hung: no exit within 120 s (last serial line: [smp] starting cpu1)
EOF
expect_kind pin-test-hung every_cpu_programs_and_checks_its_syscall_msrs Failed timeout

# ---- gdb-test.sh ----
cat >"$tmp/gdb-assertion.out" <<EOF
1 [gdb] FAIL sysret_exit_took_iretq: RIP 0xffffffff80101e7a is not syscall_exit_iret
1 [gdb] PASS forced_noncanonical_rcx
[run] PASS (exit 33, 0 expectations met, 14.2 s)
[gdb] check 'sysret_exit_took_iretq' passed 0 time(s)
gdb: 1 of 2 checks passed, 1 failure(s)
EOF
expect_kind gdb-assertion sysret_exit_sends_an_untrusted_return_rip_to_iretq Failed assertion

# A check that never ran, in a run that ended: the named check is missing.
cat >"$tmp/gdb-missing-check.out" <<EOF
3 [gdb] PASS entry_swapgs
[run] FAIL: kernel panic (exit 37)
[gdb] check 'exit_swapgs' passed 0 time(s)
gdb: 3 of 4 checks passed, 0 failure(s)
EOF
expect_kind gdb-missing-check gdb_tour_of_both_entry_paths Failed assertion

cat >"$tmp/gdb-missing-check-only.out" <<EOF
3 [gdb] PASS entry_swapgs
[run] PASS (exit 33, 0 expectations met, 20.1 s)
[gdb] check 'exit_swapgs' passed 0 time(s)
gdb: 3 of 4 checks passed, 0 failure(s)
EOF
expect_kind gdb-missing-check-only gdb_tour_of_both_entry_paths Failed assertion

# Checks that never ran because the guest hung: the hang is the reason.
cat >"$tmp/gdb-hang.out" <<EOF
2 [gdb] PASS sweep_boundary
[run] FAIL: guest hung: no exit within 240 s (last serial line: [proc] started 'selftest' (pid 1))
[gdb] check 'sweep_done' passed 0 time(s)
gdb: 1 of 2 checks passed, 0 failure(s)
EOF
expect_kind gdb-hang every_boundary_of_the_entry_windows_survives_an_nmi_and_a_machine_check Failed timeout

# ---- bochs-run.sh ----
cat >"$tmp/bochs-hung.out" <<EOF
[run] FAIL: guest hung: no end within 120 s (last serial line: [proc] started 'selftest' (pid 1))
EOF
expect_kind bochs-hung bochs_selftest_ryzen Failed timeout

cat >"$tmp/bochs-panic.out" <<EOF
[run] also: no '[boot] done: success' line
[run] FAIL: kernel panic: [panic] PANIC: page fault in the kernel at 0xffffffff80103a11
EOF
expect_kind bochs-panic bochs_selftest_skylake Failed assertion

cat >"$tmp/bochs-stopped.out" <<EOF
[run] FAIL: Bochs stopped the guest (exit 1): exception(): 3rd (13) exception with no resolution
EOF
expect_kind bochs-stopped bochs_selftest_skylake Failed assertion

# ---- monitor-inject.sh ----
cat >"$tmp/inject-count.out" <<EOF
[run] PASS (exit 35, 3 expectations met, 8.0 s)
[inject] 'mce 0 3 0xbd000000000000c0 0x5 0x2345000 0x86' sent 1 time(s) after /^\\[crash\\] spinning in ring 3 forever\$/
[inject] FAIL: 0 line(s) match /^\\[fault\\] program 'crash' \\(pid [0-9]+\\) stopped: vector 18, #MC machine check\$/, expected 1
EOF
expect_kind inject-count machine_check_srao_in_ring3_stops_the_program Failed assertion

cat >"$tmp/inject-none-hung.out" <<EOF
[run] FAIL: guest hung: no exit within 240 s (last serial line: [boot] lstar starting)
[inject] 'nmi' sent 0 time(s) after /^\\[proc\\] started/
[inject] FAIL: nothing injected (guest line never seen, or monitor unreachable)
EOF
expect_kind inject-none-hung nmi_during_syscalls_is_harmless Failed timeout

# ---- a check script after its boot (tests/qemu/trace-lines.sh and the like) ----
cat >"$tmp/script-check.out" <<'EOF'
[run] PASS (exit 33, 1 expectation met, 4.0 s)
trace-lines.sh: trace line 5: expected /^\[trace\] crash\[2\] cpu0 int 0x80 getpid\(\) = 2$/, got '[trace] crash[2] cpu0 syscall getpid() = 2'
EOF
expect_kind script-check trace_shows_each_call_through_both_entries_and_a_summary Failed assertion

cat >"$tmp/script-check-hung.out" <<'EOF'
[run] FAIL: guest hung: no exit within 60 s (last serial line: [boot] lstar starting)
trace-lines.sh: trace line 1 is missing: expected /^\[trace\] crash\[2\] cpu0 syscall getargs/
EOF
expect_kind script-check-hung trace_shows_each_call_through_both_entries_and_a_summary Failed timeout

echo "$((checks - failures)) of $checks fixtures classified as expected"

# ---- --docs-from-last-run, on a copy of the tree (it writes docs/reliability.md) ----
copy=$tmp/tree work=$tmp/work
mkdir -p "$copy/cmake" "$copy/docs" "$work"
cp "$mutants" "$copy/cmake/"
cp -r "$root/src" "$copy/src"
[[ -d $root/boot ]] && cp -r "$root/boot" "$copy/boot"
cat >"$copy/docs/reliability.md" <<'EOF'
# reliability
<!-- mutants:begin -->
the table before
<!-- mutants:end -->
after
EOF
cp "$copy/docs/reliability.md" "$tmp/docs.before"

checks=$((checks + 1))
cat >"$work/last-complete-run.md" <<'EOF'
Run of 2026-12-02 12:04 UTC on commit c207e5c6: 44 min with 2 jobs on 2 cores.

| mutant | killed by | result |
|---|---|---|
| sysret-tf | sysret_exit_sends_rflags_it_cannot_restore_to_iretq | killed |

mutants: 1 killed, 0 survived of 1
EOF
status=0
out=$(bash "$copy/cmake/mutants.sh" --work "$work" --docs-from-last-run 2>&1) || status=$?
if [[ $status -eq 1 && $out == *"without the kind of each kill"* ]] && cmp -s "$tmp/docs.before" "$copy/docs/reliability.md"; then
  echo "ok: an old-format last run is refused, the docs untouched"
else
  echo "FAIL: an old-format last run: exit $status, docs $(cmp -s "$tmp/docs.before" "$copy/docs/reliability.md" && echo untouched || echo changed): $out"
  failures=$((failures + 1))
fi

checks=$((checks + 1))
cat >"$work/last-complete-run.md" <<'EOF'
Run of 2026-12-07 12:00 UTC on commit 00000000: 1 min with 2 jobs on 2 cores.

| mutant | killed by (kind of each kill) | kind | result |
|---|---|---|---|
| sysret-tf | sysret_exit_sends_rflags_it_cannot_restore_to_iretq (assertion) | assertion | killed |

mutants: 1 killed (1 by an assertion, 0 only by a pin, 0 only by a timeout), 0 survived of 1
EOF
status=0
out=$(bash "$copy/cmake/mutants.sh" --work "$work" --docs-from-last-run 2>&1) || status=$?
if [[ $status -eq 0 ]] && grep -qxF '| sysret-tf | sysret_exit_sends_rflags_it_cannot_restore_to_iretq (assertion) | assertion | killed |' "$copy/docs/reliability.md" &&
   ! grep -q 'the table before' "$copy/docs/reliability.md" && grep -qx after "$copy/docs/reliability.md"; then
  echo "ok: a last run with kinds is written into the block"
else
  echo "FAIL: a last run with kinds: exit $status: $out"
  failures=$((failures + 1))
fi

if [[ $failures -ne 0 ]]; then
  echo "FAIL: $failures of $checks checks failed"
  exit 1
fi
echo "PASS: $checks checks"
