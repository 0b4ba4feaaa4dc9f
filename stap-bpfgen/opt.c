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
 * (regalloc.c).  A virtual
 * register without one goes back to its slot: that is the spill, at
 * the constant offset the verifier already accepted.  flow.c says what
 * each instruction reads and writes and what is live where; keys.c
 * moves map keys to the stack first.
 *
 * The slots callbacks share with their caller (bpf_loop, for_each
 * state, the escape code) have several owners and stay in the frame.
 * A slot read before any write in its program stays too: its value
 * would be an uninitialised register.
 */
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "opt.h"

enum { NONE = -1, MANY = -2 };

struct slots {
	int n;                  /* 8-byte slots of the frame */
	int *owner;             /* the program index, NONE or MANY */
	char *bad;              /* partly, or through a pointer */
};

static void
mark_bad(struct slots *s, long off, long size)
{
	long k;

	if (off < 0)
		off = 0;
	for (k = off / 8; k <= (off + size - 1) / 8 && k < s->n; k++)
		s->bad[k] = 1;
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
	int r = flow_mem_base(i);

	if (r < 0 || r > BPF_REG_10 || !d[r].on)
		return;
	mark_bad(s, d[r].k + i->off, d[r].var ? d[r].size : flow_mem_size(i));
}

static void
track(struct derived *d, const struct ir *i, int ok_copy, int size)
{
	int cls = BPF_CLASS(i->code), op = BPF_OP(i->code);
	struct derived nd = { 0, 0, 0, 0 };

	if (i->kind != IK_INSN && i->kind != IK_LD64 &&
	    i->kind != IK_LDMAP && i->kind != IK_LDFUNC)
		return;
	if (i->kind == IK_INSN && flow_ends_block(i)) {
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
			if (flow_is_mem(i) && flow_mem_base(i) == BPF_REG_9) {
				long off = i->off;

				if (BPF_MODE(i->code) != BPF_MEM ||
				    flow_mem_size(i) != 8 || off % 8 || off < 0)
					mark_bad(s, off, flow_mem_size(i));
				else if (off / 8 < s->n) {
					int *o = &s->owner[off / 8];

					*o = *o == NONE || *o == k ? k : MANY;
				}
			} else if (flow_is_mem(i))
				through(s, d, i);
			if (flow_reads_r9(i)) {
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

		if (!flow_is_mem(i) || flow_mem_base(i) != BPF_REG_9 ||
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

			/* a source that copies another register (a
			 * machine register only a virtual one's copy) */
			if (x && i->src >= 0 && get(&ks, i->src)->copy >= 0)
				i->src = get(&ks, i->src)->copy;
			if (cls == BPF_JMP && op != BPF_CALL && op != BPF_EXIT &&
			    op != BPF_JA && i->dst >= 0 &&
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
		flow_uses_defs(i, &u);
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
				/* r1 = v; r2 = w; if r1 > r2: the jump
				 * tests v and w, and the moves die */
				if (i->dst >= IR_VREG || i->dst <= BPF_REG_5) {
					d->copy = sk->copy >= 0 ? sk->copy :
					    i->src;
					d->copygen = ks.gen[d->copy];
				}
			}
		}
		if (flow_ends_block(i))
			ks.epoch++;
	}
	free(ks.kn);
	free(ks.gen);
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

			flow_uses_defs(i, &u);
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
			flow_step(i, set);
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
		if (p->ir[j].kind != IK_NOP && flow_is_jump(&p->ir[j]))
			refs[p->ir[j].label]++;
	for (j = 0; j < p->nir; j++) {
		struct ir *c = &p->ir[j], *t;

		if (c->kind != IK_INSN || BPF_CLASS(c->code) != BPF_JMP ||
		    !flow_is_jump(c) || BPF_OP(c->code) == BPF_JA ||
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

/* -1, or the slot regalloc_allocate could not keep in a register */
static int
opt_prog(struct prog *p)
{
	struct live lv;
	int round, fused, bad;

	lv.nregs = IR_VREG + p->nvregs;
	lv.words = (lv.nregs + 63) / 64;
	propagate(p, lv.nregs);
	for (round = 0; round < 2; round++) {
		int removed;

		flow_blocks(p, &lv);
		flow_live(p, &lv);
		removed = dead(p, &lv);
		flow_free(&lv);
		if (!removed)
			break;
	}
	flow_blocks(p, &lv);
	flow_live(p, &lv);
	fused = fuse_tests(p, &lv);
	flow_free(&lv);
	if (fused) {
		flow_blocks(p, &lv);
		flow_live(p, &lv);
		dead(p, &lv);
		flow_free(&lv);
	}
	flow_blocks(p, &lv);
	flow_live(p, &lv);
	bad = regalloc_allocate(p, &lv);
	flow_free(&lv);
	if (bad < 0)
		regalloc_tidy(p);
	return bad;
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

		flow_uses_defs(&p->ir[j], &u);
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
			regalloc_tidy(p);
			return;
		}
		if (j + 5 >= p->nir || !flow_is_call(&i[3]) ||
		    i[3].imm != BPF_FUNC_map_lookup_elem ||
		    !flow_is_jump(&i[4]) || i[4].dst != BPF_REG_0 ||
		    i[5].kind != IK_INSN || i[5].code != (BPF_ALU64 | BPF_MOV |
		    BPF_X) || i[5].dst != reg || i[5].src != BPF_REG_0)
			continue;
		for (k = 0; k < 6; k++)
			i[k].kind = IK_NOP;
		regalloc_tidy(p);
		return;
	}
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
		flow_uses_defs(i, &u);
		for (a = 0; a < u.nuse; a++)
			if (u.use[a] == BPF_REG_6)
				ctx = NULL;
		for (a = 0; a < u.ndef; a++)
			if (u.def[a] == BPF_REG_6)
				return;
		/* the only way gen.c reaches SK_ZERO: r10 + SK_ZERO */
		if ((i->code == (BPF_ALU64 | BPF_ADD | BPF_K) &&
		    i->imm == SK_ZERO) || (flow_is_mem(i) && flow_mem_base(i) ==
		    BPF_REG_10 && i->off == SK_ZERO))
			zero = NULL;
		if (!ctx && !zero)
			return;
	}
	if (ctx)
		ctx->kind = IK_NOP;
	if (zero)
		zero->kind = IK_NOP;
	regalloc_tidy(p);
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

			if (flow_is_mem(i) && flow_mem_base(i) == BPF_REG_9 &&
			    i->off + 8 > top)
				top = i->off + 8;
		}
	s.n = (top + 7) / 8;
	if (!probe->nsubs && !probe->up) {
		keys_to_stack(probe, s.n);
		for (j = 0, top = 0; j < probe->nir; j++) {
			struct ir *i = &probe->ir[j];

			if (flow_is_mem(i) && flow_mem_base(i) == BPF_REG_9 &&
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
		struct ir *orig = emalloc(sizeof *orig * (pp[k]->nir + 1));
		size_t norig = pp[k]->nir;
		int bad;

		memcpy(orig, pp[k]->ir, sizeof *orig * norig);
		/* a slot no register can serve somewhere stays in the
		 * frame: the program again from before promotion */
		for (;;) {
			promote(pp[k], &s, k);
			bad = opt_prog(pp[k]);
			if (bad < 0)
				break;
			if (bad >= s.n || s.bad[bad])
				bug("no register for slot %d", bad);
			s.bad[bad] = 1;
			pp[k]->ir = vgrow(pp[k]->ir, &pp[k]->capir, norig + 1,
			    sizeof *pp[k]->ir);
			memcpy(pp[k]->ir, orig, sizeof *orig * norig);
			pp[k]->nir = norig;
		}
		free(orig);
	}
	drop_lookup(probe, BPF_REG_9, "stap_scratch");
	drop_lookup(probe, BPF_REG_8, "stap_globals");
	drop_setup(probe);
	free(s.owner);
	free(s.bad);
	free(pp);
}
