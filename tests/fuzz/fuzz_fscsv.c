/* SPDX-License-Identifier: MIT */
/*
 * fuzz_fscsv.c -- a CSV feature stream (the CSV input of am-train and
 * am-predict) with roles.  The first byte picks them: bit 0 target "y",
 * bit 1 id "id", bit 2 weight "w", bit 3 skip bad records; bits 4-5 the
 * delimiter (detect, ',', ';', TAB).
 */
#include "fuzz.h"
#include "rows.h"

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static const char *const ids[] = { "id" };
	static const int delims[] = { 0, ',', ';', '\t' };
	struct am_fs_opts o = AM_FS_OPTS_INIT;

	if (size < 1)
		return 0;
	o.format = AM_FS_CSV;
	if (data[0] & 1)
		o.target = "y";
	if (data[0] & 2) {
		o.ids = ids;
		o.nid = 1;
	}
	if (data[0] & 4)
		o.weight = "w";
	o.csv.flags = (data[0] & 8) ? AM_CSV_SKIP_BAD : 0;
	o.csv.delim = delims[(data[0] >> 4) & 3];
	fuzz_rows(data + 1, size - 1, &o);
	return 0;
}
