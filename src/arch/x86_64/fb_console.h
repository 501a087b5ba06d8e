// SPDX-License-Identifier: MIT
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

// hold=: how many seconds fb_console_hold keeps the end of the run on the screen.
void fb_console_set_hold(unsigned seconds);

// Ends the run on the screen: with hold= set, says so in a line, draws what is waiting and waits
// that long, so that a test (or a person) can look at the last lines before the exit. kmain's
// end and a panic call it just before QEMU's isa-debug-exit.
void fb_console_hold(void);

#endif
