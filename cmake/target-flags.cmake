# SPDX-License-Identifier: MIT
# The flags of lstar's three kinds of code, one INTERFACE library each. A target links the one of
# its kind and gets exactly those flags, nothing else (the checks below refuse a build type and
# CMAKE_C_FLAGS, which CMake would add to every target, the kernel included):
#   lstar_kernel_flags  the kernel: freestanding, linked at -2 GiB (-mcmodel=kernel)
#   lstar_user_flags    ring-3 programs and their libc: freestanding static ELF64 at 4 MiB
#   lstar_host_flags    host unit tests: programs of the build machine, under ASan and UBSan
#
# Optimisation: the kernel and ring 3 are built with -O2, always. The benchmark measures the
# entry paths together with the C dispatcher and the libc wrappers around them, and its numbers,
# the -icount budgets and the instruction counts the docs quote are those of -O2 code: a build
# at another level would measure another kernel. -O2 is also what GCC-built kernels are tuned
# and tested at; -O3 adds unrolling and vectorisation, which -mgeneral-regs-only rules out
# anyway. -g costs no instruction: it is there for GDB (`debug`, tests/gdb). The host tests use
# -O1, the level the sanitizers' documentation recommends for fast runs with exact reports.

if(NOT CMAKE_C_COMPILER_ID STREQUAL "GNU")
  message(FATAL_ERROR "lstar's flags are GCC's, not ${CMAKE_C_COMPILER_ID}'s: configure with "
                      "the toolchain file (cmake --preset default)")
endif()
# CMake adds the build type's flags (RelWithDebInfo: -O2 -g -DNDEBUG) and CMAKE_C_FLAGS (from
# $CFLAGS) to every target, the kernel included, ahead of its own: refuse them, so that what
# this file says is all a compiler line holds.
if(CMAKE_BUILD_TYPE)
  message(FATAL_ERROR "CMAKE_BUILD_TYPE is '${CMAKE_BUILD_TYPE}': lstar sets every flag per target "
                      "(cmake/target-flags.cmake) and takes no build type. Configure with "
                      "-DCMAKE_BUILD_TYPE= (cmake --preset default does).")
endif()
foreach(var CMAKE_C_FLAGS CMAKE_ASM_NASM_FLAGS CMAKE_EXE_LINKER_FLAGS)
  if(NOT "${${var}}" STREQUAL "")
    message(FATAL_ERROR "${var} is '${${var}}': it would reach the kernel's compiler lines too. "
                        "Unset it (and $CFLAGS, $LDFLAGS, $ASM_NASMFLAGS); change "
                        "cmake/target-flags.cmake instead.")
  endif()
endforeach()
if(CMAKE_CROSSCOMPILING)
  message(WARNING "This build directory was first configured with an older toolchain file that made "
                  "every target cross-compiled, the host tests included; CMake keeps that choice. "
                  "Reconfigure it from scratch: cmake --fresh --preset default")
endif()

# Why each freestanding flag (kernel and ring 3):
#   -ffreestanding -fno-builtin  no hosted libc: memcpy & co. come from src/core
#   -fno-pic                     both are linked at fixed addresses
#   -mno-red-zone                interrupts push onto the kernel stack below RSP: no 128-byte red zone
#   -mgeneral-regs-only          no SSE/x87 state to save on entry; needed by no_caller_saved_registers
#   -fno-stack-protector         no TLS canary (GS belongs to the per-CPU area)
#   -fno-omit-frame-pointer      panic backtraces and GDB walk RBP chains
#   -fno-asynchronous-unwind-tables -fcf-protection=none   no .eh_frame, no endbr64: nothing uses them
#   -fmacro-prefix-map=SOURCE/=  __FILE__ (assertion reports) reads src/core/x.c, not the checkout's
#                                absolute path, which would also change the kernel's size with it
set(lstar_freestanding_c_flags
    -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding -fno-builtin -fno-pic
    -fno-stack-protector -fno-omit-frame-pointer -fno-asynchronous-unwind-tables
    -mno-red-zone -mgeneral-regs-only -fcf-protection=none
    -fmacro-prefix-map=${CMAKE_SOURCE_DIR}/=)
# Static ELF64 images with 4 KiB-aligned segments (the loaders map pages, not 2 MiB blocks).
set(lstar_freestanding_link_flags
    -nostdlib -static -no-pie -Wl,-z,max-page-size=0x1000 -Wl,--build-id=none -Wl,-z,noexecstack)
# NASM: DWARF line info, so GDB steps through the entry stubs by source; every warning an error.
set(lstar_nasm_flags -g -F dwarf -w+all -w+error)

# -mcmodel=kernel: every kernel symbol lies in the top 2 GiB, so its address fits in a
# sign-extended 32-bit immediate.
add_library(lstar_kernel_flags INTERFACE)
target_compile_options(lstar_kernel_flags INTERFACE
    "$<$<COMPILE_LANGUAGE:C>:${lstar_freestanding_c_flags};-mcmodel=kernel>"
    "$<$<COMPILE_LANGUAGE:ASM_NASM>:${lstar_nasm_flags}>")
target_link_options(lstar_kernel_flags INTERFACE ${lstar_freestanding_link_flags})

# -mcmodel=small: a ring-3 program lies in the low 2 GiB (USER_IMAGE_BASE, 4 MiB).
add_library(lstar_user_flags INTERFACE)
target_compile_options(lstar_user_flags INTERFACE
    "$<$<COMPILE_LANGUAGE:C>:${lstar_freestanding_c_flags};-mcmodel=small>"
    "$<$<COMPILE_LANGUAGE:ASM_NASM>:${lstar_nasm_flags}>")
target_link_options(lstar_user_flags INTERFACE ${lstar_freestanding_link_flags})

# Host tests stop at the first sanitizer report (-fno-sanitize-recover), so CTest sees it fail.
add_library(lstar_host_flags INTERFACE)
target_compile_options(lstar_host_flags INTERFACE
    -std=gnu11 -O1 -g -Wall -Wextra -Werror -fsanitize=address,undefined -fno-sanitize-recover=all)
target_link_options(lstar_host_flags INTERFACE -fsanitize=address,undefined -fno-sanitize-recover=all)
