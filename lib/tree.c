/*
 * The stap-tree format, written and read here and nowhere else; the
 * grammar is in man/stap-tree.5.  A node is one line: its depth as two
 * blanks a level, the child slot it fills in its parent ("body:"), its
 * kind, file:line:col, then key=value attributes.  Children follow their
 * parent, one level deeper; siblings in one slot form a list in order.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "stap.h"

/* Nodes deeper than INDENT levels write their depth as a number: the
 * tree's size stays linear in the script's however deep it nests */
enum { TREE_MAJOR = 1, INDENT = 32 };

const char *node_name[] = {
#define N(kind, name) [N_##kind] = name,
#include "node.def"
#undef N
};

const char *type_name[] = {
	[T_UNKNOWN] = "unknown", [T_LONG] = "long", [T_STRING] = "string",
	[T_STATS] = "stats", [T_VOID] = "void",
};

const char *flag_name[F_NFLAGS] = {
	"optional", "sufficient", "private", "wrap", "epilogue", "addr",
	"pretty", "ppretty", "asc", "desc", "hex", "oct", "global", "local",
	"param", "builtin", "signed", "dataloc", "deref", "tpargs",
	"uentry",
};

static const char *child_name[] = {
#define CHILD(name) #name,
#include "child.def"
#undef CHILD
};

static const size_t child_off[] = {
#define CHILD(name) offsetof(struct node, name),
#include "child.def"
#undef CHILD
};

enum { NCHILD = NELEM(child_off) };

static struct node **
childp(struct node *n, int i)
{
	return (struct node **)((char *)n + child_off[i]);
}

/* The i-th child slot of n, 0 <= i < N_CHILDREN, in child.def order. */
struct node **
node_child(struct node *n, int i)
{
	return childp(n, i);
}

/* How many nodes the list n has */
int
node_count(struct node *n)
{
	int k = 0;

	for (; n; n = n->next)
		k++;
	return k;
}

/* A deep copy of n and everything under it; not of n's siblings. */
struct node *
node_copy(struct node *n)
{
	struct node *c, *k, **tail;
	int i;

	if (!n)
		return NULL;
	c = arena_alloc(sizeof *c);
	*c = *n;
	c->next = NULL;
	for (i = 0; i < NCHILD; i++) {
		tail = childp(c, i);
		for (k = *childp(n, i), *tail = NULL; k; k = k->next) {
			*tail = node_copy(k);
			tail = &(*tail)->next;
		}
	}
	return c;
}

/*
 * Report the first node of decl, in written order, TREE_MAXDEPTH levels
 * down, as an error; returns 1 if there was one.  Iterative, with a
 * cursor per level: what it guards against is recursion too deep.
 */
int
tree_depth_check(struct node *decl)
{
	struct node *at[TREE_MAXDEPTH], *nxt[TREE_MAXDEPTH], *c;
	int slot[TREE_MAXDEPTH], d = 0;

	at[0] = decl;
	nxt[0] = NULL;
	slot[0] = -1;
	while (d >= 0) {
		c = nxt[d];
		while (!c && ++slot[d] < NCHILD)
			c = *childp(at[d], slot[d]);
		if (!c) {
			d--;
			continue;
		}
		nxt[d] = c->next;
		if (++d == TREE_MAXDEPTH) {
			diag_error(c->loc, "statements and expressions nested "
			    "more than %d deep", TREE_MAXDEPTH);
			return 1;
		}
		at[d] = c;
		nxt[d] = NULL;
		slot[d] = -1;
	}
	return 0;
}

struct node *
node_new(enum nodekind kind, struct loc loc)
{
	struct node *n = arena_alloc(sizeof *n);

	n->kind = kind;
	n->loc = loc;
	return n;
}

static int
same(const struct node *a, const struct node *b, int depth)
{
	int i;

	for (; a && b; a = a->next, b = b->next) {
		if (depth > TREE_MAXDEPTH || a->kind != b->kind ||
		    a->op != b->op || a->type != b->type ||
		    a->flags != b->flags || a->num != b->num ||
		    a->size != b->size || !a->str != !b->str ||
		    (a->str && strcmp(a->str, b->str)))
			return 0;
		for (i = 0; i < N_CHILDREN; i++)
			if (!same(*node_child((struct node *)a, i),
			    *node_child((struct node *)b, i), depth + 1))
				return 0;
	}
	return !a && !b;
}

/* Whether a and b, with their siblings, are the same tree */
int
node_same(const struct node *a, const struct node *b)
{
	return same(a, b, 0);
}

/* A probe point as the user wrote it: kernel.trace("a:b"), timer.ms(5) */
const char *
point_text(struct node *pt)
{
	char buf[1024];
	size_t n = 0;
	struct node *c;

	buf[0] = '\0';
	for (c = pt->args; c && n < sizeof buf - 64; c = c->next) {
		n += snprintf(buf + n, sizeof buf - n, "%s%s", c == pt->args ?
		    "" : ".", c->str);
		if (!c->l || n >= sizeof buf - 64)
			continue;
		if (c->l->kind == N_STR)
			n += snprintf(buf + n, sizeof buf - n, "(\"%.900s\")",
			    c->l->str);
		else
			n += snprintf(buf + n, sizeof buf - n, "(%lld)",
			    (long long)c->l->num);
	}
	return arena_strndup(buf, strlen(buf));
}

/*
 * The period unit of timer.UNIT(N), in nanoseconds; 0 for hz (a rate:
 * the period is 1 s / N); -1 for a name that is no unit.  stap spells
 * each unit two ways.  jiffies are counted at 100 Hz.
 */
int64_t
timer_unit_ns(const char *unit)
{
	static const struct {
		const char *a, *b;
		int64_t ns;
	} units[] = {
		{ "ns", "nsec", 1 }, { "us", "usec", 1000 },
		{ "ms", "msec", 1000000 }, { "s", "sec", 1000000000 },
		{ "jiffies", "jiffies", 10000000 }, { "hz", "hz", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof units / sizeof units[0]; i++)
		if (!strcmp(unit, units[i].a) || !strcmp(unit, units[i].b))
			return units[i].ns;
	return -1;
}

/* ---- writing ---- */

/* Files are renumbered densely in the order of their first use. */
struct filemap {
	int *id;        /* registry index -> written id, or -1 */
	int *order;     /* written id -> registry index */
	int n;
};

static void
mark(struct filemap *m, struct loc loc)
{
	if (loc.file < 0 || loc.file >= src_count() || m->id[loc.file] >= 0)
		return;
	m->id[loc.file] = m->n;
	m->order[m->n++] = loc.file;
}

static void
mark_tree(struct filemap *m, struct node *n)
{
	int i;

	for (; n; n = n->next) {
		mark(m, n->loc);
		for (i = 0; i < NCHILD; i++)
			mark_tree(m, *childp(n, i));
	}
}

/*
 * Node lines are built in a buffer and written whole: printf per field
 * was most of stap-parse's time on big scripts.
 */
struct line {
	char *b;
	size_t n, cap;
};

static void
put(struct line *l, const char *s, size_t n)
{
	char *o;

	if (l->n + n + 1 > l->cap)
		l->b = vgrow(l->b, &l->cap, l->n + n + 1, 1);
	o = l->b + l->n;
	l->n += n;
	if (n > 16) {
		memcpy(o, s, n);
		return;
	}
	while (n--)
		*o++ = *s++;
}

static void
puts_(struct line *l, const char *s)
{
	put(l, s, strlen(s));
}

static void
putnum(struct line *l, long long v)
{
	char buf[24], *p = buf + sizeof buf;
	unsigned long long u = (unsigned long long)v;

	if (v < 0)
		u = 0 - u;

	do
		*--p = '0' + u % 10;
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	put(l, p, buf + sizeof buf - p);
}

/* C-quote n bytes of s */
static void
putquoted_n(struct line *l, const char *s, size_t n)
{
	if (l->n + 4 * n + 3 > l->cap)
		l->b = vgrow(l->b, &l->cap, l->n + 4 * n + 3, 1);
	l->n += arena_quote_to(l->b + l->n, s, n);
}

static void
putquoted(struct line *l, const char *s)
{
	putquoted_n(l, s, strlen(s));
}

static void
quote(FILE *f, const char *s, size_t n)
{
	static struct line l;

	l.n = 0;
	putquoted_n(&l, s, n);
	fwrite(l.b, 1, l.n, f);
}

static void
putloc(struct line *l, struct filemap *m, struct loc loc)
{
	int id = loc.file >= 0 && loc.file < src_count() ? m->id[loc.file] : -1;

	putnum(l, id < 0 ? 0 : id);
	put(l, ":", 1);
	putnum(l, loc.line);
	put(l, ":", 1);
	putnum(l, loc.col);
}

static void
write_loc(FILE *f, struct filemap *m, struct loc loc)
{
	struct line l = { 0 };

	putloc(&l, m, loc);
	fwrite(l.b, 1, l.n, f);
	free(l.b);
}

static void
write_node(FILE *f, struct line *l, struct filemap *m, struct node *n,
    int depth, const char *role)
{
	int i, first = 1;

	static const char blanks[2 * INDENT + 1] =
	    "                                "
	    "                                ";

	if (depth >= TREE_MAXDEPTH)
		bug("a tree %d deep", depth);
	l->n = 0;
	if (depth < INDENT) {
		put(l, blanks, 2 * (size_t)depth);
	} else {
		putnum(l, depth);
		put(l, " ", 1);
	}
	if (role) {
		puts_(l, role);
		put(l, ": ", 2);
	}
	puts_(l, node_name[n->kind]);
	put(l, " ", 1);
	putloc(l, m, n->loc);
	if (n->str) {
		put(l, " str=", 5);
		putquoted(l, n->str);
	}
	if (n->num || n->kind == N_NUM) {
		put(l, " num=", 5);
		putnum(l, n->num);
	}
	if (n->size) {
		put(l, " size=", 6);
		putnum(l, n->size);
	}
	if (n->btf) {
		put(l, " btf=", 5);
		putquoted(l, n->btf);
	}
	if (n->op) {
		put(l, " op=", 4);
		puts_(l, op_spelling[n->op]);
	}
	if (n->type) {
		put(l, " type=", 6);
		puts_(l, type_name[n->type]);
	}
	for (i = 0; i < F_NFLAGS; i++) {
		if (!(n->flags & (1u << i)))
			continue;
		puts_(l, first ? " flags=" : ",");
		puts_(l, flag_name[i]);
		first = 0;
	}
	put(l, "\n", 1);
	fwrite(l->b, 1, l->n, f);
	for (i = 0; i < NCHILD; i++) {
		struct node *c;

		for (c = *childp(n, i); c; c = c->next)
			write_node(f, l, m, c, depth + 1, child_name[i]);
	}
}

void
tree_write(FILE *f, struct script *s)
{
	struct filemap m;
	struct comment *c;
	struct node *n;
	struct line line = { 0 };
	int i, j, nf = src_count();

	m.id = emalloc(sizeof *m.id * (nf + 1));
	m.order = emalloc(sizeof *m.order * (nf + 1));
	m.n = 0;
	for (i = 0; i < nf; i++)
		m.id[i] = -1;
	mark_tree(&m, s->decls);
	for (c = s->comments; c; c = c->next)
		mark(&m, c->loc);

	fprintf(f, "stap-tree %d\n", TREE_MAJOR);
	fprintf(f, "@stage %s\n", s->stage);
	if (s->tool) {
		fputs("@tool ", f);
		quote(f, s->tool, strlen(s->tool));
		fputc('\n', f);
	}
	fputs("@release ", f);
	quote(f, s->facts.release, strlen(s->facts.release));
	fputs("\n@arch ", f);
	quote(f, s->facts.arch, strlen(s->facts.arch));
	fprintf(f, "\n@guru %d\n", s->facts.guru);
	if (s->compatible) {
		fputs("@compatible ", f);
		quote(f, s->compatible, strlen(s->compatible));
		fputc('\n', f);
	}
	for (i = 0; i < s->facts.nargs; i++) {
		fputs("@arg ", f);
		quote(f, s->facts.args[i], strlen(s->facts.args[i]));
		fputc('\n', f);
	}
	for (i = 0; i < s->facts.ndefines; i++) {
		fputs("@D ", f);
		quote(f, s->facts.defines[i], strlen(s->facts.defines[i]));
		fputc('\n', f);
	}
	for (i = 0; i < m.n; i++) {
		struct srcfile *sf = src_get(m.order[i]);

		fprintf(f, "file %d ", i);
		quote(f, sf->name, strlen(sf->name));
		fprintf(f, " %d\n", sf->nlines);
		for (j = 1; j <= sf->nlines; j++) {
			size_t len;
			const char *l = src_line(m.order[i], j, &len);

			quote(f, l, len);
			fputc('\n', f);
		}
	}
	for (c = s->comments; c; c = c->next) {
		fputs("comment ", f);
		write_loc(f, &m, c->loc);
		fputs(c->own_line ? " own " : " ", f);
		quote(f, c->text, strlen(c->text));
		fputc('\n', f);
	}
	for (n = s->decls; n; n = n->next)
		write_node(f, &line, &m, n, 0, NULL);
	fputs("end\n", f);
	free(line.b);
	free(m.id);
	free(m.order);
}

/* ---- reading ---- */

struct reader {
	FILE *f;
	const char *name;
	char *line;     /* a buffer of the input, lines from bpos */
	size_t cap, blen, bpos;
	int eof;
	int how;        /* 1: a byte at a time, 2: in chunks; 0: unknown */
	long lineno;
	size_t nread;   /* bytes so far, to stop endless input */
	int *files;     /* id in the tree -> registry index */
	int nfiles;
	char *text;     /* a file's text while it is read */
	struct node **stack;    /* the open node at each depth */
	struct node ***tails;   /* where each slot's next child goes */
	size_t scap, tcap;
};

static void
rfree(struct reader *r)
{
	free(r->line);
	free(r->files);
	free(r->text);
	free(r->stack);
	free(r->tails);
	memset(r, 0, sizeof *r);
}

_Noreturn static void
rfail(struct reader *r, const char *fmt, ...)
{
	va_list ap;

	FILE *out = diag_file ? diag_file : stderr;

	fflush(stdout);
	fprintf(out, "%s: %s:%ld: malformed stap-tree: ", argv0, r->name,
	    r->lineno);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
	rfree(r);
	die();
}

/*
 * More of the input into the buffer, after what is left of it there
 * (a line not yet whole): a chunk at a time, as src_refuse wants, so a
 * NUL byte or an endless input is refused as it arrives.
 */
static void
fill(struct reader *r)
{
	size_t keep = r->blen - r->bpos, n;
	const char *why;

	if (keep && r->bpos)
		memmove(r->line, r->line + r->bpos, keep);
	r->blen = keep;
	r->bpos = 0;
	r->line = vgrow(r->line, &r->cap, keep + 65536 + 1, 1);
	n = fread(r->line + keep, 1, r->cap - keep - 1, r->f);
	if (n == 0) {
		if (ferror(r->f))
			fatal("read '%s':", r->name);
		r->eof = 1;
		return;
	}
	r->nread += n;
	why = src_refuse(r->line + keep, n, r->nread, 1);
	r->blen += n;
	if (why) {
		const char *name = r->name;

		rfree(r);
		fatal("'%s': %s", name, why);
	}
}

/* A line a byte at a time, so that a NUL is refused as it arrives */
static char *
rline_bytes(struct reader *r)
{
	size_t len = 0;
	int c;

	while ((c = getc_unlocked(r->f)) != EOF) {
		if (c == '\0' || ++r->nread > INPUT_MAX) {
			char ch = (char)c;
			const char *name = r->name;
			const char *why = src_refuse(&ch, 1, r->nread, 1);

			rfree(r);
			fatal("'%s': %s", name, why);
		}
		if (c == '\n')
			break;
		if (len + 2 > r->cap)
			r->line = vgrow(r->line, &r->cap, len + 2, 1);
		r->line[len++] = (char)c;
	}
	if (ferror(r->f))
		fatal("read '%s':", r->name);
	if (c == EOF && len == 0)
		return NULL;
	if (c == EOF)
		rfail(r, "last line has no newline");
	r->line = vgrow(r->line, &r->cap, len + 1, 1);
	r->line[len] = '\0';
	r->lineno++;
	return r->line;
}

/*
 * The next line without its newline; NULL at end of file.  From a pipe
 * a byte at a time (rline_bytes); from a file or memory, which cannot
 * keep a reader waiting, found with memchr in chunks of the input: a
 * byte at a time through stdio was a fifth of what a stage cost.
 */
static char *
rline(struct reader *r)
{
	if (!r->how) {
		struct stat st;
		int fd = fileno(r->f);

		r->how = fd < 0 || (fstat(fd, &st) == 0 &&
		    S_ISREG(st.st_mode)) ? 2 : 1;
	}
	if (r->how == 1)
		return rline_bytes(r);
	for (;;) {
		char *s = r->line + r->bpos, *nl = NULL;

		if (r->bpos < r->blen)
			nl = memchr(s, '\n', r->blen - r->bpos);
		if (nl) {
			*nl = '\0';
			r->bpos = (size_t)(nl + 1 - r->line);
			r->lineno++;
			return s;
		}
		if (r->eof) {
			if (r->bpos == r->blen)
				return NULL;
			rfail(r, "last line has no newline");
		}
		fill(r);
	}
}

static char *
unquote(struct reader *r, char **pp, size_t *lenp)
{
	const char *p = *pp, *why;
	char *s = arena_unquote(&p, lenp, &why);

	if (!s)
		rfail(r, "%s", why);
	*pp = (char *)p;
	return s;
}

static long long
number_at(struct reader *r, char **pp, long long lo, long long hi)
{
	char *e = *pp;
	long long v = 0;
	int n;

	/* most are lines, columns and small values: up to 9 digits
	 * cannot overflow, and strtoll's generality costs */
	for (n = 0; n < 10 && isdigit((unsigned char)e[n]); n++)
		v = v * 10 + (e[n] - '0');
	if (n > 0 && n < 10) {
		if (v < lo || v > hi)
			rfail(r, "number out of range");
		*pp = e + n;
		return v;
	}
	errno = 0;
	if (!isdigit((unsigned char)**pp) && **pp != '-')
		rfail(r, "expected a number");
	v = strtoll(*pp, &e, 10);
	if (errno || v < lo || v > hi)
		rfail(r, "number out of range");
	*pp = e;
	return v;
}

static char *
word(char **pp)
{
	char *s = *pp, *e = s + strcspn(s, " =");

	*pp = e;
	return s;
}

static int
lookup(struct reader *r, const char *const *names, int n, const char *s,
    size_t len, const char *what)
{
	int i;

	for (i = 0; i < n; i++)
		if (names[i] && strlen(names[i]) == len &&
		    !strncmp(names[i], s, len))
			return i;
	rfail(r, "unknown %s '%.*s'", what, (int)(len > 40 ? 40 : len), s);
}

static struct loc
read_loc(struct reader *r, char **pp)
{
	struct loc loc;
	int id;

	id = (int)number_at(r, pp, 0, r->nfiles - 1);
	if (*(*pp)++ != ':')
		rfail(r, "expected file:line:col");
	loc.line = (int)number_at(r, pp, 0, 1 << 30);
	if (*(*pp)++ != ':')
		rfail(r, "expected file:line:col");
	loc.col = (int)number_at(r, pp, 0, 1 << 30);
	loc.file = r->files[id];
	return loc;
}

static void
read_attrs(struct reader *r, char *p, struct node *n)
{
	while (*p == ' ') {
		char *key = ++p;
		size_t klen;

		word(&p);
		klen = p - key;
		if (*p++ != '=')
			rfail(r, "expected key=value");
		if (klen == 3 && !strncmp(key, "str", 3)) {
			n->str = unquote(r, &p, NULL);
		} else if (klen == 3 && !strncmp(key, "btf", 3)) {
			n->btf = unquote(r, &p, NULL);
		} else if (klen == 3 && !strncmp(key, "num", 3)) {
			n->num = number_at(r, &p, INT64_MIN, INT64_MAX);
		} else if (klen == 4 && !strncmp(key, "size", 4)) {
			n->size = (int)number_at(r, &p, 0, 1 << 30);
		} else if (klen == 2 && !strncmp(key, "op", 2)) {
			char *s = p;

			p += strcspn(p, " ");
			n->op = lookup(r, op_spelling, O_NOPS, s, p - s,
			    "operator");
			if (n->op == O_NONE)
				rfail(r, "empty operator");
		} else if (klen == 4 && !strncmp(key, "type", 4)) {
			char *s = word(&p);

			n->type = lookup(r, type_name, NELEM(type_name), s,
			    p - s, "type");
		} else if (klen == 5 && !strncmp(key, "flags", 5)) {
			do {
				char *s = p;

				p += strcspn(p, " ,");
				n->flags |= 1u << lookup(r, flag_name, F_NFLAGS,
				    s, p - s, "flag");
			} while (*p == ',' && p++);
		} else {
			/* a key from a newer minor version: skip its value */
			if (*p == '"')
				unquote(r, &p, NULL);
			else
				p += strcspn(p, " ");
		}
	}
	if (*p)
		rfail(r, "junk at the end of the line");
}

/* One node line: "  role: kind f:l:c attrs". */
static struct node *
read_node(struct reader *r, char *p, int *depth, int *role)
{
	struct node *n;
	char *s;
	int d = 0, kind;

	while (p[0] == ' ' && p[1] == ' ')
		p += 2, d++;
	if (d == 0 && isdigit((unsigned char)*p)) {
		d = (int)number_at(r, &p, 0, 1 << 30);
		if (*p++ != ' ')
			rfail(r, "expected a blank after the depth");
	}
	*depth = d;
	*role = -1;
	s = word(&p);
	if (d > 0) {
		if (p == s || p[-1] != ':')
			rfail(r, "expected a child slot ('body:')");
		*role = lookup(r, child_name, NCHILD, s, p - s - 1, "slot");
		if (*p++ != ' ')
			rfail(r, "expected a node kind");
		s = word(&p);
	}
	kind = lookup(r, node_name, N_NKINDS, s, p - s, "node kind");
	if (*p++ != ' ')
		rfail(r, "expected a location");
	n = node_new(kind, read_loc(r, &p));
	read_attrs(r, p, n);
	return n;
}

static void
read_header(struct reader *r, struct script *s, char *p)
{
	char *key = word(&p);
	size_t klen = p - key;

	if (*p++ != ' ')
		rfail(r, "header '%.*s' has no value", (int)klen, key);
#define IS(k) (klen == strlen(k) && !strncmp(key, k, klen))
	if (IS("@stage")) {
		s->stage = arena_strndup(p, strlen(p));
	} else if (IS("@tool")) {
		s->tool = unquote(r, &p, NULL);
	} else if (IS("@release")) {
		s->facts.release = unquote(r, &p, NULL);
	} else if (IS("@arch")) {
		s->facts.arch = unquote(r, &p, NULL);
	} else if (IS("@guru")) {
		s->facts.guru = (int)number_at(r, &p, 0, 1);
	} else if (IS("@compatible")) {
		s->compatible = unquote(r, &p, NULL);
	} else if (IS("@arg") || IS("@D")) {
		char ***v = IS("@arg") ? &s->facts.args : &s->facts.defines;
		int *n = IS("@arg") ? &s->facts.nargs : &s->facts.ndefines;
		char **nv = arena_alloc(sizeof *nv * (*n + 1));

		if (*n > 100000)
			rfail(r, "too many %.*s headers", (int)klen, key);
		if (*n)
			memcpy(nv, *v, sizeof *nv * *n);
		nv[(*n)++] = unquote(r, &p, NULL);
		*v = nv;
	}
	/* other headers: from a newer minor version, skipped */
#undef IS
}

static void
read_file(struct reader *r, char *p)
{
	char *name, *text;
	size_t len = 0, cap = 0, l;
	long id, n, i;

	id = (long)number_at(r, &p, 0, 1 << 20);
	if (id != r->nfiles)
		rfail(r, "files must be numbered 0, 1, 2...");
	if (*p++ != ' ')
		rfail(r, "expected a file name");
	name = unquote(r, &p, NULL);
	if (*p++ != ' ')
		rfail(r, "expected a line count");
	n = (long)number_at(r, &p, 1, 1 << 24);
	r->text = NULL;
	for (i = 0; i < n; i++) {
		char *line = rline(r), *q;

		if (!line)
			rfail(r, "truncated: file '%s' wants %ld lines",
			    name, n);
		q = line;
		line = unquote(r, &q, &l);
		if (*q)
			rfail(r, "junk after a source line");
		r->text = vgrow(r->text, &cap, len + l + 2, 1);
		memcpy(r->text + len, line, l);
		len += l;
		r->text[len++] = '\n';
	}
	text = r->text = vgrow(r->text, &cap, len + 1, 1);
	text[len] = '\0';
	r->files = erealloc(r->files, sizeof *r->files * (r->nfiles + 1));
	r->files[r->nfiles++] = src_add(name, text, len);
	free(r->text);
	r->text = NULL;
}

static void
read_comment(struct reader *r, struct comment ***tail, char *p)
{
	struct comment *c = arena_alloc(sizeof *c);

	c->loc = read_loc(r, &p);
	if (!strncmp(p, " own ", 5)) {
		c->own_line = 1;
		p += 4;
	}
	if (*p++ != ' ')
		rfail(r, "expected comment text");
	c->text = unquote(r, &p, NULL);
	if (*p)
		rfail(r, "junk after a comment");
	**tail = c;
	*tail = &c->next;
}

static void
refuse_foreign(struct reader *r, const char *line)
{
	const char *what = NULL, *name;

	if (!line)
		what = "empty input: wanted a stap-tree";
	else if (!strncmp(line, "\177ELF", 4))
		what = "is an ELF file (a .bo?), not a stap-tree";
	else if (!strncmp(line, "stap-events", 11))
		what = "is an event stream, not a stap-tree";
	else if (strncmp(line, "stap-tree ", 10))
		what = "not a stap-tree (it should begin with 'stap-tree 1')";
	if (!what)
		return;
	name = r->name;
	rfree(r);
	fatal("%s: %s", name, what);
}

struct script *
tree_read(FILE *f, const char *name)
{
	struct reader r = { 0 };
	struct script *s = arena_alloc(sizeof *s);
	struct comment **ctail = &s->comments;
	struct node **dtail = &s->decls;
	int sp = 0, depth, role, major, i;
	char *line, *p;

	r.f = f;
	r.name = name;
	line = rline(&r);
	refuse_foreign(&r, line);
	p = line + 10;
	major = (int)number_at(&r, &p, 0, 1000000);
	if (major != TREE_MAJOR) {
		rfree(&r);
		fatal("%s: stap-tree version %d is not supported (this reads "
		    "version %d)", name, major, TREE_MAJOR);
	}
	s->facts.release = "";
	s->facts.arch = "";
	while ((line = rline(&r)) != NULL) {
		if (!strcmp(line, "end"))
			break;
		if (line[0] == '@') {
			read_header(&r, s, line);
		} else if (!strncmp(line, "file ", 5)) {
			read_file(&r, line + 5);
		} else if (!strncmp(line, "comment ", 8)) {
			read_comment(&r, &ctail, line + 8);
		} else {
			struct node *n = read_node(&r, line, &depth, &role);

			if (depth >= TREE_MAXDEPTH)
				rfail(&r, "nodes nested more than %d deep",
				    TREE_MAXDEPTH);
			if (depth > sp)
				rfail(&r, "node nested deeper than its parent");
			if (depth == 0) {
				*dtail = n;
				dtail = &n->next;
			} else {
				struct node ***t = &r.tails[(depth - 1) *
				    NCHILD + role];

				if (!*t)
					*t = childp(r.stack[depth - 1], role);
				**t = n;
				*t = &n->next;
			}
			r.stack = vgrow(r.stack, &r.scap, depth + 1,
			    sizeof *r.stack);
			r.tails = vgrow(r.tails, &r.tcap, (depth + 1) * NCHILD,
			    sizeof *r.tails);
			r.stack[depth] = n;
			for (i = 0; i < NCHILD; i++)
				r.tails[depth * NCHILD + i] = NULL;
			sp = depth + 1;
		}
	}
	if (!line) {
		rfree(&r);
		fatal("%s: truncated stap-tree: no 'end' line (did the stage "
		    "before it fail?)", name);
	}
	if (!s->stage)
		rfail(&r, "no @stage header");
	if (r.bpos < r.blen || getc(f) != EOF)
		rfail(&r, "data after 'end'");
	{
		const char *why = tree_check(s->decls);

		if (why)
			rfail(&r, "%s", why);
	}
	rfree(&r);
	return s;
}
