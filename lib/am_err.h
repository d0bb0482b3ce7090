/* SPDX-License-Identifier: MIT */
/*
 * am_err.h -- status codes and error details shared by all of libam.
 *
 * Every libam function that can fail returns 0 (or a count, or a pointer)
 * on success and a negative enum am_status (or NULL) on failure, and fills
 * an optional struct am_err with ONE line saying where and what failed.
 * The programs in cmd/ print that line after their name and turn the code
 * into an exit status (see am(7)).  libam itself never prints or exits.
 */
#ifndef AM_ERR_H
#define AM_ERR_H

enum am_status {
	AM_OK = 0,
	AM_ENOMEM = -1,  /* allocation failed */
	AM_EIO = -2,     /* read or write failed; errno kept in 'sys' */
	AM_EFORMAT = -3, /* malformed CSV cell, header, stream or model file */
	AM_EDIM = -4,    /* shapes do not match */
	AM_EARG = -5,    /* invalid argument from the caller */
	AM_EMODEL = -6,  /* model kind, version or features do not match */
	AM_ELIMIT = -7,  /* input exceeds a documented resource limit */
};

struct am_err {
	int code;      /* enum am_status */
	int sys;       /* errno for AM_EIO, else 0 */
	char msg[512]; /* "in.csv:12: column 'spend': 'n/a' is not a number" */
};

/*
 * Fill 'err' (which may be NULL) with a message built from 'fmt' and
 * return 'code', so that callers can write "return am_seterr(err, ...);".
 * An error already recorded in 'err' is overwritten.
 */
int am_seterr(struct am_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Like am_seterr() with code AM_EIO, and errno 'sys' appended to the
 * message as ": strerror(sys)" and kept in err->sys.
 */
int am_seterr_sys(struct am_err *err, int sys, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Prefix the message already in 'err' with "PREFIX: " (for instance a
 * file name), keeping its code.  Returns err->code, or AM_OK for NULL.
 */
int am_err_prefix(struct am_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A constant English name of 'code' ("out of memory", ...). */
const char *am_strstatus(int code);

#endif
