/*
 * The shape of a tree read from outside: every kind has the children it
 * needs and no others, singletons are single, statements stand where
 * statements go and expressions where expressions go.  The stages after
 * the reader may then walk a tree without checking each step, and a
 * hand-edited or fuzzed tree gets one clear line instead of a crash.
 */
#include <string.h>

#include "stap.h"

enum cat { C_NONE, C_DECL, C_STMT, C_EXPR, C_OTHER };

static const char *slot_name[] = {
#define CHILD(name) #name,
#include "child.def"
#undef CHILD
};

#define S(slot) (1u << CH_##slot)

/* required slots, allowed slots, slots that may hold lists, str needed */
struct shape {
	unsigned need, allow, lists;
	int str;
	enum cat cat;
};

static const struct shape shapes[N_NKINDS] = {
	[N_PROBE] = { S(points) | S(body), S(locals), S(points) | S(locals),
	    0, C_DECL },
	[N_ALIAS] = { S(args) | S(points) | S(body), 0, S(args) | S(points),
	    0, C_DECL },
	[N_POINT] = { S(args), S(cond), S(args), 0, C_OTHER },
	[N_COMP] = { 0, S(l), 0, 1, C_OTHER },
	[N_GLOBAL] = { S(args), 0, S(args), 0, C_DECL },
	[N_VAR] = { 0, S(l) | S(keys), S(keys), 1, C_OTHER },
	[N_FUNC] = { S(body), S(args) | S(locals), S(args) | S(locals), 1,
	    C_DECL },
	[N_PARAM] = { 0, 0, 0, 0, C_OTHER },
	[N_EMBED] = { 0, 0, 0, 1, C_NONE },     /* decl, stmt or expr */
	[N_MACRODEF] = { S(l), S(args), S(args), 1, C_DECL },
	[N_BLOCK] = { 0, S(body), S(body), 0, C_STMT },
	[N_TRY] = { S(body) | S(els), S(l), 0, 0, C_STMT },
	[N_EXPR] = { S(l), 0, 0, 0, C_STMT },
	[N_IF] = { S(cond) | S(then), S(els), 0, 0, C_STMT },
	[N_WHILE] = { S(cond) | S(body), 0, 0, 0, C_STMT },
	[N_FOR] = { S(body), S(init) | S(cond) | S(step), 0, 0, C_STMT },
	[N_FOREACH] = { S(keys) | S(l) | S(body), S(value) | S(limit),
	    S(keys), 0, C_STMT },
	[N_BREAK] = { 0, 0, 0, 0, C_STMT },
	[N_CONTINUE] = { 0, 0, 0, 0, C_STMT },
	[N_NEXT] = { 0, 0, 0, 0, C_STMT },
	[N_RETURN] = { 0, S(l), 0, 0, C_STMT },
	[N_DELETE] = { S(l), 0, 0, 0, C_STMT },
	[N_NULLSTMT] = { 0, 0, 0, 0, C_STMT },
	[N_NUM] = { 0, 0, 0, 0, C_EXPR },
	[N_STR] = { 0, 0, 0, 1, C_EXPR },
	[N_IDENT] = { 0, 0, 0, 1, C_EXPR },
	[N_BINARY] = { S(l) | S(r), 0, 0, 0, C_EXPR },
	[N_UNARY] = { S(l), 0, 0, 0, C_EXPR },
	[N_PREINC] = { S(l), 0, 0, 0, C_EXPR },
	[N_POSTINC] = { S(l), 0, 0, 0, C_EXPR },
	[N_ASSIGN] = { S(l) | S(r), 0, 0, 0, C_EXPR },
	[N_TERNARY] = { S(cond) | S(then) | S(els), 0, 0, 0, C_EXPR },
	[N_IN] = { S(l) | S(args), 0, S(args), 0, C_EXPR },
	[N_INDEX] = { S(l) | S(args), 0, S(args), 0, C_EXPR },
	[N_ANY] = { 0, 0, 0, 0, C_EXPR },
	[N_CALL] = { 0, S(args), S(args), 1, C_EXPR },
	[N_STAT] = { S(l), S(args), S(args), 1, C_EXPR },
	[N_TARGET] = { 0, S(args), S(args), 1, C_EXPR },
	[N_CAST] = { S(l), S(r) | S(args), S(args), 1, C_EXPR },
	[N_ATVAR] = { 0, S(r) | S(args), S(args), 1, C_EXPR },
	[N_MEMBER] = { 0, 0, 0, 1, C_OTHER },
	[N_SUBSCRIPT] = { S(l), 0, 0, 0, C_OTHER },
	[N_ENTRY] = { S(l), 0, 0, 0, C_EXPR },
	[N_DEFINED] = { S(l), 0, 0, 0, C_EXPR },
	[N_ATFN] = { 0, S(args), S(args), 1, C_EXPR },
	[N_AUTOCAST] = { S(l), S(args), S(args), 0, C_EXPR },
};

/* What each slot may hold, whatever the parent. */
static enum cat
slot_cat(struct node *parent, int slot)
{
	switch (parent->kind) {
	case N_PROBE: case N_ALIAS: case N_FUNC:
		return slot == CH_body ? C_STMT : C_OTHER;
	case N_BLOCK: case N_WHILE: case N_FOR: case N_FOREACH:
		if (slot == CH_body)
			return C_STMT;
		break;
	case N_IF:
		if (slot == CH_then || slot == CH_els)
			return C_STMT;
		break;
	case N_TRY:
		return slot == CH_l ? C_EXPR : C_STMT;
	case N_POINT:
		return slot == CH_cond ? C_EXPR : C_OTHER;
	case N_GLOBAL: case N_VAR: case N_COMP: case N_MACRODEF:
	case N_TARGET: case N_CAST: case N_ATVAR: case N_AUTOCAST:
		if (slot == CH_args || slot == CH_keys)
			return C_OTHER;
		if (parent->kind == N_VAR || parent->kind == N_COMP ||
		    parent->kind == N_MACRODEF)
			return C_EXPR;
		break;
	default:
		break;
	}
	if (slot == CH_locals)
		return C_OTHER;
	return C_EXPR;
}

/* Is op one a node of this kind can carry? */
static int
op_fits(enum nodekind kind, enum op op)
{
	switch (kind) {
	case N_ASSIGN:
		return op_isassign(op);
	case N_UNARY:
		return op == O_PLUS || op == O_MINUS || op == O_NOT ||
		    op == O_BNOT;
	case N_PREINC: case N_POSTINC:
		return op == O_INC || op == O_DEC;
	case N_BINARY:
		switch (op) {
		case O_LOR: case O_LAND: case O_OR: case O_XOR: case O_AND:
		case O_EQ: case O_NE: case O_LT: case O_LE: case O_GT:
		case O_GE: case O_MATCH: case O_NMATCH: case O_SHL:
		case O_SHR: case O_USHR: case O_CAT: case O_PLUS:
		case O_MINUS: case O_MUL: case O_DIV: case O_MOD:
			return 1;
		default:
			return 0;
		}
	default:
		return op == O_NONE;
	}
}

static const char *
check(struct node *n, enum cat want, int depth)
{
	static char msg[200];
	const struct shape *sh;
	int i;

	if (n->kind >= N_NKINDS)
		return "a node of no known kind";
	sh = &shapes[n->kind];
	if (depth >= TREE_MAXDEPTH)	/* tree_read refused it already */
		return "nesting too deep";
	if (want != C_NONE && sh->cat != C_NONE && sh->cat != want) {
		snprintf(msg, sizeof msg, "a '%s' node where %s belongs",
		    node_name[n->kind], want == C_STMT ? "a statement" :
		    want == C_EXPR ? "an expression" : want == C_DECL ?
		    "a declaration" : "something else");
		return msg;
	}
	if (sh->str && !n->str) {
		snprintf(msg, sizeof msg, "a '%s' node without str",
		    node_name[n->kind]);
		return msg;
	}
	if (!op_fits(n->kind, n->op)) {
		snprintf(msg, sizeof msg, "a '%s' node with op '%s'",
		    node_name[n->kind], op_spelling[n->op]);
		return msg;
	}
	for (i = 0; i < N_CHILDREN; i++) {
		struct node *c = *node_child(n, i);
		unsigned bit = 1u << i;
		const char *e;

		if (!c && (sh->need & bit)) {
			snprintf(msg, sizeof msg, "a '%s' node without its "
			    "'%s' child", node_name[n->kind], slot_name[i]);
			return msg;
		}
		if (c && !((sh->need | sh->allow) & bit)) {
			snprintf(msg, sizeof msg, "a '%s' node with a child "
			    "it cannot have", node_name[n->kind]);
			return msg;
		}
		if (c && c->next && !(sh->lists & bit)) {
			snprintf(msg, sizeof msg, "a '%s' node with a list "
			    "where one child belongs", node_name[n->kind]);
			return msg;
		}
		for (; c; c = c->next)
			if ((e = check(c, slot_cat(n, i), depth + 1)))
				return e;
	}
	return NULL;
}

/* NULL if the declarations are well formed, else what is wrong. */
const char *
tree_check(struct node *decls)
{
	const char *e;

	for (; decls; decls = decls->next)
		if ((e = check(decls, C_DECL, 0)))
			return e;
	return NULL;
}
