/* SPDX-License-Identifier: MIT */
/*
 * am_strtab.c -- string interning.  The strings are copied one by one
 * (malloc) and listed in 'str'; 'slot' is a power-of-two open-addressing
 * index of string numbers plus one (0 = empty), kept at most half full
 * and probed linearly.  The full hash of each string is kept beside it so
 * that growing the index needs no rehash of the bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "am_rand.h"
#include "am_strtab.h"

#include "am_banned.h"

struct am_strtab {
	char **str;     /* the strings, by number */
	uint64_t *hash; /* their hashes */
	size_t n, cap;  /* strings, room in str and hash */
	uint32_t *slot; /* number + 1, or 0 */
	size_t nslot;   /* a power of two */
};

struct am_strtab *
am_strtab_new(struct am_err *err)
{
	struct am_strtab *t = calloc(1, sizeof *t);

	if (t == NULL || (t->slot = calloc(64, sizeof *t->slot)) == NULL) {
		free(t);
		am_seterr(err, AM_ENOMEM, "out of memory");
		return NULL;
	}
	t->nslot = 64;
	return t;
}

void
am_strtab_free(struct am_strtab *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++)
		free(t->str[i]);
	free(t->str);
	free(t->hash);
	free(t->slot);
	free(t);
}

static int
regrow(struct am_strtab *t)
{
	size_t ns = t->nslot * 2, i, j;
	uint32_t *s = calloc(ns, sizeof *s);

	if (s == NULL)
		return -1;
	for (i = 0; i < t->n; i++) {
		for (j = (size_t)t->hash[i] & (ns - 1); s[j] != 0;
		     j = (j + 1) & (ns - 1))
			;
		s[j] = (uint32_t)(i + 1);
	}
	free(t->slot);
	t->slot = s;
	t->nslot = ns;
	return 0;
}

static size_t
probe(const struct am_strtab *t, const char *s, size_t len, uint64_t h)
{
	size_t j = (size_t)h & (t->nslot - 1);
	uint32_t k;

	while ((k = t->slot[j]) != 0) {
		if (t->hash[k - 1] == h &&
		    strncmp(t->str[k - 1], s, len) == 0 &&
		    t->str[k - 1][len] == '\0')
			break;
		j = (j + 1) & (t->nslot - 1);
	}
	return j;
}

int
am_strtab_intern(struct am_strtab *t, const char *s, size_t len, uint32_t *id,
    struct am_err *err)
{
	uint64_t h = am_hash64(s, len, 0);
	size_t j = probe(t, s, len, h), cap;
	char *c;
	void *p;

	if (t->slot[j] != 0) {
		*id = t->slot[j] - 1;
		return 0;
	}
	if (t->n >= UINT32_MAX - 1)
		return am_seterr(err, AM_ENOMEM, "too many distinct strings");
	if (t->n == t->cap) {
		cap = t->cap != 0 ? 2 * t->cap : 16;
		if ((p = realloc(t->str, cap * sizeof *t->str)) == NULL)
			return am_seterr(err, AM_ENOMEM, "out of memory");
		t->str = p;
		if ((p = realloc(t->hash, cap * sizeof *t->hash)) == NULL)
			return am_seterr(err, AM_ENOMEM, "out of memory");
		t->hash = p;
		t->cap = cap;
	}
	if ((c = malloc(len + 1)) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	memcpy(c, s, len);
	c[len] = '\0';
	t->str[t->n] = c;
	t->hash[t->n] = h;
	t->slot[j] = (uint32_t)(t->n + 1);
	*id = (uint32_t)t->n++;
	if (2 * t->n > t->nslot && regrow(t) != 0)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	return 0;
}

long
am_strtab_find(const struct am_strtab *t, const char *s)
{
	size_t len = strlen(s);
	size_t j = probe(t, s, len, am_hash64(s, len, 0));

	return t->slot[j] != 0 ? (long)t->slot[j] - 1 : -1;
}

size_t
am_strtab_size(const struct am_strtab *t)
{
	return t->n;
}

const char *
am_strtab_get(const struct am_strtab *t, uint32_t id)
{
	return t->str[id];
}

static void
index_put(struct am_strindex *x, char *const *names, size_t k)
{
	size_t i = (size_t)am_hash64(names[k], strlen(names[k]), 0);

	for (i &= x->cap - 1; x->slot[i] != 0; i = (i + 1) & (x->cap - 1))
		;
	x->slot[i] = (uint32_t)k + 1;
}

long
am_strindex_find(const struct am_strindex *x, char *const *names, const char *s,
    size_t len)
{
	size_t i;

	if (x->cap == 0)
		return -1;
	for (i = (size_t)am_hash64(s, len, 0) & (x->cap - 1); x->slot[i] != 0;
	     i = (i + 1) & (x->cap - 1)) {
		const char *c = names[x->slot[i] - 1];
		if (strncmp(c, s, len) == 0 && c[len] == '\0')
			return (long)x->slot[i] - 1;
	}
	return -1;
}

int
am_strindex_add(struct am_strindex *x, char *const *names, size_t count)
{
	uint32_t *ns;
	size_t k, cap;

	if (count == 0 || count > UINT32_MAX - 1)
		return count == 0 ? 0 : AM_ENOMEM;
	if (2 * count > x->cap) {
		for (cap = x->cap ? 2 * x->cap : 16; 2 * count > cap; cap *= 2)
			;
		if ((ns = calloc(cap, sizeof(*ns))) == NULL)
			return AM_ENOMEM;
		free(x->slot);
		x->slot = ns;
		x->cap = cap;
		for (k = 0; k < count; k++)
			index_put(x, names, k);
		return 0;
	}
	index_put(x, names, count - 1);
	return 0;
}

void
am_strindex_clear(struct am_strindex *x)
{
	if (x->cap > 0)
		memset(x->slot, 0, x->cap * sizeof(*x->slot));
}

void
am_strindex_release(struct am_strindex *x)
{
	free(x->slot);
	x->slot = NULL;
	x->cap = 0;
}
