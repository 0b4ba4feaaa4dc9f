/*
 * Kernel functions: kernel.function("PATTERN")[.call|.return|.exported]
 * and kprobe.function("PATTERN")[.return] to one probe per function,
 * without DWARF.  A function is what this kernel's BTF names as a
 * function (its prototype gives the arguments later) or, for a name
 * without globs, any text symbol of /proc/kallsyms; it must have an
 * address in /proc/kallsyms (a function inlined everywhere has none)
 * and, where ftrace lists what it can trace
 * (available_filter_functions), be on that list: kprobe_multi and
 * fentry attach only there, and a notrace function is one the kernel
 * asked not to be traced.  Everything is read on first use only, so
 * scripts without kernel functions pay nothing.
 */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "resolve.h"

static struct {
	int loaded;
	struct btf *btf;        /* NULL: this kernel has no BTF */
	struct hash kall;       /* text symbols of vmlinux -> index in addr */
	uint64_t *addr;         /* their addresses */
	size_t naddr, capaddr;
	int haveftrace;         /* ftrace's list was read */
	uint64_t *ftaddr;       /* the addresses ftrace can trace, sorted */
	size_t nftaddr, capftaddr;
	const char **names;     /* what wildcards match, sorted, unique */
	size_t nnames, capnames;
	struct hash btfid;      /* BTF function name -> type id */
	struct hash exported;   /* __ksymtab_NAME seen: NAME is exported */
	size_t nexported;
	uint64_t *sorted;       /* every text address, sorted: sizes */
	size_t nsorted, capsorted;
	struct modsym {         /* the text symbols of loaded modules */
		const char *name, *mod;
	} *msyms;
	size_t nmsyms, capmsyms;
} kf;

static int
addrcmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int
namecmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A module's text symbol, "ADDR t NAME\t[MOD]" */
static void
modsym(const char *name, const char *mod)
{
	struct modsym *m;

	kf.msyms = vgrow(kf.msyms, &kf.capmsyms, kf.nmsyms + 1,
	    sizeof *kf.msyms);
	m = &kf.msyms[kf.nmsyms++];
	m->name = arena_strndup(name, strlen(name));
	m->mod = kf.nmsyms > 1 && !strcmp(m[-1].mod, mod) ? m[-1].mod :
	    arena_strndup(mod, strlen(mod));
}

/* The text symbols of vmlinux: "ADDR TYPE NAME", t or T; module
 * symbols ("\t[mod]") apart; __ksymtab_NAME, where the kernel lists
 * them, say what is exported */
static void
read_kallsyms(void)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512], name[256], mod[128], type;
	unsigned long long a;

	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		int n = sscanf(line, "%llx %c %255s [%127[^]]", &a, &type,
		    name, mod);

		if (n < 3)
			continue;
		if (type == 't' || type == 'T') {
			kf.sorted = vgrow(kf.sorted, &kf.capsorted,
			    kf.nsorted + 1, sizeof *kf.sorted);
			kf.sorted[kf.nsorted++] = a;
		}
		if (n == 4) {
			if (type == 't' || type == 'T')
				modsym(name, mod);
			continue;
		}
		if (!strncmp(name, "__ksymtab_", 10) && name[10] &&
		    hash_get(&kf.exported, name + 10) < 0) {
			hash_add(&kf.exported, arena_strndup(name + 10,
			    strlen(name + 10)), 1);
			kf.nexported++;
			continue;
		}
		if ((type == 't' || type == 'T') &&
		    hash_get(&kf.kall, name) < 0) {
			char *nm = arena_strndup(name, strlen(name));

			kf.addr = vgrow(kf.addr, &kf.capaddr, kf.naddr + 1,
			    sizeof *kf.addr);
			kf.addr[kf.naddr] = a;
			hash_add(&kf.kall, nm, (long)kf.naddr++);
			/* a wildcard matches names a C function can have
			 * (__x64_sys_getppid has no BTF, vfs_read.cold
			 * is a part of one) */
			if (strspn(nm, "abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") ==
			    strlen(nm)) {
				kf.names = vgrow(kf.names, &kf.capnames,
				    kf.nnames + 1, sizeof *kf.names);
				kf.names[kf.nnames++] = nm;
			}
		}
	}
	fclose(f);
}

static void
read_ftrace(struct resolver *r)
{
	char path[4096], line[512], name[256];
	const char *ev = r->tracefs;
	FILE *f = NULL;
	size_t n;

	/* tracefs is .../events; its list sits beside it */
	if (ev && (n = strlen(ev)) > 7 && !strcmp(ev + n - 7, "/events")) {
		snprintf(path, sizeof path, "%.*s/available_filter_functions",
		    (int)(n - 7), ev);
		f = fopen(path, "r");
	}
	if (!f)
		f = fopen("/sys/kernel/tracing/available_filter_functions",
		    "r");
	if (!f)
		return;
	/* by address: the list names one of a function's aliases
	 * (__do_sys_getppid, not __x64_sys_getppid) */
	while (fgets(line, sizeof line, f)) {
		long k;

		/* "name" or "name [module]" */
		kf.haveftrace = 1;
		if (strchr(line, '[') || sscanf(line, "%255s", name) != 1 ||
		    (k = hash_get(&kf.kall, name)) < 0)
			continue;
		kf.ftaddr = vgrow(kf.ftaddr, &kf.capftaddr, kf.nftaddr + 1,
		    sizeof *kf.ftaddr);
		kf.ftaddr[kf.nftaddr++] = kf.addr[k];
	}
	fclose(f);
	qsort(kf.ftaddr, kf.nftaddr, sizeof *kf.ftaddr, addrcmp);
	/* without root kallsyms shows no addresses: nothing to go by */
	if (kf.nftaddr && kf.ftaddr[kf.nftaddr - 1] == 0)
		kf.haveftrace = 0;
}

static void
load(struct resolver *r)
{
	unsigned i, n;

	if (kf.loaded)
		return;
	kf.loaded = 1;
	read_kallsyms();
	qsort(kf.names, kf.nnames, sizeof *kf.names, namecmp);
	if (kf.nsorted)
		qsort(kf.sorted, kf.nsorted, sizeof *kf.sorted, addrcmp);
	read_ftrace(r);
	kf.btf = btf_kernel(r);
	if (!kf.btf)
		return;
	n = btf__type_cnt(kf.btf);
	for (i = 1; i < n; i++) {
		const struct btf_type *t = btf__type_by_id(kf.btf, i);
		const char *s;

		if (!btf_is_func(t))
			continue;
		s = btf__name_by_offset(kf.btf, t->name_off);
		if (!s || !*s || hash_get(&kf.btfid, s) >= 0)
			continue;
		hash_add(&kf.btfid, s, (long)i);
	}
}

/* Why name cannot be probed, or NULL if it can */
static const char *
unprobeable(const char *name)
{
	long k = hash_get(&kf.kall, name);

	if (k < 0)
		return "it has no address in /proc/kallsyms (inlined, or "
		    "not a function)";
	if (kf.haveftrace && !bsearch(&kf.addr[k], kf.ftaddr, kf.nftaddr,
	    sizeof *kf.ftaddr, addrcmp))
		return "ftrace cannot trace it (notrace, or not in "
		    "available_filter_functions)";
	return NULL;
}

/* The BTF type id of function name's FUNC, or 0 */
int
kfunc_btfid(const char *name)
{
	long id = hash_get(&kf.btfid, name);

	return id < 0 ? 0 : (int)id;
}

/*
 * The context variables of function name (BTF function id in b), as
 * fields of its pt_regs: the first six parameters in the x86-64
 * calling convention's registers (di, si, dx, cx, r8, r9), or on
 * return $return in ax.  A module's BTF is split on vmlinux's: its
 * parameters of vmlinux's types only (what types.c knows).
 */
static struct tracepoint *
fields(struct btf *b, int id, const char *name, int ret)
{
	static const int regoff[] = { 112, 104, 96, 88, 72, 64 };
	struct tracepoint *tp = arena_alloc(sizeof *tp);
	const struct btf_type *fn, *proto;
	const struct btf_param *pa;
	unsigned i, n, base = kf.btf ? btf__type_cnt(kf.btf) : 0;

	tp->group = "kernel";
	tp->name = name;
	tp->kfunc = ret ? 2 : 1;
	tp->fields = arena_alloc(8 * sizeof *tp->fields);
	if (!b || id <= 0 || !(fn = btf__type_by_id(b, (unsigned)id)) ||
	    !(proto = btf__type_by_id(b, fn->type)) ||
	    !btf_is_func_proto(proto))
		return tp;
	if (ret) {
		struct tpfield *f = &tp->fields[0];

		f->name = "return";
		f->offset = 80;
		if (proto->type && proto->type < base &&
		    btf_scalar((int)proto->type, f))
			tp->nfields = 1;
		return tp;
	}
	pa = btf_params(proto);
	n = btf_vlen(proto);
	for (i = 0; i < n && i < NELEM(regoff); i++) {
		struct tpfield *f = &tp->fields[tp->nfields];

		f->name = btf__name_by_offset(b, pa[i].name_off);
		f->offset = regoff[i];
		if (f->name && *f->name && pa[i].type < base &&
		    btf_scalar((int)pa[i].type, f))
			tp->nfields++;
	}
	return tp;
}

/*
 * One concrete probe: pt with function name (a kprobe's "name+0x10",
 * "0xADDR" at an address), its fields tp.  A .maxactive(N) is left
 * out: stap-bpf has no kretprobe instance limit to set (man
 * stap-bpfld)
 */
static void
add(struct resolver *r, struct node *probe, struct node *pt,
    struct node *body, const char *name, struct tracepoint *tp)
{
	struct node *cp = node_copy(pt), *c;

	cp->next = NULL;
	if (name) {
		cp->args->next->l->kind = N_STR;
		cp->args->next->l->str = name;
	}
	for (c = cp->args; c && c->next; c = c->next)
		if (!strcmp(c->next->str, "maxactive"))
			c->next = NULL;
	points_add(r, probe, cp, body, tp);
}

/* The bytes from addr to the next text symbol, or 0 if unknown */
static uint64_t
size_at(uint64_t addr)
{
	size_t lo = 0, hi = kf.nsorted;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (kf.sorted[mid] <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < kf.nsorted ? kf.sorted[lo] - addr : 0;
}

/*
 * kernel.statement("FUNC+OFF") and kprobe.statement(ADDR).absolute: a
 * kprobe at an offset into a function (OFF bytes, decimal or 0x hex)
 * or, in guru mode, at an address.  Lines and files need DWARF.
 */
static int
statement(struct resolver *r, struct node *probe, struct node *pt,
    struct node *body)
{
	struct node *c0 = pt->args, *st = c0->next, *sfx = st->next;
	const char *arg, *plus, *why;
	char *fn, *end, *name;
	unsigned long long off;
	uint64_t size;
	long k;

	if (st->l && st->l->kind == N_NUM) {
		if (!sfx || strcmp(sfx->str, "absolute") || sfx->l ||
		    sfx->next) {
			diag_error(st->loc, "'%s': an address needs "
			    ".absolute (stap-bpf has no DWARF to place it in "
			    "a function)", point_text(pt));
			return -1;
		}
		if (!r->s->facts.guru) {
			diag_error(sfx->loc, "'%s' needs guru mode (-g)",
			    point_text(pt));
			return -1;
		}
		name = arena_alloc(24);
		snprintf(name, 24, "0x%llx", (unsigned long long)st->l->num);
		add(r, probe, pt, body, name, fields(NULL, 0, name, 0));
		return 1;
	}
	if (!st->l || st->l->kind != N_STR) {
		diag_error(st->loc, "%s.statement needs a string or, with "
		    ".absolute, an address", c0->str);
		return -1;
	}
	arg = st->l->str;
	if (sfx) {
		diag_error(sfx->loc, "unexpected '.%s' after %s.statement(\""
		    "...\")", sfx->str, c0->str);
		return -1;
	}
	plus = strchr(arg, '+');
	if (strchr(arg, '@') || strchr(arg, ':') || !plus) {
		/* '?' and '!': what cannot resolve is no match, as stap's
		 * (cve-2016-0728.stp's "join_session_keyring@*+44" !) */
		if (pt->flags & F_OPTIONAL)
			return 0;
		diag_error(st->l->loc, "'%s': source files and lines need "
		    "the kernel's DWARF, which stap-bpf does not read; "
		    "\"FUNCTION+OFFSET\" needs none", arg);
		return -1;
	}
	fn = arena_strndup(arg, (size_t)(plus - arg));
	errno = 0;
	off = strtoull(plus + 1, &end, 0);
	if (!*fn || plus[1] == '-' || !isdigit((unsigned char)plus[1]) ||
	    *end || errno) {
		diag_error(st->l->loc, "'%s': expected FUNCTION+OFFSET, the "
		    "offset a number of bytes", arg);
		return -1;
	}
	if (strpbrk(fn, "*?[\\")) {
		diag_error(st->l->loc, "'%s': an offset into a wildcard's "
		    "functions is not supported", arg);
		return -1;
	}
	load(r);
	if ((k = hash_get(&kf.kall, fn)) < 0)
		return 0;
	if ((why = unprobeable(fn))) {
		diag_error(pt->loc, "cannot probe '%s': %s", point_text(pt),
		    why);
		return -1;
	}
	size = size_at(kf.addr[k]);
	if (size && off >= size) {
		diag_error(st->l->loc, "'%s': offset %llu is past the end of "
		    "%s", arg, off, fn);
		return -1;
	}
	name = arena_alloc(strlen(fn) + 24);
	sprintf(name, "%s+0x%llx", fn, off);
	add(r, probe, pt, body, name, fields(NULL, 0, name, 0));
	return 1;
}

/* The module BTF of mod, split on vmlinux's, or NULL */
static struct btf *
modbtf(const char *mod)
{
	static struct hash seen;
	static struct btf **v;
	static size_t n, cap;
	char path[300];
	long i = hash_get(&seen, mod);

	if (i >= 0)
		return v[i];
	snprintf(path, sizeof path, "/sys/kernel/btf/%s", mod);
	v = vgrow(v, &cap, n + 1, sizeof *v);
	v[n] = kf.btf ? btf__parse_split(path, kf.btf) : NULL;
	hash_add(&seen, arena_strndup(mod, strlen(mod)), (long)n);
	return v[n++];
}

/*
 * module("M").function("F"): the functions of loaded modules, by
 * their kallsyms lines; M and F may be wildcards.  Arguments come
 * from the module's BTF (/sys/kernel/btf/M).  A module not loaded has
 * no functions to probe (stap would look on disk for its DWARF).
 */
static int
modfuncs(struct resolver *r, struct node *probe, struct node *pt,
    struct node *body, int ret, int exported)
{
	struct node *c0 = pt->args, *fn = c0->next;
	const char *mpat = c0->l->str, *pat = fn->l->str;
	int n = 0, anymod = 0;
	size_t i;

	load(r);
	for (i = 0; i < kf.nmsyms; i++) {
		const struct modsym *m = &kf.msyms[i];
		struct btf *b;
		int id;

		if (fnmatch(mpat, m->mod, 0))
			continue;
		anymod = 1;
		if (fnmatch(pat, m->name, 0) || (exported &&
		    hash_get(&kf.exported, m->name) < 0))
			continue;
		b = modbtf(m->mod);
		id = b ? btf__find_by_name_kind(b, m->name, BTF_KIND_FUNC) : 0;
		add(r, probe, pt, n ? node_copy(body) : body, m->name,
		    fields(b, id, m->name, ret));
		n++;
	}
	if (!anymod && !(pt->flags & F_OPTIONAL)) {
		diag_error(c0->l->loc, "module '%s' is not loaded: stap-bpf "
		    "finds a module's functions in /proc/kallsyms", mpat);
		return -1;
	}
	return n;
}

int
kfunc_expand(struct resolver *r, struct node *probe, struct node *pt,
    struct node *body)
{
	struct node *c0 = pt->args, *fn = c0->next, *sfx = fn->next;
	struct node *exp = NULL;
	int kprobe = !strcmp(c0->str, "kprobe"), n = 0, ret, exported;
	int module = !strcmp(c0->str, "module");
	const char *pat, *why;
	size_t i;

	if (module && (!c0->l || c0->l->kind != N_STR)) {
		diag_error(c0->loc, "module needs a module name string");
		return -1;
	}
	if (!strcmp(fn->str, "statement")) {
		if (module && (pt->flags & F_OPTIONAL))
			return 0;
		if (module) {
			diag_error(fn->loc, "'%s': module statements need the "
			    "module's DWARF, which stap-bpf does not read",
			    point_text(pt));
			return -1;
		}
		return statement(r, probe, pt, body);
	}
	if (!fn->l || fn->l->kind != N_STR) {
		diag_error(fn->loc, "%s.function needs a function name "
		    "string", c0->str);
		return -1;
	}
	pat = fn->l->str;
	if (sfx && !sfx->l && !kprobe && !strcmp(sfx->str, "inline")) {
		if (pt->flags & F_OPTIONAL)
			return 0;
		diag_error(sfx->loc, "'.inline' needs the kernel's DWARF (an "
		    "inlined copy has no symbol), which stap-bpf does not "
		    "read");
		return -1;
	}
	if (sfx && !kprobe && !strcmp(sfx->str, "label")) {
		if (pt->flags & F_OPTIONAL)
			return 0;
		diag_error(sfx->loc, "'.label' needs the kernel's DWARF, "
		    "which stap-bpf does not read");
		return -1;
	}
	if (sfx && !sfx->l && !kprobe && !strcmp(sfx->str, "exported")) {
		exp = sfx;
		sfx = sfx->next;
	}
	if (sfx && !strcmp(sfx->str, "return") && !sfx->l && sfx->next &&
	    !strcmp(sfx->next->str, "maxactive")) {
		struct node *m = sfx->next;

		if (!m->l || m->l->kind != N_NUM || m->l->num < 0 ||
		    m->next) {
			diag_error(m->loc, "expected .maxactive(N), N a "
			    "number of instances");
			return -1;
		}
	} else if (sfx && (sfx->l || sfx->next || (strcmp(sfx->str,
	    "return") && (kprobe || strcmp(sfx->str, "call"))))) {
		diag_error(sfx->loc, "expected %s after %s.function(\"...\")",
		    kprobe ? ".return" : ".call or .return", c0->str);
		return -1;
	}
	ret = sfx && !strcmp(sfx->str, "return");
	exported = exp != NULL;
	if (strpbrk(pat, "@:+")) {
		if (pt->flags & F_OPTIONAL)
			return 0;
		diag_error(fn->l->loc, "'%s': source files, lines and offsets "
		    "need the kernel's DWARF, which stap-bpf does not read",
		    pat);
		return -1;
	}
	load(r);
	if (exported && !kf.nexported) {
		/* 6.x kernels keep no per-symbol __ksymtab_ in kallsyms */
		diag_error(exp->loc, "'.exported' is not supported on this "
		    "kernel: its /proc/kallsyms has no __ksymtab_ symbols "
		    "to tell which functions are exported");
		return -1;
	}
	if (module)
		return modfuncs(r, probe, pt, body, ret, exported);
	if (!strpbrk(pat, "*?[\\")) {
		if (hash_get(&kf.kall, pat) < 0 &&
		    hash_get(&kf.btfid, pat) < 0)
			return 0;
		if (exported && hash_get(&kf.exported, pat) < 0)
			return 0;
		if ((why = unprobeable(pat))) {
			diag_error(pt->loc, "cannot probe '%s': %s",
			    point_text(pt), why);
			return -1;
		}
		add(r, probe, pt, body, pat, fields(kf.btf,
		    kfunc_btfid(pat), pat, ret));
		return 1;
	}
	for (i = 0; i < kf.nnames; i++) {
		if (fnmatch(pat, kf.names[i], 0) ||
		    unprobeable(kf.names[i]) || (exported &&
		    hash_get(&kf.exported, kf.names[i]) < 0))
			continue;
		add(r, probe, pt, n ? node_copy(body) : body, kf.names[i],
		    fields(kf.btf, kfunc_btfid(kf.names[i]), kf.names[i],
		    ret));
		n++;
	}
	return n;
}
