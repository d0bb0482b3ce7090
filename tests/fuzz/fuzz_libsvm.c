/* SPDX-License-Identifier: MIT */
/*
 * fuzz_libsvm.c -- the LIBSVM/SVMlight text reader.  The whole input is
 * the text; every row is checked against the contract of am_fs.h.
 */
#include "fuzz.h"
#include "rows.h"

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct am_fs_opts o = AM_FS_OPTS_INIT;

	o.format = AM_FS_LIBSVM;
	fuzz_rows(data, size, &o);
	return 0;
}
