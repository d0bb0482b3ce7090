/* SPDX-License-Identifier: MIT */
/*
 * am_csv.h -- streaming CSV reader and writer over libcsv; the only
 * includer of <csv.h>.
 *
 * Dialect (am(7)): RFC 4180, a header line naming the columns, fields
 * quoted with '"' ("" inside quotes is one quote), quoted fields may hold
 * the delimiter and newlines, LF or CRLF line ends, an optional UTF-8 BOM
 * (dropped).  The delimiter is detected from the header line among ','
 * ';' TAB '|' (the most frequent outside quotes; ',' on a tie) unless
 * given.  A cell is MISSING when it is empty and unquoted, or equal to
 * one of the missing tokens (default "NA", "NaN", "null", "?";
 * configurable); a quoted empty field "" is an empty string, not missing.
 *
 * The reader keeps one record in memory: memory does not grow with the
 * number of rows.  Each record must have as many fields as the header;
 * otherwise am_csv_next() fails with "FILE:LINE: expected N fields, found
 * M", or, with AM_CSV_SKIP_BAD, skips the record and counts it.  Line
 * numbers are 1-based physical lines of the start of the record (the
 * header is line 1).
 *
 * Limits: AM_CSV_MAX_FIELD bytes per field and AM_CSV_MAX_COLS columns;
 * beyond them the reader fails with AM_ELIMIT.
 */
#ifndef AM_CSV_H
#define AM_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "am_err.h"
#include "am_io.h"

#define AM_CSV_MAX_FIELD (64u * 1024 * 1024)
#define AM_CSV_MAX_COLS  100000

/* Flags for struct am_csv_opts. */
#define AM_CSV_SKIP_BAD 0x1 /* skip and count records of the wrong width */

struct am_csv_opts {
	int delim;                  /* 0 = detect; else ',' ';' '\t' '|' ... */
	unsigned flags;             /* AM_CSV_* */
	const char *const *missing; /* NULL-terminated tokens; NULL = default */
};

struct am_csv_reader;

/*
 * Open a reader on 'src' (borrowed: close the reader before the source)
 * and read the header.  'opts' may be NULL for the defaults.  Returns a
 * reader to am_csv_close(), or NULL with AM_EFORMAT (empty input: "FILE:
 * empty input, expected a header line"; duplicate or empty column names
 * are allowed but am_csv_col() finds the first), AM_ELIMIT, AM_EIO or
 * AM_ENOMEM in 'err'.
 */
struct am_csv_reader *am_csv_open(struct am_src *src,
    const struct am_csv_opts *opts, struct am_err *err);

/* Free the reader.  NULL does nothing.  Does not close the source. */
void am_csv_close(struct am_csv_reader *r);

/* Number of columns, and the name of column 'i' (from the header). */
size_t am_csv_ncols(const struct am_csv_reader *r);
const char *am_csv_colname(const struct am_csv_reader *r, size_t i);

/* Index of the first column named 'name', or -1. */
long am_csv_col(const struct am_csv_reader *r, const char *name);

/* The delimiter in use (detected or given). */
int am_csv_delim(const struct am_csv_reader *r);

/*
 * Read the next record.  Returns 1 when a record is ready, 0 at end of
 * input, or a negative AM_E* (AM_EFORMAT for a ragged record or an
 * unterminated quote, "FILE:LINE: ...").
 */
int am_csv_next(struct am_csv_reader *r, struct am_err *err);

/*
 * Field 'i' of the current record, NUL-terminated, and its length.  Valid
 * until the next am_csv_next() or am_csv_close().  A missing cell reads
 * as "" (use am_csv_missing() to tell).
 */
const char *am_csv_field(const struct am_csv_reader *r, size_t i);
size_t am_csv_len(const struct am_csv_reader *r, size_t i);

/* Nonzero if field 'i' of the current record is missing (see above). */
int am_csv_missing(const struct am_csv_reader *r, size_t i);

/*
 * All fields of the current record at once, as am_csv_field(),
 * am_csv_len() and am_csv_missing() (0 or 1) would give them, into
 * arrays of am_csv_ncols() entries.  The fast way for a whole record.
 */
void am_csv_record(const struct am_csv_reader *r, const char **f, size_t *len,
    unsigned char *missing);

/*
 * The current record's line, when the record is verbatim: one physical
 * line whose bytes (without its line end) are exactly what writing its
 * fields again with the reader's delimiter gives -- am_csv_put() for a
 * value, nothing for a missing cell, am_csv_put_quoted() for an empty
 * string.  Then a program that changes no cell may copy the line instead
 * of writing the fields.  Returns 1 and sets '*line' and '*len' (valid
 * like am_csv_field()), or 0.  The reader may say 0 when it cannot tell
 * cheaply: a record read across lines or chunks, a missing token, a
 * field starting or ending with a byte <= ' ', quotes that were not
 * needed.
 */
int am_csv_verbatim(const struct am_csv_reader *r, const char **line,
    size_t *len);

/*
 * Field 'i' as a finite double (the fast path: no copy, no locale).
 * Returns 0 and stores the value; 1 if the cell is missing (stores NAN);
 * or AM_EFORMAT with "FILE:LINE: column 'NAME': 'TEXT' is not a number"
 * ("nan", "inf" and the like are not numbers here).
 */
int am_csv_double(const struct am_csv_reader *r, size_t i, double *out,
    struct am_err *err);

/* Physical line where the current record starts; file name for messages. */
unsigned long am_csv_line(const struct am_csv_reader *r);
const char *am_csv_name(const struct am_csv_reader *r);

/* Records skipped so far under AM_CSV_SKIP_BAD. */
unsigned long am_csv_skipped(const struct am_csv_reader *r);

/*
 * Parse 's' (NUL-terminated) as a finite double like am_csv_double().
 * Returns 0, or -1 if it is not a number.  Shared by every reader that
 * parses numbers from text.
 */
int am_parse_number(const char *s, size_t len, double *out);

/*
 * Writer.  am_csv_put() writes one field, quoting it only when it holds
 * the delimiter, a quote, CR or LF, or leading/trailing space; the first
 * field of a record gets no separator.  am_csv_put_double() writes "%.15g"
 * ("" for NAN).  am_csv_end() ends the record with "\n".  Errors are left
 * in the stream's error flag, checked at close (am_close_stdout(),
 * am_atomic_commit()).
 */
struct am_csv_writer {
	FILE *fp;
	int delim;
	size_t nfield; /* fields written in the current record */
};

void am_csv_writer_init(struct am_csv_writer *w, FILE *fp, int delim);
void am_csv_put(struct am_csv_writer *w, const char *s, size_t len);
void am_csv_puts(struct am_csv_writer *w, const char *s);
/*
 * Write one field always quoted: for an empty string that must not read
 * back as missing ("" rather than nothing).
 */
void am_csv_put_quoted(struct am_csv_writer *w, const char *s, size_t len);
void am_csv_put_double(struct am_csv_writer *w, double v);
void am_csv_end(struct am_csv_writer *w);

#endif
