#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Usage: check-refusals.sh BENCH_LINUX INIT SCRATCH
#
# The test bench_linux_refuses_a_missing_or_wrong_kernel: BENCH_LINUX (cmake/bench-linux.sh),
# given with --kernel-deb a file that does not exist, a file that is no Debian package, or a
# Debian package that is no linux-image-<version>, stops with exit 2 and a message naming the
# problem, before any boot (no run directory appears). SCRATCH is emptied and reused.
# Exit status: 0 every refusal as required, 1 one was not (printed), 2 usage error.
set -uo pipefail
[[ $# -eq 3 ]] || { echo "usage: check-refusals.sh BENCH_LINUX INIT SCRATCH" >&2; exit 2; }
script=$1 init=$2 scratch=$3
rm -rf "$scratch"
mkdir -p "$scratch"
failures=0

# refuses NAME DEB MESSAGE: bench-linux.sh with --kernel-deb DEB exits 2 saying MESSAGE.
refuses() {
  local name=$1 deb=$2 message=$3 out status
  out=$(bash "$script" --init "$init" --out "$scratch/out-$name" --kernel-deb "$deb" 2>&1)
  status=$?
  if [[ $status -ne 2 ]]; then
    echo "FAIL: $name: expected exit 2, got $status: $out"
    failures=$((failures + 1))
  elif [[ $out != *"$message"* ]]; then
    echo "FAIL: $name: exit 2, but not saying '$message': $out"
    failures=$((failures + 1))
  elif compgen -G "$scratch/out-$name/*-mitigations-*" >/dev/null; then
    echo "FAIL: $name: refused, but after starting a run"
    failures=$((failures + 1))
  else
    echo "ok:   $name: exit 2, '$(tail -n1 <<<"$out")'"
  fi
}

refuses missing "$scratch/no-such-kernel.deb" "kernel package not found"
echo "not an archive" >"$scratch/garbage.deb"
refuses garbage "$scratch/garbage.deb" "is not a Debian package"
# A real, tiny Debian package that is not a kernel.
mkdir -p "$scratch/pkg/DEBIAN"
printf 'Package: lstar-not-a-kernel\nVersion: 1.0\nArchitecture: amd64\nMaintainer: lstar\nDescription: a test package\n' \
  >"$scratch/pkg/DEBIAN/control"
dpkg-deb --build "$scratch/pkg" "$scratch/not-a-kernel.deb" >/dev/null || { echo "dpkg-deb --build failed" >&2; exit 2; }
refuses not-a-kernel "$scratch/not-a-kernel.deb" "holds lstar-not-a-kernel, not a linux-image"

[[ $failures -eq 0 ]] || exit 1
echo "every wrong kernel refused before a boot"
