/* SPDX-License-Identifier: MIT */
/*
 * test_art.c -- the artifact container: round trip, byte-identical
 * re-encoding, every truncation, every bit flip, crafted headers with a
 * valid checksum (huge counts, duplicates, stray bytes), random mutations
 * of the body behind a recomputed checksum, lineage and
 * SOURCE_DATE_EPOCH, save/load.
 *
 * With arguments it writes sample files for tests/am-model.bats:
 *	test_art --write FILE		a valid "model" artifact
 *	test_art --write-newer FILE	the same with format version 9
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "am_art.h"
#include "am_cli.h"
#include "am_io.h"
#include "am_rand.h"
#include "unit.h"

static const double weights[4] = { 0.5, -1.25, 3.0, 1e-300 };

static struct am_art *
sample(void)
{
	struct am_buf b = AM_BUF_INIT;
	struct am_art *a = am_art_new("model", "logreg");

	CHECK(a != NULL);
	if (a == NULL)
		exit(1);
	CHECK(am_art_lineage(a, "am-train -a logreg -t y 'my file.bin'",
	          "my file.bin", "0123456789abcdef", 4521, 7) == 0);
	CHECK(am_art_set(a, "hyper.c", "1") == 0);
	CHECK(am_art_setf(a, "metric.train.auc", "%.17g", 0.9) == 0);
	CHECK(am_art_set(a, "note", "tab\there \"quoted\" \\ \x01") == 0);
	CHECK(am_art_add_col(a, "age", AM_COL_INTEGER) == 0);
	CHECK(am_art_add_col(a, "job=admin.", AM_COL_NUMBER) == 0);
	CHECK(am_art_add_col(a, "y", AM_COL_CATEGORY) == 0);
	am_buf_u32(&b, 4);
	am_buf_f64s(&b, weights, 4);
	CHECK(am_art_add_buf(a, "weights", &b) == 0);
	CHECK(am_art_add_section(a, "empty", NULL, 0) == 0);
	am_buf_release(&b);
	return a;
}

static void
encode(const struct am_art *a, struct am_buf *out)
{
	out->len = 0;
	CHECK(am_art_encode(a, out) == 0);
}

/* One line, starting with the name, and the expected code. */
static int
clean_error(const struct am_err *err, int code)
{
	return err->code == code && strncmp(err->msg, "t.amm: ", 7) == 0 &&
	    strchr(err->msg, '\n') == NULL;
}

static void
test_round_trip(void)
{
	struct am_buf b = AM_BUF_INIT, b2 = AM_BUF_INIT;
	struct am_err err = { 0 };
	struct am_art *a = sample(), *d;
	const double *w;
	const unsigned char *sec;
	double got[4];
	size_t len;
	struct am_rd r;
	char hex[65];

	encode(a, &b);
	d = am_art_decode(b.data, b.len, "t.amm", "model", &err);
	CHECK(d != NULL);
	if (d == NULL) {
		fprintf(stderr, "decode: %s\n", err.msg);
		exit(1);
	}
	CHECK(strcmp(am_art_kind(d), "model") == 0);
	CHECK(strcmp(am_art_algo(d), "logreg") == 0);
	CHECK(am_art_version(d) == AM_ART_VERSION);
	CHECK(am_art_nmeta(d) == am_art_nmeta(a));
	CHECK(strcmp(am_art_get(d, "hyper.c"), "1") == 0);
	CHECK(strcmp(am_art_get(d, "metric.train.auc"),
	          "0.90000000000000002") == 0);
	CHECK(strcmp(am_art_get(d, "note"), am_art_get(a, "note")) == 0);
	CHECK(strcmp(am_art_get(d, "lineage.input.rows"), "4521") == 0);
	CHECK(strcmp(am_art_get(d, "seed"), "7") == 0);
	CHECK(am_art_get(d, "absent") == NULL);
	CHECK(strcmp(am_art_meta_key(d, 0), "lineage.tool") == 0);
	CHECK(am_art_ncols(d) == 3);
	CHECK(strcmp(am_art_col_name(d, 1), "job=admin.") == 0);
	CHECK(am_art_col_type(d, 0) == AM_COL_INTEGER);
	CHECK(am_art_col_type(d, 2) == AM_COL_CATEGORY);
	CHECK(am_art_col_name(d, 3) == NULL && am_art_col_type(d, 3) == -1);
	CHECK(am_art_nsections(d) == 2);
	CHECK(strcmp(am_art_section_name(d, 0), "weights") == 0);
	sec = am_art_section(d, "weights", &len);
	CHECK(sec != NULL && len == 4 + 32);
	if (sec != NULL && len == 36) {
		am_rd_init(&r, sec, len);
		CHECK(am_rd_u32(&r) == 4);
		am_rd_f64s(&r, got, 4);
		w = weights;
		CHECK(memcmp(got, w, sizeof(got)) == 0);
	}
	CHECK(am_art_section(d, "empty", &len) != NULL && len == 0);
	CHECK(am_art_section(d, "nope", &len) == NULL);
	/* The digest is that of the whole encoding, as sha256sum prints. */
	am_sha256_hex(b.data, b.len, hex);
	CHECK(strcmp(am_art_sha256(d), hex) == 0);
	CHECK(strcmp(am_art_sha256(a), "") == 0);
	/* Re-encoding what was decoded gives the same bytes. */
	encode(d, &b2);
	CHECK(b.len == b2.len && memcmp(b.data, b2.data, b.len) == 0);
	/* A change forgets the digest. */
	CHECK(am_art_set(d, "hyper.c", "2") == 0);
	CHECK(strcmp(am_art_sha256(d), "") == 0);
	CHECK(strcmp(am_art_get(d, "hyper.c"), "2") == 0);
	CHECK(am_art_nmeta(d) == am_art_nmeta(a));
	am_art_free(d);
	am_art_free(a);
	am_buf_release(&b);
	am_buf_release(&b2);
}

static void
test_truncations_and_flips(void)
{
	struct am_buf b = AM_BUF_INIT;
	struct am_art *a = sample(), *d;
	struct am_err err;
	size_t n, bad = 0, i;
	unsigned char *copy;

	encode(a, &b);
	/* Every proper prefix fails with a clean message. */
	for (n = 0; n < b.len; n++) {
		memset(&err, 0, sizeof(err));
		copy = malloc(n ? n : 1);
		if (n > 0)
			memcpy(copy, b.data, n);
		d = am_art_decode(copy, n, "t.amm", NULL, &err);
		if (d != NULL || !clean_error(&err, AM_EFORMAT))
			bad++;
		am_art_free(d);
		free(copy);
	}
	CHECK(bad == 0);
	/* Every single bit flipped fails (the version byte may say "newer"). */
	copy = malloc(b.len);
	memcpy(copy, b.data, b.len);
	bad = 0;
	for (i = 0; i < 8 * b.len; i++) {
		memset(&err, 0, sizeof(err));
		copy[i / 8] ^= (unsigned char)(1u << (i % 8));
		d = am_art_decode(copy, b.len, "t.amm", NULL, &err);
		if (d != NULL ||
		    (!clean_error(&err, AM_EFORMAT) &&
		        !clean_error(&err, AM_EMODEL)))
			bad++;
		am_art_free(d);
		copy[i / 8] ^= (unsigned char)(1u << (i % 8));
	}
	CHECK(bad == 0);
	/* Specific messages. */
	copy[0] = 'X';
	CHECK(am_art_decode(copy, b.len, "t.amm", NULL, &err) == NULL);
	CHECK(strcmp(err.msg, "t.amm: not an am artifact (bad magic)") == 0);
	copy[0] = b.data[0];
	copy[b.len - 1] ^= 1;
	CHECK(am_art_decode(copy, b.len, "t.amm", NULL, &err) == NULL);
	CHECK(strcmp(err.msg,
	          "t.amm: checksum mismatch (file corrupt or truncated)") == 0);
	CHECK(am_art_decode(copy, 0, "t.amm", NULL, &err) == NULL);
	CHECK(strcmp(err.msg, "t.amm: not an am artifact (empty file)") == 0);
	CHECK(am_art_decode(copy, 20, "t.amm", NULL, &err) == NULL);
	CHECK(strcmp(err.msg, "t.amm: truncated (20 bytes)") == 0);
	free(copy);
	am_art_free(a);
	am_buf_release(&b);
}

/* Re-seal 'b' (a full encoding): recompute the trailing checksum. */
static void
reseal(struct am_buf *b)
{
	am_sha256(b->data, b->len - 32, b->data + b->len - 32);
}

/* The version field set to 'v', checksum recomputed. */
static void
set_version(struct am_buf *b, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		b->data[8 + i] = (unsigned char)(v >> (8 * i));
	reseal(b);
}

static void
test_version_and_kind(void)
{
	struct am_buf b = AM_BUF_INIT;
	struct am_art *a = sample();
	struct am_err err = { 0 };

	encode(a, &b);
	CHECK(am_art_decode(b.data, b.len, "t.amm", "features", &err) == NULL);
	CHECK(err.code == AM_EMODEL);
	CHECK(strcmp(err.msg,
	          "t.amm: is a 'model' artifact, expected 'features'") == 0);
	set_version(&b, 9);
	CHECK(am_art_decode(b.data, b.len, "t.amm", NULL, &err) == NULL);
	CHECK(err.code == AM_EMODEL);
	CHECK(
	    strcmp(err.msg,
	        "t.amm: format version 9 is newer than this am (1); upgrade am") ==
	    0);
	set_version(&b, UINT32_MAX);
	CHECK(am_art_decode(b.data, b.len, "t.amm", NULL, &err) == NULL);
	CHECK(err.code == AM_EMODEL);
	set_version(&b, 0);
	CHECK(am_art_decode(b.data, b.len, "t.amm", NULL, &err) == NULL);
	CHECK(err.code == AM_EFORMAT);
	CHECK(strcmp(err.msg, "t.amm: invalid format version 0") == 0);
	am_art_free(a);
	am_buf_release(&b);
}

/* Start a hand-made v1 encoding: header, kind, algo. */
static void
craft_head(struct am_buf *b)
{
	static const unsigned char magic[8] = { 0x89, 'A', 'M', 'M', '\r', '\n',
		0x1a, '\n' };

	b->len = 0;
	am_buf_put(b, magic, 8);
	am_buf_u32(b, 1);
	am_buf_str(b, "model");
	am_buf_str(b, "x");
}

/* Seal a hand-made encoding and decode it; returns the error code. */
static int
craft_decode(struct am_buf *b, struct am_err *err)
{
	unsigned char sum[32];
	struct am_art *d;

	am_sha256(b->data, b->len, sum);
	am_buf_put(b, sum, 32);
	memset(err, 0, sizeof(*err));
	d = am_art_decode(b->data, b->len, "t.amm", NULL, err);
	if (d != NULL) {
		am_art_free(d);
		return 0;
	}
	return err->code;
}

static void
test_crafted(void)
{
	struct am_buf b = AM_BUF_INIT;
	struct am_err err;

	/* The smallest valid artifact. */
	craft_head(&b);
	am_buf_u32(&b, 0);
	am_buf_u32(&b, 0);
	am_buf_u32(&b, 0);
	CHECK(craft_decode(&b, &err) == 0);

	/* Huge counts are refused before any allocation. */
	craft_head(&b);
	am_buf_u32(&b, UINT32_MAX);
	CHECK(craft_decode(&b, &err) == AM_EFORMAT);
	CHECK(strcmp(err.msg,
	          "t.amm: malformed artifact (bad metadata count)") == 0);
	craft_head(&b);
	am_buf_u32(&b, 0);
	am_buf_u32(&b, 0x40000000u);
	CHECK(craft_decode(&b, &err) == AM_EFORMAT);
	craft_head(&b);
	am_buf_u32(&b, 0);
	am_buf_u32(&b, 0);
	am_buf_u32(&b, UINT32_MAX);
	CHECK(craft_decode(&b, &err) == AM_EFORMAT);
	/* A section claiming 2^64-1 bytes. */
	craft_head(&b);
	am_buf_u32(&b, 0);
	am_buf_u32(&b, 0);
	am_buf_u32(&b, 1);
	am_buf_str(&b, "w");
	am_buf_u64(&b, UINT64_MAX);
	CHECK(craft_decode(&b, &err) == AM_EFORMAT);
	CHECK(
	    strcmp(err.msg, "t.amm: malformed artifact (bad section 1)") == 0);
	/* A string length past the end. */
	craft_head(&b);
	am_buf_u32(&b, 1);
	am_buf_u32(&b, UINT32_MAX - 1);
	am_buf_put(&b, "abcdefgh", 8);
	CHECK(craft_decode(&b, &err) == AM_EFORMAT);
	/* Duplicate keys, duplicate sections, empty key, stray bytes. */
	craft_head(&b);
	am_buf_u32(&b, 3);
	am_buf_str(&b, "k");
	am_buf_str(&b, "1");
	am_buf_str(&b, "j");
	am_buf_str(&b, "2");
	am_buf_str(&b, "k");
	am_buf_str(&b, "3");
	am_buf_u32(&b, 0);
	am_buf_u32(&b, 0);
	CHECK(craft_decode(&b, &err) == AM_EFORMAT);
	CHECK(
	    strcmp(err.msg,
	        "t.amm: malformed artifact (duplicate metadata key 'k')") == 0);
	craft_head(&b);
	am_buf_u32(&b, 0);
	am_buf_u32(&b, 0);
	am_buf_u32(&b, 2);
	am_buf_str(&b, "s");
	am_buf_u64(&b, 0);
	am_buf_str(&b, "s");
	am_buf_u64(&b, 0);
	CHECK(craft_decode(&b, &err) == AM_EFORMAT);
	craft_head(&b);
	am_buf_u32(&b, 1);
	am_buf_str(&b, "");
	am_buf_str(&b, "v");
	am_buf_u32(&b, 0);
	am_buf_u32(&b, 0);
	CHECK(craft_decode(&b, &err) == AM_EFORMAT);
	craft_head(&b);
	am_buf_u32(&b, 0);
	am_buf_u32(&b, 0);
	am_buf_u32(&b, 0);
	am_buf_u8(&b, 0);
	CHECK(craft_decode(&b, &err) == AM_EFORMAT);
	CHECK(strcmp(err.msg,
	          "t.amm: malformed artifact (1 stray bytes before "
	          "checksum)") == 0);
	/* An unknown column type is kept (new types need no new version). */
	craft_head(&b);
	am_buf_u32(&b, 0);
	am_buf_u32(&b, 1);
	am_buf_str(&b, "c");
	am_buf_u8(&b, 200);
	am_buf_u32(&b, 0);
	CHECK(craft_decode(&b, &err) == 0);
	am_buf_release(&b);
}

/*
 * Random damage behind a valid checksum reaches the parser itself: it must
 * fail cleanly or succeed, and never crash or leak (run under ASan).
 */
static void
test_fuzz(void)
{
	struct am_buf b = AM_BUF_INIT;
	struct am_art *a = sample(), *d;
	struct am_err err;
	struct am_rand rng;
	unsigned char *copy;
	size_t n, k, m, bad = 0, ok = 0;
	int iter;

	encode(a, &b);
	copy = malloc(b.len);
	am_rand_seed(&rng, 42);
	for (iter = 0; iter < 20000; iter++) {
		memcpy(copy, b.data, b.len);
		m = 1 + (size_t)am_rand_below(&rng, 4);
		for (k = 0; k < m; k++) {
			n = 12 + (size_t)am_rand_below(&rng, b.len - 44);
			copy[n] = (unsigned char)am_rand_u64(&rng);
		}
		am_sha256(copy, b.len - 32, copy + b.len - 32);
		memset(&err, 0, sizeof(err));
		d = am_art_decode(copy, b.len, "t.amm", NULL, &err);
		if (d != NULL)
			ok++;
		else if (!clean_error(&err, AM_EFORMAT))
			bad++;
		am_art_free(d);
	}
	CHECK(bad == 0);
	CHECK(ok > 0 && ok < 20000); /* both paths were exercised */
	/* Random bytes, not an artifact at all. */
	for (iter = 0; iter < 100; iter++) {
		for (k = 0; k < b.len; k++)
			copy[k] = (unsigned char)am_rand_u64(&rng);
		d = am_art_decode(copy, b.len, "t.amm", NULL, &err);
		CHECK(d == NULL && clean_error(&err, AM_EFORMAT));
		am_art_free(d);
	}
	free(copy);
	am_art_free(a);
	am_buf_release(&b);
}

static void
test_setters(void)
{
	struct am_art *a = am_art_new("features", "scale+onehot");
	char key[300];

	CHECK(a != NULL);
	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	CHECK(am_art_set(a, key, "v") == AM_EARG);
	CHECK(am_art_set(a, "", "v") == AM_EARG);
	CHECK(am_art_add_section(a, "sixteen-bytes-xx", "x", 1) == AM_EARG);
	CHECK(am_art_add_section(a, "fifteen-bytes-x", "x", 1) == 0);
	CHECK(am_art_add_section(a, "fifteen-bytes-x", "y", 1) == AM_EARG);
	CHECK(am_art_add_col(a, "c", 256) == AM_EARG);
	CHECK(am_art_setf(a, "long", "%0300d", 5) == 0);
	CHECK(strlen(am_art_get(a, "long")) == 300);
	CHECK(am_art_new(key, "x") == NULL);
	CHECK(strcmp(am_coltype_name(AM_COL_DATE), "date") == 0);
	CHECK(am_coltype_name(6) == NULL && am_coltype_name(-1) == NULL);
	CHECK(am_coltype_byname("category") == AM_COL_CATEGORY);
	CHECK(am_coltype_byname("float") == -1);
	am_art_free(a);
	am_art_free(NULL);
}

static void
test_lineage_and_files(void)
{
	struct am_buf b1 = AM_BUF_INIT, b2 = AM_BUF_INIT;
	struct am_err err = { 0 };
	struct am_art *a, *c, *p, *l;
	char dir[] = "/tmp/test_art.XXXXXX", path[64], hex[65];
	unsigned char *bytes;
	size_t len;

	CHECK(setenv("SOURCE_DATE_EPOCH", "1795000000", 1) == 0);
	a = sample();
	c = sample();
	CHECK(strcmp(am_art_get(a, "lineage.created"),
	          "2026-11-18T11:06:40Z") == 0);
	CHECK(strcmp(am_art_get(a, "lineage.tool"), "am " AM_VERSION) == 0);
	CHECK(strcmp(am_art_get(a, "lineage.input.sha256"),
	          "0123456789abcdef") == 0);
	CHECK(strcmp(am_art_get(a, "lineage.command"),
	          "am-train -a logreg -t y 'my file.bin'") == 0);
	encode(a, &b1);
	encode(c, &b2);
	CHECK(b1.len == b2.len && memcmp(b1.data, b2.data, b1.len) == 0);
	CHECK(setenv("SOURCE_DATE_EPOCH", "not a number", 1) == 0);
	CHECK(am_art_lineage(c, NULL, NULL, NULL, 0, 0) == 0);
	CHECK(strncmp(am_art_get(c, "lineage.created"), "20", 2) == 0);
	CHECK(unsetenv("SOURCE_DATE_EPOCH") == 0);

	/* Save, load, parents. */
	CHECK(mkdtemp(dir) != NULL);
	(void)snprintf(path, sizeof(path), "%s/p.amm", dir);
	p = am_art_new("features", "scale+onehot");
	CHECK(am_art_save(p, path, &err) == 0);
	CHECK(am_read_file(path, 1 << 20, &bytes, &len, &err) == 0);
	am_sha256_hex(bytes, len, hex);
	free(bytes);
	CHECK(strcmp(am_art_sha256(p), hex) == 0);
	CHECK(am_art_add_parent(a, p) == 0);
	CHECK(am_art_add_parent(a, p) == 0); /* not twice */
	CHECK(strcmp(am_art_get(a, "lineage.parents"), hex) == 0);
	CHECK(am_art_add_parent(a, c) == 0); /* never saved: hash encoding */
	CHECK(strlen(am_art_get(a, "lineage.parents")) == 64 + 1 + 64);
	l = am_art_load(path, "features", &err);
	CHECK(l != NULL && strcmp(am_art_sha256(l), hex) == 0);
	am_art_free(l);
	CHECK(am_art_load(path, "model", &err) == NULL);
	CHECK(err.code == AM_EMODEL);
	(void)snprintf(path, sizeof(path), "%s/missing.amm", dir);
	CHECK(am_art_load(path, NULL, &err) == NULL && err.code == AM_EIO);
	(void)snprintf(path, sizeof(path), "%s/no/such/dir.amm", dir);
	CHECK(am_art_save(p, path, &err) == AM_EIO);
	(void)snprintf(path, sizeof(path), "%s/p.amm", dir);
	CHECK(unlink(path) == 0);
	CHECK(rmdir(dir) == 0);
	am_art_free(a);
	am_art_free(c);
	am_art_free(p);
	am_buf_release(&b1);
	am_buf_release(&b2);
}

/* Write a sample artifact for the shell tests; version 9 if 'newer'. */
static int
write_sample(const char *path, int newer)
{
	struct am_buf b = AM_BUF_INIT;
	struct am_err err = { 0 };
	struct am_art *a;
	int rc;

	a = sample();
	/* Independent of the release, so the fixture only changes with the
	 * format. */
	CHECK(am_art_set(a, "lineage.tool", "am fixture") == 0);
	encode(a, &b);
	if (newer)
		set_version(&b, 9);
	rc = am_write_file_atomic(path, b.data, b.len, &err);
	if (rc != 0)
		fprintf(stderr, "test_art: %s\n", err.msg);
	am_art_free(a);
	am_buf_release(&b);
	return rc != 0 || unit_failures != 0;
}

/* Numbers in metadata: in range or the default, never undefined. */
static void
test_get_num(void)
{
	struct am_art *a = am_art_new("model", "rf");

	CHECK(a != NULL);
	if (a == NULL)
		return;
	CHECK(am_art_set(a, "hyper.depth", "12") == 0);
	CHECK(am_art_set(a, "hyper.huge", "1e300") == 0);
	CHECK(am_art_set(a, "hyper.neg", "-3") == 0);
	CHECK(am_art_set(a, "hyper.junk", "7x") == 0);
	CHECK(am_art_set(a, "hyper.nan", "nan") == 0);
	CHECK(am_art_set(a, "hyper.empty", "") == 0);
	CHECK(am_art_get_num(a, "hyper.depth", 0, 100, -1) == 12);
	CHECK(am_art_get_num(a, "hyper.depth", 0, 10, -1) == -1);
	CHECK(am_art_get_num(a, "hyper.huge", 0, 2147483647.0, 5) == 5);
	CHECK(am_art_get_num(a, "hyper.neg", 0, 100, 5) == 5);
	CHECK(am_art_get_num(a, "hyper.neg", -10, 100, 5) == -3);
	CHECK(am_art_get_num(a, "hyper.junk", 0, 100, 5) == 5);
	CHECK(am_art_get_num(a, "hyper.nan", -1e9, 1e9, 5) == 5);
	CHECK(am_art_get_num(a, "hyper.empty", 0, 100, 5) == 5);
	CHECK(am_art_get_num(a, "absent", 0, 100, 5) == 5);
	CHECK(am_art_seed(a, 9) == 9);
	CHECK(am_art_set(a, "seed", "18446744073709551615") == 0);
	CHECK(am_art_seed(a, 9) == 18446744073709551615ull);
	CHECK(am_art_set(a, "seed", "18446744073709551616") == 0);
	CHECK(am_art_seed(a, 9) == 9); /* out of range */
	CHECK(am_art_set(a, "seed", "-1") == 0);
	CHECK(am_art_seed(a, 9) == 9);
	am_art_free(a);
}

int
main(int argc, char *argv[])
{
	if (argc == 3 && strcmp(argv[1], "--write") == 0)
		return write_sample(argv[2], 0);
	if (argc == 3 && strcmp(argv[1], "--write-newer") == 0)
		return write_sample(argv[2], 1);
	test_round_trip();
	test_truncations_and_flips();
	test_version_and_kind();
	test_crafted();
	test_fuzz();
	test_setters();
	test_lineage_and_files();
	test_get_num();
	return unit_failures;
}
