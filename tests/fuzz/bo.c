/*
 * libFuzzer target for the .bo reader that stap-bpfld and stap-fmt
 * use: any bytes as an object; whatever is accepted is walked in full,
 * so a bad count or pointer shows up here rather than in the loader.
 * Seeds: objects written by tests/bo/botest (BOTEST_KEEP=1 keeps one).
 *
 *	clang -std=c11 -D_POSIX_C_SOURCE=200809L -g -O1 -DSAN \
 *	    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
 *	    -Ilib $(pkg-config --cflags libbpf libelf) -o build-fuzz/fuzz-bo \
 *	    tests/fuzz/bo.c lib/bo.c lib/arena.c lib/diag.c \
 *	    $(pkg-config --libs libbpf libelf)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "../../lib/stap.h"
#include "../../lib/bo.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static jmp_buf back;

static void
comeback(void)
{
	longjmp(back, 1);
}

static int
quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

static size_t
walk(const struct bofile *f)
{
	size_t i, j, sum = 0;

	for (i = 0; i < f->nlines; i++)
		sum += strlen(f->lines[i]);
	for (i = 0; i < f->nmaps; i++)
		sum += strlen(f->maps[i].name) + f->maps[i].key_size;
	for (i = 0; i < f->nprogs; i++) {
		const struct bo_prog *p = &f->progs[i];

		sum += strlen(p->name) + strlen(p->section);
		for (j = 0; j < p->ninsn; j++)
			sum += p->insns[j].code;
		for (j = 0; j < p->nreloc; j++) {
			if (p->relocs[j].insn + 1 >= p->ninsn ||
			    p->relocs[j].map < 0 ||
			    (size_t)p->relocs[j].map >= f->nmaps)
				abort();
			sum += strlen(f->maps[p->relocs[j].map].name);
		}
	}
	if (f->license)
		sum += strlen(f->license);
	return sum;
}

/* what walk() read, kept so the compiler cannot drop the reads */
static volatile size_t sink;

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct bofile *f;
	char err[256];

	fatal_hook = comeback;
	libbpf_set_print(quiet);
	if (setjmp(back) != 0)
		return 0;
	err[0] = 0;
	f = bo_openmem(data, size, "fuzz.bo", err, sizeof(err));
	if (f) {
		sink = walk(f);
		bo_close(f);
	} else if (!err[0] || strchr(err, '\n')) {
		abort();	/* every refusal says why, in one line */
	}
	return 0;
}
