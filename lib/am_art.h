/* SPDX-License-Identifier: MIT */
/*
 * am_art.h -- the one container for everything am learns (am-model(5)).
 *
 * An artifact is: a kind ("clean", "features", "model", ...), an
 * algorithm ("impute", "scale+onehot", "logreg", ...), an ordered list of
 * metadata entries (key = value text, keys grouped by prefix: "hyper.",
 * "metric.", "lineage.", plus "seed"), the schema it expects (column names
 * and types, in order), and named binary payload sections whose content
 * belongs to the algorithm (encoded with am_buf).  On disk it is followed
 * by a SHA-256 over everything before it.  See man/am-model.5 for the
 * byte layout and the compatibility rule.
 *
 * Saving is atomic (am_atomic).  Loading validates the magic, the format
 * version, every length against the file size, the checksum, and the kind,
 * before anything is returned; each failure is AM_EFORMAT or AM_EMODEL
 * with one line naming the file.  Loading never trusts a length or count
 * from the file before checking it against the bytes that remain.
 */
#ifndef AM_ART_H
#define AM_ART_H

#include <stddef.h>

#include "am_buf.h"
#include "am_err.h"

#define AM_ART_VERSION   1          /* format version written */
#define AM_ART_MAX_BYTES (1u << 31) /* larger files are refused */

/* Length limits in bytes, checked when building and when decoding. */
#define AM_ART_KIND_MAX         64         /* kind and algorithm names */
#define AM_ART_KEY_MAX          255        /* metadata keys */
#define AM_ART_VALUE_MAX        (1u << 24) /* metadata values */
#define AM_ART_COLNAME_MAX      65535      /* schema column names */
#define AM_ART_SECTION_NAME_MAX 15         /* section names */

struct am_art;

/*
 * A new empty artifact of 'kind' and 'algo' (copied), or NULL (no memory,
 * or a name longer than AM_ART_KIND_MAX).
 */
struct am_art *am_art_new(const char *kind, const char *algo);
void am_art_free(struct am_art *a);

const char *am_art_kind(const struct am_art *a);
const char *am_art_algo(const struct am_art *a);
/* The format version the artifact was read with (AM_ART_VERSION if new). */
unsigned am_art_version(const struct am_art *a);

/*
 * Set metadata 'key' to 'value' (both copied), replacing an earlier value
 * and otherwise appending, so entries keep their first-set order.
 * am_art_setf() formats the value.  Returns 0, AM_EARG (an empty key, or
 * one longer than AM_ART_KEY_MAX, or a value longer than
 * AM_ART_VALUE_MAX) or AM_ENOMEM.  Any change to an artifact clears
 * am_art_sha256() until it is saved again.
 */
int am_art_set(struct am_art *a, const char *key, const char *value);
int am_art_setf(struct am_art *a, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Value of 'key', or NULL. */
const char *am_art_get(const struct am_art *a, const char *key);
/*
 * The number in metadata 'key': the value when all of it parses as a
 * finite number in ['lo', 'hi'], else 'def' (absent, malformed or out of
 * range, so that a loader's default stands in for a damaged entry and a
 * cast of the result to an integer type in range is defined).
 */
double am_art_get_num(const struct am_art *a, const char *key, double lo,
    double hi, double def);
/* The seed recorded by am_art_lineage() ("seed"), or 'def'. */
unsigned long long am_art_seed(const struct am_art *a, unsigned long long def);
/* Entry 'i' of am_art_nmeta(): key and value. */
size_t am_art_nmeta(const struct am_art *a);
const char *am_art_meta_key(const struct am_art *a, size_t i);
const char *am_art_meta_value(const struct am_art *a, size_t i);

/*
 * Record the lineage every artifact carries: tool version
 * ("lineage.tool"), command line ("lineage.command"; 'cmdline' may be
 * NULL), UTC time now ("lineage.created", ISO 8601 as
 * 2026-11-28T22:28:17Z; SOURCE_DATE_EPOCH, when set to a decimal number
 * of seconds, replaces the clock so builds can be reproduced byte for
 * byte), input name ("lineage.input"; may be NULL), its sha256
 * ("lineage.input.sha256"; may be NULL or "") and row count
 * ("lineage.input.rows"), and the seed ("seed").  Returns 0 or AM_ENOMEM.
 */
int am_art_lineage(struct am_art *a, const char *cmdline, const char *input,
    const char *sha256, unsigned long long rows, unsigned long long seed);
/*
 * Record that 'a' was built on 'parent': its am_art_sha256() (or, if it
 * was never saved, the SHA-256 of its encoding) is appended to
 * "lineage.parents", a comma-separated list of hex digests, unless
 * already there.  Returns 0 or AM_ENOMEM.
 */
int am_art_add_parent(struct am_art *a, const struct am_art *parent);
/*
 * The SHA-256 (64 hex digits) of the bytes the artifact was loaded from or
 * last saved as -- the same as sha256sum(1) of the file -- or "" if it
 * was never saved or has changed since.
 */
const char *am_art_sha256(const struct am_art *a);

/* Schema column types. */
enum am_coltype {
	AM_COL_NUMBER = 0,
	AM_COL_INTEGER = 1,
	AM_COL_BOOLEAN = 2,
	AM_COL_CATEGORY = 3,
	AM_COL_TEXT = 4,
	AM_COL_DATE = 5,
};
/* "number", "integer", ...; NULL for an unknown value. */
const char *am_coltype_name(int type);
/* The type named 'name', or -1. */
int am_coltype_byname(const char *name);

/*
 * Append a schema column ('name' copied).  Returns 0, AM_EARG ('name'
 * longer than AM_ART_COLNAME_MAX, 'type' outside 0..255) or AM_ENOMEM.
 * Decoding keeps type numbers it does not know (am_coltype_name() gives
 * NULL for them), so new types need no format version.
 */
int am_art_add_col(struct am_art *a, const char *name, int type);
size_t am_art_ncols(const struct am_art *a);
const char *am_art_col_name(const struct am_art *a, size_t i);
int am_art_col_type(const struct am_art *a, size_t i);

/*
 * Add payload section 'name' (at most 15 bytes, copied) holding the
 * bytes of 'data' (copied).  Returns 0, AM_EARG (a section of that name
 * exists) or AM_ENOMEM.  am_art_add_buf() adds a buffer's bytes, failing
 * with AM_ENOMEM if the buffer had failed.
 */
int am_art_add_section(struct am_art *a, const char *name, const void *data,
    size_t len);
int am_art_add_buf(struct am_art *a, const char *name, const struct am_buf *b);
/*
 * The bytes of section 'name' and their length, or NULL if there is no
 * such section.  Valid while 'a' lives.
 */
const void *am_art_section(const struct am_art *a, const char *name,
    size_t *len);
size_t am_art_nsections(const struct am_art *a);
const char *am_art_section_name(const struct am_art *a, size_t i);

/* Encode 'a' into 'out' (appended).  Returns 0 or AM_ENOMEM. */
int am_art_encode(const struct am_art *a, struct am_buf *out);

/*
 * Decode an artifact from 'len' bytes.  'name' is used in messages.  If
 * 'kind' is not NULL the artifact must be of that kind (AM_EMODEL:
 * "NAME: is a 'features' artifact, expected 'model'").  Returns a new
 * artifact or NULL with AM_EFORMAT ("NAME: not an am artifact (bad
 * magic)", "NAME: truncated", "NAME: checksum mismatch", ...),
 * AM_EMODEL ("NAME: format version 9 is newer than this am (1); upgrade
 * am") or AM_ENOMEM.
 */
struct am_art *am_art_decode(const void *data, size_t len, const char *name,
    const char *kind, struct am_err *err);

/* Save atomically to 'path'.  Returns 0, AM_EIO or AM_ENOMEM. */
int am_art_save(struct am_art *a, const char *path, struct am_err *err);

/*
 * Read 'path' and am_art_decode() it (at most AM_ART_MAX_BYTES).  When
 * 'path' is a store entry directory (am_store.h), its current version is
 * read instead and named in messages; an entry with no promoted version
 * is AM_EMODEL.
 */
struct am_art *am_art_load(const char *path, const char *kind,
    struct am_err *err);

#endif
