/*
 * meta.h: the records of a .bo's .stap section (man/stap-bo.5), which
 * also head an event stream (man/stap-events.5), and stap's printf.
 * meta.c reads them (stap-bpfld, stap-fmt) and writes them
 * (stap-bpfgen, stap-bpfld --raw); printf.c prints what the records of
 * an event stream say.  libc and lib/ only, so that every tool can
 * link them.  Needs lib/stap.h first (struct loc, the source registry).
 */
#ifndef META_H
#define META_H

#include <stdint.h>
#include <stdio.h>

#include "abi.h"

enum probekind {
	PK_BEGIN,
	PK_END,
	PK_ERROR,
	PK_TIMER,
	PK_TRACEPOINT,
	PK_PERF,
	PK_KPROBE,
	PK_UPROBE,
	PK_PROCFS,
	PK_OTHER,
};

struct meta_probe {
	char *prog;		/* program (its symbol in .stap.progs) */
	enum probekind kind;
	struct loc loc;
	char *point;		/* the attach point as the script says it */
	long prio;
	uint64_t period;	/* timer: ns between hits */
	uint64_t randomize;	/* timer: ns of jitter (unsupported) */
	uint64_t type, config;	/* perf: the event */
	uint64_t freq;		/* perf: samples a second, else period */
	char *tpgroup, *tpname;	/* tracepoint GROUP:NAME, or NULL */
	uint64_t ticks;		/* timer, perf: 1 + offset of its run
				 * count in stap_globals; 0: none */
	size_t probes;		/* tracepoint: script probes combined */
	int tpargs;		/* tracepoint: on its C arguments, tp_btf
				 * or raw_tp, not its record */
	char **funcs;		/* kprobe: the kernel functions, one
				 * program on all (kprobe_multi) */
	size_t nfuncs;
	int ret;		/* kprobe, uprobe: on return */
	char *path;		/* uprobe: the file probed */
	uint64_t *offs;		/* uprobe: file offsets, one program on
				 * all, and their semaphores' (0: none) */
	uint64_t *refs;
	size_t noffs;
	char *file;		/* procfs: the file's name in the directory */
	int write;		/* procfs: a write probe, else a read one */
	uint64_t umask;		/* procfs: the bits its mode loses */
	uint64_t maxsize;	/* procfs read: bytes it says it gives, or 0 */
};

struct meta_format {
	char *fmt;		/* NULL: no such id */
	char *types;		/* per argument: l long, s string */
};

/* A histogram print(@hist_log(s)) sends: see lib/hist.h */
struct meta_hist {
	int type;		/* 0: no such id, else HIST_LOG, HIST_LINEAR */
	int64_t start, stop, interval;
	int nbuckets;
};

struct meta_site {
	struct loc loc;
	char *msg;		/* NULL: no such id */
};

/* "line PROG INSN LOC", in record order */
struct meta_line {
	char *prog;
	size_t insn;
	struct loc loc;
};

struct meta_array {
	char *name, *map;
	char valtype;		/* 'l', 's' or 'S' (stats) */
	char *keytypes;		/* one letter a key: 'l' or 's' */
};

/* Bytes for stap_fmt: a fmtstr (a string and its NUL) or fmtbytes */
struct meta_fmtstr {
	size_t off;
	char *str;
	size_t len;		/* 0: a fmtstr, strlen(str) + 1 bytes */
};

struct meta_file {
	int src;		/* index in the source registry */
};

struct meta {
	char *script;
	size_t maxstr, scratch, globals, ringbuf;
	struct meta_file *files;
	size_t nfiles, capfiles;
	struct meta_probe *probes;
	size_t nprobes, capprobes;
	struct hash probeidx;   /* prog -> index in probes, the first */
	struct meta_format *formats;	/* indexed by id */
	size_t nformats, capformats;
	struct meta_site *sites;	/* indexed by id */
	size_t nsites, capsites;
	struct meta_hist *hists;	/* indexed by id */
	size_t nhists, caphists;
	struct meta_line *lines;
	size_t nlines, caplines;
	struct meta_array *arrays;
	size_t narrays, caparrays;
	struct meta_fmtstr *fmtstrs;
	size_t nfmtstrs, capfmtstrs;

	/* The reader's state */
	int magic;		/* the first line has been seen */
	int ended;		/* "end" has been seen */
	int srcid, srcleft;	/* a file record's source lines to come */
	char *srcbuf;
	size_t srclen, srccap;
	char *srcname;
	size_t lineno;		/* records fed so far */
	char err[160];
};

/* meta.c */

void meta_init(struct meta *m);
void meta_free(struct meta *m);
/*
 * Feed one line (no newline).  The first must be "MAGIC 1" (magic is
 * "stap-bo" or "stap-events"); then records, until "end".  Unknown
 * kinds and headers are skipped.  0, or -1 with m->err set.
 */
int meta_feed(struct meta *m, const char *line, const char *magic);
/* The location of instruction insn of program prog, or the probe's */
struct loc meta_insnloc(const struct meta *m, const char *prog, size_t insn);
const struct meta_probe *meta_probe(const struct meta *m, const char *prog);
/* The kind a probe record names ("timer"), PK_OTHER if none */
enum probekind meta_probekind(const char *name);
const char *meta_kindname(enum probekind k);
/* "long", "string" or "stats" for a type letter of meta_array */
const char *meta_typename(char t);
const struct meta_array *meta_array(const struct meta *m, const char *map);
/* NULL if a map with keys and values of these sizes fits record a */
const char *meta_array_check(const struct meta *m, const struct meta_array *a,
    size_t ksize, size_t vsize);
/* Parses a C-quoted string at *pp, advancing it; NULL if malformed.
 * *lenp gets the length (the string may hold NUL bytes). */
char *meta_unquote(const char **pp, size_t *lenp);
/* "FILE:LINE:COL" of loc, in buf */
const char *meta_locstr(struct loc loc, char *buf, size_t n);

/*
 * The writer: one record a call, in the arena, as meta_feed reads it
 * (no newline).  A loc's file is the file record's id; the file records
 * come first.  meta_rec formats a header ("@maxstringlen 128") or any
 * record printf-style; after a file record come its lines, each quoted
 * with arena_quote.
 */
char *meta_rec(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
char *meta_rec_file(size_t id, const char *name, int nlines);
char *meta_rec_probe(const struct meta_probe *p);
char *meta_rec_format(size_t id, const struct meta_format *f);
char *meta_rec_site(size_t id, const struct meta_site *s);
char *meta_rec_hist(size_t id, const struct meta_hist *h);
char *meta_rec_line(const struct meta_line *l);
char *meta_rec_array(const struct meta_array *a);
/* "global NAME OFFSET TYPE": a scalar in stap_globals; type as
 * meta_array's valtype.  stap-fmt -l reads them; meta_feed skips them */
char *meta_rec_global(const char *name, size_t off, char type);
char *meta_rec_fmtstr(const struct meta_fmtstr *f);

/* printf.c */

/*
 * Format fmt with SystemTap's printf semantics and write it to out.
 * The arguments are packed as a PRINTF record carries them: types[i]
 * 'l' is an 8-byte long in host order, 's' a string of maxstr bytes
 * (NUL-terminated within them, else cut there).  Returns 0, or -1 when
 * the arguments are shorter than types say or a conversion wants more
 * arguments than there are (what can be printed still is).
 */
int stapfmt_print(FILE *out, const char *fmt, const char *types,
    const void *args, size_t len, size_t maxstr);
/* Bytes the packed arguments of types take */
size_t stapfmt_argsize(const char *types, size_t maxstr);
/*
 * Draw the histogram of one HIST record (after kind and id: count,
 * sum, min, max, then the buckets of "hist" record id) as stap does;
 * -1 if the record does not fit its "hist" record.
 */
int stapfmt_hist(FILE *out, const struct meta *m, uint32_t id,
    const void *p, size_t len);

/*
 * Print one ERROR or WARN record's message to err the way stap-bpfld
 * does: "ERROR: MESSAGE near FILE:LINE:COL".
 */
void stapfmt_diag(FILE *err, const struct meta *m, unsigned kind,
    unsigned id, const void *payload, size_t len);

/*
 * Render an event stream (stap-bpfld --raw) read from in: the script's
 * output to out, its errors and warnings to err, as stap-bpfld would
 * have printed them.  name is what messages call the input.  Returns
 * 0, 1 if the script reported errors (stap-bpfld would exit 1), or -1
 * after saying in one line on err why the stream is unreadable
 * (foreign, unknown version, truncated).
 */
int stapfmt_render(FILE *in, FILE *out, FILE *err, const char *name);
/* The last words at exit: lost records and error count, if any */
void stapfmt_summary(FILE *err, uint64_t lost, uint64_t errors);

/* ksym.c */

/* A kernel text symbol, reaching size bytes from addr */
struct ksym {
	uint64_t addr, size;
	char *name, *mod;       /* mod: "kernel" for vmlinux's */
	size_t order;           /* in the order it came */
	int seen;               /* sent in a KSYM record already */
};

struct ksyms {
	struct ksym *v;
	size_t n, cap;
	int sorted, loaded;
};

void ksym_add(struct ksyms *ks, uint64_t addr, uint64_t size,
    const char *name, const char *mod);
/* The text symbols of a kallsyms file; -1 if it cannot be read */
int ksym_load(struct ksyms *ks, const char *path);
/* The symbol addr falls in, or NULL */
struct ksym *ksym_find(struct ksyms *ks, uint64_t addr);
/* stap's symdata(addr); the kernel's %pS (full) or %ps into buf */
int ksym_data(struct ksyms *ks, char *buf, size_t size, uint64_t addr);
int ksym_kernel(struct ksyms *ks, char *buf, size_t size, uint64_t addr,
    int full);
/* A STACK record's payload (n frames) and a SYMS record's, as stap's
 * print_backtrace() and print_syms() print them */
int ksym_print_stack(FILE *out, struct ksyms *ks, uint32_t n,
    const void *p, size_t len);
int ksym_print_syms(FILE *out, struct ksyms *ks, const void *p,
    size_t len);
/* Call each with a KSYM record (kind, id, payload) for every symbol
 * the payload of a STACK or SYMS record needs that was not sent yet */
void ksym_needed(struct ksyms *ks, uint32_t kind, uint32_t id,
    const void *p, size_t len, void (*each)(void *, const void *, size_t),
    void *arg);
void ksym_send(struct ksyms *ks, uint64_t addr,
    void (*each)(void *, const void *, size_t), void *arg);
/* A KSYM record's payload into ks; -1 if malformed */
int ksym_feed(struct ksyms *ks, const void *p, size_t len);
void ksym_free(struct ksyms *ks);

#endif
