/*
 * Values into registers.  gen.c keeps every value in an 8-byte slot of
 * the per-CPU scratch frame (r9); here each slot that only one program
 * of a probe touches, always whole, and never through a pointer,
 * becomes a virtual register (promote).  Then, program by program:
 * constants and copies are propagated inside basic blocks, so
 * immediates reach ALU and jump instructions (propagate); definitions
 * nobody reads are dropped, slot stores included (dead); and a linear
 * scan, after a comparison's 0/1 that is only tested has become one
 * jump (fuse_tests), gives each virtual register a machine register
 * free over its whole live interval, r0-r5 between helper calls
 * (which clobber them), r7 across them when gen.c is not using it
 * (allocate).  A virtual
 * register without one goes back to its slot: that is the spill, at
 * the constant offset the verifier already accepted.
 *
 * The slots callbacks share with their caller (bpf_loop, for_each
 * state, the escape code) have several owners and stay in the frame.
 * A slot read before any write in its program stays too: its value
 * would be an uninitialised register.
 */
#include <stdlib.h>
#include <string.h>

#include "gen.h"

enum { NONE = -1, MANY = -2 };

/* Machine registers a virtual one may take: r0-r5, r7 */
#define CANDIDATES 0xbfu

struct slots {
	int n;                  /* 8-byte slots of the frame */
	int *owner;             /* the program index, NONE or MANY */
	char *bad;              /* partly, or through a pointer */
};

static int ends_block(const struct ir *i);

static int
is_mem(const struct ir *i)
{
	int cls = BPF_CLASS(i->code);

	return i->kind == IK_INSN && (cls == BPF_LDX || cls == BPF_ST ||
	    cls == BPF_STX);
}

static int
mem_base(const struct ir *i)
{
	return BPF_CLASS(i->code) == BPF_LDX ? i->src : i->dst;
}

static int
mem_size(const struct ir *i)
{
	switch (BPF_SIZE(i->code)) {
	case BPF_B: return 1;
	case BPF_H: return 2;
	case BPF_W: return 4;
	default: return 8;
	}
}

static void
mark_bad(struct slots *s, long off, long size)
{
	long k;

	if (off < 0)
		off = 0;
	for (k = off / 8; k <= (off + size - 1) / 8 && k < s->n; k++)
		s->bad[k] = 1;
}

static int
reads_r9(const struct ir *i)
{
	int cls = BPF_CLASS(i->code);

	if (i->kind != IK_INSN)
		return 0;
	if (cls == BPF_ALU || cls == BPF_ALU64)
		return (BPF_SRC(i->code) == BPF_X && i->src == BPF_REG_9) ||
		    (BPF_OP(i->code) != BPF_MOV && i->dst == BPF_REG_9);
	if (cls == BPF_JMP || cls == BPF_JMP32)
		return BPF_OP(i->code) != BPF_CALL && BPF_OP(i->code) !=
		    BPF_EXIT && BPF_OP(i->code) != BPF_JA &&
		    (i->dst == BPF_REG_9 || (BPF_SRC(i->code) == BPF_X &&
		    i->src == BPF_REG_9));
	if (cls == BPF_STX)
		return i->src == BPF_REG_9;
	return 0;
}

/*
 * A copy of r9 made after an escape: where it points, so that what is
 * read or written through it is kept in the frame even where gen.c
 * named only one of the places (two strings compared byte by byte)
 */
struct derived {
	int on, var;
	long k;
	int size;               /* the escape's */
};

static void
through(struct slots *s, struct derived *d, const struct ir *i)
{
	int r = mem_base(i);

	if (r < 0 || r > BPF_REG_10 || !d[r].on)
		return;
	mark_bad(s, d[r].k + i->off, d[r].var ? d[r].size : mem_size(i));
}

static void
track(struct derived *d, const struct ir *i, int ok_copy, int size)
{
	int cls = BPF_CLASS(i->code), op = BPF_OP(i->code);
	struct derived nd = { 0, 0, 0, 0 };

	if (i->kind != IK_INSN && i->kind != IK_LD64 &&
	    i->kind != IK_LDMAP && i->kind != IK_LDFUNC)
		return;
	if (i->kind == IK_INSN && ends_block(i)) {
		memset(d, 0, sizeof *d * (BPF_REG_10 + 1));
		return;
	}
	if (i->kind == IK_INSN && op == BPF_CALL && cls == BPF_JMP) {
		memset(d, 0, sizeof *d * 6);
		return;
	}
	if (i->dst < 0 || i->dst > BPF_REG_10 || (i->kind == IK_INSN &&
	    cls != BPF_ALU64 && cls != BPF_ALU && cls != BPF_LDX))
		return;
	if (i->kind == IK_INSN && cls == BPF_ALU64 && op == BPF_MOV &&
	    BPF_SRC(i->code) == BPF_X && i->src <= BPF_REG_10) {
		if (i->src == BPF_REG_9 && ok_copy) {
			nd.on = 1;
			nd.size = size;
		}
		else
			nd = d[i->src];
	} else if (i->kind == IK_INSN && cls == BPF_ALU64 && op == BPF_ADD &&
	    d[i->dst].on) {
		nd = d[i->dst];
		if (BPF_SRC(i->code) == BPF_K)
			nd.k += i->imm;
		else
			nd.var = 1;
	}
	d[i->dst] = nd;
}

/* Who touches each slot, and how */
static void
scan(struct slots *s, struct prog **pp, int np)
{
	struct derived d[BPF_REG_10 + 1];
	int k, size = 0;
	size_t j;

	for (k = 0; k < np; k++) {
		struct prog *p = pp[k];
		int ok_copy = 0;

		memset(d, 0, sizeof d);
		for (j = 0; j < p->nir; j++) {
			struct ir *i = &p->ir[j];

			if (i->kind == IK_ESCAPE) {
				mark_bad(s, i->off, i->imm);
				if (i->imm > size)
					size = i->imm;
				ok_copy = 1;
				continue;
			}
			if (i->kind == IK_LABEL)
				memset(d, 0, sizeof d);
			if (is_mem(i) && mem_base(i) == BPF_REG_9) {
				long off = i->off;

				if (BPF_MODE(i->code) != BPF_MEM ||
				    mem_size(i) != 8 || off % 8 || off < 0)
					mark_bad(s, off, mem_size(i));
				else if (off / 8 < s->n) {
					int *o = &s->owner[off / 8];

					*o = *o == NONE || *o == k ? k : MANY;
				}
			} else if (is_mem(i))
				through(s, d, i);
			if (reads_r9(i)) {
				/* a copy of the frame pointer: fine right
				 * after an escape, or saved for callbacks */
				int save = BPF_CLASS(i->code) == BPF_STX &&
				    i->dst == BPF_REG_10;

				if (!ok_copy && !save)
					mark_bad(s, 0, (long)s->n * 8);
			}
			track(d, i, ok_copy, size);
			if (i->kind == IK_INSN) {
				ok_copy = 0;
				size = 0;
			}
		}
	}
}

static int
promotable(const struct slots *s, int k, int slot)
{
	return slot >= 0 && slot < s->n && s->owner[slot] == k &&
	    !s->bad[slot];
}

/* Slot accesses become moves to and from virtual registers */
static void
promote(struct prog *p, const struct slots *s, int k)
{
	size_t j;

	p->nvregs = s->n;
	for (j = 0; j < p->nir; j++) {
		struct ir *i = &p->ir[j];
		int cls = BPF_CLASS(i->code);

		if (!is_mem(i) || mem_base(i) != BPF_REG_9 ||
		    !promotable(s, k, i->off / 8) || i->off % 8)
			continue;
		if (cls == BPF_LDX) {
			i->code = BPF_ALU64 | BPF_MOV | BPF_X;
			i->src = IR_VREG + i->off / 8;
		} else if (cls == BPF_STX) {
			i->code = BPF_ALU64 | BPF_MOV | BPF_X;
			i->dst = IR_VREG + i->off / 8;
		} else {
			i->code = BPF_ALU64 | BPF_MOV | BPF_K;
			i->dst = IR_VREG + i->off / 8;
			i->src = 0;
		}
		i->off = 0;
	}
}

/* ---- uses and definitions ---- */

/* Arguments of the helpers gen.c calls; others count as 5 */
static int
nargs(int helper)
{
	switch (helper) {
	case BPF_FUNC_get_current_pid_tgid:
	case BPF_FUNC_get_current_uid_gid:
	case BPF_FUNC_get_current_task:
	case BPF_FUNC_get_smp_processor_id:
	case BPF_FUNC_ktime_get_ns:
		return 0;
	case BPF_FUNC_map_lookup_elem:
	case BPF_FUNC_map_delete_elem:
	case BPF_FUNC_ringbuf_submit:
	case BPF_FUNC_get_current_comm:
		return 2;
	case BPF_FUNC_ringbuf_reserve:
	case BPF_FUNC_probe_read_kernel:
	case BPF_FUNC_probe_read_kernel_str:
	case BPF_FUNC_probe_read_user_str:
		return 3;
	case BPF_FUNC_map_update_elem:
	case BPF_FUNC_loop:
	case BPF_FUNC_for_each_map_elem:
		return 4;
	default:
		return 5;
	}
}

struct ud {
	int use[3], nuse;
	int def[6], ndef;
	int effect;             /* more than its definitions */
};

static void
use(struct ud *u, int r)
{
	u->use[u->nuse++] = r;
}

static void
def(struct ud *u, int r)
{
	u->def[u->ndef++] = r;
}

static void
uses_defs(const struct ir *i, struct ud *u)
{
	int cls = BPF_CLASS(i->code), op = BPF_OP(i->code), k;

	u->nuse = u->ndef = 0;
	u->effect = 0;
	switch (i->kind) {
	case IK_LD64: case IK_LDMAP: case IK_LDFUNC:
		def(u, i->dst);
		return;
	case IK_INSN:
		break;
	default:
		return;
	}
	switch (cls) {
	case BPF_ALU: case BPF_ALU64:
		if (BPF_SRC(i->code) == BPF_X && op != BPF_NEG &&
		    op != BPF_END)
			use(u, i->src);
		if (op != BPF_MOV)
			use(u, i->dst);
		if ((op == BPF_DIV || op == BPF_MOD))
			u->effect = 1;
		def(u, i->dst);
		return;
	case BPF_LDX:
		use(u, i->src);
		def(u, i->dst);
		return;
	case BPF_ST:
		use(u, i->dst);
		u->effect = 1;
		return;
	case BPF_STX:
		use(u, i->dst);
		use(u, i->src);
		u->effect = 1;
		if (BPF_MODE(i->code) == BPF_ATOMIC && (i->imm & BPF_FETCH))
			def(u, i->imm == BPF_CMPXCHG ? BPF_REG_0 : i->src);
		if (BPF_MODE(i->code) == BPF_ATOMIC && i->imm == BPF_CMPXCHG)
			use(u, BPF_REG_0);
		return;
	default:
		break;
	}
	u->effect = 1;
	if (op == BPF_CALL) {
		/* arguments are used through the def list's span */
		for (k = 0; k <= 5; k++)
			def(u, k);
		return;
	}
	if (op == BPF_EXIT) {
		use(u, BPF_REG_0);
		return;
	}
	if (op == BPF_JA)
		return;
	use(u, i->dst);
	if (BPF_SRC(i->code) == BPF_X)
		use(u, i->src);
}

/* A call's argument registers, as a mask of r1-r5 */
static unsigned
call_args(const struct ir *i)
{
	int n = nargs(i->imm), k;
	unsigned m = 0;

	for (k = 1; k <= n; k++)
		m |= 1u << k;
	return m;
}

static int
is_call(const struct ir *i)
{
	return i->kind == IK_INSN && i->code == (BPF_JMP | BPF_CALL);
}

static int
is_jump(const struct ir *i)
{
	return i->kind == IK_INSN && i->label >= 0;
}

static int
ends_block(const struct ir *i)
{
	return is_jump(i) || (i->kind == IK_INSN && i->code ==
	    (BPF_JMP | BPF_EXIT));
}

static int
falls_through(const struct ir *i)
{
	return i->kind != IK_INSN || (i->code != (BPF_JMP | BPF_EXIT) &&
	    i->code != (BPF_JMP | BPF_JA));
}

/* ---- constants and copies, within a basic block ---- */

/*
 * What is known of a register: entries of an older epoch (before the
 * last label or jump) are void, and a copy is void once its source has
 * been written since (gen, a count of writes a register)
 */
struct known {
	unsigned epoch;
	char isconst;
	int32_t c;
	int copy;               /* a register holding the same, or -1 */
	unsigned copygen;       /* gen[copy] when it was made */
};

struct kstate {
	struct known *kn;
	unsigned *gen;
	unsigned epoch;
};

static struct known *
get(struct kstate *ks, int r)
{
	struct known *k = &ks->kn[r];

	if (k->epoch != ks->epoch)
		*k = (struct known){ ks->epoch, 0, 0, -1, 0 };
	if (k->copy >= 0 && ks->gen[k->copy] != k->copygen)
		k->copy = -1;
	return k;
}

static void
propagate(struct prog *p, int nregs)
{
	struct kstate ks;
	size_t j;
	int k;

	ks.kn = calloc((size_t)nregs, sizeof *ks.kn);
	ks.gen = calloc((size_t)nregs, sizeof *ks.gen);
	ks.epoch = 1;
	if (!ks.kn || !ks.gen)
		fatal("out of memory");
	for (j = 0; j < p->nir; j++) {
		struct ir *i = &p->ir[j];
		int cls = BPF_CLASS(i->code), op = BPF_OP(i->code);
		struct ud u;

		if (i->kind == IK_LABEL) {
			ks.epoch++;
			continue;
		}
		if (i->kind == IK_INSN && (cls == BPF_ALU64 || cls == BPF_JMP ||
		    cls == BPF_STX) && BPF_MODE(i->code) != BPF_ATOMIC) {
			int x = cls == BPF_STX || BPF_SRC(i->code) == BPF_X;

			/* a virtual source that copies another register */
			if (x && i->src >= IR_VREG && get(&ks, i->src)->copy >= 0)
				i->src = get(&ks, i->src)->copy;
			if (cls == BPF_JMP && op != BPF_CALL && op != BPF_EXIT &&
			    op != BPF_JA && i->dst >= IR_VREG &&
			    get(&ks, i->dst)->copy >= 0)
				i->dst = get(&ks, i->dst)->copy;
			/* and a constant one: an immediate */
			if (cls == BPF_STX && BPF_SIZE(i->code) == BPF_DW &&
			    get(&ks, i->src)->isconst) {
				i->code = BPF_ST | BPF_MEM | BPF_DW;
				i->imm = get(&ks, i->src)->c;
				i->src = 0;
			} else if (cls != BPF_STX && x && op != BPF_CALL &&
			    op != BPF_EXIT && op != BPF_JA && op != BPF_NEG &&
			    op != BPF_END && get(&ks, i->src)->isconst) {
				i->code = (uint8_t)(cls | op | BPF_K);
				i->imm = get(&ks, i->src)->c;
				i->src = 0;
			}
		}
		uses_defs(i, &u);
		for (k = 0; k < u.ndef; k++) {
			struct known *d = get(&ks, u.def[k]);

			ks.gen[u.def[k]]++;
			*d = (struct known){ ks.epoch, 0, 0, -1, 0 };
		}
		if (i->kind == IK_INSN && cls == BPF_ALU64 && op == BPF_MOV) {
			struct known *d = get(&ks, i->dst);

			if (BPF_SRC(i->code) == BPF_K) {
				d->isconst = 1;
				d->c = i->imm;
			} else if (i->src != i->dst) {
				struct known *sk = get(&ks, i->src);

				d->isconst = sk->isconst;
				d->c = sk->c;
				if (i->dst >= IR_VREG) {
					d->copy = sk->copy >= 0 ? sk->copy :
					    i->src;
					d->copygen = ks.gen[d->copy];
				}
			}
		}
		if (ends_block(i))
			ks.epoch++;
	}
	free(ks.kn);
	free(ks.gen);
}

/* ---- liveness ---- */

struct live {
	int nregs, words;
	size_t nblocks;
	size_t *start;          /* of block b, in p->ir */
	uint64_t *in, *out;     /* nblocks x words */
	int *labelblock;
};

#define BIT(set, r) ((set)[(r) / 64] >> ((r) % 64) & 1)
#define SET(set, r) ((set)[(r) / 64] |= (uint64_t)1 << ((r) % 64))
#define CLR(set, r) ((set)[(r) / 64] &= ~((uint64_t)1 << ((r) % 64)))

/* Live before i, from live after it */
static void
step(const struct ir *i, uint64_t *set)
{
	struct ud u;
	int k;

	uses_defs(i, &u);
	for (k = 0; k < u.ndef; k++)
		CLR(set, u.def[k]);
	for (k = 0; k < u.nuse; k++)
		SET(set, u.use[k]);
	if (is_call(i))
		for (k = 1; k <= 5; k++)
			if (call_args(i) >> k & 1)
				SET(set, k);
}

static void
blocks(struct prog *p, struct live *lv)
{
	size_t j, b = 0;
	int lead = 1;

	lv->start = emalloc(sizeof *lv->start * (p->nir + 1));
	lv->labelblock = emalloc(sizeof *lv->labelblock *
	    ((size_t)p->nlabels + 1));
	for (j = 0; j < p->nir; j++) {
		if (p->ir[j].kind == IK_LABEL && !lead)
			lead = 1;
		if (lead && (p->ir[j].kind != IK_NOP))
			lv->start[b++] = j, lead = 0;
		if (p->ir[j].kind == IK_LABEL)
			lv->labelblock[p->ir[j].label] = (int)b - 1;
		if (ends_block(&p->ir[j]))
			lead = 1;
	}
	lv->start[b] = p->nir;
	lv->nblocks = b;
}

/* Each block's upward-exposed uses (gen) and definitions (kill) */
static void
gen_kill(struct prog *p, struct live *lv, uint64_t *gen, uint64_t *kill)
{
	size_t b, j, w = (size_t)lv->words;
	int k;

	for (b = 0; b < lv->nblocks; b++) {
		uint64_t *g = &gen[b * w], *kl = &kill[b * w];

		for (j = lv->start[b + 1]; j > lv->start[b]; j--) {
			struct ud u;

			uses_defs(&p->ir[j - 1], &u);
			for (k = 0; k < u.ndef; k++) {
				SET(kl, u.def[k]);
				CLR(g, u.def[k]);
			}
			for (k = 0; k < u.nuse; k++)
				SET(g, u.use[k]);
			if (is_call(&p->ir[j - 1]))
				g[0] |= call_args(&p->ir[j - 1]);
		}
	}
}

static void
liveness(struct prog *p, struct live *lv)
{
	size_t b, j, w = (size_t)lv->words;
	uint64_t *gen = calloc(lv->nblocks + 1, 8 * w);
	uint64_t *kill = calloc(lv->nblocks + 1, 8 * w);
	int changed = 1;

	lv->in = calloc(lv->nblocks + 1, 8 * w);
	lv->out = calloc(lv->nblocks + 1, 8 * w);
	if (!lv->in || !lv->out || !gen || !kill)
		fatal("out of memory");
	gen_kill(p, lv, gen, kill);
	while (changed) {
		changed = 0;
		for (b = lv->nblocks; b-- > 0;) {
			uint64_t *out = &lv->out[b * w], *in = &lv->in[b * w];
			const struct ir *t = NULL;

			for (j = lv->start[b + 1]; j > lv->start[b]; j--)
				if (p->ir[j - 1].kind == IK_INSN) {
					t = &p->ir[j - 1];
					break;
				}
			memset(out, 0, 8 * w);
			if ((!t || falls_through(t)) && b + 1 < lv->nblocks)
				for (j = 0; j < w; j++)
					out[j] |= lv->in[(b + 1) * w + j];
			if (t && is_jump(t)) {
				size_t tb = (size_t)lv->labelblock[t->label];

				for (j = 0; j < w; j++)
					out[j] |= lv->in[tb * w + j];
			}
			for (j = 0; j < w; j++) {
				uint64_t v = gen[b * w + j] |
				    (out[j] & ~kill[b * w + j]);

				if (v != in[j]) {
					in[j] = v;
					changed = 1;
				}
			}
		}
	}
	free(gen);
	free(kill);
}

static void
live_free(struct live *lv)
{
	free(lv->start);
	free(lv->labelblock);
	free(lv->in);
	free(lv->out);
}

/* Definitions without a reader or an effect go */
static int
dead(struct prog *p, struct live *lv)
{
	size_t b, j, w = (size_t)lv->words;
	uint64_t *set = emalloc(8 * w);
	int removed = 0, k;

	for (b = 0; b < lv->nblocks; b++) {
		memcpy(set, &lv->out[b * w], 8 * w);
		for (j = lv->start[b + 1]; j > lv->start[b]; j--) {
			struct ir *i = &p->ir[j - 1];
			struct ud u;
			int needed = 0;

			uses_defs(i, &u);
			if (i->kind == IK_INSN || i->kind == IK_LD64) {
				needed = u.effect || !u.ndef;
				for (k = 0; k < u.ndef; k++)
					if (BIT(set, u.def[k]) ||
					    u.def[k] >= BPF_REG_6)
						needed = 1;
				if (u.ndef && u.def[0] >= IR_VREG)
					needed = u.effect ||
					    BIT(set, u.def[0]);
				if (!needed) {
					i->kind = IK_NOP;
					removed++;
					continue;
				}
			}
			step(i, set);
		}
	}
	free(set);
	return removed;
}

/* ---- a comparison's 0/1 that is only tested ---- */

/* The next instruction from j that is not deleted nor a line mark */
static size_t
next(const struct prog *p, size_t j)
{
	while (j < p->nir && (p->ir[j].kind == IK_NOP ||
	    p->ir[j].kind == IK_LINE))
		j++;
	return j;
}

/* The condition that is true when op's is false, or -1 (JSET) */
static int
invert(int op)
{
	switch (op) {
	case BPF_JEQ: return BPF_JNE;
	case BPF_JNE: return BPF_JEQ;
	case BPF_JGT: return BPF_JLE;
	case BPF_JLE: return BPF_JGT;
	case BPF_JGE: return BPF_JLT;
	case BPF_JLT: return BPF_JGE;
	case BPF_JSGT: return BPF_JSLE;
	case BPF_JSLE: return BPF_JSGT;
	case BPF_JSGE: return BPF_JSLT;
	case BPF_JSLT: return BPF_JSGE;
	default: return -1;
	}
}

static int
is_movk(const struct ir *i, int r, int32_t c)
{
	return i->kind == IK_INSN && i->code == (BPF_ALU64 | BPF_MOV |
	    BPF_K) && i->dst == r && i->imm == c;
}

/*
 * gen.c makes a comparison's value as
 *	if A op B goto La; v = 0; goto Lb; La: v = 1; Lb: if v ==/!= 0 goto Lc
 * and an if statement tests it at once: where v is not read after the
 * test and nothing else jumps to La or Lb, that is one jump to Lc on
 * A op B (inverted for ==).  The labels stay; nothing reaches them.
 */
static int
fuse_tests(struct prog *p, struct live *lv)
{
	size_t j, x[8], b, w = (size_t)lv->words;
	int *refs = calloc((size_t)p->nlabels + 1, sizeof *refs);
	int fused = 0, k, v, tv, op;

	if (!refs)
		fatal("out of memory");
	for (j = 0; j < p->nir; j++)
		if (p->ir[j].kind != IK_NOP && is_jump(&p->ir[j]))
			refs[p->ir[j].label]++;
	for (j = 0; j < p->nir; j++) {
		struct ir *c = &p->ir[j], *t;

		if (c->kind != IK_INSN || BPF_CLASS(c->code) != BPF_JMP ||
		    !is_jump(c) || BPF_OP(c->code) == BPF_JA ||
		    invert(BPF_OP(c->code)) < 0)
			continue;
		x[0] = j;
		for (k = 1; k < 8; k++) {
			x[k] = next(p, x[k - 1] + 1);
			if (x[k] >= p->nir)
				break;
		}
		if (k < 7)
			continue;
		v = tv = p->ir[x[1]].dst;
		/* the value may be copied to the register tested */
		t = &p->ir[x[6]];
		if (t->kind == IK_INSN && t->code == (BPF_ALU64 | BPF_MOV |
		    BPF_X) && t->src == v && k == 8) {
			tv = t->dst;
			t = &p->ir[x[7]];
		} else
			x[7] = x[6];
		if (!is_movk(&p->ir[x[1]], v, 0) ||
		    p->ir[x[2]].kind != IK_INSN ||
		    p->ir[x[2]].code != (BPF_JMP | BPF_JA) ||
		    p->ir[x[3]].kind != IK_LABEL ||
		    p->ir[x[3]].label != c->label ||
		    !is_movk(&p->ir[x[4]], v, 1) ||
		    p->ir[x[5]].kind != IK_LABEL ||
		    p->ir[x[5]].label != p->ir[x[2]].label ||
		    refs[c->label] != 1 || refs[p->ir[x[2]].label] != 1 ||
		    t->kind != IK_INSN || (t->code != (BPF_JMP | BPF_JEQ |
		    BPF_K) && t->code != (BPF_JMP | BPF_JNE | BPF_K)) ||
		    t->dst != tv || t->imm != 0 || v == c->dst ||
		    (BPF_SRC(c->code) == BPF_X && v == c->src))
			continue;
		/* the test ends its block: v live after it is live out */
		for (b = 0; b + 1 < lv->nblocks && lv->start[b + 1] <= x[7];
		    b++)
			;
		if (BIT(&lv->out[b * w], v) || BIT(&lv->out[b * w], tv))
			continue;
		op = BPF_OP(c->code);
		if (BPF_OP(t->code) == BPF_JEQ)
			op = invert(op);
		c->code = (uint8_t)(BPF_JMP | op | BPF_SRC(c->code));
		c->label = t->label;
		p->ir[x[1]].kind = IK_NOP;
		p->ir[x[2]].kind = IK_NOP;
		p->ir[x[4]].kind = IK_NOP;
		p->ir[x[6]].kind = IK_NOP;
		t->kind = IK_NOP;
		fused++;
		j = x[7];
	}
	free(refs);
	return fused;
}

/* ---- allocation ---- */

struct interval {
	long from, to;          /* -1: never seen */
	int reg;                /* its machine register, or -1: spilled */
	int hint;
};

static void
intervals(struct prog *p, struct live *lv, struct interval *iv,
    unsigned char *lo, unsigned char *df)
{
	size_t b, j, w = (size_t)lv->words;
	uint64_t *set = emalloc(8 * w);
	int k, r;

	for (b = 0; b < lv->nblocks; b++) {
		memcpy(set, &lv->out[b * w], 8 * w);
		for (j = lv->start[b + 1]; j > lv->start[b]; j--) {
			struct ir *i = &p->ir[j - 1];
			struct ud u;
			unsigned m = 0;

			for (r = 0; r < 8; r++)
				if (BIT(set, r))
					m |= 1u << r;
			lo[j - 1] = (unsigned char)m;
			uses_defs(i, &u);
			m = 0;
			for (k = 0; k < u.ndef; k++)
				if (u.def[k] < 8)
					m |= 1u << u.def[k];
			df[j - 1] = (unsigned char)m;
			for (k = 0; k < lv->words; k++) {
				uint64_t bits = set[k];

				/* machine registers are in word 0 */
				if (k == 0)
					bits &= ~(((uint64_t)1 << IR_VREG) - 1);
				while (bits) {
					struct interval *v;

					r = 64 * k + __builtin_ctzll(bits);
					bits &= bits - 1;
					v = &iv[r - IR_VREG];
					if (v->from < 0 || (long)j - 1 < v->from)
						v->from = (long)j - 1;
					if ((long)j - 1 > v->to)
						v->to = (long)j - 1;
				}
			}
			for (k = 0; k < u.ndef + u.nuse; k++) {
				int x = k < u.ndef ? u.def[k] :
				    u.use[k - u.ndef];
				struct interval *v;

				if (x < IR_VREG)
					continue;
				v = &iv[x - IR_VREG];
				if (v->from < 0 || (long)j - 1 < v->from)
					v->from = (long)j - 1;
				if ((long)j - 1 > v->to)
					v->to = (long)j - 1;
			}
			/* a move to or from a machine register: take it */
			if (i->kind == IK_INSN && i->code == (BPF_ALU64 |
			    BPF_MOV | BPF_X)) {
				if (i->dst >= IR_VREG && i->src < 8)
					iv[i->dst - IR_VREG].hint = i->src;
				if (i->src >= IR_VREG && i->dst < 8)
					iv[i->src - IR_VREG].hint = i->dst;
			}
			step(i, set);
		}
	}
	free(set);
}

static int
fits(const struct interval *v, int r, const unsigned char *lo,
    const unsigned char *df, const struct interval *iv, int n)
{
	long q;
	int k;

	if (!(CANDIDATES >> r & 1))
		return 0;
	for (q = v->from; q < v->to; q++)
		if (lo[q] >> r & 1 || (q > v->from && df[q] >> r & 1))
			return 0;
	for (k = 0; k < n; k++)
		if (&iv[k] != v && iv[k].reg == r && iv[k].from < v->to &&
		    v->from < iv[k].to)
			return 0;
	return 1;
}

static void
allocate(struct prog *p, struct live *lv)
{
	int n = lv->nregs - IR_VREG, k, r;
	struct interval *iv = emalloc(sizeof *iv * ((size_t)n + 1));
	unsigned char *lo = emalloc(p->nir + 1), *df = emalloc(p->nir + 1);
	size_t j;

	for (k = 0; k < n; k++)
		iv[k] = (struct interval){ -1, -1, -1, -1 };
	intervals(p, lv, iv, lo, df);
	for (k = 0; k < n; k++) {
		struct interval *v = &iv[k];

		/* live at entry: its slot's value from before */
		if (v->from < 0 || (lv->nblocks && BIT(lv->in,
		    IR_VREG + k)))
			continue;
		if (v->hint >= 0 && fits(v, v->hint, lo, df, iv, n)) {
			v->reg = v->hint;
			continue;
		}
		for (r = 0; r < 8; r++)
			if (fits(v, r, lo, df, iv, n)) {
				v->reg = r;
				break;
			}
	}
	for (j = 0; j < p->nir; j++) {
		struct ir *i = &p->ir[j];
		int d = i->dst - IR_VREG, s = i->src - IR_VREG;

		if (i->kind != IK_INSN)
			continue;
		if (d >= 0 && iv[d].reg < 0) {
			/* spilled: back to its slot */
			if (BPF_SRC(i->code) == BPF_K)
				i->code = BPF_ST | BPF_MEM | BPF_DW;
			else
				i->code = BPF_STX | BPF_MEM | BPF_DW;
			i->off = (int16_t)(d * 8);
			i->dst = BPF_REG_9;
			if (s >= 0 && iv[s].reg < 0)
				bug("a move between two spilled slots");
			if (s >= 0)
				i->src = iv[s].reg;
			continue;
		}
		if (d >= 0)
			i->dst = iv[d].reg;
		if (s >= 0 && iv[s].reg < 0) {
			if (i->code != (BPF_ALU64 | BPF_MOV | BPF_X))
				bug("a spilled slot as an operand");
			i->code = BPF_LDX | BPF_MEM | BPF_DW;
			i->src = BPF_REG_9;
			i->off = (int16_t)(s * 8);
		} else if (s >= 0)
			i->src = iv[s].reg;
	}
	free(iv);
	free(lo);
	free(df);
}

/* ---- after allocation ---- */

/*
 * The next instruction after j that does something, or p->nir.
 * Labels are passed over: what matters is the path out of j.
 */
static size_t
next_real(const struct prog *p, size_t j)
{
	for (j++; j < p->nir; j++)
		if (p->ir[j].kind != IK_LABEL && p->ir[j].kind != IK_LINE &&
		    p->ir[j].kind != IK_NOP && p->ir[j].kind != IK_ESCAPE)
			break;
	return j;
}

/* i sets register r without reading it: a constant or a map address */
static int
sets_fresh(const struct ir *i, int r)
{
	if (i->kind == IK_LD64 || i->kind == IK_LDMAP ||
	    i->kind == IK_LDFUNC)
		return i->dst == r;
	return i->kind == IK_INSN && i->code == (BPF_ALU64 | BPF_MOV |
	    BPF_K) && i->dst == r;
}

/*
 * rA = rB; *(rN + off) = rA; rA set afresh: the copy was only for the
 * store, which stores rB itself (a helper's result stored as a map
 * key, for one).
 */
static void
store_copies(struct prog *p)
{
	size_t j, s, n;

	for (j = 0; j < p->nir; j++) {
		struct ir *m = &p->ir[j], *st;

		if (m->kind != IK_INSN || m->code != (BPF_ALU64 | BPF_MOV |
		    BPF_X) || m->dst == m->src)
			continue;
		s = next_real(p, j);
		if (s >= p->nir)
			continue;
		st = &p->ir[s];
		if (st->kind != IK_INSN || BPF_CLASS(st->code) != BPF_STX ||
		    BPF_MODE(st->code) != BPF_MEM || st->src != m->dst ||
		    st->dst == m->dst)
			continue;
		/* nothing but the store between: no jump lands on it */
		if (s != j + 1)
			continue;
		n = next_real(p, s);
		if (n >= p->nir || !sets_fresh(&p->ir[n], m->dst))
			continue;
		st->src = m->src;
		m->kind = IK_NOP;
	}
}

static void
tidy(struct prog *p)
{
	size_t j, k;

	store_copies(p);
	for (j = 0; j < p->nir; j++) {
		struct ir *i = &p->ir[j];

		if (i->kind == IK_INSN && i->code == (BPF_ALU64 | BPF_MOV |
		    BPF_X) && i->dst == i->src)
			i->kind = IK_NOP;
		/* a jump to the label that follows it */
		if (i->kind == IK_INSN && i->code == (BPF_JMP | BPF_JA)) {
			for (k = j + 1; k < p->nir; k++) {
				if (p->ir[k].kind == IK_LABEL &&
				    p->ir[k].label == i->label) {
					i->kind = IK_NOP;
					break;
				}
				if (p->ir[k].kind != IK_LABEL &&
				    p->ir[k].kind != IK_LINE &&
				    p->ir[k].kind != IK_NOP)
					break;
			}
		}
	}
	for (j = k = 0; j < p->nir; j++)
		if (p->ir[j].kind != IK_NOP && p->ir[j].kind != IK_ESCAPE)
			p->ir[k++] = p->ir[j];
	p->nir = k;
}

static void
opt_prog(struct prog *p)
{
	struct live lv;
	int round, fused;

	lv.nregs = IR_VREG + p->nvregs;
	lv.words = (lv.nregs + 63) / 64;
	propagate(p, lv.nregs);
	for (round = 0; round < 2; round++) {
		int removed;

		blocks(p, &lv);
		liveness(p, &lv);
		removed = dead(p, &lv);
		live_free(&lv);
		if (!removed)
			break;
	}
	blocks(p, &lv);
	liveness(p, &lv);
	fused = fuse_tests(p, &lv);
	live_free(&lv);
	if (fused) {
		blocks(p, &lv);
		liveness(p, &lv);
		dead(p, &lv);
		live_free(&lv);
	}
	blocks(p, &lv);
	liveness(p, &lv);
	allocate(p, &lv);
	live_free(&lv);
	tidy(p);
}

/*
 * A probe whose code no longer reads the scratch frame (r9) or the
 * scalar globals (r8) does not look them up: the prologue's
 * rN = map[0], six instructions from the map load to the move
 * (gen_probe's lookup_one), or rN = &map, a global-data map's value.
 * Callbacks take both from the frame.
 */
static void
drop_lookup(struct prog *p, int reg, const char *map)
{
	size_t j, k;
	int a;

	if (p->nsubs)
		return;
	for (j = 0; j < p->nir; j++) {
		struct ud u;

		uses_defs(&p->ir[j], &u);
		for (a = 0; a < u.nuse; a++)
			if (u.use[a] == reg)
				return;
	}
	for (j = 0; j < p->nir; j++) {
		struct ir *i = &p->ir[j];

		if (i->kind != IK_LDMAP || strcmp(gen_map_name(i->ref), map))
			continue;
		if (i->v && i->dst == reg) {
			i->kind = IK_NOP;
			tidy(p);
			return;
		}
		if (j + 5 >= p->nir || !is_call(&i[3]) || i[3].imm != BPF_FUNC_map_lookup_elem ||
		    !is_jump(&i[4]) || i[4].dst != BPF_REG_0 ||
		    i[5].kind != IK_INSN || i[5].code != (BPF_ALU64 | BPF_MOV |
		    BPF_X) || i[5].dst != reg || i[5].src != BPF_REG_0)
			continue;
		for (k = 0; k < 6; k++)
			i[k].kind = IK_NOP;
		tidy(p);
		return;
	}
}

/* ---- keys on the stack ---- */

/* Helpers that only read the key (r2) and value (r3) they are given */
static int
key_helper(const struct ir *i, int reg)
{
	if (!is_call(i))
		return 0;
	switch (i->imm) {
	case BPF_FUNC_map_lookup_elem:
	case BPF_FUNC_map_delete_elem:
		return reg == BPF_REG_2;
	case BPF_FUNC_map_update_elem:
		return reg == BPF_REG_2 || reg == BPF_REG_3;
	default:
		return 0;
	}
}

static size_t
skip_nops(const struct prog *p, size_t j)
{
	while (j < p->nir && (p->ir[j].kind == IK_NOP ||
	    p->ir[j].kind == IK_ESCAPE || p->ir[j].kind == IK_LINE))
		j++;
	return j;
}

/*
 * Does the escape at j hand its bytes to a map helper as key or value:
 * rX = r9; rX += off; then, with rX untouched, the call?  The index of
 * the move, or 0.
 */
static size_t
key_escape(const struct prog *p, size_t j)
{
	const struct ir *e = &p->ir[j], *m, *a;
	size_t mv = skip_nops(p, j + 1), k;
	int r;

	if (mv + 1 >= p->nir)
		return 0;
	m = &p->ir[mv];
	a = &p->ir[mv + 1];
	r = m->dst;
	if (m->kind != IK_INSN || m->code != (BPF_ALU64 | BPF_MOV | BPF_X) ||
	    m->src != BPF_REG_9 || r < BPF_REG_1 || r > BPF_REG_5 ||
	    a->kind != IK_INSN || a->code != (BPF_ALU64 | BPF_ADD | BPF_K) ||
	    a->dst != r || a->imm != e->off)
		return 0;
	for (k = mv + 2; k < p->nir; k++) {
		const struct ir *i = &p->ir[k];
		struct ud u;
		int x;

		if (key_helper(i, r))
			return mv;
		if (i->kind == IK_LABEL || (i->kind == IK_INSN &&
		    (ends_block(i) || is_call(i))))
			return 0;
		uses_defs(i, &u);
		for (x = 0; x < u.nuse; x++)
			if (u.use[x] == r)
				return 0;
		for (x = 0; x < u.ndef; x++)
			if (u.def[x] == r)
				return 0;
		if (is_mem(i))		/* an ST, or a base we do not see */
			if (mem_base(i) == r)
				return 0;
	}
	return 0;
}

enum { STACK_KEYS = 256 };      /* bytes of stack under the fixed frame */

/* A slot's accesses in one statement (between two IK_LINEs) */
struct seg {
	int k;                  /* the slot */
	int first_store;        /* its first access is a store */
	int load;               /* it is read directly */
	int escape;             /* its address goes to a map helper */
	int bad;                /* or anywhere else, or partly */
};

static int
seg_of(struct seg **sg, size_t *nsg, size_t *cap, int *cur, int *curline,
    int k, int line)
{
	if (cur[k] < 0 || curline[k] != line) {
		*sg = vgrow(*sg, cap, *nsg + 1, sizeof **sg);
		memset(&(*sg)[*nsg], 0, sizeof **sg);
		(*sg)[*nsg].k = k;
		cur[k] = (int)(*nsg)++;
		curline[k] = line;
	}
	return cur[k];
}

/*
 * Keys on the stack.  gen.c reuses a scratch slot statement after
 * statement, so a slot is split by statement: where in one statement
 * its address goes only to map helpers, as a key or a value (a key
 * built for one lookup or update, the zero an update makes an element
 * with), and it is only stored there, first, never read directly, its
 * accesses in that statement move to the program's own stack, below
 * the fixed slots (SK_FRAME).  Nothing flows into such a statement's
 * use of the slot, and nothing out of it: what it stores only the
 * helpers read.  The frame there needs no lookup, and a probe that
 * keeps nothing else in stap_scratch does not look it up at all
 * (drop_lookup).  Only in a probe without callbacks (its stack is not
 * shared, and the kernel's 512 bytes hold eight frames of the fixed
 * slots) and without backward jumps.
 */
static void
to_stack(struct prog *p, int n)
{
	struct seg *sg = NULL;
	size_t nsg = 0, cap = 0, j, npair = 0, cappair = 0;
	int *pair = NULL, *uf = NULL;   /* records an escape ties */
	int *cur = emalloc(sizeof *cur * ((size_t)n + 1));
	int *curline = emalloc(sizeof *curline * ((size_t)n + 1));
	int *rec = emalloc(sizeof *rec * (p->nir + 1));
	int *at = emalloc(sizeof *at * ((size_t)n + 1));
	char *movok = calloc(p->nir + 1, 1), *bound = NULL;
	int k, line = 0, total = 0;

	if (!movok)
		fatal("out of memory");
	bound = calloc((size_t)p->nlabels + 1, 1);
	if (!bound)
		fatal("out of memory");
	for (k = 0; k < n; k++) {
		cur[k] = -1;
		at[k] = 0;
	}
	for (j = 0; j < p->nir; j++)
		rec[j] = -1;
	for (j = 0; j < p->nir; j++) {
		struct ir *i = &p->ir[j];
		long off = i->off;

		if (i->kind == IK_LABEL && i->label >= 0 &&
		    i->label < p->nlabels)
			bound[i->label] = 1;
		if (i->kind == IK_INSN && is_jump(i) && i->label >= 0 &&
		    i->label < p->nlabels && bound[i->label])
			goto out;       /* a loop */
		if (i->kind == IK_LINE) {
			line++;
			continue;
		}
		if (i->kind == IK_ESCAPE) {
			size_t mv = key_escape(p, j);
			int bad = !mv || off < 0 || off % 8 || i->imm % 8;

			if (off < 0)
				goto out;
			if (mv)
				movok[mv] = 1;
			for (k = (int)(off / 8); k < n && k * 8L < off + i->imm;
			    k++) {
				int r = seg_of(&sg, &nsg, &cap, cur, curline, k,
				    line);

				if (bad)
					sg[r].bad = 1;
				sg[r].escape = 1;
				if (k == off / 8)
					rec[j] = r;
				pair = vgrow(pair, &cappair, 2 * npair + 2,
				    sizeof *pair);
				pair[2 * npair] = rec[j];
				pair[2 * npair++ + 1] = r;
			}
			if (mv)
				rec[mv] = rec[j];
			continue;
		}
		if (is_mem(i) && mem_base(i) == BPF_REG_9) {
			int whole = BPF_MODE(i->code) == BPF_MEM &&
			    mem_size(i) == 8 && off % 8 == 0 && off >= 0;

			for (k = off < 0 ? 0 : (int)(off / 8); k < n &&
			    k * 8L < off + mem_size(i); k++) {
				int r;

				r = seg_of(&sg, &nsg, &cap, cur, curline, k,
				    line);
				if (!whole)
					sg[r].bad = 1;
				else if (BPF_CLASS(i->code) == BPF_LDX)
					sg[r].load = 1;
				else if (!sg[r].load && !sg[r].escape)
					sg[r].first_store = 1;
				rec[j] = r;
			}
		} else if (reads_r9(i) && !movok[j]) {
			goto out;       /* a pointer we cannot follow */
		}
	}
	/* an escape's bytes move whole or not at all: the records it
	 * ties share their fate (a union-find, by the first slot's) */
	uf = emalloc(sizeof *uf * (nsg + 1));
	for (j = 0; j < nsg; j++) {
		sg[j].bad |= !sg[j].escape || sg[j].load ||
		    !sg[j].first_store;
		uf[j] = (int)j;
	}
	/* a segment's stores may be read by a later one that does not
	 * store first (one statement cut by the lines of a function it
	 * inlines: a string literal stored before a call, copied into a
	 * record after it).  Without the flow graph: no segment moves
	 * while any later one of its slot reads before it writes */
	for (k = 0; k < n; k++)
		cur[k] = 0;
	for (j = nsg; j-- > 0;) {
		if (cur[sg[j].k])
			sg[j].bad = 1;
		if (!sg[j].first_store)
			cur[sg[j].k] = 1;
	}
	for (j = 0; j < npair; j++) {
		int a = pair[2 * j], b = pair[2 * j + 1];

		while (uf[a] != a)
			a = uf[a];
		while (uf[b] != b)
			b = uf[b];
		uf[b] = a;
	}
	for (j = 0; j < nsg; j++) {
		int r = (int)j;

		while (uf[r] != r)
			r = uf[r];
		sg[r].bad |= sg[j].bad;
	}
	for (j = 0; j < nsg; j++) {
		int r = (int)j;

		while (uf[r] != r)
			r = uf[r];
		sg[j].bad = sg[r].bad;
	}
	for (j = 0; j < nsg; j++)
		if (!sg[j].bad && !at[sg[j].k]) {
			total += 8;
			at[sg[j].k] = 1;
		}
	if (!total || total > STACK_KEYS)
		goto out;
	for (k = 0, total = 0; k < n; k++)
		if (at[k]) {
			at[k] = SK_FRAME - STACK_KEYS + total;
			total += 8;
		}
	/* packed against the fixed slots */
	for (k = 0; k < n; k++)
		if (at[k])
			at[k] += STACK_KEYS - total;
	for (j = 0; j < p->nir; j++) {
		struct ir *i = &p->ir[j];
		int *b;

		if (rec[j] < 0 || sg[rec[j]].bad)
			continue;
		if (i->kind == IK_ESCAPE) {
			i->kind = IK_NOP;
		} else if (movok[j]) {
			i->src = BPF_REG_10;
			p->ir[j + 1].imm = at[p->ir[j + 1].imm / 8];
		} else if (is_mem(i)) {
			b = BPF_CLASS(i->code) == BPF_LDX ? &i->src : &i->dst;
			*b = BPF_REG_10;
			i->off = (int16_t)at[i->off / 8];
		}
	}
out:
	free(pair);
	free(uf);
	free(sg);
	free(cur);
	free(curline);
	free(rec);
	free(at);
	free(movok);
	free(bound);
}

/*
 * What the prologue sets up for everyone (gen_probe): the context
 * kept in r6 and the u32 0 at SK_ZERO that lookups of the one-entry
 * maps take as key.  A probe without callbacks (they take r6 from the
 * frame) that uses neither does not set them up.
 */
static void
drop_setup(struct prog *p)
{
	struct ir *ctx = NULL, *zero = NULL;
	size_t j;
	int a;

	if (p->nsubs || p->up)
		return;
	for (j = 0; j < p->nir; j++) {
		struct ir *i = &p->ir[j];
		struct ud u;

		if (i->kind != IK_INSN)
			continue;
		if (!ctx && !zero && i->code == (BPF_ALU64 | BPF_MOV |
		    BPF_X) && i->dst == BPF_REG_6 && i->src == BPF_REG_1) {
			ctx = i;
			continue;
		}
		if (!zero && i->code == (BPF_ST | BPF_MEM | BPF_W) &&
		    i->dst == BPF_REG_10 && i->off == SK_ZERO && !i->imm) {
			zero = i;
			continue;
		}
		uses_defs(i, &u);
		for (a = 0; a < u.nuse; a++)
			if (u.use[a] == BPF_REG_6)
				ctx = NULL;
		for (a = 0; a < u.ndef; a++)
			if (u.def[a] == BPF_REG_6)
				return;
		/* the only way gen.c reaches SK_ZERO: r10 + SK_ZERO */
		if ((i->code == (BPF_ALU64 | BPF_ADD | BPF_K) &&
		    i->imm == SK_ZERO) || (is_mem(i) && mem_base(i) ==
		    BPF_REG_10 && i->off == SK_ZERO))
			zero = NULL;
		if (!ctx && !zero)
			return;
	}
	if (ctx)
		ctx->kind = IK_NOP;
	if (zero)
		zero->kind = IK_NOP;
	tidy(p);
}

void
opt_probe(struct prog *probe)
{
	struct prog **pp = emalloc(sizeof *pp * (probe->nsubs + 1));
	struct slots s;
	int np = 0, k, top = 0;
	size_t j;

	pp[np++] = probe;
	for (j = 0; j < probe->nsubs; j++)
		pp[np++] = probe->subs[j];
	for (k = 0; k < np; k++)
		for (j = 0; j < pp[k]->nir; j++) {
			struct ir *i = &pp[k]->ir[j];

			if (is_mem(i) && mem_base(i) == BPF_REG_9 &&
			    i->off + 8 > top)
				top = i->off + 8;
		}
	s.n = (top + 7) / 8;
	if (!probe->nsubs && !probe->up) {
		to_stack(probe, s.n);
		for (j = 0, top = 0; j < probe->nir; j++) {
			struct ir *i = &probe->ir[j];

			if (is_mem(i) && mem_base(i) == BPF_REG_9 &&
			    i->off + 8 > top)
				top = i->off + 8;
		}
		s.n = (top + 7) / 8;
	}
	s.owner = emalloc(sizeof *s.owner * ((size_t)s.n + 1));
	s.bad = calloc((size_t)s.n + 1, 1);
	if (!s.bad)
		fatal("out of memory");
	for (k = 0; k < s.n; k++)
		s.owner[k] = NONE;
	scan(&s, pp, np);
	for (k = 0; k < np; k++) {
		promote(pp[k], &s, k);
		opt_prog(pp[k]);
	}
	drop_lookup(probe, BPF_REG_9, "stap_scratch");
	drop_lookup(probe, BPF_REG_8, "stap_globals");
	drop_setup(probe);
	free(s.owner);
	free(s.bad);
	free(pp);
}
