// SPDX-License-Identifier: MIT
// Validation of the ELF64 executables that become ring-3 programs.
//
// Only static, non-relocatable x86_64 executables are accepted, and each of their loadable
// segments must fit the user address range, respect W^X and not share a page with another.
// The file is untrusted: every offset and size is checked without overflow before use, and the
// image may sit at any alignment.
#ifndef LSTAR_CORE_ELF64_H
#define LSTAR_CORE_ELF64_H

#include <stddef.h>
#include <stdint.h>

#define ELF64_MAX_SEGMENTS 8
#define ELF64_MAX_PHNUM 16
#define ELF64_PF_X 1
#define ELF64_PF_W 2
#define ELF64_PF_R 4

// One PT_LOAD segment: file bytes [offset, offset + filesz) go to [vaddr, vaddr + filesz); the
// rest of [vaddr, vaddr + memsz) is zero.
struct elf64_segment {
    uint64_t vaddr, memsz, offset, filesz;
    uint32_t flags; // ELF64_PF_*
};

struct elf64_image {
    uint64_t entry;
    size_t segment_count;
    struct elf64_segment segments[ELF64_MAX_SEGMENTS];
};

// Validates the file image and lists its PT_LOAD segments; every segment must lie within
// [user_base, user_limit). Returns 0, or -1 with a one-line reason in err (NUL-terminated,
// errlen bytes).
int elf64_parse(const void *data, size_t size, uint64_t user_base, uint64_t user_limit, struct elf64_image *out,
                char *err, size_t errlen);

#endif
