/*
 * am-clean -- profile a CSV table and clean it: pass-through (dialect
 * normalised to ','), type inference, a --report profile, missing-value
 * imputation fitted with -o and replayed with -m, seeded --split.
 * Streams, except a fit (-o), which holds the training rows in memory.
 */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "am_art.h"
#include "am_clean.h"
#include "am_cli.h"
#include "am_csv.h"
#include "am_fs.h"
#include "am_io.h"
#include "am_rand.h"
#include "am_tee.h"

#include "am_banned.h"

#define DEFAULT_MISSING "NA,NaN,null,?"

enum {
	OPT_IMPUTE = 256,
	OPT_IMPUTE_DEFAULT,
	OPT_LINE_BUFFERED,
	OPT_MISSING,
	OPT_REPORT,
	OPT_SKIP_BAD,
	OPT_SPLIT,
	OPT_TEST,
	OPT_TYPES,
	OPT_VERSION,
	/* issue 4 */
	OPT_ALLOW,
	OPT_COLLAPSE,
	OPT_DEDUPE,
	OPT_DEDUPE_KEY,
	OPT_DROP_MISSING,
	OPT_FFILL,
	OPT_FFILL_BY,
	OPT_INDICATOR,
	OPT_KEEP,
	OPT_LOWER,
	OPT_NORMALISE,
	OPT_OUTLIER_ACTION,
	OPT_OUTLIERS,
	OPT_RANGE,
	OPT_REJECTS,
	OPT_REQUIRE_COLS,
	OPT_SAMPLE,
	OPT_STRICT,
	OPT_TRIM,
	OPT_SPLIT_BY,
	OPT_SPLIT_TIME,
	OPT_MODE,
	OPT_DROP_MISSING_COLS,
	OPT_UNSEEN,
};

struct opts {
	struct am_clean_opts c;
	const char *model, *out, *report, *test, *missing;
	int delim, quiet, verbose, skip_bad, fitdefault, split;
	const char *rejects;
	int keep;
	unsigned long long seed;
};

static const struct option longopts[] = {
	{ "delimiter", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ "impute", required_argument, NULL, OPT_IMPUTE },
	{ "impute-default", required_argument, NULL, OPT_IMPUTE_DEFAULT },
	{ "line-buffered", no_argument, NULL, OPT_LINE_BUFFERED },
	{ "missing", required_argument, NULL, OPT_MISSING },
	{ "model", required_argument, NULL, 'm' },
	{ "output", required_argument, NULL, 'o' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "report", required_argument, NULL, OPT_REPORT },
	{ "seed", required_argument, NULL, 's' },
	{ "skip-bad", no_argument, NULL, OPT_SKIP_BAD },
	{ "split", required_argument, NULL, OPT_SPLIT },
	{ "target", required_argument, NULL, 't' },
	{ "test", required_argument, NULL, OPT_TEST },
	{ "types", required_argument, NULL, OPT_TYPES },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "allow", required_argument, NULL, OPT_ALLOW },
	{ "collapse", no_argument, NULL, OPT_COLLAPSE },
	{ "dedupe", no_argument, NULL, OPT_DEDUPE },
	{ "dedupe-key", required_argument, NULL, OPT_DEDUPE_KEY },
	{ "drop-missing", required_argument, NULL, OPT_DROP_MISSING },
	{ "drop-missing-cols", required_argument, NULL, OPT_DROP_MISSING_COLS },
	{ "unseen", required_argument, NULL, OPT_UNSEEN },
	{ "ffill", required_argument, NULL, OPT_FFILL },
	{ "ffill-by", required_argument, NULL, OPT_FFILL_BY },
	{ "indicator", required_argument, NULL, OPT_INDICATOR },
	{ "keep", required_argument, NULL, OPT_KEEP },
	{ "lower", no_argument, NULL, OPT_LOWER },
	{ "normalise", no_argument, NULL, OPT_NORMALISE },
	{ "outlier-action", required_argument, NULL, OPT_OUTLIER_ACTION },
	{ "outliers", required_argument, NULL, OPT_OUTLIERS },
	{ "range", required_argument, NULL, OPT_RANGE },
	{ "rejects", required_argument, NULL, OPT_REJECTS },
	{ "require-cols", required_argument, NULL, OPT_REQUIRE_COLS },
	{ "sample", required_argument, NULL, OPT_SAMPLE },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "trim", no_argument, NULL, OPT_TRIM },
	{ "split-by", required_argument, NULL, OPT_SPLIT_BY },
	{ "split-time", required_argument, NULL, OPT_SPLIT_TIME },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ NULL, 0, NULL, 0 },
};

static void usage(void) __attribute__((noreturn));

static void
help(void)
{
	(void)printf(
	    "usage: am-clean [-hqv] [-d delim] [-m file] [-o file] [-s seed] "
	    "[-t col]\n"
	    "                [--impute spec] [--impute-default method]\n"
	    "                [--line-buffered] [--missing tokens] "
	    "[--report file]\n"
	    "                [--skip-bad] [--split fraction --test file]\n"
	    "                [--types spec] [--strict] [--range spec] "
	    "[--allow spec]\n"
	    "                [--require-cols cols] [--rejects file] "
	    "[--dedupe]\n"
	    "                [--dedupe-key cols] [--keep first|last] "
	    "[--trim]\n"
	    "                [--collapse] [--lower] [--normalise] "
	    "[--drop-missing cols]\n"
	    "                [--drop-missing-cols ratio] [--indicator cols] "
	    "[--ffill cols]\n"
	    "                [--ffill-by col] [--outliers spec] "
	    "[--outlier-action action]\n"
	    "                [--sample n|fraction] [--split-by col] "
	    "[--split-time col]\n"
	    "                [--unseen action] [--mode mode] [file]\n"
	    "\n"
	    "Read a CSV table (file or stdin) and write it cleaned as ',' CSV.\n"
	    "\n"
	    "  -d, --delimiter C     input delimiter (default: detected among "
	    ", ; tab |)\n"
	    "  -h, --help            this help\n"
	    "  -m, --model FILE      replay the imputation of a clean "
	    "artifact\n"
	    "  -o, --output FILE     fit types and imputation; save the "
	    "artifact\n"
	    "      --mode MODE       octal mode of the files written (default "
	    "0666 less umask)\n"
	    "  -q, --quiet           no counts of skipped or dropped rows\n"
	    "  -s, --seed N          seed of --split (default 1)\n"
	    "  -t, --target COL      never impute COL; drop rows missing it\n"
	    "  -v, --verbose         counts on stderr\n"
	    "  --impute COL=M,...    per column: mean, median, mode, "
	    "const:VALUE, none\n"
	    "  --impute-default M    other columns: auto (default), mean, "
	    "median, mode, none\n"
	    "  --line-buffered       flush after every record\n"
	    "  --missing T,...       missing-value tokens (default "
	    "NA,NaN,null,?)\n"
	    "  --report FILE         write a profile (text; JSON if "
	    "FILE ends in .json; - = stdout)\n"
	    "  --skip-bad            drop rows of the wrong width, count them\n"
	    "  --split F --test FILE rows go to stdout with probability F, "
	    "else to FILE\n"
	    "  --types COL=TYPE,...  force types: number, integer, boolean, "
	    "category, text, date,\n"
	    "                        date:FORMAT (%%Y %%m %%d %%H %%M %%S; "
	    "rewritten ISO 8601)\n"
	    "  --strict              a cell not of its column's type or not "
	    "UTF-8 is an error\n"
	    "  --range COL=MIN:MAX,... rows outside are invalid (either "
	    "bound may be empty)\n"
	    "  --allow COL=A|B|C,... rows with another value are invalid\n"
	    "  --require-cols COLS   these columns must exist and be present "
	    "in every row\n"
	    "  --rejects FILE        write invalid rows there with a reason "
	    "column\n"
	    "  --dedupe              drop exact duplicate rows\n"
	    "  --dedupe-key COLS     drop rows whose COLS were seen before\n"
	    "  --keep first|last     which duplicate to keep (default "
	    "first)\n"
	    "  --trim, --collapse    strip outer / collapse inner white "
	    "space\n"
	    "  --lower               case-fold cells that are not numbers or "
	    "dates\n"
	    "  --normalise           --trim --collapse --lower\n"
	    "  --drop-missing COLS   drop rows missing a value in COLS (* = "
	    "any column)\n"
	    "  --drop-missing-cols R drop columns missing in more than R of "
	    "the rows (fitted)\n"
	    "  --indicator COLS      add COL_missing (1 if missing as read)\n"
	    "  --unseen A            replay: a category the fit did not see: "
	    "keep (default),\n"
	    "                        missing (then imputed) or reject\n"
	    "  --ffill COLS          forward fill missing cells of COLS\n"
	    "  --ffill-by COL        ... within groups of equal COL\n"
	    "  --outliers COL=M[:K],... z (K=3), iqr (1.5) or mad (3.5) "
	    "bounds, fitted\n"
	    "  --outlier-action A    flag (COL_outlier, default), clip or "
	    "drop\n"
	    "  --sample N|F          keep N rows (reservoir) or a fraction F "
	    "(seeded)\n"
	    "  --split-by COL        --split stratified by COL (same share "
	    "of each value)\n"
	    "  --split-time COL      --split by time: the test part is "
	    "later than train\n"
	    "  --version             print the version\n");
}

static void
usage(void)
{
	(void)fprintf(stderr,
	    "usage: am-clean [-hqv] [-d delim] [-m file] [-o file] [-s seed] "
	    "[-t col]\n"
	    "                [--impute spec] [--impute-default method]\n"
	    "                [--line-buffered] [--missing tokens] "
	    "[--report file]\n"
	    "                [--skip-bad] [--split fraction --test file]\n"
	    "                [--types spec] [--strict] [--range spec] "
	    "[--allow spec]\n"
	    "                [--require-cols cols] [--rejects file] "
	    "[--dedupe]\n"
	    "                [--dedupe-key cols] [--keep first|last] "
	    "[--trim]\n"
	    "                [--collapse] [--lower] [--normalise] "
	    "[--drop-missing cols]\n"
	    "                [--drop-missing-cols ratio] [--indicator cols] "
	    "[--ffill cols]\n"
	    "                [--ffill-by col] [--outliers spec] "
	    "[--outlier-action action]\n"
	    "                [--sample n|fraction] [--split-by col] "
	    "[--split-time col]\n"
	    "                [--unseen action] [--mode mode] [file]\n");
	exit(AM_EXIT_USAGE);
}

static void
parse_args(int argc, char *argv[], struct opts *o, const char **path)
{
	struct am_err e = { 0 };
	int ch, mode;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":d:hm:o:qs:t:v", longopts,
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
		case 'm':
			o->model = optarg;
			break;
		case 'o':
			o->out = optarg;
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
				warnx("-s: '%s' is not a seed (0 to 2^64-1)",
				    optarg);
				usage();
			}
			break;
		case 't':
			o->c.target = optarg;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case OPT_IMPUTE:
			o->c.impute = optarg;
			break;
		case OPT_IMPUTE_DEFAULT:
			if ((o->c.impute_default = am_impute_byname(optarg)) <
			    0) {
				warnx("--impute-default: unknown method '%s' "
				      "(auto, mean, median, mode, none)",
				    optarg);
				usage();
			}
			o->fitdefault = 1;
			break;
		case OPT_LINE_BUFFERED:
			o->c.line_buffered = 1;
			break;
		case OPT_MISSING:
			o->missing = optarg;
			break;
		case OPT_REPORT:
			o->report = optarg;
			break;
		case OPT_SKIP_BAD:
			o->skip_bad = 1;
			break;
		case OPT_SPLIT:
			if (am_parse_double(optarg, 0.0, 1.0, &o->c.split) !=
			    0) {
				warnx("--split: '%s' is not a fraction in "
				      "[0, 1]",
				    optarg);
				usage();
			}
			o->split = 1;
			break;
		case OPT_TEST:
			o->test = optarg;
			break;
		case OPT_TYPES:
			o->c.types = optarg;
			break;
		case OPT_VERSION:
			am_print_version(stdout, "am-clean");
			exit(am_close_stdout(AM_EXIT_OK));
		case OPT_ALLOW:
			o->c.allow = optarg;
			break;
		case OPT_COLLAPSE:
			o->c.norm |= AM_NORM_COLLAPSE;
			break;
		case OPT_DEDUPE:
			o->c.dedupe = 1;
			break;
		case OPT_DEDUPE_KEY:
			o->c.dedupe = 2;
			o->c.dedupe_key = optarg;
			break;
		case OPT_DROP_MISSING:
			o->c.drop_missing = optarg;
			break;
		case OPT_DROP_MISSING_COLS:
			if (am_parse_double(optarg, 0.0, 1.0,
			        &o->c.drop_cols_ratio) != 0) {
				warnx("--drop-missing-cols: '%s' is not a "
				      "fraction in [0, 1]",
				    optarg);
				usage();
			}
			o->c.drop_cols = 1;
			break;
		case OPT_UNSEEN:
			if (strcmp(optarg, "keep") == 0)
				o->c.unseen = AM_UNSEEN_KEEP;
			else if (strcmp(optarg, "missing") == 0)
				o->c.unseen = AM_UNSEEN_MISSING;
			else if (strcmp(optarg, "reject") == 0)
				o->c.unseen = AM_UNSEEN_REJECT;
			else {
				warnx("--unseen: '%s' is not keep, missing or "
				      "reject",
				    optarg);
				usage();
			}
			break;
		case OPT_FFILL:
			o->c.ffill = optarg;
			break;
		case OPT_FFILL_BY:
			o->c.ffill_by = optarg;
			break;
		case OPT_INDICATOR:
			o->c.indicator = optarg;
			break;
		case OPT_KEEP:
			if (strcmp(optarg, "first") != 0 &&
			    strcmp(optarg, "last") != 0) {
				warnx("--keep: '%s' is not first or last",
				    optarg);
				usage();
			}
			o->c.keep_last = strcmp(optarg, "last") == 0;
			o->keep = 1;
			break;
		case OPT_LOWER:
			o->c.norm |= AM_NORM_LOWER;
			break;
		case OPT_NORMALISE:
			o->c.norm |=
			    AM_NORM_TRIM | AM_NORM_COLLAPSE | AM_NORM_LOWER;
			break;
		case OPT_OUTLIER_ACTION:
			if (strcmp(optarg, "flag") == 0)
				o->c.outlier_action = AM_OUT_FLAG;
			else if (strcmp(optarg, "clip") == 0)
				o->c.outlier_action = AM_OUT_CLIP;
			else if (strcmp(optarg, "drop") == 0)
				o->c.outlier_action = AM_OUT_DROP;
			else {
				warnx("--outlier-action: '%s' is not flag, "
				      "clip or drop",
				    optarg);
				usage();
			}
			break;
		case OPT_OUTLIERS:
			o->c.outliers = optarg;
			break;
		case OPT_RANGE:
			o->c.range = optarg;
			break;
		case OPT_REJECTS:
			o->rejects = optarg;
			break;
		case OPT_REQUIRE_COLS:
			o->c.require = optarg;
			break;
		case OPT_SAMPLE:
			if (am_parse_double(optarg, 0.0, 1e12, &o->c.sample) !=
			        0 ||
			    !(o->c.sample > 0) ||
			    (o->c.sample >= 1 &&
			        o->c.sample !=
			            (double)(long long)o->c.sample)) {
				warnx("--sample: '%s' is not a row count or a "
				      "fraction in (0, 1)",
				    optarg);
				usage();
			}
			break;
		case OPT_STRICT:
			o->c.strict = 1;
			break;
		case OPT_TRIM:
			o->c.norm |= AM_NORM_TRIM;
			break;
		case OPT_SPLIT_BY:
			o->c.split_by = optarg;
			break;
		case OPT_SPLIT_TIME:
			o->c.split_time = optarg;
			break;
		default: /* ':' a missing argument, '?' unknown */
			am_warn_getopt(ch, optopt, argv[optind - 1]);
			usage();
		}
	}
	if ((o->test != NULL) != o->split) {
		warnx("--split and --test go together");
		usage();
	}
	if (o->model != NULL &&
	    (o->out != NULL || o->c.impute != NULL || o->c.types != NULL ||
	        o->fitdefault)) {
		warnx("-m replays an artifact; it takes no -o, --impute, "
		      "--impute-default or --types");
		usage();
	}
	if ((o->c.split_by != NULL || o->c.split_time != NULL) && !o->split) {
		warnx("--split-by and --split-time go with --split");
		usage();
	}
	if (o->c.split_by != NULL && o->c.split_time != NULL) {
		warnx("--split-by and --split-time do not go together");
		usage();
	}
	if (o->keep && !o->c.dedupe) {
		warnx("--keep goes with --dedupe or --dedupe-key");
		usage();
	}
	if (o->c.keep_last && o->c.sample >= 1) {
		warnx("--keep last and --sample N do not go together");
		usage();
	}
	if (o->model != NULL && o->c.outliers != NULL) {
		warnx("-m replays the artifact's outlier bounds; it takes no "
		      "--outliers");
		usage();
	}
	if (o->model != NULL && o->c.drop_cols) {
		warnx("-m replays the artifact's dropped columns; it takes no "
		      "--drop-missing-cols");
		usage();
	}
	if (o->c.ffill_by != NULL && o->c.ffill == NULL && o->model == NULL) {
		warnx("--ffill-by goes with --ffill");
		usage();
	}
	if (am_clean_check_opts(&o->c, &e) != 0) {
		warnx("%s", e.msg);
		usage();
	}
	if (argc - optind > 1)
		usage();
	*path = argc - optind == 1 ? argv[optind] : "-";
}

/* Split "a,b,c" into a NULL-terminated array in 'buf' (modified). */
static const char **
split_tokens(char *buf)
{
	const char **v;
	size_t n = 1, i = 0;
	char *p;

	for (p = buf; *p != '\0'; p++)
		n += *p == ',';
	if ((v = calloc(n + 1, sizeof(*v))) == NULL)
		return NULL;
	if (*buf == '\0')
		return v;
	v[i++] = buf;
	for (p = buf; *p != '\0'; p++)
		if (*p == ',') {
			*p = '\0';
			v[i++] = p + 1;
		}
	return v;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int
save(struct am_art *a, const struct opts *o, int argc, char *argv[],
    const char *path, struct am_src *src, const struct am_clean_stats *st,
    const char *osha, struct am_err *e)
{
	char sha[65], *cmd = am_cmdline(argc, argv);
	int rc;

	if (cmd == NULL)
		return am_seterr(e, AM_ENOMEM, "out of memory");
	am_src_sha256(src, sha);
	/* rows read, whatever was dropped: the rows written are output.rows */
	rc = am_art_lineage(a, cmd, path, sha, st->rows, o->seed);
	free(cmd);
	if (rc == 0 && *osha != '\0') /* the data written to stdout */
		rc = am_art_set(a, "lineage.output.sha256", osha) |
		    am_art_setf(a, "lineage.output.rows", "%llu", st->out);
	if (rc == 0)
		rc = am_art_set(a, "hyper.missing",
		    o->missing != NULL ? o->missing : DEFAULT_MISSING);
	if (rc != 0)
		return am_seterr(e, AM_ENOMEM, "out of memory");
	return am_art_save(a, o->out, e);
}

int
main(int argc, char *argv[])
{
	struct opts o = { AM_CLEAN_OPTS_INIT, NULL, NULL, NULL, NULL, NULL, 0,
		0, 0, 0, 0, 0, NULL, 0, AM_DEFAULT_SEED };
	struct am_clean_io io = { NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL };
	struct am_csv_opts co = { 0, 0, NULL };
	struct am_clean_stats st = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	struct am_atomic *test = NULL, *rep = NULL, *rej = NULL;
	struct am_art *model = NULL, *fitted = NULL;
	struct am_csv_reader *r = NULL;
	struct am_src *src = NULL;
	struct am_tee *tee = NULL;
	struct am_err e = { 0 };
	const unsigned char *head;
	const char *path, **tokens = NULL;
	char *missing = NULL, osha[65] = "";
	size_t n;
	int status = AM_EXIT_FAILURE;

	am_cli_init();
	parse_args(argc, argv, &o, &path);
	o.c.seed = o.seed;
	if (o.model != NULL &&
	    (model = am_art_load(o.model, "clean", &e)) == NULL)
		goto out;
	if (o.missing == NULL && model != NULL)
		o.missing = am_art_get(model, "hyper.missing");
	if (o.missing != NULL) {
		if ((missing = strdup(o.missing)) == NULL ||
		    (tokens = split_tokens(missing)) == NULL) {
			am_seterr(&e, AM_ENOMEM, "out of memory");
			goto out;
		}
		co.missing = tokens;
	}
	co.delim = o.delim;
	co.flags = o.skip_bad ? AM_CSV_SKIP_BAD : 0;
	if ((src = am_src_open(path, &e)) == NULL)
		goto out;
	if (o.out != NULL)
		am_src_hash(src);
	if (am_src_peek(src, AM_FS_MAGIC_LEN, &head, &n, &e) != 0)
		goto out;
	if (am_fs_is_bin(head, n)) {
		am_seterr(&e, AM_EFORMAT,
		    "%s: is a binary feature stream; am-clean reads CSV",
		    am_src_name(src));
		goto out;
	}
	if ((r = am_csv_open(src, &co, &e)) == NULL)
		goto out;
	(void)setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	io.out = stdout;
	if (o.report != NULL && strcmp(o.report, "-") == 0) {
		io.report = stdout;
		io.out = NULL;
	} else if (o.report != NULL) {
		if ((rep = am_atomic_open(o.report, &e)) == NULL)
			goto out;
		io.report = am_atomic_fp(rep);
	}
	io.report_json = o.report != NULL && ends_with(o.report, ".json");
	if (o.test != NULL) {
		if ((test = am_atomic_open(o.test, &e)) == NULL)
			goto out;
		io.test = am_atomic_fp(test);
	}
	if (o.rejects != NULL) {
		if ((rej = am_atomic_open(o.rejects, &e)) == NULL)
			goto out;
		io.rejects = am_atomic_fp(rej);
	}
	if (o.out != NULL && io.out != NULL) { /* hash what -o's fit wrote */
		if ((tee = am_tee_open(stdout, &e)) == NULL)
			goto out;
		io.out = am_tee_fp(tee);
	}
	io.fit = o.out != NULL ? &fitted : NULL;
	io.model = model;
	io.model_name = o.model;
	if (am_clean_run(r, &o.c, &io, &st, &e) != 0)
		goto out;
	if (tee != NULL && am_tee_close(tee, osha, NULL, &e) != 0) {
		tee = NULL;
		goto out;
	}
	tee = NULL;
	if (fitted != NULL &&
	    save(fitted, &o, argc, argv, path, src, &st, osha, &e) != 0)
		goto out;
	if (test != NULL && am_atomic_commit(test, &e) != 0) {
		test = NULL;
		goto out;
	}
	test = NULL;
	if (rep != NULL && am_atomic_commit(rep, &e) != 0) {
		rep = NULL;
		goto out;
	}
	rep = NULL;
	if (rej != NULL && am_atomic_commit(rej, &e) != 0) {
		rej = NULL;
		goto out;
	}
	rej = NULL;
	status = AM_EXIT_OK;
out:
	if (status == AM_EXIT_OK && !o.quiet && st.skipped > 0)
		warnx("%s: %lu rows of the wrong width skipped",
		    r != NULL ? am_csv_name(r) : path, st.skipped);
	if (status == AM_EXIT_OK && !o.quiet && st.dropped > 0)
		warnx("%s: %llu rows without '%s' dropped",
		    r != NULL ? am_csv_name(r) : path, st.dropped,
		    o.c.target != NULL ? o.c.target
		                       : am_art_get(model, "hyper.target"));
	if (status == AM_EXIT_OK && !o.quiet && st.rejected > 0)
		warnx("%s: %llu invalid rows dropped%s",
		    r != NULL ? am_csv_name(r) : path, st.rejected,
		    o.rejects != NULL ? " (written to --rejects)" : "");
	if (status == AM_EXIT_OK && !o.quiet && st.unseen > 0)
		warnx("%s: %llu cells of categories the fit did not see",
		    r != NULL ? am_csv_name(r) : path, st.unseen);
	if (status == AM_EXIT_OK && !o.quiet && st.badtype > 0)
		warnx("%s: %llu cells not of their column's type made missing",
		    r != NULL ? am_csv_name(r) : path, st.badtype);
	if (o.verbose && status == AM_EXIT_OK)
		warnx("%llu rows read, %llu written, %llu to test, %llu cells "
		      "imputed, %llu duplicates removed, %llu outliers, %llu "
		      "left out by --sample",
		    st.rows, st.out, st.test, st.imputed, st.dups, st.outliers,
		    st.sampled);
	am_atomic_abort(rej);
	am_atomic_abort(test);
	am_atomic_abort(rep);
	am_csv_close(r);
	am_src_close(src);
	am_art_free(model);
	am_art_free(fitted);
	free(tokens);
	free(missing);
	if (status != AM_EXIT_OK) {
		warnx("%s", e.msg);
		(void)fflush(stderr);
		/* Exit without flushing: output not yet written is dropped. */
		_exit(e.code != 0 ? am_exit_status(e.code) : AM_EXIT_FAILURE);
	}
	return am_close_stdout(status);
}
