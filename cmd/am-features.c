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
#include "am_feat.h"
#include "am_fs.h"
#include "am_io.h"

#include "am_banned.h"

enum {
	OPT_DROP = 256,
	OPT_LINE_BUFFERED,
	OPT_MIN_FREQ,
	OPT_TO,
	OPT_VERSION,
};

struct opts {
	struct am_feat_opts feat;
	const char *model, *output, *path;
	const char **ids, **drop;
	size_t nid, ndrop;
	unsigned long long seed;
	int delim, format, line_buffered, quiet, verbose;
};

static const struct option longopts[] = {
	{ "delimiter", required_argument, NULL, 'd' },
	{ "drop", required_argument, NULL, OPT_DROP },
	{ "help", no_argument, NULL, 'h' },
	{ "id", required_argument, NULL, 'i' },
	{ "line-buffered", no_argument, NULL, OPT_LINE_BUFFERED },
	{ "min-freq", required_argument, NULL, OPT_MIN_FREQ },
	{ "model", required_argument, NULL, 'm' },
	{ "output", required_argument, NULL, 'o' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "seed", required_argument, NULL, 's' },
	{ "target", required_argument, NULL, 't' },
	{ "to", required_argument, NULL, OPT_TO },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, OPT_VERSION },
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
parse_args(int argc, char *argv[], struct opts *o)
{
	long n;
	int ch;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":d:hi:m:o:qs:t:v", longopts,
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
		case 'i':
			add_list(&o->ids, &o->nid, optarg);
			break;
		case 'm':
			o->model = optarg;
			break;
		case 'o':
			o->output = optarg;
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
			if ((o->format = am_fs_format_byname(optarg)) < 0) {
				warnx("--to: '%s' is not csv, bin or libsvm",
				    optarg);
				usage();
			}
			break;
		case OPT_VERSION:
			am_print_version(stdout, "am-features");
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
	if (o->model != NULL && o->output != NULL) {
		warnx("-m and -o cannot be used together");
		usage();
	}
	if (o->model != NULL &&
	    (o->feat.target || o->nid || o->ndrop || o->feat.min_freq)) {
		warnx("-t, -i, --drop and --min-freq are fitted options; -m "
		      "replays them");
		usage();
	}
	if (argc - optind > 1)
		usage();
	o->path = argc - optind == 1 ? argv[optind] : "-";
	o->feat.ids = o->ids;
	o->feat.nid = o->nid;
	o->feat.drop = o->drop;
	o->feat.ndrop = o->ndrop;
}

/* Save the fitted transform 'f' with its lineage to o->output. */
static int
save(const struct am_feat *f, struct am_src *src, const struct opts *o,
    int argc, char *argv[], struct am_err *e)
{
	struct am_art *a;
	char sha[65], *cmd = am_cmdline(argc, argv);
	int rc = AM_ENOMEM;

	am_src_sha256(src, sha);
	if ((a = am_art_new(AM_FEAT_KIND, AM_FEAT_ALGO)) != NULL &&
	    cmd != NULL &&
	    am_art_lineage(a, cmd, am_src_name(src), sha, am_feat_rows(f),
	        o->seed) == 0 &&
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
	struct am_err e = { 0 };
	const unsigned char *p;
	size_t n;
	int status = AM_EXIT_FAILURE;

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
	if (o.model != NULL) {
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
		if (o.output != NULL && save(f, src, &o, argc, argv, &e) != 0)
			goto out;
		if (am_feat_write_fitted(f, &out, &e) != 0)
			goto out;
		if (o.verbose)
			warnx("%llu rows, %zu columns in, %zu features out",
			    am_feat_rows(f), am_feat_ncols(f),
			    am_feat_schema(f)->nfeat);
	}
	status = AM_EXIT_OK;
out:
	/* a write error on stdout is reported once, by am_close_stdout() */
	if (e.code != AM_OK && !(e.code == AM_EIO && ferror(stdout)))
		warnx("%s", e.msg);
	am_csv_close(in);
	am_src_close(src);
	am_feat_free(f);
	am_art_free(art);
	free(o.ids);
	free(o.drop);
	return am_close_stdout(status);
}

static void
usage(void)
{
	(void)fprintf(stderr,
	    "usage: am-features [-hqv] [-d delim] [-i col] [-m file | -o "
	    "file] [-s seed]\n"
	    "                   [-t col] [--drop cols] [--line-buffered]\n"
	    "                   [--min-freq n] [--to format] [file]\n");
	exit(AM_EXIT_USAGE);
}

static void
help(void)
{
	(void)printf(
	    "usage: am-features [-hqv] [-d delim] [-i col] [-m file | -o file] [-s seed]\n"
	    "                   [-t col] [--drop cols] [--line-buffered]\n"
	    "                   [--min-freq n] [--to format] [file]\n"
	    "\n"
	    "Turn clean CSV columns into numeric features: numeric columns are\n"
	    "standardised ((x - mean) / std), other columns one-hot encoded\n"
	    "('col=level').  Fit with -o (saves the transform), replay with -m.\n"
	    "\n"
	    "  -o, --output FILE    fit on the input, save the transform to FILE\n"
	    "  -m, --model FILE     replay the transform saved in FILE\n"
	    "  -t, --target COL     target column, carried through (fit)\n"
	    "  -i, --id COL[,COL]   id columns carried as text; repeatable (fit)\n"
	    "      --drop COL[,COL] leave these columns out; repeatable (fit)\n"
	    "      --min-freq N     levels seen fewer than N times share one\n"
	    "                       'col=_other_' feature (fit)\n"
	    "      --to FORMAT      output csv (default), bin or libsvm\n"
	    "  -d, --delimiter C    input delimiter (default: detected)\n"
	    "      --line-buffered  flush the output after every row\n"
	    "  -s, --seed N         seed recorded in the artifact (no randomness)\n"
	    "  -q, --quiet          no warnings\n"
	    "  -v, --verbose        report rows, features and unseen values\n"
	    "  -h, --help           this help\n"
	    "      --version        print the version\n"
	    "\n"
	    "Exit status: 0 ok, 1 failure, 2 usage error.\n");
}
