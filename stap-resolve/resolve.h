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
};

struct probe {
	struct node *decl;      /* the PROBE node written out */
	struct tracepoint *tp;  /* for kernel.trace probes */
	struct sym **locals;
	size_t nlocals, caplocals;
	struct hash localidx;   /* name -> index in locals, once many */
};

/* One concrete tracepoint's fields, from its tracefs format file. */
struct tpfield {
	const char *name;
	int offset, size, issigned;
	enum { TF_INT, TF_PTR, TF_CHARARR, TF_DATALOC } kind;
	int btfid;              /* its BTF type id (tpbtf.c), or 0 */
};

struct tracepoint {
	const char *group, *name;
	struct tpfield *fields;
	int nfields;
	int kfunc;              /* a kernel function's parameters (or
	                         * return value) in its pt_regs (kfunc.c) */
	int btfargs;            /* fields are its C arguments (tpbtf.c) */
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
};

/* main.c */
struct script *resolve_run(FILE *fi, const char *input, const char *tracefs,
    const char **dirs, int ndirs);

/* points.c */
void points_expand(struct resolver *r);
void points_add(struct resolver *r, struct node *orig, struct node *pt,
    struct node *body, struct tracepoint *tp);
struct tpfield *tp_field(struct resolver *r, struct probe *p,
    const char *name);

/* kfunc.c */
int kfunc_expand(struct resolver *r, struct node *probe, struct node *pt,
    struct node *body);
/* The BTF type id of a kernel function's FUNC, 0 if BTF has none */
int kfunc_btfid(const char *name);

/* tpbtf.c */
/* Replaces tp's fields (its format file's) with its C arguments from
 * BTF: 1, or 0 where it has no prototype there (or --compatible wants
 * the format's fields) */
int tpbtf_fields(struct resolver *r, struct tracepoint *tp);
/* "$a $b $$parms $$vars": what a probe on tp can name, as stap lists */
const char *tpbtf_alternatives(const struct tracepoint *tp);

/* sym.c */
void tapset_reset(void);
void tapset_load(struct resolver *r, const char **dirs, int ndirs);
void sym_resolve(struct resolver *r);
void sym_check_foreach(struct resolver *r);
struct sym *sym_global(struct resolver *r, const char *name);
struct func *sym_func(struct resolver *r, const char *name);

/* types.c */
void types_infer(struct resolver *r);
