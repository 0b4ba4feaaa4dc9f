/*
 * fentry/fexit: a kernel-function probe on one function comes with a
 * twin of its program, PROBE_fentry in section fentry/FUNC or
 * fexit/FUNC (stap-bpfgen's fentry.c), called from a BPF trampoline:
 * far cheaper an event than a kprobe's trap.  Which one loads is
 * chosen before the object is loaded (libbpf loads all or nothing),
 * by a trial: a small program of our own of the twin's type on the
 * same function, calling what the twins call.  Where it loads the
 * twin is loaded and the kprobe not; else the kprobe, and why fentry
 * was not is kept for -v and for the kprobe's error.  Many functions
 * on one program stay on kprobe_multi: one link for them all, where
 * fentry wants a program and a trampoline a function.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>

#include "bpfld.h"

#define SUFFIX "_fentry"

static struct {
	const struct meta_probe *pr;
	char *why;
} *refused;
static size_t nrefused;

static struct btf *vmlinux;
static int used;                /* twins chosen to load */
static int off;                 /* a twin was rejected: kprobes only */
static int btferr = -1;         /* -1: not read, 0: read, else errno */

/* Does this kernel load an fentry (fexit) program on func?  0, or why
 * not in why */
static int
fentry_trial(const char *func, int ret, char *why, size_t size)
{
	struct bpf_insn insn[4];
	LIBBPF_OPTS(bpf_prog_load_opts, po, .expected_attach_type = ret ?
	    BPF_TRACE_FEXIT : BPF_TRACE_FENTRY);
	int id, fd;

	if (btferr < 0) {
		vmlinux = btf__load_vmlinux_btf();
		btferr = vmlinux ? 0 : errno ? errno : ENOENT;
	}
	if (btferr) {
		snprintf(why, size, "no kernel BTF at /sys/kernel/btf/vmlinux");
		return -1;
	}
	id = btf__find_by_name_kind(vmlinux, func, BTF_KIND_FUNC);
	if (id <= 0) {
		snprintf(why, size, "%s has no BTF prototype", func);
		return -1;
	}
	po.attach_btf_id = (unsigned)id;
	memset(insn, 0, sizeof insn);
	/* bpf_get_func_arg_cnt(ctx): the kernel has what twins call
	 * (bpf_get_func_ret came with it, 5.17) */
	insn[0].code = BPF_JMP | BPF_CALL;
	insn[0].imm = BPF_FUNC_get_func_arg_cnt;
	insn[1].code = BPF_ALU64 | BPF_MOV | BPF_K;     /* r0 = 0 */
	insn[2].code = BPF_JMP | BPF_EXIT;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "stap_fentry", "GPL", insn,
	    3, &po);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	snprintf(why, size, "the kernel refuses an %s program on %s: %s",
	    ret ? "fexit" : "fentry", func, strerror(errno ? errno : EINVAL));
	return -1;
}

void
fentry_prepare(struct ld *ld, struct bpf_program *prog,
    const struct meta_probe *pr)
{
	char name[300], why[300];
	struct bpf_program *twin;

	/* fentry is at the entry, not at an offset or address */
	if (pr->nfuncs != 1 || strchr(pr->funcs[0], '+') ||
	    !strncmp(pr->funcs[0], "0x", 2))
		return;
	if (off) {
		snprintf(name, sizeof name, "%s" SUFFIX,
		    bpf_program__name(prog));
		if ((twin = bpf_object__find_program_by_name(ld->obj, name)))
			bpf_program__set_autoload(twin, false);
		return;
	}
	snprintf(name, sizeof name, "%s" SUFFIX, bpf_program__name(prog));
	twin = bpf_object__find_program_by_name(ld->obj, name);
	if (!twin)
		snprintf(why, sizeof why, "the probe reads what only a "
		    "kprobe has (registers, *_arg(), stacks, the return "
		    "address)");
	else if (!fentry_trial(pr->funcs[0], pr->ret, why, sizeof why)) {
		bpf_program__set_autoload(prog, false);
		bpf_program__set_log_buf(twin, ld->vlog, VLOGSIZE);
		used++;
		return;
	} else
		bpf_program__set_autoload(twin, false);
	refused = realloc(refused, (nrefused + 1) * sizeof *refused);
	if (!refused)
		fatal("out of memory");
	refused[nrefused].pr = pr;
	refused[nrefused++].why = estrdup(why);
}

/*
 * The object did not load and twins were in it: 1 if the loader is to
 * load it again on kprobes only (a twin the verifier refused would
 * otherwise fail the whole run, its kprobe being good), else 0
 */
int
fentry_retry(struct ld *ld, struct bpf_program *bad)
{
	if (!used || off)
		return 0;
	if (ld->verbose)
		fprintf(stderr, "%s: program '%s' did not load: loading again "
		    "without fentry\n", argv0, bad ? bpf_program__name(bad) :
		    "?");
	off = 1;
	used = 0;
	return 1;
}

/* Why probe pr is not on fentry, or NULL */
const char *
fentry_why(const struct meta_probe *pr)
{
	size_t i;

	for (i = 0; i < nrefused; i++)
		if (refused[i].pr == pr)
			return refused[i].why;
	return NULL;
}

/* The probe a twin is of, or NULL if prog is none */
const struct meta_probe *
fentry_probe(struct ld *ld, struct bpf_program *prog)
{
	const char *n = bpf_program__name(prog);
	size_t len = strlen(n), sl = strlen(SUFFIX);
	char name[300];

	if (len <= sl || len - sl >= sizeof name || strcmp(n + len - sl,
	    SUFFIX) || bpf_program__type(prog) != BPF_PROG_TYPE_TRACING)
		return NULL;
	memcpy(name, n, len - sl);
	name[len - sl] = '\0';
	return meta_probe(&ld->meta, name);
}

int
fentry_attach(struct ld *ld, struct kprog *k)
{
	const struct meta_probe *pr = k->probe;
	const char *kind = pr->ret ? "fexit" : "fentry";

	errno = 0;
	k->link = bpf_program__attach_trace(k->prog);
	if (!k->link) {
		fprintf(stderr, "%s: probe '%s': cannot attach: %s on %s: %s\n",
		    argv0, pr->point, kind, pr->funcs[0],
		    strerror(errno ? errno : EINVAL));
		return -1;
	}
	if (ld->verbose)
		fprintf(stderr, "%s: probe '%s': %s on %s\n", argv0, pr->point,
		    kind, pr->funcs[0]);
	return 0;
}

void
fentry_free(void)
{
	size_t i;

	for (i = 0; i < nrefused; i++)
		free(refused[i].why);
	free(refused);
	refused = NULL;
	nrefused = 0;
	btf__free(vmlinux);
	vmlinux = NULL;
	btferr = -1;
	used = off = 0;
}
