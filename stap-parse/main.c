/*
 * stap-parse: a SystemTap script to a parsed stap-tree.
 *
 *     stap-parse [options] (FILE | - | -e SCRIPT) [ARG...]
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/stap.h"

static void
usage(FILE *f, int status)
{
	fputs("usage: stap-parse [options] (FILE | - | -e SCRIPT) [ARG...]\n"
	    "  -e SCRIPT        parse SCRIPT instead of a file\n"
	    "  -I DIR           look for macro libraries (*.stpm) in DIR\n"
	    "  -D NAME=VALUE    define NAME for later stages and for CONFIG_ "
	    "conditions\n"
	    "  -g               guru mode: allow embedded C code\n"
	    "  -r RELEASE       compile for kernel RELEASE (default: running)\n"
	    "  -a ARCH          compile for architecture ARCH\n"
	    "  --compatible V   accept the language of SystemTap version V\n"
	    "  -o FILE          write the tree to FILE instead of stdout\n"
	    "  --help, --version\n", f);
	exit(status);
}


int
main(int argc, char **argv)
{
	struct facts f;
	struct script *s;
	const char *script = NULL, *inline_text = NULL, *out = NULL;
	const char *compatible = NULL;
	const char *incdirs[64];
	int nincs = 1, i, file, running = 1;
	FILE *fo = stdout;

	argv0 = "stap-parse";
	facts_default(&f);
	incdirs[0] = tapset_dir();      /* its *.stpm, as stap's */
	f.defines = arena_alloc(sizeof *f.defines * (argc + 1));
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help"))
			usage(stdout, 0);
		if (!strcmp(a, "--version")) {
			printf("stap-parse %s\n", VERSION);
			return 0;
		}
		if (!strcmp(a, "--compatible")) {
			if (++i >= argc)
				usage(stderr, 2);
			compatible = argv[i];
		} else if (!strncmp(a, "--compatible=", 13)) {
			compatible = a + 13;
		} else if (!strcmp(a, "--")) {
			i++;
			break;
		} else if (a[0] != '-' || !strcmp(a, "-")) {
			break;
		} else if (a[1] == 'e') {
			inline_text = opt_value(argc, argv, &i, usage);
		} else if (a[1] == 'I') {
			if (nincs == (int)NELEM(incdirs))
				fatal("too many -I options");
			incdirs[nincs++] = opt_value(argc, argv, &i, usage);
		} else if (a[1] == 'D') {
			const char *d = opt_value(argc, argv, &i, usage);

			f.defines[f.ndefines++] = (char *)d;
		} else if (a[1] == 'g' && !a[2]) {
			f.guru = 1;
		} else if (a[1] == 'r') {
			f.release = opt_value(argc, argv, &i, usage);
			running = 0;
		} else if (a[1] == 'a') {
			f.arch = opt_value(argc, argv, &i, usage);
		} else if (a[1] == 'o') {
			out = opt_value(argc, argv, &i, usage);
		} else {
			fprintf(stderr, "stap-parse: unknown option '%s'\n", a);
			usage(stderr, 2);
		}
	}
	if (!inline_text) {
		if (i >= argc) {
			fprintf(stderr, "stap-parse: no script: give a file, "
			    "'-' or -e SCRIPT\n");
			usage(stderr, 2);
		}
		script = argv[i++];
	}
	f.args = argv + i;
	f.nargs = argc - i;
	if (compatible)
		f.stap_version = compatible;
	facts_finish(&f, running);

	if (inline_text)
		file = src_add("<input>", inline_text, strlen(inline_text));
	else
		file = src_read(script);
	s = parse_script(&f, file, compatible, incdirs, nincs);
	s->tool = "stap-parse " VERSION;
	if (nerrors) {
		fprintf(stderr, "stap-parse: %d error%s\n", nerrors,
		    nerrors == 1 ? "" : "s");
		return 1;
	}
	if (out)
		fo = outopen(out);
	tree_write(fo, s);
	outclose(fo);
	return 0;
}
