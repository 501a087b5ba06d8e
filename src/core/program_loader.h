// SPDX-License-Identifier: MIT
// Turning a validated ELF64 module into a ring-3 address space.
#ifndef LSTAR_CORE_PROGRAM_LOADER_H
#define LSTAR_CORE_PROGRAM_LOADER_H
#include <stddef.h>
#include <stdint.h>

int program_load(uint64_t cr3, const void *image, size_t size, uint64_t *entry, char *why, size_t whylen);

#endif
