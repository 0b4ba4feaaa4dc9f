/*
 * The BTF encoder: types and strings for .BTF, function and line
 * records for .BTF.ext, laid out as <linux/btf.h> and the kernel's
 * Documentation/bpf/btf.rst describe them.  Types get ids 1, 2, ... in
 * the order they are added; a type may only refer to ids already
 * given, so the kernel and libbpf never see a forward reference.
 * Strings are stored once each, in the order first asked for, so the
 * same calls always give the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/btf.h>

#include "../lib/stap.h"
#include "bo.h"

/* One section's records in one of the .BTF.ext tables */
struct extsec {
	unsigned name;          /* string offset of the section name */
	size_t off;             /* first record's offset in the table */
	unsigned nrec;
};

struct exttab {
	struct buf rec;
	struct extsec *sec;
	size_t nsec, cap;
};

struct btfw {
	struct buf types, strs, out, extout;
	int ntype;
	/* Open string lookup: index+1 into offs, 0 for empty */
	unsigned *hash, *offs;
	size_t nhash, nstr;
	struct exttab func, line, core;
	unsigned cursec;
	int pending;            /* vlen entries the last type still wants */
};

void
buf_put(struct buf *b, const void *p, size_t n)
{
	b->p = vgrow(b->p, &b->cap, b->n + n, 1);
	if (n)
		memcpy(b->p + b->n, p, n);
	b->n += n;
}

static void
put32(struct buf *b, uint32_t v)
{
	buf_put(b, &v, 4);
}

struct btfw *
btfw_new(void)
{
	struct btfw *b = emalloc(sizeof(*b));

	memset(b, 0, sizeof(*b));
	buf_put(&b->strs, "", 1);
	return b;
}

static void
freetab(struct exttab *t)
{
	free(t->rec.p);
	free(t->sec);
}

void
btfw_free(struct btfw *b)
{
	if (!b)
		return;
	free(b->types.p);
	free(b->strs.p);
	free(b->out.p);
	free(b->extout.p);
	free(b->hash);
	free(b->offs);
	freetab(&b->func);
	freetab(&b->line);
	freetab(&b->core);
	free(b);
}

static void
rehash(struct btfw *b)
{
	size_t i, j, n = b->nhash ? b->nhash * 2 : 64;
	unsigned *h = emalloc(n * sizeof(*h));

	memset(h, 0, n * sizeof(*h));
	for (i = 0; i < b->nstr; i++) {
		j = hash_str((char *)b->strs.p + b->offs[i]) & (n - 1);
		while (h[j])
			j = (j + 1) & (n - 1);
		h[j] = i + 1;
	}
	free(b->hash);
	b->hash = h;
	b->nhash = n;
}

unsigned
btfw_str(struct btfw *b, const char *s)
{
	size_t j, cap;
	unsigned off;

	if (!s || !*s)
		return 0;
	if ((b->nstr + 1) * 2 > b->nhash)
		rehash(b);
	j = hash_str(s) & (b->nhash - 1);
	for (; b->hash[j]; j = (j + 1) & (b->nhash - 1)) {
		off = b->offs[b->hash[j] - 1];
		if (strcmp((char *)b->strs.p + off, s) == 0)
			return off;
	}
	off = b->strs.n;
	buf_put(&b->strs, s, strlen(s) + 1);
	cap = b->nstr;
	b->offs = erealloc(b->offs, (cap + 1) * sizeof(*b->offs));
	b->offs[b->nstr++] = off;
	b->hash[j] = b->nstr;
	return off;
}

/* Every type starts with struct btf_type: name, info, size or type */
static int
type(struct btfw *b, const char *name, int kind, unsigned vlen, int flag,
    uint32_t size_or_type)
{
	if (b->pending)
		bug("btf: type %d still wants %d members", b->ntype,
		    b->pending);
	put32(&b->types, btfw_str(b, name));
	put32(&b->types, (uint32_t)kind << 24 | (flag ? 1u << 31 : 0) | vlen);
	put32(&b->types, size_or_type);
	b->pending = vlen;
	return ++b->ntype;
}

static void
member(struct btfw *b)
{
	if (b->pending-- <= 0)
		bug("btf: more members than announced");
}

int
btfw_int(struct btfw *b, const char *name, unsigned size, int sign)
{
	int id = type(b, name, BTF_KIND_INT, 0, 0, size);

	put32(&b->types, (sign ? BTF_INT_SIGNED : 0) << 24 | size * 8);
	return id;
}

int
btfw_ptr(struct btfw *b, int to)
{
	return type(b, NULL, BTF_KIND_PTR, 0, 0, to);
}

int
btfw_array(struct btfw *b, int elem, int index, unsigned n)
{
	int id = type(b, NULL, BTF_KIND_ARRAY, 0, 0, 0);

	put32(&b->types, elem);
	put32(&b->types, index);
	put32(&b->types, n);
	return id;
}

int
btfw_struct(struct btfw *b, const char *name, unsigned size, unsigned n)
{
	return type(b, name, BTF_KIND_STRUCT, n, 0, size);
}

void
btfw_member(struct btfw *b, const char *name, int t, unsigned bitoff)
{
	member(b);
	put32(&b->types, btfw_str(b, name));
	put32(&b->types, t);
	put32(&b->types, bitoff);
}

int
btfw_union(struct btfw *b, const char *name, unsigned size, unsigned n)
{
	return type(b, name, BTF_KIND_UNION, n, 0, size);
}

int
btfw_bitfields(struct btfw *b, const char *name, int isunion, unsigned size,
    unsigned n)
{
	return type(b, name, isunion ? BTF_KIND_UNION : BTF_KIND_STRUCT, n, 1,
	    size);
}

/* An enum without enumerators: all CO-RE compares of one is its name */
int
btfw_enum(struct btfw *b, const char *name, unsigned size)
{
	return type(b, name, BTF_KIND_ENUM, 0, 0, size);
}

int
btfw_proto(struct btfw *b, int ret, unsigned n)
{
	return type(b, NULL, BTF_KIND_FUNC_PROTO, n, 0, ret);
}

void
btfw_param(struct btfw *b, const char *name, int t)
{
	member(b);
	put32(&b->types, btfw_str(b, name));
	put32(&b->types, t);
}

/* A FUNC keeps its linkage in the vlen bits */
int
btfw_func(struct btfw *b, const char *name, int proto, int linkage)
{
	int id = type(b, name, BTF_KIND_FUNC, linkage, 0, proto);

	b->pending = 0;
	return id;
}

int
btfw_var(struct btfw *b, const char *name, int t, int linkage)
{
	int id = type(b, name, BTF_KIND_VAR, 0, 0, t);

	put32(&b->types, linkage);
	return id;
}

int
btfw_datasec(struct btfw *b, const char *name, unsigned size, unsigned n)
{
	return type(b, name, BTF_KIND_DATASEC, n, 0, size);
}

void
btfw_secvar(struct btfw *b, int var, unsigned off, unsigned size)
{
	member(b);
	put32(&b->types, var);
	put32(&b->types, off);
	put32(&b->types, size);
}

static void
extopen(struct exttab *t, unsigned name)
{
	if (t->nsec && t->sec[t->nsec - 1].nrec == 0) {
		t->sec[t->nsec - 1].name = name;
		return;
	}
	t->sec = vgrow(t->sec, &t->cap, t->nsec + 1, sizeof(*t->sec));
	t->sec[t->nsec].name = name;
	t->sec[t->nsec].off = t->rec.n;
	t->sec[t->nsec].nrec = 0;
	t->nsec++;
}

void
btfw_extsec(struct btfw *b, const char *section)
{
	b->cursec = btfw_str(b, section);
	extopen(&b->func, b->cursec);
	extopen(&b->line, b->cursec);
	extopen(&b->core, b->cursec);
}

void
btfw_funcinfo(struct btfw *b, unsigned insn_off, int func)
{
	if (!b->func.nsec)
		bug("btf: function record outside a section");
	put32(&b->func.rec, insn_off);
	put32(&b->func.rec, func);
	b->func.sec[b->func.nsec - 1].nrec++;
}

void
btfw_lineinfo(struct btfw *b, unsigned insn_off, const char *file,
    const char *text, unsigned line, unsigned col)
{
	if (!b->line.nsec)
		bug("btf: line record outside a section");
	if (line > 0x3fffff || col > 0x3ff)	/* what line_col holds */
		line = col = 0;
	put32(&b->line.rec, insn_off);
	put32(&b->line.rec, btfw_str(b, file));
	put32(&b->line.rec, btfw_str(b, text));
	put32(&b->line.rec, line << 10 | col);
	b->line.sec[b->line.nsec - 1].nrec++;
}

const void *
btfw_bytes(struct btfw *b, size_t *len)
{
	struct btf_header h;

	if (b->pending)
		bug("btf: last type still wants %d members", b->pending);
	memset(&h, 0, sizeof(h));
	h.magic = BTF_MAGIC;
	h.version = BTF_VERSION;
	h.hdr_len = sizeof(h);
	h.type_off = 0;
	h.type_len = b->types.n;
	h.str_off = b->types.n;
	h.str_len = b->strs.n;
	b->out.n = 0;
	buf_put(&b->out, &h, sizeof(h));
	buf_put(&b->out, b->types.p, b->types.n);
	buf_put(&b->out, b->strs.p, b->strs.n);
	*len = b->out.n;
	return b->out.p;
}

/* A table: record size, then each section that has records */
static size_t
puttab(struct buf *o, struct exttab *t, unsigned recsz)
{
	size_t start = o->n, i;

	put32(o, recsz);
	for (i = 0; i < t->nsec; i++) {
		if (!t->sec[i].nrec)
			continue;
		put32(o, t->sec[i].name);
		put32(o, t->sec[i].nrec);
		buf_put(o, t->rec.p + t->sec[i].off,
		    (size_t)t->sec[i].nrec * recsz);
	}
	/* libbpf refuses a table with a record size and no records */
	if (o->n == start + 4)
		o->n = start;
	return o->n - start;
}

/* A struct bpf_core_relo (<linux/bpf.h>) */
void
btfw_corerelo(struct btfw *b, unsigned insn_off, int type_id,
    const char *access, int kind)
{
	if (!b->core.nsec)
		bug("btf: CO-RE record outside a section");
	put32(&b->core.rec, insn_off);
	put32(&b->core.rec, (uint32_t)type_id);
	put32(&b->core.rec, btfw_str(b, access));
	put32(&b->core.rec, (uint32_t)kind);
	b->core.sec[b->core.nsec - 1].nrec++;
}

/*
 * The .BTF.ext header as the kernel tree's tools/lib/bpf/libbpf_internal.h
 * lays it out; it is not in the installed headers.  We write the
 * 32-byte form, as clang does, the CO-RE table empty without typed
 * reads.
 */
struct extheader {
	uint16_t magic;
	uint8_t version, flags;
	uint32_t hdr_len;
	uint32_t func_info_off, func_info_len;
	uint32_t line_info_off, line_info_len;
	uint32_t core_relo_off, core_relo_len;
};

const void *
btfw_extbytes(struct btfw *b, size_t *len)
{
	struct extheader h;
	size_t flen, llen, clen;

	memset(&h, 0, sizeof(h));
	b->extout.n = 0;
	buf_put(&b->extout, &h, sizeof(h));
	flen = puttab(&b->extout, &b->func, 8);
	llen = puttab(&b->extout, &b->line, 16);
	clen = puttab(&b->extout, &b->core, 16);
	if (!flen && !llen && !clen) {
		*len = 0;
		return NULL;
	}
	h.magic = BTF_MAGIC;
	h.version = BTF_VERSION;
	h.hdr_len = sizeof(h);
	h.func_info_off = 0;
	h.func_info_len = flen;
	h.line_info_off = flen;
	h.line_info_len = llen;
	h.core_relo_off = flen + llen;
	h.core_relo_len = clen;
	memcpy(b->extout.p, &h, sizeof(h));
	*len = b->extout.n;
	return b->extout.p;
}
