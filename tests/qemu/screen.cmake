# SPDX-License-Identifier: MIT
# What a person in front of a PC sees: the framebuffer console, taken from QEMU's screen and
# compared pixel for pixel with a rendering of the serial log (tests/qemu/screen-test.sh), and
# the ISO's boot entries for UEFI and BIOS PCs (tests/qemu/iso-boot-media.sh). `ctest -L screen`
# runs them. Each screen is kept as a PNG beside its log: build/tests/qemu/logs/<test>.screen.png.

# The host tool that renders the expected screen with the kernel's own font and grid code.
get_filename_component(lstar_repo ${CMAKE_CURRENT_SOURCE_DIR}/../.. ABSOLUTE)
add_executable(screen_render ${lstar_repo}/tests/screen/screen_render.c ${lstar_repo}/src/core/fb_text.c
               ${lstar_repo}/src/core/psf.c ${lstar_repo}/src/core/format.c ${lstar_repo}/src/core/string.c)
target_include_directories(screen_render PRIVATE ${lstar_repo}/src)
target_compile_definitions(screen_render PRIVATE LSTAR_HOST_TEST)
target_link_libraries(screen_render PRIVATE lstar_host_flags)
add_dependencies(screen_render console_font)

set(screen_test ${CMAKE_CURRENT_SOURCE_DIR}/screen-test.sh)

# lstar_screen_test(NAME [TIMEOUT SEC] SCREEN_TEST_ARGS... -- QEMU_RUN_ARGS...)
function(lstar_screen_test name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "TIMEOUT" "")
  if(NOT arg_TIMEOUT)
    set(arg_TIMEOUT 120)
  endif()
  list(FIND arg_UNPARSED_ARGUMENTS "--" split)
  list(SUBLIST arg_UNPARSED_ARGUMENTS 0 ${split} screen_args)
  math(EXPR split "${split} + 1")
  list(SUBLIST arg_UNPARSED_ARGUMENTS ${split} -1 run_args)
  add_test(NAME ${name}
           COMMAND bash ${screen_test} --run ${qemu_run} --render $<TARGET_FILE:screen_render>
                   --font ${LSTAR_CONSOLE_FONT_PSF} --log ${logs}/${name}.log ${screen_args}
                   -- --iso ${iso} --accel tcg --timeout ${arg_TIMEOUT} ${run_args})
  math(EXPR ctest_timeout "${arg_TIMEOUT} + 30")
  set_tests_properties(${name} PROPERTIES LABELS "qemu;screen" TIMEOUT ${ctest_timeout})
endfunction()

# The benchmark's table, the TSC's calibration source and the run's last kernel lines on the
# screen of a UEFI PC (GOP framebuffer) and of a BIOS PC (VBE framebuffer). The table's rows are
# matched without their start, which names the program that printed them.
set(screen_bench_rows
  --expect-screen [=[ticks per call +min +median +p90]=]
  --expect-screen [=[syscall_null +[0-9]+\.[0-9]+ ]=]
  --expect-screen [=[int80_null +[0-9]+\.[0-9]+ ]=]
  --expect-screen [=[^\[timer\] the TSC ticks at [0-9]+ Hz, calibrated against the [a-z]+$]=]
  --expect-screen [=[^\[boot\] done: success$]=])
lstar_screen_test(screen_shows_the_benchmark_through_ovmf
  --cmdline "run=bench:quick ktest=off" ${screen_bench_rows}
  -- --firmware uefi)
lstar_screen_test(screen_shows_the_benchmark_through_seabios
  --cmdline "run=bench:quick ktest=off" ${screen_bench_rows}
  -- --firmware bios)

# Hundreds of lines from two CPUs at once, each with its [cpuN] tag: the screen scrolls faster
# than it is redrawn (at most every 50 ms), and must still end showing exactly the log's last
# lines.
lstar_screen_test(screen_keeps_up_with_a_fast_log_from_two_cpus TIMEOUT 180
  --cmdline "run=selftest@all"
  --expect-screen [=[^\[cpu[01]\] ]=]
  --expect-screen [=[^\[boot\] done: success$]=]
  -- --smp 2)

# A panic's report on the screen: the panic draws what is waiting before it stops (and holds
# it there, like the end of a run, when hold= is set).
lstar_screen_test(screen_shows_a_panic_report
  --cmdline "run=none crash=panic"
  --expect-screen [=[^\[panic\] PANIC: ]=]
  --expect-screen [=[^\[panic\] the kernel stops here \(exit code 0x12\)$]=]
  -- --firmware bios --expect-exit 37)

# The ISO has what a UEFI PC and a BIOS PC need, from a CD or a USB stick; and the check does
# fail on an ISO that lacks the UEFI half (GRUB's BIOS part alone, as grub-mkrescue makes it
# when given only i386-pc).
set(iso_media ${CMAKE_CURRENT_SOURCE_DIR}/iso-boot-media.sh)
add_test(NAME iso_boots_uefi_and_bios_pcs_from_cd_or_usb COMMAND bash ${iso_media} ${iso})
add_test(NAME iso_check_fails_an_iso_without_uefi_boot
  COMMAND bash -c [=[
    tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
    grub-mkrescue -d /usr/lib/grub/i386-pc -o "$tmp/bios-only.iso" "$2" >"$tmp/mkrescue.txt" 2>&1 ||
      { echo "setup: grub-mkrescue failed"; cat "$tmp/mkrescue.txt"; exit 2; }
    out=$(bash "$1" "$tmp/bios-only.iso"); status=$?
    echo "$out"
    [ "$status" -eq 1 ] || { echo "FAIL: expected exit 1, got $status"; exit 1; }
    case $out in *"FAIL: an El Torito boot entry for UEFI"*) echo "ok: refused" ;; *) echo "FAIL: no reason"; exit 1 ;; esac
  ]=] check ${iso_media} ${CMAKE_BINARY_DIR}/isodir)
set_tests_properties(iso_boots_uefi_and_bios_pcs_from_cd_or_usb iso_check_fails_an_iso_without_uefi_boot
                     PROPERTIES LABELS "qemu;screen;scripts" TIMEOUT 120)

# The picture of the screen docs/real-pc.md and the README show: the benchmark through OVMF,
# as screen_shows_the_benchmark_through_ovmf takes it.
add_custom_target(screenshot
  COMMAND bash ${screen_test} --run ${qemu_run} --render $<TARGET_FILE:screen_render>
          --font ${LSTAR_CONSOLE_FONT_PSF} --log ${CMAKE_BINARY_DIR}/screenshot/screen-ovmf.log
          --cmdline "run=bench:quick ktest=off" --png ${CMAKE_SOURCE_DIR}/docs/screen-ovmf.png
          -- --iso ${iso} --accel tcg --timeout 180 --firmware uefi
  DEPENDS iso screen_render
  USES_TERMINAL
  COMMENT "Taking the screen of a benchmark run through OVMF: docs/screen-ovmf.png")
