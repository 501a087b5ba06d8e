#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Checks that an ISO has what a PC needs to boot it from a CD or a USB stick, through UEFI and
# through BIOS, without booting it:
#   UEFI  an El Torito boot entry for platform UEFI whose image is a FAT file system holding
#         \EFI\BOOT\BOOTX64.EFI, an x86-64 EFI application (UEFI spec, "Removable Media Boot
#         Behavior"); a GPT partition of the EFI System type over the same image, for a stick
#   BIOS  an El Torito boot entry for platform BIOS (80x86), for a CD; GRUB's boot code in the
#         MBR and the 55 AA signature, for a stick (the hybrid image of grub-mkrescue)
#
# Usage: iso-boot-media.sh ISO
# Exits 0 when every check passes, 1 naming each one that fails, 2 on a usage or setup error.
set -euo pipefail
export LC_ALL=C
# shellcheck source=cmake/script-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../cmake/script-lib.sh"

[[ $# -eq 1 ]] || die_usage "expected one ISO"
[[ $1 == -h || $1 == --help ]] && { usage; exit 0; }
iso=$1
require_iso "$iso"
require_command xorriso xorriso
require_command mcopy mtools
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

failed=0
check() { # check WHAT COMMAND...: runs COMMAND, reports WHAT as ok or FAIL
  local what=$1
  shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; failed=$((failed + 1)); fi
}

report=$tmp/report.txt
xorriso -indev "$iso" -report_el_torito plain -report_system_area plain >"$report" 2>/dev/null ||
  fail "xorriso cannot read $iso"

# "El Torito boot img :   2  UEFI  y   none  0x0000  0x00   5760          72": number, platform,
# bootable, emulation, load segment, header, load size (512-byte sectors), LBA (2048-byte blocks).
entry() { awk -v p="$1" '/^El Torito boot img :/ && $7 == p { print $12, $13; exit }' "$report"; }
read -r efi_sectors efi_lba < <(entry UEFI) || true
check "an El Torito boot entry for UEFI" test -n "${efi_lba:-}"
check "an El Torito boot entry for BIOS" test -n "$(entry BIOS)"

if [[ -n ${efi_lba:-} ]]; then
  # The image exactly as the firmware reads it from the entry: its blocks, not a file by name.
  dd if="$iso" of="$tmp/efi.img" bs=2048 skip="$efi_lba" count=$(((efi_sectors + 3) / 4)) status=none
  has_efi_boot_dir() { mdir -i "$tmp/efi.img" ::/EFI/BOOT >/dev/null 2>&1; }
  check "the UEFI image is a FAT file system with /EFI/BOOT" has_efi_boot_dir
  mcopy -n -i "$tmp/efi.img" ::/EFI/BOOT/BOOTX64.EFI "$tmp/bootx64.efi" 2>/dev/null || true
  # PE32+: "MZ", the PE header's offset at 0x3c, "PE\0\0", machine 0x8664 (x86-64) right after;
  # the optional header's subsystem (offset 68 in it) 10 = EFI application.
  pe_field() { od -A n -t u"$2" -j "$1" -N "$2" "$tmp/bootx64.efi" 2>/dev/null | tr -d ' '; }
  is_x64_efi_app() {
    [[ -s $tmp/bootx64.efi && $(head -c 2 "$tmp/bootx64.efi") == MZ ]] || return 1
    local pe
    pe=$(pe_field 60 4)
    [[ $(od -A n -c -j "$pe" -N 4 "$tmp/bootx64.efi" | tr -d ' ') == 'PE\0\0' ]] &&
      [[ $(pe_field $((pe + 4)) 2) -eq $((0x8664)) ]] && [[ $(pe_field $((pe + 24 + 68)) 2) -eq 10 ]]
  }
  check "\\EFI\\BOOT\\BOOTX64.EFI in it is an x86-64 EFI application" is_x64_efi_app
  # GPT type GUID C12A7328-F81F-11D2-BA4B-00A0C93EC93B (EFI System), as xorriso prints its bytes.
  esp_start=$(awk '/^GPT type GUID *:/ && $6 == "28732ac11ff8d211ba4b00a0c93ec93b" { n = $5 }
                   /^GPT start and size *:/ && $6 == n { print $7; exit }' "$report")
  check "a GPT EFI System partition over the same image (for a USB stick)" \
    test "${esp_start:-x}" = "$((efi_lba * 4))"
fi

check "GRUB's BIOS boot code in the MBR (for a USB stick)" grep -Eq '^System area summary: .*grub2-mbr' "$report"
check "the MBR's boot signature 55 AA" test "$(od -A n -t x1 -j 510 -N 2 "$iso" | tr -d ' ')" = 55aa

if [[ $failed -gt 0 ]]; then
  echo "$failed check(s) failed for $iso"
  exit 1
fi
echo "ok: $iso boots through UEFI and BIOS, from a CD or a USB stick"
