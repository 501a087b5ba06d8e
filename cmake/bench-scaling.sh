#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Usage: bench-scaling.sh --iso PATH [--out DIR] [--max-cpus N] [--seconds S] [options]
#
# The benchmark on every CPU at once, for 1, 2, ... N CPUs: boots PATH once per CPU count with
# qemu-run.sh --smp n, every CPU running `bench scaling` (run=bench:scaling:seconds=S@all: each
# path counted for S seconds of wall-clock time, windows back to back), and writes
#   DIR/scaling.csv            path,cpus,calls_per_second,calls_per_second_per_cpu,unit,accel
#                              calls_per_second: the sum of the CPUs' rates; _per_cpu: its mean
#   DIR/scaling.png, .svg      aggregate calls/s against CPUs, one line per path, and dashed the
#                              ideal linear scaling from each path's 1-CPU point
#   DIR/scaling-context.txt    host CPUs (nproc) and TSC frequency, QEMU version, accelerator
#                              and TCG thread mode, commit, date; per CPU count the windows'
#                              overlap and the host CPU time the vCPU threads got, in all and
#                              per path, with the share of it spent in the host kernel
#   DIR/scaling-serial-<n>.log the serial log of the boot with n CPUs
#
#   --iso PATH           the ISO to boot (required)
#   --out DIR            output directory (default: bench next to the ISO)
#   --max-cpus N         the largest CPU count (default: 4)
#   --seconds S          seconds per path and window, 1..60 (default: 5)
#   --accel tcg|kvm      accelerator (default: tcg)
#   --tcg-thread single|multi  TCG's thread mode (qemu-run.sh --tcg-thread; default: QEMU's,
#                        multi): single runs every vCPU in turn on one host thread, the baseline
#                        against which the multi-threaded curve shows what it owes to host cores
#   --cpu MODEL          QEMU -cpu model (default: max)
#   --min-overlap PCT    refuse a path whose CPUs' windows overlap less (default: 90)
#   --timeout SEC        seconds before a boot counts as hung (default: 4 x S + 240)
#   --host-tsc-hz HZ     the host's TSC frequency (default: from the host kernel's log, "tsc:
#                        Refined TSC clocksource calibration" or "tsc: Detected"); 0 = none
#   -h, --help           this text
#
# Under TCG the vCPUs must each have a host thread of their own (QEMU's multi-threaded TCG, its
# default for an x86 guest on an x86 host): the script reads the names of QEMU's threads while
# the guest runs (-name ...,debug-threads=on: "CPU n/TCG" per vCPU, "ALL CPUs/TCG" for the
# single-threaded round robin) and writes the mode it saw in the accel column: tcg-multi or
# tcg-single. The overlap of a path is the time all CPUs spent in its window together, over the
# time from the first CPU's start to the last CPU's end.
#
# The guest's clock_ns is its TSC divided by the frequency the kernel calibrated at boot against
# the PIT (10 ms, under TCG on a busy host off by up to 20%, and differently at every boot),
# while its TSC ticks at the host's TSC rate (TCG reads the host's TSC; KVM's default is the
# host's frequency). So each boot's rates are rescaled by host TSC Hz / the guest's tsc_hz: the
# CPU counts are then compared in host seconds, not in each boot's own mis-calibrated ones.
# Exit status: 0 written, 1 a boot failed or its rows were incomplete or did not overlap enough
# (nothing written, stale outputs removed), 2 usage or setup error.
set -euo pipefail
export LC_ALL=C   # '.' as the decimal point everywhere
here=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=cmake/script-lib.sh
source "$here/script-lib.sh"
# shellcheck source=cmake/bench-lib.sh
source "$here/bench-lib.sh"

iso=""
out=""
max_cpus=4
seconds=5
accel=tcg
tcg_thread=""
cpu=max
min_overlap=90
boot_timeout=""
host_tsc_hz=""

while [[ $# -gt 0 ]]; do
  case $1 in
    --iso)         need_value "$1" $#; iso=$2; shift 2 ;;
    --out)         need_value "$1" $#; out=$2; shift 2 ;;
    --max-cpus)    need_value "$1" $#; max_cpus=$2; shift 2 ;;
    --seconds)     need_value "$1" $#; seconds=$2; shift 2 ;;
    --accel)       need_value "$1" $#; accel=$2; shift 2 ;;
    --tcg-thread)  need_value "$1" $#; tcg_thread=$2; shift 2 ;;
    --cpu)         need_value "$1" $#; cpu=$2; shift 2 ;;
    --min-overlap) need_value "$1" $#; min_overlap=$2; shift 2 ;;
    --timeout)     need_value "$1" $#; boot_timeout=$2; shift 2 ;;
    --host-tsc-hz) need_value "$1" $#; host_tsc_hz=$2; shift 2 ;;
    -h|--help)     usage; exit 0 ;;
    *)             die_usage "unknown option '$1'" ;;
  esac
done
[[ -n $iso ]] || die_usage "--iso is required"
[[ -n $out ]] || out=$(dirname "$iso")/bench
[[ $max_cpus =~ ^[1-9][0-9]?$ && $max_cpus -le 16 ]] || die_usage "--max-cpus needs a number from 1 to 16, not '$max_cpus'"
[[ $seconds =~ ^[1-9][0-9]?$ && $seconds -le 60 ]] || die_usage "--seconds needs a number from 1 to 60, not '$seconds'"
[[ $accel == tcg || $accel == kvm ]] || die_usage "--accel must be tcg or kvm, not '$accel'"
[[ -z $tcg_thread || $tcg_thread == single || $tcg_thread == multi ]] ||
  die_usage "--tcg-thread must be single or multi, not '$tcg_thread'"
[[ -z $tcg_thread || $accel == tcg ]] || die_usage "--tcg-thread needs --accel tcg"
[[ $min_overlap =~ ^[0-9]+(\.[0-9]+)?$ ]] || die_usage "--min-overlap needs a percentage, not '$min_overlap'"
[[ -z $boot_timeout || $boot_timeout =~ ^[1-9][0-9]*$ ]] || die_usage "--timeout needs a positive number of seconds, not '$boot_timeout'"
[[ -z $host_tsc_hz ]] || is_uint "$host_tsc_hz" || die_usage "--host-tsc-hz needs a number of Hz, not '$host_tsc_hz'"
require_command gnuplot gnuplot-nox
require_command pgrep procps
[[ -f $iso ]] || die_setup "ISO not found: $iso (build it first: cmake --build --preset default)"

csv=$out/scaling.csv
png=$out/scaling.png
svg=$out/scaling.svg
context=$out/scaling-context.txt
mkdir -p "$out"
rm -f "$csv" "$png" "$svg" "$context"

tmp=$(mktemp -d)
run_pid=""
trap '[[ -n $run_pid ]] && kill "$run_pid" 2>/dev/null; rm -rf "$tmp"' EXIT

clk_tck=$(getconf CLK_TCK)
# The windows of one boot: four paths, a settling half second before the first (bench.c).
windows_per_boot=4
[[ -n $boot_timeout ]] || boot_timeout=$((windows_per_boot * seconds + 240))

# host_tsc: "HZ SOURCE" for the host's TSC, from the host kernel's log; nothing if it says nothing.
host_tsc() {
  local mhz how
  for how in "Refined TSC clocksource calibration" "Detected"; do
    mhz=$(dmesg 2>/dev/null | sed -n "s/.*tsc: $how: *\([0-9.]*\) MHz.*/\1/p; s/.*tsc: $how \([0-9.]*\) MHz.*/\1/p" | tail -n1)
    if [[ $mhz =~ ^[0-9]+(\.[0-9]+)?$ ]]; then
      awk -v mhz="$mhz" -v how="$how" 'BEGIN { printf "%.0f the host kernel'"'"'s \"tsc: %s\"\n", mhz * 1e6, how }'
      return
    fi
  done
}
if [[ -z $host_tsc_hz ]]; then
  read -r host_tsc_hz host_tsc_source <<<"$(host_tsc) "
  [[ -n $host_tsc_hz ]] || host_tsc_hz=0 host_tsc_source="unknown: rates as each boot's guest clock gave them"
else
  host_tsc_source="--host-tsc-hz"
fi

# qemu_of PID: the QEMU process started under PID (qemu-run.sh -> timeout -> QEMU), if any yet.
qemu_of() {
  local p c
  for p in $(pgrep -P "$1" 2>/dev/null); do
    for c in "$p" $(pgrep -P "$p" 2>/dev/null); do
      [[ $(cat "/proc/$c/comm" 2>/dev/null) == qemu-system-x86 ]] && { echo "$c"; return 0; }
    done
  done
  return 1
}

# sample QEMU_PID LOG: one line about the running QEMU: host seconds, how many CPUs have
# announced their windows and how many rows are out in LOG, the host's busy and stolen time
# (all its CPUs, all processes: /proc/stat), then name=utime:stime for each vCPU thread (time
# in ring 3 and in the host kernel). Times are in clock ticks. QEMU names its vCPU threads "CPU n/TCG", "ALL CPUs/TCG" or
# "CPU n/KVM" (-name ...,debug-threads=on).
sample() {
  local t stat rest name fields starts rows host line=()
  starts=$(grep -cE "${BENCH_LINE}\\[bench\\] scaling: " "$2" 2>/dev/null) || true
  rows=$(grep -cE "${BENCH_LINE}\\[bench\\] scaling cpu=" "$2" 2>/dev/null) || true
  read -ra host </proc/stat                # cpu user nice system idle iowait irq softirq steal
  line+=("$EPOCHREALTIME" "${starts:-0}" "${rows:-0}"
         "$((host[1] + host[2] + host[3] + host[6] + host[7]))" "${host[8]}")
  for t in /proc/"$1"/task/*; do
    read -r name 2>/dev/null <"$t/comm" || continue   # read, not cat: no process per sample
    [[ $name == *"/TCG" || $name == *"/KVM" ]] || continue
    read -r stat 2>/dev/null <"$t/stat" || continue
    rest=${stat##*) }                       # the fields after "(comm)": state is field 3
    read -ra fields <<<"$rest"
    line+=("${name// /_}=${fields[11]}:${fields[12]}")    # fields 14 and 15: utime, stime
  done
  echo "${line[*]}"
}

# boot N: boots the ISO with N CPUs, keeping its log, sampling QEMU's vCPU threads meanwhile.
boot() {
  local n=$1 log=$out/scaling-serial-$1.log samples=$tmp/samples-$1 qemu="" status=0
  : >"$samples"
  loadavg[n]=$(cut -d' ' -f1 /proc/loadavg)
  echo "[scaling] booting with $n CPU(s): run=bench:scaling:seconds=$seconds@all"
  bash "$here/qemu-run.sh" --iso "$iso" --accel "$accel" ${tcg_thread:+--tcg-thread "$tcg_thread"} --cpu "$cpu" --smp "$n" \
    --cmdline "run=bench:scaling:seconds=$seconds@all ktest=off" --timeout "$boot_timeout" \
    --extra "-name lstar-scaling,debug-threads=on" --log "$log" \
    --expect "${BENCH_LINE}\\[bench\\] scaling done cpu=$((n - 1)) rows=" >"$tmp/run-$n.out" 2>&1 &
  run_pid=$!
  while kill -0 "$run_pid" 2>/dev/null; do
    # Look again whenever the QEMU found has gone: qemu-run.sh first runs short-lived QEMUs of its
    # own (`--version`, and under KVM a probe), and sampling one of those would see no vCPU thread.
    if [[ -z $qemu || ! -d /proc/$qemu ]]; then qemu=$(qemu_of "$run_pid") || qemu=""; fi
    [[ -n $qemu && -d /proc/$qemu ]] && sample "$qemu" "$log" >>"$samples"
    # Look for QEMU often until its first sample is in: a short boot on a loaded host could
    # otherwise end before a 0.25 s poll ever saw its vCPU threads.
    if [[ -s $samples ]]; then sleep 0.25; else sleep 0.05; fi
  done
  wait "$run_pid" || status=$?
  run_pid=""
  if [[ $status -ne 0 ]]; then
    tail -n 5 "$tmp/run-$n.out" >&2
    fail "the boot with $n CPU(s) failed (exit $status); its log: $log"
  fi
  grep -E '^\[run\] (PASS|FAIL)' "$tmp/run-$n.out" | sed 's/^/  /'
}

# mode_of N: the accel column for the boot with N CPUs, from the vCPU threads' names.
mode_of() {
  local names
  names=$(awk '{ for (i = 6; i <= NF; i++) { sub(/=.*/, "", $i); print $i } }' "$tmp/samples-$1" | sort -u | paste -sd' ')
  case $names in
    "") fail "no vCPU thread of QEMU was seen during the boot with $1 CPU(s): cannot tell how it ran" ;;
    *ALL_CPUs/TCG*) echo tcg-single ;;
    *CPU_*/TCG*)
      [[ $(wc -w <<<"$names") -eq $1 ]] || fail "the boot with $1 CPU(s) had vCPU threads '$names'"
      echo tcg-multi ;;
    *CPU_*/KVM*) echo kvm ;;
    *) fail "unexpected vCPU threads in the boot with $1 CPU(s): '$names'" ;;
  esac
}

# host_cores N: while the N CPUs ran their windows (from the first sample where every CPU had
# announced them to the last one before any row was printed), host CPU time per wall-clock
# second, in cores' worth: "V B S" for the vCPU threads together (V), everything the host ran (B)
# and the time its own hypervisor took from it (steal, S); "unknown" for each without two such
# samples.
host_cores() {
  # Each thread is counted from its first to its last sample in the span: a sample that missed
  # one (its /proc entry unreadable for a moment) must not make the sum jump.
  awk -v n="$1" -v hz="$clk_tck" '
    $2 >= n && $3 == 0 {
      if (t0 == "") { t0 = $1; b0 = $4; s0 = $5 }
      t1 = $1; b1 = $4; s1 = $5
      for (i = 6; i <= NF; i++) {
        name = $i; sub(/=.*/, "", name); v = $i; sub(/.*=/, "", v); split(v, us, ":"); v = us[1] + us[2]
        if (!(name in first)) first[name] = v
        last[name] = v
      }
    }
    END {
      if (t0 == "" || t1 - t0 < 0.5) { print "unknown unknown unknown"; exit }
      d = hz * (t1 - t0)
      for (name in first) used += last[name] - first[name]
      printf "%.2f %.2f %.2f\n", used / d, (b1 - b0) / d, (s1 - s0) / d
    }' "$tmp/samples-$1"
}

# window_cores N: per path, the host cores' worth of CPU time the vCPU threads got during its
# window in the boot with N CPUs, and the percentage of it spent in the host kernel (QEMU's
# threads waiting for one another sleep and wake through it), as "path cores percent" lines. The windows are placed on the host's
# clock backwards from the end of the last one: the last sample before one saw the rows, or
# before QEMU was gone (the rows, then the exit, follow the last window within milliseconds).
# Each is seconds x guest tsc_hz / host TSC Hz long; only samples at least 0.6 s inside a window
# count (they are 0.25 s apart), and a window without two such samples gets "unknown".
window_cores() {
  local n=$1 stretch=1
  if [[ $host_tsc_hz -gt 0 && ${guest_tsc_hz[n]} -gt 0 ]]; then
    stretch=$(awk -v g="${guest_tsc_hz[n]}" -v h="$host_tsc_hz" 'BEGIN { printf "%.6f", g / h }')
  fi
  awk -v hz="$clk_tck" -v stretch="$stretch" -v order="$(awk -F'\t' '$1 == 0 { printf "%s:%s:%s ", $3, $2, $4 }' "$tmp/rows-$n.tsv")" '
    function vcpus(    i, v, us) {
      total = kernel = 0
      for (i = 6; i <= NF; i++) { v = $i; sub(/.*=/, "", v); split(v, us, ":"); total += us[1] + us[2]; kernel += us[2] }
    }
    { vcpus(); t[NR] = $1; used[NR] = total; sys[NR] = kernel; threads[NR] = NF - 5; if (end == "" && $3 > 0) end = prev } { prev = $1 }
    END {
      if (end == "") end = prev   # QEMU was gone before a sample saw the rows: it exits right after
      windows = split(order, w, " ")
      for (i = 1; i <= windows; i++) { split(w[i], f, ":"); path[f[1]] = f[2]; len = f[3] * stretch }
      for (k = 0; k < windows; k++) {
        from = end - (windows - k) * len + 0.6; to = end - (windows - 1 - k) * len - 0.6
        a = b = ""
        for (j = 1; j <= NR; j++) if (t[j] >= from && t[j] <= to) { if (a == "") a = j; b = j }
        if (a == "" || a == b || threads[a] != threads[b] || used[b] == used[a]) print path[k], "unknown", "unknown"
        else printf "%s %.2f %.0f\n", path[k], (used[b] - used[a]) / hz / (t[b] - t[a]), 100 * (sys[b] - sys[a]) / (used[b] - used[a])
      }
    }' "$tmp/samples-$n"
}

# ---- the boots ----
loadavg=()
for n in $(seq 1 "$max_cpus"); do
  boot "$n"
done

# ---- rows, overlap, aggregates ----
# fact LOG KEY: KEY of the benchmark's first "[bench] context" line in LOG.
fact() {
  awk -v key="$2" "$BENCH_AWK"'
    { $0 = bench_text($0) }
    /^\[bench\] context / { sub(/^\[bench\] context /, ""); if (parse_kv($0)) { print kv[key]; exit } }' "$1"
}

# $tmp/all.tsv: cpus, then bench_scaling_rows's columns, calls_per_second rescaled to the host's
# TSC (see the header).
: >"$tmp/all.tsv"
guest_tsc_hz=()
for n in $(seq 1 "$max_cpus"); do
  log=$out/scaling-serial-$n.log
  bench_scaling_rows "$log" >"$tmp/rows-$n.tsv" || fail "$log: incomplete scaling rows; nothing written"
  guest_tsc_hz[n]=$(fact "$log" tsc_hz)
  is_uint "${guest_tsc_hz[n]}" || guest_tsc_hz[n]=0
  awk -v n="$n" -v host="$host_tsc_hz" -v guest="${guest_tsc_hz[n]}" -v OFS='\t' '
    { if (host > 0 && guest > 0) $8 = sprintf("%.0f", $8 * host / guest); print n, $0 }' FS='\t' "$tmp/rows-$n.tsv" >>"$tmp/all.tsv"
done

# Per CPU count and path: every CPU's row present once, the windows' overlap, the sum and the
# mean of the rates. Prints "cpus path aggregate per_cpu overlap_pct" lines, or fails.
awk -F'\t' -v OFS='\t' -v min="$min_overlap" -v max_cpus="$max_cpus" '
  function bad(msg) { print "bench-scaling.sh: " msg > "/dev/stderr"; failed = 1; exit 1 }
  {
    n = $1; cpu = $2; path = $3
    if (cpu + 0 >= n + 0) bad("a row of cpu" cpu " in the boot with " n " CPU(s)")
    if ((n, path, cpu) in seen) bad("two rows of cpu" cpu " for " path " in the boot with " n " CPU(s)")
    seen[n, path, cpu] = 1
    if (!(path in known)) { known[path] = 1; order[++paths] = path }
    count[n, path]++
    sum[n, path] += $9
    if (!((n, path) in first_start) || $7 < first_start[n, path]) first_start[n, path] = $7
    if (!((n, path) in last_start) || $7 > last_start[n, path]) last_start[n, path] = $7
    if (!((n, path) in first_end) || $8 < first_end[n, path]) first_end[n, path] = $8
    if (!((n, path) in last_end) || $8 > last_end[n, path]) last_end[n, path] = $8
  }
  END {
    if (failed) exit 1
    if (paths == 0) bad("no scaling rows at all")
    for (n = 1; n <= max_cpus; n++)
      for (p = 1; p <= paths; p++) {
        path = order[p]
        if (count[n, path] != n) bad("the boot with " n " CPU(s) has " count[n, path] + 0 " row(s) for " path ", not " n)
        together = first_end[n, path] - last_start[n, path]
        span = last_end[n, path] - first_start[n, path]
        overlap = span > 0 && together > 0 ? 100 * together / span : 0
        if (overlap < min)
          bad(sprintf("%s on %d CPU(s): the windows overlap %.1f%%, less than --min-overlap %s%%", path, n, overlap, min))
        printf "%d\t%s\t%d\t%d\t%.1f\n", n, path, sum[n, path], sum[n, path] / n, overlap
      }
  }' "$tmp/all.tsv" >"$tmp/aggregate.tsv" || fail "the runs cannot be reported; nothing written"

# by_path FILE: the lines of $tmp/aggregate.tsv grouped by path, in the order the paths ran.
by_path() {
  awk -F'\t' '!($2 in at) { at[$2] = ++paths; name[paths] = $2 } { line[$2, ++n[$2]] = $0 }
    END { for (p = 1; p <= paths; p++) for (i = 1; i <= n[name[p]]; i++) print line[name[p], i] }' "$1"
}

# ---- CSV ----
modes=()
for n in $(seq 1 "$max_cpus"); do
  modes[n]=$(mode_of "$n")
done
{
  echo "path,cpus,calls_per_second,calls_per_second_per_cpu,unit,accel"
  # One path after the other, each by CPU count.
  while IFS=$'\t' read -r n path aggregate per_cpu _; do
    echo "$path,$n,$aggregate,$per_cpu,calls_per_second,${modes[n]}"
  done < <(by_path "$tmp/aggregate.tsv")
} >"$tmp/scaling.csv"

# ---- context ----
first_log=$out/scaling-serial-1.log
qemu_version=$(sed -n 's/^\[run\] accel=.* qemu=\([^ ]*\).*/\1/p' "$first_log" | head -n1)
host_cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
{
  echo "# Where $(basename "$csv") came from (read from scaling-serial-<n>.log, n = 1..$max_cpus)."
  echo "accel=$accel"
  echo "tcg_thread_mode=$(printf '%s\n' "${modes[@]}" | sort -u | paste -sd/)"
  echo "host_cpus=$(nproc)"
  echo "host_cpu=${host_cpu:-unknown}"
  echo "qemu=${qemu_version:-unknown}"
  echo "cpu_model=$cpu"
  echo "seconds_per_window=$seconds"
  echo "min_overlap_pct=$min_overlap"
  echo "vendor=$(fact "$first_log" vendor)"
  echo "host_tsc_hz=$host_tsc_hz"
  echo "host_tsc_source=$host_tsc_source"
  echo "commit=$(fact "$first_log" commit)"
  echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "# Per CPU count: QEMU's vCPU threads; host CPU time per second of the windows, in cores'"
  echo "# worth, taken by the vCPU threads, by everything on the host, and stolen from the host by"
  echo "# its own hypervisor; the host's 1-minute load average before the boot; the TSC frequency"
  echo "# the guest kernel calibrated (rates are rescaled by host_tsc_hz / it); the lowest overlap"
  echo "# of the CPUs' windows over the paths; and per path, the vCPU threads' host CPU time during"
  echo "# its window alone (cores' worth) and the share of it spent in the host kernel (percent)."
  for n in $(seq 1 "$max_cpus"); do
    read -r vcpu_cores busy_cores steal_cores <<<"$(host_cores "$n")"
    threads=$(awk '{ for (i = 6; i <= NF; i++) { sub(/=.*/, "", $i); print $i } }' "$tmp/samples-$n" | sort -u | tr _ ' ' | paste -sd,)
    echo "cpus_${n}_threads=$threads"
    echo "cpus_${n}_vcpu_threads_cores=$vcpu_cores"
    echo "cpus_${n}_host_busy_cores=$busy_cores"
    echo "cpus_${n}_host_steal_cores=$steal_cores"
    echo "cpus_${n}_loadavg_before=${loadavg[n]}"
    echo "cpus_${n}_guest_tsc_hz=${guest_tsc_hz[n]}"
    while read -r path cores kernel; do
      echo "cpus_${n}_vcpu_threads_cores_${path}=$cores"
      echo "cpus_${n}_vcpu_threads_host_kernel_pct_${path}=$kernel"
    done < <(window_cores "$n")
    echo "cpus_${n}_min_overlap_pct=$(awk -F'\t' -v n="$n" '$1 == n && (m == "" || $5 < m) { m = $5 } END { print m }' "$tmp/aggregate.tsv")"
  done
} >"$tmp/context.txt"

# ---- the chart ----
# One line per path (syscall blue, int 0x80 orange; the empty entries lighter), and dashed in the
# same colour the ideal: the 1-CPU rate times the CPUs. Logarithmic when the values span more
# than 30x, so that the int 0x80 lines stay readable beside the syscall ones.
: >"$tmp/chart.dat"
paths=()
while read -r path; do paths+=("$path"); done < <(cut -f2 "$tmp/aggregate.tsv" | awk '!seen[$0]++')
for path in "${paths[@]}"; do
  awk -F'\t' -v path="$path" '$2 == path { if ($1 == 1) one = $3; print $1, $3, one * $1 }' "$tmp/aggregate.tsv" >>"$tmp/chart.dat"
  printf '\n\n' >>"$tmp/chart.dat"
done
logscale=$(awk 'NF == 3 { if (lo == "" || $2 < lo) lo = $2; if ($3 > hi) hi = $3; if ($2 > hi) hi = $2 }
                END { print (lo > 0 && hi / lo > 30) ? 1 : 0 }' "$tmp/chart.dat")

# gq TEXT: TEXT as a gnuplot single-quoted string.
gq() {
  printf "'%s'" "${1//\'/\'\'}"
}
color_of() {
  case $1 in
    syscall_empty) echo '#9ecae1' ;;
    syscall*)      echo '#1f77b4' ;;
    int80_empty)   echo '#fdbe85' ;;
    int80*)        echo '#ff7f0e' ;;
    *)             echo '#808080' ;;
  esac
}
title="lstar: system calls per second, every CPU calling at once (bench scaling, $seconds s per path)"
subtitle="$(printf '%s\n' "${modes[@]}" | sort -u | paste -sd/), -cpu $cpu, QEMU ${qemu_version:-unknown}, host: $(nproc) CPUs, lstar commit $(fact "$first_log" commit)"
{
  printf 'set title %s . "\\n" . %s noenhanced\n' "$(gq "$title")" "$(gq "$subtitle")"
  echo "set xlabel 'CPUs running the benchmark'"
  echo "set ylabel 'calls per second, all CPUs together' noenhanced"
  echo "set xrange [0.8:$max_cpus + 0.2]"
  echo "set xtics 1"
  echo "set grid"
  echo "set key outside right top noenhanced"
  echo "set format y '%.1s%c'"
  if [[ $logscale == 1 ]]; then echo "set logscale y"; else echo "set yrange [0:*]"; fi
  plots=()
  for i in "${!paths[@]}"; do
    c=$(color_of "${paths[i]}")
    plots+=("'$tmp/chart.dat' index $i using 1:2 with linespoints lw 2 pt 7 lc rgb '$c' title $(gq "${paths[i]}")")
    plots+=("'' index $i using 1:3 with lines dt 2 lw 1 lc rgb '$c' title $(gq "${paths[i]} ideal")")
  done
  printf 'plot %s\n' "$(printf '%s, ' "${plots[@]}" | sed 's/, $//')"
} >"$tmp/plot.gp"

gnuplot -e "set terminal pngcairo size 1000,600 font 'sans,10'; set output '$tmp/scaling.png'" \
  "$tmp/plot.gp" 2>"$tmp/gnuplot.err" || fail "gnuplot failed: $(cat "$tmp/gnuplot.err")"
gnuplot -e "set terminal svg size 1000,600 dynamic font 'sans,10'; set output '$tmp/scaling.svg'" \
  "$tmp/plot.gp" 2>"$tmp/gnuplot.err" || fail "gnuplot failed: $(cat "$tmp/gnuplot.err")"

# Everything worked: move the outputs into place together.
mv "$tmp/scaling.csv" "$csv"
mv "$tmp/context.txt" "$context"
mv "$tmp/scaling.png" "$png"
mv "$tmp/scaling.svg" "$svg"

# ---- summary ----
echo "[scaling] calls per second, all CPUs together (and per CPU); overlap of the CPUs' windows"
awk -F'\t' '
  { row[NR] = $0; if (length($2) > w) w = length($2) }
  END {
    fmt = "  %-" w "s %5s %14s %14s %8s\n"
    printf fmt, "path", "cpus", "calls/s", "per CPU", "overlap"
    for (i = 1; i <= NR; i++) { split(row[i], f, "\t"); printf fmt, f[2], f[1], f[3], f[4], f[5] "%" }
  }' < <(by_path "$tmp/aggregate.tsv")
for n in $(seq 1 "$max_cpus"); do
  read -r vcpu_cores busy_cores steal_cores <<<"$(host_cores "$n")"
  echo "[scaling] $n CPU(s): ${modes[n]}; during the windows the vCPU threads got $vcpu_cores of the" \
       "host's $(nproc) cores (the host as a whole was busy $busy_cores, stolen $steal_cores);" \
       "per window: $(window_cores "$n" | awk '{ printf "%s%s %s (%s%% in the host kernel)", (NR > 1 ? ", " : ""), $1, $2, $3 }')"
done
if [[ $host_tsc_hz -gt 0 ]]; then
  echo "[scaling] rates rescaled to the host's TSC, $host_tsc_hz Hz ($host_tsc_source); the guest" \
       "kernels had calibrated $(printf '%s ' "${guest_tsc_hz[@]}")Hz for 1..$max_cpus CPU(s)"
else
  echo "[scaling] the host's TSC frequency is unknown: rates as each boot's guest clock gave them"
fi
echo "[scaling] csv:     $csv"
echo "[scaling] chart:   $png (and .svg)"
echo "[scaling] context: $context"
