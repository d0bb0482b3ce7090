/* SPDX-License-Identifier: MIT */
/*
 * test_io.c -- am_src (peek, chunked and plain reads, SHA-256 of what was
 * read) and am_atomic (the target appears only at commit; abort and a
 * failing commit leave the old content).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "am_io.h"
#include "unit.h"

/* sha256("abc"), FIPS 180-2 appendix B.1 */
#define ABC_SHA256 \
	"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

static void
test_sha256(void)
{
	char hex[65];

	am_sha256_hex("abc", 3, hex);
	CHECK(strcmp(hex, ABC_SHA256) == 0);
}

static void
test_src(void)
{
	struct am_err err = { 0 };
	const unsigned char *p;
	struct am_src *s;
	char buf[16], hex[65];
	size_t n;
	FILE *fp;

	fp = fmemopen((void *)(uintptr_t) "abc", 3, "r");
	CHECK(fp != NULL);
	s = am_src_fdopen(fp, "mem", &err);
	CHECK(s != NULL);
	am_src_hash(s);
	CHECK(am_src_peek(s, 2, &p, &n, &err) == 0);
	CHECK(n >= 2 && memcmp(p, "ab", 2) == 0);
	CHECK(am_src_bytes(s) == 0); /* peeking consumes nothing */
	CHECK(am_src_read(s, buf, 1, &err) == 1 && buf[0] == 'a');
	CHECK(am_src_next_chunk(s, &p, &n, &err) == 0);
	CHECK(n == 2 && memcmp(p, "bc", 2) == 0);
	CHECK(am_src_next_chunk(s, &p, &n, &err) == 0 && n == 0);
	CHECK(am_src_read(s, buf, sizeof(buf), &err) == 0);
	CHECK(am_src_bytes(s) == 3);
	am_src_sha256(s, hex);
	CHECK(strcmp(hex, ABC_SHA256) == 0);
	CHECK(strcmp(am_src_name(s), "mem") == 0);
	am_src_close(s);

	CHECK(am_src_open("/nonexistent/x.csv", &err) == NULL);
	CHECK(err.code == AM_EIO);
	CHECK(strstr(err.msg, "cannot open '/nonexistent/x.csv'") != NULL);
}

static void
test_atomic(void)
{
	char dir[] = "/tmp/am-test-io.XXXXXX", path[128], tmp[256];
	struct am_err err = { 0 };
	struct am_atomic *a;
	unsigned char *data;
	size_t len;

	CHECK(mkdtemp(dir) != NULL);
	(void)snprintf(path, sizeof(path), "%s/out", dir);
	CHECK(am_write_file_atomic(path, "old", 3, &err) == 0);

	/* until commit the target keeps its old content */
	a = am_atomic_open(path, &err);
	CHECK(a != NULL);
	CHECK(fputs("new content", am_atomic_fp(a)) >= 0);
	CHECK(am_read_file(path, 100, &data, &len, &err) == 0);
	CHECK(len == 3 && memcmp(data, "old", 3) == 0);
	free(data);
	am_atomic_abort(a);
	CHECK(am_read_file(path, 100, &data, &len, &err) == 0);
	CHECK(len == 3 && memcmp(data, "old", 3) == 0);
	free(data);

	a = am_atomic_open(path, &err);
	CHECK(a != NULL);
	CHECK(fputs("new", am_atomic_fp(a)) >= 0);
	CHECK(am_atomic_commit(a, &err) == 0);
	CHECK(am_read_file(path, 100, &data, &len, &err) == 0);
	CHECK(len == 3 && memcmp(data, "new", 3) == 0);
	free(data);

	/* the size limit of am_read_file */
	CHECK(am_read_file(path, 2, &data, &len, &err) == AM_ELIMIT);

	/* a folder that does not exist: a clean error, nothing created */
	CHECK(am_atomic_open("/nonexistent/dir/out", &err) == NULL);
	CHECK(err.code == AM_EIO);

	/* no temporary files are left behind */
	(void)snprintf(tmp, sizeof(tmp), "rm -f %s/out && rmdir %s", dir, dir);
	CHECK(system(tmp) == 0);
}

int
main(void)
{
	test_sha256();
	test_src();
	test_atomic();
	return unit_failures;
}
