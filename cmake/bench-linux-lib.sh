# SPDX-License-Identifier: MIT
# shellcheck shell=bash disable=SC2016 # backquotes in single quotes are Markdown's, not the shell's
# Sourced by cmake/bench-linux.sh and cmake/docs-check.sh: the runs of the Linux comparison, and
# the generated block docs/benchmark.md shows them in,
#
#   <!-- generated:linux-table -->
#   ...
#   <!-- /generated -->
#
# which `cmake --build build --target bench-linux` writes after its four runs (not the `docs`
# target: four boots of Debian's kernel are too slow for it). The docs test cannot rerun them, so
# it checks that the block is well-formed and names its source (linux_block_problems).

# The runs, in the order of the block's columns: NAME ACCEL MITIGATIONS.
readonly LINUX_RUNS=(
  "icount-mitigations-on tcg-icount on"
  "icount-mitigations-off tcg-icount off"
  "tcg-mitigations-on tcg on"
  "tcg-mitigations-off tcg off"
)
# The rows the init measures (usr/linux-bench/linux_bench.c), in its order.
readonly LINUX_PATHS=(function_call syscall_enosys int80_enosys syscall_getppid int80_getppid)
readonly LINUX_BLOCK=linux-table

# linux_context DIR KEY: KEY's value in DIR/context.txt (the last one), or nothing.
linux_context() {
  sed -n "s/^$2=//p" "$1/context.txt" | tail -n1
}

# linux_stat DIR PATH COLUMN: COLUMN (min, median) of PATH in DIR/results.csv, or nothing.
linux_stat() {
  awk -F, -v p="$2" -v c="$3" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) col = i }
    NR > 1 && $1 == p && col { v = $col } END { if (v != "") print v }' "$1/results.csv"
}

# The block's table header: -icount medians, then TCG's medians with their minimum (TCG medians
# move with the host's load; its minimum much less).
readonly LINUX_TABLE_HEADER='| path | `-icount`: instructions, mitigations on | mitigations off | TCG: host ticks, median (min), mitigations on | mitigations off |'


# linux_render_table OUT: the block's text from the four runs in OUT/<run>/ (results.csv and
# context.txt). Fails, saying why, when a run is missing or the runs disagree on what ran.
linux_render_table() {
  local out=$1 entry name key first='' value
  local -A want=()
  for entry in "${LINUX_RUNS[@]}"; do
    read -r name _ _ <<<"$entry"
    for key in results.csv context.txt; do
      [[ -f $out/$name/$key ]] || { echo "bench-linux: no $out/$name/$key: run all four runs first" >&2; return 1; }
    done
    # Every run must be of the same kernel, QEMU, CPU model, init and method.
    for key in linux_package linux_package_version linux_release qemu cpu_model commit calls_per_sample; do
      value=$(linux_context "$out/$name" "$key")
      [[ -n $value ]] || { echo "bench-linux: $out/$name/context.txt has no $key" >&2; return 1; }
      if [[ -z $first ]]; then
        want[$key]=$value
      elif [[ $value != "${want[$key]}" ]]; then
        echo "bench-linux: the runs disagree on $key ('${want[$key]}' and '$value' in $name): rerun all four" >&2
        return 1
      fi
    done
    first=$name
  done
  local on_dir=$out/${LINUX_RUNS[0]%% *}
  local date samples
  date=$(linux_context "$on_dir" date)
  samples=$(awk -F, 'NR == 2 { print $8 }' "$on_dir/results.csv")
  printf 'Written by `cmake --build build --target bench-linux` (cmake/bench-linux.sh) on %s:\n' "${date%%T*}"
  printf "Debian's package \`%s\` %s (\`uname -r\`: %s), QEMU %s,\n" \
    "${want[linux_package]}" "${want[linux_package_version]}" "${want[linux_release]}" "${want[qemu]}"
  printf '`-cpu %s`, one CPU, the init of commit `%s`; %s batches of %s calls per path.\n' \
    "${want[cpu_model]}" "${want[commit]}" "$samples" "${want[calls_per_sample]}"
  printf 'Per call:\n\n'
  printf '%s\n' "$LINUX_TABLE_HEADER"
  printf '|---|---:|---:|---:|---:|\n'
  local path row m lo accel
  local -A median=() minimum=()
  for path in "${LINUX_PATHS[@]}"; do
    row="| \`$path\` |"
    for entry in "${LINUX_RUNS[@]}"; do
      read -r name accel _ <<<"$entry"
      m=$(linux_stat "$out/$name" "$path" median)
      lo=$(linux_stat "$out/$name" "$path" min)
      [[ -n $m && -n $lo ]] || { echo "bench-linux: $out/$name/results.csv has no row $path" >&2; return 1; }
      median[$name/$path]=$m
      minimum[$name/$path]=$lo
      if [[ $accel == tcg ]]; then row+=" $m ($lo) |"; else row+=" $m |"; fi
    done
    printf '%s\n' "$row"
  done
  # What the protections cost, over the system-call rows: instructions added under -icount, and
  # the factor on TCG's ticks (medians, and minimums).
  local calls_rows=()
  for path in "${LINUX_PATHS[@]:1}"; do
    calls_rows+=("${median[icount-mitigations-on/$path]} ${median[icount-mitigations-off/$path]} ${median[tcg-mitigations-on/$path]} ${median[tcg-mitigations-off/$path]} ${minimum[tcg-mitigations-on/$path]} ${minimum[tcg-mitigations-off/$path]}")
  done
  printf '%s\n' "${calls_rows[@]}" | awk '
    function lo(a, b) { return a < b ? a : b }
    function hi(a, b) { return a > b ? a : b }
    NR == 1 { dmin = dmax = $1 - $2; pmin = pmax = ($1 - $2) / $2; rmin = rmax = $3 / $4; qmin = qmax = $5 / $6 }
    { d = $1 - $2; p = d / $2; r = $3 / $4; q = $5 / $6
      dmin = lo(dmin, d); dmax = hi(dmax, d); pmin = lo(pmin, p); pmax = hi(pmax, p)
      rmin = lo(rmin, r); rmax = hi(rmax, r); qmin = lo(qmin, q); qmax = hi(qmax, q) }
    END {
      printf "\nMitigations on, against `mitigations=off`, for the four system-call rows: %d to %d more\n", dmin, dmax
      printf "instructions per call under `-icount` (%.0f%% to %.0f%%); under TCG %.1f to %.1f times the\n", 100 * pmin, 100 * pmax, rmin, rmax
      printf "median ticks, %.1f to %.1f times the minimum.\n", qmin, qmax
    }'
  # What "mitigations on" meant: the kernel's own verdicts, but for the flaws it found none of.
  printf '\nWith mitigations on, Linux reported (`/sys/devices/system/cpu/vulnerabilities`; "Not affected" and\n'
  printf '"Unknown" left out):\n\n'
  sed -n 's/^vulnerability_\([a-z0-9_]*\)=/\1\t/p' "$on_dir/context.txt" | sort |
    awk -F'\t' '$2 !~ /^(Not affected|Unknown)/ { printf "- `%s`: %s\n", $1, $2 }'
}

# linux_block_problems FILE: one line per thing wrong with FILE's linux-table block (nothing when
# it is well-formed): present once and closed, naming its source (the target, the Debian package
# and version, the kernel release, QEMU's version, the CPU model, the date, the commit), with a
# header of the four runs and one row per path: two -icount medians, two TCG medians (minimums).
linux_block_problems() {
  local file=$1 opened closed block path re
  opened=$(grep -cxF "<!-- generated:$LINUX_BLOCK -->" "$file" || true)
  if [[ $opened -ne 1 ]]; then
    echo "the block '$LINUX_BLOCK' appears $opened times, not once"
    return 0
  fi
  closed=$(awk -v open="<!-- generated:$LINUX_BLOCK -->" '
    $0 == open { on = 1; next }
    on && /^<!-- / { print ($0 == "<!-- /generated -->") ? 1 : 0; exit }' "$file")
  [[ $closed == 1 ]] || { echo "the block '$LINUX_BLOCK' is not closed by <!-- /generated -->"; return 0; }
  block=$(docs_block "$file" "$LINUX_BLOCK")
  local -a sources=(
    'target:`cmake --build build --target bench-linux`'
    'package:`linux-image-[0-9][^`]*-amd64` [0-9][^ ]*'
    'release:`uname -r`: [0-9][^)]*'
    'QEMU version:QEMU [0-9]+\.[0-9]+'
    'CPU model:`-cpu [A-Za-z0-9_.,=+-]+`'
    'date:on 20[0-9]{2}-[01][0-9]-[0-3][0-9]'
    'commit:commit `[0-9a-f]{7,}(-dirty)?`'
    'method:[0-9]+ batches of [0-9]+ calls per path'
  )
  local entry what
  for entry in "${sources[@]}"; do
    what=${entry%%:*} re=${entry#*:}
    grep -Eq -- "$re" <<<"$block" || echo "the block '$LINUX_BLOCK' does not name its $what (/$re/)"
  done
  grep -qxF -- "$LINUX_TABLE_HEADER" <<<"$block" ||
    echo "the block '$LINUX_BLOCK' lacks the table header of the four runs"
  # Two -icount medians, then two TCG medians each with its minimum.
  local n='[0-9]+\.[0-9]+' cells
  cells="( $n \\|){2}( $n \\($n\\) \\|){2}"
  re="^\\| \`([a-z0-9_]+)\` \\|$cells\$"
  for path in "${LINUX_PATHS[@]}"; do
    grep -Eq -- "^\\| \`$path\` \\|$cells\$" <<<"$block" ||
      echo "the block '$LINUX_BLOCK' has no row of the four runs' figures for $path"
  done
  while IFS= read -r line; do
    [[ $line =~ $re ]] || continue
    [[ " ${LINUX_PATHS[*]} " == *" ${BASH_REMATCH[1]} "* ]] || echo "the block '$LINUX_BLOCK' has a row for ${BASH_REMATCH[1]}, which the init does not measure"
  done <<<"$block"
}
