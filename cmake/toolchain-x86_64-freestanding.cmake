# Toolchain for lstar: the host's gcc and NASM, building a freestanding x86_64 kernel.
#
# One compiler serves three kinds of code, each with its own flags (see CMakeLists.txt):
#   kernel   LSTAR_KERNEL_C_FLAGS  + LSTAR_KERNEL_LINK_FLAGS  (higher half, -mcmodel=kernel)
#   ring 3   LSTAR_USER_C_FLAGS    + LSTAR_USER_LINK_FLAGS    (static ELF64 at 4 MiB)
#   host     the compiler's defaults (unit tests of pure logic, run on the build machine)
# The flags therefore live in variables, not in CMAKE_C_FLAGS, so host tests stay ordinary.

set(CMAKE_SYSTEM_NAME Linux)          # the build machine; the kernel flags make it freestanding
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_C_COMPILER gcc)
set(CMAKE_ASM_NASM_COMPILER nasm)

# Why each kernel flag:
#   -ffreestanding           no hosted libc: memcpy & co. come from src/core
#   -fno-pic -mcmodel=kernel the kernel is linked at -2 GiB; all symbols fit in signed 32 bits
#   -mno-red-zone            interrupts push onto the kernel stack below RSP: no 128-byte red zone
#   -mgeneral-regs-only      no SSE/x87 state to save on entry; needed by no_caller_saved_registers
#   -fno-stack-protector     no TLS canary (GS belongs to the per-CPU area)
#   -fno-omit-frame-pointer  panic backtraces and GDB walk RBP chains
set(LSTAR_COMMON_C_FLAGS
    -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding -fno-builtin -fno-pic
    -fno-stack-protector -fno-omit-frame-pointer -fno-asynchronous-unwind-tables
    -mno-red-zone -mgeneral-regs-only -fcf-protection=none)
set(LSTAR_KERNEL_C_FLAGS ${LSTAR_COMMON_C_FLAGS} -mcmodel=kernel)
set(LSTAR_KERNEL_LINK_FLAGS -nostdlib -static -no-pie -Wl,-z,max-page-size=0x1000
    -Wl,--build-id=none -Wl,-z,noexecstack)
set(LSTAR_USER_C_FLAGS ${LSTAR_COMMON_C_FLAGS} -mcmodel=small)
set(LSTAR_USER_LINK_FLAGS -nostdlib -static -no-pie -Wl,-z,max-page-size=0x1000
    -Wl,--build-id=none -Wl,-z,noexecstack)
# NASM: 64-bit ELF objects with DWARF line info, so GDB steps through the entry stubs by source.
set(CMAKE_ASM_NASM_OBJECT_FORMAT elf64)
set(CMAKE_ASM_NASM_FLAGS "-g -F dwarf -w+all -w+error")
