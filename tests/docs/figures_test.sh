#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The test docs_figures_check_fails_on_a_hand_typed_figure: cmake/docs-figures.sh, run on small
# documents made here, fails on a hand-typed measured figure and names its file and line, and
# passes the same figure in a generated block, with a commit and a date, or with a
# `<!-- figure-source: ... -->` comment, and a number that is not a measurement. A code block
# (a log excerpt) is read too, sourced by the paragraph before it; a code span is not read.
#
# Usage: figures_test.sh DOCS_FIGURES_SH
set -uo pipefail
check=${1:?usage: figures_test.sh DOCS_FIGURES_SH}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/src" && : >"$dir/src/wait.c"
failures=0

# expect STATUS GREP-PATTERN DOC-TEXT...: docs-figures.sh on README.md holding the text exits with
# STATUS and (if given) prints a line matching the pattern.
expect() {
  local want=$1 pattern=$2 got out
  shift 2
  printf '%s\n' "$@" >"$dir/README.md"
  out=$(bash "$check" --source "$dir" README.md 2>&1)
  got=$?
  if [[ $got -ne $want ]]; then
    echo "FAIL: exit $got, expected $want, for:"; printf '  %s\n' "$@"; printf '%s\n' "$out" | sed 's/^/  | /'
    failures=$((failures + 1))
  elif [[ -n $pattern ]] && ! grep -qE -- "$pattern" <<<"$out"; then
    echo "FAIL: no line matching '$pattern' in:"; printf '%s\n' "$out" | sed 's/^/  | /'
    failures=$((failures + 1))
  else
    echo "ok:   exit $want${pattern:+, '$pattern'}: $*"
  fi
}

expect 1 '^README\.md:3: ' '# Title' '' 'Under TCG `int 0x80` costs 3.3× `syscall`.'
expect 1 '^README\.md:2: ' 'Intro.' 'Each of seven boots ended in a panic.'
expect 1 '^README\.md:4: ' '| what | per run |' '|---|---|' '| NMI | 40 |' '| NMI | about 40–60 |'
expect 1 '^README\.md:1: ' 'Kernel crashes in these runs: **0**.'
expect 1 '^README\.md:1: ' 'The suite took 94 s.'
expect 0 '' '<!-- generated:x -->' 'Under TCG `int 0x80` costs 3.3× `syscall`.' '<!-- /generated -->'
expect 0 '' 'Measured at commit `abc1234` on 2026-12-07: `int 0x80` costs 3.3× `syscall`.'
expect 0 '' 'It took 94 s,' 'in one paragraph. <!-- figure-source: the boots of 2026-12-07 -->'
expect 1 '^README\.md:1: ' 'It took 94 s. <!-- figure-source: the boots of last week -->'
expect 0 '' 'It waits 10 ms. <!-- figure-source: src/wait.c -->'
expect 1 '^README\.md:1: ' 'It waits 10 ms. <!-- figure-source: src/no-such-file.c -->'
expect 0 '' 'Runs of commit `abc1234`, 2026-12-07:' '' '| path | ticks |' '|---|---:|' '| a | 3.5 |'
expect 1 '^README\.md:3: ' 'A table:' '' '| a | 3.5 |' '| b | 4 on 2026-12-07 at commit `abc1234` |'
expect 0 '' 'QEMU 7.2.22, SDM Vol. 3A §6.7.1, ring 3 runs on, the lock waits 5 s (`SPIN_LOCK_PATIENCE_S`).'
expect 0 '' 'A quoted pattern: `[bench] 3.3×`, in a code span.'
expect 1 '^README\.md:4: ' 'A log excerpt:' '' '```' '[boot] 10 ms of the 186 ms spent drawing' '```'
expect 0 '' 'A log excerpt of commit `abc1234`, 2026-12-07:' '' '```' '[boot] 10 ms of the 186 ms spent drawing' '```'
expect 0 '' 'Four boots of the target, `bench-linux`:' '' '```sh' 'make bench-linux   # four boots' '```'

if [[ $failures -ne 0 ]]; then
  echo "$failures case(s) of docs-figures.sh went wrong"
  exit 1
fi
echo "docs-figures.sh fails on a hand-typed figure and passes a generated or sourced one"
