/*
 * libFuzzer target for the stap-tree reader that every later stage
 * uses: any bytes as a tree; what reads must print again.
 */
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	FILE *devnull = fuzz_start();
	FILE *in;
	struct script *s;

	in = fmemopen((void *)data, size, "r");
	if (!in)
		return 0;
	if (setjmp(fuzz_back) == 0) {
		s = tree_read(in, "fuzz.tree");
		tree_write(devnull, s);
	}
	fclose(in);
	fuzz_end();
	return 0;
}
