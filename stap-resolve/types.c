/*
 * Type inference.  Every variable, array key, array value and function
 * return is long, string or stats; literals, operators, intrinsics and
 * declarations say which, and assignments, comparisons and calls carry
 * what is known to what is not, round after round until nothing
 * changes.  A last round reports conflicts (with both places) and what
 * stayed unknown, then types every expression node for the back end.
 */
#include <string.h>

#include "../lib/hist.h"
#include "resolve.h"

struct tctx {
	struct resolver *r;
	struct func *fn;
	struct probe *pr;
	int changed;
	int report;             /* the last round: errors and counts */
};

static enum type expr(struct tctx *t, struct node *n, enum type want);
static void stmt(struct tctx *t, struct node *n);

static const char *
tname(enum type ty)
{
	return ty == T_LONG ? "long" : ty == T_STRING ? "string" :
	    ty == T_STATS ? "statistics" : ty == T_VOID ? "void" : "unknown";
}

static struct sym *
symof(struct tctx *t, struct node *id)
{
	if (id->kind != N_IDENT)
		return NULL;
	if (id->flags & F_GLOBAL)
		return id->num < (int64_t)t->r->ngsyms ? t->r->gsyms[id->num] :
		    NULL;
	if (id->flags & F_PARAM)
		return t->fn && id->num < t->fn->nparams ?
		    t->fn->params[id->num] : NULL;
	if (id->flags & F_LOCAL) {
		if (t->fn)
			return (size_t)id->num < t->fn->nlocals ?
			    t->fn->locals[id->num] : NULL;
		return t->pr && (size_t)id->num < t->pr->nlocals ?
		    t->pr->locals[id->num] : NULL;
	}
	return NULL;
}

/* Learn that *have is ty at loc; in the last round, report a conflict. */
static void
learn(struct tctx *t, enum type *have, struct loc *haveloc, enum type ty,
    struct loc loc, const char *what)
{
	if (ty == T_UNKNOWN || ty == T_VOID)
		return;
	if (*have == T_UNKNOWN) {
		*have = ty;
		*haveloc = loc;
		t->changed = 1;
		return;
	}
	if (*have != ty && t->report) {
		diag_error(loc, "type mismatch for %s: %s here", what,
		    tname(ty));
		diag_note(*haveloc, "but %s here", tname(*have));
	}
}

static void
learn_sym(struct tctx *t, struct sym *s, enum type ty, struct loc loc)
{
	char what[300];

	snprintf(what, sizeof what, "'%.256s'", s->name);
	learn(t, &s->type, &s->typeloc, ty, loc, what);
}

/* An array's arity: fixed by its first indexed use. */
static int
arity(struct tctx *t, struct sym *s, struct node *at, int n)
{
	if (s->nkeys <= 0) {
		if (s->nkeys < 0 && s->reads + s->writes && t->report) {
			diag_error(at->loc,
			    "'%s' is a scalar, used as an array",
			    s->name);
			return -1;
		}
		if (n > MAXKEYS) {
			if (t->report)
				diag_error(at->loc, "too many indexes (%d, at "
				    "most %d)", n, MAXKEYS);
			return -1;
		}
		s->nkeys = n;
		t->changed = 1;
	}
	if (s->nkeys != n) {
		if (t->report)
			diag_error(at->loc, "array '%s' used with %d index%s "
			    "here, %d elsewhere", s->name, n, n == 1 ? "" :
			    "es", s->nkeys);
		return -1;
	}
	return 0;
}

static void
keys(struct tctx *t, struct sym *s, struct node *ix, struct node *args)
{
	struct node *a;
	int i = 0, n = 0;

	for (a = args; a; a = a->next)
		n++;
	if (arity(t, s, ix, n) < 0)
		return;
	for (a = args; a; a = a->next, i++) {
		enum type ty;
		char what[300];
		struct loc kl = s->loc;

		if (a->kind == N_ANY)
			continue;
		ty = expr(t, a, s->keys[i]);
		snprintf(what, sizeof what, "index %d of '%.256s'", i + 1,
		    s->name);
		learn(t, &s->keys[i], &kl, ty, a->loc, what);
	}
}

/* The type of an lvalue (ident or array element), learning from want. */
static enum type
lvalue(struct tctx *t, struct node *n, enum type want, int write)
{
	struct sym *s;

	if (n->kind == N_INDEX) {
		s = symof(t, n->l);
		if (!s)
			return T_UNKNOWN;
		keys(t, s, n, n->args);
		if (t->report)
			write ? s->writes++ : s->reads++;
		learn_sym(t, s, want, n->loc);
		return n->type = s->type;
	}
	if (n->kind == N_IDENT) {
		s = symof(t, n);
		if (!s)
			return T_UNKNOWN;
		if (s->nkeys > 0 && t->report) {
			diag_error(n->loc, "'%s' is an array, used as a scalar",
			    s->name);
			return T_UNKNOWN;
		}
		if (t->report)
			write ? s->writes++ : s->reads++;
		learn_sym(t, s, want, n->loc);
		return n->type = s->type;
	}
	if (t->report && (n->kind == N_TARGET || n->kind == N_CAST ||
	    n->kind == N_AUTOCAST)) {
		/* stap writes them in guru mode (-g); a BPF program may
		 * not store into kernel memory or the probed registers */
		const char *what = n->kind == N_TARGET ? n->str : "@cast";
		const char *arrow = "";
		struct node *a;

		for (a = n->args; a; a = a->next)
			if (a->kind == N_MEMBER && a->str) {
				what = a->str;
				arrow = "->";
			}
		diag_error(n->loc, "'%s%s' cannot be written: BPF cannot "
		    "change the probed code's variables or kernel memory "
		    "(stap allows it with -g; stap-bpf cannot)", arrow, what);
	} else if (t->report)
		diag_error(n->loc, "this expression cannot be assigned to");
	return T_UNKNOWN;
}

static void
want_type(struct tctx *t, struct node *n, enum type have, enum type want)
{
	if (t->report && have != T_UNKNOWN && want != T_UNKNOWN &&
	    have != want)
		diag_error(n->loc, "expected a %s, got a %s", tname(want),
		    tname(have));
}

static enum type
operand(struct tctx *t, struct node *n, enum type want)
{
	enum type ty = expr(t, n, want);

	want_type(t, n, ty, want);
	return ty;
}

/* printf's conversions against its arguments */
/* A width or precision: digits, or '*' taking the next argument, a long */
static const char *
width(struct tctx *t, const char *p, struct node **a)
{
	if (*p == '*') {
		if (*a) {
			operand(t, *a, T_LONG);
			*a = (*a)->next;
		}
		return p + 1;
	}
	while (*p >= '0' && *p <= '9')
		p++;
	return p;
}

static void
check_format(struct tctx *t, struct node *fmt, struct node *args)
{
	const char *p = fmt->str;
	struct node *a = args;

	for (; *p; p++) {
		enum type want = T_LONG;

		if (*p != '%')
			continue;
		if (*++p == '%')
			continue;
		while (strchr("-+ #0", *p) && *p)
			p++;
		p = width(t, p, &a);
		if (*p == '.')
			p = width(t, p + 1, &a);
		while (*p == 'l' || *p == 'h' || *p == 'L' || *p == 'j' ||
		    *p == 'z')
			p++;
		if (!*p || !strchr("diuxXobcpsmM", *p)) {
			if (t->report)
				diag_error(fmt->loc,
				    "invalid conversion '%%%c' "
				    "in format string", *p ? *p : ' ');
			return;
		}
		if (*p == 's' || *p == 'm' || *p == 'M')
			want = T_STRING;
		if (!a) {
			if (t->report)
				diag_error(fmt->loc, "format string wants more "
				    "arguments than the %s given", "ones");
			return;
		}
		operand(t, a, want);
		a = a->next;
		if (!*p)
			break;
	}
	if (a && t->report)
		diag_error(a->loc, "too many arguments for the format string");
}

static enum type
call(struct tctx *t, struct node *n)
{
	struct node *a;
	int i;

	if (n->flags & F_BUILTIN) {
		const struct intrinsic *b;
		int nargs = 0;

		if (print_family(n->str)) {
			int s = n->str[0] == 's';

			if (strstr(n->str, "printf")) {
				expr(t, n->args, T_STRING);
				check_format(t, n->args, n->args->next);
			} else
				for (a = n->args; a; a = a->next) {
					enum type ty = expr(t, a, T_UNKNOWN);

					if (ty == T_STATS && t->report)
						diag_error(a->loc,
						    "cannot print "
						    "statistics directly; use "
						    "@count, @sum...");
				}
			return s ? T_STRING : T_VOID;
		}
		for (a = n->args; a; a = a->next)
			nargs++;
		b = intrinsic_find(n->str, nargs);
		if (!b)
			return T_UNKNOWN;
		for (a = n->args, i = 0; a; a = a->next, i++)
			operand(t, a, b->args[i]);
		return b->ret;
	}
	{
		struct func *f = sym_func(t->r, n->str);
		char what[300];

		if (!f)
			return T_UNKNOWN;

		for (a = n->args, i = 0; a && i < f->nparams;
		    a = a->next, i++) {
			struct sym *p = f->params[i];
			enum type ty = expr(t, a, p->type);

			snprintf(what, sizeof what, "parameter '%.200s' of "
			    "'%.50s'", p->name, f->name);
			learn(t, &p->type, &p->typeloc, ty, a->loc, what);
		}
		return f->ret == T_UNKNOWN ? T_UNKNOWN : f->ret;
	}
}

static enum type
stat_operand(struct tctx *t, struct node *n)
{
	struct sym *s = symof(t, n->kind == N_INDEX ? n->l : n);

	if (!s) {
		if (t->report)
			diag_error(n->loc, "expected a statistics variable");
		return T_UNKNOWN;
	}
	lvalue(t, n, T_STATS, 0);
	if (s->type != T_STATS && s->type != T_UNKNOWN && t->report)
		diag_error(n->loc, "'%s' is a %s, not statistics", s->name,
		    tname(s->type));
	return T_STATS;
}

/*
 * A statistic has one histogram, as in stap: every @hist_log or
 * @hist_linear of it must be the same.
 */
static void
hist_decl(struct tctx *t, struct node *n)
{
	struct sym *s = symof(t, n->l->kind == N_INDEX ? n->l->l : n->l);
	struct node *a, *b;

	if (!strcmp(n->str, "@hist_linear") &&
	    stap_hist_nbuckets(HIST_LINEAR, n->args->num, n->args->next->num,
	    n->args->next->next->num) < 0) {
		diag_error(n->loc, "histogram: wants an interval above 0 and "
		    "(stop - start) / interval from 0 to 125, as stap's "
		    "runtime");
		return;
	}
	if (!s)
		return;
	if (!s->hist) {
		s->hist = n;
		return;
	}
	for (a = s->hist->args, b = n->args; a && b; a = a->next,
	    b = b->next)
		if (a->num != b->num)
			break;
	if (strcmp(s->hist->str, n->str) || a || b) {
		diag_error(n->loc, "multiple histogram types declared on "
		    "'%s'", s->name);
		diag_note(s->hist->loc, "the first is here");
	}
}

static int
isarith(enum op op)
{
	switch (op) {
	case O_PLUS: case O_MINUS: case O_MUL: case O_DIV: case O_MOD:
	case O_SHL: case O_SHR: case O_USHR: case O_AND: case O_OR:
	case O_XOR: case O_LAND: case O_LOR:
		return 1;
	default:
		return 0;
	}
}

static enum type
assign(struct tctx *t, struct node *n)
{
	enum type lt, rt;

	if (n->op == O_STATEQ) {
		stat_operand(t, n->l);
		if (t->report) {
			struct sym *s = symof(t, n->l->kind == N_INDEX ?
			    n->l->l : n->l);

			/* x <<< v writes x: it does not read it */
			if (s) {
				s->reads--;
				s->writes++;
			}
		}
		operand(t, n->r, T_LONG);
		return T_STATS;
	}
	if (n->op == O_ASSIGN) {
		int report = t->report;

		t->report = 0;  /* the second look reports and counts */
		lt = lvalue(t, n->l, T_UNKNOWN, 1);
		t->report = report;
		rt = expr(t, n->r, lt);
		if (rt == T_STATS || rt == T_VOID) {
			if (t->report)
				diag_error(n->r->loc, "a %s value cannot be "
				    "assigned", tname(rt));
			return T_UNKNOWN;
		}
		return lvalue(t, n->l, rt, 1);
	}
	lt = op_compound(n->op) == O_CAT ? T_STRING : T_LONG;
	lvalue(t, n->l, lt, 1);
	operand(t, n->r, lt);
	return lt;
}

static enum type
expr_(struct tctx *t, struct node *n, enum type want)
{
	enum type a, b;
	struct sym *s;

	switch (n->kind) {
	case N_NUM:
		return T_LONG;
	case N_STR:
		return T_STRING;
	case N_IDENT:
	case N_INDEX:
		if (n->l && n->l->kind == N_STAT) {
			/* @hist_log(s)[i]: a bucket's count */
			expr(t, n->l, T_UNKNOWN);
			operand(t, n->args, T_LONG);
			return T_LONG;
		}
		return lvalue(t, n, want, 0);
	case N_TARGET:
		return n->type;
	case N_CAST:
	case N_AUTOCAST: {
		struct node *c;

		operand(t, n->l, T_LONG);
		for (c = n->args; c; c = c->next)
			if (c->kind == N_SUBSCRIPT)
				operand(t, c->l, T_LONG);
		return n->type;
	}
	case N_ASSIGN:
		return assign(t, n);
	case N_PREINC:
	case N_POSTINC:
		/* ++x reads x as well as writing it */
		lvalue(t, n->l, T_LONG, 1);
		if (t->report) {
			struct sym *s_ = symof(t, n->l->kind == N_INDEX ?
			    n->l->l : n->l);

			if (s_)
				s_->reads++;
		}
		return T_LONG;
	case N_UNARY:
		operand(t, n->l, T_LONG);
		return T_LONG;
	case N_BINARY:
		if (n->op == O_CAT) {
			operand(t, n->l, T_STRING);
			operand(t, n->r, T_STRING);
			return T_STRING;
		}
		if (n->op == O_MATCH || n->op == O_NMATCH) {
			operand(t, n->l, T_STRING);
			return T_LONG;
		}
		if (isarith(n->op)) {
			operand(t, n->l, T_LONG);
			operand(t, n->r, T_LONG);
			return T_LONG;
		}
		/* comparisons: both sides alike */
		a = expr(t, n->l, T_UNKNOWN);
		b = expr(t, n->r, a);
		if (a == T_UNKNOWN && b != T_UNKNOWN)
			a = expr(t, n->l, b);
		if (a == T_STATS || b == T_STATS) {
			if (t->report)
				diag_error(n->loc, "statistics cannot be "
				    "compared");
		} else if (a != b && a != T_UNKNOWN && b != T_UNKNOWN &&
		    t->report) {
			diag_error(n->loc, "comparison of a %s with a %s",
			    tname(a), tname(b));
		}
		return T_LONG;
	case N_TERNARY:
		operand(t, n->cond, T_LONG);
		a = expr(t, n->then, want);
		b = expr(t, n->els, a != T_UNKNOWN ? a : want);
		if (a == T_UNKNOWN)
			a = expr(t, n->then, b);
		if (a != b && a != T_UNKNOWN && b != T_UNKNOWN && t->report)
			diag_error(n->loc, "the branches of '?:' differ: %s "
			    "and %s", tname(a), tname(b));
		return a != T_UNKNOWN ? a : b;
	case N_IN:
		s = symof(t, n->l);
		if (s) {
			keys(t, s, n, n->args);
			if (t->report)
				s->reads++;
		}
		return T_LONG;
	case N_CALL:
		return call(t, n);
	case N_STAT:
		stat_operand(t, n->l);
		if (!strncmp(n->str, "@hist", 5)) {
			if (t->report)
				hist_decl(t, n);
			return T_VOID;  /* only printable */
		}
		return T_LONG;
	default:
		return T_UNKNOWN;
	}
}

static enum type
expr(struct tctx *t, struct node *n, enum type want)
{
	enum type ty = expr_(t, n, want);

	if (t->report && ty != T_UNKNOWN && n->kind != N_IDENT &&
	    n->kind != N_INDEX)
		n->type = ty;
	return ty;
}

static void
foreach(struct tctx *t, struct node *n)
{
	struct node *arr = n->l->kind == N_INDEX ? n->l->l : n->l;
	struct sym *s = symof(t, arr);
	struct node *k;
	int i = 0, nk = 0;

	for (k = n->keys; k; k = k->next)
		nk++;
	if (n->l->kind == N_STAT) {
		/* a histogram's buckets: numbers and counts */
		expr(t, n->l, T_UNKNOWN);
		for (k = n->keys; k; k = k->next)
			lvalue(t, k, T_LONG, 1);
		if (n->value)
			lvalue(t, n->value, T_LONG, 1);
	} else if (s) {
		if (arity(t, s, n, nk) == 0) {
			for (k = n->keys; k; k = k->next, i++) {
				struct sym *ks = symof(t, k);
				char what[300];
				struct loc kl = s->loc;

				lvalue(t, k, s->keys[i], 1);
				if (ks) {
					snprintf(what, sizeof what, "index %d "
					    "of '%.256s'", i + 1, s->name);
					learn(t, &s->keys[i], &kl, ks->type,
					    k->loc, what);
				}
			}
		}
		if (n->l->kind == N_INDEX)
			keys(t, s, n->l, n->l->args);
		if (t->report)
			s->reads++;
		if (n->value) {
			if (s->type == T_STATS && t->report)
				diag_error(n->value->loc, "a statistics "
				    "array has no value to iterate over");
			else
				lvalue(t, n->value, s->type, 1);
		}
		if (n->str && s->type != T_STATS && t->report)
			diag_error(n->loc, "sorting on %s needs a statistics "
			    "array", n->str);
	}
	if (n->limit)
		operand(t, n->limit, T_LONG);
	stmt(t, n->body);
}

static void
stmt(struct tctx *t, struct node *n)
{
	struct node *c;

	for (; n; n = n->next) {
		switch (n->kind) {
		case N_BLOCK:
			stmt(t, n->body);
			break;
		case N_EXPR:
			expr(t, n->l, T_UNKNOWN);
			break;
		case N_IF:
			operand(t, n->cond, T_LONG);
			stmt(t, n->then);
			stmt(t, n->els);
			break;
		case N_WHILE:
			operand(t, n->cond, T_LONG);
			stmt(t, n->body);
			break;
		case N_FOR:
			if (n->init)
				expr(t, n->init, T_UNKNOWN);
			if (n->cond)
				operand(t, n->cond, T_LONG);
			if (n->step)
				expr(t, n->step, T_UNKNOWN);
			stmt(t, n->body);
			break;
		case N_FOREACH:
			foreach(t, n);
			break;
		case N_TRY:
			stmt(t, n->body);
			if (n->l)
				lvalue(t, n->l, T_STRING, 1);
			stmt(t, n->els);
			break;
		case N_RETURN:
			if (t->fn && n->l) {
				char what[300];

				snprintf(what, sizeof what, "the value of "
				    "'%.256s'", t->fn->name);
				learn(t, &t->fn->ret, &t->fn->retloc,
				    expr(t, n->l, t->fn->ret), n->l->loc, what);
			}
			break;
		case N_DELETE:
			c = n->l;
			if (c->kind == N_INDEX || c->kind == N_IDENT) {
				struct sym *s = symof(t, c->kind == N_INDEX ?
				    c->l : c);

				if (c->kind == N_INDEX && s)
					keys(t, s, c, c->args);
				if (s && t->report)
					s->writes++;
			} else if (t->report) {
				diag_error(c->loc,
				    "delete wants a variable, an "
				    "array or an array element");
			}
			break;
		default:
			break;
		}
	}
}

static void
round_(struct resolver *r, int report)
{
	size_t i;
	struct tctx t = { r, NULL, NULL, 0, report };

	do {
		t.changed = 0;
		for (i = 0; i < r->nprobes; i++) {
			t.fn = NULL;
			t.pr = r->probes[i];
			if (t.pr->decl->points->cond)
				operand(&t, t.pr->decl->points->cond, T_LONG);
			stmt(&t, t.pr->decl->body);
		}
		for (i = 0; i < r->nfuncs; i++) {
			if (!r->funcs[i]->used)
				continue;
			t.fn = r->funcs[i];
			t.pr = NULL;
			stmt(&t, t.fn->decl->body);
		}
	} while (t.changed && !report);
}

static void
check_syms(struct sym **v, size_t n, const char *kind)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct sym *s = v[i];

		if (s->reads + s->writes == 0 && !(s->decl && s->decl->l)) {
			diag_warn(s->loc, "eliding unused variable '%s'",
			    s->name);
			if (s->type == T_UNKNOWN)
				s->type = T_LONG;
			continue;
		}
		if (s->type == T_UNKNOWN) {
			diag_error(s->loc, "unresolved type for %s '%s'", kind,
			    s->name);
			continue;
		}
		if (s->writes == 0 && !(s->decl && s->decl->l) &&
		    s->scope != F_PARAM)
			diag_warn(s->loc, "never-assigned %s variable '%s'",
			    kind, s->name);
	}
}

void
types_infer(struct resolver *r)
{
	size_t i;

	/* declared initialisers and types */
	for (i = 0; i < r->ngsyms; i++) {
		struct sym *s = r->gsyms[i];

		if (s->decl && s->decl->l)
			s->type = s->decl->l->kind == N_STR ? T_STRING : T_LONG;
	}
	round_(r, 0);
	/* what returns no value by now never will: calls of it are void */
	for (i = 0; i < r->nfuncs; i++)
		if (r->funcs[i]->ret == T_UNKNOWN)
			r->funcs[i]->ret = T_VOID;
	round_(r, 1);
	check_syms(r->gsyms, r->ngsyms, "global");
	for (i = 0; i < r->nprobes; i++)
		check_syms(r->probes[i]->locals, r->probes[i]->nlocals,
		    "local");
	for (i = 0; i < r->nfuncs; i++) {
		struct func *f = r->funcs[i];

		if (!f->used)
			continue;
		check_syms(f->locals, f->nlocals, "local");
		for (int k = 0; k < f->nparams; k++)
			if (f->params[k]->type == T_UNKNOWN)
				diag_error(f->params[k]->loc, "unresolved type "
				    "for parameter '%s' of '%s'",
				    f->params[k]->name, f->name);
	}
}
