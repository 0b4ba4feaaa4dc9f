/*
 * The assembler: each asm_* call appends one instruction of the IR
 * (struct ir in gen.h) to a program.  Jumps name labels, 64-bit loads
 * of map and callback addresses name the map or callback, and line
 * records are pseudo-instructions, so opt.c can rewrite the array
 * freely; lower.c then resolves all of them into struct bpf_insn.
 * Registers 0-10 are the machine's; asm_vreg hands out virtual ones,
 * which opt.c maps onto machine registers or frame slots.
 */
#include <stdlib.h>
#include <string.h>

#include "gen.h"

static struct ir *
add(struct prog *p, enum irkind kind)
{
	struct ir *i;

	p->ir = vgrow(p->ir, &p->capir, p->nir + 1, sizeof *p->ir);
	i = &p->ir[p->nir++];
	memset(i, 0, sizeof *i);
	i->kind = kind;
	i->label = -1;
	i->ref = -1;
	return i;
}

static void
insn(struct prog *p, int code, int dst, int src, int16_t off, int32_t imm)
{
	struct ir *i = add(p, IK_INSN);

	i->code = (uint8_t)code;
	i->dst = dst;
	i->src = src;
	i->off = off;
	i->imm = imm;
}

/* A raw instruction over machine registers */
void
asm_emit(struct prog *p, struct bpf_insn i)
{
	insn(p, i.code, i.dst_reg, i.src_reg, i.off, i.imm);
}

int
asm_vreg(struct prog *p)
{
	return IR_VREG + p->nvregs++;
}

int
asm_label(struct prog *p)
{
	return p->nlabels++;
}

void
asm_bind(struct prog *p, int label)
{
	add(p, IK_LABEL)->label = label;
}

/* if (dst OP src|imm) goto label, any jump code; src < 0: the imm */
void
asm_jmpcode(struct prog *p, int code, int dst, int src, int32_t imm,
    int label)
{
	insn(p, code, dst, src < 0 ? 0 : src, 0, src < 0 ? imm : 0);
	p->ir[p->nir - 1].label = label;
}

/* if (dst OP src|imm) goto label; src < 0 means the immediate */
void
asm_jmp(struct prog *p, int op, int dst, int src, int32_t imm, int label)
{
	asm_jmpcode(p, BPF_JMP | op | (src < 0 ? BPF_K : BPF_X), dst, src,
	    imm, label);
}

void
asm_ja(struct prog *p, int label)
{
	asm_jmpcode(p, BPF_JMP | BPF_JA, 0, -1, 0, label);
}

void
asm_alu(struct prog *p, int op, int dst, int src)
{
	insn(p, BPF_ALU64 | op | BPF_X, dst, src, 0, 0);
}

void
asm_alui(struct prog *p, int op, int dst, int32_t imm)
{
	insn(p, BPF_ALU64 | op | BPF_K, dst, 0, 0, imm);
}

/*
 * dst = dst / src or dst % src (op BPF_DIV or BPF_MOD) on int64_t, as
 * C has them, from unsigned division: the signed forms (off 1) are
 * cpu v4, which kernels before 6.6 refuse.  The magnitudes are divided
 * and the result takes the quotient's sign (the operands' signs
 * differ) or the remainder's (the dividend's); INT64_MIN / -1 is
 * INT64_MIN, as the signed instruction gives.  src, t1 and t2 are
 * clobbered; src must not be 0.
 */
void
asm_sdiv(struct prog *p, int op, int dst, int src, int t1, int t2)
{
	/* t1: all ones where the result is negative */
	asm_mov(p, t1, dst);
	if (op == BPF_DIV)
		asm_alu(p, BPF_XOR, t1, src);
	asm_alui(p, BPF_ARSH, t1, 63);
	/* |dst|, |src|: (x ^ s) - s with s = x >> 63, which for % is t1 */
	if (op == BPF_DIV) {
		asm_mov(p, t2, dst);
		asm_alui(p, BPF_ARSH, t2, 63);
	}
	asm_alu(p, BPF_XOR, dst, op == BPF_DIV ? t2 : t1);
	asm_alu(p, BPF_SUB, dst, op == BPF_DIV ? t2 : t1);
	asm_mov(p, t2, src);
	asm_alui(p, BPF_ARSH, t2, 63);
	asm_alu(p, BPF_XOR, src, t2);
	asm_alu(p, BPF_SUB, src, t2);
	asm_alu(p, op, dst, src);
	asm_alu(p, BPF_XOR, dst, t1);
	asm_alu(p, BPF_SUB, dst, t1);
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
	struct ir *i;

	if (v >= INT32_MIN && v <= INT32_MAX) {
		asm_movi(p, dst, (int32_t)v);
		return;
	}
	i = add(p, IK_LD64);
	i->code = BPF_LD | BPF_DW | BPF_IMM;
	i->dst = dst;
	i->v = v;
}

void
asm_ldmap(struct prog *p, int dst, int map)
{
	struct ir *i;

	if (gen_map_data(map))
		bug("asm: global-data map %s loaded as a map",
		    gen_map_name(map));
	i = add(p, IK_LDMAP);
	i->code = BPF_LD | BPF_DW | BPF_IMM;
	i->dst = dst;
	i->ref = map;
}

/* dst = the address of byte off of global-data map's value (bo_data):
 * no lookup, no null check */
void
asm_ldval(struct prog *p, int dst, int map, int32_t off)
{
	struct ir *i = add(p, IK_LDMAP);

	i->code = BPF_LD | BPF_DW | BPF_IMM;
	i->dst = dst;
	i->ref = map;
	i->v = 1;
	i->imm = off;
}

/* dst = the address of callback sub, for bpf_loop and its kin */
void
asm_ldfunc(struct prog *p, int dst, int sub)
{
	struct ir *i = add(p, IK_LDFUNC);

	i->code = BPF_LD | BPF_DW | BPF_IMM;
	i->dst = dst;
	i->ref = sub;
}

void
asm_ldx(struct prog *p, int size, int dst, int src, int16_t off)
{
	insn(p, BPF_LDX | BPF_MEM | size, dst, src, off, 0);
}

void
asm_stx(struct prog *p, int size, int dst, int16_t off, int src)
{
	insn(p, BPF_STX | BPF_MEM | size, dst, src, off, 0);
}

void
asm_st(struct prog *p, int size, int dst, int16_t off, int32_t imm)
{
	insn(p, BPF_ST | BPF_MEM | size, dst, 0, off, imm);
}

void
asm_call(struct prog *p, int helper)
{
	insn(p, BPF_JMP | BPF_CALL, 0, 0, 0, helper);
}

void
asm_exit(struct prog *p)
{
	insn(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

/* The instructions from here on come from the script at loc. */
void
asm_line(struct prog *p, struct loc loc)
{
	add(p, IK_LINE)->loc = loc;
}

/*
 * The next instruction copies r9 (the scratch frame) to make a pointer
 * to its bytes [off, off + size): opt.c keeps those in the frame.
 */
void
asm_escape(struct prog *p, int off, int size)
{
	struct ir *i = add(p, IK_ESCAPE);

	i->off = (int16_t)off;
	i->imm = size;
}

/*
 * A program is done.  Callbacks wait for their probe, whose frame
 * they share: opt_probe() looks at all of a probe's code at once.
 * -1 if a jump is out of reach (a 16-bit offset).
 */
int
asm_finish(struct prog *p)
{
	size_t i;

	if (p->up)
		return 0;
	opt_probe(p);
	if (lower_prog(p) < 0)
		return -1;
	for (i = 0; i < p->nsubs; i++)
		if (lower_prog(p->subs[i]) < 0)
			return -1;
	return 0;
}
