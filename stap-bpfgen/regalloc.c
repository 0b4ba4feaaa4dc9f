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

void
regalloc_allocate(struct prog *p, struct live *lv)
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
