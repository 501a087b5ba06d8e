// SPDX-License-Identifier: MIT
// VGA (EGA) text-mode console: 16-bit cells of character + attribute, scrolled by copying rows.
#include "arch/x86_64/vga_text.h"
#include "arch/x86_64/asm_layout.h"

static volatile uint16_t *vga;
static uint32_t vga_width, vga_height, vga_col, vga_row;

// Starts mirroring to the text buffer at `phys` (seen through the direct map).
void vga_text_attach(uint64_t phys, uint32_t width, uint32_t height)
{
    if (width == 0 || height == 0 || width > 256 || height > 128)
        return;
    vga = (volatile uint16_t *)(DIRECT_MAP_BASE + phys);
    vga_width = width;
    vga_height = height;
    vga_col = vga_row = 0;
    for (uint32_t i = 0; i < width * height; i++)
        vga[i] = 0x0720;
}

// Moves every row up by one and blanks the last.
static void vga_scroll(void)
{
    for (uint32_t i = 0; i < vga_width * (vga_height - 1); i++)
        vga[i] = vga[i + vga_width];
    for (uint32_t i = 0; i < vga_width; i++)
        vga[vga_width * (vga_height - 1) + i] = 0x0720;
    vga_row = vga_height - 1;
}

// Writes n bytes in light grey on black.
void vga_text_write(const char *s, size_t n)
{
    if (!vga)
        return;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n' || vga_col == vga_width) {
            vga_col = 0;
            if (++vga_row == vga_height)
                vga_scroll();
            if (s[i] == '\n')
                continue;
        }
        vga[vga_row * vga_width + vga_col++] = (uint16_t)(0x0700 | (unsigned char)s[i]);
    }
}
