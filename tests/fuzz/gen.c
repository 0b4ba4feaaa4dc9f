/*
 * libFuzzer target for stap-bpfgen: any bytes as a resolved tree, read,
 * checked and lowered to BPF and a .bo.  What the tree reader lets
 * through must never make the code generator crash.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../stap-bpfgen/gen.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static jmp_buf back;

static void
comeback(void)
{
	longjmp(back, 1);
}

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static FILE *devnull;
	FILE *in;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	diag_file = devnull;
	fatal_hook = comeback;
	in = fmemopen((void *)data, size, "r");
	if (!in)
		return 0;
	if (setjmp(back) == 0)
		bpfgen_run(in, "fuzz.tree", devnull);
	fclose(in);
	src_reset();
	arena_freeall();
	return 0;
}
