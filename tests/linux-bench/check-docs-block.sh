#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Usage: check-docs-block.sh SOURCE_DIR
#
# The test docs_linux_table_names_its_source: the block linux-table of docs/benchmark.md, which
# `cmake --build build --target bench-linux` writes from its four boots of Debian's kernel, is
# well-formed and names its source (cmake/bench-linux-lib.sh, linux_block_problems, says what).
# Its figures cannot be rechecked here: that would take the four boots.
# Exit status: 0 well-formed, 1 not (each problem printed), 2 usage error.
set -uo pipefail
[[ $# -eq 1 ]] || { echo "usage: check-docs-block.sh SOURCE_DIR" >&2; exit 2; }
src=$1
# shellcheck source=cmake/docs-lib.sh
source "$src/cmake/docs-lib.sh"
# shellcheck source=cmake/bench-linux-lib.sh
source "$src/cmake/bench-linux-lib.sh"
problems=$(linux_block_problems "$src/docs/benchmark.md")
if [[ -n $problems ]]; then
  sed 's/^/FAIL: docs\/benchmark.md: /' <<<"$problems"
  echo "rerun \`cmake --build build --target bench-linux\` to rewrite the block"
  exit 1
fi
echo "ok: docs/benchmark.md's block $LINUX_BLOCK is well-formed and names its source"
