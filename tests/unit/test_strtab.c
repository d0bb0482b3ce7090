/* SPDX-License-Identifier: MIT */
/*
 * test_strtab.c -- interning numbers strings in order of first
 * appearance; the name index finds positions in a caller's array,
 * through growth, clearing and duplicates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am_strtab.h"
#include "unit.h"

static void
test_intern(void)
{
	struct am_err err = { 0 };
	struct am_strtab *t = am_strtab_new(&err);
	char buf[16];
	uint32_t id, i;

	CHECK(t != NULL);
	if (t == NULL)
		return;
	for (i = 0; i < 1000; i++) {
		(void)snprintf(buf, sizeof buf, "s%u", i % 500);
		CHECK(am_strtab_intern(t, buf, strlen(buf), &id, &err) == 0);
		CHECK(id == i % 500);
	}
	CHECK(am_strtab_size(t) == 500);
	CHECK(strcmp(am_strtab_get(t, 7), "s7") == 0);
	CHECK(am_strtab_find(t, "s499") == 499);
	CHECK(am_strtab_find(t, "s500") == -1);
	/* not NUL-terminated input: only 'len' bytes count */
	CHECK(am_strtab_intern(t, "s12xyz", 3, &id, &err) == 0 && id == 12);
	am_strtab_free(t);
	am_strtab_free(NULL);
}

static void
test_index(void)
{
	struct am_strindex x = { 0 };
	char *names[600] = { 0 }, buf[16];
	size_t i, n = 0;

	CHECK(am_strindex_find(&x, names, "a", 1) == -1); /* empty */
	for (i = 0; i < 500; i++) {
		(void)snprintf(buf, sizeof(buf), "v%zu", i);
		names[n++] = strdup(buf);
		CHECK(am_strindex_add(&x, names, n) == 0);
	}
	CHECK(x.cap >= 1000 && (x.cap & (x.cap - 1)) == 0);
	for (i = 0; i < 500; i++) {
		(void)snprintf(buf, sizeof(buf), "v%zu", i);
		CHECK(am_strindex_find(&x, names, buf, strlen(buf)) == (long)i);
	}
	/* A length selects a prefix; bytes beyond it are not read. */
	CHECK(am_strindex_find(&x, names, "v12xyz", 3) == 12);
	CHECK(am_strindex_find(&x, names, "v1", 1) == -1);
	/* A duplicate appended later: the first keeps answering. */
	names[n++] = strdup("v7");
	CHECK(am_strindex_add(&x, names, n) == 0);
	CHECK(am_strindex_find(&x, names, "v7", 2) == 7);
	/* Clear, reverse the array, re-index: positions follow. */
	am_strindex_clear(&x);
	CHECK(am_strindex_find(&x, names, "v0", 2) == -1);
	for (i = 0; i < n / 2; i++) {
		char *t = names[i];
		names[i] = names[n - 1 - i];
		names[n - 1 - i] = t;
	}
	for (i = 1; i <= n; i++)
		CHECK(am_strindex_add(&x, names, i) == 0);
	CHECK(am_strindex_find(&x, names, "v0", 2) == (long)n - 1);
	CHECK(am_strindex_find(&x, names, "v7", 2) == 0); /* now first */
	am_strindex_release(&x);
	CHECK(x.slot == NULL && x.cap == 0);
	for (i = 0; i < n; i++)
		free(names[i]);
}

int
main(void)
{
	test_intern();
	test_index();
	return unit_failures;
}
