// SPDX-License-Identifier: MIT
// The VGA text screen, mirrored from the log when the boot loader left one.
#ifndef LSTAR_ARCH_VGA_TEXT_H
#define LSTAR_ARCH_VGA_TEXT_H
#include <stddef.h>
#include <stdint.h>

void vga_text_attach(uint64_t phys, uint32_t width, uint32_t height);
void vga_text_write(const char *s, size_t n);

#endif
