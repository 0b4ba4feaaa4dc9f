/*
 * stap-bpfgen: kernel stacks, symbols and where a probe is.
 *
 * A stack is the kernel's (bpf_get_stack: frame pointers or ORC, from
 * the probe's registers).  print_backtrace() sends its addresses in a
 * STACK record and print_syms() a string of them in a SYMS record:
 * stap-bpfld names them at output time, from kallsyms, or sends the
 * symbols they need into an event stream (man/stap-events.5).  What
 * a script keeps as a string is made here, in the kernel: backtrace()
 * the hex words, symname() and symdata() with bpf_snprintf's %ps and
 * %pS, which look the address up in the kernel's own kallsyms.
 *
 * A userspace program (begin, end) has no kernel stack and no
 * registers: its stacks are empty, its addresses 0.
 */
#include <stdlib.h>
#include <string.h>

#include "gen.h"

/* stap's MAXBACKTRACE: the frames print_backtrace() prints */
enum { MAXBACKTRACE = 20 };

/* pt_regs' ip on x86-64: a kprobe's context, a perf event's first */
enum { PT_REGS_IP = 128 };

static int
prog_kind(struct gen *g, const char *prefix)
{
	const char *s = g->probe->section;

	return s && !strncmp(s, prefix, strlen(prefix));
}

/* r0 = bpf_get_stack(ctx, r9 + buf, size, skip | flags): the bytes it
 * wrote; flags 0 for the kernel's stack, BPF_F_USER_STACK the task's
 * (ustack.c) */
void
stack_get(struct gen *g, int buf, int size, int skip, int flags)
{
	struct prog *p = g->p;

	/* from a trampoline its frames would not be the kprobe's */
	if (g->fentry && !flags)
		g->fbad = 1;
	if (skip >= 0) {
		gen_load(g, BPF_REG_4, skip);
		if (flags)
			asm_alui(p, BPF_OR, BPF_REG_4, flags);
	} else {
		asm_movi(p, BPF_REG_4, flags);
	}
	asm_escape(p, buf, size);
	asm_mov(p, BPF_REG_1, BPF_REG_6);
	asm_mov(p, BPF_REG_2, BPF_REG_9);
	asm_alui(p, BPF_ADD, BPF_REG_2, buf);
	asm_movi(p, BPF_REG_3, size);
	asm_call(p, BPF_FUNC_get_stack);
}

/* The address the probe is at: a kprobe's function (bpf_get_func_ip,
 * which knows it on every function of a kprobe_multi), a return's or
 * a perf event's interrupted ip, else 0 */
static int
probe_addr(struct gen *g)
{
	struct prog *p = g->p;
	int s = gen_tmp(g, 8);

	if (prog_kind(g, "kprobe/")) {
		asm_mov(p, BPF_REG_1, BPF_REG_6);
		asm_call(p, BPF_FUNC_get_func_ip);
		gen_store(g, s, BPF_REG_0);
	} else if (prog_kind(g, "kretprobe/") || prog_kind(g, "perf_event")) {
		if (g->fentry)
			g->fbad = 1;    /* fexit has no return address */
		asm_ldx(p, BPF_DW, BPF_REG_1, BPF_REG_6, PT_REGS_IP);
		gen_store(g, s, BPF_REG_1);
	} else {
		asm_st(p, BPF_DW, BPF_REG_9, (int16_t)s, 0);
	}
	return s;
}

/* The function a kprobe or kretprobe is on, else 0 */
static int
func_addr(struct gen *g)
{
	struct prog *p = g->p;
	int s = gen_tmp(g, 8);

	if (prog_kind(g, "kprobe/") || prog_kind(g, "kretprobe/")) {
		asm_mov(p, BPF_REG_1, BPF_REG_6);
		asm_call(p, BPF_FUNC_get_func_ip);
		gen_store(g, s, BPF_REG_0);
	} else {
		asm_st(p, BPF_DW, BPF_REG_9, (int16_t)s, 0);
	}
	return s;
}

/* sprintf(fmt, the long in slot) */
int
stack_sprint1(struct gen *g, const char *fmt, int slot)
{
	enum type t = T_LONG;

	return str_snprintf_(g, fmt, &slot, &t, 1);
}

/* symdata(a): the kernel's %pS, " [kernel]" added where it named no
 * module and found a symbol (else it printed the address) */
static int
symdata(struct gen *g, int a)
{
	struct prog *p = g->p;
	int s = stack_sprint1(g, "%pS", a), done = asm_label(p), add = asm_label(p);
	enum type t = T_STRING;
	int k;

	/* r0: the length and the NUL; the last byte is ']' for a module */
	asm_mov(p, BPF_REG_1, BPF_REG_0);
	asm_alui(p, BPF_SUB, BPF_REG_1, 2);
	asm_jmp(p, BPF_JGT, BPF_REG_1, -1, g->maxstr - 2, add);
	asm_escape(p, s, g->maxstr);
	asm_mov(p, BPF_REG_2, BPF_REG_9);
	asm_alu(p, BPF_ADD, BPF_REG_2, BPF_REG_1);
	asm_ldx(p, BPF_B, BPF_REG_3, BPF_REG_2, (int16_t)s);
	asm_jmp(p, BPF_JEQ, BPF_REG_3, -1, ']', done);
	asm_ldx(p, BPF_H, BPF_REG_3, BPF_REG_9, (int16_t)s);
	asm_jmp(p, BPF_JEQ, BPF_REG_3, -1, 'x' << 8 | '0', done);
	asm_bind(p, add);
	k = str_snprintf_(g, "%s [kernel]", &s, &t, 1);
	gen_copy(g, BPF_REG_9, s, BPF_REG_9, k, g->maxstr);
	asm_bind(p, done);
	return s;
}

/* print_backtrace(): a STACK record, "from" then the frames */
static void
print_backtrace(struct gen *g)
{
	struct prog *p = g->p;
	int lost, ok = asm_label(p);

	if (!g->probe->section)
		return;
	lost = var_record_begin(g, 16 + 8 * MAXBACKTRACE, REC_STACK, 0);
	asm_stx(p, BPF_DW, BPF_REG_10, SK_TMP, BPF_REG_0);
	if (g->fentry)
		g->fbad = 1;
	/* a return names the function it returns from, as stap does */
	if (prog_kind(g, "kretprobe/")) {
		asm_mov(p, BPF_REG_1, BPF_REG_6);
		asm_call(p, BPF_FUNC_get_func_ip);
		asm_ldx(p, BPF_DW, BPF_REG_1, BPF_REG_10, SK_TMP);
		asm_stx(p, BPF_DW, BPF_REG_1, 8, BPF_REG_0);
	} else {
		asm_st(p, BPF_DW, BPF_REG_0, 8, 0);
	}
	asm_ldx(p, BPF_DW, BPF_REG_2, BPF_REG_10, SK_TMP);
	asm_alui(p, BPF_ADD, BPF_REG_2, 16);
	asm_mov(p, BPF_REG_1, BPF_REG_6);
	asm_movi(p, BPF_REG_3, 8 * MAXBACKTRACE);
	asm_movi(p, BPF_REG_4, 0);
	asm_call(p, BPF_FUNC_get_stack);
	asm_jmp(p, BPF_JSGE, BPF_REG_0, -1, 0, ok);
	asm_movi(p, BPF_REG_0, 0);
	asm_bind(p, ok);
	asm_alui(p, BPF_RSH, BPF_REG_0, 3);
	asm_ldx(p, BPF_DW, BPF_REG_1, BPF_REG_10, SK_TMP);
	asm_stx(p, BPF_W, BPF_REG_1, 4, BPF_REG_0);
	asm_mov(p, BPF_REG_0, BPF_REG_1);
	var_record_end(g, lost);
}

/* print_syms(s), print_stack(s): a SYMS record of the string */
static void
print_syms(struct gen *g, int s)
{
	int lost = var_record_begin(g, 8 + g->maxstr, REC_SYMS, 0);

	gen_copy(g, BPF_REG_0, 8, BPF_REG_9, s, g->maxstr);
	var_record_end(g, lost);
}

/*
 * res = the first n (at most max, 12) addresses of the frames in buf,
 * the first in format first, each other in rest.  bpf_snprintf takes a
 * constant format and at most 12 values: a format for each count of
 * frames that can show, the one that fits chosen at run time.
 */
void
stack_hex(struct gen *g, int res, int buf, int n, int max, const char *first,
    const char *rest)
{
	struct prog *p = g->p;
	int slots[12], k, i, s, next, done = asm_label(p);
	enum type types[12];
	char fmt[12 * 16 + 1];

	for (k = 0; k < max; k++) {
		slots[k] = buf + 8 * k;
		types[k] = T_LONG;
	}
	for (k = max; k > 0; k--) {
		next = asm_label(p);
		snprintf(fmt, sizeof fmt, "%s", first);
		for (i = 1; i < k; i++)
			strcat(fmt, rest);
		gen_load(g, BPF_REG_1, n);
		asm_jmp(p, BPF_JSLT, BPF_REG_1, -1, k, next);
		s = str_snprintf_(g, fmt, slots, types, k);
		gen_copy(g, BPF_REG_9, res, BPF_REG_9, s, g->maxstr);
		asm_ja(p, done);
		asm_bind(p, next);
	}
	asm_bind(p, done);
}

/*
 * A stack string's start: res, zeroed; in a kernel program *buf the
 * first *max frames (at most 12, as many as MAXSTRINGLEN shows at
 * width characters each) and *n how many there are; *max 0 in user
 * space
 */
int
stack_frames(struct gen *g, int width, int flags, int *max, int *buf,
    int *n)
{
	int res = gen_tmp(g, g->maxstr);

	gen_zero(g, BPF_REG_9, res, g->maxstr);
	*max = 0;
	if (!g->probe->section)
		return res;
	*max = (g->maxstr - 1 + width - 1) / width;
	if (*max > 12)
		*max = 12;
	*buf = gen_tmp(g, 8 * *max);
	*n = gen_tmp(g, 8);
	stack_get(g, *buf, 8 * *max, -1, flags);
	asm_alui(g->p, BPF_ARSH, BPF_REG_0, 3);
	gen_store(g, *n, BPF_REG_0);
	return res;
}

/*
 * backtrace(): "0x%016lx " a frame, as stap's, cut at MAXSTRINGLEN
 */
static int
backtrace(struct gen *g)
{
	int max, buf, n, res = stack_frames(g, 19, 0, &max, &buf, &n);

	if (!max)
		return res;
	stack_hex(g, res, buf, n, max, "0x%016lx ", "0x%016lx ");
	return res;
}

/* stack(n): the address of frame n, or stap's error past the end */
static int
stack_n(struct gen *g, struct node *n, int level)
{
	struct prog *p = g->p;
	int s = gen_tmp(g, 8), bad = asm_label(p), ok = asm_label(p);

	if (g->probe->section) {
		gen_load(g, BPF_REG_1, level);
		asm_jmp(p, BPF_JSLT, BPF_REG_1, -1, 0, bad);
		asm_jmp(p, BPF_JSGE, BPF_REG_1, -1, MAXBACKTRACE, bad);
		stack_get(g, s, 8, level, 0);
		asm_jmp(p, BPF_JEQ, BPF_REG_0, -1, 8, ok);
	}
	asm_bind(p, bad);
	gen_throw(g, n->loc, "", stack_sprint1(g, "reached end of stack before "
	    "unwinding to level %ld", level));
	asm_bind(p, ok);
	return s;
}

/*
 * probefunc(): stap's symname(addr()), the kernel's name for the
 * address probed, which may be an alias (__do_sys_getppid for
 * __x64_sys_getppid).  ppfunc() is the tapset's, on pp().
 */
static int
probe_func(struct gen *g)
{
	struct prog *q = g->probe;

	if (q->nkfuncs || prog_kind(g, "perf_event"))
		return stack_sprint1(g, "%ps", probe_addr(g));
	return str_literal(g, "");
}

static int
calls_per_function(struct gen *g, struct node *n, const char *pp,
    char *seen, int depth)
{
	int i;

	for (; n && depth < TREE_MAXDEPTH; n = n->next) {
		if (n->kind == N_CALL && (n->flags & F_BUILTIN) &&
		    !strcmp(n->str, "pp"))
			return 1;
		/* a function is inlined into its probe: what it asks
		 * (a tapset function on pp()) the probe asks */
		if (n->kind == N_CALL && !(n->flags & F_BUILTIN) &&
		    n->num >= 0 && n->num < g->nfuncs && !seen[n->num]) {
			seen[n->num] = 1;
			if (calls_per_function(g, g->funcs[n->num]->body, pp,
			    seen, depth + 1))
				return 1;
		}
		/* pp(), which stap-resolve wrote as its text */
		if (n->kind == N_STR && !strcmp(n->str, pp))
			return 1;
		for (i = 0; i < N_CHILDREN; i++)
			if (calls_per_function(g, *node_child(n, i), pp,
			    seen, depth + 1))
				return 1;
	}
	return 0;
}

/* Whether probe's body says which function it is on (pp(), here or in
 * a function it calls, such as the tapset's ppfunc()), so that one program cannot serve
 * the functions of its wildcard */
int
stack_per_function(struct gen *g, struct node *probe)
{
	char *seen = calloc((size_t)g->nfuncs + 1, 1);
	int r;

	if (!seen)
		fatal("out of memory");
	r = calls_per_function(g, probe->body, point_text(probe->points),
	    seen, 0);
	free(seen);
	return r;
}

/* Whether name makes strings with bpf_snprintf (its formats are in
 * stap_fmt) */
int
stack_uses_fmt(const char *name)
{
	static const char *const fmt[] = { "backtrace", "stack", "symname",
	    "symdata", "probefunc" };
	size_t i;

	for (i = 0; i < NELEM(fmt); i++)
		if (!strcmp(name, fmt[i]))
			return 1;
	return ustack_uses_fmt(name) || regs_uses_fmt(name);
}

/*
 * The stack and symbol functions: the slot of the value, -1 for none,
 * or -2 if n calls something else.
 */
int
stack_call(struct gen *g, struct node *n)
{
	const char *f = n->str;

	if (!strcmp(f, "print_backtrace")) {
		print_backtrace(g);
		return -1;
	}
	if (!strcmp(f, "print_syms") || !strcmp(f, "print_stack")) {
		print_syms(g, expr(g, n->args));
		return -1;
	}
	if (!strcmp(f, "backtrace"))
		return backtrace(g);
	if (!strcmp(f, "stack"))
		return stack_n(g, n, expr(g, n->args));
	if (!strcmp(f, "symname"))
		return stack_sprint1(g, "%ps", expr(g, n->args));
	if (!strcmp(f, "symdata"))
		return symdata(g, expr(g, n->args));
	if (!strcmp(f, "addr"))
		return probe_addr(g);
	if (!strcmp(f, "__stp_func_addr"))
		return func_addr(g);
	if (!strcmp(f, "probefunc"))
		return probe_func(g);
	if (ustack_uses_fmt(f) || !strcmp(f, "print_ubacktrace"))
		return ustack_call(g, n);
	return regs_call(g, n);
}
