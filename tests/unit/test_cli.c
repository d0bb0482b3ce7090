/* SPDX-License-Identifier: MIT */
/* test_cli.c -- checked number parsing, command-line quoting, am_err. */
#include <stdlib.h>
#include <string.h>

#include "am_cli.h"
#include "unit.h"

int
main(void)
{
	char a0[] = "am-train", a1[] = "-t", a2[] = "y", a3[] = "it's here",
	     a4[] = "a;b";
	char *argv[] = { a0, a1, a2, a3, a4, NULL };
	struct am_err err = { 0 };
	unsigned long long seed;
	double d = -1;
	long l = -1;
	char *s;

	CHECK(am_parse_double("0.5", 0, 1, &d) == 0 && d == 0.5);
	CHECK(am_parse_double("2", 0, 1, &d) == -1 && d == 0.5);
	CHECK(am_parse_double("", 0, 1, &d) == -1);
	CHECK(am_parse_double("0.5x", 0, 1, &d) == -1);
	CHECK(am_parse_double("nan", -1e308, 1e308, &d) == -1);
	CHECK(am_parse_double("inf", -1e308, 1e308, &d) == -1);
	CHECK(am_parse_double("1e999", -1e308, 1e308, &d) == -1);
	CHECK(am_parse_long("42", 0, 100, &l) == 0 && l == 42);
	CHECK(am_parse_long("101", 0, 100, &l) == -1);
	CHECK(am_parse_long("4 2", 0, 100, &l) == -1);
	CHECK(am_parse_long("99999999999999999999999", 0, 100, &l) == -1);
	CHECK(am_parse_seed("18446744073709551615", &seed) == 0 &&
	    seed == 18446744073709551615ULL);
	CHECK(am_parse_seed("18446744073709551616", &seed) == -1);
	CHECK(am_parse_seed("-1", &seed) == -1);

	s = am_cmdline(5, argv);
	CHECK(
	    s != NULL && strcmp(s, "am-train -t y 'it'\\''s here' 'a;b'") == 0);
	free(s);

	CHECK(am_seterr(&err, AM_EFORMAT, "x.csv:%d: bad", 3) == AM_EFORMAT);
	CHECK(err.code == AM_EFORMAT && strcmp(err.msg, "x.csv:3: bad") == 0);
	CHECK(am_err_prefix(&err, "am-x") == AM_EFORMAT);
	CHECK(strcmp(err.msg, "am-x: x.csv:3: bad") == 0);
	CHECK(am_seterr(NULL, AM_EIO, "ignored") == AM_EIO);
	/* a message quoting hostile data stays one printable line */
	am_seterr(&err, AM_EFORMAT, "x.csv:2: '%s' is not a number",
	    "a\nb\x01");
	CHECK(strcmp(err.msg, "x.csv:2: 'a\\nb\\x01' is not a number") == 0);
	CHECK(am_exit_status(AM_OK) == 0 && am_exit_status(AM_EARG) == 2 &&
	    am_exit_status(AM_EFORMAT) == 1);
	return unit_failures;
}
