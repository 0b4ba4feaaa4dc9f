/*
 * Tracepoint C arguments from the kernel's BTF.  A tracepoint NAME the
 * kernel can hand to BPF has the typedef btf_trace_NAME in vmlinux's
 * BTF: a pointer to a function prototype whose first parameter is the
 * probe's private data (void *), the rest the tracepoint's arguments
 * (TP_PROTO), unnamed; the names are those of the same prototype in
 * __probestub_NAME (6.7 and later) or in the event class's
 * __bpf_trace_CLASS.  As stap does since 4.2, those arguments are the
 * probe's context variables ($prev, $next of sched:sched_switch), in
 * place of the fields of the tracefs record; a BPF program attached as
 * tp_btf or raw_tp sees them as an array of u64, argument i at 8 * i.
 * Events
 * without such a typedef (the syscalls:* events, built at boot from
 * the syscall table) keep their record's fields, and so does
 * --compatible=4.1 or older, as stap's BPF runtime then did.
 *
 * BTF is read on the first context variable of a tracepoint probe, so
 * scripts without any pay nothing for it (about 15 ms here).
 */
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "resolve.h"

static struct {
	int loaded;
	struct btf *btf;        /* NULL: this kernel has no BTF */
	struct hash proto;      /* NAME -> type id of btf_trace_NAME */
	struct hash stub;       /* NAME -> FUNC __probestub_NAME */
	struct hash cls;        /* CLASS -> FUNC __bpf_trace_CLASS */
	struct hash raw;        /* CLASS -> STRUCT trace_event_raw_CLASS */
	unsigned *clsv;         /* the __bpf_trace_ FUNCs */
	size_t nclsv, capclsv;
} tb;

static void
index1(struct hash *h, const char *name, unsigned id)
{
	if (*name && hash_get(h, name) < 0)
		hash_add(h, name, (long)id);
}

/* One pass over the types, not a name lookup a tracepoint: a
 * wildcard's hundreds of probes would scan 100,000 types each */
static void
load(struct resolver *r)
{
	unsigned i, n;

	if (tb.loaded)
		return;
	tb.loaded = 1;
	if (!(tb.btf = btf_kernel(r)))
		return;
	n = btf__type_cnt(tb.btf);
	for (i = 1; i < n; i++) {
		const struct btf_type *t = btf__type_by_id(tb.btf, i);
		const char *s = btf__name_by_offset(tb.btf, t->name_off);

		if (!s || !*s)
			continue;
		if (btf_is_typedef(t) && !strncmp(s, "btf_trace_", 10))
			index1(&tb.proto, s + 10, i);
		else if (btf_is_struct(t) &&
		    !strncmp(s, "trace_event_raw_", 16))
			index1(&tb.raw, s + 16, i);
		else if (btf_is_func(t) && !strncmp(s, "__probestub_", 12))
			index1(&tb.stub, s + 12, i);
		else if (btf_is_func(t) && !strncmp(s, "__bpf_trace_", 12)) {
			index1(&tb.cls, s + 12, i);
			tb.clsv = vgrow(tb.clsv, &tb.capclsv, tb.nclsv + 1,
			    sizeof *tb.clsv);
			tb.clsv[tb.nclsv++] = i;
		}
	}
}

/* The FUNC_PROTO of FUNC id, or NULL */
static const struct btf_type *
funcproto(long id)
{
	const struct btf_type *t;

	if (id <= 0 || !(t = btf__type_by_id(tb.btf, (unsigned)id)) ||
	    !btf_is_func(t) || !(t = btf__type_by_id(tb.btf, t->type)) ||
	    !btf_is_func_proto(t))
		return NULL;
	return t;
}

/* Whether two prototypes take the same parameter types */
static int
sametypes(const struct btf_type *a, const struct btf_type *b)
{
	const struct btf_param *pa = btf_params(a), *pb = btf_params(b);
	unsigned i;

	if (btf_vlen(a) != btf_vlen(b))
		return 0;
	for (i = 0; i < btf_vlen(a); i++)
		if (pa[i].type != pb[i].type)
			return 0;
	return 1;
}

/*
 * Whether the record of event class cls (struct trace_event_raw_CLASS:
 * the common fields as one member, then the event's) has the fields
 * of tp's format file, by name
 */
static int
sameformat(long cls, const struct tracepoint *tp)
{
	const struct btf_type *t;
	const struct btf_member *m;
	const char *s, *cname;
	long id;
	int i = 0, j, n;

	cname = btf__name_by_offset(tb.btf, btf__type_by_id(tb.btf,
	    (unsigned)cls)->name_off) + 12;
	if ((id = hash_get(&tb.raw, cname)) < 0)
		return 0;
	t = btf__type_by_id(tb.btf, (unsigned)id);
	m = btf_members(t);
	n = btf_vlen(t);
	for (j = 1; j < n; j++) {
		s = btf__name_by_offset(tb.btf, m[j].name_off);
		if (!strcmp(s, "__data"))       /* where strings go */
			continue;
		if (!strncmp(s, "__data_loc_", 11))
			s += 11;
		while (i < tp->nfields &&
		    !strncmp(tp->fields[i].name, "common_", 7))
			i++;
		if (i == tp->nfields || strcmp(tp->fields[i++].name, s))
			return 0;
	}
	while (i < tp->nfields && !strncmp(tp->fields[i].name, "common_", 7))
		i++;
	return i == tp->nfields;
}

/*
 * The prototype naming the parameters of tracepoint tp, whose
 * btf_trace_ typedef (anon) has them unnamed: its __probestub_NAME
 * (6.7 and later have one an event), else the __bpf_trace_ function
 * of its event class, which is NAME for most events; else (an event
 * of another class, on older kernels) the class function with the
 * same parameter types, and among several, the one whose record has
 * the fields of tp's format file.  NULL if none or still several.
 */
static const struct btf_type *
namedproto(const struct tracepoint *tp, const struct btf_type *anon)
{
	const struct btf_type *t, *found = NULL;
	size_t i;

	if ((t = funcproto(hash_get(&tb.stub, tp->name))) &&
	    sametypes(t, anon))
		return t;
	if ((t = funcproto(hash_get(&tb.cls, tp->name))) &&
	    sametypes(t, anon))
		return t;
	for (i = 0; i < tb.nclsv; i++) {
		if (!(t = funcproto(tb.clsv[i])) || !sametypes(t, anon) ||
		    !sameformat(tb.clsv[i], tp))
			continue;
		if (found && found != t)
			return NULL;    /* two classes fit */
		found = t;
	}
	return found;
}

/* Whether --compatible=V asks for stap older than 4.2 */
static int
before_4_2(const char *v)
{
	char *e;
	long major, minor = 0;

	if (!v)
		return 0;
	major = strtol(v, &e, 10);
	if (*e == '.')
		minor = strtol(e + 1, NULL, 10);
	return major < 4 || (major == 4 && minor < 2);
}

/*
 * Whether the tracepoints are this kernel's: the BTF read is the
 * running kernel's, and --tracefs DIR may hold another's formats
 */
static int
live(const char *tracefs)
{
	return tracefs && (!strcmp(tracefs, "/sys/kernel/tracing/events") ||
	    !strcmp(tracefs, "/sys/kernel/debug/tracing/events"));
}

int
tpbtf_fields(struct resolver *r, struct tracepoint *tp)
{
	const struct btf_type *t;
	const struct btf_param *pa;
	size_t cap = 0;
	unsigned i, n;
	long id;

	/* the syscall events never have a prototype: no BTF to read */
	if (before_4_2(r->s->compatible) || !strcmp(tp->group, "syscalls") ||
	    !live(r->tracefs))
		return 0;
	load(r);
	if (!tb.btf || (id = hash_get(&tb.proto, tp->name)) < 0)
		return 0;
	/* typedef -> pointer -> func proto (void *, args...) */
	t = btf__type_by_id(tb.btf, (unsigned)id);
	t = t ? btf__type_by_id(tb.btf, t->type) : NULL;
	t = t && btf_is_ptr(t) ? btf__type_by_id(tb.btf, t->type) : NULL;
	if (!t || !btf_is_func_proto(t) || btf_vlen(t) < 1 ||
	    !(t = namedproto(tp, t)))
		return 0;
	pa = btf_params(t);
	n = btf_vlen(t);
	tp->btfargs = 1;
	free(tp->fields);       /* the format's: a vgrow vector */
	tp->fields = NULL;
	tp->nfields = 0;
	for (i = 1; i < n; i++) {
		struct tpfield f = { 0 };
		const char *name = btf__name_by_offset(tb.btf, pa[i].name_off);

		/* a struct by value may take more than its 8 bytes: where
		 * the ones after it are is not sure, so they are left out
		 * with it */
		if (!btf_scalar((int)pa[i].type, &f))
			break;
		if (!name || !*name)
			continue;
		f.name = name;
		f.offset = 8 * (int)(i - 1);
		f.btfid = (int)pa[i].type;
		tp->fields = vgrow(tp->fields, &cap, (size_t)tp->nfields + 1,
		    sizeof *tp->fields);
		tp->fields[tp->nfields++] = f;
	}
	return 1;
}

/*
 * Whether NAME is a bare tracepoint of this kernel: one declared
 * without a trace event (sched:sched_exit_tp), so tracefs does not
 * list it, but BPF reaches it through btf_trace_NAME all the same
 */
int
tpbtf_bare(struct resolver *r, const char *name)
{
	if (before_4_2(r->s->compatible) || !live(r->tracefs))
		return 0;
	load(r);
	return tb.btf && hash_get(&tb.proto, name) >= 0;
}

const char *
tpbtf_alternatives(const struct tracepoint *tp)
{
	size_t len = 16;
	char *b, *e;
	int i;

	for (i = 0; i < tp->nfields; i++)
		len += strlen(tp->fields[i].name) + 2;
	b = e = arena_alloc(len);
	for (i = 0; i < tp->nfields; i++)
		e += sprintf(e, "$%s ", tp->fields[i].name);
	strcpy(e, "$$parms $$vars");
	return b;
}
