/* SPDX-License-Identifier: MIT */
/*
 * am_tee.h -- a stdio stream that hashes what passes through it.
 *
 * am_tee_open() returns a stream whose bytes go on to another stream and
 * into a running SHA-256.  am-clean and am-features, when they fit with
 * -o, write their output through one, so their artifact can record the
 * digest and size of the data it wrote ("lineage.output.sha256" in
 * am-model(5)) and am-model lineage can link it to the artifact that read
 * that data.
 *
 * Why a stream rather than a hook in each writer: every byte is covered
 * whatever writes it (the CSV writer, the binary or LIBSVM feature stream,
 * raw line copies), and the writers themselves stay untouched, so replay,
 * which does not hash, runs exactly the code it ran before.  The cost, one
 * more copy of the output, is paid only when fitting.
 *
 * Built on fopencookie() (glibc, musl) or funopen() (macOS, the BSDs).
 */
#ifndef AM_TEE_H
#define AM_TEE_H

#include <stdint.h>
#include <stdio.h>

#include "am_err.h"

struct am_tee;

/*
 * A tee in front of 'fp' (borrowed; it must outlive the tee).  Bytes
 * written to am_tee_fp() are buffered there; each time that buffer is
 * flushed they are written to 'fp', 'fp' is flushed too (so fflush() of
 * the tee reaches the file, as --line-buffered needs), and they are
 * hashed.  Returns the tee to am_tee_close(), or NULL with AM_ENOMEM.
 */
struct am_tee *am_tee_open(FILE *fp, struct am_err *err);

/* The stream to write to; valid until am_tee_close(). */
FILE *am_tee_fp(struct am_tee *t);

/*
 * Flush what is buffered through to the underlying stream, then free the
 * tee.  When 'hex' is not NULL it receives the SHA-256 of every byte
 * passed on, as 64 lowercase hex digits and a NUL, and '*bytes' (if not
 * NULL) their number.  Returns 0, or AM_EIO if any write to the
 * underlying stream failed (the digest is then of a stream cut short and
 * should not be recorded).  am_tee_close(NULL, ...) returns 0.
 */
int am_tee_close(struct am_tee *t, char hex[65], uint64_t *bytes,
    struct am_err *err);

#endif
