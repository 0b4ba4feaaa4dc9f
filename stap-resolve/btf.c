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

/* Whether id is a struct or union, through typedefs and qualifiers */
int
btf_is_record(int id)
{
	const struct btf_type *t = (id = skip(id)) > 0 ? type(id) : NULL;

	return t && btf_is_composite(t);
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
 * A context variable's size, sign and kind through typedefs and
 * qualifiers, into f, from the kernel's BTF (a kernel function's
 * parameter in a register, a tracepoint's argument in a u64); a
 * pointer roots a typed chain (f->btfid).  0 for what a u64 does not
 * hold whole (structs by value, floats).
 */
int
btf_scalar(int id, struct tpfield *f)
{
	const struct btf_type *t = bt.btf ? type(id) : NULL;
	int depth;

	for (depth = 0; t && depth < 32; depth++) {
		if (btf_is_mod(t) || btf_is_typedef(t)) {
			t = type((int)t->type);
			continue;
		}
		if (btf_is_ptr(t)) {
			f->size = 8;
			f->kind = TF_PTR;
			f->btfid = id;
			return 1;
		}
		if (btf_is_int(t)) {
			f->size = (int)t->size;
			f->issigned = !!(btf_int_encoding(t) & BTF_INT_SIGNED);
			return t->size <= 8;
		}
		if (btf_is_enum(t) || btf_is_enum64(t)) {
			f->size = (int)t->size;
			/* BTF marks a signed enum since 6.0 */
			f->issigned = !!btf_kflag(t);
			return t->size <= 8;
		}
		return 0;
	}
	return 0;
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

/* n's steps from a base value of type base, rewritten; the type at
 * the end in *curp, a bitfield's width and bit offset; 0 on an error */
static int
walk(struct resolver *r, struct node *n, int base, int *curp, int *widthp,
    unsigned *bitp)
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
	*curp = cur;
	*widthp = width;
	*bitp = bit;
	return 1;
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
	int cur, width, id;
	unsigned bit;
	const struct btf_type *t;

	if (!walk(r, n, base, &cur, &width, &bit))
		return 0;
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

/*
 * Pretty-printing, $p$ and $p$$ (and on @cast and autocasts), in
 * stap's format: "{.a=1, .b=0x..., .c={...}}" through one pointer,
 * integers %i or %u, chars '%#c', pointers %p, char arrays and
 * pointers as strings, arrays "[...]" and nested structs "{...}"
 * unless $$ prints them in full, at most 32 values.  Each value is a
 * chain of its own, the original's steps and the member's; the text
 * becomes sprintf calls of at most 12 values each, joined.
 */
struct piece {
	char *text;             /* up to and with the conversion */
	struct node *arg;
};

struct pretty {
	struct resolver *r;
	struct node *orig;      /* the chain, its steps unresolved */
	int base, full;
	struct piece *v;
	size_t n, cap;
	char *text;             /* since the last piece */
	size_t len, tcap;
};

static void
put(struct pretty *pp, const char *s)
{
	size_t k = strlen(s);

	pp->text = vgrow(pp->text, &pp->tcap, pp->len + k + 1, 1);
	memcpy(pp->text + pp->len, s, k + 1);
	pp->len += k;
}

static void
conv(struct pretty *pp, const char *c, struct node *arg)
{
	put(pp, c);
	pp->v = vgrow(pp->v, &pp->cap, pp->n + 1, sizeof *pp->v);
	pp->v[pp->n].text = arena_strndup(pp->text, pp->len);
	pp->v[pp->n++].arg = arg;
	pp->len = 0;
	pp->text[0] = 0;
}

/* The original chain with path's steps after its own, resolved */
static struct node *
value(struct pretty *pp, struct node **path, int npath)
{
	struct node *c = node_copy(pp->orig), **t = &c->args;
	int i;

	c->flags &= ~(unsigned)(F_PRETTY | F_PPRETTY | F_ADDR);
	while (*t)
		t = &(*t)->next;
	for (i = 0; i < npath; i++) {
		*t = node_copy(path[i]);
		t = &(*t)->next;
	}
	return btf_chain(pp->r, c, pp->base) ? c : NULL;
}

static struct node *
string_of(struct node *v)
{
	struct node *c = node_new(N_CALL, v->loc), *d = node_new(N_STR,
	    v->loc);

	c->str = "kernel_string";
	c->flags = F_BUILTIN;
	c->args = v;
	d->str = "";
	v->next = d;            /* a fault prints "" */
	return c;
}

static int
is_char(int id)
{
	const struct btf_type *t = id > 0 ? type(skip(id)) : NULL;

	return t && btf_is_int(t) && t->size == 1 && (btf_int_encoding(t) &
	    BTF_INT_CHAR || !strcmp(name_of(t), "char"));
}

static void pretty_struct(struct pretty *pp, int id, struct node **path,
    int npath);

static void
pretty_value(struct pretty *pp, int tid, struct node **path, int npath,
    int top, int width)
{
	int id = skip(tid);
	const struct btf_type *t = id > 0 ? type(id) : NULL;
	struct node *v;

	if (!t) {
		put(pp, "?");
		return;
	}
	if (width || btf_is_int(t) || btf_is_any_enum(t)) {
		if (!(v = value(pp, path, npath)))
			return;
		conv(pp, !width && is_char(id) ? "'%#c'" : btf_is_int(t) &&
		    !(btf_int_encoding(t) & BTF_INT_SIGNED) ? "%u" : "%i", v);
		return;
	}
	if (btf_is_ptr(t)) {
		int p = skip((int)t->type);
		const struct btf_type *pt = p > 0 ? type(p) : NULL;

		if (is_char(p)) {
			if ((v = value(pp, path, npath)))
				conv(pp, "\"%s\"", string_of(v));
		} else if (top && pt && btf_is_composite(pt)) {
			pretty_value(pp, p, path, npath, 1, 0);
		} else if ((v = value(pp, path, npath))) {
			conv(pp, "%p", v);
		}
		return;
	}
	if (btf_is_array(t)) {
		struct node **p2, *s;
		int e = (int)btf_array(t)->type;

		if (!top && !pp->full) {
			put(pp, "[...]");
			return;
		}
		if (is_char(e)) {
			if ((v = value(pp, path, npath)))
				conv(pp, "\"%s\"", string_of(v));
			return;
		}
		p2 = arena_alloc(sizeof *p2 * (size_t)(npath + 1));
		if (npath)
			memcpy(p2, path, sizeof *p2 * (size_t)npath);
		s = node_new(N_SUBSCRIPT, pp->orig->loc);
		s->l = node_new(N_NUM, pp->orig->loc);
		s->l->type = T_LONG;
		p2[npath] = s;
		put(pp, "[");
		pretty_value(pp, e, p2, npath + 1, 0, 0);
		put(pp, ", ...]");
		return;
	}
	if (btf_is_composite(t)) {
		put(pp, "{");
		if (top || pp->full)
			pretty_struct(pp, id, path, npath);
		else
			put(pp, "...");
		put(pp, "}");
		return;
	}
	put(pp, "?");
}

static void
pretty_struct(struct pretty *pp, int id, struct node **path, int npath)
{
	const struct btf_type *t = type(id);
	const struct btf_member *m = btf_members(t);
	struct node **p2 = arena_alloc(sizeof *p2 * (size_t)(npath + 1));
	int i, n = btf_vlen(t);

	if (npath)      /* memcpy wants a pointer even for 0 bytes */
		memcpy(p2, path, sizeof *p2 * (size_t)npath);
	for (i = 0; i < n; i++) {
		const char *mn = btf__name_by_offset(bt.btf, m[i].name_off);
		int w = (int)btf_member_bitfield_size(t, (unsigned)i);

		if (i)
			put(pp, ", ");
		if (pp->n >= 32) {
			put(pp, "...");
			break;
		}
		if (mn && *mn) {
			put(pp, ".");
			put(pp, mn);
			put(pp, "=");
			p2[npath] = node_new(N_MEMBER, pp->orig->loc);
			p2[npath]->str = mn;
			pretty_value(pp, (int)m[i].type, p2, npath + 1, 0, w);
		} else {
			/* an anonymous member's own are reached by name
			 * from here */
			put(pp, btf_is_union(type(skip((int)m[i].type))) ?
			    "<union>=" : "<class>=");
			pretty_value(pp, (int)m[i].type, path, npath, 0, w);
		}
	}
}

/* n, a chain with F_PRETTY or F_PPRETTY on a base of type base, becomes
 * the string stap's pretty-printer makes; 0 on an error */
int
btf_pretty(struct resolver *r, struct node *n, int base)
{
	struct pretty pp;
	struct node *probe = node_copy(n), *call = NULL, *fmt;
	char *buf = NULL;
	size_t i, len = 0, cap = 0;
	int cur, width, nerr = nerrors;
	unsigned bit;

	memset(&pp, 0, sizeof pp);
	probe->flags &= ~(unsigned)(F_PRETTY | F_PPRETTY);
	if (!btf_kernel(r))
		return btf_chain(r, n, base);
	if (!walk(r, probe, base, &cur, &width, &bit))
		return 0;
	pp.r = r;
	pp.orig = n;
	pp.base = base;
	pp.full = !!(n->flags & F_PPRETTY);
	put(&pp, "");
	if (!n->args && is_ptr(base))
		cur = base;     /* $p$: what p points to, through p */
	pretty_value(&pp, cur, NULL, 0, 1, width);
	if (nerrors != nerr)
		return 0;
	for (i = 0;;) {
		size_t k, to = i + 12 < pp.n ? i + 12 : pp.n;
		struct node *c = node_new(N_CALL, n->loc), **tail;

		len = 0;
		for (k = i; k <= to; k++) {
			const char *txt = k < to ? pp.v[k].text : to == pp.n ?
			    pp.text : "";
			size_t tl = strlen(txt);

			buf = vgrow(buf, &cap, len + tl + 1, 1);
			memcpy(buf + len, txt, tl + 1);
			len += tl;
		}
		c->str = "sprintf";
		c->flags = F_BUILTIN;
		fmt = node_new(N_STR, n->loc);
		fmt->str = arena_strndup(buf, len);
		c->args = fmt;
		tail = &fmt->next;
		for (k = i; k < to; k++) {
			pp.v[k].arg->next = NULL;
			*tail = pp.v[k].arg;
			tail = &pp.v[k].arg->next;
		}
		if (!call) {
			call = c;
		} else {
			struct node *cat = node_new(N_BINARY, n->loc);

			cat->op = O_CAT;
			cat->l = call;
			cat->r = c;
			call = cat;
		}
		if ((i = to) == pp.n)
			break;
	}
	free(buf);
	free(pp.text);
	free(pp.v);
	{
		struct node *next = n->next;

		*n = *call;
		n->next = next;
	}
	return 1;
}
