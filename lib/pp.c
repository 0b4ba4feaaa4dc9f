/*
 * The preprocessor sits between the lexer and the parser.  It evaluates
 * %( cond %? then %: else %) against the target's facts, records and
 * expands @define macros, and substitutes the script arguments $N, @N,
 * $# and @#.  Token sources form a stack: the script's lexer at the
 * bottom, above it macro bodies and arguments being expanded.
 */
#include <ctype.h>
#include <dirent.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "stap.h"

/*
 * Macro recursion is refused by depth; a macro that doubles at every
 * level (@a1 is @a0 @a0, and so on) by the number of tokens it makes.
 * After either, no macro expands any more.
 */
enum { MAXDEPTH = 200, MAXEXPANDED = 1 << 20 };

struct tokvec {
	struct token *t;
	size_t n, cap;
};

struct macro {
	const char *name;
	struct loc loc;
	int nparams;
	const char **params;
	struct tokvec body;
	struct macro *next;
};

struct source {
	int lexing;             /* a file's lexer, else a token vector */
	struct lexer lx;
	struct tokvec *toks;
	size_t pos;
	struct macro *macro;    /* whose body this is, for @param */
	struct tokvec *args;    /* the macro's actual arguments */
	int nconds;             /* open %( in this source */
	struct loc cond[64];    /* and where each began */
	int inelse[64];
	struct source *up;
};

struct pp {
	struct facts *facts;
	struct source *top;
	int depth;
	struct macro *macros;
	struct node *defs, **deftail;
	struct comment **comments;
	int incond;             /* reading a condition: pass %? through */
	long expanded;          /* tokens read from macro expansions */
	char *config;           /* the kernel .config, read on first use */
	int configread;
	struct libdir **libs;   /* the macro libraries it may use */
	size_t nlibs;
	struct libfile **loaded;        /* their files it has read */
	size_t nloaded;
};

static void push_file(struct pp *pp, int file, struct comment **comments);
static struct macro *library_find(struct pp *pp, const char *name);
static char *read_config(const char *path);

void
facts_default(struct facts *f)
{
	static struct utsname u;

	memset(f, 0, sizeof *f);
	if (uname(&u) == 0) {
		f->release = u.release;
		f->arch = u.machine;
	} else {
		f->release = "0";
		f->arch = "unknown";
	}
	f->runtime = "bpf";
	f->stap_version = "4.8";
	f->privilege = "stapdev";
}

/* uname's machine names as SystemTap spells architectures */
static const char *
normalize_arch(const char *m)
{
	if (m[0] == 'i' && strlen(m) == 4 && !strcmp(m + 2, "86"))
		return "i386";
	if (!strcmp(m, "aarch64") || !strcmp(m, "arm64"))
		return "arm64";
	if (!strncmp(m, "arm", 3))
		return "arm";
	if (!strncmp(m, "ppc64", 5))
		return "powerpc";
	if (!strcmp(m, "s390x"))
		return "s390";
	if (!strncmp(m, "mips", 4))
		return "mips";
	return m;
}

/*
 * After the options: spell the architecture as stap does and find the
 * kernel configuration of the release compiled for (running: the
 * release is this machine's, whose /proc/config.gz comes first).
 */
void
facts_finish(struct facts *f, int running)
{
	static char path[4200];

	f->arch = normalize_arch(f->arch);
	f->configfile = NULL;
	if (running && access("/proc/config.gz", R_OK) == 0) {
		f->configfile = "/proc/config.gz";
		return;
	}
	snprintf(path, sizeof path, "/boot/config-%s", f->release);
	if (access(path, R_OK) == 0) {
		f->configfile = path;
		return;
	}
	snprintf(path, sizeof path, "/lib/modules/%s/build/.config",
	    f->release);
	if (access(path, R_OK) == 0)
		f->configfile = path;
}

/* The value of -D NAME=VALUE as a number (the last one wins), else dflt */
long
facts_define(const struct facts *f, const char *name, long dflt)
{
	size_t n = strlen(name);
	int i;

	for (i = f->ndefines - 1; i >= 0; i--)
		if (!strncmp(f->defines[i], name, n) && f->defines[i][n] == '=')
			return strtol(f->defines[i] + n + 1, NULL, 0);
	return dflt;
}

struct pp *
pp_new(struct facts *f, int file, struct comment **comments)
{
	struct pp *pp = arena_alloc(sizeof *pp);

	pp->facts = f;
	pp->comments = comments;
	pp->deftail = &pp->defs;
	push_file(pp, file, comments);
	return pp;
}

struct node *
pp_macrodefs(struct pp *pp)
{
	return pp->defs;
}

/* Token vectors live in the arena, like everything the parse makes. */
static void
tv_push(struct tokvec *v, const struct token *t)
{
	if (v->n == v->cap) {
		struct token *nt;

		v->cap = v->cap ? v->cap * 2 : 16;
		nt = arena_alloc(sizeof *nt * v->cap);
		if (v->n)
			memcpy(nt, v->t, sizeof *nt * v->n);
		v->t = nt;
	}
	v->t[v->n++] = *t;
}

static void
push(struct pp *pp, struct source *s)
{
	if (pp->depth >= MAXDEPTH) {
		struct loc loc = s->toks && s->toks->n ? s->toks->t[0].loc :
		    (struct loc){ 0 };

		/* once: a recursive macro that doubles would be refused
		 * here 2^depth times; no macro expands from now on */
		if (pp->expanded < MAXEXPANDED)
			diag_error(loc, "macro expansion nested too deeply "
			    "(a recursive macro?)");
		pp->expanded = MAXEXPANDED + 1;
		return;
	}
	s->up = pp->top;
	pp->top = s;
	pp->depth++;
}

static void
push_file(struct pp *pp, int file, struct comment **comments)
{
	struct source *s = arena_alloc(sizeof *s);

	s->lexing = 1;
	lex_init(&s->lx, file, comments);
	push(pp, s);
}

static void
push_toks(struct pp *pp, struct tokvec *v, struct macro *m,
    struct tokvec *args)
{
	struct source *s = arena_alloc(sizeof *s);

	s->toks = v;
	s->macro = m;
	s->args = args;
	push(pp, s);
}

/*
 * The next token of the innermost source, with a macro's parameters
 * replaced by its arguments.  At the end of a source that is not the
 * script itself, pop it and go on.
 */
static void
next_raw(struct pp *pp, struct token *t)
{
	struct source *s;
	int i;

	for (;;) {
		s = pp->top;
		if (s->lexing) {
			lex_next(&s->lx, t);
		} else if (s->pos < s->toks->n) {
			*t = s->toks->t[s->pos++];
			/* past the limit once, no macro expands again: a
			 * later use of the runaway would start it over */
			if (++pp->expanded >= MAXEXPANDED) {
				if (pp->expanded == MAXEXPANDED)
					diag_error(t->loc, "macro expansion too "
					    "large (a runaway macro?)");
				pp->expanded = MAXEXPANDED + 1;
				while (!pp->top->lexing) {
					pp->top = pp->top->up;
					pp->depth--;
				}
				continue;
			}
		} else {
			t->kind = TK_EOF;
		}
		if (t->kind == TK_EOF) {
			if (s->nconds > 0) {
				diag_error(s->cond[s->nconds - 1],
				    "incomplete conditional at end of file");
				s->nconds = 0;
			}
			if (!s->up)
				return;
			pp->top = s->up;
			pp->depth--;
			continue;
		}
		if (t->kind == TK_AT && s->macro) {
			for (i = 0; i < s->macro->nparams; i++)
				if (!strcmp(t->str + 1, s->macro->params[i]))
					break;
			if (i < s->macro->nparams) {
				push_toks(pp, &s->args[i], NULL, NULL);
				continue;
			}
		}
		return;
	}
}

/* ---- the conditions of %( %) ---- */

static const char *
config_lookup(struct pp *pp, const char *name)
{
	struct facts *f = pp->facts;
	size_t n = strlen(name);
	const char *p;
	int i;

	for (i = 0; i < f->ndefines; i++)
		if (!strncmp(f->defines[i], name, n) &&
		    f->defines[i][n] == '=')
			return f->defines[i] + n + 1;
	if (!pp->configread) {
		pp->configread = 1;
		pp->config = read_config(f->configfile);
	}
	for (p = pp->config; p && (p = strstr(p, name)); p += n) {
		if ((p == pp->config || p[-1] == '\n') && p[n] == '=') {
			const char *v = p + n + 1;

			/* the raw value: string options keep their quotes */
			return arena_strndup(v, strcspn(v, "\n"));
		}
	}
	return "";      /* unset: the empty string, as in stap */
}

/* Compare version strings: digit runs as numbers, the rest as bytes. */
static int
vercmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			unsigned long long x = strtoull(a, (char **)&a, 10);
			unsigned long long y = strtoull(b, (char **)&b, 10);

			if (x != y)
				return x < y ? -1 : 1;
		} else {
			if (*a != *b)
				return (unsigned char)*a < (unsigned char)*b ?
				    -1 : 1;
			a++, b++;
		}
	}
	return (*a != 0) - (*b != 0);
}

/* -2 when op is no comparison at all */
static int
compare(enum op op, int c)
{
	switch (op) {
	case O_EQ: return c == 0;
	case O_NE: return c != 0;
	case O_LT: return c < 0;
	case O_LE: return c <= 0;
	case O_GT: return c > 0;
	case O_GE: return c >= 0;
	default: return -2;
	}
}

static int
iseq(enum op op)
{
	return op == O_EQ || op == O_NE;
}

static int
config_number(const char *v, long long *n)
{
	char *e;

	*n = strtoll(v, &e, 0);
	return *e == '\0';
}

/*
 * One clause: exactly three tokens, LHS OP RHS.  What LHS is decides
 * how the two compare: kernel and stap versions by version order or glob,
 * arch and runtime by glob, CONFIG_ options by glob or as numbers,
 * literals with literals.  The operator is checked last, as in stap.
 * Returns 0 or 1, -1 after an error, -2 for a bad operator.
 */
static int
clause1(struct pp *pp, struct token *l, struct token *o, struct token *r)
{
	struct facts *f = pp->facts;
	enum op op = o->kind == TK_OP ? o->op : O_NONE;
	char kv[256];
	const char *lv;
	long long a, b;

	if (tok_is(l, "kernel_v") || tok_is(l, "kernel_vr") ||
	    tok_is(l, "systemtap_v")) {
		if (r->kind != TK_STR)
			goto want_string;
		lv = tok_is(l, "systemtap_v") ? f->stap_version : f->release;
		if (tok_is(l, "kernel_v")) {
			snprintf(kv, sizeof kv, "%.*s",
			    (int)strcspn(f->release, "-"), f->release);
			lv = kv;
		}
		if (strpbrk(r->str, "*?[")) {
			if (!iseq(op)) {
				diag_error(o->loc, "wildcard not allowed with "
				    "order comparison operators");
				return -1;
			}
			return compare(op, fnmatch(r->str, lv, FNM_NOESCAPE));
		}
		return compare(op, vercmp(lv, r->str));
	}
	if (tok_is(l, "systemtap_privilege") || tok_is(l, "arch") ||
	    tok_is(l, "runtime")) {
		if (r->kind != TK_STR)
			goto want_string;
		if (!iseq(op)) {
			diag_error(o->loc, "expected '==' or '!='");
			return -1;
		}
		lv = tok_is(l, "arch") ? f->arch : tok_is(l, "runtime") ?
		    f->runtime : f->privilege;
		if (tok_is(l, "systemtap_privilege"))
			return compare(op, strcmp(lv, r->str));
		return compare(op, fnmatch(r->str, lv, FNM_NOESCAPE));
	}
	if (tok_is(l, "guru_mode")) {
		if (r->kind != TK_NUM) {
			diag_error(r->loc, "expected number");
			return -1;
		}
		if (r->num != 0 && r->num != 1) {
			diag_error(o->loc, "expected 0 or 1");
			return -1;
		}
		if (!iseq(op)) {
			diag_error(o->loc, "expected '==' or '!='");
			return -1;
		}
		return compare(op, (f->guru > 0) - (r->num > 0));
	}
	if (l->kind == TK_IDENT && !strncmp(l->str, "CONFIG_", 7)) {
		lv = config_lookup(pp, l->str);
		if (r->kind == TK_STR) {
			if (!iseq(op)) {
				diag_error(o->loc, "expected '==' or '!='");
				return -1;
			}
			return compare(op, fnmatch(r->str, lv, FNM_NOESCAPE));
		}
		if (r->kind == TK_NUM) {
			if (!config_number(lv, &a)) {
				diag_error(l->loc, "config option value not a "
				    "number");
				return -1;
			}
			return compare(op, (a > r->num) - (a < r->num));
		}
		if (r->kind == TK_IDENT && !strncmp(r->str, "CONFIG_", 7)) {
			const char *rv = config_lookup(pp, r->str);

			if (config_number(lv, &a) && config_number(rv, &b))
				return compare(op, (a > b) - (a < b));
			return compare(op, strcmp(lv, rv));
		}
		diag_error(r->loc, "expected string, number literal or other "
		    "CONFIG_... as right side operand");
		return -1;
	}
	if (l->kind == TK_STR && r->kind == TK_STR)
		return compare(op, strcmp(l->str, r->str));
	if (l->kind == TK_NUM && r->kind == TK_NUM)
		return compare(op, (l->num > r->num) - (l->num < r->num));
	if (l->kind == TK_STR || l->kind == TK_NUM) {
		diag_error(r->loc, "expected %s literal as right value",
		    l->kind == TK_STR ? "string" : "number");
		return -1;
	}
	diag_error(l->loc, "expected 'arch', 'kernel_v', 'kernel_vr', "
	    "'systemtap_v', 'runtime', 'systemtap_privilege', 'CONFIG_...', "
	    "or comparison between strings or integers");
	return -1;
want_string:
	diag_error(r->loc, "expected string literal");
	return -1;
}

static int
clause(struct pp *pp, struct token *l, struct token *o, struct token *r)
{
	int v = clause1(pp, l, o, r);

	if (v == -2)
		diag_error(o->loc, "expected comparison operator");
	return v < 0 ? -1 : v;
}

/*
 * cond := clause { ('&&' | '||') clause }, '&&' binding tighter.  Like
 * stap, every clause is evaluated, so an erroneous one always reports.
 * Leaves the token after the condition in *t.
 */
static int
cond_expr(struct pp *pp, struct token *t, struct loc open)
{
	struct token l, o, r;
	int result = 0, conj = 1, v, bad = 0;

	for (;;) {
		pp_next(pp, &l);
		if (l.kind != TK_EOF)
			pp_next(pp, &o);
		if (l.kind != TK_EOF && o.kind != TK_EOF)
			pp_next(pp, &r);
		if (l.kind == TK_EOF || o.kind == TK_EOF || r.kind == TK_EOF) {
			diag_error(open, "incomplete condition after '%%('");
			t->kind = TK_EOF;
			return -1;
		}
		v = clause(pp, &l, &o, &r);
		if (v < 0)
			bad = 1;
		conj = conj && v > 0;
		pp_next(pp, t);
		if (tok_isop(t, O_LAND))
			continue;
		result = result || conj;
		conj = 1;
		if (!tok_isop(t, O_LOR))
			return bad ? -1 : result;
	}
}

/*
 * Skip the untaken branch of a conditional, up to its %: (if stop_at_else)
 * or its %).  Returns the operator that ended it, or O_NONE at the end.
 */
static enum op
skip_branch(struct pp *pp, int stop_at_else)
{
	struct source *s = pp->top;
	struct token t;
	int depth = 0;

	for (;;) {
		if (s->lexing)
			lex_next(&s->lx, &t);
		else if (s->pos < s->toks->n)
			t = s->toks->t[s->pos++];
		else
			t.kind = TK_EOF;
		if (t.kind == TK_EOF)
			return O_NONE;
		if (t.kind != TK_OP)
			continue;
		if (t.op == O_PPOPEN)
			depth++;
		else if (t.op == O_PPCLOSE && depth-- == 0)
			return O_PPCLOSE;
		else if (t.op == O_PPELSE && depth == 0 && stop_at_else)
			return O_PPELSE;
	}
}

static void
conditional(struct pp *pp, struct token *open)
{
	struct source *s = pp->top;
	struct token t;
	int r;
	enum op end;

	pp->incond++;
	r = cond_expr(pp, &t, open->loc);
	pp->incond--;
	if (r >= 0 && !tok_isop(&t, O_PPTHEN)) {
		diag_error(open->loc, "expected '%%?' marker for conditional");
		r = -1;
	}
	if (r < 0) {
		/* resynchronise at the end of this conditional */
		if (t.kind != TK_EOF && !tok_isop(&t, O_PPCLOSE) &&
		    pp->top == s)
			skip_branch(pp, 0);
		return;
	}
	if (s != pp->top)
		bug("conditional crossed a source boundary");
	if (s->nconds == (int)NELEM(s->cond)) {
		diag_error(open->loc, "conditionals nested too deeply");
		skip_branch(pp, 0);
		return;
	}
	if (r) {
		s->cond[s->nconds] = open->loc;
		s->inelse[s->nconds++] = 0;
		return;
	}
	end = skip_branch(pp, 1);
	if (end == O_PPELSE) {
		s->cond[s->nconds] = open->loc;
		s->inelse[s->nconds++] = 1;
	} else if (end == O_NONE) {
		diag_error(open->loc, "incomplete conditional at end of file");
	}
}

/* ---- macros ---- */

static struct macro *
macro_find(struct pp *pp, const char *name)
{
	struct macro *m;

	for (m = pp->macros; m; m = m->next)
		if (!strcmp(m->name, name))
			return m;
	return NULL;
}

/*
 * After an error in a @define, skip what is left of it: up to the '%)'
 * that closes its body, but not past a declaration keyword when no body
 * began (as in "@define m 1 probe begin { }"), so that one bad @define
 * makes one error.
 */
static void
skip_define(struct pp *pp, struct token *bad)
{
	static const char *const decl[] = { "probe", "global", "function",
	    "private" };
	struct source *s = pp->top;
	struct token t = *bad;
	size_t i;
	int first = 1;

	for (;;) {
		if (tok_isop(&t, O_PPOPEN)) {
			skip_branch(pp, 0);
			return;
		}
		for (i = 0; i < NELEM(decl) && !first; i++) {
			if (tok_is(&t, decl[i])) {
				struct tokvec *v = arena_alloc(sizeof *v);

				tv_push(v, &t);
				push_toks(pp, v, NULL, NULL);
				return;
			}
		}
		first = 0;
		if (s->lexing)
			lex_next(&s->lx, &t);
		else if (s->pos < s->toks->n)
			t = s->toks->t[s->pos++];
		else
			return;
		if (t.kind == TK_EOF)
			return;
	}
}

/* @define name(a, b) %( body %): the @define token is already read. */
static void
define(struct pp *pp, struct token *at, int library)
{
	struct token t, name;
	struct macro *m, *old;
	struct node *def, *p, **pt;
	const char *params[64];
	const char *start = NULL;
	int depth = 0;

	if (pp->top->macro || (!pp->top->lexing && pp->top->up)) {
		diag_error(at->loc, "'@define' forbidden inside macro body");
		skip_define(pp, at);
		return;
	}
	next_raw(pp, &name);
	if (name.kind != TK_IDENT || lex_iskeyword(name.str)) {
		diag_error(name.loc, "expected identifier");
		skip_define(pp, &name);
		return;
	}
	if (!strcmp(name.str, "define")) {
		diag_error(name.loc, "attempt to redefine '@define'");
		skip_define(pp, &name);
		return;
	}
	m = arena_alloc(sizeof *m);
	m->name = name.str;
	m->loc = name.loc;
	def = node_new(N_MACRODEF, at->loc);
	def->str = name.str;
	pt = &def->args;
	next_raw(pp, &t);
	if (tok_isop(&t, O_LPAREN)) {
		for (;;) {
			next_raw(pp, &t);
			if (t.kind != TK_IDENT) {
				diag_error(t.loc, "expected identifier");
				skip_define(pp, &t);
				return;
			}
			/* stap takes "(a, a)"; the first one wins */
			if (m->nparams == (int)NELEM(params)) {
				diag_error(t.loc, "too many macro parameters");
				skip_define(pp, &t);
				return;
			}
			params[m->nparams++] = t.str;
			p = node_new(N_PARAM, t.loc);
			p->str = t.str;
			*pt = p;
			pt = &p->next;
			next_raw(pp, &t);
			if (tok_isop(&t, O_RPAREN))
				break;
			if (!tok_isop(&t, O_COMMA)) {
				diag_error(t.loc, "expected ',' or ')'");
				skip_define(pp, &t);
				return;
			}
		}
		next_raw(pp, &t);
		if (!tok_isop(&t, O_PPOPEN)) {
			diag_error(t.loc, "expected '%%('");
			skip_define(pp, &t);
			return;
		}
	} else if (!tok_isop(&t, O_PPOPEN)) {
		diag_error(t.loc, "expected '%%(' or '('");
		skip_define(pp, &t);
		return;
	}
	m->params = arena_alloc(sizeof *params * (m->nparams + 1));
	memcpy(m->params, params, sizeof *params * m->nparams);
	for (;;) {
		next_raw(pp, &t);
		if (!start)
			start = t.text;
		if (t.kind == TK_EOF) {
			diag_error(name.loc, "incomplete macro definition - "
			    "missing '%%)'");
			return;
		}
		if (tok_isop(&t, O_PPOPEN))
			depth++;
		if (tok_isop(&t, O_PPCLOSE) && depth-- == 0)
			break;
		tv_push(&m->body, &t);
	}
	def->l = node_new(N_STR, m->body.n ? m->body.t[0].loc : t.loc);
	def->l->str = m->body.n ? arena_strndup(start, t.text - start) : "";
	old = macro_find(pp, m->name);
	if (old && old->loc.file == m->loc.file) {
		diag_error(name.loc, "attempt to redefine macro '@%s' in the "
		    "same file", m->name);
		diag_note(old->loc, "macro '@%s' first defined here", m->name);
		return;
	}
	if (old && library) {
		diag_error(name.loc, "duplicate definition of library macro "
		    "'@%s'", m->name);
		diag_note(old->loc, "macro '@%s' first defined here", m->name);
		return;
	}
	m->next = pp->macros;
	pp->macros = m;
	if (!library) {
		*pp->deftail = def;
		pp->deftail = &def->next;
	}
}

/*
 * The arguments of a macro use: runs of tokens split at commas outside
 * () and [] (stap does not count {}).  A macro without parameters takes
 * none and leaves a following '(' alone.
 */
static int
macro_args(struct pp *pp, struct macro *m, struct token *at,
    struct tokvec **argsp)
{
	struct tokvec *args;
	struct token t;
	int n = 0, depth = 0;

	*argsp = args = arena_alloc(sizeof *args * (m->nparams + 1));
	if (m->nparams == 0)
		return 0;
	next_raw(pp, &t);
	if (!tok_isop(&t, O_LPAREN)) {
		diag_error(t.loc, "expected '(' in invocation of macro '@%s' "
		    "taking %d parameter%s", m->name, m->nparams,
		    m->nparams == 1 ? "" : "s");
		return -1;
	}
	for (;;) {
		next_raw(pp, &t);
		if (t.kind == TK_EOF) {
			diag_error(at->loc, "could not find end of macro "
			    "invocation");
			return -1;
		}
		if (t.kind == TK_OP && (t.op == O_LPAREN || t.op == O_LBRACK))
			depth++;
		if (t.kind == TK_OP && (t.op == O_RPAREN || t.op == O_RBRACK) &&
		    depth-- == 0)
			break;
		if (depth == 0 && tok_isop(&t, O_COMMA)) {
			if (++n >= m->nparams) {
				diag_error(t.loc, "too many parameters for "
				    "macro '@%s' (expected %d)", m->name,
				    m->nparams);
				return -1;
			}
			continue;
		}
		tv_push(&args[n], &t);
	}
	if (n + 1 < m->nparams) {
		diag_error(t.loc, "too few parameters for macro '@%s' "
		    "(expected %d)", m->name, m->nparams);
		return -1;
	}
	return 0;
}

static void
expand(struct pp *pp, struct macro *m, struct token *at)
{
	struct tokvec *args;

	if (macro_args(pp, m, at, &args) < 0 || pp->expanded >= MAXEXPANDED)
		return;
	push_toks(pp, &m->body, m, args);
}

/* ---- script arguments ---- */

static int
script_arg(struct pp *pp, struct token *t)
{
	struct facts *f = pp->facts;
	const char *p = t->str + 1;
	char *e;
	long n;

	if (!strcmp(p, "#")) {
		char buf[32];

		snprintf(buf, sizeof buf, "%d", f->nargs);
		t->kind = t->kind == TK_TARGET ? TK_NUM : TK_STR;
		t->num = f->nargs;
		t->str = arena_strndup(buf, strlen(buf));
		return 0;
	}
	if (!isdigit((unsigned char)*p))
		return 0;
	n = strtol(p, &e, 10);
	if (*e)
		return 0;
	if (n < 1 || n > f->nargs) {
		diag_error(t->loc, "command line argument '%s' out of range "
		    "[1-%d]", t->str, f->nargs);
		t->kind = t->kind == TK_TARGET ? TK_NUM : TK_STR;
		t->num = 0;
		t->str = t->kind == TK_NUM ? "0" : "";
		return 0;
	}
	if (t->kind == TK_AT) {
		t->kind = TK_STR;
		t->str = f->args[n - 1];
		return 0;
	}
	/* $N: the argument's text is lexed as if it stood in the script */
	{
		struct tokvec *v = arena_alloc(sizeof *v);
		struct lexer lx;
		struct token a;
		char name[32];
		int file;
		const char *s = f->args[n - 1];

		snprintf(name, sizeof name, "<argument %ld>", n);
		file = src_add(name, arena_strndup(s, strlen(s)), strlen(s));
		lex_init(&lx, file, NULL);
		for (lex_next(&lx, &a); a.kind != TK_EOF; lex_next(&lx, &a)) {
			a.loc = t->loc;
			tv_push(v, &a);
		}
		push_toks(pp, v, NULL, NULL);
		return 1;
	}
}

/* ---- the token stream the parser sees ---- */

void
pp_next(struct pp *pp, struct token *t)
{
	struct source *s;
	struct macro *m;

	for (;;) {
		next_raw(pp, t);
		s = pp->top;
		if (t->kind == TK_OP && t->op == O_PPOPEN) {
			struct token open = *t;

			conditional(pp, &open);
			continue;
		}
		if (t->kind == TK_OP && (t->op == O_PPELSE ||
		    t->op == O_PPCLOSE)) {
			if (s->nconds == 0) {
				diag_error(t->loc, "incomplete conditional - "
				    "missing '%%('");
				continue;
			}
			if (t->op == O_PPELSE) {
				if (s->inelse[s->nconds - 1])
					diag_error(t->loc,
					    "invalid conditional - "
					    "duplicate '%%:'");
				if (skip_branch(pp, 0) == O_NONE)
					diag_error(s->cond[s->nconds - 1],
					    "incomplete conditional at end of "
					    "file");
			}
			s->nconds--;
			continue;
		}
		if (t->kind == TK_OP && t->op == O_PPTHEN && !pp->incond) {
			diag_error(t->loc, "incomplete conditional - missing "
			    "'%%('");
			continue;
		}
		if (t->kind == TK_AT && !strcmp(t->str, "@define")) {
			define(pp, t, 0);
			continue;
		}
		if (t->kind == TK_AT && ((m = macro_find(pp, t->str + 1)) ||
		    (m = library_find(pp, t->str + 1)))) {
			expand(pp, m, t);
			continue;
		}
		if ((t->kind == TK_TARGET || t->kind == TK_AT) &&
		    script_arg(pp, t))
			continue;
		return;
	}
}

/*
 * Macro libraries: every *.stpm file of a directory holds only
 * @define's.  A file is read when a parse first uses a macro it
 * defines, found by name in an index of the directory made once a
 * run from the files' text (the names after "@define", without
 * lexing): the library is larger than most scripts, and stap-resolve
 * parses each tapset file a script uses with it.
 */
struct libfile {
	const char *path;
	const char **names;
	size_t nnames;
};

struct libdir {
	const char *dir;
	struct libfile *files;
	size_t nfiles;
	struct libdir *next;
};

/*
 * The directories' indexes live for the run, in malloc'd memory that
 * arena_freeall (a fuzz target's, between inputs) leaves; a parse's
 * lists are in the arena, with the parse
 */
static char *
estrndup(const char *s, size_t n)
{
	char *d = emalloc(n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* v, of n elements of size el, with room for one more */
static void *
grow(void *v, size_t n, size_t el)
{
	void *w = arena_alloc((n + 1) * el);

	if (n)
		memcpy(w, v, n * el);
	return w;
}

/* The names text @define's, into f */
static void
index_names(struct libfile *f, const char *text)
{
	const char *p = text, *q;
	size_t cap = 0;

	while ((p = strstr(p, "@define"))) {
		p += 7;
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		for (q = p; isalnum((unsigned char)*q) || *q == '_'; q++)
			;
		if (q == p)
			continue;
		f->names = vgrow(f->names, &cap, f->nnames + 1,
		    sizeof *f->names);
		f->names[f->nnames++] = estrndup(p, (size_t)(q - p));
		p = q;
	}
}

static struct libdir *
library_index(const char *dir)
{
	static struct libdir *cache;
	struct libdir *d;
	struct dirent **ents;
	size_t cap = 0;
	int i, n;

	for (d = cache; d; d = d->next)
		if (!strcmp(d->dir, dir))
			return d;
	d = emalloc(sizeof *d);
	memset(d, 0, sizeof *d);
	d->dir = estrndup(dir, strlen(dir));
	d->next = cache;
	cache = d;
	n = scandir(dir, &ents, NULL, alphasort);
	for (i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		size_t len = strlen(name);
		char path[4096], *text;
		struct stat st;
		struct libfile *f;
		FILE *fp;

		snprintf(path, sizeof path, "%s/%s", dir, name);
		if (name[0] == '.' || len < 5 ||
		    strcmp(name + len - 5, ".stpm") || stat(path, &st) < 0 ||
		    !S_ISREG(st.st_mode) || !(fp = fopen(path, "r")))
			goto next;
		text = emalloc((size_t)st.st_size + 1);
		text[fread(text, 1, (size_t)st.st_size, fp)] = '\0';
		fclose(fp);
		d->files = vgrow(d->files, &cap, d->nfiles + 1,
		    sizeof *d->files);
		f = &d->files[d->nfiles++];
		memset(f, 0, sizeof *f);
		f->path = estrndup(path, strlen(path));
		index_names(f, text);
		free(text);
next:
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
	return d;
}

/* Read library file f's macros into pp */
static void
library_load(struct pp *pp, struct libfile *f)
{
	struct source *save;
	struct token t;

	pp->loaded = grow(pp->loaded, pp->nloaded, sizeof *pp->loaded);
	pp->loaded[pp->nloaded++] = f;
	save = pp->top;
	pp->top = NULL;
	push_file(pp, src_read(f->path), NULL);
	for (next_raw(pp, &t); t.kind != TK_EOF; next_raw(pp, &t)) {
		if (t.kind == TK_AT && !strcmp(t.str, "@define")) {
			define(pp, &t, 1);
		} else {
			diag_error(t.loc, "a macro library may hold only "
			    "@define");
			break;
		}
	}
	pp->top = save;
	pp->depth--;
}

/* Macro name from the first library file that defines it, read now;
 * NULL if none does */
static struct macro *
library_find(struct pp *pp, const char *name)
{
	size_t i, j, k, l;

	for (i = 0; i < pp->nlibs; i++)
		for (j = 0; j < pp->libs[i]->nfiles; j++) {
			struct libfile *f = &pp->libs[i]->files[j];

			for (k = 0; k < f->nnames; k++)
				if (!strcmp(f->names[k], name))
					break;
			if (k == f->nnames)
				continue;
			for (l = 0; l < pp->nloaded; l++)
				if (pp->loaded[l] == f)
					break;
			if (l < pp->nloaded)
				continue;       /* read: it did not */
			library_load(pp, f);
			return macro_find(pp, name);
		}
	return NULL;
}

void
pp_library(struct pp *pp, const char *dir)
{
	pp->libs = grow(pp->libs, pp->nlibs, sizeof *pp->libs);
	pp->libs[pp->nlibs++] = library_index(dir);
}

/* The kernel's .config, gzipped (/proc/config.gz) or not; NULL if none. */
static char *
read_config(const char *path)
{
	char cmd[4200], *buf = NULL;
	size_t len = 0, cap = 0, k;
	size_t n = path ? strlen(path) : 0;
	int gz = n > 3 && !strcmp(path + n - 3, ".gz");
	FILE *fp;

	if (!path || strchr(path, '\''))
		return NULL;
	if (gz) {
		snprintf(cmd, sizeof cmd, "gzip -dc '%s' 2>/dev/null", path);
		fp = popen(cmd, "r");
	} else {
		fp = fopen(path, "r");
	}
	if (!fp)
		return NULL;
	do {
		buf = vgrow(buf, &cap, len + 4097, 1);
		k = fread(buf + len, 1, 4096, fp);
		len += k;
	} while (k > 0);
	buf[len] = '\0';
	if (gz)
		pclose(fp);
	else
		fclose(fp);
	return buf;
}
