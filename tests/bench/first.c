/*
 * Bench helper: the time from starting a command to its first byte of
 * output, N runs, and the peak RSS of any run:
 *	first-output-ms(median) peak-RSS-kB
 * The clock starts before fork and stops when a read of the command's
 * stdout pipe returns data; the median keeps one slow start on a busy
 * machine from moving the figure.
 *
 * usage: first [-n N] CMD ARG...
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	int c, i, n = 1, p[2], st;
	double *ms, t0;
	long rss = 0;
	char buf[4096];
	struct rusage ru;
	pid_t pid;

	while ((c = getopt(argc, argv, "+n:")) != -1) {
		if (c != 'n')
			return 2;
		n = atoi(optarg);
	}
	if (optind >= argc || n < 1 || !(ms = calloc(n, sizeof *ms))) {
		fprintf(stderr, "usage: first [-n N] CMD ARG...\n");
		return 2;
	}
	for (i = 0; i < n; i++) {
		if (pipe(p) < 0)
			return perror("pipe"), 2;
		t0 = now_ms();
		if ((pid = fork()) < 0)
			return perror("fork"), 2;
		if (pid == 0) {
			dup2(p[1], 1);
			close(p[0]);
			close(p[1]);
			execvp(argv[optind], argv + optind);
			_exit(127);
		}
		close(p[1]);
		ms[i] = read(p[0], buf, sizeof buf) > 0 ? now_ms() - t0 : -1;
		while (read(p[0], buf, sizeof buf) > 0)
			;
		close(p[0]);
		if (wait4(pid, &st, 0, &ru) < 0)
			return perror("wait4"), 2;
		if (!WIFEXITED(st) || WEXITSTATUS(st) || ms[i] < 0) {
			fprintf(stderr, "first: %s failed\n", argv[optind]);
			return 1;
		}
		if (ru.ru_maxrss > rss)
			rss = ru.ru_maxrss;
	}
	qsort(ms, n, sizeof *ms, cmp);
	printf("%.2f %ld\n", ms[n / 2], rss);
	return 0;
}
