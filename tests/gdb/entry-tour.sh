#!/usr/bin/env bash
# Boots the ISO paused, lets GDB walk both entries (tests/gdb/entry_tour.gdb), then
# lets the run finish. Passes when every GDB check passed and the selftest still passed.
#
# Usage: entry-tour.sh QEMU_RUN ISO KERNEL_ELF LOG_DIR
set -euo pipefail

if [[ $# -ne 4 ]]; then
  echo "usage: $0 QEMU_RUN ISO KERNEL_ELF LOG_DIR" >&2
  exit 2
fi
qemu_run=$1 iso=$2 elf=$3 logs=$4
here=$(cd "$(dirname "$0")" && pwd)
port=$((20000 + RANDOM % 20000)) # a port of our own: tests run in parallel
mkdir -p "$logs"

# -S: wait for GDB before the first instruction; -gdb on our port rather than -s's 1234.
bash "$qemu_run" --iso "$iso" --accel tcg --timeout 180 --log "$logs/entry_tour.log" \
  --cmdline "run=selftest ktest=off" --extra "-S -gdb tcp:127.0.0.1:$port" \
  --expect '^selftest: [0-9]+ passed, 0 failed$' >"$logs/entry_tour.run" 2>&1 &
run_pid=$!

status=0
timeout 150 gdb -q -batch -nx -ex "target remote 127.0.0.1:$port" -x "$here/entry_tour.gdb" "$elf" \
  >"$logs/entry_tour.gdb.out" 2>&1 || status=$?
grep '^\[gdb\]' "$logs/entry_tour.gdb.out" || true
wait "$run_pid" || status=1
tail -n 1 "$logs/entry_tour.run"

passed=$(grep -c '^\[gdb\] PASS' "$logs/entry_tour.gdb.out" || true)
failed=$(grep -c '^\[gdb\] FAIL' "$logs/entry_tour.gdb.out" || true)
expected=$(grep -c '^check ' "$here/entry_tour.gdb")
echo "gdb: $passed passed, $failed failed (of $expected)"
if [[ $status -ne 0 || $failed -ne 0 || $passed -ne $expected ]]; then
  echo "see $logs/entry_tour.gdb.out and $logs/entry_tour.log" >&2
  exit 1
fi
