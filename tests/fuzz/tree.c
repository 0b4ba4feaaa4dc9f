/*
 * libFuzzer target for the stap-tree reader that every later stage
 * uses: any bytes as a tree; what reads must print again.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../lib/stap.h"

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
	struct script *s;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	diag_file = devnull;
	fatal_hook = comeback;
	in = fmemopen((void *)data, size, "r");
	if (!in)
		return 0;
	if (setjmp(back) == 0) {
		s = tree_read(in, "fuzz.tree");
		tree_write(devnull, s);
	}
	fclose(in);
	src_reset();
	arena_freeall();
	return 0;
}
