/* SPDX-License-Identifier: MIT */
/*
 * am_store.h -- a versioned model store in a plain directory (am-model(5),
 * "Model store").
 *
 * A store is a directory; each entry NAME is a subdirectory holding
 *
 *	v1.amm v2.amm ...  immutable versions (mode 0444), never rewritten
 *	current            a symlink to one "vN.amm" in the same directory
 *	history            the promotion log, one "promote vN TIME" or
 *	                   "rollback vN TIME" line per change of current
 *	lock               an empty file for fcntl(2) record locks
 *	vN.gone            the highest version gc removed: numbers are
 *	                   never given twice
 *	.tmp.* history.tmp.*   temporary files; only a crash leaves them
 *
 * Pushing writes the artifact to a temporary file, fsyncs it, and
 * link(2)s it to "vN.amm" for the next free N, trying N+1 when the name
 * exists, so concurrent pushes get distinct versions and a version is
 * never seen half written.  Pushes share a read lock; promote, rollback
 * and gc take the write lock, so gc only ever removes temporary files of
 * dead processes.  Promote and rollback append to the log (atomic
 * rewrite), then rename(2) a new symlink over "current": the symlink is
 * the commit point, and a log line whose change is not what "current"
 * shows was never committed and is dropped.  Readers need no lock.
 *
 * Names are 1 to AM_STORE_NAME_MAX bytes of letters, digits and "._-+@",
 * not starting with '.' or '-'.  Nothing in a store is trusted further
 * than it is checked: "current" must name "vN.amm" and no other path.
 */
#ifndef AM_STORE_H
#define AM_STORE_H

#include <stddef.h>

#include "am_err.h"

#define AM_STORE_NAME_MAX 128

/* One version of an entry, as am_store_versions() lists it. */
struct am_store_ver {
	unsigned long version;   /* N of "vN.amm" */
	unsigned long long size; /* bytes */
	long long mtime;         /* seconds since the epoch: when pushed */
	char sha256[65];         /* of the whole file, as sha256sum(1) */
	char kind[65], algo[65]; /* "" when the file is not a valid artifact */
	int valid;               /* 1 when the file verifies */
};

/*
 * Check that 'name' may be an entry name.  Returns 0 or AM_EARG
 * ("'NAME' is not a valid model name (letters, digits, ._-+@; not
 * starting with '.' or '-')").
 */
int am_store_check_name(const char *name, struct am_err *err);

/*
 * Parse a version "vN" or "N" (N >= 1) into '*out'.  Returns 0 or AM_EARG.
 */
int am_store_parse_version(const char *s, unsigned long *out,
    struct am_err *err);

/*
 * Verify the artifact at 'file' ("-" = stdin) and store it as the next
 * version of 'name' in 'store' (both directories are created when
 * missing).  The new version number is stored in '*version'.  Returns 0,
 * AM_EARG (bad name), AM_EIO, AM_EFORMAT or AM_EMODEL (not a valid
 * artifact, as am_art_decode()), AM_ELIMIT or AM_ENOMEM.
 */
int am_store_push(const char *store, const char *name, const char *file,
    unsigned long *version, struct am_err *err);

/*
 * The entry names of 'store', sorted, in '*names' (an array of '*n'
 * strings; free each and the array with am_store_free_names()).  A
 * subdirectory is an entry when it holds a "lock" file.  Returns 0,
 * AM_EIO or AM_ENOMEM.
 */
int am_store_names(const char *store, char ***names, size_t *n,
    struct am_err *err);
void am_store_free_names(char **names, size_t n);

/*
 * The versions of entry 'name' in ascending order, in '*out' (an array of
 * '*n', to free()), each read and verified, and the current version in
 * '*current' (0 when none is promoted).  Returns 0, AM_EARG (bad name),
 * AM_EIO (no such entry, unreadable), AM_EFORMAT (a bad "current"
 * pointer) or AM_ENOMEM.
 */
int am_store_versions(const char *store, const char *name,
    struct am_store_ver **out, size_t *n, unsigned long *current,
    struct am_err *err);

/*
 * Make 'version' of 'name' current (a no-op when it already is).  The
 * version must exist and verify.  Returns 0, AM_EARG, AM_EIO, AM_EFORMAT
 * or AM_EMODEL ("no version vN"), or AM_ENOMEM.
 */
int am_store_promote(const char *store, const char *name, unsigned long version,
    struct am_err *err);

/*
 * Make current again the version that was current before the last
 * promotion still in effect, skipping versions gc has removed; that
 * version is stored in '*version'.  Returns 0, AM_EMODEL ("nothing to
 * roll back to"), AM_EARG, AM_EIO, AM_EFORMAT or AM_ENOMEM.
 */
int am_store_rollback(const char *store, const char *name,
    unsigned long *version, struct am_err *err);

/*
 * Remove the versions of 'name' (every entry when NULL) other than the
 * current one, the 'keep' newest and the ones the next 'keep' rollbacks
 * (at least one) would return to, and every temporary file: a rollback
 * after gc never fails for want of its version.  'fn', if not NULL, is
 * called with the path of each file removed.  Returns 0, AM_EARG, AM_EIO,
 * AM_EFORMAT (a malformed history or "current") or AM_ENOMEM.
 */
int am_store_gc(const char *store, const char *name, unsigned long keep,
    void (*fn)(const char *path, void *arg), void *arg, struct am_err *err);

/*
 * If 'path' is a directory holding a store entry, set '*out' to the path
 * of its current version (to free()) and return 1; if it is anything
 * else, set '*out' to NULL and return 0.  Only the "current" symlink is
 * read, and it must name "vN.amm" in the same directory.  Returns
 * AM_EMODEL for an entry without a promoted version ("PATH: no promoted
 * version (am-model promote)"), AM_EFORMAT for a bad pointer, AM_EIO or
 * AM_ENOMEM.
 */
int am_store_resolve(const char *path, char **out, struct am_err *err);

#endif
