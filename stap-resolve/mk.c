/*
 * The expressions stap-resolve writes in place of what it resolves
 * (a DWARF location, an SDT operand, a process guard): longs, builtin
 * calls, operators, registers, each at the place it stands for.
 */
#include "resolve.h"

struct node *
mk_long(enum nodekind kind, struct loc loc)
{
	struct node *n = node_new(kind, loc);

	n->type = T_LONG;
	return n;
}

struct node *
mk_num(struct loc loc, int64_t v)
{
	struct node *n = mk_long(N_NUM, loc);

	n->num = v;
	return n;
}

struct node *
mk_call(struct loc loc, const char *f, struct node *arg)
{
	struct node *n = mk_long(N_CALL, loc);

	n->str = f;
	n->flags = F_BUILTIN;
	n->args = arg;
	return n;
}

struct node *
mk_bin(struct loc loc, enum op op, struct node *l, struct node *r)
{
	struct node *n = mk_long(N_BINARY, loc);

	n->op = op;
	n->l = l;
	n->r = r;
	return n;
}

/* f("reg"): register() or u_register() of a register by name */
struct node *
mk_reg(struct loc loc, const char *f, const char *reg)
{
	struct node *s = node_new(N_STR, loc);

	s->type = T_STRING;
	s->str = reg;
	return mk_call(loc, f, s);
}
