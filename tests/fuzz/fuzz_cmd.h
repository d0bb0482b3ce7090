/* SPDX-License-Identifier: MIT */
/*
 * fuzz_cmd.h -- force-included (-include) when tests/fuzz/fuzz.mk compiles
 * a cmd/am-*.c into the option-parser harness fuzz_argv, so that a whole
 * program runs inside the fuzzing process.  Its main() is renamed by the
 * makefile (-Dmain=am_fuzz_main_NAME), and the calls that would end the
 * process are redirected in that compilation only:
 *
 *   exit, _exit, err, errx   print as the program would, then longjmp()
 *                            back to the harness with the status
 *   am_close_stdout          flush stdout and return the status, leaving
 *                            stdout open for the next run
 *
 * In am.c (FUZZ_CMD_AM), exec and fork fail with ENOENT/EAGAIN, so the
 * dispatcher's own parsing runs and nothing is executed.
 */
#ifndef FUZZ_CMD_H
#define FUZZ_CMD_H

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "am_cli.h"

void fuzz_exit(int status) __attribute__((noreturn));
void fuzz_exit_now(int status) __attribute__((noreturn));
void fuzz_err(int status, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 2, 3)));
void fuzz_errx(int status, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 2, 3)));
int fuzz_close_stdout(int status);
int fuzz_execv(const char *path, char *const argv[]);
int fuzz_execlp(const char *file, const char *arg, ...);
pid_t fuzz_fork_fails(void);

int am_fuzz_main_am(int argc, char *argv[]);
int am_fuzz_main_am_clean(int argc, char *argv[]);
int am_fuzz_main_am_eval(int argc, char *argv[]);
int am_fuzz_main_am_features(int argc, char *argv[]);
int am_fuzz_main_am_model(int argc, char *argv[]);
int am_fuzz_main_am_predict(int argc, char *argv[]);
int am_fuzz_main_am_recommend(int argc, char *argv[]);
int am_fuzz_main_am_train(int argc, char *argv[]);

#ifdef FUZZ_CMD
#define exit(s)            fuzz_exit(s)
#define _exit(s)           fuzz_exit_now(s)
#define err(...)           fuzz_err(__VA_ARGS__)
#define errx(...)          fuzz_errx(__VA_ARGS__)
#define am_close_stdout(s) fuzz_close_stdout(s)
#endif

#ifdef FUZZ_CMD_AM
#define execv(p, a)       fuzz_execv(p, a)
#define execvp(p, a)      fuzz_execv(p, a)
#define execlp(...)       fuzz_execlp(__VA_ARGS__)
#define fork()            fuzz_fork_fails()
#define readlink(p, b, n) ((void)(p), (void)(b), (void)(n), (ssize_t)-1)
#endif

#endif
