#!/usr/bin/env bash
# NMIs injected from the host while ring 3 hammers both entry paths must be taken on the NMI's
# IST stack with the right GS, and change nothing for the program: the selftest still passes.
#
# Usage: nmi-during-syscalls.sh QEMU_RUN ISO LOG [CPU]
# Boots `run=selftest,bench:quick` with a QEMU human monitor on a loopback TCP port and sends `nmi` every
# 50 ms until the guest exits. Passes when the run passes and the log shows NMIs that arrived
# while a program ran (`[nmi] ... (ring 3)`) as well as in the kernel (`(ring 0)`).
set -euo pipefail

if [[ $# -lt 3 ]]; then
  echo "usage: $0 QEMU_RUN ISO LOG [CPU]" >&2
  exit 2
fi
qemu_run=$1 iso=$2 log=$3 cpu=${4:-max}
port=$((20000 + RANDOM % 20000))
mkdir -p "$(dirname "$log")"
rm -f "$log" # the wait below reads it: no stale copy from an earlier run

bash "$qemu_run" --iso "$iso" --cpu "$cpu" --accel tcg --timeout 240 --log "$log" \
  --cmdline "run=selftest,bench:quick ktest=off" \
  --extra "-monitor tcp:127.0.0.1:$port,server=on,wait=off" \
  --expect '^selftest: [0-9]+ passed, 0 failed$' \
  --expect '^\[nmi\] cpu0 NMI .*\(ring 3\)' \
  --expect '^\[nmi\] cpu0 NMI .*\(ring 0\)' >"$log.run" 2>&1 &
run_pid=$!

sent=0
# Inject only once ring 3 runs: before kmain loads the IDT (GRUB, the 32-bit entry) an NMI has
# no handler and resets the machine, as it would on any x86 kernel that early.
for _ in $(seq 1 1200); do
  grep -q '^\[proc\] started' "$log" 2>/dev/null && break
  kill -0 "$run_pid" 2>/dev/null || break
  sleep 0.1
done
# Connect to the monitor, then keep injecting until QEMU goes away.
for _ in $(seq 1 200); do
  if exec 3<>"/dev/tcp/127.0.0.1/$port" 2>/dev/null; then
    while kill -0 "$run_pid" 2>/dev/null && printf 'nmi\n' >&3 2>/dev/null; do
      sent=$((sent + 1))
      sleep 0.01
    done
    exec 3>&-
    break
  fi
  sleep 0.1
done

status=0
wait "$run_pid" || status=$?
tail -n 5 "$log.run"
echo "[nmi-test] sent $sent NMIs; the kernel logged $(grep -c '^\[nmi\]' "$log" || true)"
if [[ $sent -eq 0 ]]; then
  echo "[nmi-test] FAIL: could not reach the QEMU monitor on port $port" >&2
  exit 1
fi
exit "$status"
