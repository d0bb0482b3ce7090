/* SPDX-License-Identifier: MIT */
/*
 * am_rfm.c -- RFM features from a transaction log (am_rfm.h).  Customers
 * are numbered by an am_strtab; distinct orders are counted with a set
 * of (customer, 64-bit hash of the order) pairs, so two orders of one
 * customer are taken as one only if their hashes collide (odds about
 * 2^-64 per pair).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "am_dates.h"
#include "am_rand.h"
#include "am_rfm.h"
#include "am_strtab.h"

#include "am_banned.h"

struct cust {
	long first, last; /* day numbers */
	double money;
	unsigned long long orders;
};

struct pairset {
	uint64_t *h;
	uint32_t *c; /* customer + 1, 0 = empty */
	size_t cap, n;
};

/* Add (c, h); 1 if new, 0 if present, AM_ENOMEM. */
static int
pair_add(struct pairset *s, uint32_t c, uint64_t h)
{
	size_t i, mask;

	if (2 * (s->n + 1) > s->cap) {
		struct pairset t = { 0 };
		size_t k;
		t.cap = s->cap ? 2 * s->cap : 1024;
		t.h = malloc(t.cap * sizeof(*t.h));
		t.c = calloc(t.cap, sizeof(*t.c));
		if (t.h == NULL || t.c == NULL) {
			free(t.h);
			free(t.c);
			return AM_ENOMEM;
		}
		for (k = 0; k < s->cap; k++)
			if (s->c[k] != 0)
				(void)pair_add(&t, s->c[k] - 1, s->h[k]);
		free(s->h);
		free(s->c);
		*s = t;
	}
	mask = s->cap - 1;
	for (i = (size_t)((h ^ (c * 0x9e3779b97f4a7c15u)) & mask); s->c[i] != 0;
	     i = (i + 1) & mask)
		if (s->c[i] == c + 1 && s->h[i] == h)
			return 0;
	s->c[i] = c + 1;
	s->h[i] = h;
	s->n++;
	return 1;
}

int
am_rfm_parse(char *spec, struct am_rfm_opts *o, struct am_err *err)
{
	char *f[5], *p, *star;
	int n = 0;

	for (p = spec; n < 5; n++) {
		f[n] = p;
		if ((p = strchr(p, ',')) == NULL) {
			n++;
			break;
		}
		*p++ = '\0';
	}
	if (n < 3 || n > 4 || p != NULL || *f[0] == '\0' || *f[1] == '\0' ||
	    *f[2] == '\0' || (n == 4 && *f[3] == '\0'))
		return am_seterr(err, AM_EARG,
		    "--rfm: expected CUSTOMER,DATE,AMOUNT[,ORDER] (AMOUNT may "
		    "be QTY*PRICE)");
	o->customer = f[0];
	o->date = f[1];
	o->amount = f[2];
	o->qty = o->price = NULL;
	if ((star = strchr(f[2], '*')) != NULL) {
		*star = '\0';
		o->amount = NULL;
		o->qty = f[2];
		o->price = star + 1;
		if (*o->qty == '\0' || *o->price == '\0')
			return am_seterr(err, AM_EARG,
			    "--rfm: AMOUNT '%s*%s' is not QTY*PRICE", o->qty,
			    o->price);
	}
	o->order = n == 4 ? f[3] : NULL;
	return 0;
}

static int
col(struct am_csv_reader *in, const char *name, long *out, struct am_err *err)
{
	if (name == NULL) {
		*out = -1;
		return 0;
	}
	if ((*out = am_csv_col(in, name)) < 0)
		return am_seterr(err, AM_EARG,
		    "%s: --rfm: column '%s' not found", am_csv_name(in), name);
	return 0;
}

static int
number(struct am_csv_reader *in, long c, const char *what, double *x,
    struct am_err *err)
{
	size_t k = (size_t)c;

	if (am_csv_missing(in, k) ||
	    am_parse_number(am_csv_field(in, k), am_csv_len(in, k), x) != 0)
		return am_seterr(err, AM_EFORMAT,
		    "%s:%lu: %s '%.40s' is not a number", am_csv_name(in),
		    am_csv_line(in), what, am_csv_field(in, k));
	return 0;
}

static int
cmp_dbl(const void *a, const void *b)
{
	double p = *(const double *)a, q = *(const double *)b;

	return (p > q) - (p < q);
}

/* Quintile edges of v[0..n) (sorted into 's'). */
static void
edges(const double *v, double *s, size_t n, double e[4])
{
	int j;

	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_dbl);
	for (j = 0; j < 4; j++) {
		double h = (double)(n - 1) * (j + 1) / 5.0, fl = floor(h);
		size_t i = (size_t)fl;
		e[j] =
		    i + 1 < n ? s[i] + (h - fl) * (s[i + 1] - s[i]) : s[n - 1];
	}
}

static int
score(double x, const double e[4])
{
	int j, k = 1;

	for (j = 0; j < 4; j++)
		k += e[j] < x;
	return k;
}

struct named {
	const char *name;
	uint32_t id;
};

static int
cmp_named(const void *a, const void *b)
{
	return strcmp(((const struct named *)a)->name,
	    ((const struct named *)b)->name);
}

static int
write_out(const struct am_strtab *t, const struct cust *cu, size_t n,
    const struct am_rfm_opts *o, long ref, FILE *out, struct am_err *err)
{
	struct am_csv_writer w;
	struct named *order = malloc((n ? n : 1) * sizeof(*order));
	double *v = malloc(3 * (n ? n : 1) * sizeof(*v));
	double *s = malloc((n ? n : 1) * sizeof(*s)), e[3][4];
	size_t i;
	int j;
	char cell[4];

	if (order == NULL || v == NULL || s == NULL) {
		free(order);
		free(v);
		free(s);
		return am_seterr(err, AM_ENOMEM, "out of memory");
	}
	for (i = 0; i < n; i++) {
		order[i].name = am_strtab_get(t, (uint32_t)i);
		order[i].id = (uint32_t)i;
		v[i] = (double)(ref - cu[i].last);
		v[n + i] = (double)cu[i].orders;
		v[2 * n + i] = cu[i].money;
	}
	qsort(order, n, sizeof(*order), cmp_named);
	if (o->scores && n > 0)
		for (j = 0; j < 3; j++)
			edges(v + (size_t)j * n, s, n, e[j]);
	am_csv_writer_init(&w, out, ',');
	am_csv_puts(&w, o->customer);
	am_csv_puts(&w, "recency");
	am_csv_puts(&w, "frequency");
	am_csv_puts(&w, "monetary");
	am_csv_puts(&w, "mean");
	am_csv_puts(&w, "tenure");
	if (o->scores) {
		am_csv_puts(&w, "r_score");
		am_csv_puts(&w, "f_score");
		am_csv_puts(&w, "m_score");
		am_csv_puts(&w, "rfm");
	}
	am_csv_end(&w);
	for (i = 0; i < n; i++) {
		size_t k = order[i].id;
		const struct cust *c = &cu[k];
		am_csv_puts(&w, order[i].name);
		am_csv_put_double(&w, (double)(ref - c->last));
		am_csv_put_double(&w, (double)c->orders);
		am_csv_put_double(&w, c->money);
		am_csv_put_double(&w, c->money / (double)c->orders);
		am_csv_put_double(&w, (double)(ref - c->first));
		if (o->scores) {
			int r = 6 - score(v[k], e[0]);
			int f = score(v[n + k], e[1]);
			int m = score(v[2 * n + k], e[2]);
			cell[0] = (char)('0' + r);
			cell[1] = (char)('0' + f);
			cell[2] = (char)('0' + m);
			cell[3] = '\0';
			am_csv_put_double(&w, r);
			am_csv_put_double(&w, f);
			am_csv_put_double(&w, m);
			am_csv_puts(&w, cell);
		}
		am_csv_end(&w);
	}
	free(order);
	free(v);
	free(s);
	if (ferror(out))
		return am_seterr(err, AM_EIO, "write error");
	return 0;
}

int
am_rfm_run(struct am_csv_reader *in, const struct am_rfm_opts *o, FILE *out,
    struct am_rfm_stats *st, struct am_err *err)
{
	struct am_rfm_stats z = { 0 };
	struct am_strtab *t = NULL;
	struct pairset ps = { 0 };
	struct cust *cu = NULL;
	size_t cap = 0;
	long cc, cd, ca, cq, cp, co, days, secs, maxday = 0;
	double amt, q, p;
	uint32_t id;
	uint64_t h;
	int rc;

	if ((rc = col(in, o->customer, &cc, err)) != 0 ||
	    (rc = col(in, o->date, &cd, err)) != 0 ||
	    (rc = col(in, o->amount, &ca, err)) != 0 ||
	    (rc = col(in, o->qty, &cq, err)) != 0 ||
	    (rc = col(in, o->price, &cp, err)) != 0 ||
	    (rc = col(in, o->order, &co, err)) != 0)
		return rc;
	if ((t = am_strtab_new(err)) == NULL)
		return AM_ENOMEM;
	while ((rc = am_csv_next(in, err)) == 1) {
		z.rows++;
		if (am_csv_missing(in, (size_t)cc)) {
			z.skipped_customer++;
			continue;
		}
		if (ca >= 0) {
			if ((rc = number(in, ca, "amount", &amt, err)) != 0)
				goto out;
		} else {
			if ((rc = number(in, cq, "quantity", &q, err)) != 0 ||
			    (rc = number(in, cp, "price", &p, err)) != 0)
				goto out;
			amt = q * p;
		}
		if (!(amt >= 0)) {
			z.skipped_amount++;
			continue;
		}
		if (am_csv_missing(in, (size_t)cd) ||
		    am_date_parse(am_csv_field(in, (size_t)cd),
		        am_csv_len(in, (size_t)cd), &days, &secs) != 0) {
			rc = am_seterr(err, AM_EFORMAT,
			    "%s:%lu: date '%.40s' is not a date",
			    am_csv_name(in), am_csv_line(in),
			    am_csv_field(in, (size_t)cd));
			goto out;
		}
		if ((rc = am_strtab_intern(t, am_csv_field(in, (size_t)cc),
		         am_csv_len(in, (size_t)cc), &id, err)) != 0)
			goto nomem;
		if (id >= cap) {
			size_t nc = cap ? 2 * cap : 1024;
			struct cust *n = realloc(cu, nc * sizeof(*n));
			if (n == NULL)
				goto nomem;
			cu = n;
			cap = nc;
		}
		if (id == z.customers) { /* numbered in order of appearance */
			memset(&cu[id], 0, sizeof(cu[id]));
			cu[id].first = cu[id].last = days;
			z.customers++;
		}
		if (days < cu[id].first)
			cu[id].first = days;
		if (days > cu[id].last)
			cu[id].last = days;
		if (z.customers == 1 || days > maxday)
			maxday = days;
		cu[id].money += amt;
		h = co >= 0 ? am_hash64(am_csv_field(in, (size_t)co),
		                  am_csv_len(in, (size_t)co), 1)
		            : (uint64_t)(days * 86400 + secs);
		if ((rc = pair_add(&ps, id, h)) < 0)
			goto nomem;
		cu[id].orders += (unsigned long long)rc;
	}
	if (rc != 0)
		goto out;
	z.ref_days = o->has_ref ? o->ref_days : maxday + 1;
	rc = write_out(t, cu, (size_t)z.customers, o, z.ref_days, out, err);
	goto out;
nomem:
	rc = am_seterr(err, AM_ENOMEM, "out of memory");
out:
	if (st != NULL)
		*st = z;
	am_strtab_free(t);
	free(cu);
	free(ps.h);
	free(ps.c);
	return rc;
}
