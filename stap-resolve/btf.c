/*
 * Kernel types, from BTF through libbpf: /sys/kernel/btf/vmlinux, or
 * the file --btf names, read once on first use.  A typed value carries
 * its type in node->ctype (a BTF id, or -id: a pointer to id that BTF
 * itself may not spell, as task_current()'s struct task_struct *), and
 * a chain of ->member and [index] steps on it (@cast, an autocast, a
 * typed context variable) is resolved here into steps the back end
 * can follow without BTF: per member its byte offset, per subscript
 * its element size, a deref flag where a pointer is loaded first, the
 * size and sign of the final load, and in btf= what CO-RE needs to
 * rebuild a minimal local type (stap-tree(5)).
 */
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "resolve.h"

static struct {
	int loaded;
	const char *path;       /* --btf FILE, or NULL: the running kernel */
	struct btf *btf;
	const char *why;        /* when btf is NULL */
} bt;

void
btf_use_file(const char *path)
{
	bt.path = path;
}

struct btf *
btf_kernel(struct resolver *r)
{
	(void)r;
	if (bt.loaded)
		return bt.btf;
	bt.loaded = 1;
	if (bt.path) {
		bt.btf = btf__parse(bt.path, NULL);
		if (!bt.btf)
			bt.why = "the --btf file holds no BTF it can read";
	} else {
		bt.btf = btf__load_vmlinux_btf();
		if (!bt.btf)
			bt.why = "this kernel has no BTF "
			    "(/sys/kernel/btf/vmlinux); --btf FILE gives one";
	}
	return bt.btf;
}

static const struct btf_type *
type(int id)
{
	return btf__type_by_id(bt.btf, (unsigned)id);
}

/* id through typedefs and qualifiers */
static int
skip(int id)
{
	int depth;

	for (depth = 0; id > 0 && depth < 64; depth++) {
		const struct btf_type *t = type(id);

		if (!t || !(btf_is_mod(t) || btf_is_typedef(t)))
			break;
		id = (int)t->type;
	}
	return id;
}

static const char *
name_of(const struct btf_type *t)
{
	const char *s = btf__name_by_offset(bt.btf, t->name_off);

	return s ? s : "";
}

/* C spelling of a type, for messages: "struct task_struct *" */
static void
spell(int id, char *buf, size_t n, int depth)
{
	const struct btf_type *t;
	size_t k;

	if (id < 0) {
		spell(-id, buf, n, depth + 1);
		k = strlen(buf);
		snprintf(buf + k, n - k, " *");
		return;
	}
	t = id ? type(id) : NULL;
	if (!t || depth > 8) {
		snprintf(buf, n, "void");
		return;
	}
	switch (btf_kind(t)) {
	case BTF_KIND_PTR:
		spell((int)t->type, buf, n, depth + 1);
		k = strlen(buf);
		snprintf(buf + k, n - k, " *");
		return;
	case BTF_KIND_ARRAY:
		spell((int)btf_array(t)->type, buf, n, depth + 1);
		k = strlen(buf);
		snprintf(buf + k, n - k, " [%u]", btf_array(t)->nelems);
		return;
	case BTF_KIND_CONST: case BTF_KIND_VOLATILE: case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		spell((int)t->type, buf, n, depth + 1);
		return;
	case BTF_KIND_STRUCT:
		snprintf(buf, n, "struct %s", *name_of(t) ? name_of(t) :
		    "<anonymous>");
		return;
	case BTF_KIND_UNION:
		snprintf(buf, n, "union %s", *name_of(t) ? name_of(t) :
		    "<anonymous>");
		return;
	case BTF_KIND_ENUM: case BTF_KIND_ENUM64:
		snprintf(buf, n, "enum %s", name_of(t));
		return;
	case BTF_KIND_FUNC_PROTO:
		snprintf(buf, n, "a function");
		return;
	default:
		snprintf(buf, n, "%s", name_of(t));
		return;
	}
}

const char *
btf_type_name(int id)
{
	static char buf[4][256];
	static int k;

	k = (k + 1) % 4;
	spell(id, buf[k], sizeof buf[k], 0);
	return buf[k];
}

/*
 * The type @cast names: "task_struct", "struct task_struct", "union
 * x", a typedef name, with an optional trailing '*' (a pointer to
 * that); as stap, a bare name is a struct, union or typedef
 */
int
btf_find_type(struct resolver *r, const char *spec)
{
	char name[256];
	int kinds[3] = { BTF_KIND_STRUCT, BTF_KIND_UNION, BTF_KIND_TYPEDEF };
	int i, nk = 3, ptr = 0, id;
	size_t n;

	if (!btf_kernel(r))
		return 0;
	while (*spec == ' ')
		spec++;
	if (!strncmp(spec, "struct ", 7)) {
		spec += 7;
		nk = 1;
	} else if (!strncmp(spec, "union ", 6)) {
		spec += 6;
		kinds[0] = BTF_KIND_UNION;
		nk = 1;
	} else if (!strncmp(spec, "enum ", 5)) {
		spec += 5;
		kinds[0] = BTF_KIND_ENUM;
		nk = 1;
	}
	while (*spec == ' ')
		spec++;
	n = strcspn(spec, " *");
	if (n == 0 || n >= sizeof name)
		return 0;
	memcpy(name, spec, n);
	name[n] = 0;
	for (spec += n; *spec; spec++)
		if (*spec == '*')
			ptr++;
		else if (*spec != ' ')
			return 0;
	if (ptr > 1)
		return 0;
	for (i = 0; i < nk; i++) {
		id = btf__find_by_name_kind(bt.btf, name, kinds[i]);
		if (id > 0)
			return ptr ? -id : id;
	}
	return 0;
}

/* struct task_struct, for task_current() */
int
btf_task_struct(struct resolver *r)
{
	int id;

	if (!btf_kernel(r))
		return 0;
	id = btf__find_by_name_kind(bt.btf, "task_struct", BTF_KIND_STRUCT);
	return id > 0 ? -id : 0;
}

/* What CO-RE needs of a type, as stap-tree(5)'s btf= spells it */
static void
describe(int id, char *buf, size_t n, int depth)
{
	const struct btf_type *t;

	id = skip(id);
	t = id > 0 ? type(id) : NULL;
	if (!t || depth > 8) {
		snprintf(buf, n, "void");
		return;
	}
	switch (btf_kind(t)) {
	case BTF_KIND_PTR:
		snprintf(buf, n, "ptr");
		return;
	case BTF_KIND_INT:
		snprintf(buf, n, "int:%u:%c", t->size,
		    btf_int_encoding(t) & BTF_INT_SIGNED ? 's' : 'u');
		return;
	case BTF_KIND_ENUM: case BTF_KIND_ENUM64:
		snprintf(buf, n, "enum:%u:%s", t->size, name_of(t));
		return;
	case BTF_KIND_ARRAY: {
		int k = snprintf(buf, n, "array:%u:", btf_array(t)->nelems);

		if (k > 0 && (size_t)k < n)
			describe((int)btf_array(t)->type, buf + k, n - k,
			    depth + 1);
		return;
	}
	case BTF_KIND_STRUCT: case BTF_KIND_UNION:
		snprintf(buf, n, "%s:%s:%u", btf_is_struct(t) ? "struct" :
		    "union", name_of(t), t->size);
		return;
	case BTF_KIND_FLOAT:
		snprintf(buf, n, "float:%u", t->size);
		return;
	default:
		snprintf(buf, n, "void");
		return;
	}
}

/*
 * Find member name in composite cid, through anonymous members:
 * path[] gets the member indices, outermost first; their count, or 0
 */
static int
find_member(int cid, const char *name, int *path, int depth)
{
	const struct btf_type *t = type(cid);
	const struct btf_member *m;
	int i, n, k;

	if (!t || depth >= 8 || !btf_is_composite(t))
		return 0;
	m = btf_members(t);
	n = btf_vlen(t);
	for (i = 0; i < n; i++) {
		const char *mn = btf__name_by_offset(bt.btf, m[i].name_off);

		if (mn && *mn && !strcmp(mn, name)) {
			path[depth] = i;
			return depth + 1;
		}
	}
	for (i = 0; i < n; i++) {
		const char *mn = btf__name_by_offset(bt.btf, m[i].name_off);

		if (mn && *mn)
			continue;
		path[depth] = i;
		if ((k = find_member(skip((int)m[i].type), name, path,
		    depth + 1)))
			return k;
	}
	return 0;
}

/* A member step node for member i of composite cid */
static void
member_step(struct node *s, int cid, int i)
{
	const struct btf_type *t = type(cid);
	const struct btf_member *m = btf_members(t) + i;
	unsigned bit = btf_member_bit_offset(t, (unsigned)i);
	unsigned width = btf_member_bitfield_size(t, (unsigned)i);
	char mt[200], buf[400];
	const char *mn = btf__name_by_offset(bt.btf, m->name_off);

	describe((int)m->type, mt, sizeof mt, 0);
	if (width)
		snprintf(buf, sizeof buf, "%s:%s:%u %u:%u %s",
		    btf_is_struct(t) ? "struct" : "union", name_of(t), t->size,
		    bit, width, mt);
	else
		snprintf(buf, sizeof buf, "%s:%s:%u %u %s",
		    btf_is_struct(t) ? "struct" : "union", name_of(t), t->size,
		    bit, mt);
	s->kind = N_MEMBER;
	s->str = mn ? mn : "";
	s->num = bit / 8;
	s->btf = arena_strndup(buf, strlen(buf));
}

static int
is_ptr(int id)
{
	const struct btf_type *t;

	if (id < 0)
		return 1;
	t = id ? type(skip(id)) : NULL;
	return t && btf_is_ptr(t);
}

static int
pointee(int id)
{
	return id < 0 ? -id : (int)type(skip(id))->type;
}

/* ->name on an object of type cur: appends the step nodes at *tail */
static int
chain_member(struct node *s, int cur, int deref, struct node ***tail,
    int *width, unsigned *bit)
{
	int path[8], k, i, cid = skip(cur);
	const struct btf_type *t = cid > 0 ? type(cid) : NULL;
	struct node *c = s;

	if (!t || !btf_is_composite(t)) {
		diag_error(s->loc, "member '%s' of non-struct type '%s'",
		    s->str, btf_type_name(cur));
		return 0;
	}
	k = find_member(cid, s->str, path, 0);
	if (!k) {
		diag_error(s->loc, "unable to find member '%s' for '%s'",
		    s->str, btf_type_name(cur));
		return 0;
	}
	for (i = 0; i < k; i++) {
		int mid;

		if (i < k - 1) {
			c = node_new(N_MEMBER, s->loc);
		} else {
			c = s;
		}
		member_step(c, cid, path[i]);
		*width = (int)btf_member_bitfield_size(type(cid),
		    (unsigned)path[i]);
		*bit = btf_member_bit_offset(type(cid), (unsigned)path[i]);
		if (i == 0 && deref)
			c->flags |= F_DEREF;
		mid = (int)btf_members(type(cid))[path[i]].type;
		c->next = NULL;
		**tail = c;
		*tail = &c->next;
		if (i < k - 1)
			cid = skip(mid);
		else
			return mid;
	}
	return 0;
}

/*
 * Resolve n's steps (n->args) from a base value of type base: rewrites
 * the steps, sets n->size (bytes the final load reads, 0 for an
 * address), F_SIGNED, and n->ctype (the result's type, for an
 * autocast further on).  0 on an error (reported).
 */
int
btf_chain(struct resolver *r, struct node *n, int base)
{
	struct node *s, *next, *steps = n->args, **tail = &n->args;
	int cur, first = 1, width = 0, id;
	unsigned bit = 0;
	const struct btf_type *t;

	if (!btf_kernel(r)) {
		diag_error(n->loc, "typed access needs BTF: %s", bt.why);
		return 0;
	}
	if (!is_ptr(base) && !(base > 0 && btf_is_array(type(skip(base))))) {
		diag_error(steps ? steps->loc : n->loc, "cannot dereference "
		    "a value of type '%s'", btf_type_name(base));
		return 0;
	}
	/* the object at the current address; the base value is its
	 * address (a pointer's pointee, an array itself) */
	cur = is_ptr(base) ? pointee(base) : base;
	n->args = NULL;
	for (s = steps; s; s = next) {
		next = s->next;
		width = 0;
		if (s->kind == N_MEMBER) {
			int deref = 0;

			if (is_ptr(cur)) {
				cur = pointee(cur);
				deref = 1;
			}
			if (!(cur = chain_member(s, cur, deref, &tail,
			    &width, &bit)))
				return 0;
		} else {
			int elem;
			long long sz;

			id = skip(cur);
			t = id > 0 ? type(id) : NULL;
			if (first && is_ptr(base)) {
				/* $p[i] indexes from p itself */
				elem = pointee(base);
			} else if (t && btf_is_array(t)) {
				elem = (int)btf_array(t)->type;
			} else if (is_ptr(cur)) {
				elem = pointee(cur);
				s->flags |= F_DEREF;
			} else {
				diag_error(s->loc, "cannot index a value of "
				    "type '%s'", btf_type_name(cur));
				return 0;
			}
			sz = btf__resolve_size(bt.btf, (unsigned)skip(elem));
			if (sz <= 0) {
				diag_error(s->loc, "cannot index '%s': its "
				    "elements have no size",
				    btf_type_name(cur));
				return 0;
			}
			s->num = sz;
			s->next = NULL;
			*tail = s;
			tail = &s->next;
			cur = elem;
		}
		first = 0;
	}
	id = skip(cur);
	t = id > 0 ? type(id) : NULL;
	n->ctype = 0;
	if (n->flags & F_ADDR) {
		if (width) {
			diag_error(n->loc, "cannot take the address of a "
			    "bitfield");
			return 0;
		}
		n->ctype = -cur;
		n->type = T_LONG;
		return 1;
	}
	n->type = T_LONG;
	if (!t) {
		diag_error(n->loc, "cannot read a value of type 'void'");
		return 0;
	}
	switch (btf_kind(t)) {
	case BTF_KIND_PTR:
		n->size = 8;
		n->ctype = cur;
		return 1;
	case BTF_KIND_INT:
		n->size = (int)t->size;
		if (btf_int_encoding(t) & BTF_INT_SIGNED)
			n->flags |= F_SIGNED;
		break;
	case BTF_KIND_ENUM: case BTF_KIND_ENUM64:
		n->size = (int)t->size;
		if (btf_kflag(t))
			n->flags |= F_SIGNED;
		break;
	case BTF_KIND_ARRAY:
		/* as stap: an array's value is its address, which
		 * kernel_string reads a char array from */
		n->ctype = cur;
		return 1;
	case BTF_KIND_STRUCT: case BTF_KIND_UNION:
		diag_error(n->loc, "'%s' is a struct or union, not a value: "
		    "use -> to read a member", btf_type_name(cur));
		return 0;
	default:
		diag_error(n->loc, "cannot read a value of type '%s'",
		    btf_type_name(cur));
		return 0;
	}
	if (n->size > 8) {
		diag_error(n->loc, "cannot read '%s': %d bytes is more than "
		    "a long", btf_type_name(cur), n->size);
		return 0;
	}
	if (width) {
		/* the bytes holding the bits, from the member's byte
		 * offset; the member's btf= says which bits */
		n->size = (int)((bit % 8 + (unsigned)width + 7) / 8);
		if (n->size > 8) {
			diag_error(n->loc, "a bitfield across 9 bytes");
			return 0;
		}
	}
	return 1;
}
