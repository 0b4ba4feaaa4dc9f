/*
 * libFuzzer target for the event-stream reader (stap-bpfld --raw
 * writes the streams, stap-fmt renders them): any bytes as a stream;
 * it must render or refuse, never crash or hang.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../lib/stap.h"
#include "../../stap-bpfld/meta.h"

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
		stapfmt_render(in, devnull, devnull, "fuzz.ev");
	fclose(in);
	src_reset();
	arena_freeall();
	return 0;
}
