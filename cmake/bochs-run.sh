#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Usage: bochs-run.sh --iso PATH [options]
#
# Boot PATH (lstar's GRUB2 multiboot2 ISO) in Bochs through its BIOS, show the kernel's serial
# log live, and judge the run.
#
# Bochs is a second, independent model of the CPU beside QEMU's TCG: its own decoder, its own
# exception and SYSRET rules (Intel's #GP for SYSRET to a non-canonical RCX, on every model), its
# own APIC and BIOS. It has neither fw_cfg nor isa-debug-exit, so:
#  - the command line reaches the kernel through GRUB: every run boots a copy of the ISO whose
#    grub.cfg is the original with --cmdline appended to each `multiboot2` line (later options
#    win, as with qemu-run.sh's fw_cfg) and the menu's timeout set to 0;
#  - the kernel writes its exit code to Bochs's debug port 0xE9 instead (port_e9_hack; ring 3
#    cannot reach an I/O port), which Bochs prints on its own console as "lstar: exit code 0xNN";
#  - the run passes only if that code is 0x10 (success), the kernel printed "[boot] done: success",
#    every --expect matched a line of the serial log and no --reject did. The run ends at
#    "[boot] done:", at the end of a panic report, at the exit code, when Bochs exits (a triple
#    fault is a Bochs panic here), or at --timeout. Only kernel lines count: each is matched
#    whole, from the start of the line (after the console's optional "[cpuN] "), and a program's
#    lines, which the kernel marks "NAME[PID]: " (docs/abi.md), can never match them.
# The last line printed is always "[run] PASS (...)" or "[run] FAIL: <reason>".
#
#   --iso PATH           the ISO to boot (required)
#   --cpu MODEL          Bochs CPU model (default: corei7_skylake_x; `bochs --help cpu` lists
#                        them, e.g. tigerlake, ryzen)
#   --cmdline "TEXT"     kernel options, appended to the multiboot2 line of a copy of the ISO's
#                        grub.cfg, so they override GRUB's (quotes and backslashes are refused)
#   --timeout SEC        seconds before the guest counts as hung (default: 300; 0 = no limit)
#   --log FILE           keep a copy of the serial log in FILE, and Bochs's own log beside it in
#                        FILE without .log plus .bochs.log (default: temporary files)
#   --memory MB          guest RAM in MiB (default: 256)
#   --smp N              number of CPUs (default: 1)
#   --expect REGEX       an extended regex some serial line must match (repeatable)
#   --reject REGEX       an extended regex no serial line may match (repeatable)
#   -h, --help           this text
#
# Needs bochs, bochs-term, bochsbios and vgabios (Debian), grub-mkrescue and xorriso. Bochs
# draws the guest's screen with its term display on a pseudo-terminal of its own, which this
# script reads and discards: no terminal and no standard input are needed.
# Exit status: 0 PASS, 1 FAIL, 2 usage or setup error (nothing was booted).
set -euo pipefail
export LC_ALL=C   # plain byte regexes, and '.' as the decimal point in $EPOCHREALTIME
# shellcheck source=cmake/script-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/script-lib.sh"

readonly BOCHS=bochs
readonly BIOS=/usr/share/bochs/BIOS-bochs-latest
readonly VGABIOS=/usr/share/vgabios/vgabios.bin

iso=""
cpu=corei7_skylake_x
cmdline=""
have_cmdline=0
timeout_s=300
log=""
memory=256
smp=1
expects=()
rejects=()

while [[ $# -gt 0 ]]; do
  case $1 in
    --iso)     need_value "$1" $#; iso=$2; shift 2 ;;
    --cpu)     need_value "$1" $#; cpu=$2; shift 2 ;;
    --cmdline) need_value "$1" $#; cmdline=$2; have_cmdline=1; shift 2 ;;
    --timeout) need_value "$1" $#; timeout_s=$2; shift 2 ;;
    --log)     need_value "$1" $#; log=$2; shift 2 ;;
    --memory)  need_value "$1" $#; memory=$2; shift 2 ;;
    --smp)     need_value "$1" $#; smp=$2; shift 2 ;;
    --expect)  need_value "$1" $#; expects+=("$2"); shift 2 ;;
    --reject)  need_value "$1" $#; rejects+=("$2"); shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *)         die_usage "unknown option '$1'" ;;
  esac
done

# ---- check the options ----
[[ -n $iso ]] || die_usage "--iso is required"
is_uint "$timeout_s" || die_usage "--timeout needs a whole number of seconds, not '$timeout_s'"
[[ $memory =~ ^[1-9][0-9]*$ ]] || die_usage "--memory needs a number of MiB, not '$memory'"
[[ $smp =~ ^[1-9][0-9]*$ ]] || die_usage "--smp needs a positive number, not '$smp'"
[[ $cpu =~ ^[a-z0-9_]+$ ]] || die_usage "--cpu: '$cpu' is not a Bochs CPU model name"
# GRUB escapes quotes and backslashes it passes on, so they would not reach the kernel as given.
[[ $cmdline =~ [\'\"\\] ]] && die_usage "--cmdline: quotes and backslashes cannot pass through GRUB: $cmdline"
[[ $cmdline =~ [[:cntrl:]] ]] && die_usage "--cmdline: control characters are not allowed"
check_regexes "${expects[@]}" "${rejects[@]}"

require_iso "$iso"
require_command "$BOCHS" "bochs bochs-term bochsbios vgabios"
[[ -f $BIOS ]] || die_setup "Bochs BIOS not found: $BIOS (Debian: apt-get install bochsbios)"
[[ -f $VGABIOS ]] || die_setup "VGA BIOS not found: $VGABIOS (Debian: apt-get install vgabios)"
compgen -G "/usr/lib/*/bochs/plugins/libbx_term_gui.so*" >/dev/null ||
  compgen -G "/usr/lib/bochs/plugins/libbx_term_gui.so*" >/dev/null ||
  die_setup "Bochs's term display is missing (Debian: apt-get install bochs-term)"
require_iso_copy_tools

# The model list Bochs itself prints, so a typo is a usage error, not a Bochs panic.
models=$("$BOCHS" --help cpu 2>&1 | awk '/^Supported CPU models:/ { on = 1; next } on && /^[a-z0-9_]+$/')
grep -qx -- "$cpu" <<<"$models" ||
  die_usage "--cpu: Bochs has no model '$cpu'; it has: $(echo $models)"

# ---- temporary files, removed on exit; a Bochs still running is ended first ----
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bochs-run.XXXXXX")
runner_pid=""
tail_pid=""
drain_pid=""
# stop_bochs: end Bochs. Its term display only logs SIGTERM; SIGHUP makes it quit cleanly
# ("Received SIGHUP: quit simulation"), which takes a second or two. KILL if it lingers.
stop_bochs() {
  local i
  kill -HUP "$runner_pid" 2>/dev/null || return 0
  for i in {1..50}; do
    kill -0 "$runner_pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$runner_pid" 2>/dev/null || true
}
cleanup() {
  if [[ -n $runner_pid ]]; then
    stop_bochs
    wait "$runner_pid" 2>/dev/null || true
  fi
  if [[ -n $tail_pid ]]; then kill -TERM "$tail_pid" 2>/dev/null || true; fi
  if [[ -n $drain_pid ]]; then kill -TERM "$drain_pid" 2>/dev/null || true; fi
  chmod -R u+w "$tmp" 2>/dev/null   # xorriso extracts read-only files and folders
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'echo "[run] interrupted" >&2; exit 130' INT
trap 'exit 143' TERM
if [[ -z $log ]]; then
  log=$tmp/serial.log
  bochs_log=$tmp/bochs.log
else
  mkdir -p "$(dirname "$log")"
  bochs_log=${log%.log}.bochs.log
fi
: >"$bochs_log"

# ---- the ISO copy: the same kernel and modules, a menu that boots at once with --cmdline ----
# Bochs boots through its BIOS, so the copy's BIOS half is all it needs.
read -ra words <<<"$cmdline"
# Text mode, as before the kernel asked for a framebuffer: Bochs's term display cannot show a
# graphics mode (it stops the run with "32 bpp graphics mode not supported"), and the verdict
# comes from the serial log anyway.
ISO_COPY_GFXPAYLOAD=text iso_copy_booting_at_once "$iso" "$tmp" "${words[@]}"
boot_iso=$tmp/boot.iso

# ---- the Bochs configuration ----
serial_raw=$tmp/com1.raw
: >"$serial_raw"
cat >"$tmp/bochsrc" <<EOF
# Written by bochs-run.sh for one run.
megs: $memory
# A triple fault must end the run, not reboot into GRUB again.
cpu: model=$cpu, count=$smp, reset_on_triple_fault=0
romimage: file=$BIOS
vgaromimage: file=$VGABIOS
ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14
ata0-master: type=cdrom, path="$boot_iso", status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev="$serial_raw"
display_library: term
# As fast as the host goes; guest time follows the instruction count.
clock: sync=none, time0=local
log: $bochs_log
panic: action=fatal
error: action=report
info: action=report
debug: action=ignore
# No sound card on a test machine: the PC speaker would only print ALSA errors.
speaker: enabled=0
# The kernel writes its exit code to port 0xE9 (qemu_exit.h), which Bochs prints on its console.
port_e9_hack: enabled=1
EOF
# Debian's Bochs has its debugger built in, which stops before the first instruction: continue,
# and quit should the simulation ever come back to the debugger's prompt.
printf 'c\nq\n' >"$tmp/debugger.rc"

bochs_version=$("$BOCHS" --help 2>&1 | sed -nE 's/^ *Bochs x86 Emulator ([^ ]+).*/\1/p' | head -n1)

# ---- the header: on stdout and at the top of the log ----
header=("[run] emulator=bochs cpu=$cpu firmware=bios bochs=${bochs_version:-unknown}")
header+=("[run] memory=${memory}M smp=$smp timeout=$([[ $timeout_s -eq 0 ]] && echo none || echo "${timeout_s}s")")
[[ $have_cmdline == 1 ]] && header+=("[run] cmdline=\"$cmdline\"")
header+=("[run] bochs log: $bochs_log")
printf '%s\n' "${header[@]}" | tee "$log"
header_lines=${#header[@]}

# ---- run ----
# Debian's Bochs has both its debugger and the term display, and such a build draws the screen
# on a pseudo-terminal it opens itself, announced on stderr as `Bochs connected to screen
# "/dev/pts/N"`, for a user to attach to. Nobody does here, so the watch loop below reads that
# terminal and throws the screen away: unread, its buffer fills and Bochs blocks in write() for
# good. (A build without the debugger draws on stdout, a file here, and needs nothing.) stdin is
# /dev/null, so a missing stdin (CI) changes nothing. The subshell's pid becomes Bochs's through
# exec (/usr/bin/bochs is a wrapper that execs bochs-bin).
start=$EPOCHREALTIME
( cd "$tmp" && exec env TERM=xterm "$BOCHS" -q -f "$tmp/bochsrc" -rc "$tmp/debugger.rc" \
    </dev/null >"$tmp/bochs-console.txt" 2>&1 ) &
runner_pid=$!
# The serial log, live: CR and ANSI escapes dropped, one line at a time.
tail -s 0.2 -n +1 -f --pid="$runner_pid" "$serial_raw" 2>/dev/null |
  strip_terminal_codes | tee -a "$log" &
tail_pid=$!

serial=$tmp/serial-only.log
# serial_lines: the guest's lines so far, without the header.
serial_lines() {
  tail -n +"$((header_lines + 1))" "$log" >"$serial" 2>/dev/null || true
}

# The kernel's own lines that end a run, whole (a program's line starts with NAME[PID]).
readonly TAG='^(\[cpu[0-9]\] )?'
readonly DONE_LINE="$TAG\[boot\] done: (success|failure)\$"
readonly SUCCESS_LINE="$TAG\[boot\] done: success\$"
readonly FAILURE_LINE="$TAG\[boot\] done: failure\$"
readonly PANIC_LINE="$TAG\[panic\] PANIC: "
readonly PANIC_END_LINE="$TAG\[panic\] the kernel stops here "

# exit_code: the first exit code the kernel wrote to port 0xE9 so far ("0x10"), or nothing.
exit_code() {
  sed -nE 's/^lstar: exit code (0x[0-9a-f]{2})$/\1/p' "$tmp/bochs-console.txt" 2>/dev/null | head -n1
}

# since T SEC: have more than SEC seconds passed since $EPOCHREALTIME was T?
since() {
  awk -v a="$1" -v b="$EPOCHREALTIME" -v s="$2" 'BEGIN { exit !(b - a > s) }'
}

# Watch until the kernel says it is done, a panic report ends, Bochs exits, or time runs out.
ending=""
panic_seen_at=""
while kill -0 "$runner_pid" 2>/dev/null; do
  sleep 0.25
  if [[ -z $drain_pid ]]; then
    screen=$(sed -nE 's/.*Bochs connected to screen "(\/dev\/pts\/[0-9]+)".*/\1/p' "$tmp/bochs-console.txt" | head -n1)
    if [[ -n $screen ]]; then
      cat "$screen" >/dev/null 2>&1 &
      drain_pid=$!
    fi
  fi
  serial_lines
  if grep -Eq "$DONE_LINE" "$serial" || [[ -n $(exit_code) ]]; then
    ending="done"; break
  fi
  if grep -Eq "$PANIC_END_LINE" "$serial"; then
    ending=panic; break
  fi
  # A panic whose report never ends (a fault inside it): give it 5 s, then stop.
  if [[ -z $panic_seen_at ]] && grep -Eq "$PANIC_LINE" "$serial"; then
    panic_seen_at=$EPOCHREALTIME
  fi
  if [[ -n $panic_seen_at ]] && since "$panic_seen_at" 5; then
    ending=panic; break
  fi
  if [[ $timeout_s -gt 0 ]] && since "$start" "$timeout_s"; then
    ending=timeout; break
  fi
done
end=$EPOCHREALTIME
if [[ -n $ending ]]; then stop_bochs; fi
set +e
wait "$runner_pid"
status=$?
set -e
runner_pid=""
wait "$tail_pid" 2>/dev/null || true
tail_pid=""
if [[ -n $drain_pid ]]; then
  kill -TERM "$drain_pid" 2>/dev/null || true   # it ends by itself when Bochs closes the terminal
  wait "$drain_pid" 2>/dev/null || true
  drain_pid=""
fi
elapsed=$(elapsed "$start" "$end")
serial_lines
# Bochs may have ended by itself right after the kernel's last line (its shutdown port, 0x8900):
# judge by the whole log, now that it is complete.
if [[ -z $ending ]]; then
  if grep -Eq "$DONE_LINE" "$serial"; then
    ending="done"
  elif grep -Eq "$PANIC_END_LINE" "$serial"; then
    ending=panic
  fi
fi

# Bochs's panics and errors (its log marks them 'p[' and 'e['), for the reader of a failure.
bochs_panic=$(grep -m1 -E '^[0-9]+p\[' "$bochs_log" | sed -E 's/^[0-9]+p\[[^]]*\] *//' || true)

# The exit code, read once Bochs has quit and written out its console.
code=$(exit_code)

# ---- the verdict ----
failures=()
if [[ $ending == timeout ]]; then
  failures+=("guest hung: no end within $timeout_s s (last serial line: $(last_line "$serial"))")
elif [[ -z $ending ]]; then
  if [[ -n $bochs_panic ]]; then
    failures+=("Bochs stopped the guest (exit $status): $bochs_panic")
  else
    failures+=("Bochs exited (status $status) before the kernel finished: $(grep -v -e '^[[:space:]]*$' -e '^ALSA' "$tmp/bochs-console.txt" | tail -n1 || true)")
  fi
fi
if grep -Eq "$PANIC_LINE" "$serial"; then
  failures+=("kernel panic: $(grep -m1 -E "$PANIC_LINE" "$serial" | cut -c1-120)")
elif grep -Eq "$FAILURE_LINE" "$serial"; then
  failures+=("the kernel reported failure ([boot] done: failure)")
elif [[ $ending == "done" ]] && ! grep -Eq "$SUCCESS_LINE" "$serial"; then
  failures+=("no '[boot] done: success' line")
fi
case $code in
  0x10) ;;
  0x11) [[ ${#failures[@]} -gt 0 ]] || failures+=("the kernel reported failure (exit code 0x11)") ;;
  0x12) [[ ${#failures[@]} -gt 0 ]] || failures+=("kernel panic (exit code 0x12)") ;;
  "")   failures+=("the kernel wrote no exit code to port 0xE9 (no 'lstar: exit code' line on Bochs's console)") ;;
  *)    failures+=("the kernel wrote exit code $code to port 0xE9") ;;
esac
check_expectations "$serial"
verdict_of_failures "[run] PASS (exit code 0x10, [boot] done: success, $(expectations_met), $elapsed s)"
