/* SPDX-License-Identifier: MIT */
/*
 * fuzz.h -- what the libFuzzer harnesses share: a byte source over the
 * fuzzer's input, and a check that aborts (a crash the fuzzer reports)
 * when an invariant of a reader's contract does not hold.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am_io.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* Abort with a message: the fuzzer records the input as a crash. */
#define FUZZ_CHECK(cond)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			(void)fprintf(stderr, "%s:%d: invariant failed: %s\n", \
			    __FILE__, __LINE__, #cond);                        \
			abort();                                               \
		}                                                              \
	} while (0)

/*
 * A source reading 'size' bytes at 'data' (copied: fmemopen needs a
 * writable buffer and a nonzero size).  '*copy' is freed by the caller
 * after am_src_close().
 */
static inline struct am_src *
fuzz_src(const unsigned char *data, size_t size, char **copy)
{
	struct am_err err;
	FILE *fp;

	*copy = malloc(size + 1);
	if (*copy == NULL)
		return NULL;
	memcpy(*copy, data, size);
	(*copy)[size] = '\0';
	if ((fp = fmemopen(*copy, size ? size : 1, "rb")) == NULL)
		return NULL;
	if (size == 0)
		(void)fgetc(fp); /* consume the placeholder byte */
	return am_src_fdopen(fp, "fuzz", &err);
}

/* The error message must be one line (see am_seterr()). */
static inline void
fuzz_check_msg(const char *msg)
{
	if (strchr(msg, '\n') != NULL)
		(void)fprintf(stderr, "bad message: [%s]\n", msg);
	FUZZ_CHECK(strchr(msg, '\n') == NULL);
	FUZZ_CHECK(msg[0] != '\0');
}

#endif
