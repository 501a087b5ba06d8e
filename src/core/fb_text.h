// SPDX-License-Identifier: MIT
// Text on a linear framebuffer, the part that needs no hardware: checking the framebuffer the
// loader describes, a grid of text cells that wraps and scrolls like the serial log reads, and
// drawing one cell with a PSF glyph. The kernel's framebuffer console (fb_console.c) and the
// host tool the screen tests render their expected picture with (tests/screen) share it, so a
// difference between the two is the kernel's drawing, mapping or flushing, not the layout.
#ifndef LSTAR_CORE_FB_TEXT_H
#define LSTAR_CORE_FB_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/psf.h"

#define FB_MAX_SIDE 8192          // pixels: wider or taller modes are refused
#define FB_MAX_BYTES (256u << 20) // a framebuffer larger than this is refused
// The architecture's widest physical address (SDM Vol. 3A, section "Enumeration of Paging Features
// by CPUID" [4.1.4]).
#define FB_MAX_PHYS (1ull << 52)
#define FB_TEXT_MAX_COLS 256 // the grid's limits; a larger screen uses its top-left part
#define FB_TEXT_MAX_ROWS 160
#define FB_TEXT_FG 0xaaaaaau // light grey on black, as on the VGA text screen
#define FB_TEXT_BG 0x000000u

// A direct-colour (RGB) framebuffer as the Multiboot2 framebuffer tag describes it.
struct fb_format {
    uint64_t addr; // physical
    uint32_t pitch, width, height;
    uint8_t bpp;
    uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
};

// Checks a framebuffer's geometry, pixel size, colour fields and address range; 0, or -1 with
// a one-line reason in err.
int fb_format_check(const struct fb_format *fmt, char *err, size_t errlen);

// Bytes of one pixel (2, 3 or 4) and of the whole framebuffer (pitch * height).
unsigned fb_bytes_per_pixel(const struct fb_format *fmt);
uint64_t fb_size(const struct fb_format *fmt);

// The pixel value of colour 0xRRGGBB in this format.
uint32_t fb_pixel(const struct fb_format *fmt, uint32_t rgb);

// Draws character c in text cell (col, row) at `base`, the framebuffer's first byte.
void fb_draw_cell(uint8_t *base, const struct fb_format *fmt, const struct psf_font *font, unsigned col, unsigned row,
                  unsigned char c, uint32_t fg, uint32_t bg);

// A grid of text cells (one byte each, row by row). Lines wrap at the right edge; a newline
// moves to the next row, but the grid scrolls only when a character is written below the last
// row, so the latest line stays on the bottom row instead of a blank one.
struct text_grid {
    unsigned cols, rows;
    unsigned col, row; // where the next character goes; row == rows: below the last row
    uint8_t *cells;    // cols * rows bytes
};

// Clears `cells` (cols * rows bytes) to spaces and sets the cursor to the top left.
void text_grid_init(struct text_grid *g, uint8_t *cells, unsigned cols, unsigned rows);

// Writes n bytes ('\r' ignored); returns how many times the grid scrolled.
unsigned text_grid_write(struct text_grid *g, const char *s, size_t n);

#endif
