/*
 * The listing of a .bo (man/stap-bo.5): the script, its maps and
 * globals, then each probe's program disassembled, the script line each
 * run of instructions came from quoted before it, as bpftool's "dump
 * xlated linum" does, then the printf formats.  Everything is printed in
 * file order, so the same object always lists the same.
 */
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "../lib/stap.h"
#include "../lib/bo.h"
#include "../lib/meta.h"
#include "fmt.h"

/* Script text as it is, unless it holds bytes that would break the line */
static void
text(FILE *out, const char *s)
{
	const char *p;

	for (p = s; *p; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f) {
			fputs(arena_quote(s, strlen(s)), out);
			return;
		}
	fputs(s, out);
}

static void
list_maps(FILE *out, const struct bofile *bo, const struct meta *m)
{
	const struct meta_array *a;
	const char *type;
	size_t i;
	int w = 4;

	for (i = 0; i < bo->nmaps; i++)
		if ((int)strlen(bo->maps[i].name) > w)
			w = (int)strlen(bo->maps[i].name);
	fprintf(out, "\nmaps:\n  %-*s  %-14s %5s %6s %8s\n", w, "name",
	    "type", "key", "value", "entries");
	for (i = 0; i < bo->nmaps; i++) {
		const struct bo_map *mp = &bo->maps[i];

		fprintf(out, "  %-*s  ", w, mp->name);
		if ((type = libbpf_bpf_map_type_str(mp->type)))
			fprintf(out, "%-14s", type);
		else
			fprintf(out, "type %-9u", mp->type);
		fprintf(out, " %5u %6u %8u", mp->key_size, mp->value_size,
		    mp->max_entries);
		if (mp->flags)
			fprintf(out, "  flags 0x%x", mp->flags);
		if ((a = meta_array(m, mp->name))) {
			const char *k;

			fprintf(out, "  global %s[", a->name);
			for (k = a->keytypes; *k; k++)
				fprintf(out, "%s%s", k == a->keytypes ? "" :
				    ", ", meta_typename(*k));
			fprintf(out, "] %s", meta_typename(a->valtype));
		}
		fputc('\n', out);
	}
}

/* The scalar globals: "global NAME OFFSET TYPE" records, which the
 * loader does not need and meta.c skips */
static void
list_globals(FILE *out, const struct bofile *bo)
{
	char name[128], type[16];
	size_t i, off;
	int n = 0;

	for (i = 0; i < bo->nlines; i++) {
		if (strncmp(bo->lines[i], "global ", 7) ||
		    sscanf(bo->lines[i], "global %127s %zu %15s", name, &off,
		    type) != 3)
			continue;
		if (!n++)
			fputs("\nglobals:\n", out);
		fprintf(out, "  %-16s %-7s stap_globals+%zu\n", name, type,
		    off);
	}
}

static void
list_formats(FILE *out, const struct meta *m)
{
	size_t i;

	if (m->nformats)
		fputs("\nformats:\n", out);
	for (i = 0; i < m->nformats; i++) {
		const struct meta_format *f = &m->formats[i];

		if (!f->fmt)
			continue;
		fprintf(out, "  %3zu ", i);
		fputs(arena_quote(f->fmt, strlen(f->fmt)), out);
		fprintf(out, " %s\n", *f->types ? f->types : "-");
	}
	if (m->nfmtstrs)
		fputs("\nsprintf formats:\n", out);
	for (i = 0; i < m->nfmtstrs; i++) {
		if (m->fmtstrs[i].len) {
			fprintf(out, "  stap_fmt+%zu %zu bytes of data\n",
			    m->fmtstrs[i].off, m->fmtstrs[i].len);
			continue;
		}
		fprintf(out, "  stap_fmt+%zu ", m->fmtstrs[i].off);
		fputs(arena_quote(m->fmtstrs[i].str,
		    strlen(m->fmtstrs[i].str)), out);
		fputc('\n', out);
	}
}

static void
probe_header(FILE *out, const struct bo_prog *p, const struct meta_probe *pr)
{
	char buf[512];

	if (!pr && p->section && !strcmp(p->section, ".text")) {
		fprintf(out, "\ncallback %s (in the kernel)\n", p->name);
		fprintf(out, "  code    %zu instructions in section .text\n",
		    p->ninsn);
		return;
	}
	fprintf(out, "\nprobe %s (%s, %s)\n", p->name,
	    pr ? meta_kindname(pr->kind) : "no probe record",
	    p->kernel ? "in the kernel" : "run by stap-bpfld");
	if (pr) {
		fputs("  point   ", out);
		text(out, pr->point);
		fputc('\n', out);
		if (pr->tpgroup && pr->tpargs)
			fprintf(out, "  attach  tp_btf (or raw_tp) %s:%s, on "
			    "its C arguments\n", pr->tpgroup, pr->tpname);
		else if (pr->tpgroup)
			fprintf(out, "  attach  tracepoint %s:%s\n",
			    pr->tpgroup, pr->tpname);
		else if (pr->kind == PK_TIMER)
			fprintf(out, "  attach  perf cpu-clock every %llu ns\n",
			    (unsigned long long)pr->period);
		else if (pr->kind == PK_BEGIN || pr->kind == PK_END)
			fprintf(out, "  attach  %s, priority %ld\n",
			    meta_kindname(pr->kind), pr->prio);
		fprintf(out, "  script  %s\n", meta_locstr(pr->loc, buf,
		    sizeof buf));
	}
	fprintf(out, "  code    %zu instructions in section %s\n", p->ninsn,
	    p->section);
}

/* "; FILE:LINE: text", the line's leading blanks dropped */
static void
quote_line(FILE *out, struct loc l)
{
	struct srcfile *f = src_get(l.file);
	const char *s;
	size_t n = 0;

	fprintf(out, "; %s:%d:", f ? f->name : "?", l.line);
	s = f ? src_line(l.file, l.line, &n) : NULL;
	while (s && n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (s && n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	if (s && n) {
		fputc(' ', out);
		fwrite(s, 1, n, out);
	}
	fputc('\n', out);
}

static int
byinsn(const void *a, const void *b)
{
	const struct meta_line *x = *(struct meta_line *const *)a;
	const struct meta_line *y = *(struct meta_line *const *)b;

	if (x->insn != y->insn)
		return x->insn < y->insn ? -1 : 1;
	return x < y ? -1 : x > y;	/* stable: record order */
}

/*
 * Quote the line records that start at or before insn, skipping a line
 * just quoted (a statement's parts share it).  Records past the end are
 * quoted at the end, so every record shows.
 */
static void
quote_upto(FILE *out, struct meta_line **ls, size_t n, size_t *next,
    size_t insn, struct loc *last)
{
	for (; *next < n && ls[*next]->insn <= insn; ++*next) {
		struct loc l = ls[*next]->loc;

		if (l.file == last->file && l.line == last->line)
			continue;
		quote_line(out, l);
		*last = l;
	}
}

/* p's line records are ls[0..nl), in record order */
static void
list_prog(FILE *out, const struct bofile *bo, const struct meta *m,
    const struct bo_prog *p, struct meta_line **ls, size_t nl)
{
	struct loc last = { -2, 0, 0 };
	size_t i, next = 0, r = 0;
	const char *map;

	probe_header(out, p, meta_probe(m, p->name));
	if (nl)
		qsort(ls, nl, sizeof *ls, byinsn);
	for (i = 0; i < p->ninsn;) {
		quote_upto(out, ls, nl, &next, i, &last);
		while (r < p->nreloc && p->relocs[r].insn < i)
			r++;
		map = NULL;
		if (r < p->nreloc && p->relocs[r].insn == i &&
		    p->relocs[r].map >= 0 &&
		    (size_t)p->relocs[r].map < bo->nmaps)
			map = bo->maps[p->relocs[r].map].name;
		else if (r < p->nreloc && p->relocs[r].insn == i &&
		    p->relocs[r].func >= 0 &&
		    (size_t)p->relocs[r].func < bo->nprogs)
			map = bo->progs[p->relocs[r].func].name;
		fprintf(out, "%5zu: (%02x) ", i, p->insns[i].code);
		i += disasm_insn(out, &p->insns[i], p->ninsn - i, map);
		fputc('\n', out);
	}
	quote_upto(out, ls, nl, &next, (size_t)-1, &last);
}

/*
 * The line records program by program, each program's in record order
 * (a counting sort): a scan of every record for every program would
 * be quadratic.  Program i's are num[i] from start[i].
 */
static struct meta_line **
lines_by_prog(const struct bofile *bo, const struct meta *m, size_t *start,
    size_t *num)
{
	struct meta_line **ls = emalloc((m->nlines + 1) * sizeof *ls);
	struct hash idx = { 0 };
	size_t i, *at = emalloc((bo->nprogs + 1) * sizeof *at);
	long k;

	for (i = 0; i < bo->nprogs; i++)
		hash_add(&idx, bo->progs[i].name, (long)i);
	memset(start, 0, (bo->nprogs + 1) * sizeof *start);
	for (i = 0; i < m->nlines; i++)
		if ((k = hash_get(&idx, m->lines[i].prog)) >= 0)
			start[k + 1]++;
	for (i = 0; i < bo->nprogs; i++)
		start[i + 1] += start[i];
	memcpy(at, start, (bo->nprogs + 1) * sizeof *at);
	for (i = 0; i < m->nlines; i++)
		if ((k = hash_get(&idx, m->lines[i].prog)) >= 0)
			ls[at[k]++] = &m->lines[i];
	/* two programs of one name: both get its records, as before */
	for (i = 0; i < bo->nprogs; i++) {
		k = hash_get(&idx, bo->progs[i].name);
		num[i] = start[k + 1] - start[k];
		at[i] = start[k];
	}
	memcpy(start, at, bo->nprogs * sizeof *start);
	free(at);
	return ls;
}

void
list_bo(FILE *out, const void *data, size_t len, const char *name)
{
	struct bofile *bo;
	struct meta m;
	struct meta_line **ls;
	char err[256];
	size_t i, *start, *num;

	if (!(bo = bo_openmem(data, len, name, err, sizeof err)))
		fatal("%s", err);
	meta_init(&m);
	if (meta_feed(&m, "stap-bo 1", "stap-bo") < 0)
		bug("%s", m.err);
	for (i = 0; i < bo->nlines; i++)
		if (meta_feed(&m, bo->lines[i], "stap-bo") < 0)
			fatal("'%s': .stap %s", name, m.err);
	fputs("script  ", out);
	text(out, m.script ? m.script : "-");
	fputs("\nlicense ", out);
	text(out, bo->license ? bo->license : "-");
	fputc('\n', out);
	list_maps(out, bo, &m);
	list_globals(out, bo);
	start = emalloc((bo->nprogs + 1) * sizeof *start);
	num = emalloc((bo->nprogs + 1) * sizeof *num);
	ls = lines_by_prog(bo, &m, start, num);
	for (i = 0; i < bo->nprogs; i++)
		list_prog(out, bo, &m, &bo->progs[i], ls + start[i], num[i]);
	free(ls);
	free(start);
	free(num);
	list_formats(out, &m);
	meta_free(&m);
	bo_close(bo);
}
