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

/* The words of the language: not names of variables, functions or
 * macros */
int
lex_iskeyword(const char *s)
{
	static const char *const kw[] = {
		"probe", "global", "private", "function", "if", "else", "for",
		"foreach", "in", "limit", "return", "delete", "while", "break",
		"continue", "next", "try", "catch", "string", "long",
	};
	size_t i;

	for (i = 0; i < NELEM(kw); i++)
		if (s[0] == kw[i][0] && !strcmp(s, kw[i]))
			return 1;
	return 0;
}

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

/*
 * A number is every alphanumeric character from the first digit on, as
 * in stap: "1e5" and "08" are one (bad) token.  The value here is a best
 * effort; the parser checks the spelling, since only the tokens it
 * reads matter (a bad number in a skipped %( %) branch is no error).
 */
static void
lex_number(struct lexer *lx, struct token *t)
{
	const char *s = lx->p, *q = s;
	uint64_t v = 0;
	int base = 10, d;

	while (lx->p < lx->end && isident(*lx->p))
		lx->p++;
	if (q[0] == '0' && (q[1] == 'x' || q[1] == 'X')) {
		base = 16;
		q += 2;
		t->numflags = F_HEX;
	} else if (q[0] == '0' && lx->p - s > 1) {
		base = 8;
		q++;
		t->numflags = F_OCT;
	}
	for (; q < lx->p && isxdigit((unsigned char)*q); q++) {
		d = isdigit((unsigned char)*q) ? *q - '0' :
		    tolower((unsigned char)*q) - 'a' + 10;
		if (d >= base)
			break;
		v = v * base + d;
	}
	t->kind = TK_NUM;
	t->num = (int64_t)v;
}

static int
hexval(int c)
{
	return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

/*
 * One escape of a string literal, p just past its backslash, end
 * bounding it.  stap passes \a \b \f \n \r \t \v \\, octal and \x
 * escapes on to the C compiler, which reads them as C does (a \x takes
 * every hex digit that follows) and, under stap's -Werror, refuses a
 * \x without digits and a value past a byte; any other character after
 * the backslash stands for itself ("\q" is "q").  The byte goes to
 * *out; returns p past the escape, or NULL with *why set.
 */
const char *
lex_escape(const char *p, const char *end, char *out, const char **why)
{
	int c = (unsigned char)*p++, v, i;

	switch (c) {
	case 'a': c = '\a'; break;
	case 'b': c = '\b'; break;
	case 'f': c = '\f'; break;
	case 'n': c = '\n'; break;
	case 'r': c = '\r'; break;
	case 't': c = '\t'; break;
	case 'v': c = '\v'; break;
	case 'x':
		for (v = 0, i = 0; p < end && isxdigit((unsigned char)*p); p++) {
			v = v * 16 + hexval((unsigned char)*p);
			if (v > 0xff)
				v = 0x100;
			i++;
		}
		if (i == 0) {
			*why = "\\x used with no following hex digits";
			return NULL;
		}
		if (v > 0xff) {
			*why = "hex escape sequence out of range";
			return NULL;
		}
		c = v;
		break;
	default:
		if (c < '0' || c > '7')
			break;
		for (v = c - '0', i = 1; i < 3 && p < end && *p >= '0' &&
		    *p <= '7'; i++)
			v = v * 8 + *p++ - '0';
		if (v > 0xff) {
			*why = "octal escape sequence out of range";
			return NULL;
		}
		c = v;
		break;
	}
	*out = (char)c;
	return p;
}

char *
lex_unescape(const char *s, size_t n, size_t *len, size_t *bad,
    const char **why)
{
	const char *p = s, *end = s + n;
	char *buf = arena_alloc(n + 1), *o = buf;

	while (p < end) {
		if (*p == '\\' && p + 1 < end) {
			const char *q = lex_escape(p + 1, end, o, why);

			if (!q) {
				*bad = (size_t)(p - s);
				return NULL;
			}
			o++;
			p = q;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	if (len)
		*len = (size_t)(o - buf);
	return buf;
}

/*
 * Where in a string literal's source (text, the n bytes after its
 * opening quote) its decoded byte off starts: for carets under a byte
 * of a decoded string, such as a regex's error.
 */
size_t
lex_string_offset(const char *text, size_t n, size_t off)
{
	const char *p = text, *q, *why;
	size_t k = 0;
	char c;

	while (p < text + n && *p != '"' && k < off) {
		if (*p == '\\' && p + 1 < text + n &&
		    (q = lex_escape(p + 1, text + n, &c, &why)))
			p = q;
		else
			p++;
		k++;
	}
	return (size_t)(p - text);
}

/*
 * An unterminated string or embedded block, like a stray character, is
 * a junk token: an operator token with no operator (O_NONE), which no
 * grammar rule accepts.  The parser names the problem when it meets one;
 * in a skipped %( %) branch it is no error at all, as in stap.
 */
static void
junk(struct lexer *lx, struct token *t)
{
	t->kind = TK_OP;
	t->op = O_NONE;
	t->len = (int)(lx->p - t->text);
	t->str = arena_strndup(t->text, t->len);
}

static void
lex_string(struct lexer *lx, struct token *t)
{
	const char *q = lx->p + 1, *bad = NULL, *why, *firstwhy = NULL;
	char *buf, *o;

	/* size the buffer by the literal, not by the rest of the file */
	while (q < lx->end && *q != '"' && *q != '\n')
		q += *q == '\\' && q + 1 < lx->end ? 2 : 1;
	o = buf = arena_alloc(q - lx->p + 1);
	lx->p++;
	while (lx->p < lx->end && *lx->p != '"' && *lx->p != '\n') {
		if (*lx->p == '\\' && lx->p + 1 < lx->end) {
			const char *e;

			lx->p++;
			if (*lx->p == '\n') {  /* stap keeps the newline */
				newline(lx, lx->p);
				*o++ = *lx->p++;
				continue;
			}
			if (!(e = lex_escape(lx->p, lx->end, o, &why))) {
				if (!bad) {
					bad = lx->p - 1;
					firstwhy = why;
				}
				lx->p++;
				continue;
			}
			o++;
			lx->p = e;
			continue;
		}
		*o++ = *lx->p++;
	}
	if (lx->p >= lx->end || *lx->p == '\n') {
		junk(lx, t);
		return;
	}
	lx->p++;
	*o = '\0';
	if (bad) {
		/* junk too, naming the escape: the parser reports it, a
		 * skipped %( %) branch does not, as C would not see it */
		junk(lx, t);
		t->str = firstwhy;
		t->num = bad - t->text;
		return;
	}
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
	if (lx->p >= lx->end) {
		junk(lx, t);
		return;
	}
	t->kind = TK_EMBED;
	t->str = arena_strndup(s, lx->p - s);
	lx->p += 2;
}

enum op
op_lookup(const char *s)
{
	int i;

	static unsigned char first[256];
	static int ready;

	/* where to start looking for an operator beginning with a byte:
	 * op.def lists longer spellings before their prefixes */
	if (!ready) {
		for (i = O_NOPS - 1; i >= 1; i--)
			first[(unsigned char)op_spelling[i][0]] =
			    (unsigned char)i;
		ready = 1;
	}
	for (i = first[(unsigned char)*s]; i && i < O_NOPS; i++)
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
		lx->p++;
		junk(lx, t);
	}
	t->len = (int)(lx->p - s);
	if (!t->str)
		t->str = arena_strndup(s, t->len);
}

/* The binary operator of a compound assignment: += is +; else O_NONE */
enum op
op_compound(enum op op)
{
	switch (op) {
	case O_ADDEQ: return O_PLUS;
	case O_SUBEQ: return O_MINUS;
	case O_MULEQ: return O_MUL;
	case O_DIVEQ: return O_DIV;
	case O_MODEQ: return O_MOD;
	case O_SHLEQ: return O_SHL;
	case O_SHREQ: return O_SHR;
	case O_ANDEQ: return O_AND;
	case O_OREQ: return O_OR;
	case O_XOREQ: return O_XOR;
	case O_CATEQ: return O_CAT;
	default: return O_NONE;
	}
}

/* Is op an assignment: =, <<< or a compound one? */
int
op_isassign(enum op op)
{
	return op == O_ASSIGN || op == O_STATEQ || op_compound(op) != O_NONE;
}

int
tok_is(const struct token *t, const char *word)
{
	return t->kind == TK_IDENT && t->str[0] == word[0] &&
	    strcmp(t->str, word) == 0;
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
