#!/usr/bin/env bash
# Check benchmark medians from an -icount run against instruction budgets.
#
# Under -icount shift=0 the guest's rdtsc counts instructions, so a median is an exact count of
# guest instructions per call and a test may hold it to a budget.
set -euo pipefail
export LC_ALL=C

usage() {
  cat <<'EOF'
Usage: check-icount-budget.sh LOG PATH=BUDGET...

LOG is a serial log written by qemu-run.sh --icount --log LOG of a benchmark run. For each
PATH=BUDGET (e.g. syscall_null=40), the median of the "[bench] row path=PATH" line must be at most
BUDGET guest instructions per call. Prints measured against budget for each path.

Exit status: 0 all within budget, 1 a path over budget or missing (or LOG unfit), 2 usage error.
EOF
}

fail() {
  echo "check-icount-budget.sh: $*" >&2
  exit 1
}

if [[ ${1:-} == -h || ${1:-} == --help ]]; then
  usage
  exit 0
fi
if [[ $# -lt 2 ]]; then
  usage >&2
  exit 2
fi
log=$1
shift
for check in "$@"; do
  if [[ ! $check =~ ^[A-Za-z0-9_.:-]+=[0-9]+(\.[0-9]+)?$ ]]; then
    echo "check-icount-budget.sh: '$check' is not PATH=BUDGET (a number)" >&2
    exit 2
  fi
done

[[ -f $log ]] || fail "no such log: $log"
# Budgets are in guest instructions: a log from plain TCG or KVM holds TSC ticks instead.
grep -q '^\[run\] icount=on$' "$log" ||
  fail "$log is not from a qemu-run.sh --icount run, so its medians are not instruction counts"
grep -q '^\[bench\] done rows=' "$log" ||
  fail "$log has no \"[bench] done\" line: the benchmark did not finish"

over=0
for check in "$@"; do
  path=${check%%=*}
  budget=${check#*=}
  median=$(sed -n -E "s/^\[bench\] row path=${path//./\\.} .*\<median=([0-9.]+).*/\1/p" "$log" | tail -n1)
  if [[ -z $median ]]; then
    echo "[budget] $path: FAIL, no \"[bench] row path=$path\" line with a median in $log"
    over=1
  elif awk -v m="$median" -v b="$budget" 'BEGIN { exit !(m <= b) }'; then
    echo "[budget] $path: median $median guest instructions per call, budget $budget: ok"
  else
    echo "[budget] $path: FAIL, median $median guest instructions per call is over the budget of $budget"
    over=1
  fi
done
exit "$over"
