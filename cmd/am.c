/* SPDX-License-Identifier: MIT */
/*
 * am -- the dispatcher: "am CMD ARGS..." executes am-CMD ARGS..., looked
 * for first beside the am binary itself (so a build tree or a private
 * install runs its own commands), then in $PATH.  "am help" lists the
 * commands; "am help CMD" shows man am-CMD, or am-CMD -h without a
 * manual.  Reads no input itself.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "am_cli.h"

#include "am_banned.h"

enum { OPT_VERSION = 256 };

static const struct command {
	const char *name, *what;
} commands[] = {
	{ "clean", "profile and clean a table: types, missing values, splits" },
	{ "features", "turn clean columns into numeric features" },
	{ "train", "fit a model to a feature stream" },
	{ "predict", "apply a model to a stream: scores and labels" },
	{ "eval", "judge predictions; gate CI with --require" },
	{ "recommend", "top-N items per user, similar items, with reasons" },
	{ "model", "inspect and verify learned artifacts" },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(void) __attribute__((noreturn));

static int
known(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return 1;
	return 0;
}

/* The folder holding this program, or NULL: /proc/self/exe, else argv[0]. */
static char *
self_dir(const char *argv0)
{
	char buf[PATH_MAX], *copy;
	ssize_t n;

	n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	if (n > 0)
		buf[n] = '\0';
	else if (argv0 != NULL && strchr(argv0, '/') != NULL &&
	    strlen(argv0) < sizeof(buf))
		(void)snprintf(buf, sizeof(buf), "%s", argv0);
	else
		return NULL;
	if ((copy = strdup(dirname(buf))) == NULL)
		err(AM_EXIT_FAILURE, "out of memory");
	return copy;
}

/*
 * Execute am-'name' with 'args' (args[0] is replaced): beside am, then
 * in $PATH.  Returns only on failure, with errno set.
 */
static void
exec_command(const char *dir, const char *name, char **args)
{
	char prog[NAME_MAX + 1], path[PATH_MAX];
	int e = ENOENT;

	(void)snprintf(prog, sizeof(prog), "am-%s", name);
	args[0] = prog;
	if (dir != NULL &&
	    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, prog) <
	        sizeof(path)) {
		(void)execv(path, args);
		if (errno != ENOENT && errno != ENOTDIR)
			e = errno;
	}
	(void)execvp(prog, args);
	if (errno == ENOENT && e != ENOENT)
		errno = e;
}

/* Exit for a failed exec_command(). */
static void __attribute__((noreturn)) exec_failed(const char *name)
{
	if (errno != ENOENT && errno != ENOTDIR)
		err(AM_EXIT_FAILURE, "cannot run 'am-%s'", name);
	if (known(name))
		errx(AM_EXIT_FAILURE,
		    "cannot run 'am-%s': not found beside am or in PATH", name);
	errx(AM_EXIT_USAGE, "'%s' is not an am command (see 'am help')", name);
}

/* Is there a manual page for 'page'?  Asks man -w quietly. */
static int
has_man(const char *page)
{
	pid_t pid;
	int status, fd;

	if ((pid = fork()) == -1)
		return 0;
	if (pid == 0) {
		if ((fd = open("/dev/null", O_WRONLY)) != -1) {
			(void)dup2(fd, STDOUT_FILENO);
			(void)dup2(fd, STDERR_FILENO);
		}
		(void)execlp("man", "man", "-w", page, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return 0;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static int
help(void)
{
	size_t i;

	printf("usage: am [-h] [--version] command [arg ...]\n"
	       "       am help [command]\n"
	       "\n"
	       "am runs am-COMMAND with the arguments given, found beside am\n"
	       "or in PATH.  Commands:\n"
	       "\n");
	for (i = 0; i < NCOMMANDS; i++)
		printf("  %-10s %s\n", commands[i].name, commands[i].what);
	printf("\n"
	       "options:\n"
	       "  -h, --help  print this help and exit\n"
	       "  --version   print the version and exit\n"
	       "\n"
	       "'am help COMMAND' shows the manual of am-COMMAND; see also "
	       "am(7).\n");
	return am_close_stdout(AM_EXIT_OK);
}

/* am help CMD: man am-CMD, else am-CMD -h. */
static void __attribute__((noreturn))
help_command(const char *dir, const char *name)
{
	char page[NAME_MAX + 1], hflag[] = "-h", *args[3];

	if (*name == '\0' || strchr(name, '/') != NULL ||
	    strlen(name) > NAME_MAX - 3)
		errx(AM_EXIT_USAGE, "'%s' is not an am command (see 'am help')",
		    name);
	(void)snprintf(page, sizeof(page), "am-%s", name);
	if (has_man(page)) {
		(void)execlp("man", "man", page, (char *)NULL);
		err(AM_EXIT_FAILURE, "cannot run 'man'");
	}
	args[0] = page; /* exec_command() sets the name */
	args[1] = hflag;
	args[2] = NULL;
	exec_command(dir, name, args);
	exec_failed(name);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	const char *name, *argv0 = argv[0];
	char *dir;
	int ch;

	am_cli_init();
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			return help();
		case OPT_VERSION:
			am_print_version(stdout, "am");
			return am_close_stdout(AM_EXIT_OK);
		default:
			am_warn_getopt(ch, optopt, argv[optind - 1]);
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		warnx("missing command (see 'am help')");
		usage();
	}
	name = argv[0];
	if (strcmp(name, "help") == 0 && argc == 1)
		return help();
	dir = self_dir(argv0);
	if (strcmp(name, "help") == 0) {
		if (argc > 2)
			usage();
		help_command(dir, argv[1]);
	}
	if (*name == '\0' || *name == '-' || strchr(name, '/') != NULL ||
	    strlen(name) > NAME_MAX - 3)
		errx(AM_EXIT_USAGE, "'%s' is not an am command (see 'am help')",
		    name);
	exec_command(dir, name, argv);
	exec_failed(name);
}

static void
usage(void)
{
	(void)fprintf(stderr,
	    "usage: am [-h] [--version] command [arg ...]\n"
	    "       am help [command]\n");
	exit(AM_EXIT_USAGE);
}
