/*
 * stap-fmt: print a SystemTap script, or a stap-tree of one, in the
 * canonical style.
 *
 *     stap-fmt [options] [FILE]
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/stap.h"
#include "fmt.h"

static void
usage(FILE *f, int status)
{
	fputs("usage: stap-fmt [options] [FILE]\n"
	    "  FILE             a script or a stap-tree (default: a stap-tree "
	    "on stdin)\n"
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
 * A script is read with the facts stap-parse would use, so that
 * "stap-fmt x.stp" and "stap-parse x.stp | stap-fmt" agree.  These two
 * are stap-parse's own, copied: they belong in lib/ with facts_default.
 */
static const char *
normalize_arch(const char *m)
{
	if (!strncmp(m, "i", 1) && !strcmp(m + 2, "86"))
		return "i386";
	if (!strcmp(m, "aarch64") || !strcmp(m, "arm64"))
		return "arm64";
	if (!strncmp(m, "arm", 3))
		return "arm";
	if (!strncmp(m, "ppc64", 5))
		return "powerpc";
	if (!strcmp(m, "s390x"))
		return "s390";
	if (!strncmp(m, "mips", 4))
		return "mips";
	return m;
}

static const char *
find_config(const char *release)
{
	static char path[4200];

	if (access("/proc/config.gz", R_OK) == 0)
		return "/proc/config.gz";
	snprintf(path, sizeof path, "/boot/config-%s", release);
	if (access(path, R_OK) == 0)
		return path;
	snprintf(path, sizeof path, "/lib/modules/%s/build/.config", release);
	if (access(path, R_OK) == 0)
		return path;
	return NULL;
}

static const char *
optarg_of(int argc, char **argv, int *i)
{
	const char *a = argv[*i];

	if (a[2])
		return a + 2;   /* -IDIR */
	if (*i + 1 >= argc) {
		fprintf(stderr, "stap-fmt: option '%s' needs an argument\n", a);
		usage(stderr, 2);
	}
	return argv[++*i];
}

/* All of path ("-" is stdin), NUL-terminated. */
static char *
slurp(const char *path, const char *name, size_t *lenp)
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
		fatal("read '%s':", name);
	if (fp != stdin)
		fclose(fp);
	buf[len] = '\0';
	*lenp = len;
	return buf;
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

	if (memchr(buf, '\0', len))
		fatal("'%s' is not a text file (it holds NUL bytes)", name);
	f->arch = normalize_arch(f->arch);
	f->configfile = find_config(f->release);
	*file = src_add(name, buf, len);
	s = parse_script(f, *file, NULL, incdirs, nincs);
	if (nerrors) {
		fprintf(stderr, "stap-fmt: %d error%s\n", nerrors,
		    nerrors == 1 ? "" : "s");
		exit(1);
	}
	return s;
}

int
main(int argc, char **argv)
{
	struct facts f;
	struct script *s;
	const char *path = NULL, *name, *outpath = NULL;
	const char *incdirs[64];
	int nincs = 0, i, file = -1, opts = 1, tree = 0;
	char *buf, *text;
	size_t len, n;
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
			incdirs[nincs++] = optarg_of(argc, argv, &i);
		} else if (a[1] == 'D') {
			f.defines[f.ndefines++] = (char *)optarg_of(argc, argv,
			    &i);
		} else if (a[1] == 'g' && !a[2]) {
			f.guru = 1;
		} else if (a[1] == 'o') {
			outpath = optarg_of(argc, argv, &i);
		} else {
			fprintf(stderr, "stap-fmt: unknown option '%s'\n", a);
			usage(stderr, 2);
		}
	}
	if (!path)
		path = "-";
	name = strcmp(path, "-") ? path : "<stdin>";

	buf = slurp(path, name, &len);
	if (len >= 4 && !memcmp(buf, "\177ELF", 4))
		fatal("%s: .bo listings are not supported yet", name);
	if (!strncmp(buf, "stap-events", 11))
		fatal("%s: event streams are not supported yet", name);
	/* stdin is a pipe from an earlier stage: a tree, or a failure */
	if (!strcmp(path, "-") || !strncmp(buf, "stap-tree ", 10))
		s = read_tree(buf, len, name);
	else
		s = read_script(&f, buf, len, name, incdirs, nincs, &file);
	free(buf);

	if (outpath && !(fo = fopen(outpath, "w")))
		fatal("open '%s':", outpath);
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
	outclose(fo);
	if (fo != stdout && fclose(fo))
		fatal("close '%s':", outpath);
	free(text);
	free(f.defines);
	return 0;
}
