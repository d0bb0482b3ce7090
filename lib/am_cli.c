/* SPDX-License-Identifier: MIT */
/*
 * am_cli.c -- helpers for the thin mains in cmd/.  Number parsing is
 * strtonum(3)-style: whole string, range checked, no locale surprises
 * (LC_NUMERIC is never changed from "C").
 */
#include <err.h>
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "am_cli.h"

#include "am_banned.h"

int
am_parse_double(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (*end != '\0' || errno == ERANGE || !isfinite(v) || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int
am_parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end != '\0' || errno == ERANGE || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int
am_cli_mode(const char *arg, int *out)
{
	int v = 0;
	size_t i;

	for (i = 0; i < 5 && arg[i] >= '0' && arg[i] <= '7'; i++)
		v = v * 8 + (arg[i] - '0');
	if (i == 0 || i > 4 || arg[i] != '\0' || v > 0777) {
		warnx("--mode: '%s' is not an octal mode (0 to 0777)", arg);
		return -1;
	}
	*out = v;
	return 0;
}

int
am_parse_delim(const char *s)
{
	if (strcmp(s, "tab") == 0 || strcmp(s, "\\t") == 0)
		return '\t';
	if (s[0] == '\0' || s[1] != '\0' || s[0] == '"' || s[0] == '\n' ||
	    s[0] == '\r')
		return -1;
	return (unsigned char)s[0];
}

int
am_parse_seed(const char *s, unsigned long long *out)
{
	unsigned long long v;
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end != '\0' || errno == ERANGE)
		return -1;
	*out = v;
	return 0;
}

void
am_cli_init(void)
{
	(void)setlocale(LC_CTYPE, "");
}

void
am_warn_getopt(int ch, int opt, const char *arg)
{
	const char *what = ch == ':' ? "needs an argument" : NULL;
	/* A long option is named as typed: its optopt is its value. */
	int lng = arg != NULL && strncmp(arg, "--", 2) == 0;

	if (!lng && opt > ' ' && opt < 127)
		warnx(what ? "option -%c %s" : "unknown option -%c", opt, what);
	else
		warnx(what ? "option '%s' %s" : "unknown option '%s'",
		    arg ? arg : "?", what);
}

void
am_print_version(FILE *fp, const char *prog)
{
	(void)fprintf(fp, "%s (am) %s\n", prog, AM_VERSION);
}

int
am_close_stdout(int status)
{
	int bad = 0, e = 0;

	if (fflush(stdout) != 0) {
		bad = 1;
		e = errno;
	}
	if (ferror(stdout))
		bad = 1;
	if (fclose(stdout) != 0 && !bad) {
		bad = 1;
		e = errno;
	}
	if (!bad)
		return status;
	if (e != 0)
		warnx("write error: %s", strerror(e));
	else
		warnx("write error");
	return AM_EXIT_FAILURE;
}

static int
needs_quotes(const char *s)
{
	if (*s == '\0')
		return 1;
	for (; *s != '\0'; s++)
		if (strchr(" \t\n'\"\\$`*?[]{}()<>|&;#~!", *s) != NULL)
			return 1;
	return 0;
}

char *
am_cmdline(int argc, char *const argv[])
{
	size_t n = 1, i, k = 0;
	const char *p;
	char *s;
	int q;

	for (i = 0; i < (size_t)argc; i++)
		n += 4 * strlen(argv[i]) + 3;
	if ((s = malloc(n)) == NULL)
		return NULL;
	for (i = 0; i < (size_t)argc; i++) {
		if (i > 0)
			s[k++] = ' ';
		q = needs_quotes(argv[i]);
		if (q)
			s[k++] = '\'';
		for (p = argv[i]; *p != '\0'; p++) {
			if (*p == '\'') {
				memcpy(s + k, "'\\''", 4);
				k += 4;
			} else
				s[k++] = *p;
		}
		if (q)
			s[k++] = '\'';
	}
	s[k] = '\0';
	return s;
}

int
am_ncpu(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 256 ? 256 : (int)n;
}

int
am_exit_status(int code)
{
	if (code == AM_OK)
		return AM_EXIT_OK;
	return code == AM_EARG ? AM_EXIT_USAGE : AM_EXIT_FAILURE;
}
