/*
 * The linear scan (see opt.c): each virtual register gets a machine
 * register free over its whole live interval, r0-r5 between helper
 * calls (which clobber them), r7 across them when gen.c is not using
 * it; one without goes back to its slot, the spill.  Then the moves
 * allocation made pointless go (regalloc_tidy).
 */
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "opt.h"

/* Machine registers a virtual one may take: r0-r5, r7 */
#define CANDIDATES 0xbfu

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
			flow_uses_defs(i, &u);
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
			flow_step(i, set);
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

/*
 * A machine register free at instruction j, for a spilled operand
 * loaded just before it: r0-r5, none live after j, none j reads or
 * writes, none a virtual register holds there, none in avoid; or -1
 */
static int
scratch(const struct ir *i, size_t j, const unsigned char *lo,
    const struct interval *iv, int n, unsigned avoid)
{
	unsigned busy = lo[j] | avoid;
	struct ud u;
	int k, r;

	flow_uses_defs(i, &u);
	for (k = 0; k < u.nuse + u.ndef; k++) {
		r = k < u.nuse ? u.use[k] : u.def[k - u.nuse];
		if (r >= 0 && r < 8)
			busy |= 1u << r;
	}
	for (k = 0; k < n; k++)
		if (iv[k].reg >= 0 && iv[k].from <= (long)j &&
		    (long)j <= iv[k].to)
			busy |= 1u << iv[k].reg;
	for (r = 0; r <= BPF_REG_5; r++)
		if (!(busy >> r & 1))
			return r;
	return -1;
}

static struct ir
slot_insn(int code, int reg, int vreg)
{
	struct ir x = { 0 };

	x.kind = IK_INSN;
	x.code = (uint8_t)code;
	x.label = -1;
	x.ref = -1;
	x.off = (int16_t)(vreg * 8);
	if (BPF_CLASS(code) == BPF_LDX) {
		x.dst = reg;
		x.src = BPF_REG_9;
	} else {
		x.dst = BPF_REG_9;
		x.src = reg;
	}
	return x;
}

/*
 * Virtual registers become their machine ones; a spilled one is its
 * slot: a move to it a store, a move from it a load, and an operand
 * of anything else (a jump's, an ALU instruction's, which propagation
 * made of a copy) loaded into a free register first, and stored back
 * after when the instruction writes it.
 */
static int
rewrite(struct prog *p, const struct interval *iv, int n,
    const unsigned char *lo)
{
	struct ir *out = NULL;
	size_t nout = 0, cap = 0, j;

	for (j = 0; j < p->nir; j++) {
		struct ir x = p->ir[j], pre[2], post;
		int d = x.dst - IR_VREG, s = x.src - IR_VREG, npre = 0, k;
		int haspost = 0, mov = 0, t, cls = BPF_CLASS(x.code);
		unsigned used = 0;

		if (x.kind == IK_INSN) {
			mov = cls == BPF_ALU64 && BPF_OP(x.code) == BPF_MOV;
			if (s >= 0 && iv[s].reg < 0 && !(mov && (d < 0 ||
			    iv[d].reg >= 0))) {
				t = scratch(&p->ir[j], j, lo, iv, n, 0);
				if (t < 0) {
					free(out);
					return s;
				}
				pre[npre++] = slot_insn(BPF_LDX | BPF_MEM |
				    BPF_DW, t, s);
				used |= 1u << t;
				x.src = t;
				s = -1;
			}
			if (d >= 0 && iv[d].reg < 0 && !mov) {
				if (cls != BPF_ALU64 && cls != BPF_ALU &&
				    cls != BPF_JMP && cls != BPF_JMP32)
					bug("a spilled slot as an operand");
				t = scratch(&p->ir[j], j, lo, iv, n, used);
				if (t < 0) {
					free(out);
					return d;
				}
				pre[npre++] = slot_insn(BPF_LDX | BPF_MEM |
				    BPF_DW, t, d);
				if (cls == BPF_ALU64 || cls == BPF_ALU) {
					post = slot_insn(BPF_STX | BPF_MEM |
					    BPF_DW, t, d);
					haspost = 1;
				}
				x.dst = t;
				d = -1;
			}
			if (d >= 0 && iv[d].reg < 0) {
				/* a move to a spilled one: a store */
				x.code = BPF_SRC(x.code) == BPF_K ? BPF_ST |
				    BPF_MEM | BPF_DW : BPF_STX | BPF_MEM |
				    BPF_DW;
				x.off = (int16_t)(d * 8);
				x.dst = BPF_REG_9;
				if (s >= 0)
					x.src = iv[s].reg;
			} else {
				if (d >= 0)
					x.dst = iv[d].reg;
				if (s >= 0 && iv[s].reg < 0) {
					/* a move from one: a load */
					x.code = BPF_LDX | BPF_MEM | BPF_DW;
					x.src = BPF_REG_9;
					x.off = (int16_t)(s * 8);
				} else if (s >= 0)
					x.src = iv[s].reg;
			}
		}
		out = vgrow(out, &cap, nout + 4, sizeof *out);
		for (k = 0; k < npre; k++)
			out[nout++] = pre[k];
		out[nout++] = x;
		if (haspost)
			out[nout++] = post;
	}
	free(p->ir);
	p->ir = out;
	p->nir = nout;
	p->capir = cap;
	return -1;
}

/*
 * Give p's virtual registers machine ones, or their slots: -1, or the
 * slot of a spilled one that an instruction needs in a register when
 * none is free there (p is then half rewritten: opt_probe starts it
 * again with that slot left in the frame)
 */
int
regalloc_allocate(struct prog *p, struct live *lv)
{
	int n = lv->nregs - IR_VREG, k, r, bad;
	struct interval *iv = emalloc(sizeof *iv * ((size_t)n + 1));
	unsigned char *lo = emalloc(p->nir + 1), *df = emalloc(p->nir + 1);

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
	bad = rewrite(p, iv, n, lo);
	free(iv);
	free(lo);
	free(df);
	return bad;
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

void
regalloc_tidy(struct prog *p)
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
