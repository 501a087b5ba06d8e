#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Boots the ISO through qemu-run.sh and checks what a person in front of the machine would see:
# when the kernel holds the end of the run on the screen (hold=), takes the screen with QMP's
# `screendump` and compares it pixel for pixel with a rendering of the serial log's lines, from
# the framebuffer console's first line ("[boot] log drawn on the ...") to the last one, in the
# same font and layout (screen_render, built from the kernel's own src/core/fb_text.c).
#
# Usage: screen-test.sh --run QEMU_RUN --render SCREEN_RENDER --font FONT.psf --log LOG
#                       [--cmdline TEXT] [--hold SEC] [--expect-screen REGEX]... [--png FILE]
#                       -- QEMU_RUN_ARGS...
#   --cmdline TEXT         kernel options; " hold=SEC" is appended
#   --hold SEC             how long the kernel holds the screen before its exit (default 4)
#   --expect-screen REGEX  an extended regex some row of the screen must match (repeatable)
#   --png FILE             where the screen goes as PNG (default: LOG without .log + .screen.png)
# Beside LOG: .screen.ppm (the screen), .expected.ppm (the rendering), .screen.txt (the text
# each row shows), .qmp (QMP's answers), .run (qemu-run.sh's output).
# Exits 0 PASS, 1 FAIL (the screen differs, the run failed, a row was not found), 2 usage or setup.
set -euo pipefail
trap '' PIPE # a write to QMP after QEMU is gone must fail (EPIPE), not kill us
export LC_ALL=C
# shellcheck source=cmake/script-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../cmake/script-lib.sh"

qemu_run='' render='' font='' log='' cmdline='' hold=4 png=''
screen_res=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --run)           need_value "$1" $#; qemu_run=$2; shift 2 ;;
    --render)        need_value "$1" $#; render=$2; shift 2 ;;
    --font)          need_value "$1" $#; font=$2; shift 2 ;;
    --log)           need_value "$1" $#; log=$2; shift 2 ;;
    --cmdline)       need_value "$1" $#; cmdline=$2; shift 2 ;;
    --hold)          need_value "$1" $#; hold=$2; shift 2 ;;
    --expect-screen) need_value "$1" $#; screen_res+=("$2"); shift 2 ;;
    --png)           need_value "$1" $#; png=$2; shift 2 ;;
    --)              shift; break ;;
    -h|--help)       usage; exit 0 ;;
    *)               die_usage "unknown option '$1'" ;;
  esac
done
[[ -n $qemu_run && -n $render && -n $font && -n $log ]] || die_usage "--run, --render, --font and --log are required"
[[ $hold =~ ^[1-9][0-9]*$ ]] || die_usage "--hold needs a positive number of seconds"
[[ -x $render ]] || die_setup "screen_render not found: $render (build it: cmake --build --preset default)"
[[ -f $font ]] || die_setup "font not found: $font"
require_command pnmtopng netpbm
check_regexes "${screen_res[@]}"

base=${log%.log}
shot=$(realpath -m "$base.screen.ppm") # QEMU writes it: an absolute path
expected=$base.expected.ppm text=$base.text screen_txt=$base.screen.txt
[[ -n $png ]] || png=$base.screen.png
mkdir -p "$(dirname "$log")"
rm -f "$log" "$shot" "$expected" "$text" "$screen_txt" "$png" "$base.qmp" "$base.run"

verdict_fail() {
  echo "[screen] FAIL: $*"
  exit 1
}

port=$((20000 + RANDOM % 20000)) # a port of our own: tests run in parallel
bash "$qemu_run" --log "$log" --cmdline "${cmdline:+$cmdline }hold=$hold" \
  --extra "-qmp tcp:127.0.0.1:$port,server=on,wait=off" "$@" >"$base.run" 2>&1 &
run_pid=$!

# The kernel prints this line, draws everything still waiting, then holds.
readonly HOLD_RE='^\[boot\] holding the screen for [0-9]+ s before the exit$'
readonly ATTACH_RE='^\[boot\] log drawn on the [0-9]+x[0-9]+x[0-9]+ framebuffer at [0-9a-f]+: [0-9]+ columns, [0-9]+ rows$'
while kill -0 "$run_pid" 2>/dev/null && ! grep -Eq "$HOLD_RE" "$log" 2>/dev/null; do
  sleep 0.1
done
if ! grep -Eq "$HOLD_RE" "$log" 2>/dev/null; then
  wait "$run_pid" || true
  tail -n 5 "$base.run"
  verdict_fail "the run ended before the kernel held the screen (no line /$HOLD_RE/)"
fi
attach=$(grep -E "$ATTACH_RE" "$log" | tail -n 1) ||
  { kill "$run_pid" 2>/dev/null; wait "$run_pid" || true; verdict_fail "no framebuffer console: no line /$ATTACH_RE/"; }
read -r width height cols rows < <(sed -E 's/.* ([0-9]+)x([0-9]+)x[0-9]+ framebuffer.*: ([0-9]+) columns, ([0-9]+) rows$/\1 \2 \3 \4/' <<<"$attach")
echo "[screen] $attach"

# The text the screen should show: every log line from the console's first to the hold line.
awk -v attach="$ATTACH_RE" -v hold="$HOLD_RE" '
  $0 ~ attach { n = 0; on = 1 }
  on { lines[n++] = $0 }
  on && $0 ~ hold { exit }
  END { for (i = 0; i < n; i++) print lines[i] }' "$log" >"$text"
"$render" render "$font" "$width" "$height" "$text" "$expected" "$screen_txt"

# Take the screen until it matches or the hold is over: the kernel draws the last lines right
# after printing them to the serial port, so the first look may come a moment early.
matched=0 looks=0 result=''
if exec 3<>"/dev/tcp/127.0.0.1/$port"; then
  qmp() { # qmp JSON: sends one command, prints QMP's answer to it (events are skipped)
    local line
    printf '%s\n' "$1" >&3 || return 1
    while IFS= read -r -t 10 line <&3; do
      echo "$line" >>"$base.qmp"
      [[ $line == *'"return"'* || $line == *'"error"'* ]] && { echo "$line"; return 0; }
    done
    return 1
  }
  IFS= read -r -t 10 greeting <&3 && echo "$greeting" >>"$base.qmp"
  qmp '{"execute":"qmp_capabilities"}' >/dev/null || true
  deadline=$((SECONDS + hold))
  while [[ $SECONDS -le $deadline ]] && kill -0 "$run_pid" 2>/dev/null; do
    answer=$(qmp "{\"execute\":\"screendump\",\"arguments\":{\"filename\":\"$shot\"}}") || break
    [[ $answer == *'"return"'* ]] || { result="QMP refused the screendump: $answer"; break; }
    looks=$((looks + 1))
    if result=$("$render" compare "$expected" "$shot" $((width / cols)) $((height / rows))); then
      matched=1
      break
    fi
    sleep 0.5
  done
  exec 3>&-
fi
status=0
wait "$run_pid" || status=$?
tail -n 2 "$base.run"
[[ $status -eq 0 ]] || verdict_fail "the run failed (qemu-run.sh exit $status)"
[[ $looks -gt 0 ]] || verdict_fail "no screendump taken (QMP unreachable?) ${result}"
[[ -f $shot ]] && pnmtopng "$shot" >"$png"
[[ $matched -eq 1 ]] ||
  verdict_fail "after $looks look(s): $result (screen: $shot, expected: $expected)"
echo "[screen] $result after $looks look(s); PNG: $png"
missing=0
for re in "${screen_res[@]}"; do
  if grep -Eq -- "$re" "$screen_txt"; then
    echo "[screen] on screen: /$re/"
  else
    echo "[screen] not on screen: /$re/"
    missing=1
  fi
done
[[ $missing -eq 0 ]] || verdict_fail "a row the screen must show is not there (the screen's rows: $screen_txt)"
echo "[screen] PASS ($rows rows of $cols columns, $(wc -l <"$text") log lines)"
