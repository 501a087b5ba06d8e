#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Boots the ISO through qemu-run.sh with a bound on the run's time and names every expected
# line that did not come within it. qemu-run.sh judges the exit code first and reads the
# expected lines only when that code is right, so a kernel that hangs fails there as "guest
# hung" without saying which report never came. Here every --expect regex that no guest line
# matches is a failure of its own, "expected line not found within SEC s: REGEX", whatever ended
# the run.
#
# Usage: expect-within.sh --run QEMU_RUN --log LOG --within SEC [--expect REGEX]... -- QEMU_RUN_ARGS...
#   --run QEMU_RUN  cmake/qemu-run.sh
#   --log LOG       the serial log (qemu-run.sh's --log)
#   --within SEC    seconds the run may take (qemu-run.sh's --timeout)
#   --expect REGEX  a line the guest must print (passed on to qemu-run.sh, and checked here
#                   again when qemu-run.sh fails); repeatable
# Exit status: 0 qemu-run.sh passed; 1 it failed or a line is missing (each one named);
# 2 usage or setup error.
set -euo pipefail
export LC_ALL=C
# shellcheck source=cmake/script-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../cmake/script-lib.sh"

qemu_run='' log='' within=''
expects=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --run)     need_value "$1" $#; qemu_run=$2; shift 2 ;;
    --log)     need_value "$1" $#; log=$2; shift 2 ;;
    --within)  need_value "$1" $#; within=$2; shift 2 ;;
    --expect)  need_value "$1" $#; expects+=("$2"); shift 2 ;;
    --)        shift; break ;;
    -h|--help) usage; exit 0 ;;
    *)         die_usage "unknown option '$1'" ;;
  esac
done
[[ -n $qemu_run && -n $log && -n $within ]] || die_usage "--run, --log and --within are required"
[[ $within =~ ^[1-9][0-9]*$ ]] || die_usage "--within needs a positive number of seconds, not '$within'"
check_regexes "${expects[@]}"

passed_on=()
for re in "${expects[@]}"; do passed_on+=(--expect "$re"); done
rm -f "$log" # the check below reads it: no stale copy from an earlier run
status=0
bash "$qemu_run" --log "$log" --timeout "$within" "${passed_on[@]}" "$@" || status=$?
[[ $status -eq 2 ]] && exit 2
[[ $status -eq 0 ]] && exit 0

# The guest's lines only: qemu-run.sh's own start with [run] or [qemu].
guest=$(grep -v -E '^\[(run|qemu)\] ' "$log" || true)
# The verdict again, in qemu-run.sh's form: each missing line as "[run] also: ...", then its
# "[run] FAIL: ..." line last (cmake/mutants.sh reads a failure's reasons from these lines).
verdict=$(grep -E '^\[run\] FAIL: ' "$log" | tail -n 1 || true)
for re in "${expects[@]}"; do
  grep -Eq -- "$re" <<<"$guest" || echo "[run] also: expected line not found within $within s: $re"
done
echo "${verdict:-[run] FAIL: qemu-run.sh failed (exit $status)}"
exit 1
