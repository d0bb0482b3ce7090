/* SPDX-License-Identifier: MIT */
/*
 * am_strtab.h -- a string interning table: each distinct string gets a
 * number, 0, 1, 2, ... in order of first appearance, and the number gives
 * the string back.  Used to turn class labels, user and item ids and
 * category values into small integers.  Open addressing over a stable
 * 64-bit hash (am_hash64), so the numbering depends only on the order of
 * the strings, never on the platform.
 */
#ifndef AM_STRTAB_H
#define AM_STRTAB_H

#include <stddef.h>
#include <stdint.h>

#include "am_err.h"

struct am_strtab;

/* A new empty table, or NULL with AM_ENOMEM in 'err'. */
struct am_strtab *am_strtab_new(struct am_err *err);

/* Free 't' and its strings.  NULL does nothing. */
void am_strtab_free(struct am_strtab *t);

/*
 * The number of the 'len' bytes at 's' (need not be NUL-terminated),
 * adding a copy when new: returns 0 and stores it in '*id', or
 * AM_ENOMEM.  At most UINT32_MAX - 1 strings.
 */
int am_strtab_intern(struct am_strtab *t, const char *s, size_t len,
    uint32_t *id, struct am_err *err);

/* The number of 's' (NUL-terminated), or -1 if it is not in 't'. */
long am_strtab_find(const struct am_strtab *t, const char *s);

/* The number of distinct strings, and string 'id' (< that number). */
size_t am_strtab_size(const struct am_strtab *t);
const char *am_strtab_get(const struct am_strtab *t, uint32_t id);

/*
 * A name index: the position of each string in an array the caller owns
 * and fills ('names', passed to every call), for arrays that must keep
 * their own order or memory (schema classes, sorted category levels).
 * Open addressing over am_hash64, at most half full.  A struct
 * am_strindex starts zeroed; am_strindex_release() frees it.
 */
struct am_strindex {
	uint32_t *slot; /* position + 1, 0 = empty */
	size_t cap;     /* a power of two, or 0 */
};

/* The position of the 'len' bytes at 's' in 'names', or -1. */
long am_strindex_find(const struct am_strindex *x, char *const *names,
    const char *s, size_t len);
/*
 * Index names[count - 1], the entry just appended (an equal earlier
 * entry keeps answering find).  Growing re-indexes names[0 .. count).
 * Returns 0 or AM_ENOMEM.
 */
int am_strindex_add(struct am_strindex *x, char *const *names, size_t count);
/* Forget every position, keeping the memory (to re-index a sorted array). */
void am_strindex_clear(struct am_strindex *x);
void am_strindex_release(struct am_strindex *x);

#endif
