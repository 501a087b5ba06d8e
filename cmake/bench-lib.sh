# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Sourced by cmake/bench-report.sh, cmake/check-icount-budget.sh, cmake/docs-lib.sh and
# cmake/bench-scaling.sh: the one reader of the benchmark's serial lines (usr/bench/bench.c
# prints them), so a change to their format has one place to change here; and the drawing of
# their charts (plot_chart, at the end).
#
#   [bench] row path=<name> min=<n> median=<n> p90=<n> p99=<n> max=<n> mean=<n> samples=<n>
#               calls_per_sample=<n> outliers=<n> unit=<unit>      (one line)
#
# The benchmark is a ring-3 program, so the kernel prints each of its lines as
# "bench[PID]: [bench] ..." (docs/abi.md), with the console's "[cpuN] " in front while several
# CPUs print. Only such lines count, read from the start: another program's line, or
# qemu-run.sh's "[run] FAIL: ... (last serial line: ...)" quoting one, is not the benchmark's.

# BENCH_LINE: an extended regex for the start of a line the benchmark printed, up to its text.
# shellcheck disable=SC2034 # used by the scripts that source this file
BENCH_LINE='^(\[cpu[0-9]+\] )?bench\[[0-9]+\]: '

# The numbers every row carries, in the order bench_rows prints them after the path.
BENCH_ROW_FIELDS="min median p90 p99 max mean samples calls_per_sample outliers"

# BENCH_AWK: awk functions, put in front of an awk program that uses them; the program passes
# -v bench_fields="$BENCH_ROW_FIELDS".
#   bench_text(line)  the text the benchmark wrote on line (console tag and "bench[PID]: " taken
#                     off, a CR at the end too), or "" when the line is not the benchmark's
#   parse_kv(s)       split s ("k=v k2=\"v 2\" ...") into kv[]; true when all of s was key=value
#   bench_row(line)   for a "[bench] row ..." line: its path and bench_fields, tab-separated; ""
#                     when the row is malformed, with bench_error saying why
# shellcheck disable=SC2016 # awk's own $ and quotes
BENCH_AWK='
  function bench_text(line) {
    sub(/\r$/, "", line)
    sub(/^\[cpu[0-9]+\] /, "", line)
    if (!sub(/^bench\[[0-9]+\]: /, "", line)) return ""
    return line
  }
  function parse_kv(s,    key, val, i) {
    split("", kv)
    while (match(s, /^[A-Za-z_0-9]+=/)) {
      key = substr(s, 1, RLENGTH - 1)
      s = substr(s, RLENGTH + 1)
      if (substr(s, 1, 1) == "\"") {
        s = substr(s, 2)
        if (!(i = index(s, "\""))) return 0
        val = substr(s, 1, i - 1)
        s = substr(s, i + 1)
      } else {
        match(s, /^[^ ]*/)
        val = substr(s, 1, RLENGTH)
        s = substr(s, RLENGTH + 1)
      }
      kv[key] = val
      sub(/^ +/, "", s)
    }
    return s == ""
  }
  function bench_row(line,    need, n, i, out) {
    sub(/\r$/, "", line)
    sub(/^\[bench\] row /, "", line)
    if (!parse_kv(line)) { bench_error = "malformed row"; return "" }
    if (kv["path"] !~ /^[A-Za-z0-9_.:-]+$/) { bench_error = "row without a valid path="; return "" }
    out = kv["path"]
    n = split(bench_fields, need, " ")
    for (i = 1; i <= n; i++) {
      if (kv[need[i]] !~ /^[0-9]+(\.[0-9]+)?$/) {
        bench_error = "row field " need[i] " missing or not a number"
        return ""
      }
      out = out "\t" kv[need[i]]
    }
    return out
  }
'

# bench_rows LOG: each "[bench] row" line of LOG, in order, as the path and the BENCH_ROW_FIELDS
# separated by tabs. Fails, naming the line, on a malformed row.
bench_rows() {
  awk -v bench_fields="$BENCH_ROW_FIELDS" "$BENCH_AWK"'
    (line = bench_text($0)) ~ /^\[bench\] row / {
      if ((row = bench_row(line)) == "") {
        print FILENAME ":" FNR ": " bench_error ": " $0 > "/dev/stderr"
        exit 1
      }
      print row
    }' "$1"
}

# bench_value ROWS PATH FIELD: FIELD (one of BENCH_ROW_FIELDS) of the last row for PATH in
# ROWS, as bench_rows prints them; nothing when there is no such row.
bench_value() {
  awk -F'\t' -v path="$2" -v field="$3" -v fields="$BENCH_ROW_FIELDS" '
    BEGIN { n = split(fields, f, " "); for (i = 1; i <= n; i++) if (f[i] == field) column = i + 1 }
    $1 == path { value = $column }
    END { if (column && value != "") print value }' <<<"$1"
}

# bench_scaling_rows LOG: the rows of `bench scaling` in LOG, one per CPU and path,
#   [cpuN] bench[PID]: [bench] scaling cpu=<n> placed=<n> path=<name> window=<i> seconds=<n> calls=<n>
#          start_ns=<n> end_ns=<n> calls_per_second=<n>                        (one line)
# (the [cpuN] tag is the console's when several CPUs print), as tab-separated cpu, path, window,
# seconds, calls, start_ns, end_ns, calls_per_second. Fails, naming the line, on a malformed row,
# on a row whose console tag, cpu= and placed= disagree, and when a CPU's
# "[bench] scaling done cpu=N rows=M" line is missing or counts other than its rows.
bench_scaling_rows() {
  awk -v OFS='\t' "$BENCH_AWK"'
    function bad(msg) { print FILENAME ":" FNR ": " msg ": " $0 > "/dev/stderr"; failed = 1; exit 1 }
    {
      sub(/\r$/, "")
      tag = ""
      if (match($0, /^\[cpu[0-9]+\] /)) tag = substr($0, 5, RLENGTH - 6)
      line = bench_text($0)
    }
    line ~ /^\[bench\] scaling cpu=/ {
      sub(/^\[bench\] scaling /, "", line)
      if (!parse_kv(line)) bad("malformed scaling row")
      if (kv["path"] !~ /^[A-Za-z0-9_.:-]+$/) bad("scaling row without a valid path=")
      n = split("cpu placed window seconds calls start_ns end_ns calls_per_second", need, " ")
      for (i = 1; i <= n; i++)
        if (kv[need[i]] !~ /^[0-9]+$/) bad("scaling row field " need[i] " missing or not a whole number")
      if (kv["placed"] != kv["cpu"]) bad("placed on cpu" kv["placed"] " but ran on cpu" kv["cpu"])
      if (tag != "" && tag != kv["cpu"]) bad("printed by cpu" tag " about cpu" kv["cpu"])
      rows[kv["cpu"]]++
      print kv["cpu"], kv["path"], kv["window"], kv["seconds"], kv["calls"], kv["start_ns"], kv["end_ns"], kv["calls_per_second"]
      next
    }
    line ~ /^\[bench\] scaling done / {
      sub(/^\[bench\] scaling done /, "", line)
      if (!parse_kv(line) || kv["cpu"] !~ /^[0-9]+$/ || kv["rows"] !~ /^[0-9]+$/) bad("malformed scaling done line")
      done[kv["cpu"]] = kv["rows"]
    }
    END {
      if (failed) exit 1
      for (c in rows)
        if (!(c in done) || done[c] != rows[c]) {
          print FILENAME ": cpu" c " printed " rows[c] " scaling rows but " (c in done ? "said rows=" done[c] : "no \"[bench] scaling done\" line") > "/dev/stderr"
          exit 1
        }
      for (c in done)
        if (!(c in rows) && done[c] > 0) { print FILENAME ": cpu" c " said rows=" done[c] " but printed none" > "/dev/stderr"; exit 1 }
    }' "$1"
}

# ---- the charts ----

# gq TEXT: TEXT as a gnuplot single-quoted string.
gq() {
  printf "'%s'" "${1//\'/\'\'}"
}

# plot_chart PLOT STEM WIDTH: the gnuplot script PLOT drawn as STEM.png and STEM.svg, WIDTH by
# 600 pixels. Fails (exit 1, through script-lib.sh's fail) with gnuplot's own message.
plot_chart() {
  local plot=$1 stem=$2 width=$3
  gnuplot -e "set terminal pngcairo size $width,600 font 'sans,10'; set output '$stem.png'" \
    "$plot" 2>"$stem.err" || fail "gnuplot failed: $(cat "$stem.err")"
  gnuplot -e "set terminal svg size $width,600 dynamic font 'sans,10'; set output '$stem.svg'" \
    "$plot" 2>"$stem.err" || fail "gnuplot failed: $(cat "$stem.err")"
}
