/*
 * stap-bpfgen, variables: globals, locals and maps, their keys, and statistics
 * (@count and the rest, @hist) (see gen.c).
 */
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "regex.h"

/* ---- variables ---- */

struct node *
var_global_var(struct gen *g, struct node *id)
{
	if (id->num < 0 || id->num >= g->nglobals)
		bug("global %lld out of range", (long long)id->num);
	return g->gvar[id->num];
}

int
var_slot(struct gen *g, struct node *id)
{
	(void)g;
	if (id->flags & F_LOCAL)
		return gen_cur->local[id->num];
	if (id->flags & F_PARAM)
		return gen_cur->param[id->num];
	bug("not a local: '%s'", id->str);
}

/* The packed key of arr[args] in a fresh slot. */
int
var_key(struct gen *g, struct node *var, struct node *args)
{
	struct node *k, *a;
	int size = 0, off, kslot;
	int slots[16], i = 0;

	for (k = var->keys, a = args; k && a; k = k->next, a = a->next) {
		if (a->kind == N_ANY) {
			diag_error(a->loc, "an array slice is not supported "
			    "here by stap-bpf yet (only in foreach, 'in' and "
			    "delete)");
			slots[i++] = gen_sizeof_type(g, k->type) == 8 ?
			    gen_const_slot(g, 0) : str_literal(g, "");
		} else {
			slots[i++] = expr(g, a);
		}
		size += gen_sizeof_type(g, k->type);
	}
	kslot = gen_tmp(g, size);
	for (k = var->keys, off = 0, i = 0; k; k = k->next, i++) {
		int n = gen_sizeof_type(g, k->type);

		gen_copy(g, BPF_REG_9, kslot + off, BPF_REG_9, slots[i], n);
		off += n;
	}
	return kslot;
}

/* r0 = helper(map, key at r9 + kslot): a lookup or a delete */
void
var_map_key_call(struct gen *g, int helper, int map, int kslot)
{
	asm_ldmap(g->p, BPF_REG_1, map);
	asm_escape(g->p, kslot, (int)gen_map_key(map));
	asm_mov(g->p, BPF_REG_2, BPF_REG_9);
	asm_alui(g->p, BPF_ADD, BPF_REG_2, kslot);
	asm_call(g->p, helper);
}

void
var_lookup(struct gen *g, int map, int kslot)
{
	var_map_key_call(g, BPF_FUNC_map_lookup_elem, map, kslot);
}

/*
 * stap's error for a full array, naming it: its declared size, or
 * MAXMAPENTRIES for an array declared without one (the resolved tree
 * gives those MAXMAPENTRIES as their size).
 */
static const char *
overflow_msg(struct gen *g, int map)
{
	long dflt = facts_define(&g->s->facts, "MAXMAPENTRIES", 2048);
	struct node *v = NULL;
	char *m;
	int i;

	for (i = 0; i < g->nglobals && !v; i++)
		if (g->gmap[i] == map)
			v = g->gvar[i];
	if (!v)
		bug("map %d is no global's", map);
	m = arena_alloc(strlen(v->str) + 80);
	if (v->num == dflt)
		sprintf(m, "array '%s' overflow, check MAXMAPENTRIES (%ld)",
		    v->str, dflt);
	else
		sprintf(m, "array '%s' overflow, check its size limit (%lld)",
		    v->str, (long long)v->num);
	return m;
}

static void
update(struct gen *g, struct loc loc, int map, int kslot, int vslot)
{
	int ok = asm_label(g->p);

	asm_ldmap(g->p, BPF_REG_1, map);
	asm_escape(g->p, kslot, (int)gen_map_key(map));
	asm_mov(g->p, BPF_REG_2, BPF_REG_9);
	asm_alui(g->p, BPF_ADD, BPF_REG_2, kslot);
	asm_escape(g->p, vslot, (int)gen_map_value(map));
	asm_mov(g->p, BPF_REG_3, BPF_REG_9);
	asm_alui(g->p, BPF_ADD, BPF_REG_3, vslot);
	asm_movi(g->p, BPF_REG_4, BPF_ANY);
	asm_call(g->p, BPF_FUNC_map_update_elem);
	asm_jmp(g->p, BPF_JEQ, BPF_REG_0, -1, 0, ok);
	gen_throw(g, loc, overflow_msg(g, map), -1);
	asm_bind(g->p, ok);
}

/*
 * The value of an identifier or an array element, in a fresh slot.
 * kslot is the element's key if the caller built it already (x[f()]++
 * must call f() once), else -1.
 */
int
var_read_var_k(struct gen *g, struct node *n, int kslot)
{
	struct node *v;
	int size, slot, miss, done;

	if (n->kind == N_IDENT && !(n->flags & F_GLOBAL))
		return var_slot(g, n);
	if (n->kind == N_IDENT) {
		v = var_global_var(g, n);
		size = gen_sizeof_type(g, v->type);
		slot = gen_tmp(g, size);
		gen_copy(g, BPF_REG_9, slot, BPF_REG_8, g->goff[n->num], size);
		return slot;
	}
	v = var_global_var(g, n->l);
	size = gen_sizeof_type(g, v->type);
	if (kslot < 0)
		kslot = var_key(g, v, n->args);
	slot = gen_tmp(g, size);
	miss = asm_label(g->p);
	done = asm_label(g->p);
	var_lookup(g, g->gmap[n->l->num], kslot);
	asm_jmp(g->p, BPF_JEQ, BPF_REG_0, -1, 0, miss);
	gen_copy(g, BPF_REG_9, slot, BPF_REG_0, 0, size);
	asm_ja(g->p, done);
	asm_bind(g->p, miss);
	gen_zero(g, BPF_REG_9, slot, size);
	asm_bind(g->p, done);
	return slot;
}

int
var_read_var(struct gen *g, struct node *n)
{
	return var_read_var_k(g, n, -1);
}

/* Store the value in vslot into an identifier or array element. */
void
var_write_var_k(struct gen *g, struct node *n, int vslot, int kslot)
{
	struct node *v;

	if (n->kind == N_IDENT && !(n->flags & F_GLOBAL)) {
		int s = var_slot(g, n);

		if (s != vslot)
			gen_copy(g, BPF_REG_9, s, BPF_REG_9, vslot,
			    gen_sizeof_type(g, n->type));
		return;
	}
	if (n->kind == N_IDENT) {
		v = var_global_var(g, n);
		gen_copy(g, BPF_REG_8, g->goff[n->num], BPF_REG_9, vslot,
		    gen_sizeof_type(g, v->type));
		return;
	}
	if (n->kind != N_INDEX)
		bug("assignment to a %s", node_name[n->kind]);
	v = var_global_var(g, n->l);
	update(g, n->loc, g->gmap[n->l->num], kslot >= 0 ? kslot :
	    var_key(g, v, n->args), vslot);
}

void
var_write_var(struct gen *g, struct node *n, int vslot)
{
	var_write_var_k(g, n, vslot, -1);
}

/* The key of an array element lvalue, built once, or -1 for a scalar */
int
var_lvalue_key(struct gen *g, struct node *n)
{
	if (n->kind != N_INDEX)
		return -1;
	return var_key(g, var_global_var(g, n->l), n->args);
}

/* ---- statistics ---- */

/*
 * r0 = map[key at kslot], made first if missing: an element of size
 * zero bytes, put in only if no other CPU has made it meanwhile
 * (BPF_NOEXIST), so r0 is whichever won.  A full map is stap's error.
 */
void
var_elem(struct gen *g, int map, int kslot, int size, struct loc loc)
{
	struct prog *p = g->p;
	int found = asm_label(p), fresh;

	var_lookup(g, map, kslot);
	asm_jmp(p, BPF_JNE, BPF_REG_0, -1, 0, found);
	fresh = gen_tmp(g, size);
	gen_zero(g, BPF_REG_9, fresh, size);
	asm_ldmap(p, BPF_REG_1, map);
	asm_escape(p, kslot, (int)gen_map_key(map));
	asm_mov(p, BPF_REG_2, BPF_REG_9);
	asm_alui(p, BPF_ADD, BPF_REG_2, kslot);
	asm_escape(p, fresh, size);
	asm_mov(p, BPF_REG_3, BPF_REG_9);
	asm_alui(p, BPF_ADD, BPF_REG_3, fresh);
	asm_movi(p, BPF_REG_4, BPF_NOEXIST);
	asm_call(p, BPF_FUNC_map_update_elem);
	var_lookup(g, map, kslot);
	asm_jmp(p, BPF_JNE, BPF_REG_0, -1, 0, found);
	gen_throw(g, loc, overflow_msg(g, map), -1);
	asm_bind(p, found);
}

/*
 * map[key at kslot] += the value in slot v, or c if v is -1, atomically.
 * A missing element goes in holding the addend itself, only if no
 * other CPU has made it meanwhile (BPF_NOEXIST): a fresh key costs one
 * lookup and the update, not a second lookup.  If the update fails,
 * another CPU won (the lookup finds its element and the add goes
 * there, nothing lost) or the map is full (stap's error).
 */
void
var_elem_add(struct gen *g, int map, int kslot, int v, int32_t c,
    struct loc loc)
{
	struct prog *p = g->p;
	int found = asm_label(p), done = asm_label(p), slot = v;

	var_lookup(g, map, kslot);
	asm_jmp(p, BPF_JNE, BPF_REG_0, -1, 0, found);
	if (slot < 0) {
		slot = gen_tmp(g, 8);
		asm_st(p, BPF_DW, BPF_REG_9, (int16_t)slot, c);
	}
	asm_ldmap(p, BPF_REG_1, map);
	asm_escape(p, kslot, (int)gen_map_key(map));
	asm_mov(p, BPF_REG_2, BPF_REG_9);
	asm_alui(p, BPF_ADD, BPF_REG_2, kslot);
	asm_escape(p, slot, 8);
	asm_mov(p, BPF_REG_3, BPF_REG_9);
	asm_alui(p, BPF_ADD, BPF_REG_3, slot);
	asm_movi(p, BPF_REG_4, BPF_NOEXIST);
	asm_call(p, BPF_FUNC_map_update_elem);
	asm_jmp(p, BPF_JEQ, BPF_REG_0, -1, 0, done);
	var_lookup(g, map, kslot);
	asm_jmp(p, BPF_JNE, BPF_REG_0, -1, 0, found);
	gen_throw(g, loc, overflow_msg(g, map), -1);
	asm_bind(p, found);
	if (v >= 0)
		gen_load(g, BPF_REG_1, v);
	else
		asm_movi(p, BPF_REG_1, c);
	asm_emit(p, (struct bpf_insn){ .code = BPF_STX | BPF_ATOMIC | BPF_DW,
	    .dst_reg = BPF_REG_0, .src_reg = BPF_REG_1, .imm = BPF_ADD });
	asm_bind(p, done);
}

/* Buckets of histogram h, an @hist_log or @hist_linear node: stap's */
int
hist_buckets(const struct node *h)
{
	const struct node *a = h->args;

	if (!strcmp(h->str, "@hist_log"))
		return HIST_LOG_BUCKETS;
	if (!a || !a->next || !a->next->next)
		return 0;
	return stap_hist_nbuckets(HIST_LINEAR, a->num, a->next->num,
	    a->next->next->num);
}

/*
 * r1 = the bucket of the value in r2 (kept), as stap's runtime picks
 * it: log, 64 for 0, 65 + the top bit's number above it, 63 - that
 * below; linear, 0 below the start, then one an interval, the last
 * for what is left over.  Clamped, which also bounds it for the
 * verifier.
 */
static void
hist_bucket(struct gen *g, const struct node *h)
{
	struct prog *p = g->p;
	int nb = hist_buckets(h), done = asm_label(p), clamp = asm_label(p);

	if (!strcmp(h->str, "@hist_log")) {
		int neg = asm_label(p), msb = asm_label(p), sh;

		asm_movi(p, BPF_REG_1, 64);
		asm_jmp(p, BPF_JEQ, BPF_REG_2, -1, 0, clamp);
		asm_mov(p, BPF_REG_3, BPF_REG_2);
		asm_movi(p, BPF_REG_0, 0);
		asm_jmp(p, BPF_JSGE, BPF_REG_2, -1, 0, msb);
		asm_alui(p, BPF_NEG, BPF_REG_3, 0);
		asm_movi(p, BPF_REG_0, 1);
		/* r4 = the number of r3's top bit */
		asm_bind(p, msb);
		asm_movi(p, BPF_REG_4, 0);
		for (sh = 32; sh; sh /= 2) {
			int skip = asm_label(p);

			asm_mov(p, BPF_REG_5, BPF_REG_3);
			asm_alui(p, BPF_RSH, BPF_REG_5, sh);
			asm_jmp(p, BPF_JEQ, BPF_REG_5, -1, 0, skip);
			asm_mov(p, BPF_REG_3, BPF_REG_5);
			asm_alui(p, BPF_ADD, BPF_REG_4, sh);
			asm_bind(p, skip);
		}
		asm_jmp(p, BPF_JNE, BPF_REG_0, -1, 0, neg);
		asm_movi(p, BPF_REG_1, 65);
		asm_alu(p, BPF_ADD, BPF_REG_1, BPF_REG_4);
		asm_ja(p, clamp);
		asm_bind(p, neg);
		asm_movi(p, BPF_REG_1, 63);
		asm_alu(p, BPF_SUB, BPF_REG_1, BPF_REG_4);
	} else {
		asm_ld64(p, BPF_REG_3, h->args->num);
		asm_mov(p, BPF_REG_1, BPF_REG_2);
		asm_alu(p, BPF_SUB, BPF_REG_1, BPF_REG_3);
		asm_jmp(p, BPF_JSGE, BPF_REG_1, -1, 0, done);
		asm_movi(p, BPF_REG_1, 0);
		asm_ja(p, clamp);
		asm_bind(p, done);
		done = asm_label(p);
		asm_ld64(p, BPF_REG_3, h->args->next->next->num);
		asm_alu(p, BPF_DIV, BPF_REG_1, BPF_REG_3);
		asm_alui(p, BPF_ADD, BPF_REG_1, 1);
	}
	asm_bind(p, clamp);
	asm_jmp(p, BPF_JLT, BPF_REG_1, -1, nb - 1, done);
	asm_movi(p, BPF_REG_1, nb - 1);
	asm_bind(p, done);
}

/*
 * x <<< v: count and sum atomically, min and max as best we can, and
 * the histogram's bucket if it has one.  A new array element goes in
 * empty (count 0), only if no other CPU's got there first.
 */
void
var_stat_add(struct gen *g, struct node *lv, int vslot)
{
	struct prog *p = g->p;
	int have = asm_label(p), nomin = asm_label(p), nomax = asm_label(p);
	struct node *id = lv->kind == N_IDENT ? lv : lv->l;
	const struct node *h = id->num >= 0 && id->num < g->nglobals ?
	    g->hist[id->num] : NULL;
	int var = id->num >= 0 && id->num < g->nglobals && g->var[id->num];

	if (lv->kind == N_IDENT) {
		asm_mov(p, BPF_REG_7, BPF_REG_8);
		asm_alui(p, BPF_ADD, BPF_REG_7, g->goff[lv->num]);
	} else {
		struct node *v = var_global_var(g, lv->l);
		var_elem(g, g->gmap[lv->l->num], var_key(g, v, lv->args),
		    g->stsize,
		    lv->loc);
		asm_mov(p, BPF_REG_7, BPF_REG_0);
	}
	/* count 0 means empty: min and max start fresh */
	asm_ldx(p, BPF_DW, BPF_REG_1, BPF_REG_7, 0);
	asm_jmp(p, BPF_JNE, BPF_REG_1, -1, 0, have);
	gen_load(g, BPF_REG_1, vslot);
	asm_stx(p, BPF_DW, BPF_REG_7, 16, BPF_REG_1);
	asm_stx(p, BPF_DW, BPF_REG_7, 24, BPF_REG_1);
	if (var)
		asm_stx(p, BPF_DW, BPF_REG_7, g->stvar, BPF_REG_1);
	asm_bind(p, have);
	gen_load(g, BPF_REG_2, vslot);
	asm_movi(p, BPF_REG_1, 1);
	asm_emit(p, (struct bpf_insn){ .code = BPF_STX | BPF_ATOMIC | BPF_DW,
	    .dst_reg = BPF_REG_7, .src_reg = BPF_REG_1, .off = 0,
	    .imm = BPF_ADD });
	asm_emit(p, (struct bpf_insn){ .code = BPF_STX | BPF_ATOMIC | BPF_DW,
	    .dst_reg = BPF_REG_7, .src_reg = BPF_REG_2, .off = 8,
	    .imm = BPF_ADD });
	asm_ldx(p, BPF_DW, BPF_REG_3, BPF_REG_7, 16);
	asm_jmp(p, BPF_JSGE, BPF_REG_2, BPF_REG_3, 0, nomin);
	asm_stx(p, BPF_DW, BPF_REG_7, 16, BPF_REG_2);
	asm_bind(p, nomin);
	asm_ldx(p, BPF_DW, BPF_REG_3, BPF_REG_7, 24);
	asm_jmp(p, BPF_JSLE, BPF_REG_2, BPF_REG_3, 0, nomax);
	asm_stx(p, BPF_DW, BPF_REG_7, 24, BPF_REG_2);
	asm_bind(p, nomax);
	if (h && hist_buckets(h) > 0) {
		hist_bucket(g, h);
		asm_alui(p, BPF_LSH, BPF_REG_1, 3);
		asm_alu(p, BPF_ADD, BPF_REG_1, BPF_REG_7);
		asm_movi(p, BPF_REG_2, 1);
		asm_emit(p, (struct bpf_insn){ .code = BPF_STX | BPF_ATOMIC |
		    BPF_DW, .dst_reg = BPF_REG_1, .src_reg = BPF_REG_2,
		    .off = 32, .imm = BPF_ADD });
	}
	if (var) {
		/* the squares about the first value, atomically: what
		 * var_variance needs, without stap's per-CPU copies */
		gen_load(g, BPF_REG_2, vslot);
		asm_ldx(p, BPF_DW, BPF_REG_3, BPF_REG_7, g->stvar);
		asm_alu(p, BPF_SUB, BPF_REG_2, BPF_REG_3);
		asm_alu(p, BPF_MUL, BPF_REG_2, BPF_REG_2);
		asm_emit(p, (struct bpf_insn){ .code = BPF_STX | BPF_ATOMIC |
		    BPF_DW, .dst_reg = BPF_REG_7, .src_reg = BPF_REG_2,
		    .off = (int16_t)(g->stvar + 8), .imm = BPF_ADD });
	}
}

/*
 * @variance(s[, shift]) of n values v, from sum, K (the first value) and
 * Q = sum of (v - K)^2: with S = sum - n*K, the sample variance is
 * (Q - S*S/n) / (n - 1).  Computed as S = m*n + r: Q - m*S - m*r -
 * r*r/n, so no product is much larger than Q; floor((Q*n - S*S) /
 * (n*(n-1))) exactly, which stap's bit shift only approaches.  r2 =
 * the count, not 0; the variance of one value is 0, as stap's.
 */
static void
var_variance(struct gen *g, int slot)
{
	struct prog *p = g->p;
	int one = asm_label(p), done = asm_label(p);

	asm_jmp(p, BPF_JEQ, BPF_REG_1, -1, 1, one);
	gen_load(g, BPF_REG_2, slot + 8);
	gen_load(g, BPF_REG_3, slot + g->stvar);
	asm_alu(p, BPF_MUL, BPF_REG_3, BPF_REG_1);
	asm_alu(p, BPF_SUB, BPF_REG_2, BPF_REG_3);         /* S */
	asm_mov(p, BPF_REG_3, BPF_REG_2);
	asm_mov(p, BPF_REG_0, BPF_REG_1);
	asm_sdiv(p, BPF_DIV, BPF_REG_3, BPF_REG_0, BPF_REG_4, BPF_REG_5);
	asm_mov(p, BPF_REG_4, BPF_REG_3);                  /* m */
	asm_alu(p, BPF_MUL, BPF_REG_4, BPF_REG_1);
	asm_alu(p, BPF_SUB, BPF_REG_4, BPF_REG_2);
	asm_alui(p, BPF_MUL, BPF_REG_4, -1);               /* r */
	gen_load(g, BPF_REG_5, slot + g->stvar + 8);       /* Q */
	asm_alu(p, BPF_MUL, BPF_REG_2, BPF_REG_3);
	asm_alu(p, BPF_SUB, BPF_REG_5, BPF_REG_2);
	asm_alu(p, BPF_MUL, BPF_REG_3, BPF_REG_4);
	asm_alu(p, BPF_SUB, BPF_REG_5, BPF_REG_3);
	/* less ceil(r*r / n) */
	asm_alu(p, BPF_MUL, BPF_REG_4, BPF_REG_4);
	asm_alu(p, BPF_ADD, BPF_REG_4, BPF_REG_1);
	asm_alui(p, BPF_SUB, BPF_REG_4, 1);
	asm_alu(p, BPF_DIV, BPF_REG_4, BPF_REG_1);
	asm_alu(p, BPF_SUB, BPF_REG_5, BPF_REG_4);
	asm_alui(p, BPF_SUB, BPF_REG_1, 1);
	asm_sdiv(p, BPF_DIV, BPF_REG_5, BPF_REG_1, BPF_REG_3, BPF_REG_4);
	asm_mov(p, BPF_REG_2, BPF_REG_5);
	asm_ja(p, done);
	asm_bind(p, one);
	asm_movi(p, BPF_REG_2, 0);
	asm_bind(p, done);
}

int
var_stat_get(struct gen *g, struct node *n)
{
	struct node *lv = n->l;
	int slot = var_read_var(g, lv), res = gen_tmp(g, 8);
	struct prog *p = g->p;
	int empty = asm_label(p), done = asm_label(p);

	gen_load(g, BPF_REG_1, slot);       /* count */
	if (!strcmp(n->str, "@count")) {
		gen_store(g, res, BPF_REG_1);
		return res;
	}
	if (!strcmp(n->str, "@sum")) {
		gen_load(g, BPF_REG_1, slot + 8);
		gen_store(g, res, BPF_REG_1);
		return res;
	}
	asm_jmp(p, BPF_JEQ, BPF_REG_1, -1, 0, empty);
	if (!strcmp(n->str, "@min") || !strcmp(n->str, "@max")) {
		gen_load(g, BPF_REG_2, slot + (n->str[2] == 'i' ? 16 : 24));
	} else if (!strcmp(n->str, "@avg")) {
		gen_load(g, BPF_REG_2, slot + 8);
		asm_sdiv(p, BPF_DIV, BPF_REG_2, BPF_REG_1, BPF_REG_3,
		    BPF_REG_4);
	} else if (!strcmp(n->str, "@variance")) {
		/* the shift only scales stap's arithmetic: checked, as
		 * stap does, and not needed here */
		if (n->args && (n->args->num < 0 || n->args->num > 62))
			diag_error(n->args->loc, "bit shift (%lld) out of "
			    "range <0..62>", (long long)n->args->num);
		var_variance(g, slot);
	} else {
		fatal("%s is not supported by stap-bpf yet", n->str);
	}
	gen_store(g, res, BPF_REG_2);
	asm_ja(p, done);
	asm_bind(p, empty);
	gen_throw(g, n->loc, "empty aggregate", -1);
	asm_bind(p, done);
	return res;
}

/*
 * r0 = a ring buffer record of size bytes, its kind and id filled in;
 * returns the label record_end() binds to count it lost when the
 * buffer has no room
 */
int
var_record_begin(struct gen *g, int size, int kind, int id)
{
	struct prog *p = g->p;
	int lost = asm_label(p);

	asm_ldmap(p, BPF_REG_1, g->m_events);
	asm_movi(p, BPF_REG_2, size);
	asm_movi(p, BPF_REG_3, 0);
	asm_call(p, BPF_FUNC_ringbuf_reserve);
	asm_jmp(p, BPF_JEQ, BPF_REG_0, -1, 0, lost);
	asm_st(p, BPF_W, BPF_REG_0, 0, kind);
	asm_st(p, BPF_W, BPF_REG_0, 4, id);
	return lost;
}

void
var_record_end(struct gen *g, int lost)
{
	struct prog *p = g->p;
	int done = asm_label(p);

	asm_mov(p, BPF_REG_1, BPF_REG_0);
	asm_movi(p, BPF_REG_2, 0);
	asm_call(p, BPF_FUNC_ringbuf_submit);
	asm_ja(p, done);
	asm_bind(p, lost);
	gen_ctl_ptr(g, BPF_REG_1);
	asm_movi(p, BPF_REG_2, 1);
	asm_emit(p, (struct bpf_insn){ .code = BPF_STX | BPF_ATOMIC | BPF_DW,
	    .dst_reg = BPF_REG_1, .src_reg = BPF_REG_2, .off = CTL_LOST,
	    .imm = BPF_ADD });
	asm_bind(p, done);
}

/* @hist_log(s)[i]: bucket i, or stap's runtime errors */
int
var_hist_index(struct gen *g, struct node *n)
{
	struct prog *p = g->p;
	struct node *h = n->l;
	int slot = var_read_var(g, h->l), i = expr(g, n->args), res = gen_tmp(g,
	    8);
	int nb = hist_buckets(h), ok = asm_label(p), in = asm_label(p);

	gen_load(g, BPF_REG_1, slot);
	asm_jmp(p, BPF_JNE, BPF_REG_1, -1, 0, ok);
	gen_throw(g, n->loc, "empty aggregate", -1);
	asm_bind(p, ok);
	gen_load(g, BPF_REG_1, i);
	asm_jmp(p, BPF_JLT, BPF_REG_1, -1, nb, in);
	gen_throw(g, n->loc, "histogram index out of range", -1);
	asm_bind(p, in);
	asm_alui(p, BPF_LSH, BPF_REG_1, 3);
	asm_alu(p, BPF_ADD, BPF_REG_1, BPF_REG_9);
	asm_ldx(p, BPF_DW, BPF_REG_1, BPF_REG_1, (int16_t)(slot + 32));
	gen_store(g, res, BPF_REG_1);
	return res;
}

/*
 * print(@hist_log(s)): a HIST record, the "hist" record's id then the
 * statistic (count, sum, min, max, buckets) for stap-bpfld to draw
 */
void
var_hist_print(struct gen *g, struct node *h)
{
	struct prog *p = g->p;
	int slot = var_read_var(g, h->l), nb = hist_buckets(h);
	int ok = asm_label(p), lost, id = (int)g->nhistrecs;

	g->histrecs = vgrow(g->histrecs, &g->caphistrecs, g->nhistrecs + 1,
	    sizeof *g->histrecs);
	g->histrecs[g->nhistrecs++] = h;
	gen_load(g, BPF_REG_1, slot);
	asm_jmp(p, BPF_JNE, BPF_REG_1, -1, 0, ok);
	gen_throw(g, h->loc, "empty aggregate", -1);
	asm_bind(p, ok);
	lost = var_record_begin(g, 8 + 32 + 8 * nb, REC_HIST, id);
	gen_copy(g, BPF_REG_0, 8, BPF_REG_9, slot, 32 + 8 * nb);
	var_record_end(g, lost);
}
