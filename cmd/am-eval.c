/*
 * am-eval -- judge predictions: binary and multi-class classification,
 * regression, ranking (--ranking) and segmentation (--segments).  Reads
 * a CSV with the truth and the predictions per row, prints the metrics
 * as text, CSV or JSON, and gates a job on them with --require (exit 3).
 * Buffers its input (the man page states the bytes per row).
 */
#include <err.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "am_cli.h"
#include "am_csv.h"
#include "am_io.h"
#include "am_metrics.h"
#include "am_plot.h"
#include "am_rand.h"
#include "am_rank.h"
#include "am_segeval.h"
#include "am_strtab.h"

#include "am_banned.h"

enum { OUT_TEXT, OUT_CSV, OUT_JSON };
enum { M_AUTO, M_BINARY, M_MULTI, M_REG, M_RANK, M_SEG };
enum { THR_FIXED = -1 };

/* Above this many distinct numeric labels the target is a quantity. */
#define MAX_LABELS  1000
#define MAX_SCALARS 64
#define MAX_TABLES  8
#define MAX_PLOTS   8
#define PLOT_POINTS 500 /* thinning of the ROC and PR curves */

enum {
	OPT_ASCENDING = 256,
	OPT_BOOTSTRAP,
	OPT_CALIBRATION,
	OPT_CI,
	OPT_COST,
	OPT_CSV,
	OPT_ITEM,
	OPT_JSON,
	OPT_LABEL,
	OPT_LIFT,
	OPT_PLOT,
	OPT_PLOT_KIND,
	OPT_POS,
	OPT_PREFIX,
	OPT_RANKING,
	OPT_RAW,
	OPT_REGRESSION,
	OPT_RELEVANCE,
	OPT_REQUIRE,
	OPT_SEGMENTS,
	OPT_SILHOUETTE,
	OPT_SKIP_BAD,
	OPT_THRESHOLD,
	OPT_TRUTH,
	OPT_USER,
	OPT_VALUE,
	OPT_VERSION,
};

struct require {
	const char *text; /* as the user wrote it */
	char name[32];
	char op[3];
	double value;
};

struct opts {
	const char *target, *pred, *weight, *pos, *label, *prefix;
	const char *truth, *user, *item, *relevance, *segments;
	int delim, format, raw, skip_bad, quiet, verbose, mode, ascending;
	int rule; /* THR_FIXED or an enum am_thr_rule */
	double threshold, ra, rb, ci, cost, value;
	int profit; /* cost and value given */
	size_t lift, calib, boot, k, sample;
	unsigned long long seed;
	struct require *req;
	size_t nreq;
	/* --plot FILE, each with its panels (0: those of --plot-kind) */
	const char *plot[MAX_PLOTS];
	unsigned plot_kinds[MAX_PLOTS], kinds;
	size_t nplot;
	const char *input; /* the input's name, the plots' title */
};

/* The rows read for classification and regression. */
struct data {
	uint32_t *id;     /* target label numbers (in 'labels') */
	double *yv;       /* target as a number, NAN if it is not one */
	double *s;        /* n * m predicted values */
	uint32_t *lab;    /* predicted labels (--label), in 'labels' */
	double *w;        /* weights, or NULL */
	size_t n, cap, m; /* rows, room, prediction columns */
	struct am_strtab *labels;
	int numeric;           /* every target label so far is a number */
	int interned;          /* labels are numbered (not a pure quantity) */
	unsigned long line3;   /* line of a third distinct label, or 0 */
	unsigned long badline; /* first score outside [0, 1], or 0 */
	double badval;
	size_t skipped;
	char **pcol; /* names of the m prediction columns */
};

/* One output cell: a string, or a number when 's' is NULL. */
struct cell {
	const char *s;
	double v;
};

struct table {
	const char *name;
	const char **cols;
	size_t ncols, ncells, cap;
	struct cell *c;
};

struct scalar {
	const char *name;
	double v, lo, hi;
};

struct out {
	struct scalar sc[MAX_SCALARS];
	size_t nsc;
	struct table tab[MAX_TABLES];
	size_t ntab;
	int tables_only; /* --csv prints only the tables (asked for) */
	struct am_seg_report *keep; /* owns the strings of the tables */
	struct am_strtab *str;      /* copies of the other strings */
};

/* What the metric functions need, per mode. */
struct ctx {
	const struct opts *o;
	size_t n, k;
	unsigned char *yb;   /* binary labels */
	unsigned *yc, *pc;   /* multi-class truth and predicted labels */
	const double *score; /* binary scores or regression predictions */
	double *proba;       /* n * k, or NULL */
	const double *yv;    /* regression truth */
	const char **cname;  /* class names */
	struct am_rankdata *rank;
	int tables; /* fill tables too (not in bootstrap) */
	struct am_err *e;
};

static const struct option longopts[] = {
	{ "ascending", no_argument, NULL, OPT_ASCENDING },
	{ "bootstrap", required_argument, NULL, OPT_BOOTSTRAP },
	{ "calibration", optional_argument, NULL, OPT_CALIBRATION },
	{ "ci", required_argument, NULL, OPT_CI },
	{ "cost-per-contact", required_argument, NULL, OPT_COST },
	{ "csv", no_argument, NULL, OPT_CSV },
	{ "delimiter", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ "item", required_argument, NULL, OPT_ITEM },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "label", required_argument, NULL, OPT_LABEL },
	{ "lift", optional_argument, NULL, OPT_LIFT },
	{ "plot", required_argument, NULL, OPT_PLOT },
	{ "plot-kind", required_argument, NULL, OPT_PLOT_KIND },
	{ "pos", required_argument, NULL, OPT_POS },
	{ "pred", required_argument, NULL, 'p' },
	{ "proba-prefix", required_argument, NULL, OPT_PREFIX },
	{ "quiet", no_argument, NULL, 'q' },
	{ "ranking", no_argument, NULL, OPT_RANKING },
	{ "raw-scores", no_argument, NULL, OPT_RAW },
	{ "regression", no_argument, NULL, OPT_REGRESSION },
	{ "relevance", required_argument, NULL, OPT_RELEVANCE },
	{ "require", required_argument, NULL, OPT_REQUIRE },
	{ "seed", required_argument, NULL, 's' },
	{ "segments", required_argument, NULL, OPT_SEGMENTS },
	{ "silhouette-sample", required_argument, NULL, OPT_SILHOUETTE },
	{ "skip-bad", no_argument, NULL, OPT_SKIP_BAD },
	{ "target", required_argument, NULL, 't' },
	{ "threshold", required_argument, NULL, OPT_THRESHOLD },
	{ "truth", required_argument, NULL, OPT_TRUTH },
	{ "user", required_argument, NULL, OPT_USER },
	{ "value-per-response", required_argument, NULL, OPT_VALUE },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "weight", required_argument, NULL, 'w' },
	{ NULL, 0, NULL, 0 },
};

/* Every scalar name of every mode, for checking --require early. */
static const char *const known[] = { "rows", "positives", "accuracy",
	"precision", "recall", "f1", "auc", "logloss", "pr_auc", "brier", "ks",
	"tp", "fp", "tn", "fn", "threshold", "ece", "profit", "profit_depth",
	"profit_contacts", "profit_threshold", "classes", "precision_macro",
	"recall_macro", "f1_macro", "precision_micro", "recall_micro",
	"f1_micro", "precision_weighted", "recall_weighted", "f1_weighted",
	"rmse", "mae", "r2", "mape", "mape_skipped", "medae",
	"explained_variance", "users", "users_skipped", "precision_at_k",
	"recall_at_k", "map_at_k", "ndcg_at_k", "hit_rate_at_k", "mrr",
	"coverage", "k", "segments", "silhouette", "silhouette_sample", NULL };

static void usage(void) __attribute__((noreturn));
static void help(void);

static void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n != 0 ? n : 1)) == NULL)
		err(AM_EXIT_FAILURE, "out of memory");
	return p;
}

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

/* --threshold: a number, max-f1, youden, top:P% or cost:FP,FN. */
static int
parse_threshold(const char *s, struct opts *o)
{
	char buf[64], *c;
	size_t len;

	o->rule = THR_FIXED;
	if (am_parse_double(s, -HUGE_VAL, HUGE_VAL, &o->threshold) == 0)
		return 0;
	if (strcmp(s, "max-f1") == 0)
		o->rule = AM_THR_MAX_F1;
	else if (strcmp(s, "youden") == 0)
		o->rule = AM_THR_YOUDEN;
	else if (strncmp(s, "top:", 4) == 0) {
		len = strlen(s + 4);
		if (len == 0 || len >= sizeof buf)
			return -1;
		memcpy(buf, s + 4, len + 1);
		if (buf[len - 1] == '%')
			buf[len - 1] = '\0';
		if (am_parse_double(buf, 1e-9, 100.0, &o->ra) != 0)
			return -1;
		o->ra /= 100.0;
		o->rule = AM_THR_TOP;
	} else if (strncmp(s, "cost:", 5) == 0) {
		len = strlen(s + 5);
		if (len >= sizeof buf)
			return -1;
		memcpy(buf, s + 5, len + 1);
		if ((c = strchr(buf, ',')) == NULL)
			return -1;
		*c++ = '\0';
		if (am_parse_double(buf, 0.0, HUGE_VAL, &o->ra) != 0 ||
		    am_parse_double(c, 0.0, HUGE_VAL, &o->rb) != 0)
			return -1;
		o->rule = AM_THR_COST;
	} else
		return -1;
	return 0;
}

static size_t
parse_count(const char *opt, const char *s, long lo, long hi)
{
	long n;

	if (am_parse_long(s, lo, hi, &n) != 0) {
		warnx("%s: '%s' is not a whole number in [%ld, %ld]", opt, s,
		    lo, hi);
		usage();
	}
	return (size_t)n;
}

static double
parse_num(const char *opt, const char *s, double lo, double hi)
{
	double v;

	if (am_parse_double(s, lo, hi, &v) != 0) {
		warnx("%s: '%s' is not a number in [%g, %g]", opt, s, lo, hi);
		usage();
	}
	return v;
}

static void
add_require(struct opts *o, const char *s)
{
	size_t i;

	o->req = xrealloc(o->req, (o->nreq + 1) * sizeof *o->req);
	if (parse_require(s, &o->req[o->nreq]) != 0) {
		warnx("--require: '%s' is not METRIC OP NUMBER (OP is >=, <=, "
		      "> or <)",
		    s);
		usage();
	}
	for (i = 0; known[i] != NULL; i++)
		if (strcmp(known[i], o->req[o->nreq].name) == 0)
			break;
	if (known[i] == NULL) {
		warnx("--require: unknown metric '%s'", o->req[o->nreq].name);
		usage();
	}
	o->nreq++;
}

/*
 * --plot [KINDS:]FILE: the panels before a colon when they name plots
 * ("roc,lift:out.svg"), else the whole argument is the file.
 */
static void
add_plot(struct opts *o, const char *arg)
{
	struct am_err e = { 0 };
	const char *colon = strchr(arg, ':');
	char kinds[64];
	unsigned k = 0;

	if (o->nplot == MAX_PLOTS) {
		warnx("--plot: at most %d plot files", MAX_PLOTS);
		usage();
	}
	if (colon != NULL && (size_t)(colon - arg) < sizeof kinds) {
		(void)snprintf(kinds, sizeof kinds, "%.*s", (int)(colon - arg),
		    arg);
		if (am_plot_parse(kinds, &k, &e) == 0)
			arg = colon + 1;
		else
			k = 0;
	}
	if (*arg == '\0') {
		warnx("--plot: no file name");
		usage();
	}
	if (strcmp(arg, "-") == 0) {
		warnx("--plot: '-' is not a file (standard output holds the "
		      "metrics)");
		usage();
	}
	o->plot[o->nplot] = arg;
	o->plot_kinds[o->nplot++] = k;
}

/* Resolve the panels of each --plot and refuse what cannot be drawn. */
static void
check_plots(struct opts *o)
{
	size_t i;

	if (o->nplot == 0)
		return;
	if (o->mode == M_RANK || o->mode == M_SEG || o->mode == M_REG) {
		warnx("--plot draws binary classification only");
		usage();
	}
	for (i = 0; i < o->nplot; i++) {
		if (o->plot_kinds[i] == 0)
			o->plot_kinds[i] = o->kinds != 0 ? o->kinds
			    : o->raw ? AM_PLOT_ALL & ~AM_PLOT_CALIBRATION
			             : AM_PLOT_ALL;
		if (o->raw && (o->plot_kinds[i] & AM_PLOT_CALIBRATION)) {
			warnx("--plot: calibration needs probabilities "
			      "(not --raw-scores)");
			usage();
		}
	}
}

static void
set_mode(struct opts *o, int mode, const char *opt)
{
	if (o->mode != M_AUTO && o->mode != mode) {
		warnx("%s: only one of --ranking, --regression and --segments",
		    opt);
		usage();
	}
	o->mode = mode;
}

static void
parse_args(int argc, char *argv[], struct opts *o, const char **path)
{
	struct am_err pe = { 0 };
	int ch, pred_given = 0;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":d:hk:p:qs:t:vw:", longopts,
	            NULL)) != -1) {
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
		case 'k':
			o->k = parse_count("-k", optarg, 1, 1000000);
			break;
		case 'p':
			o->pred = optarg;
			pred_given = 1;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 's':
			if (am_parse_seed(optarg, &o->seed) != 0) {
				warnx("-s: '%s' is not a seed", optarg);
				usage();
			}
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
		case OPT_ASCENDING:
			o->ascending = 1;
			break;
		case OPT_BOOTSTRAP:
			o->boot =
			    parse_count("--bootstrap", optarg, 1, 1000000);
			break;
		case OPT_CALIBRATION:
			o->calib = optarg == NULL
			    ? 10
			    : parse_count("--calibration", optarg, 1, 1000);
			break;
		case OPT_CI:
			o->ci = parse_num("--ci", optarg, 1e-6, 0.999999);
			break;
		case OPT_COST:
			o->cost = parse_num("--cost-per-contact", optarg, 0.0,
			    HUGE_VAL);
			o->profit |= 1;
			break;
		case OPT_CSV:
			o->format = OUT_CSV;
			break;
		case OPT_ITEM:
			o->item = optarg;
			break;
		case OPT_JSON:
			o->format = OUT_JSON;
			break;
		case OPT_LABEL:
			o->label = optarg;
			break;
		case OPT_LIFT:
			o->lift = optarg == NULL
			    ? 10
			    : parse_count("--lift", optarg, 1, 1000);
			break;
		case OPT_PLOT:
			add_plot(o, optarg);
			break;
		case OPT_PLOT_KIND:
			if (am_plot_parse(optarg, &o->kinds, &pe) != 0) {
				warnx("--plot-kind: %s", pe.msg);
				usage();
			}
			break;
		case OPT_POS:
			o->pos = optarg;
			break;
		case OPT_PREFIX:
			o->prefix = optarg;
			break;
		case OPT_RANKING:
			set_mode(o, M_RANK, "--ranking");
			break;
		case OPT_RAW:
			o->raw = 1;
			break;
		case OPT_REGRESSION:
			set_mode(o, M_REG, "--regression");
			break;
		case OPT_RELEVANCE:
			o->relevance = optarg;
			break;
		case OPT_REQUIRE:
			add_require(o, optarg);
			break;
		case OPT_SEGMENTS:
			set_mode(o, M_SEG, "--segments");
			o->segments = optarg;
			break;
		case OPT_SILHOUETTE:
			o->sample = parse_count("--silhouette-sample", optarg,
			    0, 1000000);
			break;
		case OPT_SKIP_BAD:
			o->skip_bad = 1;
			break;
		case OPT_THRESHOLD:
			if (parse_threshold(optarg, o) != 0) {
				warnx("--threshold: '%s' is not a number, "
				      "max-f1, youden, top:P%% or cost:FP,FN",
				    optarg);
				usage();
			}
			break;
		case OPT_TRUTH:
			o->truth = optarg;
			break;
		case OPT_USER:
			o->user = optarg;
			break;
		case OPT_VALUE:
			o->value = parse_num("--value-per-response", optarg,
			    0.0, HUGE_VAL);
			o->profit |= 2;
			break;
		case OPT_VERSION:
			am_print_version(stdout, "am-eval");
			exit(am_close_stdout(AM_EXIT_OK));
		default: /* ':' a missing argument, '?' unknown */
			am_warn_getopt(ch, optopt, argv[optind - 1]);
			usage();
		}
	}
	if (o->profit == 1 || o->profit == 2) {
		warnx("--cost-per-contact and --value-per-response go "
		      "together");
		usage();
	}
	if (o->mode == M_RANK && o->truth == NULL) {
		warnx("--ranking needs --truth FILE (the held-out items)");
		usage();
	}
	if (o->mode == M_SEG && o->boot > 0) {
		warnx("--bootstrap does not apply to --segments");
		usage();
	}
	if (o->target == NULL && o->mode != M_RANK && o->mode != M_SEG) {
		warnx("-t COL is required (the column of true labels)");
		usage();
	}
	if (!pred_given && o->mode == M_RANK)
		o->pred = NULL; /* "rank" or "score", whichever exists */
	if (!pred_given && (o->label != NULL || o->prefix != NULL))
		o->pred = NULL;
	if (argc - optind > 1)
		usage();
	*path = argc - optind == 1 ? argv[optind] : "-";
	check_plots(o);
}

/* ---- reading classification and regression input ---- */

static void
grow(struct data *d, const long *col)
{
	size_t cap = d->cap != 0 ? 2 * d->cap : 4096;

	d->id = xrealloc(d->id, cap * sizeof *d->id);
	d->yv = xrealloc(d->yv, cap * sizeof *d->yv);
	if (d->m > 0)
		d->s = xrealloc(d->s, cap * d->m * sizeof *d->s);
	if (col[1] >= 0)
		d->lab = xrealloc(d->lab, cap * sizeof *d->lab);
	if (col[2] >= 0)
		d->w = xrealloc(d->w, cap * sizeof *d->w);
	d->cap = cap;
}

/*
 * Read one row into 'd'.  'col' holds the target, --label and weight
 * columns, then the m prediction columns.  Returns 0, 1 for a bad row
 * that was skipped, or an error.
 */
static int
read_row(struct am_csv_reader *r, const long *col, const struct opts *o,
    struct data *d, struct am_err *e)
{
	const char *name = am_csv_name(r), *f;
	unsigned long line = am_csv_line(r);
	double w = 1.0, *s;
	uint32_t id = 0, lab = 0;
	size_t j;
	int rc = 0;

	if (d->n == d->cap)
		grow(d, col);
	s = d->s != NULL ? d->s + d->n * d->m : NULL; /* m == 0 with --label */
	f = am_csv_field(r, (size_t)col[0]);
	if (am_csv_missing(r, (size_t)col[0]))
		rc = am_seterr(e, AM_EFORMAT,
		    "%s:%lu: column '%s': missing label", name, line,
		    o->target);
	else if (am_parse_number(f, am_csv_len(r, (size_t)col[0]),
	             &d->yv[d->n]) != 0) {
		d->yv[d->n] = (double)NAN;
		if (o->mode == M_REG)
			rc = am_seterr(e, AM_EFORMAT,
			    "%s:%lu: column '%s': '%s' is not a number", name,
			    line, o->target, f);
	}
	for (j = 0; rc == 0 && j < d->m; j++) {
		if ((rc = am_csv_double(r, (size_t)col[3 + j], &s[j], e)) == 1)
			rc = am_seterr(e, AM_EFORMAT,
			    "%s:%lu: column '%s': missing score", name, line,
			    d->pcol[j]);
		else if (rc == 0 && d->m > 1 && !(s[j] >= 0.0 && s[j] <= 1.0))
			rc = am_seterr(e, AM_EFORMAT,
			    "%s:%lu: column '%s': probability %.15g is not in "
			    "[0, 1]",
			    name, line, d->pcol[j], s[j]);
	}
	if (rc == 0 && col[1] >= 0 && am_csv_missing(r, (size_t)col[1]))
		rc = am_seterr(e, AM_EFORMAT,
		    "%s:%lu: column '%s': missing label", name, line, o->label);
	if (rc == 0 && col[2] >= 0) {
		if ((rc = am_csv_double(r, (size_t)col[2], &w, e)) == 1)
			rc = am_seterr(e, AM_EFORMAT,
			    "%s:%lu: column '%s': missing weight", name, line,
			    o->weight);
		else if (rc == 0 && w < 0.0)
			rc = am_seterr(e, AM_EFORMAT,
			    "%s:%lu: column '%s': weight %.15g is negative",
			    name, line, o->weight, w);
	}
	if (rc != 0) {
		if (!o->skip_bad || rc == AM_ENOMEM)
			return rc;
		d->skipped++;
		*e = (struct am_err){ 0 };
		return 1;
	}
	if (isnan(d->yv[d->n]))
		d->numeric = 0;
	if (d->interned) {
		if ((rc = am_strtab_intern(d->labels, f,
		         am_csv_len(r, (size_t)col[0]), &id, e)) != 0)
			return rc;
		if (id == 2 && d->line3 == 0)
			d->line3 = line;
		if (d->numeric && o->mode == M_AUTO && col[1] < 0 &&
		    d->m == 1 && o->pos == NULL &&
		    am_strtab_size(d->labels) > MAX_LABELS)
			d->interned = 0; /* a quantity: regression */
	}
	if (col[1] >= 0 &&
	    (rc = am_strtab_intern(d->labels, am_csv_field(r, (size_t)col[1]),
	         am_csv_len(r, (size_t)col[1]), &lab, e)) != 0)
		return rc;
	if (d->m == 1 && !(s[0] >= 0.0 && s[0] <= 1.0) && d->badline == 0) {
		d->badline = line;
		d->badval = s[0];
	}
	d->id[d->n] = id;
	if (col[1] >= 0)
		d->lab[d->n] = lab;
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

/* The prediction columns: -p a,b,c, or every column named PREFIX*. */
static int
pred_cols(struct am_csv_reader *r, const struct opts *o, struct data *d,
    long **colp, struct am_err *e)
{
	const char *p, *q;
	size_t i, len;
	long *col = *colp;

	if (o->pred != NULL) {
		for (p = o->pred;; p = q + 1) {
			q = strchr(p, ',');
			len = q != NULL ? (size_t)(q - p) : strlen(p);
			d->pcol =
			    xrealloc(d->pcol, (d->m + 1) * sizeof(char *));
			if ((d->pcol[d->m] = strndup(p, len)) == NULL)
				err(AM_EXIT_FAILURE, "out of memory");
			col = xrealloc(col, (d->m + 4) * sizeof *col);
			d->m++;
			*colp = col;
			if (find_col(r, d->pcol[d->m - 1], "score",
			        &col[2 + d->m], e) != 0)
				return e->code;
			if (q == NULL)
				break;
		}
	} else if (o->prefix != NULL) {
		len = strlen(o->prefix);
		for (i = 0; i < am_csv_ncols(r); i++) {
			if (strncmp(am_csv_colname(r, i), o->prefix, len) != 0)
				continue;
			d->pcol =
			    xrealloc(d->pcol, (d->m + 1) * sizeof(char *));
			if ((d->pcol[d->m] = strdup(am_csv_colname(r, i))) ==
			    NULL)
				err(AM_EXIT_FAILURE, "out of memory");
			col = xrealloc(col, (d->m + 4) * sizeof *col);
			col[3 + d->m++] = (long)i;
			*colp = col;
		}
		if (d->m == 0)
			return am_seterr(e, AM_EFORMAT,
			    "%s: no column starts with '%s'", am_csv_name(r),
			    o->prefix);
	}
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
	long *col = xrealloc(NULL, 3 * sizeof *col);
	int rc;

	col[0] = col[1] = col[2] = -1;
	d->numeric = 1;
	d->interned = o->mode != M_REG;
	if ((d->labels = am_strtab_new(e)) == NULL ||
	    (src = am_src_open(path, e)) == NULL) {
		free(col);
		return e->code;
	}
	if ((r = am_csv_open(src, &co, e)) == NULL) {
		rc = e->code;
		goto out;
	}
	if ((rc = find_col(r, o->target, "target", &col[0], e)) != 0 ||
	    (o->label != NULL &&
	        (rc = find_col(r, o->label, "label", &col[1], e)) != 0) ||
	    (o->weight != NULL &&
	        (rc = find_col(r, o->weight, "weight", &col[2], e)) != 0) ||
	    (rc = pred_cols(r, o, d, &col, e)) != 0)
		goto out;
	if (o->mode == M_REG && d->m != 1) {
		rc = am_seterr(e, AM_EARG,
		    "--regression needs one prediction column (-p COL)");
		goto out;
	}
	while ((rc = am_csv_next(r, e)) == 1)
		if ((rc = read_row(r, col, o, d, e)) < 0)
			goto out;
	if (rc == 0 && d->n == 0)
		rc = am_seterr(e, AM_EFORMAT, "%s: no rows", am_csv_name(r));
	d->skipped += am_csv_skipped(r);
out:
	if (rc != 0 && e->code == AM_OK)
		e->code = rc;
	free(col);
	am_csv_close(r);
	am_src_close(src);
	return rc;
}

/* ---- output ---- */

static struct table *
add_table(struct out *u, const char *name, const char *const *cols,
    size_t ncols)
{
	struct table *t = &u->tab[u->ntab++];

	memset(t, 0, sizeof *t);
	t->name = name;
	t->ncols = ncols;
	t->cols = xrealloc(NULL, ncols * sizeof *t->cols);
	if (cols != NULL)
		memcpy(t->cols, cols, ncols * sizeof *t->cols);
	return t;
}

static void
put_cell(struct table *t, const char *s, double v)
{
	if (t->ncells == t->cap) {
		t->cap = t->cap != 0 ? 2 * t->cap : 64;
		t->c = xrealloc(t->c, t->cap * sizeof *t->c);
	}
	t->c[t->ncells].s = s;
	t->c[t->ncells++].v = v;
}

static void
put_row(struct table *t, const double *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		put_cell(t, NULL, v[i]);
}

/* A copy of 's' that lives as long as 'u'. */
static const char *
keep(struct out *u, const char *s)
{
	struct am_err e = { 0 };
	uint32_t id;

	if ((u->str == NULL && (u->str = am_strtab_new(&e)) == NULL) ||
	    am_strtab_intern(u->str, s, strlen(s), &id, &e) != 0)
		errx(AM_EXIT_FAILURE, "%s", e.msg);
	return am_strtab_get(u->str, id);
}

static void
scalar(struct out *u, const char *name, double v)
{
	if (u->nsc < MAX_SCALARS) {
		u->sc[u->nsc].name = name;
		u->sc[u->nsc].lo = u->sc[u->nsc].hi = (double)NAN;
		u->sc[u->nsc++].v = v;
	}
}

static void
out_free(struct out *u)
{
	size_t i;

	for (i = 0; i < u->ntab; i++) {
		free(u->tab[i].cols);
		free(u->tab[i].c);
	}
	u->ntab = 0;
	u->nsc = 0;
}

static int
fmt_num(char *buf, size_t size, double v, int json)
{
	if (isnan(v))
		return snprintf(buf, size, "%s", json ? "null" : "nan");
	if (isinf(v))
		return snprintf(buf, size, "%s",
		    json        ? "null"
		        : v > 0 ? "inf"
		                : "-inf");
	return snprintf(buf, size, "%.15g", v);
}

static void
put_num(double v, int json)
{
	char buf[40];

	(void)fmt_num(buf, sizeof buf, v, json);
	(void)fputs(buf, stdout);
}

static void
put_json_str(const char *s)
{
	(void)putchar('"');
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			(void)printf("\\%c", c);
		else if (c < 0x20)
			(void)printf("\\u%04x", c);
		else
			(void)putchar(c);
	}
	(void)putchar('"');
}

static void
put_csv_str(const char *s)
{
	struct am_csv_writer w;

	am_csv_writer_init(&w, stdout, ',');
	am_csv_puts(&w, s);
}

static void
print_table_text(const struct table *t)
{
	size_t nrows, i, j, *wid, len;
	char buf[40];
	int num;

	if (t->ncols == 0)
		return;
	nrows = t->ncells / t->ncols;

	wid = xrealloc(NULL, t->ncols * sizeof *wid);
	for (j = 0; j < t->ncols; j++)
		wid[j] = strlen(t->cols[j]);
	for (i = 0; i < t->ncells; i++) {
		const struct cell *c = &t->c[i];

		len = c->s != NULL
		    ? strlen(c->s)
		    : (size_t)snprintf(buf, sizeof buf, "%.6g", c->v);
		if (len > wid[i % t->ncols])
			wid[i % t->ncols] = len;
	}
	(void)putchar('\n');
	for (j = 0; j < t->ncols; j++) { /* over strings left, numbers right */
		num = nrows > 0 && t->c[j].s == NULL;
		(void)printf(num ? "%s%*s" : "%s%-*s", j > 0 ? "  " : "",
		    j + 1 < t->ncols || num ? (int)wid[j] : 0, t->cols[j]);
	}
	(void)putchar('\n');
	for (i = 0; i < nrows; i++) {
		for (j = 0; j < t->ncols; j++) {
			const struct cell *c = &t->c[i * t->ncols + j];

			if (c->s != NULL)
				(void)printf("%s%-*s", j > 0 ? "  " : "",
				    j + 1 < t->ncols ? (int)wid[j] : 0, c->s);
			else
				(void)printf("%s%*.6g", j > 0 ? "  " : "",
				    (int)wid[j], c->v);
		}
		(void)putchar('\n');
	}
	free(wid);
}

static void
print_table(const struct table *t, int format)
{
	size_t i, j, nrows = t->ncells / t->ncols;

	if (format == OUT_TEXT) {
		print_table_text(t);
		return;
	}
	if (format == OUT_CSV) {
		for (j = 0; j < t->ncols; j++) {
			if (j > 0)
				(void)putchar(',');
			put_csv_str(t->cols[j]);
		}
		(void)putchar('\n');
	} else
		(void)printf(",\"%s\":[", t->name);
	for (i = 0; i < nrows; i++) {
		if (format == OUT_JSON)
			(void)fputs(i > 0 ? ",{" : "{", stdout);
		for (j = 0; j < t->ncols; j++) {
			const struct cell *c = &t->c[i * t->ncols + j];

			if (format == OUT_JSON) {
				if (j > 0)
					(void)putchar(',');
				put_json_str(t->cols[j]);
				(void)putchar(':');
			} else if (j > 0)
				(void)putchar(',');
			if (c->s != NULL && format == OUT_JSON)
				put_json_str(c->s);
			else if (c->s != NULL)
				put_csv_str(c->s);
			else
				put_num(c->v, format == OUT_JSON);
		}
		(void)fputs(format == OUT_JSON ? "}" : "\n", stdout);
	}
	if (format == OUT_JSON)
		(void)putchar(']');
}

static void
print_text(const struct out *u, int ci)
{
	size_t i, wn = 10, wv = 0, len;
	char buf[40];

	for (i = 0; i < u->nsc; i++) {
		if ((len = strlen(u->sc[i].name)) > wn)
			wn = len;
		if ((len = (size_t)fmt_num(buf, sizeof buf, u->sc[i].v, 0)) >
		    wv)
			wv = len;
	}
	for (i = 0; i < u->nsc; i++) {
		(void)fmt_num(buf, sizeof buf, u->sc[i].v, 0);
		if (!ci) {
			(void)printf("%-*s %s\n", (int)wn, u->sc[i].name, buf);
			continue;
		}
		(void)printf("%-*s %-*s  [", (int)wn, u->sc[i].name, (int)wv,
		    buf);
		put_num(u->sc[i].lo, 0);
		(void)fputs(", ", stdout);
		put_num(u->sc[i].hi, 0);
		(void)fputs("]\n", stdout);
	}
	for (i = 0; i < u->ntab; i++)
		print_table(&u->tab[i], OUT_TEXT);
}

static void
print_out(const struct out *u, const struct opts *o)
{
	size_t i;
	int ci = o->boot > 0;

	if (o->format == OUT_TEXT) {
		print_text(u, ci);
		return;
	}
	if (o->format == OUT_CSV) {
		if (!u->tables_only) {
			(void)puts(ci ? "metric,value,lo,hi" : "metric,value");
			for (i = 0; i < u->nsc; i++) {
				(void)printf("%s,", u->sc[i].name);
				put_num(u->sc[i].v, 0);
				if (ci) {
					(void)putchar(',');
					put_num(u->sc[i].lo, 0);
					(void)putchar(',');
					put_num(u->sc[i].hi, 0);
				}
				(void)putchar('\n');
			}
		}
		for (i = 0; i < u->ntab; i++) {
			if (i > 0 || !u->tables_only)
				(void)putchar('\n');
			print_table(&u->tab[i], OUT_CSV);
		}
		return;
	}
	for (i = 0; i < u->nsc; i++) {
		(void)printf("%s\"%s\":", i == 0 ? "{" : ",", u->sc[i].name);
		put_num(u->sc[i].v, 1);
	}
	if (u->nsc == 0)
		(void)putchar('{');
	if (ci) {
		(void)printf(",\"ci\":{\"level\":%.15g,\"replicates\":%zu",
		    o->ci, o->boot);
		for (i = 0; i < u->nsc; i++) {
			(void)printf(",\"%s\":[", u->sc[i].name);
			put_num(u->sc[i].lo, 1);
			(void)putchar(',');
			put_num(u->sc[i].hi, 1);
			(void)putchar(']');
		}
		(void)putchar('}');
	}
	for (i = 0; i < u->ntab; i++)
		print_table(&u->tab[i], OUT_JSON);
	(void)puts("}");
}

/* ---- the metrics of each mode ---- */

/* Draw every --plot file from the scores (atomically, one by one). */
static int
write_plots(const struct ctx *c, const double *w, const struct am_binmetrics *m)
{
	const struct opts *o = c->o;
	struct am_plot_data d = { 0 };
	struct am_curve_pt *pts = NULL;
	struct am_lift_bin *lb = NULL;
	struct am_calib_bin *cb = NULL;
	struct am_atomic *a;
	unsigned all = 0;
	size_t i, nb = o->lift > 0 ? o->lift : 10;
	size_t nc = o->calib > 0 ? o->calib : 10;
	int rc = 0;

	for (i = 0; i < o->nplot; i++)
		all |= o->plot_kinds[i];
	d.title = o->input;
	d.auc = m->auc;
	d.pr_auc = m->pr_auc;
	d.ece = (double)NAN;
	if ((all & (AM_PLOT_ROC | AM_PLOT_PR)) != 0 &&
	    (rc = am_metrics_curve(c->yb, c->score, w, c->n, PLOT_POINTS, &pts,
	         &d.npts, c->e)) != 0)
		goto out;
	d.pts = pts;
	lb = xrealloc(NULL, nb * sizeof *lb);
	if ((rc = am_metrics_lift(c->yb, c->score, w, c->n, nb, lb, c->e)) != 0)
		goto out;
	d.lift = lb;
	d.nlift = nb;
	d.base_rate = lb[nb - 1].cum_rows > 0.0
	    ? lb[nb - 1].cum_positives / lb[nb - 1].cum_rows
	    : (double)NAN;
	if ((all & AM_PLOT_CALIBRATION) != 0) {
		cb = xrealloc(NULL, nc * sizeof *cb);
		if ((rc = am_metrics_calibration(c->yb, c->score, w, c->n, nc,
		         cb, &d.ece, c->e)) != 0)
			goto out;
		d.calib = cb;
		d.ncalib = nc;
	}
	for (i = 0; i < o->nplot; i++) {
		if ((a = am_atomic_open(o->plot[i], c->e)) == NULL) {
			rc = c->e->code;
			goto out;
		}
		if ((rc = am_plot_svg(am_atomic_fp(a), o->plot_kinds[i], &d,
		         c->e)) != 0) {
			am_atomic_abort(a);
			goto out;
		}
		if ((rc = am_atomic_commit(a, c->e)) != 0)
			goto out;
		if (o->verbose)
			warnx("wrote %s", o->plot[i]);
	}
out:
	free(pts);
	free(lb);
	free(cb);
	return rc;
}

static int
binary_metrics(const struct ctx *c, const double *w, struct out *u)
{
	static const char *const lcols[] = { "bin", "rows", "positives", "rate",
		"lift", "cum_gain", "cum_lift", "min_score", "cum_rows",
		"cum_positives", "cum_rate" };
	static const char *const ccols[] = { "bin", "lo", "hi", "rows",
		"mean_score", "frac_pos" };
	static const char *const pcols[] = { "bin", "depth", "contacts",
		"responses", "profit" };
	const struct opts *o = c->o;
	const char *const *names = am_metrics_names();
	struct am_binmetrics m;
	struct am_lift_bin *lb = NULL;
	struct am_calib_bin *cb = NULL;
	struct am_profit pr;
	struct table *t;
	double thr = o->threshold, v, ece, total;
	size_t i, nb = o->lift > 0 ? o->lift : 10;
	int rc;

	if (o->rule != THR_FIXED &&
	    (rc = am_metrics_choose(c->yb, c->score, w, c->n,
	         (enum am_thr_rule)o->rule, o->ra, o->rb, &thr, c->e)) != 0)
		return rc;
	if ((rc = am_metrics_binary(c->yb, c->score, w, c->n, thr, &m, c->e)) !=
	    0)
		return rc;
	if (o->raw)
		m.logloss = m.brier = (double)NAN;
	for (i = 0; names[i] != NULL; i++) {
		(void)am_metrics_get(&m, names[i], &v);
		scalar(u, names[i], v);
	}
	if (o->rule != THR_FIXED)
		scalar(u, "threshold", thr);
	if (o->calib > 0) {
		cb = xrealloc(NULL, o->calib * sizeof *cb);
		if ((rc = am_metrics_calibration(c->yb, c->score, w, c->n,
		         o->calib, cb, &ece, c->e)) != 0)
			goto out;
		scalar(u, "ece", ece);
		if (c->tables) {
			t = add_table(u, "calibration", ccols, 6);
			for (i = 0; i < o->calib; i++) {
				const double row[] = { (double)(i + 1),
					cb[i].lo, cb[i].hi, cb[i].rows,
					cb[i].mean_score, cb[i].frac_pos };

				put_row(t, row, 6);
			}
		}
	}
	if (o->profit) {
		if ((rc = am_metrics_profit(c->yb, c->score, w, c->n, o->cost,
		         o->value, &pr, c->e)) != 0)
			goto out;
		scalar(u, "profit", pr.profit);
		scalar(u, "profit_depth", pr.depth);
		scalar(u, "profit_contacts", pr.contacts);
		scalar(u, "profit_threshold", pr.threshold);
	}
	if (c->tables && (o->lift > 0 || o->profit)) {
		lb = xrealloc(NULL, nb * sizeof *lb);
		if ((rc = am_metrics_lift(c->yb, c->score, w, c->n, nb, lb,
		         c->e)) != 0)
			goto out;
		total = lb[nb - 1].cum_rows;
		if (o->lift > 0) {
			t = add_table(u, "lift", lcols, 11);
			for (i = 0; i < nb; i++) {
				const double row[] = { (double)(i + 1),
					lb[i].rows, lb[i].positives, lb[i].rate,
					lb[i].lift, lb[i].cum_gain,
					lb[i].cum_lift, lb[i].min_score,
					lb[i].cum_rows, lb[i].cum_positives,
					lb[i].cum_rate };

				put_row(t, row, 11);
			}
		}
		if (o->profit) {
			t = add_table(u, "profit", pcols, 5);
			for (i = 0; i < nb; i++) {
				const double row[] = { (double)(i + 1),
					lb[i].cum_rows / total, lb[i].cum_rows,
					lb[i].cum_positives,
					o->value * lb[i].cum_positives -
					    o->cost * lb[i].cum_rows };

				put_row(t, row, 5);
			}
		}
	}
	if (c->tables && o->nplot > 0)
		rc = write_plots(c, w, &m);
out:
	free(lb);
	free(cb);
	return rc;
}

static int
multi_metrics(const struct ctx *c, const double *w, struct out *u)
{
	static const char *const pcols[] = { "class", "precision", "recall",
		"f1", "support" };
	struct am_mcmetrics m = { 0 };
	struct table *t;
	size_t k = c->k, i, j;
	int rc;

	m.k = k;
	m.conf = xrealloc(NULL, k * k * sizeof *m.conf);
	m.precision = xrealloc(NULL, 4 * k * sizeof *m.precision);
	m.recall = m.precision + k;
	m.f1 = m.recall + k;
	m.support = m.f1 + k;
	if ((rc = am_metrics_multiclass(c->yc, c->pc, c->proba, w, c->n, &m,
	         c->e)) != 0)
		goto out;
	scalar(u, "rows", m.rows);
	scalar(u, "classes", (double)k);
	scalar(u, "accuracy", m.accuracy);
	scalar(u, "precision_macro", m.precision_macro);
	scalar(u, "recall_macro", m.recall_macro);
	scalar(u, "f1_macro", m.f1_macro);
	scalar(u, "precision_micro", m.precision_micro);
	scalar(u, "recall_micro", m.recall_micro);
	scalar(u, "f1_micro", m.f1_micro);
	scalar(u, "precision_weighted", m.precision_weighted);
	scalar(u, "recall_weighted", m.recall_weighted);
	scalar(u, "f1_weighted", m.f1_weighted);
	scalar(u, "auc", m.auc_ovr);
	scalar(u, "logloss", m.logloss);
	if (!c->tables)
		goto out;
	t = add_table(u, "per_class", pcols, 5);
	for (i = 0; i < k; i++) {
		put_cell(t, keep(u, c->cname[i]), 0.0);
		put_cell(t, NULL, m.precision[i]);
		put_cell(t, NULL, m.recall[i]);
		put_cell(t, NULL, m.f1[i]);
		put_cell(t, NULL, m.support[i]);
	}
	t = add_table(u, "confusion", NULL, k + 1);
	t->cols[0] = "actual";
	for (i = 0; i < k; i++)
		t->cols[i + 1] = keep(u, c->cname[i]);
	for (i = 0; i < k; i++) {
		put_cell(t, keep(u, c->cname[i]), 0.0);
		for (j = 0; j < k; j++)
			put_cell(t, NULL, m.conf[i * k + j]);
	}
out:
	free(m.conf);
	free(m.precision);
	return rc;
}

static int
reg_metrics(const struct ctx *c, const double *w, struct out *u)
{
	struct am_regmetrics m;
	int rc;

	if ((rc = am_metrics_regression(c->yv, c->score, w, c->n, &m, c->e)) !=
	    0)
		return rc;
	scalar(u, "rows", m.rows);
	scalar(u, "rmse", m.rmse);
	scalar(u, "mae", m.mae);
	scalar(u, "r2", m.r2);
	scalar(u, "mape", m.mape);
	scalar(u, "mape_skipped", m.mape_skipped);
	scalar(u, "medae", m.medae);
	scalar(u, "explained_variance", m.explained_variance);
	return 0;
}

static int
rank_metrics(const struct ctx *c, const double *w, struct out *u)
{
	struct am_rankmetrics m;
	int rc;

	if ((rc = am_rank_metrics(c->rank, w, &m, c->e)) != 0)
		return rc;
	scalar(u, "users", m.users);
	scalar(u, "users_skipped", m.users_skipped);
	scalar(u, "k", (double)c->o->k);
	scalar(u, "precision_at_k", m.precision);
	scalar(u, "recall_at_k", m.recall);
	scalar(u, "map_at_k", m.map);
	scalar(u, "ndcg_at_k", m.ndcg);
	scalar(u, "hit_rate_at_k", m.hit_rate);
	scalar(u, "mrr", m.mrr);
	scalar(u, "coverage", m.coverage);
	return 0;
}

typedef int metrics_fn(const struct ctx *, const double *, struct out *);

/*
 * Percentile intervals: 'boot' replicates of 'fn' on resampled units
 * (rows, or users for ranking), weighted by 'w' times the draw counts.
 */
static int
bootstrap(struct ctx *c, metrics_fn *fn, size_t units, const double *w,
    struct out *u)
{
	const struct opts *o = c->o;
	struct am_rand r;
	struct out *rep = xrealloc(NULL, sizeof *rep);
	double *bw = xrealloc(NULL, units * sizeof *bw);
	double *val = xrealloc(NULL, o->boot * u->nsc * sizeof *val);
	size_t b, j;
	int rc = 0;

	am_rand_seed(&r, o->seed);
	c->tables = 0;
	for (b = 0; b < o->boot; b++) {
		am_metrics_resample(&r, w, units, bw);
		rep->nsc = rep->ntab = 0;
		if ((rc = fn(c, bw, rep)) != 0)
			goto out;
		for (j = 0; j < u->nsc; j++)
			val[j * o->boot + b] =
			    j < rep->nsc ? rep->sc[j].v : (double)NAN;
	}
	for (j = 0; j < u->nsc; j++) {
		u->sc[j].lo = am_metrics_percentile(val + j * o->boot, o->boot,
		    (1.0 - o->ci) / 2.0);
		u->sc[j].hi = am_metrics_percentile(val + j * o->boot, o->boot,
		    1.0 - (1.0 - o->ci) / 2.0);
	}
out:
	free(rep);
	free(bw);
	free(val);
	return rc;
}

/* ---- setting up each mode from the rows read ---- */

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Class names in byte order, and the class of each label number. */
static const char **
sorted_labels(const struct am_strtab *t, unsigned **map)
{
	size_t n = am_strtab_size(t), i;
	const char **name = xrealloc(NULL, n * sizeof *name);
	long j;

	*map = xrealloc(NULL, n * sizeof **map);
	for (i = 0; i < n; i++)
		name[i] = am_strtab_get(t, (uint32_t)i);
	qsort(name, n, sizeof *name, cmp_name);
	for (i = 0; i < n; i++) {
		j = am_strtab_find(t, name[i]);
		(*map)[j] = (unsigned)i;
	}
	return name;
}

/*
 * Binary: without --pos, the later of two labels in byte order is the
 * positive class; a lone label is positive only if it reads as "yes".
 */
static const char *
setup_binary(struct data *d, const struct opts *o, struct ctx *c)
{
	static const char *const yes[] = { "1", "1.0", "true", "yes", "y",
		"pos", "positive", NULL };
	const char *pos = NULL;
	long p = -1;
	size_t i;
	int k;

	c->yb = xrealloc(NULL, d->n);
	if (o->pos != NULL) {
		pos = o->pos;
		p = am_strtab_find(d->labels, o->pos);
	} else if (am_strtab_size(d->labels) == 2) {
		p = strcmp(am_strtab_get(d->labels, 0),
		        am_strtab_get(d->labels, 1)) < 0;
		pos = am_strtab_get(d->labels, (uint32_t)p);
	} else {
		for (k = 0; yes[k] != NULL; k++)
			if (strcasecmp(am_strtab_get(d->labels, 0), yes[k]) ==
			    0)
				break;
		if (yes[k] != NULL) {
			p = 0;
			pos = am_strtab_get(d->labels, 0);
		}
	}
	for (i = 0; i < d->n; i++)
		c->yb[i] = (long)d->id[i] == p;
	c->score = d->s;
	return pos;
}

/* Multi-class from probability columns or a --label column. */
static int
setup_multi(struct data *d, const struct opts *o, struct ctx *c,
    struct am_err *e)
{
	unsigned *map = NULL;
	const char **name;
	size_t i, j, plen = o->prefix != NULL ? strlen(o->prefix) : 0;
	double *pr;
	long *cls;

	c->yc = xrealloc(NULL, d->n * sizeof *c->yc);
	if (d->m == 0) {
		c->cname = sorted_labels(d->labels, &map);
		c->k = am_strtab_size(d->labels);
		c->pc = xrealloc(NULL, d->n * sizeof *c->pc);
		for (i = 0; i < d->n; i++) {
			c->yc[i] = map[d->id[i]];
			c->pc[i] = map[d->lab[i]];
		}
		free(map);
		return 0;
	}
	/* class of column j: its name without the prefix */
	c->k = d->m;
	name = xrealloc(NULL, d->m * sizeof *name);
	for (j = 0; j < d->m; j++)
		name[j] = strncmp(d->pcol[j],
		              o->prefix != NULL ? o->prefix : "", plen) == 0
		    ? d->pcol[j] + plen
		    : d->pcol[j];
	qsort(name, d->m, sizeof *name, cmp_name);
	for (j = 1; j < d->m; j++)
		if (strcmp(name[j - 1], name[j]) == 0) {
			free(name);
			return am_seterr(e, AM_EARG,
			    "two probability columns for class '%s'", name[j]);
		}
	c->cname = name;
	/* the label number of each class, and the column of each class */
	cls = xrealloc(NULL, am_strtab_size(d->labels) * sizeof *cls);
	for (i = 0; i < am_strtab_size(d->labels); i++) {
		const char *l = am_strtab_get(d->labels, (uint32_t)i);
		const char **f =
		    bsearch(&l, name, d->m, sizeof *name, cmp_name);

		if (f == NULL) {
			free(cls);
			return am_seterr(e, AM_EFORMAT,
			    "column '%s': label '%s' has no probability column",
			    o->target, l);
		}
		cls[i] = f - name;
	}
	for (i = 0; i < d->n; i++)
		c->yc[i] = (unsigned)cls[d->id[i]];
	free(cls);
	pr = xrealloc(NULL, d->n * d->m * sizeof *pr);
	for (j = 0; j < d->m; j++) {
		const char *cn =
		    strncmp(d->pcol[j], o->prefix != NULL ? o->prefix : "",
		        plen) == 0
		    ? d->pcol[j] + plen
		    : d->pcol[j];
		size_t to = (size_t)((const char **)bsearch(&cn, name, d->m,
		                         sizeof *name, cmp_name) -
		    name);

		for (i = 0; i < d->n; i++)
			pr[i * d->m + to] = d->s[i * d->m + j];
	}
	c->proba = pr;
	return 0;
}

/* Check the requirements; one line on stderr for each that fails. */
static int
check(const struct out *u, const struct opts *o)
{
	char buf[64];
	double v, shown;
	size_t i, j;
	int ok = 1;

	for (i = 0; i < o->nreq; i++) {
		for (j = 0; j < u->nsc; j++)
			if (strcmp(u->sc[j].name, o->req[i].name) == 0)
				break;
		v = u->sc[j].v;
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

/* A --require naming a metric that this mode does not compute. */
static const char *
unknown_required(const struct out *u, const struct opts *o)
{
	size_t i, j;

	for (i = 0; i < o->nreq; i++) {
		for (j = 0; j < u->nsc; j++)
			if (strcmp(u->sc[j].name, o->req[i].name) == 0)
				break;
		if (j == u->nsc)
			return o->req[i].name;
	}
	return NULL;
}

static const char *const mode_name[] = { "", "binary classification",
	"multi-class classification", "regression", "ranking", "segmentation" };

/* Decide the mode of a classification or regression input. */
static int
decide_mode(struct data *d, const struct opts *o, struct am_err *e)
{
	if (o->mode != M_AUTO)
		return o->mode;
	if (o->label != NULL || d->m > 1 || o->prefix != NULL)
		return M_MULTI;
	if (!d->interned ||
	    (d->numeric && o->pos == NULL && am_strtab_size(d->labels) > 2))
		return M_REG;
	if (o->pos == NULL && am_strtab_size(d->labels) > 2)
		return am_seterr(e, AM_EFORMAT,
		    "%s:%lu: column '%s': a third class '%s' (am-eval judges "
		    "two classes; use --pos LABEL for one against the rest, "
		    "or -p with a probability column per class)",
		    "", d->line3, o->target, am_strtab_get(d->labels, 2));
	return M_BINARY;
}

/* Drop the rows whose score is outside [0, 1], under --skip-bad. */
static void
drop_out_of_range(struct data *d)
{
	size_t i, j = 0;

	for (i = 0; i < d->n; i++) {
		if (!(d->s[i] >= 0.0 && d->s[i] <= 1.0)) {
			d->skipped++;
			continue;
		}
		d->id[j] = d->id[i];
		d->s[j] = d->s[i];
		if (d->w != NULL)
			d->w[j] = d->w[i];
		j++;
	}
	d->n = j;
}

static int
run_classic(const char *path, const struct opts *o, struct out *u,
    struct am_err *e)
{
	struct data d = { 0 };
	struct ctx c = { 0 };
	const char *pos = NULL;
	metrics_fn *fn;
	int mode, rc;

	c.o = o;
	c.e = e;
	c.tables = 1;
	if ((rc = read_input(path, o, &d, e)) != 0)
		goto out;
	if ((mode = decide_mode(&d, o, e)) < 0) {
		rc = mode;
		/* name the file in the message */
		(void)snprintf(e->msg, sizeof e->msg,
		    "%s:%lu: column '%s': a third class '%s' (am-eval judges "
		    "two classes; use --pos LABEL for one against the rest, "
		    "or -p with a probability column per class)",
		    strcmp(path, "-") == 0 ? "<stdin>" : path, d.line3,
		    o->target, am_strtab_get(d.labels, 2));
		goto out;
	}
	if (mode == M_BINARY && !o->raw && d.badline != 0) {
		if (!o->skip_bad) {
			rc = am_seterr(e, AM_EFORMAT,
			    "%s:%lu: column '%s': score %.15g is not in [0, 1] "
			    "(use --raw-scores for scores that are not "
			    "probabilities)",
			    strcmp(path, "-") == 0 ? "<stdin>" : path,
			    d.badline, o->pred, d.badval);
			goto out;
		}
		drop_out_of_range(&d);
		if (d.n == 0) {
			rc = am_seterr(e, AM_EFORMAT, "%s: no rows", path);
			goto out;
		}
	}
	if (d.skipped > 0 && !o->quiet)
		warnx("skipped %zu bad rows", d.skipped);
	c.n = d.n;
	if (mode == M_BINARY) {
		pos = setup_binary(&d, o, &c);
		if (o->pos != NULL && pos != NULL && !o->quiet &&
		    am_strtab_find(d.labels, o->pos) < 0)
			warnx("no row has the positive label '%s'", o->pos);
		if (o->verbose)
			warnx("%zu rows, positive class '%s'", d.n,
			    pos != NULL ? pos : "(none)");
		fn = binary_metrics;
		u->tables_only = o->lift > 0 || o->calib > 0 || o->profit;
	} else if (o->nplot > 0) {
		warnx("--plot draws binary classification only (this is %s)",
		    mode_name[mode]);
		rc = 1; /* a usage error, reported by the caller */
		goto out;
	} else if (mode == M_MULTI) {
		if ((rc = setup_multi(&d, o, &c, e)) != 0)
			goto out;
		if (o->verbose)
			warnx("%zu rows, %zu classes", d.n, c.k);
		fn = multi_metrics;
	} else {
		c.yv = d.yv;
		c.score = d.s;
		if (o->verbose)
			warnx("%zu rows, regression", d.n);
		fn = reg_metrics;
	}
	if ((rc = fn(&c, d.w, u)) != 0)
		goto out;
	if (o->boot > 0 && (rc = bootstrap(&c, fn, d.n, d.w, u)) != 0)
		goto out;
	if ((pos = unknown_required(u, o)) != NULL) {
		warnx("--require: metric '%s' is not computed for %s", pos,
		    mode_name[mode]);
		rc = 1; /* a usage error, reported by the caller */
	}
out:
	free(c.yb);
	free(c.yc);
	free(c.pc);
	free(c.proba);
	free(c.cname);
	free(d.id);
	free(d.yv);
	free(d.s);
	free(d.lab);
	free(d.w);
	for (size_t j = 0; j < d.m; j++)
		free(d.pcol[j]);
	free(d.pcol);
	am_strtab_free(d.labels);
	return rc;
}

static int
run_ranking(const char *path, const struct opts *o, struct out *u,
    struct am_err *e)
{
	struct am_rank_opts ro = { 0 };
	struct ctx c = { 0 };
	const char *name;
	int rc;

	ro.delim = o->delim;
	ro.user = o->user != NULL ? o->user : "user";
	ro.item = o->item != NULL ? o->item : "item";
	ro.score = o->pred;
	ro.relevance = o->relevance;
	ro.ascending = o->ascending;
	ro.k = o->k;
	c.o = o;
	c.e = e;
	if ((c.rank = am_rank_load(path, o->truth, &ro, e)) == NULL)
		return e->code;
	if (o->verbose)
		warnx("%zu users to judge at k = %zu", am_rank_users(c.rank),
		    o->k);
	if ((rc = rank_metrics(&c, NULL, u)) == 0 && o->boot > 0)
		rc =
		    bootstrap(&c, rank_metrics, am_rank_users(c.rank), NULL, u);
	if (rc == 0 && (name = unknown_required(u, o)) != NULL) {
		warnx("--require: metric '%s' is not computed for ranking",
		    name);
		rc = 1;
	}
	am_rank_free(c.rank);
	return rc;
}

static int
run_segments(const char *path, const struct opts *o, struct out *u,
    struct am_err *e)
{
	static const char *const scols[] = { "segment", "rows", "share" };
	static const char *const pcols[] = { "segment", "column", "mean",
		"index" };
	static const char *const tcols[] = { "segment", "column", "value",
		"rows", "share", "index" };
	struct am_seg_opts so = { 0 };
	struct am_seg_report *r;
	struct table *t;
	const char *name;
	size_t i;
	int rc = 0;

	so.delim = o->delim;
	so.segments = o->segments;
	so.sample = o->sample;
	so.seed = o->seed;
	so.top = 3;
	if ((r = am_seg_eval(path, &so, e)) == NULL)
		return e->code;
	scalar(u, "rows", (double)r->rows);
	scalar(u, "segments", (double)r->nseg);
	scalar(u, "silhouette", r->silhouette);
	scalar(u, "silhouette_sample", (double)r->sampled);
	t = add_table(u, "segments", scols, 3);
	for (i = 0; i < r->nseg; i++) {
		put_cell(t, r->seg[i].name, 0.0);
		put_cell(t, NULL, r->seg[i].rows);
		put_cell(t, NULL, r->seg[i].share);
	}
	t = add_table(u, "profile", pcols, 4);
	for (i = 0; i < r->nprof; i++) {
		put_cell(t, r->prof[i].segment, 0.0);
		put_cell(t, r->prof[i].column, 0.0);
		put_cell(t, NULL, r->prof[i].mean);
		put_cell(t, NULL, r->prof[i].index);
	}
	t = add_table(u, "top", tcols, 6);
	for (i = 0; i < r->ntop; i++) {
		put_cell(t, r->top[i].segment, 0.0);
		put_cell(t, r->top[i].column, 0.0);
		put_cell(t, r->top[i].value, 0.0);
		put_cell(t, NULL, r->top[i].rows);
		put_cell(t, NULL, r->top[i].share);
		put_cell(t, NULL, r->top[i].index);
	}
	if (o->verbose)
		warnx("%zu rows, %zu segments, %zu numeric columns", r->rows,
		    r->nseg, r->nnum);
	if ((name = unknown_required(u, o)) != NULL) {
		warnx("--require: metric '%s' is not computed for "
		      "segmentation",
		    name);
		rc = 1;
	}
	/* the report's strings must outlive the printing */
	u->keep = r;
	return rc;
}

int
main(int argc, char *argv[])
{
	struct opts o = { 0 };
	struct out *u = xrealloc(NULL, sizeof *u);
	struct am_err e = { 0 };
	const char *path;
	int status = AM_EXIT_FAILURE, rc;

	am_cli_init();
	o.pred = "score";
	o.threshold = 0.5;
	o.rule = THR_FIXED;
	o.ci = 0.95;
	o.k = 10;
	o.sample = 10000;
	o.seed = AM_DEFAULT_SEED;
	parse_args(argc, argv, &o, &path);
	o.input = strcmp(path, "-") == 0 ? "<stdin>" : path;
	memset(u, 0, sizeof *u);
	if (o.mode == M_RANK)
		rc = run_ranking(path, &o, u, &e);
	else if (o.mode == M_SEG)
		rc = run_segments(path, &o, u, &e);
	else
		rc = run_classic(path, &o, u, &e);
	if (rc == 1) {
		status = AM_EXIT_USAGE;
		goto out;
	}
	if (rc != 0)
		goto out;
	print_out(u, &o);
	status = check(u, &o) ? AM_EXIT_OK : AM_EXIT_CHECK;
out:
	if (e.code != AM_OK)
		warnx("%s", e.msg);
	out_free(u);
	am_seg_report_free(u->keep);
	am_strtab_free(u->str);
	free(u);
	free(o.req);
	return am_close_stdout(status);
}

static void
usage(void)
{
	(void)fprintf(stderr,
	    "usage: am-eval [-hqv] [-d delim] [-p col[,col ...]] [-s seed] "
	    "[-w col]\n"
	    "               [--bootstrap n] [--calibration[=bins]] [--ci "
	    "level]\n"
	    "               [--cost-per-contact c --value-per-response v]\n"
	    "               [--csv | --json] [--label col] [--lift[=bins]]\n"
	    "               [--plot [kinds:]file.svg] [--plot-kind kinds]\n"
	    "               [--pos label] [--proba-prefix prefix] "
	    "[--raw-scores]\n"
	    "               [--regression] [--require expr] [--skip-bad]\n"
	    "               [--threshold t] -t col [file]\n"
	    "       am-eval --ranking --truth file [-k k] [--ascending] "
	    "[--item col]\n"
	    "               [--relevance col] [--user col] [file]\n"
	    "       am-eval --segments col [-s seed] [--silhouette-sample n] "
	    "[file]\n");
	exit(AM_EXIT_USAGE);
}

static void
help(void)
{
	(void)printf(
	    "usage: am-eval [-hqv] [-d delim] [-p col[,col ...]] [-s seed] [-w col]\n"
	    "               [--bootstrap n] [--calibration[=bins]] [--ci level]\n"
	    "               [--cost-per-contact c --value-per-response v]\n"
	    "               [--csv | --json] [--label col] [--lift[=bins]]\n"
	    "               [--plot [kinds:]file.svg] [--plot-kind kinds]\n"
	    "               [--pos label] [--proba-prefix prefix] [--raw-scores]\n"
	    "               [--regression] [--require expr] [--skip-bad]\n"
	    "               [--threshold t] -t col [file]\n"
	    "       am-eval --ranking --truth file [-k k] [--ascending] [--item col]\n"
	    "               [--relevance col] [--user col] [file]\n"
	    "       am-eval --segments col [-s seed] [--silhouette-sample n] [file]\n"
	    "\n"
	    "Judge predictions against the truth and print the metrics.\n"
	    "Binary classification: rows, positives, accuracy, precision, recall,\n"
	    "f1, auc, logloss, pr_auc, brier, ks, tp, fp, tn, fn.  Multi-class\n"
	    "(several -p columns, --proba-prefix or --label): accuracy, macro,\n"
	    "micro and weighted precision/recall/f1, auc (one-vs-rest), logloss,\n"
	    "per-class table and confusion matrix.  Regression (--regression, or\n"
	    "a numeric target with more than two values): rmse, mae, r2, mape,\n"
	    "medae, explained_variance.\n"
	    "\n"
	    "  -t, --target COL     column of true labels or values\n"
	    "  -p, --pred COLS      score column (default score), or one probability\n"
	    "                       column per class, comma-separated\n"
	    "      --proba-prefix P the probability columns are P<class>\n"
	    "      --label COL      column of predicted class labels\n"
	    "  -w, --weight COL     column of row weights (>= 0)\n"
	    "  -d, --delimiter C    input delimiter (default: detected)\n"
	    "      --pos LABEL      the positive class (default: the later of\n"
	    "                       two labels in byte order)\n"
	    "      --threshold T    a number (0.5), max-f1, youden, top:P%% or\n"
	    "                       cost:FP,FN (binary)\n"
	    "      --raw-scores     scores are any real numbers (no logloss)\n"
	    "      --regression     judge a numeric prediction of a numeric target\n"
	    "      --lift[=N]       lift, gains and response-rate table of N bins (10)\n"
	    "      --calibration[=N] reliability table of N bins (10) and ece\n"
	    "      --cost-per-contact C, --value-per-response V\n"
	    "                       profit curve and the profit-optimal depth\n"
	    "      --plot [KINDS:]FILE.svg  draw charts into an SVG file (binary;\n"
	    "                       repeatable); KINDS is a list of roc, pr, lift,\n"
	    "                       gains, calibration or all, e.g. roc,lift:a.svg\n"
	    "      --plot-kind KINDS the charts of a --plot without KINDS (all)\n"
	    "      --bootstrap N    percentile intervals from N resamples\n"
	    "      --ci LEVEL       their level (0.95)\n"
	    "  -s, --seed N         seed of the resampling and sampling (1)\n"
	    "      --ranking        judge recommendations (user,item,rank|score)\n"
	    "      --truth FILE     held-out items (user,item[,relevance])\n"
	    "  -k K                 cut-off of the ranking metrics (10)\n"
	    "      --user COL, --item COL, --relevance COL, --ascending\n"
	    "      --segments COL   profile the segments of column COL\n"
	    "      --silhouette-sample N  rows sampled for silhouette (10000)\n"
	    "      --require EXPR   exit 3 unless EXPR holds, e.g. 'auc>=0.8';\n"
	    "                       repeatable; OP is >=, <=, > or <\n"
	    "      --csv            print metric,value rows (or the tables)\n"
	    "      --json           print one JSON object\n"
	    "      --skip-bad       skip rows with a bad cell, count them\n"
	    "  -q, --quiet          no count of skipped rows\n"
	    "  -v, --verbose        report rows and classes on stderr\n"
	    "  -h, --help           this help\n"
	    "      --version        print the version\n"
	    "\n"
	    "Exit status: 0 ok, 1 failure, 2 usage error, 3 a --require failed.\n");
}
