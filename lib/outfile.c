/*
 * Output files: what a tool's -o FILE opens, and the final check of
 * whatever it wrote to.
 *
 * A tool may run as root with FILE in /tmp, so FILE is opened the way
 * the kernel's fs.protected_symlinks would (it may be off): a symlink
 * in a sticky world-writable directory is followed only if it is the
 * caller's or the directory owner's, never one another user planted to
 * make root truncate a file of its choosing.  A file that is not a
 * symlink is opened with O_NOFOLLOW, so one planted after the check
 * fails the open.  A new file gets mode 0644 at most, and a file is
 * truncated only once open shows it is a regular file.
 *
 * outopen writes a regular file through a temporary file beside it,
 * which outclose renames over it: a run that fails (a malformed input,
 * a full disk) leaves FILE as it was, and "stap-fmt -o x.stp x.stp"
 * can rewrite its own input.  out_create opens FILE itself, for output
 * that must show while it is written (stap-bpfld's).
 */
/* S_ISVTX and realpath are XSI */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stap.h"

/* The one outopen file awaiting its rename; removed if the tool exits
 * without outclose */
static FILE *pending;
static char *pendtmp, *pendpath;

static void
unlinkpending(void)
{
	if (pendtmp)
		unlink(pendtmp);
}

/* The directory part of path, as a new string ("." if none) */
static char *
dirof(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t n;
	char *d;

	if (!slash)
		return estrdup(".");
	n = slash == path ? 1 : (size_t)(slash - path);
	d = emalloc(n + 1);
	memcpy(d, path, n);
	d[n] = '\0';
	return d;
}

/* 1 if path is a symlink, 0 if not (or absent); fatal if it is one
 * that must not be followed */
static int
checklink(const char *path)
{
	struct stat l, d;
	char *dir;
	int sticky;

	if (lstat(path, &l) < 0 || !S_ISLNK(l.st_mode))
		return 0;
	dir = dirof(path);
	sticky = stat(dir, &d) == 0 && (d.st_mode & S_ISVTX) &&
	    (d.st_mode & S_IWOTH);
	free(dir);
	if (sticky && l.st_uid != geteuid() && l.st_uid != d.st_uid)
		fatal("open '%s': not following a symlink that another user "
		    "owns in a sticky directory", path);
	return 1;
}

int
out_create(const char *path)
{
	int link = checklink(path), fd;
	struct stat st;

	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC |
	    (link ? 0 : O_NOFOLLOW), 0644);
	if (fd < 0)
		fatal("open '%s':", path);
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && ftruncate(fd, 0))
		fatal("truncate '%s':", path);
	return fd;
}

static FILE *
fdfile(int fd, const char *path)
{
	FILE *f = fdopen(fd, "w");

	if (!f)
		fatal("open '%s':", path);
	return f;
}

FILE *
outopen(const char *path)
{
	struct stat st;
	char *target, *dir, *tmp;
	const char *base;
	mode_t mask;
	int exists, fd;

	if (pending)
		bug("outopen: two files at once");
	/* a symlink is replaced where it points, and stays a symlink */
	target = checklink(path) ? realpath(path, NULL) : estrdup(path);
	exists = target && stat(target, &st) == 0;
	/* /dev/null, a fifo: written in place */
	if (!target || (exists && !S_ISREG(st.st_mode)))
		return fdfile(out_create(path), path);
	dir = dirof(target);
	base = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
	tmp = emalloc(strlen(dir) + strlen(base) + 10);
	sprintf(tmp, "%s/.%s.XXXXXX", dir, base);
	free(dir);
	fd = mkstemp(tmp);
	if (fd < 0) {
		/* a directory we may not write in: the file itself */
		free(tmp);
		free(target);
		return fdfile(out_create(path), path);
	}
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, exists ? st.st_mode & 0777 : 0644 & ~mask) < 0 ||
	    (exists && geteuid() == 0 && st.st_uid != 0 &&
	    fchown(fd, st.st_uid, st.st_gid) < 0)) {
		int e = errno;

		unlink(tmp);
		errno = e;
		fatal("create '%s':", tmp);
	}
	if (!pendpath)
		atexit(unlinkpending);
	free(pendpath);
	pendtmp = tmp;
	pendpath = target;
	pending = fdfile(fd, tmp);
	return pending;
}

/* In a pipe a lost write must fail loudly. */
void
outclose(FILE *f)
{
	const char *name = f == pending ? pendpath : NULL;

	if (fflush(f) != 0 || ferror(f)) {
		if (name)
			fatal("write '%s':", name);
		fatal("write error:");
	}
	if (!name)
		return;		/* the caller's stream: flushed, still open */
	if (fclose(f) != 0) {
		if (name)
			fatal("write '%s':", name);
		fatal("write error:");
	}
	if (name) {
		pending = NULL;
		if (rename(pendtmp, pendpath) < 0)
			fatal("rename '%s' to '%s':", pendtmp, pendpath);
		free(pendtmp);
		pendtmp = NULL;
	}
}
