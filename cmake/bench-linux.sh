#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Usage: bench-linux.sh --init FILE --out DIR [options]
#
# The Linux comparison (the `bench-linux` target). Boots Debian's own Linux kernel package in
# QEMU with FILE, the static init of usr/linux-bench, as the only file of its initramfs; the init
# times Linux's system calls with usr/bench's loops and statistics and prints bench's [bench]
# lines, which cmake/bench-report.sh turns into the same CSV as lstar's. Four runs, on one CPU of
# -cpu Skylake-Client (an Intel model, so Linux turns on its Intel protections), each in DIR/<run>/:
#
#   icount-mitigations-on    -icount shift=0,sleep=off: guest instructions; Linux's defaults
#   icount-mitigations-off   the same with mitigations=off on Linux's command line
#   tcg-mitigations-on       plain TCG: host TSC ticks spent emulating
#   tcg-mitigations-off
#
# Each run leaves serial.log (the whole boot), results.csv (path,min,median,p90,p99,max,mean,
# samples,unit,accel), results.png/.svg, and context.txt: bench-report.sh's lines (accelerator,
# CPU model, QEMU version, date, ...) and the Linux package and version, `uname -r`, the command
# line, Linux's TSC calibration and its verdict on each speculation flaw. After all four,
# DIR/summary.md holds the medians side by side, and the block linux-table of --docs FILE (if
# given) is rewritten with it (cmake/bench-linux-lib.sh).
#
#   --init FILE         the init (the target linux_bench_init: build/linux-bench/init) (required)
#   --out DIR           where the kernel, the initramfs and the runs go (required)
#   --kernel-deb FILE   boot the kernel of this linux-image .deb instead of downloading one
#   --package NAME      the Debian package to download (default: the linux-image-*-amd64 that
#                       linux-image-amd64 depends on, i.e. Debian's current kernel)
#   --cpu MODEL         QEMU -cpu model (default: Skylake-Client)
#   --batches N         batches per path (default: 200, as bench)
#   --calls N           calls per batch (default: 1000, as bench)
#   --runs LIST         comma-separated names of the runs to make (default: all four); the summary
#                       and the docs block are written only when all four were made
#   --docs FILE         rewrite the block linux-table of FILE (docs/benchmark.md) after all four
#   --timeout SEC       seconds per boot before it counts as hung (default: 600)
#   -h, --help          this text
#
# The kernel comes from Debian's archive with `apt-get download` and is unpacked with dpkg-deb
# into DIR/kernel, never installed; when apt's lists do not know the package and the script runs
# as root (or with sudo), it runs apt-get update once. The initramfs is built with cpio.
# The init ends the machine through isa-debug-exit: QEMU exits 33 after a complete run, 35 when
# the init found a path that did not work (or a bad argument), anything else after a kernel panic
# or a hang.
# Exit status: 0 every run measured, 1 a run failed (its serial.log says how), 2 usage or setup
# error (nothing was booted).
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=cmake/script-lib.sh
source "$here/script-lib.sh"
# shellcheck source=cmake/docs-lib.sh
source "$here/docs-lib.sh"
# shellcheck source=cmake/bench-linux-lib.sh
source "$here/bench-linux-lib.sh"

readonly QEMU=qemu-system-x86_64
readonly META_PACKAGE=linux-image-amd64

init=''
out=''
kernel_deb=''
package=''
cpu=Skylake-Client
batches=200
calls=1000
runs=''
docs=''
timeout_s=600

while [[ $# -gt 0 ]]; do
  case $1 in
    --init)       need_value "$1" $#; init=$2; shift 2 ;;
    --out)        need_value "$1" $#; out=$2; shift 2 ;;
    --kernel-deb) need_value "$1" $#; kernel_deb=$2; shift 2 ;;
    --package)    need_value "$1" $#; package=$2; shift 2 ;;
    --cpu)        need_value "$1" $#; cpu=$2; shift 2 ;;
    --batches)    need_value "$1" $#; batches=$2; shift 2 ;;
    --calls)      need_value "$1" $#; calls=$2; shift 2 ;;
    --runs)       need_value "$1" $#; runs=$2; shift 2 ;;
    --docs)       need_value "$1" $#; docs=$2; shift 2 ;;
    --timeout)    need_value "$1" $#; timeout_s=$2; shift 2 ;;
    -h|--help)    usage; exit 0 ;;
    *)            die_usage "unknown option '$1'" ;;
  esac
done

# ---- check the options, then what the runs need ----
[[ -n $init ]] || die_usage "--init is required"
[[ -n $out ]] || die_usage "--out is required"
[[ $cpu =~ ^[A-Za-z0-9_.,=+-]+$ ]] || die_usage "--cpu: '$cpu' is not a CPU model name"
[[ $batches =~ ^[1-9][0-9]*$ && $batches -le 10000 ]] || die_usage "--batches needs 1..10000, not '$batches'"
[[ $calls =~ ^[1-9][0-9]*$ && $calls -le 10000000 ]] || die_usage "--calls needs 1..10000000, not '$calls'"
[[ $timeout_s =~ ^[1-9][0-9]*$ ]] || die_usage "--timeout needs a positive number of seconds, not '$timeout_s'"
[[ -z $package || $package =~ ^linux-image-[a-z0-9.+-]+$ ]] || die_usage "--package: '$package' is not a linux-image package name"
all_runs=()
for entry in "${LINUX_RUNS[@]}"; do all_runs+=("${entry%% *}"); done
selected=()
if [[ -z $runs ]]; then
  selected=("${all_runs[@]}")
else
  IFS=, read -ra selected <<<"$runs"
  for name in "${selected[@]}"; do
    [[ " ${all_runs[*]} " == *" $name "* ]] || die_usage "--runs: no run '$name' (the runs: ${all_runs[*]})"
  done
fi
[[ -z $docs || -f $docs ]] || die_usage "--docs: no such file: $docs"

[[ -f $init ]] || die_setup "the init not found: $init (build it: cmake --build build --target linux_bench_init)"
if [[ -n $kernel_deb && ! -f $kernel_deb ]]; then
  die_setup "kernel package not found: $kernel_deb (leave out --kernel-deb to download Debian's)"
fi
require_command "$QEMU" qemu-system-x86
require_command dpkg-deb dpkg
require_command timeout coreutils
qemu_version=$("$QEMU" --version | sed -nE '1s/.*version ([0-9][0-9.]*).*/\1/p')
[[ -n $qemu_version ]] || die_setup "cannot read $QEMU's version"

say() { echo "[bench-linux] $*"; }
mkdir -p "$out"
kernel_dir=$out/kernel
mkdir -p "$kernel_dir"

# ---- the kernel: Debian's package, downloaded with apt and unpacked, never installed ----

# refresh_apt_lists: apt-get update, if this user may (root, or sudo without a password).
refresh_apt_lists() {
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null && sudo -n true 2>/dev/null || return 1
    sudo=(sudo -n)
  fi
  say "apt's lists do not have it: apt-get update" >&2
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update >>"$kernel_dir/apt.log" 2>&1
}

# current_kernel_package: the linux-image-*-amd64 package linux-image-amd64 depends on.
current_kernel_package() {
  apt-cache depends "$META_PACKAGE" 2>>"$kernel_dir/apt.log" |
    sed -nE 's/^ *Depends: (linux-image-[0-9][a-z0-9.+-]*-amd64)$/\1/p' | head -n1
}

# download_kernel: DIR/kernel/<package>_<version>_amd64.deb of the wanted package's candidate
# version (kept: a later run with the same candidate downloads nothing); prints its path.
download_kernel() {
  local pkg=$package version deb tries
  require_command apt-get apt
  for tries in 1 2; do
    [[ -n $pkg ]] || pkg=$(current_kernel_package)
    [[ -n $pkg ]] && version=$(apt-cache policy "$pkg" 2>>"$kernel_dir/apt.log" | sed -n 's/^ *Candidate: //p')
    if [[ -n $pkg && -n ${version:-} && $version != "(none)" ]]; then
      deb=$kernel_dir/${pkg}_${version//:/%3a}_amd64.deb
      if [[ -f $deb ]] || (cd "$kernel_dir" && apt-get download "$pkg" >>apt.log 2>&1); then
        [[ -f $deb ]] || die_setup "apt-get download $pkg left no $deb (see $kernel_dir/apt.log)"
        echo "$deb"
        return 0
      fi
    fi
    # The lists may be stale (the version they name is gone from the mirror) or empty.
    if [[ $tries -eq 2 ]] || ! refresh_apt_lists; then
      break
    fi
    pkg=$package
  done
  die_setup "cannot download ${pkg:-the package $META_PACKAGE depends on} from Debian's archive" \
    "(see $kernel_dir/apt.log; as root, apt-get update may help; or pass --kernel-deb FILE)"
}

if [[ -z $kernel_deb ]]; then
  say "looking up Debian's kernel package (apt-get download)"
  kernel_deb=$(download_kernel)
fi
pkg_name=$(dpkg-deb -f "$kernel_deb" Package 2>/dev/null) || die_setup "$kernel_deb is not a Debian package"
pkg_version=$(dpkg-deb -f "$kernel_deb" Version)
[[ $pkg_name =~ ^linux-image-[0-9] ]] || die_setup "$kernel_deb holds $pkg_name, not a linux-image-<version> package"
unpacked=$kernel_dir/$pkg_name-$pkg_version
if [[ ! -d $unpacked/boot ]]; then
  rm -rf "$unpacked.tmp"
  mkdir -p "$unpacked.tmp"
  # Only the kernel and its configuration: the modules are most of the package, and the init
  # needs none of them.
  dpkg-deb --fsys-tarfile "$kernel_deb" | tar -x -C "$unpacked.tmp" --wildcards './boot/vmlinuz-*' './boot/config-*' ||
    die_setup "cannot unpack the kernel from $kernel_deb"
  mv "$unpacked.tmp" "$unpacked"
fi
vmlinuz=$(find "$unpacked/boot" -name 'vmlinuz-*' | head -n1)
[[ -n $vmlinuz ]] || die_setup "$kernel_deb has no /boot/vmlinuz-*"
say "kernel: $pkg_name $pkg_version ($vmlinuz)"

# ---- the initramfs: the init alone, as /init ----
require_command cpio cpio
# Linux mounts nothing and creates no file but /dev/console before it runs /init (from the
# initramfs built into it); the init mounts devtmpfs, proc and sysfs itself.
initramfs=$out/initramfs.cpio
rm -rf "$out/initramfs"
mkdir -p "$out/initramfs"
cp "$init" "$out/initramfs/init"
chmod 0755 "$out/initramfs/init"
(cd "$out/initramfs" && printf 'init\n' | cpio -o -H newc -R 0:0 --reproducible --quiet) >"$initramfs" ||
  die_setup "cpio could not build $initramfs"

# ---- the runs ----

# append_linux_context DIR LOG MITIGATIONS: the Linux facts of a run, after bench-report.sh's.
append_linux_context() {
  local dir=$1 log=$2 mitigations=$3
  {
    echo "# Linux, from the package and the init's [linux] lines (cmake/bench-linux.sh)"
    echo "linux_package=$pkg_name"
    echo "linux_package_version=$pkg_version"
    sed -n 's/^\[linux\] uname release=\([^ ]*\) .*/linux_release=\1/p' "$log" | head -n1
    sed -n 's/^\[linux\] uname .* version="\(.*\)" machine=.*/linux_version=\1/p' "$log" | head -n1
    sed -n 's/^\[linux\] cmdline "\(.*\)"$/linux_cmdline=\1/p' "$log" | head -n1
    echo "mitigations=$mitigations"
    sed -nE 's/^\[ *[0-9.]+\] tsc: Detected ([0-9.]+) MHz processor$/linux_tsc_mhz=\1/p' "$log" | head -n1
    sed -n 's/^\[linux\] vulnerability \([a-z0-9_]*\)="\(.*\)"$/vulnerability_\1=\2/p' "$log" | sort
  } >>"$dir/context.txt"
}

# run_one NAME ACCEL MITIGATIONS: one boot into DIR/NAME; false if it did not measure every path.
run_one() {
  local name=$1 accel=$2 mitigations=$3 dir=$out/$1 log status verdict start
  log=$dir/serial.log
  rm -rf "$dir"
  mkdir -p "$dir"
  local append="console=ttyS0 panic=-1"
  [[ $mitigations == off ]] && append+=" mitigations=off"
  append+=" -- batches=$batches calls=$calls"
  # shellcheck disable=SC2054 # the commas are QEMU's
  local args=(-machine q35 -accel tcg)
  # shellcheck disable=SC2054
  [[ $accel == tcg-icount ]] && args+=(-icount shift=0,sleep=off)
  # shellcheck disable=SC2054
  args+=(-cpu "$cpu" -m 256M -smp 1 -display none -monitor none -no-reboot -serial stdio
    -device isa-debug-exit,iobase=0xf4,iosize=0x04
    -kernel "$vmlinuz" -initrd "$initramfs" -append "$append")
  {
    echo "[run] accel=tcg cpu=$cpu firmware=bios qemu=$qemu_version"
    echo "[run] icount=$([[ $accel == tcg-icount ]] && echo on || echo off)"
    echo "[run] linux package=$pkg_name version=$pkg_version mitigations=$mitigations"
    echo "[run] $QEMU$(printf ' %q' "${args[@]}")"
  } >"$log"
  say "$name: booting Linux ($accel, mitigations $mitigations; $batches batches of $calls calls per path)"
  start=$EPOCHREALTIME
  set +e
  timeout -k 5 "$timeout_s" "$QEMU" "${args[@]}" </dev/null 2>"$dir/qemu.err" | strip_terminal_codes >>"$log"
  status=${PIPESTATUS[0]}
  set -e
  case $status in
    33) verdict="the init measured every path" ;;
    35) verdict="the init reported a failure (a path that did not answer as it should, or a bad argument)" ;;
    124) verdict="no end within $timeout_s s (a hang)" ;;
    0) # panic=-1 reboots at once after a panic, and -no-reboot turns the reboot into QEMU's exit.
       verdict=$(sed -nE 's/^\[ *[0-9.]+\] (Kernel panic - not syncing: .*)$/\1/p' "$log" | head -n1)
       verdict=${verdict:-"the machine reset or powered off before the init's end"} ;;
    *) verdict="QEMU exited with status $status: $(tail -n1 "$dir/qemu.err")" ;;
  esac
  echo "[run] exit=$status: $verdict ($(elapsed "$start" "$EPOCHREALTIME") s)" | tee -a "$log"
  [[ $status -eq 33 ]] || { say "$name: FAIL: $verdict; see $log"; return 1; }
  bash "$here/bench-report.sh" --log "$log" --out "$dir" --accel "$accel" \
    --title "Linux $pkg_version (Debian), mitigations $mitigations: system call round trip per call, median with p90/p99 whiskers" ||
    return 1
  append_linux_context "$dir" "$log" "$mitigations"
}

failed=0
for entry in "${LINUX_RUNS[@]}"; do
  read -r name accel mitigations <<<"$entry"
  [[ " ${selected[*]} " == *" $name "* ]] || continue
  run_one "$name" "$accel" "$mitigations" || failed=1
done
[[ $failed -eq 0 ]] || { say "FAIL: a run did not complete; the summary and the docs are left as they were"; exit 1; }

if [[ ${#selected[@]} -ne ${#all_runs[@]} ]]; then
  say "done: ${selected[*]} (the summary needs all four runs)"
  exit 0
fi
linux_render_table "$out" >"$out/summary.md.tmp" || exit 1
mv "$out/summary.md.tmp" "$out/summary.md"
say "medians per call, all four runs ($out/summary.md):"
cat "$out/summary.md"
if [[ -n $docs ]]; then
  if cmp -s <(docs_block "$docs" "$LINUX_BLOCK") "$out/summary.md"; then
    say "$docs: $LINUX_BLOCK is current"
  else
    docs_replace_block "$docs" "$LINUX_BLOCK" "$out/summary.md" || exit 1
    say "$docs: $LINUX_BLOCK rewritten"
  fi
fi
