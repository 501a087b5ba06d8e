// SPDX-License-Identifier: MIT
// The frame bitmap: range marking with free-count bookkeeping, and a next-fit search.
#include "core/frame_alloc.h"

// Number of 64-bit words holding frame_count bits.
static uint64_t word_count(uint64_t frame_count) { return frame_count / 64 + (frame_count % 64 != 0); }

// Bits [lo, hi) of a word set, for 0 <= lo < hi <= 64.
static uint64_t bit_mask(unsigned lo, unsigned hi)
{
    uint64_t below_hi = hi == 64 ? ~0ull : (1ull << hi) - 1;
    return below_hi & ~((1ull << lo) - 1);
}

// Count the set bits of v (no popcnt: the kernel must run on any x86_64).
static uint64_t popcount64(uint64_t v)
{
    v = v - ((v >> 1) & 0x5555555555555555ull);
    v = (v & 0x3333333333333333ull) + ((v >> 2) & 0x3333333333333333ull);
    v = (v + (v >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (v * 0x0101010101010101ull) >> 56;
}

// Mark frames [first, end) used or free a word at a time, keeping free_count exact even when
// some of them already were.
static void mark_frames(struct frame_alloc *fa, uint64_t first, uint64_t end, bool used)
{
    while (first < end) {
        uint64_t w = first / 64;
        unsigned lo = (unsigned)(first % 64);
        unsigned hi = end - first >= 64 - lo ? 64 : lo + (unsigned)(end - first);
        uint64_t mask = bit_mask(lo, hi);
        uint64_t old = fa->bitmap[w];
        if (used) {
            fa->free_count -= popcount64(~old & mask);
            fa->bitmap[w] = old | mask;
        } else {
            fa->free_count += popcount64(old & mask);
            fa->bitmap[w] = old & ~mask;
        }
        first += hi - lo;
    }
}

// The exclusive end address of [base, base + length) in frames, rounded down or up; a range
// that wraps past 2^64 ends at 2^64, i.e. frame 2^52.
static uint64_t end_frame(uint64_t base, uint64_t length, bool round_up)
{
    if (length > UINT64_MAX - base)
        return UINT64_MAX / FRAME_SIZE + 1;
    uint64_t end = base + length;
    return end / FRAME_SIZE + (round_up && end % FRAME_SIZE != 0);
}

// The lowest free frame in [from, to), or FRAME_NONE.
static uint64_t find_free(const struct frame_alloc *fa, uint64_t from, uint64_t to)
{
    while (from < to) {
        uint64_t w = from / 64;
        uint64_t free_bits = ~fa->bitmap[w] & bit_mask((unsigned)(from % 64), 64);
        if (free_bits != 0) {
            // Bits past frame_count are always set, so a hit here is a real frame; it may still
            // lie at or beyond `to` when the search stops short of frame_count.
            uint64_t frame = w * 64 + (uint64_t)__builtin_ctzll(free_bits);
            return frame < to ? frame : FRAME_NONE;
        }
        from = (w + 1) * 64;
    }
    return FRAME_NONE;
}

// Bytes of bitmap needed for frame_count frames.
size_t frame_alloc_bitmap_bytes(uint64_t frame_count) { return (size_t)word_count(frame_count) * sizeof(uint64_t); }

// Set up the allocator with every frame in use, including the padding bits of the last word.
void frame_alloc_init(struct frame_alloc *fa, uint64_t *bitmap, uint64_t frame_count)
{
    fa->bitmap = bitmap;
    fa->frame_count = frame_count;
    fa->free_count = 0;
    fa->hint = 0;
    for (uint64_t w = 0; w < word_count(frame_count); w++)
        bitmap[w] = ~0ull;
}

// Free the whole frames inside [base, base + length), except frame 0.
void frame_alloc_release_range(struct frame_alloc *fa, uint64_t base, uint64_t length)
{
    if (length == 0)
        return;
    uint64_t first = base / FRAME_SIZE + (base % FRAME_SIZE != 0);
    uint64_t end = end_frame(base, length, false);
    if (first < 1)
        first = 1;
    if (end > fa->frame_count)
        end = fa->frame_count;
    if (first < end)
        mark_frames(fa, first, end, false);
}

// Mark used every frame that [base, base + length) touches.
void frame_alloc_reserve_range(struct frame_alloc *fa, uint64_t base, uint64_t length)
{
    if (length == 0)
        return;
    uint64_t first = base / FRAME_SIZE;
    uint64_t end = end_frame(base, length, true);
    if (end > fa->frame_count)
        end = fa->frame_count;
    if (first < end)
        mark_frames(fa, first, end, true);
}

// Hand out the lowest free frame at or after the hint, wrapping around once.
uint64_t frame_alloc_get(struct frame_alloc *fa)
{
    if (fa->free_count == 0)
        return FRAME_NONE;
    uint64_t start = fa->hint < fa->frame_count ? fa->hint : 0;
    uint64_t frame = find_free(fa, start, fa->frame_count);
    if (frame == FRAME_NONE)
        frame = find_free(fa, 0, start);
    if (frame == FRAME_NONE)
        return FRAME_NONE; // free_count disagrees with the bitmap; never hand out a used frame
    fa->bitmap[frame / 64] |= 1ull << (frame % 64);
    fa->free_count--;
    fa->hint = frame + 1 < fa->frame_count ? frame + 1 : 0;
    return frame * FRAME_SIZE;
}

// Hand out two free frames, the first at an even frame number (8 KiB aligned), searching from
// the hint and wrapping once like frame_alloc_get. Two bits of one word: an even frame and its
// odd neighbour never straddle a word.
uint64_t frame_alloc_get_pair(struct frame_alloc *fa)
{
    if (fa->free_count < 2 || fa->frame_count < 2)
        return FRAME_NONE;
    uint64_t pairs = fa->frame_count / 2; // a last odd frame has no partner
    uint64_t start = fa->hint / 2 < pairs ? fa->hint / 2 : 0;
    for (uint64_t n = 0; n < pairs; n++) {
        uint64_t frame = ((start + n) % pairs) * 2;
        uint64_t mask = 3ull << (frame % 64);
        if ((fa->bitmap[frame / 64] & mask) == 0) {
            fa->bitmap[frame / 64] |= mask;
            fa->free_count -= 2;
            fa->hint = frame + 2 < fa->frame_count ? frame + 2 : 0;
            return frame * FRAME_SIZE;
        }
    }
    return FRAME_NONE;
}

// Return one frame, refusing anything frame_alloc_get could not have handed out.
int frame_alloc_put(struct frame_alloc *fa, uint64_t phys)
{
    if (phys % FRAME_SIZE != 0)
        return -1;
    uint64_t frame = phys / FRAME_SIZE;
    if (frame == 0 || frame >= fa->frame_count)
        return -1;
    uint64_t bit = 1ull << (frame % 64);
    if ((fa->bitmap[frame / 64] & bit) == 0)
        return -1;
    fa->bitmap[frame / 64] &= ~bit;
    fa->free_count++;
    return 0;
}

// Number of free frames.
uint64_t frame_alloc_free_count(const struct frame_alloc *fa) { return fa->free_count; }

// Whether the frame containing phys is free.
bool frame_alloc_is_free(const struct frame_alloc *fa, uint64_t phys)
{
    uint64_t frame = phys / FRAME_SIZE;
    return frame < fa->frame_count && (fa->bitmap[frame / 64] & (1ull << (frame % 64))) == 0;
}
