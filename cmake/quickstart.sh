#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Usage: bash cmake/quickstart.sh run|test|deps
#
# From a fresh Debian 12 machine to a booted lstar: install what is missing, configure, build,
# then boot and benchmark (run) or run every test (test).
#
#   run    install missing packages, configure, build, and boot the default GRUB entry: kernel
#          self-checks, the ring-3 selftest, then the benchmark; writes build/bench/results.csv
#          and the chart build/bench/results.png
#   test   install missing packages, configure, build, and run every test with CTest
#   deps   only install the missing packages
#   -h     this text
#
# LSTAR_CPU=MODEL in the environment: the QEMU -cpu model run boots (default max).
# Works from any directory. Packages come from Debian's archive through apt-get (as root, or with
# sudo); apt-get update runs only when something is missing.
set -euo pipefail
# shellcheck source=cmake/script-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/script-lib.sh"

# The Debian 12 packages lstar needs, and why.
readonly PACKAGES=(
  cmake make gcc libc6-dev nasm          # build the kernel, the ring-3 programs and host tests
  libasan8 libubsan1                     # the host tests' sanitizers (gcc pulls them in; checked)
  grub-common grub-pc-bin grub-efi-amd64-bin xorriso mtools   # grub-mkrescue: BIOS + UEFI ISO
  qemu-system-x86 ovmf                   # boot it, through SeaBIOS and through UEFI
  bochs bochs-term bochsbios vgabios     # a second CPU model (Bochs tests); term: the headless display
  gnuplot-nox                            # the benchmark chart
  console-setup-linux                    # the framebuffer console's PSF font (Lat15-VGA16)
  netpbm                                 # pnmtopng: the screen tests keep each screen as PNG
  gdb                                    # the debug target
  clang-format                           # the format test (c_sources_follow_clang_format)
  git                                    # the commit quoted in the boot log and results
  cpio                                   # the initramfs of the Linux comparison (bench-linux target)
)

say() {
  echo "[quickstart] $*"
}

die() {
  echo "[quickstart] $*" >&2
  exit 1
}

# installed PACKAGE: is PACKAGE installed, per dpkg?
installed() {
  [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]
}

# install_missing: apt-get install whatever of PACKAGES is not installed yet.
install_missing() {
  if ! command -v dpkg-query >/dev/null; then
    say "not a Debian system: make sure these (or your distribution's equivalents) are installed:"
    say "  ${PACKAGES[*]}"
    return 0
  fi
  local missing=() pkg
  for pkg in "${PACKAGES[@]}"; do
    # Any gnuplot flavour provides the gnuplot command the chart needs.
    if [[ $pkg == gnuplot-nox ]] && { installed gnuplot-qt || installed gnuplot-x11; }; then
      continue
    fi
    installed "$pkg" || missing+=("$pkg")
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    say "all ${#PACKAGES[@]} packages are installed"
    return 0
  fi

  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null; then
      sudo=(sudo)
    else
      die "missing packages and no root or sudo to install them; as root, run:
  apt-get update && apt-get install --no-install-recommends ${missing[*]}"
    fi
  fi
  say "installing ${#missing[@]} missing package(s): ${missing[*]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
}

[[ $# -eq 1 ]] || die_usage "needs one command: run, test or deps"
case $1 in
  -h|--help) usage; exit 0 ;;
  run|test|deps) action=$1 ;;
  *) die_usage "unknown command '$1'" ;;
esac

# CMakePresets.json lives at the top of the repository: work from there whatever the caller's cwd.
cd "$(dirname "${BASH_SOURCE[0]}")/.."

install_missing
[[ $action == deps ]] && exit 0

# LSTAR_CPU in the environment picks the QEMU -cpu model of run (default max, an AMD model under
# TCG; Skylake-Client is an Intel one, where the benchmark also measures sysenter).
say "configuring (cmake --preset default -DLSTAR_CPU=${LSTAR_CPU:-max})"
cmake --preset default -DLSTAR_CPU="${LSTAR_CPU:-max}"

if [[ $action == run ]]; then
  say "building and booting (cmake --build --preset run)"
  cmake --build --preset run
  say "done: results in build/bench/results.csv, chart in build/bench/results.png"
  exit 0
fi

say "building (cmake --build --preset default -j2)"
cmake --build --preset default -j2
say "testing (ctest --preset default)"
exec ctest --preset default
