#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# No measured figure in README.md and docs/*.md is typed by hand without its source.
#
#   docs-figures.sh --source DIR [FILE...]       (the test docs_figures_are_generated_or_sourced)
#
# Reads README.md and docs/*.md (or the FILEs given, relative to DIR) and prints, as FILE:LINE,
# every line that carries a measured-looking figure and is neither in a generated block nor
# sourced. A figure is what a run measures, not what a design chooses:
#
#   a decimal (35.25, 1.6), a percentage (27%), a ratio (4.7×, 1.6 times), a time or a
#   frequency (40 s, 10 ms, 2.13 GHz), a count of instructions, ticks or cycles, a count of
#   boots or runs given as evidence (each of seven boots, in 3 runs), "N of N", an estimate
#   (about 40, ≈ 680), a count of crashes or failures, and a bold total after a colon
#   (crashes: **0**).
#
# A line may carry one when
#   - it is inside a `<!-- generated:NAME -->` block: `--target docs` (or `bench-linux`) wrote it
#     from a run and a docs test compares or checks it (or inside reliability.md's
#     `<!-- mutants:begin -->` table, which `cmake/mutants.sh --update-docs` writes with its run);
#   - its paragraph is sourced: it names a commit and a date (`commit `1df91a5e`, ... on
#     2026-11-25`), or it holds a comment `<!-- figure-source: WHAT, DATE -->` (a run: its commit
#     and how many boots; a publication: where and its date) whose DATE is YYYY-MM-DD, or
#     `<!-- figure-source: PATH -->` naming a file of the tree that sets the value (a delay or a
#     size the code chooses: the code is its source, and it is not measured). A
#     paragraph is the lines between blank lines, and a list is one paragraph; a table's row is
#     sourced by itself or by the paragraph just before the table (its caption).
# Code spans, HTML comments, headings and link targets are not read: a quoted log pattern, a
# command or a number in a manual's section is not a figure typed by hand. Code blocks are read
# whole (a log excerpt pasted by hand carries the figures of the run it came from) and sourced
# like a table, by the paragraph just before them.
#
# Numbers that look measured but are not are listed in ALLOWED below, each with its reason; keep
# the list short: a measured figure belongs in a generated block or names its source.
#
# Exit status: 0 every figure is generated or sourced, 1 some are not (each printed), 2 usage.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=cmake/script-lib.sh
source "$here/script-lib.sh"

src=''
while [[ $# -gt 0 ]]; do
  case $1 in
    --source) need_value "$1" $#; src=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    -*) die_usage "unknown option '$1'" ;;
    *) break ;;
  esac
done
[[ -n $src ]] || die_usage "--source is required"
if [[ $# -eq 0 ]]; then
  set -- README.md
  for f in "$src"/docs/*.md; do set -- "$@" "docs/${f##*/}"; done
fi

# Figures that are not measurements, removed from a line before it is read: "regex|reason".
# (Extended regular expressions as awk reads them, on the line with its code spans.)
ALLOWED=(
  '(QEMU|Linux|Bochs|Debian|GRUB|clang-format|gcc|NASM|Multiboot|kernel|revision|SSE) ?v?[0-9][0-9.]*|versions of the tools, kernels, manuals and instruction sets named'
  '((SDM|APM) )?(§|Vol\. ?|Volume |Table |ch\. )[0-9A-Z.]*([ ,]+(§)?[0-9][0-9.]*)*|sections of the Intel and AMD manuals'
  '\[[0-9]+(\.[0-9]+)*\]|a manual section number in brackets after its title (docs/design.md "References" names the editions)'
  'ring [0-3]|privilege levels: architecture'
  '[0-9]+\.[0-9]+\.[0-9][0-9.]*|numbers with two dots: sections and versions, never a measurement'
  '[0-9][0-9,.]* ?[a-zµ]* \(`[A-Z][A-Z0-9_]+`|a value quoted with the constant that sets it: a design choice, and the code is its source'
  'every [0-9]+ ms|the interval at which the tests inject NMIs from the monitor: a design choice (tests/qemu/monitor-inject.sh --every)'
)

allowed=$(mktemp)
trap 'rm -f "$allowed"' EXIT
printf '%s\n' "${ALLOWED[@]}" >"$allowed"
status=0
for file in "$@"; do
  [[ -f $src/$file ]] || { echo "docs-figures.sh: $src/$file not found" >&2; exit 2; }
  if ! awk -v file="$file" -v root="$src" -v allowed="$allowed" '
    BEGIN {
      while ((getline a < allowed) > 0) { sub(/\|[^|]*$/, "", a); allow[++na] = a }
      words = "(two|three|four|five|six|seven|eight|nine|ten|[0-9]+)"
      # What a figure looks like (after code spans and ALLOWED are gone).
      fig[1] = "[0-9]\\.[0-9]"
      fig[2] = "[0-9] ?%"
      fig[3] = "[0-9] ?×|[0-9] times"
      fig[4] = "[0-9] ?(ms|µs|us|ns|s|min|minutes?|seconds?|hours?|GHz|MHz|Hz)([^A-Za-z0-9]|$)"
      fig[5] = "[0-9] (guest |host )?(instructions?|ticks?|cycles?)([^A-Za-z]|$)"
      # Boots and runs as evidence (of seven boots, in three boots, 5 boots of 5, three boots
      # each), not as a design (bench-linux makes four boots).
      fig[6] = "(of|in|after|over|from) " words " (boots|runs)|" words " (boots|runs) (each|tried|in a row|of " words ")|[0-9] of [0-9]"
      fig[7] = "(about|≈|roughly|around) ?[0-9]|~ ?[0-9]"
      fig[8] = "[0-9] (kernel )?(crash|crashes|failures|panics)([^A-Za-z]|$)|: \\*\\*[0-9][0-9,]*\\*\\*"
      nfig = 8
      date = "20[0-9][0-9]-[01][0-9]-[0-3][0-9]"
      commit = "commit `?[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]"
    }
    # Sourced: a commit and a date, or a figure-source comment with a date or a file of the tree.
    function sourced_text(s,   c, f) {
      if (match(s, /<!-- figure-source:[^>]*-->/)) {
        c = substr(s, RSTART, RLENGTH)
        if (c ~ date) return 1
        if (match(c, /(src|usr|boot|cmake|tests)\/[A-Za-z0-9_.\/-]+/)) {
          f = substr(c, RSTART, RLENGTH)
          if ((getline junk < (root "/" f)) >= 0) { close(root "/" f); return 1 }
        }
      }
      return (s ~ commit && s ~ date)
    }
    # The line as read: no code spans, comments, link targets or allowed phrases.
    function readable(s,   i) {
      gsub(/<!--[^>]*-->/, "", s)
      for (i = 1; i <= na; i++) gsub(allow[i], "", s)
      gsub(/`[^`]*`/, "", s)
      gsub(/\]\([^)]*\)/, "]", s)
      gsub(/https?:[^ )]*/, "", s)
      return s
    }
    function figure(s,   i) {
      for (i = 1; i <= nfig; i++) if (s ~ fig[i]) return 1
      return 0
    }
    # A paragraph ends: report its figures unless it (or, for a table, its caption) is sourced.
    function flush(   i, ok, table) {
      if (n == 0) return
      table = (line[1] ~ /^\|/) && !code[1]
      if (code[1]) ok = prev_kept || sourced_text(text)
      else ok = table ? prev_sourced : sourced_text(text)
      if (!ok) for (i = 1; i <= n; i++) if (!(table && sourced_text(line[i])) && figure(code[i] ? line[i] : readable(line[i]))) {
        printf "%s:%d: a figure with no source (generate it, or name its commit and date): %s\n", file, at[i], line[i]
        bad++
      }
      prev_sourced = !table && !code[1] && sourced_text(text)
      for (i = 1; i <= n; i++) delete code[i]
      n = 0; text = ""
    }
    /^<!-- (generated:[^ ]*|mutants:begin) -->$/ { flush(); gen = 1; next }
    gen && ($0 == "<!-- /generated -->" || $0 == "<!-- mutants:end -->") { gen = 0; prev_sourced = 0; next }
    gen { next }
    # A code block is read too (a log excerpt pasted by hand is a figure typed by hand), as one
    # unit sourced, like a table, by the paragraph just before it.
    /^```/ { flush(); if (!fence) prev_kept = prev_sourced; fence = !fence; if (!fence) prev_sourced = 0; next }
    fence { code[++n] = 1; line[n] = $0; at[n] = FNR; text = text " " $0; next }
    /^[ \t]*$/ || /^#/ { flush(); if (/^#/) prev_sourced = 0; next }
    # A table right after a paragraph, with no blank line between, is its own paragraph.
    /^\|/ && n > 0 && line[n] !~ /^\|/ { flush() }
    { line[++n] = $0; at[n] = FNR; text = text " " $0 }
    END { flush(); exit bad > 0 }' "$src/$file"; then
    status=1
  fi
done
if [[ $status -ne 0 ]]; then
  echo "some figures have no source: put them in a generated block, or name the commit and date of the run (docs/testing.md, \"The docs\")"
  exit 1
fi
echo "every figure in ${*} is generated or names its source"
