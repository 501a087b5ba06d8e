#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The architecture layer does not depend on the system-call layer: no file under src/arch
# includes a header of src/syscall (#include "syscall/..." in C, %include "syscall/..." in NASM).
#
# src/arch owns what each CPU's bring-up needs (the syscall MSRs, syscall_msr.c; the entry-window
# table, entry_window.c), as Linux's arch/x86/kernel/cpu/common.c owns syscall_init; src/syscall
# builds on it (docs/design.md "Layers"). The one header allowed is syscall/abi.h: the ABI
# contract with ring 3, numbers only (errno values, user address bounds, feature bits), read by
# every layer and by usr/ alike, as Linux's include/uapi is.
#
# Usage: layering_test.sh SOURCE_DIR
set -euo pipefail
export LC_ALL=C

root=${1:?usage: layering_test.sh SOURCE_DIR}
[[ -d $root/src/arch ]] || { echo "layering_test.sh: no $root/src/arch" >&2; exit 2; }

allowed='syscall/abi\.h'
files=$(find "$root/src/arch" -type f \( -name '*.c' -o -name '*.h' -o -name '*.asm' -o -name '*.inc' \) | wc -l)
bad=$(grep -rnE '^[[:space:]]*(#[[:space:]]*include|%include)[[:space:]]*[<"]syscall/' "$root/src/arch" |
  grep -vE "[<\"]$allowed[>\"]" || true)
if [[ -n $bad ]]; then
  while IFS= read -r hit; do
    echo "FAIL: ${hit#"$root"/}: src/arch includes the syscall layer"
  done <<<"$bad"
  echo "FAIL: move what src/arch needs into src/arch, or have src/core or src/syscall call it"
  exit 1
fi
((files > 20)) || { echo "FAIL: only $files files under src/arch"; exit 1; }
echo "ok: none of the $files files of src/arch includes src/syscall (syscall/abi.h, the ABI, aside)"
