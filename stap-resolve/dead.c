/*
 * Dead locals.  An alias body sets every variable it documents (the
 * syscall tapset's argstr, flags_str, filename ...), and a probe reads
 * one or two: as stap does, an assignment to a local the probe never
 * reads is dropped when what it assigns has no side effects, before
 * names are bound, so the functions only it called are not pulled in
 * and no code is made for it.  Dropping one can leave others unread
 * (flags_str fed argstr): the pass repeats until nothing changes.
 * A dropped assignment in the script's own text is reported, as stap
 * warns "eliding assignment"; the tapset's go silently.
 *
 * Pure: literals, variables, context variables, typed reads (@cast
 * and member chains), @entry of what is pure, operators other than
 * assignments, increments, regular expression matches (which set
 * matched()) and divisions by what may be 0 (an error a try may
 * catch), the sprint family, the intrinsics that only read, and
 * functions whose bodies write no global, print nothing, call nothing
 * impure and do not end the probe.  A fault (user_string of a bad
 * address) is not a side effect, as in stap.
 */
#include <string.h>

#include "resolve.h"

enum { MAXDEPTH = 2 * TREE_MAXDEPTH };

struct dead {
	struct resolver *r;
	struct hash reads;      /* name -> reads in this probe */
	struct hash pure;       /* function -> 1 pure, 0 not, 2 deciding */
	int changed;
};

static int pure_expr(struct dead *d, struct node *n, int depth);

/* The intrinsics without side effects (exit and error end the run) */
static int
pure_intrinsic(const char *name)
{
	if (!strcmp(name, "exit") || !strcmp(name, "error"))
		return 0;
	if (print_family(name))
		return !strncmp(name, "sprint", 6);
	return intrinsic_known(name);
}

static int
pure_list(struct dead *d, struct node *n, int depth)
{
	for (; n; n = n->next)
		if (!pure_expr(d, n, depth))
			return 0;
	return 1;
}

/*
 * Whether a function's body is pure: its writes go to its parameters
 * and locals only.  In a function a name is a parameter, else a global
 * if one is declared, else a local.
 */
static int
pure_stmt(struct dead *d, struct node *fn, struct node *n, int depth)
{
	struct node *t, *p;
	int i;

	for (; n; n = n->next) {
		if (depth > MAXDEPTH)
			return 0;
		switch (n->kind) {
		case N_EMBED: case N_NEXT: case N_DELETE:
			return 0;
		case N_ASSIGN: case N_PREINC: case N_POSTINC:
			t = n->l;
			if (!t || t->kind != N_IDENT)
				return 0;       /* an array element: global */
			for (p = fn->args; p; p = p->next)
				if (!strcmp(p->str, t->str))
					break;
			if (!p && sym_is_global(d->r, t->str))
				return 0;
			break;
		case N_CALL:
			if (!pure_expr(d, n, depth))
				return 0;
			break;
		case N_BINARY:
			if (n->op == O_MATCH || n->op == O_NMATCH ||
			    n->op == O_DIV || n->op == O_MOD)
				return 0;
			break;
		default:
			break;
		}
		for (i = 0; i < N_CHILDREN; i++)
			if (i != CH_locals && n->kind != N_CALL &&
			    !pure_stmt(d, fn, *node_child(n, i), depth + 1))
				return 0;
	}
	return 1;
}

static int
pure_call(struct dead *d, struct node *n, int depth)
{
	struct node *fn;
	long k;
	int ok;

	if (!pure_list(d, n->args, depth + 1))
		return 0;
	fn = sym_func_decl(d->r, n->str);
	if (!fn)
		return pure_intrinsic(n->str);
	if ((k = hash_get(&d->pure, n->str)) >= 0)
		return k == 1;  /* 2: recursion, not known pure */
	hash_set(&d->pure, n->str, 2);
	ok = fn->body && pure_stmt(d, fn, fn->body, depth + 1);
	hash_set(&d->pure, n->str, ok);
	return ok;
}

static int
pure_expr(struct dead *d, struct node *n, int depth)
{
	struct node *c;

	if (depth > MAXDEPTH)
		return 0;
	switch (n->kind) {
	case N_NUM: case N_STR: case N_IDENT: case N_TARGET:
		return 1;
	case N_UNARY: case N_ENTRY:
		return pure_expr(d, n->l, depth + 1);
	case N_BINARY:
		if (n->op == O_MATCH || n->op == O_NMATCH)
			return 0;
		/* division by zero is an error the script may catch */
		if ((n->op == O_DIV || n->op == O_MOD) &&
		    (n->r->kind != N_NUM || n->r->num == 0))
			return 0;
		return pure_expr(d, n->l, depth + 1) &&
		    pure_expr(d, n->r, depth + 1);
	case N_TERNARY:
		return pure_expr(d, n->cond, depth + 1) &&
		    pure_expr(d, n->then, depth + 1) &&
		    pure_expr(d, n->els, depth + 1);
	case N_CALL:
		return pure_call(d, n, depth);
	case N_CAST: case N_AUTOCAST:
		/* typed reads (@cast(p, "file")->f_inode, f->f_path):
		 * a fault is not a side effect */
		if (!pure_expr(d, n->l, depth + 1))
			return 0;
		for (c = n->args; c; c = c->next)
			if (c->kind == N_SUBSCRIPT &&
			    !pure_expr(d, c->l, depth + 1))
				return 0;
		return 1;
	default:
		return 0;       /* arrays (globals), @defined ... */
	}
}

/* A local assignment statement "x = e" whose x nobody reads */
static int
dead_assign(struct dead *d, struct node *s)
{
	struct node *a = s->l;

	if (s->kind != N_EXPR || !a || a->kind != N_ASSIGN ||
	    a->op != O_ASSIGN || !a->l || a->l->kind != N_IDENT)
		return 0;
	if (hash_get(&d->reads, a->l->str) > 0 ||
	    sym_is_global(d->r, a->l->str))
		return 0;
	return pure_expr(d, a->r, 0);
}

/* Every identifier but the target of a plain assignment is a read */
static void
count_reads(struct dead *d, struct node *n, int depth)
{
	int i;
	long k;

	for (; n && depth < MAXDEPTH; n = n->next) {
		if (n->kind == N_IDENT) {
			k = hash_get(&d->reads, n->str);
			hash_set(&d->reads, n->str, k > 0 ? k + 1 : 1);
		}
		for (i = 0; i < N_CHILDREN; i++) {
			struct node *c = *node_child(n, i);

			if (i == CH_locals)
				continue;
			if (i == CH_l && n->kind == N_ASSIGN &&
			    n->op == O_ASSIGN && c && c->kind == N_IDENT)
				continue;
			count_reads(d, c, depth + 1);
		}
	}
}

/*
 * Drop the dead assignments of the statement list at *list: from a
 * block's list, or in place of a lone statement (an if's branch) a
 * null statement
 */
static void
drop(struct dead *d, struct node **list, int inblock, int depth)
{
	struct node **pn, *s;
	int i;

	if (depth > MAXDEPTH)
		return;
	for (pn = list; (s = *pn);) {
		if (dead_assign(d, s)) {
			if (s->loc.file == d->r->s->decls->loc.file)
				diag_warn(s->l->loc, "eliding assignment to "
				    "'%s'", s->l->l->str);
			d->changed = 1;
			if (inblock) {
				*pn = s->next;
				continue;
			}
			*pn = node_new(N_NULLSTMT, s->loc);
			(*pn)->next = s->next;
			s = *pn;
		}
		for (i = 0; i < N_CHILDREN; i++)
			if (i != CH_locals)
				drop(d, node_child(s, i), s->kind == N_BLOCK &&
				    i == CH_body, depth + 1);
		pn = &s->next;
	}
}

void
dead_locals(struct resolver *r, struct probe *p)
{
	struct dead d = { r, { 0 }, { 0 }, 0 };
	struct node *body = p->decl->body;
	int rounds = 0;

	do {
		memset(&d.reads, 0, sizeof d.reads);
		d.changed = 0;
		count_reads(&d, body, 0);
		count_reads(&d, p->decl->points->cond, 0);
		drop(&d, &p->decl->body, 0, 0);
	} while (d.changed && ++rounds < 100);
}
