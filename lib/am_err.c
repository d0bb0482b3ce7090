/* SPDX-License-Identifier: MIT */
/*
 * am_err.c -- filling struct am_err.  Messages are truncated, never
 * overflowed, at sizeof(err->msg).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "am_err.h"

/*
 * Make 'msg' one printable line: control bytes (a newline inside a quoted
 * CSV cell, a NUL-free binary name) become C escapes, so that a message
 * quoting hostile data is still exactly one line.  Truncates at 'cap'.
 */
static void
one_line(char *msg, size_t cap)
{
	char out[sizeof(((struct am_err *)0)->msg)];
	static const char hex[] = "0123456789abcdef";
	size_t i, k = 0;
	unsigned char c;

	for (i = 0; msg[i] != '\0' && k + 5 < sizeof(out); i++) {
		c = (unsigned char)msg[i];
		if (c >= 0x20 && c != 0x7f) {
			out[k++] = (char)c;
			continue;
		}
		out[k++] = '\\';
		if (c == '\n')
			out[k++] = 'n';
		else if (c == '\r')
			out[k++] = 'r';
		else if (c == '\t')
			out[k++] = 't';
		else {
			out[k++] = 'x';
			out[k++] = hex[c >> 4];
			out[k++] = hex[c & 15];
		}
	}
	out[k] = '\0';
	if (k >= cap)
		k = cap - 1;
	memcpy(msg, out, k);
	msg[k] = '\0';
}

int
am_seterr(struct am_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	err->code = code;
	err->sys = 0;
	va_start(ap, fmt);
	(void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	one_line(err->msg, sizeof(err->msg));
	return code;
}

int
am_seterr_sys(struct am_err *err, int sys, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (err == NULL)
		return AM_EIO;
	err->code = AM_EIO;
	err->sys = sys;
	va_start(ap, fmt);
	(void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	n = strlen(err->msg);
	(void)snprintf(err->msg + n, sizeof(err->msg) - n, ": %s",
	    strerror(sys));
	one_line(err->msg, sizeof(err->msg));
	return AM_EIO;
}

int
am_err_prefix(struct am_err *err, const char *fmt, ...)
{
	char pre[256];
	size_t n, m, cap;
	va_list ap;

	if (err == NULL)
		return AM_OK;
	va_start(ap, fmt);
	(void)vsnprintf(pre, sizeof(pre) - 2, fmt, ap);
	va_end(ap);
	n = strlen(pre);
	memcpy(pre + n, ": ", 2);
	n += 2;
	cap = sizeof(err->msg) - 1;
	if (n > cap)
		n = cap;
	m = strnlen(err->msg, cap);
	if (m > cap - n)
		m = cap - n;
	memmove(err->msg + n, err->msg, m);
	memcpy(err->msg, pre, n);
	err->msg[n + m] = '\0';
	one_line(err->msg, sizeof(err->msg));
	return err->code;
}

const char *
am_strstatus(int code)
{
	switch (code) {
	case AM_OK:
		return "success";
	case AM_ENOMEM:
		return "out of memory";
	case AM_EIO:
		return "input/output error";
	case AM_EFORMAT:
		return "malformed input";
	case AM_EDIM:
		return "shapes do not match";
	case AM_EARG:
		return "invalid argument";
	case AM_EMODEL:
		return "model does not match";
	case AM_ELIMIT:
		return "resource limit exceeded";
	default:
		return "unknown error";
	}
}
