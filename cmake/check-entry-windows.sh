#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Usage: check-entry-windows.sh KERNEL_ELF
#
# Check, after every link, that the entry-window table covers every place ring 0 can hold the
# user's GS base or RSP. The table is the .entry_windows records the ENTRY_WINDOW lines of the
# assembly emit (src/arch/x86_64/entry_window.inc), as linked between entry_windows_start and
# entry_windows_end; the kernel walks the same records (src/arch/x86_64/entry_window.c). Must lie
# inside some window [first, last]:
#   - every ring-3 edge: the addresses the RING3_EDGE lines record in .ring3_edges (each entry
#     ring 3 reaches: LSTAR, CSTAR, every IDT gate's target, the benchmark's empty entries; and
#     each sysretq/iretq back);
#   - every swapgs, sysret, sysexit and iretq instruction in the kernel's code, found by disassembling it:
#     a new one that no window covers fails here even if nobody marked it;
#   - every CR3 write in the entry text (pti_entry_text_start.._end): page-table isolation's
#     switches, around which ring 0 runs on the user's tables.
# Prints one line per uncovered address, with the label it is at (or the nearest one before it).
#
# Exit status: 0 all covered, 1 something is uncovered (or the table is malformed), 2 usage or
# setup error.
set -euo pipefail
export LC_ALL=C
# shellcheck source=cmake/script-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/script-lib.sh"

if [[ ${1:-} == -h || ${1:-} == --help ]]; then
  usage
  exit 0
fi
[[ $# -eq 1 ]] || die_usage "needs the kernel ELF"
elf=$1
[[ -f $elf ]] || die_setup "no such file: $elf"
for tool in nm objdump objcopy od; do
  command -v "$tool" >/dev/null || die_setup "$tool is not installed"
done
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# Every symbol, local labels included (NASM keeps them: int80_entry.kernel_gs), by address.
nm -n --defined-only "$elf" | awk '$2 ~ /^[TtRr]$/ && $3 !~ /^\.\.@/' >"$scratch/syms"
sym() { awk -v n="$1" '$3 == n { print $1; found = 1; exit } END { if (!found) exit 1 }' "$scratch/syms" ||
  fail "no symbol $1 in $elf"; }
# name ADDR (hex): "label" or "label+0xN", the nearest label at or before ADDR.
name() {
  local best="?" off=0 addr label
  while read -r addr _ label; do # 16 hex digits each: as strings, they compare unsigned
    [[ $addr > $1 ]] && break
    best=$label off=$((16#$1 - 16#$addr))
  done <"$scratch/syms"
  ((off == 0)) && echo "$best" || printf '%s+0x%x\n' "$best" "$off"
}

# qwords FROM TO: the 64-bit words of .rodata in [FROM, TO), one hex value per line.
objcopy -O binary --only-section=.rodata "$elf" "$scratch/rodata"
rodata=$(objdump -h "$elf" | awk '$2 == ".rodata" { print $4 }')
[[ -n $rodata ]] || fail "no .rodata section in $elf"
qwords() {
  local from=$((16#$1)) to=$((16#$2)) base=$((16#$rodata))
  ((to >= from)) || fail "$1 > $2"
  ((to == from)) && return 0
  od -An -v -tx8 -j $((from - base)) -N $((to - from)) "$scratch/rodata" | tr -s ' ' '\n' | sed '/^$/d'
}

mapfile -t words < <(qwords "$(sym entry_windows_start)" "$(sym entry_windows_end)")
((${#words[@]} % 3 == 0 && ${#words[@]} > 0)) || fail "the .entry_windows records are not whole (${#words[@]} words)"
firsts=() lasts=()
for ((i = 0; i < ${#words[@]}; i += 3)); do
  first=${words[i]} last=${words[i + 1]}
  ((16#$first <= 16#$last)) || fail "window $(name "$first") .. $(name "$last"): first after last"
  firsts+=("$((16#$first))") lasts+=("$((16#$last))")
done

uncovered=0 checked=0
# covered ADDR WHAT: ADDR (hex) lies in a window, or one line saying it does not.
covered() {
  local a=$((16#$1)) i
  checked=$((checked + 1))
  for i in "${!firsts[@]}"; do
    ((a >= firsts[i] && a <= lasts[i])) && return 0
  done
  echo "$SCRIPT_NAME: $2 at $(name "$1") (0x$1) is in no entry window: declare one (ENTRY_WINDOW)" >&2
  uncovered=$((uncovered + 1))
}

mapfile -t edges < <(qwords "$(sym ring3_edges_start)" "$(sym ring3_edges_end)")
((${#edges[@]} > 0)) || fail "no ring-3 edges recorded (RING3_EDGE)"
for edge in "${edges[@]}"; do
  covered "$edge" "the ring-3 edge"
done

# objdump shows code as data after NASM's macro-local labels (..@N.site): a copy without them.
objcopy --wildcard --strip-symbol='..@*' "$elf" "$scratch/lstar.elf"
insns=0
while read -r addr insn; do
  covered "$addr" "$insn"
  insns=$((insns + 1))
done < <(objdump -d --no-show-raw-insn -M intel "$scratch/lstar.elf" |
  sed -nE 's/^ *([0-9a-f]+):\t(swapgs|sysret[dq]?|sysexit[dq]?|iretq?)( .*)?$/\1 \2/p')
((insns > 0)) || fail "found no swapgs, sysret or iretq in $elf: is the disassembly read right?"

# Every CR3 write of the entry text (pti.inc's switches, between pti_entry_text_start and _end):
# the instructions around it run in ring 0 on the user's page tables, so each lies in a window
# (entry_window.inc). The kernel's other CR3 writes (paging, the context switch) run on its own.
text_lo=$((16#$(sym pti_entry_text_start))) text_hi=$((16#$(sym pti_entry_text_end)))
cr3_writes=0
while read -r addr insn; do
  a=$((16#$addr))
  ((a >= text_lo && a < text_hi)) || continue
  covered "$addr" "$insn"
  cr3_writes=$((cr3_writes + 1))
done < <(objdump -d --no-show-raw-insn -M intel "$scratch/lstar.elf" |
  sed -nE 's/^ *([0-9a-f]+):\t(mov +cr3,[a-z0-9]+).*$/\1 \2/p' | tr -s ' ')

if ((uncovered > 0)); then
  fail "$uncovered of $checked addresses are in no entry window"
fi
echo "entry windows: ${#firsts[@]} windows cover all ${#edges[@]} ring-3 edges, $insns swapgs/sysret/iretq and $cr3_writes CR3 writes of the entry text"
