/*
 * libFuzzer target for stap-bpfgen: any bytes as a resolved tree, read,
 * checked and lowered to BPF and a .bo.  What the tree reader lets
 * through must never make the code generator crash.
 */
#include "fuzz.h"
#include "../../stap-bpfgen/gen.h"

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	FILE *devnull = fuzz_start();
	FILE *in;

	in = fmemopen((void *)data, size, "r");
	if (!in)
		return 0;
	if (setjmp(fuzz_back) == 0)
		bpfgen_run(in, "fuzz.tree", devnull);
	fclose(in);
	fuzz_end();
	return 0;
}
