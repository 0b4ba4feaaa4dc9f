/* Test helper: make exactly N getppid system calls, then exit. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	long i, n = argc > 1 ? atol(argv[1]) : 1;

	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
	return 0;
}
