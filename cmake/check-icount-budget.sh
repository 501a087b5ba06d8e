#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Usage: check-icount-budget.sh LOG PATH=BUDGET...
#
# Check benchmark medians from an -icount run against instruction budgets. Under -icount shift=0
# the guest's rdtsc counts instructions, so a median is an exact count of guest instructions per
# call and a test may hold it to a budget.
#
# LOG is a serial log written by qemu-run.sh --icount --log LOG of a benchmark run. For each
# PATH=BUDGET (e.g. syscall_null=40), the median of the "[bench] row path=PATH" line must be at
# most BUDGET guest instructions per call. Prints measured against budget for each path.
#
# Exit status: 0 all within budget, 1 a path over budget or missing (or LOG unfit), 2 usage error.
set -euo pipefail
export LC_ALL=C
here=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=cmake/script-lib.sh
source "$here/script-lib.sh"
# shellcheck source=cmake/bench-lib.sh
source "$here/bench-lib.sh"

if [[ ${1:-} == -h || ${1:-} == --help ]]; then
  usage
  exit 0
fi
[[ $# -ge 2 ]] || die_usage "needs a LOG and at least one PATH=BUDGET"
log=$1
shift
for check in "$@"; do
  [[ $check =~ ^[A-Za-z0-9_.:-]+=[0-9]+(\.[0-9]+)?$ ]] || die_usage "'$check' is not PATH=BUDGET (a number)"
done

[[ -f $log ]] || fail "no such log: $log"
# Budgets are in guest instructions: a log from plain TCG or KVM holds TSC ticks instead.
grep -q '^\[run\] icount=on$' "$log" ||
  fail "$log is not from a qemu-run.sh --icount run, so its medians are not instruction counts"
grep -Eq "${BENCH_LINE}\\[bench\\] done rows=" "$log" ||
  fail "$log has no \"[bench] done\" line: the benchmark did not finish"
rows=$(bench_rows "$log") || fail "$log has a malformed [bench] row"

over=0
for check in "$@"; do
  path=${check%%=*}
  budget=${check#*=}
  median=$(bench_value "$rows" "$path" median)
  if [[ -z $median ]]; then
    echo "[budget] $path: FAIL, no \"[bench] row path=$path\" line in $log"
    over=1
  elif awk -v m="$median" -v b="$budget" 'BEGIN { exit !(m <= b) }'; then
    echo "[budget] $path: median $median guest instructions per call, budget $budget: ok"
  else
    echo "[budget] $path: FAIL, median $median guest instructions per call is over the budget of $budget"
    over=1
  fi
done
exit "$over"
