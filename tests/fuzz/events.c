/*
 * libFuzzer target for the event-stream reader (stap-bpfld --raw
 * writes the streams, stap-fmt renders them): any bytes as a stream;
 * it must render or refuse, never crash or hang.
 */
#include "fuzz.h"
#include "../../lib/meta.h"

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	FILE *devnull = fuzz_start();
	FILE *in;

	in = fmemopen((void *)data, size, "r");
	if (!in)
		return 0;
	if (setjmp(fuzz_back) == 0)
		stapfmt_render(in, devnull, devnull, "fuzz.ev");
	fclose(in);
	fuzz_end();
	return 0;
}
