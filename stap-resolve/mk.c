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

/* The low size bytes of x, sign-extended or not */
struct node *
mk_narrow(struct loc loc, struct node *x, int size, int sgn)
{
	int sh = 64 - 8 * size;

	if (size >= 8)
		return x;
	if (!sgn)
		return mk_bin(loc, O_AND, x, mk_num(loc,
		    (int64_t)((1ull << (8 * size)) - 1)));
	return mk_bin(loc, O_SHR, mk_bin(loc, O_SHL, x, mk_num(loc, sh)),
	    mk_num(loc, sh));
}

/* The size bytes of user memory at addr, sign-extended or not; a
 * fault is the reader's runtime error */
struct node *
mk_uread(struct loc loc, struct node *addr, int size, int sgn)
{
	const char *f;

	switch (size) {
	case 1: f = sgn ? "user_int8_error" : "user_uint8_error"; break;
	case 2: f = sgn ? "user_int16_error" : "user_uint16_error"; break;
	case 4: f = sgn ? "user_int32_error" : "user_uint32_error"; break;
	default: f = sgn ? "user_int64_error" : "user_uint64_error"; break;
	}
	return mk_call(loc, f, addr);
}
