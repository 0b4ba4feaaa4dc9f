/*
 * Local types for CO-RE.  libbpf relocates a field offset by matching
 * the relocation's local type, by name, against the running kernel's
 * BTF, then walking the access string's members by name (through
 * anonymous members as needed).  So the .bo needs no copy of the
 * kernel's types: a struct that keeps its name and size and only the
 * members some relocation walks, at the offsets they had at compile
 * time (libbpf checks the instruction's immediate against them;
 * bitfields with their widths, in a struct of kind_flag 1), with
 * types of the same kind (any pointer is compatible with any other,
 * integers with integers, arrays by their elements).  The specs come
 * from typed.c: per step "CONTAINER BITS TYPE NAME", CONTAINER as
 * kind:name:size, TYPE as stap-tree(5)'s btf= spells a member's type.
 *
 * All relocations share the local types: struct task_struct is one
 * type holding every member any of them reads, sorted by offset, and
 * the access strings index that.  An anonymous struct or union is
 * known by the member that holds it (parent key, "/", bit offset).
 */
#include <stdlib.h>
#include <string.h>

#include "../lib/stap.h"
#include "bo.h"

struct lmember {
	char *name;
	unsigned bit;
	unsigned width;         /* a bitfield's, else 0 */
	char *desc;             /* its type, as TYPE */
	int child;              /* composite it is in a spec, or -1 */
};

struct lcomp {
	char *key;
	int isunion;
	char *name;
	unsigned size;
	struct lmember *m;
	size_t nm, capm;
	int id;                 /* BTF id once written, else 0 */
};

struct lstate {
	struct btfw *b;
	struct lcomp *c;
	size_t nc, capc;
	struct hash idx;        /* key -> index in c */
	int ints[2][9];         /* [signed][size] */
	int indextype;
};

static int
comp(struct lstate *s, const char *key, int isunion, const char *name,
    unsigned size)
{
	long k = hash_get(&s->idx, key);
	struct lcomp *c;

	if (k >= 0)
		return (int)k;
	s->c = vgrow(s->c, &s->capc, s->nc + 1, sizeof *s->c);
	c = &s->c[s->nc];
	memset(c, 0, sizeof *c);
	c->key = arena_strndup(key, strlen(key));
	c->isunion = isunion;
	c->name = arena_strndup(name, strlen(name));
	c->size = size;
	hash_add(&s->idx, c->key, (long)s->nc);
	return (int)s->nc++;
}

/* "kind:name:size" at p; the composite's index, its key in key */
static int
container(struct lstate *s, const char *p, const char *parent,
    unsigned pbit, char *key, size_t nkey)
{
	char kind[16], name[256];
	unsigned size = 0;

	if (sscanf(p, "%15[a-z]:%255[A-Za-z0-9_]:%u", kind, name, &size) != 3) {
		name[0] = 0;
		if (sscanf(p, "%15[a-z]::%u", kind, &size) != 2)
			bug("core: bad container '%s'", p);
	}
	if (name[0])
		snprintf(key, nkey, "%s:%s", kind, name);
	else
		snprintf(key, nkey, "%s/%u", parent ? parent : "?", pbit);
	return comp(s, key, !strcmp(kind, "union"), name, size);
}

static int
member(struct lcomp *c, const char *name, unsigned bit, unsigned width,
    const char *desc)
{
	size_t i;

	for (i = 0; i < c->nm; i++)
		if (c->m[i].bit == bit && !strcmp(c->m[i].name, name))
			return (int)i;
	c->m = vgrow(c->m, &c->capm, c->nm + 1, sizeof *c->m);
	c->m[c->nm].name = arena_strndup(name, strlen(name));
	c->m[c->nm].bit = bit;
	c->m[c->nm].width = width;
	c->m[c->nm].desc = arena_strndup(desc, strlen(desc));
	c->m[c->nm].child = -1;
	return (int)c->nm++;
}

/* One spec's steps: parsed, added, their (comp, member name, bit) */
struct step {
	int comp;
	char name[256];
	unsigned bit;
};

static size_t
parse(struct lstate *s, const char *spec, struct step *st, size_t max)
{
	char parent[600] = "", key[600];
	unsigned pbit = 0;
	size_t n = 0;
	int prev = -1, prevm = -1;

	while (*spec && n < max) {
		const char *eol = strchr(spec, '\n'), *sp1, *sp2, *sp3;
		char desc[256];
		size_t len;
		unsigned width;

		if (!eol)
			eol = spec + strlen(spec);
		sp1 = memchr(spec, ' ', (size_t)(eol - spec));
		sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1)) :
		    NULL;
		sp3 = sp2 ? memchr(sp2 + 1, ' ', (size_t)(eol - sp2 - 1)) :
		    NULL;
		if (!sp3)
			bug("core: bad spec line");
		st[n].comp = container(s, spec, n ? parent : NULL, pbit, key,
		    sizeof key);
		{
			char *e;

			st[n].bit = (unsigned)strtoul(sp1 + 1, &e, 10);
			width = *e == ':' ? (unsigned)strtoul(e + 1, NULL, 10) :
			    0;
		}
		len = (size_t)(eol - sp3 - 1);
		if (len >= sizeof st[n].name)
			len = sizeof st[n].name - 1;
		memcpy(st[n].name, sp3 + 1, len);
		st[n].name[len] = 0;
		len = (size_t)(sp3 - sp2 - 1);
		if (len >= sizeof desc)
			len = sizeof desc - 1;
		memcpy(desc, sp2 + 1, len);
		desc[len] = 0;
		if (prev >= 0)
			s->c[prev].m[prevm].child = st[n].comp;
		prev = st[n].comp;
		prevm = member(&s->c[prev], st[n].name, st[n].bit, width,
		    desc);
		snprintf(parent, sizeof parent, "%s", key);
		pbit = st[n].bit;
		n++;
		spec = *eol ? eol + 1 : eol;
	}
	return n;
}

static int
mcmp(const void *a, const void *b)
{
	const struct lmember *x = a, *y = b;

	if (x->bit != y->bit)
		return x->bit < y->bit ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int emit_comp(struct lstate *s, int k);

static int
int_type(struct lstate *s, unsigned size, int sign)
{
	char name[16];

	if (size > 8)
		size = 8;
	if (!s->ints[sign][size]) {
		snprintf(name, sizeof name, "__%c%u", sign ? 's' : 'u',
		    size * 8);
		s->ints[sign][size] = btfw_int(s->b, name, size, sign);
	}
	return s->ints[sign][size];
}

/* A member's type from its TYPE; parent/bit name an anonymous one */
static int
emit_desc(struct lstate *s, const char *d, const char *parent, unsigned bit)
{
	unsigned size = 0, n = 0;
	char key[600];
	char c = 0;
	int e;

	if (!strcmp(d, "ptr"))
		return btfw_ptr(s->b, 0);
	if (sscanf(d, "int:%u:%c", &size, &c) == 2)
		return int_type(s, size, c == 's');
	if (!strncmp(d, "enum:", 5)) {
		const char *nm = strchr(d + 5, ':');

		return btfw_enum(s->b, nm ? nm + 1 : "", (unsigned)atoi(d +
		    5));
	}
	if (sscanf(d, "array:%u:", &n) == 1) {
		const char *elem = strchr(d + 6, ':') + 1;
		char sub[600];

		snprintf(sub, sizeof sub, "%s[]", parent);
		e = emit_desc(s, elem, sub, bit);
		if (!s->indextype)
			s->indextype = btfw_int(s->b, "__ARRAY_SIZE_TYPE__", 4,
			    0);
		return btfw_array(s->b, e, s->indextype, n);
	}
	if (!strncmp(d, "struct:", 7) || !strncmp(d, "union:", 6))
		return emit_comp(s, container(s, d, parent, bit, key,
		    sizeof key));
	/* floats and the rest: an integer of the size, if it has one */
	return int_type(s, (unsigned)(strchr(d, ':') ? atoi(strchr(d, ':') +
	    1) : 8), 0);
}

static int
emit_comp(struct lstate *s, int k)
{
	int *types;
	size_t i, nm;
	int id, bf;

	if (s->c[k].id)
		return s->c[k].id;
	nm = s->c[k].nm;
	types = emalloc((nm + 1) * sizeof *types);
	for (i = 0; i < nm; i++) {
		/* s->c may move as types are added: index it afresh */
		struct lmember *m = &s->c[k].m[i];
		int child = m->child;
		unsigned bit = m->bit;
		const char *desc = m->desc;

		types[i] = child >= 0 ? emit_comp(s, child) :
		    emit_desc(s, desc, s->c[k].key, bit);
	}
	for (i = 0, bf = 0; i < nm; i++)
		bf |= s->c[k].m[i].width != 0;
	if (bf)
		id = btfw_bitfields(s->b, s->c[k].name, s->c[k].isunion,
		    s->c[k].size, (unsigned)nm);
	else if (s->c[k].isunion)
		id = btfw_union(s->b, s->c[k].name, s->c[k].size,
		    (unsigned)nm);
	else
		id = btfw_struct(s->b, s->c[k].name, s->c[k].size,
		    (unsigned)nm);
	for (i = 0; i < nm; i++)
		btfw_member(s->b, s->c[k].m[i].name, types[i],
		    s->c[k].m[i].width << 24 | s->c[k].m[i].bit);
	free(types);
	return s->c[k].id = id;
}

static int
mindex(const struct lcomp *c, const char *name, unsigned bit)
{
	size_t i;

	for (i = 0; i < c->nm; i++)
		if (c->m[i].bit == bit && !strcmp(c->m[i].name, name))
			return (int)i;
	bug("core: member '%s' lost", name);
}

void
core_types(struct btfw *b, const char *const *specs, size_t n, int *type,
    char **access)
{
	struct lstate s;
	struct step (*st)[16] = emalloc(n * sizeof *st);
	size_t *nst = emalloc(n * sizeof *nst), i, j;

	memset(&s, 0, sizeof s);
	s.b = b;
	for (i = 0; i < n; i++)
		nst[i] = parse(&s, specs[i], st[i], 16);
	/* members in offset order: libbpf and the kernel want them so */
	for (i = 0; i < s.nc; i++)
		qsort(s.c[i].m, s.c[i].nm, sizeof *s.c[i].m, mcmp);
	for (i = 0; i < n; i++) {
		char buf[200];
		size_t len;

		type[i] = emit_comp(&s, st[i][0].comp);
		len = (size_t)snprintf(buf, sizeof buf, "0");
		for (j = 0; j < nst[i] && len < sizeof buf - 12; j++)
			len += (size_t)snprintf(buf + len, sizeof buf - len,
			    ":%d", mindex(&s.c[st[i][j].comp], st[i][j].name,
			    st[i][j].bit));
		access[i] = estrdup(buf);
	}
	for (i = 0; i < s.nc; i++)
		free(s.c[i].m);
	free(s.c);
	free(st);
	free(nst);
}
