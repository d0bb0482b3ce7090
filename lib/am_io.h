/* SPDX-License-Identifier: MIT */
/*
 * am_io.h -- byte sources and atomic outputs.
 *
 * struct am_src is the one way libam reads bytes: a buffered reader over
 * a file or stdin that can peek ahead (to detect a stream's format by its
 * magic) and that hashes (SHA-256) and counts every byte it hands out, so
 * that an artifact can record what it was trained on without a second
 * pass.  struct am_atomic is the one way libam writes a file that must
 * never be seen half-written: a temporary file in the target's folder,
 * fsync, rename.
 */
#ifndef AM_IO_H
#define AM_IO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "am_err.h"

struct am_src;

/*
 * Open 'path' for reading; "-" or NULL is stdin (named "<stdin>" in
 * messages).  Returns a source to am_src_close(), or NULL with
 * AM_EIO ("cannot open 'PATH': REASON") or AM_ENOMEM in 'err'.
 */
struct am_src *am_src_open(const char *path, struct am_err *err);

/* Like am_src_open() over an open stream; takes ownership of 'fp'. */
struct am_src *am_src_fdopen(FILE *fp, const char *name, struct am_err *err);

/* Close the source (stdin is not closed).  NULL does nothing. */
void am_src_close(struct am_src *src);

/* The name used in messages: the path, or "<stdin>". */
const char *am_src_name(const struct am_src *src);

/*
 * Read up to 'n' bytes into 'buf'.  Returns the count (0 at end of
 * input), or AM_EIO.
 */
long am_src_read(struct am_src *src, void *buf, size_t n, struct am_err *err);

/*
 * Make at least 'want' bytes (fewer at end of input) visible without
 * consuming them; '*p' and '*n' receive the buffered bytes, valid until
 * the next call on 'src'.  'want' is at most AM_SRC_PEEK_MAX.  Returns 0
 * or AM_EIO.
 */
#define AM_SRC_PEEK_MAX 65536
int am_src_peek(struct am_src *src, size_t want, const unsigned char **p,
    size_t *n, struct am_err *err);

/*
 * Borrow the buffered bytes in place: '*p' and '*n' receive the next
 * bytes (refilling when the buffer is empty), which count as consumed.
 * The fastest way to feed a parser.  Returns 0 (and '*n' == 0 at end of
 * input) or AM_EIO.
 */
int am_src_next_chunk(struct am_src *src, const unsigned char **p, size_t *n,
    struct am_err *err);

/* Bytes consumed so far. */
uint64_t am_src_bytes(const struct am_src *src);

/*
 * The SHA-256 of all bytes consumed so far, as 64 lowercase hex digits
 * and a NUL into 'hex'.  Hashing starts only if am_src_hash() was called
 * before the first byte was consumed; otherwise 'hex' is "".
 */
void am_src_hash(struct am_src *src);
void am_src_sha256(struct am_src *src, char hex[65]);

/* SHA-256 of a memory block as 64 hex digits and a NUL. */
void am_sha256_hex(const void *data, size_t len, char hex[65]);
/* SHA-256 of a memory block, 32 raw bytes. */
void am_sha256(const void *data, size_t len, unsigned char out[32]);

struct am_atomic;

/*
 * Start writing 'path' atomically: a temporary file "PATH.tmp.XXXXXX" is
 * created in the same folder, with mode 0666 less the umask (or the mode
 * of am_atomic_set_mode()).  Returns the handle, or NULL with AM_EIO.
 * The file appears under 'path' only at am_atomic_commit().
 *
 * Signals.  Until commit or abort, the temporary file is also recorded
 * in a fixed table (16 files, paths below PATH_MAX; beyond that a file
 * is simply not recorded), and the first such file installs a handler
 * for SIGINT, SIGTERM and SIGHUP -- only for those still at their
 * default action, so a program's own handlers and ignored signals are
 * left alone.  The handler removes the recorded temporary files and
 * dies of the same signal.  SIGKILL cannot be caught: it may leave a
 * "PATH.tmp.*" file behind, never a torn 'path'.
 */
struct am_atomic *am_atomic_open(const char *path, struct am_err *err);

/*
 * Make the files am_atomic_open() creates from now on get permission
 * bits 'mode' exactly (0 to 07777), whatever the umask, as install -m
 * does; AM_MODE_UMASK, the default, is 0666 less the umask.  The setting
 * is process-wide, like the umask itself: a program makes it once, from
 * its --mode option (parsed by am_cli_mode() in am_cli.h), before it
 * writes.
 */
#define AM_MODE_UMASK (-1)
void am_atomic_set_mode(int mode);

/* The stream to write to; owned by the handle. */
FILE *am_atomic_fp(struct am_atomic *a);

/*
 * Flush, fsync, close and rename the temporary file over 'path', then
 * fsync the folder.  Always frees 'a'.  On any failure the temporary file
 * is removed, 'path' keeps its previous content, and AM_EIO is returned.
 */
int am_atomic_commit(struct am_atomic *a, struct am_err *err);

/* Remove the temporary file and free 'a'.  NULL does nothing. */
void am_atomic_abort(struct am_atomic *a);

/*
 * Write 'len' bytes to 'path' atomically.  Returns 0 or AM_EIO.
 */
int am_write_file_atomic(const char *path, const void *data, size_t len,
    struct am_err *err);

/*
 * Read all of 'path' ("-" = stdin) into a new buffer ('*out', to free())
 * of '*len' bytes, refusing files larger than 'max' bytes (AM_ELIMIT).
 */
int am_read_file(const char *path, size_t max, unsigned char **out, size_t *len,
    struct am_err *err);

#endif
