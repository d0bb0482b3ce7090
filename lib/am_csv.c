/* SPDX-License-Identifier: MIT */
/*
 * am_csv.c -- streaming CSV over libcsv.
 *
 * libcsv turns bytes into fields through two callbacks but cannot stop
 * in the middle of a buffer and says nothing about positions.  So the
 * reader feeds it one physical line at a time (memchr for '\n' in the
 * chunk that am_src lends us, no copy): it then knows the line where each
 * record starts, and usually a line completes exactly one record.  The
 * field callback copies each field into one record buffer (bytes, NUL
 * after each field, offsets and lengths in arrays); the record callback
 * queues a small descriptor.  A queue, not a single slot, because a bare
 * CR also ends a record in libcsv, so one line may hold several.  When
 * the queue is drained the buffers are rewound, so memory follows the
 * longest record, never the row count.
 *
 * libcsv is configured so that it changes no data: no space trimming (a
 * space function that says no), CSV_EMPTY_IS_NULL so that an unquoted
 * empty field (missing) differs from "" (an empty string), and a realloc
 * function capped at AM_CSV_MAX_FIELD + 1 so that a huge field fails
 * before it is allocated.  An unterminated quote is caught at end of
 * input by switching on CSV_STRICT | CSV_STRICT_FINI just for csv_fini().
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "am_csv.h"
#include "am_dtoa.h"

#include "am_banned.h"

#define BLK  (64 * 1024) /* libcsv's field buffer grows by this much */
#define SHOW 40          /* bytes of a bad cell quoted in a message */

static const char *const default_missing[] = { "NA", "NaN", "null", "?", NULL };

struct rec {
	size_t first;       /* index of its first field */
	size_t nfield;      /* fields in the record (some maybe unstored) */
	unsigned long line; /* physical line where it starts */
	const char *raw;    /* its line when verbatim, else NULL */
	size_t rawlen;
};

struct am_csv_reader {
	struct am_src *src;
	struct csv_parser p;
	int delim;
	unsigned flags;
	int eof;                    /* csv_fini() done */
	int header;                 /* reading the header: no width check yet */
	const unsigned char *chunk; /* bytes lent by am_src_next_chunk() */
	size_t clen, cpos;
	unsigned long line;       /* physical line of chunk[cpos] */
	unsigned long start_line; /* line where the pending record began */
	unsigned long skipped;

	/* Header. */
	size_t ncols;
	char **names;
	char *namebuf;

	/* Missing tokens (copied). */
	char **miss;
	size_t *misslen;
	size_t nmiss, missmax;
	uint32_t missfirst[256]; /* by first byte: bit min(length, 31) */

	/* Field store: bytes with a NUL after each field. */
	char *buf;
	size_t blen, bcap;
	size_t *off, *len;
	unsigned char *null; /* missing: unquoted empty, or a token */
	size_t nf, fcap;

	/* Set by split_line() for the record it queues (am_csv_verbatim()). */
	const char *raw;
	size_t rawlen;

	/* Queued records; 'pending' is the first field of the open one. */
	struct rec *recs;
	size_t nrec, rhead, rcap;
	size_t pending, pending_n;
	const struct rec *cur;

	/* First error raised inside a callback. */
	struct am_err cberr;
};

/* libcsv must not trim spaces: they are data (RFC 4180). */
static int
never_space(unsigned char c)
{
	(void)c;
	return 0;
}

/*
 * libcsv's field buffer.  libcsv grows it by a fixed block at a time,
 * which copies a huge field quadratically wherever realloc moves the
 * block (always, under ASan).  These wrappers keep the real capacity in a
 * header before the bytes libcsv sees and grow it geometrically, and
 * refuse to grow it past the field limit.
 */
#define FIELD_HDR 16 /* keeps the buffer 16-byte aligned */

static void *
capped_realloc(void *p, size_t n)
{
	unsigned char *base = p != NULL ? (unsigned char *)p - FIELD_HDR : NULL;
	unsigned char *nb;
	size_t cap = 0, ncap;

	if (n > (size_t)AM_CSV_MAX_FIELD + 1)
		return NULL;
	if (base != NULL)
		memcpy(&cap, base, sizeof(cap));
	if (n <= cap)
		return p;
	for (ncap = cap > BLK ? cap : BLK; ncap < n; ncap *= 2)
		;
	if (ncap > (size_t)AM_CSV_MAX_FIELD + 1)
		ncap = (size_t)AM_CSV_MAX_FIELD + 1;
	/* on failure libcsv keeps (and later frees) the old buffer */
	if ((nb = realloc(base, FIELD_HDR + ncap)) == NULL)
		return NULL;
	memcpy(nb, &ncap, sizeof(ncap));
	return nb + FIELD_HDR;
}

static void
capped_free(void *p)
{
	if (p != NULL)
		free((unsigned char *)p - FIELD_HDR);
}

static int
grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 16;
	void *np;

	while (n < need) {
		if (n > SIZE_MAX / 2 / size)
			return -1;
		n *= 2;
	}
	if (n == *cap)
		return 0;
	if ((np = realloc(*p, n * size)) == NULL)
		return -1;
	*p = np;
	*cap = n;
	return 0;
}

static int
grow_fields(struct am_csv_reader *r, size_t need)
{
	size_t cap = r->fcap, c2;

	if (need <= cap)
		return 0;
	c2 = cap;
	if (grow((void **)&r->off, &c2, need, sizeof(*r->off)) != 0)
		return -1;
	c2 = cap;
	if (grow((void **)&r->len, &c2, need, sizeof(*r->len)) != 0)
		return -1;
	c2 = cap;
	if (grow((void **)&r->null, &c2, need, 1) != 0)
		return -1;
	r->fcap = c2;
	return 0;
}

/* Is s[0..n) (n > 0) one of the missing tokens? */
static inline int
is_token(const struct am_csv_reader *r, const char *s, size_t n)
{
	size_t j;

	if (n > r->missmax ||
	    !(r->missfirst[(unsigned char)s[0]] & 1u << (n < 31 ? n : 31)))
		return 0;
	for (j = 0; j < r->nmiss; j++)
		if (r->misslen[j] == n && memcmp(r->miss[j], s, n) == 0)
			return 1;
	return 0;
}

static void
cb_field(void *s, size_t n, void *data)
{
	struct am_csv_reader *r = data;
	size_t k = r->pending_n;

	if (r->cberr.code != 0)
		return;
	if (r->start_line == 0)
		r->start_line = r->line;
	r->pending_n++;
	if (n > AM_CSV_MAX_FIELD) {
		am_seterr(&r->cberr, AM_ELIMIT,
		    "%s:%lu: field longer than %u bytes (limit)",
		    am_src_name(r->src), r->start_line, AM_CSV_MAX_FIELD);
		return;
	}
	if (r->header) {
		if (k >= AM_CSV_MAX_COLS) {
			am_seterr(&r->cberr, AM_ELIMIT,
			    "%s:%lu: more than %d columns (limit)",
			    am_src_name(r->src), r->start_line,
			    AM_CSV_MAX_COLS);
			return;
		}
	} else if (k >= r->ncols) {
		return; /* a ragged record: count, do not store */
	}
	if ((r->nf == r->fcap && grow_fields(r, r->nf + 1) != 0) ||
	    (r->blen + n + 1 > r->bcap &&
	        grow((void **)&r->buf, &r->bcap, r->blen + n + 1, 1) != 0)) {
		am_seterr(&r->cberr, AM_ENOMEM, "out of memory");
		return;
	}
	r->off[r->nf] = r->blen;
	r->len[r->nf] = n;
	r->null[r->nf] = s == NULL || (n > 0 && is_token(r, s, n));
	if (n > 0)
		memcpy(r->buf + r->blen, s, n);
	r->buf[r->blen + n] = '\0';
	r->blen += n + 1;
	r->nf++;
}

static void
cb_record(int c, void *data)
{
	struct am_csv_reader *r = data;
	struct rec *rec;

	(void)c;
	if (r->cberr.code != 0)
		return;
	if (grow((void **)&r->recs, &r->rcap, r->nrec + 1, sizeof(*r->recs)) !=
	    0) {
		am_seterr(&r->cberr, AM_ENOMEM, "out of memory");
		return;
	}
	rec = &r->recs[r->nrec++];
	rec->first = r->pending;
	rec->nfield = r->pending_n;
	rec->line = r->start_line ? r->start_line : r->line;
	rec->raw = r->raw;
	rec->rawlen = r->rawlen;
	r->raw = NULL;
	r->pending = r->nf;
	r->pending_n = 0;
	r->start_line = 0;
}

/* Drop the consumed records; keep the fields of the open one. */
static void
rewind_store(struct am_csv_reader *r)
{
	size_t i, base, nkeep;

	r->nrec = r->rhead = 0;
	r->cur = NULL;
	nkeep = r->nf - r->pending;
	if (nkeep == 0) {
		r->nf = r->pending = 0;
		r->blen = 0;
		return;
	}
	base = r->off[r->pending];
	memmove(r->buf, r->buf + base, r->blen - base);
	for (i = 0; i < nkeep; i++) {
		r->off[i] = r->off[r->pending + i] - base;
		r->len[i] = r->len[r->pending + i];
		r->null[i] = r->null[r->pending + i];
	}
	r->blen -= base;
	r->nf = nkeep;
	r->pending = 0;
}

static int
parse_error(struct am_csv_reader *r, struct am_err *err)
{
	unsigned long line = r->start_line ? r->start_line : r->line;

	if (csv_error(&r->p) == CSV_ENOMEM &&
	    csv_get_buffer_size(&r->p) >= AM_CSV_MAX_FIELD)
		return am_seterr(err, AM_ELIMIT,
		    "%s:%lu: field longer than %u bytes (limit)",
		    am_src_name(r->src), line, AM_CSV_MAX_FIELD);
	if (csv_error(&r->p) == CSV_ENOMEM)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	return am_seterr(err, AM_EFORMAT, "%s:%lu: %s", am_src_name(r->src),
	    line, csv_strerror(csv_error(&r->p)));
}

static int
blank(const unsigned char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != '\n' && s[i] != '\r')
			return 0;
	return 1;
}

/*
 * Store field k of the record being split by split_line(): 'p' (NUL-
 * terminated in the record buffer), 'n' bytes, 'null' for missing.
 * Returns 0, or -1 when the arrays cannot grow (cberr is set).
 */
static int
line_field(struct am_csv_reader *r, const char *p, size_t n, int null)
{
	size_t k = r->pending_n++;

	if (r->header ? k >= AM_CSV_MAX_COLS : k >= r->ncols)
		return 0; /* too many: counted (ragged) or refused below */
	if (r->nf == r->fcap && grow_fields(r, r->nf + 1) != 0) {
		am_seterr(&r->cberr, AM_ENOMEM, "out of memory");
		return -1;
	}
	r->off[r->nf] = (size_t)(p - r->buf);
	r->len[r->nf] = n;
	r->null[r->nf] = (unsigned char)null;
	r->nf++;
	return 0;
}

/*
 * The fast path for the common line: complete (ends in '\n'), outside
 * any record, no CR before its end, every quote either a whole quoted
 * field without a line break ("..." with "" for a quote) or absent.
 * Such a line means to libcsv exactly what it means here (no trimming,
 * an unquoted empty field is missing), so it is copied once into the
 * record buffer and split in place with memchr(), several times faster
 * than libcsv's byte-wise state machine.  Anything else (a quote inside
 * an unquoted field, text after a closing quote, a quoted line break, a
 * line longer than a field may be) goes back to libcsv untouched:
 * returns -1 then, 0 when done.
 *
 * It also tells whether the record is verbatim (see am_csv_verbatim()):
 * no field is a missing token, none starts or ends with a byte <= ' ',
 * and every quoted field needed its quotes (it holds '"' or the
 * delimiter) -- then writing the fields again gives back the line.
 */
static int
split_line(struct am_csv_reader *r, const unsigned char *seg, size_t n)
{
	const unsigned char *end = seg + n - 1;
	size_t len, nf0 = r->nf, blen0 = r->blen, fl;
	char *p, *e, *q, *x, *w;
	int quotes, qd, esc, tok, verb = 1;

	if (end > seg && end[-1] == '\r')
		end--;
	if (end == seg)
		return 0; /* a blank line, skipped as libcsv does */
	len = (size_t)(end - seg);
	if (len > AM_CSV_MAX_FIELD || memchr(seg, '\r', len) != NULL)
		return -1;
	if (r->blen + len + 1 > r->bcap &&
	    grow((void **)&r->buf, &r->bcap, r->blen + len + 1, 1) != 0)
		return -1;
	quotes = memchr(seg, '"', len) != NULL;
	p = r->buf + r->blen;
	memcpy(p, seg, len);
	e = p + len;
	*e = (char)r->delim; /* a sentinel for the field loop */
	r->start_line = r->line;
	for (;;) {
		qd = quotes && *p == '"';
		if (qd) {
			esc = 0;
			for (w = p, q = p + 1;; q = x + 2) {
				x = memchr(q, '"', (size_t)(e - q));
				if (x == NULL)
					goto fallback; /* a quoted line break */
				memmove(w, q, (size_t)(x - q));
				w += x - q;
				if (x + 1 == e || x[1] != '"')
					break;
				*w++ = '"';
				esc = 1;
			}
			q = x + 1;
			if (q != e && *q != r->delim)
				goto fallback;
			fl = (size_t)(w - p);
			*w = '\0';
			tok = fl > 0 && is_token(r, p, fl);
			if (fl > 0 &&
			    ((unsigned char)p[0] <= ' ' ||
			        (unsigned char)w[-1] <= ' ' || tok ||
			        (!esc && memchr(p, r->delim, fl) == NULL)))
				verb = 0; /* not written back the same */
		} else {
			/* fields are short: a byte loop beats memchr() */
			for (q = p; *q != (char)r->delim; q++)
				;
			fl = (size_t)(q - p);
			if (quotes && memchr(p, '"', fl) != NULL)
				goto fallback;
			tok = fl > 0 && is_token(r, p, fl);
			if (fl > 0 &&
			    ((unsigned char)p[0] <= ' ' ||
			        (unsigned char)q[-1] <= ' ' || tok))
				verb = 0;
		}
		if (line_field(r, p, fl, (fl == 0 && !qd) || tok) != 0)
			return 0;
		if (q == e) {
			*e = '\0';
			break;
		}
		*q = '\0';
		p = q + 1;
	}
	if (r->header && r->pending_n > AM_CSV_MAX_COLS) {
		am_seterr(&r->cberr, AM_ELIMIT,
		    "%s:%lu: more than %d columns (limit)", am_src_name(r->src),
		    r->start_line, AM_CSV_MAX_COLS);
		return 0;
	}
	r->blen += len + 1;
	r->raw = verb ? (const char *)seg : NULL;
	r->rawlen = len;
	cb_record('\n', r);
	return 0;
fallback:
	r->nf = nf0;
	r->blen = blen0;
	r->pending_n = 0;
	r->start_line = 0;
	return -1;
}

/*
 * Feed libcsv until a record is queued or the input ends.  Returns 0 or
 * a negative AM_E*.
 */
static int
fill(struct am_csv_reader *r, struct am_err *err)
{
	const unsigned char *seg, *nl;
	size_t n;
	int rc;

	rewind_store(r);
	while (r->nrec == 0 && !r->eof) {
		if (r->cpos == r->clen) {
			if (am_src_next_chunk(r->src, &r->chunk, &r->clen,
			        err) != 0)
				return AM_EIO;
			r->cpos = 0;
			if (r->clen == 0) {
				csv_set_opts(&r->p,
				    (unsigned char)(csv_get_opts(&r->p) |
				        CSV_STRICT | CSV_STRICT_FINI));
				rc = csv_fini(&r->p, cb_field, cb_record, r);
				r->eof = 1;
				if (rc != 0)
					return am_seterr(err, AM_EFORMAT,
					    "%s:%lu: unterminated quoted "
					    "field (add the closing '\"')",
					    am_src_name(r->src),
					    r->start_line ? r->start_line
					                  : r->line);
				break;
			}
		}
		seg = r->chunk + r->cpos;
		nl = memchr(seg, '\n', r->clen - r->cpos);
		n = nl != NULL ? (size_t)(nl - seg) + 1 : r->clen - r->cpos;
		if (r->start_line == 0 && r->pending_n == 0 && nl != NULL &&
		    split_line(r, seg, n) == 0) {
			/* done without libcsv */
		} else {
			if (r->start_line == 0 && r->pending_n == 0 &&
			    !blank(seg, n))
				r->start_line = r->line;
			if (csv_parse(&r->p, seg, n, cb_field, cb_record, r) !=
			    n)
				return parse_error(r, err);
		}
		r->cpos += n;
		if (nl != NULL)
			r->line++;
		if (r->cberr.code != 0)
			break;
	}
	if (r->cberr.code != 0) {
		if (err != NULL)
			*err = r->cberr;
		return r->cberr.code;
	}
	return 0;
}

/* Pick the delimiter: the most frequent of , ; TAB | outside quotes. */
static int
detect_delim(const unsigned char *p, size_t n)
{
	static const char cand[] = ",;\t|";
	size_t count[4] = { 0, 0, 0, 0 }, i, best = 0;
	int inq = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = p[i];
		if (c == '"')
			inq = !inq;
		else if (inq)
			continue;
		else if (c == '\n' || c == '\r')
			break;
		else if (c == ',')
			count[0]++;
		else if (c == ';')
			count[1]++;
		else if (c == '\t')
			count[2]++;
		else if (c == '|')
			count[3]++;
	}
	for (i = 1; i < 4; i++)
		if (count[i] > count[best])
			best = i;
	return cand[best];
}

/*
 * Peek at the first line, no more: on a pipe, asking for more than is
 * there would wait for the writer (--line-buffered pipelines).
 */
static int
peek_header(struct am_src *src, const unsigned char **p, size_t *n,
    struct am_err *err)
{
	size_t want = 1, i;
	int inq = 0;

	for (;;) {
		if (am_src_peek(src, want, p, n, err) != 0)
			return AM_EIO;
		for (i = 0; i < *n; i++) {
			if ((*p)[i] == '"')
				inq = !inq;
			else if ((*p)[i] == '\n' && !inq)
				return 0;
		}
		if (*n < want || *n >= AM_SRC_PEEK_MAX)
			return 0;
		want = *n + 1;
		inq = 0;
	}
}

static int
copy_missing(struct am_csv_reader *r, const char *const *tok)
{
	size_t i, n = 0;

	if (tok == NULL)
		tok = default_missing;
	while (tok[n] != NULL)
		n++;
	if (n > 0 &&
	    ((r->miss = calloc(n, sizeof(*r->miss))) == NULL ||
	        (r->misslen = calloc(n, sizeof(*r->misslen))) == NULL))
		return -1;
	for (i = 0; i < n; i++) {
		if ((r->miss[i] = strdup(tok[i])) == NULL)
			return -1;
		r->nmiss++;
		r->misslen[i] = strlen(tok[i]);
		r->missfirst[(unsigned char)tok[i][0]] |= 1u
		    << (r->misslen[i] < 31 ? r->misslen[i] : 31);
		if (r->misslen[i] > r->missmax)
			r->missmax = r->misslen[i];
	}
	return 0;
}

static int
read_header(struct am_csv_reader *r, struct am_err *err)
{
	const struct rec *h;
	size_t i, total;
	int rc;

	r->header = 1;
	if ((rc = fill(r, err)) != 0)
		return rc;
	r->header = 0;
	if (r->nrec == 0)
		return am_seterr(err, AM_EFORMAT,
		    "%s: empty input, expected a header line",
		    am_src_name(r->src));
	h = &r->recs[r->rhead++];
	r->ncols = h->nfield;
	total = r->blen - r->off[h->first];
	if ((r->names = calloc(r->ncols, sizeof(*r->names))) == NULL ||
	    (r->namebuf = malloc(total)) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	memcpy(r->namebuf, r->buf + r->off[h->first], total);
	for (i = 0; i < r->ncols; i++)
		r->names[i] =
		    r->namebuf + (r->off[h->first + i] - r->off[h->first]);
	return grow_fields(r, r->ncols + 1) != 0
	    ? am_seterr(err, AM_ENOMEM, "out of memory")
	    : 0;
}

struct am_csv_reader *
am_csv_open(struct am_src *src, const struct am_csv_opts *opts,
    struct am_err *err)
{
	struct am_csv_reader *r;
	const unsigned char *p;
	unsigned char bom[3];
	size_t n;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		am_seterr(err, AM_ENOMEM, "out of memory");
		return NULL;
	}
	r->src = src;
	r->line = 1;
	r->flags = opts != NULL ? opts->flags : 0;
	if (csv_init(&r->p, CSV_EMPTY_IS_NULL) != 0) {
		free(r);
		am_seterr(err, AM_ENOMEM, "out of memory");
		return NULL;
	}
	csv_set_space_func(&r->p, never_space);
	csv_set_realloc_func(&r->p, capped_realloc);
	csv_set_free_func(&r->p, capped_free);
	csv_set_blk_size(&r->p, BLK);
	if (copy_missing(r, opts != NULL ? opts->missing : NULL) != 0) {
		am_seterr(err, AM_ENOMEM, "out of memory");
		goto fail;
	}
	if (peek_header(src, &p, &n, err) != 0)
		goto fail;
	if (n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) {
		p += 3;
		n -= 3;
		if (am_src_read(src, bom, 3, err) != 3)
			goto fail;
	}
	r->delim =
	    opts != NULL && opts->delim != 0 ? opts->delim : detect_delim(p, n);
	csv_set_delim(&r->p, (unsigned char)r->delim);
	if (read_header(r, err) != 0)
		goto fail;
	return r;
fail:
	am_csv_close(r);
	return NULL;
}

void
am_csv_close(struct am_csv_reader *r)
{
	size_t i;

	if (r == NULL)
		return;
	csv_free(&r->p);
	for (i = 0; i < r->nmiss; i++)
		free(r->miss[i]);
	free(r->miss);
	free(r->misslen);
	free(r->names);
	free(r->namebuf);
	free(r->buf);
	free(r->off);
	free(r->len);
	free(r->null);
	free(r->recs);
	free(r);
}

size_t
am_csv_ncols(const struct am_csv_reader *r)
{
	return r->ncols;
}

const char *
am_csv_colname(const struct am_csv_reader *r, size_t i)
{
	return i < r->ncols ? r->names[i] : "";
}

long
am_csv_col(const struct am_csv_reader *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->ncols; i++)
		if (strcmp(r->names[i], name) == 0)
			return (long)i;
	return -1;
}

int
am_csv_delim(const struct am_csv_reader *r)
{
	return r->delim;
}

int
am_csv_next(struct am_csv_reader *r, struct am_err *err)
{
	const struct rec *rec;
	int rc;

	for (;;) {
		if (r->rhead == r->nrec) {
			if ((rc = fill(r, err)) != 0)
				return rc;
			if (r->nrec == 0)
				return 0;
		}
		rec = &r->recs[r->rhead++];
		if (rec->nfield == r->ncols) {
			r->cur = rec;
			return 1;
		}
		if (!(r->flags & AM_CSV_SKIP_BAD))
			return am_seterr(err, AM_EFORMAT,
			    "%s:%lu: expected %zu fields, found %zu",
			    am_src_name(r->src), rec->line, r->ncols,
			    rec->nfield);
		r->skipped++;
	}
}

const char *
am_csv_field(const struct am_csv_reader *r, size_t i)
{
	if (r->cur == NULL || i >= r->ncols)
		return "";
	return r->buf + r->off[r->cur->first + i];
}

size_t
am_csv_len(const struct am_csv_reader *r, size_t i)
{
	if (r->cur == NULL || i >= r->ncols)
		return 0;
	return r->len[r->cur->first + i];
}

int
am_csv_missing(const struct am_csv_reader *r, size_t i)
{
	if (r->cur == NULL || i >= r->ncols)
		return 1;
	return r->null[r->cur->first + i]; /* tokens were checked on read */
}

void
am_csv_record(const struct am_csv_reader *r, const char **f, size_t *len,
    unsigned char *missing)
{
	size_t i, k;

	for (i = 0; i < r->ncols; i++) {
		if (r->cur == NULL) {
			f[i] = "";
			len[i] = 0;
			missing[i] = 1;
			continue;
		}
		k = r->cur->first + i;
		f[i] = r->buf + r->off[k];
		len[i] = r->len[k];
		missing[i] = r->null[k];
	}
}

int
am_csv_verbatim(const struct am_csv_reader *r, const char **line, size_t *len)
{
	if (r->cur == NULL || r->cur->raw == NULL)
		return 0;
	*line = r->cur->raw;
	*len = r->cur->rawlen;
	return 1;
}

int
am_csv_double(const struct am_csv_reader *r, size_t i, double *out,
    struct am_err *err)
{
	const char *s;
	size_t n;

	if (am_csv_missing(r, i)) {
		*out = (double)NAN;
		return 1;
	}
	s = am_csv_field(r, i);
	n = am_csv_len(r, i);
	if (am_parse_number(s, n, out) == 0)
		return 0;
	return am_seterr(err, AM_EFORMAT,
	    "%s:%lu: column '%s': '%.*s%s' is not a number", am_csv_name(r),
	    am_csv_line(r), am_csv_colname(r, i), n > SHOW ? SHOW : (int)n, s,
	    n > SHOW ? "..." : "");
}

unsigned long
am_csv_line(const struct am_csv_reader *r)
{
	return r->cur != NULL ? r->cur->line : r->line;
}

const char *
am_csv_name(const struct am_csv_reader *r)
{
	return am_src_name(r->src);
}

unsigned long
am_csv_skipped(const struct am_csv_reader *r)
{
	return r->skipped;
}

/*
 * Numbers.  The grammar is checked here, byte by byte: [+-] digits [.
 * digits] [e [+-] digits], at least one digit in the mantissa; nothing
 * else (no spaces, hex, inf, nan).  When the significant digits fit in 53
 * bits and the decimal exponent is small, the value is exact: one
 * correctly rounded multiply or divide by an exact power of ten (Clinger's
 * fast path).  Otherwise strtod() does the conversion; the numeric locale
 * is always "C" in our programs.
 */
static const double pow10tab[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8,
	1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
	1e21, 1e22 };

int
am_parse_number(const char *s, size_t len, double *out)
{
	const char *p = s, *end = s + len;
	uint64_t mant = 0;
	int neg = 0, ndig = 0, sig = 0, scale = 0, exp = 0, eneg = 0, edig = 0;
	double v;
	char *stop, tmp[512];

	if (p < end && (*p == '-' || *p == '+'))
		neg = *p++ == '-';
	for (; p < end && *p >= '0' && *p <= '9'; p++, ndig++) {
		if (mant == 0 && *p == '0')
			continue; /* leading zeros are not significant */
		if (sig < 19)
			mant = mant * 10 + (uint64_t)(*p - '0');
		else
			scale++;
		sig++;
	}
	if (p < end && *p == '.') {
		for (p++; p < end && *p >= '0' && *p <= '9'; p++, ndig++) {
			if (mant == 0 && *p == '0') {
				scale--;
				continue;
			}
			if (sig < 19) {
				mant = mant * 10 + (uint64_t)(*p - '0');
				scale--;
			}
			sig++;
		}
	}
	if (ndig == 0)
		return -1;
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '-' || *p == '+'))
			eneg = *p++ == '-';
		for (; p < end && *p >= '0' && *p <= '9'; p++, edig++)
			if (exp < 100000)
				exp = exp * 10 + (*p - '0');
		if (edig == 0)
			return -1;
	}
	if (p != end)
		return -1;
	if (mant == 0) {
		*out = neg ? -0.0 : 0.0;
		return 0;
	}
	scale += eneg ? -exp : exp;
	if (mant <= (UINT64_C(1) << 53) && scale >= -22 && scale <= 22) {
		v = (double)mant;
		v = scale < 0 ? v / pow10tab[-scale] : v * pow10tab[scale];
		*out = neg ? -v : v;
		return 0;
	}
	/* Rare: many digits or a large exponent.  strtod() needs a NUL. */
	if (s[len] != '\0') {
		if (len >= sizeof(tmp))
			return -1;
		memcpy(tmp, s, len);
		tmp[len] = '\0';
		s = tmp;
	}
	v = strtod(s, &stop);
	if (stop != s + len || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

/* Writer. */

void
am_csv_writer_init(struct am_csv_writer *w, FILE *fp, int delim)
{
	w->fp = fp;
	w->delim = delim != 0 ? delim : ',';
	w->nfield = 0;
}

static int
needs_quotes(const char *s, size_t len, int delim)
{
	size_t i;
	unsigned char c;

	if (len == 0)
		return 0;
	if (s[0] == ' ' || s[0] == '\t' || s[len - 1] == ' ' ||
	    s[len - 1] == '\t')
		return 1;
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c <= '"' && (c == '"' || c == '\n' || c == '\r'))
			return 1;
		if (c == delim)
			return 1;
	}
	return 0;
}

/* Short fields byte by byte: putc_unlocked() is a macro, fwrite() a call. */
static void
put_plain(FILE *fp, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		putc_unlocked(s[i], fp);
}

static void
put_quoted(FILE *fp, const char *s, size_t len)
{
	size_t i;

	putc_unlocked('"', fp);
	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			putc_unlocked('"', fp);
		putc_unlocked(s[i], fp);
	}
	putc_unlocked('"', fp);
}

void
am_csv_put(struct am_csv_writer *w, const char *s, size_t len)
{
	if (w->nfield++ > 0)
		putc_unlocked(w->delim, w->fp);
	if (needs_quotes(s, len, w->delim))
		put_quoted(w->fp, s, len);
	else if (len > 32)
		(void)fwrite(s, 1, len, w->fp);
	else
		put_plain(w->fp, s, len);
}

void
am_csv_put_quoted(struct am_csv_writer *w, const char *s, size_t len)
{
	if (w->nfield++ > 0)
		putc_unlocked(w->delim, w->fp);
	put_quoted(w->fp, s, len);
}

void
am_csv_puts(struct am_csv_writer *w, const char *s)
{
	am_csv_put(w, s, strlen(s));
}

void
am_csv_put_double(struct am_csv_writer *w, double v)
{
	char tmp[AM_DTOA_MAX], *p = tmp + sizeof(tmp);
	uint64_t u;

	if (isnan(v)) {
		am_csv_put(w, "", 0);
		return;
	}
	/* Integers below 1e15 print the same as "%.15g", much faster. */
	if (v == floor(v) && fabs(v) < 1e15 && !(v == 0 && signbit(v))) {
		u = (uint64_t)fabs(v);
		do {
			*--p = (char)('0' + u % 10);
			u /= 10;
		} while (u > 0);
		if (v < 0)
			*--p = '-';
		am_csv_put(w, p, (size_t)(tmp + sizeof(tmp) - p));
		return;
	}
	/* The same bytes as "%.15g", without printf (am_dtoa.h). */
	am_csv_put(w, tmp, am_dtoa_g15(v, tmp));
}

void
am_csv_end(struct am_csv_writer *w)
{
	putc_unlocked('\n', w->fp);
	w->nfield = 0;
}
