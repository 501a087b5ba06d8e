// SPDX-License-Identifier: MIT
// Order statistics over the per-batch samples of one benchmark row.
//
// Percentiles are nearest-rank: the p-th percentile of n sorted samples is the one at rank
// ceil(p * n / 100), so every reported figure is a sample that was really measured. Outliers
// are samples above median + 10 x (p90 - median), the spread taken as at least 1% of the
// median so that a perfectly steady run (QEMU -icount) does not call a one-tick wobble an
// outlier. They are counted, never dropped: max and mean include them.
#include "bench/stats.h"

// Insertion sort: rows have at most a few thousand samples, sorted once.
static void sort_u64(uint64_t *v, unsigned n)
{
    for (unsigned i = 1; i < n; i++) {
        uint64_t x = v[i];
        unsigned j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

// The sample at nearest rank for percentile p of n sorted samples.
static uint64_t percentile(const uint64_t *sorted, unsigned n, unsigned p)
{
    unsigned rank = (unsigned)(((uint64_t)p * n + 99) / 100); // ceil(p * n / 100)
    if (rank == 0)
        rank = 1;
    return sorted[rank - 1];
}

// Median (nearest rank) of n samples, sorting them.
uint64_t stats_median(uint64_t *values, unsigned n)
{
    sort_u64(values, n);
    return percentile(values, n, 50);
}

// Sort the samples and fill in every statistic.
void stats_compute(uint64_t *values, unsigned n, struct stats *out)
{
    sort_u64(values, n);
    uint64_t sum = 0;
    for (unsigned i = 0; i < n; i++)
        sum += values[i];
    out->min = values[0];
    out->median = percentile(values, n, 50);
    out->p90 = percentile(values, n, 90);
    out->p99 = percentile(values, n, 99);
    out->max = values[n - 1];
    out->mean = sum / n;

    uint64_t spread = out->p90 - out->median;
    if (spread < out->median / 100)
        spread = out->median / 100;
    uint64_t threshold = out->median + 10 * spread;
    out->outliers = 0;
    for (unsigned i = 0; i < n; i++) {
        if (values[i] > threshold)
            out->outliers++;
    }
}
