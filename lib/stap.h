/*
 * stap.h: everything the tools share, in sections named after the
 * file that implements them.  Self-contained; needs libc only.
 */
#ifndef STAP_H
#define STAP_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define VERSION "0.1.0"
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* arena.c */

void *emalloc(size_t n);
void *erealloc(void *p, size_t n);
char *estrdup(const char *s);
void *arena_alloc(size_t n);
char *arena_strndup(const char *s, size_t n);
/* The n bytes at s C-quoted, as our text formats write them: into dst
 * (room for 4 * n + 3 bytes; returns the length) or the arena */
size_t arena_quote_to(char *dst, const char *s, size_t n);
char *arena_quote(const char *s, size_t n);
/* A C-quoted string at *pp, as our text formats write them, decoded
 * into the arena, *pp past it; NULL with *why set if there is none */
char *arena_unquote(const char **pp, size_t *lenp, const char **why);
void arena_freeall(void);
void *vgrow(void *p, size_t *cap, size_t need, size_t elsz);

/* bpfop.c */

/* BPF ALU and jump operation names, by BPF_OP(code) >> 4; NULL: none */
extern const char *const bpfop_alu[16];
extern const char *const bpfop_jmp[16];

/* hash.c */

/* Names to numbers >= 0 (-1: none), for lookups a list would make
 * quadratic.  Zeroed is empty; keys are not copied; slots come from
 * the arena. */
struct hash {
	struct hashent *tab;
	size_t n, cap;
};

long hash_get(const struct hash *h, const char *key);
long hash_add(struct hash *h, const char *key, long val);
void hash_set(struct hash *h, const char *key, long val);
uint32_t hash_str(const char *s);

/* diag.c */

struct loc {
	int file;   /* index into the source registry */
	int line;   /* 1-based */
	int col;    /* 1-based bytes */
};

struct srcfile {
	char *name;
	char *text;     /* whole contents, NUL-terminated */
	size_t len;
	int nlines;
	size_t *line;   /* byte offset of each line's start */
};

extern const char *argv0;
/* The value of option argv[*i]: glued on (-IDIR) or the next argument
 * (*i moves on); if there is none, says so and calls usage(stderr, 2) */
const char *opt_value(int argc, char **argv, int *i,
    void (*usage)(FILE *, int));
extern int nerrors;
extern int nwarnings;
extern FILE *diag_file;         /* where diagnostics go; NULL: stderr */
extern void (*fatal_hook)(void);/* set by fuzzers: called instead of exit */

/* The most any tool reads of one input (a script, a stap-tree, a .bo):
 * endless input (/dev/zero, a runaway generator) stops here */
enum { INPUT_MAX = 64 << 20 };
#define INPUT_MAX_TEXT "64 MiB"

int src_add(const char *name, const char *text, size_t len);
void src_reset(void);
int src_read(const char *path);
const char *tapset_dir(void);
/* head, then the rest of fd, NUL-terminated, its length in *lenp;
 * input over INPUT_MAX, or a NUL byte in text, is fatal */
char *src_slurp(int fd, const char *head, size_t nhead, const char *name,
    int text, size_t *lenp);
const char *src_refuse(const char *chunk, size_t n, size_t total, int text);
int src_count(void);
struct srcfile *src_get(int file);
const char *src_line(int file, int line, size_t *len);
void diag_error(struct loc loc, const char *fmt, ...);
void diag_warn(struct loc loc, const char *fmt, ...);
void diag_note(struct loc loc, const char *fmt, ...);
void diag_vreport(const char *kind, struct loc loc, const char *fmt,
    va_list ap);
_Noreturn void fatal(const char *fmt, ...);
_Noreturn void die(void);
_Noreturn void bugat(const char *file, int line, const char *fmt, ...);
#define bug(...) bugat(__FILE__, __LINE__, __VA_ARGS__)

/* outfile.c */

/* -o FILE: a regular FILE is written through a temporary file that
 * outclose renames over it (one at a time); fatal on failure */
FILE *outopen(const char *path);
/* -o FILE opened itself, for output that must show as it is written:
 * the fd (close-on-exec); fatal on failure */
int out_create(const char *path);
/* Flush f and check it, fatal on a write error; a file from outopen is
 * closed and renamed into place, any other stream stays open for its
 * owner (bpfgen_run writes into a fuzzer's memory stream) */
void outclose(FILE *f);

/* lex.c */

enum tokkind {
	TK_EOF,
	TK_IDENT,    /* name or keyword */
	TK_TARGET,   /* $name, $$name, $1, $# */
	TK_AT,       /* @name, @1, @# */
	TK_NUM,
	TK_STR,      /* str holds the decoded value */
	TK_EMBED,    /* %{ ... %}: str holds the code */
	TK_OP,
};

enum op {
	O_NONE,
#define OP(name, spelling) name,
#include "op.def"
#undef OP
	O_NOPS
};

struct token {
	enum tokkind kind;
	enum op op;
	struct loc loc;
	const char *text;   /* raw spelling in the source */
	int len;
	const char *str;    /* identifier or decoded string, NUL-terminated */
	int64_t num;
	int numflags;       /* F_HEX, F_OCT: how a number was spelt */
	int space;          /* whitespace or a comment came before it */
};

struct comment {
	struct loc loc;
	const char *text;   /* with its delimiters */
	int own_line;       /* nothing but blanks before it on its line */
	struct comment *next;
};

struct lexer {
	int file;
	const char *base, *p, *end;
	int line;
	const char *linestart;
	struct comment **comments;  /* where to append comments, or NULL */
};

extern const char *op_spelling[];
int lex_iskeyword(const char *s);
void lex_init(struct lexer *lx, int file, struct comment **comments);
void lex_next(struct lexer *lx, struct token *t);
size_t lex_string_offset(const char *text, size_t n, size_t off);
/* One escape of a string literal, p past the backslash: its byte in
 * *out, and p past it; NULL with *why set if stap refuses it */
const char *lex_escape(const char *p, const char *end, char *out,
    const char **why);
/* The n bytes of a literal between its quotes, decoded (in the arena);
 * NULL with *bad the offset of a refused escape and *why the reason */
char *lex_unescape(const char *s, size_t n, size_t *len, size_t *bad,
    const char **why);
enum op op_lookup(const char *s);
enum op op_compound(enum op op);
int op_isassign(enum op op);
int tok_is(const struct token *t, const char *word);
int tok_isop(const struct token *t, enum op op);
const char *tok_describe(const struct token *t, char *buf, size_t n);

/* pp.c */

struct facts {
	const char *release;    /* kernel_vr */
	const char *arch;
	const char *runtime;
	const char *stap_version;
	const char *privilege;
	int guru;
	int nargs;
	char **args;
	int ndefines;
	char **defines;         /* NAME=VALUE from -D */
	const char *configfile; /* kernel .config to read CONFIG_ from */
};

struct pp;

void facts_default(struct facts *f);
void facts_finish(struct facts *f, int running);
long facts_define(const struct facts *f, const char *name, long dflt);
struct pp *pp_new(struct facts *f, int file, struct comment **comments);
void pp_library(struct pp *pp, const char *dir);
void pp_next(struct pp *pp, struct token *t);
struct node *pp_macrodefs(struct pp *pp);

/* parse.c */

struct script {
	const char *stage;      /* "parsed" or "resolved" */
	const char *tool;
	struct facts facts;
	const char *compatible;
	struct node *decls;
	struct comment *comments;
};

int print_family(const char *name);
struct script *parse_script(struct facts *f, int file, const char *compatible,
    const char **incdirs, int nincs);

/* tree.c */

enum nodekind {
#define N(kind, name) N_##kind,
#include "node.def"
#undef N
	N_NKINDS
};

enum type {
	T_UNKNOWN,
	T_LONG,
	T_STRING,
	T_STATS,
	T_VOID,
};

enum flag {
	F_OPTIONAL  = 1 << 0,   /* probe point '?' */
	F_SUFFICIENT= 1 << 1,   /* probe point '!' */
	F_PRIVATE   = 1 << 2,
	F_WRAP      = 1 << 3,   /* global a% */
	F_EPILOGUE  = 1 << 4,   /* probe alias += */
	F_ADDR      = 1 << 5,   /* &$var */
	F_PRETTY    = 1 << 6,   /* $var$ */
	F_PPRETTY   = 1 << 7,   /* $var$$ */
	F_ASC       = 1 << 8,   /* foreach sort + */
	F_DESC      = 1 << 9,   /* foreach sort - */
	F_HEX       = 1 << 10,  /* literal spelt 0x.. */
	F_OCT       = 1 << 11,  /* literal spelt 0.. */
	F_GLOBAL    = 1 << 12,  /* resolved: ident names global num */
	F_LOCAL     = 1 << 13,  /* resolved: ident names local num */
	F_PARAM     = 1 << 14,  /* resolved: ident names parameter num */
	F_BUILTIN   = 1 << 15,  /* resolved: call of an intrinsic */
	F_SIGNED    = 1 << 16,  /* resolved: signed context field */
	F_DATALOC   = 1 << 17,  /* resolved: __data_loc string field */
	F_DEREF     = 1 << 18,  /* resolved: a typed step loads a pointer */
	F_TPARGS    = 1 << 19,  /* resolved point: C arguments (tp_btf) */
	F_UENTRY    = 1 << 20,  /* resolved point: a uprobe on a function's
	                         * first instruction (its frame not made) */
	F_NFLAGS    = 21
};

struct node {
	enum nodekind kind;
	enum op op;
	enum type type;
	unsigned flags;
	struct loc loc;
	const char *str;
	int64_t num;
	int size;               /* resolved: bytes of a context field */
	const char *btf;        /* resolved: a typed step's BTF (btf=) */
	int ctype;              /* stap-resolve only: the BTF type of a
	                         * typed value, -id a pointer to id */
	struct node *next;      /* next in a list */
#define CHILD(name) struct node *name;
#include "child.def"
#undef CHILD
};

enum {
#define CHILD(name) CH_##name,
#include "child.def"
#undef CHILD
	N_CHILDREN
};

extern const char *node_name[];
extern const char *type_name[];
extern const char *flag_name[];

struct node *node_new(enum nodekind kind, struct loc loc);
struct node **node_child(struct node *n, int i);
struct node *node_copy(struct node *n);
int node_count(struct node *n);
int node_same(const struct node *a, const struct node *b);
const char *point_text(struct node *pt);
int64_t timer_unit_ns(const char *unit);
void tree_write(FILE *f, struct script *s);
const char *tree_check(struct node *decls);
struct script *tree_read(FILE *f, const char *name);
/* How deep a tree may nest, declarations at depth 0: what every stage's
 * recursion over a tree is sized for (the parser refuses deeper
 * scripts, stap-resolve what its aliases make deeper, readers deeper
 * trees) */
enum { TREE_MAXDEPTH = 1000 };
int tree_depth_check(struct node *decl);

/* intrinsic.c */

/* An intrinsic and its signature; one entry for each arity */
struct intrinsic {
	const char *name;
	int nargs;
	enum type ret;
	enum type args[4];
};

/* name with nargs arguments, or NULL (the print family is not here) */
const struct intrinsic *intrinsic_find(const char *name, int nargs);
/* name is an intrinsic of some arity, or of the print family */
int intrinsic_known(const char *name);

/* uregs.c */

/* The x86-64 register name (rax, eax, ax, al, r8d...): its offset in
 * struct pt_regs and how many low bytes it names; -1 if unknown */
int uregs_find(const char *name, int *off, int *size);
/* The 64-bit name of the register at pt_regs offset off, or NULL */
const char *uregs_name(int off);

#endif
