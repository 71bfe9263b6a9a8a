/*
 * Log-linear latency histogram (see hist.h).
 *
 * Layout: values 0..255 have a bucket each (indices 0..255). Above, a value
 * whose highest set bit is m (m >= 8) keeps its top 8 bits: with
 * shift = m - 7 its mantissa v >> shift is in [128, 255], and its index is
 * 256 + (shift - 1) * 128 + (mantissa - 128). Each octave therefore has 128
 * buckets of equal width 2^shift, i.e. under 1/128 of the value.
 */
#include <string.h>

#include "hist.h"

void
hist_reset(struct hist *h)
{
	memset(h, 0, sizeof(*h));
}

int
hist_index(uint64_t v)
{
	int msb, shift;

	if (v < 2 * HIST_SUB)
		return (int)v;
	msb = 63 - __builtin_clzll(v);
	shift = msb - HIST_SUB_BITS;
	if (shift > HIST_MAX_SHIFT)
		return HIST_BUCKETS - 1;
	return 2 * HIST_SUB + (shift - 1) * HIST_SUB +
	        (int)((v >> shift) - HIST_SUB);
}

uint64_t
hist_bucket_high(int idx)
{
	int shift;
	uint64_t mant;

	if (idx < 2 * HIST_SUB)
		return (uint64_t)idx;
	shift = (idx - 2 * HIST_SUB) / HIST_SUB + 1;
	mant = (uint64_t)((idx - 2 * HIST_SUB) % HIST_SUB + HIST_SUB);
	return ((mant + 1) << shift) - 1;
}

void
hist_add_n(struct hist *h, int64_t sv, uint64_t n)
{
	uint64_t v = sv < 0 ? 0 : (uint64_t)sv;

	if (n == 0)
		return;
	if (h->count == 0 || v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	h->count += n;
	h->sum += (double)v * (double)n;
	h->b[hist_index(v)] += n;
}

void
hist_add(struct hist *h, int64_t v)
{
	hist_add_n(h, v, 1);
}

void
hist_merge(struct hist *dst, const struct hist *src)
{
	if (src->count == 0)
		return;
	if (dst->count == 0 || src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	dst->count += src->count;
	dst->sum += src->sum;
	for (int i = 0; i < HIST_BUCKETS; i++)
		dst->b[i] += src->b[i];
}

uint64_t
hist_pct(const struct hist *h, double q)
{
	uint64_t rank, seen = 0;

	if (h->count == 0)
		return 0;
	if (q <= 0)
		return h->min;
	/* The sample at 1-based rank ceil(q/100 * n). */
	rank = (uint64_t)(q / 100.0 * (double)h->count + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > h->count)
		rank = h->count;
	for (int i = 0; i < HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= rank) {
			uint64_t hi = hist_bucket_high(i);
			return hi > h->max ? h->max : hi;
		}
	}
	return h->max;
}

double
hist_mean(const struct hist *h)
{
	return h->count ? h->sum / (double)h->count : 0.0;
}

void
hist_json(const struct hist *h, FILE *f)
{
	fprintf(f,
	        "{\"n\": %llu, \"min\": %llu, \"p50\": %llu, \"p95\": %llu, "
	        "\"p99\": %llu, \"p999\": %llu, \"max\": %llu, \"mean\": %.1f}",
	        (unsigned long long)h->count,
	        (unsigned long long)(h->count ? h->min : 0),
	        (unsigned long long)hist_pct(h, 50),
	        (unsigned long long)hist_pct(h, 95),
	        (unsigned long long)hist_pct(h, 99),
	        (unsigned long long)hist_pct(h, 99.9),
	        (unsigned long long)h->max, hist_mean(h));
}

int
hist_selftest(FILE *err)
{
	static struct hist h;
	uint64_t prev_high = 0;
	int bad = 0;

	/* Buckets tile the range: each starts right after the previous. */
	for (int i = 1; i < HIST_BUCKETS; i++) {
		uint64_t lo = hist_bucket_high(i - 1) + 1,
		         hi = hist_bucket_high(i);

		if (hist_index(lo) != i || hist_index(hi) != i || hi < lo) {
			fprintf(err, "hist: bucket %d [%llu, %llu] broken\n", i,
			        (unsigned long long)lo, (unsigned long long)hi);
			bad = 1;
			break;
		}
		/* Width under 1/128 of the bucket's values. */
		if (lo >= 2 * HIST_SUB && (hi - lo + 1) * HIST_SUB > lo) {
			fprintf(err, "hist: bucket %d too wide\n", i);
			bad = 1;
			break;
		}
		prev_high = hi;
	}
	(void)prev_high;
	/* Percentiles of 1..100000 are within 1 % of the exact ones. */
	hist_reset(&h);
	for (int v = 1; v <= 100000; v++)
		hist_add(&h, v);
	{
		const double qs[] = {50, 95, 99, 99.9};
		for (int i = 0; i < 4; i++) {
			double want = qs[i] * 1000.0;
			double got = (double)hist_pct(&h, qs[i]);
			if (got < want || got > want * 1.01) {
				fprintf(err, "hist: p%g = %.0f, want %.0f\n",
				        qs[i], got, want);
				bad = 1;
			}
		}
	}
	if (h.min != 1 || h.max != 100000 || hist_pct(&h, 100) != 100000) {
		fprintf(err, "hist: min/max wrong\n");
		bad = 1;
	}
	/* Out of range goes to the top bucket, negative to 0. */
	hist_reset(&h);
	hist_add(&h, -5);
	hist_add(&h, INT64_MAX);
	if (h.b[0] != 1 || h.b[HIST_BUCKETS - 1] != 1) {
		fprintf(err, "hist: range clamp wrong\n");
		bad = 1;
	}
	return bad;
}
