/* SPDX-License-Identifier: MIT */
/*
 * fuzz_csv.c -- the CSV reader under every dialect option.  The first
 * input byte picks the options; the rest is the CSV text:
 *
 *   bits 0-2  delimiter: detect, ',', ';', TAB, '|', ':', detect, detect
 *   bit 3     AM_CSV_SKIP_BAD
 *   bits 4-5  missing tokens: default, none, custom ("-", "n/a", ""), default
 *
 * For every record the fields are read as text, as missing-or-not and as
 * numbers, and written back with the writer.  Checked: the record has as
 * many fields as the header, lengths agree with strlen() unless a field
 * holds NUL bytes, and every error is one line.
 */
#include <math.h>

#include "am_csv.h"
#include "fuzz.h"

static const char *const none[] = { NULL };
static const char *const custom[] = { "-", "n/a", "", NULL };

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static const int delims[] = { 0, ',', ';', '\t', '|', ':', 0, 0 };
	struct am_csv_opts o = { 0 };
	struct am_csv_writer w;
	struct am_csv_reader *r;
	struct am_src *src;
	struct am_err err;
	unsigned long rows = 0;
	char *copy;
	FILE *out;
	size_t i, n;
	double d;
	int rc = 0;

	if (size < 1)
		return 0;
	o.delim = delims[data[0] & 7];
	o.flags = (data[0] & 8) ? AM_CSV_SKIP_BAD : 0;
	switch ((data[0] >> 4) & 3) {
	case 1:
		o.missing = none;
		break;
	case 2:
		o.missing = custom;
		break;
	default:
		o.missing = NULL;
	}
	if ((src = fuzz_src(data + 1, size - 1, &copy)) == NULL) {
		free(copy);
		return 0;
	}
	memset(&err, 0, sizeof(err));
	if ((r = am_csv_open(src, &o, &err)) == NULL) {
		fuzz_check_msg(err.msg);
		goto done;
	}
	n = am_csv_ncols(r);
	FUZZ_CHECK(n > 0 && n <= AM_CSV_MAX_COLS);
	FUZZ_CHECK(o.delim == 0 || am_csv_delim(r) == o.delim);
	for (i = 0; i < n; i++)
		FUZZ_CHECK(am_csv_colname(r, i) != NULL);
	FUZZ_CHECK(am_csv_col(r, am_csv_colname(r, 0)) == 0);
	out = fopen("/dev/null", "w");
	am_csv_writer_init(&w, out, ',');
	while (rows++ < 100000 && (rc = am_csv_next(r, &err)) == 1) {
		for (i = 0; i < n; i++) {
			const char *f = am_csv_field(r, i);
			size_t len = am_csv_len(r, i);
			FUZZ_CHECK(f != NULL && f[len] == '\0');
			FUZZ_CHECK(
			    memchr(f, '\0', len) != NULL || strlen(f) == len);
			if (am_csv_missing(r, i))
				FUZZ_CHECK(am_csv_double(r, i, &d, &err) == 1);
			else if (am_csv_double(r, i, &d, &err) == 0)
				FUZZ_CHECK(isfinite(d));
			else
				fuzz_check_msg(err.msg);
			if (out != NULL)
				am_csv_put(&w, f, len);
		}
		if (out != NULL)
			am_csv_end(&w);
		(void)am_csv_line(r);
	}
	if (rc < 0)
		fuzz_check_msg(err.msg);
	(void)am_csv_skipped(r);
	if (out != NULL)
		(void)fclose(out);
	am_csv_close(r);
done:
	am_src_close(src);
	free(copy);
	return 0;
}
