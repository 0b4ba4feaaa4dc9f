/*
 * The tapset index: which tapset file defines which names, so that
 * stap-resolve parses only the files a script needs (sym.c asks by
 * name as it binds, and by probe point before it expands).  For each
 * *.stp file of the tapset directories it holds the names the file's
 * top-level declarations define: functions, globals, and the first
 * components of its probe aliases' names.
 *
 * A scan of the file's tokens finds them without a parse.  It takes
 * every branch of every %( %) conditional, so the names are a superset
 * of what any kernel, architecture or -D would give; that is all the
 * index must be, since it only chooses what to parse, and what is
 * defined comes from the parse.  A file the scan cannot follow (braces
 * that do not balance, a macro or other @-word at the top level, a
 * token the lexer refuses, a file it cannot stat) is marked "always":
 * it is parsed whatever the script uses.
 *
 * A scan costs about what a parse does, so its result is kept, a file
 * per directory, in $XDG_CACHE_HOME/stap-resolve/tapset-index (or
 * ~/.cache/...; not stap-bpf's cache of .bo files, which holds only
 * those), with each file's size, device, inode, mtime and ctime.
 * A file whose stat differs, or one the index does not know, is scanned
 * again, and the index written anew (a temporary file renamed over the
 * old one, so that runs in parallel never read half an index).  An
 * index that does not read as one is ignored.  With no cache to write
 * to, or a directory of less than INDEX_MIN bytes of *.stp (a file of
 * the cache each would be litter), the scan is done every run.
 */
#define _XOPEN_SOURCE 700  /* realpath */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "resolve.h"

/* Under $XDG_CACHE_HOME: stap-bpf's own directory holds only .bo files */
#define CACHE_SUB "stap-resolve/tapset-index"

/* Bump when the scan changes: an index of an older scan is not used */
#define TAPIDX_FORMAT "stap-tapset-index 2"

enum { NSTAT = 7 };    /* size dev ino mtime(s, ns) ctime(s, ns) */

/* Directories with less *.stp than this are not worth an index file */
enum { INDEX_MIN = 32 << 10 };

struct tname {
	int kind;               /* 'f', 'g' or 'a' */
	const char *name;
};

struct tfile {
	const char *name;       /* in its directory */
	const char *path;       /* DIR/name, DIR as given */
	long long st[NSTAT];
	int always;
	struct tname *names;
	size_t nnames, capnames;
};

/* The files defining one name of one kind, in load order */
struct defs {
	int *files;
	size_t n, cap;
};

static struct tfile *files;
static size_t nfiles, capfiles;
static struct hash defidx[3];   /* by kind: name -> index in defs */
static struct defs *defs;
static size_t ndefs, capdefs;
static const char **anames;     /* the distinct alias components */
static size_t nanames, capanames;
static int noneof[] = { -1 };

/*
 * vgrow in the arena: tapidx_reset forgets the tables without freeing
 * them (a fuzzer resets every run), and the arena frees them at exit
 */
static void *
agrow(void *p, size_t *cap, size_t need, size_t elsz)
{
	void *q;

	if (need <= *cap)
		return p;
	*cap = *cap ? 2 * *cap : 8;
	if (*cap < need)
		*cap = need;
	q = arena_alloc(*cap * elsz);
	if (p)
		memcpy(q, p, (need - 1) * elsz);
	return q;
}

static int
kindix(int kind)
{
	return kind == 'f' ? 0 : kind == 'g' ? 1 : 2;
}

/* Forget the index: the next tapidx_open reads it afresh. */
void
tapidx_reset(void)
{
	files = NULL;
	nfiles = capfiles = 0;
	memset(defidx, 0, sizeof defidx);
	defs = NULL;
	ndefs = capdefs = 0;
	anames = NULL;
	nanames = capanames = 0;
}

static void
add_name(struct tfile *f, int kind, const char *name)
{
	size_t i;

	for (i = 0; i < f->nnames; i++)
		if (f->names[i].kind == kind && !strcmp(f->names[i].name, name))
			return;
	f->names = agrow(f->names, &f->capnames, f->nnames + 1,
	    sizeof *f->names);
	f->names[f->nnames].kind = kind;
	f->names[f->nnames++].name = name;
}

/* ---- the scan ---- */

static int
isop(const struct token *t, enum op op)
{
	return t->kind == TK_OP && t->op == op;
}

static int
iskw(const struct token *t, const char *w)
{
	return t->kind == TK_IDENT && !strcmp(t->str, w);
}

/* Past an @define's body, %( ... %) with its nesting; 0 at EOF */
static int
skip_define(struct lexer *lx)
{
	struct token t;
	int nest = 0;

	for (;;) {
		lex_next(lx, &t);
		if (t.kind == TK_EOF)
			return 0;
		if (isop(&t, O_PPOPEN))
			nest++;
		else if (isop(&t, O_PPCLOSE) && nest > 0 && --nest == 0)
			return 1;
	}
}

enum { MAXCOND = 64 };

/*
 * The names the top-level declarations of source file define.  Only
 * the heads matter: "probe NAME[.…], NAME = …" (an alias), "function
 * NAME", "global NAME[…] [= literal], NAME…", "private" before the last
 * two; a body is skipped by its braces.  In a conditional each branch
 * starts where the conditional did (depth and state): both must end at
 * the same depth.
 */
static void
scan(struct tfile *f, int file)
{
	enum { TOP, PROBE, FUNC, GLOBAL, GLOBALREST } st = TOP;
	int depth = 0, parens = 0, first = 0, ncond = 0;
	int cstart[MAXCOND], cthen[MAXCOND], cstate[MAXCOND], cfirst[MAXCOND];
	const char **pend = NULL;
	size_t npend = 0, cappend = 0, i;
	struct lexer lx;
	struct token t;

	lex_init(&lx, file, NULL);
	for (lex_next(&lx, &t); t.kind != TK_EOF; lex_next(&lx, &t)) {
		if (t.kind == TK_OP && t.op == O_NONE)
			goto always;
		if (t.kind == TK_AT && !strcmp(t.str, "@define")) {
			if (!skip_define(&lx))
				goto always;
			continue;
		}
		if (isop(&t, O_PPOPEN)) {
			if (ncond == MAXCOND)
				goto always;
			cstart[ncond] = depth;
			cstate[ncond] = st;
			cfirst[ncond] = first;
			cthen[ncond++] = -1;
			/* the condition, up to its %?, defines nothing */
			do
				lex_next(&lx, &t);
			while (t.kind != TK_EOF && !isop(&t, O_PPTHEN));
			if (t.kind == TK_EOF)
				goto always;
			continue;
		}
		if (isop(&t, O_PPELSE) && ncond > 0) {
			/* the other branch, from where the first began */
			cthen[ncond - 1] = depth;
			depth = cstart[ncond - 1];
			st = cstate[ncond - 1];
			first = cfirst[ncond - 1];
			continue;
		}
		if (isop(&t, O_PPCLOSE) && ncond > 0) {
			ncond--;
			if (cthen[ncond] >= 0 && cthen[ncond] != depth)
				goto always;
			continue;
		}
		if (t.kind == TK_OP && (t.op == O_PPTHEN || t.op == O_PPELSE ||
		    t.op == O_PPCLOSE))
			goto always;
		if (depth > 0) {
			if (isop(&t, O_LBRACE))
				depth++;
			else if (isop(&t, O_RBRACE))
				depth--;
			continue;
		}
again:
		switch (st) {
		case TOP:
			if (iskw(&t, "probe")) {
				st = PROBE;
				npend = 0;
				first = 1;
				parens = 0;
			} else if (iskw(&t, "function")) {
				st = FUNC;
			} else if (iskw(&t, "global")) {
				st = GLOBAL;
			} else if (isop(&t, O_LBRACE)) {
				depth++;
			} else if (isop(&t, O_RBRACE) || t.kind == TK_AT) {
				goto always;
			}
			break;
		case PROBE:
			if (isop(&t, O_LPAREN)) {
				parens++;
			} else if (isop(&t, O_RPAREN)) {
				parens--;
			} else if (parens > 0) {
				break;
			} else if (t.kind == TK_IDENT && first) {
				pend = vgrow(pend, &cappend, npend + 1,
				    sizeof *pend);
				pend[npend++] = t.str;
				first = 0;
			} else if (isop(&t, O_COMMA)) {
				first = 1;
			} else if (isop(&t, O_ASSIGN) || isop(&t, O_ADDEQ)) {
				for (i = 0; i < npend; i++)
					add_name(f, 'a', pend[i]);
				st = TOP;
			} else if (isop(&t, O_LBRACE) || t.kind == TK_AT ||
			    iskw(&t, "if")) {
				st = TOP;
				goto again;
			}
			break;
		case FUNC:
			st = TOP;
			if (t.kind != TK_IDENT)
				goto again;
			add_name(f, 'f', t.str);
			break;
		case GLOBAL:
			if (iskw(&t, "global") || iskw(&t, "private"))
				break;
			if (t.kind != TK_IDENT || lex_iskeyword(t.str)) {
				st = TOP;
				goto again;
			}
			add_name(f, 'g', t.str);
			st = GLOBALREST;
			break;
		case GLOBALREST:
			if (isop(&t, O_COMMA)) {
				st = GLOBAL;
			} else if (t.kind == TK_IDENT || t.kind == TK_AT ||
			    isop(&t, O_LBRACE) || isop(&t, O_RBRACE)) {
				st = TOP;
				goto again;
			}
			break;
		}
	}
	if (depth == 0 && ncond == 0) {
		free(pend);
		return;
	}
always:
	free(pend);
	f->always = 1;
}

/* Scan the file at f->path; one the scan cannot read is "always" */
static void
scan_path(struct tfile *f)
{
	int fd = open(f->path, O_RDONLY), file;
	size_t len;
	char *text;

	f->nnames = 0;
	f->always = 0;
	if (fd < 0) {
		f->always = 1;  /* loading it says why it cannot be read */
		return;
	}
	text = src_slurp(fd, NULL, 0, f->path, 1, &len);
	close(fd);
	file = src_add(f->path, text, len);
	free(text);
	scan(f, file);
}

/* ---- the index file ---- */

/* $XDG_CACHE_HOME/stap-resolve/tapset-index, made if need be; or NULL */
static const char *
cache_dir(int make)
{
	static char path[PATH_MAX];
	const char *x = getenv("XDG_CACHE_HOME"), *h = getenv("HOME");
	char *p;

	if (x && x[0] == '/')
		snprintf(path, sizeof path, "%s/%s", x, CACHE_SUB);
	else if (h && h[0] == '/')
		snprintf(path, sizeof path, "%s/.cache/%s", h, CACHE_SUB);
	else
		return NULL;
	if (!make)
		return path;
	for (p = path + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST) {
			*p = '/';
			return NULL;
		}
		*p = '/';
	}
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return NULL;
	return path;
}

/* The index file of directory real (a real path), or NULL */
static const char *
index_path(const char *real, int make)
{
	static char path[PATH_MAX + 64];
	const char *d = cache_dir(make);

	if (!d)
		return NULL;
	snprintf(path, sizeof path, "%s/%08x.idx", d, hash_str(real));
	return path;
}

/* The whole of path, NUL-terminated, in the arena; NULL if it cannot
 * be read, never fatal */
static char *
read_all(const char *path)
{
	int fd = open(path, O_RDONLY);
	struct stat sb;
	size_t len = 0;
	ssize_t k = 1;
	char *buf;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || sb.st_size < 0 ||
	    sb.st_size >= INPUT_MAX) {
		close(fd);
		return NULL;
	}
	buf = arena_alloc((size_t)sb.st_size + 1);
	while (len < (size_t)sb.st_size &&
	    (k = read(fd, buf + len, (size_t)sb.st_size - len)) > 0)
		len += (size_t)k;
	close(fd);
	if (k < 0 || memchr(buf, '\0', len))
		return NULL;
	buf[len] = '\0';
	return buf;
}

/* The next line of *pp, NUL-terminated in place, or NULL at the end */
static char *
line(char **pp)
{
	char *s = *pp, *nl;

	if (!*s)
		return NULL;
	if ((nl = strchr(s, '\n'))) {
		*nl = '\0';
		*pp = nl + 1;
	} else {
		*pp = s + strlen(s);
	}
	return s;
}

/*
 * An index ends "sum HASH", the FNV-1a hash of all before that line,
 * then "end": a file cut short or changed is not believed.  1 if buf's
 * sum is right, with buf cut at its sum line.
 */
static int
sum_ok(char *buf)
{
	size_t len = strlen(buf), at;
	const char *want;
	char have[16];

	if (len < 5 || strcmp(buf + len - 5, "\nend\n"))
		return 0;
	buf[len - 5] = '\0';
	for (at = len - 5; at > 0 && buf[at - 1] != '\n'; at--)
		;
	if (strncmp(buf + at, "sum ", 4))
		return 0;
	want = buf + at + 4;
	buf[at] = '\0';
	snprintf(have, sizeof have, "%08x", (unsigned)hash_str(buf));
	return !strcmp(have, want);
}

/*
 * The files of the index text buf for directory real, as the entries
 * of old (a table of their names in *oldidx); 0 if buf is not an index
 * of that directory, and then none.
 */
static int
read_index(char *buf, const char *real, struct tfile **old, size_t *nold,
    struct hash *oldidx)
{
	size_t cap = 0, n;
	struct tfile *f = NULL;
	const char *name, *why;
	char *p = buf, *l, *q;
	int k;

	*old = NULL;
	*nold = 0;
	if (!sum_ok(buf))
		return 0;
	if (!(l = line(&p)) || strcmp(l, TAPIDX_FORMAT))
		return 0;
	if (!(l = line(&p)) || strncmp(l, "dir ", 4))
		return 0;
	q = l + 4;
	if (!(name = arena_unquote((const char **)&q, &n, &why)) || *q ||
	    strcmp(name, real))
		return 0;
	while ((l = line(&p))) {
		if (!strncmp(l, "file ", 5)) {
			q = l + 5;
			if (!(name = arena_unquote((const char **)&q, &n,
			    &why)) || strlen(name) != n)
				return 0;
			*old = vgrow(*old, &cap, *nold + 1, sizeof **old);
			f = &(*old)[(*nold)++];
			memset(f, 0, sizeof *f);
			f->name = name;
			for (k = 0; k < NSTAT; k++) {
				if (*q++ != ' ' || *q < '0' || *q > '9')
					return 0;
				for (f->st[k] = 0; *q >= '0' && *q <= '9'; q++)
					f->st[k] = f->st[k] * 10 + (*q - '0');
			}
			if (!strcmp(q, " always"))
				f->always = 1;
			else if (*q)
				return 0;
		} else if (f && (l[0] == 'f' || l[0] == 'g' || l[0] == 'a') &&
		    l[1] == ' ' && l[2] && !strpbrk(l + 2, " \t")) {
			/* each once, as the scan wrote them: no add_name */
			f->names = agrow(f->names, &f->capnames,
			    f->nnames + 1, sizeof *f->names);
			f->names[f->nnames].kind = l[0];
			f->names[f->nnames++].name = l + 2;
		} else {
			return 0;
		}
	}
	for (n = 0; n < *nold; n++)
		hash_set(oldidx, (*old)[n].name, (long)n);
	return 1;
}

/* Write the index of directory real, files [from, to) of the table */
static void
write_index(const char *real, size_t from, size_t to)
{
	const char *path = index_path(real, 1);
	char tmp[PATH_MAX + 128], *text = NULL;
	size_t i, j, len = 0;
	FILE *fp;
	int k;

	if (!path)
		return;
	snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
	if (!(fp = open_memstream(&text, &len)))
		return;
	fprintf(fp, "%s\ndir %s\n", TAPIDX_FORMAT,
	    arena_quote(real, strlen(real)));
	for (i = from; i < to; i++) {
		struct tfile *f = &files[i];

		fprintf(fp, "file %s", arena_quote(f->name, strlen(f->name)));
		for (k = 0; k < NSTAT; k++)
			fprintf(fp, " %lld", f->st[k]);
		fputs(f->always ? " always\n" : "\n", fp);
		for (j = 0; j < f->nnames; j++)
			fprintf(fp, "%c %s\n", f->names[j].kind,
			    f->names[j].name);
	}
	if (fclose(fp) != 0)
		return;
	if ((fp = fopen(tmp, "w"))) {
		fprintf(fp, "%ssum %08x\nend\n", text,
		    (unsigned)hash_str(text));
		if (fclose(fp) != 0 || rename(tmp, path) != 0)
			unlink(tmp);
	}
	free(text);
}

static void
stat_key(const char *path, long long *st)
{
	struct stat sb;

	if (stat(path, &sb) < 0) {
		memset(st, 0, NSTAT * sizeof *st);
		return;
	}
	st[0] = (long long)sb.st_size;
	st[1] = (long long)sb.st_dev;
	st[2] = (long long)sb.st_ino;
	st[3] = (long long)sb.st_mtim.tv_sec;
	st[4] = (long long)sb.st_mtim.tv_nsec;
	st[5] = (long long)sb.st_ctim.tv_sec;
	st[6] = (long long)sb.st_ctim.tv_nsec;
}

/* The files of one directory, in name order, as parse order wants */
static void
open_dir(const char *dir)
{
	char real[PATH_MAX], *buf;
	const char *ip;
	struct dirent **e;
	struct tfile *old = NULL;
	size_t nold = 0, from = nfiles, i;
	struct hash oldidx = { 0 };
	int n = scandir(dir, &e, NULL, alphasort), j, dirty = 0;
	size_t dlen = strlen(dir);
	long long total = 0;
	long o;

	if (n < 0)
		return;
	if (!realpath(dir, real))
		snprintf(real, sizeof real, "%s", dir);
	ip = index_path(real, 0);
	if (ip && (buf = read_all(ip))) {
		if (!read_index(buf, real, &old, &nold, &oldidx))
			dirty = 1;
	} else {
		dirty = 1;
	}
	for (j = 0; j < n; j++) {
		const char *nm = e[j]->d_name;
		size_t len = strlen(nm);
		struct tfile *f;
		char *path;

		if (len <= 4 || strcmp(nm + len - 4, ".stp")) {
			free(e[j]);
			continue;
		}
		files = agrow(files, &capfiles, nfiles + 1, sizeof *files);
		f = &files[nfiles++];
		memset(f, 0, sizeof *f);
		f->name = arena_strndup(nm, len);
		f->path = path = arena_alloc(dlen + len + 2);
		memcpy(path, dir, dlen);
		path[dlen] = '/';
		memcpy(path + dlen + 1, nm, len + 1);
		stat_key(path, f->st);
		total += f->st[0];
		o = hash_get(&oldidx, f->name);
		if (o >= 0 && !memcmp(old[o].st, f->st, sizeof f->st) &&
		    f->st[0] + f->st[2] != 0) {
			f->always = old[o].always;
			f->names = old[o].names;
			f->nnames = f->capnames = old[o].nnames;
		} else {
			scan_path(f);
			dirty = 1;
		}
		free(e[j]);
	}
	free(e);
	if (nfiles - from != nold)
		dirty = 1;      /* a file went */
	free(old);
	/* a small directory (a test's, a user's few files) is scanned
	 * at less than the index costs to keep */
	if (dirty && total >= INDEX_MIN)
		write_index(real, from, nfiles);
	for (i = from; i < nfiles; i++) {
		struct tfile *f = &files[i];
		size_t k;

		for (k = 0; k < f->nnames; k++) {
			struct hash *h = &defidx[kindix(f->names[k].kind)];
			long d = hash_get(h, f->names[k].name);
			struct defs *df;

			if (d < 0) {
				defs = agrow(defs, &capdefs, ndefs + 1,
				    sizeof *defs);
				memset(&defs[ndefs], 0, sizeof *defs);
				d = (long)ndefs++;
				hash_add(h, f->names[k].name, d);
				if (f->names[k].kind == 'a') {
					anames = agrow(anames, &capanames,
					    nanames + 1, sizeof *anames);
					anames[nanames++] = f->names[k].name;
				}
			}
			df = &defs[d];
			df->files = agrow(df->files, &df->cap, df->n + 2,
			    sizeof *df->files);
			df->files[df->n++] = (int)i;
			df->files[df->n] = -1;
		}
	}
}

/*
 * The tapset files of dirs, in the order they are parsed (directory,
 * then name), with what each defines: the number of files.
 */
size_t
tapidx_open(const char **dirs, int ndirs)
{
	int k;

	tapidx_reset();
	for (k = 0; k < ndirs; k++)
		open_dir(dirs[k]);
	return nfiles;
}

const char *
tapidx_path(size_t k)
{
	return files[k].path;
}

int
tapidx_always(size_t k)
{
	return files[k].always;
}

/* The files defining name as kind ('f', 'g' or 'a'), ending in -1 */
const int *
tapidx_defs(int kind, const char *name)
{
	long d = hash_get(&defidx[kindix(kind)], name);

	return d < 0 ? noneof : defs[d].files;
}

/* The distinct first components of the alias names, for globs */
const char *
tapidx_alias(size_t i)
{
	return i < nanames ? anames[i] : NULL;
}
