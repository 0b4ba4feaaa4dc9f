/*
 * stap-bpfgen: a resolved stap-tree to a .bo, a BPF ELF object that
 * libbpf opens as it is, with the metadata stap-bpfld needs.
 *
 *     stap-parse x.stp | stap-resolve | stap-bpfgen > x.bo
 */
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "../lib/meta.h"

/* { "name", nr } of every system call <asm/unistd.h> numbers, sorted:
 * made by the Makefile */
static const struct sysnr {
	const char *name;
	int nr;
} sysnrs[] = {
#include "syscalls.h"
};

struct mapdef {
	const char *name;
	int type;
	unsigned key, value, max, flags;
	int data;               /* a global-data map (bo_data) */
};

/* syscall events probed from which they go on raw_syscalls (combine) */
enum { SYSRAW_MIN = 8 };

static struct mapdef maps[1024];
static int nmaps;

static int
map(const char *name, int type, unsigned key, unsigned value, unsigned max)
{
	if (nmaps == (int)NELEM(maps))
		fatal("too many global arrays");
	maps[nmaps] = (struct mapdef){ name, type, key, value, max, 0, 0 };
	return nmaps++;
}

int
gen_map_data(int m)
{
	return m >= 0 && m < nmaps && maps[m].data;
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

/* The letter of a type in the writer's records (lib/meta.h) */
static char
tletter(enum type t)
{
	return t == T_STRING ? 's' : t == T_STATS ? 'S' : 'l';
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

	for (; n && depth < TREE_MAXDEPTH; n = n->next) {
		if (n->kind == N_STAT && !strcmp(n->str, "@variance") &&
		    n->l) {
			struct node *id = n->l->kind == N_INDEX ? n->l->l :
			    n->l;

			if (id->kind == N_IDENT && (id->flags & F_GLOBAL) &&
			    id->num >= 0 && id->num < g->nglobals)
				g->var[id->num] = 1;
		}
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

/* How many levels n's tree nests below n (n's siblings aside) */
int
gen_depth(struct node *n)
{
	int i, d, max = 0;
	struct node *c;

	for (i = 0; i < N_CHILDREN; i++)
		for (c = *node_child(n, i); c; c = c->next)
			if ((d = 1 + gen_depth(c)) > max)
				max = d;
	return max;
}

/*
 * stap's default MAXNESTING: the longest chain of calls from one
 * function through others, each function once, plus one for the
 * probe's call, plus ten more if some function calls itself again,
 * directly or not.  The calls each function makes are found first (a
 * walk of its tree, at most TREE_MAXDEPTH deep), then the chains are
 * walked with a stack of our own: a chain can be as long as there are
 * functions.  Chains are many in a dense call graph, so the walk stops
 * after 100000 calls (stap's walks them all).
 */
struct callees {
	int *f;
	size_t n, cap;
};

static void
calls_in(struct gen *g, struct callees *c, struct node *n)
{
	int i;

	for (; n; n = n->next) {
		if (n->kind == N_CALL && !(n->flags & F_BUILTIN) &&
		    n->num >= 0 && n->num < g->nfuncs) {
			c->f = vgrow(c->f, &c->cap, c->n + 1, sizeof *c->f);
			c->f[c->n++] = (int)n->num;
		}
		for (i = 0; i < N_CHILDREN; i++)
			if (i != CH_locals)
				calls_in(g, c, *node_child(n, i));
	}
}

static int
nesting(struct gen *g)
{
	struct callees *c = arena_alloc(sizeof *c * (g->nfuncs + 1));
	int *on = arena_alloc(sizeof *on * (g->nfuncs + 1));
	int *fn = arena_alloc(sizeof *fn * (g->nfuncs + 1));
	size_t *next = arena_alloc(sizeof *next * (g->nfuncs + 1));
	int i, sp, max = 0, recursive = 0;
	long visits = 0;

	for (i = 0; i < g->nfuncs; i++)
		calls_in(g, &c[i], g->funcs[i]->body);
	for (i = 0; i < g->nfuncs && visits < 100000; i++) {
		/* fn[0..sp] is the chain, next[k] fn[k]'s next call */
		fn[sp = 0] = i;
		next[0] = 0;
		on[i] = 1;
		while (sp >= 0) {
			int f = fn[sp], t;

			if (next[sp] == c[f].n || visits >= 100000) {
				on[f] = 0;
				sp--;
				continue;
			}
			t = c[f].f[next[sp]++];
			visits++;
			if (sp + 1 > max)
				max = sp + 1;
			if (on[t]) {
				recursive = 1;
				continue;
			}
			on[t] = 1;
			fn[++sp] = t;
			next[sp] = 0;
		}
	}
	for (i = 0; i < g->nfuncs; i++)
		free(c[i].f);
	return max + 1 + (recursive ? 10 : 0);
}

static void
layout(struct gen *g, struct script *s)
{
	struct node *d, *v, *k;
	int n = 0, w;

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
	g->var = arena_alloc(n + 1);
	g->stsize = 32;
	hist_scan(g, s->decls, 0);      /* the list once: it walks next */
	/* @variance's two sums go after the buckets (var.c) */
	for (w = 0; w < n && !g->var[w]; w++)
		;
	if (w < n) {
		g->stvar = g->stsize;
		g->stsize += 16;
	}
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
		if (p->relocs[j].map == -2) {
			/* begin and end run in user space, as compiled */
			if (p->section)
				bo_core(bo, idx, p->relocs[j].insn,
				    typed_core_spec(p->relocs[j].sub),
				    p->relocs[j].sub % 8);
		} else if (p->relocs[j].map < 0)
			bo_funcreloc(bo, idx, p->relocs[j].insn,
			    probe->subs[p->relocs[j].sub]->order);
		else
			bo_reloc(bo, idx, p->relocs[j].insn, p->relocs[j].map);
	for (j = 0; j < p->nlines; j++) {
		struct loc l = p->lines[j].loc;
		struct srcfile *f = src_get(l.file);
		size_t len;
		const char *t = src_line(l.file, l.line, &len);

		if (base != (size_t)-1) {
			struct meta_line ml = { (char *)probe->name,
			    base + p->lines[j].insn, l };

			bo_meta(bo, meta_rec_line(&ml));
		}
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

		if (p->relocs[j].map != -1 || base[sub] != (size_t)-1)
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

/* The probe record of p */
static struct meta_probe *
probe_rec(struct prog *p)
{
	struct meta_probe *r = arena_alloc(sizeof *r);
	struct node *pt = p->probe->points, *c1 = pt ? pt->args->next : NULL;

	memset(r, 0, sizeof *r);
	r->prog = (char *)p->name;
	r->kind = meta_probekind(p->kind);
	r->loc = p->probe->loc;
	r->point = (char *)(pt ? point_text(pt) : "begin");
	r->prio = (long)p->prio;
	if (!pt)
		return r;
	if (r->kind == PK_TIMER) {
		int64_t v = comparg(c1), ns = timer_unit_ns(c1->str);

		ns = ns ? v * ns : 1000000000 / v;
		r->period = (uint64_t)ns;
		if (c1->next)
			r->randomize = (uint64_t)(comparg(c1->next) *
			    (ns / v));
	} else if (r->kind == PK_PERF) {
		struct node *x = c1->next->next;

		r->type = (uint64_t)comparg(c1);
		r->config = (uint64_t)comparg(c1->next);
		if (x && !strcmp(x->str, "hz"))
			r->freq = (uint64_t)comparg(x);
		else
			r->period = (uint64_t)(x ? comparg(x) : 1000000);
	} else if (r->kind == PK_KPROBE) {
		r->funcs = (char **)p->kfuncs;
		r->nfuncs = p->nkfuncs;
		r->ret = p->kret;
	} else if (r->kind == PK_UPROBE) {
		r->path = (char *)p->upath;
		r->offs = p->uoffs;
		r->refs = p->urefs;
		r->noffs = p->nuoffs;
		r->ret = p->kret;
	} else if (r->kind == PK_PROCFS) {
		procfs_point(pt, r);
	} else if (r->kind == PK_TRACEPOINT) {
		/* p->tp, not the point: probes may go on raw_syscalls */
		char *tp = arena_strndup(p->tp, strlen(p->tp));
		char *colon = strchr(tp, ':');

		*colon = '\0';
		r->tpgroup = tp;
		r->tpname = colon + 1;
		r->probes = p->nmembers;
		r->tpargs = p->tpargs;
	}
	if (r->kind == PK_TIMER || r->kind == PK_PERF)
		r->ticks = (uint64_t)p->ticks + 1;
	return r;
}

/* Whether n, its children or what follows it use a context variable */
static int
uses_target(struct node *n, int depth)
{
	int i;

	for (; n && depth < TREE_MAXDEPTH; n = n->next) {
		if (n->kind == N_TARGET)
			return 1;
		for (i = 0; i < N_CHILDREN; i++)
			if (uses_target(*node_child(n, i), depth + 1))
				return 1;
	}
	return 0;
}

/*
 * The functions a wildcard kernel.function point matched come as a
 * probe each, with the same point and body locations.  Where the body
 * does the same on each (no context variables: their types and places
 * are the function's), one program serves them all, attached to every
 * function at once (kprobe_multi): hundreds attach in a moment, where
 * a program each would be loaded and verified one by one.  d joins
 * the kprobe of progs[0..n) that came from the same point, if any.
 */
static int
kprobe_join(struct gen *g, struct prog **progs, size_t n, struct node *d,
    int ret)
{
	struct node *pt = d->points;
	size_t i;

	if (uses_target(d->body, 0) || stack_per_function(g, d))
		return 0;
	for (i = n; i-- > 0;) {
		struct prog *q = progs[i];
		struct node *qp = q->probe->points;

		if (strcmp(q->kind, "kprobe") || q->kret != ret ||
		    memcmp(&qp->loc, &pt->loc, sizeof pt->loc) ||
		    memcmp(&q->probe->loc, &d->loc, sizeof d->loc) ||
		    uses_target(q->probe->body, 0) ||
		    stack_per_function(g, q->probe))
			continue;
		q->kfuncs = vgrow(q->kfuncs, &q->capkfuncs, q->nkfuncs + 1,
		    sizeof *q->kfuncs);
		q->kfuncs[q->nkfuncs++] = pt->args->next->l->str;
		return 1;
	}
	return 0;
}

static int
sysnrcmp(const void *k, const void *e)
{
	return strcmp(k, ((const struct sysnr *)e)->name);
}

/* The number of system call name, or -1; the event names that differ */
static int
sysnr(const char *name)
{
	static const char *alias[][2] = {
		{ "newfstat", "fstat" }, { "newlstat", "lstat" },
		{ "newstat", "stat" }, { "newuname", "uname" },
		{ "sendfile64", "sendfile" }, { "umount", "umount2" },
	};
	const struct sysnr *e;
	size_t i;

	for (i = 0; i < NELEM(alias); i++)
		if (!strcmp(name, alias[i][0]))
			name = alias[i][1];
	e = bsearch(name, sysnrs, NELEM(sysnrs), sizeof *sysnrs, sysnrcmp);
	return e ? e->nr : -1;
}

/*
 * A syscalls:sys_enter_NAME or sys_exit_NAME probe: the raw_syscalls
 * tracepoint it can go on, setting *nr, or NULL
 */
static const char *
sysraw(const char *tp, int64_t *nr)
{
	static const char *const ev[][2] = {
		{ "syscalls:sys_enter_", "raw_syscalls:sys_enter" },
		{ "syscalls:sys_exit_", "raw_syscalls:sys_exit" },
	};
	size_t i, n;

	for (i = 0; i < NELEM(ev); i++) {
		n = strlen(ev[i][0]);
		if (!strncmp(tp, ev[i][0], n) && (*nr = sysnr(tp + n)) >= 0)
			return ev[i][1];
	}
	return NULL;
}

static void
member(struct prog *p, struct node *probe, int64_t nr)
{
	p->members = vgrow(p->members, &p->capmembers, p->nmembers + 1,
	    sizeof *p->members);
	p->members[p->nmembers].probe = probe;
	p->members[p->nmembers++].nr = nr;
}

/*
 * Probes on one tracepoint become one program running their bodies in
 * script order, as stap combines them: the kernel runs at most 64
 * programs on a tracepoint's perf event (BPF_TRACE_MAX_PROGS), stap
 * any number of probes.  And with many syscall probes (syscalls:*),
 * those whose system call has a number here go on raw_syscalls, one
 * program a direction that tests the id: its record lays out the
 * arguments as the syscall events do, and closing a perf event of a
 * tracepoint costs an RCU grace period (under the kernel's event_mutex,
 * so one after the other: 72 ms each here), which two events pay
 * instead of hundreds.  progs are in script order; returns how many
 * are left.
 */
static size_t
combine(struct prog **progs, size_t n)
{
	size_t i, j, k = 0, nsys = 0;
	int64_t nr;

	for (i = 0; i < n; i++) {
		if (!progs[i]->tp || !sysraw(progs[i]->tp, &nr))
			continue;
		for (j = 0; j < i && !(progs[j]->tp &&
		    !strcmp(progs[j]->tp, progs[i]->tp)); j++)
			;
		nsys += j == i;
	}
	for (i = 0; i < n; i++) {
		struct prog *p = progs[i];
		const char *raw;

		nr = -1;
		if (p->tp && nsys >= SYSRAW_MIN && (raw = sysraw(p->tp, &nr))) {
			char *sec = arena_alloc(strlen(raw) + 16);

			sprintf(sec, "tracepoint/%s", raw);
			*strchr(sec + 11, ':') = '/';
			p->tp = raw;
			p->section = sec;
		} else
			nr = -1;
		/* C arguments or the record: two programs */
		for (j = 0; j < k && !(p->tp && progs[j]->tp &&
		    !strcmp(p->tp, progs[j]->tp) &&
		    p->tpargs == progs[j]->tpargs); j++)
			;
		if (j < k && p->tp) {
			member(progs[j], p->probe, nr);
			continue;
		}
		if (p->tp)
			member(p, p->probe, nr);
		progs[k++] = p;
	}
	return k;
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
	static struct prog **progs, **twins;
	struct script *s;
	size_t nprogs = 0, capprogs = 0, ntwins = 0, i;
	struct bo *bo;
	struct node *d;
	const char *script;
	int order = 0, ringbuf;

	nmaps = 0;
	memset(&g, 0, sizeof g);
	progs = NULL;
	gen_reset();
	typed_reset();
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
	/* the control block and the scalar globals are libbpf global
	 * data: a probe addresses them directly, no lookup */
	maps[g.m_ctl].data = maps[g.m_globals].data = 1;
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
			/* its C arguments: raw_tp, which stap-bpfld turns
			 * into tp_btf where the kernel allows */
			p->tpargs = !!(pt->flags & F_TPARGS);
			if (p->tpargs)
				sprintf(sec, "raw_tp/%s", colon + 1);
			else
				sprintf(sec, "tracepoint/%.*s/%s",
				    (int)(colon - tp), tp, colon + 1);
			p->section = sec;
			p->tp = tp;
			snprintf(name, 32, "probe_%d", p->order);
		} else if ((!strcmp(c0->str, "kernel") ||
		    !strcmp(c0->str, "kprobe") ||
		    !strcmp(c0->str, "module")) && c1 &&
		    (!strcmp(c1->str, "function") ||
		    !strcmp(c1->str, "statement")) && c1->l) {
			const char *fn = c1->l->str;
			int ret = c1->next && !strcmp(c1->next->str, "return");
			char *sec;

			if (kprobe_join(&g, progs, nprogs, d, ret))
				continue;
			sec = arena_alloc(strlen(fn) + 16);
			sprintf(sec, "%s/%s", ret ? "kretprobe" : "kprobe", fn);
			p->kind = "kprobe";
			p->section = sec;
			p->kret = ret;
			p->kfuncs = vgrow(NULL, &p->capkfuncs, 1,
			    sizeof *p->kfuncs);
			p->kfuncs[p->nkfuncs++] = fn;
			snprintf(name, 32, "probe_%d", p->order);
		} else if (!strcmp(c0->str, "process") && pt->str) {
			if (uprobe_prog(progs, nprogs, d, p))
				continue;
			snprintf(name, 32, "probe_%d", p->order);
		} else if (!strcmp(c0->str, "procfs")) {
			/* in user space, when its file is read or written */
			p->kind = "procfs";
			snprintf(name, 32, "procfs_%d", p->order);
		} else {
			diag_error(pt->loc, "probe point kind '%s' is not "
			    "supported by stap-bpfgen", c0->str);
			continue;
		}
		p->name = name;
		progs = vgrow(progs, &capprogs, nprogs + 1, sizeof *progs);
		progs[nprogs++] = p;
	}
	nprogs = combine(progs, nprogs);
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
	if (!nerrors)
		ntwins = fentry_twins(&g, progs, nprogs, &twins);
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
		if ((maps[i].data ? bo_data(bo, maps[i].name, maps[i].value) :
		    bo_map(bo, maps[i].name, maps[i].type, maps[i].key,
		    maps[i].value, maps[i].max, maps[i].flags)) != (int)i)
			bug("map numbering");
	script = src_count() ? src_get(0)->name : "-";
	bo_meta(bo, meta_rec("@script %s", arena_quote(script,
	    strlen(script))));
	bo_meta(bo, meta_rec("@maxstringlen %d", g.maxstr));
	bo_meta(bo, meta_rec("@scratch %u", maps[g.m_scratch].value));
	bo_meta(bo, meta_rec("@globals %u", maps[g.m_globals].value));
	bo_meta(bo, meta_rec("@ringbuf %d", ringbuf));
	for (i = 0; i < (size_t)src_count(); i++) {
		struct srcfile *f = src_get((int)i);
		int l;

		bo_meta(bo, meta_rec_file(i, f->name, f->nlines));
		for (l = 1; l <= f->nlines; l++) {
			size_t len;
			const char *t = src_line((int)i, l, &len);

			bo_meta(bo, arena_quote(t, len));
		}
	}
	for (i = 0; i < (size_t)g.nglobals; i++) {
		struct node *v = g.gvar[i], *k;
		struct meta_array a;
		size_t nk = 0;

		if (g.gmap[i] < 0) {
			bo_meta(bo, meta_rec_global(v->str, (size_t)g.goff[i],
			    tletter(v->type)));
			continue;
		}
		for (k = v->keys; k; k = k->next)
			nk++;
		a.name = (char *)v->str;
		a.map = (char *)maps[g.gmap[i]].name;
		a.valtype = tletter(v->type);
		a.keytypes = arena_alloc(nk + 1);
		for (nk = 0, k = v->keys; k; k = k->next)
			a.keytypes[nk++] = tletter(k->type);
		a.keytypes[nk] = '\0';
		bo_meta(bo, meta_rec_array(&a));
	}
	for (i = 0; i < nprogs; i++) {
		struct prog *p = progs[i];

		bo_meta(bo, meta_rec_probe(probe_rec(p)));
		writeprogs(bo, p, bo_prog(bo, p->name, p->section,
		    p->section != NULL, p->insn, p->n));
	}
	for (i = 0; i < ntwins; i++)
		writeprogs(bo, twins[i], bo_prog(bo, twins[i]->name,
		    twins[i]->section, 1, twins[i]->insn, twins[i]->n));
	for (i = 0; i < g.nformats; i++) {
		struct meta_format f = { (char *)g.formats[i].fmt,
		    (char *)g.formats[i].types };

		bo_meta(bo, meta_rec_format(i, &f));
	}
	for (i = 0; i < g.nfmtstrs; i++) {
		struct meta_fmtstr f = { (size_t)g.fmtstrs[i].off,
		    g.fmtstrs[i].bytes ? (char *)g.fmtstrs[i].bytes :
		    (char *)g.fmtstrs[i].s, g.fmtstrs[i].bytes ?
		    g.fmtstrs[i].n : 0 };

		bo_meta(bo, meta_rec_fmtstr(&f));
	}
	for (i = 0; i < g.nhistrecs; i++) {
		struct node *h = g.histrecs[i], *a = h->args;
		struct meta_hist mh = { HIST_LOG, 0, 0, 0, 0 };

		if (strcmp(h->str, "@hist_log")) {
			mh.type = HIST_LINEAR;
			mh.start = a->num;
			mh.stop = a->next->num;
			mh.interval = a->next->next->num;
		}
		bo_meta(bo, meta_rec_hist(i, &mh));
	}
	for (i = 0; i < g.nsites; i++) {
		struct meta_site ms = { g.sites[i].loc,
		    (char *)g.sites[i].msg };

		bo_meta(bo, meta_rec_site(i, &ms));
	}
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
	if (out)
		fo = outopen(out);
	return bpfgen_run(fi, in ? in : "<stdin>", fo);
}
