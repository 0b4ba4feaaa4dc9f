/*
 * Drives lib/hist.c for tests/bpfld/hist.sh.
 *
 *	histdrv log
 *	histdrv linear START STOP INTERVAL
 *
 * then reads commands from stdin, one a line:
 *
 *	b I C		bucket I holds C
 *	v V [N]		add value V (N times) where stap_hist_bucket says
 *	bucket V	print "V I", I the bucket of V
 *	nbuckets	print the number of buckets
 *	print		draw the histogram
 *	clear		empty every bucket
 *
 * Exit 0, 1 on a bad command, 2 on bad usage.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"

static int64_t counts[HIST_LOG_BUCKETS > HIST_MAXBUCKETS ?
    HIST_LOG_BUCKETS : HIST_MAXBUCKETS];

static int
command(struct stap_hist *h, const char *line)
{
	int64_t a, b = 1;
	char cmd[16];
	int n = sscanf(line, "%15s %" SCNd64 " %" SCNd64, cmd, &a, &b);

	if (n < 1)
		return 0;
	if (!strcmp(cmd, "nbuckets")) {
		printf("%d\n", h->nbuckets);
		return 0;
	}
	if (h->nbuckets < 0)
		return -1;
	if (!strcmp(cmd, "print"))
		stap_hist_print(stdout, h);
	else if (!strcmp(cmd, "clear"))
		memset(counts, 0, sizeof counts);
	else if (!strcmp(cmd, "bucket") && n == 2)
		printf("%" PRId64 " %d\n", a, stap_hist_bucket(h, a));
	else if (!strcmp(cmd, "v") && n >= 2)
		counts[stap_hist_bucket(h, a)] += b;
	else if (!strcmp(cmd, "b") && n == 3 && a >= 0 && a < h->nbuckets)
		counts[a] = b;
	else
		return -1;
	return 0;
}

int
main(int argc, char **argv)
{
	struct stap_hist h = { 0 };
	char line[256];

	if (argc == 2 && !strcmp(argv[1], "log"))
		h.type = HIST_LOG;
	else if (argc == 5 && !strcmp(argv[1], "linear")) {
		h.type = HIST_LINEAR;
		h.start = strtoll(argv[2], NULL, 0);
		h.stop = strtoll(argv[3], NULL, 0);
		h.interval = strtoll(argv[4], NULL, 0);
	} else {
		fprintf(stderr, "usage: histdrv log | linear START STOP "
		    "INTERVAL\n");
		return 2;
	}
	h.nbuckets = stap_hist_nbuckets(h.type, h.start, h.stop, h.interval);
	h.buckets = counts;
	while (fgets(line, sizeof line, stdin))
		if (command(&h, line) < 0) {
			fprintf(stderr, "histdrv: bad command: %s", line);
			return 1;
		}
	fflush(stdout);
	return ferror(stdout) ? 1 : 0;
}
