/*
 * procfs probes: a file per procfs("NAME") point, in one directory, as
 * stap's bpf runtime emulates /proc/systemtap/MODULE with FIFOs: a
 * reader of a read file gets what the read probe set $value to, what a
 * writer writes into a write file is the write probes' $value.  The
 * probes run in the interpreter, from the event loop, one at a time.
 *
 * A read file is a FIFO we hold open O_RDWR while no reader is served:
 * a reader's open then completes at once, and inotify tells us
 * (IN_OPEN).  We run the probe, write the message and close, so the
 * reader sees it and then end of file.  Readers that come meanwhile
 * wait in open(): a FIFO has no writer now.  We open again only when
 * every reader we served has closed, else a reader still reading
 * would see a writer again and get a second message.  inotify wakes
 * us when readers come and go, but cannot count them (it merges equal
 * events that follow each other); who holds the FIFO open is what
 * /proc/PID/fd says, and a reader waiting in open() holds nothing
 * yet.  (stapbpf polls with open(O_WRONLY|O_NONBLOCK) instead, which
 * lets a waiting reader's open through with nothing to read.)
 *
 * A write file is a FIFO we hold open O_RDONLY|O_NONBLOCK: writers
 * never block, their data comes as POLLIN and the last one's close as
 * POLLHUP; then the write probes run on the data, a MAXSTRINGLEN - 1
 * piece at a time ($value is a string), in script order, and the FIFO
 * is opened again (before the old descriptor is closed, so a writer
 * never finds no reader) to forget the hangup.
 *
 * Every exit removes the files, and the directory if we made it: the
 * normal stop (procfs_stop), exit() from fatal errors (atexit), a
 * second signal (procfs_unlink, from the handler).
 */
/* F_SETPIPE_SZ */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bpfld.h"

enum {
	/* bytes a read probe's message may wait in its FIFO, if the
	 * kernel allows (pipe-max-size): most are written at once */
	PIPESIZE = 1 << 20,
	MAXFILES = 256,
};

struct pfile {
	const char *name;
	char *path;
	int write, made;
	unsigned mode;
	uint64_t maxsize;
	const struct meta_probe **probes;	/* read: one; write: all */
	size_t nprobes;
	int fd;			/* read: -1 while readers finish */
	int wd;			/* read: its inotify watch */
	int check;		/* read: readers may have come or gone */
	dev_t dev;		/* the FIFO, as /proc/PID/fd shows it */
	ino_t ino;
	char *out;		/* read: the message being written */
	size_t outlen, outoff;
	char *in;		/* write: what the writers wrote */
	size_t inlen, incap;
};

struct procfs {
	char *dir;
	int madedir;
	struct pfile *files;
	size_t nfiles;
	int ifd;		/* inotify */
	/* $value while a probe runs: run 1 read, 2 write, 0 none */
	int run;
	char *val;
	size_t vlen, vcap;
	const char *chunk;	/* write: the piece of input it gets */
	size_t chunklen;
};

/* for procfs_unlink, from a signal handler or atexit */
static struct procfs *live;

static void
vgrow_bytes(char **buf, size_t *cap, size_t need)
{
	if (need <= *cap)
		return;
	*cap = need < 256 ? 256 : need * 2;
	*buf = realloc(*buf, *cap);
	if (!*buf)
		fatal("out of memory");
}

/* "MODULE": the .bo's name without .bo, or the script's without .stp,
 * in the letters a module name may have */
static char *
module_name(struct ld *ld)
{
	const char *p = ld->path, *s = strrchr(p, '/'), *e;
	size_t n, i;
	char *m;

	s = s ? s + 1 : p;
	n = strlen(s);
	if (n <= 3 || strcmp(s + n - 3, ".bo")) {
		p = ld->meta.script ? ld->meta.script : "";
		s = strrchr(p, '/');
		s = s ? s + 1 : p;
		e = strrchr(s, '.');
		n = e && e != s ? (size_t)(e - s) : strlen(s);
	} else
		n -= 3;
	m = emalloc(n + 5);
	for (i = 0; i < n; i++)
		m[i] = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ? s[i] : '_';
	m[n] = '\0';
	if (!n)
		strcpy(m, "stap");
	return m;
}

/* The directory: --procfs-dir, else /var/tmp/systemtap-USER/MODULE */
static char *
dirname_of(struct ld *ld)
{
	struct passwd *pw = getpwuid(geteuid());
	char *mod, *d;

	if (ld->procdir)
		return estrdup(ld->procdir);
	mod = ld->module ? estrdup(ld->module) : module_name(ld);
	d = emalloc(strlen(mod) + 300);
	if (pw && pw->pw_name)
		snprintf(d, strlen(mod) + 300, "/var/tmp/systemtap-%.200s",
		    pw->pw_name);
	else
		snprintf(d, strlen(mod) + 300, "/var/tmp/systemtap-%ld",
		    (long)geteuid());
	/* if this fails, the next mkdir says why */
	if (mkdir(d, 0755) == 0 || errno == EEXIST) {
		strcat(d, "/");
		strcat(d, mod);
	}
	free(mod);
	return d;
}

static struct pfile *
file_for(struct procfs *pf, const struct meta_probe *pr)
{
	struct pfile *f;
	size_t i;

	for (i = 0; i < pf->nfiles; i++)
		if (!strcmp(pf->files[i].name, pr->file))
			break;
	if (i == MAXFILES)
		return NULL;
	f = &pf->files[i];
	if (i == pf->nfiles) {
		pf->nfiles++;
		f->name = pr->file;
		f->write = pr->write;
		f->mode = (pr->write ? 0222 : 0444) & ~(unsigned)pr->umask;
		f->maxsize = pr->maxsize;
		f->fd = f->wd = -1;
		f->probes = emalloc(sizeof *f->probes);
	} else {
		f->probes = realloc(f->probes, (f->nprobes + 1) *
		    sizeof *f->probes);
		if (!f->probes)
			fatal("out of memory");
	}
	f->probes[f->nprobes++] = pr;
	return f;
}

/* Open f as it waits for its next reader or writer: 0 or -1 */
static int
listen_on(struct pfile *f)
{
	struct stat st;
	int fd;

	fd = open(f->path, (f->write ? O_RDONLY : O_RDWR) | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (!f->write)
		fcntl(fd, F_SETPIPE_SZ, PIPESIZE);
	if (fstat(fd, &st) == 0) {
		f->dev = st.st_dev;
		f->ino = st.st_ino;
	}
	if (f->fd >= 0)
		close(f->fd);	/* a write file's old end, after */
	f->fd = fd;
	return 0;
}

static void
close_read(struct pfile *f)
{
	if (f->fd < 0)
		return;
	close(f->fd);
	f->fd = -1;
	free(f->out);
	f->out = NULL;
}

static int
make_files(struct ld *ld, struct procfs *pf)
{
	size_t i;

	if (mkdir(pf->dir, 0755) == 0)
		pf->madedir = 1;
	else if (errno != EEXIST) {
		fprintf(stderr, "%s: procfs directory '%s': %s\n", argv0,
		    pf->dir, strerror(errno));
		return -1;
	}
	pf->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (pf->ifd < 0) {
		fprintf(stderr, "%s: procfs: inotify: %s\n", argv0,
		    strerror(errno));
		return -1;
	}
	for (i = 0; i < pf->nfiles; i++) {
		struct pfile *f = &pf->files[i];

		f->path = emalloc(strlen(pf->dir) + strlen(f->name) + 2);
		sprintf(f->path, "%s/%s", pf->dir, f->name);
		/* 0600 until our ends are open: a mode of 0444 would
		 * keep even the owner from writing, were it not root */
		if (mkfifo(f->path, 0600) < 0) {
			fprintf(stderr, "%s: procfs file '%s': %s%s\n", argv0,
			    f->path, strerror(errno), errno == EEXIST ?
			    " (another run of the module, or one killed: "
			    "remove it, or choose -m or --procfs-dir)" : "");
			return -1;
		}
		f->made = 1;
		if (!f->write && (f->wd = inotify_add_watch(pf->ifd, f->path,
		    IN_OPEN | IN_CLOSE)) < 0) {
			fprintf(stderr, "%s: procfs: watch '%s': %s\n", argv0,
			    f->path, strerror(errno));
			return -1;
		}
		if (listen_on(f) < 0 || chmod(f->path, f->mode) < 0) {
			fprintf(stderr, "%s: procfs file '%s': %s\n", argv0,
			    f->path, strerror(errno));
			return -1;
		}
	}
	if (ld->verbose)
		fprintf(stderr, "%s: procfs: %zu file%s in %s\n", argv0,
		    pf->nfiles, pf->nfiles == 1 ? "" : "s", pf->dir);
	return 0;
}

int
procfs_start(struct ld *ld)
{
	struct procfs *pf;
	size_t i;

	for (i = 0; i < ld->meta.nprobes; i++)
		if (ld->meta.probes[i].kind == PK_PROCFS)
			break;
	if (i == ld->meta.nprobes)
		return 0;
	pf = calloc(1, sizeof *pf);
	if (!pf || !(pf->files = calloc(MAXFILES, sizeof *pf->files)))
		fatal("out of memory");
	pf->ifd = -1;
	for (i = 0; i < ld->meta.nprobes; i++) {
		const struct meta_probe *pr = &ld->meta.probes[i];
		struct pfile *f;

		if (pr->kind != PK_PROCFS)
			continue;
		if (!pr->file || !pr->file[0] || strchr(pr->file, '/') ||
		    !strcmp(pr->file, ".") || !strcmp(pr->file, "..")) {
			fprintf(stderr, "%s: '%s': probe '%s': not a procfs "
			    "file name\n", argv0, ld->path, pr->point);
			ld->procfs = pf;
			procfs_stop(ld);
			return -1;
		}
		if (!(f = file_for(pf, pr)) || f->write != pr->write ||
		    (!f->write && f->nprobes > 1)) {
			fprintf(stderr, "%s: '%s': probe '%s': %s\n", argv0,
			    ld->path, pr->point, f ? "one read probe, or "
			    "write probes only, a file" : "too many procfs "
			    "files");
			ld->procfs = pf;
			procfs_stop(ld);
			return -1;
		}
	}
	pf->dir = dirname_of(ld);
	ld->procfs = pf;
	live = pf;
	{
		static int once;

		if (!once++)
			atexit(procfs_unlink);
	}
	if (make_files(ld, pf) < 0) {
		procfs_stop(ld);
		return -1;
	}
	return 0;
}

/* Run the read probe of f for the readers that came, write its message */
static void
serve(struct ld *ld, struct procfs *pf, struct pfile *f)
{
	ssize_t w;

	if (!f->out) {
		pf->run = 1;
		pf->vlen = 0;
		ld->vm.intr = &stop_signal;
		user_run_probe(ld, f->probes[0]);
		ld->vm.intr = NULL;
		pf->run = 0;
		if (f->maxsize && pf->vlen > f->maxsize - 1) {
			fflush(ld->out);
			fprintf(stderr, "WARNING: procfs message size (%zu) "
			    "exceeds specified maximum size (%llu).\n",
			    pf->vlen, (unsigned long long)f->maxsize);
		}
		f->out = emalloc(pf->vlen + 1);
		if (pf->vlen)	/* val may be NULL yet */
			memcpy(f->out, pf->val, pf->vlen);
		f->outlen = pf->vlen;
		f->outoff = 0;
	}
	while (f->outoff < f->outlen) {
		w = write(f->fd, f->out + f->outoff, f->outlen - f->outoff);
		if (w > 0)
			f->outoff += (size_t)w;
		else if (w < 0 && errno == EINTR)
			continue;
		else if (w < 0 && errno == EAGAIN)
			return;		/* the rest at POLLOUT */
		else
			break;
	}
	close_read(f);	/* the readers see the end */
}

/* Readers came or went: which files inotify says */
static void
watch(struct procfs *pf)
{
	char buf[4096] __attribute__((aligned(__alignof__(
	    struct inotify_event))));
	const struct inotify_event *ev;
	ssize_t n;
	char *p;
	size_t i;

	while ((n = read(pf->ifd, buf, sizeof buf)) > 0)
		for (p = buf; p < buf + n; p += sizeof *ev + ev->len) {
			ev = (const struct inotify_event *)p;
			for (i = 0; i < pf->nfiles; i++)
				if (pf->files[i].wd == ev->wd)
					pf->files[i].check = 1;
		}
}

/* Does another process hold f open?  Its fds in /proc say */
static int
held(const struct pfile *f)
{
	DIR *d = opendir("/proc"), *fds;
	struct dirent *e, *fe;
	struct stat st;
	char path[64];
	pid_t self = getpid();
	int found = 0;

	if (!d)
		return 0;
	while (!found && (e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9' ||
		    atol(e->d_name) == (long)self)
			continue;
		snprintf(path, sizeof path, "/proc/%.20s/fd", e->d_name);
		if (!(fds = opendir(path)))
			continue;
		while (!found && (fe = readdir(fds)))
			found = fe->d_name[0] != '.' &&
			    fstatat(dirfd(fds), fe->d_name, &st, 0) == 0 &&
			    S_ISFIFO(st.st_mode) && st.st_ino == f->ino &&
			    st.st_dev == f->dev;
		closedir(fds);
	}
	closedir(d);
	return found;
}

static void
read_file(struct ld *ld, struct procfs *pf, struct pfile *f)
{
	int busy;

	if (f->fd >= 0 && f->out && !f->check) {
		serve(ld, pf, f);	/* its POLLOUT */
		return;
	}
	if (!f->check)
		return;
	f->check = 0;
	busy = held(f);
	if (f->fd >= 0 && f->out && !busy)
		close_read(f);	/* the reader left before the end */
	if (f->fd < 0) {
		/* every reader served has gone: wait for the next */
		if (!busy && listen_on(f) < 0)
			fprintf(stderr, "WARNING: procfs file '%s': %s\n",
			    f->path, strerror(errno));
		return;
	}
	if (busy && !ld->exiting && !ld->failed)
		serve(ld, pf, f);
}

/* The writers' data to the write probes, a string at a time */
static void
deliver(struct ld *ld, struct procfs *pf, struct pfile *f)
{
	size_t piece = ld->meta.maxstr - 1, off, i;

	for (off = 0; off < f->inlen && !ld->failed; off += piece) {
		pf->chunk = f->in + off;
		pf->chunklen = f->inlen - off < piece ? f->inlen - off : piece;
		for (i = 0; i < f->nprobes && !ld->failed; i++) {
			pf->run = 2;
			ld->vm.intr = &stop_signal;
			user_run_probe(ld, f->probes[i]);
			ld->vm.intr = NULL;
			pf->run = 0;
		}
	}
	f->inlen = 0;
}

static void
write_file(struct ld *ld, struct procfs *pf, struct pfile *f, short rev)
{
	char buf[4096];
	ssize_t n;

	for (;;) {
		n = read(f->fd, buf, sizeof buf);
		if (n > 0) {
			vgrow_bytes(&f->in, &f->incap, f->inlen + (size_t)n);
			memcpy(f->in + f->inlen, buf, (size_t)n);
			f->inlen += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN && !(rev & POLLHUP))
			return;		/* a writer is still there */
		break;
	}
	if (f->inlen)
		deliver(ld, pf, f);
	if (listen_on(f) < 0) {
		fprintf(stderr, "WARNING: procfs file '%s': %s\n", f->path,
		    strerror(errno));
		close(f->fd);
		f->fd = -1;
	}
}

int
procfs_poll(struct ld *ld, int ms)
{
	struct procfs *pf = ld->procfs;
	struct pollfd p[MAXFILES + 2];
	int n = 0, rc;
	size_t i, at[MAXFILES + 2];

	if (!pf)
		return events_poll(ld, ms);
	p[n].fd = ring_buffer__epoll_fd(ld->rb);
	p[n++].events = POLLIN;
	p[n].fd = pf->ifd;
	p[n++].events = POLLIN;
	for (i = 0; i < pf->nfiles; i++) {
		struct pfile *f = &pf->files[i];

		if (f->fd < 0 || (!f->write && !f->out))
			continue;
		at[n] = i;
		p[n].fd = f->fd;
		p[n++].events = f->write ? POLLIN : POLLOUT;
	}
	if ((rc = poll(p, (nfds_t)n, ms)) < 0 && errno != EINTR)
		return -1;
	/* a quiet interval: see again whether the readers of a file
	 * served have gone, should inotify have missed one */
	for (i = 0; rc == 0 && i < pf->nfiles; i++)
		if (!pf->files[i].write && pf->files[i].fd < 0)
			pf->files[i].check = 1;
	rc = events_poll(ld, 0);
	if (p[1].revents)
		watch(pf);
	for (i = 2; i < (size_t)n; i++)
		if (p[i].revents && pf->files[at[i]].write)
			write_file(ld, pf, &pf->files[at[i]], p[i].revents);
	for (i = 0; i < pf->nfiles; i++)
		if (!pf->files[i].write)
			read_file(ld, pf, &pf->files[i]);
	return rc;
}

int
procfs_value(struct ld *ld, int append, const char *s, size_t len)
{
	struct procfs *pf = ld->procfs;

	if (!pf || pf->run != 1) {
		interp_error(&ld->vm, "$value is set only in a procfs read "
		    "probe");
		return -1;
	}
	if (!append)
		pf->vlen = 0;
	vgrow_bytes(&pf->val, &pf->vcap, pf->vlen + len + 1);
	memcpy(pf->val + pf->vlen, s, len);
	pf->vlen += len;
	return 0;
}

int
procfs_get(struct ld *ld, char *buf, size_t size)
{
	struct procfs *pf = ld->procfs;
	size_t n;

	if (!pf || pf->run != 2 || !size) {
		interp_error(&ld->vm, "$value is read only in a procfs write "
		    "probe");
		return -1;
	}
	n = pf->chunklen < size - 1 ? pf->chunklen : size - 1;
	memcpy(buf, pf->chunk, n);
	memset(buf + n, 0, size - n);
	return 0;
}

/* A message still being written gets a second to go */
static void
finish_output(struct pfile *f)
{
	double end = now_ms() + 1000;
	struct pollfd p;
	ssize_t w;

	while (f->fd >= 0 && f->out && f->outoff < f->outlen &&
	    now_ms() < end && held(f)) {
		p.fd = f->fd;
		p.events = POLLOUT;
		if (poll(&p, 1, 100) <= 0)
			continue;
		w = write(f->fd, f->out + f->outoff, f->outlen - f->outoff);
		if (w > 0)
			f->outoff += (size_t)w;
		else if (w < 0 && errno != EINTR && errno != EAGAIN)
			break;
	}
}

void
procfs_unlink(void)
{
	struct procfs *pf = live;
	size_t i;

	if (!pf)
		return;
	for (i = 0; i < pf->nfiles; i++)
		if (pf->files[i].made && pf->files[i].path)
			unlink(pf->files[i].path);
	if (pf->madedir)
		rmdir(pf->dir);
}

void
procfs_stop(struct ld *ld)
{
	struct procfs *pf = ld->procfs;
	size_t i;
	int fd;

	if (!pf)
		return;
	if (pf->ifd >= 0)
		watch(pf);
	for (i = 0; i < pf->nfiles; i++) {
		struct pfile *f = &pf->files[i];

		if (!f->write) {
			finish_output(f);
			close_read(f);
			/* readers waiting in open() get an empty file,
			 * not a FIFO no one will ever write */
			if (f->made && (fd = open(f->path, O_WRONLY |
			    O_NONBLOCK | O_CLOEXEC)) >= 0)
				close(fd);
		} else if (f->fd >= 0) {
			close(f->fd);
			f->fd = -1;
		}
	}
	procfs_unlink();
	if (ld->verbose && pf->madedir)
		fprintf(stderr, "%s: procfs: removed directory %s\n", argv0,
		    pf->dir);
	live = NULL;
	if (pf->ifd >= 0)
		close(pf->ifd);
	for (i = 0; i < pf->nfiles; i++) {
		free(pf->files[i].path);
		free(pf->files[i].probes);
		free(pf->files[i].in);
		free(pf->files[i].out);
	}
	free(pf->files);
	free(pf->val);
	free(pf->dir);
	free(pf);
	ld->procfs = NULL;
}
