#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The docs tests: the values of README.md and docs/*.md that this script reads (the generated
# blocks, and the quotes listed below in the forms it knows) must be what this build produces.
# A number written in any other form is not read: docs/testing.md, "The docs".
#
#   docs-check.sh --source DIR --build DIR --logs DIR           (docs_quote_what_the_build_produces)
#       boots the ISO twice under TCG (the selftest, and a kernel page fault: about 10 s), then
#       1. regenerates every generated block but the -icount ones into a scratch copy and
#          compares it with the docs (docs-lib.sh says what each block holds; design.md's
#          memory layout comes from the headers and `readelf -lW` of lstar.elf);
#       2. checks the values quoted in prose and tables against the boot log, `nm`/`objdump` of
#          lstar.elf and the headers: MSR numbers and values, LSTAR/CSTAR/GS_BASE against the
#          symbols, the EFER and FMASK bit tables, the STAR fields, the GDT selectors, the
#          selectors in fault reports, USER_CEILING, the counts of passed checks, the GDB tour's
#          checks, the entry-window boundaries, the #GP error codes of `int3`/`int $0x81`, the
#          instruction decomposition of the null round trips (from the code) and the -icount
#          rows it implies, and that each measured TCG table carries its run's context and
#          every ratio quoted from it matches it.
#   docs-check.sh --source DIR --build DIR --logs DIR --icount  (docs_icount_table_matches_the_last_icount_run)
#       compares the -icount blocks (benchmark.md's table, the README's headline figures) with
#       the newest -icount benchmark log of this build
#       (`bench-icount`, or the test bench_icount_budget, which CTest runs first), or of an
#       -icount boot of its own when there is none (a few seconds).
#
# Exit status: 0 every quote matches, 1 some do not (each printed with file and line), 2 setup
# error. A mismatch in a generated block is fixed by
# `cmake --build build --target docs`; one in prose or a table by editing it.
set -euo pipefail
trap 'echo "docs-check.sh: internal error at line $LINENO: $BASH_COMMAND" >&2; exit 2' ERR
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=cmake/script-lib.sh
source "$here/script-lib.sh"
# shellcheck source=cmake/docs-lib.sh
source "$here/docs-lib.sh"

src='' bin='' logs='' icount_mode=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --source) src=$2; shift 2 ;;
    --build) bin=$2; shift 2 ;;
    --logs) logs=$2; shift 2 ;;
    --icount) icount_mode=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die_usage "unknown option '$1'" ;;
  esac
done
[[ -n $src && -n $bin && -n $logs ]] || die_usage "--source, --build and --logs are required"
elf=$bin/lstar.elf
for f in "$elf" "$bin/lstar.iso"; do
  [[ -f $f ]] || { echo "docs-check.sh: $f not found: build first" >&2; exit 2; }
done
mkdir -p "$logs"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

mismatches=0
bad() { echo "FAIL: $*"; mismatches=$((mismatches + 1)); }
ok() { echo "ok:   $*"; }

# block_matches NAME FILE RENDERED: the block in the docs is what the build gives.
block_matches() {
  local name=$1 file=$2 rendered=$3
  if ! grep -qxF "<!-- generated:$name -->" "$src/$file"; then
    bad "$file: the generated block '$name' is missing"
  elif diff -u --label "$file ($name, in the docs)" --label "$file ($name, from this build)" \
      <(docs_block "$src/$file" "$name") "$rendered" >"$scratch/$name.diff"; then
    ok "$file: block '$name' is what this build gives"
  else
    cat "$scratch/$name.diff"
    bad "$file: block '$name' differs from this build: run \`cmake --build build --target docs\`"
  fi
}

# ---- --icount: the -icount table against the newest -icount log of this build ----
if [[ $icount_mode -eq 1 ]]; then
  if ! log=$(docs_icount_log "$bin"); then
    echo "no -icount benchmark log of this build in $bin/bench: running one"
    log=$logs/icount.log
    docs_icount_boot "$src" "$bin" "$log" || exit 2
  fi
  echo "reading $log"
  for entry in "${DOCS_BLOCKS[@]}"; do
    read -r name file <<<"$entry"
    [[ $name == icount-* ]] || continue
    docs_render "$name" "$src" "$bin" "$logs" "$log" >"$scratch/$name" || exit 2
    block_matches "$name" "$file" "$scratch/$name"
  done
  [[ $mismatches -eq 0 ]] || { echo "$mismatches quote(s) differ from this build"; exit 1; }
  echo "the -icount table and the README's -icount figures are this build's"
  exit 0
fi

# ---- one boot of each kind, then the generated blocks ----
docs_boot "$src" "$bin" "$logs" || exit 2
log=$logs/selftest.log
for entry in "${DOCS_BLOCKS[@]}"; do
  read -r name file <<<"$entry"
  [[ $name == icount-* ]] && continue # docs_icount_table_matches_the_last_icount_run
  docs_render "$name" "$src" "$bin" "$logs" >"$scratch/$name" || exit 2
  block_matches "$name" "$file" "$scratch/$name"
done

# ---- what the build produces ----
declare -A msr=() msrnum=() sel=() symbol=()
# The headers that define the MSR numbers, selectors and ABI constants the docs quote.
shared_headers=()
for h in syscall/abi.h arch/x86_64/asm_layout.h arch/x86_64/arch_bits.h arch/x86_64/msr.h arch/x86_64/stacks.h; do
  [[ -f $src/src/$h ]] && shared_headers+=("$src/src/$h")
done
while IFS= read -r line; do
  if [[ $line =~ ^\[msr\]\ cpu0\ ([A-Z_]+)=(0x[0-9a-f]{16})$ ]]; then
    msr[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
  fi
done <"$log"
while read -r _ name value _; do
  msrnum[${name#MSR_}]=$value
done < <(grep -hE '^#define MSR_[A-Z_]+ +0x[0-9a-f]+' "${shared_headers[@]}")
while read -r _ name value _; do
  sel[$name]=$value
done < <(grep -E '^#define GDT_[A-Z0-9_]+ +0x[0-9a-f]+' "$src/src/arch/x86_64/asm_layout.h")
while read -r addr _ name; do
  symbol[$name]=$addr
done < <(nm "$elf" | grep -E ' [TtBbDdRr] ')
user_ceiling=$(sed -nE 's/^#define USER_CEILING +(0x[0-9a-f]+).*/\1/p' "$src/src/syscall/abi.h")
count() { sed -nE "s/^$1: ([0-9]+) passed, 0 failed\$/\\1/p" "$log" | head -n1; }
ktest_passed=$(count ktest)
selftest_passed=$(sed -nE 's/^selftest\[[0-9]+\]: selftest: ([0-9]+) passed, 0 failed$/\1/p' "$log" | head -n1)
msr_passed=$(sed -nE 's/^\[msr\] cpu0 self-check: ([0-9]+) passed, 0 failed$/\1/p' "$log")
tour_checks=$(grep -c '^ *check ' "$src/tests/gdb/entry_tour.gdb")
for v in EFER STAR LSTAR CSTAR FMASK GS_BASE KERNEL_GS_BASE; do
  [[ -n ${msr[$v]:-} ]] || { echo "docs-check.sh: no [msr] cpu0 $v line in $log" >&2; exit 2; }
done
[[ -n $ktest_passed && -n $selftest_passed && -n $msr_passed && -n $user_ceiling ]] ||
  { echo "docs-check.sh: $log or abi.h lack a count or USER_CEILING" >&2; exit 2; }
echo "this build: STAR=${msr[STAR]} FMASK=${msr[FMASK]} LSTAR=${msr[LSTAR]} ktest=$ktest_passed selftest=$selftest_passed"

# The build itself: the MSRs that hold addresses point where the symbols are.
for pair in LSTAR:lstar_entry CSTAR:cstar_entry GS_BASE:percpu_areas; do
  reg=${pair%%:*} sym=${pair#*:}
  if [[ ${msr[$reg]} == "0x${symbol[$sym]:-none}" ]]; then
    ok "the log's $reg is the address of $sym"
  else
    bad "the log's $reg=${msr[$reg]} is not $sym (0x${symbol[$sym]:-none})"
  fi
done

docs=("$src/README.md" "$src"/docs/*.md)
# hits REGEX: every match in the docs as FILE:LINE:TEXT, with FILE relative to the source tree.
hits() { (cd "$src" && grep -HnoE -- "$1" README.md docs/*.md) || true; }
hex() { printf '0x%x' "$(($1))"; }
found=0

# [msr] lines quoted anywhere: the boot CPU's values (GS_BASE differs per CPU: only cpu0's).
found=0
while IFS=: read -r file line text; do
  found=$((found + 1))
  [[ $text =~ ^\[msr\]\ cpu([0-9]+)\ ([A-Z_]+)=(0x[0-9a-f]+)$ ]] || continue
  cpu=${BASH_REMATCH[1]} name=${BASH_REMATCH[2]} value=${BASH_REMATCH[3]}
  want=${msr[$name]:-}
  if [[ $name == GS_BASE && $cpu != 0 ]]; then
    bad "$file:$line: quotes cpu$cpu's GS_BASE, which the check cannot know: quote cpu0's"
  elif [[ $value != "$want" ]]; then
    bad "$file:$line: quotes $name=$value, this build logs $name=$want"
  fi
done < <(hits '\[msr\] cpu[0-9]+ [A-Z_]+=0x[0-9a-f]+')
[[ $found -gt 0 ]] && ok "$found [msr] values quoted in the docs" || bad "no [msr] value quoted anywhere: the check no longer matches the docs"

# MSR numbers (`IA32_NAME (`0x...`)`) and the values in docs/msr.md's headings.
re_num='IA32_([A-Z_]+) \(`(0x[0-9a-f]+)`\)(.*)$'
re_value='^## IA32_([A-Z_]+) .*\) = `(0x[0-9a-f]{16})`$'
re_addr='^## IA32_([A-Z_]+) .*\) = address of `([a-z_]+)`$'
numbers=0 values=0
for path in "${docs[@]}"; do
  file=${path#"$src/"} n=0
  while IFS= read -r text; do
    n=$((n + 1))
    rest=$text
    while [[ $rest =~ $re_num ]]; do
      name=${BASH_REMATCH[1]} num=${BASH_REMATCH[2]} rest=${BASH_REMATCH[3]}
      numbers=$((numbers + 1))
      if [[ -z ${msrnum[$name]:-} ]]; then
        bad "$file:$n: IA32_$name is not defined in ${shared_headers[*]##*/}"
      elif (($num != ${msrnum[$name]})); then
        bad "$file:$n: IA32_$name is $num here, ${msrnum[$name]} in the headers"
      fi
    done
    if [[ $text =~ $re_value ]]; then
      values=$((values + 1))
      name=${BASH_REMATCH[1]} value=${BASH_REMATCH[2]}
      [[ $value == "${msr[$name]:-}" ]] || bad "$file:$n: IA32_$name = $value here, this build programs ${msr[$name]:-nothing}"
    elif [[ $text =~ $re_addr ]]; then
      values=$((values + 1))
      name=${BASH_REMATCH[1]} sym=${BASH_REMATCH[2]}
      [[ ${msr[$name]:-} == "0x${symbol[$sym]:-none}" ]] || bad "$file:$n: IA32_$name is not the address of $sym in this build"
    fi
  done <"$path"
done
[[ $numbers -ge 7 && $values -ge 5 ]] && ok "$numbers MSR numbers and $values MSR values in headings" ||
  bad "docs/msr.md: expected MSR headings with numbers and values, found $numbers numbers and $values values"

# The EFER and FMASK tables: their bits, together, are the value the CPU reads back.
for reg in EFER FMASK; do
  bits=$(awk -v head="## IA32_$reg " '
    index($0, head) == 1 { on = 1; next }
    on && /^## / { exit }
    on && /^\| *[0-9]/ {
      split($0, cell, "|"); list = cell[2]; gsub(/–/, "-", list); gsub(/ /, "", list)
      k = split(list, part, ",")
      for (i = 1; i <= k; i++) {
        if (split(part[i], r, "-") == 2) { lo = r[1]; hi = r[2] } else { lo = part[i]; hi = part[i] }
        for (b = lo + 0; b <= hi + 0; b++) if (!(b in seen)) { seen[b] = 1; sum += 2 ^ b; rows++ }
      }
    }
    END { if (rows) printf "%d\n", sum }' "$src/docs/msr.md")
  if [[ -z $bits ]]; then
    bad "docs/msr.md: no bit table under '## IA32_$reg'"
  elif ((bits == ${msr[$reg]})); then
    ok "docs/msr.md: the $reg table's bits make $(hex "$bits"), as programmed"
  else
    bad "docs/msr.md: the $reg table's bits make $(hex "$bits"), this build has ${msr[$reg]}"
  fi
done

# STAR's fields: the table under its heading, and every `STAR[hi:lo] (+ n) = `0x..`` anywhere.
star=${msr[STAR]}
field() { echo $(((star >> $2) & ((1 << ($1 - $2 + 1)) - 1))); }
re_star_row='^\| ([0-9]+):([0-9]+) \| `?(0x[0-9a-f]+|0)`? \|$'
re_star_expr='STAR\[([0-9]+):([0-9]+)\]( \+ ([0-9]+))? = `(0x[0-9a-f]+)`'
re_sum='^`(0x[0-9a-f]+) \+ ([0-9]+)` = `(0x[0-9a-f]+)`$'
re_gdt_row='^\| `(0x[0-9a-f]+)` \| `(GDT_[A-Z0-9_]+)`'
re_gdt_eq='^`(GDT_[A-Z0-9_]+)` = `(0x[0-9a-f]+)`$'
found=0
while IFS=: read -r file line text; do
  found=$((found + 1))
  [[ $text =~ $re_star_row ]] || { bad "$file:$line: cannot read the STAR row '$text'"; continue; }
  got=$(field "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}")
  ((got == ${BASH_REMATCH[3]})) || bad "$file:$line: STAR[${BASH_REMATCH[1]}:${BASH_REMATCH[2]}] is ${BASH_REMATCH[3]} here, $(hex "$got") in this build"
done < <(cd "$src" && awk '/^## IA32_STAR /{on=1; next} on && /^## /{exit} on && /^\| [0-9]+:[0-9]+ \|/{ split($0, c, "|"); print "docs/msr.md:" NR ":|" c[2] "|" c[3] "|" }' docs/msr.md)
[[ $found -eq 3 ]] && ok "docs/msr.md: the STAR table's three fields" || bad "docs/msr.md: expected the STAR table's 3 field rows, found $found"
found=0
while IFS=: read -r file line text; do
  found=$((found + 1))
  [[ $text =~ $re_star_expr ]] || continue
  got=$(($(field "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}") + ${BASH_REMATCH[4]:-0}))
  ((got == ${BASH_REMATCH[5]})) || bad "$file:$line: '$text', but this build gives $(hex "$got")"
done < <(hits 'STAR\[[0-9]+:[0-9]+\]( \+ [0-9]+)? = `0x[0-9a-f]+`')
[[ $found -gt 0 ]] && ok "$found selectors derived from STAR" || bad "no 'STAR[..] + n = \`0x..\`' quote found"

# Selector arithmetic written out (`0x23 + 16` = `0x33`), and selectors quoted by name.
found=0
while IFS=: read -r file line text; do
  found=$((found + 1))
  [[ $text =~ $re_sum ]] || continue
  (( ${BASH_REMATCH[1]} + ${BASH_REMATCH[2]} == ${BASH_REMATCH[3]} )) || bad "$file:$line: $text is wrong"
done < <(hits '`0x[0-9a-f]+ \+ [0-9]+` = `0x[0-9a-f]+`')
ok "$found sums of selectors"
found=0
while IFS=: read -r file line text; do
  found=$((found + 1))
  if [[ $text =~ $re_gdt_row ]] || [[ $text =~ $re_gdt_eq ]]; then
    if [[ ${BASH_REMATCH[1]} == GDT_* ]]; then name=${BASH_REMATCH[1]} value=${BASH_REMATCH[2]}; else name=${BASH_REMATCH[2]} value=${BASH_REMATCH[1]}; fi
    if [[ -z ${sel[$name]:-} ]]; then
      bad "$file:$line: $name is not in asm_layout.h"
    elif ((value != ${sel[$name]})); then
      bad "$file:$line: $name is $value here, ${sel[$name]} in asm_layout.h"
    fi
  fi
done < <(hits '^\| `0x[0-9a-f]+` \| `GDT_[A-Z0-9_]+`|`GDT_[A-Z0-9_]+` = `0x[0-9a-f]+`')
[[ $found -ge 7 ]] && ok "$found GDT selectors quoted with their names" || bad "docs/msr.md: expected the GDT table's 7 named selectors, found $found"

# Selectors in quoted fault and panic reports: ring 3's are STAR's user selectors, ring 0's the
# kernel's.
found=0
while IFS=: read -r file line text; do
  found=$((found + 1))
  [[ $text =~ ^\[(fault|panic)\].*\ (CS|SS)=([0-9a-f]{4}) ]] || continue
  kind=${BASH_REMATCH[1]} reg=${BASH_REMATCH[2]} value=0x${BASH_REMATCH[3]}
  case $kind$reg in
    faultCS) want=${sel[GDT_USER_CS]} ;; faultSS) want=${sel[GDT_USER_DS]} ;;
    panicCS) want=${sel[GDT_KERNEL_CS]} ;; panicSS) want=${sel[GDT_KERNEL_DS]} ;;
  esac
  ((value == want)) || bad "$file:$line: a $kind report with $reg=$value; this build gives $want"
done < <(hits '^\[(fault|panic)\]   R[IS]P=[0-9a-f]{16} .*(CS|SS)=[0-9a-f]{4}')
ok "$found selectors in quoted reports"

# USER_CEILING, wherever its value is quoted next to its name.
found=0
while IFS=: read -r file line text; do
  found=$((found + 1))
  value=$(grep -oE '0x[0-9a-f]+' <<<"$text" | tail -n1)
  ((value == user_ceiling)) || bad "$file:$line: USER_CEILING is $value here, $user_ceiling in abi.h"
done < <(hits '`USER_CEILING`( \(`?| = `|`? \()0x[0-9a-f]+')
[[ $found -gt 0 ]] && ok "$found quotes of USER_CEILING" || bad "no quote of USER_CEILING's value found"

# Named constants quoted with their value, `NAME` (value) or in a table row | value | `NAME` |,
# against the headers C and NASM share (shared_headers).
declare -A defs=()
while read -r _ name value _; do
  defs[$name]=${value%%[uUlL]*}
done < <(grep -hE '^#define [A-Z][A-Za-z0-9_]+ +(0x[0-9a-fA-F]+|[0-9]+)([uU]?[lL]*)?( |$)' "${shared_headers[@]}")
re_named='`([A-Z][A-Za-z0-9_]+)` \((0x[0-9a-f]+|[0-9]+)\)'
re_named_row='^\| (0x[0-9a-f]+|[0-9]+) \| `([A-Z][A-Za-z0-9_]+)` \|'
found=0 named=0
while IFS=: read -r file line text; do
  if [[ $text =~ $re_named ]]; then name=${BASH_REMATCH[1]} value=${BASH_REMATCH[2]}
  elif [[ $text =~ $re_named_row ]]; then name=${BASH_REMATCH[2]} value=${BASH_REMATCH[1]}
  else continue; fi
  found=$((found + 1))
  [[ -n ${defs[$name]:-} ]] || continue
  named=$((named + 1))
  ((value == ${defs[$name]})) || bad "$file:$line: $name is $value here, ${defs[$name]} in the headers"
done < <(hits '`[A-Z][A-Za-z0-9_]+` \((0x[0-9a-f]+|[0-9]+)\)|^\| (0x[0-9a-f]+|[0-9]+) \| `[A-Z][A-Za-z0-9_]+` \|')
[[ $named -ge 20 ]] && ok "$named named constants quoted with their values" ||
  bad "expected the system-call, errno and spawn constants quoted in docs/abi.md, found $named"

# tests/expected/msr.txt (msr_values_match_docs) holds lines of docs/msr.md's block.
while IFS= read -r line; do
  docs_block "$src/docs/msr.md" msr-log | grep -qxF -- "$line" ||
    bad "tests/expected/msr.txt: '$line' is not in docs/msr.md's boot-log block"
done <"$src/tests/expected/msr.txt"
ok "tests/expected/msr.txt agrees with docs/msr.md"

# ---- counts ----
# count_quotes REGEX WANT WHAT [first]: the number in every match of REGEX (its last number, or
# its first) is WANT.
count_quotes() {
  local regex=$1 want=$2 what=$3 pick=${4:-last} n=0 file line text got
  while IFS=: read -r file line text; do
    n=$((n + 1))
    if [[ $pick == first ]]; then got=$(grep -oE '[0-9]+' <<<"$text" | head -n1); else got=$(grep -oE '[0-9]+' <<<"$text" | tail -n1); fi
    [[ $got == "$want" ]] || bad "$file:$line: '$text': this build has $want $what"
  done < <(hits "$regex")
  [[ $n -gt 0 ]] && ok "$n quote(s) of $what ($want)" || bad "no quote of $what found (pattern: $regex)"
}
count_quotes 'ktest: [0-9]+ passed' "$ktest_passed" "ktest checks passed"
count_quotes 'selftest: [0-9]+ passed' "$selftest_passed" "selftest checks passed"
count_quotes '[0-9]+ ring-3 checks' "$selftest_passed" "selftest checks" first
count_quotes 'self-check: [0-9]+ passed' "$msr_passed" "MSR self-checks passed"
count_quotes 'asserts [0-9]+ facts' "$tour_checks" "checks in tests/gdb/entry_tour.gdb"

# ---- the code, disassembled: entry windows and the null round trips ----
# objdump shows code as data after NASM's macro-local labels (..@N.site): a copy without them.
objcopy --wildcard --strip-symbol='..@*' "$elf" "$scratch/lstar.elf"
addr() { [[ -n ${symbol[$1]:-} ]] || { echo "docs-check.sh: no symbol $1 in lstar.elf" >&2; exit 2; }; echo "${symbol[$1]}"; }
# disasm FROM TO: "address<TAB>instruction" for each instruction in [FROM, TO) (hex, no 0x).
disasm() {
  objdump -d --no-show-raw-insn -M intel "$scratch/lstar.elf" --start-address="0x$1" --stop-address="0x$2" |
    sed -nE 's/^ *([0-9a-f]+):\t(.*)$/\1\t\2/p'
}
plus() { printf '%x' $((0x$1 + $2)); }
# insns FROM TO: instructions in [FROM, TO); upto FROM PATTERN: up to and including the first
# matching one.
insns() { disasm "$1" "$2" | wc -l; }
upto() { disasm "$1" "$(plus "$1" 128)" | awk -v p="$2" '{ n++ } $0 ~ p { print n; found = 1; exit } END { if (!found) print -1000 }'; }
exit_switch=$(disasm "$(addr syscall_return)" "$(addr syscall_exit_user_stack)" | tail -n1 | cut -f1)
syscall_stub=$(insns "$(addr lstar_entry)" "$(addr syscall_dispatch)")
dispatch=$(insns "$(addr syscall_dispatch)" "$(addr syscall_return)")
handler=$(upto "$(addr sys_null)" $'\tret')
syscall_checks=$(insns "$(addr syscall_return)" "$exit_switch")
syscall_leave=$(($(insns "$exit_switch" "$(addr syscall_sysret)") + 1))
int80_stub=$(upto "$(addr int80_entry)" 'j(mp|ne) .*<syscall_dispatch>')
int80_checks=$(upto "$(addr syscall_return)" 'jne .*<syscall_exit_iret>')
int80_leave=$(($(insns "$(addr syscall_exit_iret)" "$(addr syscall_iretq)") + 1))
syscall_total=$((1 + syscall_stub + dispatch + handler + syscall_checks + syscall_leave))
int80_total=$((1 + int80_stub + dispatch + handler + int80_checks + int80_leave))
echo "this build's null round trips: syscall 1+$syscall_stub+$dispatch+$handler+$syscall_checks+$syscall_leave = $syscall_total," \
  "int 0x80 1+$int80_stub+$dispatch+$handler+$int80_checks+$int80_leave = $int80_total"

# The entry windows GDB sweeps (tests/gdb/window_sweep.gdb counts them the same way): each
# entry instruction, the instructions up to the kernel stack or GS, and the exits' last ones.
boundaries=$((1 + $(insns "$(addr lstar_entry)" "$(addr lstar_entry_safe_stack)") + 1 + syscall_leave +
  1 + $(insns "$(addr int80_entry)" "$(addr int80_entry.kernel_gs)") + 1 + int80_leave))
count_quotes '[0-9]+ boundaries in this build' "$boundaries" "instruction boundaries in the entry windows" first

# docs/benchmark.md's decomposition table: each part counted from the code, and the totals.
decomp=$(awk '
  /^\| part of a null round trip \|/ { on = 1; next }
  on && !/^\|/ { exit }
  on && /^\| *[^-]/ { split($0, c, "|"); gsub(/[* ]/, "", c[3]); gsub(/[* ]/, "", c[4]); print NR "|" c[2] "|" c[3] "|" c[4] }' "$src/docs/benchmark.md")
want_rows=("entry instruction|1|1" "entry stub|$syscall_stub|$int80_stub" "dispatch|$dispatch|$dispatch"
  "handler|$handler|$handler" "return checks|$syscall_checks|$int80_checks" "leaving|$syscall_leave|$int80_leave"
  "round trip|$syscall_total|$int80_total")
before=$mismatches
for want in "${want_rows[@]}"; do
  IFS='|' read -r key ws wi <<<"$want"
  row=$(awk -F'|' -v k="$key" 'index($2, k) { print; exit }' <<<"$decomp")
  if [[ -z $row ]]; then
    bad "docs/benchmark.md: no '$key' row in the table 'part of a null round trip'"
    continue
  fi
  IFS='|' read -r line _ gs gi <<<"$row"
  [[ $gs == "$ws" && $gi == "$wi" ]] || bad "docs/benchmark.md:$line: '$key' is $gs and $gi instructions here, $ws and $wi in this build's code"
done
[[ $mismatches -ne $before ]] || ok "docs/benchmark.md: the decomposition table's rows, as counted in the code"

# The -icount table's null rows are those totals plus `mov eax, nr` and a quarter of the loop.
icount_row() {
  docs_block "$src/docs/benchmark.md" icount-table | awk -F'|' -v p="\`$1\`" '{ v = $3; gsub(/[* ]/, "", v) } index($2, p) { print v; exit }'
}
for pair in "syscall_null:$syscall_total" "int80_null:$int80_total"; do
  path=${pair%%:*} total=${pair#*:}
  got=$(icount_row "$path")
  want=$(awk -v t="$total" 'BEGIN { printf "%.2f", t + 1.25 }')
  [[ $got == "$want" ]] && ok "docs/benchmark.md: $path is $want instructions, as the code gives" ||
    bad "docs/benchmark.md: the -icount table says $path = ${got:-nothing}, this build's code gives $want"
done
found=0
while IFS=: read -r file line text; do
  found=$((found + 1))
  got=$(grep -oE '[0-9]+\.[0-9]+' <<<"$text")
  [[ $got == "$(icount_row syscall_null)" ]] || bad "$file:$line: '$text', but the -icount table says $(icount_row syscall_null)"
done < <(hits 'round trip is [0-9]+\.[0-9]+ guest instructions')
[[ $found -gt 0 ]] && ok "$found quote(s) of the null syscall's guest instructions" || bad "README.md: no 'round trip is N guest instructions' quote found"

# ---- measured tables: their context, and the ratios read from them ----
# Each table of TCG ticks ("| path | run N |...") needs, between the heading or table before it
# and itself, a line naming the kernel commit, the QEMU version and the date of its runs; every
# "N.N× `syscall`" after it (until the next such table) must be int80_null / syscall_null of one
# of its runs. Every "N.N×" in README.md must be one of some table's runs.
tables=$(awk '
  function ratios(   i, lo, hi, r) {
    lo = 1e9; hi = 0
    for (i = 3; i < nf; i++) { r = sprintf("%.1f", int80[i] / sys[i]); if (r + 0 < lo) lo = r + 0; if (r + 0 > hi) hi = r + 0 }
    return sprintf("%.1f %.1f", lo, hi)
  }
  /^#/ { context = ""; if (intable) { print "T " NR " " ratios(); intable = 0 } }
  /^\| path \| run [0-9]+ \|/ {
    intable = 1; nf = split($0, h, "|"); start = NR
    ok = (context ~ /commit `[0-9a-f]+/ && context ~ /QEMU [0-9]+\.[0-9]+/ && context ~ /20[0-9][0-9]-[01][0-9]-[0-3][0-9]/)
    print "C " NR " " ok; next
  }
  intable && /^\| `syscall_null` \|/ { split($0, c, "|"); for (i = 3; i < nf; i++) { v = c[i]; sub(/\(.*/, "", v); sys[i] = v + 0 } }
  intable && /^\| `int80_null` \|/ { split($0, c, "|"); for (i = 3; i < nf; i++) { v = c[i]; sub(/\(.*/, "", v); int80[i] = v + 0 } }
  intable && !/^\|/ { print "T " start " " ratios(); intable = 0; context = "" }
  !intable { context = context " " $0 }
  { s = $0; while (match(s, /[0-9]+\.[0-9]× `syscall`/)) { q = substr(s, RSTART, RLENGTH); sub(/×.*/, "", q); print "Q " NR " " q; s = substr(s, RSTART + RLENGTH) } }
' "$src/docs/benchmark.md")
ranges=() lo='' hi='' tcg_tables=0
while read -r kind line a b; do
  case $kind in
    C) tcg_tables=$((tcg_tables + 1))
       [[ $a == 1 ]] || bad "docs/benchmark.md:$line: a TCG table without its run's context (commit \`...\`, QEMU x.y, date) after its heading" ;;
    T) lo=$a hi=$b; ranges+=("$a $b") ;;
    Q) awk -v q="$a" -v lo="$lo" -v hi="$hi" 'BEGIN { exit !(lo != "" && q + 0 >= lo + 0 && q + 0 <= hi + 0) }' ||
         bad "docs/benchmark.md:$line: ${a}× is not int80_null / syscall_null of the table above it (${lo:-?}–${hi:-?})" ;;
  esac
done <<<"$tables"
[[ $tcg_tables -gt 0 ]] && ok "docs/benchmark.md: $tcg_tables TCG table(s), each with its context; ratios: ${ranges[*]}" ||
  bad "docs/benchmark.md: no TCG table ('| path | run N |') found"
while IFS=: read -r file line text; do
  q=$(grep -oE '^[0-9]+\.[0-9]' <<<"$text")
  matched=0
  for r in "${ranges[@]}"; do
    awk -v q="$q" -v r="$r" 'BEGIN { split(r, x, " "); exit !(q + 0 >= x[1] + 0 && q + 0 <= x[2] + 0) }' && matched=1
  done
  [[ $matched -eq 1 ]] || bad "$file:$line: ${q}× is the ratio of no TCG table in docs/benchmark.md"
done < <(cd "$src" && grep -HnoE -- '[0-9]+\.[0-9]×' README.md || true)

# ---- what QEMU reports ----
# docs/debugging.md: the #GP error codes of `int3` and `int $0x81` from ring 3, as in the log.
gp_code() {
  awk -v arg="$1" '
    index($0, "[proc] started '\''crash'\''") == 1 && index($0, "args '\''" arg "'\''") { armed = 1; next }
    armed && /^\[fault\] vector 13 / { sub(/.*error code /, ""); sub(/ .*/, ""); print; exit }' "$log"
}
if [[ $(grep -c 'reports twice the vector' "$src/docs/debugging.md" || true) -eq 1 ]]; then
  text=$(grep -oE '`int3` gives 0x[0-9a-f]+, `int \$0x81` 0x[0-9a-f]+' "$src/docs/debugging.md" || true)
  want="\`int3\` gives $(gp_code int3), \`int \$0x81\` $(gp_code int81)"
  [[ $text == "$want" ]] && ok "docs/debugging.md: $want, as in the log" ||
    bad "docs/debugging.md: '${text:-no quote}', but the log has $want"
fi

if [[ $mismatches -ne 0 ]]; then
  echo "$mismatches quote(s) differ from this build (generated blocks: \`cmake --build build --target docs\`)"
  exit 1
fi
echo "every quoted value is this build's"
