/*
 * Keys on the stack (keys_to_stack, below): map keys and values built
 * for one helper call move from the scratch frame to the program's
 * own stack, which needs no lookup.
 */
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "opt.h"

/* Helpers that only read the key (r2) and value (r3) they are given */
static int
key_helper(const struct ir *i, int reg)
{
	if (!flow_is_call(i))
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
		    (flow_ends_block(i) || flow_is_call(i))))
			return 0;
		flow_uses_defs(i, &u);
		for (x = 0; x < u.nuse; x++)
			if (u.use[x] == r)
				return 0;
		for (x = 0; x < u.ndef; x++)
			if (u.def[x] == r)
				return 0;
		/* an ST, or a base we do not see */
		if (flow_is_mem(i) && flow_mem_base(i) == r)
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
void
keys_to_stack(struct prog *p, int n)
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
		if (i->kind == IK_INSN && flow_is_jump(i) && i->label >= 0 &&
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
		if (flow_is_mem(i) && flow_mem_base(i) == BPF_REG_9) {
			int whole = BPF_MODE(i->code) == BPF_MEM &&
			    flow_mem_size(i) == 8 && off % 8 == 0 && off >= 0;

			for (k = off < 0 ? 0 : (int)(off / 8); k < n &&
			    k * 8L < off + flow_mem_size(i); k++) {
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
		} else if (flow_reads_r9(i) && !movok[j]) {
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
		} else if (flow_is_mem(i)) {
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
