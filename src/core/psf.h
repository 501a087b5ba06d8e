// SPDX-License-Identifier: MIT
// A validating parser of PC Screen Font files, versions 1 and 2 (the Linux console's fonts).
//
// PSF1: a 4-byte header (magic 36 04, mode, height in bytes), 256 or 512 glyphs 8 pixels wide,
// then, if mode bit 1 is set, a Unicode table of 16-bit code points per glyph. PSF2: a 32-byte
// header (magic 72 b5 4a 86, version, header size, flags, glyph count, bytes per glyph, height,
// width), the glyphs, then, if flag bit 0 is set, a Unicode table of UTF-8 sequences per glyph.
// Both are described in the Linux kernel's Documentation/ and in kbd's psf.h. The font is
// input like any other: every size is checked against the file before a glyph is read.
#ifndef LSTAR_CORE_PSF_H
#define LSTAR_CORE_PSF_H

#include <stddef.h>
#include <stdint.h>

#define PSF_MAX_WIDTH 32  // wider glyphs are refused: a row of pixels is read as 32 bits at most
#define PSF_MAX_HEIGHT 64 // taller ones too: no console font is that tall
#define PSF_ASCII 128     // characters the font is asked for: the kernel's log is ASCII

struct psf_font {
    uint32_t width, height;    // pixels of one glyph
    uint32_t glyph_count;      // glyphs in the file
    uint32_t bytes_per_row;    // (width + 7) / 8: each row starts on a byte
    uint32_t bytes_per_glyph;  // bytes_per_row * height, or more (PSF2 may pad)
    const uint8_t *glyphs;     // the first glyph (points into the file)
    uint16_t ascii[PSF_ASCII]; // the glyph shown for each ASCII character
};

// Parses the font file of `size` bytes at `data`. Returns 0, or a negative value with a
// one-line reason in err (NUL-terminated, errlen bytes). The font points into data.
int psf_parse(const void *data, size_t size, struct psf_font *out, char *err, size_t errlen);

// The glyph for byte c: its own for printable ASCII, the font's '?' for anything else, a blank
// for a space. Rows of bytes_per_row bytes, the leftmost pixel in the top bit of the first.
const uint8_t *psf_glyph(const struct psf_font *font, unsigned char c);

#endif
