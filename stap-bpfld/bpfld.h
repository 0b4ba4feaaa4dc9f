/*
 * bpfld.h: stap-bpfld's private header.  One struct ld holds the whole
 * run: what main.c parsed from the command line, the .bo as lib/bo.c
 * and libbpf see it, the kernel programs and their attachments, the
 * interpreter and its view of the maps, the ring buffer.  Everything is
 * allocated during setup (load_open .. events_init); the event loop
 * and the record handlers use only what is there.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <bpf/libbpf.h>

#include "stap.h"
#include "abi.h"
#include "bo.h"
#include "interp.h"
#include "meta.h"

enum {
	/* Map values handed out by lookups, per map, reused round robin */
	NSLOT = 16,
	/* Buffers bpf_ringbuf_reserve hands to userspace programs */
	NRESERVE = 4,
	/* Concurrent foreach iterators of userspace programs */
	NITER = 64,
	VLOGSIZE = 1 << 24,
};

/* Instructions per userspace program run (stap's MAXACTION guards loops
 * inside the generated code; this guards the loader against code that
 * has none) */
#define USER_BUDGET (1ULL << 31)

/* A copy of a map value a userspace program may read and write:
 * stores reach the map at the next helper call and at program exit */
struct lslot {
	unsigned char *buf, *snap, *key;
	uint64_t vaddr;
	int live;
};

/* A map as userspace programs see it; index = bofile map index */
struct umap {
	const char *name;
	int fd;
	unsigned type, ksize, vsize, max;
	/* per-CPU maps: the interpreter's own CPU's values (it is a CPU
	 * of its own); stap_fmt: its frozen contents, read-only */
	unsigned char *priv;
	uint64_t privaddr;
	size_t mapped;		/* priv is an mmap of this many bytes */
	struct lslot slot[NSLOT];
	unsigned next;
	const struct meta_array *arr;
};

struct uprog {
	const struct meta_probe *probe;
	struct bpf_insn *insns;
	size_t n;
};

struct kprog {
	const struct meta_probe *probe;
	struct bpf_program *prog;
	struct bpf_link *link;
	int pfd;		/* timer: the perf event, else -1 */
	int evfd;		/* the same, owned by link; else -1 */
	uint64_t ticks, ran;	/* timer, perf: periods its event counted,
				 * runs of the program (load_ticks) */
	uint64_t misses;	/* runs the kernel skipped and counted */
	struct bpf_link **links;	/* kprobe, uprobe: a link a place;
					 * perf: a CPU's after the first */
	size_t nlinks;
	int mfd;		/* uprobe: a uprobe_multi link, else 0/-1 */
	int *evfds;		/* perf: those CPUs' events */
	size_t nevfds;
};

struct reserve {
	unsigned char *buf;
	uint64_t vaddr;
	size_t len;		/* 0: free */
};

struct iter {
	unsigned char *items;	/* key then value, n of them */
	size_t n, pos, isz;
	size_t bytes;		/* allocated at items */
	int map;		/* -1: free */
	unsigned gen;
};

struct ld {
	/* options */
	const char *path;
	const char *outpath;
	const char *cmd;
	long pid;
	double timeout;
	int verbose, raw;
	const char *module;	/* -m: the name of procfs's directory */
	const char *procdir;	/* --procfs-dir: the directory itself */
	FILE *out;		/* to outfd, through main.c's outwrite */
	int outfd;
	int werr;		/* the first write error's errno, or 0 */
	uint64_t unwritten;	/* bytes of output lost from then on */

	/* the file */
	char *data;
	size_t size;
	struct bofile *bo;
	struct meta meta;
	struct bpf_object *obj;
	int ctlfd, eventsfd, fmtfd;
	char *vlog;

	struct kprog *kprogs;
	size_t nkprogs;
	struct uprog *uprogs;	/* in run order */
	size_t nuprogs;
	struct umap *umaps;
	size_t numaps;
	int fmtmap;		/* index of stap_fmt in umaps, or -1 */

	struct interp vm;
	size_t vmmark;
	struct reserve res[NRESERVE];
	size_t resmax;
	struct iter iters[NITER];
	int inuser;		/* running a userspace program */

	struct ring_buffer *rb;
	struct procfs *procfs;	/* procfs.c: the files, or NULL */
	struct ksyms ksyms;	/* syms.c: kallsyms, once needed */

	/* run state */
	int exiting;		/* an EXIT record came, or stap_ctl.exit */
	int failed;		/* an ERROR record came: run error probes */
	uint64_t errors;	/* ERROR records seen */
	uint64_t badrecs;	/* malformed records */
	pid_t child;
	int childpipe;		/* write end: a byte releases the child */
};

/* kprobe.c */
void kprobe_prepare(struct bpf_program *prog, const struct meta_probe *pr);
int kprobe_attach(struct ld *ld, struct kprog *k);
void kprobe_detach(struct kprog *k);

/* fentry.c */
void fentry_prepare(struct ld *ld, struct bpf_program *prog,
    const struct meta_probe *pr);
const char *fentry_why(const struct meta_probe *pr);
const struct meta_probe *fentry_probe(struct ld *ld,
    struct bpf_program *prog);
int fentry_attach(struct ld *ld, struct kprog *k);
int fentry_retry(struct ld *ld, struct bpf_program *bad);
void fentry_free(void);

/* tpargs.c */
void tpargs_prepare(struct ld *ld, struct bpf_program *prog,
    const struct meta_probe *pr);
int tpargs_attach(struct ld *ld, struct kprog *k);

/* uprobe.c */
void uprobe_prepare(struct bpf_program *prog, const struct meta_probe *pr);
int uprobe_attach(struct ld *ld, struct kprog *k);
void uprobe_detach(struct kprog *k);

/* perf.c */
int perf_attach(struct ld *ld, struct kprog *k);
void perf_enable(struct kprog *k);
void perf_count(struct kprog *k, uint64_t *n);
void perf_free(struct kprog *k);

/* bare.c: a .bo with no kernel program, its maps only */
int bare_mapcreate(enum bpf_map_type type, const char *name, unsigned ksize,
    unsigned vsize, unsigned max, unsigned flags);
int load_bare(struct ld *ld);

/* load.c */
int load_open(struct ld *ld);
int load_load(struct ld *ld);
/* a failure of the bpf syscall, said as load.c says it */
void load_bpferr(const char *what, int err);
int load_attach(struct ld *ld);
int load_trial_prog(int at, const char *name);
void load_addlink(struct kprog *k, struct bpf_link *l);
void load_detach(struct ld *ld);
/* Stop the timer and perf events and count what they ran: the periods
 * missed and the runs the kernel skipped, over all */
uint64_t load_ticks(struct ld *ld);
void load_close(struct ld *ld);
int load_ctl(struct ld *ld, unsigned off, uint64_t *v, int write);
/* Let the kernel programs' bodies run (1) or not (0) */
void load_gate(struct ld *ld, int run);

/* user.c */
int user_init(struct ld *ld);
/* Run every userspace program of kind, in order: 0, or -1 after a
 * runtime error (reported; the others of kind still ran unless the
 * kind is begin) */
int user_run(struct ld *ld, enum probekind kind);
/* Run the userspace program of probe pr (a procfs probe): as user_run */
int user_run_probe(struct ld *ld, const struct meta_probe *pr);
/* Run the userspace timer probes that are due at now (ms); returns the
 * ms until the next one is due, or -1 if there are none */
void user_free(struct ld *ld);

/* procfs.c */
/* Make the files of the procfs probes, if any: 0, or -1 (said why) */
int procfs_start(struct ld *ld);
/* events_poll, and the procfs files served meanwhile */
int procfs_poll(struct ld *ld, int ms);
/* Remove the files and the directory; again is harmless */
void procfs_stop(struct ld *ld);
/* The same from a signal handler, without output */
void procfs_unlink(void);
/* $value of the running procfs probe: set or append len bytes of s
 * (a read probe), or get into buf of size bytes (a write probe); -1
 * (the interpreter's error set) when no such probe runs */
int procfs_value(struct ld *ld, int append, const char *s, size_t len);
int procfs_get(struct ld *ld, char *buf, size_t size);

/* events.c */
int events_init(struct ld *ld);
/* Wait up to ms for records and handle them: the count, or -1 */
int events_poll(struct ld *ld, int ms);
/* Handle one record (from the ring buffer or a userspace program) */
void events_record(struct ld *ld, const void *data, size_t len);
/* The trailer of a --raw stream, or the summary, and the final flush */
int events_finish(struct ld *ld, uint64_t lost, uint64_t errors);
void events_free(struct ld *ld);

/* syms.c */
void syms_sendrec(void *arg, const void *rec, size_t len);
int syms_record(struct ld *ld, uint32_t kind, uint32_t id, const void *p,
    size_t len);
int syms_kernel(struct ld *ld, char *buf, size_t size, uint64_t addr,
    int full);
void syms_free(struct ld *ld);

/* usyms.c */
int usyms_record(struct ld *ld, uint32_t silent, const void *p,
    size_t len);
void usyms_refs(struct ld *ld, const void *p, size_t len);
void usyms_free(void);

/* main.c */
extern volatile sig_atomic_t stop_signal;
double now_ms(void);
