# SPDX-License-Identifier: MIT
# shellcheck shell=bash disable=SC2034 # DOCS_BLOCKS is read by the scripts that source this file
# Sourced by cmake/docs-sync.sh and cmake/docs-check.sh: where the values the docs quote come
# from. Some are generated blocks, written between two marker lines,
#
#   <!-- generated:NAME -->
#   ...
#   <!-- /generated -->
#
# that docs-sync.sh rewrites from a boot of the build (`cmake --build build --target docs`) and
# docs-check.sh regenerates into a scratch copy to compare. The rest is quoted in prose and
# tables and checked in place by docs-check.sh. docs/testing.md explains both.

# shellcheck source=cmake/bench-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"

# The generated blocks: NAME and the file, relative to the source tree, that holds it.
readonly DOCS_BLOCKS=(
  "boot-log README.md"
  "icount-headline README.md"
  "msr-log docs/msr.md"
  "fault-report docs/abi.md"
  "gp-report docs/debugging.md"
  "panic-report docs/debugging.md"
  "icount-table docs/benchmark.md"
  "memory-layout docs/design.md"
)

# docs_boot SRC BIN DIR: the two boots the blocks and checks read, always TCG with -cpu max so
# the log does not depend on the host: DIR/selftest.log (self-checks and the ring-3 selftest)
# and DIR/panic.log (a page fault in the kernel, for the panic report).
docs_boot() {
  local src=$1 bin=$2 dir=$3
  mkdir -p "$dir"
  if ! bash "$src/cmake/qemu-run.sh" --iso "$bin/lstar.iso" --accel tcg --cpu max --timeout 120 \
      --cmdline "run=selftest" --log "$dir/selftest.log" \
      --expect "^\\[proc\\] 'selftest' \\(pid [0-9]+\\) exited with status 0\$" \
      --expect '^selftest\[[0-9]+\]: selftest: [0-9]+ passed, 0 failed$' >"$dir/selftest.run" 2>&1; then
    echo "docs: the selftest boot failed: $dir/selftest.run, $dir/selftest.log" >&2
    return 1
  fi
  if ! bash "$src/cmake/qemu-run.sh" --iso "$bin/lstar.iso" --accel tcg --cpu max --timeout 60 \
      --cmdline "run=none ktest=off crash=pagefault" --expect-exit 37 --log "$dir/panic.log" \
      --expect '^\[panic\] backtrace:' >"$dir/panic.run" 2>&1; then
    echo "docs: the crash=pagefault boot failed: $dir/panic.run, $dir/panic.log" >&2
    return 1
  fi
}

# docs_icount_log BIN: prints the newest -icount benchmark log made from this build's ISO (the
# `bench-icount` target's or the test bench_icount_budget's), or fails if there is none.
docs_icount_log() {
  local bin=$1 f best=
  for f in "$bin/bench/serial-icount.log" "$bin/bench/icount-test.log"; do
    [[ -f $f && $f -nt $bin/lstar.iso ]] || continue
    grep -Eq "${BENCH_LINE}\\[bench\\] done rows=" "$f" || continue
    grep -Eq "${BENCH_LINE}\\[bench\\] row .*unit=tsc_ticks" "$f" || continue
    if [[ -z $best || $f -nt $best ]]; then best=$f; fi
  done
  [[ -n $best ]] && printf '%s\n' "$best"
}

# docs_icount_boot SRC BIN LOG: a quick benchmark under -icount shift=0 (a few seconds on TCG:
# qemu-run.sh boots a copy of the ISO whose GRUB menu does not wait);
# its medians are the same as a full `bench-icount` run's, since every sample is exact.
docs_icount_boot() {
  local src=$1 bin=$2 log=$3
  mkdir -p "$(dirname "$log")"
  bash "$src/cmake/qemu-run.sh" --iso "$bin/lstar.iso" --accel tcg --icount --cpu max --timeout 300 \
    --cmdline "run=bench:quick ktest=off" --log "$log" --expect "${BENCH_LINE}\\[bench\\] done rows=" >"$log.run" 2>&1 || {
    echo "docs: the -icount benchmark boot failed: $log.run" >&2
    return 1
  }
}

# docs_block FILE NAME: the current content of block NAME in FILE (the lines between the markers).
docs_block() {
  awk -v name="$2" '
    $0 == "<!-- /generated -->" && on { exit }
    on { print }
    $0 == "<!-- generated:" name " -->" { on = 1 }' "$1"
}

# docs_replace_block FILE NAME CONTENT: put CONTENT's lines between FILE's markers for NAME.
# Fails, leaving FILE alone, unless the block is there exactly once and closed.
docs_replace_block() {
  local file=$1 name=$2 content=$3
  awk -v name="$name" -v content="$content" '
    $0 == "<!-- generated:" name " -->" {
      print
      while ((getline line < content) > 0) print line
      inside = 1; found++; next
    }
    inside && $0 == "<!-- /generated -->" { inside = 0; print; next }
    !inside { print }
    END { if (found != 1 || inside) exit 1 }' "$file" >"$file.docs-tmp" || {
    rm -f "$file.docs-tmp"
    echo "docs: $file has no single closed block '<!-- generated:$name -->'" >&2
    return 1
  }
  cat "$file.docs-tmp" >"$file" # keep the file's mode and inode
  rm -f "$file.docs-tmp"
}

# ---- the blocks ----

# boot-log: the lines of a selftest boot the README shows (the selftest's summary as the kernel
# prints a program's line, "selftest[PID]: ..."). The commit is written as <commit>:
# the build that wrote the block is always one commit older than the commit that holds it.
docs_render_boot_log() {
  local log=$1 lines
  lines=$(grep -E '^(\[boot\] lstar |\[cpu\] SMEP |\[msr\] cpu0 (EFER|STAR|LSTAR|FMASK)=|\[msr\] cpu0 self-check: |ktest: [0-9]|selftest\[[0-9]+\]: selftest: [0-9]|\[boot\] done: )' "$log" |
    sed -E 's/^(\[boot\] lstar )[^:]*:/\1<commit>:/')
  if [[ $(printf '%s\n' "$lines" | wc -l) -ne 10 ]]; then
    echo "docs: $log lacks some of the boot-log lines (boot, cpu, 4 MSRs, self-check, ktest, selftest, done)" >&2
    return 1
  fi
  printf '```\n%s\n```\n' "$lines"
}

# msr-log: every [msr] line of the boot CPU.
docs_render_msr_log() {
  local lines
  lines=$(grep -E '^\[msr\] cpu0 ' "$1")
  if [[ $(printf '%s\n' "$lines" | grep -c '=0x') -lt 7 ]]; then
    echo "docs: $1 has fewer than 7 [msr] cpu0 values" >&2
    return 1
  fi
  printf '```\n%s\n```\n' "$lines"
}

# fault-report / gp-report: the first four lines of the report on the `crash` run with ARG in
# the selftest, then EXTRA if given (a line standing for the registers left out).
docs_render_fault_report() {
  local log=$1 arg=$2 extra=${3:-} lines
  lines=$(awk -v arg="$arg" '
    index($0, "[proc] started '\''crash'\''") == 1 && index($0, "args '\''" arg "'\''") { armed = 1; next }
    armed && /^\[fault\] program / { n = 4 }
    n > 0 { sub(/[ \t]+$/, ""); print; if (--n == 0) { found = 1; exit } }
    END { exit !found }' "$log") || {
    echo "docs: no fault report of 'crash $arg' in $log" >&2
    return 1
  }
  printf '```\n%s\n' "$lines"
  if [[ -n $extra ]]; then printf '%s\n' "$extra"; fi
  printf '```\n'
}

# panic-report: the first four lines of the kernel's panic report, the registers left out, then
# the backtrace to the end.
docs_render_panic_report() {
  local lines
  lines=$(awk '
    /^\[panic\] PANIC:/ && !started { started = 1; n = 4 }
    n > 0 { sub(/[ \t]+$/, ""); print; if (--n == 0) print "[panic]   RAX=... (every general register)"; next }
    /^\[panic\] backtrace:/ { trace = 1 }
    trace && /^\[panic\]/ { sub(/[ \t]+$/, ""); print; if (/the kernel stops here/) { found = 1; exit } }
    END { exit !found }' "$1") || {
    echo "docs: no complete panic report in $1" >&2
    return 1
  }
  printf '```\n%s\n```\n' "$lines"
}

# icount-table: the medians of an -icount benchmark log, one row per path. The rows keep the
# order and the bold of the table in DOC; paths new to the log come last. (Linux's figures are
# the block linux-table, written by the bench-linux target.)
docs_render_icount_table() {
  local log=$1 doc=$2 qemu rows
  qemu=$(qemu-system-x86_64 --version | sed -nE '1s/.*version ([0-9][0-9.]*).*/\1/p')
  [[ -n $qemu ]] || { echo "docs: cannot read QEMU's version" >&2; return 1; }
  rows=$(bench_rows "$log") || { echo "docs: $log has a malformed [bench] row" >&2; return 1; }
  [[ -n $rows ]] || { echo "docs: no [bench] row lines in $log" >&2; return 1; }
  printf 'Medians of an `-icount shift=0` benchmark run of this build (QEMU %s): exact, so every\n' "$qemu"
  printf 'run of one build gives this same table.\n\n'
  docs_block "$doc" icount-table | awk -v rows="$rows" -v fields="$BENCH_ROW_FIELDS" '
    function trim(s) { gsub(/^[ \t]+|[ \t]+$/, "", s); return s }
    BEGIN {
      FS = "|"
      nf = split(fields, f, " ")
      for (i = 1; i <= nf; i++) if (f[i] == "median") column = i + 1
      nr = split(rows, r, "\n")
      for (i = 1; i <= nr; i++) {
        split(r[i], cell, "\t")
        path = cell[1]
        if (!(path in value)) { order[++n] = path; value[path] = cell[column] }
      }
    }
    /^\| `/ {
      path = trim($2); gsub(/`/, "", path)
      known[++k] = path; bold[path] = (trim($3) ~ /^\*\*/)
    }
    END {
      print "| path | instructions |"
      print "|---|---:|"
      for (i = 1; i <= k; i++) if (known[i] in value) { row(known[i]); done[known[i]] = 1 }
      for (i = 1; i <= n; i++) if (!(order[i] in done)) row(order[i])
    }
    function row(p,   v) {
      v = bold[p] ? "**" value[p] "**" : value[p]
      print "| `" p "` | " v " |"
    }'
}

# icount-headline: the README's headline figures, the null round trips of both entries, from the
# same -icount log as icount-table. Exact, so the docs test can compare them; a TCG ratio is not
# (it moves with the host), so the README points to benchmark.md's dated TCG runs instead.
docs_render_icount_headline() {
  local log=$1 qemu rows sys int80
  qemu=$(qemu-system-x86_64 --version | sed -nE '1s/.*version ([0-9][0-9.]*).*/\1/p')
  rows=$(bench_rows "$log") || { echo "docs: $log has a malformed [bench] row" >&2; return 1; }
  sys=$(bench_value "$rows" syscall_null median)
  int80=$(bench_value "$rows" int80_null median)
  [[ -n $qemu && -n $sys && -n $int80 ]] || { echo "docs: $log lacks syscall_null or int80_null, or QEMU has no version" >&2; return 1; }
  printf 'Under `-icount shift=0` (QEMU %s; medians of this build'"'"'s last `-icount` benchmark run), a\n' "$qemu"
  printf 'null `syscall` round trip is %s guest instructions and a null `int 0x80` round trip %s,\n' "$sys" "$int80"
  printf 'each with `mov eax, nr` and a quarter of the loop: exact, so every run of this build gives them.\n'
}

# docs_define FILE NAME: the value of `#define NAME 0x...` in FILE, without its suffix.
docs_define() {
  sed -nE "s/^#define $2 +(0x[0-9a-fA-F]+)[uUlL]*( .*)?$/\\1/p" "$1" | head -n1
}

# docs_layout_segments ELF: one line per PT_LOAD segment of the kernel half (readelf -lW):
# "VIRT MEMSZ FLAGS SECTIONS...", FLAGS as readelf spells them without spaces (RE, R, RW).
docs_layout_segments() {
  readelf -lW "$1" | awk '
    /^Program Headers:/ { headers = 1; next }
    /Segment Sections/ { headers = 0; mapping = 1; next }
    headers && /^  [A-Z]/ && $1 != "Type" {
      i = n++; type[i] = $1; virt[i] = $3; memsz[i] = $6; flags[i] = ""
      for (f = 7; f < NF; f++) flags[i] = flags[i] $f
      next
    }
    mapping && /^ +[0-9][0-9] / {
      i = $1 + 0; line = ""
      for (f = 2; f <= NF; f++) line = line " " $f
      if (type[i] == "LOAD" && virt[i] ~ /^0xffff/) print virt[i], memsz[i], flags[i] line
    }'
}

# docs_addr EXPR: the value of the arithmetic EXPR as a 16-digit address in backquotes.
docs_addr() { printf '`0x%016x`' "$(($1))"; }

# memory-layout: design.md's table of the virtual address space, from the headers' constants
# (abi.h, asm_layout.h, lapic.c, ktest.c) and the kernel image's segments in lstar.elf.
docs_render_memory_layout() {
  local src=$1 elf=$2 abi=$1/src/syscall/abi.h image top size ceiling direct lapic scratch
  image=$(docs_define "$abi" USER_IMAGE_BASE)
  top=$(docs_define "$abi" USER_STACK_TOP)
  size=$(docs_define "$abi" USER_STACK_SIZE)
  ceiling=$(docs_define "$abi" USER_CEILING)
  direct=$(docs_define "$src/src/arch/x86_64/asm_layout.h" DIRECT_MAP_BASE)
  lapic=$(docs_define "$src/src/arch/x86_64/lapic.c" LAPIC_VA)
  scratch=$(sed -nE 's/^ *const uint64_t va = (0x[0-9a-f]+)ull;.*/\1/p' "$src/src/core/ktest.c" | head -n1)
  local v
  for v in image top size ceiling direct lapic scratch; do
    [[ -n ${!v} ]] || { echo "docs: memory-layout: cannot find the value of '$v' in the sources" >&2; return 1; }
  done
  local segments
  segments=$(docs_layout_segments "$elf")
  [[ $(wc -l <<<"$segments") -ge 3 ]] || { echo "docs: memory-layout: $elf has fewer than 3 kernel-half segments" >&2; return 1; }
  printf '| range | what | rights |\n|---|---|---|\n'
  printf '| %s–%s | unmapped: NULL and small-pointer faults | — |\n' "$(docs_addr 0)" "$(docs_addr "$image")"
  printf '| %s– | program segments (user.ld), as the ELF says, never W+X | user |\n' "$(docs_addr "$image")"
  printf '| %s–%s | guard page below the stack, unmapped | — |\n' "$(docs_addr "$top - $size - 4096")" "$(docs_addr "$top - $size")"
  printf '| %s–%s | user stack, %d KiB, RSP starts at `USER_STACK_TOP` | user RW NX |\n' \
    "$(docs_addr "$top - $size")" "$(docs_addr "$top")" "$((size / 1024))"
  printf '| %s–%s | unmapped; `USER_CEILING` = %s is the limit sysret checks | — |\n' \
    "$(docs_addr "$top")" "$(docs_addr "1 << 47")" "$(docs_addr "$ceiling")"
  printf '| %s– | direct map of all RAM (2 MiB pages), `phys_to_virt()` | kernel RW NX |\n' "$(docs_addr "$direct")"
  local virt memsz flags sections what rights
  while read -r virt memsz flags sections; do
    case $sections in
      .text) what='kernel `.text`' ;;
      .rodata) what='kernel `.rodata` (incl. the syscall table, the entry-window table)' ;;
      ".data .bss") what='kernel `.data` and `.bss`: per-CPU areas, stacks, the frame bitmap' ;;
      *) what="kernel \`${sections// /\`, \`}\`" ;;
    esac
    case $flags in
      RE) rights='kernel R X' ;; R) rights='kernel R NX' ;; RW) rights='kernel RW NX' ;; *) rights="ELF flags $flags" ;;
    esac
    printf '| %s–%s | %s | %s |\n' "$(docs_addr "$virt")" "$(docs_addr "$virt + $memsz")" "$what" "$rights"
  done <<<"$segments"
  printf '| %s | scratch page used by the map/unmap self-check | — |\n' "$(docs_addr "$scratch")"
  printf '| %s | the local APIC'"'"'s registers (uncached), for starting the other CPUs | kernel RW NX |\n' "$(docs_addr "$lapic")"
}

# docs_render NAME SRC BIN LOGDIR [ICOUNT_LOG]: block NAME as the build and its logs give it.
docs_render() {
  local name=$1 src=$2 logs=$4 icount=${5:-}
  case $name in
    boot-log) docs_render_boot_log "$logs/selftest.log" ;;
    msr-log) docs_render_msr_log "$logs/selftest.log" ;;
    fault-report) docs_render_fault_report "$logs/selftest.log" ud ;;
    gp-report) docs_render_fault_report "$logs/selftest.log" gp '[fault]   RAX=... (every general register)' ;;
    panic-report) docs_render_panic_report "$logs/panic.log" ;;
    icount-table) docs_render_icount_table "$icount" "$src/docs/benchmark.md" ;;
    icount-headline) docs_render_icount_headline "$icount" ;;
    memory-layout) docs_render_memory_layout "$src" "$3/lstar.elf" ;;
    *) echo "docs: unknown block $name" >&2; return 1 ;;
  esac
}
