/* SPDX-License-Identifier: MIT */
/*
 * test_fs.c -- feature streams: binary round trip across blocks, every
 * truncation and every single-bit flip of a small binary stream is an
 * error, absurd declared sizes, the checksum against a plain
 * implementation, LIBSVM and CSV parsing and writing.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am_fs.h"
#include "unit.h"

/* Write 'rows' rows of 'schema' in 'format' to memory. */
struct mem {
	char *p;
	size_t n;
};

static char n_a[] = "a", n_b[] = "b", n_no[] = "no", n_yes[] = "yes";
static char n_y[] = "y", n_w[] = "w", n_f1[] = "f1", n_f2[] = "f2";
static char n_f3[] = "f3", n_f4[] = "f4", n_f5[] = "f5", n_f6[] = "f6";
static char *id0[] = { n_a, n_b };
static char *cls[] = { n_no, n_yes };
static char *feats[] = { n_f1, n_f2, n_f3, n_f4, n_f5, n_f6 };

static void
schema_init(struct am_fs_schema *s)
{
	memset(s, 0, sizeof(*s));
	s->nfeat = 6;
	s->feat = feats;
	s->nid = 2;
	s->id = id0;
	s->target = n_y;
	s->nclass = 2;
	s->classes = cls;
	s->weight = n_w;
}

/* Row 'i' of the test data: alternately dense, sparse and empty. */
static void
make_row(size_t i, struct am_fs_row *row, uint32_t *idx, double *val,
    const char **ids, char *idbuf)
{
	size_t k, n = 0;

	(void)snprintf(idbuf, 32, "row%zu", i);
	ids[0] = idbuf;
	ids[1] = i % 7 == 0 ? "" : "x,\"y\"";
	row->ids = ids;
	row->target = i % 11 == 0 ? (double)NAN : (double)(i % 2);
	row->weight = 0.5 * (double)(i % 4);
	for (k = 0; k < 6; k++) {
		if (i % 3 == 1 && k != 2)
			continue; /* sparse */
		if (i % 3 == 2)
			continue; /* empty */
		idx[n] = (uint32_t)k;
		val[n++] =
		    k == 4 ? -0.0 : (double)(i + 1) / 3.0 * (double)(k + 1);
	}
	row->nnz = n;
	row->idx = idx;
	row->val = val;
}

static int
write_all(int format, const struct am_fs_schema *s, size_t rows, struct mem *m)
{
	struct am_fs_writer *w;
	struct am_fs_row row;
	struct am_err err = { 0 };
	uint32_t idx[6];
	double val[6];
	const char *ids[2];
	char idbuf[32];
	FILE *fp = open_memstream(&m->p, &m->n);
	size_t i;
	int rc = 0;

	if (fp == NULL || (w = am_fs_writer_open(fp, format, s, &err)) == NULL)
		return -1;
	for (i = 0; i < rows && rc == 0; i++) {
		make_row(i, &row, idx, val, ids, idbuf);
		rc = am_fs_write(w, &row, &err);
	}
	if (am_fs_writer_close(w, &err) != 0)
		rc = -1;
	(void)fclose(fp);
	return rc;
}

static struct am_fs_reader *
open_mem(const void *p, size_t n, int format, struct am_src **src,
    struct am_err *err)
{
	struct am_fs_opts o = AM_FS_OPTS_INIT;
	FILE *fp = fmemopen((void *)(uintptr_t)p, n ? n : 1, "rb");

	o.format = format;
	if (n == 0) /* fmemopen refuses size 0: read past the one byte */
		(void)fgetc(fp);
	*src = am_src_fdopen(fp, "mem", err);
	if (*src == NULL)
		return NULL;
	return am_fs_open(*src, &o, err);
}

/* Read everything; returns rows read or a negative code. */
static long
read_all(const void *p, size_t n, int format, struct am_err *err)
{
	struct am_src *src;
	struct am_fs_reader *r = open_mem(p, n, format, &src, err);
	struct am_fs_row row;
	long rows = 0;
	int rc;

	if (r == NULL) {
		am_src_close(src);
		return err->code;
	}
	while ((rc = am_fs_next(r, &row, err)) == 1)
		rows++;
	am_fs_close(r);
	am_src_close(src);
	return rc < 0 ? rc : rows;
}

static void
test_bin_roundtrip(void)
{
	struct am_fs_schema s;
	const struct am_fs_schema *rs;
	struct am_fs_reader *r;
	struct am_fs_row row, want;
	struct am_src *src;
	struct am_err err = { 0 };
	struct mem m = { 0 };
	uint32_t idx[6];
	double val[6];
	const char *ids[2];
	char idbuf[32];
	size_t i, k, rows = 3000, bad = 0;

	schema_init(&s);
	CHECK(write_all(AM_FS_BIN, &s, rows, &m) == 0);
	CHECK(m.n > 16 && memcmp(m.p, AM_FS_MAGIC, AM_FS_MAGIC_LEN) == 0);
	r = open_mem(m.p, m.n, AM_FS_DETECT, &src, &err);
	CHECK(r != NULL);
	if (r == NULL) {
		free(m.p);
		return;
	}
	CHECK(am_fs_format(r) == AM_FS_BIN);
	rs = am_fs_schema(r);
	CHECK(rs->nfeat == 6 && rs->nid == 2 && rs->nclass == 2);
	CHECK(strcmp(rs->target, "y") == 0 && strcmp(rs->weight, "w") == 0);
	CHECK(strcmp(rs->feat[5], "f6") == 0 &&
	    strcmp(rs->classes[1], "yes") == 0);
	for (i = 0; i < rows; i++) {
		if (am_fs_next(r, &row, &err) != 1) {
			bad++;
			break;
		}
		make_row(i, &want, idx, val, ids, idbuf);
		if (strcmp(row.ids[0], want.ids[0]) != 0 ||
		    strcmp(row.ids[1], want.ids[1]) != 0 ||
		    row.nnz != want.nnz || row.weight != want.weight ||
		    (isnan(want.target) ? !isnan(row.target)
		                        : row.target != want.target))
			bad++;
		for (k = 0; k < row.nnz && k < want.nnz; k++)
			if (row.idx[k] != want.idx[k] ||
			    memcmp(&row.val[k], &want.val[k], 8) != 0)
				bad++;
	}
	CHECK(bad == 0);
	CHECK(am_fs_line(r) == rows);
	CHECK(am_fs_next(r, &row, &err) == 0);
	am_fs_close(r);
	am_src_close(src);

	/* two streams of one schema concatenated read as one */
	m.p = realloc(m.p, 2 * m.n);
	memcpy(m.p + m.n, m.p, m.n);
	CHECK(read_all(m.p, 2 * m.n, AM_FS_DETECT, &err) == 2 * (long)rows);
	free(m.p);
}

/* Every prefix of a stream is an error; so is every one-bit flip. */
static void
test_bin_damage(void)
{
	struct am_fs_schema s;
	struct am_err err = { 0 };
	struct mem m = { 0 };
	size_t n, bit, ok = 0, crash = 0;
	unsigned char *p;
	long got;

	schema_init(&s);
	CHECK(write_all(AM_FS_BIN, &s, 5, &m) == 0);
	CHECK(read_all(m.p, m.n, AM_FS_BIN, &err) == 5);
	for (n = 0; n < m.n; n++) {
		got = read_all(m.p, n, AM_FS_BIN, &err);
		if (got >= 0)
			ok++;
		else if (got != AM_EFORMAT)
			crash++;
	}
	CHECK(ok == 0 && crash == 0);
	/* the cut mid-block message */
	CHECK(read_all(m.p, m.n - 30, AM_FS_BIN, &err) == AM_EFORMAT);
	CHECK(strcmp(err.msg, "mem: truncated binary stream (cut mid-block)") ==
	    0);
	CHECK(read_all(m.p, m.n - 24, AM_FS_BIN, &err) == AM_EFORMAT);
	CHECK(strstr(err.msg, "end block missing") != NULL);

	p = malloc(m.n);
	for (bit = 0; bit < 8 * m.n; bit++) {
		memcpy(p, m.p, m.n);
		p[bit / 8] ^= (unsigned char)(1u << (bit % 8));
		got = read_all(p, m.n, AM_FS_BIN, &err);
		if (got >= 0)
			ok++;
	}
	CHECK(ok == 0);
	free(p);
	free(m.p);
}

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static void
test_bin_limits(void)
{
	struct am_fs_schema s = { 0 };
	struct am_err err = { 0 };
	struct mem m = { 0 };
	unsigned char *p;
	uint64_t sum;
	size_t hlen;

	/* an empty stream: header, end block, no rows */
	s.target = n_y;
	CHECK(write_all(AM_FS_BIN, &s, 0, &m) == 0);
	CHECK(read_all(m.p, m.n, AM_FS_DETECT, &err) == 0);

	/* a header length of 4 GiB */
	p = (unsigned char *)m.p;
	put32(p + 12, 0xffffffffu);
	CHECK(read_all(p, m.n, AM_FS_BIN, &err) == AM_ELIMIT);
	CHECK(strstr(err.msg, "exceeds the limit") != NULL);
	free(m.p);
	m.p = NULL;

	/* a block claiming 4 GiB, then 1e9 rows in 200 MiB */
	schema_init(&s);
	CHECK(write_all(AM_FS_BIN, &s, 1, &m) == 0);
	p = (unsigned char *)m.p;
	hlen = 24 + (size_t)(p[12] | p[13] << 8);
	put32(p + hlen + 4, 0xfffffff0u);
	CHECK(read_all(p, m.n, AM_FS_BIN, &err) == AM_ELIMIT);
	put32(p + hlen, 1000000000u);
	put32(p + hlen + 4, 200u << 20);
	CHECK(read_all(p, m.n, AM_FS_BIN, &err) == AM_EFORMAT);
	put32(p + hlen, 2000u);
	CHECK(read_all(p, m.n, AM_FS_BIN, &err) == AM_EFORMAT);
	CHECK(strstr(err.msg, "cut mid-block") != NULL);

	/* a feature count of 2^30 with a valid checksum */
	free(m.p);
	m.p = NULL;
	memset(&s, 0, sizeof(s));
	CHECK(write_all(AM_FS_BIN, &s, 0, &m) == 0);
	p = (unsigned char *)m.p;
	CHECK(p[12] == 16); /* flags, nid, nclass, nfeat */
	put32(p + 24 + 12, 1u << 30);
	sum = am_fs_checksum(p + 24, 16);
	put32(p + 16, (uint32_t)sum);
	put32(p + 20, (uint32_t)(sum >> 32));
	CHECK(read_all(p, m.n, AM_FS_BIN, &err) == AM_ELIMIT);
	CHECK(strstr(err.msg, "feature count exceeds the limit") != NULL);
	/* 2^20 features declared in a 16-byte header */
	put32(p + 24 + 12, 1u << 20);
	sum = am_fs_checksum(p + 24, 16);
	put32(p + 16, (uint32_t)sum);
	put32(p + 20, (uint32_t)(sum >> 32));
	CHECK(read_all(p, m.n, AM_FS_BIN, &err) == AM_EFORMAT);
	free(m.p);

	/* not a stream at all */
	CHECK(read_all("hello", 5, AM_FS_BIN, &err) == AM_EFORMAT);
	CHECK(strstr(err.msg, "bad magic") != NULL);
	CHECK(read_all("", 0, AM_FS_BIN, &err) == AM_EFORMAT);
}

/* Fletcher-64 computed the slow, obvious way. */
static uint64_t
fletcher_ref(const unsigned char *p, size_t n)
{
	uint64_t s1 = 0, s2 = 0, w;
	size_t i, k;

	for (i = 0; i < n; i += 4) {
		for (w = 0, k = 0; k < 4; k++)
			if (i + k < n)
				w |= (uint64_t)p[i + k] << (8 * k);
		s1 = (s1 + w) % 0xffffffffu;
		s2 = (s2 + s1) % 0xffffffffu;
	}
	return s2 << 32 | s1;
}

static void
test_checksum(void)
{
	unsigned char *p = malloc(100003);
	size_t i;

	for (i = 0; i < 100003; i++)
		p[i] = (unsigned char)(i * 2654435761u >> 13);
	CHECK(am_fs_checksum(p, 100003) == fletcher_ref(p, 100003));
	CHECK(am_fs_checksum(p, 7) == fletcher_ref(p, 7));
	CHECK(am_fs_checksum(p, 0) == 0);
	memset(p, 0xff, 100003);
	CHECK(am_fs_checksum(p, 100000) == fletcher_ref(p, 100000));
	/* "abcd": s1 = 0x64636261, s2 = s1 */
	CHECK(am_fs_checksum("abcd", 4) == 0x6463626164636261u);
	free(p);
}

static void
test_libsvm(void)
{
	const char *good = "+1 1:0.5 3:-2e3  7:1 # id\n"
	                   "\n"
	                   "0\n"
	                   "-1 2:0.25\r\n";
	struct am_src *src;
	struct am_fs_reader *r;
	struct am_fs_row row;
	struct am_err err = { 0 };
	struct mem m = { 0 };
	FILE *fp;
	struct am_fs_writer *w;

	r = open_mem(good, strlen(good), AM_FS_LIBSVM, &src, &err);
	CHECK(r != NULL);
	if (r == NULL)
		return;
	CHECK(am_fs_next(r, &row, &err) == 1);
	CHECK(row.target == 1 && row.nnz == 3 && row.idx[0] == 0 &&
	    row.idx[1] == 2 && row.idx[2] == 6 && row.val[1] == -2000);
	CHECK(am_fs_schema(r)->nfeat == 7);
	CHECK(strcmp(am_fs_schema(r)->feat[6], "7") == 0);
	CHECK(am_fs_next(r, &row, &err) == 1);
	CHECK(row.target == 0 && row.nnz == 0 && am_fs_line(r) == 3);
	CHECK(am_fs_next(r, &row, &err) == 1);
	CHECK(row.target == -1 && row.nnz == 1 && row.val[0] == 0.25);
	CHECK(am_fs_next(r, &row, &err) == 0);

	/* write it back: exact digits, only nonzero values */
	fp = open_memstream(&m.p, &m.n);
	w = am_fs_writer_open(fp, AM_FS_LIBSVM, am_fs_schema(r), &err);
	row.target = 1;
	row.val = (double[]){ 0.1, 0, 1.0 / 3 };
	row.idx = (uint32_t[]){ 0, 3, 6 };
	row.nnz = 3;
	CHECK(am_fs_write(w, &row, &err) == 0);
	CHECK(am_fs_writer_close(w, &err) == 0);
	(void)fclose(fp);
	CHECK(strcmp(m.p, "1 1:0.1 7:0.3333333333333333\n") == 0);
	free(m.p);
	am_fs_close(r);
	am_src_close(src);

	CHECK(read_all("1 0:1\n", 6, AM_FS_LIBSVM, &err) == AM_EFORMAT);
	CHECK(strcmp(err.msg, "mem:1: index 0 (indices start at 1)") == 0);
	CHECK(read_all("1 2:1\n0 3:1 3:2\n", 16, AM_FS_LIBSVM, &err) ==
	    AM_EFORMAT);
	CHECK(strcmp(err.msg,
	          "mem:2: index 3 after 3 (indices must increase)") == 0);
	CHECK(read_all("1 2:x\n", 6, AM_FS_LIBSVM, &err) == AM_EFORMAT);
	CHECK(strcmp(err.msg, "mem:1: index 2: 'x' is not a number") == 0);
	CHECK(read_all("yes 2:1\n", 8, AM_FS_LIBSVM, &err) == AM_EFORMAT);
	CHECK(strcmp(err.msg, "mem:1: label 'yes' is not a number") == 0);
	CHECK(read_all("1 a:1\n", 6, AM_FS_LIBSVM, &err) == AM_EFORMAT);
	CHECK(
	    read_all("1 99999999999:1\n", 16, AM_FS_LIBSVM, &err) == AM_ELIMIT);
	CHECK(read_all("1 2:nan\n", 8, AM_FS_LIBSVM, &err) == AM_EFORMAT);
	CHECK(read_all("", 0, AM_FS_LIBSVM, &err) == 0);
}

/*
 * LIBSVM names "1".."n" live in one block that grows with the largest
 * index (2026-11-29: one malloc per name made an index of 2^24 take
 * gigabytes); a schema copy packs its names the same way.
 */
static void
test_libsvm_names(void)
{
	const char *in = "1 3:1\n-1 1000:2\n1 70000:1\n";
	struct am_src *src;
	struct am_fs_reader *r;
	struct am_fs_row row;
	struct am_err err = { 0 };
	struct am_fs_schema c = { 0 }, d = { 0 };
	const struct am_fs_schema *s;
	char buf[24];
	size_t i, bad = 0;

	r = open_mem(in, strlen(in), AM_FS_LIBSVM, &src, &err);
	CHECK(r != NULL);
	if (r == NULL)
		return;
	CHECK(am_fs_next(r, &row, &err) == 1);
	CHECK(am_fs_schema(r)->nfeat == 3);
	CHECK(am_fs_next(r, &row, &err) == 1);
	CHECK(am_fs_schema(r)->nfeat == 1000);
	CHECK(am_fs_next(r, &row, &err) == 1);
	s = am_fs_schema(r);
	CHECK(s->nfeat == 70000 && s->names != NULL);
	for (i = 0; i < s->nfeat; i++) {
		(void)snprintf(buf, sizeof(buf), "%zu", i + 1);
		bad += strcmp(s->feat[i], buf) != 0;
	}
	CHECK(bad == 0);
	CHECK(am_fs_schema_copy(&c, s) == 0);
	CHECK(c.nfeat == 70000 && c.names != NULL && c.feat[0] != s->feat[0]);
	CHECK(strcmp(c.feat[69999], "70000") == 0 &&
	    strcmp(c.target, "label") == 0);
	CHECK(am_fs_schema_copy(&d, &c) == 0 && strcmp(d.feat[9], "10") == 0);
	am_fs_schema_release(&c);
	am_fs_schema_release(&d);
	CHECK(am_fs_next(r, &row, &err) == 0);
	am_fs_close(r);
	am_src_close(src);

	/* the largest index: AM_FS_MAX_INDEX, one more is refused */
	(void)snprintf(buf, sizeof(buf), "1 %u:1\n", (unsigned)AM_FS_MAX_INDEX);
	CHECK(read_all(buf, strlen(buf), AM_FS_LIBSVM, &err) == 1);
	(void)snprintf(buf, sizeof(buf), "1 %u:1\n",
	    (unsigned)AM_FS_MAX_INDEX + 1);
	CHECK(read_all(buf, strlen(buf), AM_FS_LIBSVM, &err) == AM_ELIMIT);
	CHECK(strstr(err.msg, "exceeds the limit of 4194304") != NULL);

	/* a caller's lower limit (opts.max_index); a higher one is clamped */
	{
		static const char txt[] = "1 100:1\n1 101:1\n";
		struct am_fs_opts o = AM_FS_OPTS_INIT;
		unsigned long lim[] = { 100, AM_FS_MAX_INDEX + 1ul };
		size_t k;

		for (k = 0; k < 2; k++) {
			FILE *fp = fmemopen((void *)(uintptr_t)txt,
			    sizeof(txt) - 1, "rb");

			o.format = AM_FS_LIBSVM;
			o.max_index = lim[k];
			CHECK((src = am_src_fdopen(fp, "mem", &err)) != NULL);
			CHECK((r = am_fs_open(src, &o, &err)) != NULL);
			CHECK(am_fs_next(r, &row, &err) == 1);
			CHECK(am_fs_next(r, &row, &err) ==
			    (k == 0 ? AM_ELIMIT : 1));
			if (k == 0)
				CHECK(strstr(err.msg,
				          "exceeds the limit of "
				          "100 ") != NULL);
			am_fs_close(r);
			am_src_close(src);
		}
	}
}

/*
 * Numbers in CSV and LIBSVM text go through am_parse_number(), whose
 * fast path (Clinger's: a significand of at most 2^53 times an exact
 * power of ten up to 1e22) must give the very double strtod() gives:
 * two million random decimal strings of every shape, compared bit for
 * bit.
 */
static uint64_t
next_rand(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static void
test_numbers(void)
{
	uint64_t x = 88172645463325252u, u;
	char buf[96];
	double a, b;
	size_t i, n, k, bad = 0, fails = 0;
	int len;

	for (i = 0; i < 2000000; i++) {
		u = next_rand(&x);
		n = 0;
		if (u & 1)
			buf[n++] = '-';
		switch ((u >> 1) % 4) {
		case 0: /* like "%.6f" of the benchmark data */
			len = snprintf(buf + n, sizeof(buf) - n, "%.*f",
			    (int)((u >> 3) % 10),
			    (double)(next_rand(&x) % 100000000) / 1e3);
			n += (size_t)len;
			break;
		case 1: /* any double, shortest-ish and round-trip digits */
			u = next_rand(&x);
			memcpy(&a, &u, sizeof(a));
			if (!isfinite(a))
				a = 1.5;
			len = snprintf(buf + n, sizeof(buf) - n, "%.*g",
			    (int)(1 + next_rand(&x) % 17), fabs(a));
			n += (size_t)len;
			break;
		default: /* random digits, point and exponent */
			for (k = (u >> 3) % 21; k > 0; k--)
				buf[n++] = (char)('0' + next_rand(&x) % 10);
			if ((u >> 8) & 1) {
				buf[n++] = '.';
				for (k = (u >> 9) % 21; k > 0; k--)
					buf[n++] =
					    (char)('0' + next_rand(&x) % 10);
			}
			if (n == 0 || buf[n - 1] == '-' || buf[n - 1] == '.')
				buf[n++] = '7';
			if ((u >> 14) & 1) {
				len = snprintf(buf + n, sizeof(buf) - n, "e%d",
				    (int)((u >> 15) % 61) - 30);
				n += (size_t)len;
			}
			break;
		}
		buf[n] = '\0';
		b = strtod(buf, NULL);
		if (am_parse_number(buf, n, &a) != 0) {
			fails += isfinite(b) != 0;
			continue;
		}
		if (memcmp(&a, &b, sizeof(a)) != 0 && bad++ < 5)
			(void)fprintf(stderr, "'%s': %.17g, strtod %.17g\n",
			    buf, a, b);
	}
	CHECK(bad == 0 && fails == 0);
}

static void
test_csv(void)
{
	const char *in = "id,x1,y,x2\n"
	                 "7,1.5,yes,0\n"
	                 "8,-0,no,2\n"
	                 "9,3,,4\n"
	                 "10,1,yes,1e300\n";
	const char *const ids[] = { "id" };
	struct am_fs_opts o = AM_FS_OPTS_INIT;
	struct am_fs_reader *r;
	struct am_fs_row row;
	struct am_err err = { 0 };
	struct am_src *src;
	const struct am_fs_schema *s;
	int rc;

	o.target = "y";
	o.ids = ids;
	o.nid = 1;
	src = am_src_fdopen(fmemopen((void *)(uintptr_t)in, strlen(in), "rb"),
	    "in.csv", &err);
	r = am_fs_open(src, &o, &err);
	CHECK(r != NULL);
	if (r == NULL)
		return;
	s = am_fs_schema(r);
	CHECK(s->nfeat == 2 && strcmp(s->feat[1], "x2") == 0);
	while ((rc = am_fs_next(r, &row, &err)) == 1) {
		if (am_fs_line(r) == 2) /* classes grow as they appear */
			CHECK(s->nclass == 1 &&
			    strcmp(s->classes[0], "yes") == 0);
		if (am_fs_line(r) == 3)
			CHECK(row.target == 1 && row.nnz == 2 &&
			    signbit(row.val[0]) &&
			    strcmp(row.ids[0], "8") == 0);
		if (am_fs_line(r) == 4)
			CHECK(isnan(row.target));
	}
	CHECK(rc == 0 && s->nclass == 2);
	am_fs_close(r);
	am_src_close(src);

	/* a missing feature cell, a bad number, an unknown column */
	src = am_src_fdopen(fmemopen((void *)(uintptr_t) "a,b\n1,\n", 7, "rb"),
	    "in.csv", &err);
	o.ids = NULL;
	o.nid = 0;
	o.target = NULL;
	r = am_fs_open(src, &o, &err);
	CHECK(r != NULL && am_fs_next(r, &row, &err) == AM_EFORMAT);
	CHECK(strncmp(err.msg, "in.csv:2: column 'b': missing value", 35) == 0);
	am_fs_close(r);
	am_src_close(src);
	src = am_src_fdopen(fmemopen((void *)(uintptr_t) "a,b\n1,2\n", 8, "rb"),
	    "in.csv", &err);
	o.target = "c";
	CHECK(am_fs_open(src, &o, &err) == NULL && err.code == AM_EARG);
	CHECK(strcmp(err.msg, "in.csv: target column 'c' not found") == 0);
	am_src_close(src);
}

/* Read 'in' as 'from', write it as 'to' into 'm'; 0 or an error. */
static int
convert(const char *in, size_t len, int from, int to, struct mem *m)
{
	struct am_fs_opts o = AM_FS_OPTS_INIT;
	struct am_err err = { 0 };
	struct am_src *src;
	struct am_fs_reader *r;
	struct am_fs_writer *w;
	struct am_fs_row row;
	FILE *fp;
	int rc;

	o.target = "y";
	o.format = from;
	src = am_src_fdopen(fmemopen((void *)(uintptr_t)in, len, "rb"), "x",
	    &err);
	if ((r = am_fs_open(src, &o, &err)) == NULL) {
		am_src_close(src);
		return err.code;
	}
	fp = open_memstream(&m->p, &m->n);
	w = am_fs_writer_open(fp, to, am_fs_schema(r), &err);
	while ((rc = am_fs_next(r, &row, &err)) == 1)
		if ((rc = am_fs_write(w, &row, &err)) != 0)
			break;
	if (am_fs_writer_close(w, &err) != 0 && rc == 0)
		rc = err.code;
	(void)fclose(fp);
	am_fs_close(r);
	am_src_close(src);
	return rc;
}

/* csv -> bin -> csv and bin -> libsvm keep every value. */
static void
test_convert(void)
{
	const char *in = "y,a,b,c\n"
	                 "1,0.1,0,3.14159265358979\n"
	                 "0,0,-2.5e-07,0\n"
	                 "1,123456789012345,1,-1\n";
	struct mem bin = { 0 }, csv = { 0 }, svm = { 0 }, back = { 0 };

	CHECK(convert(in, strlen(in), AM_FS_CSV, AM_FS_BIN, &bin) == 0);
	CHECK(convert(bin.p, bin.n, AM_FS_DETECT, AM_FS_CSV, &csv) == 0);
	CHECK(csv.p != NULL && strcmp(csv.p, in) == 0);
	CHECK(convert(bin.p, bin.n, AM_FS_BIN, AM_FS_LIBSVM, &svm) == 0);
	CHECK(svm.p != NULL &&
	    strcmp(svm.p,
	        "1 1:0.1 3:3.14159265358979\n"
	        "0 2:-2.5e-07\n"
	        "1 1:123456789012345 2:1 3:-1\n") == 0);
	/* LIBSVM to CSV: features are named "1", "2", ... as they appear */
	CHECK(convert(svm.p, svm.n, AM_FS_LIBSVM, AM_FS_CSV, &back) == AM_EARG);
	free(back.p);
	free(bin.p);
	free(csv.p);
	free(svm.p);
}

/* Buffer every CSV or LIBSVM row (no ids), then write them with the
 * final schema: classes and features appear as rows are read. */
static int
convert_svm(struct am_fs_reader *r, struct am_src *src, int to)
{
	struct am_err err = { 0 };
	struct am_fs_writer *w;
	struct am_fs_row row;
	size_t n = 0, i, k, nv = 0, *start = NULL, *count = NULL;
	double *tgt = NULL, *val = NULL;
	uint32_t *idx = NULL;
	int rc;

	while ((rc = am_fs_next(r, &row, &err)) == 1) {
		start = realloc(start, (n + 1) * sizeof(*start));
		count = realloc(count, (n + 1) * sizeof(*count));
		tgt = realloc(tgt, (n + 1) * sizeof(*tgt));
		idx = realloc(idx, (nv + row.nnz + 1) * sizeof(*idx));
		val = realloc(val, (nv + row.nnz + 1) * sizeof(*val));
		start[n] = nv;
		count[n] = row.nnz;
		tgt[n++] = row.target;
		for (k = 0; k < row.nnz; k++, nv++) {
			idx[nv] = row.idx[k];
			val[nv] = row.val[k];
		}
	}
	if (rc == 0 &&
	    (w = am_fs_writer_open(stdout, to, am_fs_schema(r), &err)) !=
	        NULL) {
		for (i = 0; i < n && rc == 0; i++) {
			row.ids = NULL;
			row.target = tgt[i];
			row.weight = 1;
			row.nnz = count[i];
			row.idx = idx + start[i];
			row.val = val + start[i];
			rc = am_fs_write(w, &row, &err);
		}
		if (am_fs_writer_close(w, &err) != 0)
			rc = -1;
	} else
		rc = -1;
	if (rc != 0)
		(void)fprintf(stderr, "test_fs: %s\n", err.msg);
	free(start);
	free(count);
	free(tgt);
	free(idx);
	free(val);
	am_fs_close(r);
	am_src_close(src);
	return rc != 0;
}

/*
 * "test_fs --convert FROM TO [TARGET]": copy a feature stream from stdin
 * to stdout (formats csv, bin, libsvm, detect), for tests/stream.bats.
 * LIBSVM input is buffered so that the writer knows every feature.
 */
static int
convert_main(char *argv[])
{
	struct am_fs_opts o = AM_FS_OPTS_INIT;
	struct am_err err = { 0 };
	struct am_fs_reader *r = NULL;
	struct am_fs_writer *w = NULL;
	struct am_fs_row row;
	struct am_src *src = NULL;
	int to = am_fs_format_byname(argv[3]), rc;

	o.format = strcmp(argv[2], "detect") == 0
	    ? AM_FS_DETECT
	    : am_fs_format_byname(argv[2]);
	o.target = argv[4];
	if ((src = am_src_open("-", &err)) == NULL ||
	    (r = am_fs_open(src, &o, &err)) == NULL)
		goto fail;
	if (o.format != AM_FS_BIN &&
	    o.format != AM_FS_DETECT) /* the schema grows */
		return convert_svm(r, src, to);
	if ((w = am_fs_writer_open(stdout, to, am_fs_schema(r), &err)) == NULL)
		goto fail;
	while ((rc = am_fs_next(r, &row, &err)) == 1)
		if (am_fs_write(w, &row, &err) != 0)
			goto fail;
	if (rc < 0 || am_fs_writer_close(w, &err) != 0)
		goto fail;
	am_fs_close(r);
	am_src_close(src);
	return fflush(stdout) != 0;
fail:
	(void)fprintf(stderr, "test_fs: %s\n", err.msg);
	if (w != NULL)
		(void)am_fs_writer_close(w, NULL);
	am_fs_close(r);
	am_src_close(src);
	return 1;
}

int
main(int argc, char *argv[])
{
	if (argc >= 4 && strcmp(argv[1], "--convert") == 0)
		return convert_main(argv);
	CHECK(am_fs_format_byname("bin") == AM_FS_BIN);
	CHECK(am_fs_format_byname("libsvm") == AM_FS_LIBSVM);
	CHECK(am_fs_format_byname("csv") == AM_FS_CSV);
	CHECK(am_fs_format_byname("json") == -1);
	test_checksum();
	test_bin_roundtrip();
	test_bin_damage();
	test_bin_limits();
	test_libsvm();
	test_libsvm_names();
	test_numbers();
	test_csv();
	test_convert();
	return unit_failures;
}
