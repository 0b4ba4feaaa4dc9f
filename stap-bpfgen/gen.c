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

enum {
	SK_ZERO = -8,           /* u32 0, the key of the 1-entry maps */
	SK_CTL = -16,           /* stap_ctl value */
	SK_FMT = -24,           /* stap_fmt value */
	SK_TMP = -40,
	SK_R9 = -64,            /* r9, r8, r6 for a callback to take */
	SK_R8 = -56,
	SK_R6 = -48,
	SK_FRAME = SK_R9,       /* what a callback gets */
};

/* How deep a probe's tree may nest with its functions' bodies inlined
 * into it, for the recursion here: a few MB of stack under ASan */
enum { MAXINLINED = 3 * TREE_MAXDEPTH };

/* Fixed slots of the scratch frame */
enum {
	SC_ACTIONS = 0,         /* loop iterations so far */
	SC_ESCAPE = 8,          /* why a callback returned early */
	SC_FIRST = 16,
};

struct scope {
	struct node *fn;        /* the FUNC being inlined, or NULL */
	int depth;              /* tree levels nested so far, inlining */
	int *local;             /* scratch offsets of its locals */
	int *param;             /* and of its parameters */
	struct target ret;
	int retslot;
	struct scope *up;
};

struct loopctx {
	struct target brk, cont;
	struct loopctx *up;
};

struct tryctx {
	struct target catch;
	int msgslot;            /* where the message goes, or -1 */
	struct tryctx *up;
};

static int expr(struct gen *g, struct node *n);
static void stmt(struct gen *g, struct node *n);
static int str_literal(struct gen *g, const char *s);
static int is_slice(struct node *args);
static int *slice_values(struct gen *g, struct node *args);
static void slice_walk(struct gen *g, struct node *v, int map, const int *sl,
    int res, struct loc loc);

static struct scope *cur;
static struct loopctx *loops;
static struct tryctx *tries;
static struct target epilogue;  /* the probe's epilogue */

static struct target
here(struct gen *g)
{
	struct target t = { g->p, asm_label(g->p) };

	return t;
}

/*
 * Jump to t, out of callbacks if need be: a callback returns 1 with an
 * escape code in SC_ESCAPE, which its caller's dispatch turns into the
 * jump (escaping further itself if t is further up).
 */
static void
go(struct gen *g, struct target t)
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

static int
tmp(struct gen *g, int size)
{
	int off = g->top;

	g->top += (size + 7) & ~7;
	if (g->top > g->maxtop)
		g->maxtop = g->top;
	if (g->top > 30000)
		fatal("a probe needs more than 30000 bytes of scratch space");
	return off;
}

static int
sizeof_type(struct gen *g, enum type t)
{
	return t == T_STRING ? g->maxstr : t == T_STATS ? g->stsize : 8;
}

/* Copy n bytes (a multiple of 8) between two base+offset places. */
static void
copy(struct gen *g, int dreg, int doff, int sreg, int soff, int n)
{
	int i;

	for (i = 0; i < n; i += 8) {
		asm_ldx(g->p, BPF_DW, BPF_REG_1, sreg, (int16_t)(soff + i));
		asm_stx(g->p, BPF_DW, dreg, (int16_t)(doff + i), BPF_REG_1);
	}
}

static void
zero(struct gen *g, int reg, int off, int n)
{
	int i;

	for (i = 0; i < n; i += 8)
		asm_st(g->p, BPF_DW, reg, (int16_t)(off + i), 0);
}

static void
load(struct gen *g, int reg, int slot)
{
	asm_ldx(g->p, BPF_DW, reg, BPF_REG_9, (int16_t)slot);
}

static void
store(struct gen *g, int slot, int reg)
{
	asm_stx(g->p, BPF_DW, BPF_REG_9, (int16_t)slot, reg);
}

static int
const_slot(struct gen *g, int64_t v)
{
	int s = tmp(g, 8);

	asm_ld64(g->p, BPF_REG_1, v);
	store(g, s, BPF_REG_1);
	return s;
}

/* ---- callbacks ---- */

/*
 * Start a callback of the program being generated; its arguments
 * stay in r1..r5 but the one in ctxreg, the caller's SK_FRAME, which
 * gives it r6, r8, r9 and the caller's stap_ctl and stap_fmt.
 */
static struct prog *
callback(struct gen *g, int ctxreg, struct loc loc)
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
	asm_ldx(cb, BPF_DW, BPF_REG_0, ctxreg, SK_CTL - SK_FRAME);
	asm_stx(cb, BPF_DW, BPF_REG_10, SK_CTL, BPF_REG_0);
	if (g->probefmt) {
		asm_ldx(cb, BPF_DW, BPF_REG_0, ctxreg, SK_FMT - SK_FRAME);
		asm_stx(cb, BPF_DW, BPF_REG_10, SK_FMT, BPF_REG_0);
	}
	asm_st(cb, BPF_W, BPF_REG_10, SK_ZERO, 0);
	return cb;
}

/* return r0 = v from a callback: 0 goes on, 1 stops the helper */
static void
cb_return(struct prog *p, int v)
{
	asm_movi(p, BPF_REG_0, v);
	asm_exit(p);
}

/*
 * Back in the caller: r1 and the arguments after r2 are set, call the
 * helper with callback cb (finished) in r2, then take the escapes cb
 * left by.
 */
static void
invoke(struct gen *g, struct prog *cb, int helper)
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
	load(g, BPF_REG_1, SC_ESCAPE);
	for (i = 0; i < cb->nesc; i++) {
		int next = asm_label(p);

		asm_jmp(p, BPF_JNE, BPF_REG_1, -1, (int32_t)i + 1, next);
		asm_st(p, BPF_DW, BPF_REG_9, SC_ESCAPE, 0);
		go(g, cb->esc[i]);
		asm_bind(p, next);
	}
}

/* Finish cb, back in its caller, and call it there */
static void
call_back(struct gen *g, struct prog *cb, int helper)
{
	g->p = cb->up;
	if (asm_finish(cb) < 0)
		diag_error(cb->probe->loc, "this loop is too big: a jump does "
		    "not reach%s", g->recursed ? " (recursive functions are "
		    "inlined MAXNESTING deep; a smaller -D MAXNESTING=N "
		    "makes them smaller)" : "");
	invoke(g, cb, helper);
}

/* r3 = the frame for a callback, r4 = 0 (flags, or no context) */
static void
frame_args(struct gen *g)
{
	asm_mov(g->p, BPF_REG_3, BPF_REG_10);
	asm_alui(g->p, BPF_ADD, BPF_REG_3, SK_FRAME);
	asm_movi(g->p, BPF_REG_4, 0);
}

/* Back in cb's caller: bpf_for_each_map_elem(map, cb, frame, 0) */
static void
call_each(struct gen *g, struct prog *cb, int map)
{
	g->p = cb->up;
	asm_ldmap(g->p, BPF_REG_1, map);
	frame_args(g);
	call_back(g, cb, BPF_FUNC_for_each_map_elem);
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

static void
ctl_ptr(struct gen *g, int reg)
{
	asm_ldx(g->p, BPF_DW, reg, BPF_REG_10, SK_CTL);
}

/*
 * A runtime error: inside try, go to the catch block; otherwise count
 * it, ask stap-bpfld to stop, tell it what happened, end the probe.
 * msgslot holds error()'s message, or -1.
 */
static void
raise(struct gen *g, struct loc loc, const char *msg, int msgslot)
{
	int id = site(g, loc, msg), skip = asm_label(g->p);
	int size = 8 + g->maxstr;

	if (tries) {
		/* the catch variable gets the message stap would print */
		if (tries->msgslot >= 0) {
			if (msgslot < 0)
				msgslot = str_literal(g, msg);
			copy(g, BPF_REG_9, tries->msgslot, BPF_REG_9, msgslot,
			    g->maxstr);
		}
		go(g, tries->catch);
		return;
	}
	ctl_ptr(g, BPF_REG_1);
	asm_movi(g->p, BPF_REG_2, 1);
	asm_emit(g->p, (struct bpf_insn){ .code = BPF_STX | BPF_ATOMIC |
	    BPF_DW, .dst_reg = BPF_REG_1, .src_reg = BPF_REG_2,
	    .off = CTL_ERRORS, .imm = BPF_ADD });
	asm_st(g->p, BPF_DW, BPF_REG_1, CTL_EXIT, 1);
	asm_ldmap(g->p, BPF_REG_1, g->m_events);
	asm_movi(g->p, BPF_REG_2, size);
	asm_movi(g->p, BPF_REG_3, 0);
	asm_call(g->p, BPF_FUNC_ringbuf_reserve);
	asm_jmp(g->p, BPF_JEQ, BPF_REG_0, -1, 0, skip);
	asm_st(g->p, BPF_W, BPF_REG_0, 0, REC_ERROR);
	asm_st(g->p, BPF_W, BPF_REG_0, 4, id);
	if (msgslot >= 0)
		copy(g, BPF_REG_0, 8, BPF_REG_9, msgslot, g->maxstr);
	else
		zero(g, BPF_REG_0, 8, g->maxstr);
	asm_mov(g->p, BPF_REG_1, BPF_REG_0);
	asm_movi(g->p, BPF_REG_2, 0);
	asm_call(g->p, BPF_FUNC_ringbuf_submit);
	asm_bind(g->p, skip);
	go(g, epilogue);
}

/* ---- strings ---- */

static int
str_literal(struct gen *g, const char *s)
{
	int slot = tmp(g, g->maxstr), i, j;
	size_t len = strlen(s);

	if (len > (size_t)g->maxstr - 1)
		len = g->maxstr - 1;
	for (i = 0; i < g->maxstr; i += 8) {
		uint64_t w = 0;

		for (j = 0; j < 8 && (size_t)(i + j) < len; j++)
			w |= (uint64_t)(unsigned char)s[i + j] << (8 * j);
		if (w == 0) {
			asm_st(g->p, BPF_DW, BPF_REG_9, (int16_t)(slot + i), 0);
			continue;
		}
		asm_ld64(g->p, BPF_REG_1, (int64_t)w);
		asm_stx(g->p, BPF_DW, BPF_REG_9, (int16_t)(slot + i),
		    BPF_REG_1);
	}
	return slot;
}

/* The offset of fmt in stap_fmt, adding it the first time. */
static int
fmtstr(struct gen *g, const char *fmt)
{
	size_t i, n = strlen(fmt) + 1;

	for (i = 0; i < g->nfmtstrs; i++)
		if (!g->fmtstrs[i].bytes && !strcmp(g->fmtstrs[i].s, fmt))
			return g->fmtstrs[i].off;
	g->fmtstrs = vgrow(g->fmtstrs, &g->capfmtstrs, g->nfmtstrs + 1,
	    sizeof *g->fmtstrs);
	memset(&g->fmtstrs[g->nfmtstrs], 0, sizeof *g->fmtstrs);
	g->fmtstrs[g->nfmtstrs].s = arena_strndup(fmt, n - 1);
	g->fmtstrs[g->nfmtstrs].off = (int)g->fmtlen;
	g->fmtlen += n;
	g->usesfmt = 1;
	return g->fmtstrs[g->nfmtstrs++].off;
}

/* What an sprintf argument needs before bpf_snprintf sees it */
struct conv {
	char kind;              /* 0, or 'o' and 'b': made a string first */
	int digits;             /* %o: at least so many */
	int alt;                /* %#o */
	int bytes;              /* %b: of the value, 1, 2, 4 or 8 */
};

/*
 * The DFA of regex re (a literal at loc) in stap_fmt, once a regex:
 * nstates rows of 256 next states, then nstates accept flags.  -1
 * after an error at the regex.
 */
static int
retable(struct gen *g, struct loc loc, const char *re, int *nstates)
{
	struct redfa *d;
	char err[200];
	int erroff = 0;
	size_t i, n;
	unsigned char *b;

	for (i = 0; i < g->nfmtstrs; i++)
		if (g->fmtstrs[i].bytes && !strcmp(g->fmtstrs[i].s, re)) {
			*nstates = g->fmtstrs[i].nstates;
			return g->fmtstrs[i].off;
		}
	if (!(d = re_compile(re, err, sizeof err, &erroff))) {
		/* under the byte it is about, escapes in the literal
		 * counted as they are written */
		size_t len;
		const char *line = src_line(loc.file, loc.line, &len);

		if (line && erroff >= 0 && (size_t)loc.col <= len)
			loc.col += 1 + (int)lex_string_offset(line + loc.col,
			    len - loc.col, (size_t)erroff);
		diag_error(loc, "regular expression: %s", err);
		return -1;
	}
	n = (size_t)d->nstates * 257;
	b = arena_alloc(n);
	memcpy(b, d->next, (size_t)d->nstates * 256);
	memcpy(b + (size_t)d->nstates * 256, d->accept, (size_t)d->nstates);
	g->fmtstrs = vgrow(g->fmtstrs, &g->capfmtstrs, g->nfmtstrs + 1,
	    sizeof *g->fmtstrs);
	g->fmtstrs[g->nfmtstrs].s = arena_strndup(re, strlen(re));
	g->fmtstrs[g->nfmtstrs].off = (int)g->fmtlen;
	g->fmtstrs[g->nfmtstrs].bytes = b;
	g->fmtstrs[g->nfmtstrs].n = n;
	g->fmtstrs[g->nfmtstrs].nstates = d->nstates;
	g->fmtlen += n;
	g->usesfmt = 1;
	*nstates = d->nstates;
	re_free(d);
	return g->fmtstrs[g->nfmtstrs++].off;
}

/*
 * s =~ re: walk the DFA over s's bytes and its NUL, stopping at the
 * first accepting state (a match) or after the NUL.  The table is in
 * stap_fmt, read-only to the program; a bounded loop the verifier
 * follows to its end, as str_compare's.
 */
static int
regex_match(struct gen *g, struct node *n)
{
	struct prog *p = g->p;
	int s = expr(g, n->l), res = tmp(g, 8), ns, off, yes, done, loop;

	off = retable(g, n->r->loc, n->r->str, &ns);
	yes = asm_label(p);
	done = asm_label(p);
	loop = asm_label(p);
	asm_st(p, BPF_DW, BPF_REG_9, (int16_t)res, n->op == O_NMATCH);
	if (off < 0)
		return res;
	asm_ldx(p, BPF_DW, BPF_REG_5, BPF_REG_10, SK_FMT);
	asm_movi(p, BPF_REG_3, 0);              /* the state */
	asm_ldx(p, BPF_B, BPF_REG_1, BPF_REG_5, (int16_t)(off + ns * 256));
	asm_jmp(p, BPF_JNE, BPF_REG_1, -1, 0, yes);
	asm_movi(p, BPF_REG_4, 0);              /* the index in s */
	asm_bind(p, loop);
	asm_escape(p, s, g->maxstr);
	asm_mov(p, BPF_REG_2, BPF_REG_9);
	asm_alu(p, BPF_ADD, BPF_REG_2, BPF_REG_4);
	asm_ldx(p, BPF_B, BPF_REG_2, BPF_REG_2, (int16_t)s);
	asm_jmp(p, BPF_JGE, BPF_REG_3, -1, ns, done);
	asm_alui(p, BPF_LSH, BPF_REG_3, 8);
	asm_alu(p, BPF_ADD, BPF_REG_3, BPF_REG_2);
	asm_alu(p, BPF_ADD, BPF_REG_3, BPF_REG_5);
	asm_ldx(p, BPF_B, BPF_REG_3, BPF_REG_3, (int16_t)off);
	asm_jmp(p, BPF_JGE, BPF_REG_3, -1, ns, done);
	asm_mov(p, BPF_REG_1, BPF_REG_3);
	asm_alu(p, BPF_ADD, BPF_REG_1, BPF_REG_5);
	asm_ldx(p, BPF_B, BPF_REG_1, BPF_REG_1, (int16_t)(off + ns * 256));
	asm_jmp(p, BPF_JNE, BPF_REG_1, -1, 0, yes);
	asm_jmp(p, BPF_JEQ, BPF_REG_2, -1, 0, done);
	asm_alui(p, BPF_ADD, BPF_REG_4, 1);
	asm_jmp(p, BPF_JLT, BPF_REG_4, -1, g->maxstr, loop);
	asm_ja(p, done);
	asm_bind(p, yes);
	asm_st(p, BPF_DW, BPF_REG_9, (int16_t)res, n->op == O_MATCH);
	asm_bind(p, done);
	return res;
}

/*
 * A script format as bpf_snprintf takes it: integer conversions are
 * 64-bit in stap but int unless told in the kernel's, so every one gets
 * "ll"; %p is stap's "0x" and 16 hex digits.  The helper has no %o or
 * %b (their values become strings first, cv says how, an entry an
 * argument, and the conversion a %s of the same width), takes no '#'
 * and no precision: a string's precision cuts a copy of it, "%#x"
 * becomes "0x%x"; what is left (a number's precision, '#' with a
 * width) stap-bpfld's interpreter formats, so it is refused only in a
 * kernel probe, at the script's line.
 */
static char *
kernel_format(struct node *at, const char *fmt, struct conv *cv, int ncv,
    int kernel)
{
	size_t n = strlen(fmt);
	char *out = arena_alloc(3 * n + 1 + 64 * n), *o = out, *pct;
	const char *p, *q;
	int arg = 0;

	for (p = fmt; *p; p++) {
		int minus = 0, zero = 0, alt = 0, width = -1, prec = -1;

		*o++ = *p;
		if (*p != '%')
			continue;
		if (p[1] == '%') {
			*o++ = *++p;
			continue;
		}
		pct = o - 1;
		for (q = p + 1; *q && strchr("-+ #0", *q); q++) {
			minus |= *q == '-';
			zero |= *q == '0';
			alt |= *q == '#';
		}
		for (; *q >= '0' && *q <= '9'; q++)
			width = width < 0 ? *q - '0' : width < 10000 ?
			    width * 10 + *q - '0' : width;
		if (*q == '.')
			for (prec = 0, q++; *q >= '0' && *q <= '9'; q++)
				prec = prec < 10000 ? prec * 10 + *q - '0' :
				    prec;
		while (p[1] && strchr("-+ #0123456789.", p[1]))
			*o++ = *++p;
		while (p[1] == 'l' || p[1] == 'h' || p[1] == 'z' || p[1] == 'j')
			p++;
		if (arg < ncv)
			memset(&cv[arg], 0, sizeof cv[arg]);
		switch (p[1]) {
		case 'd': case 'i': case 'u': case 'x': case 'X':
			if (kernel && (prec >= 0 || (alt && (width >= 0 ||
			    p[1] == 'd' || p[1] == 'i' || p[1] == 'u')))) {
				diag_error(at->loc, "sprintf: the kernel's "
				    "bpf_snprintf has no '#' or precision for "
				    "numbers; stap-bpf cannot format this in a "
				    "kernel probe yet");
				*o = '\0';
				return out;
			}
			if (alt && width < 0) {
				/* stap's "%#x" is "0x" then the digits */
				o = pct;
				o += sprintf(o, "0%c%%", p[1]);
			}
			*o++ = 'l';
			*o++ = 'l';
			*o++ = *++p;
			break;
		case 'p':
			/* as stap-bpfld's printf: spaces to the width, "0x",
			 * zero-padded digits, 16 of them unless a width
			 * says otherwise */
			o = pct;
			if (width < 0)
				width = 18;
			if (!minus && width > 18)
				o += sprintf(o, "%*s", width - 18, "");
			o += sprintf(o, "0x%%0%dllx", !minus && width > 18 ?
			    16 : width > 2 ? width - 2 : 1);
			p++;
			break;
		case 's':
			if (prec >= 0 && arg < ncv) {
				cv[arg].kind = 's';
				cv[arg].digits = prec;
			}
			o = pct;
			o += sprintf(o, "%%%s", minus ? "-" : "");
			if (width >= 0)
				o += sprintf(o, "%d", width);
			*o++ = *++p;
			break;
		case 'c':
			*o++ = *++p;
			break;
		case 'o': case 'b':
			if (arg < ncv && p[1] == 'o') {
				cv[arg].kind = 'o';
				cv[arg].alt = alt;
				cv[arg].digits = prec >= 0 ? prec : zero &&
				    !minus && width > 0 ? width - alt : 1;
			} else if (arg < ncv) {
				cv[arg].kind = 'b';
				cv[arg].bytes = width == 1 || width == 2 ||
				    width == 4 ? width : 8;
			}
			o = pct;
			if (p[1] == 'o' && width > 0)
				o += sprintf(o, "%%%s%ds", minus ? "-" : "",
				    width);
			else
				o += sprintf(o, "%%s");
			p++;
			break;
		default:
			diag_error(at->loc, "sprintf conversion '%%%c' is not "
			    "supported by stap-bpf yet", p[1] ? p[1] : ' ');
			*o = '\0';
			return out;
		}
		arg++;
	}
	*o = '\0';
	return out;
}

/* A copy of the string in slot, cut to prec bytes: %.Ns */
static int
str_cut(struct gen *g, int slot, int prec)
{
	int res = tmp(g, g->maxstr);

	copy(g, BPF_REG_9, res, BPF_REG_9, slot, g->maxstr);
	if (prec < g->maxstr)
		asm_st(g->p, BPF_B, BPF_REG_9, (int16_t)(res + prec), 0);
	return res;
}

/*
 * The octal digits of the long in slot, at least digits of them, then
 * a leading 0 for alt: a string for %o, written from its end
 */
static int
octal(struct gen *g, int slot, const struct conv *cv)
{
	struct prog *p = g->p;
	int res = tmp(g, g->maxstr), lmax = g->maxstr - 1;
	int count = asm_label(p), counted = asm_label(p), loop = asm_label(p);
	int done = asm_label(p);
	int digits = cv->digits < lmax ? cv->digits : lmax;

	if (lmax > 64)
		lmax = 64;
	if (digits > lmax)
		digits = lmax;
	zero(g, BPF_REG_9, res, g->maxstr);
	/* r3 = how many digits v has */
	load(g, BPF_REG_1, slot);
	asm_movi(p, BPF_REG_3, 0);
	asm_bind(p, count);
	asm_alui(p, BPF_ADD, BPF_REG_3, 1);
	asm_alui(p, BPF_RSH, BPF_REG_1, 3);
	asm_jmp(p, BPF_JEQ, BPF_REG_1, -1, 0, counted);
	asm_jmp(p, BPF_JLT, BPF_REG_3, -1, 22, count);
	asm_bind(p, counted);
	{
		int more = asm_label(p);

		asm_jmp(p, BPF_JGE, BPF_REG_3, -1, digits, more);
		asm_movi(p, BPF_REG_3, digits);
		asm_bind(p, more);
	}
	/* '#': a 0 before them, as stap's runtime writes it (0 is "00") */
	if (cv->alt)
		asm_alui(p, BPF_ADD, BPF_REG_3, 1);
	/* r3 = length; r4 = i from 0: digit i from the end at r3-1-i */
	load(g, BPF_REG_1, slot);
	asm_movi(p, BPF_REG_4, 0);
	asm_bind(p, loop);
	asm_jmp(p, BPF_JGE, BPF_REG_4, BPF_REG_3, 0, done);
	asm_mov(p, BPF_REG_5, BPF_REG_3);
	asm_alu(p, BPF_SUB, BPF_REG_5, BPF_REG_4);
	asm_alui(p, BPF_SUB, BPF_REG_5, 1);
	asm_jmp(p, BPF_JGE, BPF_REG_5, -1, lmax, done);
	asm_mov(p, BPF_REG_2, BPF_REG_1);
	asm_alui(p, BPF_AND, BPF_REG_2, 7);
	asm_alui(p, BPF_ADD, BPF_REG_2, '0');
	asm_alu(p, BPF_ADD, BPF_REG_5, BPF_REG_9);
	asm_stx(p, BPF_B, BPF_REG_5, (int16_t)res, BPF_REG_2);
	asm_alui(p, BPF_RSH, BPF_REG_1, 3);
	asm_alui(p, BPF_ADD, BPF_REG_4, 1);
	asm_jmp(p, BPF_JLT, BPF_REG_4, -1, lmax, loop);
	asm_bind(p, done);
	return res;
}

/* %b: the value's low bytes as they are, a string up to a NUL */
static int
binary(struct gen *g, int slot, const struct conv *cv)
{
	int res = tmp(g, g->maxstr);

	zero(g, BPF_REG_9, res, g->maxstr);
	load(g, BPF_REG_1, slot);
	if (cv->bytes < 8) {
		asm_alui(g->p, BPF_LSH, BPF_REG_1, 64 - 8 * cv->bytes);
		asm_alui(g->p, BPF_RSH, BPF_REG_1, 64 - 8 * cv->bytes);
	}
	store(g, res, BPF_REG_1);
	return res;
}

/*
 * out = snprintf(fmt, args): through the bpf_snprintf helper, whose
 * format must sit in a frozen read-only map (stap_fmt) and whose
 * arguments are an array of u64: longs as values, strings as pointers.
 */
static int
snprintf_(struct gen *g, const char *fmt, const int *slots,
    const enum type *types, int n)
{
	int out = tmp(g, g->maxstr), data = tmp(g, 8 * (n ? n : 1));
	int off = fmtstr(g, fmt), i;

	for (i = 0; i < n; i++) {
		if (types[i] == T_STRING) {
			asm_escape(g->p, slots[i], g->maxstr);
			asm_mov(g->p, BPF_REG_1, BPF_REG_9);
			asm_alui(g->p, BPF_ADD, BPF_REG_1, slots[i]);
		} else {
			load(g, BPF_REG_1, slots[i]);
		}
		store(g, data + 8 * i, BPF_REG_1);
	}
	zero(g, BPF_REG_9, out, g->maxstr);
	asm_escape(g->p, out, g->maxstr);
	asm_mov(g->p, BPF_REG_1, BPF_REG_9);
	asm_alui(g->p, BPF_ADD, BPF_REG_1, out);
	asm_movi(g->p, BPF_REG_2, g->maxstr);
	asm_ldx(g->p, BPF_DW, BPF_REG_3, BPF_REG_10, SK_FMT);
	asm_alui(g->p, BPF_ADD, BPF_REG_3, off);
	if (n) {
		asm_escape(g->p, data, 8 * n);
		asm_mov(g->p, BPF_REG_4, BPF_REG_9);
		asm_alui(g->p, BPF_ADD, BPF_REG_4, data);
	} else {
		asm_movi(g->p, BPF_REG_4, 0);
	}
	asm_movi(g->p, BPF_REG_5, 8 * n);
	asm_call(g->p, BPF_FUNC_snprintf);
	return out;
}

/*
 * r0 = strcmp(a, b) as -1, 0, 1: a byte loop with a constant bound,
 * which the verifier follows to its end.
 */
static int
str_compare(struct gen *g, int a, int b)
{
	struct prog *p = g->p;
	int res = tmp(g, 8);
	int loop = asm_label(p), diff = asm_label(p), equal = asm_label(p);
	int less = asm_label(p), done = asm_label(p);

	asm_movi(p, BPF_REG_1, 0);
	asm_bind(p, loop);
	asm_escape(p, a, g->maxstr);
	asm_escape(p, b, g->maxstr);
	asm_mov(p, BPF_REG_2, BPF_REG_9);
	asm_alu(p, BPF_ADD, BPF_REG_2, BPF_REG_1);
	asm_ldx(p, BPF_B, BPF_REG_3, BPF_REG_2, (int16_t)a);
	asm_ldx(p, BPF_B, BPF_REG_4, BPF_REG_2, (int16_t)b);
	asm_jmp(p, BPF_JNE, BPF_REG_3, BPF_REG_4, 0, diff);
	asm_jmp(p, BPF_JEQ, BPF_REG_3, -1, 0, equal);
	asm_alui(p, BPF_ADD, BPF_REG_1, 1);
	asm_jmp(p, BPF_JLT, BPF_REG_1, -1, g->maxstr, loop);
	asm_bind(p, equal);
	asm_movi(p, BPF_REG_0, 0);
	asm_ja(p, done);
	asm_bind(p, diff);
	asm_jmp(p, BPF_JLT, BPF_REG_3, BPF_REG_4, 0, less);
	asm_movi(p, BPF_REG_0, 1);
	asm_ja(p, done);
	asm_bind(p, less);
	asm_movi(p, BPF_REG_0, -1);
	asm_bind(p, done);
	store(g, res, BPF_REG_0);
	return res;
}

static int
str_length(struct gen *g, int s)
{
	struct prog *p = g->p;
	int res = tmp(g, 8), loop = asm_label(p), done = asm_label(p);

	asm_movi(p, BPF_REG_1, 0);
	asm_bind(p, loop);
	asm_escape(p, s, g->maxstr);
	asm_mov(p, BPF_REG_2, BPF_REG_9);
	asm_alu(p, BPF_ADD, BPF_REG_2, BPF_REG_1);
	asm_ldx(p, BPF_B, BPF_REG_3, BPF_REG_2, (int16_t)s);
	asm_jmp(p, BPF_JEQ, BPF_REG_3, -1, 0, done);
	asm_alui(p, BPF_ADD, BPF_REG_1, 1);
	asm_jmp(p, BPF_JLT, BPF_REG_1, -1, g->maxstr, loop);
	asm_bind(p, done);
	store(g, res, BPF_REG_1);
	return res;
}

/* substr(s, start, len): bytes start.. of s, at most len of them */
static int
str_sub(struct gen *g, int s, int start, int len)
{
	struct prog *p = g->p;
	int res = tmp(g, g->maxstr), loop = asm_label(p), done = asm_label(p);

	zero(g, BPF_REG_9, res, g->maxstr);
	load(g, BPF_REG_4, start);      /* r4: the source index */
	load(g, BPF_REG_5, len);        /* r5: bytes left to take */
	asm_movi(p, BPF_REG_1, 0);      /* r1: the destination index */
	asm_bind(p, loop);
	asm_jmp(p, BPF_JSLE, BPF_REG_5, -1, 0, done);
	asm_jmp(p, BPF_JSLT, BPF_REG_4, -1, 0, done);
	asm_jmp(p, BPF_JSGE, BPF_REG_4, -1, g->maxstr, done);
	asm_jmp(p, BPF_JGE, BPF_REG_1, -1, g->maxstr - 1, done);
	asm_escape(p, s, g->maxstr);
	asm_mov(p, BPF_REG_2, BPF_REG_9);
	asm_alu(p, BPF_ADD, BPF_REG_2, BPF_REG_4);
	asm_ldx(p, BPF_B, BPF_REG_3, BPF_REG_2, (int16_t)s);
	asm_jmp(p, BPF_JEQ, BPF_REG_3, -1, 0, done);
	asm_escape(p, res, g->maxstr);
	asm_mov(p, BPF_REG_2, BPF_REG_9);
	asm_alu(p, BPF_ADD, BPF_REG_2, BPF_REG_1);
	asm_stx(p, BPF_B, BPF_REG_2, (int16_t)res, BPF_REG_3);
	asm_alui(p, BPF_ADD, BPF_REG_1, 1);
	asm_alui(p, BPF_ADD, BPF_REG_4, 1);
	asm_alui(p, BPF_SUB, BPF_REG_5, 1);
	asm_ja(p, loop);
	asm_bind(p, done);
	return res;
}

/*
 * isinstr(a, b): a naive double loop.  In the kernel the outer loop is
 * a bpf_loop callback, whose index is the start in a; the verifier
 * would give up following 128 x 128 paths inline.
 */
static int
str_find(struct gen *g, int a, int b, struct loc loc)
{
	struct prog *p = g->p, *cb = NULL;
	int res = tmp(g, 8), outer = asm_label(p), inner, next, found, done;

	asm_st(p, BPF_DW, BPF_REG_9, (int16_t)res, 0);
	if (p->section) {
		cb = p = callback(g, BPF_REG_2, loc);
		done = asm_label(p);
		asm_jmp(p, BPF_JGE, BPF_REG_1, -1, g->maxstr, done);
	} else {
		done = asm_label(p);
		asm_movi(p, BPF_REG_1, 0);      /* start in a */
		asm_bind(p, outer);
	}
	inner = asm_label(p);
	next = asm_label(p);
	found = asm_label(p);
	asm_movi(p, BPF_REG_4, 0);              /* index in b */
	asm_bind(p, inner);
	asm_escape(p, b, g->maxstr);
	asm_mov(p, BPF_REG_2, BPF_REG_9);
	asm_alu(p, BPF_ADD, BPF_REG_2, BPF_REG_4);
	asm_ldx(p, BPF_B, BPF_REG_5, BPF_REG_2, (int16_t)b);
	asm_jmp(p, BPF_JEQ, BPF_REG_5, -1, 0, found);
	asm_mov(p, BPF_REG_3, BPF_REG_1);
	asm_alu(p, BPF_ADD, BPF_REG_3, BPF_REG_4);
	asm_jmp(p, BPF_JGE, BPF_REG_3, -1, g->maxstr, done);
	asm_escape(p, a, g->maxstr);
	asm_mov(p, BPF_REG_2, BPF_REG_9);
	asm_alu(p, BPF_ADD, BPF_REG_2, BPF_REG_3);
	asm_ldx(p, BPF_B, BPF_REG_3, BPF_REG_2, (int16_t)a);
	asm_jmp(p, BPF_JEQ, BPF_REG_3, -1, 0, done);
	asm_jmp(p, BPF_JNE, BPF_REG_3, BPF_REG_5, 0, next);
	asm_alui(p, BPF_ADD, BPF_REG_4, 1);
	asm_jmp(p, BPF_JLT, BPF_REG_4, -1, g->maxstr, inner);
	asm_ja(p, found);
	asm_bind(p, next);
	if (cb) {
		cb_return(cb, 0);
	} else {
		asm_alui(p, BPF_ADD, BPF_REG_1, 1);
		asm_jmp(p, BPF_JLT, BPF_REG_1, -1, g->maxstr, outer);
		asm_ja(p, done);
	}
	asm_bind(p, found);
	asm_st(p, BPF_DW, BPF_REG_9, (int16_t)res, 1);
	asm_bind(p, done);
	if (cb) {
		cb_return(cb, 1);
		g->p = p = cb->up;
		asm_movi(p, BPF_REG_1, g->maxstr);
		frame_args(g);
		call_back(g, cb, BPF_FUNC_loop);
	}
	return res;
}

/* ---- variables ---- */

static struct node *
global_var(struct gen *g, struct node *id)
{
	if (id->num < 0 || id->num >= g->nglobals)
		bug("global %lld out of range", (long long)id->num);
	return g->gvar[id->num];
}

static int
var_slot(struct gen *g, struct node *id)
{
	(void)g;
	if (id->flags & F_LOCAL)
		return cur->local[id->num];
	if (id->flags & F_PARAM)
		return cur->param[id->num];
	bug("not a local: '%s'", id->str);
}

/* The packed key of arr[args] in a fresh slot. */
static int
key(struct gen *g, struct node *var, struct node *args)
{
	struct node *k, *a;
	int size = 0, off, kslot;
	int slots[16], i = 0;

	for (k = var->keys, a = args; k && a; k = k->next, a = a->next) {
		if (a->kind == N_ANY) {
			diag_error(a->loc, "an array slice is not supported "
			    "here by stap-bpf yet (only in foreach, 'in' and "
			    "delete)");
			slots[i++] = sizeof_type(g, k->type) == 8 ?
			    const_slot(g, 0) : str_literal(g, "");
		} else {
			slots[i++] = expr(g, a);
		}
		size += sizeof_type(g, k->type);
	}
	kslot = tmp(g, size);
	for (k = var->keys, off = 0, i = 0; k; k = k->next, i++) {
		int n = sizeof_type(g, k->type);

		copy(g, BPF_REG_9, kslot + off, BPF_REG_9, slots[i], n);
		off += n;
	}
	return kslot;
}

/* r0 = helper(map, key at r9 + kslot): a lookup or a delete */
static void
map_key_call(struct gen *g, int helper, int map, int kslot)
{
	asm_ldmap(g->p, BPF_REG_1, map);
	asm_escape(g->p, kslot, (int)gen_map_key(map));
	asm_mov(g->p, BPF_REG_2, BPF_REG_9);
	asm_alui(g->p, BPF_ADD, BPF_REG_2, kslot);
	asm_call(g->p, helper);
}

static void
lookup(struct gen *g, int map, int kslot)
{
	map_key_call(g, BPF_FUNC_map_lookup_elem, map, kslot);
}

/*
 * stap's error for a full array, naming it: its declared size, or
 * MAXMAPENTRIES for an array declared without one (the resolved tree
 * gives those MAXMAPENTRIES as their size).
 */
static const char *
overflow_msg(struct gen *g, int map)
{
	long dflt = facts_define(&g->s->facts, "MAXMAPENTRIES", 2048);
	struct node *v = NULL;
	char *m;
	int i;

	for (i = 0; i < g->nglobals && !v; i++)
		if (g->gmap[i] == map)
			v = g->gvar[i];
	if (!v)
		bug("map %d is no global's", map);
	m = arena_alloc(strlen(v->str) + 80);
	if (v->num == dflt)
		sprintf(m, "array '%s' overflow, check MAXMAPENTRIES (%ld)",
		    v->str, dflt);
	else
		sprintf(m, "array '%s' overflow, check its size limit (%lld)",
		    v->str, (long long)v->num);
	return m;
}

static void
update(struct gen *g, struct loc loc, int map, int kslot, int vslot)
{
	int ok = asm_label(g->p);

	asm_ldmap(g->p, BPF_REG_1, map);
	asm_escape(g->p, kslot, (int)gen_map_key(map));
	asm_mov(g->p, BPF_REG_2, BPF_REG_9);
	asm_alui(g->p, BPF_ADD, BPF_REG_2, kslot);
	asm_escape(g->p, vslot, (int)gen_map_value(map));
	asm_mov(g->p, BPF_REG_3, BPF_REG_9);
	asm_alui(g->p, BPF_ADD, BPF_REG_3, vslot);
	asm_movi(g->p, BPF_REG_4, BPF_ANY);
	asm_call(g->p, BPF_FUNC_map_update_elem);
	asm_jmp(g->p, BPF_JEQ, BPF_REG_0, -1, 0, ok);
	raise(g, loc, overflow_msg(g, map), -1);
	asm_bind(g->p, ok);
}

/*
 * The value of an identifier or an array element, in a fresh slot.
 * kslot is the element's key if the caller built it already (x[f()]++
 * must call f() once), else -1.
 */
static int
read_var_k(struct gen *g, struct node *n, int kslot)
{
	struct node *v;
	int size, slot, miss, done;

	if (n->kind == N_IDENT && !(n->flags & F_GLOBAL))
		return var_slot(g, n);
	if (n->kind == N_IDENT) {
		v = global_var(g, n);
		size = sizeof_type(g, v->type);
		slot = tmp(g, size);
		copy(g, BPF_REG_9, slot, BPF_REG_8, g->goff[n->num], size);
		return slot;
	}
	v = global_var(g, n->l);
	size = sizeof_type(g, v->type);
	if (kslot < 0)
		kslot = key(g, v, n->args);
	slot = tmp(g, size);
	miss = asm_label(g->p);
	done = asm_label(g->p);
	lookup(g, g->gmap[n->l->num], kslot);
	asm_jmp(g->p, BPF_JEQ, BPF_REG_0, -1, 0, miss);
	copy(g, BPF_REG_9, slot, BPF_REG_0, 0, size);
	asm_ja(g->p, done);
	asm_bind(g->p, miss);
	zero(g, BPF_REG_9, slot, size);
	asm_bind(g->p, done);
	return slot;
}

static int
read_var(struct gen *g, struct node *n)
{
	return read_var_k(g, n, -1);
}

/* Store the value in vslot into an identifier or array element. */
static void
write_var_k(struct gen *g, struct node *n, int vslot, int kslot)
{
	struct node *v;

	if (n->kind == N_IDENT && !(n->flags & F_GLOBAL)) {
		int s = var_slot(g, n);

		if (s != vslot)
			copy(g, BPF_REG_9, s, BPF_REG_9, vslot,
			    sizeof_type(g, n->type));
		return;
	}
	if (n->kind == N_IDENT) {
		v = global_var(g, n);
		copy(g, BPF_REG_8, g->goff[n->num], BPF_REG_9, vslot,
		    sizeof_type(g, v->type));
		return;
	}
	if (n->kind != N_INDEX)
		bug("assignment to a %s", node_name[n->kind]);
	v = global_var(g, n->l);
	update(g, n->loc, g->gmap[n->l->num], kslot >= 0 ? kslot :
	    key(g, v, n->args), vslot);
}

static void
write_var(struct gen *g, struct node *n, int vslot)
{
	write_var_k(g, n, vslot, -1);
}

/* The key of an array element lvalue, built once, or -1 for a scalar */
static int
lvalue_key(struct gen *g, struct node *n)
{
	if (n->kind != N_INDEX)
		return -1;
	return key(g, global_var(g, n->l), n->args);
}

/* ---- statistics ---- */

/*
 * r0 = map[key at kslot], made first if missing: an element of size
 * zero bytes, put in only if no other CPU has made it meanwhile
 * (BPF_NOEXIST), so r0 is whichever won.  A full map is stap's error.
 */
static void
elem(struct gen *g, int map, int kslot, int size, struct loc loc)
{
	struct prog *p = g->p;
	int found = asm_label(p), fresh;

	lookup(g, map, kslot);
	asm_jmp(p, BPF_JNE, BPF_REG_0, -1, 0, found);
	fresh = tmp(g, size);
	zero(g, BPF_REG_9, fresh, size);
	asm_ldmap(p, BPF_REG_1, map);
	asm_escape(p, kslot, (int)gen_map_key(map));
	asm_mov(p, BPF_REG_2, BPF_REG_9);
	asm_alui(p, BPF_ADD, BPF_REG_2, kslot);
	asm_escape(p, fresh, size);
	asm_mov(p, BPF_REG_3, BPF_REG_9);
	asm_alui(p, BPF_ADD, BPF_REG_3, fresh);
	asm_movi(p, BPF_REG_4, BPF_NOEXIST);
	asm_call(p, BPF_FUNC_map_update_elem);
	lookup(g, map, kslot);
	asm_jmp(p, BPF_JNE, BPF_REG_0, -1, 0, found);
	raise(g, loc, overflow_msg(g, map), -1);
	asm_bind(p, found);
}

/* Buckets of histogram h, an @hist_log or @hist_linear node: stap's */
int
hist_buckets(const struct node *h)
{
	const struct node *a = h->args;

	if (!strcmp(h->str, "@hist_log"))
		return HIST_LOG_BUCKETS;
	if (!a || !a->next || !a->next->next)
		return 0;
	return stap_hist_nbuckets(HIST_LINEAR, a->num, a->next->num,
	    a->next->next->num);
}

/*
 * r1 = the bucket of the value in r2 (kept), as stap's runtime picks
 * it: log, 64 for 0, 65 + the top bit's number above it, 63 - that
 * below; linear, 0 below the start, then one an interval, the last
 * for what is left over.  Clamped, which also bounds it for the
 * verifier.
 */
static void
hist_bucket(struct gen *g, const struct node *h)
{
	struct prog *p = g->p;
	int nb = hist_buckets(h), done = asm_label(p), clamp = asm_label(p);

	if (!strcmp(h->str, "@hist_log")) {
		int neg = asm_label(p), msb = asm_label(p), sh;

		asm_movi(p, BPF_REG_1, 64);
		asm_jmp(p, BPF_JEQ, BPF_REG_2, -1, 0, clamp);
		asm_mov(p, BPF_REG_3, BPF_REG_2);
		asm_movi(p, BPF_REG_0, 0);
		asm_jmp(p, BPF_JSGE, BPF_REG_2, -1, 0, msb);
		asm_alui(p, BPF_NEG, BPF_REG_3, 0);
		asm_movi(p, BPF_REG_0, 1);
		/* r4 = the number of r3's top bit */
		asm_bind(p, msb);
		asm_movi(p, BPF_REG_4, 0);
		for (sh = 32; sh; sh /= 2) {
			int skip = asm_label(p);

			asm_mov(p, BPF_REG_5, BPF_REG_3);
			asm_alui(p, BPF_RSH, BPF_REG_5, sh);
			asm_jmp(p, BPF_JEQ, BPF_REG_5, -1, 0, skip);
			asm_mov(p, BPF_REG_3, BPF_REG_5);
			asm_alui(p, BPF_ADD, BPF_REG_4, sh);
			asm_bind(p, skip);
		}
		asm_jmp(p, BPF_JNE, BPF_REG_0, -1, 0, neg);
		asm_movi(p, BPF_REG_1, 65);
		asm_alu(p, BPF_ADD, BPF_REG_1, BPF_REG_4);
		asm_ja(p, clamp);
		asm_bind(p, neg);
		asm_movi(p, BPF_REG_1, 63);
		asm_alu(p, BPF_SUB, BPF_REG_1, BPF_REG_4);
	} else {
		asm_ld64(p, BPF_REG_3, h->args->num);
		asm_mov(p, BPF_REG_1, BPF_REG_2);
		asm_alu(p, BPF_SUB, BPF_REG_1, BPF_REG_3);
		asm_jmp(p, BPF_JSGE, BPF_REG_1, -1, 0, done);
		asm_movi(p, BPF_REG_1, 0);
		asm_ja(p, clamp);
		asm_bind(p, done);
		done = asm_label(p);
		asm_ld64(p, BPF_REG_3, h->args->next->next->num);
		asm_alu(p, BPF_DIV, BPF_REG_1, BPF_REG_3);
		asm_alui(p, BPF_ADD, BPF_REG_1, 1);
	}
	asm_bind(p, clamp);
	asm_jmp(p, BPF_JLT, BPF_REG_1, -1, nb - 1, done);
	asm_movi(p, BPF_REG_1, nb - 1);
	asm_bind(p, done);
}

/*
 * x <<< v: count and sum atomically, min and max as best we can, and
 * the histogram's bucket if it has one.  A new array element goes in
 * empty (count 0), only if no other CPU's got there first.
 */
static void
stat_add(struct gen *g, struct node *lv, int vslot)
{
	struct prog *p = g->p;
	int have = asm_label(p), nomin = asm_label(p), nomax = asm_label(p);
	struct node *id = lv->kind == N_IDENT ? lv : lv->l;
	const struct node *h = id->num >= 0 && id->num < g->nglobals ?
	    g->hist[id->num] : NULL;

	if (lv->kind == N_IDENT) {
		asm_mov(p, BPF_REG_7, BPF_REG_8);
		asm_alui(p, BPF_ADD, BPF_REG_7, g->goff[lv->num]);
	} else {
		struct node *v = global_var(g, lv->l);
		elem(g, g->gmap[lv->l->num], key(g, v, lv->args), g->stsize,
		    lv->loc);
		asm_mov(p, BPF_REG_7, BPF_REG_0);
	}
	/* count 0 means empty: min and max start fresh */
	asm_ldx(p, BPF_DW, BPF_REG_1, BPF_REG_7, 0);
	asm_jmp(p, BPF_JNE, BPF_REG_1, -1, 0, have);
	load(g, BPF_REG_1, vslot);
	asm_stx(p, BPF_DW, BPF_REG_7, 16, BPF_REG_1);
	asm_stx(p, BPF_DW, BPF_REG_7, 24, BPF_REG_1);
	asm_bind(p, have);
	load(g, BPF_REG_2, vslot);
	asm_movi(p, BPF_REG_1, 1);
	asm_emit(p, (struct bpf_insn){ .code = BPF_STX | BPF_ATOMIC | BPF_DW,
	    .dst_reg = BPF_REG_7, .src_reg = BPF_REG_1, .off = 0,
	    .imm = BPF_ADD });
	asm_emit(p, (struct bpf_insn){ .code = BPF_STX | BPF_ATOMIC | BPF_DW,
	    .dst_reg = BPF_REG_7, .src_reg = BPF_REG_2, .off = 8,
	    .imm = BPF_ADD });
	asm_ldx(p, BPF_DW, BPF_REG_3, BPF_REG_7, 16);
	asm_jmp(p, BPF_JSGE, BPF_REG_2, BPF_REG_3, 0, nomin);
	asm_stx(p, BPF_DW, BPF_REG_7, 16, BPF_REG_2);
	asm_bind(p, nomin);
	asm_ldx(p, BPF_DW, BPF_REG_3, BPF_REG_7, 24);
	asm_jmp(p, BPF_JSLE, BPF_REG_2, BPF_REG_3, 0, nomax);
	asm_stx(p, BPF_DW, BPF_REG_7, 24, BPF_REG_2);
	asm_bind(p, nomax);
	if (h && hist_buckets(h) > 0) {
		hist_bucket(g, h);
		asm_alui(p, BPF_LSH, BPF_REG_1, 3);
		asm_alu(p, BPF_ADD, BPF_REG_1, BPF_REG_7);
		asm_movi(p, BPF_REG_2, 1);
		asm_emit(p, (struct bpf_insn){ .code = BPF_STX | BPF_ATOMIC |
		    BPF_DW, .dst_reg = BPF_REG_1, .src_reg = BPF_REG_2,
		    .off = 32, .imm = BPF_ADD });
	}
}

static int
stat_get(struct gen *g, struct node *n)
{
	struct node *lv = n->l;
	int slot = read_var(g, lv), res = tmp(g, 8);
	struct prog *p = g->p;
	int empty = asm_label(p), done = asm_label(p);

	load(g, BPF_REG_1, slot);       /* count */
	if (!strcmp(n->str, "@count")) {
		store(g, res, BPF_REG_1);
		return res;
	}
	if (!strcmp(n->str, "@sum")) {
		load(g, BPF_REG_1, slot + 8);
		store(g, res, BPF_REG_1);
		return res;
	}
	asm_jmp(p, BPF_JEQ, BPF_REG_1, -1, 0, empty);
	if (!strcmp(n->str, "@min") || !strcmp(n->str, "@max")) {
		load(g, BPF_REG_2, slot + (n->str[2] == 'i' ? 16 : 24));
	} else if (!strcmp(n->str, "@avg")) {
		load(g, BPF_REG_2, slot + 8);
		asm_emit(p, (struct bpf_insn){ .code = BPF_ALU64 | BPF_DIV |
		    BPF_X, .dst_reg = BPF_REG_2, .src_reg = BPF_REG_1,
		    .off = 1 });
	} else {
		fatal("%s is not supported by stap-bpf yet", n->str);
	}
	store(g, res, BPF_REG_2);
	asm_ja(p, done);
	asm_bind(p, empty);
	raise(g, n->loc, "empty aggregate", -1);
	asm_bind(p, done);
	return res;
}

/*
 * r0 = a ring buffer record of size bytes, its kind and id filled in;
 * returns the label record_end() binds to count it lost when the
 * buffer has no room
 */
static int
record_begin(struct gen *g, int size, int kind, int id)
{
	struct prog *p = g->p;
	int lost = asm_label(p);

	asm_ldmap(p, BPF_REG_1, g->m_events);
	asm_movi(p, BPF_REG_2, size);
	asm_movi(p, BPF_REG_3, 0);
	asm_call(p, BPF_FUNC_ringbuf_reserve);
	asm_jmp(p, BPF_JEQ, BPF_REG_0, -1, 0, lost);
	asm_st(p, BPF_W, BPF_REG_0, 0, kind);
	asm_st(p, BPF_W, BPF_REG_0, 4, id);
	return lost;
}

static void
record_end(struct gen *g, int lost)
{
	struct prog *p = g->p;
	int done = asm_label(p);

	asm_mov(p, BPF_REG_1, BPF_REG_0);
	asm_movi(p, BPF_REG_2, 0);
	asm_call(p, BPF_FUNC_ringbuf_submit);
	asm_ja(p, done);
	asm_bind(p, lost);
	ctl_ptr(g, BPF_REG_1);
	asm_movi(p, BPF_REG_2, 1);
	asm_emit(p, (struct bpf_insn){ .code = BPF_STX | BPF_ATOMIC | BPF_DW,
	    .dst_reg = BPF_REG_1, .src_reg = BPF_REG_2, .off = CTL_LOST,
	    .imm = BPF_ADD });
	asm_bind(p, done);
}

/* @hist_log(s)[i]: bucket i, or stap's runtime errors */
static int
hist_index(struct gen *g, struct node *n)
{
	struct prog *p = g->p;
	struct node *h = n->l;
	int slot = read_var(g, h->l), i = expr(g, n->args), res = tmp(g, 8);
	int nb = hist_buckets(h), ok = asm_label(p), in = asm_label(p);

	load(g, BPF_REG_1, slot);
	asm_jmp(p, BPF_JNE, BPF_REG_1, -1, 0, ok);
	raise(g, n->loc, "empty aggregate", -1);
	asm_bind(p, ok);
	load(g, BPF_REG_1, i);
	asm_jmp(p, BPF_JLT, BPF_REG_1, -1, nb, in);
	raise(g, n->loc, "histogram index out of range", -1);
	asm_bind(p, in);
	asm_alui(p, BPF_LSH, BPF_REG_1, 3);
	asm_alu(p, BPF_ADD, BPF_REG_1, BPF_REG_9);
	asm_ldx(p, BPF_DW, BPF_REG_1, BPF_REG_1, (int16_t)(slot + 32));
	store(g, res, BPF_REG_1);
	return res;
}

/*
 * print(@hist_log(s)): a HIST record, the "hist" record's id then the
 * statistic (count, sum, min, max, buckets) for stap-bpfld to draw
 */
static void
hist_print(struct gen *g, struct node *h)
{
	struct prog *p = g->p;
	int slot = read_var(g, h->l), nb = hist_buckets(h);
	int ok = asm_label(p), lost, id = (int)g->nhistrecs;

	g->histrecs = vgrow(g->histrecs, &g->caphistrecs, g->nhistrecs + 1,
	    sizeof *g->histrecs);
	g->histrecs[g->nhistrecs++] = h;
	load(g, BPF_REG_1, slot);
	asm_jmp(p, BPF_JNE, BPF_REG_1, -1, 0, ok);
	raise(g, h->loc, "empty aggregate", -1);
	asm_bind(p, ok);
	lost = record_begin(g, 8 + 32 + 8 * nb, REC_HIST, id);
	copy(g, BPF_REG_0, 8, BPF_REG_9, slot, 32 + 8 * nb);
	record_end(g, lost);
}

/* ---- printing ---- */

static int
format_id(struct gen *g, const char *fmt, const char *types)
{
	size_t i;

	for (i = 0; i < g->nformats; i++)
		if (!strcmp(g->formats[i].fmt, fmt) &&
		    !strcmp(g->formats[i].types, types))
			return (int)i;
	g->formats = vgrow(g->formats, &g->capformats, g->nformats + 1,
	    sizeof *g->formats);
	g->formats[g->nformats].fmt = arena_strndup(fmt, strlen(fmt));
	g->formats[g->nformats].types = arena_strndup(types, strlen(types));
	return (int)g->nformats++;
}

/* A PRINTF record: the arguments first, then reserve, copy, submit. */
static void
emit_printf(struct gen *g, const char *fmt, struct node *args)
{
	char types[64];
	int slots[64], n = 0;
	struct node *a;

	for (a = args; a; a = a->next) {
		if (n == (int)NELEM(slots) - 1)
			fatal("printf with more than %d arguments",
			    (int)NELEM(slots) - 1);
		slots[n] = expr(g, a);
		types[n] = a->type == T_STRING ? 's' : 'l';
		n++;
	}
	types[n] = '\0';
	gen_printf(g, fmt, slots, types);
}

/* The record of printf(fmt, ...) whose values are in slots already. */
void
gen_printf(struct gen *g, const char *fmt, const int *slots,
    const char *types)
{
	int n = (int)strlen(types), size = 8, off, i, lost;

	for (i = 0; i < n; i++)
		size += types[i] == 's' ? g->maxstr : 8;
	lost = record_begin(g, size, REC_PRINTF, format_id(g, fmt, n ? types :
	    "-"));
	for (i = 0, off = 8; i < n; i++) {
		int sz = types[i] == 's' ? g->maxstr : 8;

		copy(g, BPF_REG_0, off, BPF_REG_9, slots[i], sz);
		off += sz;
	}
	record_end(g, lost);
}

/* print, println, printd, printdln as printf formats */
static char *
print_format(struct node *call, struct node **args)
{
	const char *name = call->str;
	int ln = strstr(name, "ln") != NULL, d = strchr(name + 5, 'd') != NULL;
	const char *delim = "";
	char *buf = NULL;
	size_t len = 0, cap = 0;
	struct node *a = call->args;

	if (d) {
		delim = a->str;
		a = a->next;
	}
	*args = a;
	buf = vgrow(buf, &cap, 1, 1);
	buf[0] = '\0';
	for (; a; a = a->next) {
		const char *q;
		size_t k = strlen(delim) * 2 + 4;

		buf = vgrow(buf, &cap, len + k + 4, 1);
		if (d && a != *args)
			for (q = delim; *q; q++) {
				if (*q == '%')
					buf[len++] = '%';
				buf[len++] = *q;
			}
		buf[len++] = '%';
		buf[len++] = a->type == T_STRING ? 's' : 'd';
	}
	buf = vgrow(buf, &cap, len + 2, 1);
	if (ln)
		buf[len++] = '\n';
	buf[len] = '\0';
	return buf;
}

/* ---- calls ---- */

static int inline_call(struct gen *g, struct node *n);

static int
helper_long(struct gen *g, int helper)
{
	int s = tmp(g, 8);

	asm_call(g->p, helper);
	store(g, s, BPF_REG_0);
	return s;
}

/* string builtins reading memory: kernel_string, user_string... */
static int
read_string(struct gen *g, struct node *n, int user)
{
	struct prog *p = g->p;
	struct node *a = n->args, *dflt = NULL, *lim = NULL;
	int addr = expr(g, a), out = tmp(g, g->maxstr), ok = asm_label(p);
	int dslot = -1, lslot = -1;

	if (strstr(n->str, "_n")) {
		lim = a->next;
		dflt = lim->next;
	} else {
		dflt = a->next;
	}
	if (lim)
		lslot = expr(g, lim);
	if (dflt)
		dslot = expr(g, dflt);
	zero(g, BPF_REG_9, out, g->maxstr);
	asm_escape(p, out, g->maxstr);
	asm_mov(p, BPF_REG_1, BPF_REG_9);
	asm_alui(p, BPF_ADD, BPF_REG_1, out);
	asm_movi(p, BPF_REG_2, g->maxstr);
	if (lslot >= 0) {
		int big = asm_label(p);

		/* n bytes and the NUL, never more than the slot */
		load(g, BPF_REG_2, lslot);
		asm_alui(p, BPF_ADD, BPF_REG_2, 1);
		asm_jmp(p, BPF_JSGT, BPF_REG_2, -1, 0, big);
		asm_movi(p, BPF_REG_2, 1);
		asm_bind(p, big);
		asm_jmp(p, BPF_JSLE, BPF_REG_2, -1, g->maxstr, ok + 0 * 0);
		asm_movi(p, BPF_REG_2, g->maxstr);
		asm_bind(p, ok);
		ok = asm_label(p);
	}
	load(g, BPF_REG_3, addr);
	asm_call(p, user ? BPF_FUNC_probe_read_user_str :
	    BPF_FUNC_probe_read_kernel_str);
	asm_jmp(p, BPF_JSGE, BPF_REG_0, -1, 0, ok);
	if (dslot >= 0)
		copy(g, BPF_REG_9, out, BPF_REG_9, dslot, g->maxstr);
	else
		raise(g, n->loc, user ? "user string copy fault" :
		    "kernel string copy fault", -1);
	asm_bind(p, ok);
	return out;
}

/*
 * size bytes at the task_struct in slot task, at the offset stap_ctl's
 * field ctloff gives (the loader reads it from the kernel's BTF), into
 * slot dst; r0 is 0, or the fault
 */
static void
task_read(struct gen *g, int task, int ctloff, int dst, int size)
{
	ctl_ptr(g, BPF_REG_1);
	asm_ldx(g->p, BPF_DW, BPF_REG_3, BPF_REG_1, (int16_t)ctloff);
	load(g, BPF_REG_2, task);
	asm_alu(g->p, BPF_ADD, BPF_REG_3, BPF_REG_2);
	asm_escape(g->p, dst, size);
	asm_mov(g->p, BPF_REG_1, BPF_REG_9);
	asm_alui(g->p, BPF_ADD, BPF_REG_1, dst);
	asm_movi(g->p, BPF_REG_2, size);
	asm_call(g->p, BPF_FUNC_probe_read_kernel);
}

static int
builtin(struct gen *g, struct node *n)
{
	const char *f = n->str;
	struct prog *p = g->p;
	int s;

	if (!strcmp(f, "printf")) {
		emit_printf(g, n->args->str, n->args->next);
		return -1;
	}
	if (!strncmp(f, "print", 5) && n->args && n->args->kind == N_STAT &&
	    !strncmp(n->args->str, "@hist", 5)) {
		hist_print(g, n->args);
		if (!strcmp(f, "println"))
			gen_printf(g, "\n", NULL, "");
		return -1;
	}
	if (!strncmp(f, "print", 5)) {
		struct node *args;
		char *fmt = print_format(n, &args);

		emit_printf(g, fmt, args);
		free(fmt);
		return -1;
	}
	if (!strncmp(f, "sprint", 6)) {
		struct node *args, *a;
		char *fmt = NULL;
		int slots[16], k = 0;
		enum type types[16];
		struct conv cv[16];

		memset(cv, 0, sizeof cv);
		if (!strcmp(f, "sprintf")) {
			fmt = estrdup(kernel_format(n, n->args->str, cv, 16,
			    p->section != NULL));
			args = n->args->next;
		} else {
			struct node fake = *n;
			char *pf;

			fake.str = f + 1;
			pf = print_format(&fake, &args);
			fmt = estrdup(kernel_format(n, pf, cv, 16,
			    p->section != NULL));
			free(pf);
		}
		for (a = args; a; a = a->next) {
			if (k == 12)
				fatal("sprintf takes at most 12 values in "
				    "stap-bpf");
			types[k] = a->type;
			slots[k] = expr(g, a);
			if (cv[k].kind == 's' && a->type == T_STRING) {
				slots[k] = str_cut(g, slots[k], cv[k].digits);
			} else if (cv[k].kind && cv[k].kind != 's' &&
			    a->type == T_LONG) {
				slots[k] = cv[k].kind == 'o' ?
				    octal(g, slots[k], &cv[k]) :
				    binary(g, slots[k], &cv[k]);
				types[k] = T_STRING;
			}
			k++;
		}
		s = snprintf_(g, fmt, slots, types, k);
		free(fmt);
		return s;
	}
	if (!strcmp(f, "pid") || !strcmp(f, "tid")) {
		s = helper_long(g, BPF_FUNC_get_current_pid_tgid);
		load(g, BPF_REG_1, s);
		if (f[0] == 'p')
			asm_alui(p, BPF_RSH, BPF_REG_1, 32);
		else
			asm_alui(p, BPF_AND, BPF_REG_1, -1), asm_emit(p,
			    (struct bpf_insn){ .code = BPF_ALU | BPF_MOV |
			    BPF_X, .dst_reg = BPF_REG_1,
			    .src_reg = BPF_REG_1 });
		store(g, s, BPF_REG_1);
		return s;
	}
	if (!strcmp(f, "uid") || !strcmp(f, "gid") || !strcmp(f, "euid") ||
	    !strcmp(f, "egid")) {
		s = helper_long(g, BPF_FUNC_get_current_uid_gid);
		load(g, BPF_REG_1, s);
		if (strchr(f, 'g'))
			asm_alui(p, BPF_RSH, BPF_REG_1, 32);
		else
			asm_emit(p, (struct bpf_insn){ .code = BPF_ALU |
			    BPF_MOV | BPF_X, .dst_reg = BPF_REG_1,
			    .src_reg = BPF_REG_1 });
		store(g, s, BPF_REG_1);
		return s;
	}
	if (!strcmp(f, "ppid")) {
		/* current->real_parent->tgid, offsets from stap_ctl (the
		 * loader reads them from the kernel's BTF); 0 on a fault */
		int task = helper_long(g, BPF_FUNC_get_current_task), ok;

		s = tmp(g, 8);
		ok = asm_label(p);
		asm_st(p, BPF_DW, BPF_REG_9, (int16_t)s, 0);
		task_read(g, task, CTL_TASK_PARENT, task, 8);
		asm_jmp(p, BPF_JNE, BPF_REG_0, -1, 0, ok);
		task_read(g, task, CTL_TASK_TGID, s, 4);
		asm_bind(p, ok);
		return s;
	}
	if (!strcmp(f, "cpu"))
		return helper_long(g, BPF_FUNC_get_smp_processor_id);
	if (!strcmp(f, "local_clock_ns") || !strcmp(f, "ktime_get_ns"))
		return helper_long(g, BPF_FUNC_ktime_get_ns);
	if (!strncmp(f, "gettimeofday_", 13)) {
		static const int64_t div[] = { 1, 1000, 1000000, 1000000000 };
		const char *u = f + 13;
		int k = !strcmp(u, "ns") ? 0 : !strcmp(u, "us") ? 1 :
		    !strcmp(u, "ms") ? 2 : 3;

		s = helper_long(g, BPF_FUNC_ktime_get_ns);
		ctl_ptr(g, BPF_REG_2);
		asm_ldx(p, BPF_DW, BPF_REG_2, BPF_REG_2, CTL_REALTIME);
		load(g, BPF_REG_1, s);
		asm_alu(p, BPF_ADD, BPF_REG_1, BPF_REG_2);
		if (k)
			asm_alui(p, BPF_DIV, BPF_REG_1, (int32_t)div[k]);
		store(g, s, BPF_REG_1);
		return s;
	}
	if (!strcmp(f, "target")) {
		s = tmp(g, 8);
		ctl_ptr(g, BPF_REG_1);
		asm_ldx(p, BPF_DW, BPF_REG_1, BPF_REG_1, CTL_TARGET);
		store(g, s, BPF_REG_1);
		return s;
	}
	if (!strcmp(f, "execname")) {
		s = tmp(g, g->maxstr);
		zero(g, BPF_REG_9, s, g->maxstr);
		asm_escape(p, s, g->maxstr);
		asm_mov(p, BPF_REG_1, BPF_REG_9);
		asm_alui(p, BPF_ADD, BPF_REG_1, s);
		asm_movi(p, BPF_REG_2, 16);
		asm_call(p, BPF_FUNC_get_current_comm);
		return s;
	}
	if (!strcmp(f, "exit")) {
		int skip = asm_label(p);

		ctl_ptr(g, BPF_REG_1);
		asm_st(p, BPF_DW, BPF_REG_1, CTL_EXIT, 1);
		asm_ldmap(p, BPF_REG_1, g->m_events);
		asm_movi(p, BPF_REG_2, 8);
		asm_movi(p, BPF_REG_3, 0);
		asm_call(p, BPF_FUNC_ringbuf_reserve);
		asm_jmp(p, BPF_JEQ, BPF_REG_0, -1, 0, skip);
		asm_st(p, BPF_W, BPF_REG_0, 0, REC_EXIT);
		asm_st(p, BPF_W, BPF_REG_0, 4, 0);
		asm_mov(p, BPF_REG_1, BPF_REG_0);
		asm_movi(p, BPF_REG_2, 0);
		asm_call(p, BPF_FUNC_ringbuf_submit);
		asm_bind(p, skip);
		return -1;
	}
	if (!strcmp(f, "error")) {
		raise(g, n->loc, "", expr(g, n->args));
		return -1;
	}
	if (!strcmp(f, "strlen"))
		return str_length(g, expr(g, n->args));
	if (!strcmp(f, "substr")) {
		int a = expr(g, n->args), b = expr(g, n->args->next);

		return str_sub(g, a, b, expr(g, n->args->next->next));
	}
	if (!strcmp(f, "isinstr")) {
		int a = expr(g, n->args);

		return str_find(g, a, expr(g, n->args->next), n->loc);
	}
	if (!strncmp(f, "kernel_string", 13))
		return read_string(g, n, 0);
	if (!strncmp(f, "user_string", 11))
		return read_string(g, n, 1);
	diag_error(n->loc, "'%s' is not supported by stap-bpf yet", f);
	return const_slot(g, 0);
}

/* ---- expressions ---- */

static int
arith(struct gen *g, struct node *n, enum op op, int l, int r)
{
	struct prog *p = g->p;
	int res = tmp(g, 8), ok;

	load(g, BPF_REG_1, l);
	load(g, BPF_REG_2, r);
	switch (op) {
	case O_PLUS: asm_alu(p, BPF_ADD, BPF_REG_1, BPF_REG_2); break;
	case O_MINUS: asm_alu(p, BPF_SUB, BPF_REG_1, BPF_REG_2); break;
	case O_MUL: asm_alu(p, BPF_MUL, BPF_REG_1, BPF_REG_2); break;
	case O_AND: asm_alu(p, BPF_AND, BPF_REG_1, BPF_REG_2); break;
	case O_OR: asm_alu(p, BPF_OR, BPF_REG_1, BPF_REG_2); break;
	case O_XOR: asm_alu(p, BPF_XOR, BPF_REG_1, BPF_REG_2); break;
	case O_SHL: asm_alu(p, BPF_LSH, BPF_REG_1, BPF_REG_2); break;
	case O_SHR: asm_alu(p, BPF_ARSH, BPF_REG_1, BPF_REG_2); break;
	case O_USHR: asm_alu(p, BPF_RSH, BPF_REG_1, BPF_REG_2); break;
	case O_DIV:
	case O_MOD:
		ok = asm_label(p);
		asm_jmp(p, BPF_JNE, BPF_REG_2, -1, 0, ok);
		raise(g, n->loc, "division by 0", -1);
		asm_bind(p, ok);
		load(g, BPF_REG_1, l);
		load(g, BPF_REG_2, r);
		/* signed (off 1): stap's / and % are C's on int64_t */
		asm_emit(p, (struct bpf_insn){ .code = BPF_ALU64 |
		    (op == O_DIV ? BPF_DIV : BPF_MOD) | BPF_X,
		    .dst_reg = BPF_REG_1, .src_reg = BPF_REG_2, .off = 1 });
		break;
	default:
		bug("arith %d", op);
	}
	store(g, res, BPF_REG_1);
	return res;
}

static int
concat(struct gen *g, int a, int b)
{
	int slots[2] = { a, b };
	enum type types[2] = { T_STRING, T_STRING };

	return snprintf_(g, "%s%s", slots, types, 2);
}

static int
cond_jump_op(enum op op, int str)
{
	(void)str;
	switch (op) {
	case O_EQ: return BPF_JEQ;
	case O_NE: return BPF_JNE;
	case O_LT: return BPF_JSLT;
	case O_LE: return BPF_JSLE;
	case O_GT: return BPF_JSGT;
	case O_GE: return BPF_JSGE;
	default: return -1;
	}
}

static int
comparison(struct gen *g, struct node *n)
{
	struct prog *p = g->p;
	int l = expr(g, n->l), r = expr(g, n->r), res = tmp(g, 8);
	int yes = asm_label(p), done = asm_label(p);

	if (n->l->type == T_STRING) {
		int c = str_compare(g, l, r);

		load(g, BPF_REG_1, c);
		asm_jmp(p, cond_jump_op(n->op, 1), BPF_REG_1, -1, 0, yes);
	} else {
		load(g, BPF_REG_1, l);
		load(g, BPF_REG_2, r);
		asm_jmp(p, cond_jump_op(n->op, 0), BPF_REG_1, BPF_REG_2, 0,
		    yes);
	}
	asm_st(p, BPF_DW, BPF_REG_9, (int16_t)res, 0);
	asm_ja(p, done);
	asm_bind(p, yes);
	asm_st(p, BPF_DW, BPF_REG_9, (int16_t)res, 1);
	asm_bind(p, done);
	return res;
}

static int
logical(struct gen *g, struct node *n)
{
	struct prog *p = g->p;
	int res = tmp(g, 8), l, r, out = asm_label(p);

	/* || is 1 as soon as one side is; && 0 as soon as one is 0 */
	asm_st(p, BPF_DW, BPF_REG_9, (int16_t)res, n->op == O_LOR);
	l = expr(g, n->l);
	load(g, BPF_REG_1, l);
	asm_jmp(p, n->op == O_LOR ? BPF_JNE : BPF_JEQ, BPF_REG_1, -1, 0, out);
	r = expr(g, n->r);
	load(g, BPF_REG_1, r);
	asm_jmp(p, n->op == O_LOR ? BPF_JNE : BPF_JEQ, BPF_REG_1, -1, 0, out);
	asm_st(p, BPF_DW, BPF_REG_9, (int16_t)res, n->op != O_LOR);
	asm_bind(p, out);
	return res;
}

static int
assign(struct gen *g, struct node *n)
{
	enum op op = op_compound(n->op);
	int v, cur_, k;

	if (n->op == O_STATEQ) {
		v = expr(g, n->r);
		stat_add(g, n->l, v);
		return v;
	}
	if (n->op == O_ASSIGN) {
		v = expr(g, n->r);
		write_var(g, n->l, v);
		return v;
	}
	k = lvalue_key(g, n->l);
	cur_ = read_var_k(g, n->l, k);
	v = expr(g, n->r);
	v = op == O_CAT ? concat(g, cur_, v) : arith(g, n, op, cur_, v);
	write_var_k(g, n->l, v, k);
	return v;
}

static int
crement(struct gen *g, struct node *n, int post)
{
	int k = lvalue_key(g, n->l);
	int old = read_var_k(g, n->l, k), one = const_slot(g, 1), nw;

	if (post && n->l->kind == N_IDENT && !(n->l->flags & F_GLOBAL)) {
		/* read_var gave the variable itself: keep the old value */
		int copy_ = tmp(g, 8);

		copy(g, BPF_REG_9, copy_, BPF_REG_9, old, 8);
		old = copy_;
	}
	nw = arith(g, n, n->op == O_INC ? O_PLUS : O_MINUS, old, one);
	write_var_k(g, n->l, nw, k);
	return post ? old : nw;
}

/*
 * A statement that only adds to a long global, x++, x--, x += e,
 * a[k] -= e: in a kernel probe an atomic add, so that what probes on
 * other CPUs add at the same time is not lost (stap locks the global).
 * A new element goes in only if no other CPU's got there first.
 * 0 if n is not such a statement.
 */
static int
atomic_add(struct gen *g, struct node *n)
{
	struct prog *p = g->p;
	struct node *lv = n->l, *id, *var;
	int neg, v, k = -1;

	if (!p->section)
		return 0;
	if (n->kind == N_PREINC || n->kind == N_POSTINC)
		neg = n->op == O_DEC;
	else if (n->kind == N_ASSIGN && (n->op == O_ADDEQ ||
	    n->op == O_SUBEQ))
		neg = n->op == O_SUBEQ;
	else
		return 0;
	id = lv->kind == N_INDEX ? lv->l : lv;
	if (id->kind != N_IDENT || !(id->flags & F_GLOBAL))
		return 0;
	var = global_var(g, id);
	if (var->type != T_LONG || (lv->kind == N_INDEX) !=
	    (g->gmap[id->num] >= 0))
		return 0;
	if (lv->kind == N_INDEX)
		k = key(g, var, lv->args);
	v = n->kind == N_ASSIGN ? expr(g, n->r) : const_slot(g, 1);
	if (neg) {
		load(g, BPF_REG_1, v);
		asm_alui(p, BPF_NEG, BPF_REG_1, 0);
		v = tmp(g, 8);
		store(g, v, BPF_REG_1);
	}
	if (k < 0) {
		asm_mov(p, BPF_REG_0, BPF_REG_8);
		asm_alui(p, BPF_ADD, BPF_REG_0, g->goff[id->num]);
	} else {
		elem(g, g->gmap[id->num], k, 8, n->loc);
	}
	load(g, BPF_REG_1, v);
	asm_emit(p, (struct bpf_insn){ .code = BPF_STX | BPF_ATOMIC | BPF_DW,
	    .dst_reg = BPF_REG_0, .src_reg = BPF_REG_1, .imm = BPF_ADD });
	return 1;
}

static int
target_field(struct gen *g, struct node *n)
{
	struct prog *p = g->p;
	int s;

	if (!g->probe->section || strncmp(g->probe->section, "tracepoint/", 11))
		bug("context variable outside a tracepoint probe");
	if (n->type == T_STRING) {
		s = tmp(g, g->maxstr);
		zero(g, BPF_REG_9, s, g->maxstr);
		asm_escape(p, s, g->maxstr);
		asm_mov(p, BPF_REG_1, BPF_REG_9);
		asm_alui(p, BPF_ADD, BPF_REG_1, s);
		if (n->flags & F_DATALOC) {
			asm_movi(p, BPF_REG_2, g->maxstr);
			asm_ldx(p, BPF_W, BPF_REG_3, BPF_REG_6,
			    (int16_t)n->num);
			asm_alui(p, BPF_AND, BPF_REG_3, 0xffff);
			asm_alu(p, BPF_ADD, BPF_REG_3, BPF_REG_6);
		} else {
			asm_movi(p, BPF_REG_2, n->size < g->maxstr ? n->size :
			    g->maxstr);
			asm_mov(p, BPF_REG_3, BPF_REG_6);
			asm_alui(p, BPF_ADD, BPF_REG_3, (int32_t)n->num);
		}
		asm_call(p, BPF_FUNC_probe_read_kernel_str);
		return s;
	}
	s = tmp(g, 8);
	switch (n->size) {
	case 1: asm_ldx(p, BPF_B, BPF_REG_1, BPF_REG_6, (int16_t)n->num); break;
	case 2: asm_ldx(p, BPF_H, BPF_REG_1, BPF_REG_6, (int16_t)n->num); break;
	case 4: asm_ldx(p, BPF_W, BPF_REG_1, BPF_REG_6, (int16_t)n->num); break;
	default:
		asm_ldx(p, BPF_DW, BPF_REG_1, BPF_REG_6, (int16_t)n->num);
		break;
	}
	if ((n->flags & F_SIGNED) && n->size < 8) {
		asm_alui(p, BPF_LSH, BPF_REG_1, 64 - 8 * n->size);
		asm_alui(p, BPF_ARSH, BPF_REG_1, 64 - 8 * n->size);
	}
	store(g, s, BPF_REG_1);
	return s;
}

static int
expr(struct gen *g, struct node *n)
{
	struct prog *p = g->p;
	int s, l;

	switch (n->kind) {
	case N_NUM:
		return const_slot(g, n->num);
	case N_STR:
		return str_literal(g, n->str);
	case N_INDEX:
		if (n->l->kind == N_STAT)
			return hist_index(g, n);
		return read_var(g, n);
	case N_IDENT:
		return read_var(g, n);
	case N_TARGET:
		return target_field(g, n);
	case N_ASSIGN:
		return assign(g, n);
	case N_PREINC:
		return crement(g, n, 0);
	case N_POSTINC:
		return crement(g, n, 1);
	case N_UNARY:
		l = expr(g, n->l);
		s = tmp(g, 8);
		load(g, BPF_REG_1, l);
		if (n->op == O_MINUS)
			asm_alui(p, BPF_NEG, BPF_REG_1, 0);
		else if (n->op == O_BNOT)
			asm_alui(p, BPF_XOR, BPF_REG_1, -1);
		else if (n->op == O_NOT) {
			int z = asm_label(p), d = asm_label(p);

			asm_jmp(p, BPF_JEQ, BPF_REG_1, -1, 0, z);
			asm_movi(p, BPF_REG_1, 0);
			asm_ja(p, d);
			asm_bind(p, z);
			asm_movi(p, BPF_REG_1, 1);
			asm_bind(p, d);
		}
		store(g, s, BPF_REG_1);
		return s;
	case N_BINARY:
		switch (n->op) {
		case O_LAND: case O_LOR:
			return logical(g, n);
		case O_EQ: case O_NE: case O_LT: case O_LE: case O_GT:
		case O_GE:
			return comparison(g, n);
		case O_CAT:
			l = expr(g, n->l);
			return concat(g, l, expr(g, n->r));
		case O_MATCH: case O_NMATCH:
			return regex_match(g, n);
		default:
			l = expr(g, n->l);
			return arith(g, n, n->op, l, expr(g, n->r));
		}
	case N_TERNARY: {
		int els = asm_label(p), done = asm_label(p);
		int res = tmp(g, sizeof_type(g, n->type)), c, v;

		c = expr(g, n->cond);
		load(g, BPF_REG_1, c);
		asm_jmp(p, BPF_JEQ, BPF_REG_1, -1, 0, els);
		v = expr(g, n->then);
		copy(g, BPF_REG_9, res, BPF_REG_9, v, sizeof_type(g, n->type));
		asm_ja(p, done);
		asm_bind(p, els);
		v = expr(g, n->els);
		copy(g, BPF_REG_9, res, BPF_REG_9, v, sizeof_type(g, n->type));
		asm_bind(p, done);
		return res;
	}
	case N_IN: {
		struct node *v = global_var(g, n->l);
		int k, res, no;

		if (is_slice(n->args)) {
			int *sl = slice_values(g, n->args);

			res = tmp(g, 8);
			asm_st(p, BPF_DW, BPF_REG_9, (int16_t)res, 0);
			slice_walk(g, v, g->gmap[n->l->num], sl, res, n->loc);
			return res;
		}
		k = key(g, v, n->args);
		res = tmp(g, 8);
		no = asm_label(p);
		asm_st(p, BPF_DW, BPF_REG_9, (int16_t)res, 0);
		lookup(g, g->gmap[n->l->num], k);
		asm_jmp(p, BPF_JEQ, BPF_REG_0, -1, 0, no);
		asm_st(p, BPF_DW, BPF_REG_9, (int16_t)res, 1);
		asm_bind(p, no);
		return res;
	}
	case N_CALL:
		if (n->flags & F_BUILTIN) {
			s = builtin(g, n);
			return s < 0 ? const_slot(g, 0) : s;
		}
		return inline_call(g, n);
	case N_STAT:
		if (!strncmp(n->str, "@hist", 5)) {
			diag_error(n->loc, "histograms are not supported by "
			    "stap-bpf yet");
			return const_slot(g, 0);
		}
		return stat_get(g, n);
	default:
		diag_error(n->loc, "'%s' expressions are not supported by "
		    "stap-bpf yet", node_name[n->kind]);
		return const_slot(g, 0);
	}
}

/* Script functions are inlined: no BPF-to-BPF calls to verify. */
static int
inline_call(struct gen *g, struct node *n)
{
	struct node *fn, *a, *v;
	struct scope sc = { 0 }, *s;
	int i, nparams = 0, nlocals = 0, res;
	int *argslots;

	if (n->num < 0 || n->num >= g->nfuncs)
		bug("call of function %lld", (long long)n->num);
	fn = g->funcs[n->num];
	/* recursion is inlined too, as deep as stap's MAXNESTING lets
	 * it go; a call deeper than that is stap's runtime error */
	for (s = cur, i = 1; s; s = s->up) {
		i += s->fn != NULL;
		g->recursed |= s->fn == fn;
	}
	if (i > g->maxnesting) {
		for (a = n->args; a; a = a->next)
			expr(g, a);
		raise(g, n->loc, "MAXNESTING exceeded", -1);
		return fn->type == T_STRING ? str_literal(g, "") :
		    const_slot(g, 0);
	}
	/* each inlined body nests where its call is, and this code
	 * recurses over all of them: bound them as TREE_MAXDEPTH bounds
	 * one tree */
	sc.depth = (cur ? cur->depth : 0) + gen_depth(fn);
	if (sc.depth > MAXINLINED) {
		diag_error(n->loc, "functions inlined here nest more than %d "
		    "deep%s", MAXINLINED, g->recursed ? " (recursive "
		    "functions are inlined MAXNESTING deep; a smaller "
		    "-D MAXNESTING=N nests them less)" : "");
		return fn->type == T_STRING ? str_literal(g, "") :
		    const_slot(g, 0);
	}
	for (a = fn->args; a; a = a->next)
		nparams++;
	for (v = fn->locals; v; v = v->next)
		nlocals++;
	argslots = arena_alloc(sizeof *argslots * (nparams + 1));
	for (a = n->args, i = 0; a; a = a->next, i++)
		argslots[i] = expr(g, a);
	sc.fn = fn;
	sc.param = arena_alloc(sizeof *sc.param * (nparams + 1));
	sc.local = arena_alloc(sizeof *sc.local * (nlocals + 1));
	for (a = fn->args, i = 0; a; a = a->next, i++) {
		int sz = sizeof_type(g, a->type);

		sc.param[i] = tmp(g, sz);
		copy(g, BPF_REG_9, sc.param[i], BPF_REG_9, argslots[i], sz);
	}
	for (v = fn->locals, i = 0; v; v = v->next, i++) {
		sc.local[i] = tmp(g, sizeof_type(g, v->type));
		zero(g, BPF_REG_9, sc.local[i], sizeof_type(g, v->type));
	}
	res = sc.retslot = tmp(g, sizeof_type(g, fn->type == T_VOID ? T_LONG :
	    fn->type));
	zero(g, BPF_REG_9, res, sizeof_type(g, fn->type == T_VOID ? T_LONG :
	    fn->type));
	sc.ret = here(g);
	sc.up = cur;
	cur = &sc;
	{
		struct loopctx *saveloops = loops;

		loops = NULL;
		if (fn->body && fn->body->kind == N_EMBED)
			basm_inline(g, fn, n, sc.param, sc.retslot);
		else
			stmt(g, fn->body);
		loops = saveloops;
	}
	cur = sc.up;
	asm_bind(g->p, sc.ret.label);
	return res;
}

/* ---- statements ---- */

/* One more loop iteration: stop runaway loops as stap's MAXACTION does. */
static void
action(struct gen *g, struct loc loc)
{
	int ok = asm_label(g->p);

	load(g, BPF_REG_1, SC_ACTIONS);
	asm_alui(g->p, BPF_ADD, BPF_REG_1, 1);
	store(g, SC_ACTIONS, BPF_REG_1);
	asm_jmp(g->p, BPF_JSLE, BPF_REG_1, -1, g->maxaction, ok);
	raise(g, loc, "MAXACTION exceeded", -1);
	asm_bind(g->p, ok);
}

static void
loop(struct gen *g, struct node *cond, struct node *body, struct node *step,
    struct loc loc)
{
	struct prog *p = g->p, *cb = NULL;
	struct loopctx lc;
	int head = -1, mark = g->top, c, ended = -1;

	if (p->section) {
		/* bpf_loop(BPF_MAX_LOOPS, cb, frame, 0); MAXACTION ends it
		 * sooner, unless it is bigger: then a loop bpf_loop cut short
		 * is that error too (ended, a slot, says it ended itself) */
		if (g->maxaction >= 1 << 23) {
			ended = tmp(g, 8);
			asm_st(p, BPF_DW, BPF_REG_9, (int16_t)ended, 0);
		}
		mark = g->top;
		cb = callback(g, BPF_REG_2, loc);
	} else {
		/* the interpreter: a backward jump */
		head = asm_label(p);
		asm_bind(p, head);
	}
	lc.brk = here(g);
	lc.cont = here(g);
	lc.up = loops;
	action(g, loc);
	if (cond) {
		c = expr(g, cond);
		load(g, BPF_REG_1, c);
		asm_jmp(g->p, BPF_JEQ, BPF_REG_1, -1, 0, lc.brk.label);
	}
	g->top = mark;
	loops = &lc;
	stmt(g, body);
	loops = lc.up;
	asm_bind(g->p, lc.cont.label);
	if (step)
		expr(g, step);
	if (!cb) {
		g->top = mark;
		asm_ja(p, head);
		asm_bind(p, lc.brk.label);
		return;
	}
	cb_return(cb, 0);
	asm_bind(cb, lc.brk.label);
	if (ended >= 0)
		asm_st(cb, BPF_DW, BPF_REG_9, (int16_t)ended, 1);
	cb_return(cb, 1);
	g->top = mark;
	g->p = p;
	asm_ld64(p, BPF_REG_1, 1 << 23);
	frame_args(g);
	call_back(g, cb, BPF_FUNC_loop);
	if (ended >= 0) {
		int ok = asm_label(p);

		load(g, BPF_REG_1, ended);
		asm_jmp(p, BPF_JNE, BPF_REG_1, -1, 0, ok);
		raise(g, loc, "MAXACTION exceeded", -1);
		asm_bind(p, ok);
	}
}

/*
 * The interpreter's walk of a map: start (sorted by spec, lim elements
 * at most; lim < 0: all of them) into slot it, or to end; next, the
 * element's key into ks and value into vs, or to end
 */
static void
user_walk(struct gen *g, int map, int64_t spec, int lim, int it, int end)
{
	asm_ldmap(g->p, BPF_REG_1, map);
	asm_ld64(g->p, BPF_REG_2, spec);
	if (lim >= 0)
		load(g, BPF_REG_3, lim);
	else
		asm_ld64(g->p, BPF_REG_3, INT64_MAX);
	asm_call(g->p, UHELPER_FOREACH_START);
	store(g, it, BPF_REG_0);
	asm_jmp(g->p, BPF_JEQ, BPF_REG_0, -1, 0, end);
}

static void
user_next(struct gen *g, int it, int ks, int vs, int end)
{
	load(g, BPF_REG_1, it);
	asm_escape(g->p, ks, 30000 - ks);
	asm_mov(g->p, BPF_REG_2, BPF_REG_9);
	asm_alui(g->p, BPF_ADD, BPF_REG_2, ks);
	asm_escape(g->p, vs, 30000 - vs);
	asm_mov(g->p, BPF_REG_3, BPF_REG_9);
	asm_alui(g->p, BPF_ADD, BPF_REG_3, vs);
	asm_call(g->p, UHELPER_FOREACH_NEXT);
	asm_jmp(g->p, BPF_JEQ, BPF_REG_0, -1, 0, end);
}

/* ---- array slices: arr[*, k] ---- */

static int
is_slice(struct node *args)
{
	for (; args; args = args->next)
		if (args->kind == N_ANY)
			return 1;
	return 0;
}

/* The values a slice fixes, evaluated once; -1 for each '*' */
static int *
slice_values(struct gen *g, struct node *args)
{
	int *sl = arena_alloc(sizeof *sl * (node_count(args) + 1)), i = 0;

	for (; args; args = args->next)
		sl[i++] = args->kind == N_ANY ? -1 : expr(g, args);
	return sl;
}

/* To miss unless the packed key at ks has slice sl's values */
static void
slice_test(struct gen *g, struct node *v, const int *sl, int ks, int miss)
{
	struct node *k;
	int off = 0, i = 0;

	for (k = v->keys; k; k = k->next, i++) {
		if (sl[i] >= 0 && k->type == T_STRING) {
			load(g, BPF_REG_1, str_compare(g, ks + off, sl[i]));
			asm_jmp(g->p, BPF_JNE, BPF_REG_1, -1, 0, miss);
		} else if (sl[i] >= 0) {
			load(g, BPF_REG_1, ks + off);
			load(g, BPF_REG_2, sl[i]);
			asm_jmp(g->p, BPF_JNE, BPF_REG_1, BPF_REG_2, 0, miss);
		}
		off += sizeof_type(g, k->type);
	}
}

static int
key_size(struct gen *g, struct node *v)
{
	struct node *k;
	int n = 0;

	for (k = v->keys; k; k = k->next)
		n += sizeof_type(g, k->type);
	return n;
}

/*
 * Every element of array v whose key matches slice sl, key at ks: for
 * '[k, *] in a' (set res, stop) or 'delete a[k, *]' (delete it).  The
 * kernel walks with bpf_for_each_map_elem, the interpreter with its
 * foreach helpers (a snapshot, so deleting as it goes is safe).
 */
static void
slice_walk(struct gen *g, struct node *v, int map, const int *sl, int res,
    struct loc loc)
{
	struct prog *p = g->p, *cb;
	int ks = tmp(g, key_size(g, v)), vs = tmp(g, sizeof_type(g, v->type));
	int miss, stop, head, it;

	if (p->section) {
		cb = callback(g, BPF_REG_4, loc);
		copy(g, BPF_REG_9, ks, BPF_REG_2, 0, key_size(g, v));
		miss = asm_label(cb);
		slice_test(g, v, sl, ks, miss);
		if (res >= 0) {
			asm_st(cb, BPF_DW, BPF_REG_9, (int16_t)res, 1);
			cb_return(cb, 1);
		} else {
			map_key_call(g, BPF_FUNC_map_delete_elem, map, ks);
		}
		asm_bind(cb, miss);
		cb_return(cb, 0);
		call_each(g, cb, map);
		return;
	}
	it = tmp(g, 8);
	stop = asm_label(p);
	head = asm_label(p);
	user_walk(g, map, 0, -1, it, stop);
	asm_bind(p, head);
	user_next(g, it, ks, vs, stop);
	slice_test(g, v, sl, ks, head);
	if (res >= 0) {
		asm_st(p, BPF_DW, BPF_REG_9, (int16_t)res, 1);
		asm_ja(p, stop);
	} else {
		map_key_call(g, BPF_FUNC_map_delete_elem, map, ks);
		asm_ja(p, head);
	}
	asm_bind(p, stop);
}

/* The keys and the value of one element, from ks and vs, to the loop's
 * variables */
static void
foreach_vars(struct gen *g, struct node *n, int ks, int vs)
{
	struct node *k;
	int off = 0;

	for (k = n->keys; k; k = k->next) {
		write_var(g, k, ks + off);
		off += sizeof_type(g, k->type);
	}
	if (n->value)
		write_var(g, n->value, vs);
}

/* To brk once slot count has reached slot lim's value, else one more */
static void
limit_count(struct gen *g, int count, int lim, int brk)
{
	load(g, BPF_REG_1, count);
	load(g, BPF_REG_2, lim);
	asm_jmp(g->p, BPF_JSGE, BPF_REG_1, BPF_REG_2, 0, brk);
	asm_alui(g->p, BPF_ADD, BPF_REG_1, 1);
	store(g, count, BPF_REG_1);
}

/*
 * The body of a foreach in its callback, the element's key at ks and
 * value at vs: an action, the loop's variables, the statements; the
 * callback returns 0 to go on (continue) or 1 to stop (break)
 */
static void
foreach_body(struct gen *g, struct node *n, struct loopctx *lc, int ks,
    int vs)
{
	struct prog *cb = g->p;

	action(g, n->loc);
	foreach_vars(g, n, ks, vs);
	loops = lc;
	stmt(g, n->body);
	loops = lc->up;
	asm_bind(cb, lc->cont.label);
	cb_return(cb, 0);
	asm_bind(cb, lc->brk.label);
	cb_return(cb, 1);
}

/*
 * foreach in a kernel probe, unsorted: bpf_for_each_map_elem, whose
 * callback gets the map, the key, the value and our frame
 */
static void
foreach_kernel(struct gen *g, struct node *n, struct node *v, int map,
    const int *sl, int ks, int vs, int lim)
{
	struct prog *p = g->p, *cb;
	struct loopctx lc;
	int count = -1, ksize = 0, mark = g->top;
	struct node *k;

	for (k = v->keys; k; k = k->next)
		ksize += sizeof_type(g, k->type);
	if (n->limit) {
		count = tmp(g, 8);
		asm_st(p, BPF_DW, BPF_REG_9, (int16_t)count, 0);
	}
	mark = g->top;
	cb = callback(g, BPF_REG_4, n->loc);
	copy(g, BPF_REG_9, ks, BPF_REG_2, 0, ksize);
	copy(g, BPF_REG_9, vs, BPF_REG_3, 0, sizeof_type(g, v->type));
	lc.brk = here(g);
	lc.cont = here(g);
	lc.up = loops;
	if (sl)
		slice_test(g, v, sl, ks, lc.cont.label);
	if (count >= 0)
		limit_count(g, count, lim, lc.brk.label);
	foreach_body(g, n, &lc, ks, vs);
	g->top = mark;
	call_each(g, cb, map);
}

/*
 * A sorted foreach in a kernel probe.  A callback of
 * bpf_for_each_map_elem copies every element into a per-CPU array of
 * records, [key][value], and numbers it in a second one, the heap;
 * the heap is built with a bpf_loop, and the loop pops its top once
 * an iteration: O(n + k log n) for k iterations, so a limit makes a
 * top ten cheap.  An element comes out before another when its sort
 * column does, then when it was copied first (as the interpreter's
 * sort: ties in the map's order).
 */
struct sortctx {
	int rmap, hmap;         /* the records and the heap */
	int ksize, vsize;
	int off;                /* of the sort column in a record */
	int str, avg, desc;
	/* scratch slots */
	int n, size, i, b, r, x, y, top;
};

/* r0 = &map[scratch[slot]], a u32 index; or to fail */
static void
lookup_at(struct gen *g, int map, int slot, int fail)
{
	load(g, BPF_REG_1, slot);
	asm_stx(g->p, BPF_W, BPF_REG_10, SK_TMP, BPF_REG_1);
	asm_ldmap(g->p, BPF_REG_1, map);
	asm_mov(g->p, BPF_REG_2, BPF_REG_10);
	asm_alui(g->p, BPF_ADD, BPF_REG_2, SK_TMP);
	asm_call(g->p, BPF_FUNC_map_lookup_elem);
	asm_jmp(g->p, BPF_JEQ, BPF_REG_0, -1, 0, fail);
}

/* r<reg> = the sort column of the record at r<rec>, a number */
static void
sort_number(struct gen *g, struct sortctx *sc, int reg, int rec)
{
	struct prog *p = g->p;
	int zero = asm_label(p), done = asm_label(p);

	if (!sc->avg) {
		asm_ldx(p, BPF_DW, reg, rec, (int16_t)sc->off);
		return;
	}
	asm_ldx(p, BPF_DW, BPF_REG_3, rec, (int16_t)sc->off);
	asm_jmp(p, BPF_JEQ, BPF_REG_3, -1, 0, zero);
	asm_ldx(p, BPF_DW, reg, rec, (int16_t)(sc->off + 8));
	asm_emit(p, (struct bpf_insn){ .code = BPF_ALU64 | BPF_DIV | BPF_X,
	    .dst_reg = reg, .src_reg = BPF_REG_3, .off = 1 });
	asm_ja(p, done);
	asm_bind(p, zero);
	asm_movi(p, reg, 0);
	asm_bind(p, done);
}

/*
 * To yes if the element at heap position xs comes out before the one
 * at ys, else to no.  Only sort callbacks run this: r6 and r7 are free.
 */
static void
sort_before(struct gen *g, struct sortctx *sc, int xs, int ys, int yes,
    int no)
{
	struct prog *p = g->p;
	int tie = asm_label(p);

	lookup_at(g, sc->hmap, xs, no);
	asm_ldx(p, BPF_DW, BPF_REG_1, BPF_REG_0, 0);
	store(g, sc->x, BPF_REG_1);
	lookup_at(g, sc->hmap, ys, no);
	asm_ldx(p, BPF_DW, BPF_REG_1, BPF_REG_0, 0);
	store(g, sc->y, BPF_REG_1);
	lookup_at(g, sc->rmap, sc->x, no);
	asm_mov(p, BPF_REG_6, BPF_REG_0);
	lookup_at(g, sc->rmap, sc->y, no);
	asm_mov(p, BPF_REG_7, BPF_REG_0);
	if (sc->str) {
		int loop = asm_label(p), differ = asm_label(p);

		asm_movi(p, BPF_REG_3, 0);
		asm_bind(p, loop);
		asm_mov(p, BPF_REG_4, BPF_REG_6);
		asm_alu(p, BPF_ADD, BPF_REG_4, BPF_REG_3);
		asm_ldx(p, BPF_B, BPF_REG_1, BPF_REG_4, (int16_t)sc->off);
		asm_mov(p, BPF_REG_5, BPF_REG_7);
		asm_alu(p, BPF_ADD, BPF_REG_5, BPF_REG_3);
		asm_ldx(p, BPF_B, BPF_REG_2, BPF_REG_5, (int16_t)sc->off);
		asm_jmp(p, BPF_JNE, BPF_REG_1, BPF_REG_2, 0, differ);
		asm_jmp(p, BPF_JEQ, BPF_REG_1, -1, 0, tie);
		asm_alui(p, BPF_ADD, BPF_REG_3, 1);
		asm_jmp(p, BPF_JLT, BPF_REG_3, -1, g->maxstr, loop);
		asm_ja(p, tie);
		asm_bind(p, differ);
		asm_jmp(p, sc->desc ? BPF_JGT : BPF_JLT, BPF_REG_1, BPF_REG_2,
		    0, yes);
		asm_ja(p, no);
	} else {
		sort_number(g, sc, BPF_REG_1, BPF_REG_6);
		sort_number(g, sc, BPF_REG_2, BPF_REG_7);
		asm_jmp(p, sc->desc ? BPF_JSGT : BPF_JSLT, BPF_REG_1,
		    BPF_REG_2, 0, yes);
		asm_jmp(p, sc->desc ? BPF_JSLT : BPF_JSGT, BPF_REG_1,
		    BPF_REG_2, 0, no);
	}
	asm_bind(p, tie);
	load(g, BPF_REG_1, sc->x);
	load(g, BPF_REG_2, sc->y);
	asm_jmp(p, BPF_JLT, BPF_REG_1, BPF_REG_2, 0, yes);
	asm_ja(p, no);
}

/* The callback that moves the element at heap position i down to its
 * place, a level an iteration */
static struct prog *
sort_sift(struct gen *g, struct sortctx *sc, struct loc loc)
{
	struct prog *up = g->p, *cb = callback(g, BPF_REG_2, loc);
	int stop = asm_label(cb), right = asm_label(cb), cmp = asm_label(cb);
	int swap = asm_label(cb);

	load(g, BPF_REG_1, sc->i);
	asm_alui(cb, BPF_LSH, BPF_REG_1, 1);
	asm_alui(cb, BPF_ADD, BPF_REG_1, 1);
	store(g, sc->b, BPF_REG_1);
	load(g, BPF_REG_2, sc->size);
	asm_jmp(cb, BPF_JGE, BPF_REG_1, BPF_REG_2, 0, stop);
	asm_alui(cb, BPF_ADD, BPF_REG_1, 1);
	store(g, sc->r, BPF_REG_1);
	asm_jmp(cb, BPF_JGE, BPF_REG_1, BPF_REG_2, 0, cmp);
	sort_before(g, sc, sc->r, sc->b, right, cmp);
	asm_bind(cb, right);
	load(g, BPF_REG_1, sc->r);
	store(g, sc->b, BPF_REG_1);
	asm_bind(cb, cmp);
	sort_before(g, sc, sc->b, sc->i, swap, stop);
	asm_bind(cb, swap);
	lookup_at(g, sc->hmap, sc->b, stop);
	asm_mov(cb, BPF_REG_6, BPF_REG_0);
	lookup_at(g, sc->hmap, sc->i, stop);
	asm_ldx(cb, BPF_DW, BPF_REG_1, BPF_REG_6, 0);
	asm_ldx(cb, BPF_DW, BPF_REG_2, BPF_REG_0, 0);
	asm_stx(cb, BPF_DW, BPF_REG_6, 0, BPF_REG_2);
	asm_stx(cb, BPF_DW, BPF_REG_0, 0, BPF_REG_1);
	load(g, BPF_REG_1, sc->b);
	store(g, sc->i, BPF_REG_1);
	cb_return(cb, 0);
	asm_bind(cb, stop);
	cb_return(cb, 1);
	g->p = up;
	if (asm_finish(cb) < 0)
		bug("sort callback too big");
	return cb;
}

/* bpf_loop(64, sift): the heap is never deeper */
static void
sort_sift_call(struct gen *g, struct prog *sift)
{
	asm_movi(g->p, BPF_REG_1, 64);
	frame_args(g);
	invoke(g, sift, BPF_FUNC_loop);
}

static void
foreach_sorted(struct gen *g, struct node *n, struct node *v, int map,
    const int *sl, int ks, int vs, int lim)
{
	struct prog *p = g->p, *cb, *sift;
	struct sortctx sc;
	struct loopctx lc;
	struct node *k;
	char *name;
	int col = (int)n->num, i, mark, done = asm_label(p);
	unsigned max = gen_map_max(map);

	memset(&sc, 0, sizeof sc);
	for (k = v->keys, i = 1; k; k = k->next, i++) {
		if (i == col) {
			sc.off = sc.ksize;
			sc.str = k->type == T_STRING;
		}
		sc.ksize += sizeof_type(g, k->type);
	}
	sc.vsize = sizeof_type(g, v->type);
	if (col == 0) {
		sc.off = sc.ksize;
		sc.str = v->type == T_STRING;
		if (v->type == T_STATS && n->str) {
			sc.off += !strcmp(n->str, "@sum") ? 8 :
			    !strcmp(n->str, "@min") ? 16 :
			    !strcmp(n->str, "@max") ? 24 : 0;
			sc.avg = !strcmp(n->str, "@avg");
		}
	}
	sc.desc = (n->flags & F_DESC) != 0;
	name = arena_alloc(32);
	snprintf(name, 32, "stap_sort%d", g->nsorts);
	sc.rmap = gen_map(name, BPF_MAP_TYPE_PERCPU_ARRAY, 4,
	    (unsigned)(sc.ksize + sc.vsize), max ? max : 1);
	name = arena_alloc(32);
	snprintf(name, 32, "stap_heap%d", g->nsorts++);
	sc.hmap = gen_map(name, BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8,
	    max ? max : 1);
	sc.n = tmp(g, 8);
	sc.size = tmp(g, 8);
	sc.i = tmp(g, 8);
	sc.b = tmp(g, 8);
	sc.r = tmp(g, 8);
	sc.x = tmp(g, 8);
	sc.y = tmp(g, 8);
	sc.top = tmp(g, 8);
	mark = g->top;

	/* copy: record n = the element (if the slice lets it through),
	 * heap[n] = n */
	asm_st(p, BPF_DW, BPF_REG_9, (int16_t)sc.n, 0);
	cb = callback(g, BPF_REG_4, n->loc);
	{
		int stop = asm_label(cb), skip = asm_label(cb);

		copy(g, BPF_REG_9, ks, BPF_REG_2, 0, sc.ksize);
		copy(g, BPF_REG_9, vs, BPF_REG_3, 0, sc.vsize);
		if (sl)
			slice_test(g, v, sl, ks, skip);
		load(g, BPF_REG_1, sc.n);
		asm_jmp(cb, BPF_JGE, BPF_REG_1, -1, (int32_t)max, stop);
		lookup_at(g, sc.rmap, sc.n, stop);
		asm_mov(cb, BPF_REG_7, BPF_REG_0);
		copy(g, BPF_REG_7, 0, BPF_REG_9, ks, sc.ksize);
		copy(g, BPF_REG_7, sc.ksize, BPF_REG_9, vs, sc.vsize);
		lookup_at(g, sc.hmap, sc.n, stop);
		load(g, BPF_REG_1, sc.n);
		asm_stx(cb, BPF_DW, BPF_REG_0, 0, BPF_REG_1);
		asm_alui(cb, BPF_ADD, BPF_REG_1, 1);
		store(g, sc.n, BPF_REG_1);
		asm_bind(cb, skip);
		cb_return(cb, 0);
		asm_bind(cb, stop);
		cb_return(cb, 1);
	}
	call_each(g, cb, map);
	load(g, BPF_REG_1, sc.n);
	store(g, sc.size, BPF_REG_1);
	asm_jmp(p, BPF_JEQ, BPF_REG_1, -1, 0, done);

	sift = sort_sift(g, &sc, n->loc);

	/* heapify: sift i = n/2 - 1 down to 0 */
	cb = callback(g, BPF_REG_2, n->loc);
	load(g, BPF_REG_2, sc.size);
	asm_alui(cb, BPF_RSH, BPF_REG_2, 1);
	asm_alui(cb, BPF_SUB, BPF_REG_2, 1);
	asm_alu(cb, BPF_SUB, BPF_REG_2, BPF_REG_1);
	store(g, sc.i, BPF_REG_2);
	sort_sift_call(g, sift);
	cb_return(cb, 0);
	g->p = p;
	load(g, BPF_REG_1, sc.size);
	asm_alui(p, BPF_RSH, BPF_REG_1, 1);
	frame_args(g);
	call_back(g, cb, BPF_FUNC_loop);

	/* the loop: pop the top, then the body */
	cb = callback(g, BPF_REG_2, n->loc);
	lc.brk = here(g);
	lc.cont = here(g);
	lc.up = loops;
	asm_st(cb, BPF_DW, BPF_REG_9, (int16_t)sc.i, 0);
	lookup_at(g, sc.hmap, sc.i, lc.brk.label);
	asm_ldx(cb, BPF_DW, BPF_REG_1, BPF_REG_0, 0);
	store(g, sc.top, BPF_REG_1);
	load(g, BPF_REG_1, sc.size);
	asm_alui(cb, BPF_SUB, BPF_REG_1, 1);
	store(g, sc.size, BPF_REG_1);
	lookup_at(g, sc.hmap, sc.size, lc.brk.label);
	asm_ldx(cb, BPF_DW, BPF_REG_1, BPF_REG_0, 0);
	store(g, sc.x, BPF_REG_1);
	lookup_at(g, sc.hmap, sc.i, lc.brk.label);
	load(g, BPF_REG_1, sc.x);
	asm_stx(cb, BPF_DW, BPF_REG_0, 0, BPF_REG_1);
	sort_sift_call(g, sift);
	lookup_at(g, sc.rmap, sc.top, lc.brk.label);
	asm_mov(cb, BPF_REG_7, BPF_REG_0);
	copy(g, BPF_REG_9, ks, BPF_REG_7, 0, sc.ksize);
	copy(g, BPF_REG_9, vs, BPF_REG_7, sc.ksize, sc.vsize);
	foreach_body(g, n, &lc, ks, vs);
	g->top = mark;
	g->p = p;
	{
		int less = asm_label(p);

		load(g, BPF_REG_1, sc.n);
		load(g, BPF_REG_2, lim);
		asm_jmp(p, BPF_JSLE, BPF_REG_1, BPF_REG_2, 0, less);
		asm_mov(p, BPF_REG_1, BPF_REG_2);
		asm_bind(p, less);
	}
	frame_args(g);
	call_back(g, cb, BPF_FUNC_loop);
	asm_bind(p, done);
}

/*
 * foreach (i in @hist_log(s)): every bucket of a copy of s, as stap:
 * i its number, the value its count; the limit counts iterations
 */
static void
foreach_hist(struct gen *g, struct node *n, struct node *h)
{
	struct prog *p = g->p, *cb = NULL;
	int slot = read_var(g, h->l), nb = hist_buckets(h), lim = -1;
	int idx = tmp(g, 8), count = tmp(g, 8), val = tmp(g, 8), head, mark;
	struct loopctx lc;

	if (node_count(n->keys) != 1) {
		diag_error(n->loc, "a histogram's foreach has one key, the "
		    "bucket");
		return;
	}
	if (n->limit)
		lim = expr(g, n->limit);
	asm_st(p, BPF_DW, BPF_REG_9, (int16_t)count, 0);
	mark = g->top;
	if (p->section) {
		cb = callback(g, BPF_REG_2, n->loc);
		store(g, idx, BPF_REG_1);
		head = -1;
	} else {
		asm_st(p, BPF_DW, BPF_REG_9, (int16_t)idx, 0);
		head = asm_label(p);
		asm_bind(p, head);
	}
	lc.brk = here(g);
	lc.cont = here(g);
	lc.up = loops;
	/* the count while the verifier still knows idx < nb */
	load(g, BPF_REG_1, idx);
	asm_jmp(g->p, BPF_JGE, BPF_REG_1, -1, nb, lc.brk.label);
	asm_alui(g->p, BPF_LSH, BPF_REG_1, 3);
	asm_alu(g->p, BPF_ADD, BPF_REG_1, BPF_REG_9);
	asm_ldx(g->p, BPF_DW, BPF_REG_1, BPF_REG_1, (int16_t)(slot + 32));
	store(g, val, BPF_REG_1);
	if (lim >= 0)
		limit_count(g, count, lim, lc.brk.label);
	action(g, n->loc);
	foreach_vars(g, n, idx, val);
	loops = &lc;
	stmt(g, n->body);
	loops = lc.up;
	asm_bind(g->p, lc.cont.label);
	if (cb) {
		cb_return(cb, 0);
		asm_bind(cb, lc.brk.label);
		cb_return(cb, 1);
		g->p = p;
		asm_movi(p, BPF_REG_1, nb);
		frame_args(g);
		call_back(g, cb, BPF_FUNC_loop);
	} else {
		load(g, BPF_REG_1, idx);
		asm_alui(p, BPF_ADD, BPF_REG_1, 1);
		store(g, idx, BPF_REG_1);
		asm_ja(p, head);
		asm_bind(p, lc.brk.label);
	}
	g->top = mark;
}

/* foreach: the interpreter walks a map through stap-bpfld, sorted */
static void
foreach(struct gen *g, struct node *n)
{
	struct prog *p = g->p;
	struct node *arr = n->l, *v, *k;
	struct loopctx lc;
	int head, it, ks, vs, off, lim, mark, *sl = NULL, count = -1;
	int64_t spec;

	if (arr->kind == N_INDEX && arr->l->kind == N_IDENT) {
		/* a slice: its values once, before the loop, as stap */
		sl = slice_values(g, arr->args);
		arr = arr->l;
	}
	if (arr->kind == N_STAT && !strncmp(arr->str, "@hist", 5)) {
		foreach_hist(g, n, arr);
		return;
	}
	if (arr->kind != N_IDENT) {
		diag_error(arr->loc, "foreach over what is not an array");
		return;
	}
	v = global_var(g, arr);
	off = 0;
	for (k = v->keys; k; k = k->next)
		off += sizeof_type(g, k->type);
	ks = tmp(g, off);
	vs = tmp(g, sizeof_type(g, v->type));
	/* stap: a limit of 0 or less visits nothing */
	lc.brk = here(g);
	lim = n->limit ? expr(g, n->limit) : const_slot(g, INT64_MAX);
	load(g, BPF_REG_3, lim);
	asm_jmp(p, BPF_JSLE, BPF_REG_3, -1, 0, lc.brk.label);
	if (p->section) {
		int nkeys = 0;

		for (k = v->keys; k; k = k->next)
			nkeys++;
		if ((n->flags & (F_ASC | F_DESC)) && n->num <= nkeys)
			foreach_sorted(g, n, v, g->gmap[arr->num], sl, ks, vs,
			    lim);
		else
			foreach_kernel(g, n, v, g->gmap[arr->num], sl, ks, vs,
			    lim);
		asm_bind(p, lc.brk.label);
		return;
	}
	spec = n->num;
	if (n->flags & (F_ASC | F_DESC))
		spec |= 1 << 9;
	if (n->flags & F_DESC)
		spec |= 1 << 8;
	if (n->str) {
		static const char *ops[] = { "", "@count", "@sum", "@min",
		    "@max", "@avg" };
		int i;

		for (i = 1; i < 6; i++)
			if (!strcmp(n->str, ops[i]))
				spec |= (int64_t)i << 12;
	}
	it = tmp(g, 8);
	lc.cont = here(g);
	lc.up = loops;
	head = asm_label(p);
	if (sl && n->limit) {
		/* the limit counts what the slice lets through */
		count = tmp(g, 8);
		asm_st(p, BPF_DW, BPF_REG_9, (int16_t)count, 0);
	}
	user_walk(g, g->gmap[arr->num], spec, sl ? -1 : lim, it, lc.brk.label);
	mark = g->top;
	asm_bind(p, head);
	asm_bind(p, lc.cont.label);
	user_next(g, it, ks, vs, lc.brk.label);
	if (sl)
		slice_test(g, v, sl, ks, head);
	if (count >= 0)
		limit_count(g, count, lim, lc.brk.label);
	foreach_vars(g, n, ks, vs);
	loops = &lc;
	stmt(g, n->body);
	loops = lc.up;
	g->top = mark;
	asm_ja(p, head);
	asm_bind(p, lc.brk.label);
}

static void
delete(struct gen *g, struct node *n)
{
	struct prog *p = g->p, *cb;
	struct node *t = n->l, *v;

	if (t->kind == N_INDEX && is_slice(t->args)) {
		v = global_var(g, t->l);
		slice_walk(g, v, g->gmap[t->l->num], slice_values(g, t->args),
		    -1, n->loc);
		return;
	}
	if (t->kind == N_INDEX) {
		v = global_var(g, t->l);
		map_key_call(g, BPF_FUNC_map_delete_elem, g->gmap[t->l->num],
		    key(g, v, t->args));
		return;
	}
	if (t->kind == N_IDENT && (t->flags & F_GLOBAL) &&
	    g->gmap[t->num] >= 0) {
		if (!p->section) {
			asm_ldmap(p, BPF_REG_1, g->gmap[t->num]);
			asm_call(p, UHELPER_MAP_CLEAR);
			return;
		}
		/* every element, from a callback: r1 the map, r2 the key */
		cb = callback(g, -1, n->loc);
		asm_call(cb, BPF_FUNC_map_delete_elem);
		cb_return(cb, 0);
		call_each(g, cb, g->gmap[t->num]);
		return;
	}
	if (t->kind == N_IDENT) {
		int s = tmp(g, sizeof_type(g, t->flags & F_GLOBAL ?
		    global_var(g, t)->type : t->type));

		zero(g, BPF_REG_9, s, sizeof_type(g, t->flags & F_GLOBAL ?
		    global_var(g, t)->type : t->type));
		write_var(g, t, s);
	}
}

static void
stmt(struct gen *g, struct node *n)
{
	struct prog *p = g->p;
	int mark, c;

	for (; n; n = n->next) {
		mark = g->top;
		asm_line(p, n->loc);
		switch (n->kind) {
		case N_BLOCK:
			stmt(g, n->body);
			break;
		case N_EXPR:
			if (!atomic_add(g, n->l))
				expr(g, n->l);
			break;
		case N_NULLSTMT:
			break;
		case N_IF: {
			int els = asm_label(p), done = asm_label(p);

			c = expr(g, n->cond);
			load(g, BPF_REG_1, c);
			asm_jmp(p, BPF_JEQ, BPF_REG_1, -1, 0, els);
			g->top = mark;
			stmt(g, n->then);
			asm_ja(p, done);
			asm_bind(p, els);
			stmt(g, n->els);
			asm_bind(p, done);
			break;
		}
		case N_WHILE:
			loop(g, n->cond, n->body, NULL, n->loc);
			break;
		case N_FOR:
			if (n->init)
				expr(g, n->init);
			g->top = mark;
			loop(g, n->cond, n->body, n->step, n->loc);
			break;
		case N_FOREACH:
			foreach(g, n);
			break;
		case N_BREAK:
		case N_CONTINUE:
			if (!loops) {
				diag_error(n->loc, "'%s' outside a loop",
				    node_name[n->kind]);
				break;
			}
			go(g, n->kind == N_BREAK ? loops->brk : loops->cont);
			break;
		case N_NEXT:
			go(g, epilogue);
			break;
		case N_RETURN:
			if (n->l) {
				int v = expr(g, n->l);

				copy(g, BPF_REG_9, cur->retslot, BPF_REG_9, v,
				    sizeof_type(g, n->l->type));
			}
			go(g, cur->ret);
			break;
		case N_DELETE:
			delete(g, n);
			break;
		case N_TRY: {
			struct tryctx tc = { here(g), -1, tries };
			int done = asm_label(p);

			if (n->l)
				tc.msgslot = var_slot(g, n->l);
			tries = &tc;
			stmt(g, n->body);
			tries = tc.up;
			asm_ja(p, done);
			asm_bind(p, tc.catch.label);
			/* as stap, the catch costs an action: a MAXACTION
			 * error caught is raised again, outside */
			action(g, n->loc);
			stmt(g, n->els);
			asm_bind(p, done);
			break;
		}
		default:
			diag_error(n->loc, "'%s' statements are not supported "
			    "by stap-bpf yet", node_name[n->kind]);
			break;
		}
		g->top = mark;
	}
}

/* ---- for basm.c, the embedded assembler ---- */

int
gen_slot(struct gen *g, int size)
{
	return tmp(g, size);
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
	builtin(g, &n);
}

/*
 * A runtime error whose message is in msgslot, as error() raises it;
 * with catchonly, only inside try (jump_to_catch), else nothing.
 */
void
gen_raise(struct gen *g, struct loc loc, int msgslot, int catchonly)
{
	if (catchonly && !tries)
		return;
	raise(g, loc, "", msgslot);
}

/* To the probe's epilogue. */
void
gen_terminate(struct gen *g)
{
	go(g, epilogue);
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
	cur = NULL;
	loops = NULL;
	tries = NULL;
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
		    !strncmp(n->str, "sprint", 6))
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

	epilogue = here(g);
	end = epilogue.label;
	asm_line(p, probe->loc);
	if (nr >= 0) {
		asm_ldx(p, BPF_DW, BPF_REG_1, BPF_REG_6, 8);
		asm_jmp(p, BPF_JNE, BPF_REG_1, -1, (int32_t)nr, end);
	}
	if (p->nmembers > 1) {
		/* an exit of its own: the program's may be out of reach */
		int go_on = asm_label(p);

		asm_ldx(p, BPF_DW, BPF_REG_1, BPF_REG_10, SK_CTL);
		asm_ldx(p, BPF_DW, BPF_REG_1, BPF_REG_1, CTL_EXIT);
		asm_jmp(p, BPF_JEQ, BPF_REG_1, -1, 0, go_on);
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
		sc.local[i] = tmp(g, sizeof_type(g, v->type));
		zero(g, BPF_REG_9, sc.local[i], sizeof_type(g, v->type));
	}
	sc.depth = gen_depth(probe);
	cur = &sc;
	if (probe->points->cond) {
		int c = expr(g, probe->points->cond);

		load(g, BPF_REG_1, c);
		asm_jmp(p, BPF_JEQ, BPF_REG_1, -1, 0, end);
	}
	stmt(g, probe->body);
	cur = NULL;
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
		lookup_one(g, g->m_globals, BPF_REG_1, outlabel);
		asm_alui(p, BPF_ADD, BPF_REG_1, p->ticks);
		asm_movi(p, BPF_REG_2, 1);
		asm_emit(p, (struct bpf_insn){ .code = BPF_STX | BPF_ATOMIC |
		    BPF_DW, .dst_reg = BPF_REG_1, .src_reg = BPF_REG_2,
		    .imm = BPF_ADD });
	}
	lookup_one(g, g->m_ctl, BPF_REG_0, outlabel);
	asm_stx(p, BPF_DW, BPF_REG_10, SK_CTL, BPF_REG_0);
	if (p->section) {
		/* no probe handler runs before the initialisers and the
		 * begin probes have, nor after exit(), an error or the
		 * stop, as in stap: stap-bpfld sets and clears CTL_RUN,
		 * and detaching takes its time */
		asm_ldx(p, BPF_DW, BPF_REG_1, BPF_REG_0, CTL_RUN);
		asm_jmp(p, BPF_JEQ, BPF_REG_1, -1, 0, outlabel);
		asm_ldx(p, BPF_DW, BPF_REG_1, BPF_REG_0, CTL_EXIT);
		asm_jmp(p, BPF_JNE, BPF_REG_1, -1, 0, outlabel);
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
	lookup_one(g, g->m_globals, BPF_REG_8, outlabel);
	lookup_one(g, g->m_scratch, BPF_REG_9, outlabel);
	asm_st(p, BPF_DW, BPF_REG_9, SC_ACTIONS, 0);
	if (init) {
		/* the initialisers of globals, before any begin probe */
		for (i = 0; i < g->nglobals; i++) {
			int s;

			v = g->gvar[i];
			if (!v->l || g->gmap[i] >= 0)
				continue;
			s = v->l->kind == N_STR ? str_literal(g, v->l->str) :
			    const_slot(g, v->l->num);
			copy(g, BPF_REG_8, g->goff[i], BPF_REG_9, s,
			    sizeof_type(g, v->type));
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
