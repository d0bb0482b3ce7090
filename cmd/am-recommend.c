/*
 * am-recommend -- top-N items per user, or items similar to an item, from
 * a recommender trained by am-train.  Streams: users are read one record
 * at a time from a CSV and answered at once; --all-users answers every
 * training user in batches spread over threads, in the same order and
 * bytes for any -j.  Memory: the model, plus scratch space per thread.
 */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am_art.h"
#include "am_buf.h"
#include "am_cli.h"
#include "am_csv.h"
#include "am_io.h"
#include "am_rec.h"

#include "am_banned.h"

enum {
	OPT_ALL_USERS = 256,
	OPT_ALLOW,
	OPT_CONTEXT,
	OPT_DENY,
	OPT_EXPLAIN,
	OPT_LINE_BUFFERED,
	OPT_REPEAT,
	OPT_SIMILAR,
	OPT_SPLIT,
	OPT_TEST,
	OPT_TIME,
	OPT_VERSION,
};

struct opts {
	const char *model, *path, *user, *allow, *deny, *context, *similar;
	const char *split, *test, *time;
	unsigned long long seed;
	long n;
	int delim, quiet, verbose, all, explain, lbuf, repeat, threads;
};

static const struct option longopts[] = {
	{ "all-users", no_argument, NULL, OPT_ALL_USERS },
	{ "allow", required_argument, NULL, OPT_ALLOW },
	{ "context", required_argument, NULL, OPT_CONTEXT },
	{ "delimiter", required_argument, NULL, 'd' },
	{ "deny", required_argument, NULL, OPT_DENY },
	{ "explain", no_argument, NULL, OPT_EXPLAIN },
	{ "help", no_argument, NULL, 'h' },
	{ "line-buffered", no_argument, NULL, OPT_LINE_BUFFERED },
	{ "model", required_argument, NULL, 'm' },
	{ "count", required_argument, NULL, 'n' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "repeat", no_argument, NULL, OPT_REPEAT },
	{ "seed", required_argument, NULL, 's' },
	{ "similar", required_argument, NULL, OPT_SIMILAR },
	{ "split", required_argument, NULL, OPT_SPLIT },
	{ "test", required_argument, NULL, OPT_TEST },
	{ "threads", required_argument, NULL, 'j' },
	{ "time", required_argument, NULL, OPT_TIME },
	{ "user", required_argument, NULL, 'u' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static void usage(void) __attribute__((noreturn));
static void help(void);

static void
bad_value(const char *opt, const char *arg, const char *what)
{
	warnx("%s: '%s' is not %s", opt, arg, what);
	usage();
}

static void
parse_args(int argc, char *argv[], struct opts *o)
{
	double f;
	long n;
	int ch;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":d:hj:m:n:qs:u:v", longopts,
	            NULL)) != -1) {
		switch (ch) {
		case 'd':
			if ((o->delim = am_parse_delim(optarg)) < 0)
				bad_value("-d", optarg, "one character");
			break;
		case 'h':
			help();
			exit(am_close_stdout(AM_EXIT_OK));
		case 'j':
			if (am_parse_long(optarg, 1, 256, &n) != 0)
				bad_value("-j", optarg,
				    "a thread count in [1, 256]");
			o->threads = (int)n;
			break;
		case 'm':
			o->model = optarg;
			break;
		case 'n':
			if (am_parse_long(optarg, 1, 1000000, &o->n) != 0)
				bad_value("-n", optarg,
				    "a count in [1, 1000000]");
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 's':
			if (am_parse_seed(optarg, &o->seed) != 0)
				bad_value("-s", optarg, "a seed in [0, 2^64)");
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case OPT_ALL_USERS:
			o->all = 1;
			break;
		case OPT_ALLOW:
			o->allow = optarg;
			break;
		case OPT_CONTEXT:
			o->context = optarg;
			break;
		case OPT_DENY:
			o->deny = optarg;
			break;
		case OPT_EXPLAIN:
			o->explain = 1;
			break;
		case OPT_LINE_BUFFERED:
			o->lbuf = 1;
			break;
		case OPT_REPEAT:
			o->repeat = 1;
			break;
		case OPT_SIMILAR:
			o->similar = optarg;
			break;
		case OPT_SPLIT:
			o->split = optarg;
			break;
		case OPT_TEST:
			o->test = optarg;
			break;
		case OPT_TIME:
			o->time = optarg;
			break;
		case OPT_VERSION:
			am_print_version(stdout, "am-recommend");
			exit(am_close_stdout(AM_EXIT_OK));
		default: /* ':' a missing argument, '?' unknown */
			am_warn_getopt(ch, optopt, argv[optind - 1]);
			usage();
		}
	}
	if (o->split != NULL || o->test != NULL) {
		if (o->split == NULL || o->test == NULL) {
			warnx("--split and --test go together");
			usage();
		}
		if (strcmp(o->split, "last") != 0 &&
		    strncmp(o->split, "time:", 5) != 0 &&
		    (strncmp(o->split, "random:", 7) != 0 ||
		        am_parse_double(o->split + 7, 0, 1, &f) != 0))
			bad_value("--split", o->split,
			    "random:FRACTION, last or time:CUTOFF");
		if (strncmp(o->split, "random:", 7) != 0 && o->time == NULL) {
			warnx("--split %s needs --time COL", o->split);
			usage();
		}
		if (argc - optind > 1)
			usage();
		o->path = optind < argc ? argv[optind] : "-";
		return;
	}
	if (o->model == NULL) {
		warnx("-m MODEL is required (a recommender from am-train)");
		usage();
	}
	if (o->all && o->similar != NULL) {
		warnx("--all-users and --similar exclude each other");
		usage();
	}
	if (argc - optind > 1 || ((o->all || o->similar) && argc > optind))
		usage();
	o->path = optind < argc ? argv[optind] : "-";
}

/*
 * Mark the items listed in 'path', one id per line (a line equal to the
 * model's item column name is a header and skipped); unknown ids are
 * counted in '*unknown'.
 */
static int
read_list(const struct am_rec *r, const char *path, unsigned char *mark,
    unsigned long *unknown, struct am_err *e)
{
	const char *col = am_rec_col(r, 1);
	unsigned char *data;
	size_t len, a, b;
	int rc;

	if ((rc = am_read_file(path, 1u << 30, &data, &len, e)) != 0)
		return rc;
	for (a = 0; a < len; a = b + 1) {
		long i;
		for (b = a; b < len && data[b] != '\n'; b++)
			;
		if (b > a && data[b - 1] == '\r')
			data[b - 1] = '\0';
		if (b < len)
			data[b] = '\0';
		else {
			unsigned char *nd = realloc(data, len + 1);
			if (nd == NULL) {
				free(data);
				return am_seterr(e, AM_ENOMEM, "out of memory");
			}
			data = nd;
			data[len] = '\0';
		}
		if (data[a] == '\0' ||
		    (a == 0 && col && strcmp((char *)data, col) == 0))
			continue;
		if ((i = am_rec_item_find(r, (char *)data + a)) >= 0)
			mark[i] = 1;
		else
			(*unknown)++;
	}
	free(data);
	return 0;
}

static int
emit(struct am_buf *b, int lbuf)
{
	if (b->len > 0 && fwrite(b->data, 1, b->len, stdout) != b->len)
		return -1;
	b->len = 0;
	if (lbuf)
		(void)fflush(stdout);
	return ferror(stdout) ? -1 : 0;
}

/* Users from a CSV, one answer per record as it comes. */
static int
stream_users(const struct opts *o, const struct am_rec *r,
    const struct am_rec_query *q, struct am_rec_hit *hits, struct am_buf *out,
    struct am_err *e)
{
	struct am_csv_opts co = { 0, 0, NULL };
	struct am_rec_scratch *s = NULL;
	struct am_src *src = NULL;
	struct am_csv_reader *cr = NULL;
	unsigned long long nu = 0, unknown = 0;
	const char *col = o->user ? o->user : am_rec_col(r, 0);
	long c;
	size_t n;
	int rc;

	co.delim = o->delim;
	if ((s = am_rec_scratch_new(r)) == NULL)
		return am_seterr(e, AM_ENOMEM, "out of memory");
	if ((src = am_src_open(o->path, e)) == NULL ||
	    (cr = am_csv_open(src, &co, e)) == NULL) {
		rc = e->code;
		goto out;
	}
	if ((c = am_csv_col(cr, col ? col : "")) < 0) {
		if (o->user != NULL) {
			rc = am_seterr(e, AM_EARG, "%s: no column '%s'",
			    am_csv_name(cr), o->user);
			goto out;
		}
		c = 0;
	}
	if (emit(out, o->lbuf) != 0) { /* the header, once the input opened */
		rc = 0;
		goto out;
	}
	while ((rc = am_csv_next(cr, e)) == 1) {
		const char *name = am_csv_field(cr, (size_t)c);
		long u = am_rec_user_find(r, name);
		if (u < 0)
			unknown++;
		am_rec_top(r, u, q, s, hits, &n);
		am_rec_format(r, name, hits, n, q->explain, out);
		if (am_buf_error(out)) {
			rc = am_seterr(e, AM_ENOMEM, "out of memory");
			goto out;
		}
		if (emit(out, o->lbuf) != 0)
			break; /* am_close_stdout() reports it */
		nu++;
	}
	if (rc < 0)
		goto out;
	rc = 0;
	if (o->verbose)
		warnx("%llu users, %llu unknown (popular items)", nu, unknown);
out:
	am_csv_close(cr);
	am_src_close(src);
	am_rec_scratch_free(s);
	return rc;
}

/* --split MODE --test FILE: the training rows to stdout. */
static int
split(const struct opts *o, struct am_err *e)
{
	struct am_rec_split_opts so = { 0, 0, NULL, NULL, NULL, 0, 0 };
	struct am_atomic *t;
	unsigned long long ntrain, ntest;
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;
	const char *m = o->split;
	int rc;

	so.user = o->user ? o->user : "user";
	so.time = o->time;
	so.seed = o->seed;
	so.delim = o->delim;
	if (strncmp(m, "random:", 7) == 0 &&
	    am_parse_double(m + 7, 0, 1, &so.fraction) == 0)
		so.mode = AM_REC_SPLIT_RANDOM;
	else if (strcmp(m, "last") == 0)
		so.mode = AM_REC_SPLIT_LAST;
	else if (strncmp(m, "time:", 5) == 0 && m[5] != '\0')
		so.mode = AM_REC_SPLIT_TIME, so.cutoff = m + 5;
	else
		return am_seterr(e, AM_EARG,
		    "--split: '%s' is not random:FRACTION, last or time:CUTOFF",
		    m);
	if (so.mode != AM_REC_SPLIT_RANDOM && o->time == NULL)
		return am_seterr(e, AM_EARG, "--split %s needs --time COL", m);
	if ((t = am_atomic_open(o->test, e)) == NULL)
		return e->code;
	/* the training rows go to memory first: stdout stays empty on error */
	if ((mem = open_memstream(&buf, &len)) == NULL) {
		am_atomic_abort(t);
		return am_seterr(e, AM_ENOMEM, "out of memory");
	}
	rc = am_rec_split(o->path, &so, mem, am_atomic_fp(t), &ntrain, &ntest,
	    e);
	if (fclose(mem) != 0 && rc == 0)
		rc = am_seterr(e, AM_ENOMEM, "out of memory");
	if (rc != 0) {
		free(buf);
		am_atomic_abort(t);
		return rc;
	}
	(void)fwrite(buf, 1, len, stdout); /* am_close_stdout() checks */
	free(buf);
	if ((rc = am_atomic_commit(t, e)) == 0 && o->verbose)
		warnx("%llu rows to training, %llu to %s", ntrain, ntest,
		    o->test);
	return rc;
}

static int
run(const struct opts *o, struct am_err *e)
{
	struct am_rec_query q = { 0, 0, NULL, NULL, -1, 0 };
	struct am_buf out = AM_BUF_INIT;
	struct am_art *a = NULL;
	struct am_rec *r = NULL;
	struct am_rec_hit *hits = NULL;
	unsigned char *allow = NULL, *deny = NULL;
	unsigned long unknown = 0;
	int rc;

	if (o->split != NULL)
		return split(o, e);
	if ((a = am_art_load(o->model, "recommender", e)) == NULL)
		return e->code;
	if ((r = am_rec_load(a, o->model, e)) == NULL) {
		rc = e->code;
		goto out;
	}
	q.n = (size_t)o->n;
	q.repeat = o->repeat;
	q.explain = o->explain;
	if (o->context != NULL &&
	    (q.context = am_rec_context_find(r, o->context)) < 0 && o->verbose)
		warnx("--context: no value '%s' in the model (popular "
		      "overall)",
		    o->context);
	rc = AM_ENOMEM;
	if ((hits = malloc((q.n + 1) * sizeof(*hits))) == NULL ||
	    (o->allow && !(allow = calloc(am_rec_nitems(r) + 1, 1))) ||
	    (o->deny && !(deny = calloc(am_rec_nitems(r) + 1, 1)))) {
		am_seterr(e, rc, "out of memory");
		goto out;
	}
	if ((o->allow && (rc = read_list(r, o->allow, allow, &unknown, e))) ||
	    (o->deny && (rc = read_list(r, o->deny, deny, &unknown, e))))
		goto out;
	if (unknown > 0 && o->verbose)
		warnx("%lu unknown items in --allow/--deny ignored", unknown);
	q.allow = allow;
	q.deny = deny;
	am_buf_put(&out, "user,rank,item,score", 20);
	if (o->explain)
		am_buf_put(&out, ",reason", 7);
	am_buf_u8(&out, '\n');
	if (o->similar != NULL) {
		struct am_rec_scratch *s = am_rec_scratch_new(r);
		long i = am_rec_item_find(r, o->similar);
		size_t n;
		if (s == NULL) {
			rc = am_seterr(e, AM_ENOMEM, "out of memory");
			goto out;
		}
		if (i < 0) {
			am_rec_scratch_free(s);
			rc = am_seterr(e, AM_EARG,
			    "--similar: unknown item '%s' (not in the "
			    "training data)",
			    o->similar);
			goto out;
		}
		am_rec_similar(r, (size_t)i, &q, s, hits, &n);
		am_rec_scratch_free(s);
		/* the query item stands in the user column */
		am_rec_format(r, o->similar, hits, n, o->explain, &out);
		rc = am_buf_error(&out) ? am_seterr(e, AM_ENOMEM, "no memory")
		                        : 0;
		(void)emit(&out, o->lbuf);
	} else if (o->all) {
		if (emit(&out, o->lbuf) != 0) {
			rc = 0;
			goto out;
		}
		rc = am_rec_all_users(r, &q, o->threads, stdout, e);
		if (rc == AM_EIO)
			rc = 0; /* am_close_stdout() reports it */
	} else {
		rc = stream_users(o, r, &q, hits, &out, e);
	}
out:
	am_buf_release(&out);
	free(hits);
	free(allow);
	free(deny);
	am_rec_free(r);
	am_art_free(a);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct opts o = { 0 };
	struct am_err e = { 0 };
	int status;

	am_cli_init();
	o.n = 10;
	o.threads = am_ncpu();
	o.seed = 1;
	parse_args(argc, argv, &o);
	status = am_exit_status(run(&o, &e));
	if (status == AM_EXIT_USAGE)
		status = AM_EXIT_FAILURE; /* bad data, not a bad command */
	if (e.code != AM_OK)
		warnx("%s", e.msg);
	return am_close_stdout(status);
}

static void
usage(void)
{
	(void)fprintf(stderr,
	    "usage: am-recommend [-hqv] [-d delim] [-j threads] [-n count] "
	    "[-u col]\n"
	    "                    [--all-users] [--allow file] [--context "
	    "value]\n"
	    "                    [--deny file] [--explain] [--line-buffered] "
	    "[--repeat]\n"
	    "                    [--similar item] -m model [file]\n"
	    "       am-recommend [-v] [-d delim] [-s seed] [-u col] [--time "
	    "col]\n"
	    "                    --split mode --test file [file]\n");
	exit(AM_EXIT_USAGE);
}

static void
help(void)
{
	(void)printf(
	    "usage: am-recommend [-hqv] [-d delim] [-j threads] [-n count] [-u col]\n"
	    "                    [--all-users] [--allow file] [--context value]\n"
	    "                    [--deny file] [--explain] [--line-buffered] [--repeat]\n"
	    "                    [--similar item] -m model [file]\n"
	    "       am-recommend [-v] [-d delim] [-s seed] [-u col] [--time col]\n"
	    "                    --split mode --test file [file]\n"
	    "\n"
	    "Recommend items with MODEL (a recommender from am-train -a popularity,\n"
	    "itemknn, userknn, mf, ials or bpr): for each user of the CSV input,\n"
	    "or every training user, write CSV user,rank,item,score[,reason].\n"
	    "Unknown users, and places the model cannot fill, get the items most\n"
	    "popular in --context, then the most popular overall.\n"
	    "\n"
	    "  -m, --model MODEL     recommender file from am-train (required)\n"
	    "  -n, --count N         items per user (default 10)\n"
	    "  -u, --user COL        user column of the input (default: the\n"
	    "                        model's user column, else the first)\n"
	    "      --all-users       recommend for every training user\n"
	    "      --similar ITEM    the items most similar to ITEM\n"
	    "      --repeat          also recommend items the user has seen\n"
	    "      --allow FILE      only items listed in FILE (one per line)\n"
	    "      --deny FILE       never items listed in FILE\n"
	    "      --context VALUE   fall back to the items popular in VALUE of\n"
	    "                        the model's context column\n"
	    "      --explain         add a reason column\n"
	    "      --split MODE      split an interaction log for evaluation:\n"
	    "                        random:FRACTION (rows to --test), last (each\n"
	    "                        user's latest row) or time:CUTOFF (rows at or\n"
	    "                        after it); training rows to stdout\n"
	    "      --test FILE       where --split writes the test rows\n"
	    "      --time COL        the time column of --split last and time\n"
	    "  -s, --seed N          seed of --split random (default 1)\n"
	    "      --line-buffered   flush the output after every user\n"
	    "  -d, --delimiter C     CSV delimiter of the input (default: detected)\n"
	    "  -j, --threads N       threads for --all-users (default: all CPUs;\n"
	    "                        same output)\n"
	    "  -q, --quiet           no report on stderr\n"
	    "  -v, --verbose         report users, unknown users and ids\n"
	    "  -h, --help            this help\n"
	    "      --version         print the version\n"
	    "\n"
	    "Exit status: 0 ok, 1 failure, 2 usage error.\n");
}
