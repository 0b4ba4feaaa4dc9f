/*
 * The kernel symbols of stacks (lib/ksym.c) for stap-bpfld: read from
 * /proc/kallsyms when a record first needs them, then printed with
 * STACK and SYMS records, or, with --raw, sent into the event stream
 * as KSYM records ahead of the first record that needs each, so that
 * stap-fmt can print the stream the same way anywhere, later.
 */
#include <string.h>

#include "bpfld.h"

static struct ksyms *
table(struct ld *ld)
{
	/* once, the first time a record needs it: a script without
	 * stacks never pays for the ~200,000 lines */
	if (!ld->ksyms.loaded)
		ksym_load(&ld->ksyms, "/proc/kallsyms");
	return &ld->ksyms;
}

/* A record of the symbols a --raw stream needs, written before the
 * record that needs them */
void
syms_sendrec(void *arg, const void *rec, size_t len)
{
	struct ld *ld = arg;
	uint32_t len32 = (uint32_t)len;

	fwrite(&len32, 4, 1, ld->out);
	fwrite(rec, 1, len, ld->out);
}

/* A STACK or SYMS record: printed, or (--raw) its symbols sent first;
 * -1 if malformed */
int
syms_record(struct ld *ld, uint32_t kind, uint32_t id, const void *p,
    size_t len)
{
	struct ksyms *ks = table(ld);

	if (ld->raw) {
		ksym_needed(ks, kind, id, p, len, syms_sendrec, ld);
		return 0;
	}
	if (kind == REC_STACK)
		return ksym_print_stack(ld->out, ks, id, p, len);
	return ksym_print_syms(ld->out, ks, p, len);
}

/* The kernel's %pS and %ps for the interpreter's bpf_snprintf */
int
syms_kernel(struct ld *ld, char *buf, size_t size, uint64_t addr, int full)
{
	return ksym_kernel(table(ld), buf, size, addr, full);
}

void
syms_free(struct ld *ld)
{
	ksym_free(&ld->ksyms);
}
