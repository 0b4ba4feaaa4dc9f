/*
 * Bench helper: make exactly N getppid system calls (default 100000),
 * then print on stderr "calls N start NS end NS", the CLOCK_REALTIME
 * nanoseconds before the first and after the last, so the bench can
 * time the events it is counting.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	long i, n = argc > 1 ? atol(argv[1]) : 100000;
	struct timespec t0, t1;

	clock_gettime(CLOCK_REALTIME, &t0);
	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
	clock_gettime(CLOCK_REALTIME, &t1);
	fprintf(stderr, "calls %ld start %lld end %lld\n", n,
	    (long long)t0.tv_sec * 1000000000 + t0.tv_nsec,
	    (long long)t1.tv_sec * 1000000000 + t1.tv_nsec);
	return 0;
}
