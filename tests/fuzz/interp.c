/*
 * libFuzzer target for stap-bpfld's eBPF interpreter: any bytes as a
 * program (the first byte picks options), run with a small budget, a
 * fake helper that pokes at memory the way real ones do, and a fake map
 * callback.  Nothing may crash, and the interpreter must never run into
 * an instruction its own check let through but cannot execute.
 *
 *   clang -fsanitize=fuzzer,address,undefined -g -O1 -Ilib \
 *     stap-bpfld/interp.c tests/fuzz/interp.c -o /tmp/fuzz-interp
 */
#include <stdlib.h>
#include <string.h>

#include "../../stap-bpfld/interp.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

enum { MAXINSNS = 4096 };

static struct interp vm;
static size_t runmark;		/* regions before the run: keep them */
static unsigned char ro[64] = "read-only";
static unsigned char rw[64];
static unsigned char ctx[32] = "context";

static int
helper(struct interp *v, int id, const uint64_t args[5], uint64_t *ret,
    void *user)
{
	unsigned char *p;
	uint64_t addr;
	size_t len;

	(void)user;
	*ret = 0;
	switch (id & 7) {
	case 0:
		if (!interp_str(v, args[0], &len))
			return INTERP_EHELPER;
		*ret = len;
		return 0;
	case 1:
		p = interp_alloc(v, args[1] & 255, args[2] & 1, &addr);
		if (!p)
			return INTERP_ENOMEM;
		memset(p, 0x5a, args[1] & 255);
		*ret = addr;
		return 0;
	case 2:
		len = args[1] & 1023;
		p = interp_mem(v, args[0], len, args[2] & 1);
		if (!p)
			return INTERP_EFAULT;
		if (args[2] & 1)
			memset(p, 0xa5, len);
		*ret = len ? p[0] : 0;
		return 0;
	case 3:
		*ret = interp_region_add(v, ro, args[0] & 63, 0);
		return 0;
	case 4:
		interp_error(v, "helper %d says no", id);
		return INTERP_EUSER;
	case 5:
		/* Drops this run's regions, as a careless loader might */
		interp_drop(v, runmark);
		return 0;
	case 6:
		*ret = args[0] ^ args[4];
		return 0;
	}
	return INTERP_EHELPER;
}

static int
mapload(struct interp *v, int src, int32_t imm, int32_t imm2, uint64_t *val,
    void *user)
{
	uint64_t base;

	(void)user;
	switch (src) {
	case BPF_PSEUDO_MAP_FD:
		*val = (uint32_t)imm;
		return 0;
	case BPF_PSEUDO_MAP_VALUE:
		base = interp_region_add(v, rw, sizeof rw, imm & 1);
		if (!base)
			return INTERP_ENOMEM;
		*val = base + (uint32_t)imm2;
		return 0;
	}
	interp_error(v, "pseudo source %d", src);
	return INTERP_EMAP;
}

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static struct bpf_insn insns[MAXINSNS];
	static uint64_t ctxaddr;
	size_t n;
	uint64_t r0;
	int rc, checked, opt;

	if (!vm.stack) {
		if (interp_init(&vm, 0))
			abort();
		vm.user = &vm;
		ctxaddr = interp_region_add(&vm, ctx, sizeof ctx, 0);
	}
	if (size < 1)
		return 0;
	opt = data[0];
	n = (size - 1) / sizeof insns[0];
	if (n > MAXINSNS)
		n = MAXINSNS;
	memcpy(insns, data + 1, n * sizeof insns[0]);
	vm.flags = opt & 1 ? INTERP_DIVTRAP : 0;
	vm.helper = opt & 2 ? NULL : helper;
	vm.mapload = opt & 4 ? NULL : mapload;
	vm.budget = opt & 8 ? 100 : 5000;

	checked = interp_check(&vm, insns, n);
	runmark = interp_mark(&vm);
	rc = interp_run(&vm, insns, n, opt & 16 ? ctxaddr : 0, &r0);
	interp_drop(&vm, runmark);

	/* The check and the run must agree, and every error must say why */
	if ((checked == 0) != (rc != INTERP_EINSN))
		abort();
	if (rc && !vm.err[0])
		abort();
	if (strstr(vm.err, "passed the check"))
		abort();
	if (interp_mark(&vm) != runmark)
		abort();
	return 0;
}
