/*
 * stap-bpfgen, process probes: a uprobe (uretprobe) program for each
 * point stap-resolve made concrete (a file and an offset in it, in the
 * point's str and num, a semaphore's offset in its size), and the
 * intrinsics that read what a uprobe sees: the registers of its
 * pt_regs context (r6) and user memory.
 *
 * A wildcard ("*" on a real binary: thousands of functions) comes as
 * a probe each from one script probe.  Where two of them would run
 * the same code (the same body once resolved: no probefunc() or
 * argument that differs) one program serves both, attached at each
 * offset: loading and verifying a program a function would cost far
 * more than attaching.
 */
#include <string.h>

#include "gen.h"

static void
add_offset(struct prog *p, struct node *pt)
{
	p->uoffs = vgrow(p->uoffs, &p->capuoffs, p->nuoffs + 1,
	    sizeof *p->uoffs);
	p->urefs = vgrow(p->urefs, &p->caprefs, p->nuoffs + 1,
	    sizeof *p->urefs);
	p->uoffs[p->nuoffs] = (uint64_t)pt->num;
	p->urefs[p->nuoffs++] = (uint64_t)pt->size;
}

/*
 * Make p the program of process probe d, or join d to one of
 * progs[0..n) from the same script probe on the same file with the
 * same code: 1 if joined (p is not needed), else 0
 */
int
uprobe_prog(struct prog **progs, size_t n, struct node *d, struct prog *p)
{
	struct node *pt = d->points, *c;
	int ret = 0;
	size_t i;

	for (c = pt->args; c; c = c->next)
		if (!strcmp(c->str, "return") && !c->l)
			ret = 1;
	for (i = n; i-- > 0;) {
		struct prog *q = progs[i];
		struct node *qp;

		if (!q->upath)
			continue;
		qp = q->probe->points;
		/* a user stack is walked differently before a
		 * function's prologue (ustack.c) */
		if (q->kret != ret || strcmp(q->upath, pt->str) ||
		    ((qp->flags ^ pt->flags) & F_UENTRY) ||
		    memcmp(&qp->loc, &pt->loc, sizeof pt->loc) ||
		    memcmp(&q->probe->loc, &d->loc, sizeof d->loc))
			continue;
		if (!node_same(q->probe->body, d->body) ||
		    !node_same(qp->cond, pt->cond))
			break;
		add_offset(q, pt);
		return 1;
	}
	p->kind = "uprobe";
	p->section = ret ? "uretprobe" : "uprobe";
	p->kret = ret;
	p->upath = pt->str;
	add_offset(p, pt);
	return 0;
}

/* ---- intrinsics ---- */


static const struct {
	const char *name;
	int size, sgn;
} readers[] = {
	{ "user_char_error", 1, 1 },
	{ "user_short_error", 2, 1 },
	{ "user_ushort_error", 2, 0 },
	{ "user_int_error", 4, 1 },
	{ "user_long_error", 8, 1 },
	{ "user_ulong_error", 8, 0 },
	{ "user_int8_error", 1, 1 },
	{ "user_uint8_error", 1, 0 },
	{ "user_int16_error", 2, 1 },
	{ "user_uint16_error", 2, 0 },
	{ "user_int32_error", 4, 1 },
	{ "user_uint32_error", 4, 0 },
	{ "user_int64_error", 8, 1 },
	{ "user_uint64_error", 8, 0 },
};

/* size bytes of user memory at the argument's address; a fault is
 * the runtime error stap reports, which try/catch can catch */
static int
mem_read(struct gen *g, struct node *n, int size, int sgn)
{
	struct prog *p = g->p;
	int addr = expr(g, n->args), s = gen_tmp(g, 8), ok = asm_label(p);

	asm_st(p, BPF_DW, BPF_REG_9, (int16_t)s, 0);
	asm_escape(p, s, 8);
	asm_mov(p, BPF_REG_1, BPF_REG_9);
	asm_alui(p, BPF_ADD, BPF_REG_1, s);
	asm_movi(p, BPF_REG_2, size);
	gen_load(g, BPF_REG_3, addr);
	asm_call(p, BPF_FUNC_probe_read_user);
	asm_jmp(p, BPF_JEQ, BPF_REG_0, -1, 0, ok);
	gen_throw(g, n->loc, "user memory read fault", -1);
	asm_bind(p, ok);
	if (sgn && size < 8) {
		gen_load(g, BPF_REG_1, s);
		asm_alui(p, BPF_LSH, BPF_REG_1, 64 - 8 * size);
		asm_alui(p, BPF_ARSH, BPF_REG_1, 64 - 8 * size);
		gen_store(g, s, BPF_REG_1);
	}
	return s;
}

/* Whether uprobe_intrinsic lowers intrinsic f */
int
uprobe_has(const char *f)
{
	size_t i;

	if (!strcmp(f, "uaddr"))
		return 1;
	for (i = 0; i < NELEM(readers); i++)
		if (!strcmp(f, readers[i].name))
			return 1;
	return 0;
}

int
uprobe_intrinsic(struct gen *g, struct node *n)
{
	const char *f = n->str;
	size_t i;

	if (!strcmp(f, "uaddr")) {
		struct node fake = *n, arg;

		/* the probed address: the ip a uprobe stops at */
		memset(&arg, 0, sizeof arg);
		arg.kind = N_STR;
		arg.str = "rip";
		fake.str = "u_register";
		fake.args = &arg;
		return regs_call(g, &fake);
	}
	for (i = 0; i < NELEM(readers); i++)
		if (!strcmp(f, readers[i].name))
			return mem_read(g, n, readers[i].size,
			    readers[i].sgn);
	bug("uprobe_intrinsic: '%s'", f);
}
