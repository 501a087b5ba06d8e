// SPDX-License-Identifier: MIT
// Host tests of src/core/fb_text.c: the framebuffer checks, pixel packing, a drawn cell, and the
// text grid's wrapping and scrolling.
#include "check.h"

#include "core/fb_text.h"
#include "core/string.h"

static char err[160];

// A valid 1024x768 x8r8g8b8 framebuffer at 0xfd000000.
static struct fb_format good(void)
{
    struct fb_format f = {.addr = 0xfd000000,
                          .pitch = 4096,
                          .width = 1024,
                          .height = 768,
                          .bpp = 32,
                          .red_pos = 16,
                          .red_size = 8,
                          .green_pos = 8,
                          .green_size = 8,
                          .blue_pos = 0,
                          .blue_size = 8};
    return f;
}

static int check_fb(struct fb_format f) { return fb_format_check(&f, err, sizeof err); }

static void a_usual_framebuffer_passes(void)
{
    CHECK_EQ(check_fb(good()), 0);
    struct fb_format f = good();
    f.bpp = 16, f.pitch = 2048, f.red_pos = 11, f.red_size = 5, f.green_pos = 5, f.green_size = 6, f.blue_size = 5;
    CHECK_EQ(check_fb(f), 0);
    f = good();
    f.bpp = 24, f.pitch = 3072;
    CHECK_EQ(check_fb(f), 0);
}

static void bad_geometry_is_refused_with_a_reason(void)
{
    struct fb_format f = good();
    f.width = 0;
    CHECK(check_fb(f) < 0);
    CHECK_STR(err, "framebuffer: 0x768 pixels, expected 1..8192 each way");
    f = good();
    f.height = 8193;
    CHECK(check_fb(f) < 0);
    f = good();
    f.bpp = 8;
    CHECK(check_fb(f) < 0);
    CHECK_STR(err, "framebuffer: 8 bits per pixel, expected 15, 16, 24 or 32");
    f = good();
    f.pitch = 4095;
    CHECK(check_fb(f) < 0);
    CHECK_STR(err, "framebuffer: pitch 4095 < 1024 pixels of 4 bytes");
    f = good();
    f.width = 8192, f.height = 8192, f.pitch = 32768; // exactly FB_MAX_BYTES
    CHECK_EQ(check_fb(f), 0);
    f.pitch = 32772;
    CHECK(check_fb(f) < 0);
    CHECK_CONTAINS(err, "bytes (pitch 32772 x 8192 lines) >");
}

static void an_address_range_outside_physical_memory_is_refused(void)
{
    struct fb_format f = good();
    f.addr = 0;
    CHECK(check_fb(f) < 0);
    CHECK_CONTAINS(err, "is not a physical address range");
    f.addr = FB_MAX_PHYS - 4096; // the end would pass the widest physical address
    CHECK(check_fb(f) < 0);
    f.addr = 0xfffffffffffff000ull; // and would wrap around 2^64
    CHECK(check_fb(f) < 0);
    f.addr = FB_MAX_PHYS - fb_size(&f);
    CHECK_EQ(check_fb(f), 0);
}

static void colour_fields_outside_the_pixel_are_refused(void)
{
    struct fb_format f = good();
    f.red_pos = 28;
    CHECK(check_fb(f) < 0);
    CHECK_STR(err, "framebuffer: red field of 8 bits at bit 28 does not fit a 32-bit pixel");
    f = good();
    f.blue_size = 0;
    CHECK(check_fb(f) < 0);
    f = good();
    f.green_size = 9;
    CHECK(check_fb(f) < 0);
}

static void pixels_are_packed_by_the_colour_fields(void)
{
    struct fb_format f = good();
    CHECK_EQ(fb_pixel(&f, 0x123456), 0x123456);
    f.red_pos = 0, f.blue_pos = 16;
    CHECK_EQ(fb_pixel(&f, 0x123456), 0x563412);
    f.bpp = 16, f.red_pos = 11, f.red_size = 5, f.green_pos = 5, f.green_size = 6, f.blue_pos = 0, f.blue_size = 5;
    CHECK_EQ(fb_pixel(&f, 0xffffff), 0xffff);
    CHECK_EQ(fb_pixel(&f, 0xaaaaaa), (0x15u << 11) | (0x2au << 5) | 0x15u);
}

static void a_cell_is_drawn_from_its_glyph_at_its_place(void)
{
    static uint8_t glyphs[256 * 2]; // 256 glyphs of 8x2; 'A' = rows 0x81, 0x3c
    glyphs['A' * 2] = 0x81;
    glyphs['A' * 2 + 1] = 0x3c;
    struct psf_font font = {.width = 8, .height = 2, .glyph_count = 256, .bytes_per_row = 1, .bytes_per_glyph = 2};
    font.glyphs = glyphs;
    for (unsigned c = 0; c < PSF_ASCII; c++)
        font.ascii[c] = (uint16_t)c;
    struct fb_format f = good();
    f.width = 24, f.height = 4, f.pitch = 100, f.bpp = 24; // 3 cells by 2; a pitch with padding
    uint8_t pixels[400];
    memset(pixels, 0x55, sizeof pixels);
    fb_draw_cell(pixels, &f, &font, 1, 1, 'A', 0xabcdef, 0x010203);
    const uint8_t *row0 = pixels + 2 * 100 + 8 * 3, *row1 = row0 + 100;
    CHECK_EQ(row0[0], 0xef); // leftmost pixel set: fg, little-endian
    CHECK_EQ(row0[2], 0xab);
    CHECK_EQ(row0[3], 0x03); // next pixel clear: bg
    CHECK_EQ(row0[7 * 3 + 1], 0xcd);
    CHECK_EQ(row1[0], 0x03);
    CHECK_EQ(row1[2 * 3], 0xef);
    CHECK_EQ(row1[6 * 3 + 2], 0x01);
    CHECK_EQ(pixels[2 * 100 + 8 * 3 - 1], 0x55); // the cell before it untouched
    CHECK_EQ(pixels[2 * 100 + 16 * 3], 0x55);    // and the one after it
    CHECK_EQ(pixels[1 * 100 + 8 * 3], 0x55);     // and the row above
}

static void a_cell_of_32_bit_pixels_is_drawn_two_pixels_at_a_time(void)
{
    static uint8_t glyphs[256]; // 256 glyphs of 8x1; 'x' = 10110001
    glyphs['x'] = 0xb1;
    struct psf_font font = {.width = 8, .height = 1, .glyph_count = 256, .bytes_per_row = 1, .bytes_per_glyph = 1};
    font.glyphs = glyphs;
    for (unsigned c = 0; c < PSF_ASCII; c++)
        font.ascii[c] = (uint16_t)c;
    struct fb_format f = good();
    f.width = 16, f.height = 1, f.pitch = 68; // a pitch that is not a multiple of 8
    uint32_t pixels[17];
    memset(pixels, 0x55, sizeof pixels);
    fb_draw_cell((uint8_t *)pixels, &f, &font, 1, 0, 'x', 0xf0f0f0, 0x0a0a0a);
    const uint32_t want[8] = {0xf0f0f0, 0x0a0a0a, 0xf0f0f0, 0xf0f0f0, 0x0a0a0a, 0x0a0a0a, 0x0a0a0a, 0xf0f0f0};
    for (int x = 0; x < 8; x++)
        CHECK_EQ(pixels[8 + x], want[x]);
    CHECK_EQ(pixels[7], 0x55555555);
    CHECK_EQ(pixels[16], 0x55555555);
}

static uint8_t cells[4 * 3];

// The grid's row r as a string.
static const char *row(const struct text_grid *g, unsigned r)
{
    static char s[8];
    memcpy(s, g->cells + r * g->cols, g->cols);
    s[g->cols] = 0;
    return s;
}

static void lines_wrap_and_the_last_line_stays_on_the_bottom_row(void)
{
    struct text_grid g;
    text_grid_init(&g, cells, 4, 3);
    CHECK_EQ(text_grid_write(&g, "ab\r\ncdefg\n", 10), 0);
    CHECK_STR(row(&g, 0), "ab  ");
    CHECK_STR(row(&g, 1), "cdef");
    CHECK_STR(row(&g, 2), "g   ");
    CHECK_EQ(g.row, 3); // below the last row: nothing scrolled yet
    CHECK_EQ(text_grid_write(&g, "h\n", 2), 1);
    CHECK_STR(row(&g, 0), "cdef");
    CHECK_STR(row(&g, 2), "h   ");
    CHECK_EQ(text_grid_write(&g, "\n\n\n\n", 4), 0); // blank lines below the bottom do not scroll
    CHECK_EQ(text_grid_write(&g, "ijklmnop", 8), 2);
    CHECK_STR(row(&g, 0), "h   ");
    CHECK_STR(row(&g, 1), "ijkl");
    CHECK_STR(row(&g, 2), "mnop");
    CHECK_EQ(text_grid_write(&g, "q", 1), 1); // a full row wraps only when the next byte comes
    CHECK_STR(row(&g, 2), "q   ");
}

int main(void)
{
    RUN(a_usual_framebuffer_passes);
    RUN(bad_geometry_is_refused_with_a_reason);
    RUN(an_address_range_outside_physical_memory_is_refused);
    RUN(colour_fields_outside_the_pixel_are_refused);
    RUN(pixels_are_packed_by_the_colour_fields);
    RUN(a_cell_is_drawn_from_its_glyph_at_its_place);
    RUN(a_cell_of_32_bit_pixels_is_drawn_two_pixels_at_a_time);
    RUN(lines_wrap_and_the_last_line_stays_on_the_bottom_row);
    return check_summary();
}
