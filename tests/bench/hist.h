/*
 * A small latency histogram in the manner of HdrHistogram: log-linear
 * buckets with 7 significant bits, so every recorded value lands in a bucket
 * whose width is under 1/128 (0.8 %) of the value, from 1 to 2^40 (about 12
 * days in microseconds). Recording is O(1) with no allocation; percentiles
 * walk the buckets. Values are unsigned integers (paceload records
 * microseconds); values below 0 are recorded as 0 and above the range as the
 * top bucket.
 */
#ifndef PACE_BENCH_HIST_H
#define PACE_BENCH_HIST_H

#include <stdint.h>
#include <stdio.h>

#define HIST_SUB_BITS 7
#define HIST_SUB (1 << HIST_SUB_BITS) /* 128 sub-buckets per octave */
#define HIST_MAX_SHIFT 33 /* up to 2^(33+8) - 1 */
#define HIST_BUCKETS (2 * HIST_SUB + HIST_MAX_SHIFT * HIST_SUB)

struct hist {
	uint64_t count;
	uint64_t min, max;
	double sum;
	uint64_t b[HIST_BUCKETS];
};

void hist_reset(struct hist *h);
void hist_add(struct hist *h, int64_t v);
void hist_add_n(struct hist *h, int64_t v, uint64_t n);
/* Add every sample of src into dst. */
void hist_merge(struct hist *dst, const struct hist *src);
/* The value at percentile q (0..100): the highest value of the bucket that
 * holds the q-th percentile sample, capped at the recorded max. 0 if empty. */
uint64_t hist_pct(const struct hist *h, double q);
double hist_mean(const struct hist *h);

/* Bucket index of v and the largest value that shares it (for tests). */
int hist_index(uint64_t v);
uint64_t hist_bucket_high(int idx);

/* {"n":..,"min":..,"p50":..,"p95":..,"p99":..,"p999":..,"max":..,"mean":..} */
void hist_json(const struct hist *h, FILE *f);

/* Check the bucket arithmetic against brute force; 0 if fine. */
int hist_selftest(FILE *err);

#endif
