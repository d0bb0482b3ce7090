/*
 * am-predict -- apply a model to a feature stream (binary, CSV or
 * LIBSVM), writing one CSV row per input row: id columns, the true
 * target when the input has it, score and label.  Streams: memory does
 * not grow with the number of rows.
 */
#include <err.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am_art.h"
#include "am_cli.h"
#include "am_csv.h"
#include "am_fs.h"
#include "am_io.h"
#include "am_model.h"

#include "am_banned.h"

enum {
	OPT_COEF = 256,
	OPT_FROM,
	OPT_LINE_BUFFERED,
	OPT_VERSION,
};

struct opts {
	const char *model, *target, *path;
	const char **ids;
	size_t nid;
	int from, delim, quiet, verbose, coef, lbuf;
};

static const struct option longopts[] = {
	{ "coef", no_argument, NULL, OPT_COEF },
	{ "delimiter", required_argument, NULL, 'd' },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "help", no_argument, NULL, 'h' },
	{ "id", required_argument, NULL, 'i' },
	{ "line-buffered", no_argument, NULL, OPT_LINE_BUFFERED },
	{ "model", required_argument, NULL, 'm' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "target", required_argument, NULL, 't' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static void usage(void) __attribute__((noreturn));
static void help(void);

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
	const char **p;
	int ch;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":d:hi:m:qt:v", longopts, NULL)) !=
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
		case 'i':
			if ((p = realloc(o->ids, (o->nid + 1) * sizeof(*p))) ==
			    NULL)
				err(AM_EXIT_FAILURE, "out of memory");
			o->ids = p;
			o->ids[o->nid++] = optarg;
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
	size_t j;

	if (am_model_ops(m)->coef == NULL)
		return am_seterr(e, AM_EMODEL,
		    "%s: a '%s' model has no "
		    "coefficients",
		    name, am_model_ops(m)->name);
	w = am_model_ops(m)->coef(m, &bias);
	am_csv_writer_init(&out, stdout, ',');
	am_csv_puts(&out, "feature");
	am_csv_puts(&out, "weight");
	am_csv_end(&out);
	for (j = 0; j < s->nfeat; j++) {
		am_csv_puts(&out, s->feat[j]);
		am_csv_put_double(&out, w[j]);
		am_csv_end(&out);
	}
	if (bias > 0) {
		am_csv_puts(&out, "(intercept)");
		am_csv_put_double(&out, w[s->nfeat] * bias);
		am_csv_end(&out);
	}
	return 0;
}

static void
write_header(struct am_csv_writer *out, const struct am_fs_schema *s)
{
	size_t i;

	for (i = 0; i < s->nid; i++)
		am_csv_puts(out, s->id[i]);
	if (s->target != NULL)
		am_csv_puts(out, s->target);
	am_csv_puts(out, "score");
	am_csv_puts(out, "label");
	am_csv_end(out);
}

static int
predict(const struct opts *o, const struct am_model *m, struct am_fs_reader *r,
    struct am_err *e)
{
	const struct am_fs_schema *ms = am_model_schema(m), *s;
	struct am_model_bind *b;
	struct am_csv_writer out;
	struct am_fs_row row;
	size_t i, pos = am_model_positive(m);
	unsigned long long n = 0;
	double score;
	int rc;

	if ((b = am_model_bind(m, am_fs_schema(r), am_fs_format(r), e)) == NULL)
		return am_err_prefix(e, "%s",
		    strcmp(o->path, "-") == 0 ? "<stdin>" : o->path);
	if (o->verbose && am_model_bind_unused(b) > 0)
		warnx("%zu input features are not used by the model",
		    am_model_bind_unused(b));
	am_csv_writer_init(&out, stdout, ',');
	write_header(&out, am_fs_schema(r));
	if (o->lbuf)
		(void)fflush(stdout);
	while ((rc = am_fs_next(r, &row, e)) == 1) {
		s = am_fs_schema(r);
		if ((rc = am_model_predict(m, b, row.nnz, row.idx, row.val,
		         &score)) != 0) {
			am_seterr(e, rc, "out of memory");
			break;
		}
		for (i = 0; i < s->nid; i++)
			am_csv_puts(&out, row.ids[i]);
		if (s->target != NULL) {
			if (s->nclass > 0 && !isnan(row.target))
				am_csv_puts(&out,
				    s->classes[(size_t)row.target]);
			else
				am_csv_put_double(&out, row.target);
		}
		am_csv_put_double(&out, score);
		am_csv_puts(&out, ms->classes[score >= 0.5 ? pos : 1 - pos]);
		am_csv_end(&out);
		if (o->lbuf && fflush(stdout) != 0)
			break; /* am_close_stdout() reports it */
		n++;
	}
	if (o->verbose && rc >= 0)
		warnx("%llu rows scored", n);
	am_model_bind_free(b);
	return rc < 0 ? rc : 0;
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
	    "usage: am-predict [-hqv] [-d delim] [-i col] [-t col] [--coef]\n"
	    "                  [--from format] [--line-buffered] -m model "
	    "[file]\n");
	exit(AM_EXIT_USAGE);
}

static void
help(void)
{
	(void)printf(
	    "usage: am-predict [-hqv] [-d delim] [-i col] [-t col] [--coef]\n"
	    "                  [--from format] [--line-buffered] -m model [file]\n"
	    "\n"
	    "Apply MODEL to a feature stream (binary, CSV or LIBSVM) and write\n"
	    "CSV: the id columns, the true target when the input has it, score\n"
	    "(P(positive class)) and label (the class predicted at 0.5).\n"
	    "\n"
	    "  -m, --model MODEL     model file from am-train (required)\n"
	    "  -i, --id COL          id column to pass through (CSV; repeatable;\n"
	    "                        default: the model's id columns present)\n"
	    "  -t, --target COL      target column (default: the model's)\n"
	    "  -d, --delimiter C     CSV delimiter (default: detected)\n"
	    "      --from FORMAT     input format: bin, csv or libsvm (default:\n"
	    "                        bin by its magic, else csv)\n"
	    "      --line-buffered   flush the output after every row\n"
	    "      --coef            print a linear model's weights and exit\n"
	    "  -q, --quiet           no report on stderr\n"
	    "  -v, --verbose         report rows scored and unused features\n"
	    "  -h, --help            this help\n"
	    "      --version         print the version\n"
	    "\n"
	    "Exit status: 0 ok, 1 failure, 2 usage error.\n");
}
