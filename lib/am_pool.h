/* SPDX-License-Identifier: MIT */
/*
 * am_pool.h -- a small fixed-size pool of threads (pthreads) that runs
 * the numbered tasks of one job at a time: am_pool_run(pool, n, fn, arg)
 * calls fn(arg, i) once for every i in [0, n), spread over the threads,
 * and returns when all calls have returned.  The calling thread takes
 * part, so a pool of N threads starts N - 1 workers, and a pool of 1
 * thread runs every task inline, in order, with no locking at all.
 *
 * Which thread runs which task, and in what order, is not fixed.
 * Deterministic results are the caller's job, and easy: partition the
 * work into a number of tasks that does not depend on the thread count,
 * let task i write only its own slot i, and reduce the slots in index
 * order after am_pool_run() returns.  Then -j 1 and -j 8 give the same
 * bits.
 *
 * A pool runs one job at a time: am_pool_run() must not be called from a
 * task, nor from two threads at once on the same pool.  Tasks cannot
 * fail through the pool; a task that can fail records its error in its
 * own slot.
 */
#ifndef AM_POOL_H
#define AM_POOL_H

#include <stddef.h>

#include "am_err.h"

/* The most threads a pool will start. */
#define AM_POOL_MAX 256

struct am_pool;

/*
 * Start a pool of 'nthreads' threads, the caller's included: 0 means
 * one per online CPU, and values above AM_POOL_MAX are cut to it.
 * Returns a pool to am_pool_free(), or NULL with AM_EARG ('nthreads'
 * < 0) or AM_ENOMEM (memory, or a thread could not be started) in 'err'.
 */
struct am_pool *am_pool_new(int nthreads, struct am_err *err);

/* Number of threads of 'pool', the caller's included (>= 1). */
int am_pool_threads(const struct am_pool *pool);

/*
 * Run fn('arg', i) for each i in [0, 'ntasks') and wait for all of them.
 * 'arg' is shared by every task.  'ntasks' may be 0 (nothing runs).
 */
void am_pool_run(struct am_pool *pool, size_t ntasks,
    void (*fn)(void *arg, size_t task), void *arg);

/* Stop and join the workers, free the pool.  NULL does nothing. */
void am_pool_free(struct am_pool *pool);

#endif
