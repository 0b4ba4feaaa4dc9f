/*
 * What every libFuzzer target here shares: diagnostics go to
 * /dev/null, and fatal() jumps back into the target instead of
 * exiting, so one bad input ends one run, not the fuzzer.
 *
 *	FILE *null = fuzz_start();
 *	if (setjmp(fuzz_back) == 0)
 *		...the stage under test...
 *	fuzz_end();
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../lib/stap.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static jmp_buf fuzz_back;

static void
fuzz_comeback(void)
{
	longjmp(fuzz_back, 1);
}

static FILE *
fuzz_start(void)
{
	static FILE *devnull;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	diag_file = devnull;
	fatal_hook = fuzz_comeback;
	return devnull;
}

/* Forget every file and node of the run */
static void
fuzz_end(void)
{
	src_reset();
	arena_freeall();
}
