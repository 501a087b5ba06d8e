#!/usr/bin/env bash
# Boots the ISO through qemu-run.sh with a QEMU human monitor on a loopback TCP port and, once
# the guest's log shows a given line, types a monitor command into it (`nmi`, `mce ...`): the
# host-side fault injection the NMI and machine-check tests need.
#
# Usage: monitor-inject.sh --run QEMU_RUN --log LOG --after REGEX --command CMD
#                          [--every SEC] [--count N] -- QEMU_RUN_ARGS...
#   --after REGEX   wait for a guest line matching REGEX before the first injection (before
#                   kmain loads the IDT, an NMI or #MC has no handler and resets the machine)
#   --count N       inject N times (default 1); 0 = keep injecting until the guest exits
#   --every SEC     pause between injections (default 0.05)
# Exits with qemu-run.sh's status; 1 if nothing could be injected.
set -euo pipefail
trap '' PIPE # a write to the monitor after QEMU is gone must fail (EPIPE), not kill us

usage() {
  sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
}

qemu_run= log= after= command= every=0.05 count=1
while [[ $# -gt 0 ]]; do
  case $1 in
    --run) qemu_run=$2; shift 2 ;;
    --log) log=$2; shift 2 ;;
    --after) after=$2; shift 2 ;;
    --command) command=$2; shift 2 ;;
    --every) every=$2; shift 2 ;;
    --count) count=$2; shift 2 ;;
    --) shift; break ;;
    *) usage ;;
  esac
done
[[ -n $qemu_run && -n $log && -n $after && -n $command ]] || usage

port=$((20000 + RANDOM % 20000)) # a port of our own: tests run in parallel
mkdir -p "$(dirname "$log")"
rm -f "$log" # the wait below reads it: no stale copy from an earlier run

bash "$qemu_run" --log "$log" --extra "-monitor tcp:127.0.0.1:$port,server=on,wait=off" "$@" \
  >"$log.run" 2>&1 &
run_pid=$!

# Wait for the guest line (the log's own [run] header lines cannot match a kernel tag).
for _ in $(seq 1 1200); do
  grep -Eq "$after" "$log" 2>/dev/null && break
  kill -0 "$run_pid" 2>/dev/null || break
  sleep 0.1
done

sent=0
if kill -0 "$run_pid" 2>/dev/null && exec 3<>"/dev/tcp/127.0.0.1/$port"; then
  while kill -0 "$run_pid" 2>/dev/null && { [[ $count -eq 0 ]] || [[ $sent -lt $count ]]; }; do
    printf '%s\n' "$command" >&3 2>/dev/null || break
    sent=$((sent + 1))
    sleep "$every"
  done
  exec 3>&-
fi

status=0
wait "$run_pid" || status=$?
tail -n 3 "$log.run"
echo "[inject] '$command' sent $sent time(s) after /$after/"
if [[ $sent -eq 0 ]]; then
  echo "[inject] FAIL: nothing injected (guest line never seen, or monitor unreachable)" >&2
  exit 1
fi
exit "$status"
