/*
 * stap-bpfgen, expressions, and inlining the calls of script
 * functions (see gen.c).
 */
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "regex.h"

/* ---- expressions ---- */

struct val
val_imm(int64_t c)
{
	return (struct val){ 1, c, -1 };
}

struct val
val_slot(int slot)
{
	return (struct val){ 0, 0, slot };
}

/* The value in a slot: a constant gets one (gen_const_slot) */
int
expr_slot(struct gen *g, struct val v)
{
	return v.imm ? gen_const_slot(g, v.c) : v.slot;
}

void
expr_load(struct gen *g, int reg, struct val v)
{
	if (!v.imm)
		gen_load(g, reg, v.slot);
	else if (v.c >= INT32_MIN && v.c <= INT32_MAX)
		asm_movi(g->p, reg, (int32_t)v.c);
	else
		asm_ld64(g->p, reg, v.c);
}

/* A copy of slot v's value: v may be a variable the rest of the
 * expression assigns before the value is used */
static struct val
copy(struct gen *g, struct val v)
{
	int s = gen_tmp(g, 8);

	gen_copy(g, BPF_REG_9, s, BPF_REG_9, v.slot, 8);
	return val_slot(s);
}

/*
 * a op b, folded as the code would compute it: 1 if it is a constant.
 * A shift by a count outside 0-63, a division by 0 (stap's error) or
 * of the smallest long by -1 is left to the code, as written.
 */
static int
fold(enum op op, int64_t a, int64_t b, int64_t *out)
{
	uint64_t ua = (uint64_t)a, ub = (uint64_t)b;

	if ((op == O_SHL || op == O_SHR || op == O_USHR) && (b < 0 ||
	    b > 63))
		return 0;
	if ((op == O_DIV || op == O_MOD) && (b == 0 || (a == INT64_MIN &&
	    b == -1)))
		return 0;
	switch (op) {
	case O_PLUS: *out = (int64_t)(ua + ub); return 1;
	case O_MINUS: *out = (int64_t)(ua - ub); return 1;
	case O_MUL: *out = (int64_t)(ua * ub); return 1;
	case O_AND: *out = a & b; return 1;
	case O_OR: *out = a | b; return 1;
	case O_XOR: *out = a ^ b; return 1;
	case O_SHL: *out = (int64_t)(ua << b); return 1;
	case O_SHR: *out = a >= 0 ? a >> b : ~(~a >> b); return 1;
	case O_USHR: *out = (int64_t)(ua >> b); return 1;
	case O_DIV: *out = a / b; return 1;
	case O_MOD: *out = a % b; return 1;
	default: return 0;
	}
}

/* Is x op c (right) or c op x the value of x itself? */
static int
identity(enum op op, int64_t c, int right)
{
	switch (op) {
	case O_PLUS: case O_OR: case O_XOR:
		return c == 0;
	case O_MINUS: case O_SHL: case O_SHR: case O_USHR:
		return right && c == 0;
	case O_MUL:
		return c == 1;
	case O_DIV:
		return right && c == 1;
	default:
		return 0;
	}
}

static int
bpf_alu_op(enum op op)
{
	switch (op) {
	case O_PLUS: return BPF_ADD;
	case O_MINUS: return BPF_SUB;
	case O_MUL: return BPF_MUL;
	case O_AND: return BPF_AND;
	case O_OR: return BPF_OR;
	case O_XOR: return BPF_XOR;
	case O_SHL: return BPF_LSH;
	case O_SHR: return BPF_ARSH;
	case O_USHR: return BPF_RSH;
	default: return -1;
	}
}

/*
 * l op r, longs.  Constants fold; a constant operand that leaves the
 * other as it is costs nothing, one that fits goes into the ALU
 * instruction as its immediate, and a divisor that is not 0 needs no
 * test for stap's error.
 */
static struct val
arith(struct gen *g, struct node *n, enum op op, struct val l, struct val r)
{
	struct prog *p = g->p;
	int res, ok, alu = bpf_alu_op(op);
	int64_t c;

	if (l.imm && r.imm && fold(op, l.c, r.c, &c))
		return val_imm(c);
	if (r.imm && identity(op, r.c, 1))
		return l.imm ? l : copy(g, l);
	if (l.imm && identity(op, l.c, 0))
		return copy(g, r);
	/* both sides have been evaluated: only their value goes */
	if ((op == O_MUL || op == O_AND) && ((l.imm && l.c == 0) ||
	    (r.imm && r.c == 0)))
		return val_imm(0);
	/* a constant goes on the right, where it can be an immediate */
	if (l.imm && (op == O_PLUS || op == O_MUL || op == O_AND ||
	    op == O_OR || op == O_XOR)) {
		struct val t = l;

		l = r;
		r = t;
	}
	res = gen_tmp(g, 8);
	expr_load(g, BPF_REG_1, l);
	if ((op == O_DIV || op == O_MOD) && r.imm && r.c > 0 &&
	    r.c <= INT32_MAX) {
		/* the result has the dividend's sign, C's: |l| op c, with
		 * that sign again (r2 all ones for a negative l) */
		asm_mov(p, BPF_REG_2, BPF_REG_1);
		asm_alui(p, BPF_ARSH, BPF_REG_2, 63);
		asm_alu(p, BPF_XOR, BPF_REG_1, BPF_REG_2);
		asm_alu(p, BPF_SUB, BPF_REG_1, BPF_REG_2);
		asm_alui(p, op == O_DIV ? BPF_DIV : BPF_MOD, BPF_REG_1,
		    (int32_t)r.c);
		asm_alu(p, BPF_XOR, BPF_REG_1, BPF_REG_2);
		asm_alu(p, BPF_SUB, BPF_REG_1, BPF_REG_2);
		gen_store(g, res, BPF_REG_1);
		return val_slot(res);
	}
	if (alu >= 0 && r.imm && r.c >= INT32_MIN && r.c <= INT32_MAX &&
	    ((alu != BPF_LSH && alu != BPF_ARSH && alu != BPF_RSH) ||
	    (r.c >= 0 && r.c <= 63))) {
		asm_alui(p, alu, BPF_REG_1, (int32_t)r.c);
		gen_store(g, res, BPF_REG_1);
		return val_slot(res);
	}
	expr_load(g, BPF_REG_2, r);
	switch (op) {
	case O_DIV:
	case O_MOD:
		if (!r.imm || !r.c) {
			ok = asm_label(p);
			asm_jmp(p, BPF_JNE, BPF_REG_2, -1, 0, ok);
			gen_throw(g, n->loc, "division by 0", -1);
			asm_bind(p, ok);
			expr_load(g, BPF_REG_1, l);
			expr_load(g, BPF_REG_2, r);
		}
		/* stap's / and % are C's on int64_t */
		asm_sdiv(p, op == O_DIV ? BPF_DIV : BPF_MOD, BPF_REG_1,
		    BPF_REG_2, BPF_REG_3, BPF_REG_4);
		break;
	default:
		if (alu < 0)
			bug("arith %d", op);
		asm_alu(p, alu, BPF_REG_1, BPF_REG_2);
		break;
	}
	gen_store(g, res, BPF_REG_1);
	return val_slot(res);
}

static int
concat(struct gen *g, int a, int b)
{
	int slots[2] = { a, b };
	enum type types[2] = { T_STRING, T_STRING };

	return str_snprintf_(g, "%s%s", slots, types, 2);
}

static int
cond_jump_op(enum op op, int str)
{
	(void)str;
	switch (op) {
	case O_EQ: return BPF_JEQ;
	case O_NE: return BPF_JNE;
	case O_LT: return BPF_JSLT;
	case O_LE: return BPF_JSLE;
	case O_GT: return BPF_JSGT;
	case O_GE: return BPF_JSGE;
	default: return -1;
	}
}

/* a op b with the operands swapped: b op' a */
static int
mirror(int op)
{
	switch (op) {
	case BPF_JSLT: return BPF_JSGT;
	case BPF_JSLE: return BPF_JSGE;
	case BPF_JSGT: return BPF_JSLT;
	case BPF_JSGE: return BPF_JSLE;
	default: return op;
	}
}

static int
compare(enum op op, int64_t a, int64_t b)
{
	switch (op) {
	case O_EQ: return a == b;
	case O_NE: return a != b;
	case O_LT: return a < b;
	case O_LE: return a <= b;
	case O_GT: return a > b;
	default: return a >= b;
	}
}

/* 0 or 1; of two constants, a constant; a constant operand that fits
 * is the jump's immediate */
static struct val
comparison(struct gen *g, struct node *n)
{
	struct prog *p = g->p;
	struct val l, r, t;
	int res, yes = asm_label(p), done = asm_label(p), op;

	if (n->l->type == T_STRING) {
		int a = expr(g, n->l), b = expr(g, n->r), c;

		res = gen_tmp(g, 8);
		c = str_compare(g, a, b);
		gen_load(g, BPF_REG_1, c);
		asm_jmp(p, cond_jump_op(n->op, 1), BPF_REG_1, -1, 0, yes);
	} else {
		l = expr_val(g, n->l);
		r = expr_val(g, n->r);
		if (l.imm && r.imm)
			return val_imm(compare(n->op, l.c, r.c));
		op = cond_jump_op(n->op, 0);
		if (l.imm) {
			t = l;
			l = r;
			r = t;
			op = mirror(op);
		}
		res = gen_tmp(g, 8);
		expr_load(g, BPF_REG_1, l);
		if (r.imm && r.c >= INT32_MIN && r.c <= INT32_MAX) {
			asm_jmp(p, op, BPF_REG_1, -1, (int32_t)r.c, yes);
		} else {
			expr_load(g, BPF_REG_2, r);
			asm_jmp(p, op, BPF_REG_1, BPF_REG_2, 0, yes);
		}
	}
	asm_st(p, BPF_DW, BPF_REG_9, (int16_t)res, 0);
	asm_ja(p, done);
	asm_bind(p, yes);
	asm_st(p, BPF_DW, BPF_REG_9, (int16_t)res, 1);
	asm_bind(p, done);
	return val_slot(res);
}

static int
logical(struct gen *g, struct node *n)
{
	struct prog *p = g->p;
	int res = gen_tmp(g, 8), out = asm_label(p);

	/* || is 1 as soon as one side is; && 0 as soon as one is 0 */
	asm_st(p, BPF_DW, BPF_REG_9, (int16_t)res, n->op == O_LOR);
	expr_load(g, BPF_REG_1, expr_val(g, n->l));
	asm_jmp(p, n->op == O_LOR ? BPF_JNE : BPF_JEQ, BPF_REG_1, -1, 0, out);
	expr_load(g, BPF_REG_1, expr_val(g, n->r));
	asm_jmp(p, n->op == O_LOR ? BPF_JNE : BPF_JEQ, BPF_REG_1, -1, 0, out);
	asm_st(p, BPF_DW, BPF_REG_9, (int16_t)res, n->op != O_LOR);
	asm_bind(p, out);
	return res;
}

static struct val
assign(struct gen *g, struct node *n)
{
	enum op op = op_compound(n->op);
	struct node *l = n->l;
	struct val x;
	int v, cur_, k;

	if (n->op == O_STATEQ) {
		v = expr(g, n->r);
		var_stat_add(g, n->l, v);
		return val_slot(v);
	}
	if (n->op == O_ASSIGN) {
		x = expr_val(g, n->r);
		/* a constant goes into a long variable as it is, and is
		 * the assignment's value */
		if (x.imm && l->kind == N_IDENT && l->type == T_LONG) {
			int global = (l->flags & F_GLOBAL) != 0;

			expr_load(g, BPF_REG_1, x);
			asm_stx(g->p, BPF_DW, global ? BPF_REG_8 : BPF_REG_9,
			    (int16_t)(global ? g->goff[l->num] :
			    var_slot(g, l)), BPF_REG_1);
			return x;
		}
		v = expr_slot(g, x);
		var_write_var(g, n->l, v);
		return val_slot(v);
	}
	k = var_lvalue_key(g, n->l);
	cur_ = var_read_var_k(g, n->l, k);
	if (op == O_CAT)
		v = concat(g, cur_, expr(g, n->r));
	else
		v = expr_slot(g, arith(g, n, op, val_slot(cur_),
		    expr_val(g, n->r)));
	var_write_var_k(g, n->l, v, k);
	return val_slot(v);
}

static int
crement(struct gen *g, struct node *n, int post)
{
	int k = var_lvalue_key(g, n->l);
	int old = var_read_var_k(g, n->l, k), nw;

	if (post && n->l->kind == N_IDENT && !(n->l->flags & F_GLOBAL)) {
		/* read_var gave the variable itself: keep the old value */
		int copy_ = gen_tmp(g, 8);

		gen_copy(g, BPF_REG_9, copy_, BPF_REG_9, old, 8);
		old = copy_;
	}
	nw = expr_slot(g, arith(g, n, n->op == O_INC ? O_PLUS : O_MINUS,
	    val_slot(old), val_imm(1)));
	var_write_var_k(g, n->l, nw, k);
	return post ? old : nw;
}

/*
 * A statement that only adds to a long global, x++, x--, x += e,
 * a[k] -= e: in a kernel probe an atomic add, so that what probes on
 * other CPUs add at the same time is not lost (stap locks the global).
 * A new element goes in only if no other CPU's got there first.
 * 0 if n is not such a statement.
 */
int
expr_atomic_add(struct gen *g, struct node *n)
{
	struct prog *p = g->p;
	struct node *lv = n->l, *id, *var;
	int neg, v = -1, k = -1;
	int64_t c = 1;

	if (!p->section)
		return 0;
	if (n->kind == N_PREINC || n->kind == N_POSTINC)
		neg = n->op == O_DEC;
	else if (n->kind == N_ASSIGN && (n->op == O_ADDEQ ||
	    n->op == O_SUBEQ))
		neg = n->op == O_SUBEQ;
	else
		return 0;
	id = lv->kind == N_INDEX ? lv->l : lv;
	if (id->kind != N_IDENT || !(id->flags & F_GLOBAL))
		return 0;
	var = var_global_var(g, id);
	if (var->type != T_LONG || (lv->kind == N_INDEX) !=
	    (g->gmap[id->num] >= 0))
		return 0;
	if (lv->kind == N_INDEX)
		k = var_key(g, var, lv->args);
	/* a constant is the add's operand, not a value kept across the
	 * element's lookup (in a callee-saved register) */
	if (n->kind == N_ASSIGN) {
		struct val x = expr_val(g, n->r);

		if (x.imm)
			c = x.c;
		else
			v = x.slot;
	}
	if (v < 0 && (c > INT32_MAX || c < INT32_MIN + 1))
		v = gen_const_slot(g, c);
	if (v < 0 && neg)
		c = -c;
	if (v >= 0 && neg) {
		gen_load(g, BPF_REG_1, v);
		asm_alui(p, BPF_NEG, BPF_REG_1, 0);
		v = gen_tmp(g, 8);
		gen_store(g, v, BPF_REG_1);
	}
	if (k >= 0) {
		var_elem_add(g, g->gmap[id->num], k, v, (int32_t)c, n->loc);
		return 1;
	}
	if (v >= 0)
		gen_load(g, BPF_REG_1, v);
	else
		asm_movi(p, BPF_REG_1, (int32_t)c);
	/* a scalar is at its offset from r8 itself */
	asm_emit(p, (struct bpf_insn){ .code = BPF_STX | BPF_ATOMIC | BPF_DW,
	    .dst_reg = BPF_REG_8, .src_reg = BPF_REG_1,
	    .off = (int16_t)g->goff[id->num], .imm = BPF_ADD });
	return 1;
}

static int
target_field(struct gen *g, struct node *n)
{
	struct prog *p = g->p;
	int s;

	/* a tracepoint's record or arguments, or a kprobe's pt_regs */
	if (!g->probe->section || (strncmp(g->probe->section, "tracepoint/",
	    11) && strncmp(g->probe->section, "raw_tp/", 7) &&
	    strncmp(g->probe->section, "kprobe/", 7) &&
	    strncmp(g->probe->section, "kretprobe/", 10)))
		bug("context variable outside a tracepoint or kprobe");
	if (g->fentry)
		return fentry_field(g, n);
	if (n->type == T_STRING) {
		s = gen_tmp(g, g->maxstr);
		gen_zero(g, BPF_REG_9, s, g->maxstr);
		asm_escape(p, s, g->maxstr);
		asm_mov(p, BPF_REG_1, BPF_REG_9);
		asm_alui(p, BPF_ADD, BPF_REG_1, s);
		if (n->flags & F_DATALOC) {
			asm_movi(p, BPF_REG_2, g->maxstr);
			asm_ldx(p, BPF_W, BPF_REG_3, BPF_REG_6,
			    (int16_t)n->num);
			asm_alui(p, BPF_AND, BPF_REG_3, 0xffff);
			asm_alu(p, BPF_ADD, BPF_REG_3, BPF_REG_6);
		} else {
			asm_movi(p, BPF_REG_2, n->size < g->maxstr ? n->size :
			    g->maxstr);
			asm_mov(p, BPF_REG_3, BPF_REG_6);
			asm_alui(p, BPF_ADD, BPF_REG_3, (int32_t)n->num);
		}
		asm_call(p, BPF_FUNC_probe_read_kernel_str);
		return s;
	}
	s = gen_tmp(g, 8);
	if (n->size == 8 && g->probe->tpargs) {
		/* tp_btf loads a pointer argument as a pointer of BTF's
		 * type, on which the verifier refuses what a long allows
		 * (&, /, *): stored whole in the frame and read back in
		 * halves (opt.c keeps such a slot), it is a number */
		asm_ldx(p, BPF_DW, BPF_REG_1, BPF_REG_6, (int16_t)n->num);
		gen_store(g, s, BPF_REG_1);
		asm_ldx(p, BPF_W, BPF_REG_1, BPF_REG_9, (int16_t)s);
		asm_ldx(p, BPF_W, BPF_REG_2, BPF_REG_9, (int16_t)(s + 4));
		asm_alui(p, BPF_LSH, BPF_REG_2, 32);
		asm_alu(p, BPF_OR, BPF_REG_1, BPF_REG_2);
		gen_store(g, s, BPF_REG_1);
		return s;
	}
	switch (n->size) {
	case 1: asm_ldx(p, BPF_B, BPF_REG_1, BPF_REG_6, (int16_t)n->num); break;
	case 2: asm_ldx(p, BPF_H, BPF_REG_1, BPF_REG_6, (int16_t)n->num); break;
	case 4: asm_ldx(p, BPF_W, BPF_REG_1, BPF_REG_6, (int16_t)n->num); break;
	default:
		asm_ldx(p, BPF_DW, BPF_REG_1, BPF_REG_6, (int16_t)n->num);
		break;
	}
	if ((n->flags & F_SIGNED) && n->size < 8) {
		asm_alui(p, BPF_LSH, BPF_REG_1, 64 - 8 * n->size);
		asm_alui(p, BPF_ARSH, BPF_REG_1, 64 - 8 * n->size);
	}
	gen_store(g, s, BPF_REG_1);
	return s;
}

/*
 * The value of n: a constant, or the slot that holds it (see gen.h,
 * struct val)
 */
struct val
expr_val(struct gen *g, struct node *n)
{
	struct prog *p = g->p;
	int s, l;

	switch (n->kind) {
	case N_NUM:
		return val_imm(n->num);
	case N_STR:
		return val_slot(str_literal(g, n->str));
	case N_INDEX:
		if (n->l->kind == N_STAT)
			return val_slot(var_hist_index(g, n));
		return val_slot(var_read_var(g, n));
	case N_IDENT:
		return val_slot(var_read_var(g, n));
	case N_TARGET:
		return val_slot(target_field(g, n));
	case N_CAST:
	case N_AUTOCAST:
		return val_slot(typed_read(g, n));
	case N_ASSIGN:
		return assign(g, n);
	case N_PREINC:
		return val_slot(crement(g, n, 0));
	case N_POSTINC:
		return val_slot(crement(g, n, 1));
	case N_UNARY: {
		struct val x = expr_val(g, n->l);

		if (x.imm && n->op == O_MINUS)
			return val_imm((int64_t)(0 - (uint64_t)x.c));
		if (x.imm && n->op == O_BNOT)
			return val_imm(~x.c);
		if (x.imm && n->op == O_NOT)
			return val_imm(!x.c);
		if (x.imm)
			return x;
		s = gen_tmp(g, 8);
		expr_load(g, BPF_REG_1, x);
		if (n->op == O_MINUS)
			asm_alui(p, BPF_NEG, BPF_REG_1, 0);
		else if (n->op == O_BNOT)
			asm_alui(p, BPF_XOR, BPF_REG_1, -1);
		else if (n->op == O_NOT) {
			int z = asm_label(p), d = asm_label(p);

			asm_jmp(p, BPF_JEQ, BPF_REG_1, -1, 0, z);
			asm_movi(p, BPF_REG_1, 0);
			asm_ja(p, d);
			asm_bind(p, z);
			asm_movi(p, BPF_REG_1, 1);
			asm_bind(p, d);
		}
		gen_store(g, s, BPF_REG_1);
		return val_slot(s);
	}
	case N_BINARY:
		switch (n->op) {
		case O_LAND: case O_LOR:
			return val_slot(logical(g, n));
		case O_EQ: case O_NE: case O_LT: case O_LE: case O_GT:
		case O_GE:
			return comparison(g, n);
		case O_CAT:
			l = expr(g, n->l);
			return val_slot(concat(g, l, expr(g, n->r)));
		case O_MATCH: case O_NMATCH:
			return val_slot(str_regex_match(g, n));
		default: {
			struct val x = expr_val(g, n->l);

			return arith(g, n, n->op, x, expr_val(g, n->r));
		}
		}
	case N_TERNARY: {
		int els = asm_label(p), done = asm_label(p);
		int res = gen_tmp(g, gen_sizeof_type(g, n->type)), v;

		expr_load(g, BPF_REG_1, expr_val(g, n->cond));
		asm_jmp(p, BPF_JEQ, BPF_REG_1, -1, 0, els);
		v = expr(g, n->then);
		gen_copy(g, BPF_REG_9, res, BPF_REG_9, v, gen_sizeof_type(g,
		    n->type));
		asm_ja(p, done);
		asm_bind(p, els);
		v = expr(g, n->els);
		gen_copy(g, BPF_REG_9, res, BPF_REG_9, v, gen_sizeof_type(g,
		    n->type));
		asm_bind(p, done);
		return val_slot(res);
	}
	case N_IN: {
		struct node *v = var_global_var(g, n->l);
		int k, res, no;

		if (loop_is_slice(n->args)) {
			int *sl = loop_slice_values(g, n->args);

			res = gen_tmp(g, 8);
			asm_st(p, BPF_DW, BPF_REG_9, (int16_t)res, 0);
			loop_slice_walk(g, v, g->gmap[n->l->num], sl, res,
			    n->loc);
			return val_slot(res);
		}
		k = var_key(g, v, n->args);
		res = gen_tmp(g, 8);
		no = asm_label(p);
		asm_st(p, BPF_DW, BPF_REG_9, (int16_t)res, 0);
		var_lookup(g, g->gmap[n->l->num], k);
		asm_jmp(p, BPF_JEQ, BPF_REG_0, -1, 0, no);
		asm_st(p, BPF_DW, BPF_REG_9, (int16_t)res, 1);
		asm_bind(p, no);
		return val_slot(res);
	}
	case N_CALL:
		if (n->flags & F_BUILTIN) {
			s = call_builtin(g, n);
			return s < 0 ? val_imm(0) : val_slot(s);
		}
		return val_slot(expr_inline_call(g, n));
	case N_STAT:
		if (!strncmp(n->str, "@hist", 5)) {
			diag_error(n->loc, "histograms are not supported by "
			    "stap-bpf yet");
			return val_imm(0);
		}
		return val_slot(var_stat_get(g, n));
	default:
		diag_error(n->loc, "'%s' expressions are not supported by "
		    "stap-bpf yet", node_name[n->kind]);
		return val_imm(0);
	}
}

/* The value of n in a slot: what code that needs an address takes */
int
expr(struct gen *g, struct node *n)
{
	return expr_slot(g, expr_val(g, n));
}

/* Script functions are inlined: no BPF-to-BPF calls to verify. */
int
expr_inline_call(struct gen *g, struct node *n)
{
	struct node *fn, *a, *v;
	struct scope sc = { 0 }, *s;
	int i, nparams = 0, nlocals = 0, res;
	int *argslots;

	if (n->num < 0 || n->num >= g->nfuncs)
		bug("call of function %lld", (long long)n->num);
	fn = g->funcs[n->num];
	/* recursion is inlined too, as deep as stap's MAXNESTING lets
	 * it go; a call deeper than that is stap's runtime error */
	for (s = gen_cur, i = 1; s; s = s->up) {
		i += s->fn != NULL;
		g->recursed |= s->fn == fn;
	}
	if (i > g->maxnesting) {
		for (a = n->args; a; a = a->next)
			expr(g, a);
		gen_throw(g, n->loc, "MAXNESTING exceeded", -1);
		return fn->type == T_STRING ? str_literal(g, "") :
		    gen_const_slot(g, 0);
	}
	/* each inlined body nests where its call is, and this code
	 * recurses over all of them: bound them as TREE_MAXDEPTH bounds
	 * one tree */
	sc.depth = (gen_cur ? gen_cur->depth : 0) + gen_depth(fn);
	if (sc.depth > MAXINLINED) {
		diag_error(n->loc, "functions inlined here nest more than %d "
		    "deep%s", MAXINLINED, g->recursed ? " (recursive "
		    "functions are inlined MAXNESTING deep; a smaller "
		    "-D MAXNESTING=N nests them less)" : "");
		return fn->type == T_STRING ? str_literal(g, "") :
		    gen_const_slot(g, 0);
	}
	for (a = fn->args; a; a = a->next)
		nparams++;
	for (v = fn->locals; v; v = v->next)
		nlocals++;
	argslots = arena_alloc(sizeof *argslots * (nparams + 1));
	for (a = n->args, i = 0; a; a = a->next, i++)
		argslots[i] = expr(g, a);
	sc.fn = fn;
	sc.param = arena_alloc(sizeof *sc.param * (nparams + 1));
	sc.local = arena_alloc(sizeof *sc.local * (nlocals + 1));
	for (a = fn->args, i = 0; a; a = a->next, i++) {
		int sz = gen_sizeof_type(g, a->type);

		sc.param[i] = gen_tmp(g, sz);
		gen_copy(g, BPF_REG_9, sc.param[i], BPF_REG_9, argslots[i], sz);
	}
	for (v = fn->locals, i = 0; v; v = v->next, i++) {
		sc.local[i] = gen_tmp(g, gen_sizeof_type(g, v->type));
		gen_zero(g, BPF_REG_9, sc.local[i], gen_sizeof_type(g,
		    v->type));
	}
	res = sc.retslot = gen_tmp(g, gen_sizeof_type(g,
	    fn->type == T_VOID ? T_LONG :
	    fn->type));
	gen_zero(g, BPF_REG_9, res, gen_sizeof_type(g,
	    fn->type == T_VOID ? T_LONG :
	    fn->type));
	sc.ret = gen_here(g);
	sc.up = gen_cur;
	gen_cur = &sc;
	{
		struct loopctx *saveloops = gen_loops;

		gen_loops = NULL;
		if (fn->body && fn->body->kind == N_EMBED)
			basm_inline(g, fn, n, sc.param, sc.retslot);
		else
			stmt(g, fn->body);
		gen_loops = saveloops;
	}
	gen_cur = sc.up;
	asm_bind(g->p, sc.ret.label);
	return res;
}
