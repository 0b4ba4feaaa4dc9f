/*
 * Binding names.  Inside a function an identifier is a parameter, else
 * a global, else a local; inside a probe a global, else a local (stap
 * declares locals by use).  Calls bind to script functions, then to the
 * intrinsics, then to the tapset library, whose functions and globals
 * are pulled in only when the script uses them.
 */
#define _XOPEN_SOURCE 700  /* realpath */
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "resolve.h"

struct scope {
	struct resolver *r;
	struct func *fn;        /* binding a function body, or */
	struct probe *pr;       /* a probe body */
};

static struct node *tapset_funcs, *tapset_globals, *tapset_probes;
static char *usedfiles;         /* [file]: the script uses a tapset file */
static size_t capused;

/* A tapset file's function or global is used: its probes come along */
static void
use_file(int file)
{
	size_t n = capused;

	if (file < 0)
		return;
	if ((size_t)file >= capused) {
		usedfiles = vgrow(usedfiles, &capused, (size_t)file + 1, 1);
		memset(usedfiles + n, 0, capused - n);
	}
	usedfiles[file] = 1;
}

static void bind(struct scope *sc, struct node *n);
static void tapset_need(int kind, const char *name);

static struct sym *
newsym(const char *name, struct loc loc, unsigned scope, int index)
{
	struct sym *s = arena_alloc(sizeof *s);

	s->name = name;
	s->loc = loc;
	s->scope = scope;
	s->index = index;
	s->nkeys = -1;
	return s;
}

static void
add_global(struct resolver *r, struct node *var)
{
	struct sym *s = newsym(var->str, var->loc, F_GLOBAL, (int)r->ngsyms);

	s->decl = var;
	if (var->num > 0)
		s->nkeys = 0;   /* an array whose arity comes from its use */
	hash_add(&r->gsymidx, s->name, (long)r->ngsyms);
	r->gsyms = vgrow(r->gsyms, &r->capgsyms, r->ngsyms + 1,
	    sizeof *r->gsyms);
	r->gsyms[r->ngsyms++] = s;
}

static void
append(struct node **list, struct node *n)
{
	while (*list)
		list = &(*list)->next;
	*list = n;
}

/* A global by name, pulling a tapset's declaration in if need be. */
struct sym *
sym_global(struct resolver *r, const char *name)
{
	struct node *g, *v, *prev = NULL;
	long i = hash_get(&r->gsymidx, name);

	if (i >= 0)
		return r->gsyms[i];
	tapset_need('g', name);
	for (g = tapset_globals; g; prev = g, g = g->next) {
		for (v = g->args; v; v = v->next)
			if (!strcmp(v->str, name))
				break;
		if (!v)
			continue;
		if (prev)
			prev->next = g->next;
		else
			tapset_globals = g->next;
		g = node_copy(g);       /* off the parse's own tree */
		use_file(g->loc.file);
		append(&r->globals, g);
		for (v = g->args; v; v = v->next)
			add_global(r, v);
		return sym_global(r, name);
	}
	return NULL;
}

/* A global of stap-resolve's own making (entry.c) */
void
sym_add_global(struct resolver *r, struct node *g)
{
	struct node *v;

	append(&r->globals, g);
	for (v = g->args; v; v = v->next)
		add_global(r, v);
}

int
sym_is_global(struct resolver *r, const char *name)
{
	struct node *g, *v;

	if (hash_get(&r->gsymidx, name) >= 0)
		return 1;
	tapset_need('g', name);
	for (g = tapset_globals; g; g = g->next)
		for (v = g->args; v; v = v->next)
			if (!strcmp(v->str, name))
				return 1;
	return 0;
}

struct node *
sym_func_decl(struct resolver *r, const char *name)
{
	struct func *f = sym_func(r, name);
	struct node *d;

	if (f)
		return f->decl;
	tapset_need('f', name);
	for (d = tapset_funcs; d; d = d->next)
		if (!strcmp(d->str, name))
			return d;
	return NULL;
}

static struct func *
add_func(struct resolver *r, struct node *d, int tapset)
{
	struct func *f = arena_alloc(sizeof *f);
	struct node *p;
	int i = 0;

	f->decl = d;
	f->name = d->str;
	f->tapset = tapset;
	f->ret = d->type;
	f->retloc = d->loc;
	for (p = d->args; p; p = p->next)
		f->nparams++;
	f->params = arena_alloc(sizeof *f->params * (f->nparams + 1));
	for (p = d->args; p; p = p->next, i++) {
		f->params[i] = newsym(p->str, p->loc, F_PARAM, i);
		f->params[i]->decl = p;
		f->params[i]->type = p->type;
		f->params[i]->typeloc = p->loc;
		/* the parser refused duplicate parameters: one each */
		if (f->nparams > SHORTLIST)
			hash_add(&f->paramidx, p->str, i);
	}
	hash_add(&r->funcidx, f->name, (long)r->nfuncs);
	r->funcs = vgrow(r->funcs, &r->capfuncs, r->nfuncs + 1,
	    sizeof *r->funcs);
	r->funcs[r->nfuncs++] = f;
	return f;
}

/* A function of the script, or one the tapset gave it already */
struct func *
sym_func(struct resolver *r, const char *name)
{
	long i = hash_get(&r->funcidx, name);

	return i >= 0 ? r->funcs[i] : NULL;
}

/*
 * The name an overload of name taking nargs is known by when another
 * arity took the plain name first (stap overloads functions on their
 * number of arguments); an identifier, as BTF's function names must be.
 */
static const char *
overload_name(const char *name, int nargs)
{
	char buf[300];

	snprintf(buf, sizeof buf, "%s__%d", name, nargs);
	return arena_strndup(buf, strlen(buf));
}

/*
 * Pull the tapset's name taking nargs into the script as the function
 * as.  A second definition of the same name and arity loses to the
 * first, in file name order, without a word: stap 4.8 does the same.
 */
static struct func *
tapset_take(struct resolver *r, const char *name, int nargs, const char *as)
{
	struct node *d, *prev = NULL;

	tapset_need('f', name);
	for (d = tapset_funcs; d; prev = d, d = d->next) {
		if (strcmp(d->str, name) || node_count(d->args) != nargs)
			continue;
		if (prev)
			prev->next = d->next;
		else
			tapset_funcs = d->next;
		d = node_copy(d);       /* off the parse's own tree */
		d->str = as;
		use_file(d->loc.file);
		return add_func(r, d, 1);
	}
	return NULL;
}

/* The tapset's first function called name, whatever its arity. */
static struct func *
tapset_take_any(struct resolver *r, const char *name)
{
	struct node *d;

	tapset_need('f', name);
	for (d = tapset_funcs; d; d = d->next)
		if (!strcmp(d->str, name))
			return tapset_take(r, name, node_count(d->args), name);
	return NULL;
}

/*
 * The function a call of name with nargs arguments means: the script's
 * or the tapset's of that arity, else one of another arity (the caller
 * reports the mismatch), else NULL.
 */
static struct func *
func_find(struct resolver *r, const char *name, int nargs)
{
	struct func *f = sym_func(r, name), *o;
	const char *as;

	if (f && f->nparams == nargs)
		return f;
	as = f ? overload_name(name, nargs) : name;
	if (f && (o = sym_func(r, as)))
		return o;
	if ((o = tapset_take(r, name, nargs, as)))
		return o;
	return f ? f : tapset_take_any(r, name);
}

/*
 * The tapset library, parsed a file at a time as the script needs it:
 * tapidx.c says which files define a name, and a lookup that may find
 * one (tapset_take, sym_global, sym_is_global, sym_func_decl) parses
 * them first; the aliases a probe point may match are parsed before
 * the points are expanded, with those their own points need in turn
 * (tapset_load).  So a script that calls one function parses one file,
 * not the library.  A file is parsed once a run, and never handed out:
 * each pass takes copies, as it takes declarations off its lists and
 * the resolution writes into them.  stap-resolve's trial pass
 * (display_globals) and the real one so parse each file once, not
 * twice.  A pass's lists are of shallow copies, in file order whenever
 * a file comes in, so the first definition of a name still wins: a
 * function or global it takes is copied whole then (tapset_take,
 * sym_global), an alias's body and points each time a probe uses it
 * (points.c); most are never taken.
 */
struct tset {
	int loaded;
	int walked;             /* the points of its aliases parsed for */
	unsigned pass;          /* the pass that has copies of it */
	struct node *funcs, *globals, *aliases, *probes;   /* as parsed */
};

static struct tset *tsets;      /* [k]: tapidx.c's file k */
static size_t ntsets;
static int opened;              /* the index is read */
static unsigned curpass;
static struct facts tfacts;     /* what the tapset is parsed for */
static const char **tdirs;      /* and where its *.stpm macros are */
static int ntdirs;
static size_t *srcorder;        /* [source]: its tapset file k + 1 */
static size_t capsrcorder;

/* Forget the tapset library, to load it afresh for a second pass. */
void
tapset_reset(void)
{
	tapset_funcs = tapset_globals = tapset_probes = NULL;
	curpass++;
	if (usedfiles)
		memset(usedfiles, 0, capused);
}

/* Forget the parsed tapset too: the next load reads the files again. */
void
tapset_uncache(void)
{
	tsets = NULL;
	ntsets = 0;
	opened = 0;
	if (srcorder)
		memset(srcorder, 0, capsrcorder * sizeof *srcorder);
	tapidx_reset();
}

/*
 * Copies of the top nodes of list's declarations, in order, put at the
 * end of *to; their children are still the parse's own.
 */
static void
copy_onto(struct node **to, const struct node *list)
{
	while (*to)
		to = &(*to)->next;
	for (; list; list = list->next) {
		*to = arena_alloc(sizeof **to);
		**to = *list;
		(*to)->next = NULL;
		to = &(*to)->next;
	}
}

/* The tapset file order of source file, 0 for the script's own */
static size_t
order_of(int file)
{
	return file >= 0 && (size_t)file < capsrcorder ? srcorder[file] : 0;
}

/*
 * Copies of the top nodes of list's declarations, in order, put into
 * *to before the first declaration of a file after file k; their
 * children are still the parse's own.
 */
static void
copy_into(struct node **to, const struct node *list, size_t k)
{
	struct node *rest;

	while (*to && order_of((*to)->loc.file) <= k + 1)
		to = &(*to)->next;
	rest = *to;
	for (; list; list = list->next) {
		*to = arena_alloc(sizeof **to);
		**to = *list;
		(*to)->next = NULL;
		to = &(*to)->next;
	}
	*to = rest;
}

/* This pass's copies of tapset file k's functions, globals, probes */
static void
tset_take(size_t k)
{
	struct tset *t = &tsets[k];

	if (t->pass == curpass)
		return;
	t->pass = curpass;
	copy_into(&tapset_funcs, t->funcs, k);
	copy_into(&tapset_globals, t->globals, k);
	copy_into(&tapset_probes, t->probes, k);
}

/*
 * Parse tapset file k, once a run.  What it says is not reported: the
 * library's errors are not the script's, and the parser recovers to
 * keep what it can (as before the tapset was parsed by need, when the
 * trial pass, quiet, parsed it all).
 */
static void
tset_load(size_t k)
{
	static FILE *quiet;
	struct tset *t = &tsets[k];
	struct node **ft = &t->funcs, **gt = &t->globals;
	struct node **at = &t->aliases, **pt = &t->probes, *d, *next;
	FILE *save = diag_file;
	int ne = nerrors, nw = nwarnings, file;
	char real[PATH_MAX];
	const char *path = tapidx_path(k);
	struct script *s;
	size_t n;

	if (t->loaded)
		return;
	t->loaded = 1;
	if (realpath(path, real))
		path = real;
	if (!quiet)
		quiet = fopen("/dev/null", "w");
	diag_file = quiet ? quiet : save;
	file = src_read(path);
	n = capsrcorder;
	if ((size_t)file >= capsrcorder) {
		srcorder = vgrow(srcorder, &capsrcorder, (size_t)file + 1,
		    sizeof *srcorder);
		memset(srcorder + n, 0, (capsrcorder - n) * sizeof *srcorder);
	}
	srcorder[file] = k + 1;
	/* with the *.stpm macros, as stap */
	s = parse_script(&tfacts, file, NULL, tdirs, ntdirs);
	diag_file = save;
	nerrors = ne;
	nwarnings = nw;
	for (d = s->decls; d; d = next) {
		next = d->next;
		d->next = NULL;
		if (d->kind == N_FUNC) {
			*ft = d;
			ft = &d->next;
		} else if (d->kind == N_GLOBAL) {
			*gt = d;
			gt = &d->next;
		} else if (d->kind == N_ALIAS) {
			*at = d;
			at = &d->next;
		} else if (d->kind == N_PROBE) {
			*pt = d;
			pt = &d->next;
		}
	}
	tset_take(k);
}

/* The tapset files that define name as kind ('f' or 'g'), parsed */
static void
tapset_need(int kind, const char *name)
{
	const int *k;

	if (!opened)
		return;
	for (k = tapidx_defs(kind, name); *k >= 0; k++)
		tset_load((size_t)*k);
}

static void need_point(struct node *pt);

/* File k's aliases' own points: the aliases they may match, parsed */
static void
tset_walk(size_t k)
{
	struct node *al, *pt;

	tset_load(k);
	if (tsets[k].walked)
		return;
	tsets[k].walked = 1;
	for (al = tsets[k].aliases; al; al = al->next)
		for (pt = al->points; pt; pt = pt->next)
			need_point(pt);
}

static void
need_alias(const char *name)
{
	const int *k;

	for (k = tapidx_defs('a', name); *k >= 0; k++)
		tset_walk((size_t)*k);
}

/* The files of the aliases whose names point pt may match, parsed */
static void
need_point(struct node *pt)
{
	const char *c0 = pt->args ? pt->args->str : NULL, *a;
	size_t i;

	if (!c0)
		return;
	/* the test of points.c's expand_alias: a first component
	 * with no glob in it must be the alias's */
	if (!strpbrk(c0, "*?[\\")) {
		need_alias(c0);
		return;
	}
	for (i = 0; (a = tapidx_alias(i)); i++)
		if (!fnmatch(c0, a, 0))
			need_alias(a);
}

/*
 * The tapset library's declarations, for this pass: the files parsed
 * so far, and those of the aliases the points of r->s may match.
 */
void
tapset_load(struct resolver *r, const char **dirs, int ndirs)
{
	struct node *d, *pt;
	size_t k;

	tfacts = r->s->facts;
	tfacts.guru = 1;        /* tapsets may hold embedded code */
	tfacts.nargs = 0;
	tdirs = dirs;
	ntdirs = ndirs;
	if (!opened) {
		ntsets = tapidx_open(dirs, ndirs);
		tsets = arena_alloc((ntsets + 1) * sizeof *tsets);
		opened = 1;
	}
	for (k = 0; k < ntsets; k++)
		if (tapidx_always(k))
			tset_walk(k);
	for (d = r->s->decls; d; d = d->next)
		if (d->kind == N_PROBE || d->kind == N_ALIAS)
			for (pt = d->points; pt; pt = pt->next)
				need_point(pt);
	for (k = 0; k < ntsets; k++) {
		if (!tsets[k].loaded)
			continue;
		tset_take(k);
		copy_onto(&r->aliases, tsets[k].aliases);
	}
}

/* The script's own globals, functions and aliases. */
static void
collect(struct resolver *r)
{
	struct node *d, *v, *aliases = NULL, **atail = &aliases;
	struct node **gtail = &r->globals;
	const char *orig;
	long i;

	for (d = r->s->decls; d; d = d->next) {
		switch (d->kind) {
		case N_GLOBAL:
			for (v = d->args; v; v = v->next) {
				i = hash_get(&r->gsymidx, v->str);
				if (i >= 0) {
					diag_error(v->loc, "duplicate global "
					    "variable '%s'", v->str);
					diag_note(r->gsyms[i]->loc,
					    "first declared here");
					continue;
				}
				add_global(r, v);
				r->gsyms[r->ngsyms - 1]->user = 1;
			}
			break;
		case N_FUNC:
			orig = d->str;
			i = hash_get(&r->funcidx, d->str);
			if (i >= 0 && r->funcs[i]->nparams !=
			    node_count(d->args)) {
				/* an overload on the number of arguments */
				d->str = overload_name(d->str,
				    node_count(d->args));
				i = hash_get(&r->funcidx, d->str);
			}
			if (i >= 0) {
				diag_error(d->loc, "duplicate function '%s'",
				    orig);
				diag_note(r->funcs[i]->decl->loc, "first "
				    "defined here");
				break;
			}
			add_func(r, d, 0);
			break;
		case N_EMBED:
			diag_error(d->loc, "embedded C code is not supported "
			    "by stap-bpf");
			break;
		default:
			break;
		}
	}
	/* the script's aliases go before the tapset's, so they win;
	 * lists kept by their tails: append() would be quadratic */
	for (d = r->s->decls; d; d = d->next) {
		if (d->kind != N_ALIAS)
			continue;
		v = node_new(N_ALIAS, d->loc);
		*v = *d;
		v->next = NULL;
		*atail = v;
		atail = &v->next;
	}
	*atail = r->aliases;
	r->aliases = aliases;
	/* globals are written first, in declaration order */
	while (*gtail)
		gtail = &(*gtail)->next;
	for (d = r->s->decls; d; d = d->next) {
		if (d->kind != N_GLOBAL)
			continue;
		v = node_new(N_GLOBAL, d->loc);
		*v = *d;
		v->next = NULL;
		*gtail = v;
		gtail = &v->next;
	}
}

static struct sym *
local(struct scope *sc, const char *name, struct loc loc)
{
	struct sym ***v = sc->fn ? &sc->fn->locals : &sc->pr->locals;
	size_t *n = sc->fn ? &sc->fn->nlocals : &sc->pr->nlocals;
	size_t *cap = sc->fn ? &sc->fn->caplocals : &sc->pr->caplocals;
	struct hash *idx = sc->fn ? &sc->fn->localidx : &sc->pr->localidx;
	size_t i;
	long k;

	/* a few locals are found faster in the list, and most probes
	 * have a few: a table each would be memory for nothing */
	if (*n <= SHORTLIST) {
		for (i = 0; i < *n; i++)
			if (!strcmp((*v)[i]->name, name))
				return (*v)[i];
	} else if ((k = hash_get(idx, name)) >= 0) {
		return (*v)[k];
	}
	*v = vgrow(*v, cap, *n + 1, sizeof **v);
	(*v)[*n] = newsym(name, loc, F_LOCAL, (int)*n);
	if (*n == SHORTLIST)
		for (i = 0; i < *n; i++)
			hash_add(idx, (*v)[i]->name, (long)i);
	if (*n >= SHORTLIST)
		hash_add(idx, name, (long)*n);
	return (*v)[(*n)++];
}

static struct sym *
lookup(struct scope *sc, const char *name, struct loc loc)
{
	struct sym *s;
	long i;

	if (sc->fn && sc->fn->nparams > SHORTLIST) {
		if ((i = hash_get(&sc->fn->paramidx, name)) >= 0)
			return sc->fn->params[i];
	} else if (sc->fn) {
		for (i = 0; i < sc->fn->nparams; i++)
			if (!strcmp(sc->fn->params[i]->name, name))
				return sc->fn->params[i];
	}
	/* a tapset function's variable is its own, whatever globals the
	 * script declares: a library's "n" must not count the user's */
	if ((s = sym_global(sc->r, name)) &&
	    !(s->user && sc->fn && sc->fn->tapset))
		return s;
	return local(sc, name, loc);
}

/* The symbol an IDENT names; sets its binding attributes. */
static struct sym *
bind_ident(struct scope *sc, struct node *n)
{
	struct sym *s = lookup(sc, n->str, n->loc);

	n->flags |= s->scope;
	n->num = s->index;
	n->ctype = s->ctype;
	return s;
}

static void
bind_array(struct scope *sc, struct node *id, int arity)
{
	struct sym *s;

	if (id->kind != N_IDENT) {
		bind(sc, id);
		return;
	}
	s = sym_global(sc->r, id->str);
	if (!s) {
		diag_error(id->loc, "unresolved arity-%d global array '%s', "
		    "missing global declaration?", arity, id->str);
		return;
	}
	id->flags |= F_GLOBAL;
	id->num = s->index;
}

static void
bind_list(struct scope *sc, struct node *n)
{
	for (; n; n = n->next)
		bind(sc, n);
}

/* $$parms and $$vars: all the fields as "name=0x.. name=\"...\"" */
static void
all_fields(struct scope *sc, struct node *n)
{
	struct tracepoint *tp = sc->pr->tp;
	struct node *fmt, **tail;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int i;

	fmt = node_new(N_STR, n->loc);
	tail = &fmt->next;
	for (i = 0; i < tp->nfields; i++) {
		struct tpfield *f = &tp->fields[i];
		struct node *t;
		const char *conv = f->kind == TF_CHARARR ||
		    f->kind == TF_DATALOC ? "\"%s\"" :
		    f->kind == TF_PTR && tp->btfargs ? "%p" : "%#x";
		size_t k;

		if (!strncmp(f->name, "common_", 7) ||
		    !strcmp(f->name, "__syscall_nr"))
			continue;
		k = strlen(f->name) + 8;
		buf = vgrow(buf, &cap, len + k + 1, 1);
		len += snprintf(buf + len, k + 1, "%s%s=%s", len ? " " : "",
		    f->name, conv);
		t = node_new(N_TARGET, n->loc);
		t->str = arena_alloc(strlen(f->name) + 2);
		sprintf((char *)t->str, "$%s", f->name);
		*tail = t;
		tail = &t->next;
	}
	fmt->str = arena_strndup(buf ? buf : "", len);
	free(buf);
	n->kind = N_CALL;
	n->str = "sprintf";
	n->flags = F_BUILTIN;
	n->args = fmt;
	bind_list(sc, fmt->next);
}

/* The subscripts' index expressions of a typed chain */
static void
bind_steps(struct scope *sc, struct node *n)
{
	struct node *c;

	for (c = n->args; c; c = c->next)
		if (c->kind == N_SUBSCRIPT)
			bind(sc, c->l);
}

/*
 * $p->a[i]... on a context variable with a BTF type: an autocast of
 * the plain variable, which is read as any other field
 */
static void
typed_target(struct scope *sc, struct node *n, struct tpfield *f)
{
	struct node *t = node_new(N_TARGET, n->loc);

	t->str = n->str;
	t->num = f->offset;
	t->size = f->size;
	t->type = T_LONG;
	t->ctype = f->btfid;
	n->kind = N_AUTOCAST;
	n->str = NULL;
	n->l = t;
	n->flags &= F_ADDR | F_PRETTY | F_PPRETTY;
	bind_steps(sc, n);
	if (n->flags & (F_PRETTY | F_PPRETTY))
		btf_pretty(sc->r, n, f->btfid);
	else
		btf_chain(sc->r, n, f->btfid);
}

/*
 * &@cast(0, "type")->member and &@cast(0, "type")[1], stap's offsetof
 * and sizeof: an address made of constants alone is a constant, so
 * the .stpm macros built on it work in begin probes and in %( %) and
 * array sizes.  Its BTF offsets are this kernel's, not relocated.
 */
static void
fold_offset(struct node *n)
{
	struct node *s;
	long long a;

	if (!(n->flags & F_ADDR) || n->l->kind != N_NUM)
		return;
	a = n->l->num;
	for (s = n->args; s; s = s->next) {
		if (s->flags & F_DEREF)
			return;
		if (s->kind == N_MEMBER)
			a += s->num;
		else if (s->l && s->l->kind == N_NUM)
			a += s->num * s->l->num;
		else
			return;
	}
	n->kind = N_NUM;
	n->num = a;
	n->l = n->r = n->args = NULL;
	n->str = NULL;
	n->flags = 0;
	n->ctype = 0;
	n->type = T_LONG;
}

/* @cast(e, "type"[, "kernel"...]) and its steps */
static void
bind_cast(struct scope *sc, struct node *n)
{
	const char *mod = n->r ? n->r->str : "kernel";
	int id;

	bind(sc, n->l);
	bind_steps(sc, n);
	/* "kernel", or "kernel<linux/sched.h>": the header part names
	 * where stap would find the type; BTF has them all */
	if (strncmp(mod, "kernel", 6) || (mod[6] && mod[6] != '<')) {
		diag_error(n->r ? n->r->loc : n->loc, "@cast module '%s': "
		    "stap-bpf knows only the kernel's types (BTF)", mod);
		return;
	}
	if (!btf_kernel(sc->r)) {
		btf_chain(sc->r, n, 0);         /* says why */
		return;
	}
	id = btf_find_type(sc->r, n->str);
	if (id <= 0) {
		diag_error(n->loc, "type definition '%s' not found in the "
		    "kernel's BTF", n->str);
		return;
	}
	n->r = NULL;
	/* a bare @cast(p, "struct type") is p itself, now a typed
	 * pointer; @cast(p, "int") still reads the int */
	if (!n->args && btf_is_record(id))
		n->flags |= F_ADDR;
	if (n->flags & (F_PRETTY | F_PPRETTY))
		btf_pretty(sc->r, n, -id);
	else if (btf_chain(sc->r, n, -id))
		fold_offset(n);
}

/* e->a[i]...: a chain on any typed value */
static void
bind_autocast(struct scope *sc, struct node *n)
{
	bind(sc, n->l);
	bind_steps(sc, n);
	if (!n->l->ctype) {
		struct node *at = n->args ? n->args : n;

		diag_error(at->loc, "'%s%s' on a long with no type: only "
		    "typed pointers (context variables, @cast, "
		    "task_current()...) can be dereferenced", !n->args ?
		    "&" : at->kind == N_MEMBER ? "->" : "[", !n->args ? "" :
		    at->kind == N_MEMBER ? at->str : "]");
		return;
	}
	if (n->flags & (F_PRETTY | F_PPRETTY))
		btf_pretty(sc->r, n, n->l->ctype);
	else
		btf_chain(sc->r, n, n->l->ctype);
}

static void
bind_target(struct scope *sc, struct node *n)
{
	struct tpfield *f;

	if (sc->pr && !sc->fn && procfs_var(sc->pr, n))
		return;
	if (sc->pr && sc->pr->up && !sc->fn) {
		uprobe_target(sc->pr, n);
		return;
	}
	if (!sc->pr || !sc->pr->tp) {
		diag_error(n->loc, "context variable '%s' is not available "
		    "here%s", n->str, sc->fn ? " (in a function)" :
		    " (this probe has no context variables)");
		return;
	}
	if (!strcmp(n->str, "$$parms") || !strcmp(n->str, "$$vars") ||
	    !strcmp(n->str, "$$locals")) {
		tp_field(sc->r, sc->pr, "");    /* reads the fields */
		all_fields(sc, n);
		return;
	}
	f = tp_field(sc->r, sc->pr, n->str + 1);
	if (!f && sc->pr->tp->kfunc) {
		if (sc->pr->tp->kfunc > 1)
			diag_error(n->loc, "'%s' at the return of '%s': only "
			    "$return is available (a parameter's value at "
			    "entry is @entry(%s))", n->str, sc->pr->tp->name,
			    n->str);
		else
			diag_error(n->loc, "function '%s' has no parameter "
			    "'%s' (BTF's first six, integers or pointers)",
			    sc->pr->tp->name, n->str + 1);
		return;
	}
	if (!f && sc->pr->tp->btfargs) {
		diag_error(n->loc, "tracepoint '%s:%s' has no argument '%s' "
		    "(alternatives: %s)", sc->pr->tp->group,
		    sc->pr->tp->name, n->str + 1,
		    tpbtf_alternatives(sc->pr->tp));
		return;
	}
	if (!f) {
		diag_error(n->loc, "tracepoint '%s:%s' has no field '%s'",
		    sc->pr->tp->group, sc->pr->tp->name, n->str + 1);
		return;
	}
	if (f->kind == TF_CHARARR && n->args && !n->args->next &&
	    n->args->kind == N_SUBSCRIPT && !(n->flags & (F_ADDR |
	    F_PRETTY | F_PPRETTY))) {
		/* $comm[i]: one byte of a char array, i a constant */
		struct node *ix = n->args->l;

		if (ix->kind != N_NUM || ix->num < 0 || ix->num >= f->size) {
			diag_error(ix->loc, "index into '%s' must be a number "
			    "from 0 to %d", n->str, f->size - 1);
			return;
		}
		n->num = f->offset + ix->num;
		n->size = 1;
		n->args = NULL;
		n->type = T_LONG;
		return;
	}
	if (f->btfid && (n->args || (n->flags & (F_ADDR | F_PRETTY |
	    F_PPRETTY)))) {
		typed_target(sc, n, f);
		return;
	}
	if (n->args || (n->flags & (F_ADDR | F_PRETTY | F_PPRETTY))) {
		diag_error(n->loc, "'%s': only plain tracepoint fields and "
		    "bytes of char arrays are supported so far", n->str);
		return;
	}
	n->ctype = f->btfid;
	n->num = f->offset;
	n->size = f->size;
	if (f->issigned)
		n->flags |= F_SIGNED;
	if (f->kind == TF_DATALOC)
		n->flags |= F_DATALOC;
	n->type = f->kind == TF_CHARARR || f->kind == TF_DATALOC ? T_STRING :
	    T_LONG;
}

/*
 * A function whose body is BPF assembly, tagged with a bpf comment (spec
 * section 16): stap-bpfgen assembles it at each call.  Parameters
 * without a type are longs; the return type is the declared one, else
 * long if the body mentions $$, else void.  Other embedded code is C.
 */
static void
bind_embed(struct func *f)
{
	const char *s = f->decl->body->str;
	int i;

	s += strspn(s, " \t\n\r\f\v");
	if (strncmp(s, "/* bpf */", 9)) {
		diag_error(f->decl->body->loc, "embedded C code is not "
		    "supported by stap-bpf");
		return;
	}
	for (i = 0; i < f->nparams; i++)
		if (f->params[i]->type == T_UNKNOWN)
			f->params[i]->type = T_LONG;
	if (f->ret == T_UNKNOWN)
		f->ret = strstr(s, "$$") ? T_LONG : T_VOID;
}

static void
bind_call(struct scope *sc, struct node *n)
{
	struct func *f = NULL;
	int nargs = node_count(n->args);

	bind_list(sc, n->args);
	if (!strcmp(n->str, "pp") && nargs == 0 && sc->pr) {
		n->kind = N_STR;
		n->str = point_text(sc->pr->decl->points);
		return;
	}
	if (sc->pr && sc->pr->up && uprobe_call(sc->pr, n))
		return;
	if (!print_family(n->str))
		f = func_find(sc->r, n->str, nargs);
	if (f) {
		n->str = f->name;
		if (f->nparams != nargs) {
			diag_error(n->loc, "function '%s' takes %d argument%s, "
			    "not %d", n->str, f->nparams, f->nparams == 1 ?
			    "" : "s", nargs);
			diag_note(f->decl->loc, "'%s' is defined here", n->str);
			return;
		}
		n->num = 0;     /* numbered when written */
		if (!f->used) {
			struct scope fs = { sc->r, f, NULL };

			f->used = 1;
			if (f->decl->body && f->decl->body->kind == N_EMBED)
				bind_embed(f);
			else
				bind(&fs, f->decl->body);
		}
		n->ctype = f->ctype;
		return;
	}
	if (print_family(n->str) && (strstr(n->str, "printf") ||
	    strstr(n->str, "printd")) && (!n->args || n->args->kind != N_STR)) {
		/* stap-parse never writes this; a tree edited by hand may */
		diag_error(n->loc, "'%s' needs a literal format string",
		    n->str);
		return;
	}
	if (intrinsic_known(n->str)) {
		n->flags |= F_BUILTIN;
		if (!strcmp(n->str, "task_current") && !nargs)
			n->ctype = btf_task_struct(sc->r);
		if (!print_family(n->str) && !intrinsic_find(n->str, nargs))
			diag_error(n->loc, "wrong number of arguments (%d) to "
			    "'%s'", nargs, n->str);
		return;
	}
	diag_error(n->loc, "unresolved function '%s'", n->str);
}

static void
bind_foreach(struct scope *sc, struct node *n)
{
	struct node *k;
	int arity = node_count(n->keys);

	if (n->l->kind == N_IDENT)
		bind_array(sc, n->l, arity);
	else if (n->l->kind == N_INDEX) {
		bind_array(sc, n->l->l, arity);
		bind_list(sc, n->l->args);
	} else
		bind(sc, n->l);
	for (k = n->keys; k; k = k->next)
		bind_ident(sc, k);
	if (n->value)
		bind_ident(sc, n->value);
	bind_list(sc, n->limit);
	bind(sc, n->body);
}

static void
bind(struct scope *sc, struct node *n)
{
	int i;

	if (!n)
		return;
	switch (n->kind) {
	case N_IDENT:
		bind_ident(sc, n);
		return;
	case N_INDEX:
		bind_array(sc, n->l, node_count(n->args));
		bind_list(sc, n->args);
		return;
	case N_IN:
		bind_array(sc, n->l, node_count(n->args));
		bind_list(sc, n->args);
		return;
	case N_CALL:
		bind_call(sc, n);
		return;
	case N_FOREACH:
		bind_foreach(sc, n);
		return;
	case N_TERNARY: case N_IF:
		if (n->cond && n->cond->kind == N_DEFINED) {
			/* as stap, only the branch @defined picks is
			 * resolved: the other may name what is not here
			 * (@choose_defined) */
			struct node *pick, *next = n->next;

			bind(sc, n->cond);
			pick = n->cond->num ? n->then : n->els;
			if (!pick)
				pick = node_new(N_BLOCK, n->loc);
			*n = *pick;
			n->next = next;
			bind(sc, n);
			return;
		}
		break;
	case N_TRY:
		bind(sc, n->body);
		if (n->l)
			bind_ident(sc, n->l);
		bind(sc, n->els);
		return;
	case N_TARGET:
		bind_target(sc, n);
		return;
	case N_CAST:
		bind_cast(sc, n);
		return;
	case N_AUTOCAST:
		bind_autocast(sc, n);
		return;
	case N_RETURN:
		if (!sc->fn)
			diag_error(n->loc, "'return' outside a function");
		bind(sc, n->l);
		/* a typed pointer returned keeps its type (autocast) */
		if (sc->fn && n->l && n->l->ctype && !sc->fn->ctype)
			sc->fn->ctype = n->l->ctype;
		return;
	case N_ASSIGN:
		if (n->l->kind == N_TARGET && sc->pr && !sc->fn &&
		    procfs_var(sc->pr, n)) {
			bind_list(sc, n->args);	/* now a call */
			return;
		}
		bind(sc, n->l);
		bind(sc, n->r);
		if (n->op == O_ASSIGN && n->r->ctype) {
			n->ctype = n->r->ctype;
			if (n->l->kind == N_IDENT) {
				struct sym *s = bind_ident(sc, n->l);

				if (!s->ctype)
					s->ctype = n->r->ctype;
			}
		}
		return;
	case N_NEXT:
		/* in a function too: it ends the probe that called it,
		 * as stap lets it */
		break;
	case N_EMBED:
		diag_error(n->loc, "embedded C code is not supported by "
		    "stap-bpf");
		return;
	case N_ATVAR: case N_ENTRY: case N_ATFN:
		diag_error(n->loc, "'%s' is not supported by stap-bpf yet",
		    n->kind == N_ATVAR ? "@var" :
		    n->kind == N_ENTRY ? "@entry" : n->str);
		return;
	case N_DEFINED: {
		/* @defined(x): 1 if x resolves here, else 0, decided now */
		int before = nerrors, ok;
		FILE *save = diag_file, *null = fopen("/dev/null", "w");

		diag_file = null;
		bind(sc, n->l);
		diag_file = save;
		if (null)
			fclose(null);
		ok = nerrors == before;
		nerrors = before;
		n->kind = N_NUM;
		n->num = ok;
		n->l = NULL;
		return;
	}
	default:
		break;
	}
	for (i = 0; i < N_CHILDREN; i++)
		bind_list(sc, *node_child(n, i));
	if (n->kind == N_TERNARY)
		n->ctype = n->then->ctype ? n->then->ctype : n->els->ctype;
}

/* @defined(x) in probe p, x unchanged (entry.c) */
int
sym_defined(struct resolver *r, struct probe *p, struct node *x)
{
	struct scope sc = { r, NULL, p };
	struct node *d = node_new(N_DEFINED, x->loc);

	d->l = node_copy(x);
	bind(&sc, d);
	return (int)d->num;
}

/*
 * The begin and end probes of the tapset files the script uses (a
 * file's tables filled before the script's own begin probes run), and
 * of those they use in turn.
 */
static void
tapset_probes_add(struct resolver *r)
{
	struct node **pp, *d, *pt;
	size_t i, n0;
	int added;

	do {
		added = 0;
		for (pp = &tapset_probes; (d = *pp);) {
			if (d->loc.file < 0 || (size_t)d->loc.file >= capused ||
			    !usedfiles[d->loc.file]) {
				pp = &d->next;
				continue;
			}
			*pp = d->next;
			d = node_copy(d);       /* off the parse's own tree */
			added = 1;
			n0 = r->nprobes;
			for (pt = d->points; pt; pt = pt->next) {
				const char *c0 = pt->args->str;
				struct node *body = pt->next ?
				    node_copy(d->body) : d->body;

				/* kernel.trace("g:n") too (target_set.stp);
				 * other points of a tapset's probes are not
				 * taken yet */
				if (!strcmp(c0, "kernel") && pt->args->next &&
				    !strcmp(pt->args->next->str, "trace") &&
				    !pt->args->next->next)
					points_trace(r, d, pt, body);
				else if (!pt->args->next && (!strcmp(c0,
				    "begin") || !strcmp(c0, "end")))
					points_add(r, d, pt, body, NULL);
			}
			for (i = n0; i < r->nprobes; i++) {
				struct scope sc = { r, NULL, r->probes[i] };

				bind(&sc, r->probes[i]->decl->body);
			}
		}
	} while (added);
}

void
sym_resolve(struct resolver *r)
{
	size_t i;

	collect(r);
	points_expand(r);
	/* a listing shows the locals an alias offers, read or not */
	for (i = 0; i < r->nprobes && !r->listing; i++)
		dead_locals(r, r->probes[i]);
	entry_rewrite(r);
	for (i = 0; i < r->nprobes; i++) {
		struct scope sc = { r, NULL, r->probes[i] };
		struct node *pt = r->probes[i]->decl->points;

		bind(&sc, pt->cond);
		bind(&sc, r->probes[i]->decl->body);
	}
	tapset_probes_add(r);
	/* unused script functions are still checked, as stap does */
	for (i = 0; i < r->nfuncs; i++) {
		struct func *f = r->funcs[i];

		if (!f->used && !f->tapset && f->decl->body &&
		    f->decl->body->kind != N_EMBED) {
			struct scope fs = { r, f, NULL };

			f->used = -1;   /* checked, but not written */
			bind(&fs, f->decl->body);
		}
	}
}

/*
 * stap's check that a foreach does not change the array it walks: an
 * element written, incremented or deleted in the loop's body, or a
 * function called there that does (directly or through calls).
 */
struct mutate {
	struct resolver *r;
	int *col;               /* global -> column, -1 if no foreach walks it */
	size_t ncol;
	char *writes;           /* nfuncs rows of ncol flags */
	int *iter;              /* the arrays being walked */
	int niter;
};

/* The global array a foreach walks, or -1 */
static int
walked_array(struct mutate *m, struct node *fe)
{
	struct node *arr = fe->l && fe->l->kind == N_INDEX ? fe->l->l : fe->l;

	if (arr && arr->kind == N_IDENT && (arr->flags & F_GLOBAL) &&
	    arr->num >= 0 && (size_t)arr->num < m->r->ngsyms)
		return (int)arr->num;
	return -1;
}

/*
 * A column for each array some foreach walks: only their writes
 * matter, and a row of every global for every function would be
 * quadratic (a script of many functions and many globals).
 */
static void
find_walked(struct mutate *m, struct node *n, int depth)
{
	int i, a;

	for (; n && depth < 200; n = n->next) {
		if (n->kind == N_FOREACH && (a = walked_array(m, n)) >= 0 &&
		    m->col[a] < 0)
			m->col[a] = (int)m->ncol++;
		for (i = 0; i < N_CHILDREN; i++)
			if (i != CH_locals)
				find_walked(m, *node_child(n, i), depth + 1);
	}
}

/* The global array an element of which n writes, or -1 */
static int
written_array(struct node *n)
{
	struct node *t;

	if (n->kind != N_ASSIGN && n->kind != N_PREINC &&
	    n->kind != N_POSTINC && n->kind != N_DELETE)
		return -1;
	t = n->l;
	if (t && t->kind == N_INDEX && t->l && t->l->kind == N_IDENT &&
	    (t->l->flags & F_GLOBAL))
		return (int)t->l->num;
	return -1;
}

static int
func_index(struct resolver *r, struct node *call)
{
	if (call->kind != N_CALL || (call->flags & F_BUILTIN))
		return -1;
	return (int)hash_get(&r->funcidx, call->str);
}

/* A function's own writes and its callees' so far; 1 if any is new */
static int
collect_writes(struct mutate *m, char *row, struct node *n, int depth)
{
	int i, a, f, changed = 0;
	size_t g;

	/* trees nest TREE_MAXDEPTH deep, a few more through aliases: the
	 * bound is only a guard, a write deeper still would be missed */
	for (; n && depth < 2 * TREE_MAXDEPTH; n = n->next) {
		a = written_array(n);
		if (a >= 0 && (size_t)a < m->r->ngsyms && m->col[a] >= 0 &&
		    !row[m->col[a]])
			changed = row[m->col[a]] = 1;
		f = func_index(m->r, n);
		if (f >= 0)
			for (g = 0; g < m->ncol; g++)
				if (m->writes[f * m->ncol + g] && !row[g])
					changed = row[g] = 1;
		for (i = 0; i < N_CHILDREN; i++)
			if (i != CH_locals)
				changed |= collect_writes(m, row,
				    *node_child(n, i), depth + 1);
	}
	return changed;
}

static void
check_walk(struct mutate *m, struct node *n, int depth)
{
	int i, a, f, j;

	for (; n && depth < 2 * TREE_MAXDEPTH; n = n->next) {
		a = written_array(n);
		for (j = 0; a >= 0 && j < m->niter; j++)
			if (m->iter[j] == a)
				diag_error(n->l->l->loc, "variable '%s' modified "
				    "during 'foreach' iteration",
				    m->r->gsyms[a]->name);
		f = func_index(m->r, n);
		for (j = 0; f >= 0 && j < m->niter; j++)
			if (m->writes[f * m->ncol + m->col[m->iter[j]]])
				diag_error(n->loc, "function call modifies var "
				    "'%s' during 'foreach' iteration",
				    m->r->gsyms[m->iter[j]]->name);
		if (n->kind == N_FOREACH) {
			check_walk(m, n->l, depth + 1);
			check_walk(m, n->limit, depth + 1);
			a = walked_array(m, n);
			if (a >= 0 && m->col[a] >= 0 && m->niter < 64)
				m->iter[m->niter++] = a;
			else
				a = -1;
			check_walk(m, n->body, depth + 1);
			if (a >= 0)
				m->niter--;
			continue;
		}
		for (i = 0; i < N_CHILDREN; i++)
			if (i != CH_locals)
				check_walk(m, *node_child(n, i), depth + 1);
	}
}

void
sym_check_foreach(struct resolver *r)
{
	struct mutate m;
	size_t i;
	int changed, rounds = 0;

	if (!r->ngsyms)
		return;
	m.r = r;
	m.col = arena_alloc(sizeof *m.col * r->ngsyms);
	m.ncol = 0;
	for (i = 0; i < r->ngsyms; i++)
		m.col[i] = -1;
	for (i = 0; i < r->nprobes; i++)
		find_walked(&m, r->probes[i]->decl->body, 0);
	for (i = 0; i < r->nfuncs; i++)
		if (r->funcs[i]->used && r->funcs[i]->decl->body)
			find_walked(&m, r->funcs[i]->decl->body, 0);
	if (!m.ncol)
		return;
	m.writes = arena_alloc(r->nfuncs * m.ncol + 1);
	m.iter = arena_alloc(sizeof *m.iter * 64);
	m.niter = 0;
	do {
		changed = 0;
		for (i = 0; i < r->nfuncs; i++)
			if (r->funcs[i]->decl->body)
				changed |= collect_writes(&m, m.writes +
				    i * m.ncol, r->funcs[i]->decl->body, 0);
	} while (changed && ++rounds < 1000);
	for (i = 0; i < r->nprobes; i++)
		check_walk(&m, r->probes[i]->decl->body, 0);
	for (i = 0; i < r->nfuncs; i++)
		if (r->funcs[i]->used && r->funcs[i]->decl->body)
			check_walk(&m, r->funcs[i]->decl->body, 0);
}
