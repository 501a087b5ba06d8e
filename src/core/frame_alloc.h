// SPDX-License-Identifier: MIT
// A bitmap allocator of 4 KiB physical frames, one bit per frame (1 = in use).
//
// Pure bookkeeping over a bitmap the caller provides: it never touches the frames themselves.
// Everything starts in use; the boot code releases what the memory map calls available RAM and
// then reserves what is taken (the kernel image, the modules, the bitmap itself).
#ifndef LSTAR_CORE_FRAME_ALLOC_H
#define LSTAR_CORE_FRAME_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FRAME_SIZE 4096u
#define FRAME_NONE UINT64_MAX // what frame_alloc_get returns when no frame is free

struct frame_alloc {
    uint64_t *bitmap;     // bit (i % 64) of word i / 64 is frame i; 1 = in use
    uint64_t frame_count; // frames covered: physical [0, frame_count * FRAME_SIZE)
    uint64_t free_count;
    uint64_t hint; // where the next search starts: just after the last frame handed out
};

// Bytes of bitmap needed for frame_count frames (a multiple of 8).
size_t frame_alloc_bitmap_bytes(uint64_t frame_count);

// Set up over `bitmap` (frame_alloc_bitmap_bytes(frame_count) bytes); every frame starts used.
void frame_alloc_init(struct frame_alloc *fa, uint64_t *bitmap, uint64_t frame_count);

// Mark [base, base + length) free, rounding inward to whole frames; frame 0 is never freed, so
// physical address 0 is never handed out and can keep meaning "no frame".
void frame_alloc_release_range(struct frame_alloc *fa, uint64_t base, uint64_t length);

// Mark [base, base + length) used, rounding outward; the part beyond frame_count is ignored, and
// a range that wraps past 2^64 is clipped there.
void frame_alloc_reserve_range(struct frame_alloc *fa, uint64_t base, uint64_t length);

// Take a free frame: the lowest free one at or after the hint, wrapping to the start.
// Returns its physical address, or FRAME_NONE when none is left.
uint64_t frame_alloc_get(struct frame_alloc *fa);

// Take two adjacent free frames whose first is 8 KiB aligned (a PML4 pair for page-table
// isolation: the two differ only in bit 12 of the address). Returns the first one's physical
// address, or FRAME_NONE when no such pair is free. Give them back with two frame_alloc_put.
uint64_t frame_alloc_get_pair(struct frame_alloc *fa);

// Give back a frame from frame_alloc_get. Returns 0, or -1 (and changes nothing) if phys is
// unaligned, frame 0, out of range or already free (a double free).
int frame_alloc_put(struct frame_alloc *fa, uint64_t phys);

// Number of free frames.
uint64_t frame_alloc_free_count(const struct frame_alloc *fa);

// Whether the frame containing phys is free (false beyond frame_count).
bool frame_alloc_is_free(const struct frame_alloc *fa, uint64_t phys);

#endif
