#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Boots the ISO through qemu-run.sh, then checks the kernel's [trace] lines of one traced
# process (trace= option, src/syscall/syscall_trace.c) against a list, in order, one for one:
# every line expected, none missing, none more. --expect lines of qemu-run.sh say a line came;
# this says the lines came in this order and nothing else came between them.
#
# Usage: trace-lines.sh --run QEMU_RUN --log LOG --program NAME [--line REGEX]... -- QEMU_RUN_ARGS...
#   --run QEMU_RUN  cmake/qemu-run.sh
#   --log LOG       the serial log (qemu-run.sh's --log)
#   --program NAME  the traced program: its first process's pid comes from the kernel's
#                   "[proc] started 'NAME' (pid N, ..." line, and its lines are those that start
#                   "[trace] NAME[N] " (after the console's optional "[cpuN] ")
#   --line REGEX    the next expected line, an extended regex matched against the whole line
#                   (without "[cpuN] "); {pid} in it stands for N; repeatable, in order
# Exit status: 0 qemu-run.sh passed and the lines are exactly those expected; 1 either failed
# (each difference named); 2 usage or setup error.
set -euo pipefail
export LC_ALL=C
# shellcheck source=cmake/script-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../cmake/script-lib.sh"

qemu_run='' log='' program=''
lines=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --run)     need_value "$1" $#; qemu_run=$2; shift 2 ;;
    --log)     need_value "$1" $#; log=$2; shift 2 ;;
    --program) need_value "$1" $#; program=$2; shift 2 ;;
    --line)    need_value "$1" $#; lines+=("$2"); shift 2 ;;
    --)        shift; break ;;
    -h|--help) usage; exit 0 ;;
    *)         die_usage "unknown option '$1'" ;;
  esac
done
[[ -n $qemu_run && -n $log && -n $program ]] || die_usage "--run, --log and --program are required"
[[ $program =~ ^[a-z0-9_-]+$ ]] || die_usage "--program takes a program name, not '$program'"
check_regexes "${lines[@]}"

status=0
bash "$qemu_run" --log "$log" "$@" || status=1
[[ -f $log ]] || fail "no serial log at $log"

pid=$(sed -nE "s/^(\[cpu[0-9]\] )?\[proc\] started '$program' \(pid ([0-9]+),.*/\2/p" "$log" | head -n 1)
[[ -n $pid ]] || fail "the kernel never started '$program'"
mapfile -t got < <(sed -nE "s/^(\[cpu[0-9]\] )?(\[trace\] $program\[$pid\] .*)/\2/p" "$log")

n=${#lines[@]}
for ((i = 0; i < n || i < ${#got[@]}; i++)); do
  want=${lines[i]:-}
  want=${want//\{pid\}/$pid}
  if ((i >= n)); then
    echo "$SCRIPT_NAME: trace line $((i + 1)) is one more than expected: '${got[i]}'" >&2
    status=1
  elif ((i >= ${#got[@]})); then
    echo "$SCRIPT_NAME: trace line $((i + 1)) is missing: expected /^$want\$/" >&2
    status=1
  elif ! grep -Eq -- "^$want\$" <<<"${got[i]}"; then
    echo "$SCRIPT_NAME: trace line $((i + 1)): expected /^$want\$/, got '${got[i]}'" >&2
    status=1
  fi
done
((status == 0)) && echo "[trace-lines] PASS: $program (pid $pid) printed the $n expected [trace] lines in order"
exit "$status"
