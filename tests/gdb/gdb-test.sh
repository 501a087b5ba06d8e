#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Boots the ISO paused with a GDB stub, runs one GDB script against it (its checks print
# "[gdb] PASS name" or "[gdb] FAIL name: ..."), then lets the run finish. Passes when every check
# the script defines passed exactly as often as it is written down, and the boot passed its own
# expectations (qemu-run.sh's --expect arguments, given after the command line).
#
# Usage: gdb-test.sh QEMU_RUN ISO KERNEL_ELF LOG_DIR SCRIPT CMDLINE [QEMU_RUN_ARGS...]
#   SCRIPT   a .gdb file; every line starting with "check " is one check that must PASS once,
#            except checks written inside a breakpoint's `commands` (marked "# repeats"),
#            which may run any number of times, never FAIL, and must PASS at least once;
#            tests/gdb/entry_windows.gdb (commands that read the kernel's entry-window table)
#            is loaded before it
set -euo pipefail
# shellcheck source=cmake/script-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../cmake/script-lib.sh"

if [[ ${1:-} == -h || ${1:-} == --help ]]; then
  usage
  exit 0
fi
[[ $# -ge 6 ]] || die_usage "needs at least 6 arguments, got $#"
qemu_run=$1 iso=$2 elf=$3 logs=$4 script=$5 cmdline=$6
shift 6
name=$(basename "$script" .gdb)
port=$((20000 + RANDOM % 20000)) # a port of our own: tests run in parallel
mkdir -p "$logs"

# -S: wait for GDB before the first instruction; -gdb on our port rather than -s's 1234.
bash "$qemu_run" --iso "$iso" --accel tcg --timeout 240 --log "$logs/$name.log" \
  --cmdline "$cmdline" --extra "-S -gdb tcp:127.0.0.1:$port" "$@" >"$logs/$name.run" 2>&1 &
run_pid=$!

status=0
# entry_windows.gdb first: commands that read the kernel's entry-window table, for any script.
timeout 220 gdb -q -batch -nx -ex "target remote 127.0.0.1:$port" \
  -x "$(dirname "${BASH_SOURCE[0]}")/entry_windows.gdb" -x "$script" "$elf" \
  >"$logs/$name.gdb.out" 2>&1 || status=$?
grep '^\[gdb\]' "$logs/$name.gdb.out" | sort | uniq -c | sed 's/^ *//' || true
wait "$run_pid" || status=1
tail -n 1 "$logs/$name.run"

failed=$(grep -c '^\[gdb\] FAIL' "$logs/$name.gdb.out" || true)
missing=0
# Every check the script names must have passed: once, or at least once for repeating ones.
while read -r check_name repeats; do
  got=$(grep -c "^\[gdb\] PASS $check_name\$" "$logs/$name.gdb.out" || true)
  if [[ -n $repeats && $got -ge 1 ]] || [[ -z $repeats && $got -eq 1 ]]; then
    continue
  fi
  echo "[gdb] check '$check_name' passed $got time(s)"
  missing=$((missing + 1))
done < <(sed -n 's/^ *check [^ ]* \([a-z0-9_]*\)\( *# repeats\)\{0,1\}.*/\1 \2/p' "$script" | sed 's/# repeats/r/')
total=$(grep -c '^ *check ' "$script")
echo "gdb: $((total - missing)) of $total checks passed, $failed failure(s)"
if [[ $status -ne 0 || $failed -ne 0 || $missing -ne 0 ]]; then
  echo "see $logs/$name.gdb.out and $logs/$name.log" >&2
  exit 1
fi
