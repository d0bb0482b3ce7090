/*
 * am-predict -- apply a model to a feature stream (binary, CSV or
 * LIBSVM), writing one CSV row per input row: id columns, the true
 * target when the input has it, score and label.  Streams: memory does
 * not grow with the number of rows.
 */
#include <err.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am_art.h"
#include "am_cli.h"
#include "am_csv.h"
#include "am_fs.h"
#include "am_io.h"
#include "am_model.h"
#include "am_pool.h"
#include "am_rec.h"

#include "am_banned.h"

enum {
	OPT_COEF = 256,
	OPT_EXPLAIN,
	OPT_FROM,
	OPT_LINE_BUFFERED,
	OPT_VERSION,
};

struct opts {
	const char *model, *target, *path;
	const char **ids;
	size_t nid;
	int from, delim, quiet, verbose, coef, lbuf, threads;
	size_t explain;
};

static const struct option longopts[] = {
	{ "coef", no_argument, NULL, OPT_COEF },
	{ "delimiter", required_argument, NULL, 'd' },
	{ "explain", required_argument, NULL, OPT_EXPLAIN },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "help", no_argument, NULL, 'h' },
	{ "id", required_argument, NULL, 'i' },
	{ "line-buffered", no_argument, NULL, OPT_LINE_BUFFERED },
	{ "model", required_argument, NULL, 'm' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "target", required_argument, NULL, 't' },
	{ "threads", required_argument, NULL, 'j' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static void usage(void) __attribute__((noreturn));
static void help(void);

static void
parse_args(int argc, char *argv[], struct opts *o)
{
	const char **p;
	long n;
	int ch;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":d:hi:j:m:qt:v", longopts,
	            NULL)) != -1) {
		switch (ch) {
		case 'd':
			if ((o->delim = am_parse_delim(optarg)) < 0) {
				warnx("-d: '%s' is not one character", optarg);
				usage();
			}
			break;
		case 'h':
			help();
			exit(am_close_stdout(AM_EXIT_OK));
		case 'i':
			if ((p = realloc(o->ids, (o->nid + 1) * sizeof(*p))) ==
			    NULL)
				err(AM_EXIT_FAILURE, "out of memory");
			o->ids = p;
			o->ids[o->nid++] = optarg;
			break;
		case 'j':
			if (am_parse_long(optarg, 1, 256, &n) != 0) {
				warnx("-j: '%s' is not a thread count in "
				      "[1, 256]",
				    optarg);
				usage();
			}
			o->threads = (int)n;
			break;
		case 'm':
			o->model = optarg;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 't':
			o->target = optarg;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case OPT_COEF:
			o->coef = 1;
			break;
		case OPT_EXPLAIN:
			if (am_parse_long(optarg, 1, 1000, &n) != 0) {
				warnx("--explain: '%s' is not a count in "
				      "[1, 1000]",
				    optarg);
				usage();
			}
			o->explain = (size_t)n;
			break;
		case OPT_FROM:
			if ((o->from = am_fs_format_byname(optarg)) < 0) {
				warnx("--from: '%s' is not csv, bin or libsvm",
				    optarg);
				usage();
			}
			break;
		case OPT_LINE_BUFFERED:
			o->lbuf = 1;
			break;
		case OPT_VERSION:
			am_print_version(stdout, "am-predict");
			exit(am_close_stdout(AM_EXIT_OK));
		default: /* ':' a missing argument, '?' unknown */
			am_warn_getopt(ch, optopt, argv[optind - 1]);
			usage();
		}
	}
	if (o->model == NULL) {
		warnx("-m MODEL is required (the model file to apply)");
		usage();
	}
	if (argc - optind > 1)
		usage();
	o->path = optind < argc ? argv[optind] : "-";
}

/*
 * Whether the CSV header line at the start of 'src' names column 'name'
 * (a light look ahead, before the reader takes the header: the model's
 * target and id columns are used only when the input has them).  With
 * 'delim' 0 any of , ; TAB | separates.
 */
static int
header_has(struct am_src *src, int delim, const char *name)
{
	const unsigned char *p;
	size_t n = 0, want, i, start, len = strlen(name);
	int q;

	/* Peek only as far as the end of the header line: a pipe may be
	 * feeding us one record at a time. */
	for (want = 512;; want *= 2) {
		if (am_src_peek(src, want, &p, &n, NULL) != 0)
			return 0;
		for (q = 0, i = 0; i < n; i++)
			if (p[i] == '"')
				q = !q;
			else if (!q && p[i] == '\n')
				break;
		if (i < n || n < want || want >= AM_SRC_PEEK_MAX)
			break;
	}
	q = 0;
	i = start = n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	for (;; i++) {
		int end = i >= n || (!q && (p[i] == '\n' || p[i] == '\r'));
		int sep = !end && !q &&
		    (delim ? p[i] == delim : strchr(",;\t|", p[i]) != NULL);
		if (end || sep) {
			size_t a = start, b = i;
			if (b > a + 1 && p[a] == '"' && p[b - 1] == '"')
				a++, b--;
			if (b - a == len && memcmp(p + a, name, len) == 0)
				return 1;
			if (end)
				return 0;
			start = i + 1;
		} else if (p[i] == '"')
			q = !q;
	}
}

/* --coef: "feature,weight" rows of a linear model. */
static int
print_coef(const struct am_model *m, const char *name, struct am_err *e)
{
	const struct am_fs_schema *s = am_model_schema(m);
	const double *w;
	double bias;
	struct am_csv_writer out;
	size_t j, v, nvec, nw;

	if (am_model_ops(m)->coef == NULL)
		return am_seterr(e, AM_EMODEL,
		    "%s: a '%s' model has no "
		    "coefficients",
		    name, am_model_ops(m)->name);
	w = am_model_ops(m)->coef(m, &bias);
	/* A K-class linear model has one weight vector per class. */
	nvec = am_model_is_classifier(m) && s->nclass > 2 ? s->nclass : 1;
	nw = s->nfeat + (bias > 0);
	am_csv_writer_init(&out, stdout, ',');
	am_csv_puts(&out, "feature");
	for (v = 0; v < nvec; v++) {
		if (nvec == 1) {
			am_csv_puts(&out, "weight");
			continue;
		}
		{
			size_t len = strlen(s->classes[v]) + 3;
			char *col = malloc(len);
			if (col == NULL)
				return am_seterr(e, AM_ENOMEM, "out of memory");
			(void)snprintf(col, len, "w_%s", s->classes[v]);
			am_csv_puts(&out, col);
			free(col);
		}
	}
	am_csv_end(&out);
	for (j = 0; j < s->nfeat; j++) {
		am_csv_puts(&out, s->feat[j]);
		for (v = 0; v < nvec; v++)
			am_csv_put_double(&out, w[v * nw + j]);
		am_csv_end(&out);
	}
	if (bias > 0) {
		am_csv_puts(&out, "(intercept)");
		for (v = 0; v < nvec; v++)
			am_csv_put_double(&out, w[v * nw + s->nfeat] * bias);
		am_csv_end(&out);
	}
	return 0;
}

/* The name of output column k (see am_model.h). */
static void
put_outname(struct am_csv_writer *out, const struct am_model *m, size_t k)
{
	const struct am_fs_schema *ms = am_model_schema(m);
	const struct am_model_ops *ops = am_model_ops(m);
	char *name;
	size_t len;

	if (ops->outname != NULL) {
		am_csv_puts(out, ops->outname(m, k));
	} else if (!am_model_is_classifier(m)) {
		am_csv_puts(out, "value");
	} else if (ms->nclass <= 2) {
		am_csv_puts(out, "score");
	} else {
		len = strlen(ms->classes[k]) + 3;
		if ((name = malloc(len)) == NULL)
			err(AM_EXIT_FAILURE, "out of memory");
		(void)snprintf(name, len, "p_%s", ms->classes[k]);
		am_csv_puts(out, name);
		free(name);
	}
}

static void
write_header(const struct opts *o, struct am_csv_writer *out,
    const struct am_fs_schema *s, const struct am_model *m)
{
	size_t i, nout = am_model_nout(m);
	char name[64];

	for (i = 0; i < s->nid; i++)
		am_csv_puts(out, s->id[i]);
	if (s->target != NULL)
		am_csv_puts(out, s->target);
	for (i = 0; i < nout; i++)
		put_outname(out, m, i);
	if (am_model_is_classifier(m) && am_model_ops(m)->outname == NULL)
		am_csv_puts(out, "label");
	for (i = 0; i < o->explain; i++) {
		(void)snprintf(name, sizeof(name), "feature_%zu", i + 1);
		am_csv_puts(out, name);
		(void)snprintf(name, sizeof(name), "contrib_%zu", i + 1);
		am_csv_puts(out, name);
	}
	am_csv_end(out);
}

/*
 * Batch prediction.  The reader fills a batch of rows (features copied,
 * the id and target fields already written as CSV text); the batch is
 * cut into CHUNKS chunks, each predicted and formatted into its own
 * memory stream by some thread, and the chunks are written in order.
 * The cut depends only on the batch, so the output is the same for any
 * -j.  With --line-buffered a batch is one row.
 *
 * With two threads or more, reading overlaps scoring: the main thread
 * decodes rows into one batch while a scoring thread (with a pool of the
 * other threads) predicts, formats and writes the batch before it.  The
 * two batches take turns; each is FREE (the reader may fill it) or FULL
 * (the scorer owns it), and the scorer takes them in the order they were
 * filled, so the bytes are those of one thread.
 */
#define BATCH  8192
#define CHUNKS 16

struct batch {
	const struct opts *o;
	const struct am_model *m;
	size_t rows;
	size_t *ptr; /* row offsets into idx, val (BATCH + 1) */
	uint32_t *idx;
	double *val;
	size_t cap;
	/* Prefix fields of the rows: ids, then the target's class name
	 * (or its value in tval), NUL-terminated in 'pre' from preoff[r]. */
	char *pre;
	size_t prelen, precap, *preoff; /* BATCH + 1 offsets */
	double *tval;
	int has_target, target_str;
	size_t nid;
	struct am_model_bind **bind; /* CHUNKS bindings, one per chunk */
	char *text[CHUNKS];
	size_t len[CHUNKS];
	int rc[CHUNKS];
};

/* The 'k' largest |contrib| (ties: lower feature first) into 'top'. */
static size_t
top_k(const double *c, size_t n, size_t k, size_t *top)
{
	size_t j, i, got = 0;

	for (j = 0; j < n; j++) {
		double a = fabs(c[j]);
		if (!(a > 0))
			continue;
		if (got == k && !(a > fabs(c[top[got - 1]])))
			continue;
		i = got < k ? got++ : got - 1;
		while (i > 0 && a > fabs(c[top[i - 1]])) {
			top[i] = top[i - 1];
			i--;
		}
		top[i] = j;
	}
	return got;
}

static void
run_chunk(void *arg, size_t chunk)
{
	struct batch *b = arg;
	const struct am_model *m = b->m;
	const struct am_fs_schema *ms = am_model_schema(m);
	size_t per = (b->rows + CHUNKS - 1) / CHUNKS;
	size_t r0 = chunk * per, r1 = r0 + per, r, k, nout = am_model_nout(m);
	size_t nf = ms->nfeat, *top = NULL, ntop;
	int label =
	    am_model_is_classifier(m) && am_model_ops(m)->outname == NULL;
	double *out = NULL, *contrib = NULL;
	struct am_csv_writer w;
	FILE *f;

	b->text[chunk] = NULL;
	b->len[chunk] = 0;
	b->rc[chunk] = 0;
	if (r1 > b->rows)
		r1 = b->rows;
	if (r0 >= r1)
		return;
	if ((f = open_memstream(&b->text[chunk], &b->len[chunk])) == NULL ||
	    (out = malloc((nout + 1) * sizeof(*out))) == NULL ||
	    (b->o->explain > 0 &&
	        ((contrib = malloc((nf + 1) * sizeof(*contrib))) == NULL ||
	            (top = malloc(b->o->explain * sizeof(*top))) == NULL))) {
		b->rc[chunk] = AM_ENOMEM;
		goto out;
	}
	am_csv_writer_init(&w, f, ',');
	for (r = r0; r < r1; r++) {
		/* no pointer arithmetic on NULL (a batch of empty rows) */
		const uint32_t *idx = b->idx ? b->idx + b->ptr[r] : NULL;
		const double *val = b->val ? b->val + b->ptr[r] : NULL;
		size_t nnz = b->ptr[r + 1] - b->ptr[r], cls = 0;
		if (am_model_predict(m, b->bind[chunk], nnz, idx, val, out) !=
		    0) {
			b->rc[chunk] = AM_ENOMEM;
			goto out;
		}
		const char *p = b->pre ? b->pre + b->preoff[r] : NULL;
		for (k = 0; k < b->nid + (size_t)b->target_str; k++) {
			am_csv_puts(&w, p);
			p += strlen(p) + 1;
		}
		if (b->has_target && !b->target_str)
			am_csv_put_double(&w, b->tval[r]);
		for (k = 0; k < nout; k++)
			am_csv_put_double(&w, out[k]);
		if (label) {
			cls = am_model_label(m, out);
			am_csv_puts(&w, ms->classes[cls]);
			if (ms->nclass <= 2)
				cls = am_model_positive(m);
		}
		if (b->o->explain > 0) {
			int rc;
			memset(contrib, 0, (nf + 1) * sizeof(*contrib));
			if ((rc = am_model_explain(m, b->bind[chunk], nnz, idx,
			         val, cls, contrib)) != 0) {
				b->rc[chunk] = rc;
				goto out;
			}
			ntop = top_k(contrib, nf, b->o->explain, top);
			for (k = 0; k < b->o->explain; k++) {
				if (k < ntop) {
					am_csv_puts(&w, ms->feat[top[k]]);
					am_csv_put_double(&w, contrib[top[k]]);
				} else {
					am_csv_put(&w, "", 0);
					am_csv_put(&w, "", 0);
				}
			}
		}
		am_csv_end(&w);
	}
out:
	if (f != NULL && fclose(f) != 0 && b->rc[chunk] == 0)
		b->rc[chunk] = AM_ENOMEM;
	free(out);
	free(contrib);
	free(top);
}

/* Append a row to the batch; 0 or AM_ENOMEM. */
static int
batch_add(struct batch *b, const struct am_fs_schema *s,
    const struct am_fs_row *row)
{
	size_t i, n = b->ptr[b->rows];

	if (n + row->nnz > b->cap) {
		size_t cap = 2 * (n + row->nnz) + 1024;
		uint32_t *ni = realloc(b->idx, cap * sizeof(*ni));
		double *nv;
		if (ni == NULL)
			return AM_ENOMEM;
		b->idx = ni;
		if ((nv = realloc(b->val, cap * sizeof(*nv))) == NULL)
			return AM_ENOMEM;
		b->val = nv;
		b->cap = cap;
	}
	if (row->nnz > 0) {
		memcpy(b->idx + n, row->idx, row->nnz * sizeof(*b->idx));
		memcpy(b->val + n, row->val, row->nnz * sizeof(*b->val));
	}
	b->ptr[b->rows + 1] = n + row->nnz;
	b->nid = s->nid;
	b->has_target = s->target != NULL;
	b->target_str = b->has_target && s->nclass > 0;
	for (i = 0; i < s->nid + (size_t)b->target_str; i++) {
		const char *f = i < s->nid ? row->ids[i]
		    : isnan(row->target)   ? ""
		                           : s->classes[(size_t)row->target];
		size_t len = strlen(f) + 1;
		if (b->prelen + len > b->precap) {
			size_t cap = 2 * (b->prelen + len) + 4096;
			char *np = realloc(b->pre, cap);
			if (np == NULL)
				return AM_ENOMEM;
			b->pre = np;
			b->precap = cap;
		}
		memcpy(b->pre + b->prelen, f, len);
		b->prelen += len;
	}
	b->tval[b->rows] = row->target;
	b->rows++;
	b->preoff[b->rows] = b->prelen;
	return 0;
}

/* Predict and write the rows of the batch, then empty it. */
static int
batch_flush(struct batch *b, struct am_pool *pool, int lbuf)
{
	size_t c;
	int rc = 0;

	if (b->rows == 0)
		return 0;
	am_pool_run(pool, CHUNKS, run_chunk, b);
	for (c = 0; c < CHUNKS; c++) {
		if (b->rc[c] != 0 && rc == 0)
			rc = b->rc[c];
		if (rc == 0 && b->len[c] > 0)
			(void)fwrite(b->text[c], 1, b->len[c], stdout);
		free(b->text[c]);
		b->text[c] = NULL;
	}
	if (lbuf)
		(void)fflush(stdout);
	b->rows = 0;
	b->prelen = 0;
	return rc;
}

/* The scoring thread and the two batches it shares with the reader. */
struct pipe {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct batch b[2];
	int full[2]; /* batch i is the scorer's */
	int eof;     /* the reader has handed over its last batch */
	int rc;      /* the scorer's first error */
	struct am_pool *pool;
};

static void *
scorer(void *arg)
{
	struct pipe *pp = arg;
	int i = 0, rc;

	for (;;) {
		pthread_mutex_lock(&pp->mu);
		while (!pp->full[i] && !pp->eof)
			pthread_cond_wait(&pp->cv, &pp->mu);
		if (!pp->full[i]) { /* eof, nothing left */
			pthread_mutex_unlock(&pp->mu);
			return NULL;
		}
		pthread_mutex_unlock(&pp->mu);
		rc = pp->rc == 0 ? batch_flush(&pp->b[i], pp->pool, 0) : 0;
		pp->b[i].rows = 0;
		pp->b[i].prelen = 0;
		pthread_mutex_lock(&pp->mu);
		if (rc != 0 && pp->rc == 0)
			pp->rc = rc;
		pp->full[i] = 0;
		pthread_cond_broadcast(&pp->cv);
		pthread_mutex_unlock(&pp->mu);
		i ^= 1;
	}
}

/* Hand batch 'i' to the scorer, then wait until batch 'i ^ 1' is free. */
static int
pipe_handoff(struct pipe *pp, int i)
{
	int rc;

	pthread_mutex_lock(&pp->mu);
	pp->full[i] = 1;
	pthread_cond_broadcast(&pp->cv);
	while (pp->full[i ^ 1])
		pthread_cond_wait(&pp->cv, &pp->mu);
	rc = pp->rc;
	pthread_mutex_unlock(&pp->mu);
	return rc;
}

/* Allocate the row offsets of a batch; 0 or AM_ENOMEM. */
static int
batch_init(struct batch *b)
{
	b->ptr = calloc(BATCH + 1, sizeof(*b->ptr));
	b->preoff = calloc(BATCH + 1, sizeof(*b->preoff));
	b->tval = calloc(BATCH + 1, sizeof(*b->tval));
	return b->ptr && b->preoff && b->tval ? 0 : AM_ENOMEM;
}

static void
batch_release(struct batch *b)
{
	free(b->pre);
	free(b->tval);
	free(b->ptr);
	free(b->preoff);
	free(b->idx);
	free(b->val);
}

/*
 * Read every row of 'r' into the two batches of 'pp' in turn while the
 * scorer thread writes them.  Returns 0 or AM_E* with 'e' set; the rows
 * read in '*n'.
 */
static int
predict_pipelined(struct pipe *pp, struct am_fs_reader *r,
    unsigned long long *n, struct am_err *e)
{
	struct am_fs_row row;
	pthread_t t;
	int i = 0, rc, rc2;

	if (pthread_create(&t, NULL, scorer, pp) != 0)
		return am_seterr(e, AM_ENOMEM, "cannot start a thread");
	pp->b[0].ptr[0] = pp->b[0].preoff[0] = 0;
	while ((rc = am_fs_next(r, &row, e)) == 1) {
		struct batch *b = &pp->b[i];
		if ((rc = batch_add(b, am_fs_schema(r), &row)) != 0) {
			am_seterr(e, rc, "out of memory");
			break;
		}
		(*n)++;
		if (b->rows == BATCH) {
			if ((rc = pipe_handoff(pp, i)) != 0) {
				am_seterr(e, rc, "out of memory");
				break;
			}
			i ^= 1;
			pp->b[i].ptr[0] = pp->b[i].preoff[0] = 0;
		}
	}
	pthread_mutex_lock(&pp->mu);
	if (rc == 0 && pp->b[i].rows > 0)
		pp->full[i] = 1;
	pp->eof = 1;
	pthread_cond_broadcast(&pp->cv);
	pthread_mutex_unlock(&pp->mu);
	(void)pthread_join(t, NULL);
	if (rc == 0 && (rc2 = pp->rc) != 0)
		rc = am_seterr(e, rc2, "out of memory");
	return rc;
}

static int
predict(const struct opts *o, const struct am_model *m, struct am_fs_reader *r,
    struct am_err *e)
{
	struct pipe pp = { .mu = PTHREAD_MUTEX_INITIALIZER,
		.cv = PTHREAD_COND_INITIALIZER };
	struct am_model_bind *bind[CHUNKS] = { 0 };
	struct batch *b = &pp.b[0];
	struct am_csv_writer out;
	struct am_fs_row row;
	size_t c, batch = o->lbuf ? 1 : BATCH;
	unsigned long long n = 0;
	int rc = AM_ENOMEM, piped = !o->lbuf && o->threads > 1;

	for (c = 0; c < 2; c++) {
		pp.b[c].o = o;
		pp.b[c].m = m;
		pp.b[c].bind = bind;
	}
	if ((bind[0] = am_model_bind(m, am_fs_schema(r), am_fs_format(r), e)) ==
	    NULL)
		return am_err_prefix(e, "%s",
		    strcmp(o->path, "-") == 0 ? "<stdin>" : o->path);
	if (o->explain > 0 && am_model_ops(m)->explain == NULL) {
		rc = am_seterr(e, AM_EMODEL,
		    "--explain: a '%s' model cannot explain its predictions",
		    am_model_ops(m)->name);
		goto out;
	}
	for (c = 1; c < CHUNKS; c++)
		if ((bind[c] = am_model_bind_dup(bind[0], e)) == NULL)
			goto out;
	/* Pipelined, the reader is one of the threads. */
	if ((pp.pool = am_pool_new(o->lbuf ? 1 : o->threads - piped, e)) ==
	    NULL)
		goto out;
	if (batch_init(&pp.b[0]) != 0 || (piped && batch_init(&pp.b[1]) != 0)) {
		am_seterr(e, rc, "out of memory");
		goto out;
	}
	if (o->verbose && am_model_bind_unused(bind[0]) > 0)
		warnx("%zu input features are not used by the model",
		    am_model_bind_unused(bind[0]));
	am_csv_writer_init(&out, stdout, ',');
	write_header(o, &out, am_fs_schema(r), m);
	if (o->lbuf)
		(void)fflush(stdout);
	if (piped) {
		rc = predict_pipelined(&pp, r, &n, e);
		goto done;
	}
	while ((rc = am_fs_next(r, &row, e)) == 1) {
		if (b->rows == 0) {
			b->ptr[0] = 0;
			b->preoff[0] = 0;
		}
		if ((rc = batch_add(b, am_fs_schema(r), &row)) != 0 ||
		    (b->rows == batch &&
		        (rc = batch_flush(b, pp.pool, o->lbuf)) != 0)) {
			am_seterr(e, rc, "out of memory");
			break;
		}
		if (o->lbuf && ferror(stdout))
			break; /* am_close_stdout() reports it */
		n++;
	}
	if (rc == 0 && (rc = batch_flush(b, pp.pool, o->lbuf)) != 0)
		am_seterr(e, rc, "out of memory");
done:
	if (o->verbose && rc >= 0)
		warnx("%llu rows scored", n);
out:
	for (c = 0; c < CHUNKS; c++)
		am_model_bind_free(bind[c]);
	am_pool_free(pp.pool);
	batch_release(&pp.b[0]);
	batch_release(&pp.b[1]);
	return rc < 0 ? rc : 0;
}

/* A recommender (am_rec): predicted ratings of user,item pairs. */
static int
rec_predict(const struct opts *o, struct am_err *e)
{
	struct am_art *a;
	struct am_rec *r = NULL;
	unsigned long long n = 0;
	int rc;

	if ((a = am_art_load(o->model, "recommender", e)) == NULL)
		return e->code;
	if ((r = am_rec_load(a, o->model, e)) == NULL)
		rc = e->code;
	else
		rc = am_rec_predict_csv(r, o->path, o->delim, o->lbuf, stdout,
		    &n, e);
	if (rc == 0 && o->verbose)
		warnx("%llu rows scored", n);
	am_rec_free(r);
	am_art_free(a);
	return rc;
}

static int
run(const struct opts *o, struct am_err *e)
{
	struct am_fs_opts fo = AM_FS_OPTS_INIT;
	struct am_art *a = NULL;
	struct am_model *m = NULL;
	struct am_src *src = NULL;
	struct am_fs_reader *r = NULL;
	const struct am_fs_schema *ms;
	const unsigned char *p;
	const char **ids = NULL;
	size_t n, i, nid = 0;
	int rc, fmt = o->from;

	if (am_rec_is_file(o->model)) /* recommender: user,item -> rating */
		return rec_predict(o, e);
	if ((a = am_art_load(o->model, "model", e)) == NULL)
		return e->code;
	if ((m = am_model_load(a, o->model, e)) == NULL) {
		rc = e->code;
		goto out;
	}
	ms = am_model_schema(m);
	if (o->coef) {
		rc = print_coef(m, o->model, e);
		goto out;
	}
	if ((src = am_src_open(o->path, e)) == NULL) {
		rc = e->code;
		goto out;
	}
	if ((rc = am_src_peek(src, AM_FS_MAGIC_LEN, &p, &n, e)) != 0)
		goto out;
	if (fmt == AM_FS_DETECT)
		fmt = am_fs_is_bin(p, n) ? AM_FS_BIN : AM_FS_CSV;
	fo.format = fmt;
	fo.csv.delim = o->delim;
	if (fmt == AM_FS_LIBSVM)
		fo.target = o->target ? o->target : ms->target;
	if (fmt == AM_FS_CSV) {
		/* The model's target and ids, when the input has them. */
		const char *t = o->target ? o->target : ms->target;
		if (t != NULL && header_has(src, o->delim, t))
			fo.target = t;
		if (o->nid == 0 && ms->nid > 0 &&
		    (ids = calloc(ms->nid, sizeof(*ids))) == NULL) {
			rc = am_seterr(e, AM_ENOMEM, "out of memory");
			goto out;
		}
		for (i = 0; o->nid == 0 && i < ms->nid; i++)
			if (header_has(src, o->delim, ms->id[i]))
				ids[nid++] = ms->id[i];
		if (ms->weight != NULL && header_has(src, o->delim, ms->weight))
			fo.weight = ms->weight;
	}
	fo.ids = o->nid > 0 ? o->ids : ids;
	fo.nid = o->nid > 0 ? o->nid : nid;
	if ((r = am_fs_open(src, &fo, e)) == NULL) {
		rc = e->code;
		goto out;
	}
	rc = predict(o, m, r, e);
out:
	am_fs_close(r);
	am_src_close(src);
	am_model_free(m);
	am_art_free(a);
	free(ids);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct opts o = { 0 };
	struct am_err e = { 0 };
	int status;

	am_cli_init();
	o.from = AM_FS_DETECT;
	o.threads = am_ncpu();
	parse_args(argc, argv, &o);
	status = am_exit_status(run(&o, &e));
	if (status == AM_EXIT_USAGE)
		status = AM_EXIT_FAILURE; /* bad data, not a bad command */
	if (e.code != AM_OK)
		warnx("%s", e.msg);
	free(o.ids);
	return am_close_stdout(status);
}

static void
usage(void)
{
	(void)fprintf(stderr,
	    "usage: am-predict [-hqv] [-d delim] [-i col] [-j threads] [-t col] "
	    "[--coef]\n"
	    "                  [--explain k] [--from format] [--line-buffered]\n"
	    "                  -m model [file]\n");
	exit(AM_EXIT_USAGE);
}

static void
help(void)
{
	(void)printf(
	    "usage: am-predict [-hqv] [-d delim] [-i col] [-j threads] [-t col] [--coef]\n"
	    "                  [--explain k] [--from format] [--line-buffered]\n"
	    "                  -m model [file]\n"
	    "\n"
	    "Apply MODEL to a feature stream (binary, CSV or LIBSVM) and write\n"
	    "CSV: the id columns, the true target when the input has it, score\n"
	    "(P(positive class)) and label (the class predicted at 0.5); for\n"
	    "more classes p_CLASS columns and label; for regression value.\n"
	    "\n"
	    "  -m, --model MODEL     model file from am-train (required)\n"
	    "  -i, --id COL          id column to pass through (CSV; repeatable;\n"
	    "                        default: the model's id columns present)\n"
	    "  -t, --target COL      target column (default: the model's)\n"
	    "  -d, --delimiter C     CSV delimiter (default: detected)\n"
	    "      --from FORMAT     input format: bin, csv or libsvm (default:\n"
	    "                        bin by its magic, else csv)\n"
	    "      --line-buffered   flush the output after every row\n"
	    "  -j, --threads N       threads (default: all CPUs; same output)\n"
	    "      --explain K       add the K largest feature contributions\n"
	    "      --coef            print a linear model's weights and exit\n"
	    "  -q, --quiet           no report on stderr\n"
	    "  -v, --verbose         report rows scored and unused features\n"
	    "  -h, --help            this help\n"
	    "      --version         print the version\n"
	    "\n"
	    "Exit status: 0 ok, 1 failure, 2 usage error.\n");
}
