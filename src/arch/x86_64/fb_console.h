// The framebuffer console: the log as text on the screen the boot loader set up (GOP under
// UEFI, a VBE mode under BIOS), for PCs that have neither VGA text mode nor a serial port.
#ifndef LSTAR_ARCH_FB_CONSOLE_H
#define LSTAR_ARCH_FB_CONSOLE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/fb_text.h"

// Checks the framebuffer and the built-in font, maps the framebuffer, clears it and starts
// drawing the log there. Returns 0, or -1 with a one-line reason in err (nothing is drawn).
int fb_console_attach(const struct fb_format *fmt, char *err, size_t errlen);

// The text grid's size, for the boot log (0 x 0 when not attached).
void fb_console_size(unsigned *cols, unsigned *rows);

// Writes n bytes of the log (console.c, under the console lock).
void fb_console_write(const char *s, size_t n);

// How many redraws scrolling cost and how many TSC ticks all drawing took, so far.
void fb_console_cost(unsigned *scroll_redraws, uint64_t *ticks);

// Draws whatever a scroll left waiting, now (the end of the run; a panic: see panic.c).
void fb_console_flush(void);

#endif
