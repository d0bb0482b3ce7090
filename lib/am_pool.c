/* SPDX-License-Identifier: MIT */
/*
 * am_pool.c -- the thread pool.
 *
 * One mutex guards the job: its function, argument, task count, the next
 * task to hand out, and a generation number that workers wait on.  A job
 * starts by bumping the generation and broadcasting; each thread (the
 * caller too) then takes task numbers one at a time under the mutex
 * until none is left, and each worker checks out by decrementing
 * 'pending'.  am_pool_run() returns only when every worker has checked
 * out, so no worker can still be looking at the job when the next one is
 * set up.  Taking a lock per task is cheap next to the tasks we run
 * (blocks of thousands of rows); callers should not make tasks tiny.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "am_cli.h"
#include "am_pool.h"

#include "am_banned.h"

struct am_pool {
	int nthreads; /* the caller's included */
	int nworkers; /* threads started: nthreads - 1 */
	pthread_t *workers;
	pthread_mutex_t mu;
	pthread_cond_t start; /* a new job, or shutdown */
	pthread_cond_t done;  /* the last worker checked out */
	unsigned long gen;    /* job generation */
	int stop;
	int pending; /* workers not yet checked out of the job */
	void (*fn)(void *, size_t);
	void *arg;
	size_t ntasks, next;
};

/* Take task numbers until none is left.  Called with the mutex held. */
static void
drain(struct am_pool *p)
{
	size_t i;

	while (p->next < p->ntasks) {
		i = p->next++;
		pthread_mutex_unlock(&p->mu);
		p->fn(p->arg, i);
		pthread_mutex_lock(&p->mu);
	}
}

static void *
worker(void *vp)
{
	struct am_pool *p = vp;
	unsigned long seen = 0;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->stop && p->gen == seen)
			pthread_cond_wait(&p->start, &p->mu);
		if (p->stop)
			break;
		seen = p->gen;
		drain(p);
		if (--p->pending == 0)
			pthread_cond_signal(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

static void
stop_workers(struct am_pool *p, int n)
{
	int i;

	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->start);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < n; i++)
		pthread_join(p->workers[i], NULL);
}

struct am_pool *
am_pool_new(int nthreads, struct am_err *err)
{
	struct am_pool *p;
	int i, e;

	if (nthreads < 0) {
		am_seterr(err, AM_EARG, "thread count %d is negative",
		    nthreads);
		return NULL;
	}
	if (nthreads == 0)
		nthreads = am_ncpu();
	if (nthreads > AM_POOL_MAX)
		nthreads = AM_POOL_MAX;
	if ((p = calloc(1, sizeof *p)) == NULL)
		goto nomem;
	p->nthreads = nthreads;
	if (nthreads == 1)
		return p; /* inline: no threads, no locks */
	if ((p->workers = calloc((size_t)nthreads - 1, sizeof *p->workers)) ==
	    NULL) {
		free(p);
		goto nomem;
	}
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->start, NULL);
	pthread_cond_init(&p->done, NULL);
	for (i = 0; i < nthreads - 1; i++) {
		if ((e = pthread_create(&p->workers[i], NULL, worker, p)) !=
		    0) {
			stop_workers(p, i);
			p->nworkers = 0;
			p->nthreads = 1;
			am_pool_free(p);
			am_seterr(err, AM_ENOMEM,
			    "cannot start thread %d of %d: %s", i + 2, nthreads,
			    strerror(e));
			return NULL;
		}
		p->nworkers = i + 1;
	}
	return p;
nomem:
	am_seterr(err, AM_ENOMEM, "out of memory starting %d threads",
	    nthreads);
	return NULL;
}

int
am_pool_threads(const struct am_pool *pool)
{
	return pool->nthreads;
}

void
am_pool_run(struct am_pool *p, size_t ntasks,
    void (*fn)(void *arg, size_t task), void *arg)
{
	size_t i;

	if (ntasks == 0)
		return;
	if (p->nworkers == 0 || ntasks == 1) {
		for (i = 0; i < ntasks; i++)
			fn(arg, i);
		return;
	}
	pthread_mutex_lock(&p->mu);
	p->fn = fn;
	p->arg = arg;
	p->ntasks = ntasks;
	p->next = 0;
	p->pending = p->nworkers;
	p->gen++;
	pthread_cond_broadcast(&p->start);
	drain(p);
	while (p->pending > 0)
		pthread_cond_wait(&p->done, &p->mu);
	p->fn = NULL;
	p->arg = NULL;
	pthread_mutex_unlock(&p->mu);
}

void
am_pool_free(struct am_pool *p)
{
	if (p == NULL)
		return;
	if (p->workers != NULL) {
		if (p->nworkers > 0)
			stop_workers(p, p->nworkers);
		pthread_cond_destroy(&p->done);
		pthread_cond_destroy(&p->start);
		pthread_mutex_destroy(&p->mu);
	}
	free(p->workers);
	free(p);
}
