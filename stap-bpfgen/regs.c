/*
 * stap-bpfgen: a probe's registers and the arguments of the function
 * it is on, as stap's x86-64 tapset reads them: register("rdi") and
 * u_register() from the probe's pt_regs (a kprobe's context, a perf
 * event's first member), pointer_arg(n), int_arg(n), long_arg(n) and
 * the rest from the argument registers of the x86-64 calling
 * convention, and past the sixth from the stack above the return
 * address.  Probes without registers (tracepoints, begin and end) get
 * stap's runtime errors.
 */
#include <string.h>

#include "gen.h"

/* byte offsets in x86-64's struct pt_regs */
enum { R_SP = 152 };

/* the argument registers, in order: di, si, dx, cx, r8, r9 */
static const int argregs[] = { 112, 104, 96, 88, 72, 64 };

static const struct {
	const char *name;
	int sign, trunc;
} argfns[] = {
	{ "int_arg", 1, 1 }, { "s32_arg", 1, 1 }, { "uint_arg", 0, 1 },
	{ "u32_arg", 0, 1 }, { "long_arg", 1, 0 }, { "ulong_arg", 0, 0 },
	{ "pointer_arg", 0, 0 }, { "longlong_arg", 0, 0 },
	{ "ulonglong_arg", 0, 0 }, { "s64_arg", 0, 0 }, { "u64_arg", 0, 0 },
};

/* Whether the probe is on user code: its stack is user memory */
static int
is_user(struct gen *g)
{
	const char *s = g->probe->section;

	return s && (!strcmp(s, "uprobe") || !strcmp(s, "uretprobe"));
}

/* Whether the probe's context is a pt_regs */
static int
has_regs(struct gen *g)
{
	const char *s = g->probe->section;

	/* an fentry twin has none: its kprobe serves (fentry.c) */
	if (g->fentry)
		g->fbad = 1;
	return s && (!strncmp(s, "kprobe/", 7) ||
	    !strncmp(s, "kretprobe/", 10) || !strcmp(s, "perf_event") ||
	    is_user(g));
}

/* r1 = r1 of size bytes, sign-extended or not */
static void
extend(struct prog *p, int size, int sign)
{
	if (size == 8)
		return;
	asm_alui(p, BPF_LSH, BPF_REG_1, 64 - 8 * size);
	asm_alui(p, sign ? BPF_ARSH : BPF_RSH, BPF_REG_1, 64 - 8 * size);
}

static int
reg_read(struct gen *g, struct node *n, int sign)
{
	struct prog *p = g->p;
	int s = gen_tmp(g, 8), off, size;

	if (!n->args || n->args->kind != N_STR) {
		diag_error(n->loc, "'%s' needs a register name given as a "
		    "literal string in stap-bpf", n->str);
		return gen_const_slot(g, 0);
	}
	if (uregs_find(n->args->str, &off, &size) < 0) {
		diag_error(n->args->loc, "unknown register '%s'",
		    n->args->str);
		return gen_const_slot(g, 0);
	}
	if (!has_regs(g)) {
		gen_throw(g, n->loc, "cannot access CPU registers in this "
		    "context", -1);
		return gen_const_slot(g, 0);
	}
	/* the context is read whole words at a time */
	asm_ldx(p, BPF_DW, BPF_REG_1, BPF_REG_6,
	    (int16_t)(off & ~7));
	if (off & 7)
		asm_alui(p, BPF_RSH, BPF_REG_1, 8 * (off & 7));
	extend(p, size, sign);
	gen_store(g, s, BPF_REG_1);
	return s;
}

static int
arg_read(struct gen *g, struct node *n, int sign, int trunc)
{
	struct prog *p = g->p;
	int num = expr(g, n->args), s = gen_tmp(g, 8), i;
	int bad = asm_label(p), conv = asm_label(p);
	int at[NELEM(argregs)];
	enum type t = T_LONG;

	if (!has_regs(g)) {
		gen_throw(g, n->loc, "cannot access function args in this "
		    "context", -1);
		return gen_const_slot(g, 0);
	}
	gen_load(g, BPF_REG_1, num);
	for (i = 0; i < (int)NELEM(argregs); i++) {
		at[i] = asm_label(p);
		asm_jmp(p, BPF_JEQ, BPF_REG_1, -1, i + 1, at[i]);
	}
	asm_jmp(p, BPF_JSLT, BPF_REG_1, -1, 1, bad);
	/* the seventh and later: on the stack, above the return address,
	 * at the function's entry */
	asm_alui(p, BPF_SUB, BPF_REG_1, (int32_t)NELEM(argregs));
	asm_alui(p, BPF_LSH, BPF_REG_1, 3);
	asm_ldx(p, BPF_DW, BPF_REG_3, BPF_REG_6, R_SP);
	asm_alu(p, BPF_ADD, BPF_REG_3, BPF_REG_1);
	asm_escape(p, s, 8);
	asm_mov(p, BPF_REG_1, BPF_REG_9);
	asm_alui(p, BPF_ADD, BPF_REG_1, s);
	asm_movi(p, BPF_REG_2, 8);
	asm_call(p, is_user(g) ? BPF_FUNC_probe_read_user :
	    BPF_FUNC_probe_read_kernel);
	asm_jmp(p, BPF_JEQ, BPF_REG_0, -1, 0, conv);
	gen_throw(g, n->loc, "", str_snprintf_(g, is_user(g) ?
	    "user fault accessing arg(%ld)" : "kernel fault accessing "
	    "arg(%ld)", &num, &t, 1));
	for (i = 0; i < (int)NELEM(argregs); i++) {
		asm_bind(p, at[i]);
		asm_ldx(p, BPF_DW, BPF_REG_1, BPF_REG_6,
		    (int16_t)argregs[i]);
		gen_store(g, s, BPF_REG_1);
		asm_ja(p, conv);
	}
	asm_bind(p, bad);
	gen_throw(g, n->loc, "", str_snprintf_(g, "cannot access arg(%ld)",
	    &num, &t, 1));
	asm_bind(p, conv);
	if (trunc) {
		gen_load(g, BPF_REG_1, s);
		extend(p, 4, sign);
		gen_store(g, s, BPF_REG_1);
	}
	return s;
}

/* Whether name reads registers with a bpf_snprintf'd error message */
int
regs_uses_fmt(const char *name)
{
	size_t i;

	for (i = 0; i < NELEM(argfns); i++)
		if (!strcmp(name, argfns[i].name))
			return 1;
	return 0;
}

/* The register and argument functions, as stack_call */
int
regs_call(struct gen *g, struct node *n)
{
	const char *f = n->str;
	size_t i;

	if (!strcmp(f, "register"))
		return reg_read(g, n, 1);
	if (!strcmp(f, "u_register"))
		return reg_read(g, n, 0);
	for (i = 0; i < NELEM(argfns); i++)
		if (!strcmp(f, argfns[i].name))
			return arg_read(g, n, argfns[i].sign,
			    argfns[i].trunc);
	return -2;
}
