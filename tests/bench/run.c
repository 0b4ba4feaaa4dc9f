/*
 * Bench helper: run a command, or a pipeline of commands separated by
 * a "|" argument, N times, and print one line:
 *	CPU-ms-per-run  peak-RSS-kB  wall-ms-per-run  exit-status
 * CPU is user+system of every process of the pipeline, from wait4's
 * rusage, so it has microsecond resolution where /proc's tick counts
 * (and bash's times) have ten milliseconds, and no shell runs between
 * the stages to add its own start-up to ours.  The status is the last
 * command's in the last run (128+N for a signal).
 *
 * usage: run [-n N] [-i IN] [-o OUT] [-r RESULT] CMD ARG... [| CMD ARG...]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAXCMD 8

static char **cmds[MAXCMD];
static int ncmd;

static void
die(const char *what)
{
	perror(what);
	exit(2);
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void
redirect(const char *path, int fd, int flags)
{
	int f;

	if (!path)
		return;
	if ((f = open(path, flags, 0644)) < 0)
		die(path);
	dup2(f, fd);
	close(f);
}

/* One run of the pipeline; adds to *cpu (ms), raises *rss (kB). */
static int
once(const char *in, const char *out, double *cpu, long *rss)
{
	pid_t pids[MAXCMD];
	int i, p[2], prev = -1, status = 0, st;
	struct rusage ru;

	for (i = 0; i < ncmd; i++) {
		if (i < ncmd - 1 && pipe(p) < 0)
			die("pipe");
		if ((pids[i] = fork()) < 0)
			die("fork");
		if (pids[i] == 0) {
			if (i == 0)
				redirect(in, 0, O_RDONLY);
			else
				dup2(prev, 0);
			if (i == ncmd - 1)
				redirect(out, 1, O_WRONLY | O_CREAT | O_TRUNC);
			else
				dup2(p[1], 1);
			if (prev >= 0)
				close(prev);
			if (i < ncmd - 1) {
				close(p[0]);
				close(p[1]);
			}
			execvp(cmds[i][0], cmds[i]);
			perror(cmds[i][0]);
			_exit(127);
		}
		if (prev >= 0)
			close(prev);
		if (i < ncmd - 1) {
			close(p[1]);
			prev = p[0];
		}
	}
	for (i = 0; i < ncmd; i++) {
		if (wait4(pids[i], &st, 0, &ru) < 0)
			die("wait4");
		*cpu += ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3 +
		    ru.ru_stime.tv_sec * 1e3 + ru.ru_stime.tv_usec / 1e3;
		if (ru.ru_maxrss > *rss)
			*rss = ru.ru_maxrss;
		if (i == ncmd - 1)
			status = WIFEXITED(st) ? WEXITSTATUS(st) :
			    128 + WTERMSIG(st);
	}
	return status;
}

int
main(int argc, char **argv)
{
	const char *in = NULL, *out = NULL, *res = NULL;
	int c, i, n = 1, status = 0;
	double cpu = 0, t0;
	long rss = 0;
	FILE *f = stderr;

	while ((c = getopt(argc, argv, "+n:i:o:r:")) != -1) {
		switch (c) {
		case 'n': n = atoi(optarg); break;
		case 'i': in = optarg; break;
		case 'o': out = optarg; break;
		case 'r': res = optarg; break;
		default: return 2;
		}
	}
	if (optind >= argc || n < 1) {
		fprintf(stderr, "usage: run [-n N] [-i IN] [-o OUT] "
		    "[-r RESULT] CMD ARG... [| CMD ARG...]\n");
		return 2;
	}
	cmds[ncmd++] = argv + optind;
	for (i = optind; i < argc; i++) {
		if (strcmp(argv[i], "|"))
			continue;
		if (ncmd == MAXCMD || i + 1 == argc) {
			fprintf(stderr, "run: bad pipeline\n");
			return 2;
		}
		argv[i] = NULL;
		cmds[ncmd++] = argv + i + 1;
	}
	t0 = now_ms();
	for (i = 0; i < n; i++)
		status = once(in, out, &cpu, &rss);
	if (res && !(f = fopen(res, "w")))
		die(res);
	fprintf(f, "%.3f %ld %.3f %d\n", cpu / n, rss, (now_ms() - t0) / n,
	    status);
	return fclose(f) ? 2 : 0;
}
