// SPDX-License-Identifier: MIT
// Summary statistics of one benchmark row, in fixed point: every value is ticks per call x 100
// (two decimals without floating point, which ring-3 code is built without).
#ifndef LSTAR_BENCH_STATS_H
#define LSTAR_BENCH_STATS_H

#include <stdint.h>

struct stats {
    uint64_t min, median, p90, p99, max, mean;
    unsigned outliers; // samples above the outlier threshold (still in max and mean)
};

// Sort values[0..n) in place and summarise them; n must be at least 1.
void stats_compute(uint64_t *values, unsigned n, struct stats *out);

// Median of values[0..n), sorting them in place; n must be at least 1.
uint64_t stats_median(uint64_t *values, unsigned n);

#endif
