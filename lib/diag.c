/*
 * The source registry and diagnostics.  Every script file a tool reads
 * (or finds embedded in a stap-tree) is registered here, so an error at
 * any stage can quote its line with a caret under the column.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "stap.h"

const char *argv0 = "stap";
int nerrors;
int nwarnings;

static struct srcfile *files;
static size_t nfiles, capfiles;

int
src_add(const char *name, char *text, size_t len)
{
	struct srcfile *f;
	size_t i, cap = 0;

	files = vgrow(files, &capfiles, nfiles + 1, sizeof *files);
	f = &files[nfiles];
	memset(f, 0, sizeof *f);
	f->name = estrdup(name);
	f->text = text;
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

/* Read a whole file ("-" is stdin) into the registry. */
int
src_read(const char *path)
{
	FILE *fp = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!fp)
		fatal("open '%s':", path);
	do {
		buf = vgrow(buf, &cap, len + 4096, 1);
		n = fread(buf + len, 1, cap - len - 1, fp);
		len += n;
	} while (n > 0);
	if (ferror(fp))
		fatal("read '%s':", path);
	if (fp != stdin)
		fclose(fp);
	buf[len] = '\0';
	if (memchr(buf, '\0', len))
		fatal("'%s' is not a text file (it holds NUL bytes)", path);
	return src_add(strcmp(path, "-") ? path : "<input>", buf, len);
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

	fflush(stdout);
	if (f)
		fprintf(stderr, "%s:%d:%d: %s: ", f->name, loc.line, loc.col,
		    kind);
	else
		fprintf(stderr, "%s: %s: ", argv0, kind);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	s = f ? src_line(loc.file, loc.line, &len) : NULL;
	if (!s)
		return;
	fprintf(stderr, "    %.*s\n    ", (int)len, s);
	for (i = 0; i + 1 < (size_t)loc.col && i < len; i++)
		fputc(s[i] == '\t' ? '\t' : ' ', stderr);
	fputs("^\n", stderr);
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

	fflush(stdout);
	fprintf(stderr, "%s: ", argv0);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (n && fmt[n - 1] == ':')
		fprintf(stderr, " %s", strerror(e));
	fputc('\n', stderr);
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

/* In a pipe a lost write must fail loudly. */
void
outclose(FILE *f)
{
	if (fflush(f) != 0 || ferror(f))
		fatal("write error:");
}
