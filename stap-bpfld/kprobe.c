/*
 * Kernel-function probes: a kprobe program on one or many functions.
 * Many go on one kprobe_multi link (fprobe: hundreds attach in a
 * moment) when the kernel has it, else one kprobe (kretprobe) link a
 * function.  kprobe_multi must be chosen before the program is loaded
 * (its expected attach type), so a small program of our own tries it
 * first.  A probe nothing can attach gets one message naming it, each
 * mechanism tried and why that failed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "bpfld.h"

static int multi_err = -1;      /* -1: not tried, 0: works, else errno */

static const char *
errtext(int err)
{
	static char buf[160];

	/* 524: the kernel's own ENOTSUPP */
	if (err == ENOENT || err == EOPNOTSUPP || err == 524) {
		if (access("/sys/bus/event_source/devices/kprobe", F_OK))
			snprintf(buf, sizeof buf, "%s (this kernel has no "
			    "kprobes)", strerror(err));
		else
			snprintf(buf, sizeof buf, "%s", err == 524 ?
			    "not supported" : strerror(err));
		return buf;
	}
	if (err == ESRCH)
		return "no such function in this kernel";
	return strerror(err);
}

/* Can this kernel attach a kprobe_multi link on sym?  Once per run */
static int
multi_works(const char *sym, int ret)
{
	LIBBPF_OPTS(bpf_link_create_opts, lo);
	int pfd, lfd;

	if (multi_err >= 0)
		return multi_err == 0;
	pfd = load_trial_prog(BPF_TRACE_KPROBE_MULTI, "stap_kmulti");
	if (pfd < 0) {
		multi_err = errno;
		return 0;
	}
	lo.kprobe_multi.syms = &sym;
	lo.kprobe_multi.cnt = 1;
	lo.kprobe_multi.flags = ret ? BPF_F_KPROBE_MULTI_RETURN : 0;
	lfd = bpf_link_create(pfd, 0, BPF_TRACE_KPROBE_MULTI, &lo);
	multi_err = lfd < 0 ? (errno ? errno : EINVAL) : 0;
	if (lfd >= 0)
		close(lfd);
	close(pfd);
	return multi_err == 0;
}

/*
 * Where funcs entry s is: a function ("vfs_read"), an offset into one
 * ("vfs_read+0x10", kernel.statement) or an address ("0xffff...",
 * kprobe.statement(ADDR).absolute, which libbpf takes as an offset
 * without a function).  The function's name, in buf, or NULL
 */
static const char *
place(const char *s, char *buf, size_t size, size_t *off)
{
	const char *plus = strchr(s, '+');

	*off = 0;
	if (!strncmp(s, "0x", 2)) {
		*off = (size_t)strtoull(s, NULL, 16);
		return NULL;
	}
	if (!plus || (size_t)(plus - s) >= size)
		return s;
	memcpy(buf, s, (size_t)(plus - s));
	buf[plus - s] = '\0';
	*off = (size_t)strtoull(plus + 1, NULL, 0);
	return buf;
}

void
kprobe_prepare(struct bpf_program *prog, const struct meta_probe *pr)
{
	if (pr->nfuncs > 1 && multi_works(pr->funcs[0], pr->ret))
		bpf_program__set_expected_attach_type(prog,
		    BPF_TRACE_KPROBE_MULTI);
}

int
kprobe_attach(struct ld *ld, struct kprog *k)
{
	const struct meta_probe *pr = k->probe;
	const char *kind = pr->ret ? "kretprobe" : "kprobe";
	char tried[600] = "";
	size_t i;
	int e;

	if (bpf_program__expected_attach_type(k->prog) ==
	    BPF_TRACE_KPROBE_MULTI) {
		LIBBPF_OPTS(bpf_kprobe_multi_opts, mo,
		    .syms = (const char **)pr->funcs, .cnt = pr->nfuncs,
		    .retprobe = pr->ret);

		errno = 0;
		k->link = bpf_program__attach_kprobe_multi_opts(k->prog, NULL,
		    &mo);
		if (k->link) {
			if (ld->verbose)
				fprintf(stderr, "%s: probe '%s': kprobe_multi%s "
				    "on %zu functions\n", argv0, pr->point,
				    pr->ret ? " (return)" : "", pr->nfuncs);
			return 0;
		}
		e = errno ? errno : EINVAL;
		fprintf(stderr, "%s: probe '%s': cannot attach: kprobe_multi "
		    "on %zu functions: %s\n", argv0, pr->point, pr->nfuncs,
		    errtext(e));
		return -1;
	}
	if (pr->nfuncs > 1)
		snprintf(tried, sizeof tried, "kprobe_multi: %s",
		    errtext(multi_err));
	else if (fentry_why(pr))
		snprintf(tried, sizeof tried, "%s: %s", pr->ret ? "fexit" :
		    "fentry", fentry_why(pr));
	for (i = 0; i < pr->nfuncs; i++) {
		LIBBPF_OPTS(bpf_kprobe_opts, ko, .retprobe = pr->ret);
		struct bpf_link *l;
		char fn[256];

		errno = 0;
		l = bpf_program__attach_kprobe_opts(k->prog, place(pr->funcs[i],
		    fn, sizeof fn, &ko.offset), &ko);
		if (!l) {
			e = errno ? errno : EINVAL;
			fprintf(stderr, "%s: probe '%s': cannot attach: %s%s%s "
			    "on %s: %s\n", argv0, pr->point, tried,
			    *tried ? "; " : "", kind, pr->funcs[i],
			    errtext(e));
			return -1;
		}
		load_addlink(k, l);
	}
	if (ld->verbose)
		fprintf(stderr, "%s: probe '%s': %s on %zu function%s%s%s%s\n",
		    argv0, pr->point, kind, pr->nfuncs,
		    pr->nfuncs == 1 ? "" : "s", *tried ? " (" : "", tried,
		    *tried ? ")" : "");
	return 0;
}

void
kprobe_detach(struct kprog *k)
{
	size_t i;

	for (i = 0; i < k->nlinks; i++)
		bpf_link__destroy(k->links[i]);
	free(k->links);
	k->links = NULL;
	k->nlinks = 0;
}
