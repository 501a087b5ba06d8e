#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Usage: bench-report.sh --log SERIAL_LOG --out DIR [--suffix S] [--accel A] [--qemu-version V] [--title T]
#
# Turn the benchmark's lines in SERIAL_LOG (as written by qemu-run.sh --log) into
#   DIR/results<S>.csv   path,min,median,p90,p99,max,mean,samples,unit,accel
#   DIR/results<S>.png   medians with p90/p99 whiskers, one bar per path (and .svg)
#   DIR/context<S>.txt   accelerator, CPU model, vendor, brand, QEMU version, TSC, commit, date
#
#   --log SERIAL_LOG     the serial log (required)
#   --out DIR            output directory, created if needed (required)
#   --suffix S           appended to the file names, e.g. -icount (default: none)
#   --accel A            tcg, tcg-icount or kvm; default: read from the log's "[run] accel=" and
#                        "[run] icount=" lines
#   --qemu-version V     QEMU version for the context; default: read from the log
#   --title T            the chart's title (default: lstar's; cmake/bench-linux.sh names Linux)
#   -h, --help           this text
#
# Only a complete run is reported: without the "[bench] done rows=N" line, or with a different
# number of rows, nothing is written (stale outputs are removed first), so a half-finished run can
# never pass for a result.
# Exit status: 0 written, 1 bad or incomplete log (nothing written), 2 usage error.
set -euo pipefail
export LC_ALL=C   # '.' as the decimal point everywhere
here=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=cmake/script-lib.sh
source "$here/script-lib.sh"
# shellcheck source=cmake/bench-lib.sh
source "$here/bench-lib.sh"

log=""
out=""
suffix=""
accel=""
qemu_version=""
title="lstar: system call round trip per call, median with p90/p99 whiskers"

while [[ $# -gt 0 ]]; do
  case $1 in
    --log)          need_value "$1" $#; log=$2; shift 2 ;;
    --out)          need_value "$1" $#; out=$2; shift 2 ;;
    --suffix)       need_value "$1" $#; suffix=$2; shift 2 ;;
    --accel)        need_value "$1" $#; accel=$2; shift 2 ;;
    --qemu-version) need_value "$1" $#; qemu_version=$2; shift 2 ;;
    --title)        need_value "$1" $#; title=$2; shift 2 ;;
    -h|--help)      usage; exit 0 ;;
    *)              die_usage "unknown option '$1'" ;;
  esac
done
[[ -n $log ]] || die_usage "--log is required"
[[ -n $out ]] || die_usage "--out is required"
[[ $suffix =~ ^[A-Za-z0-9._-]*$ ]] || die_usage "--suffix may hold only letters, digits, '.', '_' and '-'"
if [[ -n $accel && $accel != tcg && $accel != tcg-icount && $accel != kvm ]]; then
  die_usage "--accel must be tcg, tcg-icount or kvm, not '$accel'"
fi

csv=$out/results$suffix.csv
png=$out/results$suffix.png
svg=$out/results$suffix.svg
context=$out/context$suffix.txt
mkdir -p "$out"
rm -f "$csv" "$png" "$svg" "$context"

command -v gnuplot >/dev/null || fail "gnuplot not found: install it (Debian: apt-get install gnuplot-nox)"
[[ -f $log ]] || fail "no such log: $log"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ---- parse the log ----
# Writes $tmp/rows.tsv (bench_rows's columns: path, then BENCH_ROW_FIELDS) and $tmp/facts
# (key=value: the context line, timer_overhead, and qemu-run.sh's [run] lines).
awk -v rows="$tmp/rows.tsv" -v facts="$tmp/facts" -v bench_fields="$BENCH_ROW_FIELDS" "$BENCH_AWK"'
  function bad(msg) { print "bench-report.sh: " msg > "/dev/stderr"; failed = 1; exit 1 }

  { sub(/\r$/, ""); text = bench_text($0) }

  text ~ /^\[bench\] context / {
    line = text; sub(/^\[bench\] context /, "", line)
    if (!parse_kv(line)) bad("malformed context line (line " NR "): " $0)
    for (k in kv) print "ctx_" k "=" kv[k] > facts
    context_seen = 1
    next
  }
  text ~ /^\[bench\] timer_overhead=/ {
    line = text; sub(/^\[bench\] /, "", line)
    print line > facts
    next
  }
  text ~ /^\[bench\] row / {
    if ((row = bench_row(text)) == "") bad(bench_error " (line " NR "): " $0)
    print row > rows
    row_count++
    next
  }
  text ~ /^\[bench\] done rows=/ {
    line = text; sub(/^\[bench\] done rows=/, "", line)
    if (line !~ /^[0-9]+$/) bad("malformed done line (line " NR "): " $0)
    done_rows = line + 0
    done_seen = 1
    next
  }
  /^\[run\] accel=/ {
    line = $0; sub(/^\[run\] /, "", line)
    if (parse_kv(line)) for (k in kv) print "run_" k "=" kv[k] > facts
    next
  }
  /^\[run\] icount=/ { sub(/^\[run\] /, ""); print "run_" $0 > facts; next }

  END {
    if (failed) exit 1
    if (!done_seen) bad("no \"[bench] done\" line: the benchmark did not finish (a partial run?)")
    if (!context_seen) bad("no \"[bench] context\" line")
    if (row_count != done_rows) bad("the log has " row_count + 0 " [bench] row lines, but \"[bench] done\" says rows=" done_rows)
    if (row_count == 0) bad("the benchmark reported no rows")
  }
' "$log" || fail "$log: not a complete benchmark log; nothing written"

# fact KEY: the value of KEY in $tmp/facts (the last one wins), or "unknown".
fact() {
  local v
  v=$(sed -n "s/^$1=//p" "$tmp/facts" | tail -n1)
  echo "${v:-unknown}"
}

# ---- which accelerator, hence which unit ----
if [[ -z $accel ]]; then
  case "$(fact run_accel)/$(fact run_icount)" in
    tcg/on)  accel=tcg-icount ;;
    tcg/*)   accel=tcg ;;
    kvm/*)   accel=kvm ;;
    *) fail "cannot tell which accelerator ran: $log has no \"[run] accel=\" line from qemu-run.sh; pass --accel tcg|tcg-icount|kvm" ;;
  esac
fi
# Under -icount shift=0 the guest's rdtsc advances by one per instruction.
if [[ $accel == tcg-icount ]]; then unit=guest_instructions; else unit=tsc_ticks; fi
[[ -n $qemu_version ]] || qemu_version=$(fact run_qemu)
cpu_model=$(fact run_cpu)

# ---- CSV and context ----
{
  echo "path,min,median,p90,p99,max,mean,samples,unit,accel"
  awk -F'\t' -v unit="$unit" -v accel="$accel" -v OFS=, '{ print $1, $2, $3, $4, $5, $6, $7, $8, unit, accel }' "$tmp/rows.tsv"
} >"$tmp/results.csv"

tsc_hz=$(fact ctx_tsc_hz)
{
  echo "# Where $(basename "$csv") came from (read from $(basename "$log"))."
  echo "accel=$accel"
  echo "unit=$unit"
  echo "cpu_model=$cpu_model"
  echo "firmware=$(fact run_firmware)"
  echo "qemu=$qemu_version"
  echo "vendor=$(fact ctx_vendor)"
  echo "brand=$(fact ctx_brand)"
  echo "hypervisor=$(fact ctx_hypervisor)"
  echo "tsc_hz=$tsc_hz"
  echo "tsc_source=$(fact ctx_tsc_source)"
  echo "timer_overhead=$(fact timer_overhead)"
  echo "smep=$(fact ctx_smep)"
  echo "smap=$(fact ctx_smap)"
  echo "commit=$(fact ctx_commit)"
  echo "calls_per_sample=$(cut -f9 "$tmp/rows.tsv" | sort -u | paste -sd/)"
  echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} >"$tmp/context.txt"

# ---- the chart ----
# One bar per path at the median, a thick whisker up to p90 and a thin one on to p99. syscall
# paths are blue, int 0x80 paths orange, anything else grey. The y axis turns logarithmic when
# the tallest whisker is more than 30 times the smallest median, so short bars stay readable.
awk -F'\t' '{
  color = $1 ~ /^syscall/ ? 2062260 : $1 ~ /^int80/ ? 16744206 : 8421504   # #1f77b4, #ff7f0e, #808080
  printf "%d\t%s\t%s\t%s\t%s\t%d\n", NR - 1, $1, $3, $4, $5, color
}' "$tmp/rows.tsv" >"$tmp/chart.dat"
logscale=$(awk -F'\t' 'NR == 1 || $3 < lo { lo = $3 } $5 > hi { hi = $5 }
                       END { print (lo > 0 && hi / lo > 30) ? 1 : 0 }' "$tmp/chart.dat")

if [[ $unit == guest_instructions ]]; then
  ylabel="guest instructions per call (-icount shift=0)"
else
  ylabel="TSC ticks per call"
  [[ $accel == tcg ]] && ylabel="$ylabel (TCG: host TSC, emulation cost; compare ratios only)"
fi
if [[ $tsc_hz =~ ^[0-9]+$ && $tsc_hz -gt 0 ]]; then
  tsc_text=$(awk -v hz="$tsc_hz" 'BEGIN { printf "TSC %.3f GHz", hz / 1e9 }')
else
  tsc_text="TSC $tsc_hz"
fi
subtitle="$accel, -cpu $cpu_model, QEMU $qemu_version, built from lstar commit $(fact ctx_commit)"
subtitle2="$(fact ctx_vendor) \"$(fact ctx_brand)\", $tsc_text ($(fact ctx_tsc_source))"

rows=$(wc -l <"$tmp/chart.dat")
width=$((rows * 110 + 400))
[[ $width -lt 900 ]] && width=900
{
  printf 'set title %s . "\\n" . %s . "\\n" . %s noenhanced\n' "$(gq "$title")" "$(gq "$subtitle")" "$(gq "$subtitle2")"
  echo "set ylabel $(gq "$ylabel") noenhanced"
  # Long path names would overlap side by side: slant them.
  if [[ $(awk -F'\t' 'length($2) > w { w = length($2) } END { print w + 0 }' "$tmp/chart.dat") -gt 14 ]]; then
    echo "set xtics noenhanced nomirror rotate by 25 right"
  else
    echo "set xtics noenhanced nomirror"
  fi
  echo "set xrange [-0.6:$rows - 0.4]"
  echo "set grid ytics"
  echo "set key top left"
  echo "set boxwidth 0.6"
  echo "set errorbars 8"
  echo "set style fill solid 0.85 border rgb '#303030'"
  if [[ $logscale == 1 ]]; then
    echo "set logscale y"
    echo "set yrange [*:*]"
  else
    echo "set yrange [0:*]"
  fi
  # The data columns: 1 index, 2 path, 3 median, 4 p90, 5 p99, 6 color.
  cat <<EOF
plot '$tmp/chart.dat' using 1:3:6:xtic(2) with boxes lc rgb variable notitle, \\
     '' using 1:3:3:4 with yerrorbars lw 2.5 pt 7 ps 0.5 lc rgb '#202020' title 'median to p90', \\
     '' using 1:4:4:5 with yerrorbars lw 1 dt 2 pt 0 lc rgb '#202020' title 'p90 to p99', \\
     '' using 1:5:3 with labels offset 0,0.9 font ',9' notitle, \\
     NaN with boxes lc rgb '#1f77b4' title 'syscall', \\
     NaN with boxes lc rgb '#ff7f0e' title 'int 0x80'
EOF
} >"$tmp/plot.gp"

plot_chart "$tmp/plot.gp" "$tmp/results" "$width"

# Everything worked: move the outputs into place together.
mv "$tmp/results.csv" "$csv"
mv "$tmp/context.txt" "$context"
mv "$tmp/results.png" "$png"
mv "$tmp/results.svg" "$svg"

# ---- summary ----
echo "[report] $(awk -F'\t' 'END { print NR }' "$tmp/rows.tsv") paths, $unit per call, accel=$accel, QEMU $qemu_version, -cpu $cpu_model"
awk -F'\t' '{ row[NR] = $0; if (length($1) > w) w = length($1) }
  END {
    fmt = "  %-" w "s %10s %10s %10s %10s %10s %8s\n"
    printf fmt, "path", "min", "median", "p90", "p99", "max", "samples"
    for (i = 1; i <= NR; i++) { split(row[i], f, "\t"); printf fmt, f[1], f[2], f[3], f[4], f[5], f[6], f[8] }
  }' "$tmp/rows.tsv"
echo "[report] csv:     $csv"
echo "[report] chart:   $png (and .svg)"
echo "[report] context: $context"
