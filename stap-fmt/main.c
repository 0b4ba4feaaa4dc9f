/*
 * stap-fmt: print a SystemTap script, or a stap-tree of one, in the
 * canonical style; list a .bo; render an event stream.  What the input
 * is, its first bytes say: ELF's magic, "stap-events", "stap-tree", or
 * else a script (a stap-tree, on stdin).
 *
 *     stap-fmt [options] [FILE]
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lib/stap.h"
#include "../lib/meta.h"
#include "fmt.h"

static void
usage(FILE *f, int status)
{
	fputs("usage: stap-fmt [options] [FILE]\n"
	    "  FILE             a script, a stap-tree, a .bo or an event "
	    "stream\n"
	    "                   (default: stdin, where a script must come "
	    "as a stap-tree)\n"
	    "  -I DIR           look for macro libraries (*.stpm) in DIR\n"
	    "  -D NAME=VALUE    define NAME for CONFIG_ conditions\n"
	    "  -g               guru mode (always on: accepted for "
	    "stap-parse's sake)\n"
	    "  -o FILE          write to FILE instead of stdout\n"
	    "  --tree           write the stap-tree instead of the source\n"
	    "  --help, --version\n", f);
	exit(status);
}


/*
 * Up to n bytes from the start of fd, read with read(2) so that nothing
 * past them is consumed: an event stream's rest can then go to the
 * renderer as it arrives.  Bytes that begin neither an event stream nor
 * an ELF file are enough: a script's NUL byte is then refused at once.
 */
static size_t
peek(int fd, char *buf, size_t n, const char *name)
{
	size_t got = 0;
	ssize_t r;

	while (got < n && (got < 4 ||
	    !memcmp(buf, "stap-events", got < 11 ? got : 11))) {
		r = read(fd, buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			fatal("read '%s':", name);
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return got;
}

static int
writeall(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * The event stream on fd as a FILE from its first byte, the n bytes of
 * head already read from it.  A file seeks back; a pipe cannot, so a
 * child writes head and then copies the rest into a new pipe, and the
 * renderer prints each record as it comes instead of at the end.
 */
static FILE *
stream(int fd, const char *head, size_t n, const char *name, pid_t *child)
{
	char buf[8192];
	ssize_t r;
	int p[2];
	FILE *fp;

	*child = 0;
	if (lseek(fd, -(off_t)n, SEEK_CUR) >= 0) {
		fp = fd == 0 ? stdin : fdopen(fd, "r");
		if (!fp)
			fatal("open '%s':", name);
		return fp;
	}
	if (pipe(p) < 0)
		fatal("pipe:");
	if ((*child = fork()) < 0)
		fatal("fork:");
	if (*child == 0) {
		close(p[0]);
		if (writeall(p[1], head, n) < 0)
			_exit(1);
		while ((r = read(fd, buf, sizeof buf)) != 0) {
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0 || writeall(p[1], buf, (size_t)r) < 0)
				_exit(1);	/* the reader says truncated */
		}
		_exit(0);
	}
	close(p[1]);
	if (fd != 0)
		close(fd);
	if (!(fp = fdopen(p[0], "r")))
		fatal("fdopen:");
	return fp;
}

static int
render(int fd, const char *head, size_t n, const char *name, FILE *fo)
{
	pid_t child;
	FILE *in = stream(fd, head, n, name, &child);
	int rc = stapfmt_render(in, fo, stderr, name);

	if (in != stdin)
		fclose(in);
	if (child > 0) {
		/* done reading: the copier may wait on a writer that lives */
		kill(child, SIGTERM);
		waitpid(child, NULL, 0);
	}
	return rc != 0;
}

static struct script *
read_tree(char *buf, size_t len, const char *name)
{
	struct script *s;
	FILE *fp;

	if (len == 0)
		fatal("%s: empty input: wanted a stap-tree", name);
	if (!(fp = fmemopen(buf, len, "r")))
		fatal("read '%s':", name);
	s = tree_read(fp, name);
	fclose(fp);
	return s;
}

static struct script *
read_script(struct facts *f, const char *buf, size_t len, const char *name,
    const char **incdirs, int nincs, int *file)
{
	struct script *s;

	/* the facts stap-parse would use, so that "stap-fmt x.stp" and
	 * "stap-parse x.stp | stap-fmt" agree */
	facts_finish(f, 1);
	*file = src_add(name, buf, len);
	s = parse_script(f, *file, NULL, incdirs, nincs);
	if (nerrors) {
		fprintf(stderr, "stap-fmt: %d error%s\n", nerrors,
		    nerrors == 1 ? "" : "s");
		exit(1);
	}
	return s;
}

/*
 * -o FILE: only a run that succeeds replaces FILE (see lib/outfile.c),
 * so a malformed input or a full disk leaves it, the input it may be,
 * as it was.
 */
static int
finish(FILE *fo, int rc)
{
	if (rc == 0 || fo == stdout)
		outclose(fo);
	return rc;
}

int
main(int argc, char **argv)
{
	struct facts f;
	struct script *s;
	const char *path = NULL, *name, *outpath = NULL;
	const char *incdirs[64];
	int nincs = 0, i, file = -1, opts = 1, tree = 0, fd, kind, rc;
	char *buf, *text, head[11];
	size_t len, n, nhead;
	FILE *fo = stdout;

	argv0 = "stap-fmt";
	facts_default(&f);
	/*
	 * Formatting runs nothing, so embedded C is no risk, and a script
	 * that needs -g to parse must format without it: tests/run and
	 * editors call stap-fmt with the file alone.
	 */
	f.guru = 1;
	f.defines = emalloc(sizeof *f.defines * (argc + 1));
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (opts && !strcmp(a, "--help"))
			usage(stdout, 0);
		if (opts && !strcmp(a, "--version")) {
			printf("stap-fmt %s\n", VERSION);
			outclose(stdout);
			return 0;
		}
		if (opts && !strcmp(a, "--")) {
			opts = 0;
		} else if (opts && !strcmp(a, "--tree")) {
			tree = 1;
		} else if (!opts || a[0] != '-' || !strcmp(a, "-")) {
			if (path) {
				fprintf(stderr, "stap-fmt: more than one input "
				    "file\n");
				usage(stderr, 2);
			}
			path = a;
		} else if (a[1] == 'I') {
			if (nincs == (int)NELEM(incdirs))
				fatal("too many -I options");
			incdirs[nincs++] = opt_value(argc, argv, &i, usage);
		} else if (a[1] == 'D') {
			f.defines[f.ndefines++] = (char *)opt_value(argc, argv,
			    &i, usage);
		} else if (a[1] == 'g' && !a[2]) {
			f.guru = 1;
		} else if (a[1] == 'o') {
			outpath = opt_value(argc, argv, &i, usage);
		} else {
			fprintf(stderr, "stap-fmt: unknown option '%s'\n", a);
			usage(stderr, 2);
		}
	}
	if (!path)
		path = "-";
	name = strcmp(path, "-") ? path : "<stdin>";

	if (!strcmp(path, "-"))
		fd = 0;
	else if ((fd = open(path, O_RDONLY)) < 0)
		fatal("open '%s':", path);
	nhead = peek(fd, head, sizeof head, name);
	kind = nhead >= 4 && !memcmp(head, "\177ELF", 4) ? 'b' :
	    nhead == sizeof head && !memcmp(head, "stap-events", 11) ? 'e' :
	    't';
	if (kind != 't') {
		free(f.defines);	/* for scripts only */
		f.defines = NULL;
	}
	if (kind != 't' && tree)
		fatal("'%s' is %s: --tree wants a script or a stap-tree",
		    name, kind == 'b' ? "a .bo" : "an event stream");
	if (kind == 'e') {
		if (outpath)
			fo = outopen(outpath);
		rc = render(fd, head, nhead, name, fo);
		return finish(fo, rc);
	}
	buf = src_slurp(fd, head, nhead, name, kind == 't', &len);
	if (fd != 0)
		close(fd);
	if (kind == 'b') {
		if (outpath)
			fo = outopen(outpath);
		list_bo(fo, buf, len, name);
		free(buf);
		return finish(fo, 0);
	}
	/* stdin is a pipe from an earlier stage: a tree, or a failure */
	if (!strcmp(path, "-") || !strncmp(buf, "stap-tree ", 10))
		s = read_tree(buf, len, name);
	else
		s = read_script(&f, buf, len, name, incdirs, nincs, &file);
	free(buf);

	if (outpath)
		fo = outopen(outpath);
	if (tree) {
		/* a tree read and written again is byte-identical */
		if (!s->tool)
			s->tool = "stap-fmt " VERSION;
		tree_write(fo, s);
		text = NULL;
	} else {
		text = fmt_script(s, file, &n);
		if (n)
			fwrite(text, 1, n, fo);
	}
	free(text);
	free(f.defines);
	return finish(fo, 0);
}
