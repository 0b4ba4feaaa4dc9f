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
#include <errno.h>
#include <fnmatch.h>
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

/* The text symbols of vmlinux: "ADDR TYPE NAME", t or T; module
 * symbols ("\t[mod]") are not vmlinux's */
static void
read_kallsyms(void)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512], name[256], type;
	unsigned long long a;

	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		if (strchr(line, '[') ||
		    sscanf(line, "%llx %c %255s", &a, &type, name) != 3)
			continue;
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
 * The context variables of function name, as fields of its pt_regs:
 * the first six parameters in the x86-64 calling convention's
 * registers (di, si, dx, cx, r8, r9), or on return $return in ax.
 */
static struct tracepoint *
fields(const char *name, int ret)
{
	static const int regoff[] = { 112, 104, 96, 88, 72, 64 };
	struct tracepoint *tp = arena_alloc(sizeof *tp);
	const struct btf_type *fn, *proto;
	const struct btf_param *pa;
	unsigned i, n;
	int id;

	tp->group = "kernel";
	tp->name = name;
	tp->kfunc = ret ? 2 : 1;
	tp->fields = arena_alloc(8 * sizeof *tp->fields);
	if (!kf.btf || !(id = kfunc_btfid(name)) ||
	    !(fn = btf__type_by_id(kf.btf, (unsigned)id)) ||
	    !(proto = btf__type_by_id(kf.btf, fn->type)) ||
	    !btf_is_func_proto(proto))
		return tp;
	if (ret) {
		struct tpfield *f = &tp->fields[0];

		f->name = "return";
		f->offset = 80;
		if (proto->type && btf_scalar((int)proto->type, f))
			tp->nfields = 1;
		return tp;
	}
	pa = btf_params(proto);
	n = btf_vlen(proto);
	for (i = 0; i < n && i < NELEM(regoff); i++) {
		struct tpfield *f = &tp->fields[tp->nfields];

		f->name = btf__name_by_offset(kf.btf, pa[i].name_off);
		f->offset = regoff[i];
		if (f->name && *f->name && btf_scalar((int)pa[i].type, f))
			tp->nfields++;
	}
	return tp;
}

static void
add(struct resolver *r, struct node *probe, struct node *pt,
    struct node *body, const char *name)
{
	struct node *cp = node_copy(pt);
	struct node *sfx = pt->args->next->next;

	cp->next = NULL;
	cp->args->next->l->str = name;
	points_add(r, probe, cp, body, fields(name, sfx &&
	    !strcmp(sfx->str, "return")));
}

int
kfunc_expand(struct resolver *r, struct node *probe, struct node *pt,
    struct node *body)
{
	struct node *fn = pt->args->next, *sfx = fn->next;
	int kprobe = !strcmp(pt->args->str, "kprobe"), n = 0;
	const char *pat, *why;
	size_t i;

	if (!fn->l || fn->l->kind != N_STR) {
		diag_error(fn->loc, "%s.function needs a function name "
		    "string", pt->args->str);
		return -1;
	}
	pat = fn->l->str;
	if (sfx && !sfx->l && !kprobe && !strcmp(sfx->str, "exported")) {
		/* 6.x kernels keep no per-symbol __ksymtab_ in kallsyms */
		diag_error(sfx->loc, "'.exported' is not supported: stap-bpf "
		    "cannot tell which kernel functions are exported");
		return -1;
	}
	if (sfx && (sfx->l || sfx->next || (strcmp(sfx->str, "return") &&
	    (kprobe || strcmp(sfx->str, "call"))))) {
		diag_error(sfx->loc, "expected %s after %s.function(\"...\")",
		    kprobe ? ".return" : ".call or .return", pt->args->str);
		return -1;
	}
	if (strpbrk(pat, "@:+")) {
		diag_error(fn->l->loc, "'%s': source files, lines and offsets "
		    "need the kernel's DWARF, which stap-bpf does not read",
		    pat);
		return -1;
	}
	load(r);
	if (!strpbrk(pat, "*?[\\")) {
		if (hash_get(&kf.kall, pat) < 0 &&
		    hash_get(&kf.btfid, pat) < 0)
			return 0;
		if ((why = unprobeable(pat))) {
			diag_error(pt->loc, "cannot probe '%s': %s",
			    point_text(pt), why);
			return -1;
		}
		add(r, probe, pt, body, pat);
		return 1;
	}
	for (i = 0; i < kf.nnames; i++) {
		if (fnmatch(pat, kf.names[i], 0) ||
		    unprobeable(kf.names[i]))
			continue;
		add(r, probe, pt, n ? node_copy(body) : body, kf.names[i]);
		n++;
	}
	return n;
}
