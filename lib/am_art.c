/* SPDX-License-Identifier: MIT */
/*
 * am_art.c -- the artifact container of am-model(5): building one in
 * memory, encoding it, and decoding untrusted bytes back.
 *
 * The layout (version 1, all integers little-endian, strings a u32 length
 * and the bytes) is:
 *
 *	magic[8] version:u32 kind:str algo:str
 *	nmeta:u32 { key:str value:str }...
 *	ncols:u32 { name:str type:u8 }...
 *	nsect:u32 { name:str len:u64 bytes[len] }...
 *	sha256[32] of everything before it
 *
 * Decoding checks, in this order, the magic, the version, the checksum,
 * then parses with a bounds-checked struct am_rd; every count is compared
 * with the bytes that remain before anything is allocated for it (each
 * entry takes at least a fixed number of bytes), every string has a
 * length cap, and duplicate keys and sections are found by sorting, so
 * that a hostile file costs at most O(n log n) time and memory linear in
 * its size.  The checksum comes first so that ordinary corruption gives
 * the one clear message; the parse checks still run because a checksum
 * is no defence against a crafted file.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nettle/sha2.h>

#include "am_art.h"
#include "am_cli.h"
#include "am_io.h"
#include "am_store.h"

#include "am_banned.h"

/* "\x89" is split off so that the next letter is not read as hex. */
static const unsigned char magic[8] = { 0x89, 'A', 'M', 'M', '\r', '\n', 0x1a,
	'\n' };

#define HEAD_BYTES 12 /* magic and version */
#define SUM_BYTES  32 /* trailing SHA-256 */

struct meta {
	char *key, *value;
};

struct col {
	char *name;
	int type;
};

struct sect {
	char name[AM_ART_SECTION_NAME_MAX + 1];
	unsigned char *data;
	size_t len;
};

struct am_art {
	char *kind, *algo;
	unsigned version;
	struct meta *meta;
	size_t nmeta, capmeta;
	struct col *cols;
	size_t ncols, capcols;
	struct sect *sects;
	size_t nsects, capsects;
	char sha[65]; /* of the bytes loaded or saved; "" once changed */
};

static const char *const coltypes[] = { "number", "integer", "boolean",
	"category", "text", "date" };

/* Room for one more element in '*p' of 'size' bytes each; NULL if none. */
static void *
grow(void *p, size_t *cap, size_t n, size_t size)
{
	size_t c;
	void *q;

	if (n < *cap)
		return p;
	c = *cap ? *cap * 2 : 8;
	if (c > SIZE_MAX / size)
		return NULL;
	if ((q = realloc(p, c * size)) == NULL)
		return NULL;
	*cap = c;
	return q;
}

struct am_art *
am_art_new(const char *kind, const char *algo)
{
	struct am_art *a;

	if (strlen(kind) > AM_ART_KIND_MAX || strlen(algo) > AM_ART_KIND_MAX ||
	    (a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	a->version = AM_ART_VERSION;
	if ((a->kind = strdup(kind)) == NULL ||
	    (a->algo = strdup(algo)) == NULL) {
		am_art_free(a);
		return NULL;
	}
	return a;
}

void
am_art_free(struct am_art *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->nmeta; i++) {
		free(a->meta[i].key);
		free(a->meta[i].value);
	}
	for (i = 0; i < a->ncols; i++)
		free(a->cols[i].name);
	for (i = 0; i < a->nsects; i++)
		free(a->sects[i].data);
	free(a->meta);
	free(a->cols);
	free(a->sects);
	free(a->kind);
	free(a->algo);
	free(a);
}

const char *
am_art_kind(const struct am_art *a)
{
	return a->kind;
}

const char *
am_art_algo(const struct am_art *a)
{
	return a->algo;
}

unsigned
am_art_version(const struct am_art *a)
{
	return a->version;
}

static struct meta *
find_meta(const struct am_art *a, const char *key)
{
	size_t i;

	for (i = 0; i < a->nmeta; i++)
		if (strcmp(a->meta[i].key, key) == 0)
			return &a->meta[i];
	return NULL;
}

int
am_art_set(struct am_art *a, const char *key, const char *value)
{
	struct meta *m, *nm;
	size_t klen = strlen(key);
	char *v;

	if (klen == 0 || klen > AM_ART_KEY_MAX ||
	    strlen(value) > AM_ART_VALUE_MAX)
		return AM_EARG;
	if ((v = strdup(value)) == NULL)
		return AM_ENOMEM;
	a->sha[0] = '\0';
	if ((m = find_meta(a, key)) != NULL) {
		free(m->value);
		m->value = v;
		return 0;
	}
	if ((nm = grow(a->meta, &a->capmeta, a->nmeta, sizeof(*nm))) == NULL) {
		free(v);
		return AM_ENOMEM;
	}
	a->meta = nm;
	if ((nm[a->nmeta].key = strdup(key)) == NULL) {
		free(v);
		return AM_ENOMEM;
	}
	nm[a->nmeta++].value = v;
	return 0;
}

int
am_art_setf(struct am_art *a, const char *key, const char *fmt, ...)
{
	va_list ap;
	char small[128], *s;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return AM_EARG;
	if ((size_t)n < sizeof(small))
		return am_art_set(a, key, small);
	if ((s = malloc((size_t)n + 1)) == NULL)
		return AM_ENOMEM;
	va_start(ap, fmt);
	(void)vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	rc = am_art_set(a, key, s);
	free(s);
	return rc;
}

const char *
am_art_get(const struct am_art *a, const char *key)
{
	const struct meta *m = find_meta(a, key);

	return m != NULL ? m->value : NULL;
}

double
am_art_get_num(const struct am_art *a, const char *key, double lo, double hi,
    double def)
{
	const char *v = am_art_get(a, key);
	char *end;
	double x;

	if (v == NULL)
		return def;
	errno = 0;
	x = strtod(v, &end);
	return end != v && *end == '\0' && errno == 0 && isfinite(x) &&
	        x >= lo && x <= hi
	    ? x
	    : def;
}

unsigned long long
am_art_seed(const struct am_art *a, unsigned long long def)
{
	const char *v = am_art_get(a, "seed");
	char *end;
	unsigned long long x;

	if (v == NULL || *v < '0' || *v > '9')
		return def;
	errno = 0;
	x = strtoull(v, &end, 10);
	return end != v && *end == '\0' && errno == 0 ? x : def;
}

size_t
am_art_nmeta(const struct am_art *a)
{
	return a->nmeta;
}

const char *
am_art_meta_key(const struct am_art *a, size_t i)
{
	return i < a->nmeta ? a->meta[i].key : NULL;
}

const char *
am_art_meta_value(const struct am_art *a, size_t i)
{
	return i < a->nmeta ? a->meta[i].value : NULL;
}

/*
 * The creation time: SOURCE_DATE_EPOCH when it holds a plain decimal
 * number of seconds (reproducible-builds.org), else the clock.
 */
static void
utc_now(char out[32])
{
	const char *e = getenv("SOURCE_DATE_EPOCH");
	time_t t = time(NULL);
	unsigned long long v;
	struct tm tm;
	char *end;

	if (e != NULL && *e >= '0' && *e <= '9') {
		errno = 0;
		v = strtoull(e, &end, 10);
		if (*end == '\0' && errno == 0 && v <= 253402300799ULL)
			t = (time_t)v; /* up to 9999-12-31T23:59:59Z */
	}
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		(void)snprintf(out, 32, "1970-01-01T00:00:00Z");
}

int
am_art_lineage(struct am_art *a, const char *cmdline, const char *input,
    const char *sha256, unsigned long long rows, unsigned long long seed)
{
	char when[32];
	int rc = 0;

	utc_now(when);
	rc = am_art_set(a, "lineage.tool", "am " AM_VERSION);
	if (rc == 0 && cmdline != NULL)
		rc = am_art_set(a, "lineage.command", cmdline);
	if (rc == 0)
		rc = am_art_set(a, "lineage.created", when);
	if (rc == 0 && input != NULL)
		rc = am_art_set(a, "lineage.input", input);
	if (rc == 0 && sha256 != NULL && *sha256 != '\0')
		rc = am_art_set(a, "lineage.input.sha256", sha256);
	if (rc == 0)
		rc = am_art_setf(a, "lineage.input.rows", "%llu", rows);
	if (rc == 0)
		rc = am_art_setf(a, "seed", "%llu", seed);
	return rc;
}

int
am_art_add_parent(struct am_art *a, const struct am_art *parent)
{
	struct am_buf b = AM_BUF_INIT;
	const char *old = am_art_get(a, "lineage.parents");
	char hex[65];
	int rc;

	if (parent->sha[0] != '\0')
		memcpy(hex, parent->sha, sizeof(hex));
	else {
		/* Never saved or changed since: the hash it would save as. */
		if (am_art_encode(parent, &b) != 0) {
			am_buf_release(&b);
			return AM_ENOMEM;
		}
		am_sha256_hex(b.data, b.len, hex);
		am_buf_release(&b);
	}
	if (old == NULL || *old == '\0')
		return am_art_set(a, "lineage.parents", hex);
	if (strstr(old, hex) != NULL)
		return 0;
	rc = am_art_setf(a, "lineage.parents", "%s,%s", old, hex);
	return rc;
}

const char *
am_art_sha256(const struct am_art *a)
{
	return a->sha;
}

const char *
am_coltype_name(int type)
{
	if (type < 0 || (size_t)type >= sizeof(coltypes) / sizeof(coltypes[0]))
		return NULL;
	return coltypes[type];
}

int
am_coltype_byname(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(coltypes) / sizeof(coltypes[0]); i++)
		if (strcmp(coltypes[i], name) == 0)
			return (int)i;
	return -1;
}

int
am_art_add_col(struct am_art *a, const char *name, int type)
{
	struct col *nc;

	if (strlen(name) > AM_ART_COLNAME_MAX || type < 0 || type > 255)
		return AM_EARG;
	if ((nc = grow(a->cols, &a->capcols, a->ncols, sizeof(*nc))) == NULL)
		return AM_ENOMEM;
	a->cols = nc;
	if ((nc[a->ncols].name = strdup(name)) == NULL)
		return AM_ENOMEM;
	nc[a->ncols++].type = type;
	a->sha[0] = '\0';
	return 0;
}

size_t
am_art_ncols(const struct am_art *a)
{
	return a->ncols;
}

const char *
am_art_col_name(const struct am_art *a, size_t i)
{
	return i < a->ncols ? a->cols[i].name : NULL;
}

int
am_art_col_type(const struct am_art *a, size_t i)
{
	return i < a->ncols ? a->cols[i].type : -1;
}

static const struct sect *
find_sect(const struct am_art *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->nsects; i++)
		if (strcmp(a->sects[i].name, name) == 0)
			return &a->sects[i];
	return NULL;
}

int
am_art_add_section(struct am_art *a, const char *name, const void *data,
    size_t len)
{
	struct sect *ns;
	size_t nlen = strlen(name);
	unsigned char *copy;

	if (nlen == 0 || nlen > AM_ART_SECTION_NAME_MAX ||
	    find_sect(a, name) != NULL)
		return AM_EARG;
	if ((copy = malloc(len ? len : 1)) == NULL)
		return AM_ENOMEM;
	if (len > 0)
		memcpy(copy, data, len);
	if ((ns = grow(a->sects, &a->capsects, a->nsects, sizeof(*ns))) ==
	    NULL) {
		free(copy);
		return AM_ENOMEM;
	}
	a->sects = ns;
	memcpy(ns[a->nsects].name, name, nlen + 1);
	ns[a->nsects].data = copy;
	ns[a->nsects++].len = len;
	a->sha[0] = '\0';
	return 0;
}

int
am_art_add_buf(struct am_art *a, const char *name, const struct am_buf *b)
{
	if (am_buf_error(b))
		return AM_ENOMEM;
	return am_art_add_section(a, name, b->data, b->len);
}

const void *
am_art_section(const struct am_art *a, const char *name, size_t *len)
{
	const struct sect *s = find_sect(a, name);

	if (s == NULL)
		return NULL;
	if (len != NULL)
		*len = s->len;
	return s->data;
}

size_t
am_art_nsections(const struct am_art *a)
{
	return a->nsects;
}

const char *
am_art_section_name(const struct am_art *a, size_t i)
{
	return i < a->nsects ? a->sects[i].name : NULL;
}

int
am_art_encode(const struct am_art *a, struct am_buf *out)
{
	unsigned char sum[SUM_BYTES];
	size_t start = out->len, i;

	if (a->nmeta > UINT32_MAX || a->ncols > UINT32_MAX ||
	    a->nsects > UINT32_MAX)
		return AM_ENOMEM;
	am_buf_put(out, magic, sizeof(magic));
	am_buf_u32(out, AM_ART_VERSION);
	am_buf_str(out, a->kind);
	am_buf_str(out, a->algo);
	am_buf_u32(out, (uint32_t)a->nmeta);
	for (i = 0; i < a->nmeta; i++) {
		am_buf_str(out, a->meta[i].key);
		am_buf_str(out, a->meta[i].value);
	}
	am_buf_u32(out, (uint32_t)a->ncols);
	for (i = 0; i < a->ncols; i++) {
		am_buf_str(out, a->cols[i].name);
		am_buf_u8(out, (uint8_t)a->cols[i].type);
	}
	am_buf_u32(out, (uint32_t)a->nsects);
	for (i = 0; i < a->nsects; i++) {
		am_buf_str(out, a->sects[i].name);
		am_buf_u64(out, (uint64_t)a->sects[i].len);
		am_buf_put(out, a->sects[i].data, a->sects[i].len);
	}
	if (am_buf_error(out))
		return AM_ENOMEM;
	am_sha256(out->data + start, out->len - start, sum);
	am_buf_put(out, sum, sizeof(sum));
	return am_buf_error(out) ? AM_ENOMEM : 0;
}

static int
cmp_str(const void *x, const void *y)
{
	const char *const *s = x, *const *t = y;

	return strcmp(*s, *t);
}

/* The first name that occurs twice in 'names', or NULL; sorts 'names'. */
static const char *
duplicate(const char **names, size_t n)
{
	size_t i;

	if (n < 2)
		return NULL;
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 1; i < n; i++)
		if (strcmp(names[i - 1], names[i]) == 0)
			return names[i];
	return NULL;
}

/* Fail the decode with "NAME: malformed artifact (WHAT)". */
static struct am_art *malformed(struct am_art *a, struct am_err *err,
    const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static struct am_art *
malformed(struct am_art *a, struct am_err *err, const char *name,
    const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	am_art_free(a);
	am_seterr(err, AM_EFORMAT, "%s: malformed artifact (%s)", name, what);
	return NULL;
}

static struct am_art *
nomem(struct am_art *a, struct am_err *err)
{
	am_art_free(a);
	am_seterr(err, AM_ENOMEM, "out of memory");
	return NULL;
}

/*
 * Parse the body of a version 1 artifact (between the version and the
 * checksum).  Each meta entry takes at least 8 bytes, each column 5, each
 * section 12: a count larger than the bytes left allow is refused before
 * any allocation.
 */
static struct am_art *
parse_v1(struct am_rd *r, const char *name, struct am_err *err)
{
	const char **names = NULL, *dup;
	struct am_art *a;
	char *kind, *algo, *key, *val, *s;
	uint32_t n, i;
	uint64_t len;

	kind = am_rd_str(r, AM_ART_KIND_MAX);
	algo = am_rd_str(r, AM_ART_KIND_MAX);
	if (kind == NULL || algo == NULL) {
		free(kind);
		free(algo);
		return malformed(NULL, err, name, "bad kind or algorithm");
	}
	if ((a = calloc(1, sizeof(*a))) == NULL) {
		free(kind);
		free(algo);
		return nomem(NULL, err);
	}
	a->kind = kind;
	a->algo = algo;
	a->version = 1;

	n = am_rd_u32(r);
	if (am_rd_error(r) || n > am_rd_left(r) / 8)
		return malformed(a, err, name, "bad metadata count");
	if (n > 0 &&
	    ((a->meta = calloc(n, sizeof(*a->meta))) == NULL ||
	        (names = malloc(n * sizeof(*names))) == NULL))
		return nomem(a, err);
	a->capmeta = n;
	for (i = 0; i < n; i++) {
		key = am_rd_str(r, AM_ART_KEY_MAX);
		val = key != NULL ? am_rd_str(r, AM_ART_VALUE_MAX) : NULL;
		if (key == NULL || val == NULL || *key == '\0') {
			free(key);
			free(val);
			free(names);
			return malformed(a, err, name, "bad metadata entry %u",
			    (unsigned)i + 1);
		}
		a->meta[i].key = key;
		a->meta[i].value = val;
		names[i] = key;
		a->nmeta++;
	}
	dup = duplicate(names, n);
	if (dup != NULL) {
		/* 'dup' points into 'a': format the message first. */
		am_seterr(err, AM_EFORMAT,
		    "%s: malformed artifact (duplicate metadata key '%.64s')",
		    name, dup);
		free(names);
		am_art_free(a);
		return NULL;
	}
	free(names);
	names = NULL;

	n = am_rd_u32(r);
	if (am_rd_error(r) || n > am_rd_left(r) / 5)
		return malformed(a, err, name, "bad schema column count");
	if (n > 0 && (a->cols = calloc(n, sizeof(*a->cols))) == NULL)
		return nomem(a, err);
	a->capcols = n;
	for (i = 0; i < n; i++) {
		if ((s = am_rd_str(r, AM_ART_COLNAME_MAX)) == NULL)
			return malformed(a, err, name, "bad schema column %u",
			    (unsigned)i + 1);
		a->cols[i].name = s;
		a->cols[i].type = am_rd_u8(r);
		a->ncols++;
	}

	n = am_rd_u32(r);
	if (am_rd_error(r) || n > am_rd_left(r) / 12)
		return malformed(a, err, name, "bad section count");
	if (n > 0 &&
	    ((a->sects = calloc(n, sizeof(*a->sects))) == NULL ||
	        (names = malloc(n * sizeof(*names))) == NULL))
		return nomem(a, err);
	a->capsects = n;
	for (i = 0; i < n; i++) {
		s = am_rd_str(r, AM_ART_SECTION_NAME_MAX);
		len = am_rd_u64(r);
		if (s == NULL || *s == '\0' || am_rd_error(r) ||
		    len > am_rd_left(r)) {
			free(s);
			free(names);
			return malformed(a, err, name, "bad section %u",
			    (unsigned)i + 1);
		}
		memcpy(a->sects[i].name, s, strlen(s) + 1);
		free(s);
		if ((a->sects[i].data = malloc(len ? (size_t)len : 1)) ==
		    NULL) {
			free(names);
			return nomem(a, err);
		}
		am_rd_get(r, a->sects[i].data, (size_t)len);
		a->sects[i].len = (size_t)len;
		names[i] = a->sects[i].name;
		a->nsects++;
	}
	dup = duplicate(names, n);
	free(names);
	if (dup != NULL)
		return malformed(a, err, name, "duplicate section");
	if (am_rd_error(r))
		return malformed(a, err, name, "truncated body");
	if (am_rd_left(r) != 0)
		return malformed(a, err, name,
		    "%zu stray bytes before checksum", am_rd_left(r));
	return a;
}

/* 32 bytes as 64 lowercase hex digits and a NUL. */
static void
hex(const unsigned char d[SUM_BYTES], char out[65])
{
	static const char digits[] = "0123456789abcdef";
	int i;

	for (i = 0; i < SUM_BYTES; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[64] = '\0';
}

struct am_art *
am_art_decode(const void *data, size_t len, const char *name, const char *kind,
    struct am_err *err)
{
	const unsigned char *p = data;
	unsigned char sum[SUM_BYTES];
	struct sha256_ctx ctx, whole;
	struct am_art *a;
	struct am_rd r;
	uint32_t version;

	if (len == 0)
		return am_seterr(err, AM_EFORMAT,
		           "%s: not an am artifact (empty file)", name),
		       NULL;
	if (memcmp(p, magic, len < sizeof(magic) ? len : sizeof(magic)) != 0)
		return am_seterr(err, AM_EFORMAT,
		           "%s: not an am artifact (bad magic)", name),
		       NULL;
	if (len < HEAD_BYTES + SUM_BYTES)
		return am_seterr(err, AM_EFORMAT, "%s: truncated (%zu bytes)",
		           name, len),
		       NULL;
	am_rd_init(&r, p + sizeof(magic), 4);
	version = am_rd_u32(&r);
	if (version == 0)
		return am_seterr(err, AM_EFORMAT,
		           "%s: invalid format version 0", name),
		       NULL;
	if (version > AM_ART_VERSION)
		return am_seterr(err, AM_EMODEL,
		           "%s: format version %lu is newer than this am (%d); upgrade am",
		           name, (unsigned long)version, AM_ART_VERSION),
		       NULL;
	/* One pass gives both the checksum and the digest of the file. */
	sha256_init(&ctx);
	sha256_update(&ctx, len - SUM_BYTES, p);
	whole = ctx;
	sha256_digest(&ctx, SUM_BYTES, sum);
	if (memcmp(sum, p + len - SUM_BYTES, SUM_BYTES) != 0)
		return am_seterr(err, AM_EFORMAT,
		           "%s: checksum mismatch (file corrupt or truncated)",
		           name),
		       NULL;
	am_rd_init(&r, p + HEAD_BYTES, len - HEAD_BYTES - SUM_BYTES);
	/* Only version 1 exists; later layouts get their own parser. */
	if ((a = parse_v1(&r, name, err)) == NULL)
		return NULL;
	sha256_update(&whole, SUM_BYTES, p + len - SUM_BYTES);
	sha256_digest(&whole, SUM_BYTES, sum);
	hex(sum, a->sha);
	if (kind != NULL && strcmp(a->kind, kind) != 0) {
		am_seterr(err, AM_EMODEL,
		    "%s: is a '%.64s' artifact, expected '%.64s'", name,
		    a->kind, kind);
		am_art_free(a);
		return NULL;
	}
	return a;
}

int
am_art_save(struct am_art *a, const char *path, struct am_err *err)
{
	struct am_buf b = AM_BUF_INIT;
	int rc;

	if (am_art_encode(a, &b) != 0) {
		am_buf_release(&b);
		return am_seterr(err, AM_ENOMEM, "out of memory");
	}
	rc = am_write_file_atomic(path, b.data, b.len, err);
	if (rc == 0)
		am_sha256_hex(b.data, b.len, a->sha);
	am_buf_release(&b);
	return rc;
}

struct am_art *
am_art_load(const char *path, const char *kind, struct am_err *err)
{
	const char *name =
	    path == NULL || strcmp(path, "-") == 0 ? "<stdin>" : path;
	unsigned char *data = NULL;
	char *current = NULL;
	struct am_art *a;
	size_t len = 0;

	/* A store entry (am_store.h) stands for its current version. */
	if (am_store_resolve(path, &current, err) < 0)
		return NULL;
	if (current != NULL)
		path = name = current;
	if (am_read_file(path == NULL ? "-" : path, AM_ART_MAX_BYTES, &data,
	        &len, err) != 0) {
		free(current);
		return NULL;
	}
	a = am_art_decode(data, len, name, kind, err);
	free(data);
	free(current);
	return a;
}
