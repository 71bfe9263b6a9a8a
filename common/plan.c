/* Goal decomposition (see plan.h and docs/targets.md). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "xmalloc.h"

int
plan_days_in_month(int year, int month)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

void
plan_split(int64_t total, const double *weights, size_t n, int64_t *out)
{
	double sum = 0, *frac;
	int64_t used = 0;
	size_t i;

	if (n == 0)
		return;
	for (i = 0; i < n; i++)
		sum += weights[i] > 0 ? weights[i] : 0;
	frac = xcalloc(n, sizeof(*frac));
	for (i = 0; i < n; i++) {
		/* Long double keeps fen exact for totals up to 10^15. */
		long double share = sum > 0
			? (long double)total * (weights[i] > 0 ? weights[i] : 0) / sum
			: (long double)total / (long double)n;
		out[i] = (int64_t)floorl(share);
		frac[i] = (double)(share - (long double)out[i]);
		used += out[i];
	}
	for (int64_t left = total - used; left > 0; left--) {
		size_t best = 0;
		for (i = 1; i < n; i++)
			if (frac[i] > frac[best])
				best = i;
		out[best]++;
		frac[best] = -1;
	}
	free(frac);
}

/*
 * Split `total` by weights without giving anyone more than cap[i]
 * (water-filling: whoever would pass their cap gets it, the rest is shared
 * again among the others). Requires sum(cap) >= total.
 */
static void
split_capped(int64_t total, const double *weights, const int64_t *cap,
	size_t n, int64_t *out)
{
	double *w = xcalloc(n, sizeof(*w));
	int *fixed = xcalloc(n, sizeof(*fixed));
	int64_t left = total;
	size_t i;
	int again = 1;

	memset(out, 0, n * sizeof(*out));
	while (again && left > 0) {
		double sum = 0;
		int64_t *part = xcalloc(n, sizeof(*part));

		again = 0;
		for (i = 0; i < n; i++) {
			w[i] = fixed[i] ? 0 : (weights[i] > 0 ? weights[i] : 0);
			sum += w[i];
		}
		if (sum == 0) /* nobody wants more: share by remaining room */
			for (i = 0; i < n; i++)
				w[i] = fixed[i] ? 0 : (double)(cap[i] - out[i]);
		plan_split(left, w, n, part);
		for (i = 0; i < n; i++) {
			if (fixed[i])
				continue;
			if (out[i] + part[i] > cap[i]) {
				/* Take the cap and share the rest again. */
				left -= cap[i] - out[i];
				out[i] = cap[i];
				fixed[i] = 1;
				again = 1;
			}
		}
		if (!again) {
			for (i = 0; i < n; i++)
				out[i] += part[i];
			left = 0;
		}
		free(part);
	}
	free(w);
	free(fixed);
}

/*
 * Spread each parent month over children with yearly amounts year[i] and
 * desired monthly profiles want[i][m] (sum over m = year[i]): month by
 * month, each child is offered what it wants this month relative to what
 * it still has to take, capped at what it still has. The last month gives
 * each child exactly its remainder, so rows and columns both add up.
 */
static void
spread_months(const int64_t parent[12], size_t n, const int64_t *year,
	double (*want)[12], int64_t (*out)[12])
{
	int64_t *left = xcalloc(n ? n : 1, sizeof(*left));
	double *w = xcalloc(n ? n : 1, sizeof(*w));
	int64_t *part = xcalloc(n ? n : 1, sizeof(*part));

	for (size_t i = 0; i < n; i++)
		left[i] = year[i];
	for (int m = 0; m < 12; m++) {
		for (size_t i = 0; i < n; i++) {
			double ahead = 0;
			for (int k = m; k < 12; k++)
				ahead += want[i][k];
			w[i] = ahead > 0 ? (double)left[i] * want[i][m] / ahead
					 : (double)left[i];
			if (m == 11)
				w[i] = (double)left[i];
		}
		split_capped(parent[m], w, left, n, part);
		for (size_t i = 0; i < n; i++) {
			out[i][m] = part[i];
			left[i] -= part[i];
		}
	}
	free(left);
	free(w);
	free(part);
}

/* How far along its ramp a rep is in each month of the plan year. */
static void
rep_ramp(const struct plan *p, struct plan_rep *r)
{
	double sum = 0;

	for (int m = 0; m < 12; m++) {
		int months_in;

		if (r->hired_year == 0) {
			r->ramp[m] = 1.0;
		} else {
			months_in = (p->year - r->hired_year) * 12 + m + 1 -
				r->hired_month;
			if (months_in < 0)
				r->ramp[m] = 0.0; /* not yet hired */
			else if (months_in >= PLAN_RAMP_MONTHS)
				r->ramp[m] = 1.0;
			else
				r->ramp[m] = (double)(months_in + 1) /
					(PLAN_RAMP_MONTHS + 1);
		}
		sum += r->ramp[m];
	}
	r->tenure = sum / 12.0;
}

static void
rep_weights(struct plan *p)
{
	double hsum = 0, rsum = 0, hmean, wh, wr, wb, norm;
	size_t i, n = p->nreps;

	for (i = 0; i < n; i++) {
		hsum += (double)p->reps[i].history;
		rsum += (double)p->reps[i].reserve;
	}
	hmean = hsum / (double)n;
	/* Drop a component nobody has, and share its part among the others. */
	wh = hsum > 0 ? PLAN_W_HISTORY : 0;
	wr = rsum > 0 ? PLAN_W_RESERVE : 0;
	wb = PLAN_W_BASE;
	norm = wh + wr + wb;
	for (i = 0; i < n; i++) {
		struct plan_rep *r = &p->reps[i];
		double shrunk, b = wb / (double)n;

		rep_ramp(p, r);
		if (p->by == PLAN_BY_EVEN) {
			r->weight = 1.0;
			continue;
		}
		/* hsum of shrunk histories equals hsum: the mean is kept. */
		shrunk = PLAN_SHRINK * (double)r->history +
			(1 - PLAN_SHRINK) * hmean;
		if (wh > 0)
			b += wh * shrunk / hsum;
		if (wr > 0)
			b += wr * (double)r->reserve / rsum;
		r->weight = b / norm * r->tenure *
			(r->region_factor > 0 ? r->region_factor : 1.0);
	}
}

int
plan_compute(struct plan *p)
{
	size_t i, j, k, n;
	double *w = NULL;
	int64_t *amt = NULL, *year = NULL;
	double (*want)[12] = NULL;
	int64_t (*out)[12] = NULL;
	double season[12];
	double ssum = 0;
	int rc = -1;

	if (p->nreps == 0 || p->nteams == 0 || p->noffices == 0 || p->total < 0)
		return -1;
	for (i = 0; i < p->nreps; i++)
		if (p->reps[i].team < 0 || (size_t)p->reps[i].team >= p->nteams)
			return -1;
	for (i = 0; i < p->nteams; i++)
		if (p->teams[i].office < 0 ||
			(size_t)p->teams[i].office >= p->noffices)
			return -1;

	rep_weights(p);
	for (i = 0; i < p->nteams; i++)
		p->teams[i].weight = 0;
	for (i = 0; i < p->noffices; i++)
		p->offices[i].weight = 0;
	for (i = 0; i < p->nreps; i++)
		p->teams[p->reps[i].team].weight += p->reps[i].weight;
	for (i = 0; i < p->nteams; i++)
		p->offices[p->teams[i].office].weight += p->teams[i].weight;

	n = p->nreps > p->nteams ? p->nreps : p->nteams;
	n = n > p->noffices ? n : p->noffices;
	w = xcalloc(n, sizeof(*w));
	amt = xcalloc(n, sizeof(*amt));
	year = xcalloc(n, sizeof(*year));
	want = xcalloc(n, sizeof(*want));
	out = xcalloc(n, sizeof(*out));

	/* Years, top down: org -> offices -> teams -> reps. */
	for (i = 0; i < p->noffices; i++)
		w[i] = p->offices[i].weight;
	plan_split(p->total, w, p->noffices, amt);
	for (i = 0; i < p->noffices; i++)
		p->offices[i].target = amt[i];
	for (i = 0; i < p->noffices; i++) {
		size_t c = 0;
		size_t *idx = xcalloc(p->nteams, sizeof(*idx));
		for (j = 0; j < p->nteams; j++)
			if ((size_t)p->teams[j].office == i) {
				idx[c] = j;
				w[c++] = p->teams[j].weight;
			}
		plan_split(p->offices[i].target, w, c, amt);
		for (k = 0; k < c; k++)
			p->teams[idx[k]].target = amt[k];
		free(idx);
	}
	for (i = 0; i < p->nteams; i++) {
		size_t c = 0;
		size_t *idx = xcalloc(p->nreps, sizeof(*idx));
		for (j = 0; j < p->nreps; j++)
			if ((size_t)p->reps[j].team == i) {
				idx[c] = j;
				w[c++] = p->reps[j].weight;
			}
		if (c == 0 && p->teams[i].target > 0) {
			free(idx);
			goto out; /* a team with a target and nobody to carry it */
		}
		plan_split(p->teams[i].target, w, c, amt);
		for (k = 0; k < c; k++)
			p->reps[idx[k]].target = amt[k];
		free(idx);
	}

	/* The org's months by seasonality: last year's shares, else days. */
	for (int m = 0; m < 12; m++)
		ssum += (double)(p->season == PLAN_SEASON_HISTORY ? p->last_year[m] : 0);
	for (int m = 0; m < 12; m++)
		season[m] = ssum > 0 ? (double)p->last_year[m]
				     : plan_days_in_month(p->year, m + 1);
	plan_split(p->total, season, 12, p->months);

	/* Desired monthly profiles: each rep's ramp, summed up the tree. */
	double (*rep_want)[12] = xcalloc(p->nreps, sizeof(*rep_want));
	double (*team_want)[12] = xcalloc(p->nteams, sizeof(*team_want));
	double (*office_want)[12] = xcalloc(p->noffices, sizeof(*office_want));
	for (i = 0; i < p->nreps; i++) {
		struct plan_rep *r = &p->reps[i];
		double s = 0;
		for (int m = 0; m < 12; m++)
			s += r->ramp[m] * season[m];
		for (int m = 0; m < 12; m++) {
			rep_want[i][m] = s > 0 ? (double)r->target * r->ramp[m] *
					season[m] / s
					       : (double)r->target / 12.0;
			team_want[r->team][m] += rep_want[i][m];
		}
	}
	for (i = 0; i < p->nteams; i++)
		for (int m = 0; m < 12; m++)
			office_want[p->teams[i].office][m] += team_want[i][m];

	/* Months, top down, each parent month spread over its children. */
	for (i = 0; i < p->noffices; i++) {
		year[i] = p->offices[i].target;
		memcpy(want[i], office_want[i], sizeof(want[i]));
	}
	spread_months(p->months, p->noffices, year, want, out);
	for (i = 0; i < p->noffices; i++)
		memcpy(p->offices[i].months, out[i], sizeof(out[i]));
	for (i = 0; i < p->noffices; i++) {
		size_t c = 0;
		size_t *idx = xcalloc(p->nteams, sizeof(*idx));
		for (j = 0; j < p->nteams; j++)
			if ((size_t)p->teams[j].office == i) {
				idx[c] = j;
				year[c] = p->teams[j].target;
				memcpy(want[c], team_want[j], sizeof(want[c]));
				c++;
			}
		spread_months(p->offices[i].months, c, year, want, out);
		for (k = 0; k < c; k++)
			memcpy(p->teams[idx[k]].months, out[k], sizeof(out[k]));
		free(idx);
	}
	for (i = 0; i < p->nteams; i++) {
		size_t c = 0;
		size_t *idx = xcalloc(p->nreps, sizeof(*idx));
		for (j = 0; j < p->nreps; j++)
			if ((size_t)p->reps[j].team == i) {
				idx[c] = j;
				year[c] = p->reps[j].target;
				memcpy(want[c], rep_want[j], sizeof(want[c]));
				c++;
			}
		spread_months(p->teams[i].months, c, year, want, out);
		for (k = 0; k < c; k++)
			memcpy(p->reps[idx[k]].months, out[k], sizeof(out[k]));
		free(idx);
	}
	free(rep_want);
	free(team_want);
	free(office_want);
	rc = 0;
out:
	free(w);
	free(amt);
	free(year);
	free(want);
	free(out);
	return rc;
}
