/*
 * Goal decomposition (DESIGN §6): split an org's yearly target to offices,
 * teams and reps by weights, then every yearly number into months, so that
 * every level sums exactly to its parent, to the fen, and every scope's
 * months sum exactly to its year. Pure computation: no I/O. The weights and
 * their reasons are documented in docs/targets.md.
 */
#ifndef PACE_PLAN_H
#define PACE_PLAN_H

#include <stddef.h>
#include <stdint.h>

/* Weight components (docs/targets.md). */
#define PLAN_W_HISTORY 0.6
#define PLAN_W_RESERVE 0.3
#define PLAN_W_BASE 0.1
#define PLAN_SHRINK 0.7   /* history kept; the rest pulled to the mean */
#define PLAN_RAMP_MONTHS 6 /* months for a new hire to reach full weight */

struct plan_rep {
	/* inputs */
	int team;              /* index into plan.teams */
	int64_t history;       /* last year's actual */
	int64_t reserve;       /* open weighted pipeline */
	double region_factor;  /* 1.0 when none is set */
	int hired_year, hired_month; /* 0 when unknown: a veteran */
	/* outputs */
	double tenure;         /* mean ramp over the year, 0..1 */
	double weight;
	int64_t target;
	int64_t months[12];
	double ramp[12];
};

struct plan_team {
	int office;            /* index into plan.offices */
	double weight;
	int64_t target;
	int64_t months[12];
};

struct plan_office {
	double weight;
	int64_t target;
	int64_t months[12];
};

enum plan_by { PLAN_BY_HISTORY, PLAN_BY_EVEN };
enum plan_season { PLAN_SEASON_HISTORY, PLAN_SEASON_EVEN };

struct plan {
	int year;
	int64_t total;
	enum plan_by by;
	enum plan_season season;
	int64_t last_year[12]; /* org's monthly actuals last year */
	struct plan_rep *reps;
	size_t nreps;
	struct plan_team *teams;
	size_t nteams;
	struct plan_office *offices;
	size_t noffices;
	int64_t months[12];    /* output: the org's months */
};

/*
 * Compute targets and months for every rep, team and office. Returns 0, or
 * -1 when the input cannot be planned (no reps, negative total, a rep or
 * team pointing outside the arrays).
 */
int plan_compute(struct plan *p);

/*
 * Largest-remainder split of total by weights into out[n]: integers that
 * add up to total exactly; all-zero weights split evenly; ties go to the
 * earlier entries.
 */
void plan_split(int64_t total, const double *weights, size_t n, int64_t *out);

/* Days in a month of a year (Gregorian). */
int plan_days_in_month(int year, int month);

#endif
