/*
 * The source registry and diagnostics.  Every script file a tool reads
 * (or finds embedded in a stap-tree) is registered here, so an error at
 * any stage can quote its line with a caret under the column.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stap.h"

const char *argv0 = "stap";
int nerrors;
int nwarnings;
FILE *diag_file;
void (*fatal_hook)(void);

static struct srcfile *files;
static size_t nfiles, capfiles;

/* Register a copy of text under name; returns its index. */
int
src_add(const char *name, const char *text, size_t len)
{
	struct srcfile *f;
	size_t i, cap = 0;

	files = vgrow(files, &capfiles, nfiles + 1, sizeof *files);
	f = &files[nfiles];
	memset(f, 0, sizeof *f);
	f->name = estrdup(name);
	f->text = memcpy(emalloc(len + 1), text, len);
	f->text[len] = '\0';
	text = f->text;
	f->len = len;
	f->line = vgrow(NULL, &cap, 1, sizeof *f->line);
	f->line[f->nlines++] = 0;
	for (i = 0; i < len; i++) {
		if (text[i] != '\n' || i + 1 == len)
			continue;
		f->line = vgrow(f->line, &cap, f->nlines + 1, sizeof *f->line);
		f->line[f->nlines++] = i + 1;
	}
	return nfiles++;
}

/*
 * Why input that has grown by the n bytes at chunk to total bytes must
 * be refused, or NULL: a NUL byte in text, or more than INPUT_MAX in
 * all.  Readers ask at every chunk, so /dev/zero fails at once and an
 * endless stream at INPUT_MAX, not when memory runs out.
 */
const char *
src_refuse(const char *chunk, size_t n, size_t total, int text)
{
	if (text && memchr(chunk, '\0', n))
		return "input has a NUL byte";
	if (total > INPUT_MAX)
		return "input larger than " INPUT_MAX_TEXT;
	return NULL;
}

/* head, then the rest of fd, NUL-terminated; text (a script or a
 * stap-tree) holds no NUL byte, refused as it arrives */
char *
src_slurp(int fd, const char *head, size_t nhead, const char *name, int text,
    size_t *lenp)
{
	size_t cap = 0, len = nhead, want;
	char *buf = vgrow(NULL, &cap, nhead + 4096, 1);
	const char *why;
	ssize_t n;

	if (nhead)
		memcpy(buf, head, nhead);
	if ((why = src_refuse(buf, len, len, text)) != NULL)
		fatal("'%s': %s", name, why);
	for (;;) {
		buf = vgrow(buf, &cap, len + 4096, 1);
		want = cap - len - 1;
		if (want > INPUT_MAX + 1 - len)
			want = INPUT_MAX + 1 - len;
		n = read(fd, buf + len, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fatal("read '%s':", name);
		if (n == 0)
			break;
		len += (size_t)n;
		if ((why = src_refuse(buf + len - n, n, len, text)) != NULL)
			fatal("'%s': %s", name, why);
	}
	buf[len] = '\0';
	*lenp = len;
	return buf;
}

/*
 * Read a whole file ("-" is stdin) into the registry, with read(2): it
 * returns what has arrived, so a NUL byte is refused at once.
 */
int
src_read(const char *path)
{
	int fd = strcmp(path, "-") ? open(path, O_RDONLY) : 0;
	const char *name = fd ? path : "<stdin>";
	char *buf;
	size_t len;
	int n;

	if (fd < 0)
		fatal("open '%s':", path);
	buf = src_slurp(fd, NULL, 0, name, 1, &len);
	if (fd != 0)
		close(fd);
	n = src_add(strcmp(path, "-") ? path : "<input>", buf, len);
	free(buf);
	return (int)n;
}

/* Forget every file: for fuzzers, which parse many inputs in one run. */
void
src_reset(void)
{
	size_t i;

	for (i = 0; i < nfiles; i++) {
		free(files[i].name);
		free(files[i].text);
		free(files[i].line);
	}
	nfiles = 0;
	nerrors = nwarnings = 0;
}

int
src_count(void)
{
	return nfiles;
}

struct srcfile *
src_get(int file)
{
	if (file < 0 || (size_t)file >= nfiles)
		return NULL;
	return &files[file];
}

const char *
src_line(int file, int line, size_t *len)
{
	struct srcfile *f = src_get(file);
	const char *s, *e;

	if (!f || line < 1 || line > f->nlines)
		return NULL;
	s = f->text + f->line[line - 1];
	e = memchr(s, '\n', f->text + f->len - s);
	*len = e ? (size_t)(e - s) : strlen(s);
	return s;
}

/* file:line:col: kind: message, the source line, a caret under col. */
void
diag_vreport(const char *kind, struct loc loc, const char *fmt, va_list ap)
{
	struct srcfile *f = src_get(loc.file);
	const char *s;
	size_t len, i;

	FILE *out = diag_file ? diag_file : stderr;

	fflush(stdout);
	if (f)
		fprintf(out, "%s:%d:%d: %s: ", f->name, loc.line, loc.col,
		    kind);
	else
		fprintf(out, "%s: %s: ", argv0, kind);
	vfprintf(out, fmt, ap);
	fputc('\n', out);
	s = f ? src_line(loc.file, loc.line, &len) : NULL;
	if (!s)
		return;
	fprintf(out, "    %.*s\n    ", (int)len, s);
	for (i = 0; i + 1 < (size_t)loc.col && i < len; i++)
		fputc(s[i] == '\t' ? '\t' : ' ', out);
	fputs("^\n", out);
}

void
diag_error(struct loc loc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vreport("error", loc, fmt, ap);
	va_end(ap);
	nerrors++;
}

void
diag_warn(struct loc loc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vreport("warning", loc, fmt, ap);
	va_end(ap);
	nwarnings++;
}

void
diag_note(struct loc loc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vreport("note", loc, fmt, ap);
	va_end(ap);
}

/* "prog: message"; a format ending in ':' appends strerror(errno). */
void
fatal(const char *fmt, ...)
{
	va_list ap;
	int e = errno;
	size_t n = strlen(fmt);

	FILE *out = diag_file ? diag_file : stderr;

	fflush(stdout);
	fprintf(out, "%s: ", argv0);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	if (n && fmt[n - 1] == ':')
		fprintf(out, " %s", strerror(e));
	fputc('\n', out);
	die();
}

/* Exit 1; a fuzzer sets fatal_hook to get control back instead. */
void
die(void)
{
	if (fatal_hook)
		fatal_hook();
	exit(1);
}

void
bugat(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: internal error at %s:%d: ", argv0, file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

const char *
opt_value(int argc, char **argv, int *i, void (*usage)(FILE *, int))
{
	const char *a = argv[*i];

	if (a[2])
		return a + 2;
	if (*i + 1 >= argc) {
		fprintf(stderr, "%s: option '%s' needs an argument\n", argv0, a);
		usage(stderr, 2);
	}
	return argv[++*i];
}
