/*
 * A small assembler: instructions appended to a program, forward and
 * backward jumps to labels fixed up at the end, 64-bit loads of map
 * addresses recorded for the ELF relocations libbpf resolves.
 */
#include <stdlib.h>
#include <string.h>

#include "gen.h"

void
asm_emit(struct prog *p, struct bpf_insn i)
{
	p->insn = vgrow(p->insn, &p->cap, p->n + 1, sizeof *p->insn);
	p->insn[p->n++] = i;
}

static struct bpf_insn
insn(int code, int dst, int src, int16_t off, int32_t imm)
{
	struct bpf_insn i;

	memset(&i, 0, sizeof i);
	i.code = (uint8_t)code;
	i.dst_reg = dst & 0xf;
	i.src_reg = src & 0xf;
	i.off = off;
	i.imm = imm;
	return i;
}

int
asm_label(struct prog *p)
{
	p->labels = vgrow(p->labels, &p->caplabels, p->nlabels + 1,
	    sizeof *p->labels);
	p->labels[p->nlabels] = -1;
	return (int)p->nlabels++;
}

void
asm_bind(struct prog *p, int label)
{
	p->labels[label] = (int)p->n;
}

static void
fixup(struct prog *p, int label)
{
	p->fixups = vgrow(p->fixups, &p->capfixups, p->nfixups + 1,
	    sizeof *p->fixups);
	p->fixups[p->nfixups].insn = p->n;
	p->fixups[p->nfixups++].label = label;
}

/* if (dst OP src|imm) goto label; src < 0 means the immediate */
void
asm_jmp(struct prog *p, int op, int dst, int src, int32_t imm, int label)
{
	fixup(p, label);
	if (src < 0)
		asm_emit(p, insn(BPF_JMP | op | BPF_K, dst, 0, 0, imm));
	else
		asm_emit(p, insn(BPF_JMP | op | BPF_X, dst, src, 0, 0));
}

void
asm_ja(struct prog *p, int label)
{
	fixup(p, label);
	asm_emit(p, insn(BPF_JMP | BPF_JA, 0, 0, 0, 0));
}

void
asm_alu(struct prog *p, int op, int dst, int src)
{
	asm_emit(p, insn(BPF_ALU64 | op | BPF_X, dst, src, 0, 0));
}

void
asm_alui(struct prog *p, int op, int dst, int32_t imm)
{
	asm_emit(p, insn(BPF_ALU64 | op | BPF_K, dst, 0, 0, imm));
}

void
asm_mov(struct prog *p, int dst, int src)
{
	asm_alu(p, BPF_MOV, dst, src);
}

void
asm_movi(struct prog *p, int dst, int32_t imm)
{
	asm_alui(p, BPF_MOV, dst, imm);
}

void
asm_ld64(struct prog *p, int dst, int64_t v)
{
	if (v >= INT32_MIN && v <= INT32_MAX) {
		asm_movi(p, dst, (int32_t)v);
		return;
	}
	asm_emit(p, insn(BPF_LD | BPF_DW | BPF_IMM, dst, 0, 0,
	    (int32_t)(uint32_t)v));
	asm_emit(p, insn(0, 0, 0, 0, (int32_t)(uint32_t)((uint64_t)v >> 32)));
}

void
asm_ldmap(struct prog *p, int dst, int map)
{
	p->relocs = vgrow(p->relocs, &p->caprelocs, p->nrelocs + 1,
	    sizeof *p->relocs);
	p->relocs[p->nrelocs].insn = p->n;
	p->relocs[p->nrelocs].sub = -1;
	p->relocs[p->nrelocs++].map = map;
	asm_emit(p, insn(BPF_LD | BPF_DW | BPF_IMM, dst, BPF_PSEUDO_MAP_FD, 0,
	    0));
	asm_emit(p, insn(0, 0, 0, 0, 0));
}

/* dst = the address of callback sub, for bpf_loop and its kin */
void
asm_ldfunc(struct prog *p, int dst, int sub)
{
	p->relocs = vgrow(p->relocs, &p->caprelocs, p->nrelocs + 1,
	    sizeof *p->relocs);
	p->relocs[p->nrelocs].insn = p->n;
	p->relocs[p->nrelocs].sub = sub;
	p->relocs[p->nrelocs++].map = -1;
	asm_emit(p, insn(BPF_LD | BPF_DW | BPF_IMM, dst, BPF_PSEUDO_FUNC, 0,
	    0));
	asm_emit(p, insn(0, 0, 0, 0, 0));
}

void
asm_ldx(struct prog *p, int size, int dst, int src, int16_t off)
{
	asm_emit(p, insn(BPF_LDX | BPF_MEM | size, dst, src, off, 0));
}

void
asm_stx(struct prog *p, int size, int dst, int16_t off, int src)
{
	asm_emit(p, insn(BPF_STX | BPF_MEM | size, dst, src, off, 0));
}

void
asm_st(struct prog *p, int size, int dst, int16_t off, int32_t imm)
{
	asm_emit(p, insn(BPF_ST | BPF_MEM | size, dst, 0, off, imm));
}

void
asm_call(struct prog *p, int helper)
{
	asm_emit(p, insn(BPF_JMP | BPF_CALL, 0, 0, 0, helper));
}

void
asm_exit(struct prog *p)
{
	asm_emit(p, insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
}

/* The instructions from here on come from the script at loc. */
void
asm_line(struct prog *p, struct loc loc)
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

/* Resolve the jumps; -1 if one is out of reach (a 16-bit offset). */
int
asm_finish(struct prog *p)
{
	size_t i;

	for (i = 0; i < p->nfixups; i++) {
		int target = p->labels[p->fixups[i].label];
		long off = (long)target - (long)p->fixups[i].insn - 1;

		if (target < 0)
			bug("jump to an unbound label");
		if (off < INT16_MIN || off > INT16_MAX)
			return -1;
		p->insn[p->fixups[i].insn].off = (int16_t)off;
	}
	drop_unreachable(p);
	return 0;
}
