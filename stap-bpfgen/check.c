/*
 * What stap-bpfgen trusts in a resolved tree, checked before it lowers
 * anything: every identifier bound to a variable that exists, arrays
 * indexed with as many keys as they have, calls naming a function that
 * exists with the right number of arguments, types where code depends
 * on them.  stap-resolve writes only such trees; this is for trees
 * from anywhere else, which get an error instead of a crash.
 */
#include <string.h>

#include "gen.h"
#include "../lib/meta.h"

struct ctx {
	struct gen *g;
	int nlocals, nparams;
	int tracepoint;
};

static int
bad(struct node *n, const char *what)
{
	diag_error(n->loc, "malformed resolved tree: %s", what);
	return -1;
}

static int walk(struct ctx *c, struct node *n);

/* An intrinsic of lib/intrinsic.c with an arity it has */
static int
builtin_ok(struct node *n)
{
	int k = node_count(n->args);

	if (print_family(n->str))
		return (strstr(n->str, "printf") || strstr(n->str, "printd")) ?
		    k >= 1 : 1;
	return intrinsic_find(n->str, k) != NULL;
}

static int
var(struct ctx *c, struct node *id)
{
	if (id->kind != N_IDENT)
		return bad(id, "a variable is expected here");
	if (id->flags & F_GLOBAL)
		return id->num >= 0 && id->num < c->g->nglobals ? 0 :
		    bad(id, "global index out of range");
	if (id->flags & F_LOCAL)
		return id->num >= 0 && id->num < c->nlocals ? 0 :
		    bad(id, "local index out of range");
	if (id->flags & F_PARAM)
		return id->num >= 0 && id->num < c->nparams ? 0 :
		    bad(id, "parameter index out of range");
	return bad(id, "an identifier bound to nothing");
}

static int
array(struct ctx *c, struct node *id, struct node *args)
{
	struct node *v;

	if (id->kind != N_IDENT || !(id->flags & F_GLOBAL))
		return bad(id, "an array must be a global");
	if (var(c, id) < 0)
		return -1;
	v = c->g->gvar[id->num];
	if (c->g->gmap[id->num] < 0)
		return bad(id, "a scalar used as an array");
	if (args && node_count(args) != node_count(v->keys))
		return bad(id, "wrong number of array indexes");
	return 0;
}

static int
scalar_type(struct node *n)
{
	return n->type == T_LONG || n->type == T_STRING;
}

static int
walk(struct ctx *c, struct node *n)
{
	int i;

	for (; n; n = n->next) {
		switch (n->kind) {
		case N_IDENT:
			if (var(c, n) < 0)
				return -1;
			if (!(n->flags & F_GLOBAL) && !scalar_type(n))
				return bad(n, "a variable without a type");
			if ((n->flags & F_GLOBAL) &&
			    c->g->gmap[n->num] >= 0)
				break;  /* a whole array: delete, foreach */
			break;
		case N_INDEX:
			if (n->l->kind == N_STAT) {
				/* @hist_log(s)[i]; the N_STAT checks itself */
				if (strncmp(n->l->str, "@hist", 5) ||
				    node_count(n->args) != 1)
					return bad(n, "indexing what is not a "
					    "histogram");
				break;
			}
			/* FALLTHROUGH */
		case N_IN:
			if (array(c, n->l, n->args) < 0)
				return -1;
			if (walk(c, n->args) < 0)
				return -1;
			continue;
		case N_FOREACH: {
			struct node *k;

			for (k = n->keys; k; k = k->next)
				if (k->kind != N_IDENT || var(c, k) < 0)
					return bad(k, "a foreach key must be a "
					    "variable");
			if (n->value && (n->value->kind != N_IDENT ||
			    var(c, n->value) < 0))
				return bad(n->value, "a foreach value must be "
				    "a variable");
			if (n->l->kind == N_IDENT && array(c, n->l, NULL) < 0)
				return -1;
			if (n->l->kind == N_IDENT &&
			    node_count(n->keys) !=
			    node_count(c->g->gvar[n->l->num]->keys))
				return bad(n, "wrong number of foreach keys");
			break;
		}
		case N_CALL:
			if (!(n->flags & F_BUILTIN)) {
				struct node *f;

				if (n->num < 0 || n->num >= c->g->nfuncs)
					return bad(n, "call of a function that "
					    "is not there");
				f = c->g->funcs[n->num];
				if (node_count(f->args) != node_count(n->args))
					return bad(n, "wrong number of "
					    "arguments");
			} else if (!builtin_ok(n)) {
				return bad(n,
				    "an unknown intrinsic, or one with "
				    "the wrong number of arguments");
			} else if (!strcmp(n->str, "printf") ||
			    !strcmp(n->str, "sprintf") ||
			    !strncmp(n->str, "printd", 6) ||
			    !strncmp(n->str, "sprintd", 7)) {
				if (!n->args || n->args->kind != N_STR)
					return bad(n, "a format or delimiter "
					    "string is expected");
			}
			break;
		case N_TARGET:
			if (!c->tracepoint)
				return bad(n, "a context variable outside a "
				    "tracepoint or kernel function probe");
			if (n->num < 0 || n->num > 65535 || n->size < 0 ||
			    n->size > 65535)
				return bad(n,
				    "a context variable out of range");
			break;
		case N_STAT: {
			struct node *id = n->l && n->l->kind == N_INDEX ?
			    n->l->l : n->l;

			if (!n->str || !n->l || (n->l->kind != N_IDENT &&
			    n->l->kind != N_INDEX))
				return bad(n, "statistics of a non-variable");
			if (strncmp(n->str, "@hist", 5))
				break;
			/* the layout has room for the buckets of the
			 * histogram hist_scan found: this one must be it */
			if (hist_buckets(n) <= 0 || id->kind != N_IDENT ||
			    !(id->flags & F_GLOBAL) || var(c, id) < 0 ||
			    !c->g->hist[id->num] ||
			    strcmp(c->g->hist[id->num]->str, n->str) ||
			    hist_buckets(c->g->hist[id->num]) !=
			    hist_buckets(n))
				return bad(n, "a histogram unlike its "
				    "statistic's other ones");
			break;
		}
		case N_ASSIGN: case N_PREINC: case N_POSTINC:
			if (n->l->kind != N_IDENT && n->l->kind != N_INDEX)
				return bad(n, "assignment to a non-variable");
			break;
		case N_RETURN:
			if (c->nparams < 0)
				return bad(n, "return outside a function");
			break;
		case N_TRY:
			if (n->l && var(c, n->l) < 0)
				return -1;
			break;
		default:
			break;
		}
		for (i = 0; i < N_CHILDREN; i++)
			if (i != CH_locals && walk(c, *node_child(n, i)) < 0)
				return -1;
	}
	return 0;
}

static int
numarg(struct node *c, int positive)
{
	return c && c->l && c->l->kind == N_NUM && (!positive || c->l->num > 0);
}

/* One of the concrete points stap-resolve writes, with its arguments. */
static int
check_point(struct node *pt)
{
	struct node *c0 = pt->args, *c1 = c0->next, *c2 = c1 ? c1->next : NULL;
	const char *n0 = c0->str;

	if (pt->next)
		return bad(pt, "a probe with more than one concrete point");
	if (!strcmp(n0, "begin") || !strcmp(n0, "end") ||
	    !strcmp(n0, "error") || !strcmp(n0, "never") ||
	    !strcmp(n0, "oneshot")) {
		if (c1 || (c0->l && c0->l->kind != N_NUM))
			return bad(pt, "a malformed begin/end/error point");
		return 0;
	}
	if (!strcmp(n0, "timer")) {
		if (!c1 || timer_unit_ns(c1->str) < 0 || !numarg(c1, 1) ||
		    (c2 && (strcmp(c2->str, "randomize") || !numarg(c2, 0) ||
		    c2->next)))
			return bad(pt, "a malformed timer point");
		return 0;
	}
	if (!strcmp(n0, "perf")) {
		struct node *c3 = c2 ? c2->next : NULL;

		if (!c1 || strcmp(c1->str, "type") || !numarg(c1, 0) || !c2 ||
		    strcmp(c2->str, "config") || !numarg(c2, 0) ||
		    (c3 && ((strcmp(c3->str, "sample") &&
		    strcmp(c3->str, "hz")) || !numarg(c3, 1) || c3->next)))
			return bad(pt, "a malformed perf point");
		return 0;
	}
	if (!strcmp(n0, "kernel") && c1 && !strcmp(c1->str, "trace") &&
	    !c2 && c1->l && c1->l->kind == N_STR && strchr(c1->l->str, ':') &&
	    c1->l->str[0] != ':')
		return 0;
	/* a function name becomes a section name and a record's word;
	 * a statement is "FUNCTION+0xOFF" or an address, "0xADDR" */
	if ((!strcmp(n0, "kernel") || !strcmp(n0, "kprobe")) && c1 &&
	    !strcmp(c1->str, "statement") && c1->l &&
	    c1->l->kind == N_STR && c1->l->str[0] && (!c2 ||
	    (!strcmp(c2->str, "absolute") && !c2->l && !c2->next)) &&
	    strspn(c1->l->str, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.$+") == strlen(c1->l->str))
		return 0;
	if ((!strcmp(n0, "kernel") || !strcmp(n0, "kprobe") ||
	    !strcmp(n0, "module")) && c1 &&
	    !strcmp(c1->str, "function") && c1->l && c1->l->kind == N_STR &&
	    c1->l->str[0] && strspn(c1->l->str, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.$") == strlen(c1->l->str)) {
		if (c2 && (c2->l || c2->next || (strcmp(c2->str, "return") &&
		    strcmp(c2->str, "call"))))
			return bad(pt, "a malformed kernel function point");
		return 0;
	}
	if (!strcmp(n0, "procfs")) {
		struct meta_probe r;

		return procfs_point(pt, &r) < 0 ?
		    bad(pt, "a malformed procfs point") : 0;
	}
	/* stap-resolve made it a file and an offset */
	if (!strcmp(n0, "process") && pt->str && pt->str[0] == '/' &&
	    pt->num > 0)
		return 0;
	return bad(pt, "a probe point stap-bpfgen does not know");
}

/* 0 if the tree is fit to lower, else -1 after an error. */
int
check_tree(struct gen *g, struct script *s)
{
	struct node *d;

	for (d = s->decls; d; d = d->next) {
		struct ctx c = { g, node_count(d->locals), -1, 0 };

		if (d->kind == N_FUNC) {
			c.nparams = node_count(d->args);
			if (walk(&c, d->body) < 0)
				return -1;
		} else if (d->kind == N_PROBE) {
			struct node *c0 = d->points->args;

			if (check_point(d->points) < 0)
				return -1;
			c.tracepoint = c0->next && !strcmp(c0->str, "kernel") &&
			    !strcmp(c0->next->str, "trace") && c0->next->l &&
			    c0->next->l->kind == N_STR &&
			    strchr(c0->next->l->str, ':');
			/* a kernel function's: registers of its pt_regs */
			if (c0->next && (!strcmp(c0->str, "kernel") ||
			    !strcmp(c0->str, "kprobe") ||
			    !strcmp(c0->str, "module")) &&
			    (!strcmp(c0->next->str, "function") ||
			    !strcmp(c0->next->str, "statement")))
				c.tracepoint = 1;
			if (walk(&c, d->points->cond) < 0 ||
			    walk(&c, d->body) < 0)
				return -1;
		} else if (d->kind == N_GLOBAL) {
			struct node *v;

			for (v = d->args; v; v = v->next)
				if (v->keys && (v->num <= 0 ||
				    v->num > (1 << 24)))
					return bad(v,
					    "array size out of range");
		}
	}
	return 0;
}
