// SPDX-License-Identifier: MIT
// The screen tests' host tool: draws the text the kernel's framebuffer console should show, with
// the same font and the same grid (src/core/fb_text.c, src/core/psf.c), and compares pictures.
//
//   screen_render render FONT.psf WIDTH HEIGHT TEXT OUT.ppm OUT.txt
//       lays TEXT (the serial log's lines from the console's first line on) out on a WIDTH x
//       HEIGHT screen as fb_console.c does, writes the picture as a binary PPM and the text
//       each row shows, one row a line, trailing blanks dropped
//   screen_render compare EXPECTED.ppm ACTUAL.ppm CELL_WIDTH CELL_HEIGHT
//       exits 0 if the pictures are the same size and every pixel is equal; else 1, naming
//       how many pixels differ and the first text cell (column, row) that holds one
//
// QEMU's screendump writes a binary PPM (P6, maxval 255) of the guest's screen; the colours
// here are RGB bytes in that order, so a 32-bit guest mode compares exactly.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/fb_text.h"
#include "core/psf.h"

// Reads a whole file into a malloc'ed buffer; exits on failure.
static unsigned char *read_all(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "screen_render: %s: %s\n", path, strerror(errno));
        exit(2);
    }
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    for (size_t got; buf && (got = fread(buf + n, 1, cap - n, f)) > 0;) {
        n += got;
        if (n == cap)
            buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    if (!buf) {
        fprintf(stderr, "screen_render: out of memory reading %s\n", path);
        exit(2);
    }
    *size = n;
    return buf;
}

// Reads the next number of a PPM header at *p, skipping blanks and # comments.
static long ppm_number(const unsigned char *data, size_t size, size_t *p)
{
    for (;;) {
        while (*p < size && (data[*p] == ' ' || data[*p] == '\t' || data[*p] == '\n' || data[*p] == '\r'))
            ++*p;
        if (*p < size && data[*p] == '#') {
            while (*p < size && data[*p] != '\n')
                ++*p;
            continue;
        }
        break;
    }
    long v = -1;
    while (*p < size && data[*p] >= '0' && data[*p] <= '9' && v < 100000)
        v = (v < 0 ? 0 : v * 10) + (data[(*p)++] - '0');
    return v;
}

struct picture {
    long width, height;
    unsigned char *file;      // the whole file, to free
    const unsigned char *rgb; // width * height * 3 bytes inside it
};

// Loads a binary PPM of maxval 255; exits with a message if it is not one.
static struct picture load_ppm(const char *path)
{
    size_t size, p = 2;
    unsigned char *data = read_all(path, &size);
    struct picture pic = {0};
    if (size < 2 || data[0] != 'P' || data[1] != '6') {
        fprintf(stderr, "screen_render: %s is not a binary PPM (P6)\n", path);
        exit(2);
    }
    pic.width = ppm_number(data, size, &p);
    pic.height = ppm_number(data, size, &p);
    long maxval = ppm_number(data, size, &p);
    p++; // the single blank after maxval
    if (pic.width <= 0 || pic.height <= 0 || maxval != 255 || p > size ||
        (size_t)(pic.width * pic.height * 3) > size - p) {
        fprintf(stderr, "screen_render: %s: bad header or short data (%ldx%ld, maxval %ld)\n", path, pic.width,
                pic.height, maxval);
        exit(2);
    }
    pic.file = data;
    pic.rgb = data + p;
    return pic;
}

// render: see the top of this file.
static int render(char **argv)
{
    size_t font_size, text_size;
    unsigned char *font_file = read_all(argv[0], &font_size);
    struct psf_font font;
    char err[160];
    if (psf_parse(font_file, font_size, &font, err, sizeof err) != 0) {
        fprintf(stderr, "screen_render: %s: %s\n", argv[0], err);
        return 2;
    }
    struct fb_format fmt = {.addr = 0x1000,
                            .width = (uint32_t)atoi(argv[1]),
                            .height = (uint32_t)atoi(argv[2]),
                            .bpp = 24,
                            .red_pos = 0,
                            .red_size = 8,
                            .green_pos = 8,
                            .green_size = 8,
                            .blue_pos = 16,
                            .blue_size = 8};
    fmt.pitch = fmt.width * 3;
    if (fb_format_check(&fmt, err, sizeof err) != 0) {
        fprintf(stderr, "screen_render: %s\n", err);
        return 2;
    }
    unsigned cols = fmt.width / font.width, rows = fmt.height / font.height;
    cols = cols < FB_TEXT_MAX_COLS ? cols : FB_TEXT_MAX_COLS;
    rows = rows < FB_TEXT_MAX_ROWS ? rows : FB_TEXT_MAX_ROWS;
    char *text = (char *)read_all(argv[3], &text_size);
    uint8_t *cells = malloc((size_t)cols * rows);
    uint8_t *pixels = calloc((size_t)fmt.pitch, fmt.height); // black, as the kernel clears it
    struct text_grid grid;
    text_grid_init(&grid, cells, cols, rows);
    text_grid_write(&grid, text, text_size);
    uint32_t fg = fb_pixel(&fmt, FB_TEXT_FG), bg = fb_pixel(&fmt, FB_TEXT_BG);
    for (unsigned r = 0; r < rows; r++)
        for (unsigned c = 0; c < cols; c++)
            fb_draw_cell(pixels, &fmt, &font, c, r, cells[(size_t)r * cols + c], fg, bg);
    FILE *out = fopen(argv[4], "wb");
    FILE *txt = fopen(argv[5], "w");
    if (!out || !txt) {
        fprintf(stderr, "screen_render: cannot write %s or %s\n", argv[4], argv[5]);
        return 2;
    }
    fprintf(out, "P6\n%u %u\n255\n", fmt.width, fmt.height);
    fwrite(pixels, 3, (size_t)fmt.width * fmt.height, out);
    for (unsigned r = 0; r < rows; r++) {
        int len = (int)cols;
        while (len > 0 && cells[(size_t)r * cols + (unsigned)len - 1] == ' ')
            len--;
        fprintf(txt, "%.*s\n", len, (const char *)cells + (size_t)r * cols);
    }
    fclose(out);
    fclose(txt);
    free(pixels);
    free(cells);
    free(text);
    free(font_file);
    return 0;
}

static int compare_pictures(struct picture a, struct picture b, long cw, long ch);

// compare: see the top of this file.
static int compare(char **argv)
{
    struct picture a = load_ppm(argv[0]), b = load_ppm(argv[1]);
    int result = compare_pictures(a, b, atol(argv[2]), atol(argv[3]));
    free(a.file);
    free(b.file);
    return result;
}

// Compares two pictures pixel by pixel; prints the outcome.
static int compare_pictures(struct picture a, struct picture b, long cw, long ch)
{
    if (a.width != b.width || a.height != b.height) {
        printf("screen differs: expected %ldx%ld pixels, the screen has %ldx%ld\n", a.width, a.height, b.width,
               b.height);
        return 1;
    }
    long differ = 0, first = -1;
    for (long i = 0; i < a.width * a.height; i++) {
        if (memcmp(a.rgb + 3 * i, b.rgb + 3 * i, 3) != 0) {
            if (first < 0)
                first = i;
            differ++;
        }
    }
    if (differ == 0) {
        printf("screen matches: %ldx%ld pixels equal\n", a.width, a.height);
        return 0;
    }
    long x = first % a.width, y = first / a.width;
    printf("screen differs: %ld pixels, the first at (%ld, %ld) in text cell column %ld row %ld\n", differ, x, y,
           cw > 0 ? x / cw : -1, ch > 0 ? y / ch : -1);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc == 8 && strcmp(argv[1], "render") == 0)
        return render(argv + 2);
    if (argc == 6 && strcmp(argv[1], "compare") == 0)
        return compare(argv + 2);
    fprintf(stderr, "usage: screen_render render FONT.psf WIDTH HEIGHT TEXT OUT.ppm OUT.txt\n"
                    "       screen_render compare EXPECTED.ppm ACTUAL.ppm CELL_WIDTH CELL_HEIGHT\n");
    return 2;
}
