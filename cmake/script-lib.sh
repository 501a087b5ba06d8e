# SPDX-License-Identifier: MIT
# shellcheck shell=bash disable=SC2154 # the runners' expects, rejects, failures and log, by name
# Sourced by lstar's shell scripts (cmake/*.sh, tests/qemu/monitor-inject.sh,
# tests/gdb/gdb-test.sh): what they share about usage, options and exit statuses, and the
# verdict the two boot runners (qemu-run.sh, bochs-run.sh) give a run.
#
# Every script documents itself in its header comment, the block of `#` lines after `#!`:
# -h/--help prints it. The exit statuses mean the same everywhere: 0 done or PASS, 1 FAIL (the
# thing checked is wrong), 2 usage or setup error (nothing was checked).

SCRIPT_NAME=${0##*/}

# ---- usage, options, exits ----

# usage: the script's header comment, without the comment marks.
usage() {
  awk 'NR == 1 && /^#!/ { next } /^# SPDX-License-Identifier:/ { next } !/^#/ { exit } { sub(/^# ?/, ""); print }' "$0"
}

# die_usage MESSAGE...: the call was wrong. MESSAGE and the usage on stderr, exit 2.
die_usage() {
  echo "$SCRIPT_NAME: $*" >&2
  echo >&2
  usage >&2
  exit 2
}

# die_setup MESSAGE...: something needed is missing (a tool, a file), nothing ran: exit 2.
die_setup() {
  echo "$SCRIPT_NAME: $*" >&2
  exit 2
}

# fail MESSAGE...: the input is wrong or incomplete: exit 1.
fail() {
  echo "$SCRIPT_NAME: $*" >&2
  exit 1
}

# need_value OPTION ARGC: OPTION, seen with ARGC arguments left, needs a value after it.
need_value() {
  [[ $2 -ge 2 ]] || die_usage "option $1 needs a value"
}

# is_uint VALUE: is VALUE a whole number?
is_uint() {
  [[ $1 =~ ^[0-9]+$ ]]
}

# check_regexes REGEX...: each is a valid extended regex, or the call was wrong. grep exits 2
# on a malformed one: better caught now than after a two-minute boot.
check_regexes() {
  local re
  for re in "$@"; do
    if grep -Eq -- "$re" </dev/null 2>/dev/null; [[ $? -eq 2 ]]; then
      die_usage "not a valid extended regex: $re"
    fi
  done
}

# require_command COMMAND PACKAGES: COMMAND is installed, or a setup error naming the Debian
# packages that provide it.
require_command() {
  command -v "$1" >/dev/null || die_setup "$1 not found: install it (Debian: apt-get install $2)"
}

# require_iso ISO: the ISO exists, or a setup error that says how to build it.
require_iso() {
  [[ -f $1 ]] || die_setup "ISO not found: $1 (build it first: cmake --build --preset default)"
}

# ---- an ISO copy whose GRUB menu boots at once ----

readonly GRUB_PC_DIR=/usr/lib/grub/i386-pc

# require_iso_copy_tools: what iso_copy_booting_at_once needs, or a setup error naming packages.
require_iso_copy_tools() {
  require_command grub-mkrescue "grub-common grub-pc-bin"
  [[ -d $GRUB_PC_DIR ]] || die_setup "GRUB's BIOS modules not found: $GRUB_PC_DIR (Debian: apt-get install grub-pc-bin)"
  require_command xorriso xorriso
}

# iso_copy_booting_at_once ISO DIR [WORD...]: builds DIR/boot.iso, the same kernel and modules as
# ISO with a grub.cfg that appends each WORD (single-quoted) to every multiboot2 line and waits
# for no menu key (timeout=0). Only GRUB's BIOS half is built (-d i386-pc). Used where GRUB's
# two-second menu costs far more than two seconds: Bochs, and QEMU under -icount, where the
# menu's countdown is billions of guest instructions of polling. With ISO_COPY_GFXPAYLOAD set,
# each entry also says `set gfxpayload=VALUE` (e.g. text: GRUB then leaves the screen in text
# mode instead of setting the framebuffer mode the kernel asks for).
iso_copy_booting_at_once() {
  local iso=$1 dir=$2 root=$2/iso word grub_words=""
  shift 2
  mkdir -p "$root"
  xorriso -osirrox on -indev "$iso" -extract /boot "$root/boot" >"$dir/xorriso.txt" 2>&1 ||
    die_setup "cannot read /boot from $iso: $(tail -n1 "$dir/xorriso.txt")"
  chmod -R u+w "$root"
  local cfg=$root/boot/grub/grub.cfg
  [[ -f $cfg ]] || die_setup "$iso has no /boot/grub/grub.cfg"
  grep -Eq '^[[:space:]]*multiboot2[[:space:]]' "$cfg" || die_setup "$iso's grub.cfg has no multiboot2 line"
  find "$root/boot/grub" -mindepth 1 -maxdepth 1 ! -name grub.cfg -exec rm -rf {} +
  # A `set timeout=0` after the menu entries wins over the file's own, because GRUB reads the
  # whole file before it shows the menu.
  for word in "$@"; do
    grub_words+=" '$word'"
  done
  # gfxpayload goes right after the multiboot2 line: that command sets it to the mode the
  # kernel's header asks for, so only a later `set` wins.
  GRUB_WORDS=$grub_words GFXPAYLOAD=${ISO_COPY_GFXPAYLOAD:-} awk '
    /^[[:space:]]*multiboot2[[:space:]]/ {
      print $0 ENVIRON["GRUB_WORDS"]
      if (ENVIRON["GFXPAYLOAD"] != "") print "    set gfxpayload=" ENVIRON["GFXPAYLOAD"]
      next
    }
    { print }
    END { print "set timeout=0" }
  ' "$cfg" >"$cfg.new"
  mv "$cfg.new" "$cfg"
  grub-mkrescue -d "$GRUB_PC_DIR" -o "$dir/boot.iso" "$root" >"$dir/grub-mkrescue.txt" 2>&1 ||
    die_setup "grub-mkrescue failed: $(tail -n3 "$dir/grub-mkrescue.txt")"
}

# ---- the boot runners' serial logs and verdicts ----

# strip_terminal_codes: a filter that drops CR and the ANSI escapes firmware and GRUB send, so a
# log reads as plain lines; sed -u passes each line on at once, so a log stays live.
strip_terminal_codes() {
  sed -u -E 's/\r//g; s/\x1b\[[0-9;=?]*[A-Za-z]//g'
}

# elapsed START END: seconds from $EPOCHREALTIME value START to END, to a tenth.
elapsed() {
  awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'
}

# last_line FILE: FILE's last non-blank line, cut to 120 characters ("none" if there is none).
last_line() {
  local last
  last=$(grep -v '^[[:space:]]*$' "$1" | tail -n1 | cut -c1-120)
  echo "${last:-none}"
}

# check_expectations SERIAL: add to the caller's failures array each regex of its expects array
# that no line of SERIAL matches, and the first line that matches each of its rejects.
check_expectations() {
  local re line
  for re in "${expects[@]}"; do
    grep -Eq -- "$re" "$1" || failures+=("expected line not found: $re")
  done
  for re in "${rejects[@]}"; do
    if line=$(grep -E -m1 -- "$re" "$1"); then
      failures+=("rejected line found: $line")
    fi
  done
}

# expectations_met: "N expectation(s) met", counting the caller's expects and rejects.
expectations_met() {
  local checks=$((${#expects[@]} + ${#rejects[@]}))
  echo "$checks expectation$([[ $checks -eq 1 ]] || echo s) met"
}

# verdict LINE STATUS: print the run's last line to stdout and the caller's $log, and exit.
verdict() {
  echo "$1" | tee -a "$log"
  exit "$2"
}

# verdict_of_failures PASS_LINE: PASS_LINE (exit 0) when the caller's failures array is empty;
# else each failure after the first as "[run] also: ...", then "[run] FAIL: <the first>" (exit 1).
verdict_of_failures() {
  local i
  [[ ${#failures[@]} -eq 0 ]] && verdict "$1" 0
  for ((i = 1; i < ${#failures[@]}; i++)); do
    echo "[run] also: ${failures[i]}" | tee -a "$log"
  done
  verdict "[run] FAIL: ${failures[0]}" 1
}
