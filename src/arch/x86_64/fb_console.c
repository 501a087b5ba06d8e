// SPDX-License-Identifier: MIT
// The framebuffer console (see fb_console.h).
//
// Drawing is the cost here: under QEMU's TCG every pixel is an emulated store, and a 1024x768
// screen has 786,432 of them. So the console keeps the text in a grid of cells (core/fb_text.c)
// and a copy of what the screen shows, and draws only the cells that differ. A new line that
// fits below the last one costs its own cells; a line that scrolls the screen changes nearly
// every cell, so after a scroll the drawing waits until FB_REDRAW_MS have passed since the last
// full redraw, and a burst of lines costs one redraw per interval instead of one per line; the
// interval grows with the redraw's cost, so drawing stays under a tenth of the time.
// What is still waiting is drawn by the next line after the interval or by fb_console_flush,
// which the end of the run and a panic call.
#include "arch/x86_64/fb_console.h"
#include "arch/x86_64/cr.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/timer.h"
#include "core/console.h"
#include "core/format.h"
#include "core/psf.h"
#include "core/string.h"

#define FB_REDRAW_MS 50                 // the shortest wait between two redraws after a scroll
#define FB_REDRAW_SHARE 10              // and at least this many times what the last redraw took
#define FB_ASSUMED_TSC_HZ 1000000000ull // before the TSC is calibrated: a guess is good enough

extern const unsigned char console_font_psf[]; // generated from the PSF file (cmake/console-font.cmake)
extern const unsigned long console_font_psf_size;

static struct fb_format format;
static struct psf_font font;
static uint8_t *screen; // the framebuffer's first byte; NULL: not attached
static uint32_t fg, bg;
static struct text_grid grid;
static uint8_t cells[FB_TEXT_MAX_COLS * FB_TEXT_MAX_ROWS]; // the text as it should be
static uint8_t shown[FB_TEXT_MAX_COLS * FB_TEXT_MAX_ROWS]; // the text as the screen shows it
static bool waiting;                                       // a scroll has not been drawn yet
static uint64_t last_redraw;                               // TSC of the last drawing after a scroll
static uint64_t last_redraw_cost;                          // and the TSC ticks it took
static bool drawing;          // a write is in progress (an #MC or #DB report inside it is not drawn)
static uint64_t draw_ticks;   // TSC ticks spent drawing, for the report at the end of the run
static unsigned hold_seconds; // hold=
static unsigned redraws;      // drawings after a scroll

// Maps the framebuffer's pages that the direct map does not already cover (it covers RAM only,
// and a framebuffer usually sits above it, in the PCI hole below 4 GiB or beyond).
static int map_framebuffer(const struct fb_format *fmt)
{
    uint64_t first = fmt->addr & ~(PAGE_SIZE - 1), end = fmt->addr + fb_size(fmt);
    for (uint64_t pa = first; pa < end; pa += PAGE_SIZE) {
        if (pa < paging_direct_map_end)
            continue;
        int err = paging_map(paging_kernel_cr3(), (uint64_t)phys_to_virt(pa), pa, PTE_WRITABLE | PTE_NX);
        if (err != 0 && err != PAGING_MAPPED_ALREADY)
            return -1;
    }
    return 0;
}

// Checks, maps and clears the framebuffer (see fb_console.h).
int fb_console_attach(const struct fb_format *fmt, char *err, size_t errlen)
{
    if (fb_format_check(fmt, err, errlen) != 0)
        return -1;
    if (psf_parse(console_font_psf, console_font_psf_size, &font, err, errlen) != 0)
        return -1;
    unsigned cols = fmt->width / font.width, rows = fmt->height / font.height;
    if (cols == 0 || rows == 0) {
        format_buf(err, errlen, "framebuffer: %ux%u pixels hold no %ux%u glyph", fmt->width, fmt->height, font.width,
                   font.height);
        return -1;
    }
    if (map_framebuffer(fmt) != 0) {
        format_buf(err, errlen, "framebuffer: no frame left for the page tables that map it");
        return -1;
    }
    format = *fmt;
    fg = fb_pixel(fmt, FB_TEXT_FG);
    bg = fb_pixel(fmt, FB_TEXT_BG);
    uint8_t *base = phys_to_virt(fmt->addr);
    for (uint32_t y = 0; y < fmt->height; y++) // the loader's picture (GRUB's menu) goes
        memset(base + (uint64_t)y * fmt->pitch, 0, (size_t)fmt->width * fb_bytes_per_pixel(fmt));
    text_grid_init(&grid, cells, cols < FB_TEXT_MAX_COLS ? cols : FB_TEXT_MAX_COLS,
                   rows < FB_TEXT_MAX_ROWS ? rows : FB_TEXT_MAX_ROWS);
    memset(shown, ' ', sizeof shown);
    screen = base;
    return 0;
}

// The grid's size (see fb_console.h).
void fb_console_size(unsigned *cols, unsigned *rows)
{
    *cols = screen ? grid.cols : 0;
    *rows = screen ? grid.rows : 0;
}

// Draws every cell whose text differs from what the screen shows.
static void redraw(void)
{
    uint64_t start = rdtsc();
    size_t n = (size_t)grid.cols * grid.rows;
    for (size_t i = 0; i < n; i++) {
        if (cells[i] != shown[i]) {
            fb_draw_cell(screen, &format, &font, (unsigned)(i % grid.cols), (unsigned)(i / grid.cols), cells[i], fg,
                         bg);
            shown[i] = cells[i];
        }
    }
    draw_ticks += rdtsc() - start;
}

// TSC ticks to wait after a redraw before the next one: FB_REDRAW_MS, or FB_REDRAW_SHARE times
// what the last one took if that is longer, so drawing never takes more than a small share of
// the machine however slow its stores are (emulation, an uncached framebuffer).
static uint64_t redraw_interval(void)
{
    uint64_t hz = tsc_hz() ? tsc_hz() : FB_ASSUMED_TSC_HZ;
    uint64_t floor = hz / 1000 * FB_REDRAW_MS, cost = last_redraw_cost * FB_REDRAW_SHARE;
    return cost > floor ? cost : floor;
}

// Adds n bytes of the log to the grid and draws what is due (see the top of this file).
void fb_console_write(const char *s, size_t n)
{
    if (!screen || drawing)
        return;
    drawing = true;
    if (text_grid_write(&grid, s, n) > 0)
        waiting = true;
    uint64_t now = rdtsc();
    if (!waiting) {
        redraw();
    } else if (now - last_redraw >= redraw_interval()) {
        redraw();
        redraws++;
        waiting = false;
        last_redraw = rdtsc();
        last_redraw_cost = last_redraw - now;
    }
    drawing = false;
}

// Draws what is waiting (see fb_console.h). A panic calls it after stopping the other CPUs,
// one of which may have stopped inside a write: its half-drawn cells are drawn again.
void fb_console_flush(void)
{
    if (!screen)
        return;
    redraw();
    waiting = false;
    last_redraw = rdtsc();
    drawing = false;
}

// What drawing cost so far (see fb_console.h).
void fb_console_cost(unsigned *scroll_redraws, uint64_t *ticks)
{
    *scroll_redraws = redraws;
    *ticks = draw_ticks;
}

// Sets the hold= time (see fb_console.h).
void fb_console_set_hold(unsigned seconds) { hold_seconds = seconds; }

// Holds the end of the run on the screen (see fb_console.h). The screen tests take the screen
// once the hold line is on the serial port.
void fb_console_hold(void)
{
    if (hold_seconds == 0 || tsc_hz() == 0) // before calibration there is no clock to wait by
        return;
    kprintf("[boot] holding the screen for %u s before the exit\n", hold_seconds);
    fb_console_flush();
    uint64_t end = rdtsc() + tsc_hz() * hold_seconds;
    while (rdtsc() < end)
        __asm__ volatile("pause");
}
