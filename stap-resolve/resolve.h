/*
 * stap-resolve's private header: the symbol tables and the passes.
 * A parsed tree goes through points.c (probe points to concrete attach
 * points, aliases expanded, context variables located), sym.c (every
 * name bound, tapset functions pulled in) and types.c (types inferred
 * and checked); main.c writes what is left as a resolved tree.
 */
#include "../lib/stap.h"

enum { MAXKEYS = 9 };

/* Up to this many locals or parameters are looked up in their list;
 * more, through a table */
enum { SHORTLIST = 8 };

struct sym {
	const char *name;
	struct loc loc;         /* declaration, or first use */
	unsigned scope;         /* F_GLOBAL, F_LOCAL or F_PARAM */
	int index;              /* in its scope's list */
	enum type type;         /* of the value */
	struct loc typeloc;     /* where the type was learnt */
	int nkeys;              /* -1 for a scalar */
	enum type keys[MAXKEYS];
	struct node *decl;      /* VAR or PARAM node */
	int reads, writes;
	struct node *hist;      /* its first @hist_log/@hist_linear */
	int ctype;              /* a typed pointer's BTF type (btf.c) */
	int user;               /* a global the script itself declares */
};

struct func {
	struct node *decl;      /* FUNC node */
	const char *name;
	int nparams;
	struct sym **params;
	struct sym **locals;
	size_t nlocals, caplocals;
	struct hash localidx;   /* name -> index in locals, once many */
	struct hash paramidx;   /* name -> index in params, once many */
	enum type ret;
	struct loc retloc;
	int used;               /* reachable from a probe */
	int index;              /* among the written functions */
	int tapset;             /* from the tapset library */
	int ctype;              /* returns a typed pointer (btf.c) */
};

struct probe {
	struct node *decl;      /* the PROBE node written out */
	struct tracepoint *tp;  /* for kernel.trace probes */
	struct uprobe *up;      /* for process probes (uprobe.c) */
	struct sym **locals;
	size_t nlocals, caplocals;
	struct hash localidx;   /* name -> index in locals, once many */
	int entry;              /* saves @entry values (entry.c) */
};

/* One concrete tracepoint's fields, from its tracefs format file. */
struct tpfield {
	const char *name;
	int offset, size, issigned;
	enum { TF_INT, TF_PTR, TF_CHARARR, TF_DATALOC } kind;
	int btfid;              /* its vmlinux BTF type id; 0: untyped */
};

struct tracepoint {
	const char *group, *name;
	struct tpfield *fields;
	int nfields;
	int kfunc;              /* a kernel function's parameters (or
	                         * return value) in its pt_regs (kfunc.c) */
	int btfargs;            /* fields are its C arguments (tpbtf.c) */
	int bare;               /* no tracefs event: BTF's alone (tpbtf.c) */
};

/* The aliases one of whose names starts with a given component */
struct aliasset {
	struct node **v;        /* ALIAS decls, in r->aliases order */
	size_t n, cap;
};

struct resolver {
	struct script *s;
	struct node *globals;   /* GLOBAL decls, script's then tapset's */
	struct sym **gsyms;
	size_t ngsyms, capgsyms;
	struct hash gsymidx;    /* name -> index in gsyms */
	struct func **funcs;
	size_t nfuncs, capfuncs;
	struct hash funcidx;    /* name -> index in funcs */
	struct node *aliases;   /* ALIAS decls, script's and tapset's */
	struct hash aliasidx;   /* first component -> index in aliassets */
	struct aliasset *aliassets;
	size_t naliassets, capaliassets;
	struct probe **probes;
	size_t nprobes, capprobes;
	const char *tracefs;    /* .../events directory, or NULL */
	long maxmapentries;
	int listing;            /* --list: keep every alias local (list.c) */
};

/* main.c */
void resolver_free(struct resolver *r);
struct script *resolve_run(FILE *fi, const char *input, const char *tracefs,
    const char **dirs, int ndirs);

/* list.c */
int list_run(const char *pattern, int vars, const char *tracefs,
    const char **dirs, int ndirs, FILE *fo);

/* entry.c: on the concrete probes, before names are bound */
void entry_rewrite(struct resolver *r);

/* points.c */
void points_expand(struct resolver *r);
extern int points_verbose;
struct probe *points_add(struct resolver *r, struct node *orig,
    struct node *pt, struct node *body, struct tracepoint *tp);
struct tpfield *tp_field(struct resolver *r, struct probe *p,
    const char *name);
int points_trace(struct resolver *r, struct node *probe, struct node *pt,
    struct node *body);

/* procfs.c */
int procfs_expand(struct resolver *r, struct node *probe, struct node *pt,
    struct node *body);
/* $value of a procfs probe as n (a target or an assignment to one)
 * uses it, rewritten into calls: 1, or 0 if p is no procfs probe */
int procfs_var(struct probe *p, struct node *n);

/* kfunc.c */
int kfunc_expand(struct resolver *r, struct node *probe, struct node *pt,
    struct node *body);
/* The BTF type id of a kernel function's FUNC, 0 if BTF has none */
int kfunc_btfid(const char *name);

/* btf.c */
struct btf;
void btf_use_file(const char *path);
/* The kernel's BTF (or --btf FILE's), read on first use; NULL if none */
struct btf *btf_kernel(struct resolver *r);
const char *btf_type_name(int id);
int btf_is_record(int id);
int btf_scalar(int id, struct tpfield *f);
int btf_find_type(struct resolver *r, const char *spec);
int btf_task_struct(struct resolver *r);
int btf_chain(struct resolver *r, struct node *n, int base);
int btf_pretty(struct resolver *r, struct node *n, int base);
/* tpbtf.c */
/* Replaces tp's fields (its format file's) with its C arguments from
 * BTF: 1, or 0 where it has no prototype there (or --compatible wants
 * the format's fields) */
int tpbtf_fields(struct resolver *r, struct tracepoint *tp);
int tpbtf_bare(struct resolver *r, const char *name);
/* "$a $b $$parms $$vars": what a probe on tp can name, as stap lists */
const char *tpbtf_alternatives(const struct tracepoint *tp);

/* mk.c */
struct node *mk_long(enum nodekind kind, struct loc loc);
struct node *mk_num(struct loc loc, int64_t v);
struct node *mk_call(struct loc loc, const char *f, struct node *arg);
struct node *mk_bin(struct loc loc, enum op op, struct node *l,
    struct node *r);
struct node *mk_reg(struct loc loc, const char *f, const char *reg);
struct node *mk_narrow(struct loc loc, struct node *x, int size, int sgn);
struct node *mk_uread(struct loc loc, struct node *addr, int size,
    int sgn);

/* uprobe.c */
int uprobe_expand(struct resolver *r, struct node *probe, struct node *pt,
    struct node *body);
int uprobe_target(struct probe *p, struct node *n);
int uprobe_call(struct probe *p, struct node *n);
int uprobe_is_return(struct probe *p);
/* -c CMD ('c') or -x PID ('x'): what process probes without a path
 * are on */
void uprobe_set_target(int opt, const char *arg);

/* udwarf.c: needs <elfutils/libdw.h> first */
#ifdef _LIBDW_H
struct node *udwarf_var(Dwarf *dw, uint64_t pc, struct node *n,
    const char **why);
int udwarf_vars(Dwarf *dw, uint64_t pc, int which, const char ***names,
    char **agg);
uint64_t udwarf_prologue(Dwarf *dw, uint64_t lowpc, uint64_t highpc);
#endif
/* frees what udwarf_var kept */
void udwarf_end(void);

/* tapidx.c: which tapset file defines what */
void tapidx_reset(void);
size_t tapidx_open(const char **dirs, int ndirs);
const char *tapidx_path(size_t k);
int tapidx_always(size_t k);
const int *tapidx_defs(int kind, const char *name);
const char *tapidx_alias(size_t i);

/* sym.c */
void tapset_reset(void);
void tapset_uncache(void);
void tapset_load(struct resolver *r, const char **dirs, int ndirs);
void sym_resolve(struct resolver *r);
void sym_check_foreach(struct resolver *r);
struct sym *sym_global(struct resolver *r, const char *name);
struct func *sym_func(struct resolver *r, const char *name);
/* Without pulling a tapset's declaration in: a global of that name? */
int sym_is_global(struct resolver *r, const char *name);
void sym_add_global(struct resolver *r, struct node *g);
int sym_defined(struct resolver *r, struct probe *p, struct node *x);
/* The FUNC node of a script or tapset function, or NULL */
struct node *sym_func_decl(struct resolver *r, const char *name);

/* dead.c */
void dead_locals(struct resolver *r, struct probe *p);

/* types.c */
void types_infer(struct resolver *r);
