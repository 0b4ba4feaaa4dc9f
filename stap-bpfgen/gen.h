/*
 * stap-bpfgen's private header.  asm.c assembles BPF instructions with
 * labels and map references into programs; gen.c (with str.c, var.c,
 * call.c, expr.c, loop.c and stmt.c) lowers a resolved stap-tree onto
 * them; main.c writes them out with the .stap records stap-bpfld reads
 * (man/stap-bo.5).
 */
#include <linux/bpf.h>

#include "../lib/stap.h"
#include "../lib/hist.h"
#include "../lib/abi.h"
#include "bo.h"

struct reloc {
	size_t insn;
	int map;                /* -1: the address of callback sub;
	                         * -2: CO-RE relocation sub (typed.c) */
	int sub;                /* index into the probe's subs */
};

struct lineinfo {
	size_t insn;
	struct loc loc;
};

/*
 * An instruction of the IR (see asm.c): BPF-shaped, over registers of
 * which 0-10 are the machine's and IR_VREG and up virtual; a kind other
 * than IK_INSN is a pseudo-instruction that lowering (lower.c) resolves.
 */
enum irkind {
	IK_INSN,                /* code dst src off imm; a jump: label */
	IK_LD64,                /* dst = v (two bpf_insn) */
	IK_LDMAP,               /* dst = the address of map ref; v 1:
				 * of byte imm of its value, a
				 * global-data map's */
	IK_LDFUNC,              /* dst = the address of callback ref */
	IK_LABEL,               /* label: */
	IK_LINE,                /* the code from here is the script's loc */
	IK_ESCAPE,              /* frame bytes [off, off + imm) are
				 * reached through a pointer from here on */
	IK_NOP,                 /* deleted */
};

enum { IR_VREG = 16 };

struct ir {
	enum irkind kind;
	uint8_t code;
	int dst, src;
	int16_t off;
	int32_t imm;
	int64_t v;              /* IK_LD64 */
	int label;              /* a jump's target, IK_LABEL's number */
	int ref;                /* IK_LDMAP: map; IK_LDFUNC: sub;
	                         * IK_INSN: a CO-RE relocation, or -1 */
	struct loc loc;         /* IK_LINE */
};

/* A jump target: a label of a probe's program or of a callback */
struct target {
	struct prog *p;
	int label;
};

/* A probe a kernel program runs: only for system call nr, if >= 0 */
struct member {
	struct node *probe;
	int64_t nr;
};

/*
 * A probe's program, or one of its callbacks: a subprogram in .text
 * that bpf_loop or bpf_for_each_map_elem calls (see gen.c)
 */
struct prog {
	const char *name;
	const char *section;    /* libbpf section; NULL: userspace */
	const char *kind;       /* begin, end, error, timer, tracepoint */
	struct node *probe;
	int64_t prio;
	int order;
	struct ir *ir;          /* the IR, built by asm.c */
	size_t nir, capir;
	int nlabels;
	int nvregs;             /* registers IR_VREG.. in use */
	struct bpf_insn *insn;  /* the program lowered from ir (lower.c) */
	size_t n, cap;
	struct reloc *relocs;
	size_t nrelocs, caprelocs;
	struct lineinfo *lines;
	size_t nlines, caplines;
	struct prog *up;        /* a callback: the program calling it */
	struct target *esc;     /* and where it leaves to, code i + 1 */
	size_t nesc, capesc;
	int sub;                /* its index in the probe's subs */
	struct prog **subs;     /* a probe: its callbacks, nested too */
	size_t nsubs, capsubs;
	const char *tp;         /* the tracepoint it is attached to */
	int tpargs;             /* on its C arguments (tp_btf), not its
	                         * record */
	int ticks;              /* timer, perf: where it counts its runs
	                         * in stap_globals */
	struct member *members; /* the probes it runs, in script order */
	size_t nmembers, capmembers;
	const char **kfuncs;    /* kprobe: its kernel functions */
	size_t nkfuncs, capkfuncs;
	int kret;               /* kprobe, uprobe: on return */
	const char *upath;      /* uprobe: the file, its offsets, their
	                         * semaphores' (0: none) */
	uint64_t *uoffs, *urefs;
	size_t nuoffs, capuoffs, caprefs;
};

/* asm.c */
void asm_emit(struct prog *p, struct bpf_insn i);
int asm_label(struct prog *p);
void asm_bind(struct prog *p, int label);
void asm_jmp(struct prog *p, int op, int dst, int src, int32_t imm,
    int label);
void asm_jmpcode(struct prog *p, int code, int dst, int src, int32_t imm,
    int label);
int asm_vreg(struct prog *p);
void asm_escape(struct prog *p, int off, int size);
void asm_ja(struct prog *p, int label);
void asm_alu(struct prog *p, int op, int dst, int src);
void asm_alui(struct prog *p, int op, int dst, int32_t imm);
void asm_sdiv(struct prog *p, int op, int dst, int src, int t1, int t2);
void asm_mov(struct prog *p, int dst, int src);
void asm_movi(struct prog *p, int dst, int32_t imm);
void asm_ld64(struct prog *p, int dst, int64_t v);
void asm_ldmap(struct prog *p, int dst, int map);
void asm_ldval(struct prog *p, int dst, int map, int32_t off);
void asm_ldfunc(struct prog *p, int dst, int sub);
void asm_ldx(struct prog *p, int size, int dst, int src, int16_t off);
void asm_stx(struct prog *p, int size, int dst, int16_t off, int src);
void asm_st(struct prog *p, int size, int dst, int16_t off, int32_t imm);
void asm_call(struct prog *p, int helper);
void asm_exit(struct prog *p);
void asm_line(struct prog *p, struct loc loc);
int asm_finish(struct prog *p);

/* lower.c */
int lower_prog(struct prog *p);

/* ir.c */
extern int ir_dump;
void ir_print(FILE *f, const struct prog *p);
const char *ir_sub_name(const struct prog *p, int sub);

/* opt.c */
void opt_probe(struct prog *probe);

/* gen.c */
struct site {
	struct loc loc;
	const char *msg;
};

struct format {
	const char *fmt;
	const char *types;      /* a letter an argument: l long, s string */
};

struct fmtstr {
	const char *s;
	int off;
	const unsigned char *bytes;     /* a regex's DFA: n bytes, not s */
	size_t n;
	int nstates;
};

struct gen {
	struct script *s;
	struct prog *p;         /* being generated */
	struct prog *probe;     /* the probe's own program */
	int probefmt;           /* it has stap_fmt at SK_FMT */
	int fentry;             /* making a kprobe's fentry twin (fentry.c) */
	int fbad;               /* and it read what only pt_regs has */
	int maxstr;             /* MAXSTRINGLEN, a multiple of 8 */
	int maxaction;
	int maxnesting;         /* function calls deep, as stap's */
	int *fnfmt;             /* function -> uses stap_fmt (gen.c) */
	int recursed;           /* a function was inlined into itself */
	int top, maxtop;        /* the scratch frame */
	int m_ctl, m_globals, m_scratch, m_events, m_fmt;
	struct node **gvar;     /* global index -> its VAR node */
	int nglobals;
	int *goff;              /* scalar: offset in stap_globals */
	int *gmap;              /* array: its map, else -1 */
	int gsize;
	struct node **funcs;
	int nfuncs;
	struct site *sites;
	size_t nsites, capsites;
	struct format *formats;
	size_t nformats, capformats;
	struct fmtstr *fmtstrs;
	size_t nfmtstrs, capfmtstrs;
	size_t fmtlen;
	int usesfmt;
	int nsorts;             /* stap_sortN and stap_heapN maps */
	struct node **hist;     /* global -> its @hist node, or NULL */
	int stsize;             /* bytes of a statistic's value */
	unsigned char *var;     /* global -> @variance asked of it */
	int stvar;              /* where a value's variance sums are */
	struct node **histrecs; /* "hist" records: the @hist printed */
	size_t nhistrecs, caphistrecs;
};

void gen_probe(struct gen *g, struct prog *p, struct node *probe, int init);
void gen_reset(void);

/* the code generator's state, shared by gen.c and the files it is split into */
enum {
	SK_ZERO = -8,           /* u32 0, the key of the 1-entry maps */
	SK_REC = -16,           /* a record of kind and id alone */
	SK_FMT = -24,           /* stap_fmt value */
	SK_SYSNR = -32,         /* the system call's number (raw_syscalls) */
	SK_TMP = -40,
	SK_R9 = -64,            /* r9, r8, r6 for a callback to take */
	SK_R8 = -56,
	SK_R6 = -48,
	SK_FRAME = SK_R9,       /* what a callback gets */
};

/* How deep a probe's tree may nest with its functions' bodies inlined
 * into it, for the recursion here: a few MB of stack under ASan */
enum { MAXINLINED = 3 * TREE_MAXDEPTH };

/* Fixed slots of the scratch frame */
enum {
	SC_ACTIONS = 0,         /* loop iterations so far */
	SC_ESCAPE = 8,          /* why a callback returned early */
	SC_FIRST = 16,
};

struct scope {
	struct node *fn;        /* the FUNC being inlined, or NULL */
	int depth;              /* tree levels nested so far, inlining */
	int *local;             /* scratch offsets of its locals */
	int *param;             /* and of its parameters */
	struct target ret;
	int retslot;
	struct scope *up;
	struct node *probe;     /* the outermost scope's: its probe */
};

struct loopctx {
	struct target brk, cont;
	struct loopctx *up;
};

struct tryctx {
	struct target catch;
	int msgslot;            /* where the message goes, or -1 */
	struct tryctx *up;
};

extern struct scope *gen_cur;
extern struct loopctx *gen_loops;
extern struct tryctx *gen_tries;
extern struct target gen_epilogue;    /* the probe's epilogue */

/* gen.c */
struct target gen_here(struct gen *g);
void gen_go(struct gen *g, struct target t);
int gen_tmp(struct gen *g, int size);
int gen_sizeof_type(struct gen *g, enum type t);
void gen_copy(struct gen *g, int dreg, int doff, int sreg, int soff, int n);
void gen_zero(struct gen *g, int reg, int off, int n);
void gen_load(struct gen *g, int reg, int slot);
void gen_store(struct gen *g, int slot, int reg);
int gen_const_slot(struct gen *g, int64_t v);
struct prog *gen_callback(struct gen *g, int ctxreg, struct loc loc);
void gen_cb_return(struct prog *p, int v);
void gen_invoke(struct gen *g, struct prog *cb, int helper);
void gen_call_back(struct gen *g, struct prog *cb, int helper);
void gen_frame_args(struct gen *g);
void gen_call_each(struct gen *g, struct prog *cb, int map);
void gen_ctl_ptr(struct gen *g, int reg);
void gen_stop(struct gen *g);
void gen_record8(struct gen *g, int kind, int id);
void gen_throw(struct gen *g, struct loc loc, const char *msg, int msgslot);

/* str.c */
/* What an sprintf argument needs before bpf_snprintf sees it */
struct conv {
	char kind;              /* 0, or 'o' and 'b': made a string first */
	int digits;             /* %o: at least so many */
	int alt;                /* %#o */
	int bytes;              /* %b: of the value, 1, 2, 4 or 8 */
};

int str_literal(struct gen *g, const char *s);
int str_regex_match(struct gen *g, struct node *n);
char *str_kernel_format(struct node *at, const char *fmt, struct conv *cv,
    int ncv, int kernel);
int str_cut(struct gen *g, int slot, int prec);
int str_octal(struct gen *g, int slot, const struct conv *cv);
int str_binary(struct gen *g, int slot, const struct conv *cv);
int str_snprintf_(struct gen *g, const char *fmt, const int *slots,
    const enum type *types, int n);
int str_compare(struct gen *g, int a, int b);
int str_length(struct gen *g, int s);
int str_sub(struct gen *g, int s, int start, int len);
int str_find(struct gen *g, int a, int b, struct loc loc);

/* var.c */
struct node *var_global_var(struct gen *g, struct node *id);
int var_slot(struct gen *g, struct node *id);
int var_key(struct gen *g, struct node *var, struct node *args);
void var_map_key_call(struct gen *g, int helper, int map, int kslot);
void var_lookup(struct gen *g, int map, int kslot);
int var_read_var_k(struct gen *g, struct node *n, int kslot);
int var_read_var(struct gen *g, struct node *n);
void var_write_var_k(struct gen *g, struct node *n, int vslot, int kslot);
void var_write_var(struct gen *g, struct node *n, int vslot);
int var_lvalue_key(struct gen *g, struct node *n);
void var_elem(struct gen *g, int map, int kslot, int size, struct loc loc);
void var_elem_add(struct gen *g, int map, int kslot, int v, int32_t c,
    struct loc loc);
void var_stat_add(struct gen *g, struct node *lv, int vslot);
int var_stat_get(struct gen *g, struct node *n);
int var_record_begin(struct gen *g, int size, int kind, int id);
void var_record_end(struct gen *g, int lost);
int var_hist_index(struct gen *g, struct node *n);
void var_hist_print(struct gen *g, struct node *h);

/* call.c */
int call_builtin(struct gen *g, struct node *n);

/* procfs.c */
struct meta_probe;
int procfs_point(struct node *pt, struct meta_probe *r);
int procfs_call(struct gen *g, struct node *n);

/* typed.c */
int typed_read(struct gen *g, struct node *n);
void typed_reset(void);
/* The spec of the CO-RE relocation an IR ref names (ref / 8; the
 * kind is ref % 8), for core.c (see typed.c) */
const char *typed_core_spec(int ref);

/* stack.c */
int stack_call(struct gen *g, struct node *n);
void stack_get(struct gen *g, int buf, int size, int skip, int flags);
int stack_sprint1(struct gen *g, const char *fmt, int slot);
int stack_frames(struct gen *g, int width, int flags, int *max, int *buf,
    int *n);
void stack_hex(struct gen *g, int res, int buf, int n, int max,
    const char *first, const char *rest);
int stack_uses_fmt(const char *name);
int stack_per_function(struct gen *g, struct node *probe);

/* ustack.c */
int ustack_call(struct gen *g, struct node *n);
int ustack_uses_fmt(const char *name);

/* regs.c */
int regs_call(struct gen *g, struct node *n);
int regs_uses_fmt(const char *name);

/* uprobe.c */
int uprobe_prog(struct prog **progs, size_t n, struct node *d,
    struct prog *p);
int uprobe_has(const char *f);
int uprobe_intrinsic(struct gen *g, struct node *n);

/* fentry.c */
int fentry_field(struct gen *g, struct node *n);
size_t fentry_twins(struct gen *g, struct prog **progs, size_t n,
    struct prog ***out);

/* expr.c */
/*
 * A long's value as expr_val gives it: a constant, which goes into ALU
 * and jump instructions as their immediate and folds with another, or
 * the frame slot that holds it, which opt.c makes a virtual register
 * where one program alone touches it whole.  Code that needs an
 * address (strings, keys, tuples, what callbacks share) takes a slot:
 * expr(), or expr_slot() of a value.
 */
struct val {
	int imm;                /* 1: the constant c, not in a slot */
	int64_t c;
	int slot;
};

struct val val_imm(int64_t c);
struct val val_slot(int slot);
struct val expr_val(struct gen *g, struct node *n);
int expr_slot(struct gen *g, struct val v);
void expr_load(struct gen *g, int reg, struct val v);
int expr_atomic_add(struct gen *g, struct node *n);
int expr(struct gen *g, struct node *n);
int expr_inline_call(struct gen *g, struct node *n);

/* loop.c */
void loop_action(struct gen *g, struct loc loc);
void loop(struct gen *g, struct node *cond, struct node *body,
    struct node *step, struct loc loc);
int loop_is_slice(struct node *args);
int *loop_slice_values(struct gen *g, struct node *args);
void loop_slice_walk(struct gen *g, struct node *v, int map, const int *sl,
    int res, struct loc loc);
void loop_foreach(struct gen *g, struct node *n);

/* stmt.c */
void stmt(struct gen *g, struct node *n);

/* main.c */
int bpfgen_run(FILE *fi, const char *name, FILE *fo);
int gen_depth(struct node *n);
int gen_slot(struct gen *g, int size);
int hist_buckets(const struct node *h);
int gen_map(const char *name, int type, unsigned key, unsigned value,
    unsigned max);
int gen_map_data(int map);
unsigned gen_map_max(int map);
const char *gen_map_name(int map);
unsigned gen_map_key(int map);
unsigned gen_map_value(int map);
int gen_string(struct gen *g, const char *s);
void gen_printf(struct gen *g, const char *fmt, const int *slots,
    const char *types);
void gen_exit(struct gen *g, struct loc loc);
void gen_raise(struct gen *g, struct loc loc, int msgslot, int catchonly);
void gen_terminate(struct gen *g);

/* basm.c */
void basm_inline(struct gen *g, struct node *fn, struct node *call,
    const int *param, int retslot);

/* check.c */
int check_tree(struct gen *g, struct script *s);
