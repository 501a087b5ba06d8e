#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# No NASM source of the kernel spells out a value that generated/asm_offsets.inc already names.
#
# asm_offsets.inc (made by the compiler from src/arch/x86_64/asm_offsets.c) is where the kernel's
# assembly gets every number it shares with C: selectors, offsets, MSR numbers, CR/EFER/RFLAGS
# bits, PTE bits, CPUID bits, COM1, vector numbers and counts. A literal in boot/*.asm or
# src/**/*.asm|inc with the value of one of those names is a second copy that can drift. This
# reads every such file (comments and strings left out), evaluates each number and each
# `N << M`, and fails naming the file, the line and the names the value belongs to.
#
# Not checked, each for its reason:
#   values below 16         too common to mean a constant: ring numbers, register widths,
#                           scale factors, shift counts, small table indexes (3, 8)
#   align N, align=N, bits N   the assembler's own business, not values shared with C
#   ALLOWED below           a few lines whose number is not a copy of the name it equals
#   multiboot2_header.asm   the Multiboot2 header's fields (tag types, sizes, the framebuffer
#                           request) are the specification's, read by GRUB; no C code has them
#
# Usage: asm_literals_test.sh SOURCE_DIR ASM_OFFSETS_INC
set -euo pipefail
export LC_ALL=C

root=${1:?usage: asm_literals_test.sh SOURCE_DIR ASM_OFFSETS_INC}
inc=${2:?usage: asm_literals_test.sh SOURCE_DIR ASM_OFFSETS_INC}
[[ -f $inc ]] || { echo "asm_literals_test.sh: no $inc (build the kernel first)" >&2; exit 2; }

# Lines whose literal is right as it is: "path|extended regex matching the line|reason".
ALLOWED=(
  "src/arch/x86_64/trap_stubs.asm|^TRAP_(NOERR|ERR|IST|IST_ERR) [0-9]+|the exceptions' vectors 0-31, one stub each: the manuals' table, written once, here"
  "src/arch/x86_64/trap_stubs.asm|^ *add rsp, 16( |$)|drops the two words the stub pushed (vector, error code)"
)

declare -A names=() # value (decimal) -> the names it has in asm_offsets.inc
while read -r directive name value; do
  [[ $directive == %define ]] || continue
  v=$((value))
  names[$v]+="${names[$v]:+ }$name"
done <"$inc"
((${#names[@]} > 20)) || { echo "asm_literals_test.sh: $inc holds too few names" >&2; exit 2; }

# allowed FILE LINE: whether an ALLOWED entry covers this line.
allowed() {
  local entry path re
  for entry in "${ALLOWED[@]}"; do
    path=${entry%%|*} re=${entry#*|} re=${re%|*}
    [[ $1 == "$path" && $2 =~ $re ]] && return 0
  done
  return 1
}

files=0 findings=0
while IFS= read -r file; do
  rel=${file#"$root"/}
  [[ $rel == boot/multiboot2_header.asm ]] && continue
  files=$((files + 1))
  n=0
  while IFS= read -r line; do
    n=$((n + 1))
    # The code alone: no strings (messages may quote a value), no comment, no align or bits.
    code=$(sed -E "s/\"[^\"]*\"//g; s/'[^']*'//g; s/;.*//; s/(^|[[:space:]])(align|bits)(=|[[:space:]]+)[0-9]+//g" <<<"$line")
    [[ $code =~ [0-9] ]] || continue
    [[ $code =~ ^[[:space:]]*%include ]] && continue
    allowed "$rel" "$line" && continue
    # Shifts first (1 << 29 is one value), then the numbers left: hex or decimal, not part of
    # a name (r15, trap_stub_0, .l2).
    literals=()
    while [[ $code =~ (^|[^A-Za-z0-9_.])(0x[0-9a-fA-F]+|[0-9]+)[[:space:]]*\<\<[[:space:]]*([0-9]+) ]]; do
      literals+=("${BASH_REMATCH[2]} << ${BASH_REMATCH[3]}")
      code=${code/"${BASH_REMATCH[0]}"/${BASH_REMATCH[1]}}
    done
    while read -r lit; do
      [[ -n $lit ]] && literals+=("$lit")
    done < <(grep -oE '(^|[^A-Za-z0-9_.$%])(0x[0-9a-fA-F]+|[0-9]+)' <<<"$code" | sed -E 's/^[^0-9]//')
    for lit in "${literals[@]}"; do
      v=$((lit))
      ((v >= 16)) || continue
      if [[ -n ${names[$v]:-} ]]; then
        echo "FAIL: $rel:$n: '$lit' is $(printf '0x%x' "$v"), which asm_offsets.inc names ${names[$v]}: use the name"
        echo "      $line"
        findings=$((findings + 1))
      fi
    done
  done <"$file"
done < <(find "$root/boot" "$root/src" \( -name '*.asm' -o -name '*.inc' \) -type f | sort)

if ((files < 5)); then
  echo "FAIL: found only $files NASM files under $root/boot and $root/src"
  exit 1
fi
if ((findings)); then
  echo "FAIL: $findings literal(s) in $files NASM files duplicate a value of asm_offsets.inc"
  exit 1
fi
echo "ok: $files NASM files, no literal duplicates one of the ${#names[@]} values of asm_offsets.inc"
