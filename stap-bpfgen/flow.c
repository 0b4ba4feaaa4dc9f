/*
 * The optimizer's view of the IR (opt.c, regalloc.c, keys.c): what an
 * instruction reads and writes, where basic blocks begin, and which
 * registers are live into and out of each block, machine and virtual
 * alike, solved backwards to a fixed point.
 */
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "opt.h"

int
flow_is_mem(const struct ir *i)
{
	int cls = BPF_CLASS(i->code);

	return i->kind == IK_INSN && (cls == BPF_LDX || cls == BPF_ST ||
	    cls == BPF_STX);
}

int
flow_mem_base(const struct ir *i)
{
	return BPF_CLASS(i->code) == BPF_LDX ? i->src : i->dst;
}

int
flow_mem_size(const struct ir *i)
{
	switch (BPF_SIZE(i->code)) {
	case BPF_B: return 1;
	case BPF_H: return 2;
	case BPF_W: return 4;
	default: return 8;
	}
}

int
flow_reads_r9(const struct ir *i)
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

void
flow_uses_defs(const struct ir *i, struct ud *u)
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

int
flow_is_call(const struct ir *i)
{
	return i->kind == IK_INSN && i->code == (BPF_JMP | BPF_CALL);
}

int
flow_is_jump(const struct ir *i)
{
	return i->kind == IK_INSN && i->label >= 0;
}

int
flow_ends_block(const struct ir *i)
{
	return flow_is_jump(i) || (i->kind == IK_INSN && i->code ==
	    (BPF_JMP | BPF_EXIT));
}

static int
falls_through(const struct ir *i)
{
	return i->kind != IK_INSN || (i->code != (BPF_JMP | BPF_EXIT) &&
	    i->code != (BPF_JMP | BPF_JA));
}

/* ---- liveness ---- */

/* Live before i, from live after it */
void
flow_step(const struct ir *i, uint64_t *set)
{
	struct ud u;
	int k;

	flow_uses_defs(i, &u);
	for (k = 0; k < u.ndef; k++)
		CLR(set, u.def[k]);
	for (k = 0; k < u.nuse; k++)
		SET(set, u.use[k]);
	if (flow_is_call(i))
		for (k = 1; k <= 5; k++)
			if (call_args(i) >> k & 1)
				SET(set, k);
}

void
flow_blocks(struct prog *p, struct live *lv)
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
		if (flow_ends_block(&p->ir[j]))
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

			flow_uses_defs(&p->ir[j - 1], &u);
			for (k = 0; k < u.ndef; k++) {
				SET(kl, u.def[k]);
				CLR(g, u.def[k]);
			}
			for (k = 0; k < u.nuse; k++)
				SET(g, u.use[k]);
			if (flow_is_call(&p->ir[j - 1]))
				g[0] |= call_args(&p->ir[j - 1]);
		}
	}
}

void
flow_live(struct prog *p, struct live *lv)
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
			if (t && flow_is_jump(t)) {
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

void
flow_free(struct live *lv)
{
	free(lv->start);
	free(lv->labelblock);
	free(lv->in);
	free(lv->out);
}
