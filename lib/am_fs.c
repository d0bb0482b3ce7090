/* SPDX-License-Identifier: MIT */
/*
 * am_fs.c -- feature streams in three formats: the binary stream of
 * am-stream(5), CSV (through am_csv) and LIBSVM text.
 *
 * The binary stream is little-endian and framed: magic, version, a header
 * (length, Fletcher-64 checksum, names and roles), then blocks (row count,
 * byte length, checksum, rows), then an end block (row count 0) holding
 * the total row count, so that a stream cut anywhere is detected.  The
 * writer closes a block at AM_FS_BLOCK_ROWS rows or AM_FS_BLOCK_BYTES
 * bytes, so a consumer starts before the producer ends and both hold one
 * block.  The reader checks every declared count and length against a
 * documented limit and against the bytes that actually arrive before it
 * trusts it: a buffer grows as bytes are read, never to a size a hostile
 * header merely claims.  A checksum is not a defence against an attacker
 * (the structure checks are); it catches bit rot and bad splices.
 *
 * Rows are handed out in sparse form.  A dense binary row or a CSV row
 * drops its +0.0 values (absent means zero everywhere in am), keeping
 * -0.0 so that values survive a round trip bit for bit.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "am_fs.h"
#include "am_strtab.h"

#include "am_banned.h"

#define BLOCK_HEAD 16         /* u32 rows, u32 length, u64 checksum */
#define GROW_STEP  (1u << 20) /* read hostile lengths in steps of 1 MiB */

/* Little-endian codec. */

static void
put_u32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static void
put_u64(unsigned char *p, uint64_t v)
{
	put_u32(p, (uint32_t)v);
	put_u32(p + 4, (uint32_t)(v >> 32));
}

static uint32_t
get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint64_t
get_u64(const unsigned char *p)
{
	return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

static double
get_f64(const unsigned char *p)
{
	uint64_t u = get_u64(p);
	double d;

	memcpy(&d, &u, sizeof(d));
	return d;
}

static void
put_f64(unsigned char *p, double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof(u));
	put_u64(p, u);
}

/*
 * Fletcher-64 over little-endian 32-bit words (the last one padded with
 * zero bytes): s1 = sum of words, s2 = sum of the running s1, both modulo
 * 2^32 - 1; the checksum is s2 << 32 | s1.  The modulo is deferred over
 * runs of words short enough that s2 cannot overflow 64 bits.
 */
uint64_t
am_fs_checksum(const void *data, size_t n)
{
	const unsigned char *p = data;
	const uint64_t m = 0xffffffffu;
	uint64_t s1 = 0, s2 = 0;
	unsigned char last[4] = { 0, 0, 0, 0 };
	size_t words = n / 4, i = 0, run;

	while (i < words) {
		run = words - i < 8192 ? words - i : 8192;
		for (; run > 0; run--, i++) {
			s1 += get_u32(p + 4 * i);
			s2 += s1;
		}
		s1 %= m;
		s2 %= m;
	}
	if (n % 4 != 0) {
		memcpy(last, p + 4 * words, n % 4);
		s1 = (s1 + get_u32(last)) % m;
		s2 = (s2 + s1) % m;
	}
	return s2 << 32 | s1;
}

/* Growable byte buffer with a sticky out-of-memory flag. */
struct bytes {
	unsigned char *p;
	size_t len, cap;
	int oom;
};

static unsigned char *
bytes_grow(struct bytes *b, size_t n)
{
	unsigned char *np;
	size_t cap;

	if (b->oom)
		return NULL;
	if (n > SIZE_MAX - b->len) {
		b->oom = 1;
		return NULL;
	}
	if (b->p == NULL || b->len + n > b->cap) {
		cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n)
			cap = cap > SIZE_MAX / 2 ? b->len + n : 2 * cap;
		if ((np = realloc(b->p, cap)) == NULL) {
			b->oom = 1;
			return NULL;
		}
		b->p = np;
		b->cap = cap;
	}
	np = b->p + b->len;
	b->len += n;
	return np;
}

static void
bytes_u32(struct bytes *b, uint32_t v)
{
	unsigned char *p = bytes_grow(b, 4);

	if (p != NULL)
		put_u32(p, v);
}

static void
bytes_f64(struct bytes *b, double v)
{
	unsigned char *p = bytes_grow(b, 8);

	if (p != NULL)
		put_f64(p, v);
}

static void
bytes_str(struct bytes *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	unsigned char *p;

	bytes_u32(b, (uint32_t)n);
	if (n > 0 && (p = bytes_grow(b, n)) != NULL)
		memcpy(p, s, n);
}

int
am_fs_format_byname(const char *name)
{
	if (name == NULL)
		return -1;
	if (strcmp(name, "csv") == 0)
		return AM_FS_CSV;
	if (strcmp(name, "bin") == 0)
		return AM_FS_BIN;
	if (strcmp(name, "libsvm") == 0)
		return AM_FS_LIBSVM;
	return -1;
}

int
am_fs_is_bin(const unsigned char *p, size_t n)
{
	return n >= AM_FS_MAGIC_LEN &&
	    memcmp(p, AM_FS_MAGIC, AM_FS_MAGIC_LEN) == 0;
}

static void
free_names(char **v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
am_fs_schema_release(struct am_fs_schema *s)
{
	if (s == NULL)
		return;
	if (s->names != NULL) {
		free(s->feat);
		free(s->names);
	} else
		free_names(s->feat, s->nfeat);
	free_names(s->id, s->nid);
	free_names(s->classes, s->nclass);
	free(s->target);
	free(s->weight);
	memset(s, 0, sizeof(*s));
}

static int
copy_names(char ***dst, char *const *src, size_t n)
{
	size_t i;

	*dst = NULL;
	if (n == 0)
		return 0;
	if ((*dst = calloc(n, sizeof(**dst))) == NULL)
		return AM_ENOMEM;
	for (i = 0; i < n; i++)
		if (((*dst)[i] = strdup(src[i] ? src[i] : "")) == NULL)
			return AM_ENOMEM;
	return 0;
}

/*
 * Copy the 'n' feature names of 'src' into one block: two allocations
 * however many features (LIBSVM input may have millions).
 */
static int
pack_names(struct am_fs_schema *dst, char *const *src, size_t n)
{
	size_t i, len, total = 0;
	char *p;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		total += strlen(src[i] ? src[i] : "") + 1;
	if ((dst->feat = calloc(n, sizeof(*dst->feat))) == NULL ||
	    (dst->names = malloc(total)) == NULL) {
		free(dst->feat);
		dst->feat = NULL;
		return AM_ENOMEM;
	}
	for (i = 0, p = dst->names; i < n; i++, p += len) {
		len = strlen(src[i] ? src[i] : "") + 1;
		memcpy(p, src[i] ? src[i] : "", len);
		dst->feat[i] = p;
	}
	return 0;
}

int
am_fs_schema_copy(struct am_fs_schema *dst, const struct am_fs_schema *src)
{
	struct am_fs_schema s = { 0 };
	int bad = 0;

	s.nfeat = src->nfeat;
	s.nid = src->nid;
	s.nclass = src->nclass;
	bad |= pack_names(&s, src->feat, src->nfeat);
	bad |= copy_names(&s.id, src->id, src->nid);
	bad |= copy_names(&s.classes, src->classes, src->nclass);
	if (src->target != NULL && (s.target = strdup(src->target)) == NULL)
		bad = 1;
	if (src->weight != NULL && (s.weight = strdup(src->weight)) == NULL)
		bad = 1;
	if (bad) {
		/* copy_names leaves NULL in the slots it did not fill */
		s.nfeat = s.feat ? s.nfeat : 0;
		s.nid = s.id ? s.nid : 0;
		s.nclass = s.classes ? s.nclass : 0;
		am_fs_schema_release(&s);
		return AM_ENOMEM;
	}
	*dst = s;
	return 0;
}

static int
same_names(char *const *a, char *const *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(a[i], b[i]) != 0)
			return 0;
	return 1;
}

static int
same_opt(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static int
schema_equal(const struct am_fs_schema *a, const struct am_fs_schema *b)
{
	return a->nfeat == b->nfeat && a->nid == b->nid &&
	    a->nclass == b->nclass && same_opt(a->target, b->target) &&
	    same_opt(a->weight, b->weight) &&
	    same_names(a->feat, b->feat, a->nfeat) &&
	    same_names(a->id, b->id, a->nid) &&
	    same_names(a->classes, b->classes, a->nclass);
}

/* The reader. */

struct am_fs_reader {
	struct am_src *src; /* borrowed */
	const char *name;
	int format;
	struct am_fs_schema schema;
	unsigned long line; /* line or row number of the last row */

	/* the row handed out */
	uint32_t *idx;
	double *val;
	size_t rowcap;
	const char **ids;
	struct bytes idbuf;
	size_t *idoff;

	/* BIN */
	struct bytes blk;     /* body of the current block */
	size_t pos;           /* next unread byte of blk */
	uint32_t left;        /* rows left in the block */
	unsigned long nblock; /* blocks read, the current one included */
	uint64_t nrows;       /* rows read in this (concatenated) part */
	int done;

	/* CSV */
	struct am_csv_reader *csv;
	long tcol, wcol;
	long *idcol;
	size_t *fcol;
	int tkind; /* 0 undecided, 1 numeric, 2 categorical */
	struct am_strindex classes;

	/* LIBSVM */
	struct bytes lbuf;
	const unsigned char *chunk;
	size_t chunklen;
	size_t namecap;      /* names "1".."namecap" made so far */
	unsigned long maxix; /* largest index accepted */
	int eof;
};

static int
row_reserve(struct am_fs_reader *r, size_t n)
{
	uint32_t *ni;
	double *nv;

	if (n <= r->rowcap)
		return 0;
	if (n < 2 * r->rowcap)
		n = 2 * r->rowcap;
	if (n < 64)
		n = 64;
	if ((ni = realloc(r->idx, n * sizeof(*ni))) == NULL)
		return AM_ENOMEM;
	r->idx = ni;
	if ((nv = realloc(r->val, n * sizeof(*nv))) == NULL)
		return AM_ENOMEM;
	r->val = nv;
	r->rowcap = n;
	return 0;
}

/*
 * Read exactly 'n' bytes appended to 'b', growing it as bytes arrive.
 * Returns the count read (short at end of input) or AM_EIO/AM_ENOMEM.
 */
static long
read_into(struct am_fs_reader *r, struct bytes *b, size_t n, struct am_err *err)
{
	size_t got = 0, step;
	unsigned char *p;
	long k;

	while (got < n) {
		step = n - got < GROW_STEP ? n - got : GROW_STEP;
		if ((p = bytes_grow(b, step)) == NULL)
			return am_seterr(err, AM_ENOMEM, "out of memory");
		if ((k = am_src_read(r->src, p, step, err)) < 0)
			return k;
		b->len -= step - (size_t)k;
		got += (size_t)k;
		if ((size_t)k < step)
			break;
	}
	return (long)got;
}

/* Decode a string at '*pos' of 'p[0..n)' into a new NUL-terminated copy. */
static int
take_str(const unsigned char *p, size_t n, size_t *pos, char **out)
{
	uint32_t len;

	*out = NULL;
	if (n - *pos < 4)
		return AM_EFORMAT;
	len = get_u32(p + *pos);
	*pos += 4;
	if (len > AM_FS_MAX_NAME)
		return AM_ELIMIT;
	if (len > n - *pos || memchr(p + *pos, '\0', len) != NULL)
		return AM_EFORMAT;
	if ((*out = malloc((size_t)len + 1)) == NULL)
		return AM_ENOMEM;
	memcpy(*out, p + *pos, len);
	(*out)[len] = '\0';
	*pos += len;
	return 0;
}

/* Read 'count' names (count checked by the caller) into '*v'. */
static int
take_names(const unsigned char *p, size_t n, size_t *pos, char ***v,
    size_t count)
{
	size_t i;
	int rc;

	*v = NULL;
	if (count == 0)
		return 0;
	/* every name takes at least its 4-byte length */
	if (count > (n - *pos) / 4)
		return AM_EFORMAT;
	if ((*v = calloc(count, sizeof(**v))) == NULL)
		return AM_ENOMEM;
	for (i = 0; i < count; i++)
		if ((rc = take_str(p, n, pos, &(*v)[i])) != 0)
			return rc;
	return 0;
}

static int
header_error(struct am_fs_reader *r, int rc, const char *what,
    struct am_err *err)
{
	switch (rc) {
	case AM_ENOMEM:
		return am_seterr(err, AM_ENOMEM, "out of memory");
	case AM_ELIMIT:
		return am_seterr(err, AM_ELIMIT,
		    "%s: binary stream header: %s exceeds the limit "
		    "(see am-stream(5))",
		    r->name, what);
	default:
		return am_seterr(err, AM_EFORMAT,
		    "%s: binary stream header: bad %s (corrupt stream)",
		    r->name, what);
	}
}

/*
 * Parse a header body into 's'.  Layout: u32 flags (1 target, 2 weight),
 * [str target], [str weight], u32 nid + names, u32 nclass + names,
 * u32 nfeat + names; nothing after.
 */
static int
parse_header(struct am_fs_reader *r, const unsigned char *p, size_t n,
    struct am_fs_schema *s, struct am_err *err)
{
	size_t pos = 0;
	uint32_t flags, count;
	int rc;

	if (n < 4)
		return header_error(r, AM_EFORMAT, "length", err);
	flags = get_u32(p);
	pos = 4;
	if ((flags & ~3u) != 0)
		return header_error(r, AM_EFORMAT, "flags", err);
	if ((flags & 1) && (rc = take_str(p, n, &pos, &s->target)) != 0)
		return header_error(r, rc, "target name", err);
	if ((flags & 2) && (rc = take_str(p, n, &pos, &s->weight)) != 0)
		return header_error(r, rc, "weight name", err);

	if (n - pos < 4)
		return header_error(r, AM_EFORMAT, "id count", err);
	count = get_u32(p + pos);
	pos += 4;
	if (count > AM_FS_MAX_IDS)
		return header_error(r, AM_ELIMIT, "id count", err);
	rc = take_names(p, n, &pos, &s->id, count);
	s->nid = s->id ? count : 0;
	if (rc != 0)
		return header_error(r, rc, "id names", err);

	if (n - pos < 4)
		return header_error(r, AM_EFORMAT, "class count", err);
	count = get_u32(p + pos);
	pos += 4;
	if (count > AM_FS_MAX_CLASSES)
		return header_error(r, AM_ELIMIT, "class count", err);
	if (count > 0 && s->target == NULL)
		return header_error(r, AM_EFORMAT, "class count", err);
	rc = take_names(p, n, &pos, &s->classes, count);
	s->nclass = s->classes ? count : 0;
	if (rc != 0)
		return header_error(r, rc, "class names", err);

	if (n - pos < 4)
		return header_error(r, AM_EFORMAT, "feature count", err);
	count = get_u32(p + pos);
	pos += 4;
	if (count > AM_FS_MAX_FEAT)
		return header_error(r, AM_ELIMIT, "feature count", err);
	rc = take_names(p, n, &pos, &s->feat, count);
	s->nfeat = s->feat ? count : 0;
	if (rc != 0)
		return header_error(r, rc, "feature names", err);
	if (pos != n)
		return header_error(r, AM_EFORMAT, "length", err);
	return 0;
}

/*
 * Read the magic, version and header into 's'.  'first' says whether
 * this is the start of the input (else a concatenated stream).
 */
static int
read_header(struct am_fs_reader *r, struct am_fs_schema *s, struct am_err *err)
{
	unsigned char head[AM_FS_MAGIC_LEN + 16];
	struct bytes b = { 0 };
	uint32_t version, len;
	uint64_t sum;
	long k;
	int rc;

	if ((k = am_src_read(r->src, head, sizeof(head), err)) < 0)
		return (int)k;
	if ((size_t)k < AM_FS_MAGIC_LEN || !am_fs_is_bin(head, (size_t)k))
		return am_seterr(err, AM_EFORMAT,
		    "%s: not a binary feature stream (bad magic)", r->name);
	if ((size_t)k < sizeof(head))
		return am_seterr(err, AM_EFORMAT,
		    "%s: truncated binary stream (cut in the header)", r->name);
	version = get_u32(head + AM_FS_MAGIC_LEN);
	len = get_u32(head + AM_FS_MAGIC_LEN + 4);
	sum = get_u64(head + AM_FS_MAGIC_LEN + 8);
	if (version == 0)
		return am_seterr(err, AM_EFORMAT,
		    "%s: binary stream version 0 is invalid (corrupt stream)",
		    r->name);
	if (version > AM_FS_VERSION)
		return am_seterr(err, AM_EFORMAT,
		    "%s: binary stream version %u is newer than this am (%d); "
		    "upgrade am",
		    r->name, (unsigned)version, AM_FS_VERSION);
	if (len > AM_FS_MAX_HEADER)
		return am_seterr(err, AM_ELIMIT,
		    "%s: binary stream header of %u bytes exceeds the limit "
		    "of %u (see am-stream(5))",
		    r->name, (unsigned)len, (unsigned)AM_FS_MAX_HEADER);
	if ((k = read_into(r, &b, len, err)) < 0) {
		free(b.p);
		return (int)k;
	}
	if ((size_t)k < len) {
		free(b.p);
		return am_seterr(err, AM_EFORMAT,
		    "%s: truncated binary stream (cut in the header)", r->name);
	}
	if (am_fs_checksum(b.p, len) != sum) {
		free(b.p);
		return am_seterr(err, AM_EFORMAT,
		    "%s: binary stream header checksum mismatch (corrupt "
		    "stream)",
		    r->name);
	}
	rc = parse_header(r, b.p, len, s, err);
	free(b.p);
	return rc;
}

static int
check_roles(struct am_fs_reader *r, const struct am_fs_opts *o,
    struct am_err *err)
{
	const struct am_fs_schema *s = &r->schema;
	size_t i, j;

	if (o == NULL)
		return 0;
	if (o->target != NULL && !same_opt(o->target, s->target))
		return am_seterr(err, AM_EFORMAT,
		    "%s: the stream's target is %s%s%s, not '%s'", r->name,
		    s->target ? "'" : "", s->target ? s->target : "absent",
		    s->target ? "'" : "", o->target);
	if (o->weight != NULL && !same_opt(o->weight, s->weight))
		return am_seterr(err, AM_EFORMAT,
		    "%s: the stream has no weight column '%s'", r->name,
		    o->weight);
	for (i = 0; i < o->nid; i++) {
		for (j = 0; j < s->nid; j++)
			if (strcmp(o->ids[i], s->id[j]) == 0)
				break;
		if (j == s->nid)
			return am_seterr(err, AM_EFORMAT,
			    "%s: the stream has no id column '%s'", r->name,
			    o->ids[i]);
	}
	return 0;
}

static int
bin_open(struct am_fs_reader *r, const struct am_fs_opts *o, struct am_err *err)
{
	int rc;

	if ((rc = read_header(r, &r->schema, err)) != 0)
		return rc;
	if (r->schema.nid > 0 &&
	    (r->ids = calloc(r->schema.nid, sizeof(*r->ids))) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	if (r->schema.nid > 0 &&
	    (r->idoff = calloc(r->schema.nid, sizeof(*r->idoff))) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	return check_roles(r, o, err);
}

/* A row-level error in block 'r->nblock'. */
static int
row_error(struct am_fs_reader *r, const char *what, struct am_err *err)
{
	return am_seterr(err, AM_EFORMAT, "%s: block %lu: row %lu: %s", r->name,
	    r->nblock, r->line + 1, what);
}

/*
 * Load the next block.  Returns 1 when rows are ready, 0 at the end of
 * the stream, or an error.
 */
static int
bin_block(struct am_fs_reader *r, struct am_err *err)
{
	unsigned char head[BLOCK_HEAD];
	const unsigned char *p;
	struct am_fs_schema next = { 0 };
	uint32_t rows, len;
	uint64_t sum;
	size_t n;
	long k;
	int rc;

	for (;;) {
		if ((k = am_src_read(r->src, head, sizeof(head), err)) < 0)
			return (int)k;
		if (k == 0)
			return am_seterr(err, AM_EFORMAT,
			    "%s: truncated binary stream (end block missing)",
			    r->name);
		if ((size_t)k < sizeof(head))
			return am_seterr(err, AM_EFORMAT,
			    "%s: truncated binary stream (cut mid-block)",
			    r->name);
		r->nblock++;
		rows = get_u32(head);
		len = get_u32(head + 4);
		sum = get_u64(head + 8);
		if (len > AM_FS_MAX_BLOCK)
			return am_seterr(err, AM_ELIMIT,
			    "%s: block %lu: %u bytes exceed the limit of %u "
			    "(see am-stream(5))",
			    r->name, r->nblock, (unsigned)len,
			    (unsigned)AM_FS_MAX_BLOCK);
		/* every row takes at least its kind byte */
		if (rows > len)
			return am_seterr(err, AM_EFORMAT,
			    "%s: block %lu: %u rows cannot fit in %u bytes "
			    "(corrupt stream)",
			    r->name, r->nblock, (unsigned)rows, (unsigned)len);
		r->blk.len = 0;
		r->pos = 0;
		if ((k = read_into(r, &r->blk, len, err)) < 0)
			return (int)k;
		if ((size_t)k < len)
			return am_seterr(err, AM_EFORMAT,
			    "%s: truncated binary stream (cut mid-block)",
			    r->name);
		if (am_fs_checksum(r->blk.p, len) != sum)
			return am_seterr(err, AM_EFORMAT,
			    "%s: block %lu: checksum mismatch (corrupt stream)",
			    r->name, r->nblock);
		if (rows > 0) {
			r->left = rows;
			return 1;
		}
		/* the end block: u64 rows in this stream */
		if (len != 8 || get_u64(r->blk.p) != r->nrows)
			return am_seterr(err, AM_EFORMAT,
			    "%s: block %lu: end block does not match the %llu "
			    "rows read (corrupt stream)",
			    r->name, r->nblock, (unsigned long long)r->nrows);
		/* end of input, or another stream of the same schema */
		if ((rc = am_src_peek(r->src, AM_FS_MAGIC_LEN, &p, &n, err)) !=
		    0)
			return rc;
		if (n == 0) {
			r->done = 1;
			return 0;
		}
		if (!am_fs_is_bin(p, n))
			return am_seterr(err, AM_EFORMAT,
			    "%s: data after the end of the binary stream",
			    r->name);
		if ((rc = read_header(r, &next, err)) != 0) {
			am_fs_schema_release(&next);
			return rc;
		}
		rc = schema_equal(&next, &r->schema);
		am_fs_schema_release(&next);
		if (!rc)
			return am_seterr(err, AM_EFORMAT,
			    "%s: concatenated binary streams have different "
			    "columns",
			    r->name);
		r->nrows = 0;
	}
}

static int
bin_next(struct am_fs_reader *r, struct am_fs_row *row, struct am_err *err)
{
	const struct am_fs_schema *s = &r->schema;
	const unsigned char *p;
	size_t n, pos, i, nnz, k;
	uint32_t len, prev, ix;
	double v;
	int rc;

	if (r->done)
		return 0;
	if (r->left == 0 && (rc = bin_block(r, err)) <= 0)
		return rc;
	p = r->blk.p;
	n = r->blk.len;
	pos = r->pos;

	r->idbuf.len = 0;
	for (i = 0; i < s->nid; i++) {
		if (n - pos < 4)
			return row_error(r, "cut in an id", err);
		len = get_u32(p + pos);
		pos += 4;
		if (len > n - pos || len > AM_FS_MAX_NAME)
			return row_error(r, "id longer than the block", err);
		if (bytes_grow(&r->idbuf, (size_t)len + 1) == NULL)
			return am_seterr(err, AM_ENOMEM, "out of memory");
		r->idoff[i] = r->idbuf.len - len - 1;
		memcpy(r->idbuf.p + r->idoff[i], p + pos, len);
		r->idbuf.p[r->idbuf.len - 1] = '\0';
		pos += len;
	}
	for (i = 0; i < s->nid; i++)
		r->ids[i] = (const char *)r->idbuf.p + r->idoff[i];

	row->target = (double)NAN;
	row->weight = 1;
	if (s->target != NULL) {
		if (n - pos < 8)
			return row_error(r, "cut in the target", err);
		row->target = get_f64(p + pos);
		pos += 8;
		if (s->nclass > 0 && !isnan(row->target) &&
		    !(row->target >= 0 && row->target < (double)s->nclass &&
		        row->target == floor(row->target)))
			return row_error(r, "class index out of range", err);
		if (isinf(row->target))
			return row_error(r, "target is infinite", err);
	}
	if (s->weight != NULL) {
		if (n - pos < 8)
			return row_error(r, "cut in the weight", err);
		row->weight = get_f64(p + pos);
		pos += 8;
		if (!isfinite(row->weight) || row->weight < 0)
			return row_error(r, "weight is not a finite value >= 0",
			    err);
	}
	if (n - pos < 1)
		return row_error(r, "cut before the features", err);
	if (p[pos] == 0) { /* dense */
		pos++;
		if ((n - pos) / 8 < s->nfeat)
			return row_error(r, "dense row longer than the block",
			    err);
		if (row_reserve(r, s->nfeat) != 0)
			return am_seterr(err, AM_ENOMEM, "out of memory");
		for (i = 0, nnz = 0; i < s->nfeat; i++, pos += 8) {
			v = get_f64(p + pos);
			if (!isfinite(v))
				return row_error(r, "feature value not finite",
				    err);
			if (v == 0 && !signbit(v))
				continue;
			r->idx[nnz] = (uint32_t)i;
			r->val[nnz++] = v;
		}
	} else if (p[pos] == 1) { /* sparse */
		pos++;
		if (n - pos < 4)
			return row_error(r, "cut in the sparse count", err);
		nnz = get_u32(p + pos);
		pos += 4;
		if (nnz > s->nfeat)
			return row_error(r, "more values than features", err);
		if ((n - pos) / 12 < nnz)
			return row_error(r, "sparse row longer than the block",
			    err);
		if (row_reserve(r, nnz) != 0)
			return am_seterr(err, AM_ENOMEM, "out of memory");
		for (k = 0, prev = 0; k < nnz; k++) {
			ix = get_u32(p + pos + 4 * k);
			if (ix >= s->nfeat || (k > 0 && ix <= prev))
				return row_error(r,
				    "feature indices not increasing or out of "
				    "range",
				    err);
			prev = ix;
			r->idx[k] = ix;
		}
		pos += 4 * nnz;
		for (k = 0; k < nnz; k++, pos += 8) {
			r->val[k] = get_f64(p + pos);
			if (!isfinite(r->val[k]))
				return row_error(r, "feature value not finite",
				    err);
		}
	} else
		return row_error(r, "bad row kind (corrupt stream)", err);

	r->pos = pos;
	r->left--;
	if (r->left == 0 && pos != n)
		return row_error(r, "bytes left over in the block", err);
	r->nrows++;
	r->line++;
	row->ids = r->ids;
	row->nnz = nnz;
	row->idx = r->idx;
	row->val = r->val;
	return 1;
}

/* CSV. */

static int
csv_open(struct am_fs_reader *r, const struct am_fs_opts *o, struct am_err *err)
{
	struct am_fs_schema *s = &r->schema;
	size_t ncol, i, k;
	char *role;
	int rc;

	if ((r->csv = am_csv_open(r->src, o ? &o->csv : NULL, err)) == NULL)
		return err ? err->code : AM_EFORMAT;
	ncol = am_csv_ncols(r->csv);
	if ((role = calloc(ncol ? ncol : 1, 1)) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	r->tcol = r->wcol = -1;
	rc = AM_ENOMEM;
	if (o != NULL && o->target != NULL) {
		if ((r->tcol = am_csv_col(r->csv, o->target)) < 0) {
			rc = am_seterr(err, AM_EARG,
			    "%s: target column '%s' not found", r->name,
			    o->target);
			goto out;
		}
		role[r->tcol] = 1;
		if ((s->target = strdup(o->target)) == NULL)
			goto nomem;
	}
	if (o != NULL && o->weight != NULL) {
		if ((r->wcol = am_csv_col(r->csv, o->weight)) < 0) {
			rc = am_seterr(err, AM_EARG,
			    "%s: weight column '%s' not found", r->name,
			    o->weight);
			goto out;
		}
		if (role[r->wcol]) {
			rc = am_seterr(err, AM_EARG,
			    "%s: column '%s' has two roles", r->name,
			    o->weight);
			goto out;
		}
		role[r->wcol] = 1;
		if ((s->weight = strdup(o->weight)) == NULL)
			goto nomem;
	}
	if (o != NULL && o->nid > 0) {
		if ((r->idcol = calloc(o->nid, sizeof(*r->idcol))) == NULL ||
		    (s->id = calloc(o->nid, sizeof(*s->id))) == NULL ||
		    (r->ids = calloc(o->nid, sizeof(*r->ids))) == NULL)
			goto nomem;
		for (i = 0; i < o->nid; i++) {
			if ((r->idcol[i] = am_csv_col(r->csv, o->ids[i])) < 0) {
				rc = am_seterr(err, AM_EARG,
				    "%s: id column '%s' not found", r->name,
				    o->ids[i]);
				goto out;
			}
			if (role[r->idcol[i]]) {
				rc = am_seterr(err, AM_EARG,
				    "%s: column '%s' has two roles", r->name,
				    o->ids[i]);
				goto out;
			}
			role[r->idcol[i]] = 1;
			if ((s->id[i] = strdup(o->ids[i])) == NULL)
				goto nomem;
			s->nid = i + 1;
		}
	}
	for (i = 0, k = 0; i < ncol; i++)
		k += !role[i];
	if (k > AM_FS_MAX_FEAT) {
		rc = am_seterr(err, AM_ELIMIT,
		    "%s: %zu feature columns exceed the limit of %u", r->name,
		    k, (unsigned)AM_FS_MAX_FEAT);
		goto out;
	}
	if (k > 0 &&
	    ((r->fcol = calloc(k, sizeof(*r->fcol))) == NULL ||
	        (s->feat = calloc(k, sizeof(*s->feat))) == NULL))
		goto nomem;
	for (i = 0; i < ncol; i++) {
		if (role[i])
			continue;
		r->fcol[s->nfeat] = i;
		if ((s->feat[s->nfeat] = strdup(am_csv_colname(r->csv, i))) ==
		    NULL)
			goto nomem;
		s->nfeat++;
	}
	if (row_reserve(r, s->nfeat) != 0)
		goto nomem;
	free(role);
	return 0;
nomem:
	rc = am_seterr(err, AM_ENOMEM, "out of memory");
out:
	free(role);
	return rc;
}

/* The class index of target cell 'i', adding a new class if needed. */
static int
csv_class(struct am_fs_reader *r, size_t i, double *out, struct am_err *err)
{
	struct am_fs_schema *s = &r->schema;
	const char *f = am_csv_field(r->csv, i);
	size_t len = am_csv_len(r->csv, i);
	char **nc;
	long k;

	/* class names are C strings: a NUL byte would merge two labels */
	if (memchr(f, '\0', len) != NULL)
		return am_seterr(err, AM_EFORMAT,
		    "%s:%lu: target '%s': NUL byte in a class label", r->name,
		    am_csv_line(r->csv), s->target);
	if ((k = am_strindex_find(&r->classes, s->classes, f, len)) >= 0) {
		*out = (double)k;
		return 0;
	}
	if (s->nclass >= AM_FS_MAX_CLASSES)
		return am_seterr(err, AM_ELIMIT,
		    "%s:%lu: target '%s': more than %u classes", r->name,
		    am_csv_line(r->csv), s->target,
		    (unsigned)AM_FS_MAX_CLASSES);
	if ((nc = realloc(s->classes, (s->nclass + 1) * sizeof(*nc))) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	s->classes = nc;
	if ((nc[s->nclass] = malloc(len + 1)) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	memcpy(nc[s->nclass], f, len);
	nc[s->nclass][len] = '\0';
	s->nclass++;
	if (am_strindex_add(&r->classes, s->classes, s->nclass) != 0)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	*out = (double)(s->nclass - 1);
	return 0;
}

static int
csv_next(struct am_fs_reader *r, struct am_fs_row *row, struct am_err *err)
{
	const struct am_fs_schema *s = &r->schema;
	size_t i, nnz = 0;
	double v;
	int rc;

	if ((rc = am_csv_next(r->csv, err)) <= 0)
		return rc;
	r->line = am_csv_line(r->csv);
	for (i = 0; i < s->nid; i++)
		r->ids[i] = am_csv_field(r->csv, (size_t)r->idcol[i]);
	row->target = (double)NAN;
	if (r->tcol >= 0 && !am_csv_missing(r->csv, (size_t)r->tcol)) {
		size_t c = (size_t)r->tcol;
		if (r->tkind == 0) /* the first value decides */
			r->tkind = am_parse_number(am_csv_field(r->csv, c),
			               am_csv_len(r->csv, c), &v) == 0
			    ? 1
			    : 2;
		if (r->tkind == 1) {
			if ((rc = am_csv_double(r->csv, c, &row->target, err)) <
			    0)
				return am_err_prefix(err,
				    "numeric target (from its first value)");
		} else if ((rc = csv_class(r, c, &row->target, err)) != 0)
			return rc;
	}
	row->weight = 1;
	if (r->wcol >= 0) {
		rc = am_csv_double(r->csv, (size_t)r->wcol, &row->weight, err);
		if (rc < 0)
			return rc;
		if (rc == 1 || row->weight < 0)
			return am_seterr(err, AM_EFORMAT,
			    "%s:%lu: weight column '%s': %s", r->name, r->line,
			    s->weight,
			    rc == 1 ? "missing value" : "negative weight");
	}
	for (i = 0; i < s->nfeat; i++) {
		rc = am_csv_double(r->csv, r->fcol[i], &v, err);
		if (rc < 0)
			return rc;
		if (rc == 1)
			return am_seterr(err, AM_EFORMAT,
			    "%s:%lu: column '%s': missing value (features must "
			    "be numbers; impute with am-clean)",
			    r->name, r->line, s->feat[i]);
		if (v == 0 && !signbit(v))
			continue;
		r->idx[nnz] = (uint32_t)i;
		r->val[nnz++] = v;
	}
	row->ids = r->ids;
	row->nnz = nnz;
	row->idx = r->idx;
	row->val = r->val;
	return 1;
}

/* LIBSVM. */

static int
svm_open(struct am_fs_reader *r, const struct am_fs_opts *o, struct am_err *err)
{
	if (o != NULL && (o->nid > 0 || o->weight != NULL))
		return am_seterr(err, AM_EARG,
		    "%s: LIBSVM input has no id or weight columns", r->name);
	r->schema.target =
	    strdup(o != NULL && o->target != NULL ? o->target : "label");
	if (r->schema.target == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	return 0;
}

/* Read the next line into r->lbuf (NUL-terminated, no newline); 0 at EOF. */
static int
svm_line(struct am_fs_reader *r, struct am_err *err)
{
	const unsigned char *nl;
	unsigned char *p;
	size_t k;
	int rc;

	r->lbuf.len = 0;
	for (;;) {
		if (r->chunklen == 0) {
			if (r->eof)
				break;
			rc = am_src_next_chunk(r->src, &r->chunk, &r->chunklen,
			    err);
			if (rc != 0)
				return rc;
			if (r->chunklen == 0) {
				r->eof = 1;
				break;
			}
		}
		nl = memchr(r->chunk, '\n', r->chunklen);
		k = nl ? (size_t)(nl - r->chunk) : r->chunklen;
		if (r->lbuf.len + k > AM_FS_MAX_LINE)
			return am_seterr(err, AM_ELIMIT,
			    "%s:%lu: line longer than %u bytes", r->name,
			    r->line + 1, (unsigned)AM_FS_MAX_LINE);
		if ((p = bytes_grow(&r->lbuf, k)) == NULL)
			return am_seterr(err, AM_ENOMEM, "out of memory");
		memcpy(p, r->chunk, k);
		r->chunk += k;
		r->chunklen -= k;
		if (nl != NULL) {
			r->chunk++;
			r->chunklen--;
			break;
		}
	}
	if (r->eof && r->lbuf.len == 0)
		return 0;
	r->line++;
	if (r->lbuf.len > 0 && r->lbuf.p[r->lbuf.len - 1] == '\r')
		r->lbuf.len--;
	if (bytes_grow(&r->lbuf, 1) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	r->lbuf.p[r->lbuf.len - 1] = '\0';
	return 1;
}

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

/* Parse a number token; a leading '+' ("+1" labels) is allowed. */
static int
svm_number(char *s, size_t len, double *out)
{
	if (len > 1 && s[0] == '+' && s[1] != '-' && s[1] != '+') {
		s++;
		len--;
	}
	return am_parse_number(s, len, out);
}

/* Write 'v' in decimal and a NUL at 'p'; returns the bytes written. */
static size_t
put_index(char *p, size_t v)
{
	char tmp[24];
	size_t n = 0, k;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	for (k = 0; k < n; k++)
		p[k] = tmp[n - 1 - k];
	p[n] = '\0';
	return n + 1;
}

/*
 * Grow the feature names "1".."n" to at least 'n'.  They live in one
 * block (schema.names) with the pointer array: both are rebuilt for a
 * doubled capacity when 'n' passes it, so an index of 16 million costs
 * two allocations, not 16 million.
 */
static int
svm_grow(struct am_fs_reader *r, size_t n)
{
	struct am_fs_schema *s = &r->schema;
	size_t cap, i, total = 0, lo, d;
	char **nf, *nb, *p;

	if (n <= s->nfeat)
		return 0;
	if (n <= r->namecap) {
		s->nfeat = n;
		return 0;
	}
	for (cap = 16; cap < n; cap *= 2)
		;
	/* bytes of "1".."cap" with their NULs, a decade at a time */
	for (lo = 1, d = 2; lo <= cap; lo *= 10, d++)
		total += ((cap < lo * 10 - 1 ? cap : lo * 10 - 1) - lo + 1) * d;
	if ((nf = malloc(cap * sizeof(*nf))) == NULL)
		return AM_ENOMEM;
	if ((nb = malloc(total)) == NULL) {
		free(nf);
		return AM_ENOMEM;
	}
	for (i = 0, p = nb; i < cap; i++) {
		nf[i] = p;
		p += put_index(p, i + 1);
	}
	if (s->names != NULL) {
		free(s->feat);
		free(s->names);
	} else
		free_names(s->feat, s->nfeat);
	s->feat = nf;
	s->names = nb;
	s->nfeat = n;
	r->namecap = cap;
	return 0;
}

static int
svm_next(struct am_fs_reader *r, struct am_fs_row *row, struct am_err *err)
{
	char *p, *tok, *colon, *end;
	size_t nnz = 0;
	unsigned long ix, prev = 0;
	double v;
	int rc;

	do {
		if ((rc = svm_line(r, err)) <= 0)
			return rc;
		for (p = (char *)r->lbuf.p; is_space(*p); p++)
			;
	} while (*p == '\0' || *p == '#');

	for (tok = p; *p != '\0' && !is_space(*p); p++)
		;
	if (*p != '\0')
		*p++ = '\0';
	if (svm_number(tok, strlen(tok), &row->target) != 0)
		return am_seterr(err, AM_EFORMAT,
		    "%s:%lu: label '%s' is not a number", r->name, r->line,
		    tok);
	for (;;) {
		while (is_space(*p))
			p++;
		if (*p == '\0' || *p == '#')
			break;
		for (tok = p; *p != '\0' && !is_space(*p); p++)
			;
		if (*p != '\0')
			*p++ = '\0';
		if ((colon = strchr(tok, ':')) == NULL || colon == tok ||
		    strspn(tok, "0123456789") != (size_t)(colon - tok))
			return am_seterr(err, AM_EFORMAT,
			    "%s:%lu: '%s' is not INDEX:VALUE", r->name, r->line,
			    tok);
		errno = 0;
		ix = strtoul(tok, &end, 10);
		if (colon - tok > 10 || ix > r->maxix)
			return am_seterr(err, AM_ELIMIT,
			    "%s:%lu: index '%.*s' exceeds the limit of %lu "
			    "(see am(7))",
			    r->name, r->line, (int)(colon - tok), tok,
			    r->maxix);
		if (ix == 0)
			return am_seterr(err, AM_EFORMAT,
			    "%s:%lu: index 0 (indices start at 1)", r->name,
			    r->line);
		if (ix <= prev)
			return am_seterr(err, AM_EFORMAT,
			    "%s:%lu: index %lu after %lu (indices must "
			    "increase)",
			    r->name, r->line, ix, prev);
		prev = ix;
		if (svm_number(colon + 1, strlen(colon + 1), &v) != 0)
			return am_seterr(err, AM_EFORMAT,
			    "%s:%lu: index %lu: '%s' is not a number", r->name,
			    r->line, ix, colon + 1);
		if (svm_grow(r, ix) != 0 || row_reserve(r, nnz + 1) != 0)
			return am_seterr(err, AM_ENOMEM, "out of memory");
		r->idx[nnz] = (uint32_t)(ix - 1);
		r->val[nnz++] = v;
	}
	row->ids = NULL;
	row->weight = 1;
	row->nnz = nnz;
	row->idx = r->idx;
	row->val = r->val;
	return 1;
}

struct am_fs_reader *
am_fs_open(struct am_src *src, const struct am_fs_opts *opts,
    struct am_err *err)
{
	struct am_fs_reader *r;
	const unsigned char *p;
	size_t n;
	int format = opts ? opts->format : AM_FS_DETECT, rc, bin;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		am_seterr(err, AM_ENOMEM, "out of memory");
		return NULL;
	}
	r->src = src;
	r->name = am_src_name(src);
	r->maxix = AM_FS_MAX_INDEX;
	if (opts != NULL && opts->max_index > 0 &&
	    opts->max_index < AM_FS_MAX_INDEX)
		r->maxix = opts->max_index;
	if ((rc = am_src_peek(src, AM_FS_MAGIC_LEN, &p, &n, err)) != 0)
		goto fail;
	bin = am_fs_is_bin(p, n);
	if (format == AM_FS_DETECT)
		format = bin ? AM_FS_BIN : AM_FS_CSV;
	r->format = format;
	switch (format) {
	case AM_FS_BIN:
		if (n == 0) {
			am_seterr(err, AM_EFORMAT,
			    "%s: empty input, expected a binary feature stream",
			    r->name);
			goto fail;
		}
		rc = bin_open(r, opts, err);
		break;
	case AM_FS_CSV:
	case AM_FS_LIBSVM:
		if (bin) {
			am_seterr(err, AM_EFORMAT,
			    "%s: input is a binary feature stream, not %s",
			    r->name, format == AM_FS_CSV ? "CSV" : "LIBSVM");
			goto fail;
		}
		rc = format == AM_FS_CSV ? csv_open(r, opts, err)
		                         : svm_open(r, opts, err);
		break;
	default:
		am_seterr(err, AM_EARG, "unknown feature stream format %d",
		    format);
		goto fail;
	}
	if (rc == 0)
		return r;
fail:
	am_fs_close(r);
	return NULL;
}

void
am_fs_close(struct am_fs_reader *r)
{
	if (r == NULL)
		return;
	am_csv_close(r->csv);
	am_fs_schema_release(&r->schema);
	free(r->idx);
	free(r->val);
	free(r->ids);
	free(r->idoff);
	free(r->idbuf.p);
	free(r->blk.p);
	free(r->idcol);
	free(r->fcol);
	am_strindex_release(&r->classes);
	free(r->lbuf.p);
	free(r);
}

int
am_fs_format(const struct am_fs_reader *r)
{
	return r->format;
}

const struct am_fs_schema *
am_fs_schema(const struct am_fs_reader *r)
{
	return &r->schema;
}

int
am_fs_next(struct am_fs_reader *r, struct am_fs_row *row, struct am_err *err)
{
	switch (r->format) {
	case AM_FS_BIN:
		return bin_next(r, row, err);
	case AM_FS_CSV:
		return csv_next(r, row, err);
	default:
		return svm_next(r, row, err);
	}
}

unsigned long
am_fs_line(const struct am_fs_reader *r)
{
	return r->line;
}

/* The writer. */

struct am_fs_writer {
	FILE *fp; /* borrowed */
	int format;
	struct am_fs_schema schema;
	struct am_csv_writer csv;
	struct bytes blk; /* BIN: the block being filled */
	uint32_t rows;    /* rows in it */
	uint64_t total;   /* rows written */
};

static int
write_bytes(struct am_fs_writer *w, const void *p, size_t n, struct am_err *err)
{
	if (n > 0 && fwrite(p, 1, n, w->fp) != n)
		return am_seterr_sys(err, errno ? errno : EIO, "write error");
	return 0;
}

static int
bin_write_header(struct am_fs_writer *w, struct am_err *err)
{
	const struct am_fs_schema *s = &w->schema;
	struct bytes b = { 0 };
	unsigned char head[AM_FS_MAGIC_LEN + 16];
	size_t i;
	int rc;

	bytes_u32(&b, (s->target ? 1u : 0u) | (s->weight ? 2u : 0u));
	if (s->target)
		bytes_str(&b, s->target);
	if (s->weight)
		bytes_str(&b, s->weight);
	bytes_u32(&b, (uint32_t)s->nid);
	for (i = 0; i < s->nid; i++)
		bytes_str(&b, s->id[i]);
	bytes_u32(&b, (uint32_t)s->nclass);
	for (i = 0; i < s->nclass; i++)
		bytes_str(&b, s->classes[i]);
	bytes_u32(&b, (uint32_t)s->nfeat);
	for (i = 0; i < s->nfeat; i++)
		bytes_str(&b, s->feat[i]);
	if (b.oom) {
		free(b.p);
		return am_seterr(err, AM_ENOMEM, "out of memory");
	}
	memcpy(head, AM_FS_MAGIC, AM_FS_MAGIC_LEN);
	put_u32(head + AM_FS_MAGIC_LEN, AM_FS_VERSION);
	put_u32(head + AM_FS_MAGIC_LEN + 4, (uint32_t)b.len);
	put_u64(head + AM_FS_MAGIC_LEN + 8, am_fs_checksum(b.p, b.len));
	rc = write_bytes(w, head, sizeof(head), err);
	if (rc == 0)
		rc = write_bytes(w, b.p, b.len, err);
	free(b.p);
	return rc;
}

static int
check_schema(const struct am_fs_schema *s, struct am_err *err)
{
	size_t i;

	if (s->nfeat > AM_FS_MAX_FEAT || s->nid > AM_FS_MAX_IDS ||
	    s->nclass > AM_FS_MAX_CLASSES)
		return am_seterr(err, AM_ELIMIT,
		    "feature stream: too many columns or classes");
	if (s->nclass > 0 && s->target == NULL)
		return am_seterr(err, AM_EARG,
		    "feature stream: classes without a target");
	for (i = 0; i < s->nfeat; i++)
		if (s->feat[i] == NULL || strlen(s->feat[i]) > AM_FS_MAX_NAME)
			return am_seterr(err, AM_ELIMIT,
			    "feature stream: column name too long");
	return 0;
}

static void
csv_header(struct am_fs_writer *w)
{
	const struct am_fs_schema *s = &w->schema;
	size_t i;

	for (i = 0; i < s->nid; i++)
		am_csv_puts(&w->csv, s->id[i]);
	if (s->target)
		am_csv_puts(&w->csv, s->target);
	if (s->weight)
		am_csv_puts(&w->csv, s->weight);
	for (i = 0; i < s->nfeat; i++)
		am_csv_puts(&w->csv, s->feat[i]);
	am_csv_end(&w->csv);
}

struct am_fs_writer *
am_fs_writer_open(FILE *fp, int format, const struct am_fs_schema *schema,
    struct am_err *err)
{
	struct am_fs_writer *w;

	if (check_schema(schema, err) != 0)
		return NULL;
	if (format != AM_FS_CSV && format != AM_FS_BIN &&
	    format != AM_FS_LIBSVM) {
		am_seterr(err, AM_EARG, "unknown feature stream format %d",
		    format);
		return NULL;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL ||
	    am_fs_schema_copy(&w->schema, schema) != 0) {
		free(w);
		am_seterr(err, AM_ENOMEM, "out of memory");
		return NULL;
	}
	w->fp = fp;
	w->format = format;
	if (format == AM_FS_BIN) {
		if (bin_write_header(w, err) != 0) {
			am_fs_schema_release(&w->schema);
			free(w);
			return NULL;
		}
	} else if (format == AM_FS_CSV) {
		am_csv_writer_init(&w->csv, fp, ',');
		csv_header(w);
	}
	return w;
}

/* Write the pending block, if any. */
static int
bin_flush_block(struct am_fs_writer *w, struct am_err *err)
{
	unsigned char head[BLOCK_HEAD];
	int rc;

	if (w->rows == 0)
		return 0;
	if (w->blk.oom)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	put_u32(head, w->rows);
	put_u32(head + 4, (uint32_t)w->blk.len);
	put_u64(head + 8, am_fs_checksum(w->blk.p, w->blk.len));
	rc = write_bytes(w, head, sizeof(head), err);
	if (rc == 0)
		rc = write_bytes(w, w->blk.p, w->blk.len, err);
	w->rows = 0;
	w->blk.len = 0;
	return rc;
}

static int
bin_write(struct am_fs_writer *w, const struct am_fs_row *row,
    struct am_err *err)
{
	const struct am_fs_schema *s = &w->schema;
	size_t i, dense = 8 * s->nfeat, sparse = 4 + 12 * row->nnz;
	unsigned char *p;

	/* a single huge row still fits the reader's block limit */
	if ((dense < sparse ? dense : sparse) + 64 + w->blk.len >
	    AM_FS_MAX_BLOCK / 2)
		if (bin_flush_block(w, err) != 0)
			return err ? err->code : AM_EIO;
	for (i = 0; i < s->nid; i++)
		bytes_str(&w->blk, row->ids ? row->ids[i] : "");
	if (s->target)
		bytes_f64(&w->blk, row->target);
	if (s->weight)
		bytes_f64(&w->blk, row->weight);
	if (dense <= sparse) {
		if ((p = bytes_grow(&w->blk, 1 + dense)) == NULL)
			return am_seterr(err, AM_ENOMEM, "out of memory");
		*p++ = 0;
		memset(p, 0, dense); /* all-zero bytes are +0.0 */
		for (i = 0; i < row->nnz; i++)
			put_f64(p + 8 * row->idx[i], row->val[i]);
	} else {
		if ((p = bytes_grow(&w->blk, 1 + sparse)) == NULL)
			return am_seterr(err, AM_ENOMEM, "out of memory");
		*p++ = 1;
		put_u32(p, (uint32_t)row->nnz);
		p += 4;
		for (i = 0; i < row->nnz; i++)
			put_u32(p + 4 * i, row->idx[i]);
		p += 4 * row->nnz;
		for (i = 0; i < row->nnz; i++)
			put_f64(p + 8 * i, row->val[i]);
	}
	if (w->blk.oom)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	w->rows++;
	w->total++;
	if (w->rows >= AM_FS_BLOCK_ROWS || w->blk.len >= AM_FS_BLOCK_BYTES)
		return bin_flush_block(w, err);
	return 0;
}

static void
csv_write(struct am_fs_writer *w, const struct am_fs_row *row)
{
	const struct am_fs_schema *s = &w->schema;
	size_t i, k;

	for (i = 0; i < s->nid; i++)
		am_csv_puts(&w->csv, row->ids ? row->ids[i] : "");
	if (s->target) {
		if (s->nclass > 0 && !isnan(row->target))
			am_csv_puts(&w->csv, s->classes[(size_t)row->target]);
		else
			am_csv_put_double(&w->csv, row->target);
	}
	if (s->weight)
		am_csv_put_double(&w->csv, row->weight);
	for (i = 0, k = 0; i < s->nfeat; i++) {
		if (k < row->nnz && row->idx[k] == i)
			am_csv_put_double(&w->csv, row->val[k++]);
		else
			am_csv_put(&w->csv, "0", 1);
	}
	am_csv_end(&w->csv);
}

/* Print 'v' with the fewest of 15..17 digits that read back exactly. */
static void
put_exact(FILE *fp, double v)
{
	char buf[32];
	int prec;

	for (prec = 15; prec < 17; prec++) {
		(void)snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	if (prec == 17)
		(void)snprintf(buf, sizeof(buf), "%.17g", v);
	(void)fputs(buf, fp);
}

static int
svm_write(struct am_fs_writer *w, const struct am_fs_row *row,
    struct am_err *err)
{
	const struct am_fs_schema *s = &w->schema;
	size_t i;

	if (s->target != NULL && isnan(row->target))
		return am_seterr(err, AM_EARG,
		    "row %llu: missing target (LIBSVM needs a label)",
		    (unsigned long long)w->total + 1);
	if (s->target == NULL)
		(void)putc('0', w->fp);
	else
		put_exact(w->fp, row->target);
	for (i = 0; i < row->nnz; i++) {
		if (row->val[i] == 0)
			continue;
		(void)fprintf(w->fp, " %lu:", (unsigned long)row->idx[i] + 1);
		put_exact(w->fp, row->val[i]);
	}
	if (s->nid > 0 && row->ids != NULL) {
		(void)fputs(" #", w->fp);
		for (i = 0; i < s->nid; i++)
			(void)fprintf(w->fp, " %s", row->ids[i]);
	}
	(void)putc('\n', w->fp);
	w->total++;
	return 0;
}

int
am_fs_write(struct am_fs_writer *w, const struct am_fs_row *row,
    struct am_err *err)
{
	const struct am_fs_schema *s = &w->schema;
	size_t i;
	int rc;

	for (i = 0; i < row->nnz; i++)
		if (row->idx[i] >= s->nfeat ||
		    (i > 0 && row->idx[i] <= row->idx[i - 1]))
			return am_seterr(err, AM_EARG,
			    "row %llu: feature indices not increasing or "
			    "out of range",
			    (unsigned long long)w->total + 1);
	if (s->nclass > 0 && !isnan(row->target) &&
	    !(row->target >= 0 && row->target < (double)s->nclass))
		return am_seterr(err, AM_EARG,
		    "row %llu: class index out of range",
		    (unsigned long long)w->total + 1);
	switch (w->format) {
	case AM_FS_BIN:
		rc = bin_write(w, row, err);
		break;
	case AM_FS_CSV:
		csv_write(w, row);
		w->total++;
		rc = 0;
		break;
	default:
		rc = svm_write(w, row, err);
		break;
	}
	if (rc == 0 && ferror(w->fp))
		rc = am_seterr_sys(err, errno ? errno : EIO, "write error");
	return rc;
}

int
am_fs_writer_flush(struct am_fs_writer *w, struct am_err *err)
{
	if (w->format == AM_FS_BIN && bin_flush_block(w, err) != 0)
		return err ? err->code : AM_EIO;
	if (fflush(w->fp) != 0)
		return am_seterr_sys(err, errno ? errno : EIO, "write error");
	return 0;
}

int
am_fs_writer_close(struct am_fs_writer *w, struct am_err *err)
{
	unsigned char end[BLOCK_HEAD + 8];
	int rc = 0;

	if (w == NULL)
		return 0;
	if (w->format == AM_FS_BIN) {
		rc = bin_flush_block(w, err);
		if (rc == 0) {
			put_u32(end, 0);
			put_u32(end + 4, 8);
			put_u64(end + BLOCK_HEAD, w->total);
			put_u64(end + 8, am_fs_checksum(end + BLOCK_HEAD, 8));
			rc = write_bytes(w, end, sizeof(end), err);
		}
	}
	if (rc == 0 && ferror(w->fp))
		rc = am_seterr_sys(err, errno ? errno : EIO, "write error");
	am_fs_schema_release(&w->schema);
	free(w->blk.p);
	free(w);
	return rc;
}
