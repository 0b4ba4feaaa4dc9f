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

#include "stap.h"

enum { MAXDEPTH = 200 };

struct tokvec {
	struct token *t;
	size_t n, cap;
};

struct macro {
	const char *name;
	struct loc loc;
	int nparams;
	int parens;             /* defined with (), so used with () */
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
	char *config;           /* the kernel .config, read on first use */
	int configread;
};

static void push_file(struct pp *pp, int file, struct comment **comments);

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

static void
tv_push(struct tokvec *v, const struct token *t)
{
	v->t = vgrow(v->t, &v->cap, v->n + 1, sizeof *v->t);
	v->t[v->n++] = *t;
}

static void
push(struct pp *pp, struct source *s)
{
	if (pp->depth >= MAXDEPTH) {
		struct loc loc = s->toks && s->toks->n ? s->toks->t[0].loc :
		    (struct loc){ 0 };

		diag_error(loc, "macro expansion nested too deeply "
		    "(a recursive macro?)");
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
		} else {
			t->kind = TK_EOF;
		}
		if (t->kind == TK_EOF) {
			if (s->nconds > 0) {
				diag_error(s->cond[s->nconds - 1],
				    "missing '%%)' for this conditional");
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

enum vkind { V_NUM, V_STR, V_VERSION, V_GLOB };

struct value {
	enum vkind kind;        /* V_VERSION, V_GLOB: facts compared so */
	const char *s;
	int64_t n;
	int isconfig;
};

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
		pp->config = NULL;
		if (f->configfile) {
			FILE *fp;
			char cmd[4200];
			size_t len = 0, cap = 0, k;
			const char *gz = strstr(f->configfile, ".gz");

			if (gz && gz[3] == '\0') {
				snprintf(cmd, sizeof cmd, "gzip -dc '%s' 2>/dev/null",
				    f->configfile);
				fp = popen(cmd, "r");
			} else {
				fp = fopen(f->configfile, "r");
			}
			if (fp) {
				do {
					pp->config = vgrow(pp->config, &cap,
					    len + 4097, 1);
					k = fread(pp->config + len, 1, 4096, fp);
					len += k;
				} while (k > 0);
				pp->config[len] = '\0';
				if (gz && gz[3] == '\0')
					pclose(fp);
				else
					fclose(fp);
			}
		}
	}
	for (p = pp->config; p && (p = strstr(p, name)); p += n) {
		if ((p == pp->config || p[-1] == '\n') && p[n] == '=') {
			const char *e = strchr(p + n + 1, '\n');
			const char *v = p + n + 1;
			size_t vl = e ? (size_t)(e - v) : strlen(v);

			if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"')
				return arena_strndup(v + 1, vl - 2);
			return arena_strndup(v, vl);
		}
	}
	return "";
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
				return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
			a++, b++;
		}
	}
	return (*a != 0) - (*b != 0);
}

static void cond_error(struct token *t, const char *what);

/* An operand of a condition: a fact, a number or a string. */
static int
operand(struct pp *pp, struct token *t, struct value *v)
{
	struct facts *f = pp->facts;
	static char kv[256];

	memset(v, 0, sizeof *v);
	if (t->kind == TK_NUM) {
		v->kind = V_NUM;
		v->n = t->num;
	} else if (t->kind == TK_STR) {
		v->kind = V_STR;
		v->s = t->str;
	} else if (tok_is(t, "kernel_v") || tok_is(t, "kernel_vr")) {
		v->kind = V_VERSION;
		v->s = f->release;
		if (tok_is(t, "kernel_v")) {
			size_t n = strcspn(f->release, "-");

			snprintf(kv, sizeof kv, "%.*s", (int)n, f->release);
			v->s = kv;
		}
	} else if (tok_is(t, "systemtap_v")) {
		v->kind = V_VERSION;
		v->s = f->stap_version;
	} else if (tok_is(t, "arch")) {
		v->kind = V_GLOB;
		v->s = f->arch;
	} else if (tok_is(t, "runtime")) {
		v->kind = V_GLOB;
		v->s = f->runtime;
	} else if (tok_is(t, "systemtap_privilege")) {
		v->kind = V_GLOB;
		v->s = f->privilege;
	} else if (tok_is(t, "guru_mode")) {
		v->kind = V_NUM;
		v->n = f->guru;
	} else if (t->kind == TK_IDENT && !strncmp(t->str, "CONFIG_", 7)) {
		v->kind = V_GLOB;
		v->s = config_lookup(pp, t->str);
		v->isconfig = 1;
	} else {
		cond_error(t, "a condition operand");
		return -1;
	}
	return 0;
}

static void
cond_error(struct token *t, const char *what)
{
	char buf[64];

	diag_error(t->loc, "expected %s in preprocessor conditional, "
	    "found %s", what, tok_describe(t, buf, sizeof buf));
}

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
	default: return 0;
	}
}

/* One comparison: operand op operand.  -1 on error. */
static int
cond_cmp(struct pp *pp, struct token *t)
{
	struct value a, b;
	struct token opt, rt;
	enum op op;
	int c;

	if (operand(pp, t, &a) < 0)
		return -1;
	pp_next(pp, &opt);
	op = opt.kind == TK_OP ? opt.op : O_NONE;
	if (op != O_EQ && op != O_NE && op != O_LT && op != O_LE &&
	    op != O_GT && op != O_GE) {
		cond_error(&opt, "a comparison operator");
		*t = opt;
		return -1;
	}
	pp_next(pp, &rt);
	if (operand(pp, &rt, &b) < 0) {
		*t = rt;
		return -1;
	}
	if (a.kind == V_VERSION && b.kind == V_STR) {
		c = vercmp(a.s, b.s);
	} else if (a.kind == V_GLOB && b.kind == V_STR) {
		if (op == O_EQ || op == O_NE)
			c = fnmatch(b.s, a.s, 0) != 0;
		else
			c = strcmp(a.s, b.s);
	} else if (a.isconfig && b.kind == V_NUM) {
		char *e;
		long long n = strtoll(a.s, &e, 0);

		if (*a.s == '\0' || *e != '\0')
			return 0;       /* unset or not a number: false */
		c = (n > b.n) - (n < b.n);
	} else if (a.kind == V_NUM && b.kind == V_NUM) {
		c = (a.n > b.n) - (a.n < b.n);
	} else if ((a.kind == V_STR || a.kind == V_GLOB) && b.kind == V_STR) {
		c = strcmp(a.s, b.s);
	} else {
		diag_error(rt.loc, "mismatched operand types in preprocessor "
		    "conditional");
		*t = rt;
		return -1;
	}
	pp_next(pp, t);
	return compare(op, c);
}

/* cond := cmp ('&&' cmp)* ('||' ...)*; leaves the token after it in *t. */
static int
cond_expr(struct pp *pp, struct token *t)
{
	int result = 0, conj = 1, r;

	for (;;) {
		r = cond_cmp(pp, t);
		if (r < 0)
			return -1;
		conj = conj && r;
		if (tok_isop(t, O_LAND)) {
			pp_next(pp, t);
			continue;
		}
		result = result || conj;
		if (!tok_isop(t, O_LOR))
			return result;
		conj = 1;
		pp_next(pp, t);
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
	pp_next(pp, &t);
	r = cond_expr(pp, &t);
	pp->incond--;
	if (r >= 0 && !tok_isop(&t, O_PPTHEN)) {
		cond_error(&t, "'%?'");
		r = -1;
	}
	if (r < 0) {
		/* resynchronise at the end of this conditional */
		if (!tok_isop(&t, O_PPCLOSE))
			skip_branch(pp, 0);
		return;
	}
	if (s != pp->top)
		bug("conditional crossed a source boundary");
	if (r) {
		if (s->nconds == (int)NELEM(s->cond)) {
			diag_error(open->loc, "conditionals nested too deeply");
			skip_branch(pp, 0);
			return;
		}
		s->cond[s->nconds] = open->loc;
		s->inelse[s->nconds++] = 0;
		return;
	}
	end = skip_branch(pp, 1);
	if (end == O_PPELSE) {
		s->cond[s->nconds] = open->loc;
		s->inelse[s->nconds++] = 1;
	} else if (end == O_NONE) {
		diag_error(open->loc, "missing '%%)' for this conditional");
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

	next_raw(pp, &name);
	if (name.kind != TK_IDENT) {
		cond_error(&name, "a macro name");
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
		m->parens = 1;
		next_raw(pp, &t);
		while (t.kind == TK_IDENT && m->nparams < (int)NELEM(params)) {
			params[m->nparams++] = t.str;
			p = node_new(N_PARAM, t.loc);
			p->str = t.str;
			*pt = p;
			pt = &p->next;
			next_raw(pp, &t);
			if (!tok_isop(&t, O_COMMA))
				break;
			next_raw(pp, &t);
		}
		if (!tok_isop(&t, O_RPAREN)) {
			diag_error(t.loc, "expected ')' or a parameter name "
			    "in macro definition");
			return;
		}
		next_raw(pp, &t);
	}
	if (!tok_isop(&t, O_PPOPEN)) {
		diag_error(t.loc, "expected '%%(' to open the body of macro "
		    "'@%s'", m->name);
		return;
	}
	m->params = arena_alloc(sizeof *params * (m->nparams + 1));
	memcpy(m->params, params, sizeof *params * m->nparams);
	for (;;) {
		next_raw(pp, &t);
		if (!start)
			start = t.text;
		if (t.kind == TK_EOF) {
			diag_error(at->loc, "missing '%%)' at the end of macro "
			    "'@%s'", m->name);
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
		diag_error(name.loc, "macro '@%s' is already defined",
		    m->name);
		diag_note(old->loc, "first defined here");
		return;
	}
	m->next = pp->macros;
	pp->macros = m;
	if (!library) {
		*pp->deftail = def;
		pp->deftail = &def->next;
	}
}

/* Read the arguments of a macro use: balanced token runs between commas. */
static int
macro_args(struct pp *pp, struct macro *m, struct token *at,
    struct tokvec **argsp)
{
	struct tokvec *args;
	struct token t;
	int n = 0, depth = 0;

	*argsp = args = arena_alloc(sizeof *args * (m->nparams + 1));
	if (!m->parens)
		return 0;
	next_raw(pp, &t);
	if (!tok_isop(&t, O_LPAREN)) {
		diag_error(t.loc, "expected '(' after macro '@%s'", m->name);
		return -1;
	}
	for (;;) {
		next_raw(pp, &t);
		if (t.kind == TK_EOF) {
			diag_error(at->loc, "unterminated arguments of macro "
			    "'@%s'", m->name);
			return -1;
		}
		if (t.kind == TK_OP && (t.op == O_LPAREN || t.op == O_LBRACK ||
		    t.op == O_LBRACE))
			depth++;
		if (t.kind == TK_OP && (t.op == O_RPAREN || t.op == O_RBRACK ||
		    t.op == O_RBRACE) && depth-- == 0)
			break;
		if (depth == 0 && tok_isop(&t, O_COMMA)) {
			n++;
			continue;
		}
		if (n < m->nparams)
			tv_push(&args[n], &t);
	}
	n = n == 0 && args[0].n == 0 ? 0 : n + 1;
	if (n != m->nparams) {
		diag_error(at->loc, "macro '@%s' takes %d argument%s, not %d",
		    m->name, m->nparams, m->nparams == 1 ? "" : "s", n);
		return -1;
	}
	return 0;
}

static void
expand(struct pp *pp, struct macro *m, struct token *at)
{
	struct tokvec *args;

	if (macro_args(pp, m, at, &args) < 0)
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
		if (t->kind == TK_TARGET) {
			t->kind = TK_NUM;
			t->num = f->nargs;
		} else {
			char buf[32];

			snprintf(buf, sizeof buf, "%d", f->nargs);
			t->kind = TK_STR;
			t->str = arena_strndup(buf, strlen(buf));
		}
		return 0;
	}
	if (!isdigit((unsigned char)*p))
		return 0;
	n = strtol(p, &e, 10);
	if (*e)
		return 0;
	if (n < 1 || n > f->nargs) {
		if (f->nargs)
			diag_error(t->loc, "command line argument index %ld "
			    "out of range [1-%d]", n, f->nargs);
		else
			diag_error(t->loc, "command line argument index %ld "
			    "out of range: no arguments given", n);
		t->kind = t->kind == TK_TARGET ? TK_NUM : TK_STR;
		t->num = 0;
		t->str = "";
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
				diag_error(t->loc, "'%s' without a matching "
				    "'%%('", op_spelling[t->op]);
				continue;
			}
			if (t->op == O_PPELSE) {
				if (s->inelse[s->nconds - 1])
					diag_error(t->loc, "a second '%%:' in "
					    "one conditional");
				else if (skip_branch(pp, 0) == O_NONE)
					diag_error(s->cond[s->nconds - 1],
					    "missing '%%)' for this "
					    "conditional");
			}
			s->nconds--;
			continue;
		}
		if (t->kind == TK_OP && t->op == O_PPTHEN && !pp->incond) {
			diag_error(t->loc, "'%%?' outside a conditional");
			continue;
		}
		if (t->kind == TK_AT && !strcmp(t->str, "@define")) {
			define(pp, t, 0);
			continue;
		}
		if (t->kind == TK_AT && (m = macro_find(pp, t->str + 1))) {
			expand(pp, m, t);
			continue;
		}
		if ((t->kind == TK_TARGET || t->kind == TK_AT) &&
		    script_arg(pp, t))
			continue;
		return;
	}
}

/* Macro libraries: every *.stpm under dir holds only @define's. */
void
pp_library(struct pp *pp, const char *dir)
{
	struct dirent **ents;
	struct source *save;
	int i, n = scandir(dir, &ents, NULL, alphasort);

	if (n < 0)
		return;
	for (i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		size_t len = strlen(name);
		char path[4096];
		struct stat st;
		struct token t;
		int file;

		if (name[0] == '.')
			goto next;
		snprintf(path, sizeof path, "%s/%s", dir, name);
		if (stat(path, &st) < 0)
			goto next;
		if (S_ISDIR(st.st_mode)) {
			pp_library(pp, path);
			goto next;
		}
		if (len < 5 || strcmp(name + len - 5, ".stpm"))
			goto next;
		file = src_read(path);
		save = pp->top;
		pp->top = NULL;
		push_file(pp, file, NULL);
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
next:
		free(ents[i]);
	}
	free(ents);
}
