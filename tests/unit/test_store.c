/* SPDX-License-Identifier: MIT */
/*
 * test_store.c -- the model store of am_store.h: names, versions, push,
 * promote, rollback (also after a crash between the log and the link),
 * gc, and the resolution of a store entry by am_art_load().
 *
 * With arguments it writes files for tests/am-model-store.bats:
 *	test_store --chain DIR	   DIR/{a,b,c}.amm: c has parents a and b,
 *				   b has parent a, and d.amm's parent is
 *				   not written anywhere
 *	test_store --big FILE MB   a valid artifact of about MB MiB
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "am_art.h"
#include "am_store.h"
#include "unit.h"

#include "am_banned.h"

static struct am_art *
make(const char *algo, const char *note)
{
	struct am_art *a = am_art_new("model", algo);

	CHECK(a != NULL);
	CHECK(am_art_lineage(a, "test_store", "in.csv", "", 10, 1) == 0);
	CHECK(am_art_set(a, "note", note) == 0);
	CHECK(am_art_add_col(a, "x", AM_COL_NUMBER) == 0);
	CHECK(am_art_add_section(a, "w", note, strlen(note)) == 0);
	return a;
}

static int
save(struct am_art *a, const char *dir, const char *name)
{
	char path[4096];
	int rc;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	rc = am_art_save(a, path, NULL);
	return rc;
}

static int
write_chain(const char *dir)
{
	struct am_art *a = make("logreg", "a"), *b = make("logreg", "b"),
	              *c = make("logreg", "c"), *x = make("svm", "lost"),
	              *d = make("logreg", "d");
	int rc = 0;

	rc |= save(a, dir, "a.amm");
	CHECK(am_art_add_parent(b, a) == 0);
	rc |= save(b, dir, "b.amm");
	CHECK(am_art_add_parent(c, a) == 0);
	CHECK(am_art_add_parent(c, b) == 0);
	rc |= save(c, dir, "c.amm");
	CHECK(am_art_add_parent(d, x) == 0); /* x is never saved */
	rc |= save(d, dir, "d.amm");
	am_art_free(a);
	am_art_free(b);
	am_art_free(c);
	am_art_free(d);
	am_art_free(x);
	return rc != 0 || unit_failures != 0;
}

static int
write_big(const char *path, long mb)
{
	struct am_art *a = make("logreg", "big");
	size_t n = (size_t)mb << 20, i;
	unsigned char *p = malloc(n);
	int rc;

	if (p == NULL)
		return 1;
	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 2654435761u >> 24);
	CHECK(am_art_add_section(a, "big", p, n) == 0);
	rc = am_art_save(a, path, NULL);
	free(p);
	am_art_free(a);
	return rc != 0;
}

static void
test_names(void)
{
	struct am_err err = { 0 };
	unsigned long v = 0;

	CHECK(am_store_check_name("churn", NULL) == 0);
	CHECK(am_store_check_name("Churn_2026-11.v3+eu@x", NULL) == 0);
	CHECK(am_store_check_name("", NULL) == AM_EARG);
	CHECK(am_store_check_name(".hidden", NULL) == AM_EARG);
	CHECK(am_store_check_name("..", NULL) == AM_EARG);
	CHECK(am_store_check_name("-x", NULL) == AM_EARG);
	CHECK(am_store_check_name("a/b", &err) == AM_EARG);
	CHECK(strstr(err.msg, "'a/b' is not a valid model name") != NULL);
	CHECK(am_store_check_name("a b", NULL) == AM_EARG);
	CHECK(am_store_parse_version("v12", &v, NULL) == 0 && v == 12);
	CHECK(am_store_parse_version("7", &v, NULL) == 0 && v == 7);
	CHECK(am_store_parse_version("v0", &v, NULL) == AM_EARG);
	CHECK(am_store_parse_version("v01", &v, NULL) == AM_EARG);
	CHECK(am_store_parse_version("v", &v, NULL) == AM_EARG);
	CHECK(am_store_parse_version("v1x", &v, NULL) == AM_EARG);
	CHECK(am_store_parse_version("v9999999999", &v, NULL) == AM_EARG);
}

/* The current version of 'name' in 'store' by am_store_versions(). */
static unsigned long
current(const char *store, const char *name)
{
	struct am_store_ver *v;
	unsigned long cur = 99;
	size_t n;

	if (am_store_versions(store, name, &v, &n, &cur, NULL) != 0)
		return 99;
	free(v);
	return cur;
}

static void
test_store(const char *tmp)
{
	char store[1024], file[4096], path[2048], *res = NULL;
	struct am_err err = { 0 };
	struct am_store_ver *vs;
	unsigned long v = 0, cur;
	struct am_art *a;
	size_t n, i;
	FILE *fp;

	(void)snprintf(store, sizeof(store), "%s/s", tmp);
	for (i = 0; i < 4; i++) {
		char note[8] = "m0";

		note[1] = (char)('0' + i);
		a = make("logreg", note);
		(void)snprintf(file, sizeof(file), "%s/m%zu.amm", tmp, i);
		CHECK(am_art_save(a, file, NULL) == 0);
		am_art_free(a);
		CHECK(am_store_push(store, "m", file, &v, &err) == 0);
		CHECK(v == i + 1);
	}
	/* Not a valid artifact: nothing is stored. */
	(void)snprintf(file, sizeof(file), "%s/bad.amm", tmp);
	fp = fopen(file, "w");
	CHECK(fp != NULL);
	if (fp != NULL) {
		fputs("not an artifact\n", fp);
		fclose(fp);
	}
	CHECK(am_store_push(store, "m", file, &v, &err) == AM_EFORMAT);
	CHECK(am_store_push(store, "../m", file, &v, &err) == AM_EARG);

	CHECK(am_store_versions(store, "m", &vs, &n, &cur, &err) == 0);
	CHECK(n == 4 && cur == 0);
	for (i = 0; i < n; i++) {
		CHECK(vs[i].version == i + 1);
		CHECK(vs[i].valid && strcmp(vs[i].kind, "model") == 0);
		CHECK(strlen(vs[i].sha256) == 64);
	}
	free(vs);

	/* Resolution: no promoted version yet, then the current one. */
	(void)snprintf(path, sizeof(path), "%s/m", store);
	CHECK(am_store_resolve(path, &res, &err) == AM_EMODEL);
	CHECK(strstr(err.msg, "no promoted version") != NULL);
	CHECK(am_art_load(path, NULL, NULL) == NULL);
	CHECK(am_store_resolve(tmp, &res, NULL) == 0 && res == NULL);
	CHECK(am_store_resolve(file, &res, NULL) == 0 && res == NULL);

	CHECK(am_store_promote(store, "m", 9, &err) == AM_EMODEL);
	CHECK(am_store_rollback(store, "m", &v, &err) == AM_EMODEL);
	CHECK(am_store_promote(store, "m", 1, &err) == 0);
	CHECK(am_store_rollback(store, "m", &v, &err) == AM_EMODEL);
	CHECK(am_store_promote(store, "m", 3, &err) == 0);
	CHECK(am_store_promote(store, "m", 3, &err) == 0); /* no-op */
	CHECK(am_store_promote(store, "m", 2, &err) == 0);
	CHECK(current(store, "m") == 2);
	CHECK(am_store_resolve(path, &res, &err) == 1);
	CHECK(res != NULL && strstr(res, "/m/v2.amm") != NULL);
	free(res);
	a = am_art_load(path, "model", &err);
	CHECK(a != NULL && strcmp(am_art_get(a, "note"), "m1") == 0);
	am_art_free(a);

	/* History 1 3 2: rollback gives 3, then 1, then nothing. */
	CHECK(am_store_rollback(store, "m", &v, &err) == 0 && v == 3);
	CHECK(am_store_rollback(store, "m", &v, &err) == 0 && v == 1);
	CHECK(am_store_rollback(store, "m", &v, &err) == AM_EMODEL);
	CHECK(current(store, "m") == 1);

	/* A crash after the log was written but before the link moved. */
	CHECK(am_store_promote(store, "m", 4, &err) == 0);
	(void)snprintf(file, sizeof(file), "%s/history", path);
	fp = fopen(file, "a");
	CHECK(fp != NULL);
	if (fp != NULL) {
		fputs("promote v2 2026-01-01T00:00:00Z\n", fp);
		fclose(fp);
	}
	CHECK(current(store, "m") == 4);
	CHECK(am_store_rollback(store, "m", &v, &err) == 0 && v == 1);

	/* A pointer that leaves the folder is refused. */
	(void)snprintf(file, sizeof(file), "%s/current", path);
	CHECK(unlink(file) == 0);
	CHECK(symlink("../../m0.amm", file) == 0);
	CHECK(am_store_resolve(path, &res, &err) == AM_EFORMAT);
	CHECK(strstr(err.msg, "not a store pointer") != NULL);
	CHECK(unlink(file) == 0);
	CHECK(symlink("v1.amm", file) == 0);

	/* gc keeps the current version (1) and the newest one (4). */
	(void)snprintf(file, sizeof(file), "%s/.tmp.stale", path);
	fp = fopen(file, "w");
	CHECK(fp != NULL);
	if (fp != NULL)
		fclose(fp);
	CHECK(am_store_gc(store, NULL, 1, NULL, NULL, &err) == 0);
	CHECK(access(file, F_OK) != 0);
	CHECK(am_store_versions(store, "m", &vs, &n, &cur, &err) == 0);
	CHECK(n == 2 && vs[0].version == 1 && vs[1].version == 4 && cur == 1);
	free(vs);
	CHECK(am_store_gc(store, "nope", 1, NULL, NULL, &err) == AM_EIO);
}

int
main(int argc, char *argv[])
{
	char tmp[] = "/tmp/test_store.XXXXXX";
	char cmd[256];

	if (argc == 3 && strcmp(argv[1], "--chain") == 0)
		return write_chain(argv[2]);
	if (argc == 4 && strcmp(argv[1], "--big") == 0)
		return write_big(argv[2], strtol(argv[3], NULL, 10));
	test_names();
	if (mkdtemp(tmp) == NULL)
		return 1;
	test_store(tmp);
	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		unit_failures++;
	return unit_failures != 0;
}
