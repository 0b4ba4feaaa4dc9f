/*
 * Lowering a resolved stap-tree to BPF.  The model is deliberately
 * plain: every value lives in a slot of the per-CPU scratch frame
 * (r9 points at it), and an operation loads its operands into r1..r5,
 * computes, and stores its result into a fresh slot.  The verifier sees
 * constant offsets into one map value everywhere, which it accepts
 * easily; a register allocator over a real IR is the next step once we
 * measure where the time goes.
 *
 * Registers: r6 the context, r7 a pointer kept across helper calls
 * (a record being filled, a map value), r8 the scalar globals, r9 the
 * scratch frame.  The stack holds the zero key, the stap_ctl and
 * stap_fmt pointers, and r6, r8, r9 while a callback runs.
 *
 * Loops in kernel probes are callbacks: subprograms that bpf_loop and
 * bpf_for_each_map_elem call once an iteration, so the verifier checks
 * a body once instead of once an iteration.  A callback gets a pointer
 * to its caller's frame (SK_FRAME), takes r6, r8, r9, stap_ctl and
 * stap_fmt from there, and shares the scratch frame.  Code that jumps
 * out of a callback (break, next, return, an error) leaves an escape
 * code in the scratch frame and returns 1; the caller, after the
 * helper returns, jumps on from there (see go() and call_back()).
 * stap-bpfld's interpreter runs loops as plain backward jumps.
 */
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "regex.h"

struct scope *gen_cur;
struct loopctx *gen_loops;
struct tryctx *gen_tries;
struct target gen_epilogue;  /* the probe's epilogue */

struct target
gen_here(struct gen *g)
{
	struct target t = { g->p, asm_label(g->p) };

	return t;
}

/*
 * Jump to t, out of callbacks if need be: a callback returns 1 with an
 * escape code in SC_ESCAPE, which its caller's dispatch turns into the
 * jump (escaping further itself if t is further up).
 */
void
gen_go(struct gen *g, struct target t)
{
	struct prog *p = g->p;
	size_t i;

	if (t.p == p) {
		asm_ja(p, t.label);
		return;
	}
	if (!p->up)
		bug("a jump into a callback");
	for (i = 0; i < p->nesc; i++)
		if (p->esc[i].p == t.p && p->esc[i].label == t.label)
			break;
	if (i == p->nesc) {
		p->esc = vgrow(p->esc, &p->capesc, p->nesc + 1,
		    sizeof *p->esc);
		p->esc[p->nesc].p = t.p;
		p->esc[p->nesc++].label = t.label;
	}
	asm_st(p, BPF_DW, BPF_REG_9, SC_ESCAPE, (int32_t)i + 1);
	asm_movi(p, BPF_REG_0, 1);
	asm_exit(p);
}

/* ---- scratch slots ---- */

int
gen_tmp(struct gen *g, int size)
{
	int off = g->top;

	g->top += (size + 7) & ~7;
	if (g->top > g->maxtop)
		g->maxtop = g->top;
	if (g->top > 30000)
		fatal("a probe needs more than 30000 bytes of scratch space");
	return off;
}

int
gen_sizeof_type(struct gen *g, enum type t)
{
	return t == T_STRING ? g->maxstr : t == T_STATS ? g->stsize : 8;
}

/* Copy n bytes (a multiple of 8) between two base+offset places. */
void
gen_copy(struct gen *g, int dreg, int doff, int sreg, int soff, int n)
{
	int i;

	for (i = 0; i < n; i += 8) {
		asm_ldx(g->p, BPF_DW, BPF_REG_1, sreg, (int16_t)(soff + i));
		asm_stx(g->p, BPF_DW, dreg, (int16_t)(doff + i), BPF_REG_1);
	}
}

void
gen_zero(struct gen *g, int reg, int off, int n)
{
	int i;

	for (i = 0; i < n; i += 8)
		asm_st(g->p, BPF_DW, reg, (int16_t)(off + i), 0);
}

void
gen_load(struct gen *g, int reg, int slot)
{
	asm_ldx(g->p, BPF_DW, reg, BPF_REG_9, (int16_t)slot);
}

void
gen_store(struct gen *g, int slot, int reg)
{
	asm_stx(g->p, BPF_DW, BPF_REG_9, (int16_t)slot, reg);
}

int
gen_const_slot(struct gen *g, int64_t v)
{
	int s = gen_tmp(g, 8);

	asm_ld64(g->p, BPF_REG_1, v);
	gen_store(g, s, BPF_REG_1);
	return s;
}

/* ---- callbacks ---- */

/*
 * Start a callback of the program being generated; its arguments
 * stay in r1..r5 but the one in ctxreg, the caller's SK_FRAME, which
 * gives it r6, r8, r9 and the caller's stap_ctl and stap_fmt.
 */
struct prog *
gen_callback(struct gen *g, int ctxreg, struct loc loc)
{
	struct prog *cb = arena_alloc(sizeof *cb), *pr = g->probe, *up;
	char *name = arena_alloc(strlen(pr->name) + 24);
	int depth = 1;

	/* the kernel allows 8 frames: the probe and 7 callbacks in it */
	for (up = g->p; up->up; up = up->up)
		depth++;
	if (depth == 8)
		diag_error(loc, "loops nested more than 7 deep in a kernel "
		    "probe: the kernel allows 8 call frames%s", g->recursed ?
		    " (recursive functions are inlined MAXNESTING deep; a "
		    "smaller -D MAXNESTING=N nests them less)" : "");

	sprintf(name, "%s_cb%zu", pr->name, pr->nsubs);
	cb->name = name;
	cb->section = ".text";
	cb->kind = "callback";
	cb->probe = pr->probe;
	cb->up = g->p;
	cb->sub = (int)pr->nsubs;
	pr->subs = vgrow(pr->subs, &pr->capsubs, pr->nsubs + 1,
	    sizeof *pr->subs);
	pr->subs[pr->nsubs++] = cb;
	g->p = cb;
	asm_line(cb, loc);
	if (ctxreg < 0)
		return cb;
	asm_ldx(cb, BPF_DW, BPF_REG_9, ctxreg, 0);
	asm_ldx(cb, BPF_DW, BPF_REG_8, ctxreg, SK_R8 - SK_FRAME);
	asm_ldx(cb, BPF_DW, BPF_REG_6, ctxreg, SK_R6 - SK_FRAME);
	if (g->probefmt) {
		asm_ldx(cb, BPF_DW, BPF_REG_0, ctxreg, SK_FMT - SK_FRAME);
		asm_stx(cb, BPF_DW, BPF_REG_10, SK_FMT, BPF_REG_0);
	}
	asm_st(cb, BPF_W, BPF_REG_10, SK_ZERO, 0);
	return cb;
}

/* return r0 = v from a callback: 0 goes on, 1 stops the helper */
void
gen_cb_return(struct prog *p, int v)
{
	asm_movi(p, BPF_REG_0, v);
	asm_exit(p);
}

/*
 * Back in the caller: r1 and the arguments after r2 are set, call the
 * helper with callback cb (finished) in r2, then take the escapes cb
 * left by.
 */
void
gen_invoke(struct gen *g, struct prog *cb, int helper)
{
	struct prog *p = g->p;
	size_t i;

	asm_stx(p, BPF_DW, BPF_REG_10, SK_R6, BPF_REG_6);
	asm_stx(p, BPF_DW, BPF_REG_10, SK_R8, BPF_REG_8);
	asm_stx(p, BPF_DW, BPF_REG_10, SK_R9, BPF_REG_9);
	if (cb->nesc)
		asm_st(p, BPF_DW, BPF_REG_9, SC_ESCAPE, 0);
	asm_ldfunc(p, BPF_REG_2, cb->sub);
	asm_call(p, helper);
	if (!cb->nesc)
		return;
	gen_load(g, BPF_REG_1, SC_ESCAPE);
	for (i = 0; i < cb->nesc; i++) {
		int next = asm_label(p);

		asm_jmp(p, BPF_JNE, BPF_REG_1, -1, (int32_t)i + 1, next);
		asm_st(p, BPF_DW, BPF_REG_9, SC_ESCAPE, 0);
		gen_go(g, cb->esc[i]);
		asm_bind(p, next);
	}
}

/* Finish cb, back in its caller, and call it there */
void
gen_call_back(struct gen *g, struct prog *cb, int helper)
{
	g->p = cb->up;
	if (asm_finish(cb) < 0)
		diag_error(cb->probe->loc, "this loop is too big: a jump does "
		    "not reach%s", g->recursed ? " (recursive functions are "
		    "inlined MAXNESTING deep; a smaller -D MAXNESTING=N "
		    "makes them smaller)" : "");
	gen_invoke(g, cb, helper);
}

/* r3 = the frame for a callback, r4 = 0 (flags, or no context) */
void
gen_frame_args(struct gen *g)
{
	asm_mov(g->p, BPF_REG_3, BPF_REG_10);
	asm_alui(g->p, BPF_ADD, BPF_REG_3, SK_FRAME);
	asm_movi(g->p, BPF_REG_4, 0);
}

/* Back in cb's caller: bpf_for_each_map_elem(map, cb, frame, 0) */
void
gen_call_each(struct gen *g, struct prog *cb, int map)
{
	g->p = cb->up;
	asm_ldmap(g->p, BPF_REG_1, map);
	gen_frame_args(g);
	gen_call_back(g, cb, BPF_FUNC_for_each_map_elem);
}

/* ---- runtime errors and records ---- */

static int
site(struct gen *g, struct loc loc, const char *msg)
{
	g->sites = vgrow(g->sites, &g->capsites, g->nsites + 1,
	    sizeof *g->sites);
	g->sites[g->nsites].loc = loc;
	g->sites[g->nsites].msg = msg;
	return (int)g->nsites++;
}

/* reg = stap_ctl's value, global data: no lookup */
void
gen_ctl_ptr(struct gen *g, int reg)
{
	asm_ldval(g->p, reg, g->m_ctl, 0);
}

/*
 * r1 = stap_ctl: ask stap-bpfld to stop (exit(), an error), and in a
 * kernel probe close the gate too, so that the gate is one test of
 * CTL_RUN (gen_probe).  stap-bpfld never opens it again.
 */
void
gen_stop(struct gen *g)
{
	asm_st(g->p, BPF_DW, BPF_REG_1, CTL_EXIT, 1);
	if (g->probe->section)
		asm_st(g->p, BPF_DW, BPF_REG_1, CTL_RUN, 0);
}

/*
 * A record of a kind and an id alone (exit(), an error of no
 * message): its 8 bytes from the stack, which bpf_ringbuf_output
 * copies; nothing to reserve, test and submit.  A full buffer drops
 * it, as a failed reserve did.
 */
void
gen_record8(struct gen *g, int kind, int id)
{
	struct prog *p = g->p;

	asm_st(p, BPF_W, BPF_REG_10, SK_REC, kind);
	asm_st(p, BPF_W, BPF_REG_10, SK_REC + 4, id);
	asm_ldmap(p, BPF_REG_1, g->m_events);
	asm_mov(p, BPF_REG_2, BPF_REG_10);
	asm_alui(p, BPF_ADD, BPF_REG_2, SK_REC);
	asm_movi(p, BPF_REG_3, 8);
	asm_movi(p, BPF_REG_4, 0);
	asm_call(p, BPF_FUNC_ringbuf_output);
}

/*
 * A runtime error: inside try, go to the catch block; otherwise count
 * it, ask stap-bpfld to stop, tell it what happened (in a kernel
 * probe, an error of no message in stap_ctl alone), end the probe.
 * msgslot holds error()'s message, or -1.
 */
void
gen_throw(struct gen *g, struct loc loc, const char *msg, int msgslot)
{
	int id = site(g, loc, msg), skip = asm_label(g->p);
	/* the site's own message: no payload, and none to zero */
	int size = msgslot >= 0 ? 8 + g->maxstr : 8;

	if (gen_tries) {
		/* the catch variable gets the message stap would print */
		if (gen_tries->msgslot >= 0) {
			if (msgslot < 0)
				msgslot = str_literal(g, msg);
			gen_copy(g, BPF_REG_9, gen_tries->msgslot, BPF_REG_9,
			    msgslot,
			    g->maxstr);
		}
		gen_go(g, gen_tries->catch);
		return;
	}
	gen_ctl_ptr(g, BPF_REG_1);
	asm_movi(g->p, BPF_REG_2, 1);
	asm_emit(g->p, (struct bpf_insn){ .code = BPF_STX | BPF_ATOMIC |
	    BPF_DW, .dst_reg = BPF_REG_1, .src_reg = BPF_REG_2,
	    .off = CTL_ERRORS, .imm = BPF_ADD });
	if (msgslot < 0 && g->probe->section) {
		/* the site in the exit word, which stap-bpfld turns into
		 * the record (lib/abi.h): seven instructions, not sixteen */
		asm_st(g->p, BPF_DW, BPF_REG_1, CTL_EXIT,
		    CTL_EXIT_ERROR + id);
		asm_st(g->p, BPF_DW, BPF_REG_1, CTL_RUN, 0);
		gen_go(g, gen_epilogue);
		return;
	}
	gen_stop(g);
	if (msgslot < 0) {
		gen_record8(g, REC_ERROR, id);
		gen_go(g, gen_epilogue);
		return;
	}
	asm_ldmap(g->p, BPF_REG_1, g->m_events);
	asm_movi(g->p, BPF_REG_2, size);
	asm_movi(g->p, BPF_REG_3, 0);
	asm_call(g->p, BPF_FUNC_ringbuf_reserve);
	asm_jmp(g->p, BPF_JEQ, BPF_REG_0, -1, 0, skip);
	asm_st(g->p, BPF_W, BPF_REG_0, 0, REC_ERROR);
	asm_st(g->p, BPF_W, BPF_REG_0, 4, id);
	if (msgslot >= 0)
		gen_copy(g, BPF_REG_0, 8, BPF_REG_9, msgslot, g->maxstr);
	asm_mov(g->p, BPF_REG_1, BPF_REG_0);
	asm_movi(g->p, BPF_REG_2, 0);
	asm_call(g->p, BPF_FUNC_ringbuf_submit);
	asm_bind(g->p, skip);
	gen_go(g, gen_epilogue);
}

/* ---- for basm.c, the embedded assembler ---- */

int
gen_slot(struct gen *g, int size)
{
	return gen_tmp(g, size);
}

int
gen_string(struct gen *g, const char *s)
{
	return str_literal(g, s);
}

/* The script function exit(). */
void
gen_exit(struct gen *g, struct loc loc)
{
	struct node n = { 0 };

	n.kind = N_CALL;
	n.loc = loc;
	n.str = "exit";
	n.flags = F_BUILTIN;
	call_builtin(g, &n);
}

/*
 * A runtime error whose message is in msgslot, as error() raises it;
 * with catchonly, only inside try (jump_to_catch), else nothing.
 */
void
gen_raise(struct gen *g, struct loc loc, int msgslot, int catchonly)
{
	if (catchonly && !gen_tries)
		return;
	gen_throw(g, loc, "", msgslot);
}

/* To the probe's epilogue. */
void
gen_terminate(struct gen *g)
{
	gen_go(g, gen_epilogue);
}

/* ---- probes ---- */

static void
lookup_one(struct gen *g, int map, int reg, int fail)
{
	asm_ldmap(g->p, BPF_REG_1, map);
	asm_mov(g->p, BPF_REG_2, BPF_REG_10);
	asm_alui(g->p, BPF_ADD, BPF_REG_2, SK_ZERO);
	asm_call(g->p, BPF_FUNC_map_lookup_elem);
	asm_jmp(g->p, BPF_JEQ, BPF_REG_0, -1, 0, fail);
	if (reg != BPF_REG_0)
		asm_mov(g->p, reg, BPF_REG_0);
}

/* Forget a generation cut short (a fuzzer's longjmp out of fatal()) */
void
gen_reset(void)
{
	gen_cur = NULL;
	gen_loops = NULL;
	gen_tries = NULL;
}

/*
 * Does this code format strings in BPF (sprintf, '.') or match regexes,
 * needing stap_fmt?  Each function's answer once (g->fnfmt: 0 not yet,
 * 1 no, 2 yes, 3 being found out): walking calls again and again is
 * exponential in a function that calls another twice.
 */
static int
uses_fmt(struct gen *g, struct node *n)
{
	int i;

	for (; n; n = n->next) {
		if (n->kind == N_CALL && (n->flags & F_BUILTIN) &&
		    (!strncmp(n->str, "sprint", 6) ||
		    stack_uses_fmt(n->str)))
			return 1;
		/* a typed read's fault names its address (typed.c) */
		if (n->kind == N_CAST || n->kind == N_AUTOCAST)
			return 1;
		if ((n->kind == N_BINARY && (n->op == O_CAT ||
		    n->op == O_MATCH || n->op == O_NMATCH)) ||
		    (n->kind == N_ASSIGN && n->op == O_CATEQ))
			return 1;
		if (n->kind == N_CALL && !(n->flags & F_BUILTIN) &&
		    n->num >= 0 && n->num < g->nfuncs) {
			int *st = &g->fnfmt[n->num];

			if (*st == 0) {
				*st = 3;
				*st = uses_fmt(g, g->funcs[n->num]->body) ?
				    2 : 1;
			}
			if (*st == 2)
				return 1;
		}
		for (i = 0; i < N_CHILDREN; i++)
			if (i != CH_locals && uses_fmt(g, *node_child(n, i)))
				return 1;
	}
	return 0;
}

/* uses_fmt of the probe alone: its next is the rest of the script */
static int
probe_uses_fmt(struct gen *g, struct node *probe)
{
	int i;

	for (i = 0; i < N_CHILDREN; i++)
		if (i != CH_locals && uses_fmt(g, *node_child(probe, i)))
			return 1;
	return 0;
}

/*
 * One probe's body in a kernel program that may hold several (probes on
 * one tracepoint share a program): nr >= 0 runs it only for that system
 * call (a syscalls:* probe on raw_syscalls, whose id is at offset 8 as
 * the syscall events' __syscall_nr).  Each body has its own locals, its
 * own MAXACTION count and its own epilogue, so that next ends only it;
 * after exit() or an error the bodies after it do not run, as stap runs
 * no handler once the session stops.
 */
static void
gen_body(struct gen *g, struct node *probe, int64_t nr)
{
	struct prog *p = g->p;
	struct scope sc = { 0 };
	struct node *v;
	int i, n = 0, end;

	gen_epilogue = gen_here(g);
	end = gen_epilogue.label;
	asm_line(p, probe->loc);
	if (nr >= 0) {
		asm_ldx(p, BPF_DW, BPF_REG_1, BPF_REG_10, SK_SYSNR);
		asm_jmp(p, BPF_JNE, BPF_REG_1, -1, (int32_t)nr, end);
	}
	if (p->nmembers > 1) {
		/* an exit of its own: the program's may be out of reach */
		int go_on = asm_label(p);

		asm_ldval(p, BPF_REG_1, g->m_ctl, CTL_RUN);
		asm_ldx(p, BPF_DW, BPF_REG_1, BPF_REG_1, 0);
		asm_jmp(p, BPF_JNE, BPF_REG_1, -1, 0, go_on);
		asm_movi(p, BPF_REG_0, 0);
		asm_exit(p);
		asm_bind(p, go_on);
		asm_st(p, BPF_DW, BPF_REG_9, SC_ACTIONS, 0);
	}
	g->top = SC_FIRST;
	for (v = probe->locals; v; v = v->next)
		n++;
	sc.local = arena_alloc(sizeof *sc.local * (n + 1));
	for (v = probe->locals, i = 0; v; v = v->next, i++) {
		sc.local[i] = gen_tmp(g, gen_sizeof_type(g, v->type));
		gen_zero(g, BPF_REG_9, sc.local[i], gen_sizeof_type(g,
		    v->type));
	}
	sc.depth = gen_depth(probe);
	sc.probe = probe;
	gen_cur = &sc;
	if (probe->points->cond) {
		int c = expr(g, probe->points->cond);

		gen_load(g, BPF_REG_1, c);
		asm_jmp(p, BPF_JEQ, BPF_REG_1, -1, 0, end);
	}
	stmt(g, probe->body);
	gen_cur = NULL;
	asm_bind(p, end);
}

/*
 * Prologue: the frame, the globals, stap_ctl and stap_fmt in reach;
 * then the body of each probe the program holds (p->members, or probe
 * alone).
 */
void
gen_probe(struct gen *g, struct prog *p, struct node *probe, int init)
{
	struct node *v;
	size_t j;
	int i, outlabel;

	g->p = g->probe = p;
	g->top = SC_FIRST;
	if (g->top > g->maxtop)
		g->maxtop = g->top;
	outlabel = asm_label(p);
	asm_line(p, probe->loc);
	asm_mov(p, BPF_REG_6, BPF_REG_1);
	asm_st(p, BPF_W, BPF_REG_10, SK_ZERO, 0);
	if (p->section && (!strcmp(p->kind, "timer") ||
	    !strcmp(p->kind, "perf"))) {
		/* count the runs, gate or no gate: stap-bpfld compares
		 * them with the periods its perf event counted, which
		 * tells the ticks the kernel dropped (man stap-bpfld) */
		p->ticks = g->gsize;
		g->gsize += 8;
		asm_ldval(p, BPF_REG_1, g->m_globals, p->ticks);
		asm_movi(p, BPF_REG_2, 1);
		asm_emit(p, (struct bpf_insn){ .code = BPF_STX | BPF_ATOMIC |
		    BPF_DW, .dst_reg = BPF_REG_1, .src_reg = BPF_REG_2,
		    .imm = BPF_ADD });
	}
	if (p->section) {
		/* no probe handler runs before the initialisers and the
		 * begin probes have, nor after exit(), an error or the
		 * stop, as in stap: stap-bpfld sets and clears CTL_RUN,
		 * and detaching takes its time; exit() and errors clear
		 * it too (gen_stop) */
		gen_ctl_ptr(g, BPF_REG_1);
		asm_ldx(p, BPF_DW, BPF_REG_1, BPF_REG_1, CTL_RUN);
		asm_jmp(p, BPF_JEQ, BPF_REG_1, -1, 0, outlabel);
	}
	g->probefmt = 0;
	for (j = 0; g->m_fmt >= 0 && !init && j < (p->nmembers ?
	    p->nmembers : 1); j++)
		if (probe_uses_fmt(g, p->nmembers ? p->members[j].probe :
		    probe))
			g->probefmt = 1;
	if (g->probefmt) {
		lookup_one(g, g->m_fmt, BPF_REG_0, outlabel);
		asm_stx(p, BPF_DW, BPF_REG_10, SK_FMT, BPF_REG_0);
	}
	asm_ldval(p, BPF_REG_8, g->m_globals, 0);
	lookup_one(g, g->m_scratch, BPF_REG_9, outlabel);
	asm_st(p, BPF_DW, BPF_REG_9, SC_ACTIONS, 0);
	for (j = 0; j < p->nmembers; j++)
		if (p->members[j].nr >= 0)
			break;
	if (j < p->nmembers) {
		/*
		 * The id from the stack, not the record: the verifier ties
		 * a spilled scalar to the registers filled from it, so once
		 * one body's test has passed it knows the id, and skips the
		 * others' bodies on that path.  Reading the record each
		 * time, it would walk every body after every other: hundreds
		 * of bodies are too many for it (syscall.*).
		 */
		asm_ldx(p, BPF_DW, BPF_REG_1, BPF_REG_6, 8);
		asm_stx(p, BPF_DW, BPF_REG_10, SK_SYSNR, BPF_REG_1);
	}
	if (init) {
		/* the initialisers of globals, before any begin probe */
		for (i = 0; i < g->nglobals; i++) {
			int s;

			v = g->gvar[i];
			if (!v->l || g->gmap[i] >= 0)
				continue;
			s = v->l->kind == N_STR ? str_literal(g, v->l->str) :
			    gen_const_slot(g, v->l->num);
			gen_copy(g, BPF_REG_8, g->goff[i], BPF_REG_9, s,
			    gen_sizeof_type(g, v->type));
		}
		g->top = SC_FIRST;
		asm_bind(p, outlabel);
	} else if (p->nmembers <= 1) {
		gen_body(g, p->nmembers ? p->members[0].probe : probe,
		    p->nmembers ? p->members[0].nr : -1);
		asm_bind(p, outlabel);
	} else {
		/* the prologue's way out, in reach of its jumps whatever
		 * the size of the bodies */
		int start = asm_label(p);

		asm_ja(p, start);
		asm_bind(p, outlabel);
		asm_movi(p, BPF_REG_0, 0);
		asm_exit(p);
		asm_bind(p, start);
		for (j = 0; j < p->nmembers; j++)
			gen_body(g, p->members[j].probe, p->members[j].nr);
	}
	asm_movi(p, BPF_REG_0, 0);
	asm_exit(p);
	if (asm_finish(p) < 0)
		diag_error(probe->loc, "this probe is too big: a jump does not "
		    "reach%s", g->recursed ? " (recursive functions are "
		    "inlined MAXNESTING deep; a smaller -D MAXNESTING=N "
		    "makes them smaller)" : "");
}
