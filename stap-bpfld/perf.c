/*
 * perf probes (perf.sw.*, perf.hw.*, perf.type(T).config(C), and the
 * tapset's timer.profile on perf.sw.cpu_clock) sample every online CPU,
 * as stap's module runtime does: a perf event a CPU, the program
 * attached to each.  The first event is the probe's evfd, the others
 * its evfds; their links go with the kprobe links (kprobe_detach
 * destroys them, and they close their events).
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/perf_event.h>

#include "bpfld.h"

/* The online CPUs, from a list like "0-3,5": how many, into cpus */
static int
online(int *cpus, int max)
{
	FILE *f = fopen("/sys/devices/system/cpu/online", "r");
	int n = 0, a, b;
	char sep;

	if (!f)
		return 0;
	while (fscanf(f, "%d", &a) == 1) {
		b = a;
		if (fscanf(f, "%c", &sep) == 1 && sep == '-') {
			if (fscanf(f, "%d", &b) != 1)
				break;
			if (fscanf(f, "%c", &sep) != 1)
				sep = '\n';
		}
		for (; a <= b && n < max; a++)
			cpus[n++] = a;
		if (sep != ',')
			break;
	}
	fclose(f);
	return n;
}

static void
addlink(struct kprog *k, struct bpf_link *l, int fd)
{
	load_addlink(k, l);
	k->evfds = realloc(k->evfds, (k->nevfds + 1) * sizeof *k->evfds);
	if (!k->evfds)
		fatal("out of memory");
	k->evfds[k->nevfds++] = fd;
}

int
perf_attach(struct ld *ld, struct kprog *k)
{
	const struct meta_probe *pr = k->probe;
	struct perf_event_attr attr;
	static int cpus[4096];
	int n = online(cpus, (int)NELEM(cpus)), i, fd;
	struct bpf_link *l;

	memset(&attr, 0, sizeof attr);
	attr.size = sizeof attr;
	attr.type = (uint32_t)pr->type;
	attr.config = pr->config;
	attr.sample_period = pr->period ? pr->period : 1000000;
	if (pr->freq) {
		attr.freq = 1;
		attr.sample_freq = pr->freq;
	}
	/* disabled until load_attach enables every event at once */
	attr.disabled = 1;
	if (!n)
		cpus[n++] = 0;
	for (i = 0; i < n; i++) {
		fd = (int)syscall(SYS_perf_event_open, &attr, -1, cpus[i], -1,
		    PERF_FLAG_FD_CLOEXEC);
		if (fd < 0)
			goto fail;
		l = bpf_program__attach_perf_event(k->prog, fd);
		if (!l) {
			int e = errno;

			close(fd);
			errno = e;
			goto fail;
		}
		ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
		if (!k->link) {
			k->link = l;
			k->evfd = fd;
		} else {
			addlink(k, l, fd);
		}
	}
	if (ld->verbose)
		fprintf(stderr, "%s: probe '%s': perf event on %d CPU%s\n",
		    argv0, pr->point, n, n == 1 ? "" : "s");
	return 0;
fail:
	fprintf(stderr, "%s: probe '%s': cannot attach a perf event on CPU "
	    "%d: %s\n", argv0, pr->point, cpus[i], strerror(errno ? errno :
	    EINVAL));
	return -1;
}

/* Enable the events of every CPU but the first (load_attach's) */
void
perf_enable(struct kprog *k)
{
	size_t i;

	for (i = 0; i < k->nevfds; i++)
		ioctl(k->evfds[i], PERF_EVENT_IOC_ENABLE, 0);
}

/* Stop those events and add what they counted to n */
void
perf_count(struct kprog *k, uint64_t *n)
{
	uint64_t v;
	size_t i;

	for (i = 0; i < k->nevfds; i++) {
		ioctl(k->evfds[i], PERF_EVENT_IOC_DISABLE, 0);
		if (read(k->evfds[i], &v, 8) == 8)
			*n += v;
	}
}

void
perf_free(struct kprog *k)
{
	free(k->evfds);
	k->evfds = NULL;
	k->nevfds = 0;
}
