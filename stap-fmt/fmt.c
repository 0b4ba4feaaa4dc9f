/*
 * The printer: a tree back to canonical SystemTap source.
 *
 * Declarations and statements are printed a line at a time.  A line is
 * built in a struct line that notes where it may break (after commas
 * and operators), then filled to WIDTH columns: when it overflows it
 * breaks at the outermost place that still fits, as late as it can, and
 * goes on one tab deeper.
 *
 * The tree keeps start positions only.  A comment is printed before the
 * first statement or declaration that starts after it, or with the list
 * item it follows; one that shared its line with code (not own_line)
 * goes at the end of the line printed last.  To keep the comments at the
 * end of a block inside it, the matching '}' is found by scanning the
 * block's source text, which every tree carries.  The output stays in
 * memory until the end, since such a trailing comment amends a line
 * already printed.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/stap.h"
#include "fmt.h"

enum { WIDTH = 80, TABW = 8 };

/*
 * Binding strength, loosest first.  Level k of parse.c's levels[] is
 * P_BINARY + 2k, which leaves room for 'in' between '&' and the
 * comparisons, where parse.c's LEVEL_IN puts it.  Below the unary
 * operators come ++ and -- (on a value only), then the values with
 * their suffixes and '&' (parse.c's dwarf_value), then primaries.
 */
enum {
	P_ASSIGN = 1,
	P_TERNARY,
	P_BINARY,
	P_IN = P_BINARY + 2 * 4 + 1,
	P_CMP = P_BINARY + 2 * 5,
	P_UNARY = 40,
	P_CREMENT,
	P_VALUE,
	P_PRIMARY,
};

/* parse.c's levels[], loosest first; the two must agree */
static const enum op levels[][8] = {
	{ O_LOR },
	{ O_LAND },
	{ O_OR },
	{ O_XOR },
	{ O_AND },
	{ O_EQ, O_NE, O_LT, O_LE, O_GT, O_GE, O_MATCH, O_NMATCH },
	{ O_SHL, O_SHR, O_USHR },
	{ O_CAT },
	{ O_PLUS, O_MINUS },
	{ O_MUL, O_DIV, O_MOD },
};

struct brk {
	size_t at;      /* where the next line would begin */
	int depth;      /* lower breaks first: see lbreakw */
	size_t cm0, cm1;/* comments to print here, forcing the break */
};

struct line {
	char *s;
	size_t len, cap;
	struct brk *brk;
	size_t nbrk, capbrk;
	int depth;
};

/*
 * What follows a statement.  Statements need no ';' between them, but
 * "x" then "-y" on the next line would read back as "x - y", and a bare
 * "return" takes whatever follows as its value.
 */
enum follow {
	FOL_END,        /* '}' or the end of the input */
	FOL_ELSE,       /* the 'else' of an if */
	FOL_SAFE,       /* a statement that cannot extend the one before */
	FOL_DANGER,     /* one that could: -x, (x), [k] in a, "s" */
	FOL_SEMI,       /* a lone ';', which the one before would take */
};

static int mainfile;            /* the file the comments are in */
static struct comment **cms;    /* sorted by position */
static unsigned char *cmskip;   /* in an @define body, printed with it */
static size_t ncms, cmnext;
static int lastline;            /* furthest line of mainfile printed */

static struct {
	char *s;
	size_t len, cap;
	int nlines;
	int blank;              /* a blank line is due before the next */
	int opened;             /* the last line opened a block or a body */
	int linecomment;        /* the last line ends in a '#' comment */
} out;

static struct line ln;          /* the line being built */
static struct line scratch;     /* for looking at a statement's start */

static void expr(struct line *l, struct node *n, int min);
static void stmt(struct node *s, int indent, enum follow fol);
static void note(struct loc loc);

/* ---- checking the tree ---- */

_Noreturn static void
malformed(struct node *n, const char *fmt, ...)
{
	char buf[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	diag_error(n->loc, "malformed stap-tree: %s", buf);
	die();
}

/* The single child c in slot of n, which must be there. */
static struct node *
one(struct node *n, struct node *c, const char *slot)
{
	if (!c)
		malformed(n, "'%s' node without '%s'", node_name[n->kind],
		    slot);
	if (c->next)
		malformed(c, "more than one '%s' in a '%s' node", slot,
		    node_name[n->kind]);
	return c;
}

static struct node *
maybe(struct node *n, struct node *c, const char *slot)
{
	return c ? one(n, c, slot) : NULL;
}

static const char *
name(struct node *n)
{
	if (!n->str || !*n->str)
		malformed(n, "'%s' node without a name", node_name[n->kind]);
	return n->str;
}

static struct node *
kind(struct node *n, enum nodekind k)
{
	if (n->kind != k)
		malformed(n, "a '%s' node where a '%s' should be",
		    node_name[n->kind], node_name[k]);
	return n;
}

/* ---- building lines ---- */

static void
lputn(struct line *l, const char *s, size_t n)
{
	l->s = vgrow(l->s, &l->cap, l->len + n + 1, 1);
	memcpy(l->s + l->len, s, n);
	l->len += n;
	l->s[l->len] = '\0';
}

static void
lput(struct line *l, const char *s)
{
	lputn(l, s, strlen(s));
}

/*
 * Called after ", " or an operator: the line may go on on the next
 * line here.  Outer lists break before inner ones; at one depth, commas
 * (weak 0) first, then '?' and ':' (1), then the loosest binary
 * operators (2 + their level).  Not after '=': what follows is seldom
 * shorter.
 */
static void
lbreakw(struct line *l, int weak)
{
	l->brk = vgrow(l->brk, &l->capbrk, l->nbrk + 1, sizeof *l->brk);
	l->brk[l->nbrk].at = l->len;
	l->brk[l->nbrk].cm0 = l->brk[l->nbrk].cm1 = 0;
	l->brk[l->nbrk++].depth = 16 * l->depth + weak;
}

static void
lbreak(struct line *l)
{
	lbreakw(l, 0);
}

static void lsep(struct line *l, struct node *next);

/* Put parentheses around what was put since off. */
static void
lwrap(struct line *l, size_t off)
{
	size_t i;

	lputn(l, ")", 1);
	l->s = vgrow(l->s, &l->cap, l->len + 2, 1);
	memmove(l->s + off + 1, l->s + off, l->len - off + 1);
	l->s[off] = '(';
	l->len++;
	for (i = 0; i < l->nbrk; i++)
		if (l->brk[i].at > off)
			l->brk[i].at++;
}

static void
lclear(struct line *l)
{
	l->len = 0;
	l->nbrk = 0;
	l->depth = 0;
	if (l->s)
		l->s[0] = '\0';
}

/* ---- output ---- */

static void
oputn(const char *s, size_t n)
{
	if (n == 0)
		return;
	out.s = vgrow(out.s, &out.cap, out.len + n, 1);
	memcpy(out.s + out.len, s, n);
	out.len += n;
}

static void
otabs(int n)
{
	while (n-- > 0)
		oputn("\t", 1);
}

/* Begin an output line: first the blank line due, if any. */
static void
ostart(int indent)
{
	if (out.len > 0 && out.s[out.len - 1] != '\n')
		oputn("\n", 1);        /* after an unterminated comment */
	if (out.blank && out.nlines > 0 && !out.opened)
		oputn("\n", 1);
	out.blank = out.opened = out.linecomment = 0;
	out.nlines++;
	otabs(indent);
}

/* The column after printing s[0..n) from column col. */
static int
advance(int col, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (c == '\t')
			col = (col / TABW + 1) * TABW;
		else if (c == '\n')
			col = 0;
		else if ((c & 0xc0) != 0x80)    /* not inside UTF-8 */
			col++;
	}
	return col;
}

/*
 * The furthest break in ln after break j whose line fits from column
 * lead, preferring the outermost lists; if none fits, the first one;
 * a break with comments, if it comes first; -1 when the rest fits or
 * there is no break left.
 */
static long
nextbreak(size_t start, size_t j, int lead)
{
	size_t pos = start, k;
	long best = -1;
	int col = lead;

	for (k = j; k < ln.nbrk; k++) {
		size_t at = ln.brk[k].at;

		col = advance(col, ln.s + pos, at - pos);
		pos = at;
		if (col - (ln.s[at - 1] == ' ') > WIDTH)
			return best >= 0 ? best : (long)k;
		if (ln.brk[k].cm1 > ln.brk[k].cm0)
			return k;
		if (best < 0 || ln.brk[k].depth <= ln.brk[best].depth)
			best = k;
	}
	if (advance(col, ln.s + pos, ln.len - pos) <= WIDTH)
		return -1;
	return best;
}

/* Whether the comment runs to the end of its line, so nothing may follow */
static int
linecomment(const char *t)
{
	size_t n = strlen(t);

	return t[0] == '#' || (t[0] == '/' && t[1] == '/') ||
	    (t[0] == '/' && t[1] == '*' && (n < 4 || strcmp(t + n - 2, "*/")));
}

/*
 * A comment between the items of a list, on the line before the break:
 * at its end, or on a line of its own.
 */
static void
listcomment(struct comment *c, int indent)
{
	if (c->own_line || out.linecomment) {
		oputn("\n", 1);
		out.nlines++;
		otabs(indent);
	} else {
		oputn(" ", 1);
	}
	oputn(c->text, strlen(c->text));
	out.linecomment = linecomment(c->text);
	note(c->loc);
}

/* Print ln at indent, filled to WIDTH, and empty it. */
static void
emit(int indent)
{
	size_t start = 0, j = 0, end, i;
	long b;

	ostart(indent);
	while ((b = nextbreak(start, j, (start ? indent + 1 : indent) *
	    TABW)) >= 0) {
		end = ln.brk[b].at;
		if (ln.s[end - 1] == ' ')
			end--;
		oputn(ln.s + start, end - start);
		for (i = ln.brk[b].cm0; i < ln.brk[b].cm1; i++)
			if (!cmskip[i])
				listcomment(cms[i], indent + 1);
		oputn("\n", 1);
		out.nlines++;
		out.linecomment = 0;
		otabs(indent + 1);
		start = ln.brk[b].at;
		j = b + 1;
	}
	if (ln.len > start)
		oputn(ln.s + start, ln.len - start);
	oputn("\n", 1);
	out.linecomment = 0;
	lclear(&ln);
}

/* ---- the source text ---- */

/* Where loc points in its source text, or NULL; *text, *end the file. */
static const char *
srcat(struct loc loc, const char **text, const char **end)
{
	struct srcfile *f = src_get(loc.file);
	const char *s;
	size_t n;

	if (!f || !(s = src_line(loc.file, loc.line, &n)) || loc.col < 1 ||
	    (size_t)loc.col > n)
		return NULL;
	*text = f->text;
	*end = f->text + f->len;
	return s + loc.col - 1;
}

static const char *
skipblank(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\r' ||
	    *p == '\f' || *p == '\v'))
		p++;
	return p;
}

static int
identch(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '$';
}

static int
before(struct loc a, struct loc b)
{
	return a.line < b.line || (a.line == b.line && a.col < b.col);
}

/*
 * A walk over the source of the comments' file, stepping over strings,
 * comments and embedded code, to find what the tree does not record:
 * where a block ends, where an 'else' or 'catch' stands.  Braces in an
 * untaken %( %) branch can mislead it; then a comment lands on the
 * wrong side of a '}' or an 'else', which is all.
 */
struct scan {
	const char *text, *p, *e, *ls;
	struct loc loc;         /* of p, but for the column */
};

static int
scan_at(struct scan *sc, struct loc loc)
{
	if (loc.file != mainfile || !(sc->p = srcat(loc, &sc->text, &sc->e)))
		return 0;
	sc->loc = loc;
	sc->ls = sc->p - (loc.col - 1);
	return 1;
}

static struct loc
scan_loc(struct scan *sc)
{
	struct loc loc = sc->loc;

	loc.col = (int)(sc->p - sc->ls) + 1;
	return loc;
}

static void
scan_step(struct scan *sc)
{
	if (*sc->p == '\n') {
		sc->loc.line++;
		sc->ls = sc->p + 1;
	}
	sc->p++;
}

/* Step up to the two-byte close and past it. */
static void
scan_past(struct scan *sc, const char *close)
{
	while (sc->p + 1 < sc->e && !(sc->p[0] == close[0] &&
	    sc->p[1] == close[1]))
		scan_step(sc);
	sc->p = sc->p + 2 < sc->e ? sc->p + 2 : sc->e;
}

/* Step over the string, comment or embedded code at p, if one is there. */
static int
scan_skip(struct scan *sc)
{
	const char *p = sc->p;

	if (*p == '"') {
		for (scan_step(sc); sc->p < sc->e && *sc->p != '"'; ) {
			if (*sc->p == '\\' && sc->p + 1 < sc->e)
				scan_step(sc);
			scan_step(sc);
		}
		if (sc->p < sc->e)
			sc->p++;
		return 1;
	}
	/* $# and @# are tokens, but not the '#' after "$$" or "a$" */
	if ((*p == '#' && !(p > sc->text && (p[-1] == '@' || (p[-1] == '$' &&
	    !(p - 1 > sc->text && identch(p[-2])))))) ||
	    (p[0] == '/' && p[1] == '/')) {
		while (sc->p < sc->e && *sc->p != '\n')
			sc->p++;
		return 1;
	}
	if ((p[0] == '/' && p[1] == '*') || (p[0] == '%' && p[1] == '{')) {
		sc->p += 2;
		scan_past(sc, p[0] == '/' ? "*/" : "%}");
		return 1;
	}
	return 0;
}

/* The '}' closing the block at b. */
static int
block_end(struct node *b, struct loc *end)
{
	struct scan sc;
	int depth = 0;

	if (!scan_at(&sc, b->loc) || *sc.p != '{')
		return 0;
	while (sc.p < sc.e) {
		if (scan_skip(&sc))
			continue;
		if (*sc.p == '{')
			depth++;
		if (*sc.p == '}' && --depth == 0) {
			*end = scan_loc(&sc);
			return 1;
		}
		scan_step(&sc);
	}
	return 0;
}

/*
 * Where the keyword kw stands last between from and to: the 'else'
 * between an if's then-part and its else-part, for the comments on
 * either side of it.  Without it, to.
 */
static struct loc
keyword(struct loc from, struct loc to, const char *kw)
{
	struct scan sc;
	struct loc at = to;
	size_t n = strlen(kw);

	if (!scan_at(&sc, from) || to.file != mainfile || !before(from, to))
		return to;
	while (sc.p < sc.e && before(scan_loc(&sc), to)) {
		if (scan_skip(&sc))
			continue;
		if (identch(*sc.p)) {
			/* a word at a time, so the match is a whole word */
			if ((size_t)(sc.e - sc.p) > n &&
			    !strncmp(sc.p, kw, n) && !identch(sc.p[n]))
				at = scan_loc(&sc);
			while (sc.p < sc.e && identch(*sc.p))
				sc.p++;
			continue;
		}
		scan_step(&sc);
	}
	return at;
}

static void
note(struct loc loc)
{
	if (loc.file == mainfile && loc.line > lastline)
		lastline = loc.line;
}

/*
 * Whether the source has a blank line right above loc, and loc begins
 * its line (after "private", for a declaration).  Nodes expanded from a
 * macro carry the @define's position, so a position not past the last
 * one printed says nothing.
 */
static int
blank_before(struct loc loc, int decl)
{
	const char *s, *e, *p;
	size_t n;

	if (loc.file != mainfile || loc.line <= lastline || loc.line < 2)
		return 0;
	if (!(s = src_line(mainfile, loc.line - 1, &n)))
		return 0;
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n > 0 || !(s = src_line(mainfile, loc.line, &n)) ||
	    loc.col < 1 || (size_t)loc.col - 1 > n)
		return 0;
	e = s + loc.col - 1;
	p = skipblank(s, e);
	if (decl && e - p > 7 && !strncmp(p, "private", 7))
		p = skipblank(p + 7, e);
	return p == e;
}

/* ---- comments ---- */

/*
 * An unterminated comment runs to the end of the file, newline and
 * all: nothing may follow it, not even a newline of ours.
 */
static void
comment(struct comment *c, int indent)
{
	const char *t = c->text;
	size_t n = strlen(t);
	int open = t[0] == '/' && t[1] == '*' &&
	    (n < 4 || strcmp(t + n - 2, "*/"));

	if (!c->own_line && out.nlines > 0 && !out.linecomment) {
		out.len--;      /* back onto the last line, before its '\n' */
		oputn(" ", 1);
	} else {
		if (blank_before(c->loc, 0))
			out.blank = 1;
		ostart(indent);
	}
	oputn(t, n);
	if (!open)
		oputn("\n", 1);
	out.linecomment = linecomment(t);
	note(c->loc);
}

static int
ahead(size_t i, struct loc pos)
{
	return i < ncms && cms[i]->loc.file == mainfile &&
	    before(cms[i]->loc, pos);
}

/* Print the comments that begin before pos. */
static void
flush(struct loc pos, int indent)
{
	if (pos.file != mainfile)
		return;
	for (; ahead(cmnext, pos); cmnext++)
		if (!cmskip[cmnext])
			comment(cms[cmnext], indent);
}

static int
pending(struct loc pos)
{
	size_t i;

	if (pos.file != mainfile)
		return 0;
	for (i = cmnext; ahead(i, pos); i++)
		if (!cmskip[i])
			return 1;
	return 0;
}

/*
 * ", " between the items of a list, and a place to break.  The comments
 * before the next item go with the break, which they force, so that a
 * comment on each item of a list stays with it.
 */
static void
lsep(struct line *l, struct node *next)
{
	size_t i = cmnext;

	lput(l, ", ");
	lbreak(l);
	if (l != &ln || next->loc.file != mainfile)
		return;
	while (ahead(i, next->loc))
		i++;
	if (pending(next->loc)) {
		l->brk[l->nbrk - 1].cm0 = cmnext;
		l->brk[l->nbrk - 1].cm1 = i;
	}
	cmnext = i;
}

/* Comments from other files (there should be none) sort last. */
static int
cmless(struct comment *a, struct comment *b)
{
	int fa = a->loc.file != mainfile, fb = b->loc.file != mainfile;

	return fa != fb ? fa < fb : before(a->loc, b->loc);
}

static void
collect_comments(struct script *s)
{
	struct comment *c;
	size_t cap = 0, i, j;

	for (c = s->comments; c; c = c->next) {
		cms = vgrow(cms, &cap, ncms + 1, sizeof *cms);
		cms[ncms++] = c;
	}
	/* they come sorted from the lexer; an insertion sort checks it */
	for (i = 1; i < ncms; i++) {
		c = cms[i];
		for (j = i; j > 0 && cmless(c, cms[j - 1]); j--)
			cms[j] = cms[j - 1];
		cms[j] = c;
	}
	cmskip = emalloc(ncms + 1);
	memset(cmskip, 0, ncms + 1);
}

/* The comments in an @define body are in its text, printed verbatim. */
static void
skip_macro_comments(struct node *d)
{
	struct node *b = d->l;
	struct loc end;
	const char *p;
	size_t i;

	if (!b || !b->str || b->loc.file != mainfile)
		return;
	end = b->loc;
	for (p = b->str; *p; p++) {
		end.col++;
		if (*p == '\n') {
			end.line++;
			end.col = 1;
		}
	}
	for (i = 0; i < ncms; i++)
		if (cms[i]->loc.file == mainfile &&
		    !before(cms[i]->loc, b->loc) && before(cms[i]->loc, end))
			cmskip[i] = 1;
}

/* ---- expressions ---- */

static int
binlevel(struct node *n)
{
	size_t i, j;

	for (i = 0; i < NELEM(levels); i++)
		for (j = 0; j < NELEM(levels[i]) && levels[i][j]; j++)
			if (levels[i][j] == n->op)
				return (int)i;
	malformed(n, "'%s' is not a binary operator", op_spelling[n->op]);
}

static int
prec(struct node *n)
{
	switch (n->kind) {
	case N_ASSIGN:
		return P_ASSIGN;
	case N_TERNARY:
		return P_TERNARY;
	case N_BINARY:
		return P_BINARY + 2 * binlevel(n);
	case N_IN:
		return P_IN;
	case N_UNARY:
		return P_UNARY;
	case N_PREINC:
	case N_POSTINC:
		return P_CREMENT;
	case N_TARGET:
	case N_CAST:
	case N_ATVAR:
		return n->flags & F_ADDR ? P_VALUE : P_PRIMARY;
	case N_AUTOCAST:
		return P_VALUE;
	default:
		return P_PRIMARY;
	}
}

/*
 * A number prints as its 64 bits, which read back the same, since
 * literals up to 2^64-1 wrap.  Only a literal (a probe point argument,
 * an initialiser, a histogram's bounds) can be negative as written:
 * there "-5" is a number, elsewhere '-' applied to one.  Hex and octal
 * stay bit patterns even there.
 */
static void
number(struct line *l, struct node *n, int literal)
{
	unsigned long long u = (uint64_t)n->num;
	const char *sign = "";
	char buf[32];

	if (literal && n->num < 0 && !(n->flags & (F_HEX | F_OCT))) {
		sign = "-";
		u = 0 - u;
	}
	if (n->flags & F_HEX)
		snprintf(buf, sizeof buf, "%s0x%llx", sign, u);
	else if (n->flags & F_OCT)
		snprintf(buf, sizeof buf, "%s0%llo", sign, u);
	else
		snprintf(buf, sizeof buf, "%s%llu", sign, u);
	lput(l, buf);
}

static void
quote(struct line *l, const char *s)
{
	char buf[8];

	lput(l, "\"");
	for (; s && *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\') {
			buf[0] = '\\';
			buf[1] = c;
			lputn(l, buf, 2);
		} else if (c == '\n') {
			lput(l, "\\n");
		} else if (c == '\t') {
			lput(l, "\\t");
		} else if (c < 0x20 || c == 0x7f) {
			/* three digits, so a digit after it stays apart */
			snprintf(buf, sizeof buf, "\\%03o", c);
			lput(l, buf);
		} else {
			lputn(l, (const char *)&c, 1);
		}
	}
	lput(l, "\"");
}

static void
literal(struct line *l, struct node *n)
{
	if (n->kind == N_NUM)
		number(l, n, 1);
	else if (n->kind == N_STR)
		quote(l, n->str);
	else
		malformed(n, "a '%s' node where a literal should be",
		    node_name[n->kind]);
}

static void
embed(struct line *l, struct node *n)
{
	lput(l, "%{");
	lput(l, n->str ? n->str : "");
	lput(l, "%}");
}

/* Comma-separated, breakable; '*' (any) only shows in array slices. */
static void
list(struct line *l, struct node *n)
{
	l->depth++;
	for (; n; n = n->next) {
		expr(l, n, 0);
		if (n->next)
			lsep(l, n->next);
	}
	l->depth--;
}

/*
 * fn(first, rest...).  lit says which arguments are literals, where a
 * '-' folds into the number: bit k for the k-th argument.
 */
static void
call(struct line *l, const char *fn, struct node *first, struct node *rest,
    unsigned lit)
{
	struct node *a;
	int k = 0;

	lput(l, fn);
	lput(l, "(");
	l->depth++;
	if (first) {
		expr(l, first, 0);
		if (rest)
			lsep(l, rest);
		k++;
	}
	for (a = rest; a; a = a->next, k++) {
		if (k < 16 && (lit >> k & 1) && a->kind == N_NUM)
			number(l, a, 1);
		else
			expr(l, a, 0);
		if (a->next)
			lsep(l, a->next);
	}
	l->depth--;
	lput(l, ")");
}

/*
 * The value an autocast applies to, a primary: "(p->a)->b" is two
 * autocasts.  Nor may it take the suffixes itself: "a[1]" is an array
 * element, so (a)[1].  A target takes them whatever we do, as "($x)->a"
 * does not parse, but the parser makes no autocast of a target.
 */
static void
autocast_base(struct line *l, struct node *n)
{
	struct node *b = one(n, n->l, "l");
	size_t off = l->len;

	expr(l, b, P_PRIMARY);
	if (b->kind == N_IDENT && n->args && n->args->kind == N_SUBSCRIPT)
		lwrap(l, off);
}

/*
 * $var, @cast(...), @var(...) or an autocast, then ->field[index] and
 * $ or $$.  The lexer takes '$' into a name, so "$var$" is one token;
 * the parser strips the '$'s, except from a name of '$'s alone.
 */
static void
target(struct line *l, struct node *n)
{
	struct node *c;

	if (n->flags & F_ADDR)
		lput(l, "&");
	if (n->kind == N_AUTOCAST) {
		autocast_base(l, n);
	} else if (n->kind == N_TARGET) {
		lput(l, name(n));
	} else {
		lput(l, n->kind == N_CAST ? "@cast(" : "@var(");
		l->depth++;
		if (n->kind == N_CAST) {
			expr(l, one(n, n->l, "l"), 0);
			lput(l, ", ");
			lbreak(l);
		}
		quote(l, n->str);
		if (n->r) {
			lput(l, ", ");
			lbreak(l);
			literal(l, one(n, n->r, "r"));
		}
		l->depth--;
		lput(l, ")");
	}
	for (c = n->args; c; c = c->next) {
		if (c->kind == N_MEMBER) {
			lput(l, "->");
			lput(l, name(c));
		} else {
			lput(l, "[");
			expr(l, one(c, kind(c, N_SUBSCRIPT)->l, "l"), 0);
			lput(l, "]");
		}
	}
	if (!(n->flags & (F_PRETTY | F_PPRETTY)))
		return;
	if (!n->args && ((n->kind == N_TARGET && !n->str[strspn(n->str, "$")])
	    || (n->kind == N_AUTOCAST && identch(l->s[l->len - 1]))))
		lput(l, " ");
	lput(l, n->flags & F_PPRETTY ? "$$" : "$");
}

/* "- -x" must not become "--x", nor "! ~x" the operator "!~" */
static int
clash(enum op op, char c)
{
	return (op == O_MINUS && c == '-') || (op == O_PLUS && c == '+') ||
	    (op == O_NOT && c == '~');
}

static void
unary(struct line *l, struct node *n)
{
	size_t off;

	if (n->op != O_MINUS && n->op != O_PLUS && n->op != O_NOT &&
	    n->op != O_BNOT)
		malformed(n, "'%s' is not a unary operator",
		    op_spelling[n->op]);
	lput(l, op_spelling[n->op]);
	off = l->len;
	expr(l, one(n, n->l, "l"), P_UNARY);
	if (clash(n->op, l->s[off]))
		lwrap(l, off);
}

static void
incdec(struct line *l, struct node *n)
{
	if (n->op != O_INC && n->op != O_DEC)
		malformed(n, "'%s' is not '++' or '--'", op_spelling[n->op]);
	if (n->kind == N_PREINC)
		lput(l, op_spelling[n->op]);
	expr(l, one(n, n->l, "l"), P_VALUE);
	if (n->kind == N_POSTINC)
		lput(l, op_spelling[n->op]);
}

/*
 * [k1, k2] in arr.  A lone key goes bare only when it binds tightly:
 * "a == b in arr" means "[a == b] in arr", which is clearer written so.
 */
static void
in(struct line *l, struct node *n)
{
	struct node *k = n->args;

	if (!k)
		malformed(n, "'in' without a key");
	if (!k->next && k->kind != N_ANY && prec(k) >= P_CREMENT) {
		expr(l, k, P_CREMENT);
	} else {
		lput(l, "[");
		list(l, k);
		lput(l, "]");
	}
	lput(l, " in ");
	expr(l, one(n, n->l, "l"), P_PRIMARY);
}

static int
ismatch(struct node *n)
{
	return n->kind == N_BINARY && (n->op == O_MATCH || n->op == O_NMATCH);
}

/*
 * Left-associative: the right operand binds tighter.  A regex match
 * takes a shift-level operand and a literal string, and ends its
 * comparison: a =~ "x" == b does not parse.
 */
static void
binary(struct line *l, struct node *n)
{
	struct node *a = one(n, n->l, "l"), *b = one(n, n->r, "r");
	int p = prec(n);

	expr(l, a, p + (ismatch(n) || (p == P_CMP && ismatch(a))));
	lput(l, " ");
	lput(l, op_spelling[n->op]);
	lput(l, " ");
	lbreakw(l, 2 + (p - P_BINARY) / 2);
	expr(l, b, p + 1);
}

static void
expr(struct line *l, struct node *n, int min)
{
	if (prec(n) < min) {
		lput(l, "(");
		expr(l, n, 0);
		lput(l, ")");
		return;
	}
	switch (n->kind) {
	case N_ASSIGN:
		if (!op_isassign(n->op))
			malformed(n, "'%s' is not an assignment",
			    op_spelling[n->op]);
		expr(l, one(n, n->l, "l"), P_TERNARY);
		lput(l, " ");
		lput(l, op_spelling[n->op]);
		lput(l, " ");
		expr(l, one(n, n->r, "r"), P_ASSIGN);
		break;
	case N_TERNARY:
		expr(l, one(n, n->cond, "cond"), P_BINARY);
		lput(l, " ? ");
		lbreakw(l, 1);
		expr(l, one(n, n->then, "then"), P_ASSIGN);
		lput(l, " : ");
		lbreakw(l, 1);
		expr(l, one(n, n->els, "els"), P_TERNARY);
		break;
	case N_BINARY:
		binary(l, n);
		break;
	case N_IN:
		in(l, n);
		break;
	case N_UNARY:
		unary(l, n);
		break;
	case N_PREINC:
	case N_POSTINC:
		incdec(l, n);
		break;
	case N_NUM:
		number(l, n, 0);
		break;
	case N_STR:
		quote(l, n->str);
		break;
	case N_IDENT:
		lput(l, name(n));
		break;
	case N_ANY:
		lput(l, "*");
		break;
	case N_INDEX:
		expr(l, one(n, n->l, "l"), P_PRIMARY);
		if (!n->args)
			malformed(n, "empty array index");
		lput(l, "[");
		list(l, n->args);
		lput(l, "]");
		break;
	case N_CALL:
		call(l, name(n), NULL, n->args, 0);
		break;
	case N_ATFN:
		/* @kregister(n), @kderef(n, addr)... */
		call(l, name(n), NULL, n->args, 1);
		break;
	case N_STAT:
		/* @hist_linear(v, lo, hi, step), @variance(v, shift) */
		call(l, name(n), one(n, n->l, "l"), n->args, ~1u);
		break;
	case N_ENTRY:
	case N_DEFINED:
		call(l, n->kind == N_ENTRY ? "@entry" : "@defined",
		    one(n, n->l, "l"), NULL, 0);
		break;
	case N_TARGET:
	case N_CAST:
	case N_ATVAR:
	case N_AUTOCAST:
		target(l, n);
		break;
	case N_EMBED:
		embed(l, n);
		break;
	default:
		malformed(n, "a '%s' node where an expression should be",
		    node_name[n->kind]);
	}
}

/* ---- statements ---- */

static void stmts(struct node *s, int indent);

/* An expression statement; "%{" first would make it embedded code. */
static void
exprstmt(struct line *l, struct node *s)
{
	size_t off = l->len;

	expr(l, one(s, s->l, "l"), 0);
	if (l->s[off] == '%')
		lwrap(l, off);
}

static enum follow
follow(struct node *next)
{
	if (!next)
		return FOL_END;
	if (next->kind == N_NULLSTMT)
		return FOL_SEMI;
	if (next->kind != N_EXPR)
		return FOL_SAFE;
	lclear(&scratch);
	exprstmt(&scratch, next);
	/* and a lone "$", which would be a pretty-printing suffix */
	return strchr("-+[(&\"", scratch.s[0]) || (scratch.s[0] == '$' &&
	    !identch(scratch.s[strspn(scratch.s, "$")])) ? FOL_DANGER :
	    FOL_SAFE;
}

/*
 * ln holds a header ("if (x)", or nothing); add the block b to it.
 * Returns with the closing "}" in ln, for the caller to add " else"
 * or to emit.
 */
static void
block(struct node *b, int indent)
{
	struct loc end;
	int known = block_end(kind(b, N_BLOCK), &end);

	if (!b->body && (!known || !pending(end))) {
		lput(&ln, ln.len ? " {}" : "{}");
		return;
	}
	lput(&ln, ln.len ? " {" : "{");
	emit(indent);
	out.opened = 1;
	stmts(b->body, indent + 1);
	if (known)
		flush(end, indent + 1);
	out.blank = 0;
	lput(&ln, "}");
}

/* The body of if, while, for or foreach, after the header in ln. */
static void
body(struct node *parent, struct node *b, int indent, enum follow fol)
{
	one(parent, b, "body");
	if (b->kind == N_BLOCK) {
		block(b, indent);
		emit(indent);
		return;
	}
	emit(indent);
	out.opened = 1;
	flush(b->loc, indent + 1);
	note(b->loc);
	stmt(b, indent + 1, fol);
}

/*
 * Comments before the 'else' go before it, on lines of their own when
 * the then-part ends in '}'; those after it go after it.
 */
static void
ifstmt(struct node *s, int indent, enum follow fol)
{
	struct node *then, *els;
	struct loc kw;

	lput(&ln, "if (");
	for (;;) {
		expr(&ln, one(s, s->cond, "cond"), 0);
		lput(&ln, ")");
		then = one(s, s->then, "then");
		els = maybe(s, s->els, "els");
		if (!els) {
			body(s, then, indent, fol);
			return;
		}
		kw = keyword(then->loc, els->loc, "else");
		if (then->kind == N_BLOCK) {
			block(then, indent);
			if (pending(kw)) {
				emit(indent);
				flush(kw, indent);
				lput(&ln, "else");
			} else {
				lput(&ln, " else");
			}
		} else {
			body(s, then, indent, FOL_ELSE);
			flush(kw, indent);
			lput(&ln, "else");
		}
		if (els->kind != N_IF) {
			body(s, els, indent, fol);
			return;
		}
		/* else if chains stay flat */
		note(els->loc);
		lput(&ln, " if (");
		s = els;
	}
}

static void
trystmt(struct node *s, int indent)
{
	struct node *var = maybe(s, s->l, "l"), *c = one(s, s->els, "els");
	struct node *b = one(s, s->body, "body");
	struct loc at = keyword(b->loc, var ? var->loc : c->loc, "catch");

	lput(&ln, "try");
	block(b, indent);
	if (pending(at)) {
		emit(indent);
		flush(at, indent);
		lput(&ln, "catch");
	} else {
		lput(&ln, " catch");
	}
	if (var) {
		lput(&ln, " (");
		lput(&ln, name(kind(var, N_IDENT)));
		lput(&ln, ")");
	}
	block(c, indent);
	emit(indent);
}

static void
forstmt(struct node *s, int indent, enum follow fol)
{
	lput(&ln, "for (");
	if (s->init)
		expr(&ln, one(s, s->init, "init"), 0);
	lput(&ln, ";");
	if (s->cond) {
		lput(&ln, " ");
		expr(&ln, one(s, s->cond, "cond"), 0);
	}
	lput(&ln, ";");
	if (s->step) {
		lput(&ln, " ");
		expr(&ln, one(s, s->step, "step"), 0);
	}
	lput(&ln, ")");
	body(s, s->body, indent, fol);
}

/* The sort mark of column col (0: the value), if it sorts there. */
static void
sortmark(struct node *fe, int col)
{
	if (fe->num != col)
		return;
	if (fe->flags & F_ASC)
		lput(&ln, "+");
	else if (fe->flags & F_DESC)
		lput(&ln, "-");
}

static void
foreach(struct node *s, int indent, enum follow fol)
{
	struct node *v = maybe(s, s->value, "value"), *k;
	int col = 1, brackets;

	if (!s->keys)
		malformed(s, "'foreach' without keys");
	brackets = v || s->keys->next;
	lput(&ln, "foreach (");
	if (v) {
		lput(&ln, name(kind(v, N_IDENT)));
		lput(&ln, " = ");
	}
	if (brackets)
		lput(&ln, "[");
	ln.depth++;
	for (k = s->keys; k; k = k->next) {
		lput(&ln, name(kind(k, N_IDENT)));
		sortmark(s, col++);
		if (k->next)
			lsep(&ln, k->next);
	}
	ln.depth--;
	if (brackets)
		lput(&ln, "]");
	lput(&ln, " in ");
	expr(&ln, one(s, s->l, "l"), P_PRIMARY);
	if (s->str) {
		/* sorting on an aggregate of the values: @sum- */
		lput(&ln, " ");
		lput(&ln, s->str);
	}
	sortmark(s, 0);
	if (s->limit) {
		lput(&ln, " limit ");
		expr(&ln, one(s, s->limit, "limit"), 0);
	}
	lput(&ln, ")");
	body(s, s->body, indent, fol);
}

static void
simple(const char *kw, struct node *val, int semi, int indent)
{
	lput(&ln, kw);
	if (val) {
		lput(&ln, " ");
		expr(&ln, val, 0);
	}
	if (semi)
		lput(&ln, ";");
	emit(indent);
}

static void
stmt(struct node *s, int indent, enum follow fol)
{
	int danger = fol == FOL_DANGER || fol == FOL_SEMI;

	switch (s->kind) {
	case N_BLOCK:
		block(s, indent);
		emit(indent);
		break;
	case N_EXPR:
		exprstmt(&ln, s);
		if (danger)
			lput(&ln, ";");
		emit(indent);
		break;
	case N_RETURN:
		/* a bare return would take what follows as its value */
		simple("return", maybe(s, s->l, "l"),
		    s->l ? danger : fol != FOL_END, indent);
		break;
	case N_DELETE:
		simple("delete", one(s, s->l, "l"), danger, indent);
		break;
	case N_BREAK:
		simple("break", NULL, fol == FOL_SEMI, indent);
		break;
	case N_CONTINUE:
		simple("continue", NULL, fol == FOL_SEMI, indent);
		break;
	case N_NEXT:
		simple("next", NULL, fol == FOL_SEMI, indent);
		break;
	case N_NULLSTMT:
		simple(";", NULL, 0, indent);
		break;
	case N_EMBED:
		embed(&ln, s);
		simple("", NULL, fol == FOL_SEMI, indent);
		break;
	case N_IF:
		ifstmt(s, indent, fol);
		break;
	case N_WHILE:
		lput(&ln, "while (");
		expr(&ln, one(s, s->cond, "cond"), 0);
		lput(&ln, ")");
		body(s, s->body, indent, fol);
		break;
	case N_FOR:
		forstmt(s, indent, fol);
		break;
	case N_FOREACH:
		foreach(s, indent, fol);
		break;
	case N_TRY:
		trystmt(s, indent);
		break;
	default:
		malformed(s, "a '%s' node where a statement should be",
		    node_name[s->kind]);
	}
}

static void
stmts(struct node *s, int indent)
{
	for (; s; s = s->next) {
		flush(s->loc, indent);
		if (blank_before(s->loc, 0))
			out.blank = 1;
		note(s->loc);
		stmt(s, indent, follow(s->next));
	}
}

/* ---- declarations ---- */

/* A list of probe points, or just the first when first is true. */
static void
points(struct node *p, int first)
{
	struct node *c;

	for (; p; p = first ? NULL : p->next) {
		if (!kind(p, N_POINT)->args)
			malformed(p, "probe point without components");
		for (c = p->args; c; c = c->next) {
			lput(&ln, name(kind(c, N_COMP)));
			if (c->l) {
				lput(&ln, "(");
				literal(&ln, one(c, c->l, "l"));
				lput(&ln, ")");
			}
			if (c->next)
				lput(&ln, ".");
		}
		/* '!' (sufficient) implies '?' (optional) */
		if (p->flags & F_SUFFICIENT)
			lput(&ln, "!");
		else if (p->flags & F_OPTIONAL)
			lput(&ln, "?");
		if (p->cond) {
			lput(&ln, " if (");
			expr(&ln, one(p, p->cond, "cond"), 0);
			lput(&ln, ")");
		}
		if (p->next && !first)
			lsep(&ln, p->next);
	}
}

static void
probe(struct node *d)
{
	if (!d->points)
		malformed(d, "probe without points");
	lput(&ln, "probe ");
	if (d->kind == N_ALIAS) {
		struct node *a;

		if (!d->args)
			malformed(d, "probe alias without a name");
		/* probe a = b = points; one '+=' makes the lot an epilogue */
		for (a = d->args; a; a = a->next) {
			points(a, 1);
			lput(&ln, a->next || !(d->flags & F_EPILOGUE) ?
			    " = " : " += ");
			lbreak(&ln);
		}
	}
	points(d->points, 0);
	block(one(d, d->body, "body"), 0);
	emit(0);
}

static int
typed(enum type t)
{
	return t == T_LONG || t == T_STRING;
}

static void
function(struct node *d)
{
	struct node *p, *b = one(d, d->body, "body");
	char buf[32];

	if (d->flags & F_PRIVATE)
		lput(&ln, "private ");
	lput(&ln, "function ");
	lput(&ln, name(d));
	if (typed(d->type)) {
		lput(&ln, ":");
		lput(&ln, type_name[d->type]);
		lput(&ln, " ");
	}
	lput(&ln, "(");
	ln.depth++;
	for (p = d->args; p; p = p->next) {
		lput(&ln, name(kind(p, N_PARAM)));
		if (typed(p->type)) {
			lput(&ln, ":");
			lput(&ln, type_name[p->type]);
		}
		if (p->next)
			lsep(&ln, p->next);
	}
	ln.depth--;
	lput(&ln, ")");
	if (d->num) {
		/* the priority among overloads */
		snprintf(buf, sizeof buf, " : %lld", (long long)d->num);
		lput(&ln, buf);
	}
	if (b->kind == N_EMBED) {
		lput(&ln, " ");
		embed(&ln, b);
	} else {
		block(b, 0);
	}
	emit(0);
}

static void
global(struct node *d)
{
	struct node *v;
	char buf[32];

	if (!d->args)
		malformed(d, "global without variables");
	if (d->flags & F_PRIVATE)
		lput(&ln, "private ");
	lput(&ln, "global ");
	for (v = d->args; v; v = v->next) {
		lput(&ln, name(kind(v, N_VAR)));
		if (v->flags & F_WRAP)
			lput(&ln, "%");
		if (v->num < 0)
			malformed(v, "negative array size");
		if (v->num > 0) {
			snprintf(buf, sizeof buf, "[%lld]", (long long)v->num);
			lput(&ln, buf);
		}
		if (v->l) {
			lput(&ln, " = ");
			literal(&ln, one(v, v->l, "l"));
		}
		if (v->next)
			lsep(&ln, v->next);
	}
	emit(0);
}

/* The start of loc's line when only blanks come before loc, or NULL. */
static const char *
blank_prefix(struct loc loc)
{
	const char *text, *e, *p = srcat(loc, &text, &e), *s;

	if (!p)
		return NULL;
	s = p - (loc.col - 1);
	return skipblank(s, p) == p ? s : NULL;
}

/*
 * The body is the source text from its first token up to "%)", so it
 * keeps its trailing blanks, and "%)" must follow it directly for the
 * text to read back the same.
 */
static void
macrodef(struct node *d)
{
	struct node *p, *b = kind(one(d, d->l, "l"), N_STR);
	const char *pre;

	lput(&ln, "@define ");
	lput(&ln, name(d));
	if (d->args) {
		lput(&ln, "(");
		for (p = d->args; p; p = p->next) {
			lput(&ln, name(kind(p, N_PARAM)));
			if (p->next)
				lput(&ln, ", ");
		}
		lput(&ln, ")");
	}
	lput(&ln, " %(");
	if (b->str && strchr(b->str, '\n') && (pre = blank_prefix(b->loc))) {
		/* a body of lines starts on a line of its own, as written */
		lput(&ln, "\n");
		lputn(&ln, pre, b->loc.col - 1);
	} else {
		lput(&ln, " ");
	}
	lput(&ln, b->str ? b->str : "");
	lput(&ln, "%)");
	emit(0);
}

static void
decl(struct node *d)
{
	switch (d->kind) {
	case N_PROBE:
	case N_ALIAS:
		probe(d);
		break;
	case N_FUNC:
		function(d);
		break;
	case N_GLOBAL:
		global(d);
		break;
	case N_EMBED:
		embed(&ln, d);
		emit(0);
		break;
	case N_MACRODEF:
		macrodef(d);
		break;
	default:
		malformed(d, "a '%s' node where a declaration should be",
		    node_name[d->kind]);
	}
}

/* Consecutive globals (and @defines) stay together. */
static int
together(struct node *a, struct node *b)
{
	return a->kind == b->kind &&
	    (a->kind == N_GLOBAL || a->kind == N_MACRODEF);
}

static void
decls(struct node *d)
{
	struct node *prev = NULL;

	for (; d; prev = d, d = d->next) {
		if (prev && !together(prev, d))
			out.blank = 1;
		flush(d->loc, 0);
		if (blank_before(d->loc, 1))
			out.blank = 1;
		note(d->loc);
		decl(d);
	}
	for (; cmnext < ncms; cmnext++)
		if (!cmskip[cmnext])
			comment(cms[cmnext], 0);
}

/* Comments come from the script's own lexer, so they name its file. */
static int
guess_main(struct script *s)
{
	struct node *d;
	int *count, n = src_count(), best = 0, i;

	if (s->comments)
		return s->comments->loc.file;
	if (n == 0)
		return -1;
	count = emalloc(sizeof *count * n);
	memset(count, 0, sizeof *count * n);
	for (d = s->decls; d; d = d->next)
		if (d->loc.file >= 0 && d->loc.file < n)
			count[d->loc.file]++;
	for (i = 1; i < n; i++)
		if (count[i] > count[best])
			best = i;
	free(count);
	return best;
}

char *
fmt_script(struct script *s, int main_file, size_t *len)
{
	struct node *d;

	mainfile = main_file >= 0 ? main_file : guess_main(s);
	collect_comments(s);
	for (d = s->decls; d; d = d->next)
		if (d->kind == N_MACRODEF)
			skip_macro_comments(d);
	decls(s->decls);
	free(cms);
	free(cmskip);
	free(ln.s);
	free(ln.brk);
	free(scratch.s);
	free(scratch.brk);
	*len = out.len;
	return out.s;
}
