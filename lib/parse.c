/*
 * The parser: recursive descent over the preprocessed token stream, one
 * function per grammar rule, expressions by precedence level from
 * assignment down to primaries.  On a syntax error it reports, skips to
 * the next top-level keyword and goes on, so one run shows every error.
 */
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
};

enum { MAXNEST = 1000 };

static struct node *expr(struct parser *p);
static struct node *stmt(struct parser *p);
static struct node *block(struct parser *p);
static struct node *unary(struct parser *p);

static const char *keywords[] = {
	"probe", "global", "private", "function", "if", "else", "for",
	"foreach", "in", "limit", "return", "delete", "while", "break",
	"continue", "next", "try", "catch", "string", "long",
};

static int
iskeyword(const char *s)
{
	size_t i;

	for (i = 0; i < NELEM(keywords); i++)
		if (!strcmp(s, keywords[i]))
			return 1;
	return 0;
}

static void
advance(struct parser *p)
{
	if (p->nahead > 0) {
		p->tok = p->ahead[0];
		memmove(p->ahead, p->ahead + 1, --p->nahead * sizeof *p->ahead);
	} else {
		pp_next(p->pp, &p->tok);
	}
}

static struct token *
peek(struct parser *p, int n)
{
	while (p->nahead < n)
		pp_next(p->pp, &p->ahead[p->nahead++]);
	return &p->ahead[n - 1];
}

_Noreturn static void
error_at(struct parser *p, struct loc loc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vreport("error", loc, fmt, ap);
	va_end(ap);
	nerrors++;
	longjmp(p->recover, 1);
}

_Noreturn static void
expected(struct parser *p, const char *what)
{
	char buf[80];

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

	if (p->tok.kind != TK_IDENT || iskeyword(p->tok.str))
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

static struct node *
number(struct parser *p, int negate)
{
	struct node *n = node_new(N_NUM, p->tok.loc);

	if ((p->tok.numflags & F_BIG) && !negate)
		error_at(p, p->tok.loc, "number '%.*s' invalid or out of range",
		    p->tok.len, p->tok.text);
	n->num = negate ? (int64_t)(0 - (uint64_t)p->tok.num) : p->tok.num;
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
	n->str = arena_strndup(buf, len);
	free(buf);
	return n;
}

static struct node *
literal(struct parser *p)
{
	if (p->tok.kind == TK_STR)
		return string(p);
	if (p->tok.kind == TK_NUM)
		return number(p, 0);
	if (isop(p, O_MINUS) && peek(p, 1)->kind == TK_NUM) {
		advance(p);
		return number(p, 1);
	}
	expected(p, "literal string or number");
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

/* '(' expr, expr, ... ')' or '[' ... ']' into a list */
static struct node *
exprlist(struct parser *p, enum op close, int slices)
{
	struct node *head = NULL, **tail = &head;

	if (accept(p, close))
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

			snprintf(what, sizeof what, "',' or '%s'",
			    op_spelling[close]);
			expected(p, what);
		}
		advance(p);
	}
}

/* ->name and [index] after a $target, @cast or @var; then $ or $$ */
static void
components(struct parser *p, struct node *n)
{
	struct node **tail = &n->args;
	struct node *c;

	for (;;) {
		if (isop(p, O_ARROW)) {
			c = node_new(N_MEMBER, p->tok.loc);
			advance(p);
			if (p->tok.kind != TK_IDENT)
				expected(p, "field name after '->'");
			c->str = p->tok.str;
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
	if (p->tok.kind == TK_TARGET && !p->tok.space &&
	    (!strcmp(p->tok.str, "$") || !strcmp(p->tok.str, "$$"))) {
		n->flags |= p->tok.str[1] ? F_PPRETTY : F_PRETTY;
		advance(p);
	}
}

static struct node *
target(struct parser *p)
{
	struct node *n = node_new(N_TARGET, p->tok.loc);

	if (!strcmp(p->tok.str, "$") || !strcmp(p->tok.str, "$$"))
		expected(p, "a context variable name after '$'");
	n->str = p->tok.str;
	advance(p);
	components(p, n);
	return n;
}

static const char *stats[] = {
	"@count", "@sum", "@min", "@max", "@avg", "@variance",
	"@hist_linear", "@hist_log",
};

static struct node *
strarg(struct parser *p, const char *what)
{
	if (p->tok.kind != TK_STR)
		expected(p, what);
	return string(p);
}

/* The @ forms: statistics, @cast, @var, @entry, @defined, @const... */
static struct node *
atform(struct parser *p)
{
	struct token at = p->tok;
	struct node *n;
	size_t i;

	advance(p);
	for (i = 0; i < NELEM(stats); i++) {
		if (strcmp(at.str, stats[i]))
			continue;
		n = node_new(N_STAT, at.loc);
		n->str = at.str;
		expect(p, O_LPAREN);
		n->l = expr(p);
		if (accept(p, O_COMMA))
			n->args = exprlist(p, O_RPAREN, 0);
		else
			expect(p, O_RPAREN);
		return n;
	}
	if (!strcmp(at.str, "@cast")) {
		n = node_new(N_CAST, at.loc);
		expect(p, O_LPAREN);
		n->l = expr(p);
		expect(p, O_COMMA);
		n->str = strarg(p, "type name string in @cast")->str;
		if (accept(p, O_COMMA))
			n->r = strarg(p, "module name string in @cast");
		expect(p, O_RPAREN);
		components(p, n);
		return n;
	}
	if (!strcmp(at.str, "@var")) {
		n = node_new(N_ATVAR, at.loc);
		expect(p, O_LPAREN);
		n->str = strarg(p, "variable name string in @var")->str;
		if (accept(p, O_COMMA))
			n->r = strarg(p, "module name string in @var");
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
	if (!strcmp(at.str, "@const") || !strcmp(at.str, "@perf") ||
	    !strcmp(at.str, "@probewrite")) {
		n = node_new(N_ATFN, at.loc);
		n->str = at.str;
		expect(p, O_LPAREN);
		n->args = exprlist(p, O_RPAREN, 0);
		return n;
	}
	error_at(p, at.loc, "unknown macro or operator '%s'", at.str);
}

static struct node *
primary(struct parser *p)
{
	struct node *n;
	struct loc loc = p->tok.loc;

	switch (p->tok.kind) {
	case TK_NUM:
		return number(p, 0);
	case TK_STR:
		return string(p);
	case TK_TARGET:
		return target(p);
	case TK_AT:
		return atform(p);
	case TK_EMBED:
		need_guru(p);
		return leaf(p, N_EMBED);
	case TK_IDENT:
		if (iskeyword(p->tok.str))
			expected(p, "an expression");
		if (peek(p, 1)->kind == TK_OP && peek(p, 1)->op == O_LPAREN) {
			n = leaf(p, N_CALL);
			advance(p);
			n->args = exprlist(p, O_RPAREN, 0);
			return n;
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
			n = expr(p);
			expect(p, O_RPAREN);
			return n;
		}
		break;
	default:
		break;
	}
	(void)loc;
	expected(p, "an expression");
}

static struct node *
postfix(struct parser *p)
{
	struct node *n = primary(p), *m;

	while (isop(p, O_INC) || isop(p, O_DEC)) {
		m = node_new(N_POSTINC, p->tok.loc);
		m->op = p->tok.op;
		m->l = n;
		n = m;
		advance(p);
	}
	return n;
}

static struct node *
unary(struct parser *p)
{
	struct node *n;
	enum op op;

	if (p->tok.kind != TK_OP)
		return postfix(p);
	op = p->tok.op;
	switch (op) {
	case O_MINUS:
		if (peek(p, 1)->kind == TK_NUM && (peek(p, 1)->numflags & F_BIG)) {
			advance(p);
			return number(p, 1);
		}
		/* fall through */
	case O_PLUS: case O_NOT: case O_BNOT: case O_AND:
		n = node_new(N_UNARY, p->tok.loc);
		break;
	case O_INC: case O_DEC:
		n = node_new(N_PREINC, p->tok.loc);
		break;
	default:
		return postfix(p);
	}
	n->op = op;
	advance(p);
	enter(p);
	n->l = unary(p);
	p->depth--;
	if (op == O_AND) {
		/* &$var: the address of a context variable */
		struct node *t = n->l;

		if (t->kind != N_TARGET && t->kind != N_CAST &&
		    t->kind != N_ATVAR)
			error_at(p, n->loc, "'&' needs a context variable "
			    "($var, @cast or @var)");
		t->flags |= F_ADDR;
		return t;
	}
	return n;
}

/* The binary levels, loosest first.  Each is left-associative. */
static const enum op levels[][6] = {
	{ O_LOR },
	{ O_LAND },
	{ O_OR },
	{ O_XOR },
	{ O_AND },
	{ O_EQ, O_NE, O_LT, O_LE, O_GT, O_GE },
	{ O_MATCH, O_NMATCH },
	{ O_SHL, O_SHR },
	{ O_CAT },
	{ O_PLUS, O_MINUS },
	{ O_MUL, O_DIV, O_MOD },
};
enum { LEVEL_IN = 5 };  /* 'in' binds between '&' (4) and comparisons (5) */

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

/* [a, b] in arr, or a in arr */
static struct node *
array_in(struct parser *p)
{
	struct node *n, *tuple;
	struct loc loc = p->tok.loc;

	if (isop(p, O_LBRACK)) {
		advance(p);
		tuple = exprlist(p, O_RBRACK, 1);
		if (!tuple)
			error_at(p, loc, "empty index tuple");
		if (!iskw(p, "in"))
			expected(p, "'in'");
	} else {
		tuple = binlevel(p, LEVEL_IN);
		if (!iskw(p, "in"))
			return tuple;
	}
	while (iskw(p, "in")) {
		n = node_new(N_IN, p->tok.loc);
		advance(p);
		n->args = tuple;
		n->l = leaf(p, N_IDENT);
		if (n->l->kind != N_IDENT || !n->l->str || iskeyword(n->l->str))
			error_at(p, n->l->loc, "expected array name after "
			    "'in'");
		tuple = n;
	}
	return tuple;
}

static struct node *
binlevel(struct parser *p, int level)
{
	struct node *l;
	struct token op;

	if (level == (int)NELEM(levels))
		return unary(p);
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
	n->els = expr(p);
	p->depth--;
	return n;
}

static int
isassign(enum op op)
{
	switch (op) {
	case O_ASSIGN: case O_ADDEQ: case O_SUBEQ: case O_MULEQ:
	case O_DIVEQ: case O_MODEQ: case O_CATEQ: case O_SHLEQ:
	case O_SHREQ: case O_ANDEQ: case O_OREQ: case O_XOREQ:
	case O_STATEQ:
		return 1;
	default:
		return 0;
	}
}

static struct node *
expr(struct parser *p)
{
	struct node *l, *n;

	enter(p);
	l = ternary(p);
	if (p->tok.kind == TK_OP && isassign(p->tok.op)) {
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
		error_at(p, p->tok.loc, "multiple sort directives in foreach");
	fe->flags |= isop(p, O_PLUS) ? F_ASC : F_DESC;
	fe->num = column;
	advance(p);
}

static struct node *
foreach(struct parser *p)
{
	struct node *n = node_new(N_FOREACH, p->tok.loc), **tail = &n->keys;
	struct node *arr;
	int col = 1;

	advance(p);
	expect(p, O_LPAREN);
	if (p->tok.kind == TK_IDENT &&
	    ((peek(p, 1)->kind == TK_OP && peek(p, 1)->op == O_ASSIGN) ||
	    ((peek(p, 1)->kind == TK_OP && (peek(p, 1)->op == O_PLUS ||
	    peek(p, 1)->op == O_MINUS)) && peek(p, 2)->kind == TK_OP &&
	    peek(p, 2)->op == O_ASSIGN))) {
		n->value = leaf(p, N_IDENT);
		sortmark(p, n, 0);
		expect(p, O_ASSIGN);
	}
	if (accept(p, O_LBRACK)) {
		for (;;) {
			*tail = node_new(N_IDENT, p->tok.loc);
			(*tail)->str = ident(p, "an iteration variable");
			tail = &(*tail)->next;
			sortmark(p, n, col++);
			if (accept(p, O_RBRACK))
				break;
			expect(p, O_COMMA);
		}
	} else {
		*tail = node_new(N_IDENT, p->tok.loc);
		(*tail)->str = ident(p, "an iteration variable or '['");
		sortmark(p, n, 1);
	}
	if (!iskw(p, "in"))
		expected(p, "'in'");
	advance(p);
	if (p->tok.kind == TK_AT) {
		arr = atform(p);
		if (arr->kind != N_STAT || strncmp(arr->str, "@hist", 5))
			error_at(p, arr->loc, "foreach needs an array or "
			    "a histogram");
	} else {
		arr = leaf(p, N_IDENT);
		if (iskeyword(arr->str) || arr->kind != N_IDENT)
			error_at(p, arr->loc, "expected an array name");
		if (isop(p, O_LBRACK)) {
			struct node *ix = node_new(N_INDEX, p->tok.loc);

			advance(p);
			ix->l = arr;
			ix->args = exprlist(p, O_RBRACK, 1);
			arr = ix;
		}
	}
	n->l = arr;
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
		n = simple(p, N_RETURN);
	} else if (iskw(p, "delete")) {
		n = simple(p, N_DELETE);
	} else if (p->tok.kind == TK_IDENT && iskeyword(p->tok.str)) {
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
		if (p->tok.kind == TK_EOF)
			expected(p, "'}'");
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

	while ((p->tok.kind == TK_IDENT || p->tok.kind == TK_NUM ||
	    isop(p, O_MUL)) && (first || !p->tok.space)) {
		if (p->tok.kind == TK_NUM && first)
			break;
		if (len + p->tok.len >= sizeof buf)
			error_at(p, p->tok.loc, "probe point component name "
			    "too long");
		memcpy(buf + len, p->tok.text, p->tok.len);
		len += p->tok.len;
		first = 0;
		advance(p);
	}
	if (len == 0)
		expected(p, "a probe point component name");
	return arena_strndup(buf, len);
}

static struct node *
point(struct parser *p, int alias)
{
	struct node *n = node_new(N_POINT, p->tok.loc), **tail = &n->args;
	struct node *c;

	for (;;) {
		c = node_new(N_COMP, p->tok.loc);
		c->str = compname(p);
		if (accept(p, O_LPAREN)) {
			c->l = literal(p);
			expect(p, O_RPAREN);
		}
		*tail = c;
		tail = &c->next;
		if (!accept(p, O_CAT))
			break;
	}
	if (alias)
		return n;
	for (;;) {
		if (accept(p, O_QUEST))
			n->flags |= F_OPTIONAL;
		else if (accept(p, O_NOT))
			n->flags |= F_SUFFICIENT | F_OPTIONAL;
		else
			break;
	}
	if (iskw(p, "if")) {
		advance(p);
		expect(p, O_LPAREN);
		n->cond = expr(p);
		expect(p, O_RPAREN);
	}
	return n;
}

static struct node *
points(struct parser *p, int alias)
{
	struct node *head = point(p, alias), **tail = &head->next;

	while (accept(p, O_COMMA)) {
		*tail = point(p, alias);
		tail = &(*tail)->next;
	}
	return head;
}

static struct node *
probe(struct parser *p)
{
	struct node *n = node_new(N_PROBE, p->tok.loc), *pts;
	struct token *t;

	advance(p);
	pts = points(p, 0);
	if (isop(p, O_ASSIGN) || isop(p, O_ADDEQ)) {
		struct node *pt;

		n->kind = N_ALIAS;
		if (isop(p, O_ADDEQ))
			n->flags |= F_EPILOGUE;
		for (pt = pts; pt; pt = pt->next)
			if (pt->cond || (pt->flags & F_OPTIONAL))
				error_at(p, pt->loc, "a probe alias name may "
				    "not be optional or conditional");
		advance(p);
		n->args = pts;
		pts = points(p, 0);
	}
	n->points = pts;
	t = &p->tok;
	if (!tok_isop(t, O_LBRACE))
		expected(p, "'{' to begin the probe body");
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

	advance(p);
	n->flags = flags;
	n->str = ident(p, "a function name");
	if (accept(p, O_COLON))
		n->type = typename(p);
	expect(p, O_LPAREN);
	while (!isop(p, O_RPAREN)) {
		*tail = node_new(N_PARAM, p->tok.loc);
		(*tail)->str = ident(p, "a parameter name");
		if (accept(p, O_COLON))
			(*tail)->type = typename(p);
		tail = &(*tail)->next;
		if (!isop(p, O_RPAREN))
			expect(p, O_COMMA);
	}
	advance(p);
	if (p->tok.kind == TK_EMBED) {
		need_guru(p);
		n->body = leaf(p, N_EMBED);
	} else if (isop(p, O_LBRACE)) {
		n->body = block(p);
	} else {
		expected(p, "'{' or '%{' to begin the function body");
	}
	return n;
}

static struct node *
global(struct parser *p, unsigned flags)
{
	struct node *n = node_new(N_GLOBAL, p->tok.loc), **tail = &n->args;
	struct node *v;

	advance(p);
	n->flags = flags;
	do {
		v = node_new(N_VAR, p->tok.loc);
		v->str = ident(p, "a variable name");
		if (accept(p, O_MOD))
			v->flags |= F_WRAP;
		if (accept(p, O_LBRACK)) {
			if (p->tok.kind != TK_NUM || p->tok.num <= 0)
				expected(p, "a positive array size");
			v->num = p->tok.num;
			advance(p);
			expect(p, O_RBRACK);
			if (accept(p, O_MOD))
				v->flags |= F_WRAP;
		}
		if (accept(p, O_ASSIGN))
			v->l = literal(p);
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
	struct node *n;

	if (iskw(p, "probe"))
		return probe(p);
	if (iskw(p, "global"))
		return global(p, 0);
	if (iskw(p, "function"))
		return function(p, 0);
	if (iskw(p, "private")) {
		advance(p);
		if (iskw(p, "global"))
			return global(p, F_PRIVATE);
		if (iskw(p, "function"))
			return function(p, F_PRIVATE);
		expected(p, "'global' or 'function' after 'private'");
	}
	if (p->tok.kind == TK_EMBED) {
		need_guru(p);
		n = leaf(p, N_EMBED);
		return n;
	}
	expected(p, "'probe', 'global', 'function' or '%{'");
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
		do
			advance(p);
		while (!toplevel_start(p));
	} else {
		advance(p);
	}
	while (p->tok.kind != TK_EOF) {
		*tail = decl(p);
		tail = &(*tail)->next;
	}
	s->decls = merge(s->decls, pp_macrodefs(p->pp));
	return s;
}
