#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Usage: check-spdx.sh [--fix] ROOT
#
# Every source file of the repository names its licence in an SPDX line near its top (LICENSE
# has the text): C, headers, NASM, linker scripts, shell, CMake, GDB scripts and grub.cfg. The
# line is the first one, or the second after a `#!` line. Prints each file without it and exits
# 1; exits 0 when every file has it. --fix adds the line where it is missing, in the comment
# syntax of the file's language.
#
# Source files are those git tracks (or, outside a git checkout, every file under ROOT but
# build/): markdown, JSON, fixtures and expected-output text carry no comment syntax of their
# own or are data, and are not source.
set -euo pipefail
export LC_ALL=C

readonly LICENCE=MIT
fix=0
if [[ ${1-} == --fix ]]; then fix=1; shift; fi
[[ $# -eq 1 ]] || { echo "usage: check-spdx.sh [--fix] ROOT" >&2; exit 2; }
root=$1
cd "$root"

# comment_for FILE: the SPDX line in FILE's comment syntax, or nothing when FILE is not source.
comment_for() {
  local tag="SPDX-License-Identifier: $LICENCE"
  case $1 in
    *.c|*.h)                      echo "// $tag" ;;
    *.ld)                         echo "/* $tag */" ;;
    *.asm|*.inc)                  echo "; $tag" ;;
    *.sh|*.cmake|*/CMakeLists.txt|CMakeLists.txt|*.gdb|*/gdbinit|*.cfg|.ci/run) echo "# $tag" ;;
    *)                            ;;
  esac
}

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files --cached --others --exclude-standard)
else
  mapfile -t files < <(find . -path ./build -prune -o -type f -print | sed 's|^\./||')
fi

missing=0 checked=0
for f in "${files[@]}"; do
  [[ -f $f ]] || continue
  want=$(comment_for "$f")
  [[ -n $want ]] || continue
  checked=$((checked + 1))
  first=$(head -n1 "$f")
  line=1
  [[ $first == '#!'* ]] && line=2
  if [[ $(sed -n "${line}p" "$f") == "$want" ]]; then
    continue
  fi
  if [[ $fix == 1 ]]; then
    if [[ $line == 2 ]]; then
      { head -n1 "$f"; echo "$want"; tail -n +2 "$f"; } >"$f.spdx"
    else
      { echo "$want"; cat "$f"; } >"$f.spdx"
    fi
    chmod --reference="$f" "$f.spdx"
    mv "$f.spdx" "$f"
    echo "added: $f"
  else
    echo "no '$want' on line $line: $f"
    missing=$((missing + 1))
  fi
done
if [[ $fix == 0 ]]; then
  if [[ $missing -gt 0 ]]; then
    echo "FAIL: $missing of $checked source files lack their SPDX line (bash cmake/check-spdx.sh --fix . adds it)"
    exit 1
  fi
  if [[ $checked -lt 100 ]]; then
    echo "FAIL: only $checked source files found under $root: not the lstar tree?"
    exit 1
  fi
  echo "ok: all $checked source files name their licence ($LICENCE)"
fi
