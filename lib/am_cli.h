/* SPDX-License-Identifier: MIT */
/*
 * am_cli.h -- what every program in cmd/ shares: exit statuses, checked
 * number parsing, help and version, the checked close of stdout, and the
 * command line recorded in artifacts.  The only lib module that prints,
 * and only where a function says so.
 */
#ifndef AM_CLI_H
#define AM_CLI_H

#include <stdio.h>

#include "am_err.h"

#define AM_VERSION "0.1.0"

/* Exit statuses, identical in every command; documented in am(7). */
enum {
	AM_EXIT_OK = 0,      /* success */
	AM_EXIT_FAILURE = 1, /* bad input, I/O, model mismatch, no memory */
	AM_EXIT_USAGE = 2,   /* unknown option, bad option argument */
	AM_EXIT_CHECK = 3,   /* a check the user asked for did not hold */
};

/*
 * Parse 's' as a finite double in ['lo', 'hi'] into '*out'.  The whole
 * string must be consumed.  Returns 0, or -1 leaving '*out' unchanged.
 */
int am_parse_double(const char *s, double lo, double hi, double *out);

/* Same for a decimal integer in ['lo', 'hi']. */
int am_parse_long(const char *s, long lo, long hi, long *out);

/*
 * Parse a -d argument: one character other than '"', CR or LF, or "tab"
 * or "\t" for a tab.  Returns the character, or -1.
 */
int am_parse_delim(const char *s);

/* Parse a seed: a decimal integer in [0, 2^64-1].  Returns 0 or -1. */
int am_parse_seed(const char *s, unsigned long long *out);

/*
 * Parse the argument 'arg' of --mode, an octal mode of one to four digits
 * from 0 to 0777 ("600", "0640"), into '*out'.  The one parser of --mode,
 * so every program says the same: on a bad value it prints "--mode: 'ARG'
 * is not an octal mode (0 to 0777)" on stderr (warnx) and returns -1,
 * leaving '*out' unchanged; the caller then prints its usage and exits
 * AM_EXIT_USAGE.  Returns 0 on success.  The program hands the mode to
 * am_atomic_set_mode() (am_io.h).
 */
int am_cli_mode(const char *arg, int *out);

/*
 * Set up a program: setlocale(LC_CTYPE, ""), numeric locale stays "C".
 * Call first in main().
 */
void am_cli_init(void);

/*
 * Report a failed getopt_long() on stderr (warnx): for 'ch' ':' "option
 * -x needs an argument", else "unknown option -x"; a long option is named
 * as typed, by 'arg' = argv[optind - 1] ("option '--target' needs an
 * argument").  The caller then prints its usage and exits AM_EXIT_USAGE.
 */
void am_warn_getopt(int ch, int opt, const char *arg);

/* Print "PROG (am) VERSION" to 'fp'. */
void am_print_version(FILE *fp, const char *prog);

/*
 * Flush and close stdout, checking for errors (a full disk, a closed
 * pipe).  Returns 'status' if all went well, else prints a message
 * ("PROG: write error: ...") to stderr and returns AM_EXIT_FAILURE.
 * Call as "return am_close_stdout(status);".
 */
int am_close_stdout(int status);

/*
 * The command line as one string, arguments quoted for a POSIX shell
 * where needed, for the lineage of artifacts.  Returns a string to
 * free(), or NULL when out of memory.
 */
char *am_cmdline(int argc, char *const argv[]);

/* The number of online CPUs, at least 1. */
int am_ncpu(void);

/*
 * Map a libam status to an exit status: AM_OK -> 0, AM_EARG -> 2,
 * anything else -> 1.
 */
int am_exit_status(int code);

#endif
