#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Usage: debug.sh --iso ISO --elf KERNEL_ELF [--cpu MODEL]
#
# Debug lstar: boot ISO in QEMU (the same machine as qemu-run.sh, CPU model MODEL, default max)
# paused behind a GDB stub on :1234 in the background, then start GDB in the foreground on
# KERNEL_ELF with cmake/gdbinit: it attaches, sets a hardware breakpoint on kmain and continues.
# The serial log goes to debug-serial.log next to the ISO; follow it from another terminal with:
# tail -f <that file>. When GDB exits, QEMU is stopped.
#
# Normally run through CMake: cmake --build --preset default --target debug
# Exit status: GDB's; 1 if QEMU did not start, 2 usage or setup error.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=cmake/script-lib.sh
source "$here/script-lib.sh"

iso=""
elf=""
cpu=max
while [[ $# -gt 0 ]]; do
  case $1 in
    --iso)     need_value "$1" $#; iso=$2; shift 2 ;;
    --elf)     need_value "$1" $#; elf=$2; shift 2 ;;
    --cpu)     need_value "$1" $#; cpu=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *)         die_usage "unknown option '$1'" ;;
  esac
done
[[ -n $iso && -n $elf ]] || die_usage "--iso and --elf are required"

require_command gdb gdb
[[ -f $iso ]] || die_setup "ISO not found: $iso"
[[ -f $elf ]] || die_setup "kernel ELF not found: $elf"

# gdb_port_listening: is something listening on TCP port 1234 (0x04D2), the port of QEMU's -s?
# Read from /proc rather than connecting: a test connection would be taken for GDB by QEMU.
gdb_port_listening() {
  awk '$2 ~ /:04D2$/ && $4 == "0A" { found = 1 } END { exit !found }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

gdb_port_listening && die_setup "TCP port 1234 is already in use (another QEMU with -s?)"

serial_log=$(cd "$(dirname "$iso")" && pwd)/debug-serial.log

# Job control puts QEMU (with qemu-run.sh around it) in a process group of its own: a Ctrl-C in
# GDB (interrupt the guest) must not reach it, and the whole group is stopped when GDB exits.
# --timeout 0: a debugging session may take as long as it takes.
set -m
"$here/qemu-run.sh" --iso "$iso" --cpu "$cpu" --gdb --timeout 0 --log "$serial_log" >/dev/null 2>&1 &
qemu_group=$!
trap 'kill -TERM -- "-$qemu_group" 2>/dev/null || true' EXIT

# Wait for the stub (qemu-run.sh may first probe KVM for a few seconds).
for ((tries = 0; tries < 300; tries++)); do
  gdb_port_listening && break
  if ! kill -0 "$qemu_group" 2>/dev/null; then
    echo "debug.sh: QEMU did not start; its log ($serial_log) ends with:" >&2
    tail -n 5 "$serial_log" >&2 || true
    exit 1
  fi
  sleep 0.1
done
gdb_port_listening || die_setup "QEMU's GDB stub did not open port 1234 within 30 s"

echo "[debug] QEMU paused with a GDB stub on :1234; serial log: $serial_log"
echo "[debug] follow the serial log from another terminal: tail -f $serial_log"
export LSTAR_SERIAL_LOG=$serial_log   # read by lstar-msrs in gdbinit
gdb -q "$elf" -x "$here/gdbinit"
