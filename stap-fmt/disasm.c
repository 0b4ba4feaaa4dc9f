/*
 * A BPF disassembler for listings, one instruction a line, in the
 * notation of the kernel verifier's log and bpftool's xlated dump
 * (kernel/bpf/disasm.c): C-like statements, "r" registers for 64-bit
 * operations and "w" for 32-bit ones, signed decimal immediates in
 * arithmetic, hex in comparisons, jumps relative to the next
 * instruction.  Anything that does not decode prints as "invalid" with
 * its raw fields, so a corrupt program still lists in full.
 */
#include <inttypes.h>
#include <stdio.h>

#include <linux/bpf.h>

#include "../lib/stap.h"
#include "fmt.h"

/* Newer than some installed headers */
#ifndef BPF_JMP32
#define BPF_JMP32 0x06
#endif
#ifndef BPF_MEMSX
#define BPF_MEMSX 0x80
#endif
#ifndef BPF_PSEUDO_KFUNC_CALL
#define BPF_PSEUDO_KFUNC_CALL 2
#endif
#ifndef BPF_PSEUDO_MAP_IDX
#define BPF_PSEUDO_MAP_IDX 5
#endif
#ifndef BPF_PSEUDO_MAP_IDX_VALUE
#define BPF_PSEUDO_MAP_IDX_VALUE 6
#endif

/* Helper names by number, from the kernel header's own list */
#define HELPER(x) "bpf_" #x
static const char *helpers[] = { __BPF_FUNC_MAPPER(HELPER) };
#undef HELPER


static const char *
size(int code)
{
	switch (BPF_SIZE(code)) {
	case BPF_B: return "8";
	case BPF_H: return "16";
	case BPF_W: return "32";
	default: return "64";
	}
}

/* "(r10 - 8)": the base register and a signed offset */
static void
mem(FILE *out, int sign, int code, int reg, int off)
{
	fprintf(out, "*(%c%s *)(r%d %c %d)", sign, size(code), reg,
	    off < 0 ? '-' : '+', off < 0 ? -off : off);
}

static void
invalid(FILE *out, const struct bpf_insn *in)
{
	fprintf(out, "invalid code=0x%02x dst=%d src=%d off=%d imm=%" PRId32,
	    in->code, in->dst_reg, in->src_reg, in->off, in->imm);
}

static void
alu(FILE *out, const struct bpf_insn *in)
{
	int code = in->code, op = BPF_OP(code);
	char r = BPF_CLASS(code) == BPF_ALU64 ? 'r' : 'w';
	const char *sop = bpfop_alu[op >> 4];

	if (op == BPF_NEG) {
		fprintf(out, "%c%d = -%c%d", r, in->dst_reg, r, in->dst_reg);
		return;
	}
	if (op == BPF_END) {
		/* ALU64 END is the unconditional byte swap of v4 */
		fprintf(out, "r%d = %s%" PRId32 " r%d", in->dst_reg,
		    r == 'r' ? "bswap" : BPF_SRC(code) == BPF_X ? "be" : "le",
		    in->imm, in->dst_reg);
		return;
	}
	if (!sop) {
		invalid(out, in);
		return;
	}
	/* v4: off 1 makes division and modulo signed, and off 8, 16 or
	 * 32 makes a move sign-extend */
	if ((op == BPF_DIV || op == BPF_MOD) && in->off == 1)
		sop = op == BPF_DIV ? "s/=" : "s%=";
	if (op == BPF_MOV && in->off && BPF_SRC(code) == BPF_X) {
		fprintf(out, "%c%d = (s%d)%c%d", r, in->dst_reg, in->off, r,
		    in->src_reg);
		return;
	}
	fprintf(out, "%c%d %s ", r, in->dst_reg, sop);
	if (BPF_SRC(code) == BPF_X)
		fprintf(out, "%c%d", r, in->src_reg);
	else
		fprintf(out, "%" PRId32, in->imm);
}

static void
call(FILE *out, const struct bpf_insn *in)
{
	if (in->src_reg == BPF_PSEUDO_CALL)
		fprintf(out, "call pc%+d", in->imm);
	else if (in->src_reg == BPF_PSEUDO_KFUNC_CALL)
		fprintf(out, "call kfunc#%" PRId32, in->imm);
	else if (in->imm > 0 && (size_t)in->imm < NELEM(helpers))
		fprintf(out, "call %s#%" PRId32, helpers[in->imm], in->imm);
	else
		fprintf(out, "call #%" PRId32, in->imm);
}

static void
jmp(FILE *out, const struct bpf_insn *in)
{
	int code = in->code, op = BPF_OP(code);
	char r = BPF_CLASS(code) == BPF_JMP ? 'r' : 'w';
	const char *sop = bpfop_jmp[op >> 4];

	if (op == BPF_CALL) {
		call(out, in);
		return;
	}
	if (op == BPF_EXIT) {
		fputs("exit", out);
		return;
	}
	if (op == BPF_JA) {
		/* JMP32 JA is v4's long jump, its offset in imm */
		fprintf(out, "goto%s %+d", r == 'w' ? "l" : "",
		    r == 'w' ? in->imm : in->off);
		return;
	}
	if (!sop) {
		invalid(out, in);
		return;
	}
	fprintf(out, "if %c%d %s ", r, in->dst_reg, sop);
	if (BPF_SRC(code) == BPF_X)
		fprintf(out, "%c%d", r, in->src_reg);
	else
		fprintf(out, "0x%" PRIx32, (uint32_t)in->imm);
	fprintf(out, " goto %+d", in->off);
}

static void
atomic(FILE *out, const struct bpf_insn *in)
{
	const char *w = BPF_SIZE(in->code) == BPF_DW ? "64" : "";
	const char *name, *sym;
	int op = in->imm & ~BPF_FETCH;

	if (in->imm == BPF_XCHG || in->imm == BPF_CMPXCHG) {
		int dst = in->imm == BPF_XCHG ? in->src_reg : 0;

		fprintf(out, "r%d = atomic%s_%s((u%s *)(r%d %c %d), ", dst, w,
		    in->imm == BPF_XCHG ? "xchg" : "cmpxchg", size(in->code),
		    in->dst_reg, in->off < 0 ? '-' : '+',
		    in->off < 0 ? -in->off : in->off);
		if (in->imm == BPF_CMPXCHG)
			fputs("r0, ", out);
		fprintf(out, "r%d)", in->src_reg);
		return;
	}
	switch (op) {
	case BPF_ADD: name = "add"; sym = "+="; break;
	case BPF_AND: name = "and"; sym = "&="; break;
	case BPF_OR: name = "or"; sym = "|="; break;
	case BPF_XOR: name = "xor"; sym = "^="; break;
	default:
		invalid(out, in);
		return;
	}
	if (!(in->imm & BPF_FETCH)) {
		fputs("lock ", out);
		mem(out, 'u', in->code, in->dst_reg, in->off);
		fprintf(out, " %s r%d", sym, in->src_reg);
		return;
	}
	fprintf(out, "r%d = atomic%s_fetch_%s((u%s *)(r%d %c %d), r%d)",
	    in->src_reg, w, name, size(in->code), in->dst_reg,
	    in->off < 0 ? '-' : '+', in->off < 0 ? -in->off : in->off,
	    in->src_reg);
}

/* The first half of a 64-bit immediate load: two slots */
static size_t
ldimm64(FILE *out, const struct bpf_insn *in, size_t left, const char *map)
{
	uint64_t v;

	if (left < 2 || in[1].code != 0) {
		invalid(out, in);
		return 1;
	}
	v = (uint64_t)(uint32_t)in[1].imm << 32 | (uint32_t)in->imm;
	switch (in->src_reg) {
	case 0:
		fprintf(out, "r%d = 0x%" PRIx64 " ll", in->dst_reg, v);
		break;
	case BPF_PSEUDO_MAP_FD:
	case BPF_PSEUDO_MAP_IDX:
		if (map)
			fprintf(out, "r%d = map[%s]", in->dst_reg, map);
		else
			fprintf(out, "r%d = map[fd:%" PRId32 "]", in->dst_reg,
			    in->imm);
		break;
	case BPF_PSEUDO_MAP_VALUE:
	case BPF_PSEUDO_MAP_IDX_VALUE:
		if (map)
			fprintf(out, "r%d = map[%s][0]+%" PRId32, in->dst_reg,
			    map, in[1].imm);
		else
			fprintf(out, "r%d = map[fd:%" PRId32 "][0]+%" PRId32,
			    in->dst_reg, in->imm, in[1].imm);
		break;
	case BPF_PSEUDO_FUNC:
		if (map)
			fprintf(out, "r%d = &%s", in->dst_reg, map);
		else
			fprintf(out, "r%d = &func%+" PRId32, in->dst_reg,
			    in->imm);
		break;
	default:
		fprintf(out, "r%d = 0x%" PRIx64 " ll (pseudo %d)", in->dst_reg,
		    v, in->src_reg);
	}
	return 2;
}

size_t
disasm_insn(FILE *out, const struct bpf_insn *in, size_t left,
    const char *map)
{
	int code = in->code;

	switch (BPF_CLASS(code)) {
	case BPF_ALU:
	case BPF_ALU64:
		alu(out, in);
		break;
	case BPF_JMP:
	case BPF_JMP32:
		jmp(out, in);
		break;
	case BPF_LDX:
		if (BPF_MODE(code) != BPF_MEM && BPF_MODE(code) != BPF_MEMSX) {
			invalid(out, in);
			break;
		}
		fprintf(out, "r%d = ", in->dst_reg);
		mem(out, BPF_MODE(code) == BPF_MEMSX ? 's' : 'u', code,
		    in->src_reg, in->off);
		break;
	case BPF_ST:
	case BPF_STX:
		if (code == (BPF_STX | BPF_ATOMIC | BPF_W) ||
		    code == (BPF_STX | BPF_ATOMIC | BPF_DW)) {
			atomic(out, in);
			break;
		}
		if (BPF_MODE(code) != BPF_MEM) {
			invalid(out, in);
			break;
		}
		mem(out, 'u', code, in->dst_reg, in->off);
		if (BPF_CLASS(code) == BPF_STX)
			fprintf(out, " = r%d", in->src_reg);
		else
			fprintf(out, " = %" PRId32, in->imm);
		break;
	case BPF_LD:
		if (code == (BPF_LD | BPF_IMM | BPF_DW))
			return ldimm64(out, in, left, map);
		if (BPF_MODE(code) == BPF_ABS)
			fprintf(out, "r0 = *(u%s *)skb[%" PRId32 "]",
			    size(code), in->imm);
		else if (BPF_MODE(code) == BPF_IND)
			fprintf(out, "r0 = *(u%s *)skb[r%d + %" PRId32 "]",
			    size(code), in->src_reg, in->imm);
		else
			invalid(out, in);
		break;
	}
	return 1;
}
