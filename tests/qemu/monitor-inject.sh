#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Boots the ISO through qemu-run.sh with a QEMU human monitor on a loopback TCP port and, once
# the guest's log shows a given line, types monitor commands into it (`nmi`, `mce ...`): the
# host-side fault injection the NMI and machine-check tests need.
#
# Usage: monitor-inject.sh --run QEMU_RUN --log LOG --after REGEX --command CMD [--command CMD]...
#                          [--each] [--every SEC] [--count N] [--expect-count N REGEX]...
#                          -- QEMU_RUN_ARGS...
#   --after REGEX   wait for a guest line matching REGEX before the first injection (before
#                   kmain loads the IDT, an NMI or #MC has no handler and resets the machine)
#   --command CMD   the monitor command; repeated, all of them are sent in order as one injection
#   --count N       inject N times (default 1); 0 = keep injecting until the guest exits
#   --every SEC     pause between injections (default 0.05)
#   --each          inject once for every new guest line matching REGEX, the first included,
#                   until the guest exits (--count N then caps the total; default: no cap)
#   --expect-count N REGEX
#                   after the run, exactly N guest lines must match REGEX (repeatable)
# Exits with qemu-run.sh's status; 1 if nothing could be injected, if the monitor refused an
# injection or reset the machine over one, or if an --expect-count did not hold; 2 on a usage error.
set -euo pipefail
trap '' PIPE # a write to the monitor after QEMU is gone must fail (EPIPE), not kill us
export LC_ALL=C
# shellcheck source=cmake/script-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../cmake/script-lib.sh"

qemu_run='' log='' after='' every=0.05 count='' each=0
commands=() counts=() count_res=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --run)     need_value "$1" $#; qemu_run=$2; shift 2 ;;
    --log)     need_value "$1" $#; log=$2; shift 2 ;;
    --after)   need_value "$1" $#; after=$2; shift 2 ;;
    --command) need_value "$1" $#; commands+=("$2"); shift 2 ;;
    --every)   need_value "$1" $#; every=$2; shift 2 ;;
    --count)   need_value "$1" $#; count=$2; shift 2 ;;
    --each)    each=1; shift ;;
    --expect-count)
      [[ $# -ge 3 ]] && is_uint "$2" || die_usage "--expect-count needs a number N and a REGEX"
      counts+=("$2"); count_res+=("$3"); shift 3 ;;
    --)        shift; break ;;
    -h|--help) usage; exit 0 ;;
    *)         die_usage "unknown option '$1'" ;;
  esac
done
[[ -n $qemu_run && -n $log && -n $after && ${#commands[@]} -gt 0 ]] ||
  die_usage "--run, --log, --after and at least one --command are required"
[[ -z $count ]] && count=$((each ? 0 : 1))
is_uint "$count" || die_usage "--count needs a whole number, not '$count'"
check_regexes "$after" "${count_res[@]}"

port=$((20000 + RANDOM % 20000)) # a port of our own: tests run in parallel
mkdir -p "$(dirname "$log")"
rm -f "$log" "$log.monitor" # the waits below read the log: no stale copy from an earlier run

bash "$qemu_run" --log "$log" --extra "-monitor tcp:127.0.0.1:$port,server=on,wait=off" "$@" \
  >"$log.run" 2>&1 &
run_pid=$!

# matches: how many guest lines match $after so far (the [run] header lines cannot: they carry
# no kernel tag).
matches() {
  local n
  n=$(grep -cE -- "$after" "$log" 2>/dev/null) || true
  echo "${n:-0}"
}

# inject: types every command once into the monitor (fd 3).
inject() {
  local c
  for c in "${commands[@]}"; do
    printf '%s\n' "$c" >&3 2>/dev/null || return 1
  done
}

# Wait for the first guest line.
for _ in $(seq 1 1200); do
  [[ $(matches) -gt 0 ]] && break
  kill -0 "$run_pid" 2>/dev/null || break
  sleep 0.1
done

sent=0
if kill -0 "$run_pid" 2>/dev/null && exec 3<>"/dev/tcp/127.0.0.1/$port"; then
  # Keep what the monitor answers: QEMU says there why it refused or what it did instead.
  cat <&3 >"$log.monitor" &
  reader_pid=$!
  seen=0
  while kill -0 "$run_pid" 2>/dev/null && { [[ $count -eq 0 ]] || [[ $sent -lt $count ]]; }; do
    if [[ $each == 1 ]]; then
      now=$(matches)
      if [[ $now -le $seen ]]; then
        sleep 0.05
        continue
      fi
      seen=$((seen + 1)) # one injection per new line, even if two appeared since the last look
    fi
    inject || break
    sent=$((sent + 1))
    sleep "$every"
  done
  exec 3>&-
fi

status=0
wait "$run_pid" || status=$?
if [[ -n ${reader_pid:-} ]]; then
  sleep 0.2 # QEMU has closed the socket: let the reader drain it, then make sure it is gone
  kill "$reader_pid" 2>/dev/null || true
  wait "$reader_pid" 2>/dev/null || true
fi
tail -n 3 "$log.run"
what=$(printf "'%s' " "${commands[@]}")
echo "[inject] ${what}sent $sent time(s) after /$after/$([[ $each == 1 ]] && echo ' (each)')"
fail=0
if [[ $sent -eq 0 ]]; then
  echo "[inject] FAIL: nothing injected (guest line never seen, or monitor unreachable)" >&2
  fail=1
fi

# The monitor's own answers (without its prompt echoes and terminal escapes): QEMU refuses an
# mce it cannot deliver ("Invalid MCE bank number", "... reporting disabled") and resets the
# machine over one that comes while MCG_STATUS.MCIP is still set (target/i386/helper.c).
if [[ -s $log.monitor ]]; then
  answers=$(sed -E 's/\x1b\[[0-9;]*[A-Za-z]//g; s/\r//g' "$log.monitor" |
            grep -vE '^(\(qemu\)|QEMU [0-9].*monitor)' | grep -v '^[[:space:]]*$' || true)
  if [[ -n $answers ]]; then
    sed 's/^/[inject] monitor: /' <<<"$answers"
    if grep -qE 'triple fault|Invalid|not supported|disabled|does not support|unknown command' <<<"$answers"; then
      echo "[inject] FAIL: the monitor refused an injection or reset the machine over one" >&2
      fail=1
    fi
  fi
fi

# --expect-count: the guest lines (header and runner lines excluded) that match each regex.
for i in "${!counts[@]}"; do
  got=$(grep -vE '^\[(run|qemu)\] ' "$log" | grep -cE -- "${count_res[i]}") || true
  if [[ ${got:-0} -ne ${counts[i]} ]]; then
    echo "[inject] FAIL: ${got:-0} line(s) match /${count_res[i]}/, expected ${counts[i]}" >&2
    fail=1
  else
    echo "[inject] ok: ${counts[i]} line(s) match /${count_res[i]}/"
  fi
done

[[ $fail == 1 ]] && exit 1
exit "$status"
