/*
 * The parser: recursive descent over the preprocessed token stream, one
 * function per grammar rule, expressions by precedence level from
 * assignment down to primaries.  On a syntax error it reports, skips to
 * the next top-level keyword and goes on, so one run shows every error.
 */
#include <ctype.h>
#include <errno.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "stap.h"

struct parser {
	struct pp *pp;
	struct facts *facts;
	struct token tok;       /* the current token */
	struct token ahead[4];  /* tokens peeked past it */
	int nahead;
	jmp_buf recover;
	int depth;              /* nesting, to refuse absurd inputs */
	int infunc;             /* in a function body: return is allowed */
	int nerrors;            /* errors seen, to notice the preprocessor's */
	int fresh;              /* tok came with such an error: keep it */
	struct hash gnames;     /* the globals so far, to refuse duplicates:
				 * 1 if private, else 0 */
};

enum { MAXNEST = 1000 };

static struct node *expr(struct parser *p);
static struct node *stmt(struct parser *p);
static struct node *block(struct parser *p);

/*
 * The next token from the preprocessor.  An error it reported on the
 * way (a bad macro call, a bad condition, an argument out of range)
 * abandons the declaration, as a parse error does: in stap these are
 * parse errors too, and going on would only add confusing ones.
 */
static void
next(struct parser *p, struct token *t, int current)
{
	pp_next(p->pp, t);
	if (nerrors != p->nerrors) {
		p->nerrors = nerrors;
		p->fresh = current;
		longjmp(p->recover, 1);
	}
}

static void
advance(struct parser *p)
{
	if (p->nahead > 0) {
		p->tok = p->ahead[0];
		memmove(p->ahead, p->ahead + 1, --p->nahead * sizeof *p->ahead);
	} else {
		next(p, &p->tok, 1);
	}
}

static struct token *
peek(struct parser *p, int n)
{
	while (p->nahead < n)
		next(p, &p->ahead[p->nahead++], 0);
	return &p->ahead[n - 1];
}

_Noreturn static void
error_at(struct parser *p, struct loc loc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vreport("error", loc, fmt, ap);
	va_end(ap);
	p->nerrors = ++nerrors;
	longjmp(p->recover, 1);
}

/* A junk token from the lexer (op O_NONE) says what is wrong itself. */
_Noreturn static void
junk(struct parser *p)
{
	const char *s = p->tok.text;

	if (s[0] == '"' && p->tok.num > 0) {
		/* a bad escape, num bytes in: as the lexer counts lines */
		struct loc l = p->tok.loc;
		int64_t i;

		for (i = 0; i < p->tok.num; i++)
			if (s[i] == '\n') {
				l.line++;
				l.col = 1;
			} else {
				l.col++;
			}
		error_at(p, l, "%s", p->tok.str);
	}
	if (s[0] == '"')
		error_at(p, p->tok.loc, "unterminated string literal");
	if (s[0] == '%' && s[1] == '{')
		error_at(p, p->tok.loc, "unterminated embedded code: no '%%}'");
	if (isprint((unsigned char)s[0]))
		error_at(p, p->tok.loc, "unexpected character '%c'", s[0]);
	error_at(p, p->tok.loc, "unexpected byte 0x%02x", (unsigned char)s[0]);
}

_Noreturn static void
expected(struct parser *p, const char *what)
{
	char buf[80];

	if (p->tok.kind == TK_OP && p->tok.op == O_NONE)
		junk(p);
	error_at(p, p->tok.loc, "expected %s, found %s", what,
	    tok_describe(&p->tok, buf, sizeof buf));
}

static int
isop(struct parser *p, enum op op)
{
	return p->tok.kind == TK_OP && p->tok.op == op;
}

static int
accept(struct parser *p, enum op op)
{
	if (!isop(p, op))
		return 0;
	advance(p);
	return 1;
}

static struct loc
expect(struct parser *p, enum op op)
{
	struct loc loc = p->tok.loc;
	char what[16];

	if (!isop(p, op)) {
		snprintf(what, sizeof what, "'%s'", op_spelling[op]);
		expected(p, what);
	}
	advance(p);
	return loc;
}

static int
iskw(struct parser *p, const char *kw)
{
	return tok_is(&p->tok, kw);
}

static const char *
ident(struct parser *p, const char *what)
{
	const char *s;

	if (p->tok.kind != TK_IDENT || lex_iskeyword(p->tok.str))
		expected(p, what);
	s = p->tok.str;
	advance(p);
	return s;
}

static struct node *
leaf(struct parser *p, enum nodekind kind)
{
	struct node *n = node_new(kind, p->tok.loc);

	n->str = p->tok.str;
	advance(p);
	return n;
}

static void
enter(struct parser *p)
{
	if (++p->depth > MAXNEST)
		error_at(p, p->tok.loc, "nesting too deep");
}

static void
need_guru(struct parser *p)
{
	if (!p->facts->guru)
		error_at(p, p->tok.loc, "embedded code in unprivileged script; "
		    "need stap -g");
}

/* ---- literals ---- */

/*
 * The value of a number token, checked as stap does: strtoull with base
 * 0 must take all of it.  Anything up to 2^64-1 is good and wraps to
 * int64; a '-' before it is the caller's business.
 */
static uint64_t
numval(struct parser *p)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(p->tok.str, &end, 0);
	if (errno || *end || !isdigit((unsigned char)p->tok.str[0]))
		error_at(p, p->tok.loc, "number '%s' invalid or out of range",
		    p->tok.str);
	return v;
}

static struct node *
number(struct parser *p)
{
	struct node *n = node_new(N_NUM, p->tok.loc);

	n->num = (int64_t)numval(p);
	n->flags = p->tok.numflags & (F_HEX | F_OCT);
	advance(p);
	return n;
}

/* Adjacent string literals are one string, as in C. */
static struct node *
string(struct parser *p)
{
	struct node *n = node_new(N_STR, p->tok.loc);
	char *buf = NULL;
	size_t len = 0, cap = 0, k;

	while (p->tok.kind == TK_STR) {
		k = strlen(p->tok.str);
		buf = vgrow(buf, &cap, len + k + 1, 1);
		memcpy(buf + len, p->tok.str, k);
		len += k;
		advance(p);
	}
	n->str = arena_strndup(buf ? buf : "", len);
	free(buf);
	return n;
}

/*
 * A literal where only a literal may stand (initialisers, probe point
 * arguments): a string, or a number with an optional '-' folded in.
 */
static struct node *
literal(struct parser *p)
{
	struct node *n;
	struct loc loc = p->tok.loc;

	if (p->tok.kind == TK_STR)
		return string(p);
	if (p->tok.kind == TK_NUM)
		return number(p);
	if (isop(p, O_MINUS) && peek(p, 1)->kind == TK_NUM) {
		advance(p);
		if (numval(p) > (uint64_t)INT64_MAX + 1)
			error_at(p, p->tok.loc,
			    "number '-%s' invalid or out of "
			    "range", p->tok.str);
		n = number(p);
		n->num = (int64_t)(0 - (uint64_t)n->num);
		n->loc = loc;
		return n;
	}
	expected(p, "literal string or number");
}

static int64_t
literal_number(struct parser *p)
{
	struct node *n;

	if (p->tok.kind == TK_STR)
		expected(p, "a literal number");
	n = literal(p);
	return n->num;
}

/* ---- expressions ---- */

static struct node *
binary(struct node *l, struct token *op, struct node *r)
{
	struct node *n = node_new(N_BINARY, op->loc);

	n->op = op->op;
	n->l = l;
	n->r = r;
	return n;
}

/* 'expr, expr, ... close', '*' allowed in array slices */
static struct node *
exprlist(struct parser *p, enum op close, int slices)
{
	struct node *head = NULL, **tail = &head;

	if (!slices && accept(p, close))
		return NULL;
	for (;;) {
		if (slices && isop(p, O_MUL)) {
			*tail = node_new(N_ANY, p->tok.loc);
			advance(p);
		} else {
			*tail = expr(p);
		}
		tail = &(*tail)->next;
		if (accept(p, close))
			return head;
		if (!isop(p, O_COMMA)) {
			char what[32];

			snprintf(what, sizeof what, "one of '%s ,'",
			    op_spelling[close]);
			expected(p, what);
		}
		advance(p);
	}
}

/* Trailing '$'s on a name ask for pretty printing: $var$, $$vars$$. */
static const char *
strip_pretty(struct parser *p, struct node *n, const char *name, int keep)
{
	size_t len = strlen(name), k = 0;

	while (k + keep < len && name[len - 1 - k] == '$')
		k++;
	if (k == 0)
		return name;
	/* stap takes "$a$$$" too; past "$$" it means no more */
	if (n->flags & (F_PRETTY | F_PPRETTY))
		error_at(p, n->loc, "too many '$' in '%s'", name);
	n->flags |= k == 1 ? F_PRETTY : F_PPRETTY;
	return arena_strndup(name, len - k);
}

/* ->name and [index] after a value; then a '$' or '$$' suffix */
static void
components(struct parser *p, struct node *n)
{
	struct node **tail = &n->args;
	struct node *c;

	for (;;) {
		if ((isop(p, O_ARROW) || isop(p, O_LBRACK)) &&
		    (n->flags & (F_PRETTY | F_PPRETTY)))
			error_at(p, p->tok.loc,
			    "-> and [ are not accepted for a "
			    "pretty-printing variable");
		if (isop(p, O_ARROW)) {
			c = node_new(N_MEMBER, p->tok.loc);
			advance(p);
			if (p->tok.kind != TK_IDENT)
				expected(p, "a field name after '->'");
			c->str = strip_pretty(p, n, p->tok.str, 0);
			advance(p);
		} else if (isop(p, O_LBRACK)) {
			c = node_new(N_SUBSCRIPT, p->tok.loc);
			advance(p);
			c->l = expr(p);
			expect(p, O_RBRACK);
		} else {
			break;
		}
		*tail = c;
		tail = &c->next;
	}
	if (p->tok.kind == TK_TARGET && strspn(p->tok.str, "$") ==
	    strlen(p->tok.str)) {
		strip_pretty(p, n, p->tok.str, 0);
		advance(p);
	}
}

static int
has_suffix(struct parser *p)
{
	return isop(p, O_ARROW) || isop(p, O_LBRACK) ||
	    (p->tok.kind == TK_TARGET &&
	    strspn(p->tok.str, "$") == strlen(p->tok.str));
}

static struct node *
target(struct parser *p)
{
	struct node *n = node_new(N_TARGET, p->tok.loc);
	const char *s = p->tok.str;

	/* a lone '$' or '$$' is a (strange) name to stap, not an error */
	n->str = strip_pretty(p, n, s, s[1] == '$' ? 3 : 2);
	advance(p);
	components(p, n);
	return n;
}

static struct node *
strarg(struct parser *p, const char *what, int nonempty)
{
	struct node *n;

	if (p->tok.kind != TK_STR)
		expected(p, what);
	n = string(p);
	if (nonempty && !*n->str)
		error_at(p, n->loc, "expected non-empty string");
	return n;
}

static const char *stats[] = {
	"@count", "@sum", "@min", "@max", "@avg", "@variance",
};

static int
isstat(const char *s)
{
	size_t i;

	for (i = 0; i < NELEM(stats); i++)
		if (!strcmp(s, stats[i]))
			return 1;
	return 0;
}

/* @hist_linear(e, lo, hi, step), @hist_log(e), @count(e), @variance(e, n) */
static struct node *
statop(struct parser *p, struct token *at)
{
	struct node *n = node_new(N_STAT, at->loc), **tail = &n->args;
	int i, extra = 0;

	n->str = at->str;
	expect(p, O_LPAREN);
	n->l = expr(p);
	if (!strcmp(at->str, "@hist_linear"))
		extra = -3;
	else if (!strcmp(at->str, "@variance"))
		extra = 1;
	for (i = 0; i < (extra < 0 ? -extra : extra); i++) {
		struct node *k;

		if (extra > 0 && !isop(p, O_COMMA))
			break;
		expect(p, O_COMMA);
		k = node_new(N_NUM, p->tok.loc);
		k->num = literal_number(p);
		*tail = k;
		tail = &k->next;
	}
	if (isop(p, O_COMMA))
		error_at(p, p->tok.loc, "not more than %d parameter%s allowed",
		    extra > 0 ? 2 : 1, extra > 0 ? "s" : "");
	expect(p, O_RPAREN);
	return n;
}

static int
ishist(const struct token *t)
{
	return t->kind == TK_AT && (!strcmp(t->str, "@hist_linear") ||
	    !strcmp(t->str, "@hist_log"));
}

/*
 * @hist_log(s)[i] is a bucket, a value like any other; a bare histogram
 * is only good where it is printed whole (bare) or ranged over.
 */
static struct node *
histop(struct parser *p, int bare)
{
	struct token at = p->tok;
	struct node *h, *ix;

	advance(p);
	h = statop(p, &at);
	if (!isop(p, O_LBRACK)) {
		if (!bare)
			error_at(p, at.loc, "base histogram operator where "
			    "expression expected");
		return h;
	}
	ix = node_new(N_INDEX, p->tok.loc);
	advance(p);
	ix->l = h;
	ix->args = expr(p);
	expect(p, O_RBRACK);
	return ix;
}

/* The @ forms: statistics, @cast, @var, @entry, @defined, @const... */
static struct node *
atform(struct parser *p)
{
	struct token at = p->tok;
	struct node *n;

	if (ishist(&at))
		return histop(p, 0);
	advance(p);
	if (isstat(at.str))
		return statop(p, &at);
	if (!strcmp(at.str, "@cast")) {
		n = node_new(N_CAST, at.loc);
		expect(p, O_LPAREN);
		n->l = expr(p);
		expect(p, O_COMMA);
		n->str = strarg(p, "a type name string", 1)->str;
		if (accept(p, O_COMMA))
			n->r = strarg(p, "a module name string", 0);
		expect(p, O_RPAREN);
		components(p, n);
		return n;
	}
	if (!strcmp(at.str, "@var")) {
		n = node_new(N_ATVAR, at.loc);
		expect(p, O_LPAREN);
		n->str = strarg(p, "a variable name string", 0)->str;
		if (accept(p, O_COMMA))
			n->r = strarg(p, "a module name string", 0);
		expect(p, O_RPAREN);
		components(p, n);
		return n;
	}
	if (!strcmp(at.str, "@entry") || !strcmp(at.str, "@defined")) {
		n = node_new(at.str[1] == 'e' ? N_ENTRY : N_DEFINED, at.loc);
		expect(p, O_LPAREN);
		n->l = expr(p);
		expect(p, O_RPAREN);
		return n;
	}
	n = node_new(N_ATFN, at.loc);
	n->str = at.str;
	if (!strcmp(at.str, "@const") || !strcmp(at.str, "@perf")) {
		if (at.str[1] == 'c' && !p->facts->guru)
			error_at(p, at.loc, "using @const operator not "
			    "permitted; need stap -g");
		expect(p, O_LPAREN);
		n->args = strarg(p, "a string", 1);
	} else if (!strcmp(at.str, "@probewrite")) {
		expect(p, O_LPAREN);
		n->args = leaf(p, N_IDENT);
		if (n->args->kind != N_IDENT || !n->args->str ||
		    lex_iskeyword(n->args->str))
			error_at(p, n->args->loc, "expected identifier");
	} else if (!strcmp(at.str, "@kregister") ||
	    !strcmp(at.str, "@uregister") || !strcmp(at.str, "@kderef") ||
	    !strcmp(at.str, "@uderef")) {
		if (at.str[1] == 'k' && !p->facts->guru)
			error_at(p, at.loc, "using %s operator not permitted; "
			    "need stap -g", at.str);
		expect(p, O_LPAREN);
		n->args = node_new(N_NUM, p->tok.loc);
		n->args->num = literal_number(p);
		if (!strcmp(at.str + 2, "deref")) {
			expect(p, O_COMMA);
			n->args->next = expr(p);
		}
	} else {
		error_at(p, at.loc, "unknown operator %s", at.str);
	}
	expect(p, O_RPAREN);
	return n;
}

/* print, println, printd, printdln, printf, sprint... and print_char */
int
print_family(const char *s)
{
	static const char *const names[] = {
		"print", "println", "printd", "printdln", "printf",
		"sprint", "sprintln", "sprintd", "sprintdln", "sprintf",
		"print_char",
	};
	size_t i;

	for (i = 0; i < NELEM(names); i++)
		if (!strcmp(s, names[i]))
			return 1;
	return 0;
}

static struct node *
call(struct parser *p)
{
	struct node *n = leaf(p, N_CALL), *a;
	const char *name = n->str;
	int nargs = 0;

	expect(p, O_LPAREN);
	if (print_family(name) && strstr(name, "printf") == NULL &&
	    strstr(name, "printd") == NULL) {
		/* print(@hist_log(s)) prints it whole, and nothing else */
		if (strcmp(name, "print_char") && ishist(&p->tok)) {
			n->args = histop(p, 1);
			if (n->args->kind == N_STAT) {
				expect(p, O_RPAREN);
				return n;
			}
			if (!accept(p, O_RPAREN)) {
				if (!accept(p, O_COMMA))
					expected(p, "one of ', )'");
				n->args->next = exprlist(p, O_RPAREN, 0);
			}
			return n;
		}
		n->args = exprlist(p, O_RPAREN, 0);
		for (a = n->args; a; a = a->next)
			nargs++;
		if (nargs == 0 && !strstr(name, "ln"))
			error_at(p, n->loc, "'%s' needs at least one argument",
			    name);
		return n;
	}
	if (print_family(name)) {
		/* the format or the delimiter is a literal string */
		if (p->tok.kind != TK_STR)
			expected(p, strstr(name, "printf") ?
			    "a literal format string" :
			    "a literal delimiter string");
		n->args = string(p);
		if (accept(p, O_COMMA))
			n->args->next = exprlist(p, O_RPAREN, 0);
		else
			expect(p, O_RPAREN);
		for (a = n->args->next; a; a = a->next)
			nargs++;
		if (strstr(name, "printd") && nargs < 2)
			error_at(p, n->loc, "'%s' needs a delimiter and at "
			    "least two values", name);
		return n;
	}
	n->args = exprlist(p, O_RPAREN, 0);
	return n;
}

static struct node *
primary(struct parser *p)
{
	struct node *n;

	switch (p->tok.kind) {
	case TK_NUM:
		return number(p);
	case TK_STR:
		return string(p);
	case TK_TARGET:
		return target(p);
	case TK_AT:
		return atform(p);
	case TK_EMBED:
		if (!p->facts->guru)
			error_at(p, p->tok.loc, "embedded expression code in "
			    "unprivileged script; need stap -g");
		return leaf(p, N_EMBED);
	case TK_IDENT:
		if (lex_iskeyword(p->tok.str))
			break;
		if (peek(p, 1)->kind == TK_OP && peek(p, 1)->op == O_LPAREN)
			return call(p);
		if (print_family(p->tok.str)) {
			advance(p);
			expected(p, "'('");
		}
		n = leaf(p, N_IDENT);
		if (isop(p, O_LBRACK)) {
			struct node *ix = node_new(N_INDEX, p->tok.loc);

			advance(p);
			ix->l = n;
			ix->args = exprlist(p, O_RBRACK, 1);
			if (!ix->args)
				error_at(p, ix->loc, "empty array index");
			return ix;
		}
		return n;
	case TK_OP:
		if (p->tok.op == O_LPAREN) {
			advance(p);
			enter(p);
			n = expr(p);
			p->depth--;
			expect(p, O_RPAREN);
			return n;
		}
		break;
	default:
		break;
	}
	expected(p, p->tok.kind == TK_EOF ? "a value" :
	    "literal string or number");
}

/*
 * A value with its suffixes: ['&'] value { '->' name | '[' expr ']' }
 * ['$'...].  Suffixes after anything but a context variable make an
 * autocast, as in stap 2.6 and later.
 */
static struct node *
dwarf_value(struct parser *p)
{
	struct loc amp = p->tok.loc;
	int addr = accept(p, O_AND);
	struct node *n = primary(p), *a;

	if (n->kind != N_TARGET && n->kind != N_CAST && n->kind != N_ATVAR &&
	    (addr || has_suffix(p))) {
		a = node_new(N_AUTOCAST, n->loc);
		a->l = n;
		components(p, a);
		n = a;
	}
	if (addr) {
		if (n->flags & F_ADDR)
			error_at(p, amp, "cannot take address more than once");
		n->flags |= F_ADDR;
	}
	return n;
}

static struct node *
crement(struct parser *p)
{
	struct node *n, *m;

	if (isop(p, O_INC) || isop(p, O_DEC)) {
		n = node_new(N_PREINC, p->tok.loc);
		n->op = p->tok.op;
		advance(p);
		n->l = dwarf_value(p);
		return n;
	}
	n = dwarf_value(p);
	if (isop(p, O_INC) || isop(p, O_DEC)) {
		m = node_new(N_POSTINC, p->tok.loc);
		m->op = p->tok.op;
		m->l = n;
		advance(p);
		return m;
	}
	return n;
}

static struct node *
unary(struct parser *p)
{
	struct node *n;

	if (!(isop(p, O_PLUS) || isop(p, O_MINUS) || isop(p, O_NOT) ||
	    isop(p, O_BNOT)))
		return crement(p);
	n = node_new(N_UNARY, p->tok.loc);
	n->op = p->tok.op;
	advance(p);
	enter(p);
	n->l = unary(p);
	p->depth--;
	return n;
}

/*
 * The binary levels, loosest first, all left-associative.  'in' sits
 * between '&' and the comparisons; a regex match shares the comparisons'
 * level but takes one literal string and does not chain.
 */
static const enum op levels[][6] = {
	{ O_LOR },
	{ O_LAND },
	{ O_OR },
	{ O_XOR },
	{ O_AND },
	{ O_EQ, O_NE, O_LT, O_LE, O_GT, O_GE },
	{ O_SHL, O_SHR, O_USHR },
	{ O_CAT },
	{ O_PLUS, O_MINUS },
	{ O_MUL, O_DIV, O_MOD },
};
enum { LEVEL_IN = 5 };

static struct node *binlevel(struct parser *p, int level);

static int
atlevel(struct parser *p, int level)
{
	int i;

	if (p->tok.kind != TK_OP)
		return 0;
	for (i = 0; i < 6 && levels[level][i]; i++)
		if (levels[level][i] == p->tok.op)
			return 1;
	return 0;
}

/*
 * What 'in' and foreach range over: an array, a histogram, or (as stap
 * has it) any other @word, left for a later stage to refuse.
 */
static struct node *
indexable(struct parser *p)
{
	if (p->tok.kind == TK_AT && (!strcmp(p->tok.str, "@hist_linear") ||
	    !strcmp(p->tok.str, "@hist_log"))) {
		struct token at = p->tok;

		advance(p);
		return statop(p, &at);
	}
	if (p->tok.kind == TK_AT || (p->tok.kind == TK_IDENT &&
	    !lex_iskeyword(p->tok.str)))
		return leaf(p, N_IDENT);
	expected(p, "identifier or statistical operation");
}

/* [a, b] in arr, or a in arr */
static struct node *
array_in(struct parser *p)
{
	struct node *n, *tuple;

	if (isop(p, O_LBRACK)) {
		advance(p);
		tuple = exprlist(p, O_RBRACK, 1);
		if (!iskw(p, "in")) {
			if (tuple->next || tuple->kind == N_ANY)
				error_at(p, p->tok.loc, "unexpected "
				    "comma-separated expression list");
			return tuple;   /* [x] alone is x */
		}
	} else {
		tuple = binlevel(p, LEVEL_IN);
		if (!iskw(p, "in"))
			return tuple;
	}
	n = node_new(N_IN, p->tok.loc);
	advance(p);
	n->args = tuple;
	n->l = indexable(p);
	return n;
}

static struct node *
comparison(struct parser *p)
{
	struct node *l = binlevel(p, LEVEL_IN + 1);
	struct token op;

	if (isop(p, O_MATCH) || isop(p, O_NMATCH)) {
		op = p->tok;
		advance(p);
		if (p->tok.kind != TK_STR)
			expected(p, "a literal string");
		return binary(l, &op, string(p));
	}
	while (atlevel(p, LEVEL_IN)) {
		op = p->tok;
		advance(p);
		l = binary(l, &op, binlevel(p, LEVEL_IN + 1));
	}
	return l;
}

static struct node *
binlevel(struct parser *p, int level)
{
	struct node *l;
	struct token op;

	if (level == (int)NELEM(levels))
		return unary(p);
	if (level == LEVEL_IN)
		return comparison(p);
	enter(p);
	l = level == LEVEL_IN - 1 ? array_in(p) : binlevel(p, level + 1);
	while (atlevel(p, level)) {
		op = p->tok;
		advance(p);
		l = binary(l, &op, level == LEVEL_IN - 1 ? array_in(p) :
		    binlevel(p, level + 1));
	}
	p->depth--;
	return l;
}

/* c ? e : f, f itself a ternary (stap 4.0 and later) */
static struct node *
ternary(struct parser *p)
{
	struct node *c = binlevel(p, 0), *n;

	if (!isop(p, O_QUEST))
		return c;
	n = node_new(N_TERNARY, p->tok.loc);
	advance(p);
	n->cond = c;
	enter(p);
	n->then = expr(p);
	expect(p, O_COLON);
	n->els = ternary(p);
	p->depth--;
	return n;
}

static struct node *
expr(struct parser *p)
{
	struct node *l, *n;

	enter(p);
	l = ternary(p);
	if (p->tok.kind == TK_OP && op_isassign(p->tok.op)) {
		n = node_new(N_ASSIGN, p->tok.loc);
		n->op = p->tok.op;
		advance(p);
		n->l = l;
		n->r = expr(p);
		l = n;
	}
	p->depth--;
	return l;
}

/* ---- statements ---- */

static int
at_stmt_end(struct parser *p)
{
	return isop(p, O_SEMI) || isop(p, O_RBRACE) || p->tok.kind == TK_EOF;
}

static struct node *
simple(struct parser *p, enum nodekind kind)
{
	struct node *n = node_new(kind, p->tok.loc);

	advance(p);
	if (kind == N_RETURN && !at_stmt_end(p))
		n->l = expr(p);
	if (kind == N_DELETE)
		n->l = expr(p);
	accept(p, O_SEMI);
	return n;
}

static void
sortmark(struct parser *p, struct node *fe, int column)
{
	if (!isop(p, O_PLUS) && !isop(p, O_MINUS))
		return;
	if (fe->flags & (F_ASC | F_DESC))
		error_at(p, p->tok.loc, "multiple sort directives");
	fe->flags |= isop(p, O_PLUS) ? F_ASC : F_DESC;
	fe->num = column;
	advance(p);
}

static struct node *
loopvar(struct parser *p, const char *what)
{
	struct node *n = node_new(N_IDENT, p->tok.loc);

	n->str = ident(p, what);
	return n;
}

/*
 * foreach ([v [sort] =] (k [sort] | '[' k [sort], ... ']') in
 *     (array [slice] | @hist_*(...)) [@stat sort] [sort] [limit e]) stmt
 */
static struct node *
foreach(struct parser *p)
{
	struct node *n = node_new(N_FOREACH, p->tok.loc), **tail = &n->keys;
	struct node *arr;
	int col = 1;

	advance(p);
	expect(p, O_LPAREN);
	if (p->tok.kind == TK_IDENT && ((peek(p, 1)->kind == TK_OP &&
	    peek(p, 1)->op == O_ASSIGN) || (peek(p, 2)->kind == TK_OP &&
	    peek(p, 2)->op == O_ASSIGN && peek(p, 1)->kind == TK_OP &&
	    (peek(p, 1)->op == O_PLUS || peek(p, 1)->op == O_MINUS)))) {
		n->value = loopvar(p, "a value variable");
		sortmark(p, n, 0);
		expect(p, O_ASSIGN);
	}
	if (accept(p, O_LBRACK)) {
		for (;;) {
			*tail = loopvar(p, "an iteration variable");
			tail = &(*tail)->next;
			sortmark(p, n, col++);
			if (accept(p, O_RBRACK))
				break;
			if (!accept(p, O_COMMA))
				expected(p, "',' or ']'");
		}
	} else {
		*tail = loopvar(p, "an iteration variable or '['");
		sortmark(p, n, 1);
	}
	if (!iskw(p, "in"))
		expected(p, "'in'");
	advance(p);
	arr = indexable(p);
	if (arr->kind == N_IDENT) {
		if (isop(p, O_LBRACK)) {
			struct node *ix = node_new(N_INDEX, p->tok.loc);

			advance(p);
			ix->l = arr;
			ix->args = exprlist(p, O_RBRACK, 1);
			arr = ix;
		}
	}
	n->l = arr;
	if (p->tok.kind == TK_AT) {
		if (!isstat(p->tok.str))
			expected(p, "statistical operation");
		n->str = p->tok.str;
		advance(p);
		if (!isop(p, O_PLUS) && !isop(p, O_MINUS))
			expected(p, "sort directive");
	}
	sortmark(p, n, 0);
	if (iskw(p, "limit")) {
		advance(p);
		n->limit = expr(p);
	}
	expect(p, O_RPAREN);
	n->body = stmt(p);
	return n;
}

static struct node *
stmt(struct parser *p)
{
	struct node *n;

	enter(p);
	if (isop(p, O_LBRACE)) {
		n = block(p);
	} else if (isop(p, O_SEMI)) {
		n = node_new(N_NULLSTMT, p->tok.loc);
		advance(p);
	} else if (p->tok.kind == TK_EMBED) {
		need_guru(p);
		n = leaf(p, N_EMBED);
		accept(p, O_SEMI);
	} else if (iskw(p, "if")) {
		n = node_new(N_IF, p->tok.loc);
		advance(p);
		expect(p, O_LPAREN);
		n->cond = expr(p);
		expect(p, O_RPAREN);
		n->then = stmt(p);
		if (iskw(p, "else")) {
			advance(p);
			n->els = stmt(p);
		}
	} else if (iskw(p, "while")) {
		n = node_new(N_WHILE, p->tok.loc);
		advance(p);
		expect(p, O_LPAREN);
		n->cond = expr(p);
		expect(p, O_RPAREN);
		n->body = stmt(p);
	} else if (iskw(p, "for")) {
		n = node_new(N_FOR, p->tok.loc);
		advance(p);
		expect(p, O_LPAREN);
		if (!isop(p, O_SEMI))
			n->init = expr(p);
		expect(p, O_SEMI);
		if (!isop(p, O_SEMI))
			n->cond = expr(p);
		expect(p, O_SEMI);
		if (!isop(p, O_RPAREN))
			n->step = expr(p);
		expect(p, O_RPAREN);
		n->body = stmt(p);
	} else if (iskw(p, "foreach")) {
		n = foreach(p);
	} else if (iskw(p, "try")) {
		n = node_new(N_TRY, p->tok.loc);
		advance(p);
		n->body = block(p);
		if (!iskw(p, "catch"))
			expected(p, "'catch'");
		advance(p);
		if (accept(p, O_LPAREN)) {
			n->l = node_new(N_IDENT, p->tok.loc);
			n->l->str = ident(p, "a variable name");
			expect(p, O_RPAREN);
		}
		n->els = block(p);
	} else if (iskw(p, "break")) {
		n = simple(p, N_BREAK);
	} else if (iskw(p, "continue")) {
		n = simple(p, N_CONTINUE);
	} else if (iskw(p, "next")) {
		n = simple(p, N_NEXT);
	} else if (iskw(p, "return")) {
		if (!p->infunc)
			error_at(p, p->tok.loc,
			    "found 'return' not in function "
			    "context");
		n = simple(p, N_RETURN);
	} else if (iskw(p, "delete")) {
		n = simple(p, N_DELETE);
	} else if ((p->tok.kind == TK_IDENT && lex_iskeyword(p->tok.str)) ||
	    p->tok.kind == TK_EOF) {
		expected(p, "a statement");
	} else {
		n = node_new(N_EXPR, p->tok.loc);
		n->l = expr(p);
		accept(p, O_SEMI);
	}
	p->depth--;
	return n;
}

static struct node *
block(struct parser *p)
{
	struct node *n = node_new(N_BLOCK, p->tok.loc), **tail = &n->body;

	expect(p, O_LBRACE);
	while (!isop(p, O_RBRACE)) {
		*tail = stmt(p);
		tail = &(*tail)->next;
	}
	advance(p);
	return n;
}

/* ---- declarations ---- */

/* A component name: identifiers, keywords and '*' run together. */
static const char *
compname(struct parser *p)
{
	char buf[1024];
	size_t len = 0;
	int first = 1;

	while ((p->tok.kind == TK_IDENT || isop(p, O_MUL)) &&
	    (first || !p->tok.space)) {
		if (len + p->tok.len >= sizeof buf)
			error_at(p, p->tok.loc, "probe point component name "
			    "too long");
		memcpy(buf + len, p->tok.text, p->tok.len);
		len += p->tok.len;
		first = 0;
		advance(p);
	}
	if (len == 0)
		expected(p, "identifier or '*' or '{'");
	return arena_strndup(buf, len);
}

static struct node *pointlist(struct parser *p);

/*
 * Append copies of suffix's components to a copy of prefix; the result
 * takes the suffix's '?', '!' and condition, as stap's do.
 */
static struct node *
point_join(struct parser *p, struct node *prefix, struct node *suffix)
{
	struct node *n = node_copy(prefix), **tail = &n->args, *c;

	if (prefix->flags & F_OPTIONAL || prefix->cond)
		error_at(p, prefix->loc, "'?', '!' or condition must only be "
		    "specified in suffix");
	while (*tail)
		tail = &(*tail)->next;
	for (c = suffix->args; c; c = c->next) {
		*tail = node_copy(c);
		tail = &(*tail)->next;
	}
	n->flags = suffix->flags;
	n->cond = suffix->cond;
	return n;
}

/*
 * One probe point; a brace group '{a,b.c}' as a component stands for
 * each of its points, so one written point can be several: the result
 * is the list of them, in written order (stap's cartesian product).
 */
static struct node *
point(struct parser *p)
{
	struct node *pts = node_new(N_POINT, p->tok.loc), *c, *grp, *s, *q;
	struct node *out, **tail;

	for (;;) {
		if (accept(p, O_LBRACE)) {
			grp = pointlist(p);
			expect(p, O_RBRACE);
		} else {
			grp = node_new(N_POINT, p->tok.loc);
			c = node_new(N_COMP, p->tok.loc);
			c->str = compname(p);
			if (accept(p, O_LPAREN)) {
				c->l = literal(p);
				expect(p, O_RPAREN);
			}
			grp->args = c;
		}
		out = NULL;
		tail = &out;
		for (q = pts; q; q = q->next)
			for (s = grp; s; s = s->next) {
				*tail = point_join(p, q, s);
				tail = &(*tail)->next;
			}
		pts = out;
		if (!accept(p, O_CAT))
			break;
	}
	for (;;) {
		unsigned f;

		if (accept(p, O_QUEST))
			f = F_OPTIONAL;
		else if (accept(p, O_NOT))
			f = F_SUFFICIENT | F_OPTIONAL;
		else
			break;
		for (q = pts; q; q = q->next) {
			if (q->flags & F_OPTIONAL)
				error_at(p, q->loc, "'?' or '!' respecified");
			q->flags |= f;
		}
	}
	if (iskw(p, "if")) {
		advance(p);
		expect(p, O_LPAREN);
		c = expr(p);
		expect(p, O_RPAREN);
		for (q = pts; q; q = q->next) {
			if (q->cond)
				error_at(p, q->loc, "condition respecified");
			q->cond = c;
		}
	}
	return pts;
}

/* point [, point...]: the list of every point they stand for */
static struct node *
pointlist(struct parser *p)
{
	struct node *head = point(p), **tail = &head->next;

	while (*tail)
		tail = &(*tail)->next;
	while (accept(p, O_COMMA)) {
		*tail = point(p);
		while (*tail)
			tail = &(*tail)->next;
	}
	return head;
}

static struct node *
points(struct parser *p)
{
	struct node *head = pointlist(p);

	if (!isop(p, O_LBRACE) && !isop(p, O_ASSIGN) && !isop(p, O_ADDEQ))
		expected(p, "one of ', { = +='");
	return head;
}

/* probe points { }, or an alias: probe name [= name...] (=|+=) points { } */
static struct node *
probe(struct parser *p)
{
	struct node *n = node_new(N_PROBE, p->tok.loc), *pts, **tail = &n->args;

	advance(p);
	pts = points(p);
	while (isop(p, O_ASSIGN) || isop(p, O_ADDEQ)) {
		n->kind = N_ALIAS;
		if (isop(p, O_ADDEQ))
			n->flags |= F_EPILOGUE;
		if (pts->next)
			expected(p, "probe point specifier");
		if (pts->flags & F_OPTIONAL)
			error_at(p, pts->loc,
			    "probe point alias name cannot be "
			    "optional nor sufficient");
		advance(p);
		*tail = pts;
		tail = &pts->next;
		pts = points(p);
	}
	n->points = pts;
	n->body = block(p);
	return n;
}

static enum type
typename(struct parser *p)
{
	if (iskw(p, "long")) {
		advance(p);
		return T_LONG;
	}
	if (iskw(p, "string")) {
		advance(p);
		return T_STRING;
	}
	expected(p, "type 'long' or 'string'");
}

static struct node *
function(struct parser *p, unsigned flags)
{
	struct node *n = node_new(N_FUNC, p->tok.loc), **tail = &n->args;
	struct hash params = { 0 };

	advance(p);
	n->flags = flags;
	if (iskw(p, "string") || iskw(p, "long"))
		n->str = leaf(p, N_IDENT)->str;   /* stap allows these */
	else
		n->str = ident(p, "a function name");
	if (accept(p, O_COLON))
		n->type = typename(p);
	expect(p, O_LPAREN);
	while (!isop(p, O_RPAREN)) {
		*tail = node_new(N_PARAM, p->tok.loc);
		(*tail)->str = ident(p, "a parameter name");
		if (hash_add(&params, (*tail)->str, 0) >= 0)
			error_at(p, (*tail)->loc, "duplicate parameter names");
		if (accept(p, O_COLON))
			(*tail)->type = typename(p);
		tail = &(*tail)->next;
		if (!isop(p, O_RPAREN) && !accept(p, O_COMMA))
			expected(p, "',' or ')'");
	}
	advance(p);
	if (accept(p, O_COLON)) {
		struct loc loc = p->tok.loc;

		n->num = literal_number(p);
		if (n->num < 1)
			error_at(p, loc, "specified priority must be > 0");
	}
	if (p->tok.kind == TK_EMBED) {
		need_guru(p);
		n->body = leaf(p, N_EMBED);
	} else if (isop(p, O_LBRACE)) {
		p->infunc = 1;
		n->body = block(p);
		p->infunc = 0;
	} else {
		expected(p, "'{' or '%{' to begin the function body");
	}
	return n;
}

/* Each global name once in a file, and either private or not. */
static void
global_name(struct parser *p, struct node *v, unsigned flags)
{
	long priv = hash_add(&p->gnames, v->str, !!(flags & F_PRIVATE));

	if (priv < 0)
		return;
	if (priv != !!(flags & F_PRIVATE))
		error_at(p, v->loc, "global versus private variable "
		    "declaration conflict");
	error_at(p, v->loc, "duplicate global name");
}

/* global a, b% [100], c = 1; the keyword is already read */
static struct node *
global(struct parser *p, struct loc loc, unsigned flags)
{
	struct node *n = node_new(N_GLOBAL, loc), **tail = &n->args;
	struct node *v;

	n->flags = flags;
	do {
		v = node_new(N_VAR, p->tok.loc);
		v->str = ident(p, "a variable name");
		global_name(p, v, flags);
		if (accept(p, O_MOD))
			v->flags |= F_WRAP;
		if (accept(p, O_LBRACK)) {
			struct loc sl = p->tok.loc;

			if (p->tok.kind != TK_NUM)
				expected(p, "a number");
			v->num = (int64_t)numval(p);
			if (numval(p) > INT64_MAX)
				v->num = 0;
			if (v->num < 1 || v->num > 2147483647)
				error_at(p, sl, "array size out of range");
			advance(p);
			expect(p, O_RBRACK);
		}
		if (isop(p, O_ASSIGN)) {
			if (v->num)
				error_at(p, p->tok.loc,
				    "only scalar globals can "
				    "be initialized");
			advance(p);
			v->l = literal(p);
		}
		*tail = v;
		tail = &v->next;
	} while (accept(p, O_COMMA));
	accept(p, O_SEMI);
	return n;
}

static int
toplevel_start(struct parser *p)
{
	return iskw(p, "probe") || iskw(p, "global") || iskw(p, "function") ||
	    iskw(p, "private") || p->tok.kind == TK_EMBED ||
	    p->tok.kind == TK_EOF;
}

static struct node *
decl(struct parser *p)
{
	struct loc loc = p->tok.loc;

	if (iskw(p, "probe"))
		return probe(p);
	if (iskw(p, "function"))
		return function(p, 0);
	if (iskw(p, "global")) {
		advance(p);
		return global(p, loc, 0);
	}
	if (iskw(p, "private")) {
		advance(p);
		if (iskw(p, "function"))
			return function(p, F_PRIVATE);
		if (iskw(p, "global"))
			advance(p);
		else if (p->tok.kind != TK_IDENT || lex_iskeyword(p->tok.str))
			expected(p, "'function' or identifier");
		return global(p, loc, F_PRIVATE);
	}
	if (p->tok.kind == TK_EMBED) {
		need_guru(p);
		return leaf(p, N_EMBED);
	}
	expected(p, "'probe', 'global', 'private', 'function', or '%{'");
}

/* Merge the @define records into the declarations by position. */
static struct node *
merge(struct node *a, struct node *b)
{
	struct node *head = NULL, **tail = &head;

	while (a || b) {
		struct node **pick = &a;

		if (!a || (b && (b->loc.line < a->loc.line ||
		    (b->loc.line == a->loc.line && b->loc.col < a->loc.col))))
			pick = &b;
		*tail = *pick;
		*pick = (*pick)->next;
		tail = &(*tail)->next;
		*tail = NULL;
	}
	return head;
}

struct script *
parse_script(struct facts *f, int file, const char *compatible,
    const char **incdirs, int nincs)
{
	struct script *s = arena_alloc(sizeof *s);
	struct parser *p = arena_alloc(sizeof *p);
	struct node **volatile tail = &s->decls;

	s->stage = "parsed";
	s->facts = *f;
	s->compatible = compatible;
	p->facts = f;
	p->pp = pp_new(f, file, &s->comments);
	while (nincs-- > 0)
		pp_library(p->pp, *incdirs++);
	if (setjmp(p->recover)) {
		/* skip to a token that can begin a declaration */
		p->depth = 0;
		p->infunc = 0;
		if (!p->fresh)
			advance(p);
		p->fresh = 0;
		while (!toplevel_start(p))
			advance(p);
	} else {
		advance(p);
	}
	while (p->tok.kind != TK_EOF) {
		struct node *d = decl(p);

		/* a chain (1 + 1 + ...) nests without recursing here */
		if (tree_depth_check(d)) {
			p->nerrors = nerrors;
			continue;
		}
		*tail = d;
		tail = &(*tail)->next;
	}
	s->decls = merge(s->decls, pp_macrodefs(p->pp));
	if (!s->decls && !nerrors)
		diag_error((struct loc){ file, 1, 1 }, "input file '%s' is "
		    "empty%s", src_get(file)->name,
		    src_get(file)->len ? " after preprocessing" : "");
	return s;
}
