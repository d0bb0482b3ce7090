/* SPDX-License-Identifier: MIT */
/*
 * am_merge.h -- merging artifacts trained on shards of one data set
 * ("am-model merge A B ... -o M").
 *
 * All inputs must be of one kind and algorithm.  Models (kind "model")
 * are loaded with am_model_load() and merged with am_model_merge(), each
 * weighted by the rows it was trained on ("lineage.input.rows"; 1 when
 * absent).  The merged artifact records lineage: the command line, the
 * summed row count, the first input's seed, and every input as a parent
 * (am_art_add_parent()).
 */
#ifndef AM_MERGE_H
#define AM_MERGE_H

#include <stddef.h>

#include "am_art.h"
#include "am_err.h"

/*
 * The artifact merged from the n >= 2 artifacts 'in' ('cmdline' may be
 * NULL), to save with am_art_save() and free with am_art_free(); or
 * NULL with 'err' set: AM_EARG (fewer than two inputs, a kind or
 * algorithm that cannot be merged), AM_EMODEL (inputs of different
 * kinds, algorithms or schemas), AM_EFORMAT (an inconsistent payload),
 * AM_ENOMEM.
 */
struct am_art *am_merge(struct am_art *const *in, size_t n, const char *cmdline,
    struct am_err *err);

#endif
