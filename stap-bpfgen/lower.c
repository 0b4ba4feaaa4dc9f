/*
 * Lowering: a program's IR, its registers all machine ones by now
 * (opt.c), becomes struct bpf_insn.  Labels become jump offsets, map
 * and callback loads become 64-bit loads with the relocations libbpf
 * resolves, line pseudo-instructions become line records.  Then the
 * code no path reaches is dropped: the verifier refuses a program that
 * has any.
 */
#include <stdlib.h>
#include <string.h>

#include "gen.h"

static void
emit(struct prog *p, int code, int dst, int src, int16_t off, int32_t imm)
{
	struct bpf_insn *i;

	if (dst > BPF_REG_10 || src > BPF_REG_10 || dst < 0 || src < 0)
		bug("register %d left after allocation", dst > 10 ? dst : src);
	p->insn = vgrow(p->insn, &p->cap, p->n + 1, sizeof *p->insn);
	i = &p->insn[p->n++];
	memset(i, 0, sizeof *i);
	i->code = (uint8_t)code;
	i->dst_reg = (uint8_t)dst;
	i->src_reg = (uint8_t)src;
	i->off = off;
	i->imm = imm;
}

static void
reloc(struct prog *p, int map, int sub)
{
	p->relocs = vgrow(p->relocs, &p->caprelocs, p->nrelocs + 1,
	    sizeof *p->relocs);
	p->relocs[p->nrelocs].insn = p->n;
	p->relocs[p->nrelocs].map = map;
	p->relocs[p->nrelocs++].sub = sub;
}

static void
line(struct prog *p, struct loc loc)
{
	if (p->nlines && p->lines[p->nlines - 1].loc.line == loc.line &&
	    p->lines[p->nlines - 1].loc.file == loc.file)
		return;
	if (p->nlines && p->lines[p->nlines - 1].insn == p->n) {
		p->lines[p->nlines - 1].loc = loc;
		return;
	}
	p->lines = vgrow(p->lines, &p->caplines, p->nlines + 1,
	    sizeof *p->lines);
	p->lines[p->nlines].insn = p->n;
	p->lines[p->nlines++].loc = loc;
}

static size_t
width(const struct ir *i)
{
	switch (i->kind) {
	case IK_INSN: return 1;
	case IK_LD64: case IK_LDMAP: case IK_LDFUNC: return 2;
	default: return 0;
	}
}

static int
is_ld64(const struct bpf_insn *i)
{
	return i->code == (BPF_LD | BPF_DW | BPF_IMM);
}

static int
is_jump(const struct bpf_insn *i)
{
	int cls = BPF_CLASS(i->code), op = BPF_OP(i->code);

	return (cls == BPF_JMP || cls == BPF_JMP32) && op != BPF_CALL &&
	    op != BPF_EXIT;
}

/*
 * Drop the instructions no path reaches (code after a break, a return
 * or an error): the verifier refuses a program that has any.  Jumps,
 * relocations and line records are renumbered.
 */
static void
drop_unreachable(struct prog *p)
{
	char *live = arena_alloc(p->n + 1);
	size_t *stack = emalloc(sizeof *stack * (p->n + 1)), sp = 0, i, k;
	size_t *newidx = emalloc(sizeof *newidx * (p->n + 1));

	if (p->n == 0)
		goto out;
	stack[sp++] = 0;
	while (sp) {
		i = stack[--sp];
		while (i < p->n && !live[i]) {
			struct bpf_insn *in = &p->insn[i];

			live[i] = 1;
			if (is_ld64(in)) {
				live[i + 1] = 1;
				i += 2;
				continue;
			}
			if (BPF_CLASS(in->code) == BPF_JMP &&
			    BPF_OP(in->code) == BPF_EXIT)
				break;
			if (is_jump(in)) {
				size_t t = (size_t)((long)i + 1 + in->off);

				if (t < p->n && !live[t])
					stack[sp++] = t;
				if (BPF_OP(in->code) == BPF_JA)
					break;
			}
			i++;
		}
	}
	for (i = 0, k = 0; i < p->n; i++) {
		newidx[i] = k;
		if (live[i])
			k++;
	}
	newidx[p->n] = k;
	for (i = 0; i < p->n; i++) {
		struct bpf_insn *in = &p->insn[i];

		if (!live[i] || !is_jump(in))
			continue;
		in->off = (int16_t)((long)newidx[(long)i + 1 + in->off] -
		    (long)newidx[i] - 1);
	}
	for (i = 0, k = 0; i < p->n; i++)
		if (live[i])
			p->insn[k++] = p->insn[i];
	for (i = 0, k = 0; i < p->nrelocs; i++)
		if (live[p->relocs[i].insn]) {
			p->relocs[k] = p->relocs[i];
			p->relocs[k++].insn = newidx[p->relocs[i].insn];
		}
	p->nrelocs = k;
	for (i = 0, k = 0; i < p->nlines; i++) {
		p->lines[i].insn = newidx[p->lines[i].insn];
		if (k && p->lines[k - 1].insn == p->lines[i].insn)
			k--;
		if (p->lines[i].insn < newidx[p->n])
			p->lines[k++] = p->lines[i];
	}
	p->nlines = k;
	p->n = newidx[p->n];
out:
	free(stack);
	free(newidx);
}

/* -1 if a jump is out of reach (a 16-bit offset) */
int
lower_prog(struct prog *p)
{
	long *at = emalloc(sizeof *at * ((size_t)p->nlabels + 1));
	size_t i, n = 0;
	int ret = 0;

	for (i = 0; i < (size_t)p->nlabels; i++)
		at[i] = -1;
	for (i = 0; i < p->nir; i++) {
		if (p->ir[i].kind == IK_LABEL)
			at[p->ir[i].label] = (long)n;
		n += width(&p->ir[i]);
	}
	p->n = p->nrelocs = p->nlines = 0;
	for (i = 0; i < p->nir; i++) {
		const struct ir *in = &p->ir[i];
		long off = 0;

		switch (in->kind) {
		case IK_INSN:
			if (in->label >= 0) {
				if (at[in->label] < 0)
					bug("jump to an unbound label");
				off = at[in->label] - (long)p->n - 1;
				if (off < INT16_MIN || off > INT16_MAX)
					ret = -1;
			}
			if (in->ref >= 0)
				reloc(p, -2, in->ref);
			emit(p, in->code, in->dst, in->src, in->label >= 0 ?
			    (int16_t)off : in->off, in->imm);
			break;
		case IK_LD64:
			emit(p, in->code, in->dst, 0, 0,
			    (int32_t)(uint32_t)in->v);
			emit(p, 0, 0, 0, 0,
			    (int32_t)(uint32_t)((uint64_t)in->v >> 32));
			break;
		case IK_LDMAP:
		case IK_LDFUNC:
			reloc(p, in->kind == IK_LDMAP ? in->ref : -1,
			    in->kind == IK_LDFUNC ? in->ref : -1);
			emit(p, in->code, in->dst, in->kind == IK_LDFUNC ?
			    BPF_PSEUDO_FUNC : in->v ? BPF_PSEUDO_MAP_VALUE :
			    BPF_PSEUDO_MAP_FD, 0, in->kind == IK_LDMAP &&
			    in->v ? in->imm : 0);
			emit(p, 0, 0, 0, 0, 0);
			break;
		case IK_LINE:
			line(p, in->loc);
			break;
		default:
			break;
		}
	}
	free(at);
	if (ret == 0)
		drop_unreachable(p);
	return ret;
}
