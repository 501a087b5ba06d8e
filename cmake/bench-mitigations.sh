#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Usage: bench-mitigations.sh --iso PATH [--out DIR] [--modes icount,tcg] [--sets LIST] [--cpu MODEL]
#
# The price of each entry protection (docs/hardening.md): boots PATH once per protection set and
# clock mode with the quick benchmark (run=bench:quick ktest=off mitigations=SET) and prints one
# line per benchmark row:
#
#   [mitigations-bench] clock=icount mitigation=verw path=syscall_null median=38.25 unit=...
#
# and writes DIR/mitigations.csv (clock,mitigation,path,median,p90,unit) and each boot's serial
# log as DIR/mitigations-<clock>-<set>.log. The sets: off, each protection alone (its name: the
# set mitigations=NAME), and all. Under -icount shift=0 a median is an exact count of guest
# instructions per call (deterministic: compare freely); under plain TCG it is host TSC ticks of
# QEMU's emulation (noisy, ratios only; TCG cannot price what it does not model, docs/hardening.md).
#
#   --iso PATH         the ISO to boot (required)
#   --out DIR          output directory (default: bench next to the ISO)
#   --modes LIST       comma-separated clocks: icount, tcg (default: icount,tcg)
#   --sets LIST        comma-separated sets (default: off, every protection alone, all)
#   --cpu MODEL        QEMU -cpu model (default: max; Skylake-Client prices VERW and the fences
#                      of an Intel model under auto, but the sets here name them explicitly)
#   --docs FILE        after a run of every default set in both clocks, rewrite the block
#                      mitigations-table of FILE (docs/benchmark.md, README.md) from it;
#                      repeatable
#   -h, --help         this text
#
# Exit status: 0 every boot gave its rows, 1 a boot failed or gave none, 2 usage error.
set -euo pipefail
export LC_ALL=C
here=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=cmake/script-lib.sh
source "$here/script-lib.sh"
# shellcheck source=cmake/docs-lib.sh
source "$here/docs-lib.sh"

iso= out= modes=icount,tcg cpu=max docs= docs_files=()
readonly ALL_SETS=off,swapgs-fence,clear-regs,user-mask,direct-dispatch,retpoline,verw,rsb,ibpb,ibrs,pti,all
sets=$ALL_SETS
while [[ $# -gt 0 ]]; do
  case $1 in
    --iso) need_value "$1" $#; iso=$2; shift 2 ;;
    --out) need_value "$1" $#; out=$2; shift 2 ;;
    --modes) need_value "$1" $#; modes=$2; shift 2 ;;
    --sets) need_value "$1" $#; sets=$2; shift 2 ;;
    --cpu) need_value "$1" $#; cpu=$2; shift 2 ;;
    --docs) need_value "$1" $#; docs=$2; docs_files+=("$2"); shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) die_usage "unknown option '$1'" ;;
  esac
done
[[ -n $iso ]] || die_usage "needs --iso PATH"
[[ -f $iso ]] || die_usage "no such ISO: $iso"
[[ $modes =~ ^(icount|tcg)(,(icount|tcg))*$ ]] || die_usage "--modes takes icount and/or tcg, not '$modes'"
[[ $sets =~ ^[a-z-]+(,[a-z-]+)*$ ]] || die_usage "--sets takes comma-separated names, not '$sets'"
[[ -z $docs || ( $modes == icount,tcg && $sets == "$ALL_SETS" ) ]] ||
  die_usage "--docs needs every set in both clocks (the defaults of --modes and --sets)"
for f in "${docs_files[@]}"; do [[ -f $f ]] || die_usage "--docs: no such file: $f"; done
out=${out:-$(dirname "$iso")/bench}
mkdir -p "$out"
csv=$out/mitigations.csv
echo "clock,mitigation,path,median,p90,unit" >"$csv.tmp"

failed=0
IFS=, read -r -a mode_list <<<"$modes"
IFS=, read -r -a set_list <<<"$sets"
for clock in "${mode_list[@]}"; do
  for set in "${set_list[@]}"; do
    log=$out/mitigations-$clock-$set.log
    args=(--iso "$iso" --accel tcg --cpu "$cpu" --timeout 600 --log "$log"
          --cmdline "run=bench:quick ktest=off mitigations=$set")
    [[ $clock == icount ]] && args+=(--icount)
    if ! bash "$here/qemu-run.sh" "${args[@]}" >/dev/null 2>&1; then
      echo "[mitigations-bench] clock=$clock mitigation=$set: FAIL, the boot failed (see $log)"
      failed=1
      continue
    fi
    rows=$(bench_rows "$log") || { echo "[mitigations-bench] clock=$clock mitigation=$set: FAIL, malformed rows"; failed=1; continue; }
    [[ -n $rows ]] || { echo "[mitigations-bench] clock=$clock mitigation=$set: FAIL, no rows in $log"; failed=1; continue; }
    # The unit each row states (guest instructions or TSC ticks), read from its own line.
    while IFS=$'\t' read -r path _min median p90 _rest; do
      unit=$(grep -Eo "\[bench\] row path=$path .* unit=[^ ]+" "$log" | tail -1 | sed 's/.* unit=//' | tr -d '\r')
      echo "[mitigations-bench] clock=$clock mitigation=$set path=$path median=$median p90=$p90 unit=$unit"
      echo "$clock,$set,$path,$median,$p90,$unit" >>"$csv.tmp"
    done <<<"$rows"
    # What the kernel decided for this set: a protection the CPU model cannot do is off.
    grep -E '^\[mitigations\] ' "$log" | grep -E ': on \(|entries:' | sed "s/^/[mitigations-bench] clock=$clock mitigation=$set decided: /"
  done
done
mv "$csv.tmp" "$csv"
echo "[mitigations-bench] wrote $csv"
[[ $failed -eq 0 ]] || exit 1

# The block mitigations-table: the null round trips of every set, both clocks, with the run's
# source (the commit the kernel's boot log names, the CPU model, the date).
if [[ -n $docs ]]; then
  commit=$(grep -Eo '^\[boot\] lstar [^ :]+' "$out/mitigations-icount-off.log" | head -1 | awk '{print $3}')
  {
    echo "<!-- figure-source: cmake/bench-mitigations.sh, lstar $commit, -cpu $cpu, $(date -u +%Y-%m-%d) -->"
    echo "| \`mitigations=\` | \`syscall\` null, -icount | \`int 0x80\` null, -icount | \`syscall\` null, TCG ticks | \`int 0x80\` null, TCG ticks |"
    echo "|---|---|---|---|---|"
    IFS=, read -r -a all_sets <<<"$ALL_SETS"
    for set in "${all_sets[@]}"; do
      awk -F, -v set="$set" '
        $2 == set { v[$1 "/" $3] = $4 }
        END { printf "| `%s` | %s | %s | %s | %s |\n", set, v["icount/syscall_null"], v["icount/int80_null"],
                     v["tcg/syscall_null"], v["tcg/int80_null"] }' "$csv"
    done
  } >"$out/mitigations-table.md"
  for docs in "${docs_files[@]}"; do
    if cmp -s <(docs_block "$docs" mitigations-table) "$out/mitigations-table.md"; then
      echo "[mitigations-bench] $docs: mitigations-table is current"
    else
      docs_replace_block "$docs" mitigations-table "$out/mitigations-table.md" || exit 1
      echo "[mitigations-bench] $docs: mitigations-table rewritten"
    fi
  done
fi
exit 0
