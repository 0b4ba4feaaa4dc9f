/*
 * Regular expressions for =~ and !~, compiled to the DFA table that the
 * BPF code walks (its loop is re_match, at the end).
 *
 * The dialect is stap's (stapregex-parse.cxx): POSIX ERE without back
 * references, collating symbols or equivalence classes.  A backslash
 * makes the next byte literal, inside brackets too, so "\d" is "d"
 * (the lexer has already turned "\n" and the like into bytes).
 * Brackets know stap's [:d:], [:l:], [:s:] and [:u:] besides the
 * POSIX classes.  '.' and negated brackets match any byte but NUL,
 * newline included.  A match may start anywhere.  Where stap has a
 * plain defect, we do what it meant: "(?:", a last ')', [:punct:];
 * repetitions like {3,2} and bytes past 127 in a regex, undefined in
 * stap, are an error and literal bytes.
 *
 * A parser builds a tree; the NFA is built from it backwards, each node
 * knowing where it goes on; subset construction makes the DFA, Moore's
 * partition refinement minimises it.  The matcher shapes the last two:
 *   - it stops at the first accepting state, so every subset holding
 *     the NFA's match is the one accepting state, which loops to itself;
 *   - after every byte but the end, the NFA's start joins the subset
 *     again: that is the search;
 *   - '^' is an edge that only the start state's closure follows: stap
 *     compiles it to the same "init" instruction;
 *   - '$' is a transition on byte 0, the end, as in stap, so "$$" and
 *     "$^" never match;
 *   - nothing is read after the 0, so a state's 0 entry only says
 *     whether the end completes a match: the accepting state if so, the
 *     state itself if not.
 * Errors longjmp back to compile(); re_compile frees what was built.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/stap.h"
#include "regex.h"

enum {
	MAXNEST = 1000,         /* groups, repetitions in each other */
	MAXNFA = 20000,         /* NFA nodes: {m,n} makes copies */
	MAXSUBSETS = 1024,      /* DFA states before minimising */
	NHASH = 2048,           /* buckets for the subsets, > MAXSUBSETS */
	MAXREP = 12345,         /* stap refuses repetition counts from here */
};

enum astkind { A_EMPTY, A_SET, A_BOL, A_EOL, A_CAT, A_ALT, A_REP };

struct ast {
	enum astkind kind;
	int a, b;               /* A_CAT, A_ALT; a for A_REP */
	int set;                /* A_SET */
	int min, max;           /* A_REP; max -1: no bound */
};

struct cset {
	uint64_t w[4];
};

enum nfakind { N_CHAR, N_SPLIT, N_BOL, N_MATCH };

struct nfa {
	enum nfakind kind;
	int set;                /* N_CHAR: the bytes it takes */
	int out, out1;          /* out1: N_SPLIT's other way */
};

struct subset {
	int off, n;             /* its N_CHAR nodes, sorted, in pool */
	int acc;                /* holds the match */
	int endacc;             /* the end from here completes a match */
	int hnext;              /* next in its hash chain */
};

struct re {
	const char *s;
	int i;                  /* where the parser is in s */
	int nest;
	jmp_buf fail;
	char *err;
	size_t errlen;
	int erroff;

	struct ast *ast;
	size_t nast, capast;
	struct cset *sets;
	size_t nsets, capsets;
	struct nfa *nfa;
	size_t nnfa, capnfa;
	int start, eolset;

	unsigned char cls[256]; /* each byte's class */
	unsigned char rep[256]; /* a byte of each class */
	int nclass, zcls;       /* zcls: byte 0's class, which has no other */

	int *mark, gen;         /* closure: visited when mark[x] == gen */
	int *stack;
	int *items, nitems, hit;

	struct subset *sub;
	size_t nsub, capsub;
	int *pool;
	size_t npool, cappool;
	int *tr;                /* nsub rows of nclass subsets */
	size_t captr;
	int head[NHASH];
	int accsub;             /* the accepting subset, -1 until made */
	int *blk;               /* each subset's block, minimised */
	int *rows;              /* what tells the blocks apart */
	int *ids;               /* blocks numbered as states */
};

static int expr(struct re *r);

static _Noreturn void
fail(struct re *r, int off, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (r->errlen)
		vsnprintf(r->err, r->errlen, fmt, ap);
	va_end(ap);
	r->erroff = off;
	longjmp(r->fail, 1);
}

/* Parser */

static int
newast(struct re *r, enum astkind kind, int a, int b)
{
	struct ast *n;

	r->ast = vgrow(r->ast, &r->capast, r->nast + 1, sizeof *r->ast);
	n = &r->ast[r->nast];
	memset(n, 0, sizeof *n);
	n->kind = kind;
	n->a = a;
	n->b = b;
	return (int)r->nast++;
}

static int
newset(struct re *r)
{
	r->sets = vgrow(r->sets, &r->capsets, r->nsets + 1, sizeof *r->sets);
	memset(&r->sets[r->nsets], 0, sizeof *r->sets);
	return (int)r->nsets++;
}

static void
addrange(struct cset *cs, int lo, int hi)
{
	for (; lo <= hi; lo++)
		cs->w[lo >> 6] |= (uint64_t)1 << (lo & 63);
}

static int
inset(const struct cset *cs, int c)
{
	return cs->w[c >> 6] >> (c & 63) & 1;
}

/* An A_SET of the bytes lo to hi */
static int
setast(struct re *r, int lo, int hi)
{
	int set = newset(r), x;

	addrange(&r->sets[set], lo, hi);
	x = newast(r, A_SET, 0, 0);
	r->ast[x].set = set;
	return x;
}

static int
isdig(int c)
{
	return c >= '0' && c <= '9';
}

static void
expect(struct re *r, int c)
{
	if (!r->s[r->i])
		fail(r, r->i, "expected %c, found end of regex", c);
	if (r->s[r->i] != c)
		fail(r, r->i, "expected %c, found %c", c, r->s[r->i]);
	r->i++;
}

/* Pairs of bounds; stap's [:punct:] lacks the backslash, by a slip in
 * how its table is read: this one is C's ispunct, which it meant */
static const struct {
	const char *name;
	const char *ranges;
} classes[] = {
	{ "alpha", "AZaz" },
	{ "alnum", "AZaz09" },
	{ "blank", "  \t\t" },
	{ "cntrl", "\x01\x1f\x7f\x7f" },
	{ "d", "09" },
	{ "digit", "09" },
	{ "xdigit", "09afAF" },
	{ "graph", "!~" },
	{ "l", "az" },
	{ "lower", "az" },
	{ "print", " ~" },
	{ "punct", "!/:@[`{~" },
	{ "s", "  \t\r" },
	{ "space", "  \t\r" },
	{ "u", "AZ" },
	{ "upper", "AZ" },
};

/* [:name:] at r->i, into set */
static void
named(struct re *r, int set)
{
	const char *name = r->s + r->i + 2, *end = strstr(name, ":]"), *p;
	size_t i, n;

	if (!end)
		fail(r, r->i, "unclosed character class '[:%s'", name);
	n = (size_t)(end - name);
	for (i = 0; i < NELEM(classes); i++)
		if (strlen(classes[i].name) == n &&
		    !strncmp(classes[i].name, name, n))
			break;
	if (i == NELEM(classes))
		fail(r, r->i, "unknown character class '%.*s'", (int)n, name);
	for (p = classes[i].ranges; *p; p += 2)
		addrange(&r->sets[set], (unsigned char)p[0],
		    (unsigned char)p[1]);
	r->i = (int)(end + 2 - r->s);
}

/*
 * A bracket expression, after its '['.  As in stap, a backslash makes
 * the next byte literal, and a range's upper bound is the byte after
 * the '-' as it stands.
 */
static int
bracket(struct re *r)
{
	const unsigned char *s = (const unsigned char *)r->s;
	int open = r->i - 1, set = newset(r), x, at, lo, hi, c;

	if (s[r->i] == '^')
		r->i++;
	do {
		at = r->i;
		if (!s[at] || (s[at] == '\\' && !s[at + 1]))
			fail(r, open, "unclosed character class");
		if (s[at] == '[' && s[at + 1] == ':') {
			named(r, set);
			continue;
		}
		if (s[at] == '\\')
			r->i++;
		lo = hi = s[r->i++];
		if (s[r->i] == '-' && s[r->i + 1] && s[r->i + 1] != ']') {
			hi = s[r->i + 1];
			if (hi < lo)
				fail(r, at, "Inverted character range %c-%c",
				    lo, hi);
			r->i += 2;
		}
		addrange(&r->sets[set], lo, hi);
	} while (s[r->i] != ']');
	r->i++;
	if (s[open + 1] == '^') {
		/* NUL is the end of the string, never in it */
		for (c = 1; c < 256; c++)
			r->sets[set].w[c >> 6] ^= (uint64_t)1 << (c & 63);
	}
	x = newast(r, A_SET, 0, 0);
	r->ast[x].set = set;
	return x;
}

/* A group, after its '(' at at.  "(?:" opens one too: stap means
 * that, but leaves the ':' in, a literal */
static int
group(struct re *r, int at)
{
	int x;

	if (r->s[r->i] == '?') {
		if (!r->s[r->i + 1])
			fail(r, r->i + 1, "unexpected end of regex");
		if (r->s[r->i + 1] != ':')
			fail(r, at, "unexpected '(?%c'", r->s[r->i + 1]);
		r->i += 2;
	}
	if (++r->nest > MAXNEST)
		fail(r, at, "regex too complex: groups nested too deeply");
	x = expr(r);
	r->nest--;
	expect(r, ')');
	return x;
}

/* A repetition count; stap reads it with strtol */
static int
number(struct re *r)
{
	int at = r->i;
	unsigned long long v = 0;

	if (!isdig(r->s[r->i]))
		fail(r, r->i, "expected number");
	for (; isdig(r->s[r->i]); r->i++)
		if (v > LONG_MAX / 10)
			v = (unsigned long long)LONG_MAX + 1;
		else
			v = v * 10 + (unsigned)(r->s[r->i] - '0');
	if (v > LONG_MAX)
		fail(r, at, "could not parse number %.*s", r->i - at,
		    r->s + at);
	if (v >= MAXREP)
		fail(r, at, "%.*s is too large", r->i - at, r->s + at);
	return (int)v;
}

/* {m}, {m,} or {m,n}, after the '{' at at */
static void
bounds(struct re *r, int at, int *min, int *max)
{
	int c;

	*min = number(r);
	if (!(c = r->s[r->i]))
		fail(r, r->i, "unexpected end of regex");
	r->i++;
	if (c == '}') {
		*max = *min;
		return;
	}
	if (c != ',')
		fail(r, r->i - 1, "expected ',' or '}'");
	if (r->s[r->i] == '}') {
		r->i++;
		*max = -1;
		return;
	}
	if (!isdig(r->s[r->i]))
		fail(r, r->i, "expected '}' or number");
	*max = number(r);
	expect(r, '}');
	if (*max < *min)
		fail(r, at, "inverted repetition range {%d,%d}", *min, *max);
}

/* *, +, ? and {} after atom x */
static int
postfix(struct re *r, int x, int anchor)
{
	int c, at, min, max;

	while ((c = r->s[r->i]) && strchr("*+?{", c)) {
		at = r->i++;
		if (anchor)
			fail(r, at, "postfix closure '%c' applied to "
			    "anchoring operator", c);
		min = c == '+';
		max = c == '?' ? 1 : -1;
		if (c == '{')
			bounds(r, at, &min, &max);
		x = newast(r, A_REP, x, 0);
		r->ast[x].min = min;
		r->ast[x].max = max;
	}
	return x;
}

static int
factor(struct re *r)
{
	int c = (unsigned char)r->s[r->i], at = r->i, x;

	switch (c) {
	case 0:
	case '|':
	case ')':
		return newast(r, A_EMPTY, 0, 0);
	case '*':
	case '+':
	case '?':
	case '{':
		fail(r, at, "unexpected '%c'", c);
	case '.':
		r->i++;
		x = setast(r, 1, 255);
		break;
	case '[':
		r->i++;
		x = bracket(r);
		break;
	case '(':
		r->i++;
		x = group(r, at);
		break;
	case '^':
	case '$':
		r->i++;
		return postfix(r, newast(r, c == '^' ? A_BOL : A_EOL, 0, 0),
		    1);
	case '\\':
		if (!(c = (unsigned char)r->s[++r->i]))
			fail(r, r->i, "unexpected end of regex");
		/* FALLTHROUGH */
	default:
		r->i++;
		x = setast(r, c, c);
		break;
	}
	return postfix(r, x, 0);
}

static int
term(struct re *r)
{
	int x = factor(r), y;

	while (r->s[r->i] && r->s[r->i] != '|' && r->s[r->i] != ')') {
		y = factor(r);
		x = newast(r, A_CAT, x, y);
	}
	return x;
}

static int
expr(struct re *r)
{
	int x = term(r), y;

	while (r->s[r->i] == '|') {
		r->i++;
		y = term(r);
		x = newast(r, A_ALT, x, y);
	}
	return x;
}

/* NFA */

static int
newnfa(struct re *r, enum nfakind kind, int set, int out)
{
	struct nfa *n;

	if (r->nnfa >= MAXNFA)
		fail(r, -1, "regex too complex: more than %d NFA states",
		    MAXNFA);
	r->nfa = vgrow(r->nfa, &r->capnfa, r->nnfa + 1, sizeof *r->nfa);
	n = &r->nfa[r->nnfa];
	n->kind = kind;
	n->set = set;
	n->out = out;
	n->out1 = -1;
	return (int)r->nnfa++;
}

static int build(struct re *r, int x, int k, int depth);

/* x{min,max} going on to k: min copies, then a loop or max - min
 * nested options */
static int
rep(struct re *r, const struct ast *n, int k, int depth)
{
	int i, s, t;

	if (n->max < 0) {
		s = newnfa(r, N_SPLIT, 0, -1);
		r->nfa[s].out1 = k;
		t = build(r, n->a, s, depth);
		r->nfa[s].out = t;
		if (n->min == 0)
			return s;
		for (i = 1; i < n->min; i++)
			t = build(r, n->a, t, depth);
		return t;
	}
	t = k;
	for (i = n->min; i < n->max; i++) {
		s = newnfa(r, N_SPLIT, 0, -1);
		t = build(r, n->a, t, depth);
		r->nfa[s].out = t;
		r->nfa[s].out1 = k;
		t = s;
	}
	for (i = 0; i < n->min; i++)
		t = build(r, n->a, t, depth);
	return t;
}

/*
 * The start of the NFA of tree x, going on to node k.  Sequences and
 * alternatives nest to the left as long as the regex, so their left
 * sides are a loop; hole is the split waiting for the next start.
 */
static int
build(struct re *r, int x, int k, int depth)
{
	struct ast n;
	int start = -1, hole = -1, s, t, res = k;

	if (depth > MAXNEST)
		fail(r, -1, "regex too complex: nested too deeply");
	for (;;) {
		n = r->ast[x];
		if (n.kind == A_CAT) {
			k = build(r, n.b, k, depth + 1);
			x = n.a;
		} else if (n.kind == A_ALT) {
			s = newnfa(r, N_SPLIT, 0, -1);
			t = build(r, n.b, k, depth + 1);
			r->nfa[s].out1 = t;
			if (hole < 0)
				start = s;
			else
				r->nfa[hole].out = s;
			hole = s;
			x = n.a;
		} else
			break;
	}
	switch (n.kind) {
	case A_EMPTY:
		res = k;
		break;
	case A_SET:
		res = newnfa(r, N_CHAR, n.set, k);
		break;
	case A_EOL:
		res = newnfa(r, N_CHAR, r->eolset, k);
		break;
	case A_BOL:
		res = newnfa(r, N_BOL, 0, k);
		break;
	case A_REP:
		res = rep(r, &n, k, depth + 1);
		break;
	default:
		bug("ast kind %d", n.kind);
	}
	if (hole < 0)
		return res;
	r->nfa[hole].out = res;
	return start;
}

/*
 * Byte classes: bytes that every set takes or leaves together.  Byte 0
 * starts alone, as the end is no byte of the string.
 */
static void
classify(struct re *r)
{
	int map[512], b, i, k, n = 2;

	memset(r->cls, 0, sizeof r->cls);
	r->cls[0] = 1;
	for (i = 0; i < (int)r->nsets; i++) {
		memset(map, -1, sizeof map);
		n = 0;
		for (b = 0; b < 256; b++) {
			k = r->cls[b] * 2 + inset(&r->sets[i], b);
			if (map[k] < 0)
				map[k] = n++;
			r->cls[b] = (unsigned char)map[k];
		}
	}
	r->nclass = n;
	for (b = 255; b >= 0; b--)
		r->rep[r->cls[b]] = (unsigned char)b;
	r->zcls = r->cls[0];
}

/* Subset construction */

/* Add the closure of node x to items; initial: before the first byte,
 * where '^' holds */
static void
closure(struct re *r, int x, int initial)
{
	int sp = 0;
	const struct nfa *n;

	r->stack[sp++] = x;
	while (sp) {
		x = r->stack[--sp];
		if (r->mark[x] == r->gen)
			continue;
		r->mark[x] = r->gen;
		n = &r->nfa[x];
		switch (n->kind) {
		case N_CHAR:
			r->items[r->nitems++] = x;
			break;
		case N_MATCH:
			r->hit = 1;
			break;
		case N_BOL:
			if (initial)
				r->stack[sp++] = n->out;
			break;
		case N_SPLIT:
			r->stack[sp++] = n->out1;
			r->stack[sp++] = n->out;
			break;
		}
	}
}

static void
reset(struct re *r)
{
	r->gen++;
	r->nitems = 0;
	r->hit = 0;
}

/* Where subset s goes on byte c, before the search starts anew */
static void
move(struct re *r, int s, int c)
{
	int i, x, off = r->sub[s].off, n = r->sub[s].n;

	reset(r);
	for (i = 0; i < n; i++) {
		x = r->pool[off + i];
		if (inset(&r->sets[r->nfa[x].set], c))
			closure(r, r->nfa[x].out, 0);
	}
}

static int
cmpint(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* The subset of items, or the accepting one if hit; made if new */
static int
subset(struct re *r)
{
	struct subset *ss;
	uint32_t h = 2166136261u;
	int i, n = r->hit ? 0 : r->nitems;

	qsort(r->items, (size_t)n, sizeof *r->items, cmpint);
	for (i = 0; i < n; i++)
		h = (h ^ (uint32_t)r->items[i]) * 16777619u;
	h = (h ^ (uint32_t)r->hit) % NHASH;
	for (i = r->head[h]; i >= 0; i = r->sub[i].hnext)
		if (r->sub[i].acc == r->hit && r->sub[i].n == n &&
		    !memcmp(r->pool + r->sub[i].off, r->items,
		    (size_t)n * sizeof *r->items))
			return i;
	if (r->nsub >= MAXSUBSETS)
		fail(r, -1, "regex too complex: its DFA needs more than %d "
		    "states", RE_MAXSTATES);
	r->sub = vgrow(r->sub, &r->capsub, r->nsub + 1, sizeof *r->sub);
	r->pool = vgrow(r->pool, &r->cappool, r->npool + (size_t)n,
	    sizeof *r->pool);
	if (n)
		memcpy(r->pool + r->npool, r->items,
		    (size_t)n * sizeof *r->items);
	ss = &r->sub[r->nsub];
	ss->off = (int)r->npool;
	ss->n = n;
	ss->acc = r->hit;
	ss->endacc = 0;
	ss->hnext = r->head[h];
	r->head[h] = (int)r->nsub;
	r->npool += (size_t)n;
	if (r->hit)
		r->accsub = (int)r->nsub;
	return (int)r->nsub++;
}

static void
subsets(struct re *r)
{
	size_t s;
	int k;

	memset(r->head, -1, sizeof r->head);
	r->accsub = -1;
	r->mark = emalloc(r->nnfa * sizeof *r->mark);
	memset(r->mark, 0, r->nnfa * sizeof *r->mark);
	r->stack = emalloc((2 * r->nnfa + 1) * sizeof *r->stack);
	r->items = emalloc(r->nnfa * sizeof *r->items);
	reset(r);
	closure(r, r->start, 1);
	subset(r);
	for (s = 0; s < r->nsub; s++) {
		r->tr = vgrow(r->tr, &r->captr, (s + 1) * (size_t)r->nclass,
		    sizeof *r->tr);
		for (k = 0; k < r->nclass; k++) {
			if (r->sub[s].acc || k == r->zcls) {
				r->tr[s * (size_t)r->nclass + k] = (int)s;
				continue;
			}
			move(r, (int)s, r->rep[k]);
			closure(r, r->start, 0);
			r->tr[s * (size_t)r->nclass + k] = subset(r);
		}
		if (r->sub[s].acc)
			continue;
		/* the end: no new start after it */
		move(r, (int)s, 0);
		if ((r->sub[s].endacc = r->hit))
			subset(r);
	}
}

/* Minimisation */

/* Number the distinct rows of n rows of len ints into blk; how many */
static int
number_rows(const int *rows, int n, int len, int *blk)
{
	int *tab, size = 1, i, j, nb = 0;
	uint32_t h;

	while (size < 2 * n)
		size *= 2;
	tab = emalloc((size_t)size * sizeof *tab);
	memset(tab, -1, (size_t)size * sizeof *tab);
	for (i = 0; i < n; i++) {
		h = 2166136261u;
		for (j = 0; j < len; j++)
			h = (h ^ (uint32_t)rows[i * len + j]) * 16777619u;
		for (j = (int)(h & (uint32_t)(size - 1)); tab[j] >= 0;
		    j = (j + 1) & (size - 1))
			if (!memcmp(rows + tab[j] * len, rows + i * len,
			    (size_t)len * sizeof *rows))
				break;
		if (tab[j] < 0) {
			tab[j] = i;
			blk[i] = nb++;
		} else
			blk[i] = blk[tab[j]];
	}
	free(tab);
	return nb;
}

/*
 * Moore: split blocks by the blocks their bytes lead to until nothing
 * splits.  The end's column is left out: what counts there is whether
 * it completes a match, which the first partition holds.
 */
static int
minimise(struct re *r)
{
	int n = (int)r->nsub, len = r->nclass, s, k, nb, old;
	int *row;

	r->blk = emalloc((size_t)n * sizeof *r->blk);
	r->rows = emalloc((size_t)n * (size_t)len * sizeof *r->rows);
	for (s = 0; s < n; s++) {
		row = r->rows + s * len;
		memset(row, 0, (size_t)len * sizeof *row);
		row[0] = r->sub[s].acc ? 2 : r->sub[s].endacc;
	}
	nb = number_rows(r->rows, n, len, r->blk);
	do {
		old = nb;
		for (s = 0; s < n; s++) {
			row = r->rows + s * len;
			row[0] = r->blk[s];
			for (k = 0; k < len; k++)
				if (k != r->zcls)
					row[k + (k < r->zcls)] =
					    r->blk[r->tr[s * len + k]];
		}
		nb = number_rows(r->rows, n, len, r->blk);
	} while (nb != old);
	return nb;
}

/* The table, states numbered breadth first from the start */
static struct redfa *
emit(struct re *r, int nb)
{
	struct redfa *d;
	int *id, *q, *repof, nq = 1, qi, s, b, t, c;

	r->ids = emalloc(3 * (size_t)nb * sizeof *r->ids);
	id = r->ids;
	q = id + nb;
	repof = q + nb;
	memset(id, -1, (size_t)nb * sizeof *id);
	for (s = (int)r->nsub - 1; s >= 0; s--)
		repof[r->blk[s]] = s;
	id[r->blk[0]] = 0;
	q[0] = r->blk[0];
	for (qi = 0; qi < nq; qi++) {
		s = repof[q[qi]];
		for (c = 0; c < 256; c++) {
			if (c > 0)
				t = r->blk[r->tr[s * r->nclass + r->cls[c]]];
			else if (r->sub[s].endacc)
				t = r->blk[r->accsub];
			else
				continue;
			if (id[t] < 0) {
				id[t] = nq;
				q[nq++] = t;
			}
		}
	}
	if (nq > RE_MAXSTATES)
		fail(r, -1, "regex too complex: its DFA needs more than %d "
		    "states", RE_MAXSTATES);
	d = emalloc(sizeof *d);
	d->nstates = nq;
	d->next = emalloc((size_t)nq * 256);
	d->accept = emalloc((size_t)nq);
	for (qi = 0; qi < nq; qi++) {
		s = repof[q[qi]];
		d->accept[qi] = (unsigned char)r->sub[s].acc;
		for (c = 0; c < 256; c++) {
			b = r->blk[r->tr[s * r->nclass + r->cls[c]]];
			if (c == 0 && r->sub[s].endacc)
				b = r->blk[r->accsub];
			d->next[qi * 256 + c] = (unsigned char)id[b];
		}
	}
	return d;
}

static struct redfa *
compile(struct re *r)
{
	int x, nb;

	if (setjmp(r->fail))
		return NULL;
	x = expr(r);
	/* stap means this too, but lets a ')' that ends the regex pass */
	if (r->s[r->i] == ')')
		fail(r, r->i, "unbalanced ')'");
	r->eolset = newset(r);
	addrange(&r->sets[r->eolset], 0, 0);
	r->start = build(r, x, newnfa(r, N_MATCH, 0, -1), 0);
	classify(r);
	subsets(r);
	nb = minimise(r);
	return emit(r, nb);
}

struct redfa *
re_compile(const char *re, char *err, size_t errlen, int *erroff)
{
	struct re *r = emalloc(sizeof *r);
	struct redfa *d;

	memset(r, 0, sizeof *r);
	r->s = re;
	r->err = err;
	r->errlen = errlen;
	if (errlen)
		err[0] = '\0';
	r->erroff = -1;
	d = compile(r);
	if (!d && erroff)
		*erroff = r->erroff;
	free(r->ast);
	free(r->sets);
	free(r->nfa);
	free(r->mark);
	free(r->stack);
	free(r->items);
	free(r->sub);
	free(r->pool);
	free(r->tr);
	free(r->blk);
	free(r->rows);
	free(r->ids);
	free(r);
	return d;
}

void
re_free(struct redfa *d)
{
	if (!d)
		return;
	free(d->next);
	free(d->accept);
	free(d);
}

int
re_match(const struct redfa *d, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int st = 0;

	if (d->accept[0])
		return 1;
	for (;;) {
		st = d->next[st * 256 + *p];
		if (d->accept[st])
			return 1;
		if (!*p++)
			return 0;
	}
}
