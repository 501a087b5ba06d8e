#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Rewrites the generated blocks of README.md and docs/*.md from the build
# (`cmake --build build --target docs`); cmake/docs-lib.sh lists them and says what each holds.
#
#   docs-sync.sh --source DIR --build DIR [--icount-log FILE]
#
# Boots the ISO twice under TCG (the selftest, and a kernel page fault: about 10 s) and reads the
# newest -icount benchmark log of this build (`bench-icount`'s, or the test bench_icount_budget's);
# without one it runs the benchmark under -icount itself (a few seconds). --icount-log names the log
# to use instead. Only the blocks change; the test docs_quote_what_the_build_produces checks the
# rest of what the docs quote. Exit status: 0 done, 1 a boot or a block failed, 2 usage.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=cmake/script-lib.sh
source "$here/script-lib.sh"
# shellcheck source=cmake/docs-lib.sh
source "$here/docs-lib.sh"

src='' bin='' icount=''
while [[ $# -gt 0 ]]; do
  case $1 in
    --source) src=$2; shift 2 ;;
    --build) bin=$2; shift 2 ;;
    --icount-log) icount=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) die_usage "unknown option '$1'" ;;
  esac
done
[[ -n $src && -n $bin ]] || die_usage "--source and --build are required"
[[ -f $bin/lstar.iso ]] || { echo "docs-sync.sh: $bin/lstar.iso not found: build first" >&2; exit 2; }
logs=$bin/docs
mkdir -p "$logs"

echo "[docs] booting $bin/lstar.iso: the selftest, then a kernel page fault"
docs_boot "$src" "$bin" "$logs" || exit 1
if [[ -z $icount ]] && ! icount=$(docs_icount_log "$bin"); then
  echo "[docs] no -icount benchmark log of this build: running one (a few seconds)"
  docs_icount_boot "$src" "$bin" "$logs/icount.log" || exit 1
  icount=$logs/icount.log
fi
echo "[docs] -icount figures from $icount"

for entry in "${DOCS_BLOCKS[@]}"; do
  read -r name file <<<"$entry"
  docs_render "$name" "$src" "$bin" "$logs" "$icount" >"$logs/$name.block" || exit 1
  if cmp -s <(docs_block "$src/$file" "$name") "$logs/$name.block"; then
    echo "[docs] $file: $name is current"
  else
    docs_replace_block "$src/$file" "$name" "$logs/$name.block" || exit 1
    echo "[docs] $file: $name rewritten"
  fi
done
