/*
 * stap-bpfgen: a resolved stap-tree to a .bo, a BPF ELF object that
 * libbpf opens as it is, with the metadata stap-bpfld needs.
 *
 *     stap-parse x.stp | stap-resolve | stap-bpfgen > x.bo
 */
#include <stdlib.h>
#include <string.h>

#include "gen.h"

struct mapdef {
	const char *name;
	int type;
	unsigned key, value, max, flags;
};

static struct mapdef maps[1024];
static int nmaps;

static int
map(const char *name, int type, unsigned key, unsigned value, unsigned max)
{
	if (nmaps == (int)NELEM(maps))
		fatal("too many global arrays");
	maps[nmaps] = (struct mapdef){ name, type, key, value, max, 0 };
	return nmaps++;
}

/* For gen.c: maps of its own, and the size of an array's */
int
gen_map(const char *name, int type, unsigned key, unsigned value,
    unsigned max)
{
	return map(name, type, key, value, max);
}

unsigned
gen_map_max(int m)
{
	return m >= 0 && m < nmaps ? maps[m].max : 0;
}

unsigned
gen_map_key(int m)
{
	return m >= 0 && m < nmaps ? maps[m].key : 0;
}

unsigned
gen_map_value(int m)
{
	return m >= 0 && m < nmaps ? maps[m].value : 0;
}

const char *
gen_map_name(int m)
{
	return m >= 0 && m < nmaps ? maps[m].name : "?";
}

static void
usage(FILE *f, int status)
{
	fputs("usage: stap-bpfgen [-o FILE] [--dump-ir] [TREE]\n"
	    "  -o FILE          write the .bo to FILE (default: stdout)\n"
	    "  --dump-ir        print each program's IR instead\n"
	    "  --help, --version\n", f);
	exit(status);
}

/* C-quote s into a fresh string, as stap-tree(5) and stap-bo(5) do. */
static char *
quote(const char *s)
{
	size_t n = strlen(s), i;
	char *q = arena_alloc(4 * n + 3), *o = q;

	*o++ = '"';
	for (i = 0; i < n; i++) {
		unsigned char c = s[i];

		switch (c) {
		case '"': *o++ = '\\'; *o++ = '"'; break;
		case '\\': *o++ = '\\'; *o++ = '\\'; break;
		case '\n': *o++ = '\\'; *o++ = 'n'; break;
		case '\t': *o++ = '\\'; *o++ = 't'; break;
		case '\r': *o++ = '\\'; *o++ = 'r'; break;
		default:
			if (c < 0x20 || c >= 0x7f)
				o += sprintf(o, "\\%03o", c);
			else
				*o++ = (char)c;
		}
	}
	*o++ = '"';
	*o = '\0';
	return q;
}

static void
meta(struct bo *bo, const char *fmt, ...)
{
	char buf[1024], *b = buf;
	va_list ap;
	int n;

	/* most records are short; a regex's table is not */
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof buf) {
		b = arena_alloc((size_t)n + 1);
		va_start(ap, fmt);
		vsnprintf(b, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	bo_meta(bo, b);
}

static const char *
tname(enum type t)
{
	return t == T_STRING ? "string" : t == T_STATS ? "stats" : "long";
}

static int64_t
comparg(struct node *c)
{
	return c && c->l && c->l->kind == N_NUM ? c->l->num : 0;
}

/* Sort userspace programs: begin, then end, then error; by priority. */
static int
progcmp(const void *a, const void *b)
{
	const struct prog *x = *(struct prog *const *)a;
	const struct prog *y = *(struct prog *const *)b;
	int kx = !strcmp(x->kind, "begin") ? 0 : !strcmp(x->kind, "end") ? 1 :
	    !strcmp(x->kind, "error") ? 2 : 3;
	int ky = !strcmp(y->kind, "begin") ? 0 : !strcmp(y->kind, "end") ? 1 :
	    !strcmp(y->kind, "error") ? 2 : 3;

	if (!x->section != !y->section)
		return x->section ? 1 : -1;
	if (kx != ky)
		return kx - ky;
	if (x->prio != y->prio)
		return x->prio < y->prio ? -1 : 1;
	return x->order - y->order;
}

/*
 * The histogram of each statistic, from its @hist_log and @hist_linear
 * (stap-resolve saw they agree).  Every statistic's value then has room
 * for the most buckets any has, after count, sum, min and max: one
 * size for all keeps the code that copies values simple.
 */
static void
hist_scan(struct gen *g, struct node *n, int depth)
{
	int i;

	for (; n && depth < 200; n = n->next) {
		if (n->kind == N_STAT && !strncmp(n->str, "@hist", 5) && n->l) {
			struct node *id = n->l->kind == N_INDEX ? n->l->l :
			    n->l;
			int nb = hist_buckets(n);

			if (id->kind == N_IDENT && (id->flags & F_GLOBAL) &&
			    id->num >= 0 && id->num < g->nglobals && nb > 0) {
				g->hist[id->num] = n;
				if (32 + 8 * nb > g->stsize)
					g->stsize = 32 + 8 * nb;
			}
		}
		for (i = 0; i < N_CHILDREN; i++)
			if (i != CH_locals)
				hist_scan(g, *node_child(n, i), depth + 1);
	}
}

/*
 * stap's default MAXNESTING: the deepest chain of calls from one
 * function through others, plus one for the probe's call, plus ten
 * more if some function calls itself again, directly or not.
 */
struct nest {
	struct gen *g;
	int *on;                /* function index -> on the current chain */
	int max, recursive, visits;
};

static void
nest_walk(struct nest *ns, struct node *n, int depth)
{
	int i;

	for (; n && ns->visits < 100000; n = n->next) {
		if (n->kind == N_CALL && !(n->flags & F_BUILTIN) &&
		    n->num >= 0 && n->num < ns->g->nfuncs) {
			ns->visits++;
			if (depth + 1 > ns->max)
				ns->max = depth + 1;
			if (ns->on[n->num]) {
				ns->recursive = 1;
			} else if (depth < 64) {
				ns->on[n->num] = 1;
				nest_walk(ns, ns->g->funcs[n->num]->body,
				    depth + 1);
				ns->on[n->num] = 0;
			}
		}
		for (i = 0; i < N_CHILDREN; i++)
			if (i != CH_locals)
				nest_walk(ns, *node_child(n, i), depth);
	}
}

static int
nesting(struct gen *g)
{
	struct nest ns = { g, NULL, 0, 0, 0 };
	int i;

	ns.on = arena_alloc(sizeof *ns.on * (g->nfuncs + 1));
	for (i = 0; i < g->nfuncs; i++) {
		memset(ns.on, 0, sizeof *ns.on * (g->nfuncs + 1));
		ns.on[i] = 1;
		nest_walk(&ns, g->funcs[i]->body, 0);
	}
	return ns.max + 1 + (ns.recursive ? 10 : 0);
}

static void
layout(struct gen *g, struct script *s)
{
	struct node *d, *v, *k;
	int n = 0;

	for (d = s->decls; d; d = d->next) {
		if (d->kind == N_GLOBAL)
			for (v = d->args; v; v = v->next)
				n++;
		if (d->kind == N_FUNC)
			g->nfuncs++;
	}
	g->gvar = arena_alloc(sizeof *g->gvar * (n + 1));
	g->goff = arena_alloc(sizeof *g->goff * (n + 1));
	g->gmap = arena_alloc(sizeof *g->gmap * (n + 1));
	g->hist = arena_alloc(sizeof *g->hist * (n + 1));
	g->nglobals = n;
	g->stsize = 32;
	for (d = s->decls; d; d = d->next)
		hist_scan(g, d, 0);
	g->nglobals = 0;
	g->funcs = arena_alloc(sizeof *g->funcs * (g->nfuncs + 1));
	g->fnfmt = arena_alloc(sizeof *g->fnfmt * (g->nfuncs + 1));
	g->nfuncs = 0;
	for (d = s->decls; d; d = d->next) {
		if (d->kind == N_FUNC)
			g->funcs[g->nfuncs++] = d;
		if (d->kind != N_GLOBAL)
			continue;
		for (v = d->args; v; v = v->next) {
			int i = g->nglobals++;
			unsigned ksize = 0;
			int size = v->type == T_STRING ? g->maxstr :
			    v->type == T_STATS ? g->stsize : 8;

			g->gvar[i] = v;
			g->gmap[i] = -1;
			if (!v->keys) {
				g->goff[i] = g->gsize;
				g->gsize += size;
				continue;
			}
			for (k = v->keys; k; k = k->next)
				ksize += k->type == T_STRING ? g->maxstr : 8;
			{
				char *name = arena_alloc(strlen(v->str) + 3);

				sprintf(name, "g_%s", v->str);
				g->gmap[i] = map(name, (v->flags & F_WRAP) ?
				    BPF_MAP_TYPE_LRU_HASH : BPF_MAP_TYPE_HASH,
				    ksize, size, (unsigned)v->num);
			}
		}
	}
}

/*
 * A program's relocations and line records; base: where its first
 * instruction lands in the probe's program once libbpf has appended
 * the callbacks (the verifier's log counts that way)
 */
static void
writeprog(struct bo *bo, struct prog *p, int idx, struct prog *probe,
    size_t base)
{
	size_t j;

	for (j = 0; j < p->nrelocs; j++)
		if (p->relocs[j].map < 0)
			bo_funcreloc(bo, idx, p->relocs[j].insn,
			    probe->subs[p->relocs[j].sub]->order);
		else
			bo_reloc(bo, idx, p->relocs[j].insn, p->relocs[j].map);
	for (j = 0; j < p->nlines; j++) {
		struct loc l = p->lines[j].loc;
		struct srcfile *f = src_get(l.file);
		size_t len;
		const char *t = src_line(l.file, l.line, &len);

		if (base != (size_t)-1)
			meta(bo, "line %s %zu %d:%d:%d", probe->name,
			    base + p->lines[j].insn, l.file, l.line, l.col);
		if (p->section && f && t)
			bo_line(bo, idx, p->lines[j].insn, f->name,
			    arena_strndup(t, len), (unsigned)l.line,
			    (unsigned)l.col);
	}
}

/*
 * libbpf appends a callback to the probe's program where it first
 * finds its address taken, then the callbacks that one uses, depth
 * first; place them the same way
 */
static size_t
place(struct prog *probe, struct prog *p, size_t end, size_t *base)
{
	size_t j;

	for (j = 0; j < p->nrelocs; j++) {
		int sub = p->relocs[j].sub;

		if (p->relocs[j].map >= 0 || base[sub] != (size_t)-1)
			continue;
		base[sub] = end;
		end = place(probe, probe->subs[sub], end + probe->subs[sub]->n,
		    base);
	}
	return end;
}

/* Probe p's program (idx in bo) and its callbacks, into .text */
static void
writeprogs(struct bo *bo, struct prog *p, int idx)
{
	size_t *base = arena_alloc(sizeof *base * (p->nsubs + 1)), j;

	for (j = 0; j < p->nsubs; j++) {
		base[j] = (size_t)-1;
		p->subs[j]->order = bo_prog(bo, p->subs[j]->name, ".text", 1,
		    p->subs[j]->insn, p->subs[j]->n);
	}
	place(p, p, p->n, base);
	writeprog(bo, p, idx, p, 0);
	for (j = 0; j < p->nsubs; j++)
		writeprog(bo, p->subs[j], p->subs[j]->order, p, base[j]);
}

/*
 * Read a resolved tree from fi (called input in messages), write the
 * .bo to fo: 0, or 1 after
 * errors.  Separate from main() so a fuzzer can call it again and again;
 * the state it keeps to the end is static, reset here.
 */
int
bpfgen_run(FILE *fi, const char *input, FILE *fo)
{
	static struct gen g;            /* static: its arrays live to the end */
	static struct prog **progs;
	struct script *s;
	size_t nprogs = 0, capprogs = 0, i;
	struct bo *bo;
	struct node *d;
	int order = 0, ringbuf;

	nmaps = 0;
	memset(&g, 0, sizeof g);
	progs = NULL;
	gen_reset();
	s = tree_read(fi, input);
	if (strcmp(s->stage, "resolved"))
		fatal("%s: is a %s stap-tree; stap-bpfgen wants a resolved one "
		    "(from stap-resolve)", input, s->stage);
	g.s = s;
	g.maxstr = (int)facts_define(&s->facts, "MAXSTRINGLEN", 128);
	if (g.maxstr < 16 || g.maxstr > 4096)
		fatal("MAXSTRINGLEN=%d: it must be between 16 and 4096",
		    g.maxstr);
	g.maxstr = (g.maxstr + 7) & ~7;
	ringbuf = (int)facts_define(&s->facts, "STP_BUFSIZE", 1 << 20);

	g.m_ctl = map("stap_ctl", BPF_MAP_TYPE_ARRAY, 4, CTL_SIZE, 1);
	g.m_globals = map("stap_globals", BPF_MAP_TYPE_ARRAY, 4, 8, 1);
	g.m_scratch = map("stap_scratch", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 1);
	g.m_events = map("stap_events", BPF_MAP_TYPE_RINGBUF, 0, 0,
	    (unsigned)ringbuf);
	g.m_fmt = map("stap_fmt", BPF_MAP_TYPE_ARRAY, 4, 8, 1);
	maps[g.m_fmt].flags = BPF_F_RDONLY_PROG;
	layout(&g, s);
	if (check_tree(&g, s) < 0) {
		fprintf(diag_file ? diag_file : stderr, "stap-bpfgen: %d "
		    "error%s\n", nerrors, nerrors == 1 ? "" : "s");
		return 1;
	}

	/* the initialisers run first, as a begin probe of their own */
	for (i = 0; i < (size_t)g.nglobals; i++)
		if (g.gvar[i]->l && g.gmap[i] < 0)
			break;
	if (i < (size_t)g.nglobals) {
		struct prog *p = arena_alloc(sizeof *p);
		struct node *fake = node_new(N_PROBE, g.gvar[i]->loc);

		p->name = "init";
		p->kind = "begin";
		p->prio = INT64_MIN;
		p->order = -1;
		p->probe = fake;
		progs = vgrow(progs, &capprogs, nprogs + 1, sizeof *progs);
		progs[nprogs++] = p;
	}
	for (d = s->decls; d; d = d->next) {
		struct node *pt, *c0, *c1;
		struct prog *p;
		char *name;

		if (d->kind != N_PROBE)
			continue;
		pt = d->points;
		c0 = pt->args;
		c1 = c0->next;
		if (!strcmp(c0->str, "never"))
			continue;
		p = arena_alloc(sizeof *p);
		p->probe = d;
		p->order = order++;
		name = arena_alloc(32);
		if (!strcmp(c0->str, "begin") || !strcmp(c0->str, "end") ||
		    !strcmp(c0->str, "error") || !strcmp(c0->str, "oneshot")) {
			p->kind = strcmp(c0->str, "oneshot") ? c0->str :
			    "begin";
			p->prio = comparg(c0);
			snprintf(name, 32, "%s_%d", c0->str, p->order);
		} else if (!strcmp(c0->str, "timer")) {
			p->kind = "timer";
			p->section = "perf_event";
			snprintf(name, 32, "probe_%d", p->order);
		} else if (!strcmp(c0->str, "perf")) {
			p->kind = "perf";
			p->section = "perf_event";
			snprintf(name, 32, "probe_%d", p->order);
		} else if (!strcmp(c0->str, "kernel") && c1 &&
		    !strcmp(c1->str, "trace")) {
			const char *tp = c1->l->str;
			char *sec = arena_alloc(strlen(tp) + 16);
			const char *colon = strchr(tp, ':');

			p->kind = "tracepoint";
			sprintf(sec, "tracepoint/%.*s/%s",
			    (int)(colon - tp), tp,
			    colon + 1);
			p->section = sec;
			snprintf(name, 32, "probe_%d", p->order);
		} else {
			diag_error(pt->loc, "probe point kind '%s' is not "
			    "supported by stap-bpfgen", c0->str);
			continue;
		}
		p->name = name;
		progs = vgrow(progs, &capprogs, nprogs + 1, sizeof *progs);
		progs[nprogs++] = p;
	}
	if (nprogs)
		qsort(progs, nprogs, sizeof *progs, progcmp);
	g.maxaction = (int)facts_define(&s->facts, "MAXACTION", 1000);
	g.maxnesting = (int)facts_define(&s->facts, "MAXNESTING",
	    nesting(&g));
	for (i = 0; i < nprogs; i++) {
		int save = g.maxaction;

		if (!progs[i]->section)
			g.maxaction = (int)facts_define(&s->facts,
			    "MAXACTION_INTERRUPTIBLE", save * 10);
		gen_probe(&g, progs[i], progs[i]->probe,
		    !strcmp(progs[i]->name, "init"));
		g.maxaction = save;
	}
	if (nerrors) {
		fprintf(diag_file ? diag_file : stderr, "stap-bpfgen: %d "
		    "error%s\n", nerrors, nerrors == 1 ? "" : "s");
		return 1;
	}

	if (ir_dump) {
		/* the IR as lowered, probe by probe, callbacks after */
		fprintf(fo, "stap-ir 1\n");
		for (i = 0; i < nprogs; i++) {
			size_t j;

			ir_print(fo, progs[i]);
			for (j = 0; j < progs[i]->nsubs; j++)
				ir_print(fo, progs[i]->subs[j]);
		}
		fprintf(fo, "end\n");
		outclose(fo);
		return 0;
	}
	maps[g.m_globals].value = g.gsize > 8 ? (unsigned)g.gsize : 8;
	maps[g.m_scratch].value = g.maxtop > 8 ? (unsigned)g.maxtop : 8;
	maps[g.m_fmt].value = g.fmtlen > 8 ? (unsigned)((g.fmtlen + 7) & ~7) :
	    8;
	bo = bo_new();
	for (i = 0; i < (size_t)nmaps; i++)
		if (bo_map(bo, maps[i].name, maps[i].type, maps[i].key,
		    maps[i].value, maps[i].max, maps[i].flags) != (int)i)
			bug("map numbering");
	meta(bo, "@script %s", quote(src_count() ? src_get(0)->name : "-"));
	meta(bo, "@maxstringlen %d", g.maxstr);
	meta(bo, "@scratch %u", maps[g.m_scratch].value);
	meta(bo, "@globals %u", maps[g.m_globals].value);
	meta(bo, "@ringbuf %d", ringbuf);
	for (i = 0; i < (size_t)src_count(); i++) {
		struct srcfile *f = src_get((int)i);
		int l;

		meta(bo, "file %zu %s %d", i, quote(f->name), f->nlines);
		for (l = 1; l <= f->nlines; l++) {
			size_t len;
			const char *t = src_line((int)i, l, &len);
			char *line = arena_strndup(t, len);

			meta(bo, "%s", quote(line));
		}
	}
	for (i = 0; i < (size_t)g.nglobals; i++) {
		struct node *v = g.gvar[i], *k;
		char keys[512];
		size_t kl = 0;

		if (g.gmap[i] < 0) {
			meta(bo, "global %s %d %s", v->str, g.goff[i],
			    tname(v->type));
			continue;
		}
		keys[0] = '\0';
		for (k = v->keys; k && kl < sizeof keys - 10; k = k->next)
			kl += snprintf(keys + kl, sizeof keys - kl, "%s%s",
			    kl ? "," : "", tname(k->type));
		meta(bo, "array %s %s %s %s", v->str, maps[g.gmap[i]].name,
		    tname(v->type), keys);
	}
	for (i = 0; i < nprogs; i++) {
		struct prog *p = progs[i];
		struct node *pt = p->probe->points;
		char extra[256] = "";
		int idx;

		if (pt) {
			struct node *c1 = pt->args->next;

			if (!strcmp(p->kind, "timer")) {
				static const struct {
					const char *u;
					int64_t m;
				}
				    units[] = { { "ns", 1 }, { "us", 1000 },
				    { "ms", 1000000 }, { "s", 1000000000 },
				    { "jiffies", 10000000 }, { "hz", 0 } };
				int64_t v = comparg(c1), ns = v;
				size_t u;

				for (u = 0; u < NELEM(units); u++)
					if (!strcmp(c1->str, units[u].u))
						ns = units[u].m ?
						    v * units[u].m :
						    1000000000 / v;
				snprintf(extra, sizeof extra, " period %lld",
				    (long long)ns);
				if (c1->next)
					snprintf(extra + strlen(extra),
					    sizeof extra - strlen(extra),
					    " randomize %lld", (long long)(
					    comparg(c1->next) * (ns / v)));
			} else if (!strcmp(p->kind, "perf")) {
				struct node *t = c1, *c = c1->next;
				struct node *x = c->next;

				snprintf(extra, sizeof extra,
				    " type %lld config "
				    "%lld %s %lld", (long long)comparg(t),
				    (long long)comparg(c), x && !strcmp(x->str,
				    "hz") ? "freq" : "period", (long long)(x ?
				    comparg(x) : 1000000));
			} else if (!strcmp(p->kind, "tracepoint")) {
				snprintf(extra, sizeof extra, " tracepoint %s",
				    c1->l->str);
			} else {
				snprintf(extra, sizeof extra, " prio %lld",
				    (long long)p->prio);
			}
		} else {
			snprintf(extra, sizeof extra, " prio %lld",
			    (long long)p->prio);
		}
		meta(bo, "probe %s %s %d:%d:%d %s%s", p->name, p->kind,
		    p->probe->loc.file, p->probe->loc.line, p->probe->loc.col,
		    quote(pt ? point_text(pt) : "begin"), extra);
		idx = bo_prog(bo, p->name, p->section, p->section != NULL,
		    p->insn, p->n);
		writeprogs(bo, p, idx);
	}
	for (i = 0; i < g.nformats; i++)
		meta(bo, "format %zu %s %s", i, quote(g.formats[i].fmt),
		    g.formats[i].types);
	for (i = 0; i < g.nfmtstrs; i++)
		if (g.fmtstrs[i].bytes) {
			static const char hex[] = "0123456789abcdef";
			char *h = arena_alloc(2 * g.fmtstrs[i].n + 1);
			size_t k;

			for (k = 0; k < g.fmtstrs[i].n; k++) {
				h[2 * k] = hex[g.fmtstrs[i].bytes[k] >> 4];
				h[2 * k + 1] = hex[g.fmtstrs[i].bytes[k] & 15];
			}
			h[2 * k] = '\0';
			meta(bo, "fmtbytes %d %s", g.fmtstrs[i].off, h);
		} else
			meta(bo, "fmtstr %d %s", g.fmtstrs[i].off,
			    quote(g.fmtstrs[i].s));
	for (i = 0; i < g.nhistrecs; i++) {
		struct node *h = g.histrecs[i], *a = h->args;

		if (!strcmp(h->str, "@hist_log"))
			meta(bo, "hist %zu log", i);
		else
			meta(bo, "hist %zu linear %lld %lld %lld", i,
			    (long long)a->num, (long long)a->next->num,
			    (long long)a->next->next->num);
	}
	for (i = 0; i < g.nsites; i++)
		meta(bo, "site %zu %d:%d:%d %s", i, g.sites[i].loc.file,
		    g.sites[i].loc.line, g.sites[i].loc.col,
		    quote(g.sites[i].msg));
	if (bo_write(bo, fo) < 0)
		fatal("write:");
	outclose(fo);
	bo_free(bo);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *in = NULL, *out = NULL;
	FILE *fi = stdin, *fo = stdout;
	int i;

	argv0 = "stap-bpfgen";
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help"))
			usage(stdout, 0);
		if (!strcmp(argv[i], "--version")) {
			printf("stap-bpfgen %s\n", VERSION);
			return 0;
		}
		if (!strcmp(argv[i], "--dump-ir"))
			ir_dump = 1;
		else if (!strcmp(argv[i], "-o") && i + 1 < argc)
			out = argv[++i];
		else if (argv[i][0] == '-' && argv[i][1])
			usage(stderr, 2);
		else if (!in)
			in = argv[i];
		else
			usage(stderr, 2);
	}
	if (in && strcmp(in, "-") && !(fi = fopen(in, "r")))
		fatal("open '%s':", in);
	if (out && !(fo = fopen(out, "w")))
		fatal("open '%s':", out);
	return bpfgen_run(fi, in ? in : "<stdin>", fo);
}
