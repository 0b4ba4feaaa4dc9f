/*
 * Process probes: a uprobe (uretprobe) program at one or many offsets
 * of one file, in every process that maps it.  A link an offset,
 * through perf_event_open's uprobe PMU (libbpf); a mark's semaphore
 * goes in the same call as a reference counter the kernel increments
 * in each process while the probe is attached, so the program's
 * "is anyone tracing" test sees it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "bpfld.h"

static void
addlink(struct kprog *k, struct bpf_link *l)
{
	k->links = realloc(k->links, (k->nlinks + 1) * sizeof *k->links);
	if (!k->links)
		fatal("out of memory");
	k->links[k->nlinks++] = l;
}

int
uprobe_attach(struct ld *ld, struct kprog *k)
{
	const struct meta_probe *pr = k->probe;
	const char *kind = pr->ret ? "uretprobe" : "uprobe";
	size_t i;
	int e;

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
		addlink(k, l);
	}
	if (ld->verbose)
		fprintf(stderr, "%s: probe '%s': %s on %zu offset%s of %s\n",
		    argv0, pr->point, kind, pr->noffs, pr->noffs == 1 ? "" :
		    "s", pr->path);
	return 0;
}
