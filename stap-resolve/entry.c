/*
 * @entry(expr) in a kernel or process function's .return probe (a
 * library's too): the value expr
 * had when the function was entered.  As stap does it, the expression
 * moves to an entry probe on the same functions that saves it, per
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
 * before anything is resolved, so the rest of stap-resolve sees what a
 * script could have said itself ($name in expr is the entry's).  The
 * function's address (bpf_get_func_ip at entry and at return) keeps
 * apart the functions of a wildcard that call each other; the global
 * wraps (%), so tasks that never return cannot fill it.  A function
 * that recurses reads its innermost call's value.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolve.h"

static int
is_return(struct node *pt)
{
	struct node *c0 = pt->args, *c1 = c0 ? c0->next : NULL;
	struct node *c2 = c1 ? c1->next : NULL;

	struct node *c3 = c2 ? c2->next : NULL;

	if (c0 && !strcmp(c0->str, "process")) {
		/* process(P).function(F).return,
		 * process(P).library(L).function(F).return */
		if (c1 && !strcmp(c1->str, "library") && c1->l)
			c1 = c2, c2 = c3;
		return c1 && c2 && !c2->next && !c2->l && c1->l &&
		    !strcmp(c1->str, "function") && !strcmp(c2->str, "return");
	}
	return c2 && !c2->next && !c2->l && (!strcmp(c0->str, "kernel") ||
	    !strcmp(c0->str, "kprobe")) && !strcmp(c1->str, "function") &&
	    c1->l && !strcmp(c2->str, "return");
}

struct entries {
	struct node **v;
	size_t n, cap;
};

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

/* tid(), __stp_func_addr() */
static struct node *
key(struct loc loc)
{
	struct node *t = node_new(N_CALL, loc);

	t->str = "tid";
	t->next = node_new(N_CALL, loc);
	t->next->str = "__stp_func_addr";
	return t;
}

static struct node *
element(const char *name, struct loc loc)
{
	struct node *ix = node_new(N_INDEX, loc);

	ix->l = node_new(N_IDENT, loc);
	ix->l->str = name;
	ix->args = key(loc);
	return ix;
}

/* The entry probe of d, on its points without .return */
static struct node *
entry_probe(struct node *d)
{
	struct node *ep = node_new(N_PROBE, d->loc), *pt, **tail = &ep->points;

	for (pt = d->points; pt; pt = pt->next) {
		struct node *cp = node_copy(pt), **c = &cp->args;

		/* the components but the last, .return */
		while ((*c)->next)
			c = &(*c)->next;
		*c = NULL;
		*tail = cp;
		tail = &cp->next;
	}
	ep->body = node_new(N_BLOCK, d->loc);
	return ep;
}

static void
rewrite(struct node *d, struct entries *e, struct node ***tail, int *count)
{
	struct node *ep = entry_probe(d), **stmts = &ep->body->body;
	size_t i;

	for (i = 0; i < e->n; i++) {
		struct node *at = e->v[i], *g, *v, *st, *as;
		char *name = arena_alloc(32);

		snprintf(name, 32, "__entry_%d", ++*count);
		g = node_new(N_GLOBAL, at->loc);
		v = g->args = node_new(N_VAR, at->loc);
		v->str = name;
		v->flags |= F_WRAP;
		**tail = g;
		*tail = &g->next;
		st = node_new(N_EXPR, at->loc);
		as = st->l = node_new(N_ASSIGN, at->loc);
		as->op = O_ASSIGN;
		as->l = element(name, at->loc);
		as->r = at->l;
		*stmts = st;
		stmts = &st->next;
		/* in place: what pointed at @entry now reads the global */
		v = element(name, at->loc);
		v->next = at->next;
		*at = *v;
	}
	**tail = ep;
	*tail = &ep->next;
}

void
entry_rewrite(struct resolver *r)
{
	struct node *d, *pt, **tail = &r->s->decls, *last = NULL;
	struct entries e = { 0 };
	int count = 0;

	while (*tail) {
		last = *tail;
		tail = &(*tail)->next;
	}
	for (d = r->s->decls; d; d = d->next) {
		if (d->kind != N_PROBE)
			continue;
		e.n = 0;
		collect(d->body, &e, 0);
		if (!e.n)
			goto next;
		for (pt = d->points; pt; pt = pt->next)
			if (!is_return(pt))
				break;
		if (pt) {
			size_t i;

			diag_error(e.v[0]->loc, "'@entry' is only available "
			    "in a kernel.function, kprobe.function or "
			    "process function .return probe");
			/* said once: the expression stands for itself */
			for (i = 0; i < e.n; i++) {
				struct node *nx = e.v[i]->next;

				*e.v[i] = *e.v[i]->l;
				e.v[i]->next = nx;
			}
			goto next;
		}
		rewrite(d, &e, &tail, &count);
next:
		/* what rewrite appended is not looked at again */
		if (d == last)
			break;
	}
	free(e.v);
}
