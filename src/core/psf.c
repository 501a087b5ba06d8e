// SPDX-License-Identifier: MIT
// PC Screen Font parsing (see psf.h): checked headers, glyphs and Unicode table.
#include <stdarg.h>
#include <stdbool.h>
#include "core/format.h"
#include "core/psf.h"
#include "core/unaligned.h"

#define PSF1_MAGIC0 0x36
#define PSF1_MAGIC1 0x04
#define PSF1_MODE_512 0x01   // 512 glyphs instead of 256
#define PSF1_MODE_TABLE 0x02 // a Unicode table follows the glyphs
#define PSF1_HEADER 4
#define PSF1_END 0xffffu // ends one glyph's entry in the table
#define PSF1_SEQ 0xfffeu // starts the glyph's multi-code-point sequences
#define PSF2_MAGIC 0x864ab572u
#define PSF2_HEADER 32
#define PSF2_FLAG_TABLE 0x01
#define PSF2_END 0xff
#define PSF2_SEQ 0xfe
#define PSF_MAX_GLYPHS 65535u // a glyph index must fit the ascii[] entries
#define UNMAPPED 0xffffu

// Writes "font: <reason>" into err; returns -1.
static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    format_reason(err, errlen, "font", fmt, ap);
    va_end(ap);
    return -1;
}

// Notes that glyph g shows code point cp, unless an earlier glyph does already.
static void map(struct psf_font *f, uint32_t cp, uint32_t g)
{
    if (cp < PSF_ASCII && f->ascii[cp] == UNMAPPED)
        f->ascii[cp] = (uint16_t)g;
}

// Reads a PSF1 Unicode table: per glyph, 16-bit code points up to PSF1_END.
static int read_table1(struct psf_font *f, const uint8_t *t, size_t n, char *err, size_t errlen)
{
    size_t at = 0;
    for (uint32_t g = 0; g < f->glyph_count; g++) {
        bool sequences = false;
        for (;;) {
            if (at + 2 > n)
                return fail(err, errlen, "Unicode table ends inside glyph %u's entry", g);
            uint32_t cp = load_le16(t + at);
            at += 2;
            if (cp == PSF1_END)
                break;
            if (cp == PSF1_SEQ)
                sequences = true; // what follows are combining sequences: not single characters
            else if (!sequences)
                map(f, cp, g);
        }
    }
    return 0;
}

// Reads a PSF2 Unicode table: per glyph, UTF-8 characters up to PSF2_END.
static int read_table2(struct psf_font *f, const uint8_t *t, size_t n, char *err, size_t errlen)
{
    size_t at = 0;
    for (uint32_t g = 0; g < f->glyph_count; g++) {
        bool sequences = false;
        for (;;) {
            if (at >= n)
                return fail(err, errlen, "Unicode table ends inside glyph %u's entry", g);
            uint8_t b = t[at++];
            if (b == PSF2_END)
                break;
            if (b == PSF2_SEQ)
                sequences = true;
            else if (b < 0x80 && !sequences)
                map(f, b, g); // a one-byte UTF-8 character is ASCII; longer ones are not needed
        }
    }
    return 0;
}

// Parses a PSF1 or PSF2 font (see psf.h).
int psf_parse(const void *data, size_t size, struct psf_font *out, char *err, size_t errlen)
{
    const uint8_t *p = data;
    struct psf_font f = {0};
    bool table;
    size_t header;
    if (size >= PSF1_HEADER && p[0] == PSF1_MAGIC0 && p[1] == PSF1_MAGIC1) {
        header = PSF1_HEADER;
        f.width = 8;
        f.height = p[3];
        f.glyph_count = (p[2] & PSF1_MODE_512) ? 512 : 256;
        f.bytes_per_row = 1;
        f.bytes_per_glyph = f.height;
        table = (p[2] & PSF1_MODE_TABLE) != 0;
    } else if (size >= PSF2_HEADER && load_le32(p) == PSF2_MAGIC) {
        header = load_le32(p + 8);
        if (load_le32(p + 4) != 0)
            return fail(err, errlen, "PSF2 version %u, only 0 is known", load_le32(p + 4));
        if (header < PSF2_HEADER || header > size)
            return fail(err, errlen, "PSF2 header size %zu outside 32..%zu", header, size);
        table = (load_le32(p + 12) & PSF2_FLAG_TABLE) != 0;
        f.glyph_count = load_le32(p + 16);
        f.bytes_per_glyph = load_le32(p + 20);
        f.height = load_le32(p + 24);
        f.width = load_le32(p + 28);
        f.bytes_per_row = (f.width + 7) / 8;
    } else {
        return fail(err, errlen, "not a PSF1 or PSF2 file (%zu bytes)", size);
    }
    if (f.width == 0 || f.width > PSF_MAX_WIDTH || f.height == 0 || f.height > PSF_MAX_HEIGHT)
        return fail(err, errlen, "glyphs of %ux%u pixels, expected 1..%u wide and 1..%u tall", f.width, f.height,
                    PSF_MAX_WIDTH, PSF_MAX_HEIGHT);
    if (f.glyph_count == 0 || f.glyph_count > PSF_MAX_GLYPHS)
        return fail(err, errlen, "%u glyphs, expected 1..%u", f.glyph_count, PSF_MAX_GLYPHS);
    if (f.bytes_per_glyph < f.bytes_per_row * f.height)
        return fail(err, errlen, "%u bytes per glyph < %u rows of %u bytes", f.bytes_per_glyph, f.height,
                    f.bytes_per_row);
    uint64_t glyph_bytes = (uint64_t)f.glyph_count * f.bytes_per_glyph;
    if (glyph_bytes > size - header)
        return fail(err, errlen, "%u glyphs of %u bytes do not fit the %zu bytes after the header", f.glyph_count,
                    f.bytes_per_glyph, size - header);
    f.glyphs = p + header;
    for (uint32_t c = 0; c < PSF_ASCII; c++)
        f.ascii[c] = UNMAPPED;
    const uint8_t *t = f.glyphs + glyph_bytes;
    size_t left = size - header - (size_t)glyph_bytes;
    if (!table) {
        for (uint32_t c = 0; c < PSF_ASCII && c < f.glyph_count; c++)
            f.ascii[c] = (uint16_t)c; // no table: glyphs are in code order
    } else if ((header == PSF1_HEADER ? read_table1(&f, t, left, err, errlen)
                                      : read_table2(&f, t, left, err, errlen)) != 0) {
        return -1;
    }
    for (uint32_t c = ' '; c < 0x7f; c++)
        if (f.ascii[c] == UNMAPPED)
            return fail(err, errlen, "no glyph for '%c' (0x%02x)", (int)c, c);
    *out = f;
    return 0;
}

// The glyph shown for byte c (see psf.h).
const uint8_t *psf_glyph(const struct psf_font *font, unsigned char c)
{
    if (c < ' ' || c >= 0x7f)
        c = c == '\t' ? ' ' : '?';
    return font->glyphs + (size_t)font->ascii[c] * font->bytes_per_glyph;
}
