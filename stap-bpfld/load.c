/*
 * Opening, loading, attaching and detaching the kernel side of a .bo.
 *
 * The file is read into memory once: lib/bo.c reads the parts libbpf
 * does not know (.stap records, userspace programs), libbpf opens the
 * same bytes as an ordinary BPF object.  Before loading we create
 * stap_fmt ourselves, filled and frozen, because bpf_snprintf accepts
 * its format only from a read-only map the verifier can see the bytes
 * of.  Everything attached is held through a bpf_link, whose fd is the
 * only reference: detaching (or dying) drops it, and the kernel then
 * frees programs and maps with the object's last fd.
 */
/* syscall(2) for perf_event_open and gettid, which libc may lack */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/capability.h>
#include <linux/perf_event.h>

#include "bpfld.h"

/*
 * libbpf's reasons: errno values, and its own from 4000 up
 * (LIBBPF_ERRNO__FORMAT...), which strerror calls "Unknown error".
 */
static const char *
why(int err)
{
	static char buf[128];

	if (err < 0)
		err = -err;
	if (libbpf_strerror(err, buf, sizeof buf) < 0)
		snprintf(buf, sizeof buf, "error %d", err);
	return buf;
}

/* Root, or what the kernel asks of an unprivileged tracer instead */
static int
privileged(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	memset(d, 0, sizeof d);
	if (syscall(SYS_capget, &h, d) < 0)
		return geteuid() == 0;
#define HAS(c) (d[(c) / 32].effective & (1u << ((c) % 32)))
	return HAS(CAP_SYS_ADMIN) || (HAS(CAP_BPF) && HAS(CAP_PERFMON));
#undef HAS
}

/*
 * A failure of the bpf syscall.  EPERM without the privilege means
 * just that (the kernel does not say so itself), and comes first.
 */
static void
bpferr(const char *what, int err)
{
	if (err < 0)
		err = -err;
	if ((err == EPERM || err == EACCES) && !privileged())
		fprintf(stderr, "%s: loading BPF needs root, or CAP_BPF and "
		    "CAP_PERFMON (%s: %s)\n", argv0, what, why(err));
	else
		fprintf(stderr, "%s: %s: %s\n", argv0, what, why(err));
}

void
load_bpferr(const char *what, int err)
{
	bpferr(what, err);
}

/* The whole .bo, at most INPUT_MAX bytes: a .bo from an endless
 * source stops there, not when memory runs out */
static int
readall(struct ld *ld)
{
	FILE *f = strcmp(ld->path, "-") ? fopen(ld->path, "rb") : stdin;
	const char *why = NULL;
	size_t cap = 0, n, want;
	int e = errno;

	if (f) {
		do {
			ld->data = vgrow(ld->data, &cap, ld->size + 65536, 1);
			want = cap - ld->size;
			if (want > INPUT_MAX + 1 - ld->size)
				want = INPUT_MAX + 1 - ld->size;
			n = fread(ld->data + ld->size, 1, want, f);
			ld->size += n;
			why = src_refuse(ld->data, 0, ld->size, 0);
		} while (n > 0 && !why);
		e = ferror(f) ? errno : 0;
		if (f != stdin)
			fclose(f);
		if (why) {
			fprintf(stderr, "%s: '%s': %s\n", argv0, f == stdin ?
			    "<stdin>" : ld->path, why);
			return -1;
		}
		if (!e)
			return 0;
	}
	fprintf(stderr, "%s: open '%s': %s\n", argv0, ld->path, strerror(e));
	return -1;
}

/*
 * The maps stap-bpfgen always makes must have the shape it gave them,
 * since this code relies on it: load_ctl reads stap_ctl's value into
 * a CTL_SIZE buffer (another size in the BTF overran the stack), and
 * user.c gives the interpreter the shared or per-CPU memory of the
 * arrays (a stap_scratch of another type made every lookup fail, so a
 * begin probe quietly did nothing and never reached its exit()).
 * Checked before anything is created in the kernel.
 */
static const struct {
	const char *name;       /* libbpf's */
	const char *says;       /* what messages call it */
	enum bpf_map_type type;
	unsigned vsize;         /* 0: any */
	int needed;
} fixedmaps[] = {
	{ MAP_CTL, "stap_ctl", BPF_MAP_TYPE_ARRAY, CTL_SIZE, 1 },
	{ MAP_GLOBALS, "stap_globals", BPF_MAP_TYPE_ARRAY, 0, 0 },
	{ "stap_scratch", "stap_scratch", BPF_MAP_TYPE_PERCPU_ARRAY, 0, 0 },
	{ "stap_fmt", "stap_fmt", BPF_MAP_TYPE_ARRAY, 0, 0 },
	{ "stap_events", "stap_events", BPF_MAP_TYPE_RINGBUF, 0, 1 },
};

static int
mapshapes(struct ld *ld, const char *name)
{
	const struct bpf_map *map;
	size_t i;

	for (i = 0; i < NELEM(fixedmaps); i++) {
		map = bpf_object__find_map_by_name(ld->obj,
		    fixedmaps[i].name);
		if (!map) {
			if (!fixedmaps[i].needed)
				continue;
			fprintf(stderr, "%s: '%s': no %s map\n", argv0, name,
			    fixedmaps[i].says);
			return -1;
		}
		if (bpf_map__type(map) != fixedmaps[i].type) {
			fprintf(stderr, "%s: '%s': map '%s' has type %d, not "
			    "%d\n", argv0, name, fixedmaps[i].says,
			    (int)bpf_map__type(map), (int)fixedmaps[i].type);
			return -1;
		}
		if (fixedmaps[i].type == BPF_MAP_TYPE_RINGBUF)
			continue;
		if (bpf_map__key_size(map) != 4 ||
		    bpf_map__max_entries(map) != 1 ||
		    (fixedmaps[i].vsize &&
		    bpf_map__value_size(map) != fixedmaps[i].vsize)) {
			fprintf(stderr, "%s: '%s': map '%s' has max_entries "
			    "%u, key_size %u, value_size %u; it must have 1, "
			    "4 and %u\n", argv0, name, fixedmaps[i].says,
			    bpf_map__max_entries(map), bpf_map__key_size(map),
			    bpf_map__value_size(map), fixedmaps[i].vsize ?
			    fixedmaps[i].vsize : bpf_map__value_size(map));
			return -1;
		}
	}
	return 0;
}

int
load_open(struct ld *ld)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = "stap");
	const char *name = strcmp(ld->path, "-") ? ld->path : "<stdin>";
	char err[256];
	size_t i;

	if (readall(ld) < 0)
		return -1;
	ld->bo = bo_openmem(ld->data, ld->size, name, err, sizeof err);
	if (!ld->bo) {
		fprintf(stderr, "%s: %s\n", argv0, err);
		return -1;
	}
	meta_init(&ld->meta);
	if (meta_feed(&ld->meta, "stap-bo 1", "stap-bo") < 0)
		bug("%s", ld->meta.err);
	for (i = 0; i < ld->bo->nlines; i++)
		if (meta_feed(&ld->meta, ld->bo->lines[i], "stap-bo") < 0) {
			fprintf(stderr, "%s: '%s': .stap %s\n", argv0, name,
			    ld->meta.err);
			return -1;
		}
	ld->obj = bpf_object__open_mem(ld->data, ld->size, &opts);
	if (!ld->obj) {
		fprintf(stderr, "%s: '%s': libbpf cannot open it: %s\n",
		    argv0, name, why(errno));
		return -1;
	}
	return mapshapes(ld, name);
}

/* stap_fmt, created filled and frozen, for libbpf to reuse */
static int
makefmt(struct ld *ld)
{
	struct bpf_map *map = bpf_object__find_map_by_name(ld->obj,
	    "stap_fmt");
	size_t vsize, i, n;
	unsigned char *val;
	uint32_t key = 0;
	int fd, rc;

	ld->fmtfd = -1;
	if (!map)
		return 0;
	vsize = bpf_map__value_size(map);
	val = calloc(1, vsize);
	if (!val)
		fatal("out of memory");
	for (i = 0; i < ld->meta.nfmtstrs; i++) {
		const struct meta_fmtstr *f = &ld->meta.fmtstrs[i];

		n = f->len ? f->len : strlen(f->str) + 1;
		if (f->off > vsize || n > vsize - f->off) {
			fprintf(stderr, "%s: '%s': fmtstr at %zu does not fit "
			    "stap_fmt (%zu bytes)\n", argv0, ld->path, f->off,
			    vsize);
			free(val);
			return -1;
		}
		memcpy(val + f->off, f->str, n);
	}
	fd = bare_mapcreate(BPF_MAP_TYPE_ARRAY, "stap_fmt", 4, vsize, 1,
	    BPF_F_RDONLY_PROG);
	if (fd < 0 || bpf_map_update_elem(fd, &key, val, 0) < 0 ||
	    bpf_map_freeze(fd) < 0 || (rc = bpf_map__reuse_fd(map, fd)) < 0) {
		bpferr("create stap_fmt", errno);
		if (fd >= 0)
			close(fd);
		free(val);
		return -1;
	}
	/* reuse_fd keeps a dup; ours is only needed for userspace reads */
	ld->fmtfd = fd;
	free(val);
	return 0;
}

/* The verifier's reason: the log's last line, stats lines aside */
static const char *
vreason(char *log, long *insn)
{
	char *line, *save = NULL, *last = NULL;
	long n;

	*insn = -1;
	for (line = strtok_r(log, "\n", &save); line;
	    line = strtok_r(NULL, "\n", &save)) {
		char *e;

		n = strtol(line, &e, 10);
		if (e != line && *e == ':' && line[0] >= '0' &&
		    line[0] <= '9')
			*insn = n;
		if (!strncmp(line, "processed ", 10) ||
		    !strncmp(line, "verification time", 17) ||
		    !strncmp(line, "stack depth", 11) || !*line)
			continue;
		last = line;
	}
	return last ? last : "no reason given";
}

static void
rejected(struct ld *ld, struct bpf_program *prog)
{
	const char *name = bpf_program__name(prog);
	const struct meta_probe *pr = meta_probe(&ld->meta, name);
	char *copy = estrdup(ld->vlog);
	const char *why;
	struct loc loc;
	long insn;

	why = vreason(copy, &insn);
	loc = meta_insnloc(&ld->meta, name, insn < 0 ? 0 : (size_t)insn);
	if (loc.file >= 0)
		diag_error(loc, "the kernel's verifier rejected this: %s", why);
	else
		fprintf(stderr, "%s: probe '%s': the kernel's verifier "
		    "rejected it: %s\n", argv0, pr ? pr->point : name, why);
	if (ld->verbose)
		fprintf(stderr, "%s", ld->vlog);
	else
		fprintf(stderr, "(the verifier's whole log: stap-bpfld -v)\n");
	free(copy);
}

static int load_fds(struct ld *ld);

int
load_load(struct ld *ld)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	char what[300];
	int err;

	if (makefmt(ld) < 0)
		return -1;
	/* Arrays get mapped into userspace programs (see user.c) */
	bpf_object__for_each_map(map, ld->obj)
		if (bpf_map__type(map) == BPF_MAP_TYPE_ARRAY &&
		    strcmp(bpf_map__name(map), "stap_fmt"))
			bpf_map__set_map_flags(map, bpf_map__map_flags(map) |
			    BPF_F_MMAPABLE);
	if (!bpf_object__next_program(ld->obj, NULL))
		return load_bare(ld) < 0 ? -1 : load_fds(ld);
	ld->vlog = emalloc(VLOGSIZE);
	ld->vlog[0] = '\0';
	/* With log level 0 libbpf asks for the log only when a load
	 * fails, retrying it: the good programs cost nothing */
	bpf_object__for_each_program(prog, ld->obj) {
		const struct meta_probe *pr = meta_probe(&ld->meta,
		    bpf_program__name(prog));

		bpf_program__set_log_buf(prog, ld->vlog, VLOGSIZE);
		if (pr && pr->kind == PK_KPROBE) {
			kprobe_prepare(prog, pr);
			fentry_prepare(ld, prog, pr);
		}
		if (pr && pr->kind == PK_TRACEPOINT && pr->tpargs)
			tpargs_prepare(ld, prog, pr);
		if (pr && pr->kind == PK_UPROBE)
			uprobe_prepare(prog, pr);
	}
	err = bpf_object__load(ld->obj);
	if (err) {
		LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = "stap");
		struct bpf_program *bad = NULL;

		bpf_object__for_each_program(prog, ld->obj)
			if (bpf_program__autoload(prog) &&
			    bpf_program__fd(prog) < 0 && !bad)
				bad = prog;
		if (fentry_retry(ld, bad)) {
			/* libbpf loads an object once: open it again */
			bpf_object__close(ld->obj);
			if (ld->fmtfd >= 0)
				close(ld->fmtfd);
			ld->fmtfd = -1;
			free(ld->vlog);
			ld->vlog = NULL;
			ld->obj = bpf_object__open_mem(ld->data, ld->size,
			    &oo);
			if (!ld->obj || mapshapes(ld, ld->path) < 0) {
				fprintf(stderr, "%s: '%s': libbpf cannot open "
				    "it again\n", argv0, ld->path);
				return -1;
			}
			return load_load(ld);
		}
		bpf_object__for_each_program(prog, ld->obj)
			if (bpf_program__autoload(prog) &&
			    bpf_program__fd(prog) < 0 && ld->vlog[0]) {
				rejected(ld, prog);
				return -1;
			}
		snprintf(what, sizeof what, "load '%s'", ld->path);
		bpferr(what, err);
		return -1;
	}
	return load_fds(ld);
}

/* The maps the loader itself reads */
static int
load_fds(struct ld *ld)
{
	ld->ctlfd = bpf_object__find_map_fd_by_name(ld->obj, MAP_CTL);
	ld->eventsfd = bpf_object__find_map_fd_by_name(ld->obj,
	    "stap_events");
	if (ld->ctlfd < 0 || ld->eventsfd < 0) {
		fprintf(stderr, "%s: '%s': no stap_ctl or stap_events map\n",
		    argv0, ld->path);
		return -1;
	}
	return 0;
}

int
load_ctl(struct ld *ld, unsigned off, uint64_t *v, int write)
{
	unsigned char val[CTL_SIZE];
	uint32_t key = 0;

	if (bpf_map_lookup_elem(ld->ctlfd, &key, val) < 0)
		return -1;
	if (!write) {
		memcpy(v, val + off, 8);
		return 0;
	}
	memcpy(val + off, v, 8);
	return bpf_map_update_elem(ld->ctlfd, &key, val, BPF_ANY);
}

/*
 * CTL_RUN, the gate of every kernel program: stored into the shared
 * mapping, so that what the programs add to stap_ctl meanwhile is not
 * written over by a whole-value update
 */
void
load_gate(struct ld *ld, int run)
{
	uint64_t v = (uint64_t)run;
	size_t i;

	for (i = 0; i < ld->numaps; i++)
		if (ld->umaps[i].fd == ld->ctlfd && ld->umaps[i].mapped) {
			__atomic_store_n((uint64_t *)(void *)(ld->umaps[i].priv
			    + CTL_RUN), v, __ATOMIC_SEQ_CST);
			return;
		}
	load_ctl(ld, CTL_RUN, &v, 1);
}

/* The first online CPU, where timers run (stap: one CPU) */
static int
firstcpu(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/online", "r");
	int cpu = 0;

	if (f) {
		if (fscanf(f, "%d", &cpu) != 1)
			cpu = 0;
		fclose(f);
	}
	return cpu;
}

static struct bpf_link *
attach_timer(struct ld *ld, struct kprog *k)
{
	struct perf_event_attr attr;
	struct bpf_link *link;
	int fd;

	memset(&attr, 0, sizeof attr);
	attr.size = sizeof attr;
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_CPU_CLOCK;
	attr.sample_period = k->probe->period ? k->probe->period : 1000000;
	if (k->probe->randomize && ld->verbose)
		fprintf(stderr, "%s: probe '%s': randomize is not supported, "
		    "the period is fixed\n", argv0, k->probe->point);
	fd = (int)syscall(SYS_perf_event_open, &attr, -1, firstcpu(), -1,
	    PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return NULL;
	link = bpf_program__attach_perf_event(k->prog, fd);
	if (!link) {
		int e = errno;

		close(fd);
		errno = e;
		return NULL;
	}
	/* the link owns fd and closes it when destroyed.  libbpf enabled
	 * the event; load_attach enables them all again at once, so that
	 * timers of one period tick together (stap's perf1 test counts
	 * two 1 ms events and wants the same number) */
	ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
	k->evfd = fd;
	return link;
}

static int
attach_one(struct ld *ld, struct kprog *k)
{
	const struct meta_probe *pr = k->probe;
	const char *how = "libbpf's default";

	errno = 0;
	if (pr && pr->kind == PK_KPROBE && pr->nfuncs &&
	    bpf_program__type(k->prog) == BPF_PROG_TYPE_TRACING)
		return fentry_attach(ld, k);
	if (pr && pr->kind == PK_KPROBE && pr->nfuncs)
		return kprobe_attach(ld, k);
	if (pr && pr->kind == PK_TRACEPOINT && pr->tpargs && pr->tpname)
		return tpargs_attach(ld, k);
	if (pr && pr->kind == PK_UPROBE && pr->noffs)
		return uprobe_attach(ld, k);
	if (pr && pr->kind == PK_PERF)
		return perf_attach(ld, k);
	if (pr && pr->kind == PK_TIMER) {
		how = "perf cpu-clock event";
		k->link = attach_timer(ld, k);
	} else if (pr && pr->kind == PK_TRACEPOINT && pr->tpgroup) {
		how = "tracepoint";
		k->link = bpf_program__attach_tracepoint(k->prog, pr->tpgroup,
		    pr->tpname);
	} else
		k->link = bpf_program__attach(k->prog);
	if (k->link)
		return 0;
	fprintf(stderr, "%s: probe '%s': cannot attach a %s: %s\n", argv0,
	    pr ? pr->point : bpf_program__name(k->prog), how,
	    strerror(errno ? errno : EINVAL));
	return -1;
}

int
load_attach(struct ld *ld)
{
	struct bpf_program *prog;
	size_t n = 0;

	bpf_object__for_each_program(prog, ld->obj)
		n++;
	ld->kprogs = calloc(n ? n : 1, sizeof *ld->kprogs);
	if (!ld->kprogs)
		fatal("out of memory");
	bpf_object__for_each_program(prog, ld->obj) {
		struct kprog *k;

		/* a kprobe or its fentry twin, not both (fentry.c) */
		if (!bpf_program__autoload(prog))
			continue;
		k = &ld->kprogs[ld->nkprogs++];
		k->prog = prog;
		k->pfd = k->evfd = -1;
		k->probe = meta_probe(&ld->meta, bpf_program__name(prog));
		if (!k->probe)
			k->probe = fentry_probe(ld, prog);
		if (attach_one(ld, k) < 0)
			return -1;
	}
	for (n = 0; n < ld->nkprogs; n++)
		if (ld->kprogs[n].evfd >= 0) {
			ioctl(ld->kprogs[n].evfd, PERF_EVENT_IOC_ENABLE, 0);
			perf_enable(&ld->kprogs[n]);
		}
	return 0;
}

/*
 * A perf event with a sample period overflows once a period of its
 * count (ns of cpu-clock for a timer), and the program counts its runs
 * in stap_globals: the difference is what the kernel dropped (an
 * hrtimer forwarded past periods it was late for, a throttled event,
 * or the program not run because another BPF program was running on
 * the CPU, which perf_event programs do not count as recursion
 * misses).  A frequency has no fixed period: nothing to compare.
 * The total of both.
 */
uint64_t
load_ticks(struct ld *ld)
{
	int gfd = bpf_object__find_map_fd_by_name(ld->obj, MAP_GLOBALS);
	unsigned char *val;
	uint32_t key = 0;
	uint64_t missed = 0, n;
	size_t i;

	if (gfd < 0 || !ld->meta.globals)
		return 0;
	val = emalloc(ld->meta.globals);
	for (i = 0; i < ld->nkprogs; i++) {
		struct kprog *k = &ld->kprogs[i];
		const struct meta_probe *pr = k->probe;

		struct bpf_prog_info info;
		uint32_t len = sizeof info;

		/* what the kernel counts itself: a tracepoint's program
		 * not run because another was running on the CPU */
		memset(&info, 0, sizeof info);
		if (!bpf_obj_get_info_by_fd(bpf_program__fd(k->prog), &info,
		    &len))
			k->misses = info.recursion_misses;
		missed += k->misses;
		if (k->evfd < 0 || !pr || !pr->ticks || pr->freq ||
		    pr->ticks - 1 + 8 > ld->meta.globals)
			continue;
		ioctl(k->evfd, PERF_EVENT_IOC_DISABLE, 0);
		if (read(k->evfd, &n, 8) != 8 ||
		    bpf_map_lookup_elem(gfd, &key, val) < 0)
			continue;
		perf_count(k, &n);      /* the other CPUs' */
		k->ticks = n / (pr->period ? pr->period : 1000000);
		memcpy(&k->ran, val + pr->ticks - 1, 8);
		/* the period under way when the count was read */
		if (k->ticks > k->ran + 1)
			missed += k->ticks - k->ran;
	}
	free(val);
	return missed;
}

/*
 * A program that does nothing, of type kprobe, expecting attach type
 * at: what a trial of a link kind (kprobe_multi, uprobe_multi) loads.
 * Its fd, or -1 with errno set
 */
int
load_trial_prog(int at, const char *name)
{
	struct bpf_insn insn[2];
	LIBBPF_OPTS(bpf_prog_load_opts, po,
	    .expected_attach_type = (enum bpf_attach_type)at);
	int fd;

	memset(insn, 0, sizeof insn);
	insn[0].code = BPF_ALU64 | BPF_MOV | BPF_K;     /* r0 = 0 */
	insn[1].code = BPF_JMP | BPF_EXIT;
	fd = bpf_prog_load(BPF_PROG_TYPE_KPROBE, name, "GPL", insn, 2, &po);
	if (fd < 0 && !errno)
		errno = EINVAL;
	return fd;
}

/* One more of a probe's links (a kprobe's function, a uprobe's place,
 * a perf probe's CPU), destroyed with the others at the detach */
void
load_addlink(struct kprog *k, struct bpf_link *l)
{
	k->links = realloc(k->links, (k->nlinks + 1) * sizeof *k->links);
	if (!k->links)
		fatal("out of memory");
	k->links[k->nlinks++] = l;
}

void
load_detach(struct ld *ld)
{
	size_t i;

	for (i = 0; i < ld->nkprogs; i++) {
		bpf_link__destroy(ld->kprogs[i].link);
		ld->kprogs[i].link = NULL;
		kprobe_detach(&ld->kprogs[i]);
		uprobe_detach(&ld->kprogs[i]);
		perf_free(&ld->kprogs[i]);
		if (ld->kprogs[i].pfd >= 0)
			close(ld->kprogs[i].pfd);
		ld->kprogs[i].pfd = ld->kprogs[i].evfd = -1;
	}
}

void
load_close(struct ld *ld)
{
	load_detach(ld);
	bpf_object__close(ld->obj);
	ld->obj = NULL;
	if (ld->fmtfd >= 0)
		close(ld->fmtfd);
	ld->fmtfd = -1;
	if (ld->bo)
		bo_close(ld->bo);
	ld->bo = NULL;
	free(ld->kprogs);
	ld->kprogs = NULL;
	ld->nkprogs = 0;
	fentry_free();
	free(ld->vlog);
	free(ld->data);
	ld->vlog = ld->data = NULL;
}
