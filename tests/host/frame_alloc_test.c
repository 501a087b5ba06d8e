// SPDX-License-Identifier: MIT
// Host tests of src/core/frame_alloc.c: rounding of ranges, the search order, refusals, and a
// long random run checked against a one-bool-per-frame model.
#include "check.h"

#include "core/frame_alloc.h"

#define K 4096ull

static uint64_t bitmap[1024];
static struct frame_alloc fa;

// A fresh allocator over `frames` frames, all used.
static void fresh(uint64_t frames)
{
    for (size_t i = 0; i < sizeof bitmap / sizeof *bitmap; i++)
        bitmap[i] = 0x5a5a5a5a5a5a5a5aull; // garbage init must overwrite
    frame_alloc_init(&fa, bitmap, frames);
}

static void the_bitmap_needs_one_bit_per_frame_in_whole_words(void)
{
    CHECK_EQ(frame_alloc_bitmap_bytes(0), 0);
    CHECK_EQ(frame_alloc_bitmap_bytes(1), 8);
    CHECK_EQ(frame_alloc_bitmap_bytes(64), 8);
    CHECK_EQ(frame_alloc_bitmap_bytes(65), 16);
    CHECK_EQ(frame_alloc_bitmap_bytes(1ull << 20), 131072); // 4 GiB of frames
    CHECK_EQ(frame_alloc_bitmap_bytes(UINT64_MAX), (UINT64_MAX / 64 + 1) * 8);
}

static void every_frame_starts_used(void)
{
    fresh(1000);
    CHECK_EQ(frame_alloc_free_count(&fa), 0);
    CHECK_EQ(frame_alloc_get(&fa), FRAME_NONE);
    CHECK(!frame_alloc_is_free(&fa, 5 * K));
}

static void release_rounds_inward_to_whole_frames(void)
{
    fresh(100);
    frame_alloc_release_range(&fa, 0x1001, 0x3000); // [0x1001, 0x4001): frames 2 and 3
    CHECK_EQ(frame_alloc_free_count(&fa), 2);
    CHECK(!frame_alloc_is_free(&fa, 1 * K));
    CHECK(frame_alloc_is_free(&fa, 2 * K));
    CHECK(frame_alloc_is_free(&fa, 3 * K + 123));
    CHECK(!frame_alloc_is_free(&fa, 4 * K));
}

static void release_of_less_than_a_whole_frame_frees_nothing(void)
{
    fresh(100);
    frame_alloc_release_range(&fa, 0x1000, 0xfff);
    frame_alloc_release_range(&fa, 0x1800, 0x1000);
    frame_alloc_release_range(&fa, 0x5000, 0);
    CHECK_EQ(frame_alloc_free_count(&fa), 0);
}

static void release_never_frees_frame_zero(void)
{
    fresh(16);
    frame_alloc_release_range(&fa, 0, 16 * K);
    CHECK_EQ(frame_alloc_free_count(&fa), 15);
    CHECK(!frame_alloc_is_free(&fa, 0));
    for (int i = 0; i < 15; i++)
        CHECK(frame_alloc_get(&fa) != 0);
    CHECK_EQ(frame_alloc_get(&fa), FRAME_NONE);
}

static void release_beyond_frame_count_is_clipped(void)
{
    fresh(100);
    frame_alloc_release_range(&fa, 90 * K, 1000 * K);
    CHECK_EQ(frame_alloc_free_count(&fa), 10);
    CHECK(!frame_alloc_is_free(&fa, 100 * K));
    frame_alloc_release_range(&fa, 200 * K, 10 * K);
    CHECK_EQ(frame_alloc_free_count(&fa), 10);
}

static void release_of_a_range_wrapping_past_2_pow_64_does_not_overflow(void)
{
    fresh(100);
    frame_alloc_release_range(&fa, UINT64_MAX - K, 0x10000);
    CHECK_EQ(frame_alloc_free_count(&fa), 0);
    frame_alloc_release_range(&fa, 10 * K, UINT64_MAX);
    CHECK_EQ(frame_alloc_free_count(&fa), 90);
    frame_alloc_release_range(&fa, UINT64_MAX, UINT64_MAX);
    CHECK_EQ(frame_alloc_free_count(&fa), 90);
}

static void releasing_a_free_frame_again_does_not_count_it_twice(void)
{
    fresh(100);
    frame_alloc_release_range(&fa, 10 * K, 10 * K);
    frame_alloc_release_range(&fa, 15 * K, 10 * K);
    CHECK_EQ(frame_alloc_free_count(&fa), 15);
}

static void reserve_rounds_outward_to_every_frame_touched(void)
{
    fresh(100);
    frame_alloc_release_range(&fa, 0, 100 * K);
    frame_alloc_reserve_range(&fa, 0x1fff, 2); // touches frames 1 and 2
    CHECK_EQ(frame_alloc_free_count(&fa), 97);
    CHECK(!frame_alloc_is_free(&fa, 1 * K));
    CHECK(!frame_alloc_is_free(&fa, 2 * K));
    CHECK(frame_alloc_is_free(&fa, 3 * K));
    frame_alloc_reserve_range(&fa, 10 * K, 1); // one byte: one frame
    CHECK_EQ(frame_alloc_free_count(&fa), 96);
}

static void reserve_of_zero_bytes_reserves_nothing(void)
{
    fresh(100);
    frame_alloc_release_range(&fa, 0, 100 * K);
    frame_alloc_reserve_range(&fa, 0x1800, 0);
    CHECK_EQ(frame_alloc_free_count(&fa), 99);
}

static void reserve_is_clipped_at_frame_count_and_at_2_pow_64(void)
{
    fresh(100);
    frame_alloc_release_range(&fa, 0, 100 * K);
    frame_alloc_reserve_range(&fa, 95 * K, UINT64_MAX); // wraps: clipped
    CHECK_EQ(frame_alloc_free_count(&fa), 94);
    frame_alloc_reserve_range(&fa, 500 * K, 10 * K);
    frame_alloc_reserve_range(&fa, UINT64_MAX, 1);
    frame_alloc_reserve_range(&fa, UINT64_MAX - 5, 100);
    CHECK_EQ(frame_alloc_free_count(&fa), 94);
}

static void reserving_a_used_frame_again_does_not_count_it_twice(void)
{
    fresh(100);
    frame_alloc_release_range(&fa, 0, 100 * K);
    frame_alloc_reserve_range(&fa, 10 * K, 10 * K);
    frame_alloc_reserve_range(&fa, 15 * K, 10 * K);
    CHECK_EQ(frame_alloc_free_count(&fa), 99 - 15);
}

static void ranges_spanning_many_words_are_marked_exactly(void)
{
    fresh(1000);
    frame_alloc_release_range(&fa, 3 * K, 700 * K); // frames 3..702
    CHECK_EQ(frame_alloc_free_count(&fa), 700);
    frame_alloc_reserve_range(&fa, 63 * K, 130 * K); // frames 63..192
    CHECK_EQ(frame_alloc_free_count(&fa), 570);
    CHECK(frame_alloc_is_free(&fa, 62 * K));
    CHECK(!frame_alloc_is_free(&fa, 63 * K));
    CHECK(!frame_alloc_is_free(&fa, 192 * K));
    CHECK(frame_alloc_is_free(&fa, 193 * K));
    CHECK(frame_alloc_is_free(&fa, 702 * K));
    CHECK(!frame_alloc_is_free(&fa, 703 * K));
}

static void get_hands_out_the_lowest_free_frame_after_the_last_one_then_wraps(void)
{
    fresh(200);
    frame_alloc_release_range(&fa, 1 * K, 3 * K);   // 1..3
    frame_alloc_release_range(&fa, 130 * K, 2 * K); // 130, 131
    CHECK_EQ(frame_alloc_get(&fa), 1 * K);
    CHECK_EQ(frame_alloc_get(&fa), 2 * K);
    CHECK_EQ(frame_alloc_put(&fa, 1 * K), 0);
    CHECK_EQ(frame_alloc_get(&fa), 3 * K); // after the hint, not the lower freed frame
    CHECK_EQ(frame_alloc_get(&fa), 130 * K);
    CHECK_EQ(frame_alloc_get(&fa), 131 * K);
    CHECK_EQ(frame_alloc_get(&fa), 1 * K); // wrapped around
    CHECK_EQ(frame_alloc_get(&fa), FRAME_NONE);
    CHECK_EQ(frame_alloc_free_count(&fa), 0);
}

static void get_pair_hands_out_two_frames_at_an_even_frame(void)
{
    fresh(200);
    frame_alloc_release_range(&fa, 1 * K, 2 * K);   // 1, 2: free but no aligned pair
    frame_alloc_release_range(&fa, 5 * K, 4 * K);   // 5..8: the pair 6, 7
    frame_alloc_release_range(&fa, 63 * K, 3 * K);  // 63..65: the pair 64, 65
    frame_alloc_release_range(&fa, 199 * K, 1 * K); // the last, odd frame: no partner
    CHECK_EQ(frame_alloc_free_count(&fa), 10);
    CHECK_EQ(frame_alloc_get_pair(&fa), 6 * K);
    CHECK(!frame_alloc_is_free(&fa, 6 * K));
    CHECK(!frame_alloc_is_free(&fa, 7 * K));
    CHECK(frame_alloc_is_free(&fa, 5 * K));
    CHECK(frame_alloc_is_free(&fa, 8 * K));
    CHECK_EQ(frame_alloc_free_count(&fa), 8);
    CHECK_EQ(frame_alloc_get_pair(&fa), 64 * K);
    CHECK_EQ(frame_alloc_get_pair(&fa), FRAME_NONE); // 1, 2, 5, 8, 63, 199 are free, unpaired
    CHECK_EQ(frame_alloc_free_count(&fa), 6);
    CHECK_EQ(frame_alloc_put(&fa, 6 * K), 0);
    CHECK_EQ(frame_alloc_put(&fa, 7 * K), 0);
    CHECK_EQ(frame_alloc_get_pair(&fa), 6 * K); // wrapped around to the freed pair
}

static void get_pair_refuses_with_fewer_than_two_frames(void)
{
    fresh(1);
    CHECK_EQ(frame_alloc_get_pair(&fa), FRAME_NONE);
    fresh(3);
    frame_alloc_release_range(&fa, 0, 3 * K); // frames 1, 2 free (never 0): no even pair
    CHECK_EQ(frame_alloc_get_pair(&fa), FRAME_NONE);
    CHECK_EQ(frame_alloc_free_count(&fa), 2);
}

static void get_pair_and_get_agree_with_a_model(void)
{
    fresh(640);
    frame_alloc_release_range(&fa, 0, 640 * K);
    static bool used[640];
    used[0] = true;
    uint64_t seed = 12345;
    bool ok = true;
    for (int i = 0; i < 20000 && ok; i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        unsigned r = (unsigned)(seed >> 33);
        if (r % 3 == 0) {
            uint64_t f = frame_alloc_get_pair(&fa);
            if (f != FRAME_NONE) {
                uint64_t n = f / K;
                ok = n % 2 == 0 && n + 1 < 640 && !used[n] && !used[n + 1];
                used[n] = used[n + 1] = true;
            } else {
                for (unsigned n = 0; n + 1 < 640; n += 2)
                    ok = ok && (used[n] || used[n + 1]);
            }
        } else if (r % 3 == 1) {
            uint64_t f = frame_alloc_get(&fa);
            if (f != FRAME_NONE) {
                ok = !used[f / K];
                used[f / K] = true;
            }
        } else {
            unsigned n = 1 + (r >> 2) % 639;
            ok = frame_alloc_put(&fa, n * K) == (used[n] ? 0 : -1);
            used[n] = false;
        }
        uint64_t free = 0;
        for (unsigned n = 0; n < 640; n++)
            free += !used[n];
        ok = ok && frame_alloc_free_count(&fa) == free;
    }
    CHECK(ok);
}

static void get_never_returns_a_frame_beyond_frame_count(void)
{
    fresh(100); // not a multiple of 64: the last word has padding bits
    frame_alloc_release_range(&fa, 0, 1000 * K);
    bool ok = true;
    for (int i = 0; i < 99; i++) {
        uint64_t f = frame_alloc_get(&fa);
        ok = ok && f != FRAME_NONE && f % K == 0 && f >= K && f < 100 * K;
    }
    CHECK(ok);
    CHECK_EQ(frame_alloc_get(&fa), FRAME_NONE);
}

static void put_refuses_unaligned_out_of_range_frame_zero_and_double_free(void)
{
    fresh(100);
    frame_alloc_release_range(&fa, 0, 100 * K);
    uint64_t f = frame_alloc_get(&fa);
    CHECK_EQ(frame_alloc_free_count(&fa), 98);
    CHECK_EQ(frame_alloc_put(&fa, f + 8), -1);
    CHECK_EQ(frame_alloc_put(&fa, 100 * K), -1);
    CHECK_EQ(frame_alloc_put(&fa, UINT64_MAX & ~(K - 1)), -1);
    CHECK_EQ(frame_alloc_put(&fa, 0), -1);
    CHECK_EQ(frame_alloc_put(&fa, f), 0);
    CHECK_EQ(frame_alloc_put(&fa, f), -1);      // double free
    CHECK_EQ(frame_alloc_put(&fa, 50 * K), -1); // never handed out, still free
    CHECK_EQ(frame_alloc_free_count(&fa), 99);
}

static void an_allocator_of_zero_frames_has_nothing_to_give(void)
{
    frame_alloc_init(&fa, NULL, 0);
    frame_alloc_release_range(&fa, 0, UINT64_MAX);
    frame_alloc_reserve_range(&fa, 0, UINT64_MAX);
    CHECK_EQ(frame_alloc_get(&fa), FRAME_NONE);
    CHECK_EQ(frame_alloc_put(&fa, K), -1);
    CHECK(!frame_alloc_is_free(&fa, 0));
    CHECK_EQ(frame_alloc_free_count(&fa), 0);
}

static void a_random_workload_agrees_with_a_simple_model(void)
{
    enum { FRAMES = 1000 };
    static bool model_free[FRAMES];
    uint64_t model_hint = 0, model_count = 0;
    fresh(FRAMES);
    for (int i = 0; i < FRAMES; i++)
        model_free[i] = false;
    uint64_t rng = 42;
    int disagreements = 0;
    for (int step = 0; step < 100000 && disagreements < 5; step++) {
        uint64_t r = check_rand(&rng);
        uint64_t base = check_rand(&rng) % (FRAMES * K + 3 * K);
        uint64_t length = check_rand(&rng) % (64 * K);
        switch (r % 8) {
        case 0: { // release: whole frames inside, never frame 0
            uint64_t first = (base + K - 1) / K, end = (base + length) / K;
            for (uint64_t f = first < 1 ? 1 : first; f < end && f < FRAMES; f++)
                model_free[f] = true;
            frame_alloc_release_range(&fa, base, length);
            break;
        }
        case 1: { // reserve: every frame touched
            if (length > 0)
                for (uint64_t f = base / K; f < (base + length + K - 1) / K && f < FRAMES; f++)
                    model_free[f] = false;
            frame_alloc_reserve_range(&fa, base, length);
            break;
        }
        case 2:
        case 3:
        case 4: { // get: lowest free at or after the hint, wrapping
            uint64_t expect = FRAME_NONE;
            for (uint64_t k = 0; k < FRAMES; k++) {
                uint64_t f = (model_hint + k) % FRAMES;
                if (model_free[f]) {
                    expect = f;
                    break;
                }
            }
            uint64_t got = frame_alloc_get(&fa);
            if (expect != FRAME_NONE) {
                model_free[expect] = false;
                model_hint = (expect + 1) % FRAMES;
                expect *= K;
            }
            if (got != expect) {
                printf("  step %d: get gave 0x%" PRIx64 ", model 0x%" PRIx64 "\n", step, got, expect);
                disagreements++;
            }
            break;
        }
        default: { // put: sometimes valid, sometimes not
            uint64_t phys = (r >> 8) % 3 == 0 ? base : base & ~(K - 1);
            uint64_t f = phys / K;
            int expect = (phys % K == 0 && f != 0 && f < FRAMES && !model_free[f]) ? 0 : -1;
            if (expect == 0)
                model_free[f] = true;
            if (frame_alloc_put(&fa, phys) != expect) {
                printf("  step %d: put(0x%" PRIx64 ") disagreed with the model\n", step, phys);
                disagreements++;
            }
            break;
        }
        }
        model_count = 0;
        for (int f = 0; f < FRAMES; f++)
            model_count += model_free[f];
        if (frame_alloc_free_count(&fa) != model_count) {
            printf("  step %d: free_count %" PRIu64 ", model %" PRIu64 "\n", step, frame_alloc_free_count(&fa),
                   model_count);
            disagreements++;
        }
    }
    for (int f = 0; f < FRAMES; f++)
        disagreements += frame_alloc_is_free(&fa, (uint64_t)f * K) != model_free[f];
    CHECK_EQ(disagreements, 0);
}

// Run every test and print the totals; non-zero exit if any check failed.
int main(void)
{
    RUN(the_bitmap_needs_one_bit_per_frame_in_whole_words);
    RUN(every_frame_starts_used);
    RUN(release_rounds_inward_to_whole_frames);
    RUN(release_of_less_than_a_whole_frame_frees_nothing);
    RUN(release_never_frees_frame_zero);
    RUN(release_beyond_frame_count_is_clipped);
    RUN(release_of_a_range_wrapping_past_2_pow_64_does_not_overflow);
    RUN(releasing_a_free_frame_again_does_not_count_it_twice);
    RUN(reserve_rounds_outward_to_every_frame_touched);
    RUN(reserve_of_zero_bytes_reserves_nothing);
    RUN(reserve_is_clipped_at_frame_count_and_at_2_pow_64);
    RUN(reserving_a_used_frame_again_does_not_count_it_twice);
    RUN(ranges_spanning_many_words_are_marked_exactly);
    RUN(get_hands_out_the_lowest_free_frame_after_the_last_one_then_wraps);
    RUN(get_pair_hands_out_two_frames_at_an_even_frame);
    RUN(get_pair_refuses_with_fewer_than_two_frames);
    RUN(get_pair_and_get_agree_with_a_model);
    RUN(get_never_returns_a_frame_beyond_frame_count);
    RUN(put_refuses_unaligned_out_of_range_frame_zero_and_double_free);
    RUN(an_allocator_of_zero_frames_has_nothing_to_give);
    RUN(a_random_workload_agrees_with_a_simple_model);
    return check_summary();
}
