#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs one boot test several times in a row: for a race that a single boot may miss (a machine
# check that must land while a CPU holds or waits for the console lock), every boot must pass.
#
# Usage: boots-in-a-row.sh --boots N --log LOG -- COMMAND ARGS...
#   --boots N   how many boots (each one runs COMMAND ARGS once)
#   --log LOG   each boot's log is LOG with .K before its extension (LOG.1.log, ...); every
#               {log} in ARGS is replaced by that path
# Each boot is judged by COMMAND's exit status (qemu-run.sh or monitor-inject.sh: 0 = PASS);
# a failing boot is reported with its FAIL lines and, if the kernel panicked, its PANIC line.
# Exits 0 if every boot passed, 1 if any failed (the count is printed), 2 on a usage error.
set -euo pipefail
export LC_ALL=C
# shellcheck source=cmake/script-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../cmake/script-lib.sh"

boots='' log=''
while [[ $# -gt 0 ]]; do
  case $1 in
    --boots)   need_value "$1" $#; boots=$2; shift 2 ;;
    --log)     need_value "$1" $#; log=$2; shift 2 ;;
    --)        shift; break ;;
    -h|--help) usage; exit 0 ;;
    *)         die_usage "unknown option '$1'" ;;
  esac
done
[[ -n $boots && -n $log && $# -gt 0 ]] || die_usage "--boots, --log and a COMMAND are required"
[[ $boots =~ ^[1-9][0-9]*$ ]] || die_usage "--boots needs a positive number, not '$boots'"

failed=0
for k in $(seq 1 "$boots"); do
  boot_log=${log%.log}.$k.log
  args=()
  for a in "$@"; do
    args+=("${a//\{log\}/$boot_log}")
  done
  out=$(mktemp)
  status=0
  "${args[@]}" >"$out" 2>&1 || status=$?
  if [[ $status -eq 0 ]]; then
    echo "[boots] boot $k of $boots: PASS ($(grep -m1 -E '^\[run\] PASS' "$out" || echo 'passed'))"
  else
    failed=$((failed + 1))
    echo "[boots] boot $k of $boots: FAIL (log $boot_log)"
    grep -E '^\[(run|inject)\] FAIL' "$out" | sed 's/^/[boots]   /' || true
    grep -m1 -E 'PANIC' "$boot_log" 2>/dev/null | sed 's/^/[boots]   the kernel panicked: /' || true
  fi
  rm -f "$out"
done
if [[ $failed -gt 0 ]]; then
  echo "[boots] FAIL: $failed of $boots boot(s) failed"
  exit 1
fi
echo "[boots] PASS: all $boots boot(s) passed"
