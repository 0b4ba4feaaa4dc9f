/*
 * stap-bpfgen, statements: delete, and the statement dispatch (see gen.c).
 */
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "regex.h"

static void
delete(struct gen *g, struct node *n)
{
	struct prog *p = g->p, *cb;
	struct node *t = n->l, *v;

	if (t->kind == N_INDEX && loop_is_slice(t->args)) {
		v = var_global_var(g, t->l);
		loop_slice_walk(g, v, g->gmap[t->l->num], loop_slice_values(g,
		    t->args),
		    -1, n->loc);
		return;
	}
	if (t->kind == N_INDEX) {
		v = var_global_var(g, t->l);
		var_map_key_call(g, BPF_FUNC_map_delete_elem,
		    g->gmap[t->l->num],
		    var_key(g, v, t->args));
		return;
	}
	if (t->kind == N_IDENT && (t->flags & F_GLOBAL) &&
	    g->gmap[t->num] >= 0) {
		if (!p->section) {
			asm_ldmap(p, BPF_REG_1, g->gmap[t->num]);
			asm_call(p, UHELPER_MAP_CLEAR);
			return;
		}
		/* every element, from a callback: r1 the map, r2 the key */
		cb = gen_callback(g, -1, n->loc);
		asm_call(cb, BPF_FUNC_map_delete_elem);
		gen_cb_return(cb, 0);
		gen_call_each(g, cb, g->gmap[t->num]);
		return;
	}
	if (t->kind == N_IDENT) {
		int s = gen_tmp(g, gen_sizeof_type(g, t->flags & F_GLOBAL ?
		    var_global_var(g, t)->type : t->type));

		gen_zero(g, BPF_REG_9, s, gen_sizeof_type(g,
		    t->flags & F_GLOBAL ?
		    var_global_var(g, t)->type : t->type));
		var_write_var(g, t, s);
	}
}

void
stmt(struct gen *g, struct node *n)
{
	struct prog *p = g->p;
	int mark;

	for (; n; n = n->next) {
		mark = g->top;
		asm_line(p, n->loc);
		switch (n->kind) {
		case N_BLOCK:
			stmt(g, n->body);
			break;
		case N_EXPR:
			if (!expr_atomic_add(g, n->l))
				expr_val(g, n->l);
			break;
		case N_NULLSTMT:
			break;
		case N_IF: {
			int els = asm_label(p), done = asm_label(p);

			expr_load(g, BPF_REG_1, expr_val(g, n->cond));
			asm_jmp(p, BPF_JEQ, BPF_REG_1, -1, 0, els);
			g->top = mark;
			stmt(g, n->then);
			asm_ja(p, done);
			asm_bind(p, els);
			stmt(g, n->els);
			asm_bind(p, done);
			break;
		}
		case N_WHILE:
			loop(g, n->cond, n->body, NULL, n->loc);
			break;
		case N_FOR:
			if (n->init)
				expr_val(g, n->init);
			g->top = mark;
			loop(g, n->cond, n->body, n->step, n->loc);
			break;
		case N_FOREACH:
			loop_foreach(g, n);
			break;
		case N_BREAK:
		case N_CONTINUE:
			if (!gen_loops) {
				diag_error(n->loc, "'%s' outside a loop",
				    node_name[n->kind]);
				break;
			}
			gen_go(g, n->kind == N_BREAK ? gen_loops->brk :
			    gen_loops->cont);
			break;
		case N_NEXT:
			gen_go(g, gen_epilogue);
			break;
		case N_RETURN:
			if (n->l) {
				int v = expr(g, n->l);

				gen_copy(g, BPF_REG_9, gen_cur->retslot,
				    BPF_REG_9, v,
				    gen_sizeof_type(g, n->l->type));
			}
			gen_go(g, gen_cur->ret);
			break;
		case N_DELETE:
			delete(g, n);
			break;
		case N_TRY: {
			struct tryctx tc = { gen_here(g), -1, gen_tries };
			int done = asm_label(p);

			if (n->l)
				tc.msgslot = var_slot(g, n->l);
			gen_tries = &tc;
			stmt(g, n->body);
			gen_tries = tc.up;
			asm_ja(p, done);
			asm_bind(p, tc.catch.label);
			/* as stap, the catch costs an action: a MAXACTION
			 * error caught is raised again, outside */
			loop_action(g, n->loc);
			stmt(g, n->els);
			asm_bind(p, done);
			break;
		}
		default:
			diag_error(n->loc, "'%s' statements are not supported "
			    "by stap-bpf yet", node_name[n->kind]);
			break;
		}
		g->top = mark;
	}
}
