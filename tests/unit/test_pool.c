/* SPDX-License-Identifier: MIT */
/*
 * test_pool.c -- every task runs exactly once whatever the thread count,
 * and a fixed partition reduced in index order gives identical bits.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "am_pool.h"
#include "unit.h"

#define NTASK 1000
#define PER   997

struct job {
	const double *x;
	double part[NTASK];
	int runs[NTASK];
};

static void
task(void *arg, size_t i)
{
	struct job *j = arg;
	double s = 0.0;
	size_t k;

	for (k = i * PER; k < (i + 1) * PER; k++)
		s += j->x[k] * j->x[k] / (1.0 + (double)k);
	j->part[i] = s;
	j->runs[i]++;
}

static double
run_with(int nthreads, const double *x, size_t ntasks, int reps)
{
	struct am_err err = { 0 };
	struct am_pool *p = am_pool_new(nthreads, &err);
	struct job *j;
	double sum = 0.0;
	size_t i;
	int r;

	CHECK(p != NULL);
	if (p == NULL || (j = calloc(1, sizeof *j)) == NULL) {
		am_pool_free(p);
		return -1.0;
	}
	CHECK(nthreads == 0 ? am_pool_threads(p) >= 1
	                    : am_pool_threads(p) == nthreads);
	j->x = x;
	for (r = 0; r < reps; r++)
		am_pool_run(p, ntasks, task, j);
	for (i = 0; i < NTASK; i++)
		CHECK(j->runs[i] == (i < ntasks ? reps : 0));
	for (i = 0; i < ntasks; i++)
		sum += j->part[i];
	free(j);
	am_pool_free(p);
	return sum;
}

int
main(void)
{
	static double x[NTASK * PER];
	struct am_err err = { 0 };
	double ref, got;
	size_t i, nt[] = { 0, 1, 7, NTASK };
	int th[] = { 0, 2, 3, 4, 8 }, k, t;

	for (i = 0; i < NTASK * PER; i++)
		x[i] = (double)((i * 2654435761u) % 1000) / 7.0;
	for (k = 0; k < 4; k++) {
		ref = run_with(1, x, nt[k], 1);
		for (t = 0; t < 5; t++) {
			got = run_with(th[t], x, nt[k], 1);
			CHECK(memcmp(&got, &ref, sizeof got) == 0);
		}
	}
	/* many short jobs on one pool: no lost or repeated task */
	got = run_with(4, x, 7, 300);
	CHECK(got > 0.0);
	CHECK(am_pool_new(-1, &err) == NULL);
	CHECK(err.code == AM_EARG);
	am_pool_free(NULL);
	return unit_failures;
}
