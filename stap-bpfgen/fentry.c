/*
 * stap-bpfgen, fentry/fexit twins of kernel-function probes.  A kprobe
 * on one function costs a breakpoint trap an event; an fentry (fexit)
 * program is called from a BPF trampoline the kernel patches into the
 * function, far cheaper.  Which of the two a kernel allows is known
 * only where the .bo is loaded (this machine's kernel refuses fentry,
 * the lab's allows it), so a probe on one function gets both: its
 * kprobe program, and a twin of the same body in section fentry/FUNC
 * (fexit/FUNC), named PROBE_fentry, that stap-bpfld loads instead
 * where the kernel allows.  The twin has no probe record of its own:
 * it is the kprobe's (man stap-bo).
 *
 * The twin's context is the function's arguments as u64s, not a
 * pt_regs: its parameters are read from there (bpf_get_func_arg,
 * $return through bpf_get_func_ret), and a body that reads what only
 * pt_regs has (registers, *_arg(), the return address, stacks, whose
 * frames would start in the trampoline) gets no twin: its kprobe
 * serves everywhere.
 * Many functions on one program stay kprobe_multi (one link for them
 * all, where fentry needs a program and a trampoline a function).
 */
#include <string.h>

#include "gen.h"

/* The parameter a pt_regs offset of stap-resolve's holds (kfunc.c):
 * di, si, dx, cx, r8, r9; -1 for ax, the return value */
static int
param(int off)
{
	static const int regoff[] = { 112, 104, 96, 88, 72, 64 };
	int i;

	for (i = 0; i < (int)NELEM(regoff); i++)
		if (regoff[i] == off)
			return i;
	return -1;
}

/* A parameter or $return of the function, in the twin: its slot */
int
fentry_field(struct gen *g, struct node *n)
{
	struct prog *p = g->p;
	int s = gen_tmp(g, 8), i = param((int)n->num);

	if (n->type == T_STRING || n->size > 8 || (i < 0 && !g->probe->kret)) {
		g->fbad = 1;
		return gen_const_slot(g, 0);
	}
	if (i < 0) {
		/* bpf_get_func_ret(ctx, &slot): fexit's value after the
		 * arguments, wherever their number puts it */
		asm_st(p, BPF_DW, BPF_REG_9, (int16_t)s, 0);
		asm_escape(p, s, 8);
		asm_mov(p, BPF_REG_1, BPF_REG_6);
		asm_mov(p, BPF_REG_2, BPF_REG_9);
		asm_alui(p, BPF_ADD, BPF_REG_2, s);
		asm_call(p, BPF_FUNC_get_func_ret);
		gen_load(g, BPF_REG_1, s);
	} else {
		/* bpf_get_func_arg(ctx, i, &slot), not a load from ctx:
		 * the verifier types a loaded argument by BTF and refuses
		 * the load of one it cannot size (a union, a struct by
		 * value) or beyond what it counts as the arguments; the
		 * helper (inlined) gives a number, and the slots match the
		 * registers a kprobe reads */
		asm_st(p, BPF_DW, BPF_REG_9, (int16_t)s, 0);
		asm_escape(p, s, 8);
		asm_mov(p, BPF_REG_1, BPF_REG_6);
		asm_movi(p, BPF_REG_2, i);
		asm_mov(p, BPF_REG_3, BPF_REG_9);
		asm_alui(p, BPF_ADD, BPF_REG_3, s);
		asm_call(p, BPF_FUNC_get_func_arg);
		gen_load(g, BPF_REG_1, s);
	}
	if (n->size < 8) {
		asm_alui(p, BPF_LSH, BPF_REG_1, 64 - 8 * (int)n->size);
		asm_alui(p, (n->flags & F_SIGNED) ? BPF_ARSH : BPF_RSH,
		    BPF_REG_1, 64 - 8 * (int)n->size);
	}
	gen_store(g, s, BPF_REG_1);
	return s;
}

/*
 * The twins of progs[0..n) (already generated), into *out; how many.
 * Diagnostics of the second generation are the first's again, if
 * any: it runs only on bodies that compiled.
 */
size_t
fentry_twins(struct gen *g, struct prog **progs, size_t n,
    struct prog ***out)
{
	struct prog **tw = NULL;
	size_t i, nt = 0, cap = 0;

	for (i = 0; i < n; i++) {
		struct prog *k = progs[i], *t;
		const char *fn;
		char *name, *sec;

		if (!k->section || strcmp(k->kind, "kprobe") || k->nkfuncs != 1)
			continue;
		fn = k->kfuncs[0];
		/* fentry is at the entry, not at an offset or address */
		if (strchr(fn, '+') || !strncmp(fn, "0x", 2))
			continue;
		t = arena_alloc(sizeof *t);
		memset(t, 0, sizeof *t);
		name = arena_alloc(strlen(k->name) + 8);
		sprintf(name, "%s_fentry", k->name);
		t->name = name;
		t->kind = k->kind;
		t->section = k->section;        /* a kprobe's while made */
		t->probe = k->probe;
		t->prio = k->prio;
		t->order = k->order;
		t->members = k->members;
		t->nmembers = k->nmembers;
		t->kfuncs = k->kfuncs;
		t->nkfuncs = k->nkfuncs;
		t->kret = k->kret;
		g->fentry = 1;
		g->fbad = 0;
		gen_probe(g, t, t->probe, 0);
		g->fentry = 0;
		if (g->fbad)
			continue;
		sec = arena_alloc(strlen(fn) + 8);
		sprintf(sec, "%s/%s", k->kret ? "fexit" : "fentry", fn);
		t->section = sec;
		tw = vgrow(tw, &cap, nt + 1, sizeof *tw);
		tw[nt++] = t;
	}
	*out = tw;
	return nt;
}
