/* SPDX-License-Identifier: MIT */
/*
 * am_store.c -- the versioned model store of am_store.h.
 *
 * Everything durable is made of three POSIX guarantees: link(2) fails
 * with EEXIST rather than replace a name (a version is claimed once, and
 * only after its bytes are fsynced), rename(2) replaces a name atomically
 * (the "current" symlink and the history log), and fcntl(2) record locks
 * vanish with the process that held them (a kill -9 never leaves a store
 * locked).  The history log is replayed as a stack: "promote vN" pushes
 * N, "rollback vN" pops the current version and then down to N.  The log
 * is written before the symlink is swapped, so after a crash between the
 * two the last line describes a change "current" does not show; such a
 * line is ignored and dropped at the next write.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "am_art.h"
#include "am_io.h"
#include "am_store.h"

#include "am_banned.h"

#define HISTORY_MAX (16u << 20) /* a log longer than this is refused */

/* One line of the history log. */
struct hop {
	int rollback;    /* 0: promote */
	unsigned long v; /* the version made current */
	char when[32];   /* UTC, as written */
};

/* "A/B" in a new string, or NULL. */
static char *
join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *s = malloc(n);

	if (s != NULL)
		(void)snprintf(s, n, "%s/%s", a, b);
	return s;
}

static int
nomem(struct am_err *err)
{
	return am_seterr(err, AM_ENOMEM, "out of memory");
}

int
am_store_check_name(const char *name, struct am_err *err)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > AM_STORE_NAME_MAX || name[0] == '.' || name[0] == '-')
		goto bad;
	for (i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		        (name[i] >= 'A' && name[i] <= 'Z') ||
		        (name[i] >= '0' && name[i] <= '9') ||
		        strchr("._-+@", name[i]) != NULL))
			goto bad;
	return 0;
bad:
	return am_seterr(err, AM_EARG,
	    "'%.*s' is not a valid model name (letters, digits, ._-+@; not starting with '.' or '-')",
	    AM_STORE_NAME_MAX, name);
}

/* N >= 1 from its decimal digits 's' (no sign, no leading zero), or 0. */
static unsigned long
parse_n(const char *s, size_t len)
{
	unsigned long v = 0;
	size_t i;

	if (len == 0 || len > 9 || s[0] == '0')
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	return v;
}

int
am_store_parse_version(const char *s, unsigned long *out, struct am_err *err)
{
	const char *p = s[0] == 'v' ? s + 1 : s;
	unsigned long v = parse_n(p, strlen(p));

	if (v == 0)
		return am_seterr(err, AM_EARG,
		    "'%.64s' is not a version (vN or N, N from 1)", s);
	*out = v;
	return 0;
}

/* N if 'f' is exactly "vN" followed by 'suffix' (".amm"), else 0. */
static unsigned long
vname(const char *f, const char *suffix)
{
	size_t n = strlen(f), k = strlen(suffix);

	if (n < k + 2 || f[0] != 'v' || strcmp(f + n - k, suffix) != 0)
		return 0;
	return parse_n(f + 1, n - k - 1);
}

static unsigned long
version_file(const char *f)
{
	return vname(f, ".amm");
}

static int
is_temp(const char *f)
{
	return strncmp(f, ".tmp.", 5) == 0 ||
	    strncmp(f, "history.tmp.", 12) == 0;
}

/* fsync directory 'dir' so that names made in it are durable. */
static void
sync_dir(const char *dir)
{
	int fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY)) != -1) {
		(void)fsync(fd);
		(void)close(fd);
	}
}

/*
 * Lock entry directory 'dir' ('type' F_RDLCK or F_WRLCK), creating its
 * lock file if 'create'.  Returns the descriptor to close(), or -1.
 */
static int
lock_entry(const char *dir, short type, int create, struct am_err *err)
{
	char *path = join(dir, "lock");
	struct flock fl;
	int fd;

	if (path == NULL)
		return nomem(err), -1;
	fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0666);
	if (fd == -1) {
		if (errno == ENOENT)
			am_seterr(err, AM_EIO, "'%s': not a model in a store",
			    dir);
		else
			am_seterr_sys(err, errno, "cannot open '%s'", path);
		free(path);
		return -1;
	}
	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	while (fcntl(fd, F_SETLKW, &fl) == -1) {
		if (errno != EINTR) {
			am_seterr_sys(err, errno, "cannot lock '%s'", path);
			(void)close(fd);
			free(path);
			return -1;
		}
	}
	free(path);
	return fd;
}

/*
 * The version "current" in 'dir' names, or 0 when there is none, in
 * '*v'.  Returns 0, AM_EFORMAT (not a symlink to "vN.amm") or AM_EIO.
 */
static int
read_current(const char *dir, unsigned long *v, struct am_err *err)
{
	char *path = join(dir, "current"), buf[64];
	struct stat st;
	ssize_t n;

	*v = 0;
	if (path == NULL)
		return nomem(err);
	if (lstat(path, &st) != 0) {
		int e = errno;

		free(path);
		if (e == ENOENT)
			return 0;
		return am_seterr_sys(err, e, "cannot read '%s/current'", dir);
	}
	if (!S_ISLNK(st.st_mode) ||
	    (n = readlink(path, buf, sizeof(buf) - 1)) <= 0) {
		free(path);
		return am_seterr(err, AM_EFORMAT,
		    "'%s/current': not a store pointer (a symlink to vN.amm)",
		    dir);
	}
	buf[n] = '\0';
	free(path);
	if ((*v = version_file(buf)) == 0)
		return am_seterr(err, AM_EFORMAT,
		    "'%s/current': not a store pointer (a symlink to vN.amm)",
		    dir);
	return 0;
}

static int
cmp_ulong(const void *x, const void *y)
{
	const unsigned long *a = x, *b = y;

	return *a < *b ? -1 : *a > *b;
}

/*
 * The versions in 'dir', ascending, in '*out' (to free()), '*n' of them.
 * Returns 0, AM_EIO or AM_ENOMEM.
 */
static int
scan_versions(const char *dir, unsigned long **out, size_t *n,
    struct am_err *err)
{
	unsigned long *v = NULL, *nv, k;
	size_t cap = 0, cnt = 0;
	struct dirent *d;
	DIR *dp;

	if ((dp = opendir(dir)) == NULL)
		return am_seterr_sys(err, errno, "cannot open '%s'", dir);
	while ((d = readdir(dp)) != NULL) {
		if ((k = version_file(d->d_name)) == 0)
			continue;
		if (cnt == cap) {
			cap = cap ? 2 * cap : 16;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				free(v);
				(void)closedir(dp);
				return nomem(err);
			}
			v = nv;
		}
		v[cnt++] = k;
	}
	(void)closedir(dp);
	if (cnt > 1)
		qsort(v, cnt, sizeof(*v), cmp_ulong);
	*out = v;
	*n = cnt;
	return 0;
}

/* Write all of 'len' bytes to 'fd'.  Returns 0 or errno. */
static int
write_all(int fd, const unsigned char *p, size_t len)
{
	ssize_t w;

	while (len > 0) {
		if ((w = write(fd, p, len)) < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* mkdir 'path' unless it is already a directory. */
static int
ensure_dir(const char *path, struct am_err *err)
{
	struct stat st;

	if (mkdir(path, 0777) == 0)
		return 0;
	if (errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	if (errno == EEXIST)
		return am_seterr(err, AM_EIO, "'%s' is not a directory", path);
	return am_seterr_sys(err, errno, "cannot create '%s'", path);
}

/*
 * The highest version gc has removed ("vN.gone", an empty file), or 0:
 * version numbers are never given twice, so a number in the history or
 * in a user's notes always means the same bytes.
 */
static unsigned long
gone_mark(const char *dir)
{
	unsigned long k, max = 0;
	struct dirent *d;
	DIR *dp;

	if ((dp = opendir(dir)) == NULL)
		return 0;
	while ((d = readdir(dp)) != NULL)
		if ((k = vname(d->d_name, ".gone")) > max)
			max = k;
	(void)closedir(dp);
	return max;
}

/*
 * Claim the next free "vN.amm" in 'dir' for the fsynced file 'tmp':
 * link(2) never replaces a name, so a version taken by a concurrent push
 * makes us try the next one.
 */
static int
claim_version(const char *dir, const char *tmp, unsigned long *version,
    struct am_err *err)
{
	unsigned long *vs, next;
	char name[32], *path;
	size_t n;
	int rc;

	if ((rc = scan_versions(dir, &vs, &n, err)) != 0)
		return rc;
	next = n > 0 ? vs[n - 1] + 1 : 1;
	free(vs);
	if (gone_mark(dir) >= next)
		next = gone_mark(dir) + 1;
	for (; next < 1000000000UL; next++) {
		(void)snprintf(name, sizeof(name), "v%lu.amm", next);
		if ((path = join(dir, name)) == NULL)
			return nomem(err);
		if (link(tmp, path) == 0) {
			free(path);
			*version = next;
			return 0;
		}
		rc = errno;
		free(path);
		if (rc != EEXIST)
			return am_seterr_sys(err, rc, "cannot store '%s/%s'",
			    dir, name);
	}
	return am_seterr(err, AM_EIO, "'%s': no free version number", dir);
}

int
am_store_push(const char *store, const char *name, const char *file,
    unsigned long *version, struct am_err *err)
{
	unsigned char *data = NULL;
	char *dir = NULL, *tmp = NULL;
	struct am_art *a;
	size_t len = 0;
	int rc, fd = -1, lk = -1, e, made = 0;
	mode_t mask;

	if ((rc = am_store_check_name(name, err)) != 0)
		return rc;
	if ((rc = am_read_file(file, AM_ART_MAX_BYTES, &data, &len, err)) != 0)
		return rc;
	a = am_art_decode(data, len, strcmp(file, "-") == 0 ? "<stdin>" : file,
	    NULL, err);
	if (a == NULL) {
		free(data);
		return err != NULL ? err->code : AM_EFORMAT;
	}
	am_art_free(a);
	if ((rc = ensure_dir(store, err)) != 0)
		goto out;
	if ((dir = join(store, name)) == NULL ||
	    (tmp = join(dir, ".tmp.XXXXXX")) == NULL) {
		rc = nomem(err);
		goto out;
	}
	if ((rc = ensure_dir(dir, err)) != 0)
		goto out;
	if ((lk = lock_entry(dir, F_RDLCK, 1, err)) == -1) {
		rc = err != NULL ? err->code : AM_EIO;
		goto out;
	}
	if ((fd = mkstemp(tmp)) == -1) {
		rc = am_seterr_sys(err, errno, "cannot create a file in '%s'",
		    dir);
		goto out;
	}
	made = 1;
	mask = umask(0);
	(void)umask(mask);
	if ((e = write_all(fd, data, len)) != 0 || fsync(fd) != 0 ||
	    fchmod(fd, 0444 & ~mask) != 0) {
		rc =
		    am_seterr_sys(err, e ? e : errno, "cannot write '%s'", tmp);
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		rc = am_seterr_sys(err, errno, "cannot write '%s'", tmp);
		goto out;
	}
	fd = -1;
	rc = claim_version(dir, tmp, version, err);
out:
	if (fd != -1)
		(void)close(fd);
	if (made)
		(void)unlink(tmp); /* a version, if claimed, is another link */
	if (rc == 0)
		sync_dir(dir);
	if (lk != -1)
		(void)close(lk);
	free(tmp);
	free(dir);
	free(data);
	return rc;
}

static int
cmp_str(const void *x, const void *y)
{
	const char *const *a = x, *const *b = y;

	return strcmp(*a, *b);
}

void
am_store_free_names(char **names, size_t n)
{
	size_t i;

	if (names == NULL)
		return;
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Is 'name' in 'store' an entry (a directory holding a "lock" file)? */
static int
is_entry(const char *store, const char *name)
{
	char *dir = join(store, name), *lock = dir ? join(dir, "lock") : NULL;
	struct stat st;
	int yes = lock != NULL && lstat(lock, &st) == 0 && S_ISREG(st.st_mode);

	free(lock);
	free(dir);
	return yes;
}

int
am_store_names(const char *store, char ***names, size_t *n, struct am_err *err)
{
	char **v = NULL, **nv;
	size_t cap = 0, cnt = 0;
	struct dirent *d;
	DIR *dp;

	if ((dp = opendir(store)) == NULL)
		return am_seterr_sys(err, errno, "cannot open '%s'", store);
	while ((d = readdir(dp)) != NULL) {
		if (am_store_check_name(d->d_name, NULL) != 0 ||
		    !is_entry(store, d->d_name))
			continue;
		if (cnt == cap) {
			cap = cap ? 2 * cap : 16;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL)
				goto fail;
			v = nv;
		}
		if ((v[cnt] = strdup(d->d_name)) == NULL)
			goto fail;
		cnt++;
	}
	(void)closedir(dp);
	if (cnt > 1)
		qsort(v, cnt, sizeof(*v), cmp_str);
	*names = v;
	*n = cnt;
	return 0;
fail:
	(void)closedir(dp);
	am_store_free_names(v, cnt);
	return nomem(err);
}

/* The entry directory of 'name', checked to exist, in '*dir'. */
static int
entry_dir(const char *store, const char *name, char **dir, struct am_err *err)
{
	int rc;

	*dir = NULL;
	if ((rc = am_store_check_name(name, err)) != 0)
		return rc;
	if (!is_entry(store, name))
		return am_seterr(err, AM_EIO, "no model '%s' in store '%s'",
		    name, store);
	if ((*dir = join(store, name)) == NULL)
		return nomem(err);
	return 0;
}

/* Fill 'v' from the file of version 'k' in 'dir'. */
static int
read_version(const char *dir, unsigned long k, struct am_store_ver *v,
    struct am_err *err)
{
	unsigned char *data = NULL;
	char name[32], *path;
	struct am_art *a;
	struct stat st;
	size_t len = 0;
	int rc;

	memset(v, 0, sizeof(*v));
	v->version = k;
	(void)snprintf(name, sizeof(name), "v%lu.amm", k);
	if ((path = join(dir, name)) == NULL)
		return nomem(err);
	if (stat(path, &st) != 0) {
		rc = am_seterr_sys(err, errno, "cannot read '%s'", path);
		free(path);
		return rc;
	}
	v->size = (unsigned long long)st.st_size;
	v->mtime = (long long)st.st_mtime;
	rc = am_read_file(path, AM_ART_MAX_BYTES, &data, &len, err);
	free(path);
	if (rc == AM_ELIMIT)
		return 0; /* listed, not valid */
	if (rc != 0)
		return rc;
	if ((a = am_art_decode(data, len, name, NULL, NULL)) != NULL) {
		v->valid = 1;
		memcpy(v->sha256, am_art_sha256(a), sizeof(v->sha256));
		(void)snprintf(v->kind, sizeof(v->kind), "%s", am_art_kind(a));
		(void)snprintf(v->algo, sizeof(v->algo), "%s", am_art_algo(a));
		am_art_free(a);
	} else
		am_sha256_hex(data, len, v->sha256);
	free(data);
	return 0;
}

int
am_store_versions(const char *store, const char *name,
    struct am_store_ver **out, size_t *n, unsigned long *current,
    struct am_err *err)
{
	struct am_store_ver *v = NULL;
	unsigned long *ks = NULL;
	size_t nk = 0, i;
	char *dir;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = entry_dir(store, name, &dir, err)) != 0)
		return rc;
	if ((rc = read_current(dir, current, err)) != 0 ||
	    (rc = scan_versions(dir, &ks, &nk, err)) != 0)
		goto out;
	if (nk > 0 && (v = calloc(nk, sizeof(*v))) == NULL) {
		rc = nomem(err);
		goto out;
	}
	for (i = 0; i < nk; i++)
		if ((rc = read_version(dir, ks[i], &v[i], err)) != 0)
			goto out;
	*out = v;
	*n = nk;
	v = NULL;
out:
	free(v);
	free(ks);
	free(dir);
	return rc;
}

/* Parse the history log of 'dir' into '*ops' (to free()), '*n' lines. */
static int
read_history(const char *dir, struct hop **ops, size_t *n, struct am_err *err)
{
	char *path = join(dir, "history"), *p, *end, *nl, *w, *t;
	unsigned char *data = NULL;
	struct hop *h = NULL;
	size_t len = 0, cnt = 0, line = 0;
	struct stat st;
	int rc;

	*ops = NULL;
	*n = 0;
	if (path == NULL)
		return nomem(err);
	if (lstat(path, &st) != 0 && errno == ENOENT) {
		free(path);
		return 0;
	}
	if ((rc = am_read_file(path, HISTORY_MAX, &data, &len, err)) != 0) {
		free(path);
		return rc;
	}
	/* At most one operation per newline. */
	for (p = (char *)data; p < (char *)data + len; p++)
		cnt += *p == '\n';
	if (cnt > 0 && (h = calloc(cnt, sizeof(*h))) == NULL) {
		free(data);
		free(path);
		return nomem(err);
	}
	cnt = 0;
	end = (char *)data + len;
	for (p = (char *)data; p < end; p = nl + 1) {
		line++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			goto bad; /* the log always ends in a newline */
		*nl = '\0';
		if ((w = strchr(p, ' ')) == NULL ||
		    (t = strchr(w + 1, ' ')) == NULL ||
		    (size_t)(nl - t) > sizeof(h[cnt].when))
			goto bad;
		*w = *t = '\0';
		if (strcmp(p, "promote") == 0)
			h[cnt].rollback = 0;
		else if (strcmp(p, "rollback") == 0)
			h[cnt].rollback = 1;
		else
			goto bad;
		if (am_store_parse_version(w + 1, &h[cnt].v, NULL) != 0 ||
		    w[1] != 'v')
			goto bad;
		memcpy(h[cnt].when, t + 1, (size_t)(nl - t));
		cnt++;
	}
	free(data);
	free(path);
	*ops = h;
	*n = cnt;
	return 0;
bad:
	rc = am_seterr(err, AM_EFORMAT, "%s:%zu: malformed history line", path,
	    line);
	free(h);
	free(data);
	free(path);
	return rc;
}

/* Replay 'n' operations into 'st' (room for n + 1); the depth. */
static size_t
replay(const struct hop *h, size_t n, unsigned long *st)
{
	size_t d = 0, i;

	for (i = 0; i < n; i++) {
		if (!h[i].rollback) {
			st[d++] = h[i].v;
			continue;
		}
		if (d > 0)
			d--;
		while (d > 0 && st[d - 1] != h[i].v)
			d--;
		if (d == 0)
			st[d++] = h[i].v;
	}
	return d;
}

/*
 * An entry opened for a change (promote, rollback, gc): its directory,
 * held under the write lock, and once load_state() ran, its promotion
 * state: the committed log, the stack it replays to, the current version.
 */
struct entry {
	char *dir;       /* STORE/NAME */
	int lock;        /* descriptor of the write lock, or -1 */
	struct hop *ops; /* the committed log, 'nops' lines */
	size_t nops;
	unsigned long *st; /* its stack, 'depth' deep */
	size_t depth;
	unsigned long cur; /* the current version, 0 when none */
};

static void
entry_close(struct entry *e)
{
	if (e->lock != -1)
		(void)close(e->lock);
	free(e->st);
	free(e->ops);
	free(e->dir);
	memset(e, 0, sizeof(*e));
	e->lock = -1;
}

/*
 * Open entry 'name' of 'store' into 'e' and take its write lock.  'e' is
 * to entry_close() whatever the result.
 */
static int
entry_open(const char *store, const char *name, struct entry *e,
    struct am_err *err)
{
	int rc;

	memset(e, 0, sizeof(*e));
	e->lock = -1;
	if ((rc = entry_dir(store, name, &e->dir, err)) != 0)
		return rc;
	if ((e->lock = lock_entry(e->dir, F_WRLCK, 0, err)) == -1)
		return err != NULL ? err->code : AM_EIO;
	return 0;
}

/*
 * Read the promotion state of the open entry 'e': the current version,
 * the committed log and its stack, in which the current version is on
 * top.
 */
static int
load_state(struct entry *e, struct am_err *err)
{
	size_t d;
	int rc;

	if ((rc = read_current(e->dir, &e->cur, err)) != 0 ||
	    (rc = read_history(e->dir, &e->ops, &e->nops, err)) != 0)
		return rc;
	if ((e->st = calloc(e->nops + 2, sizeof(*e->st))) == NULL)
		return nomem(err);
	d = replay(e->ops, e->nops, e->st);
	if (e->cur == 0) {
		e->depth = 0;
		return 0;
	}
	if (d > 0 && e->st[d - 1] == e->cur) {
		e->depth = d;
		return 0;
	}
	/* The last line was never committed by the symlink swap: drop it. */
	if (e->nops > 0) {
		d = replay(e->ops, e->nops - 1, e->st);
		if (d > 0 && e->st[d - 1] == e->cur) {
			e->nops--;
			e->depth = d;
			return 0;
		}
	}
	/* A log that does not explain "current" (edited by hand): go on. */
	d = replay(e->ops, e->nops, e->st);
	e->st[d++] = e->cur;
	e->depth = d;
	return 0;
}

static void
utc_now(char out[32])
{
	time_t t = time(NULL);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		(void)snprintf(out, 32, "1970-01-01T00:00:00Z");
}

/* Rewrite the log of 'dir' as 'ops' plus one line, atomically. */
static int
write_history(const char *dir, const struct hop *ops, size_t n, int rollback,
    unsigned long v, struct am_err *err)
{
	char *path = join(dir, "history"), line[96], when[32];
	struct am_buf b = AM_BUF_INIT;
	size_t i;
	int rc, k;

	if (path == NULL)
		return nomem(err);
	for (i = 0; i <= n; i++) {
		if (i == n)
			utc_now(when);
		k = snprintf(line, sizeof(line), "%s v%lu %s\n",
		    (i < n ? ops[i].rollback : rollback) ? "rollback"
		                                         : "promote",
		    i < n ? ops[i].v : v, i < n ? ops[i].when : when);
		am_buf_put(&b, line, (size_t)k);
	}
	if (am_buf_error(&b))
		rc = nomem(err);
	else
		rc = am_write_file_atomic(path, b.data, b.len, err);
	am_buf_release(&b);
	free(path);
	return rc;
}

/* Point "current" of 'dir' at version 'v': a new symlink renamed over. */
static int
set_current(const char *dir, unsigned long v, struct am_err *err)
{
	char target[32], tname[64], *tmp = NULL, *cur;
	unsigned i;
	int rc = 0;

	(void)snprintf(target, sizeof(target), "v%lu.amm", v);
	if ((cur = join(dir, "current")) == NULL)
		return nomem(err);
	for (i = 0; i < 1000; i++) {
		(void)snprintf(tname, sizeof(tname), ".tmp.current.%ld.%u",
		    (long)getpid(), i);
		if ((tmp = join(dir, tname)) == NULL) {
			free(cur);
			return nomem(err);
		}
		if (symlink(target, tmp) == 0)
			break;
		rc = errno;
		free(tmp);
		tmp = NULL;
		if (rc != EEXIST) {
			free(cur);
			return am_seterr_sys(err, rc, "cannot create '%s/%s'",
			    dir, tname);
		}
	}
	if (tmp == NULL)
		rc = am_seterr(err, AM_EIO, "cannot create a symlink in '%s'",
		    dir);
	else if (rename(tmp, cur) != 0) {
		rc = am_seterr_sys(err, errno, "cannot update '%s'", cur);
		(void)unlink(tmp);
	} else {
		rc = 0;
		sync_dir(dir);
	}
	free(tmp);
	free(cur);
	return rc;
}

/* Does version 'v' of 'dir' exist (and verify, if 'check')? */
static int
version_ok(const char *dir, unsigned long v, int check, struct am_err *err)
{
	char name[32], *path;
	struct am_art *a;
	struct stat st;
	int rc = 0;

	(void)snprintf(name, sizeof(name), "v%lu.amm", v);
	if ((path = join(dir, name)) == NULL)
		return nomem(err);
	if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
		rc = am_seterr(err, AM_EMODEL, "'%s': no version v%lu", dir, v);
	else if (check && (a = am_art_load(path, NULL, err)) == NULL)
		rc = err != NULL ? err->code : AM_EFORMAT;
	else if (check)
		am_art_free(a);
	free(path);
	return rc;
}

/* Change current of the open entry 'e' to 'v', logging the operation. */
static int
change(const struct entry *e, int rollback, unsigned long v, struct am_err *err)
{
	int rc = write_history(e->dir, e->ops, e->nops, rollback, v, err);

	return rc != 0 ? rc : set_current(e->dir, v, err);
}

/*
 * Where a rollback of the open entry 'e' goes when its stack is '*d' deep
 * with version 'top' on top: below, the first version other than 'top'
 * that gc has left.  Returns that version and sets '*d' to the depth it
 * is on top of, or returns 0 when there is none.  Repeated calls follow
 * repeated rollbacks.
 */
static unsigned long
next_target(const struct entry *e, size_t *d, unsigned long top)
{
	size_t k = *d > 0 ? *d - 1 : 0;

	while (k > 0 &&
	    (e->st[k - 1] == top || version_ok(e->dir, e->st[k - 1], 0, NULL)))
		k--;
	*d = k;
	return k > 0 ? e->st[k - 1] : 0;
}

int
am_store_promote(const char *store, const char *name, unsigned long version,
    struct am_err *err)
{
	struct entry e;
	int rc;

	if ((rc = entry_open(store, name, &e, err)) == 0 &&
	    (rc = version_ok(e.dir, version, 1, err)) == 0 &&
	    (rc = load_state(&e, err)) == 0 && e.cur != version)
		rc = change(&e, 0, version, err);
	entry_close(&e);
	return rc;
}

int
am_store_rollback(const char *store, const char *name, unsigned long *version,
    struct am_err *err)
{
	struct entry e;
	unsigned long v;
	size_t d;
	int rc;

	if ((rc = entry_open(store, name, &e, err)) != 0 ||
	    (rc = load_state(&e, err)) != 0)
		goto out;
	if (e.cur == 0) {
		rc = am_seterr(err, AM_EMODEL,
		    "'%s': no promoted version to roll back from", e.dir);
		goto out;
	}
	d = e.depth;
	if ((v = next_target(&e, &d, e.cur)) == 0) {
		rc = am_seterr(err, AM_EMODEL,
		    "'%s': no earlier promoted version to roll back to", e.dir);
		goto out;
	}
	*version = v;
	rc = change(&e, 1, *version, err);
out:
	entry_close(&e);
	return rc;
}

/* Remove 'f' in 'dir', telling 'fn'. */
static int
remove_file(const char *dir, const char *f,
    void (*fn)(const char *path, void *arg), void *arg, struct am_err *err)
{
	char *path = join(dir, f);
	int rc = 0;

	if (path == NULL)
		return nomem(err);
	if (unlink(path) != 0 && errno != ENOENT)
		rc = am_seterr_sys(err, errno, "cannot remove '%s'", path);
	else if (fn != NULL)
		fn(path, arg);
	free(path);
	return rc;
}

/*
 * Before the newest version 'v' of 'dir' is removed, record it in
 * "vN.gone" (the older marks go), so that the next push takes N + 1.
 */
static int
mark_gone(const char *dir, unsigned long v, struct am_err *err)
{
	unsigned long old = gone_mark(dir);
	char f[32], *path;
	int fd;

	(void)snprintf(f, sizeof(f), "v%lu.gone", v);
	if ((path = join(dir, f)) == NULL)
		return nomem(err);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0444);
	if (fd == -1 || fsync(fd) != 0) {
		int e = errno;

		if (fd != -1)
			(void)close(fd);
		free(path);
		return am_seterr_sys(err, e, "cannot create '%s/%s'", dir, f);
	}
	(void)close(fd);
	free(path);
	if (old != 0 && old != v) {
		(void)snprintf(f, sizeof(f), "v%lu.gone", old);
		if ((path = join(dir, f)) != NULL)
			(void)unlink(path);
		free(path);
	}
	sync_dir(dir);
	return 0;
}

static int
gc_entry(const char *store, const char *name, unsigned long keep,
    void (*fn)(const char *path, void *arg), void *arg, struct am_err *err)
{
	char f[32], **temps = NULL, **nt;
	size_t nv = 0, i, j, nt_ = 0, cap = 0, nback = 0, depth;
	unsigned long *vs = NULL, *back = NULL, top;
	struct entry e;
	struct dirent *d;
	const char *dir;
	DIR *dp;
	int rc;

	if ((rc = entry_open(store, name, &e, err)) != 0)
		goto out;
	dir = e.dir;
	if ((rc = load_state(&e, err)) != 0 ||
	    (rc = scan_versions(dir, &vs, &nv, err)) != 0)
		goto out;
	/* What the next 'keep' rollbacks (at least one) return to stays. */
	if ((back = calloc(e.depth + 1, sizeof(*back))) == NULL) {
		rc = nomem(err);
		goto out;
	}
	for (depth = e.depth, top = e.cur; (nback < keep || nback == 0) &&
	     (top = next_target(&e, &depth, top)) != 0;)
		back[nback++] = top;
	for (i = 0; i < nv; i++) {
		for (j = 0; j < nback && back[j] != vs[i]; j++)
			;
		if (vs[i] == e.cur || nv - i <= keep || j < nback)
			continue;
		if (i + 1 == nv && (rc = mark_gone(dir, vs[i], err)) != 0)
			goto out;
		(void)snprintf(f, sizeof(f), "v%lu.amm", vs[i]);
		if ((rc = remove_file(dir, f, fn, arg, err)) != 0)
			goto out;
	}
	/* Under the write lock no push is running: every temp is stale. */
	if ((dp = opendir(dir)) == NULL) {
		rc = am_seterr_sys(err, errno, "cannot open '%s'", dir);
		goto out;
	}
	while ((d = readdir(dp)) != NULL) {
		if (!is_temp(d->d_name))
			continue;
		if (nt_ == cap) {
			cap = cap ? 2 * cap : 8;
			if ((nt = realloc(temps, cap * sizeof(*nt))) == NULL)
				break;
			temps = nt;
		}
		if ((temps[nt_] = strdup(d->d_name)) == NULL)
			break;
		nt_++;
	}
	(void)closedir(dp);
	if (nt_ > 1)
		qsort(temps, nt_, sizeof(*temps), cmp_str);
	for (i = 0; i < nt_ && rc == 0; i++)
		rc = remove_file(dir, temps[i], fn, arg, err);
	sync_dir(dir);
out:
	am_store_free_names(temps, nt_);
	entry_close(&e);
	free(back);
	free(vs);
	return rc;
}

int
am_store_gc(const char *store, const char *name, unsigned long keep,
    void (*fn)(const char *path, void *arg), void *arg, struct am_err *err)
{
	char **names;
	size_t n, i;
	int rc;

	if (name != NULL)
		return gc_entry(store, name, keep, fn, arg, err);
	if ((rc = am_store_names(store, &names, &n, err)) != 0)
		return rc;
	for (i = 0; i < n && rc == 0; i++)
		rc = gc_entry(store, names[i], keep, fn, arg, err);
	am_store_free_names(names, n);
	return rc;
}

int
am_store_resolve(const char *path, char **out, struct am_err *err)
{
	char name[32], *lock;
	unsigned long v;
	struct stat st;
	int rc, entry;

	*out = NULL;
	if (path == NULL || strcmp(path, "-") == 0 || stat(path, &st) != 0 ||
	    !S_ISDIR(st.st_mode))
		return 0;
	if ((rc = read_current(path, &v, err)) != 0)
		return rc;
	if (v == 0) {
		if ((lock = join(path, "lock")) == NULL)
			return nomem(err);
		entry = lstat(lock, &st) == 0;
		free(lock);
		if (!entry)
			return 0;
		return am_seterr(err, AM_EMODEL,
		    "%s: no promoted version (am-model promote)", path);
	}
	(void)snprintf(name, sizeof(name), "v%lu.amm", v);
	if ((*out = join(path, name)) == NULL)
		return nomem(err);
	return 1;
}
