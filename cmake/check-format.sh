#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Usage: check-format.sh SOURCE_DIR
#
# Check that every C source and header in SOURCE_DIR's src/, usr/ and tests/host/ is as
# clang-format leaves it under SOURCE_DIR/.clang-format (clang-format --dry-run --Werror). Names
# each file that differs, with how many places, and the command that fixes them.
# The test c_sources_follow_clang_format runs it; the files are found when it runs, so a new file
# is checked without a reconfigure.
#
# Exit status: 0 every file is formatted, 1 some are not, 2 usage or setup error.
set -euo pipefail
export LC_ALL=C
# shellcheck source=cmake/script-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/script-lib.sh"

if [[ ${1:-} == -h || ${1:-} == --help ]]; then
  usage
  exit 0
fi
[[ $# -eq 1 ]] || die_usage "needs the source directory"
cd "$1" || die_setup "no such directory: $1"
[[ -f .clang-format ]] || die_setup "$1/.clang-format not found"
require_command clang-format clang-format
# The style is written for clang-format 14 (Debian 12); another version may lay out some lines
# otherwise.
version=$(clang-format --version | sed -nE 's/.*clang-format version ([0-9]+).*/\1/p')
[[ $version == 14 ]] || echo "note: clang-format $version; .clang-format is written for version 14"

mapfile -t files < <(find src usr tests/host -type f \( -name '*.c' -o -name '*.h' \) | sort)
[[ ${#files[@]} -gt 0 ]] || die_setup "no C files under $1/src, usr or tests/host"

# Each difference is one "FILE:LINE:COL: error: code should be clang-formatted" line.
report=$(clang-format --style=file --dry-run --Werror "${files[@]}" 2>&1) && status=0 || status=$?
bad=$(grep -oE '^[^:]+:[0-9]+:[0-9]+: error: code should be clang-formatted' <<<"$report" |
      cut -d: -f1 | sort | uniq -c | awk '{ print $2 " (" $1 " place" ($1 == 1 ? "" : "s") ")" }' || true)
if [[ -n $bad ]]; then
  echo "not as .clang-format lays them out:"
  sed 's/^/  /' <<<"$bad"
  echo "$(wc -l <<<"$bad") of ${#files[@]} files differ; fix with: clang-format -i FILE..."
  exit 1
fi
[[ $status -eq 0 ]] || fail "clang-format failed (exit $status): $(head -n3 <<<"$report")"
echo "all ${#files[@]} C files follow .clang-format"
