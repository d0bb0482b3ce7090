/* SPDX-License-Identifier: MIT */
/*
 * am-model -- inspect and verify learned artifacts (am-model(5)).  Reads
 * each file whole (artifacts are bounded by AM_ART_MAX_BYTES), validates
 * it with am_art_decode(), and prints it as aligned text or one JSON
 * object per line.  Subcommands: show, verify.
 */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am_art.h"
#include "am_cli.h"
#include "am_io.h"

#include "am_banned.h"

enum { OPT_JSON = 256, OPT_VERSION };

struct opts {
	int json, quiet, verbose;
};

/* Metadata groups, by key prefix; "seed" is shown with the header. */
static const struct group {
	const char *prefix, *title, *json;
} groups[] = {
	{ "lineage.", "lineage", "lineage" },
	{ "hyper.", "hyper-parameters", "hyper" },
	{ "metric.", "metrics", "metrics" },
	{ "", "other", "other" },
};
#define NGROUPS (sizeof(groups) / sizeof(groups[0]))

static void usage(void) __attribute__((noreturn));

/* The group index of metadata 'key', or -1 for "seed". */
static int
group_of(const char *key)
{
	size_t g;

	if (strcmp(key, "seed") == 0)
		return -1;
	for (g = 0; g + 1 < NGROUPS; g++)
		if (strncmp(key, groups[g].prefix, strlen(groups[g].prefix)) ==
		    0)
			return (int)g;
	return (int)NGROUPS - 1;
}

/* Print 's' with control characters escaped, C style. */
static void
put_text(const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '\t')
			fputs("\\t", stdout);
		else if (*p == '\n')
			fputs("\\n", stdout);
		else if (*p == '\r')
			fputs("\\r", stdout);
		else if (*p < 0x20 || *p == 0x7f)
			printf("\\x%02x", *p);
		else
			putchar(*p);
	}
}

/* Length of the valid UTF-8 sequence at 'p', or 0 if it is not one. */
static size_t
utf8_len(const unsigned char *p)
{
	size_t n, i;
	unsigned long c;

	if (*p < 0x80)
		return 1;
	if (*p >= 0xc2 && *p <= 0xdf)
		n = 2, c = *p & 0x1fu;
	else if (*p >= 0xe0 && *p <= 0xef)
		n = 3, c = *p & 0x0fu;
	else if (*p >= 0xf0 && *p <= 0xf4)
		n = 4, c = *p & 0x07u;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3fu);
	}
	if ((n == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
	    (n == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;
	return n;
}

/* Print 's' as a JSON string; invalid UTF-8 becomes U+FFFD. */
static void
put_json(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	putchar('"');
	while (*p != '\0') {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", stdout);
		else if (*p == '\t')
			fputs("\\t", stdout);
		else if (*p < 0x20 || *p == 0x7f)
			printf("\\u%04x", *p);
		else if ((n = utf8_len(p)) == 0)
			fputs("\\ufffd", stdout);
		else {
			fwrite(p, 1, n, stdout);
			p += n;
			continue;
		}
		p++;
	}
	putchar('"');
}

static const char *
type_name(int type, char buf[32])
{
	const char *s = am_coltype_name(type);

	if (s != NULL)
		return s;
	(void)snprintf(buf, 32, "unknown(%d)", type);
	return buf;
}

/* One "  key   value" line, the key padded to 'w'. */
static void
row(const char *key, int w, const char *value)
{
	printf("  ");
	put_text(key);
	printf("%*s", w - (int)strlen(key) > 0 ? w - (int)strlen(key) : 0, "");
	printf("  ");
	put_text(value);
	putchar('\n');
}

static void
show_text(const struct am_art *a, const char *name, size_t size)
{
	size_t i, g, n, len, k;
	const char *key;
	char buf[32];
	int w;

	printf("file       ");
	put_text(name);
	printf("\nkind       ");
	put_text(am_art_kind(a));
	printf("\nalgorithm  ");
	put_text(am_art_algo(a));
	printf("\nformat     %u\nsize       %zu bytes\nsha256     %s\n",
	    am_art_version(a), size, am_art_sha256(a));
	if ((key = am_art_get(a, "seed")) != NULL) {
		printf("seed       ");
		put_text(key);
		putchar('\n');
	}
	for (g = 0; g < NGROUPS; g++) {
		k = strlen(groups[g].prefix);
		for (n = 0, w = 0, i = 0; i < am_art_nmeta(a); i++) {
			key = am_art_meta_key(a, i);
			if (group_of(key) != (int)g)
				continue;
			n++;
			if ((int)(strlen(key) - k) > w)
				w = (int)(strlen(key) - k);
		}
		if (n == 0)
			continue;
		printf("\n%s:\n", groups[g].title);
		for (i = 0; i < am_art_nmeta(a); i++)
			if (group_of(am_art_meta_key(a, i)) == (int)g)
				row(am_art_meta_key(a, i) + k, w,
				    am_art_meta_value(a, i));
	}
	printf("\nschema: %zu column%s\n", am_art_ncols(a),
	    am_art_ncols(a) == 1 ? "" : "s");
	for (w = 0, i = 0; i < am_art_ncols(a); i++)
		if ((int)strlen(am_art_col_name(a, i)) > w)
			w = (int)strlen(am_art_col_name(a, i));
	for (i = 0; i < am_art_ncols(a); i++)
		row(am_art_col_name(a, i), w,
		    type_name(am_art_col_type(a, i), buf));
	printf("\nsections: %zu\n", am_art_nsections(a));
	for (w = 0, i = 0; i < am_art_nsections(a); i++)
		if ((int)strlen(am_art_section_name(a, i)) > w)
			w = (int)strlen(am_art_section_name(a, i));
	for (i = 0; i < am_art_nsections(a); i++) {
		(void)am_art_section(a, am_art_section_name(a, i), &len);
		(void)snprintf(buf, sizeof(buf), "%zu bytes", len);
		row(am_art_section_name(a, i), w, buf);
	}
}

static void
show_json(const struct am_art *a, const char *name, size_t size)
{
	size_t i, g, k, len;
	const char *key;
	char buf[32];
	int first;

	printf("{\"file\":");
	put_json(name);
	printf(",\"kind\":");
	put_json(am_art_kind(a));
	printf(",\"algorithm\":");
	put_json(am_art_algo(a));
	printf(",\"format\":%u,\"size\":%zu,\"sha256\":\"%s\"",
	    am_art_version(a), size, am_art_sha256(a));
	if ((key = am_art_get(a, "seed")) != NULL) {
		printf(",\"seed\":");
		put_json(key);
	}
	for (g = 0; g < NGROUPS; g++) {
		k = strlen(groups[g].prefix);
		printf(",\"%s\":{", groups[g].json);
		for (first = 1, i = 0; i < am_art_nmeta(a); i++) {
			key = am_art_meta_key(a, i);
			if (group_of(key) != (int)g)
				continue;
			printf(first ? "" : ",");
			first = 0;
			put_json(key + k);
			putchar(':');
			put_json(am_art_meta_value(a, i));
		}
		putchar('}');
	}
	printf(",\"schema\":[");
	for (i = 0; i < am_art_ncols(a); i++) {
		printf(i ? ",{\"name\":" : "{\"name\":");
		put_json(am_art_col_name(a, i));
		printf(",\"type\":");
		put_json(type_name(am_art_col_type(a, i), buf));
		putchar('}');
	}
	printf("],\"sections\":[");
	for (i = 0; i < am_art_nsections(a); i++) {
		(void)am_art_section(a, am_art_section_name(a, i), &len);
		printf(i ? ",{\"name\":" : "{\"name\":");
		put_json(am_art_section_name(a, i));
		printf(",\"size\":%zu}", len);
	}
	printf("]}\n");
}

/*
 * Load 'path' into '*a'.  Returns 0, AM_EXIT_FAILURE (cannot read) or
 * AM_EXIT_CHECK (not a valid artifact), having printed the message.
 */
static int
load(const char *path, struct am_art **a, size_t *size)
{
	const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
	struct am_err err = { 0 };
	unsigned char *data = NULL;

	*a = NULL;
	if (am_read_file(path, AM_ART_MAX_BYTES, &data, size, &err) != 0) {
		warnx("%s", err.msg);
		return err.code == AM_ELIMIT ? AM_EXIT_CHECK : AM_EXIT_FAILURE;
	}
	*a = am_art_decode(data, *size, name, NULL, &err);
	free(data);
	if (*a == NULL) {
		warnx("%s", err.msg);
		return err.code == AM_ENOMEM ? AM_EXIT_FAILURE : AM_EXIT_CHECK;
	}
	return 0;
}

/* Run 'cmd' on each file; a read failure (1) outranks a bad file (3). */
static int
run(const char *cmd, int nfiles, char *files[], const struct opts *o)
{
	int i, rc, status = AM_EXIT_OK, show = strcmp(cmd, "show") == 0;
	struct am_art *a;
	const char *name;
	size_t size;

	for (i = 0; i < nfiles; i++) {
		if ((rc = load(files[i], &a, &size)) != 0) {
			if (show)
				rc = AM_EXIT_FAILURE;
			if (status != AM_EXIT_FAILURE)
				status = rc;
			continue;
		}
		name = strcmp(files[i], "-") == 0 ? "<stdin>" : files[i];
		if (show && o->json)
			show_json(a, name, size);
		else if (show) {
			if (i > 0)
				putchar('\n');
			show_text(a, name, size);
		} else if (!o->quiet) {
			printf("%s: ok (%s %s, %zu bytes", name, am_art_kind(a),
			    am_art_algo(a), size);
			printf(o->verbose ? ", sha256 %s)\n" : ")\n",
			    am_art_sha256(a));
		}
		am_art_free(a);
	}
	return status;
}

static void
help(void)
{
	printf(
	    "usage: am-model show [-hqv] [--json] file ...\n"
	    "       am-model verify [-hqv] file ...\n"
	    "\n"
	    "Inspect and verify learned artifacts (am-model(5)).\n"
	    "\n"
	    "commands:\n"
	    "  show      print kind, algorithm, format, size, sha256, seed,\n"
	    "            lineage, hyper-parameters, metrics, schema and\n"
	    "            sections of each file\n"
	    "  verify    check each file is a valid artifact (magic, version,\n"
	    "            checksum, structure); exit 3 if one is not\n"
	    "\n"
	    "options:\n"
	    "  --json         show: one JSON object per file, per line\n"
	    "  -q, --quiet    verify: print nothing for valid files\n"
	    "  -v, --verbose  verify: print the sha256 of valid files\n"
	    "  -h, --help     print this help and exit\n"
	    "      --version  print the version and exit\n"
	    "\n"
	    "A file named - is read from standard input.\n");
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { 0, 0, 0 };
	const char *cmd;
	int ch;

	am_cli_init();
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":hqv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			help();
			return am_close_stdout(AM_EXIT_OK);
		case 'q':
			o.quiet = 1;
			break;
		case 'v':
			o.verbose = 1;
			break;
		case OPT_JSON:
			o.json = 1;
			break;
		case OPT_VERSION:
			am_print_version(stdout, "am-model");
			return am_close_stdout(AM_EXIT_OK);
		default:
			if (optopt != 0)
				warnx("unknown option -%c", optopt);
			else
				warnx("unknown option '%s'", argv[optind - 1]);
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		warnx("missing command (show, verify)");
		usage();
	}
	cmd = argv[0];
	if (strcmp(cmd, "show") != 0 && strcmp(cmd, "verify") != 0) {
		warnx("'%s' is not a command (show, verify)", cmd);
		usage();
	}
	if (o.json && strcmp(cmd, "show") != 0) {
		warnx("--json applies to show only");
		usage();
	}
	if (argc < 2) {
		warnx("%s: missing file operand", cmd);
		usage();
	}
	return am_close_stdout(run(cmd, argc - 1, argv + 1, &o));
}

static void
usage(void)
{
	(void)fprintf(stderr,
	    "usage: am-model show [-hqv] [--json] file ...\n"
	    "       am-model verify [-hqv] file ...\n");
	exit(AM_EXIT_USAGE);
}
