/*
 * stap-bpfgen, loops: while and for, array slices (arr[*, k]), foreach over
 * a map, sorted or not, and over a @hist (see gen.c).
 */
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "regex.h"

/* ---- statements ---- */

/* One more loop iteration: stop runaway loops as stap's MAXACTION does. */
void
loop_action(struct gen *g, struct loc loc)
{
	int ok = asm_label(g->p);

	gen_load(g, BPF_REG_1, SC_ACTIONS);
	asm_alui(g->p, BPF_ADD, BPF_REG_1, 1);
	gen_store(g, SC_ACTIONS, BPF_REG_1);
	asm_jmp(g->p, BPF_JSLE, BPF_REG_1, -1, g->maxaction, ok);
	gen_throw(g, loc, "MAXACTION exceeded", -1);
	asm_bind(g->p, ok);
}

void
loop(struct gen *g, struct node *cond, struct node *body, struct node *step,
    struct loc loc)
{
	struct prog *p = g->p, *cb = NULL;
	struct loopctx lc;
	int head = -1, mark = g->top, c, ended = -1;

	if (p->section) {
		/* bpf_loop(BPF_MAX_LOOPS, cb, frame, 0); MAXACTION ends it
		 * sooner, unless it is bigger: then a loop bpf_loop cut short
		 * is that error too (ended, a slot, says it ended itself) */
		if (g->maxaction >= 1 << 23) {
			ended = gen_tmp(g, 8);
			asm_st(p, BPF_DW, BPF_REG_9, (int16_t)ended, 0);
		}
		mark = g->top;
		cb = gen_callback(g, BPF_REG_2, loc);
	} else {
		/* the interpreter: a backward jump */
		head = asm_label(p);
		asm_bind(p, head);
	}
	lc.brk = gen_here(g);
	lc.cont = gen_here(g);
	lc.up = gen_loops;
	loop_action(g, loc);
	if (cond) {
		c = expr(g, cond);
		gen_load(g, BPF_REG_1, c);
		asm_jmp(g->p, BPF_JEQ, BPF_REG_1, -1, 0, lc.brk.label);
	}
	g->top = mark;
	gen_loops = &lc;
	stmt(g, body);
	gen_loops = lc.up;
	asm_bind(g->p, lc.cont.label);
	if (step)
		expr_val(g, step);
	if (!cb) {
		g->top = mark;
		asm_ja(p, head);
		asm_bind(p, lc.brk.label);
		return;
	}
	gen_cb_return(cb, 0);
	asm_bind(cb, lc.brk.label);
	if (ended >= 0)
		asm_st(cb, BPF_DW, BPF_REG_9, (int16_t)ended, 1);
	gen_cb_return(cb, 1);
	g->top = mark;
	g->p = p;
	asm_ld64(p, BPF_REG_1, 1 << 23);
	gen_frame_args(g);
	gen_call_back(g, cb, BPF_FUNC_loop);
	if (ended >= 0) {
		int ok = asm_label(p);

		gen_load(g, BPF_REG_1, ended);
		asm_jmp(p, BPF_JNE, BPF_REG_1, -1, 0, ok);
		gen_throw(g, loc, "MAXACTION exceeded", -1);
		asm_bind(p, ok);
	}
}

/*
 * The interpreter's walk of a map: start (sorted by spec, lim elements
 * at most; lim < 0: all of them) into slot it, or to end; next, the
 * element's key into ks and value into vs, or to end
 */
static void
user_walk(struct gen *g, int map, int64_t spec, int lim, int it, int end)
{
	asm_ldmap(g->p, BPF_REG_1, map);
	asm_ld64(g->p, BPF_REG_2, spec);
	if (lim >= 0)
		gen_load(g, BPF_REG_3, lim);
	else
		asm_ld64(g->p, BPF_REG_3, INT64_MAX);
	asm_call(g->p, UHELPER_FOREACH_START);
	gen_store(g, it, BPF_REG_0);
	asm_jmp(g->p, BPF_JEQ, BPF_REG_0, -1, 0, end);
}

static void
user_next(struct gen *g, int it, int ks, int vs, int end)
{
	gen_load(g, BPF_REG_1, it);
	asm_escape(g->p, ks, 30000 - ks);
	asm_mov(g->p, BPF_REG_2, BPF_REG_9);
	asm_alui(g->p, BPF_ADD, BPF_REG_2, ks);
	asm_escape(g->p, vs, 30000 - vs);
	asm_mov(g->p, BPF_REG_3, BPF_REG_9);
	asm_alui(g->p, BPF_ADD, BPF_REG_3, vs);
	asm_call(g->p, UHELPER_FOREACH_NEXT);
	asm_jmp(g->p, BPF_JEQ, BPF_REG_0, -1, 0, end);
}

/* ---- array slices: arr[*, k] ---- */

int
loop_is_slice(struct node *args)
{
	for (; args; args = args->next)
		if (args->kind == N_ANY)
			return 1;
	return 0;
}

/* The values a slice fixes, evaluated once; -1 for each '*' */
int *
loop_slice_values(struct gen *g, struct node *args)
{
	int *sl = arena_alloc(sizeof *sl * (node_count(args) + 1)), i = 0;

	for (; args; args = args->next)
		sl[i++] = args->kind == N_ANY ? -1 : expr(g, args);
	return sl;
}

/* To miss unless the packed key at ks has slice sl's values */
static void
slice_test(struct gen *g, struct node *v, const int *sl, int ks, int miss)
{
	struct node *k;
	int off = 0, i = 0;

	for (k = v->keys; k; k = k->next, i++) {
		if (sl[i] >= 0 && k->type == T_STRING) {
			gen_load(g, BPF_REG_1, str_compare(g, ks + off, sl[i]));
			asm_jmp(g->p, BPF_JNE, BPF_REG_1, -1, 0, miss);
		} else if (sl[i] >= 0) {
			gen_load(g, BPF_REG_1, ks + off);
			gen_load(g, BPF_REG_2, sl[i]);
			asm_jmp(g->p, BPF_JNE, BPF_REG_1, BPF_REG_2, 0, miss);
		}
		off += gen_sizeof_type(g, k->type);
	}
}

static int
key_size(struct gen *g, struct node *v)
{
	struct node *k;
	int n = 0;

	for (k = v->keys; k; k = k->next)
		n += gen_sizeof_type(g, k->type);
	return n;
}

/*
 * Every element of array v whose key matches slice sl, key at ks: for
 * '[k, *] in a' (set res, stop) or 'delete a[k, *]' (delete it).  The
 * kernel walks with bpf_for_each_map_elem, the interpreter with its
 * foreach helpers (a snapshot, so deleting as it goes is safe).
 */
void
loop_slice_walk(struct gen *g, struct node *v, int map, const int *sl, int res,
    struct loc loc)
{
	struct prog *p = g->p, *cb;
	int ks = gen_tmp(g, key_size(g, v)), vs = gen_tmp(g, gen_sizeof_type(g,
	    v->type));
	int miss, stop, head, it;

	if (p->section) {
		cb = gen_callback(g, BPF_REG_4, loc);
		gen_copy(g, BPF_REG_9, ks, BPF_REG_2, 0, key_size(g, v));
		miss = asm_label(cb);
		slice_test(g, v, sl, ks, miss);
		if (res >= 0) {
			asm_st(cb, BPF_DW, BPF_REG_9, (int16_t)res, 1);
			gen_cb_return(cb, 1);
		} else {
			var_map_key_call(g, BPF_FUNC_map_delete_elem, map, ks);
		}
		asm_bind(cb, miss);
		gen_cb_return(cb, 0);
		gen_call_each(g, cb, map);
		return;
	}
	it = gen_tmp(g, 8);
	stop = asm_label(p);
	head = asm_label(p);
	user_walk(g, map, 0, -1, it, stop);
	asm_bind(p, head);
	user_next(g, it, ks, vs, stop);
	slice_test(g, v, sl, ks, head);
	if (res >= 0) {
		asm_st(p, BPF_DW, BPF_REG_9, (int16_t)res, 1);
		asm_ja(p, stop);
	} else {
		var_map_key_call(g, BPF_FUNC_map_delete_elem, map, ks);
		asm_ja(p, head);
	}
	asm_bind(p, stop);
}

/* The keys and the value of one element, from ks and vs, to the loop's
 * variables */
static void
foreach_vars(struct gen *g, struct node *n, int ks, int vs)
{
	struct node *k;
	int off = 0;

	for (k = n->keys; k; k = k->next) {
		var_write_var(g, k, ks + off);
		off += gen_sizeof_type(g, k->type);
	}
	if (n->value)
		var_write_var(g, n->value, vs);
}

/* To brk once slot count has reached slot lim's value, else one more */
static void
limit_count(struct gen *g, int count, int lim, int brk)
{
	gen_load(g, BPF_REG_1, count);
	gen_load(g, BPF_REG_2, lim);
	asm_jmp(g->p, BPF_JSGE, BPF_REG_1, BPF_REG_2, 0, brk);
	asm_alui(g->p, BPF_ADD, BPF_REG_1, 1);
	gen_store(g, count, BPF_REG_1);
}

/*
 * The body of a foreach in its callback, the element's key at ks and
 * value at vs: an action, the loop's variables, the statements; the
 * callback returns 0 to go on (continue) or 1 to stop (break)
 */
static void
foreach_body(struct gen *g, struct node *n, struct loopctx *lc, int ks,
    int vs)
{
	struct prog *cb = g->p;

	loop_action(g, n->loc);
	foreach_vars(g, n, ks, vs);
	gen_loops = lc;
	stmt(g, n->body);
	gen_loops = lc->up;
	asm_bind(cb, lc->cont.label);
	gen_cb_return(cb, 0);
	asm_bind(cb, lc->brk.label);
	gen_cb_return(cb, 1);
}

/*
 * foreach in a kernel probe, unsorted: bpf_for_each_map_elem, whose
 * callback gets the map, the key, the value and our frame
 */
static void
foreach_kernel(struct gen *g, struct node *n, struct node *v, int map,
    const int *sl, int ks, int vs, int lim)
{
	struct prog *p = g->p, *cb;
	struct loopctx lc;
	int count = -1, ksize = 0, mark = g->top;
	struct node *k;

	for (k = v->keys; k; k = k->next)
		ksize += gen_sizeof_type(g, k->type);
	if (n->limit) {
		count = gen_tmp(g, 8);
		asm_st(p, BPF_DW, BPF_REG_9, (int16_t)count, 0);
	}
	mark = g->top;
	cb = gen_callback(g, BPF_REG_4, n->loc);
	gen_copy(g, BPF_REG_9, ks, BPF_REG_2, 0, ksize);
	gen_copy(g, BPF_REG_9, vs, BPF_REG_3, 0, gen_sizeof_type(g, v->type));
	lc.brk = gen_here(g);
	lc.cont = gen_here(g);
	lc.up = gen_loops;
	if (sl)
		slice_test(g, v, sl, ks, lc.cont.label);
	if (count >= 0)
		limit_count(g, count, lim, lc.brk.label);
	foreach_body(g, n, &lc, ks, vs);
	g->top = mark;
	gen_call_each(g, cb, map);
}

/*
 * A sorted foreach in a kernel probe.  A callback of
 * bpf_for_each_map_elem copies every element into a per-CPU array of
 * records, [key][value], and numbers it in a second one, the heap;
 * the heap is built with a bpf_loop, and the loop pops its top once
 * an iteration: O(n + k log n) for k iterations, so a limit makes a
 * top ten cheap.  An element comes out before another when its sort
 * column does, then when it was copied first (as the interpreter's
 * sort: ties in the map's order).
 */
struct sortctx {
	int rmap, hmap;         /* the records and the heap */
	int ksize, vsize;
	int off;                /* of the sort column in a record */
	int str, avg, desc;
	/* scratch slots */
	int n, size, i, b, r, x, y, top;
};

/* r0 = &map[scratch[slot]], a u32 index; or to fail */
static void
lookup_at(struct gen *g, int map, int slot, int fail)
{
	gen_load(g, BPF_REG_1, slot);
	asm_stx(g->p, BPF_W, BPF_REG_10, SK_TMP, BPF_REG_1);
	asm_ldmap(g->p, BPF_REG_1, map);
	asm_mov(g->p, BPF_REG_2, BPF_REG_10);
	asm_alui(g->p, BPF_ADD, BPF_REG_2, SK_TMP);
	asm_call(g->p, BPF_FUNC_map_lookup_elem);
	asm_jmp(g->p, BPF_JEQ, BPF_REG_0, -1, 0, fail);
}

/* r<reg> = the sort column of the record at r<rec>, a number */
static void
sort_number(struct gen *g, struct sortctx *sc, int reg, int rec)
{
	struct prog *p = g->p;
	int zero = asm_label(p), done = asm_label(p);

	if (!sc->avg) {
		asm_ldx(p, BPF_DW, reg, rec, (int16_t)sc->off);
		return;
	}
	asm_ldx(p, BPF_DW, BPF_REG_3, rec, (int16_t)sc->off);
	asm_jmp(p, BPF_JEQ, BPF_REG_3, -1, 0, zero);
	asm_ldx(p, BPF_DW, reg, rec, (int16_t)(sc->off + 8));
	asm_sdiv(p, BPF_DIV, reg, BPF_REG_3, BPF_REG_4, BPF_REG_5);
	asm_ja(p, done);
	asm_bind(p, zero);
	asm_movi(p, reg, 0);
	asm_bind(p, done);
}

/*
 * To yes if the element at heap position xs comes out before the one
 * at ys, else to no.  Only sort callbacks run this: r6 and r7 are free.
 */
static void
sort_before(struct gen *g, struct sortctx *sc, int xs, int ys, int yes,
    int no)
{
	struct prog *p = g->p;
	int tie = asm_label(p);

	lookup_at(g, sc->hmap, xs, no);
	asm_ldx(p, BPF_DW, BPF_REG_1, BPF_REG_0, 0);
	gen_store(g, sc->x, BPF_REG_1);
	lookup_at(g, sc->hmap, ys, no);
	asm_ldx(p, BPF_DW, BPF_REG_1, BPF_REG_0, 0);
	gen_store(g, sc->y, BPF_REG_1);
	lookup_at(g, sc->rmap, sc->x, no);
	asm_mov(p, BPF_REG_6, BPF_REG_0);
	lookup_at(g, sc->rmap, sc->y, no);
	asm_mov(p, BPF_REG_7, BPF_REG_0);
	if (sc->str) {
		int loop = asm_label(p), differ = asm_label(p);

		asm_movi(p, BPF_REG_3, 0);
		asm_bind(p, loop);
		asm_mov(p, BPF_REG_4, BPF_REG_6);
		asm_alu(p, BPF_ADD, BPF_REG_4, BPF_REG_3);
		asm_ldx(p, BPF_B, BPF_REG_1, BPF_REG_4, (int16_t)sc->off);
		asm_mov(p, BPF_REG_5, BPF_REG_7);
		asm_alu(p, BPF_ADD, BPF_REG_5, BPF_REG_3);
		asm_ldx(p, BPF_B, BPF_REG_2, BPF_REG_5, (int16_t)sc->off);
		asm_jmp(p, BPF_JNE, BPF_REG_1, BPF_REG_2, 0, differ);
		asm_jmp(p, BPF_JEQ, BPF_REG_1, -1, 0, tie);
		asm_alui(p, BPF_ADD, BPF_REG_3, 1);
		asm_jmp(p, BPF_JLT, BPF_REG_3, -1, g->maxstr, loop);
		asm_ja(p, tie);
		asm_bind(p, differ);
		asm_jmp(p, sc->desc ? BPF_JGT : BPF_JLT, BPF_REG_1, BPF_REG_2,
		    0, yes);
		asm_ja(p, no);
	} else {
		sort_number(g, sc, BPF_REG_1, BPF_REG_6);
		sort_number(g, sc, BPF_REG_2, BPF_REG_7);
		asm_jmp(p, sc->desc ? BPF_JSGT : BPF_JSLT, BPF_REG_1,
		    BPF_REG_2, 0, yes);
		asm_jmp(p, sc->desc ? BPF_JSLT : BPF_JSGT, BPF_REG_1,
		    BPF_REG_2, 0, no);
	}
	asm_bind(p, tie);
	gen_load(g, BPF_REG_1, sc->x);
	gen_load(g, BPF_REG_2, sc->y);
	asm_jmp(p, BPF_JLT, BPF_REG_1, BPF_REG_2, 0, yes);
	asm_ja(p, no);
}

/* The callback that moves the element at heap position i down to its
 * place, a level an iteration */
static struct prog *
sort_sift(struct gen *g, struct sortctx *sc, struct loc loc)
{
	struct prog *up = g->p, *cb = gen_callback(g, BPF_REG_2, loc);
	int stop = asm_label(cb), right = asm_label(cb), cmp = asm_label(cb);
	int swap = asm_label(cb);

	gen_load(g, BPF_REG_1, sc->i);
	asm_alui(cb, BPF_LSH, BPF_REG_1, 1);
	asm_alui(cb, BPF_ADD, BPF_REG_1, 1);
	gen_store(g, sc->b, BPF_REG_1);
	gen_load(g, BPF_REG_2, sc->size);
	asm_jmp(cb, BPF_JGE, BPF_REG_1, BPF_REG_2, 0, stop);
	asm_alui(cb, BPF_ADD, BPF_REG_1, 1);
	gen_store(g, sc->r, BPF_REG_1);
	asm_jmp(cb, BPF_JGE, BPF_REG_1, BPF_REG_2, 0, cmp);
	sort_before(g, sc, sc->r, sc->b, right, cmp);
	asm_bind(cb, right);
	gen_load(g, BPF_REG_1, sc->r);
	gen_store(g, sc->b, BPF_REG_1);
	asm_bind(cb, cmp);
	sort_before(g, sc, sc->b, sc->i, swap, stop);
	asm_bind(cb, swap);
	lookup_at(g, sc->hmap, sc->b, stop);
	asm_mov(cb, BPF_REG_6, BPF_REG_0);
	lookup_at(g, sc->hmap, sc->i, stop);
	asm_ldx(cb, BPF_DW, BPF_REG_1, BPF_REG_6, 0);
	asm_ldx(cb, BPF_DW, BPF_REG_2, BPF_REG_0, 0);
	asm_stx(cb, BPF_DW, BPF_REG_6, 0, BPF_REG_2);
	asm_stx(cb, BPF_DW, BPF_REG_0, 0, BPF_REG_1);
	gen_load(g, BPF_REG_1, sc->b);
	gen_store(g, sc->i, BPF_REG_1);
	gen_cb_return(cb, 0);
	asm_bind(cb, stop);
	gen_cb_return(cb, 1);
	g->p = up;
	if (asm_finish(cb) < 0)
		bug("sort callback too big");
	return cb;
}

/* bpf_loop(64, sift): the heap is never deeper */
static void
sort_sift_call(struct gen *g, struct prog *sift)
{
	asm_movi(g->p, BPF_REG_1, 64);
	gen_frame_args(g);
	gen_invoke(g, sift, BPF_FUNC_loop);
}

static void
foreach_sorted(struct gen *g, struct node *n, struct node *v, int map,
    const int *sl, int ks, int vs, int lim)
{
	struct prog *p = g->p, *cb, *sift;
	struct sortctx sc;
	struct loopctx lc;
	struct node *k;
	char *name;
	int col = (int)n->num, i, mark, done = asm_label(p);
	unsigned max = gen_map_max(map);

	memset(&sc, 0, sizeof sc);
	for (k = v->keys, i = 1; k; k = k->next, i++) {
		if (i == col) {
			sc.off = sc.ksize;
			sc.str = k->type == T_STRING;
		}
		sc.ksize += gen_sizeof_type(g, k->type);
	}
	sc.vsize = gen_sizeof_type(g, v->type);
	if (col == 0) {
		sc.off = sc.ksize;
		sc.str = v->type == T_STRING;
		if (v->type == T_STATS && n->str) {
			sc.off += !strcmp(n->str, "@sum") ? 8 :
			    !strcmp(n->str, "@min") ? 16 :
			    !strcmp(n->str, "@max") ? 24 : 0;
			sc.avg = !strcmp(n->str, "@avg");
		}
	}
	sc.desc = (n->flags & F_DESC) != 0;
	name = arena_alloc(32);
	snprintf(name, 32, "stap_sort%d", g->nsorts);
	sc.rmap = gen_map(name, BPF_MAP_TYPE_PERCPU_ARRAY, 4,
	    (unsigned)(sc.ksize + sc.vsize), max ? max : 1);
	name = arena_alloc(32);
	snprintf(name, 32, "stap_heap%d", g->nsorts++);
	sc.hmap = gen_map(name, BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8,
	    max ? max : 1);
	sc.n = gen_tmp(g, 8);
	sc.size = gen_tmp(g, 8);
	sc.i = gen_tmp(g, 8);
	sc.b = gen_tmp(g, 8);
	sc.r = gen_tmp(g, 8);
	sc.x = gen_tmp(g, 8);
	sc.y = gen_tmp(g, 8);
	sc.top = gen_tmp(g, 8);
	mark = g->top;

	/* copy: record n = the element (if the slice lets it through),
	 * heap[n] = n */
	asm_st(p, BPF_DW, BPF_REG_9, (int16_t)sc.n, 0);
	cb = gen_callback(g, BPF_REG_4, n->loc);
	{
		int stop = asm_label(cb), skip = asm_label(cb);

		gen_copy(g, BPF_REG_9, ks, BPF_REG_2, 0, sc.ksize);
		gen_copy(g, BPF_REG_9, vs, BPF_REG_3, 0, sc.vsize);
		if (sl)
			slice_test(g, v, sl, ks, skip);
		gen_load(g, BPF_REG_1, sc.n);
		asm_jmp(cb, BPF_JGE, BPF_REG_1, -1, (int32_t)max, stop);
		lookup_at(g, sc.rmap, sc.n, stop);
		asm_mov(cb, BPF_REG_7, BPF_REG_0);
		gen_copy(g, BPF_REG_7, 0, BPF_REG_9, ks, sc.ksize);
		gen_copy(g, BPF_REG_7, sc.ksize, BPF_REG_9, vs, sc.vsize);
		lookup_at(g, sc.hmap, sc.n, stop);
		gen_load(g, BPF_REG_1, sc.n);
		asm_stx(cb, BPF_DW, BPF_REG_0, 0, BPF_REG_1);
		asm_alui(cb, BPF_ADD, BPF_REG_1, 1);
		gen_store(g, sc.n, BPF_REG_1);
		asm_bind(cb, skip);
		gen_cb_return(cb, 0);
		asm_bind(cb, stop);
		gen_cb_return(cb, 1);
	}
	gen_call_each(g, cb, map);
	gen_load(g, BPF_REG_1, sc.n);
	gen_store(g, sc.size, BPF_REG_1);
	asm_jmp(p, BPF_JEQ, BPF_REG_1, -1, 0, done);

	sift = sort_sift(g, &sc, n->loc);

	/* heapify: sift i = n/2 - 1 down to 0 */
	cb = gen_callback(g, BPF_REG_2, n->loc);
	gen_load(g, BPF_REG_2, sc.size);
	asm_alui(cb, BPF_RSH, BPF_REG_2, 1);
	asm_alui(cb, BPF_SUB, BPF_REG_2, 1);
	asm_alu(cb, BPF_SUB, BPF_REG_2, BPF_REG_1);
	gen_store(g, sc.i, BPF_REG_2);
	sort_sift_call(g, sift);
	gen_cb_return(cb, 0);
	g->p = p;
	gen_load(g, BPF_REG_1, sc.size);
	asm_alui(p, BPF_RSH, BPF_REG_1, 1);
	gen_frame_args(g);
	gen_call_back(g, cb, BPF_FUNC_loop);

	/* the loop: pop the top, then the body */
	cb = gen_callback(g, BPF_REG_2, n->loc);
	lc.brk = gen_here(g);
	lc.cont = gen_here(g);
	lc.up = gen_loops;
	asm_st(cb, BPF_DW, BPF_REG_9, (int16_t)sc.i, 0);
	lookup_at(g, sc.hmap, sc.i, lc.brk.label);
	asm_ldx(cb, BPF_DW, BPF_REG_1, BPF_REG_0, 0);
	gen_store(g, sc.top, BPF_REG_1);
	gen_load(g, BPF_REG_1, sc.size);
	asm_alui(cb, BPF_SUB, BPF_REG_1, 1);
	gen_store(g, sc.size, BPF_REG_1);
	lookup_at(g, sc.hmap, sc.size, lc.brk.label);
	asm_ldx(cb, BPF_DW, BPF_REG_1, BPF_REG_0, 0);
	gen_store(g, sc.x, BPF_REG_1);
	lookup_at(g, sc.hmap, sc.i, lc.brk.label);
	gen_load(g, BPF_REG_1, sc.x);
	asm_stx(cb, BPF_DW, BPF_REG_0, 0, BPF_REG_1);
	sort_sift_call(g, sift);
	lookup_at(g, sc.rmap, sc.top, lc.brk.label);
	asm_mov(cb, BPF_REG_7, BPF_REG_0);
	gen_copy(g, BPF_REG_9, ks, BPF_REG_7, 0, sc.ksize);
	gen_copy(g, BPF_REG_9, vs, BPF_REG_7, sc.ksize, sc.vsize);
	foreach_body(g, n, &lc, ks, vs);
	g->top = mark;
	g->p = p;
	{
		int less = asm_label(p);

		gen_load(g, BPF_REG_1, sc.n);
		gen_load(g, BPF_REG_2, lim);
		asm_jmp(p, BPF_JSLE, BPF_REG_1, BPF_REG_2, 0, less);
		asm_mov(p, BPF_REG_1, BPF_REG_2);
		asm_bind(p, less);
	}
	gen_frame_args(g);
	gen_call_back(g, cb, BPF_FUNC_loop);
	asm_bind(p, done);
}

/*
 * foreach (i in @hist_log(s)): every bucket of a copy of s, as stap:
 * i its number, the value its count; the limit counts iterations
 */
static void
foreach_hist(struct gen *g, struct node *n, struct node *h)
{
	struct prog *p = g->p, *cb = NULL;
	int slot = var_read_var(g, h->l), nb = hist_buckets(h), lim = -1;
	int idx = gen_tmp(g, 8), count = gen_tmp(g, 8), val = gen_tmp(g, 8),
	    head, mark;
	struct loopctx lc;

	if (node_count(n->keys) != 1) {
		diag_error(n->loc, "a histogram's foreach has one key, the "
		    "bucket");
		return;
	}
	if (n->limit)
		lim = expr(g, n->limit);
	asm_st(p, BPF_DW, BPF_REG_9, (int16_t)count, 0);
	mark = g->top;
	if (p->section) {
		cb = gen_callback(g, BPF_REG_2, n->loc);
		gen_store(g, idx, BPF_REG_1);
		head = -1;
	} else {
		asm_st(p, BPF_DW, BPF_REG_9, (int16_t)idx, 0);
		head = asm_label(p);
		asm_bind(p, head);
	}
	lc.brk = gen_here(g);
	lc.cont = gen_here(g);
	lc.up = gen_loops;
	/* the count while the verifier still knows idx < nb */
	gen_load(g, BPF_REG_1, idx);
	asm_jmp(g->p, BPF_JGE, BPF_REG_1, -1, nb, lc.brk.label);
	asm_alui(g->p, BPF_LSH, BPF_REG_1, 3);
	asm_alu(g->p, BPF_ADD, BPF_REG_1, BPF_REG_9);
	asm_ldx(g->p, BPF_DW, BPF_REG_1, BPF_REG_1, (int16_t)(slot + 32));
	gen_store(g, val, BPF_REG_1);
	if (lim >= 0)
		limit_count(g, count, lim, lc.brk.label);
	loop_action(g, n->loc);
	foreach_vars(g, n, idx, val);
	gen_loops = &lc;
	stmt(g, n->body);
	gen_loops = lc.up;
	asm_bind(g->p, lc.cont.label);
	if (cb) {
		gen_cb_return(cb, 0);
		asm_bind(cb, lc.brk.label);
		gen_cb_return(cb, 1);
		g->p = p;
		asm_movi(p, BPF_REG_1, nb);
		gen_frame_args(g);
		gen_call_back(g, cb, BPF_FUNC_loop);
	} else {
		gen_load(g, BPF_REG_1, idx);
		asm_alui(p, BPF_ADD, BPF_REG_1, 1);
		gen_store(g, idx, BPF_REG_1);
		asm_ja(p, head);
		asm_bind(p, lc.brk.label);
	}
	g->top = mark;
}

/* foreach: the interpreter walks a map through stap-bpfld, sorted */
void
loop_foreach(struct gen *g, struct node *n)
{
	struct prog *p = g->p;
	struct node *arr = n->l, *v, *k;
	struct loopctx lc;
	int head, it, ks, vs, off, lim, mark, *sl = NULL, count = -1;
	int64_t spec;

	if (arr->kind == N_INDEX && arr->l->kind == N_IDENT) {
		/* a slice: its values once, before the loop, as stap */
		sl = loop_slice_values(g, arr->args);
		arr = arr->l;
	}
	if (arr->kind == N_STAT && !strncmp(arr->str, "@hist", 5)) {
		foreach_hist(g, n, arr);
		return;
	}
	if (arr->kind != N_IDENT) {
		diag_error(arr->loc, "foreach over what is not an array");
		return;
	}
	v = var_global_var(g, arr);
	off = 0;
	for (k = v->keys; k; k = k->next)
		off += gen_sizeof_type(g, k->type);
	ks = gen_tmp(g, off);
	vs = gen_tmp(g, gen_sizeof_type(g, v->type));
	/* stap: a limit of 0 or less visits nothing */
	lc.brk = gen_here(g);
	lim = n->limit ? expr(g, n->limit) : gen_const_slot(g, INT64_MAX);
	gen_load(g, BPF_REG_3, lim);
	asm_jmp(p, BPF_JSLE, BPF_REG_3, -1, 0, lc.brk.label);
	if (p->section) {
		int nkeys = 0;

		for (k = v->keys; k; k = k->next)
			nkeys++;
		if ((n->flags & (F_ASC | F_DESC)) && n->num <= nkeys)
			foreach_sorted(g, n, v, g->gmap[arr->num], sl, ks, vs,
			    lim);
		else
			foreach_kernel(g, n, v, g->gmap[arr->num], sl, ks, vs,
			    lim);
		asm_bind(p, lc.brk.label);
		return;
	}
	spec = n->num;
	if (n->flags & (F_ASC | F_DESC))
		spec |= 1 << 9;
	if (n->flags & F_DESC)
		spec |= 1 << 8;
	if (n->str) {
		static const char *ops[] = { "", "@count", "@sum", "@min",
		    "@max", "@avg" };
		int i;

		for (i = 1; i < 6; i++)
			if (!strcmp(n->str, ops[i]))
				spec |= (int64_t)i << 12;
	}
	it = gen_tmp(g, 8);
	lc.cont = gen_here(g);
	lc.up = gen_loops;
	head = asm_label(p);
	if (sl && n->limit) {
		/* the limit counts what the slice lets through */
		count = gen_tmp(g, 8);
		asm_st(p, BPF_DW, BPF_REG_9, (int16_t)count, 0);
	}
	user_walk(g, g->gmap[arr->num], spec, sl ? -1 : lim, it, lc.brk.label);
	mark = g->top;
	asm_bind(p, head);
	asm_bind(p, lc.cont.label);
	user_next(g, it, ks, vs, lc.brk.label);
	if (sl)
		slice_test(g, v, sl, ks, head);
	if (count >= 0)
		limit_count(g, count, lim, lc.brk.label);
	foreach_vars(g, n, ks, vs);
	gen_loops = &lc;
	stmt(g, n->body);
	gen_loops = lc.up;
	g->top = mark;
	asm_ja(p, head);
	asm_bind(p, lc.brk.label);
}
