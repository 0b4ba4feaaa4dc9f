/*
 * Tracepoint probes on the C arguments (section raw_tp/NAME): the
 * program reads argument i as the u64 at 8 * i of its context, which
 * a raw_tp program (plain numbers) and a tp_btf program (BTF-typed:
 * pointers the verifier knows) both get.  tp_btf is what stap-bpfgen
 * means; the .bo says raw_tp, which every kernel with BPF raw
 * tracepoints loads, and the loader turns it into tp_btf where the
 * kernel allows: libbpf 1.1 cannot turn a tp_btf section back (it
 * still looks for the BTF attach target, and crashes without BTF).
 * The type is fixed at load time, so a small program of our own tries
 * tp_btf on the first such tracepoint, once a run.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>

#include "bpfld.h"

static int btf_err = -1;        /* -1: not tried, 0: works, else errno */
static int nobtf;               /* the kernel has no BTF (btf_err) */

/* Does this kernel load a tp_btf program on tracepoint name? */
static int
tpbtf_works(const char *name)
{
	struct bpf_insn insn[2];
	LIBBPF_OPTS(bpf_prog_load_opts, po,
	    .expected_attach_type = BPF_TRACE_RAW_TP);
	char tname[300];
	struct btf *btf;
	int id, fd;

	if (btf_err >= 0)
		return btf_err == 0;
	if (!(btf = btf__load_vmlinux_btf())) {
		btf_err = errno ? errno : ENOENT;
		nobtf = 1;
		return 0;
	}
	snprintf(tname, sizeof tname, "btf_trace_%s", name);
	id = btf__find_by_name_kind(btf, tname, BTF_KIND_TYPEDEF);
	btf__free(btf);
	if (id <= 0) {
		btf_err = ESRCH;
		return 0;
	}
	po.attach_btf_id = (unsigned)id;
	memset(insn, 0, sizeof insn);
	insn[0].code = BPF_ALU64 | BPF_MOV | BPF_K;     /* r0 = 0 */
	insn[1].code = BPF_JMP | BPF_EXIT;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "stap_tpbtf", "GPL", insn,
	    2, &po);
	btf_err = fd < 0 ? (errno ? errno : EINVAL) : 0;
	if (fd >= 0)
		close(fd);
	return btf_err == 0;
}

void
tpargs_prepare(struct ld *ld, struct bpf_program *prog,
    const struct meta_probe *pr)
{
	char why[200];
	int err;

	if (tpbtf_works(pr->tpname)) {
		bpf_program__set_type(prog, BPF_PROG_TYPE_TRACING);
		bpf_program__set_expected_attach_type(prog, BPF_TRACE_RAW_TP);
		/* libbpf finds btf_trace_NAME in the kernel's BTF */
		if (!(err = bpf_program__set_attach_target(prog, 0,
		    pr->tpname)))
			return;
		bpf_program__set_type(prog, BPF_PROG_TYPE_RAW_TRACEPOINT);
		bpf_program__set_expected_attach_type(prog, 0);
		snprintf(why, sizeof why, "no BTF attach target: %s",
		    strerror(err < 0 ? -err : err));
	} else if (nobtf)
		snprintf(why, sizeof why, "no kernel BTF at "
		    "/sys/kernel/btf/vmlinux");
	else if (btf_err == ESRCH)
		snprintf(why, sizeof why, "no btf_trace_%s in the kernel's "
		    "BTF", pr->tpname);
	else
		snprintf(why, sizeof why, "a tp_btf program does not load: "
		    "%s", strerror(btf_err));
	if (ld->verbose)
		fprintf(stderr, "%s: probe '%s': tp_btf refused (%s), "
		    "loading it as raw_tp\n", argv0, pr->point, why);
}

int
tpargs_attach(struct ld *ld, struct kprog *k)
{
	const struct meta_probe *pr = k->probe;
	int raw = bpf_program__type(k->prog) != BPF_PROG_TYPE_TRACING;

	errno = 0;
	k->link = raw ? bpf_program__attach_raw_tracepoint(k->prog,
	    pr->tpname) : bpf_program__attach_trace(k->prog);
	if (!k->link) {
		fprintf(stderr, "%s: probe '%s': cannot attach a %s on %s: "
		    "%s\n", argv0, pr->point, raw ? "raw_tp" : "tp_btf",
		    pr->tpname, strerror(errno ? errno : EINVAL));
		return -1;
	}
	if (ld->verbose)
		fprintf(stderr, "%s: probe '%s': %s on %s\n", argv0,
		    pr->point, raw ? "raw_tp" : "tp_btf", pr->tpname);
	return 0;
}
