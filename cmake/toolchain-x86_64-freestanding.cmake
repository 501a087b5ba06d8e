# SPDX-License-Identifier: MIT
# Toolchain for lstar: the build machine's gcc and NASM.
#
# One compiler serves three kinds of code, each with a complete flag set of its own, given by an
# INTERFACE library (cmake/target-flags.cmake): the freestanding higher-half kernel, the static
# ring-3 programs, and the host unit tests, which are ordinary programs of the build machine.
#
# CMAKE_SYSTEM_NAME is deliberately not set: setting it would make CMake treat every target as
# cross-compiled (CMAKE_CROSSCOMPILING), the host tests included. The kernel and ring 3 are
# freestanding because of their flags (-ffreestanding -nostdlib, their own linker scripts), not
# because of the platform CMake thinks it builds for.

# The kernel's flags are GCC's (-mgeneral-regs-only with no_caller_saved_registers handlers,
# -mcmodel=kernel), whatever CC says.
set(CMAKE_C_COMPILER gcc)
set(CMAKE_ASM_NASM_COMPILER nasm)
# NASM writes 64-bit ELF objects for both the kernel and ring 3.
set(CMAKE_ASM_NASM_OBJECT_FORMAT elf64)
