/* Test helper: a child pinned to each of CPUs 0 and 1, each busy for
 * MS milliseconds of its own CPU time, then exit. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void
busy(int cpu, long ms)
{
	cpu_set_t set;
	struct timespec t;
	volatile unsigned long x = 0;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof set, &set) < 0)
		_exit(2);
	do {
		for (int i = 0; i < 100000; i++)
			x += (unsigned long)i;
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	} while (t.tv_sec * 1000 + t.tv_nsec / 1000000 < ms);
	_exit(0);
}

int
main(int argc, char **argv)
{
	long ms = argc > 1 ? atol(argv[1]) : 200;
	int cpu, st, rc = 0;

	for (cpu = 0; cpu < 2; cpu++)
		if (fork() == 0)
			busy(cpu, ms);
	while (wait(&st) > 0)
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			rc = 1;
	return rc;
}
