/*
 * The lexer: bytes of one source file to tokens.  It knows nothing of
 * the preprocessor; "%(" and friends are plain operator tokens here, and
 * pp.c gives them meaning.  Comments go to a list for stap-fmt.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "stap.h"

const char *op_spelling[] = {
	[O_NONE] = "",
#define OP(name, spelling) [name] = spelling,
#include "op.def"
#undef OP
};

void
lex_init(struct lexer *lx, int file, struct comment **comments)
{
	struct srcfile *f = src_get(file);

	memset(lx, 0, sizeof *lx);
	lx->file = file;
	lx->base = lx->p = lx->linestart = f->text;
	lx->end = f->text + f->len;
	lx->line = 1;
	lx->comments = comments;
}

static struct loc
here(struct lexer *lx, const char *p)
{
	return (struct loc){ lx->file, lx->line, (int)(p - lx->linestart) + 1 };
}

static void
newline(struct lexer *lx, const char *p)
{
	lx->line++;
	lx->linestart = p + 1;
}

static int
isident(int c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static void
add_comment(struct lexer *lx, const char *s, struct loc loc)
{
	struct comment *c, **pp;
	const char *q;

	if (!lx->comments)
		return;
	c = arena_alloc(sizeof *c);
	c->loc = loc;
	c->text = arena_strndup(s, lx->p - s);
	c->own_line = 1;
	for (q = s; q > lx->base && q[-1] != '\n'; q--)
		if (q[-1] != ' ' && q[-1] != '\t')
			c->own_line = 0;
	for (pp = lx->comments; *pp; pp = &(*pp)->next)
		;
	*pp = c;
}

/* Skip blanks and comments; say whether there were any. */
static int
skip_space(struct lexer *lx)
{
	const char *s0 = lx->p;

	while (lx->p < lx->end) {
		const char *s = lx->p;
		struct loc loc = here(lx, s);

		if (*s == '\n') {
			newline(lx, s);
			lx->p++;
		} else if (isspace((unsigned char)*s)) {
			lx->p++;
		} else if (*s == '#' || (*s == '/' && s[1] == '/')) {
			while (lx->p < lx->end && *lx->p != '\n')
				lx->p++;
			add_comment(lx, s, loc);
		} else if (*s == '/' && s[1] == '*') {
			lx->p += 2;
			while (lx->p < lx->end &&
			    !(lx->p[0] == '*' && lx->p[1] == '/')) {
				if (*lx->p == '\n')
					newline(lx, lx->p);
				lx->p++;
			}
			if (lx->p >= lx->end) {
				/* stap takes it to the end of the file too */
				diag_warn(loc, "unterminated comment");
				add_comment(lx, s, loc);
				return 1;
			}
			lx->p += 2;
			add_comment(lx, s, loc);
		} else {
			break;
		}
	}
	return lx->p != s0;
}

static void
lex_number(struct lexer *lx, struct token *t)
{
	const char *s = lx->p;
	uint64_t v = 0, lim;
	int base = 10, d;
	const char *q;

	while (lx->p < lx->end && isident(*lx->p))
		lx->p++;
	q = s;
	if (q[0] == '0' && (q[1] == 'x' || q[1] == 'X')) {
		base = 16;
		q += 2;
		t->numflags = F_HEX;
		if (q == lx->p)
			goto bad;
	} else if (q[0] == '0' && lx->p - s > 1) {
		base = 8;
		q++;
		t->numflags = F_OCT;
	}
	/* as in stap, any 64-bit pattern is a number: 2^63.. wrap */
	lim = UINT64_MAX;
	for (; q < lx->p; q++) {
		if (isdigit((unsigned char)*q))
			d = *q - '0';
		else if (isxdigit((unsigned char)*q))
			d = tolower((unsigned char)*q) - 'a' + 10;
		else
			goto bad;
		if (d >= base || v > (lim - d) / base)
			goto bad;
		v = v * base + d;
	}
	t->kind = TK_NUM;
	t->num = (int64_t)v;
	return;
bad:
	diag_error(t->loc, "number '%.*s' invalid or out of range",
	    (int)(lx->p - s), s);
	t->kind = TK_NUM;
	t->num = 0;
}

static int
escape(struct lexer *lx, char **out)
{
	const char *p = lx->p;
	int c = *p++, v, i;

	switch (c) {
	case 'a': c = '\a'; break;
	case 'b': c = '\b'; break;
	case 'f': c = '\f'; break;
	case 'n': c = '\n'; break;
	case 'r': c = '\r'; break;
	case 't': c = '\t'; break;
	case 'v': c = '\v'; break;
	case '\\': case '"': break;
	case 'x':
		for (v = 0, i = 0; i < 2 && isxdigit((unsigned char)*p); i++, p++)
			v = v * 16 + (isdigit((unsigned char)*p) ? *p - '0' :
			    tolower((unsigned char)*p) - 'a' + 10);
		if (i == 0)
			return -1;
		c = v;
		break;
	default:
		if (c < '0' || c > '7')
			break;  /* stap drops the backslash: "\q" is "q" */
		for (v = c - '0', i = 1; i < 3 && *p >= '0' && *p <= '7'; i++)
			v = v * 8 + *p++ - '0';
		c = v & 0xff;
		break;
	}
	*(*out)++ = (char)c;
	lx->p = p;
	return 0;
}

static void
lex_string(struct lexer *lx, struct token *t)
{
	const char *q = lx->p + 1;
	char *buf, *o;

	/* size the buffer by the literal, not by the rest of the file */
	while (q < lx->end && *q != '"' && *q != '\n')
		q += *q == '\\' && q + 1 < lx->end ? 2 : 1;
	o = buf = arena_alloc(q - lx->p + 1);
	lx->p++;
	while (lx->p < lx->end && *lx->p != '"' && *lx->p != '\n') {
		if (*lx->p == '\\' && lx->p + 1 < lx->end) {
			struct loc loc = here(lx, lx->p);

			lx->p++;
			if (*lx->p == '\n') {  /* stap keeps the newline */
				newline(lx, lx->p);
				*o++ = *lx->p++;
				continue;
			}
			if (escape(lx, &o) < 0) {
				diag_error(loc, "invalid escape sequence "
				    "'\\%c' in string", *lx->p);
				lx->p++;
			}
			continue;
		}
		*o++ = *lx->p++;
	}
	if (lx->p >= lx->end || *lx->p == '\n')
		diag_error(t->loc, "unterminated string literal");
	else
		lx->p++;
	*o = '\0';
	t->kind = TK_STR;
	t->str = buf;
}

static void
lex_embed(struct lexer *lx, struct token *t)
{
	const char *s;

	lx->p += 2;
	s = lx->p;
	while (lx->p < lx->end && !(lx->p[0] == '%' && lx->p[1] == '}')) {
		if (*lx->p == '\n')
			newline(lx, lx->p);
		lx->p++;
	}
	t->kind = TK_EMBED;
	t->str = arena_strndup(s, lx->p - s);
	if (lx->p >= lx->end)
		diag_error(t->loc, "unterminated embedded code: no '%%}'");
	else
		lx->p += 2;
}

enum op
op_lookup(const char *s)
{
	int i;

	for (i = 1; i < O_NOPS; i++)
		if (op_spelling[i][0] == *s &&
		    strncmp(s, op_spelling[i], strlen(op_spelling[i])) == 0)
			return i;
	return O_NONE;
}

void
lex_next(struct lexer *lx, struct token *t)
{
	const char *s;
	enum op op;

again:
	memset(t, 0, sizeof *t);
	t->space = skip_space(lx);
	s = lx->p;
	t->loc = here(lx, s);
	t->text = s;
	if (s >= lx->end) {
		t->kind = TK_EOF;
		return;
	}
	if (isalpha((unsigned char)*s) || *s == '_') {
		while (lx->p < lx->end && (isident(*lx->p) || *lx->p == '$'))
			lx->p++;
		t->kind = TK_IDENT;
	} else if (*s == '$' || *s == '@') {
		/* '$' goes on in a name, so "$var$" and "$$vars$$" are one */
		lx->p++;
		if (*lx->p == '#')
			lx->p++;
		else
			while (lx->p < lx->end && (isident(*lx->p) ||
			    *lx->p == '$'))
				lx->p++;
		t->kind = *s == '$' ? TK_TARGET : TK_AT;
	} else if (isdigit((unsigned char)*s)) {
		lex_number(lx, t);
	} else if (*s == '"') {
		lex_string(lx, t);
	} else if (s[0] == '%' && s[1] == '{') {
		lex_embed(lx, t);
	} else if ((op = op_lookup(s)) != O_NONE) {
		lx->p += strlen(op_spelling[op]);
		t->kind = TK_OP;
		t->op = op;
	} else {
		if (isprint((unsigned char)*s))
			diag_error(t->loc, "unexpected character '%c'", *s);
		else
			diag_error(t->loc, "unexpected byte 0x%02x",
			    (unsigned char)*s);
		lx->p++;
		goto again;
	}
	t->len = (int)(lx->p - s);
	if (!t->str)
		t->str = arena_strndup(s, t->len);
}

int
tok_is(const struct token *t, const char *word)
{
	return t->kind == TK_IDENT && strcmp(t->str, word) == 0;
}

int
tok_isop(const struct token *t, enum op op)
{
	return t->kind == TK_OP && t->op == op;
}

/* How to name a token in a message: 'foo', or "end of input". */
const char *
tok_describe(const struct token *t, char *buf, size_t n)
{
	switch (t->kind) {
	case TK_EOF:
		snprintf(buf, n, "end of input");
		break;
	case TK_STR:
		snprintf(buf, n, "string \"%.40s\"", t->str);
		break;
	case TK_EMBED:
		snprintf(buf, n, "embedded code");
		break;
	default:
		snprintf(buf, n, "'%.*s'", t->len > 40 ? 40 : t->len, t->text);
		break;
	}
	return buf;
}
