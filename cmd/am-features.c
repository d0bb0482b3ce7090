/*
 * am-features -- turn clean CSV columns into a numeric feature stream:
 * standard scaling and one-hot encoding.  Fitting (-o, or neither -o nor
 * -m) buffers its input (about its size plus 5 bytes per cell); replay
 * (-m) streams with memory bounded by one row.
 */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am_art.h"
#include "am_cli.h"
#include "am_csv.h"
#include "am_dates.h"
#include "am_feat.h"
#include "am_fs.h"
#include "am_io.h"
#include "am_rfm.h"
#include "am_tee.h"

#include "am_banned.h"

enum {
	OPT_DROP = 256,
	OPT_FOLDS,
	OPT_INTERACTION_ONLY,
	OPT_LINE_BUFFERED,
	OPT_MAX_CATS,
	OPT_MIN_FREQ,
	OPT_MODE,
	OPT_PCA,
	OPT_REF_DATE,
	OPT_RFM,
	OPT_RFM_SCORES,
	OPT_SELECT,
	OPT_SMOOTHING,
	OPT_TO,
	OPT_VERSION,
	OPT_WHITEN,
	OPT_RULE = 512, /* + enum am_feat_op */
};

struct opts {
	struct am_feat_opts feat;
	const char *model, *output, *path;
	const char **ids, **drop;
	size_t nid, ndrop;
	struct am_feat_rule *rules;
	struct am_feat_select *select;
	int fitted; /* a fitting option was given */
	struct am_rfm_opts rfm;
	int has_rfm, has_to;
	unsigned long long seed;
	int delim, format, line_buffered, quiet, verbose;
};

static const struct option longopts[] = {
	{ "bin", required_argument, NULL, OPT_RULE + AM_FEAT_BIN },
	{ "clip", required_argument, NULL, OPT_RULE + AM_FEAT_CLIP },
	{ "date", required_argument, NULL, OPT_RULE + AM_FEAT_DATE },
	{ "delimiter", required_argument, NULL, 'd' },
	{ "drop", required_argument, NULL, OPT_DROP },
	{ "folds", required_argument, NULL, OPT_FOLDS },
	{ "freq", required_argument, NULL, OPT_RULE + AM_FEAT_FREQ },
	{ "hash", required_argument, NULL, OPT_RULE + AM_FEAT_HASH },
	{ "help", no_argument, NULL, 'h' },
	{ "id", required_argument, NULL, 'i' },
	{ "interaction-only", no_argument, NULL, OPT_INTERACTION_ONLY },
	{ "line-buffered", no_argument, NULL, OPT_LINE_BUFFERED },
	{ "log1p", required_argument, NULL, OPT_RULE + AM_FEAT_LOG1P },
	{ "max-cats", required_argument, NULL, OPT_MAX_CATS },
	{ "min-freq", required_argument, NULL, OPT_MIN_FREQ },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "model", required_argument, NULL, 'm' },
	{ "onehot", required_argument, NULL, OPT_RULE + AM_FEAT_ONEHOT },
	{ "ordinal", required_argument, NULL, OPT_RULE + AM_FEAT_ORDINAL },
	{ "output", required_argument, NULL, 'o' },
	{ "pca", required_argument, NULL, OPT_PCA },
	{ "poly", required_argument, NULL, OPT_RULE + AM_FEAT_POLY },
	{ "quiet", no_argument, NULL, 'q' },
	{ "ref-date", required_argument, NULL, OPT_REF_DATE },
	{ "rfm", required_argument, NULL, OPT_RFM },
	{ "rfm-scores", no_argument, NULL, OPT_RFM_SCORES },
	{ "scale", required_argument, NULL, OPT_RULE + AM_FEAT_SCALE },
	{ "seed", required_argument, NULL, 's' },
	{ "select", required_argument, NULL, OPT_SELECT },
	{ "smoothing", required_argument, NULL, OPT_SMOOTHING },
	{ "sqrt", required_argument, NULL, OPT_RULE + AM_FEAT_SQRT },
	{ "target", required_argument, NULL, 't' },
	{ "target-enc", required_argument, NULL, OPT_RULE + AM_FEAT_TARGET },
	{ "to", required_argument, NULL, OPT_TO },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "whiten", no_argument, NULL, OPT_WHITEN },
	{ NULL, 0, NULL, 0 },
};

static void usage(void) __attribute__((noreturn));
static void help(void);

/* Append the comma-separated names in 's' to '*v'. */
static void
add_list(const char ***v, size_t *n, char *s)
{
	char *p;

	for (;;) {
		if ((p = strchr(s, ',')) != NULL)
			*p = '\0';
		if (*s == '\0') {
			warnx("empty column name in a list");
			usage();
		}
		if ((*v = realloc(*v, (*n + 1) * sizeof(**v))) == NULL)
			err(AM_EXIT_FAILURE, "out of memory");
		(*v)[(*n)++] = s;
		if (p == NULL)
			return;
		s = p + 1;
	}
}

static void *
grow(void *p, size_t n, size_t size)
{
	if ((p = realloc(p, n * size)) == NULL)
		err(AM_EXIT_FAILURE, "out of memory");
	return p;
}

static void
parse_args(int argc, char *argv[], struct opts *o)
{
	struct am_err e = { 0 };
	long n, secs;
	int ch, mode;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":d:hi:m:o:qs:t:v", longopts,
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
			add_list(&o->ids, &o->nid, optarg);
			break;
		case 'm':
			o->model = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case OPT_MODE:
			if (am_cli_mode(optarg, &mode) != 0)
				usage();
			am_atomic_set_mode(mode);
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
			o->feat.target = optarg;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case OPT_DROP:
			add_list(&o->drop, &o->ndrop, optarg);
			break;
		case OPT_LINE_BUFFERED:
			o->line_buffered = 1;
			break;
		case OPT_MIN_FREQ:
			if (am_parse_long(optarg, 1, 1000000000, &n) != 0) {
				warnx("--min-freq: '%s' is not a count >= 1",
				    optarg);
				usage();
			}
			o->feat.min_freq = (unsigned long)n;
			break;
		case OPT_TO:
			o->has_to = 1;
			if ((o->format = am_fs_format_byname(optarg)) < 0) {
				warnx("--to: '%s' is not csv, bin or libsvm",
				    optarg);
				usage();
			}
			break;
		case OPT_FOLDS:
			if (am_parse_long(optarg, 2, 255, &n) != 0) {
				warnx("--folds: '%s' is not in [2, 255]",
				    optarg);
				usage();
			}
			o->feat.folds = (unsigned)n;
			o->fitted |= 3;
			break;
		case OPT_INTERACTION_ONLY:
			o->feat.interaction_only = 1;
			o->fitted |= 3;
			break;
		case OPT_MAX_CATS:
			if (am_parse_long(optarg, 1, 1000000000, &n) != 0) {
				warnx("--max-cats: '%s' is not a count >= 1",
				    optarg);
				usage();
			}
			o->feat.max_cats = (unsigned long)n;
			o->fitted |= 3;
			break;
		case OPT_PCA:
			if (am_parse_double(optarg, 1e-300, 4096,
			        &o->feat.pca) != 0 ||
			    (o->feat.pca >= 1 &&
			        o->feat.pca != (double)(long)o->feat.pca)) {
				warnx("--pca: '%s' is not a count or a ratio "
				      "in (0, 1)",
				    optarg);
				usage();
			}
			o->fitted |= 3;
			break;
		case OPT_REF_DATE:
			if (am_date_parse(optarg, strlen(optarg),
			        &o->feat.ref_days, &secs) != 0) {
				warnx("--ref-date: '%s' is not a date", optarg);
				usage();
			}
			o->feat.has_ref = 1;
			o->fitted |= 1;
			break;
		case OPT_RFM:
			if (am_rfm_parse(optarg, &o->rfm, &e) != 0) {
				warnx("%s", e.msg);
				usage();
			}
			o->has_rfm = 1;
			break;
		case OPT_RFM_SCORES:
			o->rfm.scores = 1;
			break;
		case OPT_SELECT:
			o->select = grow(o->select, o->feat.nselect + 1,
			    sizeof(*o->select));
			if (am_feat_select_parse(optarg,
			        &o->select[o->feat.nselect], &e) != 0) {
				warnx("%s", e.msg);
				usage();
			}
			o->feat.nselect++;
			o->fitted |= 3;
			break;
		case OPT_SMOOTHING:
			if (am_parse_double(optarg, 0, 1e12,
			        &o->feat.smoothing) != 0) {
				warnx("--smoothing: '%s' is not a number >= 0",
				    optarg);
				usage();
			}
			o->fitted |= 3;
			break;
		case OPT_WHITEN:
			o->feat.whiten = 1;
			o->fitted |= 3;
			break;
		case OPT_VERSION:
			am_print_version(stdout, "am-features");
			exit(am_close_stdout(AM_EXIT_OK));
		default:
			if (ch >= OPT_RULE && ch <= OPT_RULE + AM_FEAT_POLY) {
				o->rules = grow(o->rules, o->feat.nrule + 1,
				    sizeof(*o->rules));
				if (am_feat_rule_parse(ch - OPT_RULE, optarg,
				        &o->rules[o->feat.nrule], &e) != 0) {
					warnx("%s", e.msg);
					usage();
				}
				o->feat.nrule++;
				o->fitted |= 3;
				break;
			}
			am_warn_getopt(ch, optopt, argv[optind - 1]);
			usage();
		}
	}
	if (o->has_rfm &&
	    (o->model || o->output || (o->fitted & 2) || o->feat.target ||
	        o->nid || o->ndrop || (o->has_to && o->format != AM_FS_CSV))) {
		warnx("--rfm takes only --ref-date, --rfm-scores, -d and -v");
		usage();
	}
	if (o->rfm.scores && !o->has_rfm) {
		warnx("--rfm-scores needs --rfm");
		usage();
	}
	o->rfm.has_ref = o->feat.has_ref;
	o->rfm.ref_days = o->feat.ref_days;
	if (o->model != NULL && o->output != NULL) {
		warnx("-m and -o cannot be used together");
		usage();
	}
	if (o->model != NULL &&
	    (o->feat.target || o->nid || o->ndrop || o->feat.min_freq ||
	        o->fitted)) {
		warnx("-t, -i, --drop and the transform options are fitted "
		      "options; -m replays them");
		usage();
	}
	if (argc - optind > 1)
		usage();
	o->path = argc - optind == 1 ? argv[optind] : "-";
	o->feat.ids = o->ids;
	o->feat.nid = o->nid;
	o->feat.drop = o->drop;
	o->feat.ndrop = o->ndrop;
	o->feat.rules = o->rules;
	o->feat.select = o->select;
	o->feat.seed = o->seed;
}

/* -v after a fit: sizes, selection scores, PCA variances. */
static void
report(const struct am_feat *f)
{
	const double *v, *r;
	double cum = 0;
	size_t i, n;

	warnx("%llu rows, %zu columns in, %zu features out", am_feat_rows(f),
	    am_feat_ncols(f), am_feat_schema(f)->nfeat);
	n = am_feat_scores(f, &v);
	for (i = 0; i < n; i++)
		warnx("score %s %.17g", am_feat_cand_name(f, i), v[i]);
	n = am_feat_pca(f, &v, &r);
	for (i = 0; i < n; i++) {
		cum += r[i];
		warnx("pca%zu variance %.17g ratio %.17g cumulative %.17g",
		    i + 1, v[i], r[i], cum);
	}
}

/*
 * Save the fitted transform 'f' with its lineage to o->output: the input
 * read, and the output written, whose digest is 'osha'.
 */
static int
save(const struct am_feat *f, struct am_src *src, const char *osha,
    const struct opts *o, int argc, char *argv[], struct am_err *e)
{
	struct am_art *a;
	char sha[65], *cmd = am_cmdline(argc, argv);
	int rc = AM_ENOMEM;

	am_src_sha256(src, sha);
	if ((a = am_art_new(AM_FEAT_KIND, AM_FEAT_ALGO)) != NULL &&
	    cmd != NULL &&
	    am_art_lineage(a, cmd, am_src_name(src), sha, am_feat_rows(f),
	        o->seed) == 0 &&
	    am_art_set(a, "lineage.output.sha256", osha) == 0 &&
	    am_art_setf(a, "lineage.output.rows", "%llu", am_feat_rows(f)) ==
	        0 &&
	    am_feat_save(f, a) == 0)
		rc = am_art_save(a, o->output, e);
	else
		am_seterr(e, AM_ENOMEM, "out of memory");
	free(cmd);
	am_art_free(a);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct opts o = { .feat = AM_FEAT_OPTS_INIT, .format = AM_FS_CSV };
	struct am_csv_opts copts = { 0 };
	struct am_feat_out out = { stdout, AM_FS_CSV, 0 };
	struct am_src *src = NULL;
	struct am_csv_reader *in = NULL;
	struct am_feat *f = NULL;
	struct am_art *art = NULL;
	struct am_tee *tee = NULL;
	struct am_err e = { 0 };
	const unsigned char *p;
	char osha[65];
	size_t n;
	int rc, status = AM_EXIT_FAILURE;

	am_cli_init();
	parse_args(argc, argv, &o);
	out.format = o.format;
	out.line_buffered = o.line_buffered;
	copts.delim = o.delim;
	if (o.model != NULL &&
	    ((art = am_art_load(o.model, AM_FEAT_KIND, &e)) == NULL ||
	        (f = am_feat_load(art, o.model, &e)) == NULL))
		goto out;
	if ((src = am_src_open(o.path, &e)) == NULL)
		goto out;
	am_src_hash(src);
	if (am_src_peek(src, AM_FS_MAGIC_LEN, &p, &n, &e) != 0)
		goto out;
	if (am_fs_is_bin(p, n)) {
		am_seterr(&e, AM_EFORMAT,
		    "%s: input is a binary feature stream (am-features reads "
		    "CSV)",
		    am_src_name(src));
		goto out;
	}
	if ((in = am_csv_open(src, &copts, &e)) == NULL)
		goto out;
	if (o.has_rfm) {
		struct am_rfm_stats st;
		if (am_rfm_run(in, &o.rfm, stdout, &st, &e) != 0)
			goto out;
		if (o.verbose)
			warnx("%llu rows, %llu customers, skipped %llu without "
			      "a customer and %llu with amount < 0",
			    st.rows, st.customers, st.skipped_customer,
			    st.skipped_amount);
	} else if (o.model != NULL) {
		if (am_feat_apply(f, in, &out, &e) != 0)
			goto out;
		if (o.verbose)
			warnx("%llu rows, %zu features, %llu unseen category "
			      "values",
			    am_feat_rows(f), am_feat_schema(f)->nfeat,
			    am_feat_unseen(f));
	} else {
		if ((f = am_feat_fit(in, &o.feat, &e)) == NULL)
			goto out;
		/* -o: hash the output, then save once it is all written */
		if (o.output != NULL) {
			if ((tee = am_tee_open(stdout, &e)) == NULL)
				goto out;
			out.fp = am_tee_fp(tee);
		}
		if (am_feat_write_fitted(f, &out, &e) != 0)
			goto out;
		if (o.output != NULL) {
			rc = am_tee_close(tee, osha, NULL, &e);
			tee = NULL;
			if (rc != 0 ||
			    save(f, src, osha, &o, argc, argv, &e) != 0)
				goto out;
		}
		if (o.verbose)
			report(f);
	}
	status = AM_EXIT_OK;
out:
	/* a write error on stdout is reported once, by am_close_stdout() */
	if (e.code != AM_OK && !(e.code == AM_EIO && ferror(stdout)))
		warnx("%s", e.msg);
	(void)am_tee_close(tee, NULL, NULL, NULL);
	am_csv_close(in);
	am_src_close(src);
	am_feat_free(f);
	am_art_free(art);
	free(o.ids);
	free(o.drop);
	for (n = 0; n < o.feat.nrule; n++)
		am_feat_rule_release(&o.rules[n]);
	free(o.rules);
	free(o.select);
	return am_close_stdout(status);
}

static void
usage(void)
{
	(void)fprintf(stderr,
	    "usage: am-features [-hqv] [-d delim] [-i col] [-m file | -o "
	    "file] [-s seed]\n"
	    "                   [-t col] [--bin spec] [--clip spec] [--date "
	    "spec]\n"
	    "                   [--drop cols] [--folds n] [--freq cols] "
	    "[--hash spec]\n"
	    "                   [--interaction-only] [--line-buffered] "
	    "[--log1p cols]\n"
	    "                   [--max-cats n] [--min-freq n] [--onehot cols] "
	    "[--ordinal cols]\n"
	    "                   [--pca n] [--poly spec] [--ref-date date] "
	    "[--rfm spec]\n"
	    "                   [--rfm-scores] [--scale spec] [--select spec] "
	    "[--smoothing m]\n"
	    "                   [--sqrt cols] [--target-enc cols] [--to "
	    "format] [--whiten]\n"
	    "                   [--mode mode] [file]\n");
	exit(AM_EXIT_USAGE);
}

static void
help(void)
{
	(void)printf(
	    "usage: am-features [-hqv] [-d delim] [-i col] [-m file | -o file] [-s seed]\n"
	    "                   [-t col] [--bin spec] [--clip spec] [--date spec]\n"
	    "                   [--drop cols] [--folds n] [--freq cols] [--hash spec]\n"
	    "                   [--interaction-only] [--line-buffered] [--log1p cols]\n"
	    "                   [--max-cats n] [--min-freq n] [--onehot cols] [--ordinal cols]\n"
	    "                   [--pca n] [--poly spec] [--ref-date date] [--rfm spec]\n"
	    "                   [--rfm-scores] [--scale spec] [--select spec] [--smoothing m]\n"
	    "                   [--sqrt cols] [--target-enc cols] [--to format] [--whiten]\n"
	    "                   [--mode mode] [file]\n"
	    "\n"
	    "Turn clean CSV columns into numeric features.  By default numeric columns\n"
	    "are standardised ((x - mean) / std) and other columns one-hot encoded\n"
	    "('col=level').  Fit with -o (saves the transform), replay with -m.\n"
	    "COLS is a comma list of columns; rules without COLS apply to every\n"
	    "column they fit.\n"
	    "\n"
	    "  -o, --output FILE    fit on the input, save the transform to FILE\n"
	    "      --mode MODE      octal mode of FILE (default 0666 less umask)\n"
	    "  -m, --model FILE     replay the transform saved in FILE\n"
	    "  -t, --target COL     target column, carried through (fit)\n"
	    "  -i, --id COL[,COL]   id columns carried as text; repeatable (fit)\n"
	    "      --drop COL[,COL] leave these columns out; repeatable (fit)\n"
	    "Numeric columns (fit; clip, then log1p or sqrt, then scale or bin):\n"
	    "      --scale METHOD[:COLS]  standard, minmax, robust, maxabs or none\n"
	    "      --log1p COLS     log(1 + x)\n"
	    "      --sqrt COLS      sqrt(x)\n"
	    "      --clip LO:HI[:COLS]    clamp to [LO, HI]\n"
	    "      --bin uniform:K[:onehot][:COLS], quantile:K[...], edges:E1/E2/...[...]\n"
	    "                       bin numbers (ordinal) or one feature per bin\n"
	    "Categorical columns (fit):\n"
	    "      --onehot COLS    one feature per level (the default)\n"
	    "      --ordinal COLS   level's rank in byte order, from 1\n"
	    "      --freq COLS      level's share of the fitted rows\n"
	    "      --target-enc COLS  smoothed target mean, out-of-fold when fitting\n"
	    "      --smoothing M    prior weight of target encoding (default 10)\n"
	    "      --folds K        folds of target encoding (default 5; seeded by -s)\n"
	    "      --hash BITS[:COLS]   hashing trick into hash0 .. hash(2^BITS-1)\n"
	    "      --min-freq N     levels seen fewer than N times share 'col=_other_'\n"
	    "      --max-cats N     keep the N most frequent levels, others '_other_'\n"
	    "Dates, terms, selection, PCA (fit):\n"
	    "      --date [PARTS:]COLS  year+month+dow+hour+days (default all)\n"
	    "      --ref-date DATE  'days' counts back from DATE (default: latest)\n"
	    "      --poly DEGREE[:COLS] products of degree 2 or 3 ('age^2', 'a*b')\n"
	    "      --interaction-only   no powers in --poly\n"
	    "      --select var:T | mi:K | chi2:K | f:K | corr:K   keep features\n"
	    "      --pca N          N principal components, or a variance ratio < 1\n"
	    "      --whiten         scale components to unit variance\n"
	    "Transactions:\n"
	    "      --rfm CUST,DATE,AMOUNT[,ORDER]  one row per customer: recency,\n"
	    "                       frequency, monetary, tenure (AMOUNT may be Q*P)\n"
	    "      --rfm-scores     add 1-5 quantile scores r, f, m and the cell\n"
	    "Output and the rest:\n"
	    "      --to FORMAT      output csv (default), bin or libsvm\n"
	    "  -d, --delimiter C    input delimiter (default: detected)\n"
	    "      --line-buffered  flush the output after every row\n"
	    "  -s, --seed N         seed of the target-encoding folds\n"
	    "  -q, --quiet          no warnings\n"
	    "  -v, --verbose        report rows, features, unseen values, PCA\n"
	    "  -h, --help           this help\n"
	    "      --version        print the version\n"
	    "\n"
	    "Exit status: 0 ok, 1 failure, 2 usage error.\n");
}
