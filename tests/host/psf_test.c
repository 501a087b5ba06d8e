// SPDX-License-Identifier: MIT
// Host tests of src/core/psf.c: PSF1 and PSF2 fonts built byte by byte, with and without a
// Unicode table, then broken one field at a time, then damaged at random.
#include "check.h"

#include "core/psf.h"
#include "core/string.h"

static unsigned char buf[65536];
static struct psf_font font;
static char err[160];

// Little-endian stores.
static void put16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}
static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

// A PSF1 font of 256 8x16 glyphs, glyph g filled with byte g; with a table (if `table`) that
// maps code point (g + shift) % 256 to glyph g. Returns its size.
static size_t psf1(bool table, unsigned shift)
{
    memset(buf, 0, sizeof buf);
    buf[0] = 0x36;
    buf[1] = 0x04;
    buf[2] = table ? 0x02 : 0x00;
    buf[3] = 16;
    size_t at = 4;
    for (unsigned g = 0; g < 256; g++, at += 16)
        memset(buf + at, (int)g, 16);
    if (!table)
        return at;
    for (unsigned g = 0; g < 256; g++) {
        put16(buf + at, (uint16_t)((g + shift) % 256));
        put16(buf + at + 2, 0xffff);
        at += 4;
    }
    return at;
}

// A PSF2 font of `count` glyphs of width x height, glyph g filled with byte g; with a UTF-8
// table (if `table`) that maps code point g to glyph g, plus a sequence entry for glyph 0.
static size_t psf2(uint32_t width, uint32_t height, uint32_t count, bool table)
{
    memset(buf, 0, sizeof buf);
    uint32_t per_glyph = (width + 7) / 8 * height;
    put32(buf, 0x864ab572u);
    put32(buf + 4, 0);
    put32(buf + 8, 32);
    put32(buf + 12, table ? 1 : 0);
    put32(buf + 16, count);
    put32(buf + 20, per_glyph);
    put32(buf + 24, height);
    put32(buf + 28, width);
    size_t at = 32;
    for (uint32_t g = 0; g < count; g++, at += per_glyph)
        memset(buf + at, (int)g, per_glyph);
    if (!table)
        return at;
    for (uint32_t g = 0; g < count; g++) {
        if (g < 128) {
            buf[at++] = (unsigned char)g;
        } else {
            buf[at++] = 0xc2; // U+0080.. as two UTF-8 bytes: not ASCII, ignored
            buf[at++] = (unsigned char)(0x80 | (g & 0x3f));
        }
        if (g == 0) {
            buf[at++] = 0xfe; // a sequence: 'A' + combining mark; must not remap 'A'
            buf[at++] = 'A';
            buf[at++] = 0xcc;
            buf[at++] = 0x81;
        }
        buf[at++] = 0xff;
    }
    return at;
}

static int parse(size_t size) { return psf_parse(buf, size, &font, err, sizeof err); }

static void a_psf1_font_without_a_table_maps_ascii_in_order(void)
{
    CHECK_EQ(parse(psf1(false, 0)), 0);
    CHECK_EQ(font.width, 8);
    CHECK_EQ(font.height, 16);
    CHECK_EQ(font.glyph_count, 256);
    CHECK_EQ(psf_glyph(&font, 'A')[0], 'A');
    CHECK_EQ(psf_glyph(&font, ' ')[15], ' ');
}

static void a_psf1_table_decides_which_glyph_shows_a_character(void)
{
    CHECK_EQ(parse(psf1(true, 5)), 0); // glyph g shows code point g + 5
    CHECK_EQ(psf_glyph(&font, 'A')[0], 'A' - 5);
    CHECK_EQ(psf_glyph(&font, '~')[0], '~' - 5);
}

static void unprintable_bytes_show_a_question_mark_and_tab_a_blank(void)
{
    CHECK_EQ(parse(psf1(true, 5)), 0);
    CHECK_EQ(psf_glyph(&font, 0x01)[0], '?' - 5);
    CHECK_EQ(psf_glyph(&font, 0xe9)[0], '?' - 5);
    CHECK_EQ(psf_glyph(&font, 0x7f)[0], '?' - 5);
    CHECK_EQ(psf_glyph(&font, '\t')[0], ' ' - 5);
}

static void a_psf2_font_with_a_utf8_table_and_sequences_parses(void)
{
    CHECK_EQ(parse(psf2(12, 24, 256, true)), 0);
    CHECK_EQ(font.width, 12);
    CHECK_EQ(font.bytes_per_row, 2);
    CHECK_EQ(font.bytes_per_glyph, 48);
    CHECK_EQ(psf_glyph(&font, 'A')[0], 'A'); // the sequence on glyph 0 did not take 'A'
    CHECK_EQ(psf_glyph(&font, 'z')[47], 'z');
}

static void a_font_missing_a_printable_character_is_refused(void)
{
    size_t size = psf1(true, 0);
    put16(buf + 4 + 256 * 16 + 'k' * 4, 0x263a); // glyph 'k' now shows U+263A only
    CHECK(parse(size) < 0);
    CHECK_STR(err, "font: no glyph for 'k' (0x6b)");
}

static void bad_headers_are_refused_with_a_reason(void)
{
    CHECK(parse(3) < 0);
    CHECK_CONTAINS(err, "not a PSF1 or PSF2 file (3 bytes)");
    size_t size = psf1(false, 0);
    buf[3] = 0;
    CHECK(parse(size) < 0);
    CHECK_CONTAINS(err, "glyphs of 8x0 pixels");
    size = psf2(8, 16, 256, false);
    put32(buf + 4, 1);
    CHECK(parse(size) < 0);
    CHECK_CONTAINS(err, "PSF2 version 1");
    size = psf2(8, 16, 256, false);
    put32(buf + 8, 16);
    CHECK(parse(size) < 0);
    CHECK_CONTAINS(err, "PSF2 header size 16");
    size = psf2(8, 16, 256, false);
    put32(buf + 8, 0x7fffffff);
    CHECK(parse(size) < 0);
    CHECK_CONTAINS(err, "PSF2 header size");
    CHECK(parse(psf2(33, 16, 256, false)) < 0);
    CHECK_CONTAINS(err, "glyphs of 33x16 pixels");
    CHECK(parse(psf2(8, 65, 256, false)) < 0);
    size = psf2(8, 16, 256, false);
    put32(buf + 16, 0);
    CHECK(parse(size) < 0);
    CHECK_CONTAINS(err, "0 glyphs");
    size = psf2(8, 16, 256, false);
    put32(buf + 20, 15);
    CHECK(parse(size) < 0);
    CHECK_CONTAINS(err, "15 bytes per glyph < 16 rows of 1 bytes");
}

static void glyphs_running_past_the_file_are_refused(void)
{
    size_t size = psf1(false, 0);
    CHECK(parse(size - 1) < 0);
    CHECK_CONTAINS(err, "256 glyphs of 16 bytes do not fit the 4095 bytes after the header");
    size = psf2(8, 16, 256, false);
    put32(buf + 16, 0xffffffffu / 16); // count * bytes per glyph near 2^32: no wrap-around
    CHECK(parse(size) < 0);
    size = psf2(8, 16, 256, false);
    put32(buf + 16, 65536);
    CHECK(parse(size) < 0);
    CHECK_CONTAINS(err, "65536 glyphs, expected 1..65535");
}

static void a_truncated_unicode_table_is_refused(void)
{
    size_t size = psf1(true, 0);
    CHECK(parse(size - 1) < 0);
    CHECK_CONTAINS(err, "Unicode table ends inside glyph 255's entry");
    size = psf2(8, 16, 256, true);
    CHECK(parse(size - 1) < 0);
    CHECK_CONTAINS(err, "Unicode table ends inside glyph 255's entry");
}

static void random_damage_never_crashes_and_glyphs_stay_inside_the_file(void)
{
    uint64_t rng = 0x707366ull;
    int accepted = 0, outside = 0;
    for (int iter = 0; iter < 20000; iter++) {
        size_t size = (iter & 1) ? psf1(true, 3) : psf2(8, 16, 256, true);
        size = size - (check_rand(&rng) % 8 == 0 ? check_rand(&rng) % size : 0);
        for (int flips = 1 + (int)(check_rand(&rng) % 4); flips > 0; flips--)
            buf[check_rand(&rng) % 40] ^= (unsigned char)(1u << (check_rand(&rng) % 8));
        unsigned char *copy = malloc(size ? size : 1); // exact size: ASan flags any read past it
        memcpy(copy, buf, size);
        if (psf_parse(copy, size, &font, err, sizeof err) == 0) {
            accepted++;
            for (unsigned c = 0; c < 256; c++) {
                const uint8_t *g = psf_glyph(&font, (unsigned char)c);
                outside += g < copy || g + font.bytes_per_glyph > copy + size;
            }
        } else {
            outside += err[0] == 0; // a refusal always says why
        }
        free(copy);
    }
    CHECK(accepted > 0);
    CHECK_EQ(outside, 0);
}

int main(void)
{
    RUN(a_psf1_font_without_a_table_maps_ascii_in_order);
    RUN(a_psf1_table_decides_which_glyph_shows_a_character);
    RUN(unprintable_bytes_show_a_question_mark_and_tab_a_blank);
    RUN(a_psf2_font_with_a_utf8_table_and_sequences_parses);
    RUN(a_font_missing_a_printable_character_is_refused);
    RUN(bad_headers_are_refused_with_a_reason);
    RUN(glyphs_running_past_the_file_are_refused);
    RUN(a_truncated_unicode_table_is_refused);
    RUN(random_damage_never_crashes_and_glyphs_stay_inside_the_file);
    return check_summary();
}
