/* SPDX-License-Identifier: MIT */
/*
 * am-model -- the model manager: inspect, verify, diff, trace and merge
 * learned artifacts (am-model(5)), and keep them in a versioned store
 * (push, list, promote, rollback, gc; the logic is lib/am_store.c).
 * Reads each artifact whole (bounded by AM_ART_MAX_BYTES) and validates
 * it with am_art_decode() before use; prints aligned text or JSON.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <err.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "am_art.h"
#include "am_cli.h"
#include "am_io.h"
#include "am_merge.h"
#include "am_store.h"

#include "am_banned.h"

enum { OPT_JSON = 256, OPT_KEEP, OPT_MODE, OPT_SEARCH, OPT_VERSION };

struct opts {
	int json, quiet, verbose, keep_set, mode_set;
	unsigned long keep;
	const char *output;
	char **search; /* --search directories, 'nsearch' of them */
	int nsearch;
	char *cmdline; /* for merge lineage */
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
 * Load 'path' into '*a'; a store entry stands for its current version,
 * whose path goes to '*shown' (to free(); NULL if 'path' was read) when
 * 'shown' is not NULL.  Returns 0, AM_EXIT_FAILURE (cannot read) or
 * AM_EXIT_CHECK (not a valid artifact), having printed the message.
 */
static int
load_as(const char *path, struct am_art **a, size_t *size, char **shown)
{
	const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
	struct am_err err = { 0 };
	unsigned char *data = NULL;
	char *cur = NULL;

	*a = NULL;
	if (shown != NULL)
		*shown = NULL;
	if (am_store_resolve(path, &cur, &err) < 0) {
		warnx("%s", err.msg);
		return AM_EXIT_FAILURE;
	}
	if (cur != NULL)
		path = name = cur;
	if (am_read_file(path, AM_ART_MAX_BYTES, &data, size, &err) != 0) {
		free(cur);
		warnx("%s", err.msg);
		return err.code == AM_ELIMIT ? AM_EXIT_CHECK : AM_EXIT_FAILURE;
	}
	*a = am_art_decode(data, *size, name, NULL, &err);
	free(data);
	if (*a == NULL) {
		free(cur);
		warnx("%s", err.msg);
		return err.code == AM_ENOMEM ? AM_EXIT_FAILURE : AM_EXIT_CHECK;
	}
	if (shown != NULL)
		*shown = cur;
	else
		free(cur);
	return 0;
}

static int
load(const char *path, struct am_art **a, size_t *size)
{
	return load_as(path, a, size, NULL);
}

/* show and verify: a read failure (1) outranks a bad file (3). */
static int
cmd_show(const char *cmd, int nfiles, char *files[], const struct opts *o)
{
	int i, rc, status = AM_EXIT_OK, show = strcmp(cmd, "show") == 0;
	struct am_art *a;
	const char *name;
	char *shown;
	size_t size;

	for (i = 0; i < nfiles; i++) {
		if ((rc = load_as(files[i], &a, &size, &shown)) != 0) {
			if (show)
				rc = AM_EXIT_FAILURE;
			if (status != AM_EXIT_FAILURE)
				status = rc;
			continue;
		}
		name = shown != NULL             ? shown
		    : strcmp(files[i], "-") == 0 ? "<stdin>"
		                                 : files[i];
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
		free(shown);
	}
	return status;
}

/* ---- diff ---- */

struct differ {
	int json, nchanges, counted; /* changes that decide the status */
};

/*
 * Report one difference: 'what' ("kind", "hyper", "column", ...), 'key'
 * (NULL for kind, algorithm, seed), the values in A and B (NULL when
 * absent).  Lineage changes are shown but do not make the files differ.
 */
static void
change(struct differ *d, const char *what, const char *key, const char *va,
    const char *vb)
{
	double x = 0, y = 0;
	char *e1, *e2, sign = va == NULL ? '+' : vb == NULL ? '-' : '~';
	int delta = 0;

	if (va != NULL && vb != NULL && *va != '\0' && *vb != '\0') {
		x = strtod(va, &e1);
		y = strtod(vb, &e2);
		delta = *e1 == '\0' && *e2 == '\0' && x - y == x - y;
	}
	if (strcmp(what, "lineage") != 0)
		d->counted++;
	if (d->json) {
		printf(d->nchanges++ ? ",{\"what\":\"%s\",\"key\":"
		                     : "{\"what\":\"%s\",\"key\":",
		    what);
		if (key != NULL)
			put_json(key);
		else
			printf("null");
		printf(",\"a\":");
		if (va != NULL)
			put_json(va);
		else
			printf("null");
		printf(",\"b\":");
		if (vb != NULL)
			put_json(vb);
		else
			printf("null");
		if (delta)
			printf(",\"delta\":%.15g", y - x);
		putchar('}');
		return;
	}
	d->nchanges++;
	printf("%c ", sign);
	if (key == NULL)
		printf("%s", what);
	else if (strcmp(what, "column") == 0 || strcmp(what, "section") == 0) {
		printf("%s ", what);
		put_text(key);
	} else {
		if (strcmp(what, "meta") != 0)
			printf("%s.", what);
		put_text(key);
	}
	if (va != NULL && vb != NULL) {
		printf(": ");
		put_text(va);
		printf(" -> ");
		put_text(vb);
		if (delta)
			printf(" (%+.6g)", y - x);
	} else {
		printf(strcmp(what, "column") == 0 ? " (" : ": ");
		put_text(va != NULL ? va : vb);
		if (strcmp(what, "column") == 0)
			putchar(')');
	}
	putchar('\n');
}

/* The metadata group of 'key' for diff: "hyper", "metric", "lineage"... */
static const char *
diff_group(const char *key, const char **rest)
{
	static const char *const pre[] = { "hyper.", "metric.", "lineage." };
	size_t i, n;

	*rest = key;
	if (strcmp(key, "seed") == 0)
		return "seed";
	for (i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
		n = strlen(pre[i]);
		if (strncmp(key, pre[i], n) == 0) {
			*rest = key + n;
			return i == 0 ? "hyper" : i == 1 ? "metric" : "lineage";
		}
	}
	return "meta";
}

static void
diff_meta(struct differ *d, const struct am_art *a, const struct am_art *b,
    const char *group)
{
	const char *k, *g, *rest, *va, *vb;
	size_t i;

	for (i = 0; i < am_art_nmeta(a); i++) {
		k = am_art_meta_key(a, i);
		if (strcmp(g = diff_group(k, &rest), group) != 0)
			continue;
		va = am_art_meta_value(a, i);
		vb = am_art_get(b, k);
		if (vb == NULL || strcmp(va, vb) != 0)
			change(d, g, strcmp(g, "seed") == 0 ? NULL : rest, va,
			    vb);
	}
	for (i = 0; i < am_art_nmeta(b); i++) {
		k = am_art_meta_key(b, i);
		if (strcmp(g = diff_group(k, &rest), group) != 0 ||
		    am_art_get(a, k) != NULL)
			continue;
		change(d, g, strcmp(g, "seed") == 0 ? NULL : rest, NULL,
		    am_art_meta_value(b, i));
	}
}

/* Index of column 'name' in 'a', or -1. */
static long
find_col(const struct am_art *a, const char *name)
{
	size_t i;

	for (i = 0; i < am_art_ncols(a); i++)
		if (strcmp(am_art_col_name(a, i), name) == 0)
			return (long)i;
	return -1;
}

static void
diff_schema(struct differ *d, const struct am_art *a, const struct am_art *b)
{
	char b1[32], b2[32];
	int moved = 0;
	size_t i;
	long j;

	for (i = 0; i < am_art_ncols(a); i++) {
		j = find_col(b, am_art_col_name(a, i));
		if (j < 0)
			change(d, "column", am_art_col_name(a, i),
			    type_name(am_art_col_type(a, i), b1), NULL);
		else if (am_art_col_type(a, i) != am_art_col_type(b, (size_t)j))
			change(d, "column", am_art_col_name(a, i),
			    type_name(am_art_col_type(a, i), b1),
			    type_name(am_art_col_type(b, (size_t)j), b2));
		else if ((size_t)j != i)
			moved = 1;
	}
	for (i = 0; i < am_art_ncols(b); i++)
		if (find_col(a, am_art_col_name(b, i)) < 0)
			change(d, "column", am_art_col_name(b, i), NULL,
			    type_name(am_art_col_type(b, i), b2));
	if (moved)
		change(d, "schema", "order", "as in A", "as in B");
}

/* "N bytes, sha256 PREFIX" of section 'name' of 'a' into 'out'. */
static const char *
sect_desc(const struct am_art *a, const char *name, char out[96])
{
	const void *p;
	char hex[65];
	size_t len;

	if ((p = am_art_section(a, name, &len)) == NULL)
		return NULL;
	am_sha256_hex(p, len, hex);
	(void)snprintf(out, 96, "%zu bytes, sha256 %.16s", len, hex);
	return out;
}

static void
diff_sections(struct differ *d, const struct am_art *a, const struct am_art *b)
{
	char x[96], y[96];
	const char *n, *va, *vb;
	size_t i;

	for (i = 0; i < am_art_nsections(a); i++) {
		n = am_art_section_name(a, i);
		va = sect_desc(a, n, x);
		vb = sect_desc(b, n, y);
		if (vb == NULL || strcmp(va, vb) != 0)
			change(d, "section", n, va, vb);
	}
	for (i = 0; i < am_art_nsections(b); i++) {
		n = am_art_section_name(b, i);
		if (am_art_section(a, n, NULL) == NULL)
			change(d, "section", n, NULL, sect_desc(b, n, y));
	}
}

static void
diff_side(const char *tag, const char *name, const struct am_art *a, int json)
{
	if (json) {
		printf("\"%s\":{\"file\":", tag);
		put_json(name);
		printf(",\"kind\":");
		put_json(am_art_kind(a));
		printf(",\"algorithm\":");
		put_json(am_art_algo(a));
		printf(",\"sha256\":\"%s\"},", am_art_sha256(a));
		return;
	}
	printf("%s ", tag);
	put_text(name);
	printf(" (");
	put_text(am_art_kind(a));
	putchar(' ');
	put_text(am_art_algo(a));
	printf(", sha256 %s)\n", am_art_sha256(a));
}

/* Exit 0 when A and B are equivalent (lineage aside), 3 when they differ. */
static int
cmd_diff(int argc, char *argv[], const struct opts *o)
{
	struct differ d = { o->json, 0, 0 };
	static const char *const groups_[] = { "seed", "hyper", "metric",
		"meta", "lineage" };
	struct am_art *a, *b;
	size_t sa, sb, g;
	int rc;

	(void)argc;
	if ((rc = load(argv[0], &a, &sa)) != 0)
		return AM_EXIT_FAILURE;
	if ((rc = load(argv[1], &b, &sb)) != 0) {
		am_art_free(a);
		return AM_EXIT_FAILURE;
	}
	if (o->json)
		putchar('{');
	diff_side(o->json ? "a" : "---", argv[0], a, o->json);
	diff_side(o->json ? "b" : "+++", argv[1], b, o->json);
	if (o->json)
		printf("\"changes\":[");
	if (strcmp(am_art_kind(a), am_art_kind(b)) != 0)
		change(&d, "kind", NULL, am_art_kind(a), am_art_kind(b));
	if (strcmp(am_art_algo(a), am_art_algo(b)) != 0)
		change(&d, "algorithm", NULL, am_art_algo(a), am_art_algo(b));
	for (g = 0; g < 4; g++)
		diff_meta(&d, a, b, groups_[g]);
	diff_schema(&d, a, b);
	diff_sections(&d, a, b);
	diff_meta(&d, a, b, groups_[4]);
	if (o->json)
		printf("],\"differ\":%s}\n", d.counted ? "true" : "false");
	am_art_free(a);
	am_art_free(b);
	return d.counted ? AM_EXIT_CHECK : AM_EXIT_OK;
}

/* ---- the store ---- */

static int
fail(const struct am_err *err)
{
	warnx("%s", err->msg);
	return err->code == AM_EARG ? AM_EXIT_USAGE : AM_EXIT_FAILURE;
}

static int
cmd_push(int argc, char *argv[], const struct opts *o)
{
	struct am_err err = { 0 };
	unsigned long v;

	(void)argc;
	(void)o;
	if (am_store_push(argv[0], argv[1], argv[2], &v, &err) != 0)
		return fail(&err);
	printf("v%lu\n", v);
	return AM_EXIT_OK;
}

static void
utc(long long t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		(void)snprintf(out, 32, "?");
}

/* The versions of one entry: text rows or JSON objects. */
static int
list_entry(const char *store, const char *name, const struct opts *o,
    int *first)
{
	struct am_err err = { 0 };
	struct am_store_ver *v;
	unsigned long cur;
	size_t n, i;
	char when[32];

	if (am_store_versions(store, name, &v, &n, &cur, &err) != 0)
		return fail(&err);
	for (i = 0; i < n; i++) {
		utc(v[i].mtime, when);
		if (o->json) {
			printf(*first ? "{\"name\":" : ",{\"name\":");
			put_json(name);
			printf(",\"version\":%lu,\"current\":%s,\"size\":%llu,"
			       "\"created\":\"%s\",\"sha256\":\"%s\","
			       "\"valid\":%s,\"kind\":",
			    v[i].version,
			    v[i].version == cur ? "true" : "false", v[i].size,
			    when, v[i].sha256, v[i].valid ? "true" : "false");
			put_json(v[i].kind);
			printf(",\"algorithm\":");
			put_json(v[i].algo);
			putchar('}');
		} else {
			put_text(name);
			printf("\tv%lu\t%s\t%llu\t%s\t%s\t%s %s\n",
			    v[i].version, v[i].version == cur ? "current" : "-",
			    v[i].size, when, v[i].sha256,
			    v[i].valid ? v[i].kind : "invalid", v[i].algo);
		}
		*first = 0;
	}
	free(v);
	return AM_EXIT_OK;
}

static int
cmd_list(int argc, char *argv[], const struct opts *o)
{
	const char *store = argc > 0 ? argv[0] : ".";
	struct am_err err = { 0 };
	int first = 1, rc = AM_EXIT_OK;
	char **names;
	size_t n, i;

	if (o->json)
		putchar('[');
	if (argc > 1)
		rc = list_entry(store, argv[1], o, &first);
	else if (am_store_names(store, &names, &n, &err) != 0)
		rc = fail(&err);
	else {
		for (i = 0; i < n && rc == 0; i++)
			rc = list_entry(store, names[i], o, &first);
		am_store_free_names(names, n);
	}
	if (rc != AM_EXIT_OK)
		return rc;
	if (o->json)
		printf("]\n");
	return AM_EXIT_OK;
}

static int
cmd_promote(int argc, char *argv[], const struct opts *o)
{
	struct am_err err = { 0 };
	unsigned long v;

	(void)argc;
	(void)o;
	if (am_store_check_name(argv[1], &err) != 0 ||
	    am_store_parse_version(argv[2], &v, &err) != 0 ||
	    am_store_promote(argv[0], argv[1], v, &err) != 0)
		return fail(&err);
	return AM_EXIT_OK;
}

static int
cmd_rollback(int argc, char *argv[], const struct opts *o)
{
	struct am_err err = { 0 };
	unsigned long v;

	(void)argc;
	(void)o;
	if (am_store_rollback(argv[0], argv[1], &v, &err) != 0)
		return fail(&err);
	printf("v%lu\n", v);
	return AM_EXIT_OK;
}

static void
removed(const char *path, void *arg)
{
	if (*(const int *)arg)
		printf("removed %s\n", path);
}

static int
cmd_gc(int argc, char *argv[], const struct opts *o)
{
	struct am_err err = { 0 };
	int verbose = o->verbose;

	if (am_store_gc(argv[0], argc > 1 ? argv[1] : NULL, o->keep, removed,
	        &verbose, &err) != 0)
		return fail(&err);
	return AM_EXIT_OK;
}

/* ---- lineage ---- */

/*
 * Artifacts found in the search directories: the digest of each file, and
 * the digest of the data it wrote ("lineage.output.sha256", or "").
 */
struct index {
	struct found {
		char sha[65], out[65];
		char *path;
	} * f;
	size_t n, cap;
};

/* Add 'path' to 'ix' if it is an artifact (by its magic). */
static void
index_file(struct index *ix, const char *path)
{
	unsigned char *data = NULL, head[4];
	struct found *nf;
	struct am_art *a;
	const char *out;
	size_t len, i;
	FILE *fp;

	if ((fp = fopen(path, "rb")) == NULL)
		return;
	len = fread(head, 1, sizeof(head), fp);
	(void)fclose(fp);
	if (len != sizeof(head) ||
	    memcmp(head,
	        "\x89"
	        "AMM",
	        4) != 0 ||
	    am_read_file(path, AM_ART_MAX_BYTES, &data, &len, NULL) != 0)
		return;
	if (ix->n == ix->cap) {
		ix->cap = ix->cap ? 2 * ix->cap : 64;
		if ((nf = realloc(ix->f, ix->cap * sizeof(*nf))) == NULL) {
			free(data);
			return;
		}
		ix->f = nf;
	}
	nf = &ix->f[ix->n];
	am_sha256_hex(data, len, nf->sha);
	a = am_art_decode(data, len, path, NULL, NULL);
	free(data);
	out = a != NULL ? am_art_get(a, "lineage.output.sha256") : NULL;
	(void)snprintf(nf->out, sizeof(nf->out), "%s", out ? out : "");
	am_art_free(a);
	for (i = 0; i < ix->n; i++)
		if (strcmp(ix->f[i].sha, nf->sha) == 0)
			return; /* keep the first place it was found */
	if ((nf->path = strdup(path)) != NULL)
		ix->n++;
}

/* Index the regular files of 'dir', and of its subdirectories if 'deep'. */
static void
index_dir(struct index *ix, const char *dir, int deep)
{
	struct dirent *de;
	struct stat st;
	char *path;
	size_t n;
	DIR *dp;

	if ((dp = opendir(dir)) == NULL)
		return;
	while ((de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		n = strlen(dir) + strlen(de->d_name) + 2;
		if ((path = malloc(n)) == NULL)
			break;
		if (strcmp(dir, ".") == 0) /* "a.amm", not "./a.amm" */
			(void)snprintf(path, n, "%s", de->d_name);
		else
			(void)snprintf(path, n, "%s/%s", dir, de->d_name);
		if (lstat(path, &st) == 0) {
			if (S_ISREG(st.st_mode))
				index_file(ix, path);
			else if (S_ISDIR(st.st_mode) && deep)
				index_dir(ix, path, 0);
		}
		free(path);
	}
	(void)closedir(dp);
}

/* The path of the artifact whose digest ('out': whose output's) is 'sha'. */
static const char *
lookup(const struct index *ix, const char *sha, int out)
{
	size_t i;

	for (i = 0; i < ix->n; i++)
		if (strcmp(out ? ix->f[i].out : ix->f[i].sha, sha) == 0)
			return ix->f[i].path;
	return NULL;
}

/* Print row count 'rows' as a JSON number, or null if it is not one. */
static void
put_json_rows(const char *rows)
{
	char *end;

	if (rows != NULL && *rows >= '0' && *rows <= '9' &&
	    (strtoull(rows, &end, 10), *end == '\0'))
		printf("%s", rows);
	else
		printf("null");
}

static void
put_json_or_null(const char *s)
{
	if (s != NULL)
		put_json(s);
	else
		printf("null");
}

static void
field(const char *key, const char *value, int json, int indent)
{
	if (json) {
		printf(",\"%s\":", key);
		put_json_or_null(value);
	} else if (value != NULL) {
		printf("%*s%-12s ", indent + 2, "", key);
		put_text(value);
		putchar('\n');
	}
}

static void trace(const struct index *ix, const char *name,
    const struct am_art *a, int depth, const struct opts *o);

/*
 * Follow the link from the data 'a' read to the artifact that wrote it:
 * the one whose lineage.output.sha256 is a's lineage.input.sha256.
 */
static void
trace_writer(const struct index *ix, const struct am_art *a, int depth,
    const struct opts *o)
{
	const char *sha = am_art_get(a, "lineage.input.sha256"), *path;
	struct am_art *w;

	if (sha == NULL || strlen(sha) != 64) {
		if (o->json)
			printf(",\"writer\":null");
		return;
	}
	if (o->json)
		printf(",\"writer\":");
	else
		printf("%*sinput from   ", 2 * depth + 2, "");
	path = lookup(ix, sha, 1);
	w = path != NULL && depth < 64 ? am_art_load(path, NULL, NULL) : NULL;
	if (w != NULL) {
		trace(ix, path, w, depth + 1, o);
		am_art_free(w);
	} else {
		printf(o->json ? "{\"found\":false}" : "not found\n");
	}
}

/*
 * Print artifact 'a' loaded from 'name' and, recursively, the artifact
 * that wrote its input and its parents.
 */
static void
trace(const struct index *ix, const char *name, const struct am_art *a,
    int depth, const struct opts *o)
{
	const char *parents = am_art_get(a, "lineage.parents"), *p, *q, *path;
	const char *rows = am_art_get(a, "lineage.input.rows");
	const char *osha = am_art_get(a, "lineage.output.sha256");
	const char *orows = am_art_get(a, "lineage.output.rows");
	int ind = 2 * depth, first = 1;
	struct am_art *pa;
	char sha[65];
	size_t len;

	if (o->json) {
		printf("{\"file\":");
		put_json(name);
	} else {
		put_text(name);
		putchar('\n');
	}
	field("kind", am_art_kind(a), o->json, ind);
	field("algorithm", am_art_algo(a), o->json, ind);
	field("sha256", am_art_sha256(a), o->json, ind);
	field("command", am_art_get(a, "lineage.command"), o->json, ind);
	field("created", am_art_get(a, "lineage.created"), o->json, ind);
	field("tool", am_art_get(a, "lineage.tool"), o->json, ind);
	if (o->json) {
		printf(",\"input\":{\"name\":");
		put_json_or_null(am_art_get(a, "lineage.input"));
		printf(",\"sha256\":");
		put_json_or_null(am_art_get(a, "lineage.input.sha256"));
		printf(",\"rows\":");
		put_json_rows(rows);
		trace_writer(ix, a, depth, o);
		printf("},\"output\":");
		if (osha != NULL) {
			printf("{\"sha256\":");
			put_json(osha);
			printf(",\"rows\":");
			put_json_rows(orows);
			putchar('}');
		} else {
			printf("null");
		}
		printf(",\"parents\":[");
	} else {
		field("input", am_art_get(a, "lineage.input"), 0, ind);
		field("input.sha256", am_art_get(a, "lineage.input.sha256"), 0,
		    ind);
		field("input.rows", rows, 0, ind);
		if (osha != NULL) {
			printf("%*soutput       ", ind + 2, "");
			if (orows != NULL) {
				put_text(orows);
				printf(" rows, ");
			}
			printf("sha256 ");
			put_text(osha);
			putchar('\n');
		}
		trace_writer(ix, a, depth, o);
	}
	for (p = parents; p != NULL && *p != '\0'; p = *q ? q + 1 : q) {
		q = p + strcspn(p, ",");
		len = (size_t)(q - p) < 64 ? (size_t)(q - p) : 64;
		memcpy(sha, p, len);
		sha[len] = '\0';
		if (!o->json)
			printf("%*sparent       ", ind + 2, "");
		else if (!first)
			putchar(',');
		first = 0;
		path = lookup(ix, sha, 0);
		pa = path != NULL && depth < 64 ? am_art_load(path, NULL, NULL)
		                                : NULL;
		if (pa != NULL) {
			trace(ix, path, pa, depth + 1, o);
			am_art_free(pa);
		} else if (o->json) {
			printf("{\"sha256\":");
			put_json(sha);
			printf(",\"found\":false}");
		} else {
			printf("not found (sha256 ");
			put_text(sha);
			printf(")\n");
		}
	}
	if (o->json)
		printf("]}");
}

static int
cmd_lineage(int argc, char *argv[], const struct opts *o)
{
	struct index ix = { NULL, 0, 0 };
	struct am_art *a;
	char *copy, *cur = NULL;
	struct am_err err = { 0 };
	size_t size, i;
	int k;

	(void)argc;
	if (load(argv[0], &a, &size) != 0)
		return AM_EXIT_FAILURE;
	for (k = 0; k < o->nsearch; k++)
		index_dir(&ix, o->search[k], 1);
	if (strcmp(argv[0], "-") != 0) {
		/* The file's own folder; for a store entry, the whole store. */
		if (am_store_resolve(argv[0], &cur, &err) == 1) {
			index_dir(&ix, argv[0], 0);
			if ((copy = strdup(argv[0])) != NULL)
				index_dir(&ix, dirname(copy), 1);
			free(copy);
		} else if ((copy = strdup(argv[0])) != NULL) {
			index_dir(&ix, dirname(copy), 1);
			free(copy);
		}
		free(cur);
	}
	trace(&ix, strcmp(argv[0], "-") == 0 ? "<stdin>" : argv[0], a, 0, o);
	if (o->json)
		putchar('\n');
	for (i = 0; i < ix.n; i++)
		free(ix.f[i].path);
	free(ix.f);
	am_art_free(a);
	return AM_EXIT_OK;
}

/* ---- merge ---- */

static int
cmd_merge(int argc, char *argv[], const struct opts *o)
{
	struct am_art **in, *m = NULL;
	struct am_err err = { 0 };
	int i, rc = AM_EXIT_FAILURE;
	size_t size;

	if ((in = calloc((size_t)argc, sizeof(*in))) == NULL) {
		warnx("out of memory");
		return AM_EXIT_FAILURE;
	}
	for (i = 0; i < argc; i++)
		if (load(argv[i], &in[i], &size) != 0)
			goto out;
	if ((m = am_merge(in, (size_t)argc, o->cmdline, &err)) == NULL ||
	    am_art_save(m, o->output, &err) != 0) {
		warnx("%s", err.msg);
		goto out;
	}
	rc = AM_EXIT_OK;
out:
	for (i = 0; i < argc; i++)
		am_art_free(in[i]);
	free(in);
	am_art_free(m);
	return rc;
}

/* The subcommands: name, operand counts, options allowed. */
static const struct command {
	const char *name;
	int min, max; /* operands; -1: any number */
	int json, keep, search, output;
	int (*run)(int, char **, const struct opts *);
} commands[] = {
	{ "show", 1, -1, 1, 0, 0, 0, NULL },
	{ "verify", 1, -1, 0, 0, 0, 0, NULL },
	{ "diff", 2, 2, 1, 0, 0, 0, cmd_diff },
	{ "push", 3, 3, 0, 0, 0, 0, cmd_push },
	{ "list", 0, 2, 1, 0, 0, 0, cmd_list },
	{ "promote", 3, 3, 0, 0, 0, 0, cmd_promote },
	{ "rollback", 2, 2, 0, 0, 0, 0, cmd_rollback },
	{ "gc", 1, 2, 0, 1, 0, 0, cmd_gc },
	{ "lineage", 1, 1, 1, 0, 1, 0, cmd_lineage },
	{ "merge", 2, -1, 0, 0, 0, 1, cmd_merge },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

#define COMMAND_LIST \
	"show, verify, diff, push, list, promote, rollback, gc, lineage, merge"

static void
help(void)
{
	printf(
	    "usage: am-model show [-hqv] [--json] file ...\n"
	    "       am-model verify [-hqv] file ...\n"
	    "       am-model diff [--json] file1 file2\n"
	    "       am-model push store name file\n"
	    "       am-model list [--json] [store [name]]\n"
	    "       am-model promote store name version\n"
	    "       am-model rollback store name\n"
	    "       am-model gc [-v] --keep n store [name]\n"
	    "       am-model lineage [--json] [--search dir] file\n"
	    "       am-model merge [--mode mode] -o file file1 file2 ...\n"
	    "\n"
	    "Inspect, verify, compare, trace and merge learned artifacts\n"
	    "(am-model(5)), and keep them in a versioned store.  A file may\n"
	    "be a store entry STORE/NAME: its current version is read.\n"
	    "\n"
	    "commands:\n"
	    "  show      print kind, algorithm, format, size, sha256, seed,\n"
	    "            lineage, hyper-parameters, metrics, schema and\n"
	    "            sections of each file\n"
	    "  verify    check each file is a valid artifact (magic, version,\n"
	    "            checksum, structure); exit 3 if one is not\n"
	    "  diff      differences in kind, algorithm, seed, parameters,\n"
	    "            metrics, schema, payload and lineage; exit 3 if the\n"
	    "            files differ in more than lineage\n"
	    "  push      verify a file and store it as the next version vN of\n"
	    "            NAME; prints vN\n"
	    "  list      versions of each entry: version, current, size,\n"
	    "            created, sha256, kind and algorithm\n"
	    "  promote   make version vN of NAME current\n"
	    "  rollback  make the previously promoted version current again;\n"
	    "            prints it\n"
	    "  gc        remove versions other than the current one and the N\n"
	    "            newest, and temporary files left by crashes\n"
	    "  lineage   the chain of artifacts and data behind a file\n"
	    "  merge     merge models trained on shards into one\n"
	    "\n"
	    "options:\n"
	    "  --json           show, diff, list, lineage: JSON output\n"
	    "      --keep N     gc: versions to keep besides the current one\n"
	    "  -o FILE          merge: the merged artifact (written atomically)\n"
	    "      --mode MODE  merge: octal mode of FILE (default 0666 less\n"
	    "                   umask)\n"
	    "  -q, --quiet      verify: print nothing for valid files\n"
	    "      --search DIR lineage: look for parent artifacts, and those\n"
	    "                   that wrote an input, in DIR and its\n"
	    "                   subfolders (repeatable)\n"
	    "  -v, --verbose    verify: print the sha256 of valid files;\n"
	    "                   gc: print each file removed\n"
	    "  -h, --help       print this help and exit\n"
	    "      --version    print the version and exit\n"
	    "\n"
	    "A file named - is read from standard input.\n");
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "keep", required_argument, NULL, OPT_KEEP },
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "quiet", no_argument, NULL, 'q' },
		{ "search", required_argument, NULL, OPT_SEARCH },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { 0 };
	const struct command *c = NULL;
	size_t i;
	long n;
	int ch, rc, mode;

	am_cli_init();
	if ((o.search = calloc((size_t)argc + 1, sizeof(*o.search))) == NULL ||
	    (o.cmdline = am_cmdline(argc, argv)) == NULL)
		errx(AM_EXIT_FAILURE, "out of memory");
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":ho:qv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			help();
			free(o.search);
			free(o.cmdline);
			return am_close_stdout(AM_EXIT_OK);
		case 'o':
			o.output = optarg;
			break;
		case 'q':
			o.quiet = 1;
			break;
		case 'v':
			o.verbose = 1;
			break;
		case OPT_JSON:
			o.json = 1;
			break;
		case OPT_KEEP:
			if (am_parse_long(optarg, 0, 1000000000L, &n) != 0) {
				warnx("--keep: '%s' is not a count", optarg);
				usage();
			}
			o.keep = (unsigned long)n;
			o.keep_set = 1;
			break;
		case OPT_MODE:
			if (am_cli_mode(optarg, &mode) != 0)
				usage();
			am_atomic_set_mode(mode);
			o.mode_set = 1;
			break;
		case OPT_SEARCH:
			o.search[o.nsearch++] = optarg;
			break;
		case OPT_VERSION:
			am_print_version(stdout, "am-model");
			free(o.search);
			free(o.cmdline);
			return am_close_stdout(AM_EXIT_OK);
		default: /* ':' a missing argument, '?' unknown */
			am_warn_getopt(ch, optopt, argv[optind - 1]);
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		warnx("missing command (" COMMAND_LIST ")");
		usage();
	}
	for (i = 0; i < NCOMMANDS && c == NULL; i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			c = &commands[i];
	if (c == NULL) {
		warnx("'%s' is not a command (" COMMAND_LIST ")", argv[0]);
		usage();
	}
	if ((o.json && !c->json) || (o.keep_set && !c->keep) ||
	    (o.nsearch > 0 && !c->search) ||
	    ((o.output || o.mode_set) && !c->output)) {
		warnx("%s does not apply to %s",
		    o.json && !c->json            ? "--json"
		        : o.keep_set && !c->keep  ? "--keep"
		        : o.nsearch && !c->search ? "--search"
		        : o.output                ? "-o"
		                                  : "--mode",
		    c->name);
		usage();
	}
	if (c->keep && !o.keep_set) {
		warnx("%s: --keep N is required", c->name);
		usage();
	}
	if (c->output && o.output == NULL) {
		warnx("%s: -o FILE is required", c->name);
		usage();
	}
	if (argc - 1 < c->min || (c->max >= 0 && argc - 1 > c->max)) {
		warnx("%s: %s operands", c->name,
		    argc - 1 < c->min ? "missing" : "too many");
		usage();
	}
	rc = c->run != NULL ? c->run(argc - 1, argv + 1, &o)
	                    : cmd_show(c->name, argc - 1, argv + 1, &o);
	free(o.search);
	free(o.cmdline);
	return am_close_stdout(rc);
}

static void
usage(void)
{
	(void)fprintf(stderr,
	    "usage: am-model show [-hqv] [--json] file ...\n"
	    "       am-model verify [-hqv] file ...\n"
	    "       am-model diff [--json] file1 file2\n"
	    "       am-model push store name file\n"
	    "       am-model list [--json] [store [name]]\n"
	    "       am-model promote store name version\n"
	    "       am-model rollback store name\n"
	    "       am-model gc [-v] --keep n store [name]\n"
	    "       am-model lineage [--json] [--search dir] file\n"
	    "       am-model merge [--mode mode] -o file file1 file2 ...\n");
	exit(AM_EXIT_USAGE);
}
