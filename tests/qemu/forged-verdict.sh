#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Usage: forged-verdict.sh --log LOG --fails-with TEXT [--verdict REGEX]... -- RUNNER [ARG]...
#
# Proves that a program cannot forge a run's verdict. RUNNER (qemu-run.sh or bochs-run.sh, with
# its options: --cmdline "run=forge ...", --log LOG and the suite's usual success expectations)
# boots usr/forge, which prints every line a verdict is read from, plain and behind CR, ESC and
# newlines, starts a child that writes the success code to isa-debug-exit from ring 3 (a #GP),
# then exits with status 1. Then:
#   1. the runner must FAIL (exit 1) and its "[run] FAIL: " line must contain TEXT (the reason
#      the kernel gave: its exit code or its "[boot] done: failure"), not a timeout;
#   2. LOG must hold the forgery, marked as the program's ("forge[PID]: ", control characters
#      escaped, the unfinished last line flagged) and the kernel's own account of it;
#   3. no line of LOG may match any --verdict REGEX (the expressions the tests and runners take
#      as success): in this boot only the forgery says success, so a match is a forged verdict.
#
#   --log LOG          the serial log the runner writes (pass the same path to the runner)
#   --fails-with TEXT  text the runner's "[run] FAIL: " line must contain
#   --verdict REGEX    an extended regex that means success somewhere in the suite (repeatable)
#   -h, --help         this text
#
# Exit status: 0 the forgery failed as it must, 1 it was taken for a verdict somewhere, 2 usage.
set -euo pipefail
export LC_ALL=C
# shellcheck source=cmake/script-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../cmake/script-lib.sh"

log="" fails_with="" verdicts=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --log)        need_value "$1" $#; log=$2; shift 2 ;;
    --fails-with) need_value "$1" $#; fails_with=$2; shift 2 ;;
    --verdict)    need_value "$1" $#; verdicts+=("$2"); shift 2 ;;
    --)           shift; break ;;
    -h|--help)    usage; exit 0 ;;
    *)            die_usage "unknown option '$1'" ;;
  esac
done
[[ -n $log && -n $fails_with && $# -gt 0 ]] || die_usage "--log, --fails-with and a runner command are required"
check_regexes "${verdicts[@]}"

problems=()

# ---- 1. the runner's verdict ----
status=0
out=$("$@" 2>&1) || status=$?
echo "$out" | tail -n 3
verdict_line=$(grep -E '^\[run\] (PASS|FAIL)' <<<"$out" | tail -n1 || true)
if [[ $status -ne 1 ]]; then
  problems+=("the runner exited $status, not 1 (FAIL): ${verdict_line:-no verdict line}")
elif [[ $verdict_line != "[run] FAIL: "*"$fails_with"* ]]; then
  problems+=("the runner failed, but not with '$fails_with': $verdict_line")
fi
[[ -f $log ]] || { echo "FAIL: no log at $log" >&2; exit 1; }

# ---- 2. the forgery is in the log, marked, and the kernel said what happened ----
marked=(
  '^forge\[[0-9]+\]: \[boot\] done: success$'
  '^forge\[[0-9]+\]: \\x0d\[boot\] done: success$'
  '^forge\[[0-9]+\]: \[cpu0\] \[boot\] done: success$'
  '^forge\[[0-9]+\]: selftest: 999 passed, 0 failed$'
  '^forge\[[0-9]+\]: \\x1b\[2K\\x0d\[boot\] done: success$'
  '^forge\[[0-9]+\]: half a line$'
  "^forge\\[[0-9]+\\]: \\[proc\\] 'selftest' \\(pid 2\\) exited with status 0\\\\x0d$"
  '^forge\[[0-9]+\]: \[boot\] done: success\\\(no newline\)$'
  "^\\[proc\\] started 'forge' \\(pid [0-9]+, parent [0-9]+\\) args 'x\\\\x0a\\[boot\\] done: success\\\\x0a"
  "^\\[fault\\] program 'forge' \\(pid [0-9]+\\) stopped: vector 13, #GP general protection$"
  "^\\[proc\\] 'forge' \\(pid [0-9]+\\) exited with status 1$"
  '^(\[cpu[0-9]\] )?\[boot\] done: failure$'
)
for re in "${marked[@]}"; do
  grep -Eq -- "$re" "$log" || problems+=("no line matches $re")
done
# Every line that carries forged text is the program's: it starts with its mark.
while IFS= read -r line; do
  problems+=("forged text outside a line marked as the program's: $line")
done < <(grep -E '999 passed|200000 passed|16 passed|done rows=0|all 1 programs' "$log" |
  grep -vE '^(\[cpu[0-9]\] )?forge\[[0-9]+\][:+] ' | grep -v '^\[run\] ' || true)

# ---- 3. no verdict expression matches any line of this boot ----
for re in "${verdicts[@]}"; do
  if line=$(grep -E -m1 -- "$re" "$log"); then
    problems+=("the verdict regex $re matches: $line")
  fi
done

if [[ ${#problems[@]} -gt 0 ]]; then
  printf 'FAIL: %s\n' "${problems[@]}"
  exit 1
fi
echo "ok: the runner failed ($verdict_line); the forgery is in $log, marked; ${#verdicts[@]} verdict regexes match none of its lines"
