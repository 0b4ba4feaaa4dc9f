/*
 * Records: draining the ring buffer, handling each record (printing it,
 * or writing it to the --raw event stream), and the stream's header and
 * trailer (man/stap-events.5).  Records of userspace programs come here
 * synchronously, through the same events_record, so both paths agree.
 *
 * A record is handled in place, in the ring buffer's memory (or the
 * interpreter's), and formatted straight into the output stream's own
 * buffer: the event loop allocates nothing.
 */
#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bpfld.h"
#include "hist.h"

static int
onrecord(void *ctx, void *data, size_t len)
{
	events_record(ctx, data, len);
	return 0;
}

/* The records an event stream repeats (man/stap-events.5) */
static void
header(struct ld *ld)
{
	const struct meta *m = &ld->meta;
	FILE *f = ld->out;
	const char *script = m->script ? m->script : "";
	size_t i;

	fprintf(f, "stap-events 1\n@script %s\n", arena_quote(script,
	    strlen(script)));
	fprintf(f, "@maxstringlen %zu\n@byteorder %s\n", m->maxstr,
	    __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? "big" : "little");
	for (i = 0; i < m->nfiles; i++) {
		struct srcfile *s = src_get(m->files[i].src);

		fprintf(f, "%s\n", meta_rec_file(i, s ? s->name : "?", 0));
	}
	for (i = 0; i < m->nformats; i++)
		if (m->formats[i].fmt)
			fprintf(f, "%s\n", meta_rec_format(i, &m->formats[i]));
	for (i = 0; i < m->nsites; i++) {
		struct meta_site s = m->sites[i];
		size_t fid;

		if (!s.msg)
			continue;
		/* back from registry index to file record id */
		for (fid = 0; fid < m->nfiles; fid++)
			if (m->files[fid].src == s.loc.file)
				break;
		s.loc.file = (int)fid;
		fprintf(f, "%s\n", meta_rec_site(i, &s));
	}
	for (i = 0; i < m->nhists; i++)
		if (m->hists[i].type)
			fprintf(f, "%s\n", meta_rec_hist(i, &m->hists[i]));
	fprintf(f, "data\n");
}

/*
 * system(cmd): sh -c cmd in the background, as staprun runs it, its
 * output ours.  The shell is a grandchild, so no zombie is left and
 * the -c command stays the only child stap-bpfld waits for.
 */
static void
run_system(struct ld *ld, const char *cmd)
{
	pid_t pid;
	int st;

	fflush(ld->out);
	if ((pid = fork()) < 0) {
		fprintf(stderr, "WARNING: system: fork: %s\n",
		    strerror(errno));
		return;
	}
	if (pid == 0) {
		if (fork() == 0) {
			execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
			_exit(127);
		}
		_exit(0);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
}

int
events_init(struct ld *ld)
{
	if (ld->raw)
		header(ld);
	ld->rb = ring_buffer__new(ld->eventsfd, onrecord, ld, NULL);
	if (!ld->rb) {
		fprintf(stderr, "%s: ring buffer stap_events: %s\n", argv0,
		    strerror(errno));
		return -1;
	}
	return 0;
}

void
events_record(struct ld *ld, const void *data, size_t len)
{
	const struct meta *m = &ld->meta;
	const struct meta_format *f;
	const unsigned char *p = data;
	uint32_t kind, id, len32 = (uint32_t)len;

	if (len < 8 || len > 1 << 24) {
		ld->badrecs++;
		return;
	}
	memcpy(&kind, p, 4);
	memcpy(&id, p + 4, 4);
	if (kind == REC_EXIT || kind == REC_ERROR)
		ld->exiting = 1;
	if (kind == REC_ERROR) {
		ld->failed = 1;
		ld->errors++;
	}
	if (ld->raw && (kind == REC_STACK || kind == REC_SYMS))
		syms_record(ld, kind, id, p + 8, len - 8);
	if (ld->raw && kind == REC_USTACK)
		usyms_record(ld, id, p + 8, len - 8);
	if (ld->raw && kind == REC_PRINTF && memchr(p + 8, 033, len - 8))
		usyms_refs(ld, p + 8, len - 8);
	if (ld->raw) {
		fwrite(&len32, 4, 1, ld->out);
		fwrite(data, 1, len, ld->out);
		return;
	}
	switch (kind) {
	case REC_PRINTF:
		if (id >= m->nformats || !(f = &m->formats[id])->fmt ||
		    stapfmt_print(ld->out, f->fmt, f->types, p + 8, len - 8,
		    m->maxstr) < 0)
			ld->badrecs++;
		return;
	case REC_HIST:
		if (stapfmt_hist(ld->out, m, id, p + 8, len - 8) < 0)
			ld->badrecs++;
		return;
	case REC_STACK:
	case REC_SYMS:
		if (syms_record(ld, kind, id, p + 8, len - 8) < 0)
			ld->badrecs++;
		return;
	case REC_USTACK:
		if (usyms_record(ld, id, p + 8, len - 8) < 0)
			ld->badrecs++;
		return;
	case REC_EXIT:
		return;
	case REC_ERROR:
	case REC_WARN:
		fflush(ld->out);
		stapfmt_diag(stderr, m, kind, id, p + 8, len - 8);
		return;
	case REC_SYSTEM:
		if (len - 8 < m->maxstr || !memchr(p + 8, 0, m->maxstr)) {
			ld->badrecs++;
			return;
		}
		fflush(ld->out);
		run_system(ld, (const char *)p + 8);
		return;
	}
	ld->badrecs++;
}

int
events_poll(struct ld *ld, int ms)
{
	int n = ring_buffer__poll(ld->rb, ms);

	if (n == -EINTR)
		return 0;
	if (n > 0)
		fflush(ld->out);
	return n;
}

int
events_finish(struct ld *ld, uint64_t lost, uint64_t errors)
{
	uint32_t zero = 0;

	if (ld->rb)
		ring_buffer__consume(ld->rb);
	if (ld->raw) {
		fwrite(&zero, 4, 1, ld->out);
		fprintf(ld->out, "lost %llu\nerrors %llu\nend\n",
		    (unsigned long long)lost, (unsigned long long)errors);
	}
	fflush(ld->out);
	if (!ld->raw)
		stapfmt_summary(stderr, lost, errors);
	if (ld->badrecs)
		fprintf(stderr, "WARNING: Number of malformed records: %llu\n",
		    (unsigned long long)ld->badrecs);
	return ld->werr ? -1 : 0;	/* main says why */
}

void
events_free(struct ld *ld)
{
	ring_buffer__free(ld->rb);
	ld->rb = NULL;
	syms_free(ld);
	usyms_free();
}
