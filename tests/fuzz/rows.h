/* SPDX-License-Identifier: MIT */
/*
 * rows.h -- read every row of a feature stream and check the contract of
 * am_fs.h on each: indices increasing and below nfeat, a categorical
 * target a valid class index, ids present, errors one line.
 */
#ifndef FUZZ_ROWS_H
#define FUZZ_ROWS_H

#include <math.h>

#include "am_fs.h"
#include "fuzz.h"

static inline void
fuzz_rows(const unsigned char *data, size_t size, const struct am_fs_opts *o)
{
	const struct am_fs_schema *s;
	struct am_fs_reader *r;
	struct am_fs_row row;
	struct am_src *src;
	struct am_err err;
	unsigned long rows = 0;
	char *copy;
	size_t j, named = 0;
	int rc = 0;

	if ((src = fuzz_src(data, size, &copy)) == NULL) {
		free(copy);
		return;
	}
	memset(&err, 0, sizeof(err));
	if ((r = am_fs_open(src, o, &err)) == NULL) {
		fuzz_check_msg(err.msg);
		goto done;
	}
	FUZZ_CHECK(o->format == AM_FS_DETECT || am_fs_format(r) == o->format);
	while (rows++ < 100000 && (rc = am_fs_next(r, &row, &err)) == 1) {
		s = am_fs_schema(r);
		FUZZ_CHECK(s->nfeat <= AM_FS_MAX_FEAT);
		for (j = 0; j < row.nnz; j++) {
			FUZZ_CHECK(row.idx[j] < s->nfeat);
			FUZZ_CHECK(j == 0 || row.idx[j - 1] < row.idx[j]);
			(void)isnan(row.val[j]);
		}
		for (j = 0; j < s->nid; j++)
			FUZZ_CHECK(row.ids[j] != NULL &&
			    strlen(row.ids[j]) <= AM_FS_MAX_NAME);
		/* names only grow: check each new one once, not per row */
		for (j = named; j < s->nfeat; j++)
			FUZZ_CHECK(s->feat[j] != NULL);
		named = s->nfeat;
		if (s->nclass > 0 && !isnan(row.target))
			FUZZ_CHECK(row.target >= 0 &&
			    row.target < (double)s->nclass &&
			    row.target == floor(row.target));
		(void)am_fs_line(r);
	}
	if (rc < 0)
		fuzz_check_msg(err.msg);
	am_fs_close(r);
done:
	am_src_close(src);
	free(copy);
}

#endif
