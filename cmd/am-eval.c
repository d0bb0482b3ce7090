/*
 * am-eval -- judge binary predictions: read a CSV with the true label and
 * a score per row, print accuracy, precision, recall, F1, ROC AUC, log
 * loss and more, and gate a job on them with --require (exit 3).
 * Buffers its input: 9 bytes per row (17 with -w), plus 32 bytes per row
 * while sorting the scores.
 */
#include <err.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "am_cli.h"
#include "am_csv.h"
#include "am_io.h"
#include "am_metrics.h"

#include "am_banned.h"

enum { OUT_TEXT, OUT_CSV, OUT_JSON };

enum {
	OPT_CSV = 256,
	OPT_JSON,
	OPT_LIFT,
	OPT_POS,
	OPT_RAW,
	OPT_REQUIRE,
	OPT_SKIP_BAD,
	OPT_THRESHOLD,
	OPT_VERSION,
};

struct require {
	const char *text; /* as the user wrote it */
	char name[32];
	char op[3];
	double value;
};

struct opts {
	const char *target, *pred, *weight, *pos;
	int delim, format, raw, skip_bad, quiet, verbose;
	double threshold;
	size_t lift; /* bins; 0 = no lift table */
	struct require *req;
	size_t nreq;
};

/* The rows read: labels as class numbers, scores, weights. */
struct data {
	unsigned char *y;
	double *s, *w;
	size_t n, cap;
	char *cls[2];   /* the distinct labels seen, without --pos */
	size_t skipped; /* rows skipped for a bad cell */
};

static const struct option longopts[] = {
	{ "csv", no_argument, NULL, OPT_CSV },
	{ "delimiter", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "lift", optional_argument, NULL, OPT_LIFT },
	{ "pos", required_argument, NULL, OPT_POS },
	{ "pred", required_argument, NULL, 'p' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "raw-scores", no_argument, NULL, OPT_RAW },
	{ "require", required_argument, NULL, OPT_REQUIRE },
	{ "skip-bad", no_argument, NULL, OPT_SKIP_BAD },
	{ "target", required_argument, NULL, 't' },
	{ "threshold", required_argument, NULL, OPT_THRESHOLD },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "weight", required_argument, NULL, 'w' },
	{ NULL, 0, NULL, 0 },
};

static void usage(void) __attribute__((noreturn));
static void help(void);

static int
parse_require(const char *s, struct require *r)
{
	size_t k = strspn(s, "abcdefghijklmnopqrstuvwxyz_0123456789"), m;
	double v;

	if (k == 0 || k >= sizeof r->name)
		return -1;
	m = (s[k] == '>' || s[k] == '<') ? (s[k + 1] == '=' ? 2 : 1) : 0;
	if (m == 0 || am_parse_double(s + k + m, -HUGE_VAL, HUGE_VAL, &v) != 0)
		return -1;
	memcpy(r->name, s, k);
	r->name[k] = '\0';
	memcpy(r->op, s + k, m);
	r->op[m] = '\0';
	r->value = v;
	r->text = s;
	return 0;
}

static int
holds(const struct require *r, double v)
{
	if (isnan(v))
		return 0;
	if (strcmp(r->op, ">=") == 0)
		return v >= r->value;
	if (strcmp(r->op, "<=") == 0)
		return v <= r->value;
	return r->op[0] == '>' ? v > r->value : v < r->value;
}

static int
parse_delim(const char *s)
{
	if (strcmp(s, "tab") == 0 || strcmp(s, "\\t") == 0)
		return '\t';
	if (s[0] == '\0' || s[1] != '\0' || s[0] == '"' || s[0] == '\n' ||
	    s[0] == '\r')
		return -1;
	return (unsigned char)s[0];
}

static void
parse_args(int argc, char *argv[], struct opts *o, const char **path)
{
	struct require *rq;
	double v;
	long n;
	int ch;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":d:hp:qt:vw:", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'd':
			if ((o->delim = parse_delim(optarg)) < 0) {
				warnx("-d: '%s' is not one character", optarg);
				usage();
			}
			break;
		case 'h':
			help();
			exit(am_close_stdout(AM_EXIT_OK));
		case 'p':
			o->pred = optarg;
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
		case 'w':
			o->weight = optarg;
			break;
		case OPT_CSV:
			o->format = OUT_CSV;
			break;
		case OPT_JSON:
			o->format = OUT_JSON;
			break;
		case OPT_LIFT:
			o->lift = 10;
			if (optarg != NULL) {
				if (am_parse_long(optarg, 1, 1000, &n) != 0) {
					warnx("--lift: '%s' is not a number of "
					      "bins in [1, 1000]",
					    optarg);
					usage();
				}
				o->lift = (size_t)n;
			}
			break;
		case OPT_POS:
			o->pos = optarg;
			break;
		case OPT_RAW:
			o->raw = 1;
			break;
		case OPT_REQUIRE:
			rq = realloc(o->req, (o->nreq + 1) * sizeof *rq);
			if (rq == NULL)
				err(AM_EXIT_FAILURE, "out of memory");
			o->req = rq;
			if (parse_require(optarg, &rq[o->nreq]) != 0) {
				warnx("--require: '%s' is not METRIC OP NUMBER "
				      "(OP is >=, <=, > or <)",
				    optarg);
				usage();
			}
			if (am_metrics_get(&(struct am_binmetrics){ 0 },
			        rq[o->nreq].name, &v) != 0) {
				warnx("--require: unknown metric '%s'",
				    rq[o->nreq].name);
				usage();
			}
			o->nreq++;
			break;
		case OPT_SKIP_BAD:
			o->skip_bad = 1;
			break;
		case OPT_THRESHOLD:
			if (am_parse_double(optarg, -HUGE_VAL, HUGE_VAL,
			        &o->threshold) != 0) {
				warnx("--threshold: '%s' is not a number",
				    optarg);
				usage();
			}
			break;
		case OPT_VERSION:
			am_print_version(stdout, "am-eval");
			exit(am_close_stdout(AM_EXIT_OK));
		case ':':
			if (optopt != 0)
				warnx("option -%c needs an argument", optopt);
			else
				warnx("option '%s' needs an argument",
				    argv[optind - 1]);
			usage();
		default:
			if (optopt != 0)
				warnx("unknown option -%c", optopt);
			else
				warnx("unknown option '%s'", argv[optind - 1]);
			usage();
		}
	}
	if (o->target == NULL) {
		warnx("-t COL is required (the column of true labels)");
		usage();
	}
	if (argc - optind > 1)
		usage();
	*path = argc - optind == 1 ? argv[optind] : "-";
}

/* Class number of label 's' (0 or 1), learning up to two labels. */
static int
label_class(struct data *d, const struct opts *o, const char *s)
{
	int k;

	if (o->pos != NULL)
		return strcmp(s, o->pos) == 0;
	for (k = 0; k < 2 && d->cls[k] != NULL; k++)
		if (strcmp(d->cls[k], s) == 0)
			return k;
	if (k == 2)
		return -1;
	if ((d->cls[k] = strdup(s)) == NULL)
		err(AM_EXIT_FAILURE, "out of memory");
	return k;
}

static int
grow(struct data *d, int weighted, struct am_err *e)
{
	size_t cap = d->cap != 0 ? 2 * d->cap : 4096;
	unsigned char *y;
	double *s, *w;

	if ((y = realloc(d->y, cap)) != NULL)
		d->y = y;
	if ((s = realloc(d->s, cap * sizeof *s)) != NULL)
		d->s = s;
	w = weighted ? realloc(d->w, cap * sizeof *w) : NULL;
	if (w != NULL)
		d->w = w;
	if (y == NULL || s == NULL || (weighted && w == NULL))
		return am_seterr(e, AM_ENOMEM, "out of memory at %zu rows",
		    d->n);
	d->cap = cap;
	return 0;
}

/*
 * Read one row into 'd'.  Returns 0, 1 for a bad row that was skipped,
 * or an error.
 */
static int
read_row(struct am_csv_reader *r, const long col[3], const struct opts *o,
    struct data *d, struct am_err *e)
{
	const char *name = am_csv_name(r);
	unsigned long line = am_csv_line(r);
	double s, w = 1.0;
	int k, rc;

	if (am_csv_missing(r, (size_t)col[0]))
		rc = am_seterr(e, AM_EFORMAT,
		    "%s:%lu: column '%s': missing label", name, line,
		    o->target);
	else if ((rc = am_csv_double(r, (size_t)col[1], &s, e)) == 1)
		rc = am_seterr(e, AM_EFORMAT,
		    "%s:%lu: column '%s': missing score", name, line, o->pred);
	else if (rc == 0 && !o->raw && !(s >= 0.0 && s <= 1.0))
		rc = am_seterr(e, AM_EFORMAT,
		    "%s:%lu: column '%s': score %.15g is not in [0, 1] (use "
		    "--raw-scores for scores that are not probabilities)",
		    name, line, o->pred, s);
	else if (rc == 0 && col[2] >= 0) {
		if ((rc = am_csv_double(r, (size_t)col[2], &w, e)) == 1)
			rc = am_seterr(e, AM_EFORMAT,
			    "%s:%lu: column '%s': missing weight", name, line,
			    o->weight);
		else if (rc == 0 && w < 0.0)
			rc = am_seterr(e, AM_EFORMAT,
			    "%s:%lu: column '%s': weight %.15g is negative",
			    name, line, o->weight, w);
	}
	if (rc == 0 &&
	    (k = label_class(d, o, am_csv_field(r, (size_t)col[0]))) < 0)
		return am_seterr(e, AM_EFORMAT,
		    "%s:%lu: column '%s': a third class '%s' (am-eval judges "
		    "two classes; use --pos LABEL for one against the rest)",
		    name, line, o->target, am_csv_field(r, (size_t)col[0]));
	if (rc != 0) {
		if (!o->skip_bad || rc == AM_ENOMEM)
			return rc;
		d->skipped++;
		*e = (struct am_err){ 0 };
		return 1;
	}
	if (d->n == d->cap && (rc = grow(d, col[2] >= 0, e)) != 0)
		return rc;
	d->y[d->n] = (unsigned char)k;
	d->s[d->n] = s;
	if (col[2] >= 0)
		d->w[d->n] = w;
	d->n++;
	return 0;
}

static int
find_col(struct am_csv_reader *r, const char *name, const char *what, long *col,
    struct am_err *e)
{
	if ((*col = am_csv_col(r, name)) < 0)
		return am_seterr(e, AM_EFORMAT, "%s: no %s column '%s'",
		    am_csv_name(r), what, name);
	return 0;
}

static int
read_input(const char *path, const struct opts *o, struct data *d,
    struct am_err *e)
{
	struct am_csv_opts co = { o->delim, o->skip_bad ? AM_CSV_SKIP_BAD : 0,
		NULL };
	struct am_csv_reader *r = NULL;
	struct am_src *src;
	long col[3] = { -1, -1, -1 };
	int rc;

	if ((src = am_src_open(path, e)) == NULL)
		return e->code;
	if ((r = am_csv_open(src, &co, e)) == NULL) {
		rc = e->code;
		goto out;
	}
	if ((rc = find_col(r, o->target, "target", &col[0], e)) != 0 ||
	    (rc = find_col(r, o->pred, "score", &col[1], e)) != 0 ||
	    (o->weight != NULL &&
	        (rc = find_col(r, o->weight, "weight", &col[2], e)) != 0))
		goto out;
	while ((rc = am_csv_next(r, e)) == 1)
		if ((rc = read_row(r, col, o, d, e)) < 0)
			goto out;
	if (rc == 0 && d->n == 0)
		rc = am_seterr(e, AM_EFORMAT, "%s: no rows", am_csv_name(r));
	d->skipped += am_csv_skipped(r);
out:
	am_csv_close(r);
	am_src_close(src);
	return rc;
}

/*
 * Without --pos, the later of two labels in byte order is the positive
 * class; a lone label is positive only if it reads as "yes".
 */
static const char *
fix_classes(struct data *d, const struct opts *o)
{
	static const char *const yes[] = { "1", "1.0", "true", "yes", "y",
		"pos", "positive", NULL };
	size_t i;
	int k;

	if (o->pos != NULL)
		return o->pos;
	if (d->cls[1] != NULL) {
		if (strcmp(d->cls[0], d->cls[1]) < 0)
			return d->cls[1];
		for (i = 0; i < d->n; i++)
			d->y[i] ^= 1;
		return d->cls[0];
	}
	for (k = 0; yes[k] != NULL; k++)
		if (strcasecmp(d->cls[0], yes[k]) == 0)
			break;
	if (yes[k] != NULL) {
		for (i = 0; i < d->n; i++)
			d->y[i] = 1;
		return d->cls[0];
	}
	return NULL;
}

static int
has_pos(const struct data *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->y[i])
			return 1;
	return 0;
}

/* '%.15g', "nan" or null for undefined values. */
static void
put_value(double v, int json)
{
	if (isnan(v))
		(void)fputs(json ? "null" : "nan", stdout);
	else
		(void)printf("%.15g", v);
}

static void
print_lift(const struct am_lift_bin *b, size_t nb, int format)
{
	static const char *const cols[] = { "bin", "rows", "positives", "rate",
		"lift", "cum_gain", "cum_lift", "min_score" };
	double v[8];
	size_t i, k;

	if (format == OUT_JSON)
		(void)fputs(",\"lift\":[", stdout);
	else if (format == OUT_CSV)
		(void)puts("bin,rows,positives,rate,lift,cum_gain,cum_lift,"
		           "min_score");
	else
		(void)printf("\n%-4s %10s %10s %8s %8s %8s %8s %10s\n", "bin",
		    "rows", "positives", "rate", "lift", "cum_gain", "cum_lift",
		    "min_score");
	for (i = 0; i < nb; i++) {
		v[0] = (double)(i + 1);
		v[1] = b[i].rows;
		v[2] = b[i].positives;
		v[3] = b[i].rate;
		v[4] = b[i].lift;
		v[5] = b[i].cum_gain;
		v[6] = b[i].cum_lift;
		v[7] = b[i].min_score;
		if (format == OUT_TEXT) {
			(void)printf("%-4zu %10.6g %10.6g %8.4f %8.4f %8.4f "
			             "%8.4f %10.6g\n",
			    i + 1, v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
			continue;
		}
		(void)fputs(format == OUT_JSON ? (i > 0 ? ",{" : "{") : "",
		    stdout);
		for (k = 0; k < 8; k++) {
			if (format == OUT_JSON)
				(void)printf("%s\"%s\":", k > 0 ? "," : "",
				    cols[k]);
			else if (k > 0)
				(void)putchar(',');
			put_value(v[k], format == OUT_JSON);
		}
		(void)fputs(format == OUT_JSON ? "}" : "\n", stdout);
	}
	if (format == OUT_JSON)
		(void)putchar(']');
}

static void
print_metrics(const struct am_binmetrics *m, const struct am_lift_bin *b,
    const struct opts *o)
{
	const char *const *names = am_metrics_names();
	double v;
	size_t i;

	if (o->format == OUT_CSV && b != NULL) {
		print_lift(b, o->lift, OUT_CSV);
		return;
	}
	if (o->format == OUT_CSV)
		(void)puts("metric,value");
	for (i = 0; names[i] != NULL; i++) {
		(void)am_metrics_get(m, names[i], &v);
		if (o->format == OUT_JSON)
			(void)printf("%s\"%s\":", i == 0 ? "{" : ",", names[i]);
		else
			(void)printf(o->format == OUT_CSV ? "%s," : "%-10s ",
			    names[i]);
		put_value(v, o->format == OUT_JSON);
		if (o->format != OUT_JSON)
			(void)putchar('\n');
	}
	if (b != NULL)
		print_lift(b, o->lift, o->format);
	if (o->format == OUT_JSON)
		(void)puts("}");
}

/* Check the requirements; one line on stderr for each that fails. */
static int
check(const struct am_binmetrics *m, const struct opts *o)
{
	char buf[64];
	double v, shown;
	size_t i;
	int ok = 1;

	for (i = 0; i < o->nreq; i++) {
		(void)am_metrics_get(m, o->req[i].name, &v);
		if (holds(&o->req[i], v))
			continue;
		ok = 0;
		/* enough digits that the value visibly fails the bound */
		(void)snprintf(buf, sizeof buf, "%.6g", v);
		shown = strtod(buf, NULL);
		if (!isnan(v) && holds(&o->req[i], shown))
			(void)snprintf(buf, sizeof buf, "%.17g", v);
		warnx("requirement '%s' failed: %s = %s", o->req[i].text,
		    o->req[i].name, buf);
	}
	return ok;
}

int
main(int argc, char *argv[])
{
	struct opts o = { NULL, "score", NULL, NULL, 0, OUT_TEXT, 0, 0, 0, 0,
		0.5, 0, NULL, 0 };
	struct data d = { 0 };
	struct am_binmetrics m;
	struct am_lift_bin *bins = NULL;
	struct am_err e = { 0 };
	const char *path, *pos;
	int status = AM_EXIT_FAILURE;

	am_cli_init();
	parse_args(argc, argv, &o, &path);
	if (read_input(path, &o, &d, &e) != 0)
		goto out;
	pos = fix_classes(&d, &o);
	if (d.skipped > 0 && !o.quiet)
		warnx("skipped %zu bad rows", d.skipped);
	if (o.pos != NULL && pos != NULL && !o.quiet && !has_pos(&d))
		warnx("no row has the positive label '%s'", o.pos);
	if (o.verbose)
		warnx("%zu rows, positive class '%s'", d.n,
		    pos != NULL ? pos : "(none)");
	if (am_metrics_binary(d.y, d.s, d.w, d.n, o.threshold, &m, &e) != 0)
		goto out;
	if (o.raw)
		m.logloss = m.brier = (double)NAN;
	if (o.lift > 0 &&
	    ((bins = calloc(o.lift, sizeof *bins)) == NULL ||
	        am_metrics_lift(d.y, d.s, d.w, d.n, o.lift, bins, &e) != 0)) {
		if (bins == NULL)
			am_seterr(&e, AM_ENOMEM, "out of memory");
		goto out;
	}
	print_metrics(&m, bins, &o);
	status = check(&m, &o) ? AM_EXIT_OK : AM_EXIT_CHECK;
out:
	if (e.code != AM_OK)
		warnx("%s", e.msg);
	free(bins);
	free(d.y);
	free(d.s);
	free(d.w);
	free(d.cls[0]);
	free(d.cls[1]);
	free(o.req);
	return am_close_stdout(status);
}

static void
usage(void)
{
	(void)fprintf(stderr,
	    "usage: am-eval [-hqv] [-d delim] [-p col] [-w col] [--csv | "
	    "--json]\n"
	    "               [--lift[=bins]] [--pos label] [--raw-scores]\n"
	    "               [--require expr] [--skip-bad]\n"
	    "               [--threshold t] -t col [file]\n");
	exit(AM_EXIT_USAGE);
}

static void
help(void)
{
	(void)printf(
	    "usage: am-eval [-hqv] [-d delim] [-p col] [-w col] [--csv | --json]\n"
	    "               [--lift[=bins]] [--pos label] [--raw-scores]\n"
	    "               [--require expr] [--skip-bad]\n"
	    "               [--threshold t] -t col [file]\n"
	    "\n"
	    "Judge binary predictions: compare the true labels of column COL\n"
	    "with the scores of -p (default 'score') and print rows, positives,\n"
	    "accuracy, precision, recall, f1, auc, logloss, pr_auc, brier, ks,\n"
	    "tp, fp, tn, fn.\n"
	    "\n"
	    "  -t, --target COL     column of true labels (required)\n"
	    "  -p, --pred COL       column of scores, P(positive) (default score)\n"
	    "  -w, --weight COL     column of row weights (>= 0)\n"
	    "  -d, --delimiter C    input delimiter (default: detected)\n"
	    "      --pos LABEL      the positive class (default: the later of\n"
	    "                       two labels in byte order)\n"
	    "      --threshold T    predict positive when score >= T (0.5)\n"
	    "      --raw-scores     scores are any real numbers (no logloss)\n"
	    "      --require EXPR   exit 3 unless EXPR holds, e.g. 'auc>=0.8';\n"
	    "                       repeatable; OP is >=, <=, > or <\n"
	    "      --lift[=N]       add a lift and gains table of N bins (10)\n"
	    "      --csv            print metric,value rows\n"
	    "      --json           print one JSON object\n"
	    "      --skip-bad       skip rows with a bad cell, count them\n"
	    "  -q, --quiet          no count of skipped rows\n"
	    "  -v, --verbose        report rows and positive class on stderr\n"
	    "  -h, --help           this help\n"
	    "      --version        print the version\n"
	    "\n"
	    "Exit status: 0 ok, 1 failure, 2 usage error, 3 a --require failed.\n");
}
