/*
 * procfs("NAME").read and .write probes, as stap's bpf runtime has
 * them: stap-bpfld runs them in user space when a file of that name in
 * its procfs directory is read or written (see stap-bpfld(1)).  The
 * points stap takes:
 *
 *     procfs[("NAME")][.umask(N)].read[.maxsize(N)]
 *     procfs[("NAME")][.umask(N)].write
 *
 * NAME defaults to "command".  The probe's only context variable is
 * $value, a string: a read probe sets it (= or .=) to what the reader
 * gets, a write probe reads what the writer wrote.  Here it becomes
 * calls of the intrinsics __procfs_value_set, _append and _get, which
 * stap-bpfgen makes helper calls of stap-bpfld's interpreter; stap's
 * own bpf runtime does the same with tapset functions.
 */
#include <string.h>

#include "resolve.h"

/* The file a procfs point names, and whether it writes; NULL if pt is
 * not one of the forms above (*why then says what is wrong, or is
 * NULL for a point that is simply no match) */
static const char *
procfs_point(struct node *pt, int *write, const char **why,
    struct node **at)
{
	struct node *c = pt->args->next;
	const char *name = pt->args->l ? pt->args->l->str : "command";

	*why = NULL;
	*at = pt;
	if (pt->args->l && pt->args->l->kind != N_STR)
		return NULL;
	if (c && !strcmp(c->str, "umask")) {
		if (!c->l || c->l->kind != N_NUM)
			return NULL;
		c = c->next;
	}
	if (!c || c->l || (strcmp(c->str, "read") && strcmp(c->str, "write")))
		return NULL;
	*write = c->str[0] == 'w';
	c = c->next;
	if (c && !*write && !strcmp(c->str, "maxsize")) {
		if (!c->l || c->l->kind != N_NUM)
			return NULL;
		if (c->l->num <= 0) {
			*why = "maxsize must be greater than 0";
			*at = c;
			return NULL;
		}
		c = c->next;
	}
	if (c)
		return NULL;
	/* one directory of FIFOs: no subdirectories (stapbpf has none) */
	if (!*name || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, "..") || strpbrk(name, " \t\n")) {
		*why = "procfs file name must be one non-empty path "
		    "component without blanks";
		*at = pt->args;
		return NULL;
	}
	return name;
}

int
procfs_expand(struct resolver *r, struct node *probe, struct node *pt,
    struct node *body)
{
	const char *name, *why, *other;
	struct node *at, *opt;
	int write, owrite;
	size_t i;

	if (!(name = procfs_point(pt, &write, &why, &at))) {
		if (!why)
			return 0;
		diag_error(at->loc, "%s", why);
		return -1;
	}
	for (i = 0; i < r->nprobes; i++) {
		opt = r->probes[i]->decl->points;
		if (strcmp(opt->args->str, "procfs") ||
		    !(other = procfs_point(opt, &owrite, &why, &at)) ||
		    strcmp(other, name) || (owrite && write))
			continue;
		if (owrite != write)
			diag_error(pt->loc, "both read and write procfs probes "
			    "cannot exist for the same procfs path \"%s\" in "
			    "the bpf runtime", name);
		else
			diag_error(pt->loc, "only one read procfs probe can "
			    "exist for procfs path \"%s\"", name);
		return -1;
	}
	points_add(r, probe, pt, body, NULL);
	return 1;
}

/* 0 no procfs probe, 1 a read probe, 2 a write probe */
static int
procfs_kind(struct probe *p)
{
	struct node *pt = p->decl->points, *at;
	const char *why;
	int write;

	if (!pt || strcmp(pt->args->str, "procfs") ||
	    !procfs_point(pt, &write, &why, &at))
		return 0;
	return write ? 2 : 1;
}

static void
to_call(struct node *n, const char *f, struct node *arg)
{
	n->kind = N_CALL;
	n->str = f;
	n->flags = F_BUILTIN;
	n->op = 0;
	n->l = n->r = NULL;
	n->args = arg;
	if (arg)
		arg->next = NULL;
}

/* Is the $value of target t usable as such (reported if not)? */
static int
plain_value(struct node *t)
{
	if (strcmp(t->str, "$value")) {
		diag_error(t->loc, "invalid target symbol for procfs probe, "
		    "$value expected");
		return 0;
	}
	if (t->flags & F_ADDR) {
		diag_error(t->loc, "cannot take address of procfs variable");
		return 0;
	}
	if (t->args) {
		diag_error(t->loc, "procfs variable '$value' is a string: it "
		    "has no members or elements");
		return 0;
	}
	return 1;
}

int
procfs_var(struct probe *p, struct node *n)
{
	int kind = procfs_kind(p);
	struct node *t = n->kind == N_ASSIGN ? n->l : n;

	if (!kind)
		return 0;
	if (!plain_value(t))
		return 1;
	if (n->kind != N_ASSIGN) {
		if (kind == 1)
			diag_error(n->loc, "procfs $value variable cannot be "
			    "read in a procfs read probe");
		else
			to_call(n, "__procfs_value_get", NULL);
		return 1;
	}
	if (kind == 2) {
		diag_error(t->loc, "procfs $value variable is read-only in a "
		    "procfs write probe");
		return 1;
	}
	if (n->op != O_ASSIGN && n->op != O_CATEQ) {
		diag_error(n->loc, "Only the following assign operators are "
		    "implemented on procfs read target variables: '=', '.='");
		return 1;
	}
	to_call(n, n->op == O_ASSIGN ? "__procfs_value_set" :
	    "__procfs_value_append", n->r);
	return 1;
}
