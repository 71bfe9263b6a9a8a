/* Unit tests of goal decomposition (common/plan.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plan.h"

/* Three offices are not needed: two offices, three teams, seven reps. */
static struct plan_office offices[2];
static struct plan_team teams[3] = {{.office = 0}, {.office = 0}, {.office = 1}};
static struct plan_rep reps[7];

static void
setup_plan(struct plan *p, int64_t total)
{
	memset(p, 0, sizeof(*p));
	memset(reps, 0, sizeof(reps));
	memset(offices, 0, sizeof(offices));
	for (int i = 0; i < 3; i++)
		memset(teams[i].months, 0, sizeof(teams[i].months));
	int team_of[7] = {0, 0, 0, 1, 1, 2, 2};
	for (int i = 0; i < 7; i++) {
		reps[i].team = team_of[i];
		reps[i].history = 1000000 + 100000 * i;
		reps[i].reserve = 500000;
		reps[i].region_factor = 1.0;
	}
	p->year = 2026;
	p->total = total;
	p->by = PLAN_BY_HISTORY;
	p->season = PLAN_SEASON_HISTORY;
	for (int m = 0; m < 12; m++)
		p->last_year[m] = 100 + 10 * m;
	p->reps = reps;
	p->nreps = 7;
	p->teams = teams;
	p->nteams = 3;
	p->offices = offices;
	p->noffices = 2;
}

/* Every level sums to its parent, every scope's months to its year. */
static void
assert_exact(const struct plan *p)
{
	int64_t osum = 0, msum = 0;

	for (size_t o = 0; o < p->noffices; o++) {
		int64_t tsum = 0, om = 0;
		osum += p->offices[o].target;
		for (int m = 0; m < 12; m++)
			om += p->offices[o].months[m];
		assert_int_equal(om, p->offices[o].target);
		for (size_t t = 0; t < p->nteams; t++)
			if ((size_t)p->teams[t].office == o)
				tsum += p->teams[t].target;
		assert_int_equal(tsum, p->offices[o].target);
	}
	assert_int_equal(osum, p->total);
	for (int m = 0; m < 12; m++) {
		int64_t ocol = 0;
		msum += p->months[m];
		for (size_t o = 0; o < p->noffices; o++)
			ocol += p->offices[o].months[m];
		assert_int_equal(ocol, p->months[m]);
		for (size_t t = 0; t < p->nteams; t++) {
			int64_t rcol = 0;
			for (size_t r = 0; r < p->nreps; r++)
				if ((size_t)p->reps[r].team == t)
					rcol += p->reps[r].months[m];
			assert_int_equal(rcol, p->teams[t].months[m]);
		}
		for (size_t o = 0; o < p->noffices; o++) {
			int64_t tcol = 0;
			for (size_t t = 0; t < p->nteams; t++)
				if ((size_t)p->teams[t].office == o)
					tcol += p->teams[t].months[m];
			assert_int_equal(tcol, p->offices[o].months[m]);
		}
	}
	assert_int_equal(msum, p->total);
	for (size_t t = 0; t < p->nteams; t++) {
		int64_t rsum = 0, tm = 0;
		for (size_t r = 0; r < p->nreps; r++)
			if ((size_t)p->reps[r].team == t)
				rsum += p->reps[r].target;
		for (int m = 0; m < 12; m++)
			tm += p->teams[t].months[m];
		assert_int_equal(rsum, p->teams[t].target);
		assert_int_equal(tm, p->teams[t].target);
	}
	for (size_t r = 0; r < p->nreps; r++) {
		int64_t rm = 0;
		for (int m = 0; m < 12; m++) {
			assert_true(p->reps[r].months[m] >= 0);
			rm += p->reps[r].months[m];
		}
		assert_int_equal(rm, p->reps[r].target);
	}
}

static void
test_awkward_totals_exact(void **state)
{
	/* 20,000,000.03 yuan = 2,000,000,003 fen over 7 reps; and others. */
	const int64_t totals[] = {2000000003LL, 1, 7, 0, 99999999999999LL, 13};
	struct plan p;

	for (size_t i = 0; i < sizeof(totals) / sizeof(totals[0]); i++) {
		setup_plan(&p, totals[i]);
		assert_int_equal(plan_compute(&p), 0);
		assert_exact(&p);
	}
}

static void
test_more_history_more_target(void **state)
{
	struct plan p;

	setup_plan(&p, 2000000003LL);
	/* reps 3 and 4 share a team; same reserve, tenure and region. */
	reps[3].history = 2000000;
	reps[4].history = 1000000;
	assert_int_equal(plan_compute(&p), 0);
	assert_true(reps[3].target > reps[4].target);
	/* A weak year is not simply repeated: less than twice as much. */
	assert_true(reps[3].target < 2 * reps[4].target);
	assert_exact(&p);
}

static void
test_new_hire_less(void **state)
{
	struct plan p;

	setup_plan(&p, 2000000003LL);
	reps[5].history = reps[6].history = 1000000;
	reps[6].hired_year = 2026;
	reps[6].hired_month = 3; /* joins in March of the plan year */
	assert_int_equal(plan_compute(&p), 0);
	assert_true(reps[6].target < reps[5].target);
	assert_true(reps[6].tenure < 1.0);
	/* Nothing before the hire month. */
	assert_int_equal(reps[6].months[0], 0);
	assert_int_equal(reps[6].months[1], 0);
	assert_exact(&p);
}

static void
test_even(void **state)
{
	struct plan p;

	setup_plan(&p, 700);
	p.by = PLAN_BY_EVEN;
	reps[0].history = 999999999;
	assert_int_equal(plan_compute(&p), 0);
	/* 700 over 7 reps in 3 teams of 3, 2, 2: even by head at each level. */
	for (int i = 0; i < 7; i++)
		assert_int_equal(reps[i].target, 100);
	assert_exact(&p);
}

static void
test_seasonality(void **state)
{
	struct plan p;

	setup_plan(&p, 1200);
	for (int m = 0; m < 12; m++)
		p.last_year[m] = m == 11 ? 100 : 0; /* all of last year in December */
	assert_int_equal(plan_compute(&p), 0);
	assert_int_equal(p.months[11], 1200);
	assert_exact(&p);
	/* Even by days when asked. */
	p.season = PLAN_SEASON_EVEN;
	p.total = 36500;
	assert_int_equal(plan_compute(&p), 0);
	assert_int_equal(p.months[0], 3100);
	assert_int_equal(p.months[1], 2800);
	assert_exact(&p);
}

static void
test_bad_input(void **state)
{
	struct plan p;

	setup_plan(&p, -1);
	assert_int_equal(plan_compute(&p), -1);
	setup_plan(&p, 100);
	reps[0].team = 9;
	assert_int_equal(plan_compute(&p), -1);
	setup_plan(&p, 100);
	p.nreps = 0;
	assert_int_equal(plan_compute(&p), -1);
}

static void
test_split(void **state)
{
	double w[] = {1, 1, 1};
	int64_t out[3];

	plan_split(10, w, 3, out);
	assert_int_equal(out[0], 4);
	assert_int_equal(out[1], 3);
	assert_int_equal(out[2], 3);
	double z[] = {0, 0};
	plan_split(5, z, 2, out);
	assert_int_equal(out[0] + out[1], 5);
	assert_int_equal(plan_days_in_month(2028, 2), 29);
	assert_int_equal(plan_days_in_month(2100, 2), 28);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_awkward_totals_exact),
		cmocka_unit_test(test_more_history_more_target),
		cmocka_unit_test(test_new_hire_less),
		cmocka_unit_test(test_even),
		cmocka_unit_test(test_seasonality),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_split),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
