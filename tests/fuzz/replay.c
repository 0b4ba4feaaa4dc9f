/*
 * A main for a libFuzzer target without libFuzzer: runs the target's
 * entry function once on each file named, as the fuzzer would, so the
 * crashes it found stay fixed (tests/fuzz/replay.sh, under make check
 * and, built with the sanitizers, under make check-san).  Each input is
 * in a buffer of exactly its size, so ASan sees a read past its end.
 * Exit 0, or 2 if a file cannot be read; a crash is a crash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int
main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		unsigned char *buf = NULL, *p;
		size_t len = 0, cap = 0, n;

		if (!f) {
			perror(argv[i]);
			return 2;
		}
		do {
			if (len == cap) {
				cap = cap ? 2 * cap : 4096;
				if (!(p = realloc(buf, cap))) {
					perror("replay");
					return 2;
				}
				buf = p;
			}
			n = fread(buf + len, 1, cap - len, f);
			len += n;
		} while (n > 0);
		if (ferror(f)) {
			perror(argv[i]);
			return 2;
		}
		fclose(f);
		/* exactly len bytes, as libFuzzer hands them over */
		p = malloc(len ? len : 1);
		if (!p) {
			perror("replay");
			return 2;
		}
		memcpy(p, buf, len);
		free(buf);
		printf("%s\n", argv[i]);
		fflush(stdout);
		LLVMFuzzerTestOneInput(p, len);
		free(p);
	}
	return 0;
}
