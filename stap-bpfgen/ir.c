/*
 * The IR's text form, what stap-bpfgen --dump-ir prints and the
 * tests/bpfgen goldens hold (man/stap-bpfgen.1 gives the grammar).
 * One instruction a line, tab-indented, in the verifier log's notation
 * (kernel/bpf/disasm.c) with decimal immediates; r0-r10 are machine
 * registers, vN virtual ones; jumps name labels (LN:), loads of maps
 * and callbacks name them; "; L:C" lines say which script line the
 * code below comes from.
 */
#include <inttypes.h>
#include <stdio.h>

#include "gen.h"

int ir_dump;                    /* --dump-ir given */

#define HELPER(x) #x
static const char *helpers[] = { __BPF_FUNC_MAPPER(HELPER) };
#undef HELPER


static void
reg(FILE *f, int r, int w32)
{
	if (r >= IR_VREG)
		fprintf(f, "v%d", r - IR_VREG);
	else
		fprintf(f, "%c%d", w32 ? 'w' : 'r', r);
}

static const char *
size(int code)
{
	switch (BPF_SIZE(code)) {
	case BPF_B: return "u8";
	case BPF_H: return "u16";
	case BPF_W: return "u32";
	default: return "u64";
	}
}

static void
mem(FILE *f, int code, int r, int off)
{
	fprintf(f, "*(%s *)(", size(code));
	reg(f, r, 0);
	fprintf(f, " %c %d)", off < 0 ? '-' : '+', off < 0 ? -off : off);
}

static void
alu(FILE *f, const struct ir *i)
{
	int w = BPF_CLASS(i->code) == BPF_ALU, op = BPF_OP(i->code);

	reg(f, i->dst, w);
	if (op == BPF_NEG) {
		fputs(" = -", f);
		reg(f, i->dst, w);
		return;
	}
	if (!bpfop_alu[op >> 4]) {
		fprintf(f, " alu 0x%02x %d", i->code, i->imm);
		return;
	}
	fprintf(f, " %s%s ", i->off && (op == BPF_DIV || op == BPF_MOD) ?
	    "s" : "", bpfop_alu[op >> 4]);
	if (BPF_SRC(i->code) == BPF_X)
		reg(f, i->src, w);
	else
		fprintf(f, "%" PRId32, i->imm);
}

static void
jmp(FILE *f, const struct ir *i)
{
	int op = BPF_OP(i->code), w = BPF_CLASS(i->code) == BPF_JMP32;

	if (op == BPF_CALL) {
		if (i->imm > 0 && i->imm < (int32_t)NELEM(helpers))
			fprintf(f, "call %s", helpers[i->imm]);
		else
			fprintf(f, "call %#x", (unsigned)i->imm);
		return;
	}
	if (op == BPF_EXIT) {
		fputs("exit", f);
		return;
	}
	if (op != BPF_JA) {
		fputs("if ", f);
		reg(f, i->dst, w);
		fprintf(f, " %s ", bpfop_jmp[op >> 4] ? bpfop_jmp[op >> 4] : "?");
		if (BPF_SRC(i->code) == BPF_X)
			reg(f, i->src, w);
		else
			fprintf(f, "%" PRId32, i->imm);
		fputc(' ', f);
	}
	fprintf(f, "goto L%d", i->label);
}

static void
insn(FILE *f, const struct ir *i, const struct prog *p)
{
	switch (BPF_CLASS(i->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		alu(f, i);
		break;
	case BPF_JMP:
	case BPF_JMP32:
		jmp(f, i);
		break;
	case BPF_LDX:
		reg(f, i->dst, 0);
		fputs(" = ", f);
		mem(f, i->code, i->src, i->off);
		break;
	case BPF_ST:
		mem(f, i->code, i->dst, i->off);
		fprintf(f, " = %" PRId32, i->imm);
		break;
	case BPF_STX:
		if (BPF_MODE(i->code) == BPF_ATOMIC) {
			fputs("lock ", f);
			mem(f, i->code, i->dst, i->off);
			if (i->imm == BPF_ADD)
				fputs(" += ", f);
			else
				fprintf(f, " atomic %#x ", (unsigned)i->imm);
		} else {
			mem(f, i->code, i->dst, i->off);
			fputs(" = ", f);
		}
		reg(f, i->src, 0);
		break;
	default:
		fprintf(f, "insn 0x%02x", i->code);
	}
	(void)p;
}

void
ir_print(FILE *f, const struct prog *p)
{
	size_t k;
	int last = -1;

	fprintf(f, "prog %s %s\n", p->name, p->section ? p->section : "-");
	for (k = 0; k < p->nir; k++) {
		const struct ir *i = &p->ir[k];

		switch (i->kind) {
		case IK_INSN:
			fputc('\t', f);
			insn(f, i, p);
			break;
		case IK_LD64:
			fputc('\t', f);
			reg(f, i->dst, 0);
			fprintf(f, " = %" PRId64 " ll", i->v);
			break;
		case IK_LDMAP:
			fputc('\t', f);
			reg(f, i->dst, 0);
			if (i->v && i->imm)
				fprintf(f, " = &%s + %d", gen_map_name(i->ref),
				    (int)i->imm);
			else
				fprintf(f, " = %s%s%s", i->v ? "&" : "map[",
				    gen_map_name(i->ref), i->v ? "" : "]");
			break;
		case IK_LDFUNC:
			fputc('\t', f);
			reg(f, i->dst, 0);
			fprintf(f, " = func[%s]", p->up || p->subs ?
			    ir_sub_name(p, i->ref) : "?");
			break;
		case IK_LABEL:
			fprintf(f, "L%d:", i->label);
			break;
		case IK_LINE:
			/* as lowering keeps them: one a line */
			if ((k + 1 < p->nir && p->ir[k + 1].kind == IK_LINE) ||
			    i->loc.line == last)
				continue;
			last = i->loc.line;
			fprintf(f, "; line %d", i->loc.line);
			break;
		case IK_ESCAPE:
			fprintf(f, "\tescape %d %d", i->off, i->imm);
			break;
		case IK_NOP:
			continue;
		}
		fputc('\n', f);
	}
}

/* The name of callback sub of the probe p belongs to */
const char *
ir_sub_name(const struct prog *p, int sub)
{
	while (p->up)
		p = p->up;
	return sub >= 0 && (size_t)sub < p->nsubs ? p->subs[sub]->name : "?";
}
