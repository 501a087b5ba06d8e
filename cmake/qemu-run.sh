#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Usage: qemu-run.sh --iso PATH [options]
#
# Boot PATH (a GRUB2 multiboot2 ISO) in qemu-system-x86_64, show the kernel's serial log live,
# and judge the run. The verdict comes from two things only: the exit code the kernel writes to
# isa-debug-exit, and the lines of the serial log (--expect / --reject). Ring 3 cannot reach
# isa-debug-exit, and the kernel prints every line a program writes as "NAME[PID]: text", so an
# --expect anchored at a kernel line ("^(\[cpu[0-9]\] )?\[boot\] ...") is one no program can
# satisfy (docs/testing.md, "Verdicts"). The last line printed is always "[run] PASS (...)" or
# "[run] FAIL: <reason>".
#
#   --iso PATH           the ISO to boot (required)
#   --firmware bios|uefi SeaBIOS (default) or OVMF from /usr/share/ovmf/OVMF.fd
#   --cpu MODEL          QEMU -cpu model (default: max)
#   --accel auto|kvm|tcg auto (default) = KVM when /dev/kvm is usable and can run the CPU model,
#                        else TCG
#   --icount             -icount shift=0,sleep=off: rdtsc counts guest instructions (TCG only)
#   --tcg-thread single|multi  TCG with one host thread for all vCPUs in turn, or one per vCPU
#                        (-accel tcg,thread=...; implies TCG; default: QEMU's choice, multi for
#                        an x86 guest on an x86 host)
#   --cmdline "TEXT"     kernel options, passed through fw_cfg file opt/lstar/cmdline; the kernel
#                        appends them to GRUB's command line, so they override it
#   --timeout SEC        seconds before the guest counts as hung (default: 120; 0 = no limit)
#   --log FILE           keep a copy of the serial log in FILE (default: a temporary file)
#   --memory SIZE        guest RAM, e.g. 256M or 1G (default: 256M)
#   --smp N              number of CPUs (default: 1)
#   --expect-exit N[,N]  QEMU exit code that means success (default: 33, the kernel wrote 0x10);
#                        a list accepts any of its codes (a run with two allowed outcomes)
#   --expect REGEX       an extended regex some serial line must match (repeatable)
#   --reject REGEX       an extended regex no serial line may match (repeatable)
#   --expect-fail        invert the verdict: the run must fail (a QEMU error does not count)
#   --fail-fast SEC      with --expect-fail: the failure must come within SEC seconds
#   --qmp PATH           QMP server on unix socket PATH (to inject NMI/MCE from the host)
#   --gdb                GDB stub on :1234, CPU paused at start (-s -S)
#   --extra "ARGS"       extra QEMU arguments, split on whitespace (repeatable)
#   -h, --help           this text
#
# QEMU exit codes: 33 = kernel success (0x10), 35 = tests failed (0x11), 37 = kernel panic (0x12),
# 0 = guest reset or triple fault (-no-reboot), 124 = timeout.
# Exit status: 0 PASS, 1 FAIL, 2 usage or setup error (nothing was booted).
set -euo pipefail
export LC_ALL=C   # plain byte regexes, and '.' as the decimal point in $EPOCHREALTIME
# shellcheck source=cmake/script-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/script-lib.sh"

readonly QEMU=qemu-system-x86_64
readonly OVMF=/usr/share/ovmf/OVMF.fd
readonly MACHINE=q35

iso=""
firmware=bios
cpu=max
accel=auto
icount=0
tcg_thread=""
cmdline=""
have_cmdline=0
timeout_s=120
log=""
memory=256M
smp=1
expect_exit=33
expects=()
rejects=()
expect_fail=0
fail_fast=""
qmp=""
gdb=0
extra=()

while [[ $# -gt 0 ]]; do
  case $1 in
    --iso)         need_value "$1" $#; iso=$2; shift 2 ;;
    --firmware)    need_value "$1" $#; firmware=$2; shift 2 ;;
    --cpu)         need_value "$1" $#; cpu=$2; shift 2 ;;
    --accel)       need_value "$1" $#; accel=$2; shift 2 ;;
    --icount)      icount=1; shift ;;
    --tcg-thread)  need_value "$1" $#; tcg_thread=$2; shift 2 ;;
    --cmdline)     need_value "$1" $#; cmdline=$2; have_cmdline=1; shift 2 ;;
    --timeout)     need_value "$1" $#; timeout_s=$2; shift 2 ;;
    --log)         need_value "$1" $#; log=$2; shift 2 ;;
    --memory)      need_value "$1" $#; memory=$2; shift 2 ;;
    --smp)         need_value "$1" $#; smp=$2; shift 2 ;;
    --expect-exit) need_value "$1" $#; expect_exit=$2; shift 2 ;;
    --expect)      need_value "$1" $#; expects+=("$2"); shift 2 ;;
    --reject)      need_value "$1" $#; rejects+=("$2"); shift 2 ;;
    --expect-fail) expect_fail=1; shift ;;
    --fail-fast)   need_value "$1" $#; fail_fast=$2; shift 2 ;;
    --qmp)         need_value "$1" $#; qmp=$2; shift 2 ;;
    --gdb)         gdb=1; shift ;;
    --extra)       need_value "$1" $#; read -ra words <<<"$2"; extra+=("${words[@]}"); shift 2 ;;
    -h|--help)     usage; exit 0 ;;
    *)             die_usage "unknown option '$1'" ;;
  esac
done

# ---- check the options ----
[[ -n $iso ]] || die_usage "--iso is required"
[[ $firmware == bios || $firmware == uefi ]] || die_usage "--firmware must be bios or uefi, not '$firmware'"
[[ $accel == auto || $accel == kvm || $accel == tcg ]] || die_usage "--accel must be auto, kvm or tcg, not '$accel'"
is_uint "$timeout_s" || die_usage "--timeout needs a whole number of seconds, not '$timeout_s'"
[[ $expect_exit =~ ^[0-9]+(,[0-9]+)*$ ]] || die_usage "--expect-exit needs a number or a list N,N, not '$expect_exit'"
[[ $smp =~ ^[1-9][0-9]*$ ]] || die_usage "--smp needs a positive number, not '$smp'"
[[ $memory =~ ^[0-9]+[KMGT]?$ ]] || die_usage "--memory needs a size like 256M or 1G, not '$memory'"
[[ $cpu =~ ^[A-Za-z0-9_.,=+-]+$ ]] || die_usage "--cpu: '$cpu' is not a CPU model name"
if [[ -n $fail_fast ]]; then
  [[ $fail_fast =~ ^[1-9][0-9]*$ ]] || die_usage "--fail-fast needs a positive number of seconds"
  [[ $expect_fail == 1 ]] || die_usage "--fail-fast only makes sense with --expect-fail"
fi
if [[ -n $tcg_thread ]]; then
  [[ $tcg_thread == single || $tcg_thread == multi ]] ||
    die_usage "--tcg-thread must be single or multi, not '$tcg_thread'"
  [[ $accel != kvm ]] || die_usage "--tcg-thread needs TCG: it cannot be combined with --accel kvm"
fi
if [[ $icount == 1 && $accel == kvm ]]; then
  die_usage "--icount needs TCG: it cannot be combined with --accel kvm"
fi
check_regexes "${expects[@]}" "${rejects[@]}"

require_command "$QEMU" qemu-system-x86
require_iso "$iso"
if [[ $firmware == uefi && ! -f $OVMF ]]; then
  die_setup "UEFI firmware not found: $OVMF (Debian: apt-get install ovmf)"
fi
if [[ $icount == 1 ]]; then
  [[ $firmware == bios ]] || die_usage "--icount boots through SeaBIOS only (its ISO copy has GRUB's BIOS half)"
  require_iso_copy_tools
fi

# ---- temporary files, removed on exit ----
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'echo "[run] interrupted" >&2; exit 130' INT
trap 'exit 143' TERM
if [[ -z $log ]]; then
  log=$tmp/serial.log
else
  mkdir -p "$(dirname "$log")"
fi
qemu_err=$tmp/qemu-stderr.txt

# Under -icount shift=0 a guest instruction is a nanosecond of guest time, and GRUB counts its
# two-second menu down by polling: two billion instructions, 100 s or more of TCG before the
# kernel starts (and several times that on a loaded host). So an -icount run boots a copy of
# the ISO whose menu does not wait; kernel and modules are the same files.
if [[ $icount == 1 ]]; then
  iso_copy_booting_at_once "$iso" "$tmp"
  iso=$tmp/boot.iso
fi

# ---- choose the accelerator ----
# kvm_can_run: can KVM run CPU model $cpu as asked? Sets kvm_reason when not.
# An open /dev/kvm is not enough (a nested hypervisor may refuse MSRs of some CPU models, or hide
# features the model promises), so boot a 64 KiB firmware whose reset vector does only
# `mov al,0x10; out 0xf4,al` and require QEMU to exit 33 without dropping any CPU feature.
kvm_can_run() {
  if [[ ! -e /dev/kvm ]]; then
    kvm_reason="no /dev/kvm"; return 1
  fi
  if [[ ! -r /dev/kvm || ! -w /dev/kvm ]]; then
    kvm_reason="/dev/kvm is not readable and writable by $(id -un)"; return 1
  fi
  local probe=$tmp/kvm-probe.bin rc=0
  { head -c 65520 /dev/zero; printf '\xb0\x10\xe6\xf4\xf4\xeb\xfd'; head -c 9 /dev/zero; } >"$probe"
  # The outer 2>/dev/null hides bash's own "Aborted" notice when QEMU dies on an assertion.
  {
    timeout -k 2 15 "$QEMU" -machine "$MACHINE" -accel kvm -cpu "$cpu" -bios "$probe" -nodefaults \
      -display none -monitor none -serial none -no-reboot \
      -device "isa-debug-exit,iobase=0xf4,iosize=0x04" </dev/null >/dev/null 2>"$tmp/kvm-probe.err" || rc=$?
  } 2>/dev/null
  if [[ $rc -ne 33 ]]; then
    kvm_reason="KVM cannot run -cpu $cpu ($(grep -m1 -v '^ *$' "$tmp/kvm-probe.err" || echo "exit $rc"))"
    return 1
  fi
  if grep -q "doesn't support requested feature" "$tmp/kvm-probe.err"; then
    kvm_reason="this KVM lacks features of -cpu $cpu ($(grep -c "doesn't support requested feature" "$tmp/kvm-probe.err") missing)"
    return 1
  fi
}

accel_note=""
if [[ $icount == 1 || -n $tcg_thread ]]; then
  accel=tcg
elif [[ $accel == auto ]]; then
  kvm_reason=""
  if kvm_can_run; then accel=kvm; else accel=tcg; accel_note="auto chose tcg: $kvm_reason"; fi
elif [[ $accel == kvm && ! ( -r /dev/kvm && -w /dev/kvm ) ]]; then
  die_setup "--accel kvm: /dev/kvm is missing or not readable and writable by $(id -un)"
fi

qemu_version=$("$QEMU" --version | head -n1 | sed -E 's/^QEMU emulator version ([^ ]+).*/\1/')

# ---- the QEMU command line ----
args=(
  -machine "$MACHINE"            # q35 boots a CD-ROM (AHCI) through both SeaBIOS and OVMF
  -accel "$accel${tcg_thread:+,thread=$tcg_thread}"
  -cpu "$cpu"
  -m "$memory"
  -smp "$smp"
  -display none
  -serial stdio                  # COM1 carries the kernel's log
  -monitor none
  -no-reboot                     # a triple fault ends the run (exit 0) instead of rebooting
  -device "isa-debug-exit,iobase=0xf4,iosize=0x04"
  -cdrom "$iso"
  -boot d
)
[[ $firmware == uefi ]] && args+=(-bios "$OVMF")
[[ $icount == 1 ]] && args+=(-icount "shift=0,sleep=off")
if [[ $have_cmdline == 1 ]]; then
  # QEMU's option parser treats ',' as a separator; ',,' is a literal comma.
  args+=(-fw_cfg "name=opt/lstar/cmdline,string=${cmdline//,/,,}")
fi
[[ -n $qmp ]] && args+=(-qmp "unix:$qmp,server=on,wait=off")
[[ $gdb == 1 ]] && args+=(-s -S)
args+=("${extra[@]}")

# --fail-fast: a failure after that many seconds does not count, so stop waiting then.
run_timeout=$timeout_s
if [[ -n $fail_fast ]] && [[ $timeout_s -eq 0 || $fail_fast -lt $timeout_s ]]; then
  run_timeout=$fail_fast
fi

# shell_words ARG...: the arguments as one line a shell would split back into them.
shell_words() {
  local arg out=()
  for arg in "$@"; do
    if [[ $arg =~ ^[A-Za-z0-9_./:=,+-]+$ ]]; then out+=("$arg"); else out+=("'${arg//\'/\'\\\'\'}'"); fi
  done
  echo "${out[*]}"
}

# ---- the header: on stdout and at the top of the log (bench-report.sh reads it there) ----
header=("[run] accel=$accel cpu=$cpu firmware=$firmware qemu=$qemu_version")
header+=("[run] icount=$([[ $icount == 1 ]] && echo on || echo off)")
header+=("[run] machine=$MACHINE memory=$memory smp=$smp timeout=$([[ $run_timeout -eq 0 ]] && echo none || echo "${run_timeout}s")")
[[ -n $tcg_thread ]] && header+=("[run] tcg-thread=$tcg_thread")
[[ $have_cmdline == 1 ]] && header+=("[run] cmdline=\"$cmdline\"")
[[ -n $accel_note ]] && header+=("[run] $accel_note")
[[ -n $qmp ]] && header+=("[run] qmp=unix:$qmp")
[[ $gdb == 1 ]] && header+=("[run] gdb stub on :1234, CPU paused until GDB continues")
header+=("[run] $QEMU $(shell_words "${args[@]}")")
printf '%s\n' "${header[@]}" | tee "$log"
header_lines=${#header[@]}

# ---- run ----
# stdin from /dev/null: QEMU must not put the terminal into raw mode (a killed QEMU leaves it so).
start=$EPOCHREALTIME
set +e
timeout --foreground -k 5 "$run_timeout" "$QEMU" "${args[@]}" </dev/null 2>"$qemu_err" |
  strip_terminal_codes | tee -a "$log"
status=${PIPESTATUS[0]}
set -e
elapsed=$(elapsed "$start" "$EPOCHREALTIME")

# QEMU's own messages (warnings, errors) go to stderr and the log, marked as QEMU's. QEMU warns
# once per CPU feature the accelerator cannot give (a dozen lines for -cpu Skylake-Client under
# TCG); those are folded into one line.
if [[ -s $qemu_err ]]; then
  awk '
    /warning: .* doesn.t support requested feature: / {
      who = $0; sub(/.*warning: /, "", who); sub(/ doesn.t support.*/, "", who)
      feature = $0; sub(/.*requested feature: CPUID\.[^.]*\./, "", feature); sub(/ \[.*/, "", feature)
      missing = missing " " feature; n++
      next
    }
    { print }
    END { if (n) printf "warning: %s does not support %d feature(s) of this CPU model:%s\n", who, n, missing }
  ' "$qemu_err" | sed 's/^/[qemu] /' | tee -a "$log" >&2
fi

# The guest's lines only, without the header.
serial=$tmp/serial-only.log
tail -n +"$((header_lines + 1))" "$log" | grep -v '^\[qemu\] ' >"$serial" || true

# ---- the verdict ----
# qemu_failed N: exit N came from QEMU or timeout themselves, not from the guest.
# QEMU reports its own errors on stderr as "qemu-system-x86_64: <message>" (warnings say
# "warning:"); a guest's isa-debug-exit code comes without such a line.
qemu_failed() {
  local n=$1
  [[ $n -ge 125 && $n -le 127 ]] && return 0   # timeout could not start QEMU
  [[ $n -eq 1 || $n -ge 128 ]] && qemu_error >/dev/null
}

# qemu_error: print QEMU's first error message, if it printed one.
qemu_error() {
  grep -m1 -E "^$QEMU: " "$qemu_err" | grep -v -E "^$QEMU: (warning:|terminating on signal)"
}

# describe_exit N: what QEMU's exit code N says about the guest.
describe_exit() {
  local n=$1
  case $n in
    0)   echo 'guest reset or triple fault: QEMU exited 0 without an exit code (see -d int: rerun with --extra "-d int,cpu_reset -D qemu.log")' ;;
    33)  echo "kernel reported success (exit 33)" ;;
    35)  echo "tests failed (exit 35)" ;;
    37)  echo "kernel panic (exit 37)" ;;
    124|137)
      echo "guest hung: no exit within $run_timeout s (last serial line: $(last_line "$serial"))" ;;
    *)
      # isa-debug-exit makes QEMU exit with (value << 1) | 1: odd codes are the guest's.
      if (( n % 2 == 1 && n <= 255 )) && ! qemu_failed "$n"; then
        printf 'guest wrote 0x%02x to isa-debug-exit (exit %d)\n' $(((n - 1) / 2)) "$n"
      else
        echo "QEMU failed (exit $n): $(qemu_error || echo 'no message')"
      fi ;;
  esac
}

failures=()
if [[ ,$expect_exit, != *,$status,* ]]; then
  reason=$(describe_exit "$status")
  [[ $expect_exit != 33 ]] && reason="$reason; expected exit $expect_exit"
  failures+=("$reason")
else
  check_expectations "$serial"
fi
met=$(expectations_met)

if [[ $expect_fail == 0 ]]; then
  verdict_of_failures "[run] PASS (exit $status, $met, $elapsed s)"
fi

# --expect-fail: the guest must have failed, by itself, and (with --fail-fast) in time.
if [[ ${#failures[@]} -eq 0 ]]; then
  verdict "[run] FAIL: the run was expected to fail, but it passed (exit $status, $met, $elapsed s)" 1
fi
if qemu_failed "$status"; then
  verdict "[run] FAIL: QEMU itself failed, so the guest proved nothing: ${failures[0]}" 1
fi
if [[ -n $fail_fast ]]; then
  if [[ $status -eq 124 || $status -eq 137 ]] ||
     awk -v e="$elapsed" -v f="$fail_fast" 'BEGIN { exit !(e >= f) }'; then
    verdict "[run] FAIL: the failure did not come within --fail-fast $fail_fast s: ${failures[0]}" 1
  fi
fi
verdict "[run] PASS (failed as required: ${failures[0]}; $elapsed s)" 0
