/*
 * stap-bpfgen, procfs probes: userspace programs, like begin and end,
 * that stap-bpfld runs when their file is read or written (see
 * stap-resolve/procfs.c for the points, stap-bpfld/procfs.c for the
 * files).  Their record names the file, the direction, the umask and
 * the maxsize; $value is three helpers only stap-bpfld's interpreter
 * has.
 */
#include <string.h>

#include "gen.h"
#include "../lib/meta.h"

/*
 * procfs[("NAME")][.umask(N)].read[.maxsize(N)] or .write, as
 * stap-resolve writes it, into r (file, write, umask, maxsize; umask
 * stap's defaults, 044 read and 022 write); -1 if malformed
 */
int
procfs_point(struct node *pt, struct meta_probe *r)
{
	struct node *c = pt->args->next;
	const char *name = "command";
	int64_t umask = -1;

	if (strcmp(pt->args->str, "procfs"))
		return -1;
	if (pt->args->l) {
		if (pt->args->l->kind != N_STR || !pt->args->l->str[0] ||
		    strpbrk(pt->args->l->str, "/ \t\n"))
			return -1;
		name = pt->args->l->str;
	}
	if (c && !strcmp(c->str, "umask")) {
		if (!c->l || c->l->kind != N_NUM || c->l->num < 0)
			return -1;
		umask = c->l->num & 0777;
		c = c->next;
	}
	if (!c || c->l || (strcmp(c->str, "read") && strcmp(c->str, "write")))
		return -1;
	r->write = c->str[0] == 'w';
	r->file = (char *)name;
	r->umask = (uint64_t)(umask >= 0 ? umask : r->write ? 022 : 044);
	r->maxsize = 0;
	c = c->next;
	if (c && !r->write && !strcmp(c->str, "maxsize")) {
		if (!c->l || c->l->kind != N_NUM || c->l->num <= 0)
			return -1;
		r->maxsize = (uint64_t)c->l->num;
		c = c->next;
	}
	return c ? -1 : 0;
}

/* __procfs_value_set(s), _append(s), _get(): -2 if n is none of them */
int
procfs_call(struct gen *g, struct node *n)
{
	struct prog *p = g->p;
	const char *f = n->str;
	int s;

	if (strncmp(f, "__procfs_value_", 15))
		return -2;
	if (g->probe->section) {
		diag_error(n->loc, "'$value' is only available in a procfs "
		    "probe");
		return -1;
	}
	if (!strcmp(f + 15, "get")) {
		s = gen_tmp(g, g->maxstr);
		asm_escape(p, s, g->maxstr);
		asm_mov(p, BPF_REG_1, BPF_REG_9);
		asm_alui(p, BPF_ADD, BPF_REG_1, s);
		asm_movi(p, BPF_REG_2, g->maxstr);
		asm_call(p, UHELPER_PROCFS_GET);
		return s;
	}
	s = expr(g, n->args);
	asm_escape(p, s, g->maxstr);
	asm_mov(p, BPF_REG_1, BPF_REG_9);
	asm_alui(p, BPF_ADD, BPF_REG_1, s);
	asm_movi(p, BPF_REG_2, g->maxstr);
	asm_call(p, !strcmp(f + 15, "set") ? UHELPER_PROCFS_SET :
	    UHELPER_PROCFS_APPEND);
	return -1;
}
