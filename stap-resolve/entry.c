/*
 * @entry(expr) in a kernel or process function's .return probe (a
 * library's too), or a syscall's: the value expr
 * had when the function was entered.  As stap does it, the expression
 * moves to an entry probe on the same function that saves it, per
 * task and function, in a global of its own, where the return reads
 * it:
 *
 *     global __entry_1%
 *     probe kernel.function("f") {
 *             __entry_1[tid(), __stp_func_addr()] = expr
 *     }
 *     probe kernel.function("f").return { ... __entry_1[tid(),
 *             __stp_func_addr()] ... }
 *
 * This runs on the concrete probes, once aliases and wildcards are
 * expanded and the alias locals no one reads are dropped (dead.c), and
 * before names are bound: an @entry may come from an alias body
 * (vfs.read.return's file = @entry($file)) and only the expansion
 * tells whether its probe is a function's return; an @entry nobody
 * reads costs no entry probe.  The rest of stap-resolve then sees what
 * a script could have said itself ($name in expr is the entry's).
 *
 * The function's address (bpf_get_func_ip at entry and at return)
 * keeps apart the functions of a wildcard that call each other, so the
 * copies of one @entry (a wildcard's functions, an alias used twice)
 * share a global; the global wraps (%), so tasks that never return
 * cannot fill it.  A function that recurses reads its innermost call's
 * value.  @defined(@entry(x)) asks whether x resolves at the entry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolve.h"

/* One @entry of the source: its location, expression and global */
struct saved {
	struct loc loc;
	struct node *expr;
	const char *name;
};

struct entries {
	struct resolver *r;
	struct node **v;        /* the @entry nodes of one probe */
	size_t n, cap;
	struct saved *sv;       /* the globals made so far */
	size_t nsv, capsv;
	struct probe **eps;     /* the entry probes made so far */
	size_t neps, capeps;
	struct loc *bad;        /* @entry already reported */
	size_t nbad, capbad;
	int count;
};

/* A syscall's exit tracepoint (syscall.NAME.return), whose entry is
 * the matching sys_enter one; per task, as a task is in one syscall
 * at a time */
static int
is_sysexit(struct probe *p)
{
	return p->tp && !p->tp->kfunc && ((!strcmp(p->tp->group,
	    "syscalls") && !strncmp(p->tp->name, "sys_exit_", 9)) ||
	    (!strcmp(p->tp->group, "raw_syscalls") &&
	    !strcmp(p->tp->name, "sys_exit")));
}

static int
is_return(struct probe *p)
{
	return (p->tp && (p->tp->kfunc > 1 || is_sysexit(p))) ||
	    uprobe_is_return(p);
}

static int
sameloc(struct loc a, struct loc b)
{
	return a.file == b.file && a.line == b.line && a.col == b.col;
}

static int
has_entry(struct node *n, int depth)
{
	int i;

	for (; n && depth < TREE_MAXDEPTH; n = n->next) {
		if (n->kind == N_ENTRY)
			return 1;
		for (i = 0; i < N_CHILDREN; i++)
			if (has_entry(*node_child(n, i), depth + 1))
				return 1;
	}
	return 0;
}

static void
collect(struct node *n, struct entries *e, int depth)
{
	int i;

	for (; n && depth < TREE_MAXDEPTH; n = n->next) {
		if (n->kind == N_ENTRY) {
			e->v = vgrow(e->v, &e->cap, e->n + 1, sizeof *e->v);
			e->v[e->n++] = n;
			continue;
		}
		for (i = 0; i < N_CHILDREN; i++)
			collect(*node_child(n, i), e, depth + 1);
	}
}

/* tid(), __stp_func_addr(); a syscall's tid() */
static struct node *
key(struct loc loc, int sys)
{
	struct node *t = node_new(N_CALL, loc);

	t->str = "tid";
	if (sys)
		return t;
	t->next = node_new(N_CALL, loc);
	t->next->str = "__stp_func_addr";
	return t;
}

static struct node *
element(const char *name, struct loc loc, int sys)
{
	struct node *ix = node_new(N_INDEX, loc);

	ix->l = node_new(N_IDENT, loc);
	ix->l->str = name;
	ix->args = key(loc, sys);
	return ix;
}

/* The probe on the entry of return probe p's function (one a
 * function, however many of its returns read @entry), or NULL */
static struct probe *
entry_probe(struct entries *e, struct probe *p)
{
	struct node *pt = node_copy(p->decl->points), *c, *body;
	struct resolver *r = e->r;
	size_t n0 = r->nprobes, i;
	const char *text;

	if (is_sysexit(p)) {
		/* kernel.trace("syscalls:sys_exit_NAME") */
		const char *tpn = pt->args->next->l->str;
		const char *x = strstr(tpn, "sys_exit");
		size_t k = (size_t)(x - tpn);
		char *en = arena_alloc(strlen(tpn) + 2);

		memcpy(en, tpn, k);
		sprintf(en + k, "sys_enter%s", x + 8);
		pt->args->next->l->str = en;
	} else {
		for (c = pt->args; c->next && c->next->next; c = c->next)
			;
		c->next = NULL;         /* the .return */
	}
	pt->cond = NULL;
	text = point_text(pt);
	for (i = 0; i < e->neps; i++)
		if (!strcmp(point_text(e->eps[i]->decl->points), text))
			return e->eps[i];
	body = node_new(N_BLOCK, p->decl->loc);
	if ((is_sysexit(p) ? points_trace(r, p->decl, pt, body) :
	    p->up ? uprobe_expand(r, p->decl, pt, body) :
	    kfunc_expand(r, p->decl, pt, body)) != 1 ||
	    r->nprobes != n0 + 1)
		return NULL;
	r->probes[n0]->entry = 1;
	e->eps = vgrow(e->eps, &e->capeps, e->neps + 1, sizeof *e->eps);
	e->eps[e->neps++] = r->probes[n0];
	return r->probes[n0];
}

/* x with its @entry(y) read as y */
static struct node *
unwrap(struct node *x, int depth)
{
	struct node *n, **tail, *nx;
	int i;

	if (depth > TREE_MAXDEPTH)
		return x;
	if (x->kind == N_ENTRY) {
		nx = x->next;
		x = x->l;
		x->next = nx;
	}
	for (i = 0; i < N_CHILDREN; i++)
		for (tail = node_child(x, i); (n = *tail);
		    tail = &(*tail)->next)
			*tail = unwrap(n, depth + 1);
	return x;
}

/* @defined(x), x with an @entry in it: whether x resolves at the
 * entry of p's function */
static int
defined_at_entry(struct entries *e, struct probe *p, struct probe **ep,
    struct node *x)
{
	if (!is_return(p))
		return 0;
	if (!*ep)
		*ep = entry_probe(e, p);
	return *ep && sym_defined(e->r, *ep, unwrap(node_copy(x), 0));
}

/*
 * Decide @defined(... @entry ...) now, in the entry's scope, and as
 * bind does for other @defined, keep only the branch of an if or ?:
 * that it picks: the other may name what is not there
 * (@defined(@entry($sk)) ? @entry($sk) : @entry($sock->sk)).
 */
static void
fold(struct entries *e, struct probe *p, struct probe **ep, struct node *n,
    int depth)
{
	struct node *pick, *nx;
	int i, ok;

	for (; n && depth < TREE_MAXDEPTH; n = n->next) {
		while ((n->kind == N_TERNARY || n->kind == N_IF) && n->cond &&
		    n->cond->kind == N_DEFINED && has_entry(n->cond->l, 0)) {
			ok = defined_at_entry(e, p, ep, n->cond->l);
			pick = ok ? n->then : n->els;
			if (!pick)
				pick = node_new(N_BLOCK, n->loc);
			nx = n->next;
			*n = *pick;
			n->next = nx;
		}
		if (n->kind == N_DEFINED && has_entry(n->l, 0)) {
			n->num = defined_at_entry(e, p, ep, n->l);
			n->kind = N_NUM;
			n->l = NULL;
			continue;
		}
		for (i = 0; i < N_CHILDREN; i++)
			fold(e, p, ep, *node_child(n, i), depth + 1);
	}
}

/* The global that keeps @entry node at's value, made on first use */
static const char *
global_for(struct entries *e, struct node *at)
{
	struct node *g, *v;
	struct saved *s;
	size_t i;
	char *name;

	for (i = 0; i < e->nsv; i++)
		if (sameloc(e->sv[i].loc, at->loc) &&
		    node_same(e->sv[i].expr, at->l))
			return e->sv[i].name;
	name = arena_alloc(32);
	snprintf(name, 32, "__entry_%d", ++e->count);
	g = node_new(N_GLOBAL, at->loc);
	v = g->args = node_new(N_VAR, at->loc);
	v->str = name;
	v->flags |= F_WRAP;
	sym_add_global(e->r, g);
	e->sv = vgrow(e->sv, &e->capsv, e->nsv + 1, sizeof *e->sv);
	s = &e->sv[e->nsv++];
	s->loc = at->loc;
	s->expr = node_copy(at->l);
	s->name = name;
	return name;
}

/* Whether entry probe ep saves global name already */
static int
saves(struct probe *ep, const char *name)
{
	struct node *st;

	for (st = ep->decl->body->body; st; st = st->next)
		if (!strcmp(st->l->l->l->str, name))
			return 1;
	return 0;
}

static void
rewrite(struct entries *e, struct probe *p, struct probe *ep)
{
	struct node **stmts = &ep->decl->body->body, *at, *st, *as, *v;
	const char *name;
	size_t i;

	for (i = 0; i < e->n; i++) {
		at = e->v[i];
		name = global_for(e, at);
		/* one save an entry, however often its probes read it */
		if (!saves(ep, name)) {
			while (*stmts)
				stmts = &(*stmts)->next;
			st = node_new(N_EXPR, at->loc);
			as = st->l = node_new(N_ASSIGN, at->loc);
			as->op = O_ASSIGN;
			as->l = element(name, at->loc, is_sysexit(p));
			as->r = node_copy(at->l);
			*stmts = st;
		}
		/* in place: what pointed at @entry now reads the global */
		v = element(name, at->loc, is_sysexit(p));
		v->next = at->next;
		*at = *v;
	}
}

static void
refuse(struct entries *e)
{
	size_t i, j;

	for (i = 0; i < e->n; i++) {
		struct node *at = e->v[i], *nx = at->next;

		for (j = 0; j < e->nbad; j++)
			if (sameloc(e->bad[j], at->loc))
				break;
		if (j == e->nbad) {
			diag_error(at->loc, "'@entry' is only available in "
			    "a kernel or process function's or a syscall's "
			    ".return probe");
			e->bad = vgrow(e->bad, &e->capbad, e->nbad + 1,
			    sizeof *e->bad);
			e->bad[e->nbad++] = at->loc;
		}
		/* said once: the expression stands for itself */
		*at = *at->l;
		at->next = nx;
	}
}

void
entry_rewrite(struct resolver *r)
{
	struct entries e = { 0 };
	struct probe *p, *ep;
	size_t i, n = r->nprobes, n0;

	e.r = r;
	for (i = 0; i < n; i++) {
		p = r->probes[i];
		if (!has_entry(p->decl->body, 0))
			continue;
		ep = NULL;
		n0 = r->nprobes;
		fold(&e, p, &ep, p->decl->body, 0);
		e.n = 0;
		collect(p->decl->body, &e, 0);
		if (e.n && !is_return(p))
			refuse(&e);
		else if (e.n && (ep || (ep = entry_probe(&e, p))))
			rewrite(&e, p, ep);
		else if (e.n)
			bug("no entry probe for a function's return");
		/* asked only for @defined: no probe to attach */
		if (ep && !ep->decl->body->body && r->nprobes == n0 + 1) {
			free(ep->locals);
			r->nprobes--;
			e.neps--;
		}
	}
	free(e.eps);
	free(e.v);
	free(e.sv);
	free(e.bad);
}
