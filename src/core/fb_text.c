// SPDX-License-Identifier: MIT
// Framebuffer text without hardware (see fb_text.h): format checks, pixels, cells, the grid.
#include <stdarg.h>
#include "core/fb_text.h"
#include "core/format.h"
#include "core/string.h"

// Writes "framebuffer: <reason>" into err; returns -1.
static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    format_reason(err, errlen, "framebuffer", fmt, ap);
    va_end(ap);
    return -1;
}

// Bytes of one pixel: 15- and 16-bit modes take two, 24-bit three, 32-bit four.
unsigned fb_bytes_per_pixel(const struct fb_format *fmt) { return (fmt->bpp + 7u) / 8u; }

// Bytes from the first line's start to the last line's start plus one pitch.
uint64_t fb_size(const struct fb_format *fmt) { return (uint64_t)fmt->pitch * fmt->height; }

// Checks one colour field: 1 to 8 bits, inside the pixel.
static int check_field(const struct fb_format *fmt, const char *name, unsigned pos, unsigned size, char *err,
                       size_t errlen)
{
    if (size == 0 || size > 8 || pos + size > fmt->bpp)
        return fail(err, errlen, "%s field of %u bits at bit %u does not fit a %u-bit pixel", name, size, pos,
                    fmt->bpp);
    return 0;
}

// Checks a framebuffer (see fb_text.h).
int fb_format_check(const struct fb_format *fmt, char *err, size_t errlen)
{
    if (fmt->width == 0 || fmt->height == 0 || fmt->width > FB_MAX_SIDE || fmt->height > FB_MAX_SIDE)
        return fail(err, errlen, "%ux%u pixels, expected 1..%u each way", fmt->width, fmt->height, FB_MAX_SIDE);
    if (fmt->bpp != 15 && fmt->bpp != 16 && fmt->bpp != 24 && fmt->bpp != 32)
        return fail(err, errlen, "%u bits per pixel, expected 15, 16, 24 or 32", fmt->bpp);
    uint64_t line = (uint64_t)fmt->width * fb_bytes_per_pixel(fmt);
    if (fmt->pitch < line)
        return fail(err, errlen, "pitch %u < %u pixels of %u bytes", fmt->pitch, fmt->width, fb_bytes_per_pixel(fmt));
    if (fb_size(fmt) > FB_MAX_BYTES)
        return fail(err, errlen, "%llu bytes (pitch %u x %u lines) > %u", (unsigned long long)fb_size(fmt), fmt->pitch,
                    fmt->height, FB_MAX_BYTES);
    if (fmt->addr == 0 || fmt->addr >= FB_MAX_PHYS || fb_size(fmt) > FB_MAX_PHYS - fmt->addr)
        return fail(err, errlen, "address range %llx + %llx is not a physical address range",
                    (unsigned long long)fmt->addr, (unsigned long long)fb_size(fmt));
    if (check_field(fmt, "red", fmt->red_pos, fmt->red_size, err, errlen) != 0 ||
        check_field(fmt, "green", fmt->green_pos, fmt->green_size, err, errlen) != 0 ||
        check_field(fmt, "blue", fmt->blue_pos, fmt->blue_size, err, errlen) != 0)
        return -1;
    return 0;
}

// The top `size` bits of an 8-bit channel, placed at `pos`.
static uint32_t channel(uint32_t value8, unsigned pos, unsigned size) { return (value8 >> (8 - size)) << pos; }

// The pixel value of 0xRRGGBB in this format.
uint32_t fb_pixel(const struct fb_format *fmt, uint32_t rgb)
{
    return channel((rgb >> 16) & 0xff, fmt->red_pos, fmt->red_size) |
           channel((rgb >> 8) & 0xff, fmt->green_pos, fmt->green_size) |
           channel(rgb & 0xff, fmt->blue_pos, fmt->blue_size);
}

// Stores one pixel of `bytes` bytes, little-endian.
static inline void put_pixel(uint8_t *p, unsigned bytes, uint32_t v)
{
    if (bytes == 4) {
        __builtin_memcpy(p, &v, 4);
    } else {
        p[0] = (uint8_t)v;
        p[1] = (uint8_t)(v >> 8);
        if (bytes == 3)
            p[2] = (uint8_t)(v >> 16);
    }
}

// Draws one text cell (see fb_text.h).
void fb_draw_cell(uint8_t *base, const struct fb_format *fmt, const struct psf_font *font, unsigned col, unsigned row,
                  unsigned char c, uint32_t fg, uint32_t bg)
{
    unsigned bytes = fb_bytes_per_pixel(fmt);
    const uint8_t *glyph = psf_glyph(font, c);
    uint8_t *line = base + (size_t)row * font->height * fmt->pitch + (size_t)col * font->width * bytes;
    // 32-bit pixels two at a time, from the four pairs a glyph row's bits can make (left pixel
    // in the low half): under emulation every store and branch is dear, and this halves both.
    bool pairs = bytes == 4 && font->width % 2 == 0;
    const uint64_t pair[4] = {bg | (uint64_t)bg << 32, bg | (uint64_t)fg << 32, fg | (uint64_t)bg << 32,
                              fg | (uint64_t)fg << 32};
    for (uint32_t y = 0; y < font->height; y++, line += fmt->pitch, glyph += font->bytes_per_row) {
        uint32_t bits = 0; // the glyph's row, leftmost pixel in bit 31
        for (uint32_t b = 0; b < font->bytes_per_row; b++)
            bits |= (uint32_t)glyph[b] << (24 - 8 * b);
        uint8_t *p = line;
        if (pairs) {
            for (uint32_t x = 0; x < font->width; x += 2, p += 8, bits <<= 2)
                __builtin_memcpy(p, &pair[bits >> 30], 8); // one 8-byte store, any alignment
            continue;
        }
        for (uint32_t x = 0; x < font->width; x++, p += bytes, bits <<= 1)
            put_pixel(p, bytes, (bits & 0x80000000u) ? fg : bg);
    }
}

// Clears the grid (see fb_text.h).
void text_grid_init(struct text_grid *g, uint8_t *cells, unsigned cols, unsigned rows)
{
    g->cols = cols;
    g->rows = rows;
    g->col = g->row = 0;
    g->cells = cells;
    memset(cells, ' ', (size_t)cols * rows);
}

// Moves every row up by one and blanks the last.
static void scroll(struct text_grid *g)
{
    memmove(g->cells, g->cells + g->cols, (size_t)g->cols * (g->rows - 1));
    memset(g->cells + (size_t)g->cols * (g->rows - 1), ' ', g->cols);
    g->row = g->rows - 1;
}

// Writes bytes into the grid (see fb_text.h).
unsigned text_grid_write(struct text_grid *g, const char *s, size_t n)
{
    unsigned scrolls = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\r')
            continue;
        if (s[i] == '\n') {
            g->col = 0;
            if (g->row < g->rows)
                g->row++;
            continue;
        }
        if (g->col == g->cols) { // wrap
            g->col = 0;
            if (g->row < g->rows)
                g->row++;
        }
        if (g->row == g->rows) {
            scroll(g);
            scrolls++;
        }
        g->cells[(size_t)g->row * g->cols + g->col++] = (uint8_t)s[i];
    }
    return scrolls;
}
