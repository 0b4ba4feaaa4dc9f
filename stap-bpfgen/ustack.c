/*
 * stap-bpfgen: user stacks and symbols.
 *
 * A user stack is the kernel's frame-pointer walk of the current
 * task's user registers (bpf_get_stack with BPF_F_USER_STACK).  Its
 * symbols are named in user space, at output time, from the ELF files
 * of the process's mappings; the process may be gone by then, so a
 * USTACK record carries, next to the addresses, what the kernel knows
 * of each frame's file at capture time: its build id and the offset
 * in it (BPF_F_USER_BUILD_ID).  stap-bpfld learns from them where each
 * file was loaded in that process (man/stap-events.5).
 *
 * print_ubacktrace() sends a USTACK record.  A string a script keeps
 * (usymname(), usymdata(), sprint_ubacktrace()) cannot hold a name
 * the kernel does not know: it holds a reference instead, ESC "U",
 * the kind, the pid, ':', a hex number and ';', which the output
 * side replaces with the text (lib/usym.c), after a silent USTACK
 * record that tells it the process's files.  ubacktrace(), ustack(n)
 * are addresses, made here.
 */
#include <string.h>

#include "gen.h"

/* stap's MAXBACKTRACE */
enum { UMAX = 20 };

/* bpf_get_stack's flags: the user stack, with build ids */
enum { F_USER_STACK = 1 << 8, F_USER_BUILD_ID = 1 << 11 };

/* A USTACK record: kind, id (0: printed, 1: kept for the references
 * of a sprint_ubacktrace(), 2: for what it tells), then u32 pid, u32
 * frames, u32 frames with build ids, u32 0, u64 seq, u64 the function a
 * .return returns from (else 0), the addresses, then the kernel's
 * struct bpf_stack_build_id (32 bytes) of each */
enum {
	US_PID = 8, US_N = 12, US_NBID = 16, US_SEQ = 24, US_FROM = 32,
	US_IPS = 40,
	US_BIDS = US_IPS + 8 * UMAX, US_SIZE = US_BIDS + 32 * UMAX,
};

/* pt_regs' sp on x86-64 */
enum { PT_REGS_SP = 152 };

static int
at_entry(struct gen *g)
{
	struct prog *q = g->probe;

	return q->section && q->probe && q->probe->points &&
	    (q->probe->points->flags & F_UENTRY);
}

/*
 * On a function's first instruction its frame is not made yet: the
 * frame pointer is the caller's, and the walk from it misses the
 * caller, whose return address is the word at the top of the stack.
 * The kernel puts it in itself where the instruction is a push of the
 * frame pointer (or endbr64): then it is there already.  The frames
 * are at SK_TMP's pointer plus ips, their count (u32) at plus n, or
 * (n < 0) in scratch slot -n; build ids at plus bids if bids > 0.
 */
static void
fix_entry(struct gen *g, int ips, int n, int bids, int max)
{
	struct prog *p = g->p;
	int ra = gen_tmp(g, 8), cnt = gen_tmp(g, 8), done = asm_label(p);
	int i, k, full = asm_label(p);

	if (!at_entry(g))
		return;
	asm_escape(p, ra, 8);
	asm_mov(p, BPF_REG_1, BPF_REG_9);
	asm_alui(p, BPF_ADD, BPF_REG_1, ra);
	asm_movi(p, BPF_REG_2, 8);
	asm_ldx(p, BPF_DW, BPF_REG_3, BPF_REG_6, PT_REGS_SP);
	asm_call(p, BPF_FUNC_probe_read_user);
	asm_jmp(p, BPF_JNE, BPF_REG_0, -1, 0, done);
	asm_ldx(p, BPF_DW, BPF_REG_1, BPF_REG_10, SK_TMP);
	if (n >= 0)
		asm_ldx(p, BPF_W, BPF_REG_2, BPF_REG_1, (int16_t)n);
	else
		gen_load(g, BPF_REG_2, -n);
	gen_store(g, cnt, BPF_REG_2);
	asm_jmp(p, BPF_JSLT, BPF_REG_2, -1, 1, done);
	asm_jmp(p, BPF_JSLT, BPF_REG_2, -1, 2, full);
	gen_load(g, BPF_REG_3, ra);
	asm_ldx(p, BPF_DW, BPF_REG_4, BPF_REG_1, (int16_t)(ips + 8));
	asm_jmp(p, BPF_JEQ, BPF_REG_3, BPF_REG_4, 0, done);
	asm_bind(p, full);
	for (i = max - 1; i >= 2; i--) {
		asm_ldx(p, BPF_DW, BPF_REG_3, BPF_REG_1,
		    (int16_t)(ips + 8 * (i - 1)));
		asm_stx(p, BPF_DW, BPF_REG_1, (int16_t)(ips + 8 * i),
		    BPF_REG_3);
		for (k = 0; bids > 0 && k < 4; k++) {
			asm_ldx(p, BPF_DW, BPF_REG_3, BPF_REG_1,
			    (int16_t)(bids + 32 * (i - 1) + 8 * k));
			asm_stx(p, BPF_DW, BPF_REG_1,
			    (int16_t)(bids + 32 * i + 8 * k), BPF_REG_3);
		}
	}
	gen_load(g, BPF_REG_3, ra);
	asm_stx(p, BPF_DW, BPF_REG_1, (int16_t)(ips + 8), BPF_REG_3);
	/* the caller's build id is not known: stap-bpfld finds its file
	 * from the other frames' */
	for (k = 0; bids > 0 && k < 4; k++)
		asm_st(p, BPF_DW, BPF_REG_1, (int16_t)(bids + 32 + 8 * k), 0);
	gen_load(g, BPF_REG_2, cnt);
	asm_alui(p, BPF_ADD, BPF_REG_2, 1);
	{
		int ok = asm_label(p);

		asm_jmp(p, BPF_JLE, BPF_REG_2, -1, max, ok);
		asm_movi(p, BPF_REG_2, max);
		asm_bind(p, ok);
	}
	if (n >= 0) {
		int none = asm_label(p), ok = asm_label(p);

		asm_stx(p, BPF_W, BPF_REG_1, (int16_t)n, BPF_REG_2);
		if (bids > 0) {
			/* a build id more, if the kernel gave any */
			asm_ldx(p, BPF_W, BPF_REG_2, BPF_REG_1, US_NBID);
			asm_jmp(p, BPF_JEQ, BPF_REG_2, -1, 0, none);
			asm_alui(p, BPF_ADD, BPF_REG_2, 1);
			asm_jmp(p, BPF_JLE, BPF_REG_2, -1, max, ok);
			asm_movi(p, BPF_REG_2, max);
			asm_bind(p, ok);
			asm_stx(p, BPF_W, BPF_REG_1, US_NBID, BPF_REG_2);
			asm_bind(p, none);
		}
	} else {
		gen_store(g, -n, BPF_REG_2);
	}
	asm_bind(p, done);
}

/* A USTACK record of the current user stack; silent ones are not
 * printed.  The slot of its seq (a stamp the references name) */
static int
ustack_record(struct gen *g, int silent)
{
	struct prog *p = g->p;
	int lost, ok1 = asm_label(p), ok2 = asm_label(p);
	int seq = gen_tmp(g, 8);

	asm_call(p, BPF_FUNC_ktime_get_ns);
	gen_store(g, seq, BPF_REG_0);
	lost = var_record_begin(g, US_SIZE, REC_USTACK, silent);
	asm_stx(p, BPF_DW, BPF_REG_10, SK_TMP, BPF_REG_0);
	gen_load(g, BPF_REG_1, seq);
	asm_stx(p, BPF_DW, BPF_REG_0, US_SEQ, BPF_REG_1);
	asm_st(p, BPF_W, BPF_REG_0, US_NBID + 4, 0);
	/* a return names the function it returns from, as stap does: a
	 * uprobe's bpf_get_func_ip is the address it is on, a
	 * uretprobe's the function's */
	if (g->probe->kret && g->probe->upath) {
		asm_mov(p, BPF_REG_1, BPF_REG_6);
		asm_call(p, BPF_FUNC_get_func_ip);
		asm_ldx(p, BPF_DW, BPF_REG_1, BPF_REG_10, SK_TMP);
		asm_stx(p, BPF_DW, BPF_REG_1, US_FROM, BPF_REG_0);
	} else {
		asm_ldx(p, BPF_DW, BPF_REG_1, BPF_REG_10, SK_TMP);
		asm_st(p, BPF_DW, BPF_REG_1, US_FROM, 0);
	}
	asm_call(p, BPF_FUNC_get_current_pid_tgid);
	asm_alui(p, BPF_RSH, BPF_REG_0, 32);
	asm_ldx(p, BPF_DW, BPF_REG_1, BPF_REG_10, SK_TMP);
	asm_stx(p, BPF_W, BPF_REG_1, US_PID, BPF_REG_0);

	asm_ldx(p, BPF_DW, BPF_REG_2, BPF_REG_10, SK_TMP);
	asm_alui(p, BPF_ADD, BPF_REG_2, US_IPS);
	asm_mov(p, BPF_REG_1, BPF_REG_6);
	asm_movi(p, BPF_REG_3, 8 * UMAX);
	asm_movi(p, BPF_REG_4, F_USER_STACK);
	asm_call(p, BPF_FUNC_get_stack);
	asm_jmp(p, BPF_JSGE, BPF_REG_0, -1, 0, ok1);
	asm_movi(p, BPF_REG_0, 0);
	asm_bind(p, ok1);
	asm_alui(p, BPF_RSH, BPF_REG_0, 3);
	asm_ldx(p, BPF_DW, BPF_REG_1, BPF_REG_10, SK_TMP);
	asm_stx(p, BPF_W, BPF_REG_1, US_N, BPF_REG_0);

	asm_ldx(p, BPF_DW, BPF_REG_2, BPF_REG_10, SK_TMP);
	asm_alui(p, BPF_ADD, BPF_REG_2, US_BIDS);
	asm_mov(p, BPF_REG_1, BPF_REG_6);
	asm_movi(p, BPF_REG_3, 32 * UMAX);
	asm_movi(p, BPF_REG_4, F_USER_STACK | F_USER_BUILD_ID);
	asm_call(p, BPF_FUNC_get_stack);
	asm_jmp(p, BPF_JSGE, BPF_REG_0, -1, 0, ok2);
	asm_movi(p, BPF_REG_0, 0);
	asm_bind(p, ok2);
	asm_alui(p, BPF_RSH, BPF_REG_0, 5);
	asm_ldx(p, BPF_DW, BPF_REG_1, BPF_REG_10, SK_TMP);
	asm_stx(p, BPF_W, BPF_REG_1, US_NBID, BPF_REG_0);
	fix_entry(g, US_IPS, US_N, US_BIDS, UMAX);
	asm_ldx(p, BPF_DW, BPF_REG_0, BPF_REG_10, SK_TMP);
	var_record_end(g, lost);
	return seq;
}

/* A reference "\033U" kind pid ':' num ';' (bpf_snprintf takes no
 * control character in its format: the ESC is stored after) */
static int
reference(struct gen *g, int kind, int num)
{
	struct prog *p = g->p;
	char fmt[16];
	int pid = gen_tmp(g, 8), slots[2], s;
	enum type t[2] = { T_LONG, T_LONG };

	asm_call(p, BPF_FUNC_get_current_pid_tgid);
	asm_alui(p, BPF_RSH, BPF_REG_0, 32);
	gen_store(g, pid, BPF_REG_0);
	slots[0] = pid;
	slots[1] = num;
	snprintf(fmt, sizeof fmt, "?U%c%%lx:%%lx;", kind);
	s = str_snprintf_(g, fmt, slots, t, 2);
	asm_escape(p, s, g->maxstr);
	asm_st(p, BPF_B, BPF_REG_9, (int16_t)s, 033);
	return s;
}

/* usymname(a), usymdata(a): a reference the output names */
static int
usym(struct gen *g, int kind, int a)
{
	if (!g->probe->section)
		return stack_sprint1(g, "0x%lx", a);
	ustack_record(g, 2);
	return reference(g, kind, a);
}

/* sprint_ubacktrace(): a reference to a silent stack */
static int
sprint_ubacktrace(struct gen *g)
{
	if (!g->probe->section)
		return str_literal(g, "");
	return reference(g, 's', ustack_record(g, 1));
}

/* ubacktrace(): "0x%x " a frame, as stap's hex string, cut at
 * MAXSTRINGLEN; as backtrace() does it, a format for each count */
static int
ubacktrace(struct gen *g)
{
	struct prog *p = g->p;
	int max, buf, n, res;

	/* a user address is 14 characters and a blank at most */
	res = stack_frames(g, 15, F_USER_STACK, &max, &buf, &n);
	if (!max)
		return res;
	if (at_entry(g)) {
		asm_mov(p, BPF_REG_1, BPF_REG_9);
		asm_alui(p, BPF_ADD, BPF_REG_1, buf);
		asm_stx(p, BPF_DW, BPF_REG_10, SK_TMP, BPF_REG_1);
		fix_entry(g, 0, -n, 0, max);
	}
	stack_hex(g, res, buf, n, max, "0x%lx", " 0x%lx");
	return res;
}

/* ustack(n): the address of frame n, or stap's error past the end */
static int
ustack_n(struct gen *g, struct node *n, int level)
{
	struct prog *p = g->p;
	int s = gen_tmp(g, 8), bad = asm_label(p), ok = asm_label(p);
	int buf, cnt, k;

	if (g->probe->section && at_entry(g)) {
		/* the whole stack, its caller put in, then frame n */
		buf = gen_tmp(g, 8 * UMAX);
		cnt = gen_tmp(g, 8);
		stack_get(g, buf, 8 * UMAX, -1, F_USER_STACK);
		asm_alui(p, BPF_ARSH, BPF_REG_0, 3);
		gen_store(g, cnt, BPF_REG_0);
		asm_mov(p, BPF_REG_1, BPF_REG_9);
		asm_alui(p, BPF_ADD, BPF_REG_1, buf);
		asm_stx(p, BPF_DW, BPF_REG_10, SK_TMP, BPF_REG_1);
		fix_entry(g, 0, -cnt, 0, UMAX);
		gen_load(g, BPF_REG_1, level);
		gen_load(g, BPF_REG_2, cnt);
		asm_jmp(p, BPF_JSLT, BPF_REG_1, -1, 0, bad);
		asm_jmp(p, BPF_JSGE, BPF_REG_1, BPF_REG_2, 0, bad);
		for (k = 0; k < UMAX; k++) {
			int next = asm_label(p);

			asm_jmp(p, BPF_JNE, BPF_REG_1, -1, k, next);
			gen_load(g, BPF_REG_3, buf + 8 * k);
			gen_store(g, s, BPF_REG_3);
			asm_ja(p, ok);
			asm_bind(p, next);
		}
	} else if (g->probe->section) {
		gen_load(g, BPF_REG_1, level);
		asm_jmp(p, BPF_JSLT, BPF_REG_1, -1, 0, bad);
		asm_jmp(p, BPF_JSGE, BPF_REG_1, -1, UMAX, bad);
		stack_get(g, s, 8, level, F_USER_STACK);
		asm_jmp(p, BPF_JEQ, BPF_REG_0, -1, 8, ok);
	}
	asm_bind(p, bad);
	gen_throw(g, n->loc, "", stack_sprint1(g, "reached end of stack before "
	    "unwinding to level %ld", level));
	asm_bind(p, ok);
	return s;
}

int
ustack_uses_fmt(const char *name)
{
	static const char *const fmt[] = { "ubacktrace", "ustack",
	    "usymname", "usymdata", "sprint_ubacktrace" };
	size_t i;

	for (i = 0; i < NELEM(fmt); i++)
		if (!strcmp(name, fmt[i]))
			return 1;
	return 0;
}

/* As stack_call: the slot of the value, -1 for none, -2 for a call
 * of something else */
int
ustack_call(struct gen *g, struct node *n)
{
	const char *f = n->str;

	if (!strcmp(f, "print_ubacktrace")) {
		if (g->probe->section)
			ustack_record(g, 0);
		return -1;
	}
	if (!strcmp(f, "ubacktrace"))
		return ubacktrace(g);
	if (!strcmp(f, "ustack"))
		return ustack_n(g, n, expr(g, n->args));
	if (!strcmp(f, "usymname"))
		return usym(g, 'n', expr(g, n->args));
	if (!strcmp(f, "usymdata"))
		return usym(g, 'd', expr(g, n->args));
	if (!strcmp(f, "sprint_ubacktrace"))
		return sprint_ubacktrace(g);
	return -2;
}
