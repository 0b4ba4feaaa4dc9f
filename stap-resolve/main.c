/*
 * stap-resolve: a parsed stap-tree to a resolved one.
 *
 *     stap-parse x.stp | stap-resolve [options] [TREE] > x.resolved
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "resolve.h"

static void
usage(FILE *f, int status)
{
	fputs("usage: stap-resolve [options] [TREE]\n"
	    "       stap-resolve [options] --list[=vars] PATTERN\n"
	    "  -I DIR           also load tapset scripts (*.stp) from DIR\n"
	    "  --tracefs DIR    read tracepoint formats from DIR/events "
	    "(DIR: a tracefs)\n"
	    "  -c CMD, -x PID   the target: process probes without a path "
	    "are on\n"
	    "                   CMD's executable (found on $PATH) or PID's\n"
	    "  --btf FILE       kernel types from FILE (a vmlinux or raw BTF), "
	    "not the\n"
	    "                   running kernel's /sys/kernel/btf/vmlinux\n"
	    "  -o FILE          write the resolved tree to FILE\n"
	    "  -v               name each probe point dropped (an optional "
	    "one that\n"
	    "                   matches nothing) and why\n"
	    "  --list PATTERN   list the probe points PATTERN matches, "
	    "as stap -l\n"
	    "  --list=vars PATTERN  and their context variables, as "
	    "stap -L\n"
	    "  --help, --version\n", f);
	exit(status);
}

static struct node *
var_node(struct sym *s)
{
	struct node *v = node_new(N_VAR, s->loc);

	v->str = s->name;
	v->type = s->type;
	return v;
}

static void
append(struct node ***tail, struct node *n)
{
	**tail = n;
	*tail = &n->next;
}

static void
locals_of(struct node *decl, struct sym **v, size_t n)
{
	struct node **tail = &decl->locals;
	size_t i;

	for (i = 0; i < n; i++)
		append(&tail, var_node(v[i]));
}

/* Number the calls of script functions by their written order. */
static void
number_calls(struct resolver *r, struct node *n)
{
	struct func *f;
	int k;

	for (; n; n = n->next) {
		if (n->kind == N_CALL && !(n->flags & F_BUILTIN) &&
		    (f = sym_func(r, n->str)))
			n->num = f->index;
		for (k = 0; k < N_CHILDREN; k++)
			number_calls(r, *node_child(n, k));
	}
}

enum { MAXSIZE = 1 << 24 };

static struct script *
output(struct resolver *r)
{
	struct script *o = arena_alloc(sizeof *o);
	struct node **tail = &o->decls, *g, *v, *d;
	size_t i;
	int k, idx = 0;

	*o = *r->s;
	o->stage = "resolved";
	o->tool = "stap-resolve " VERSION;
	o->decls = NULL;
	for (g = r->globals; g; g = g->next) {
		d = node_copy(g);
		for (v = d->args; v; v = v->next) {
			struct sym *s = sym_global(r, v->str);
			struct node **kt = &v->keys;
			int dflt = s->nkeys > 0 && v->num == 0;

			v->type = s->type;
			if (dflt)
				v->num = r->maxmapentries;
			/* stap-bpfgen's maps; stap's own bound is 2^31 */
			if (s->nkeys > 0 && (v->num < 1 || v->num > MAXSIZE))
				diag_error(v->loc, "array size %lld out of "
				    "range: stap-bpf arrays hold 1 to %d "
				    "elements%s", (long long)v->num, MAXSIZE,
				    dflt ? " (MAXMAPENTRIES)" : "");
			for (k = 0; k < s->nkeys; k++) {
				struct node *p = node_new(N_PARAM, v->loc);

				p->type = s->keys[k];
				append(&kt, p);
			}
		}
		append(&tail, d);
	}
	for (i = 0; i < r->nfuncs; i++) {
		struct func *f = r->funcs[i];

		if (f->used != 1)
			continue;
		f->index = idx++;
		d = f->decl;
		d->next = NULL;
		d->type = f->ret;
		for (k = 0, v = d->args; v; v = v->next, k++)
			v->type = f->params[k]->type;
		locals_of(d, f->locals, f->nlocals);
		append(&tail, d);
	}
	for (i = 0; i < r->nprobes; i++) {
		d = r->probes[i]->decl;
		locals_of(d, r->probes[i]->locals, r->probes[i]->nlocals);
		append(&tail, d);
	}
	number_calls(r, o->decls);
	return o;
}

static struct node *
copy_decls(struct node *d)
{
	struct node *head = NULL, **tail = &head;

	for (; d; d = d->next) {
		*tail = node_copy(d);
		tail = &(*tail)->next;
	}
	return head;
}

/* printf conversions for a value of type t, as stap's display does */
static const char *
conv(enum type t)
{
	return t == T_STRING ? "\\\"%s\\\"" : "%d";
}

/*
 * Globals the script writes but never reads are printed at the end, as
 * stap does, by an end probe written here as SystemTap source.  Which
 * globals, and their types, need a resolution first: a silent trial
 * pass over a copy of the script.  When it finds none to print, and
 * said nothing (no error, no warning to show again), that pass is the
 * real one, as a second over the same script would resolve the same:
 * 1 then, with r as it left it.
 */
static int
display_globals(struct resolver *r, const char **dirs, int ndirs)
{
	struct script *s = r->s, *t;
	struct node *orig = s->decls, *d;
	FILE *save = diag_file, *null = fopen("/dev/null", "w");
	char *buf = NULL, line[2048];
	const char *tracefs;
	size_t len = 0, cap = 0, i;
	int k, errs, said;

	if (!null)
		return 0;
	diag_file = null;
	s->decls = copy_decls(orig);
	tapset_load(r, dirs, ndirs);
	sym_resolve(r);
	if (!nerrors)
		types_infer(r);
	errs = nerrors;
	/* -v's notes went to /dev/null too: say them in a second pass */
	said = nerrors || nwarnings || points_verbose;
	diag_file = save;
	fclose(null);
	nerrors = nwarnings = 0;
	for (i = 0; !errs && i < r->ngsyms; i++) {
		struct sym *g = r->gsyms[i];
		const char *nm = g->name;
		char keys[512] = "", fmtk[1024] = "", args[512] = "";
		size_t kl = 0, fl = 0, al = 0;

		if (g->writes == 0 || g->reads > 0 || !g->decl ||
		    g->decl->loc.file != s->decls->loc.file)
			continue;
		for (k = 0; k < g->nkeys; k++) {
			kl += snprintf(keys + kl, sizeof keys - kl, "%s__idx%d",
			    k ? "," : "", k);
			fl += snprintf(fmtk + fl, sizeof fmtk - fl, "%s%s",
			    k ? "," : "", conv(g->keys[k]));
			al += snprintf(args + al, sizeof args - al, ", __idx%d",
			    k);
		}
		if (g->nkeys > 0 && g->type == T_STATS)
			snprintf(line, sizeof line, "probe end { foreach ([%s] "
			    "in %s-) printf(\"%s[%s] @count=%%d @min=%%d "
			    "@max=%%d @sum=%%d @avg=%%d\\n\"%s, "
			    "@count(%s[%s]), "
			    "@min(%s[%s]), @max(%s[%s]), @sum(%s[%s]), "
			    "@avg(%s[%s])) }\n", keys, nm, nm, fmtk, args, nm,
			    keys, nm, keys, nm, keys, nm, keys, nm, keys);
		else if (g->nkeys > 0)
			snprintf(line, sizeof line,
			    "probe end { foreach (__val "
			    "= [%s] in %s-) printf(\"%s[%s]=%s\\n\"%s, __val) "
			    "}\n", keys, nm, nm, fmtk, conv(g->type), args);
		else if (g->type == T_STATS)
			snprintf(line, sizeof line,
			    "probe end { if (@count(%s) "
			    "== 0) printf(\"%s @count=0\\n\") else printf("
			    "\"%s @count=%%d @min=%%d @max=%%d @sum=%%d "
			    "@avg=%%d\\n\", @count(%s), @min(%s), @max(%s), "
			    "@sum(%s), @avg(%s)) }\n", nm, nm, nm, nm, nm, nm,
			    nm, nm);
		else
			snprintf(line, sizeof line, "probe end { printf(\"%s="
			    "%s\\n\", %s) }\n", nm, conv(g->type), nm);
		buf = vgrow(buf, &cap, len + strlen(line) + 1, 1);
		memcpy(buf + len, line, strlen(line) + 1);
		len += strlen(line);
	}
	if (!buf && !said)
		return 1;
	/* start the real pass from scratch, keeping the options */
	resolver_free(r);
	tracefs = r->tracefs;
	memset(r, 0, sizeof *r);
	r->s = s;
	r->tracefs = tracefs;
	r->maxmapentries = facts_define(&s->facts, "MAXMAPENTRIES", 2048);
	tapset_reset();
	s->decls = orig;
	if (!buf)
		return 0;
	t = parse_script(&s->facts, src_add("<synthetic>", buf, len), NULL,
	    NULL, 0);
	free(buf);
	for (d = s->decls; d->next; d = d->next)
		;
	d->next = t->decls;
	return 0;
}

/*
 * Read a parsed tree from fi (called input in messages) and resolve it:
 * the resolved script, or NULL after errors (reported).  tracefs is the
 * events directory of the tracepoint formats, or NULL; dirs the tapset
 * directories.  Separate from main() so a fuzzer can call it again and
 * again: the resolver is reset here, and what the last run kept freed.
 */
/* The tables a pass allocated (the nodes are the arena's) */
void
resolver_free(struct resolver *r)
{
	size_t i;

	for (i = 0; i < r->nprobes; i++)
		free(r->probes[i]->locals);
	for (i = 0; i < r->nfuncs; i++)
		free(r->funcs[i]->locals);
	for (i = 0; i < r->naliassets; i++)
		free(r->aliassets[i].v);
	free(r->aliassets);
	free(r->probes);
	free(r->funcs);
	free(r->gsyms);
}

struct script *
resolve_run(FILE *fi, const char *input, const char *tracefs,
    const char **dirs, int ndirs)
{
	static struct resolver r;
	struct script *s = NULL;
	struct node *decl;
	size_t i;
	int trial;

	memset(&r, 0, sizeof r);
	tapset_reset();
	tapset_uncache();
	r.tracefs = tracefs;
	r.s = tree_read(fi, input);
	if (strcmp(r.s->stage, "parsed"))
		fatal("%s: is a %s stap-tree; stap-resolve wants a parsed one "
		    "(from stap-parse)", input, r.s->stage);
	r.maxmapentries = facts_define(&r.s->facts, "MAXMAPENTRIES", 2048);
	trial = display_globals(&r, dirs, ndirs);
	if (!trial) {
		tapset_load(&r, dirs, ndirs);
		sym_resolve(&r);
	}
	if (!nerrors)
		sym_check_foreach(&r);
	if (!nerrors && !trial)
		types_infer(&r);
	if (!nerrors) {
		/* aliases wrap a probe's body in blocks: it may now nest
		 * deeper than the next stage reads */
		s = output(&r);
		for (decl = s->decls; decl; decl = decl->next)
			tree_depth_check(decl);
	}
	if (nerrors) {
		fprintf(diag_file ? diag_file : stderr, "stap-resolve: %d "
		    "error%s\n", nerrors, nerrors == 1 ? "" : "s");
		s = NULL;
	}
	/* the output holds copies: the tables can go */
	for (i = 0; i < r.nprobes; i++)
		free(r.probes[i]->locals);
	for (i = 0; i < r.nfuncs; i++)
		free(r.funcs[i]->locals);
	free(r.probes);
	free(r.funcs);
	free(r.gsyms);
	return s;
}

int
main(int argc, char **argv)
{
	const char *in = NULL, *out = NULL, *tracefs = NULL, *list = NULL;
	const char *dirs[64];
	int ndirs = 0, i, vars = 0;
	struct script *s;
	FILE *fi = stdin, *fo = stdout;

	argv0 = "stap-resolve";
	dirs[ndirs++] = tapset_dir();
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help"))
			usage(stdout, 0);
		if (!strcmp(a, "--version")) {
			printf("stap-resolve %s\n", VERSION);
			return 0;
		}
		if (!strcmp(a, "--tracefs") && i + 1 < argc) {
			/* DIR is where tracefs is mounted, as
			 * /sys/kernel/tracing; the formats are in events/ */
			const char *d = argv[++i];
			char *ev = arena_alloc(strlen(d) + sizeof "/events");

			sprintf(ev, "%s/events", d);
			tracefs = ev;
		} else if (!strcmp(a, "--btf") && i + 1 < argc) {
			btf_use_file(argv[++i]);
		} else if (!strncmp(a, "-I", 2) && (a[2] || i + 1 < argc)) {
			if (ndirs == (int)NELEM(dirs))
				fatal("too many -I options");
			dirs[ndirs++] = a[2] ? a + 2 : argv[++i];
		} else if (!strcmp(a, "-v")) {
			points_verbose = 1;
		} else if (!strcmp(a, "-o") && i + 1 < argc) {
			out = argv[++i];
		} else if ((!strcmp(a, "-c") || !strcmp(a, "-x")) &&
		    i + 1 < argc) {
			uprobe_set_target(a[1], argv[++i]);
		} else if ((!strcmp(a, "--list") ||
		    !strcmp(a, "--list=vars")) && i + 1 < argc) {
			vars = a[6] == '=';
			list = argv[++i];
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr,
			    "stap-resolve: unknown option '%s'\n", a);
			usage(stderr, 2);
		} else if (!in) {
			in = a;
		} else {
			usage(stderr, 2);
		}
	}
	if (list) {
		if (in)
			usage(stderr, 2);
		if (out)
			fo = outopen(out);
		i = list_run(list, vars, tracefs, dirs, ndirs, fo);
		outclose(fo);
		return i;
	}
	if (in && strcmp(in, "-") && !(fi = fopen(in, "r")))
		fatal("open '%s':", in);
	s = resolve_run(fi, in ? in : "<stdin>", tracefs, dirs, ndirs);
	if (!s)
		return 1;
	if (out)
		fo = outopen(out);
	tree_write(fo, s);
	outclose(fo);
	return 0;
}
