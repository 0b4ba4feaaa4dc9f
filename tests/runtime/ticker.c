/* Test helper: make a getppid system call every 10 ms for at most N
 * seconds (default 30), so a loader started after it can attach to it
 * with -x and still see calls; the test kills it sooner. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	long i, n = (argc > 1 ? atol(argv[1]) : 30) * 100;
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	for (i = 0; i < n; i++) {
		syscall(SYS_getppid);
		nanosleep(&ts, NULL);
	}
	return 0;
}
