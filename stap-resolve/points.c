/*
 * Probe points to concrete attach points.  A probe with a list of
 * points, wildcards or aliases becomes one probe per concrete point,
 * each with its own copy of the body (its context variables differ):
 * begin, end, error and never run in stap-bpfld; timers and
 * tracepoints in the kernel.  Tracepoints come from tracefs.
 */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "resolve.h"

enum { MAXALIAS = 32 };

static int
ncomps(struct node *pt)
{
	int n = 0;
	struct node *c;

	for (c = pt->args; c; c = c->next)
		n++;
	return n;
}

static struct node *
comp(struct node *pt, int i)
{
	struct node *c = pt->args;

	while (c && i-- > 0)
		c = c->next;
	return c;
}

static int
numarg(struct node *c, int64_t *v)
{
	if (!c->l || c->l->kind != N_NUM)
		return 0;
	*v = c->l->num;
	return 1;
}

static void
add_probe(struct resolver *r, struct node *orig, struct node *pt,
    struct node *body, struct tracepoint *tp)
{
	struct probe *p = arena_alloc(sizeof *p);
	struct node *n = node_new(N_PROBE, orig->loc);

	n->points = node_copy(pt);
	n->points->next = NULL;
	n->body = body;
	p->decl = n;
	p->tp = tp;
	r->probes = vgrow(r->probes, &r->capprobes, r->nprobes + 1,
	    sizeof *r->probes);
	r->probes[r->nprobes++] = p;
}

/* A concrete probe for another file's expansion (kfunc.c, uprobe.c) */
struct probe *
points_add(struct resolver *r, struct node *orig, struct node *pt,
    struct node *body, struct tracepoint *tp)
{
	add_probe(r, orig, pt, body, tp);
	return r->probes[r->nprobes - 1];
}

/* ---- tracefs ---- */

static int expand_trace(struct resolver *r, struct node *probe,
    struct node *pt, struct node *body);

/* A kernel.trace point of another file's making (uprobe.c) */
int
points_trace(struct resolver *r, struct node *probe, struct node *pt,
    struct node *body)
{
	return expand_trace(r, probe, pt, body);
}

static const char *
find_tracefs(void)
{
	static const char *dirs[] = {
		"/sys/kernel/tracing/events",
		"/sys/kernel/debug/tracing/events",
	};
	size_t i;

	for (i = 0; i < NELEM(dirs); i++)
		if (access(dirs[i], R_OK) == 0)
			return dirs[i];
	/* as root we may mount it ourselves, as stap does */
	if (geteuid() == 0 && mount("nodev", "/sys/kernel/tracing",
	    "tracefs", 0, NULL) == 0 && access(dirs[0], R_OK) == 0)
		return dirs[0];
	return NULL;
}

static int
isdir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static struct tracepoint *
tp_new(const char *group, const char *name)
{
	struct tracepoint *tp = arena_alloc(sizeof *tp);

	tp->group = arena_strndup(group, strlen(group));
	tp->name = arena_strndup(name, strlen(name));
	tp->nfields = -1;       /* fields read on first use */
	return tp;
}

/* All tracepoints matching "group:name" (globs), sorted; or "name". */
static struct tracepoint **
tp_match(struct resolver *r, const char *pat, int *np)
{
	struct tracepoint **v = NULL;
	size_t cap = 0;
	struct dirent **g, **e;
	const char *colon = strchr(pat, ':');
	char gpat[256], path[4096];
	const char *npat = colon ? colon + 1 : pat;
	int ng, ne, i, j;

	*np = 0;
	snprintf(gpat, sizeof gpat, "%.*s", colon ? (int)(colon - pat) : 1,
	    colon ? pat : "*");
	/* an exact name needs no directory scan */
	if (colon && !strpbrk(pat, "*?[")) {
		snprintf(path, sizeof path, "%s/%s/%s/format", r->tracefs, gpat,
		    npat);
		if (access(path, R_OK) == 0 || tpbtf_bare(r, npat)) {
			v = vgrow(v, &cap, 1, sizeof *v);
			v[(*np)++] = tp_new(gpat, npat);
			v[0]->bare = access(path, R_OK) != 0;
		}
		return v;
	}
	ng = scandir(r->tracefs, &g, NULL, alphasort);
	for (i = 0; i < ng; i++) {
		snprintf(path, sizeof path, "%s/%s", r->tracefs, g[i]->d_name);
		if (g[i]->d_name[0] == '.' || fnmatch(gpat, g[i]->d_name, 0) ||
		    !isdir(path))
			goto nextg;
		ne = scandir(path, &e, NULL, alphasort);
		for (j = 0; j < ne; j++) {
			char ev[4600];

			snprintf(ev, sizeof ev, "%s/%s/format", path,
			    e[j]->d_name);
			if (e[j]->d_name[0] != '.' &&
			    !fnmatch(npat, e[j]->d_name, 0) &&
			    access(ev, R_OK) == 0) {
				v = vgrow(v, &cap, *np + 1, sizeof *v);
				v[(*np)++] = tp_new(g[i]->d_name, e[j]->d_name);
			}
			free(e[j]);
		}
		if (ne >= 0)
			free(e);
nextg:
		free(g[i]);
	}
	if (ng >= 0)
		free(g);
	return v;
}

/*
 * The syscall events store every argument in 8 bytes, unsigned, however
 * the C type is declared: an int fd of AT_FDCWD would read 4294967196,
 * and the upper half of a 32-bit argument's register is not defined by
 * the ABI.  Read such fields as their C type: the low bytes (x86_64 is
 * little-endian), signed or not.
 */
static void
syscall_ctype(const char *decl, struct tpfield *fl)
{
	static const struct { const char *type; int size, issigned; } t[] = {
		{ "int", 4, 1 }, { "pid_t", 4, 1 }, { "key_t", 4, 1 },
		{ "mqd_t", 4, 1 }, { "timer_t", 4, 1 }, { "clockid_t", 4, 1 },
		{ "key_serial_t", 4, 1 }, { "__s32", 4, 1 }, { "rwf_t", 4, 1 },
		{ "unsigned int", 4, 0 }, { "unsigned long", 8, 0 },
		{ "unsigned", 4, 0 },
		{ "u32", 4, 0 }, { "__u32", 4, 0 }, { "uid_t", 4, 0 },
		{ "gid_t", 4, 0 }, { "qid_t", 4, 0 }, { "umode_t", 2, 0 },
		{ "long", 8, 1 }, { "loff_t", 8, 1 }, { "off_t", 8, 1 },
	};
	size_t i, n;

	if (!strncmp(decl, "const ", 6))
		decl += 6;
	for (i = 0; i < NELEM(t); i++) {
		n = strlen(t[i].type);
		if (!strncmp(decl, t[i].type, n) && decl[n] == ' ' &&
		    !strchr(decl + n, '*')) {
			fl->size = t[i].size;
			fl->issigned = t[i].issigned;
			return;
		}
	}
}

/* "field:TYPE NAME[N];\toffset:O;\tsize:S;\tsigned:G;" lines */
static void
tp_read_fields(struct resolver *r, struct tracepoint *tp)
{
	char path[4096], line[1024];
	FILE *f;
	size_t cap = 0;

	tp->nfields = 0;
	snprintf(path, sizeof path, "%s/%s/%s/format", r->tracefs, tp->group,
	    tp->name);
	if (!(f = fopen(path, "r"))) {
		if (tp->bare)
			tpbtf_fields(r, tp);
		return;
	}
	while (fgets(line, sizeof line, f)) {
		char *decl = strstr(line, "field:"), *semi, *name, *br;
		struct tpfield fl = { 0 };
		const char *o = strstr(line, "offset:");
		const char *sz = strstr(line, "size:");
		const char *sg = strstr(line, "signed:");

		if (!decl || !o || !sz || !sg || !(semi = strchr(decl, ';')))
			continue;
		*semi = '\0';
		decl += 6;
		/* the name is the last word: "char comm[16]", but also
		 * "__data_loc char[] name" */
		name = strrchr(decl, ' ');
		name = name ? name + 1 : decl;
		while (*name == '*')
			name++;
		br = strchr(name, '[');
		if (br)
			*br = '\0';
		fl.name = arena_strndup(name, strlen(name));
		fl.offset = atoi(o + 7);
		fl.size = atoi(sz + 5);
		fl.issigned = atoi(sg + 7);
		if (strstr(decl, "__data_loc"))
			fl.kind = TF_DATALOC;
		else if (br && strstr(decl, "char"))
			fl.kind = TF_CHARARR;
		else if (strchr(decl, '*'))
			fl.kind = TF_PTR;
		else
			fl.kind = TF_INT;
		if (fl.kind == TF_INT && fl.size == 8 &&
		    !strcmp(tp->group, "syscalls"))
			syscall_ctype(decl, &fl);
		tp->fields = vgrow(tp->fields, &cap, tp->nfields + 1,
		    sizeof *tp->fields);
		tp->fields[tp->nfields++] = fl;
	}
	fclose(f);
	/* the C arguments, where BTF has them, replace the fields */
	tpbtf_fields(r, tp);
}

struct tpfield *
tp_field(struct resolver *r, struct probe *p, const char *name)
{
	int i;

	if (!p->tp)
		return NULL;
	if (p->tp->nfields < 0)
		tp_read_fields(r, p->tp);
	/* stap-bpfgen attaches it where the arguments are (tp_btf) */
	if (p->tp->btfargs)
		p->decl->points->flags |= F_TPARGS;
	for (i = 0; i < p->tp->nfields; i++)
		if (!strcmp(p->tp->fields[i].name, name))
			return &p->tp->fields[i];
	return NULL;
}

/* ---- expansion ---- */

static int expand(struct resolver *r, struct node *probe, struct node *pt,
    struct node *body, int depth);

/* A POINT naming the alias name an (component by component, globs). */
static int
alias_matches(struct node *an, struct node *pt)
{
	struct node *a, *c;

	for (a = an->args, c = pt->args; a && c; a = a->next, c = c->next) {
		if (fnmatch(c->str, a->str, 0))
			return 0;
		if ((a->l == NULL) != (c->l == NULL))
			return 0;
		if (a->l && (a->l->kind != c->l->kind ||
		    (a->l->kind == N_STR && strcmp(a->l->str, c->l->str)) ||
		    (a->l->kind == N_NUM && a->l->num != c->l->num)))
			return 0;
	}
	return !a && !c;
}

/* Body of a probe through an alias: prologue before, epilogue after. */
static struct node *
combine(struct node *alias, struct node *body)
{
	struct node *b = node_new(N_BLOCK, body->loc);
	struct node *ab = node_copy(alias->body), *ub = node_copy(body);

	ab->next = ub->next = NULL;
	if (alias->flags & F_EPILOGUE) {
		b->body = ub;
		ub->next = ab;
	} else {
		b->body = ab;
		ab->next = ub;
	}
	return b;
}

/*
 * Index the aliases by the first component of their names: a point
 * whose first component has no glob can only match those, and trying
 * every alias for every probe would be quadratic.
 */
static void
index_aliases(struct resolver *r)
{
	struct node *al, *an;
	struct aliasset *set;
	long k;

	for (al = r->aliases; al; al = al->next)
		for (an = al->args; an; an = an->next) {
			k = hash_get(&r->aliasidx, an->args->str);
			if (k < 0) {
				k = (long)r->naliassets++;
				r->aliassets = vgrow(r->aliassets,
				    &r->capaliassets, r->naliassets,
				    sizeof *r->aliassets);
				memset(&r->aliassets[k], 0, sizeof *set);
				hash_add(&r->aliasidx, an->args->str, k);
			}
			set = &r->aliassets[k];
			if (set->n && set->v[set->n - 1] == al)
				continue;       /* two names, one set */
			set->v = vgrow(set->v, &set->cap, set->n + 1,
			    sizeof *set->v);
			set->v[set->n++] = al;
		}
}

/* -v: say which probe points were dropped, and why (stap-resolve -v) */
int points_verbose;

static void
dropped(struct node *pt, struct node *via, int n)
{
	if (!points_verbose || n != 0)
		return;
	diag_note(pt->loc, "%sprobe point '%s' dropped: it matches nothing "
	    "here", pt->flags & F_OPTIONAL ? "optional " : "",
	    point_text(pt));
	if (via)
		diag_note(via->loc, "in the alias that '%s' names",
		    point_text(via));
}

static int
expand_one_alias(struct resolver *r, struct node *al, struct node *probe,
    struct node *pt, struct node *body, int depth)
{
	struct node *an, *t;
	int n = 0, k;

	for (an = al->args; an; an = an->next) {
		if (!alias_matches(an, pt))
			continue;
		for (t = al->points; t; t = t->next) {
			struct node *tp = node_copy(t);

			tp->next = NULL;
			if (pt->cond && !tp->cond)
				tp->cond = pt->cond;
			k = expand(r, probe, tp, combine(al, body),
			    depth + 1);
			dropped(t, pt, k);
			n += k;
		}
		break;
	}
	return n;
}

static int
expand_alias(struct resolver *r, struct node *probe, struct node *pt,
    struct node *body, int depth)
{
	const char *c0 = pt->args->str;
	struct node *al;
	size_t i;
	long k;
	int n = 0;

	/* with no *, ?, [ or backslash, fnmatch is strcmp */
	if (strpbrk(c0, "*?[\\")) {
		for (al = r->aliases; al; al = al->next)
			n += expand_one_alias(r, al, probe, pt, body, depth);
		return n;
	}
	if ((k = hash_get(&r->aliasidx, c0)) < 0)
		return 0;
	for (i = 0; i < r->aliassets[k].n; i++)
		n += expand_one_alias(r, r->aliassets[k].v[i], probe, pt,
		    body, depth);
	return n;
}

static int
expand_trace(struct resolver *r, struct node *probe, struct node *pt,
    struct node *body)
{
	struct node *c = comp(pt, 1);
	struct tracepoint **tps;
	int n, i;

	if (!c->l || c->l->kind != N_STR) {
		diag_error(c->loc,
		    "kernel.trace needs a \"group:name\" string");
		return -1;
	}
	if (!r->tracefs && !(r->tracefs = find_tracefs())) {
		diag_error(pt->loc, "cannot list tracepoints for '%s': tracefs "
		    "is not mounted at /sys/kernel/tracing", point_text(pt));
		return -1;
	}
	tps = tp_match(r, c->l->str, &n);
	for (i = 0; i < n; i++) {
		struct node *cp = node_copy(pt);
		char name[600];

		cp->next = NULL;
		snprintf(name, sizeof name, "%s:%s", tps[i]->group,
		    tps[i]->name);
		comp(cp, 1)->l->str = arena_strndup(name, strlen(name));
		/* a bare tracepoint is reached by its arguments alone */
		if (tps[i]->bare)
			cp->flags |= F_TPARGS;
		add_probe(r, probe, cp, i ? node_copy(body) : body, tps[i]);
	}
	free(tps);
	return n;
}

/*
 * perf.type(T).config(C)[.sample(N)|.hz(F)], and perf.sw.NAME /
 * perf.hw.NAME for the kernel's generic events, which become the same
 * perf.type(T).config(C) point.
 */
static int
expand_perf(struct resolver *r, struct node *probe, struct node *pt,
    struct node *body)
{
	static const char *sw[] = { "cpu_clock", "task_clock", "page_faults",
	    "context_switches", "cpu_migrations", "page_faults_min",
	    "page_faults_maj", "alignment_faults", "emulation_faults" };
	static const char *hw[] = { "cpu_cycles", "instructions",
	    "cache_references", "cache_misses", "branch_instructions",
	    "branch_misses", "bus_cycles", "stalled_cycles_frontend",
	    "stalled_cycles_backend", "ref_cpu_cycles" };
	struct node *c = pt->args->next, *last;
	int64_t v;
	size_t i;

	(void)r;
	if (c && c->next && (!strcmp(c->str, "sw") || !strcmp(c->str, "hw"))) {
		const char **names = c->str[0] == 's' ? sw : hw;
		size_t n = c->str[0] == 's' ? NELEM(sw) : NELEM(hw);

		for (i = 0; i < n; i++)
			if (!strcmp(c->next->str, names[i]))
				break;
		if (i == n || c->next->l) {
			diag_error(c->next->loc, "unknown perf.%s event '%s'",
			    c->str, c->next->str);
			return -1;
		}
		/* rewrite to the numeric form the back end reads */
		c->str = "type";
		c->l = node_new(N_NUM, c->loc);
		c->l->num = names == sw ? 1 : 0;
		c->next->str = "config";
		c->next->l = node_new(N_NUM, c->next->loc);
		c->next->l->num = (int64_t)i;
	}
	if (!c || strcmp(c->str, "type") || !numarg(c, &v) || v < 0 ||
	    !c->next || strcmp(c->next->str, "config") ||
	    !numarg(c->next, &v) || v < 0) {
		diag_error(pt->loc, "expected perf.type(N).config(N), "
		    "perf.sw.NAME or perf.hw.NAME");
		return -1;
	}
	last = c->next->next;
	if (last && (last->next || !numarg(last, &v) || v <= 0 ||
	    (strcmp(last->str, "sample") && strcmp(last->str, "hz")))) {
		diag_error(last->loc, "expected .sample(N) or .hz(N) with a "
		    "positive N");
		return -1;
	}
	add_probe(r, probe, pt, body, NULL);
	return 1;
}

/* Expand one point; returns how many concrete probes it gave, -1 on error. */
static int
expand(struct resolver *r, struct node *probe, struct node *pt,
    struct node *body, int depth)
{
	int nc = ncomps(pt), n;
	const char *c0 = pt->args->str;
	const char *c1 = nc > 1 ? comp(pt, 1)->str : "";
	int64_t v;

	if (depth > MAXALIAS) {
		diag_error(pt->loc, "probe alias '%s' expands into itself",
		    point_text(pt));
		return -1;
	}
	if ((n = expand_alias(r, probe, pt, body, depth)) != 0)
		return n;
	if ((!strcmp(c0, "begin") || !strcmp(c0, "end") ||
	    !strcmp(c0, "error")) && nc == 1) {
		if (pt->args->l && !numarg(pt->args, &v)) {
			diag_error(pt->loc, "'%s' wants a number (a priority)",
			    c0);
			return -1;
		}
		add_probe(r, probe, pt, body, NULL);
		return 1;
	}
	if (!strcmp(c0, "oneshot") && nc == 1 && !pt->args->l) {
		/* a begin probe that ends the script when it is done */
		struct node *b = node_new(N_BLOCK, body->loc);
		struct node *ex = node_new(N_EXPR, body->loc);

		ex->l = node_new(N_CALL, body->loc);
		ex->l->str = "exit";
		b->body = body;
		body->next = ex;
		add_probe(r, probe, pt, b, NULL);
		return 1;
	}
	if (!strcmp(c0, "never") && nc == 1 && !pt->args->l) {
		add_probe(r, probe, pt, body, NULL);
		return 1;
	}
	if (!strcmp(c0, "timer") && nc >= 2 && nc <= 3 &&
	    timer_unit_ns(c1) >= 0) {
		if (!numarg(comp(pt, 1), &v) || v <= 0) {
			diag_error(comp(pt, 1)->loc,
			    "timer.%s wants a positive "
			    "number", c1);
			return -1;
		}
		if (nc == 3 && (strcmp(comp(pt, 2)->str, "randomize") ||
		    !numarg(comp(pt, 2), &v) || v < 0)) {
			diag_error(comp(pt, 2)->loc, "expected "
			    ".randomize(N) after a timer");
			return -1;
		}
		add_probe(r, probe, pt, body, NULL);
		return 1;
	}
	if (!strcmp(c0, "kernel") && nc == 2 && !strcmp(c1, "trace"))
		return expand_trace(r, probe, pt, body);
	if (!strcmp(c0, "perf"))
		return expand_perf(r, probe, pt, body);
	if ((!strcmp(c0, "kernel") || !strcmp(c0, "kprobe") ||
	    !strcmp(c0, "module")) && nc >= 2 && nc <= 4 &&
	    (!strcmp(c1, "function") || !strcmp(c1, "statement")))
		return kfunc_expand(r, probe, pt, body);
	if (!strcmp(c0, "process"))
		return uprobe_expand(r, probe, pt, body);
	if (!strcmp(c0, "procfs"))
		return procfs_expand(r, probe, pt, body);
	return 0;
}

/* Families stap knows that this runtime does not handle yet. */
static void
no_match(struct node *pt)
{
	static const char *later[] = {
		"kernel", "module", "process", "kprobe",
		"netfilter", "java", "python2", "python3", "input",
	};
	size_t i;

	for (i = 0; i < NELEM(later); i++) {
		if (strcmp(pt->args->str, later[i]) || (pt->args->next &&
		    (!strcmp(pt->args->next->str, "trace") ||
		    ((!strcmp(later[i], "kernel") ||
		    !strcmp(later[i], "kprobe") ||
		    !strcmp(later[i], "module")) &&
		    (!strcmp(pt->args->next->str, "function") ||
		    !strcmp(pt->args->next->str, "statement"))))))
			continue;
		diag_error(pt->loc, "probe point '%s' is not supported by "
		    "stap-bpf yet", point_text(pt));
		return;
	}
	diag_error(pt->loc, "no match for probe point '%s'", point_text(pt));
}

void
points_expand(struct resolver *r)
{
	struct node *d, *pt;
	int n, any, err;

	index_aliases(r);
	for (d = r->s->decls; d; d = d->next) {
		if (d->kind != N_PROBE)
			continue;
		any = err = 0;
		for (pt = d->points; pt; pt = pt->next) {
			struct node *one = node_copy(pt);

			one->next = NULL;
			n = expand(r, d, one,
			    pt->next || any ? node_copy(d->body)
			    : d->body, 0);
			if (n < 0) {
				err = 1;
				continue;
			}
			if (n == 0 && !(pt->flags & F_OPTIONAL))
				no_match(pt);
			else
				dropped(pt, NULL, n);
			if (n > 0)
				any = 1;
			if (n > 0 && (pt->flags & F_SUFFICIENT))
				break;
		}
		if (!any && !err && points_verbose)
			diag_note(d->loc, "probe dropped: none of its points "
			    "matched");
	}
}
