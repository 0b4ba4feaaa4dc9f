/*
 * stap-bpfgen's private header.  asm.c assembles BPF instructions with
 * labels and map references into programs; gen.c lowers a resolved
 * stap-tree onto them; main.c writes them out with the .stap records
 * stap-bpfld reads (man/stap-bo.5).
 */
#include <linux/bpf.h>

#include "../lib/stap.h"
#include "../lib/hist.h"
#include "../lib/abi.h"
#include "bo.h"

struct reloc {
	size_t insn;
	int map;                /* -1: the address of callback sub */
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
	IK_LDMAP,               /* dst = the address of map ref */
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
	int ref;                /* IK_LDMAP: map; IK_LDFUNC: sub */
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
	int ticks;              /* timer, perf: where it counts its runs
	                         * in stap_globals */
	struct member *members; /* the probes it runs, in script order */
	size_t nmembers, capmembers;
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
void asm_mov(struct prog *p, int dst, int src);
void asm_movi(struct prog *p, int dst, int32_t imm);
void asm_ld64(struct prog *p, int dst, int64_t v);
void asm_ldmap(struct prog *p, int dst, int map);
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
	struct node **histrecs; /* "hist" records: the @hist printed */
	size_t nhistrecs, caphistrecs;
};

void gen_probe(struct gen *g, struct prog *p, struct node *probe, int init);
void gen_reset(void);

/* main.c */
int bpfgen_run(FILE *fi, const char *name, FILE *fo);
int gen_depth(struct node *n);
int gen_slot(struct gen *g, int size);
int hist_buckets(const struct node *h);
int gen_map(const char *name, int type, unsigned key, unsigned value,
    unsigned max);
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
