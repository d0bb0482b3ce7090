/* SPDX-License-Identifier: MIT */
/*
 * fuzz_libsvm.c -- the LIBSVM/SVMlight text reader.  The whole input is
 * the text; every row is checked against the contract of am_fs.h.  The
 * index limit is lowered to 65,536 (opts.max_index): the same code path,
 * but an input naming index 4,194,304 no longer spends ~30 MB and
 * milliseconds making 4M names, which held the harness to ~400 runs/s.
 */
#include "fuzz.h"
#include "rows.h"

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct am_fs_opts o = AM_FS_OPTS_INIT;

	o.format = AM_FS_LIBSVM;
	o.max_index = 1ul << 16;
	fuzz_rows(data, size, &o);
	return 0;
}
