/*
 * Process probes: a uprobe (uretprobe) program at one or many offsets
 * of one file, in every process that maps it.  A mark's semaphore
 * goes with its offset as a reference counter the kernel increments
 * in each process while the probe is attached, so the program's "is
 * anyone tracing" test sees it.
 *
 * Many offsets (a wildcard's functions) go on one uprobe_multi link
 * where the kernel has it (6.6 on), else a link an offset through
 * perf_event_open's uprobe PMU (libbpf).  The difference is mostly in
 * detaching: each perf uprobe waits for an RCU grace period as it
 * goes (1670 functions of bash: 15 s to attach, 230 s to detach on
 * this machine), a uprobe_multi link waits once for all.  libbpf 1.1
 * knows nothing of uprobe_multi, so the link is made with the bpf
 * system call directly, its attributes laid out as the kernel's
 * union bpf_attr has them; the program must be loaded for it (its
 * expected attach type), so a small program of our own tries it
 * first, once.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "bpfld.h"

/* syscall(2) is outside the _POSIX_C_SOURCE we build with */
extern long syscall(long, ...);

/* enum bpf_attach_type's BPF_TRACE_UPROBE_MULTI (Linux 6.6) */
enum { UPROBE_MULTI = 48, UPROBE_MULTI_RETURN = 1 };

/* union bpf_attr's link_create, uprobe_multi arm */
struct multi_attr {
	uint32_t prog_fd, target_fd, attach_type, flags;
	uint64_t path, offsets, ref_ctr_offsets, cookies;
	uint32_t cnt, mflags, pid, pad;
};

static int multi_err = -1;      /* -1: not tried, 0: works, else errno */

/* A uprobe_multi link of program pfd on pr's offsets, or -1 */
static int
multi_link(int pfd, const struct meta_probe *pr, size_t n)
{
	struct multi_attr a;
	int fd;

	memset(&a, 0, sizeof a);
	a.prog_fd = (uint32_t)pfd;
	a.attach_type = UPROBE_MULTI;
	a.path = (uint64_t)(uintptr_t)pr->path;
	a.offsets = (uint64_t)(uintptr_t)pr->offs;
	a.ref_ctr_offsets = (uint64_t)(uintptr_t)pr->refs;
	a.cnt = (uint32_t)n;
	a.mflags = pr->ret ? UPROBE_MULTI_RETURN : 0;
	errno = 0;
	fd = (int)syscall(__NR_bpf, BPF_LINK_CREATE, &a, sizeof a);
	if (fd < 0 && !errno)
		errno = EINVAL;
	return fd;
}

/* Can this kernel attach a uprobe_multi link?  Once per run, on the
 * first offset of pr */
static int
multi_works(const struct meta_probe *pr)
{
	int pfd, lfd;

	if (multi_err >= 0)
		return multi_err == 0;
	pfd = load_trial_prog(UPROBE_MULTI, "stap_umulti");
	if (pfd < 0) {
		multi_err = errno;
		return 0;
	}
	lfd = multi_link(pfd, pr, 1);
	multi_err = lfd < 0 ? errno : 0;
	if (lfd >= 0)
		close(lfd);
	close(pfd);
	return multi_err == 0;
}

void
uprobe_prepare(struct bpf_program *prog, const struct meta_probe *pr)
{
	if (pr->noffs > 1 && multi_works(pr))
		bpf_program__set_expected_attach_type(prog,
		    (enum bpf_attach_type)UPROBE_MULTI);
}

int
uprobe_attach(struct ld *ld, struct kprog *k)
{
	const struct meta_probe *pr = k->probe;
	const char *kind = pr->ret ? "uretprobe" : "uprobe";
	size_t i;
	int e, fd;

	if ((int)bpf_program__expected_attach_type(k->prog) == UPROBE_MULTI) {
		fd = multi_link(bpf_program__fd(k->prog), pr, pr->noffs);
		if (fd < 0) {
			fprintf(stderr, "%s: probe '%s': cannot attach: "
			    "uprobe_multi on %zu offsets of %s: %s\n", argv0,
			    pr->point, pr->noffs, pr->path, strerror(errno));
			return -1;
		}
		k->mfd = fd;
		if (ld->verbose)
			fprintf(stderr, "%s: probe '%s': uprobe_multi%s on "
			    "%zu offsets of %s\n", argv0, pr->point, pr->ret ?
			    " (return)" : "", pr->noffs, pr->path);
		return 0;
	}
	for (i = 0; i < pr->noffs; i++) {
		LIBBPF_OPTS(bpf_uprobe_opts, uo, .retprobe = pr->ret,
		    .ref_ctr_offset = pr->refs[i]);
		struct bpf_link *l;

		errno = 0;
		l = bpf_program__attach_uprobe_opts(k->prog, -1, pr->path,
		    pr->offs[i], &uo);
		if (!l) {
			e = errno ? errno : EINVAL;
			fprintf(stderr, "%s: probe '%s': cannot attach: %s on "
			    "%s offset 0x%" PRIx64 ": %s\n", argv0, pr->point,
			    kind, pr->path, pr->offs[i], strerror(e));
			return -1;
		}
		load_addlink(k, l);
	}
	if (ld->verbose)
		fprintf(stderr,
		    "%s: probe '%s': %s on %zu offset%s of %s%s%s%s\n", argv0,
		    pr->point, kind, pr->noffs, pr->noffs == 1 ? "" : "s",
		    pr->path, pr->noffs > 1 ? " (uprobe_multi: " : "",
		    pr->noffs > 1 ? strerror(multi_err) : "",
		    pr->noffs > 1 ? ")" : "");
	return 0;
}

void
uprobe_detach(struct kprog *k)
{
	if (k->mfd > 0)
		close(k->mfd);
	k->mfd = -1;
}
