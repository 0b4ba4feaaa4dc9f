/*
 * libFuzzer target for stap-parse: any bytes as a script, through the
 * lexer, preprocessor and parser, then the tree printer.  Built by
 * "make fuzz"; a crash it finds is kept in tests/fuzz/crashes/parse/.
 */
#include <string.h>

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static char *args[] = { "1", "two" };
	FILE *devnull = fuzz_start();
	struct facts f;
	struct script *s;
	int file;

	if (memchr(data, '\0', size))
		return 0;       /* stap-parse refuses these before parsing */
	if (setjmp(fuzz_back) == 0) {
		facts_default(&f);
		f.release = "6.1.0-test";
		f.arch = "x86_64";
		f.args = args;
		f.nargs = 2;
		file = src_add("fuzz.stp", (const char *)data, size);
		s = parse_script(&f, file, NULL, NULL, 0);
		if (!nerrors)
			tree_write(devnull, s);
	}
	fuzz_end();
	return 0;
}
