/* SPDX-License-Identifier: MIT */
/*
 * test_csv.c -- the CSV reader and writer: every dialect case, every
 * error, the numeric parse and the chunk boundaries of am_src.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am_csv.h"
#include "am_err.h"
#include "am_io.h"
#include "unit.h"

struct t {
	struct am_src *src;
	struct am_csv_reader *r;
	struct am_err err;
};

/* Open a reader over the 'n' bytes at 's'; NULL reader on failure. */
static void
topen(struct t *t, const char *s, size_t n, const struct am_csv_opts *o)
{
	FILE *fp = fmemopen((void *)(uintptr_t)s, n, "r");

	memset(&t->err, 0, sizeof(t->err));
	t->r = NULL;
	t->src = am_src_fdopen(fp, "t.csv", &t->err);
	if (t->src != NULL)
		t->r = am_csv_open(t->src, o, &t->err);
}

static void
tclose(struct t *t)
{
	am_csv_close(t->r);
	am_src_close(t->src);
}

static int
feq(const struct t *t, size_t i, const char *want)
{
	return strcmp(am_csv_field(t->r, i), want) == 0 &&
	    am_csv_len(t->r, i) == strlen(want);
}

static void
test_basic(void)
{
	static const char in[] = "a,b,c\n1,x y,3.5\n,NA,\"\"\n";
	struct t t;
	double v;

	topen(&t, in, sizeof(in) - 1, NULL);
	CHECK(t.r != NULL);
	if (t.r == NULL)
		return;
	CHECK(am_csv_ncols(t.r) == 3);
	CHECK(strcmp(am_csv_colname(t.r, 1), "b") == 0);
	CHECK(am_csv_col(t.r, "c") == 2);
	CHECK(am_csv_col(t.r, "z") == -1);
	CHECK(am_csv_delim(t.r) == ',');
	CHECK(am_csv_next(t.r, &t.err) == 1);
	CHECK(am_csv_line(t.r) == 2);
	CHECK(feq(&t, 0, "1") && feq(&t, 1, "x y") && feq(&t, 2, "3.5"));
	CHECK(am_csv_double(t.r, 2, &v, &t.err) == 0 && v == 3.5);
	CHECK(am_csv_double(t.r, 1, &v, &t.err) == AM_EFORMAT);
	CHECK(strcmp(t.err.msg, "t.csv:2: column 'b': 'x y' is not a number") ==
	    0);
	CHECK(am_csv_next(t.r, &t.err) == 1);
	CHECK(am_csv_line(t.r) == 3);
	CHECK(am_csv_missing(t.r, 0) && am_csv_missing(t.r, 1));
	CHECK(!am_csv_missing(t.r, 2) && feq(&t, 2, ""));
	CHECK(feq(&t, 1, "NA"));
	CHECK(am_csv_double(t.r, 0, &v, &t.err) == 1 && isnan(v));
	CHECK(am_csv_next(t.r, &t.err) == 0);
	CHECK(am_csv_next(t.r, &t.err) == 0);
	tclose(&t);
}

static void
test_delims(void)
{
	static const struct {
		const char *in;
		int delim;
	} c[] = {
		{ "a;b;c\n1;2;3\n", ';' }, { "a\tb\tc\n1\t2\t3\n", '\t' },
		{ "a|b|c\n1|2|3\n", '|' },
		{ "a,b;c|d\n1,2;3|4\n", ',' }, /* tie: ',' */
		{ "\"a;b\",c\n1,2\n", ',' },   /* ';' inside quotes */
		{ "x\n1\n", ',' },             /* none: ',' */
	};
	size_t i;
	struct t t;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		topen(&t, c[i].in, strlen(c[i].in), NULL);
		CHECK(t.r != NULL);
		if (t.r == NULL)
			continue;
		CHECK(am_csv_delim(t.r) == c[i].delim);
		CHECK(am_csv_next(t.r, &t.err) == 1);
		CHECK(feq(&t, 0, "1"));
		tclose(&t);
	}
	/* A given delimiter wins over detection. */
	{
		struct am_csv_opts o = { ';', 0, NULL };
		static const char in[] = "a,b;c\n1,2;3\n";
		topen(&t, in, sizeof(in) - 1, &o);
		CHECK(t.r != NULL && am_csv_ncols(t.r) == 2);
		CHECK(
		    t.r != NULL && strcmp(am_csv_colname(t.r, 0), "a,b") == 0);
		tclose(&t);
	}
}

static void
test_quotes(void)
{
	static const char in[] = "id,text,n\r\n"
	                         "1,\"say \"\"hi\"\"\",2\r\n"
	                         "2,\"two\r\nlines\nthree\",3\r\n"
	                         "3,\"a,b\",\" sp \"\r\n"
	                         "4,in\"side,5\r\n";
	struct t t;

	topen(&t, in, sizeof(in) - 1, NULL);
	CHECK(t.r != NULL);
	if (t.r == NULL)
		return;
	CHECK(strcmp(am_csv_colname(t.r, 2), "n") == 0); /* no '\r' */
	CHECK(am_csv_next(t.r, &t.err) == 1);
	CHECK(feq(&t, 1, "say \"hi\"") && feq(&t, 2, "2"));
	CHECK(am_csv_next(t.r, &t.err) == 1);
	CHECK(am_csv_line(t.r) == 3);
	CHECK(feq(&t, 1, "two\r\nlines\nthree"));
	CHECK(am_csv_next(t.r, &t.err) == 1);
	CHECK(am_csv_line(t.r) == 6);
	CHECK(feq(&t, 1, "a,b") && feq(&t, 2, " sp "));
	CHECK(am_csv_next(t.r, &t.err) == 1);
	CHECK(am_csv_line(t.r) == 7);
	CHECK(feq(&t, 1, "in\"side"));
	CHECK(am_csv_next(t.r, &t.err) == 0);
	tclose(&t);
}

static void
test_bom_blank_eof(void)
{
	/* BOM, CRLF, blank lines skipped, spaces kept, no final newline. */
	static const char in[] = "\xef\xbb\xbf"
	                         "name;v\r\n"
	                         "\r\n"
	                         " a ;1\r\n"
	                         "\n"
	                         "b;2";
	struct t t;

	topen(&t, in, sizeof(in) - 1, NULL);
	CHECK(t.r != NULL);
	if (t.r == NULL)
		return;
	CHECK(am_csv_delim(t.r) == ';');
	CHECK(strcmp(am_csv_colname(t.r, 0), "name") == 0);
	CHECK(am_csv_next(t.r, &t.err) == 1);
	CHECK(am_csv_line(t.r) == 3 && feq(&t, 0, " a "));
	CHECK(am_csv_next(t.r, &t.err) == 1);
	CHECK(am_csv_line(t.r) == 5 && feq(&t, 0, "b") && feq(&t, 1, "2"));
	CHECK(am_csv_next(t.r, &t.err) == 0);
	tclose(&t);
}

static void
test_missing_tokens(void)
{
	static const char *const tok[] = { "-", "n/a", NULL };
	struct am_csv_opts o = { 0, 0, tok };
	static const char in[] = "a,b,c,d\n-,n/a,NA,\n";
	struct t t;

	topen(&t, in, sizeof(in) - 1, &o);
	CHECK(t.r != NULL);
	if (t.r == NULL)
		return;
	CHECK(am_csv_next(t.r, &t.err) == 1);
	CHECK(am_csv_missing(t.r, 0) && am_csv_missing(t.r, 1));
	CHECK(!am_csv_missing(t.r, 2)); /* replaced the defaults */
	CHECK(am_csv_missing(t.r, 3));  /* empty unquoted: always */
	tclose(&t);
}

static void
test_errors(void)
{
	struct am_csv_opts skip = { 0, AM_CSV_SKIP_BAD, NULL };
	struct t t;

	topen(&t, "", 0, NULL);
	CHECK(t.r == NULL && t.err.code == AM_EFORMAT);
	CHECK(strcmp(t.err.msg, "t.csv: empty input, expected a header line") ==
	    0);
	tclose(&t);

	topen(&t, "\n\r\n", 3, NULL);
	CHECK(t.r == NULL && t.err.code == AM_EFORMAT);
	tclose(&t);

	topen(&t, "a,b\n", 4, NULL); /* header only */
	CHECK(t.r != NULL && am_csv_next(t.r, &t.err) == 0);
	tclose(&t);

	topen(&t, "a,b\n1,2\n1,2,3\n", 14, NULL);
	CHECK(t.r != NULL);
	CHECK(t.r != NULL && am_csv_next(t.r, &t.err) == 1);
	CHECK(t.r != NULL && am_csv_next(t.r, &t.err) == AM_EFORMAT);
	CHECK(strcmp(t.err.msg, "t.csv:3: expected 2 fields, found 3") == 0);
	tclose(&t);

	topen(&t, "a,b\n1\n1,2\n\"x\ny\"\n3,4\n", 20, &skip);
	CHECK(t.r != NULL);
	if (t.r != NULL) {
		CHECK(am_csv_next(t.r, &t.err) == 1 && feq(&t, 0, "1") &&
		    am_csv_line(t.r) == 3);
		CHECK(am_csv_next(t.r, &t.err) == 1 && feq(&t, 0, "3") &&
		    am_csv_line(t.r) == 6);
		CHECK(am_csv_next(t.r, &t.err) == 0);
		CHECK(am_csv_skipped(t.r) == 2);
	}
	tclose(&t);

	topen(&t, "a,b\n1,2\n3,\"open\nx,y\n", 20, NULL);
	CHECK(t.r != NULL && am_csv_next(t.r, &t.err) == 1);
	CHECK(t.r != NULL && am_csv_next(t.r, &t.err) == AM_EFORMAT);
	CHECK(
	    strncmp(t.err.msg, "t.csv:3: unterminated quoted field", 34) == 0);
	tclose(&t);

	topen(&t, "a,\"b\n", 5, NULL); /* in the header */
	CHECK(t.r == NULL && t.err.code == AM_EFORMAT);
	CHECK(strncmp(t.err.msg, "t.csv:1: unterminated", 21) == 0);
	tclose(&t);
}

static void
test_limits(void)
{
	size_t n = (size_t)AM_CSV_MAX_COLS + 1, i;
	char *s = malloc(2 * n + (size_t)AM_CSV_MAX_FIELD + 16);
	struct t t;

	if (s == NULL)
		return;
	for (i = 0; i < n; i++) {
		s[2 * i] = 'c';
		s[2 * i + 1] = i + 1 < n ? ',' : '\n';
	}
	topen(&t, s, 2 * n, NULL);
	CHECK(t.r == NULL && t.err.code == AM_ELIMIT);
	CHECK(strcmp(t.err.msg, "t.csv:1: more than 100000 columns (limit)") ==
	    0);
	tclose(&t);

	/* A field of exactly the limit is read; one more byte is refused. */
	memcpy(s, "a\n", 2);
	memset(s + 2, 'x', AM_CSV_MAX_FIELD);
	s[2 + AM_CSV_MAX_FIELD] = '\n';
	topen(&t, s, 3 + (size_t)AM_CSV_MAX_FIELD, NULL);
	CHECK(t.r != NULL && am_csv_next(t.r, &t.err) == 1);
	CHECK(t.r != NULL && am_csv_len(t.r, 0) == AM_CSV_MAX_FIELD);
	tclose(&t);
	s[2 + AM_CSV_MAX_FIELD] = 'x';
	s[3 + AM_CSV_MAX_FIELD] = '\n';
	topen(&t, s, 4 + (size_t)AM_CSV_MAX_FIELD, NULL);
	CHECK(t.r != NULL && am_csv_next(t.r, &t.err) == AM_ELIMIT);
	CHECK(strcmp(t.err.msg,
	          "t.csv:2: field longer than 67108864 bytes (limit)") == 0);
	tclose(&t);
	free(s);
}

/* Records straddle am_src's 256 KiB chunks: every field must survive. */
static void
test_chunks(void)
{
	size_t cap = 4u << 20, n = 0, i, rows = 0, bad = 0;
	char *s = malloc(cap);
	struct t t;
	char want[64];

	if (s == NULL)
		return;
	n += (size_t)snprintf(s + n, cap - n, "k,q,v\n");
	for (i = 0; n + 200 < cap; i++)
		n += (size_t)snprintf(s + n, cap - n,
		    "%zu,\"q%zu\nline\",%zu.5\n", i, i, i * 7);
	topen(&t, s, n, NULL);
	CHECK(t.r != NULL);
	while (t.r != NULL && am_csv_next(t.r, &t.err) == 1) {
		(void)snprintf(want, sizeof(want), "%zu", rows);
		if (!feq(&t, 0, want) || am_csv_line(t.r) != 2 + 2 * rows)
			bad++;
		(void)snprintf(want, sizeof(want), "q%zu\nline", rows);
		if (!feq(&t, 1, want))
			bad++;
		rows++;
	}
	CHECK(rows == i);
	CHECK(bad == 0);
	tclose(&t);
	free(s);
}

static void
test_numbers(void)
{
	static const struct {
		const char *s;
		double v;
	} ok[] = {
		{ "0", 0 },
		{ "-0", -0.0 },
		{ "42", 42 },
		{ "+7", 7 },
		{ "3.25", 3.25 },
		{ "-0.001", -0.001 },
		{ ".5", 0.5 },
		{ "5.", 5 },
		{ "1e3", 1000 },
		{ "2.5E-3", 0.0025 },
		{ "0.1", 0.1 },
		{ "123456789012345678", 123456789012345678.0 },
		{ "1.7976931348623157e308", 1.7976931348623157e308 },
		{ "4.9e-324", 4.9e-324 },
		{ "1e-400", 0 },
		{ "0.30000000000000004", 0.30000000000000004 },
		{ "9007199254740993", 9007199254740993.0 },
	};
	static const char *const bad[] = { "", "-", "+", ".", "e5", "1e", "1e+",
		"nan", "NaN", "inf", "-Inf", "infinity", "0x1p3", "0x10", " 1",
		"1 ", "1,5", "1.2.3", "12a", "1e999", "--1", "1e5.5" };
	size_t i;
	double v;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		v = -1;
		CHECK(am_parse_number(ok[i].s, strlen(ok[i].s), &v) == 0);
		CHECK(v == ok[i].v && signbit(v) == signbit(ok[i].v));
		CHECK(v == strtod(ok[i].s, NULL));
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(am_parse_number(bad[i], strlen(bad[i]), &v) == -1);
	/* A prefix of a longer string (not NUL-terminated at 'len'). */
	CHECK(am_parse_number("12345678901234567890123,9", 23, &v) == 0 &&
	    v == 12345678901234567890123.0);
	CHECK(am_parse_number("2.5,x", 3, &v) == 0 && v == 2.5);
}

static void
test_writer(void)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&buf, &n);
	struct am_csv_writer w;

	if (fp == NULL)
		return;
	am_csv_writer_init(&w, fp, 0);
	am_csv_puts(&w, "plain");
	am_csv_puts(&w, "a,b");
	am_csv_puts(&w, "say \"hi\"");
	am_csv_puts(&w, " lead");
	am_csv_puts(&w, "two\nlines");
	am_csv_puts(&w, "");
	am_csv_put_quoted(&w, "", 0);
	am_csv_put(&w, "a;b", 3);
	am_csv_end(&w);
	am_csv_put_double(&w, 3);
	am_csv_put_double(&w, -12345678901234.0);
	am_csv_put_double(&w, 0.1);
	am_csv_put_double(&w, -0.0);
	am_csv_put_double(&w, (double)NAN);
	am_csv_put_double(&w, 1e15);
	am_csv_put_double(&w, 2.5e-7);
	am_csv_end(&w);
	am_csv_writer_init(&w, fp, ';');
	am_csv_puts(&w, "a;b");
	am_csv_puts(&w, "c,d");
	am_csv_end(&w);
	(void)fclose(fp);
	CHECK(buf != NULL &&
	    strcmp(buf,
	        "plain,\"a,b\",\"say \"\"hi\"\"\",\" lead\","
	        "\"two\nlines\",,\"\",a;b\n"
	        "3,-12345678901234,0.1,-0,,1e+15,2.5e-07\n"
	        "\"a;b\";c,d\n") == 0);
	free(buf);
}

/*
 * am_csv_verbatim(): which lines may be copied as they are, and the
 * fields of the in-place split of quoted lines (am_csv_record()).
 */
static void
test_verbatim(void)
{
	static const char in[] = "a,b,c\n"
	                         "1,x y,\n"    /* 2: verbatim */
	                         "1,NA,3\n"    /* 3: a token */
	                         "\"q\",b,c\n" /* 4: quotes not needed */
	                         "\"q,r\",\"s\"\"t\",\"\"\n" /* 5: needed */
	                         "1, x,3\n" /* 6: outer space */
	                         "1,2,3";   /* 7: no newline */
	static const int want[] = { 1, 0, 0, 1, 0 };
	const char *f[3], *line;
	unsigned char miss[3];
	size_t len[3], n;
	struct t t;
	int k;

	topen(&t, in, sizeof(in) - 1, NULL);
	CHECK(t.r != NULL);
	if (t.r == NULL)
		return;
	for (k = 0; k < 5; k++) {
		CHECK(am_csv_next(t.r, &t.err) == 1);
		CHECK(am_csv_verbatim(t.r, &line, &n) == want[k]);
		if (k == 0)
			CHECK(n == 6 && memcmp(line, "1,x y,", 6) == 0);
		am_csv_record(t.r, f, len, miss);
		if (k == 1)
			CHECK(miss[0] == 0 && miss[1] == 1 && len[1] == 2);
		if (k == 3)
			CHECK(strcmp(f[0], "q,r") == 0 &&
			    strcmp(f[1], "s\"t") == 0 && len[2] == 0 &&
			    miss[2] == 0);
		if (k == 0)
			CHECK(miss[2] == 1 && len[2] == 0);
	}
	CHECK(am_csv_next(t.r, &t.err) == 1);
	CHECK(am_csv_verbatim(t.r, &line, &n) == 0); /* read by libcsv */
	CHECK(feq(&t, 2, "3"));
	CHECK(am_csv_next(t.r, &t.err) == 0);
	tclose(&t);
}

int
main(void)
{
	test_basic();
	test_delims();
	test_quotes();
	test_bom_blank_eof();
	test_missing_tokens();
	test_errors();
	test_limits();
	test_chunks();
	test_numbers();
	test_writer();
	test_verbatim();
	return unit_failures;
}
