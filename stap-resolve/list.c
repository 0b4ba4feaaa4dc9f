/*
 * Listing probe points, as stap -l and -L do: the pattern is the point
 * list of a probe, "probe PATTERN {}", resolved like any script, and
 * each probe it expands to is printed, sorted and once.
 *
 * What is printed is the point as the script would name it.  A tapset
 * alias is listed by its own name, not by what it expands to
 * (syscall.open, not the kernel functions under it), so the aliases a
 * pattern names are found first, here, and each becomes a probe of its
 * own line in a second, synthetic script; a derived probe keeps the
 * location of the probe it came from, so its line says which alias it
 * belongs to.  So do the points of the families that take no argument
 * (begin, perf.sw.cpu_clock), which stap matches by wildcards too, and
 * which the resolver only knows by name.  Anything else (kernel.trace,
 * kernel.function, timer.ms(N)) is listed by each concrete point it
 * expands to.
 *
 * With vars, each point is followed by its context variables as stap
 * prints them: the alias's locals ("name:string"), then the target
 * variables with their C types ("$prev:struct task_struct*"); where a
 * point expands to several probes, only what all of them have.  Errors
 * in the tapset or in what an alias expands to are not shown, as stap
 * does not show them in listing mode: a point that fails to resolve is
 * simply not listed.
 */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "resolve.h"

/* Points of families without arguments, matched by name */
static const char *named[] = {
	"begin", "end", "error", "never", "oneshot",
	"perf.sw.cpu_clock", "perf.sw.task_clock", "perf.sw.page_faults",
	"perf.sw.context_switches", "perf.sw.cpu_migrations",
	"perf.sw.page_faults_min", "perf.sw.page_faults_maj",
	"perf.sw.alignment_faults", "perf.sw.emulation_faults",
	"perf.hw.cpu_cycles", "perf.hw.instructions",
	"perf.hw.cache_references", "perf.hw.cache_misses",
	"perf.hw.branch_instructions", "perf.hw.branch_misses",
	"perf.hw.bus_cycles", "perf.hw.stalled_cycles_frontend",
	"perf.hw.stalled_cycles_backend", "perf.hw.ref_cpu_cycles",
};

/* A line of the synthetic script: a point, and whether it is listed
 * by its own name (an alias, a named point) or by its expansions */
struct cand {
	const char *text;
	int byname;
};

struct entry {
	const char *pp;
	char **vars;
	int nvars;
};

struct buf {
	char *s;
	size_t len, cap;
};

static void
put(struct buf *b, const char *s)
{
	size_t n = strlen(s);

	b->s = vgrow(b->s, &b->cap, b->len + n + 1, 1);
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
}

/* A point as source text, its strings quoted again */
static const char *
point_source(struct node *pt)
{
	struct buf b = { 0 };
	struct node *c;
	const char *s;
	char num[32];

	for (c = pt->args; c; c = c->next) {
		if (c != pt->args)
			put(&b, ".");
		put(&b, c->str);
		if (!c->l)
			continue;
		if (c->l->kind == N_NUM) {
			snprintf(num, sizeof num, "(%lld)",
			    (long long)c->l->num);
			put(&b, num);
			continue;
		}
		put(&b, "(\"");
		for (s = c->l->str; *s; s++) {
			char ch[3] = { '\\', *s, 0 };

			put(&b, *s == '"' || *s == '\\' ? ch : ch + 1);
		}
		put(&b, "\")");
	}
	s = arena_strndup(b.s ? b.s : "", b.len);
	free(b.s);
	return s;
}

/* Does an alias name match the point pt, component by component (the
 * same test as points.c's, which expands the aliases it lists) */
static int
name_matches(struct node *an, struct node *pt)
{
	struct node *a, *c;

	for (a = an->args, c = pt->args; a && c; a = a->next, c = c->next) {
		if (fnmatch(c->str, a->str, 0) ||
		    (a->l == NULL) != (c->l == NULL))
			return 0;
		if (a->l && (a->l->kind != c->l->kind ||
		    (a->l->kind == N_STR && strcmp(a->l->str, c->l->str)) ||
		    (a->l->kind == N_NUM && a->l->num != c->l->num)))
			return 0;
	}
	return !a && !c;
}

/* Does the named point text ("perf.sw.cpu_clock") match pt? */
static int
named_matches(const char *text, struct node *pt)
{
	char comp[64];
	struct node *c;
	const char *s = text, *dot;

	for (c = pt->args; c; c = c->next) {
		if (!*s || c->l)
			return 0;
		dot = strchr(s, '.');
		snprintf(comp, sizeof comp, "%.*s",
		    (int)(dot ? dot - s : (long)strlen(s)), s);
		if (fnmatch(c->str, comp, 0))
			return 0;
		s = dot ? dot + 1 : "";
	}
	return !*s;
}

static void
add_cand(struct cand **v, size_t *n, size_t *cap, const char *text,
    int byname)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (!strcmp((*v)[i].text, text))
			return;
	*v = vgrow(*v, cap, *n + 1, sizeof **v);
	(*v)[*n].text = text;
	(*v)[(*n)++].byname = byname;
}

/* The lines of the synthetic script, for the points of pattern */
static struct cand *
candidates(struct resolver *r, struct node *points, size_t *np)
{
	struct cand *v = NULL;
	struct node *pt, *al, *an;
	size_t cap = 0, i, before;

	*np = 0;
	for (pt = points; pt; pt = pt->next) {
		before = *np;
		for (al = r->aliases; al; al = al->next)
			for (an = al->args; an; an = an->next)
				if (name_matches(an, pt))
					add_cand(&v, np, &cap,
					    point_source(an), 1);
		for (i = 0; i < NELEM(named); i++)
			if (named_matches(named[i], pt))
				add_cand(&v, np, &cap, named[i], 1);
		if (*np == before)
			add_cand(&v, np, &cap, point_source(pt), 0);
	}
	return v;
}

/* ---- types ---- */

/* The one handle of btf.c (the kernel's BTF, or --btf FILE's) */
static const struct btf *
kernel_btf(void)
{
	return btf_kernel(NULL);
}

/*
 * A BTF type as stap names a DWARF one (dwarf_type_name): modifiers
 * after what they modify ("char const*"), arrays as "[]", anonymous
 * structs as "struct {...}", function pointers "int (*)(void*, long)".
 */
static void
btf_name(const struct btf *b, unsigned id, struct buf *o, int depth)
{
	const struct btf_type *t = id ? btf__type_by_id(b, id) : NULL;
	const char *nm;

	if (!t || depth > 32) {
		put(o, "void");
		return;
	}
	nm = btf__name_by_offset(b, t->name_off);
	switch (btf_kind(t)) {
	case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64: case BTF_KIND_FWD:
		put(o, btf_is_enum(t) || btf_is_enum64(t) ? "enum " :
		    btf_is_union(t) || (btf_is_fwd(t) && btf_kflag(t)) ?
		    "union " : "struct ");
		put(o, nm && *nm ? nm : "{...}");
		break;
	case BTF_KIND_PTR: {
		const struct btf_type *to = t->type ?
		    btf__type_by_id(b, t->type) : NULL;

		if (to && btf_is_func_proto(to)) {
			const struct btf_param *p = btf_params(to);
			unsigned i;

			btf_name(b, to->type, o, depth + 1);
			put(o, " (*)(");
			for (i = 0; i < btf_vlen(to); i++) {
				if (i)
					put(o, ", ");
				if (p[i].type)
					btf_name(b, p[i].type, o, depth + 1);
				else
					put(o, "...");
			}
			put(o, btf_vlen(to) ? ")" : "void)");
			break;
		}
		btf_name(b, t->type, o, depth + 1);
		put(o, "*");
		break;
	}
	case BTF_KIND_ARRAY:
		btf_name(b, btf_array(t)->type, o, depth + 1);
		put(o, "[]");
		break;
	case BTF_KIND_CONST: case BTF_KIND_VOLATILE: case BTF_KIND_RESTRICT:
		btf_name(b, t->type, o, depth + 1);
		put(o, btf_is_const(t) ? " const" : btf_is_volatile(t) ?
		    " volatile" : " restrict");
		break;
	case BTF_KIND_TYPE_TAG:         /* __user and such: not C types */
		btf_name(b, t->type, o, depth + 1);
		break;
	default:                        /* int, float, typedef */
		put(o, nm && *nm ? nm : "void");
		break;
	}
}

/* The C type of a kernel function's parameter (or return value) */
static const char *
kfunc_type(const struct tracepoint *tp, const struct tpfield *f)
{
	const struct btf *b = kernel_btf();
	const struct btf_type *fn, *proto;
	const struct btf_param *pa;
	struct buf o = { 0 };
	unsigned i, id = 0;
	const char *s;
	int fid;

	if (!b || !(fid = kfunc_btfid(tp->name)) ||
	    !(fn = btf__type_by_id(b, (unsigned)fid)) ||
	    !(proto = btf__type_by_id(b, fn->type)))
		return NULL;
	if (tp->kfunc == 2) {
		id = proto->type;
	} else {
		pa = btf_params(proto);
		for (i = 0; i < btf_vlen(proto); i++)
			if (!strcmp(btf__name_by_offset(b, pa[i].name_off),
			    f->name))
				id = pa[i].type;
	}
	btf_name(b, id, &o, 0);
	s = arena_strndup(o.s, o.len);
	free(o.s);
	return s;
}

/* The C type of a tracepoint field, from its format file's
 * "field:TYPE NAME[N];" line, the name taken out ("char[16]") */
static const char *
tracefs_type(struct resolver *r, const struct tracepoint *tp,
    const struct tpfield *f)
{
	char path[4096], line[1024], out[1024];
	FILE *fp;
	size_t nl = strlen(f->name), o;

	snprintf(path, sizeof path, "%s/%s/%s/format", r->tracefs, tp->group,
	    tp->name);
	if (!r->tracefs || !(fp = fopen(path, "r")))
		return NULL;
	while (fgets(line, sizeof line, fp)) {
		char *d = strstr(line, "field:"), *semi, *nm, *s;

		if (!d || !(semi = strchr(d, ';')))
			continue;
		*semi = '\0';
		d += 6;
		nm = strrchr(d, ' ');
		if (!nm || strncmp(nm + 1, f->name, nl) ||
		    (nm[1 + nl] && nm[1 + nl] != '['))
			continue;
		/* "TYPE *" + "[N]", the blanks before stars dropped */
		*nm = '\0';
		for (o = 0, s = d; *s && o < sizeof out - 1; s++)
			if (*s != ' ' || (s[1] != '*' && s[1]))
				out[o++] = *s;
		snprintf(out + o, sizeof out - o, "%s", nm + 1 + nl);
		fclose(fp);
		return arena_strndup(out, strlen(out));
	}
	fclose(fp);
	return NULL;
}

/*
 * The type a context variable is listed with.  One function for every
 * kind of probe, so that a new source of types (the tracepoints' BTF
 * arguments) needs a case here and nothing else.
 */
static const char *
list_type(struct resolver *r, const struct tracepoint *tp,
    const struct tpfield *f)
{
	const char *t;
	struct buf o = { 0 };

	if (f->btfid && kernel_btf()) {
		/* a tracepoint's C argument (tpbtf.c) */
		btf_name(kernel_btf(), (unsigned)f->btfid, &o, 0);
		t = arena_strndup(o.s, o.len);
		free(o.s);
		return t;
	}
	t = tp->kfunc ? kfunc_type(tp, f) : tracefs_type(r, tp, f);

	if (t)
		return t;
	/* what the resolver makes of it, if the C type is lost */
	return f->kind == TF_PTR ? "void*" : f->kind == TF_INT ? "long" :
	    "char[]";
}

/* ---- the listing ---- */

static int
has(const struct entry *e, const char *v)
{
	int i;

	for (i = 0; i < e->nvars; i++)
		if (!strcmp(e->vars[i], v))
			return 1;
	return 0;
}

static void
add_var(struct entry *e, size_t *cap, const char *name, const char *type)
{
	size_t n = strlen(name) + strlen(type) + 2;
	char *v = arena_alloc(n);

	snprintf(v, n, "%s:%s", name, type);
	if (has(e, v))
		return;
	e->vars = vgrow(e->vars, cap, (size_t)e->nvars + 1, sizeof *e->vars);
	e->vars[e->nvars++] = v;
}

/* The variables of probe p, as stap's -L: locals, then $targets */
static void
probe_vars(struct resolver *r, struct probe *p, struct entry *e)
{
	size_t cap = 0, i;
	int k;

	for (i = 0; i < p->nlocals; i++) {
		struct sym *s = p->locals[i];

		add_var(e, &cap, s->name, s->type == T_UNKNOWN ? "unknown" :
		    type_name[s->type]);
	}
	if (!p->tp)
		return;
	/* a field lookup reads a tracepoint's format file, once */
	if (p->tp->nfields < 0)
		(void)tp_field(r, p, "");
	for (k = 0; k < p->tp->nfields; k++) {
		const struct tpfield *f = &p->tp->fields[k];
		char name[256];

		/* every tracepoint has the common_ fields: stap never
		 * lists them */
		if (!p->tp->kfunc && !strncmp(f->name, "common_", 7))
			continue;
		snprintf(name, sizeof name, "$%s", f->name);
		add_var(e, &cap, name, list_type(r, p->tp, f));
	}
}

static int
entrycmp(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->pp,
	    ((const struct entry *)b)->pp);
}

/* Print the entries, sorted, a point once: with vars, those of its
 * first probe that all its probes have */
static void
print_entries(FILE *fo, struct entry *v, size_t n, int vars)
{
	size_t i, j, k;
	int a;

	qsort(v, n, sizeof *v, entrycmp);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && !strcmp(v[j].pp, v[i].pp); j++)
			;
		fputs(v[i].pp, fo);
		for (a = 0; vars && a < v[i].nvars; a++) {
			for (k = i + 1; k < j && has(&v[k], v[i].vars[a]); k++)
				;
			if (k == j)
				fprintf(fo, " %s", v[i].vars[a]);
		}
		fputc('\n', fo);
	}
}

/* The synthetic script: a probe a line, for each candidate */
static struct script *
synthetic(struct facts *f, struct cand *c, size_t nc)
{
	struct buf b = { 0 };
	size_t i;
	int file;

	for (i = 0; i < nc; i++) {
		put(&b, "probe ");
		put(&b, c[i].text);
		put(&b, " {}\n");
	}
	file = src_add("<input>", b.s ? b.s : "", b.len);
	free(b.s);
	return parse_script(f, file, NULL, NULL, 0);
}

/* A fresh resolver over s, the tapset loaded */
static void
start(struct resolver *r, struct script *s, const char *tracefs,
    const char **dirs, int ndirs)
{
	memset(r, 0, sizeof *r);
	tapset_reset();
	tapset_uncache();
	r->tracefs = tracefs;
	r->s = s;
	r->maxmapentries = facts_define(&s->facts, "MAXMAPENTRIES", 2048);
	r->listing = 1;
	tapset_load(r, dirs, ndirs);
}

/*
 * Whether p is one of the listing's own probes: not the begin probe
 * of a tapset file it uses, nor one that saves @entry values
 */
static int
listed(struct probe *p, int file, size_t nc)
{
	int line = p->decl->loc.line;

	return !p->entry && p->decl->loc.file == file && line >= 1 &&
	    (size_t)line <= nc;
}

/*
 * List the points pattern matches to fo, with their variables if vars:
 * 0, or 1 if there are none (stap's status) or pattern does not parse
 * (reported).  tracefs and the tapset dirs are as for resolve_run.
 */
int
list_run(const char *pattern, int vars, const char *tracefs,
    const char **dirs, int ndirs, FILE *fo)
{
	static struct resolver r;
	struct facts f;
	struct script *s;
	struct cand *c;
	struct entry *ev;
	size_t nc = 0, i, k, len = strlen(pattern) + sizeof "probe  {}";
	char *text = arena_alloc(len), *used;
	int file;
	FILE *save = diag_file, *null;

	facts_default(&f);
	facts_finish(&f, 1);
	snprintf(text, len, "probe %s {}", pattern);
	s = parse_script(&f, src_add("<input>", text, strlen(text)), NULL,
	    NULL, 0);
	if (nerrors) {
		fprintf(stderr, "stap-resolve: %d parse error%s\n", nerrors,
		    nerrors == 1 ? "" : "s");
		return 1;
	}
	if (!s->decls || s->decls->kind != N_PROBE || s->decls->next)
		fatal("'%s' is not a probe point list", pattern);
	if (!(null = fopen("/dev/null", "w")))
		fatal("open '/dev/null':");
	diag_file = null;
	start(&r, s, tracefs, dirs, ndirs);
	c = candidates(&r, s->decls->points, &nc);
	r.s = synthetic(&f, c, nc);
	file = r.s->decls ? r.s->decls->loc.file : -1;
	sym_resolve(&r);
	/*
	 * A candidate that matched nothing is an error, and after errors
	 * there are no types: for -L, again without those.  Errors that
	 * remain are in bodies, which cannot be typed: their locals are
	 * listed as of unknown type.
	 */
	if (vars && nerrors) {
		used = arena_alloc(nc + 1);
		for (i = 0; i < r.nprobes; i++)
			if (listed(r.probes[i], file, nc))
				used[r.probes[i]->decl->loc.line - 1] = 1;
		for (i = k = 0; i < nc; i++)
			if (used[i])
				c[k++] = c[i];
		nc = k;
		resolver_free(&r);
		nerrors = nwarnings = 0;
		start(&r, s, r.tracefs, dirs, ndirs);
		r.s = synthetic(&f, c, nc);
		file = r.s->decls ? r.s->decls->loc.file : -1;
		sym_resolve(&r);
	}
	if (vars && !nerrors)
		types_infer(&r);
	diag_file = save;
	fclose(null);
	ev = arena_alloc((r.nprobes + 1) * sizeof *ev);
	for (i = k = 0; i < r.nprobes; i++) {
		struct probe *p = r.probes[i];
		int line = p->decl->loc.line;

		if (!listed(p, file, nc))
			continue;
		ev[k].pp = c[line - 1].byname ? c[line - 1].text :
		    point_text(p->decl->points);
		if (vars)
			probe_vars(&r, p, &ev[k]);
		k++;
	}
	print_entries(fo, ev, k, vars);
	for (i = 0; i < k; i++)
		free(ev[i].vars);
	resolver_free(&r);
	free(c);
	return k ? 0 : 1;
}
