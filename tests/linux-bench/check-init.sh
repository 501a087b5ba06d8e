#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Usage: check-init.sh INIT
#
# The test linux_bench_init_is_a_static_program_with_benchs_loops: INIT (usr/linux-bench's
# build) is what Linux can run as /init with nothing else in the initramfs, and measures the
# way lstar's bench does:
#   - an ELF64 x86-64 executable (ET_EXEC) with no PT_INTERP and no dynamic section: static;
#   - its entry point is _start (linux_start.asm);
#   - no undefined symbol;
#   - it holds usr/bench's batches and statistics (bench_batch_empty, bench_batch_function,
#     bench_batch_syscall, bench_batch_int80, stats_compute, stats_median);
#   - it calls getppid by 110 through syscall and by 64 through int 0x80 (GDB reads the two
#     numbers from the file: Linux's x86-64 and ia32 tables, <asm/unistd_64.h> and _32.h).
# Exit status: 0 all true, 1 something is not (each printed), 2 usage or setup error.
set -uo pipefail
[[ $# -eq 1 ]] || { echo "usage: check-init.sh INIT" >&2; exit 2; }
init=$1
[[ -f $init ]] || { echo "no such file: $init" >&2; exit 2; }
for tool in readelf nm gdb; do
  command -v "$tool" >/dev/null || { echo "$tool not found" >&2; exit 2; }
done
failures=0
bad() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok:   $*"; }

header=$(readelf -hW "$init")
grep -Eq '^ *Class: +ELF64$' <<<"$header" && grep -Eq '^ *Machine: +Advanced Micro Devices X86-64$' <<<"$header" &&
  ok "ELF64 x86-64" || bad "not an ELF64 x86-64 file"
grep -Eq '^ *Type: +EXEC ' <<<"$header" && ok "an executable (ET_EXEC)" || bad "not ET_EXEC: $(grep -E '^ *Type:' <<<"$header")"
programs=$(readelf -lW "$init")
if grep -Eq '^ *(INTERP|DYNAMIC) ' <<<"$programs"; then
  bad "has an interpreter or a dynamic section: not static"
else
  ok "static: no PT_INTERP, no PT_DYNAMIC"
fi
entry=$(sed -nE 's/^ *Entry point address: +0x([0-9a-f]+)$/\1/p' <<<"$header")
start=$(nm "$init" | awk '$3 == "_start" { print $1 }')
if [[ -n $entry && -n $start ]] && ((16#$entry == 16#$start)); then
  ok "the entry point is _start (0x$entry)"
else
  bad "the entry point 0x$entry is not _start (0x${start:-none})"
fi
undefined=$(nm -u "$init")
[[ -z $undefined ]] && ok "no undefined symbol" || bad "undefined symbols: $(tr '\n' ' ' <<<"$undefined")"
for sym in bench_batch_empty bench_batch_function bench_batch_syscall bench_batch_int80 stats_compute stats_median; do
  nm "$init" | grep -Eq " [Tt] $sym\$" || bad "no $sym: not usr/bench's loops and statistics"
done
ok "usr/bench's batches and statistics are linked in"

numbers=$(gdb -batch -nx -ex 'print x64_nr_getppid' -ex 'print ia32_nr_getppid' "$init" 2>&1)
x64=$(sed -nE '1s/^\$1 = ([0-9-]+)$/\1/p' <<<"$numbers")
ia32=$(sed -nE '2s/^\$2 = ([0-9-]+)$/\1/p' <<<"$numbers")
[[ $x64 == 110 ]] && ok "getppid through syscall is 110" || bad "getppid through syscall is '${x64:-unreadable}', not 110 (gdb: $numbers)"
[[ $ia32 == 64 ]] && ok "getppid through int 0x80 is 64 (ia32)" || bad "getppid through int 0x80 is '${ia32:-unreadable}', not the ia32 number 64 (gdb: $numbers)"

[[ $failures -eq 0 ]] || { echo "$failures check(s) failed"; exit 1; }
echo "the init is a static Linux program measuring with usr/bench's loops"
