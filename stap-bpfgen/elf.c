/*
 * The .bo writer: an ELF64 relocatable object for EM_BPF, in the host
 * byte order, written by hand so stap-bpfgen needs no libelf.
 *
 * bo_write lays the object out in a fixed order, which is what makes
 * the output depend on the calls alone:
 *
 *	0	the null section
 *	...	kernel program sections, each followed by its .rel section
 *	...	.stap.progs, every userspace program, and its .rel section
 *	.maps, then .data.NAME for each global-data map
 *	.BTF .BTF.ext license .stap .symtab .strtab
 *
 * Programs that name the same section are concatenated there in the
 * order given, each found by its STT_FUNC symbol (value = byte offset,
 * size = byte length); libbpf treats every such symbol as a program.
 * One section per name matters because .BTF.ext refers to sections by
 * name.
 *
 * Subprograms (the callbacks of bpf_loop and bpf_for_each_map_elem) are
 * static functions in ".text", where libbpf looks for them; a program
 * takes one's address with a 64-bit load (src_reg BPF_PSEUDO_FUNC)
 * relocated against the section symbol of .text, its immediate the
 * byte offset of the subprogram there, as clang writes it.  libbpf
 * appends each subprogram a program uses to that program at load time.
 *
 * A global-data map (bo_data) is what libbpf makes of a section named
 * .data.NAME: an ARRAY of one entry whose value is the section, which
 * programs address directly (a 64-bit load with src_reg
 * BPF_PSEUDO_MAP_VALUE and the offset as immediate, relocated against
 * the global object NAME at 0 in it), no lookup.  Its BTF is a VAR NAME
 * of u8[size] in a DATASEC of the section's name, so libbpf makes the
 * map mmapable.
 *
 * Symbols: the null symbol; the local ones (the section symbol of .text
 * and its functions); then every program in section order and every
 * map, global (libbpf refuses static programs outside .text).
 */
#include <elf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/btf.h>

#include "../lib/stap.h"
#include "bo.h"

/* One section for all userspace programs: a section each ran a big
 * script out of ELF section numbers (65279) */
#define USERSEC ".stap.progs"

struct bomap {
	char *name;
	int type;
	unsigned key_size, value_size, max_entries, flags;
	unsigned off, size;     /* in .maps */
	int sym;
	int data;               /* a global-data map, section .data.NAME */
	int shidx;              /* and that section's index */
};

struct borel {
	size_t insn;
	int map;                /* -1: the address of subprogram func */
	int func;
};

struct boline {
	size_t insn, seq;       /* seq: call order, to break ties */
	char *file, *text;
	unsigned line, col;
};

struct bocore {
	size_t insn;
	const char *spec;
	int kind;               /* enum bpf_core_relo_kind */
	int type;               /* its root's local BTF id (core.c) */
	char *access;           /* and the access string */
};

struct boprog {
	char *name;
	int kernel;
	int sec;                /* index into bo->secs */
	struct bpf_insn *insns;
	size_t n;
	size_t off;             /* byte offset in its section */
	struct borel *rels;
	size_t nrel, caprel;
	struct boline *lines;
	size_t nline, capline;
	struct bocore *cores;   /* CO-RE relocations, by insn */
	size_t ncore, capcore;
	int func;               /* BTF id of its FUNC */
	int sub;                /* a subprogram, in .text */
};

/* One program section and, in bo_write, where it lands */
struct bosec {
	char *name;
	int kernel;
	size_t size;            /* bytes of instructions */
	int idx, relidx;        /* ELF section indices; relidx 0: none */
	int hasrel;             /* some program in it has relocations */
};

struct bo {
	struct bomap *maps;
	size_t nmaps, capmaps;
	struct boprog *progs;
	size_t nprogs, capprogs;
	struct bosec *secs;
	size_t nsecs, capsecs;
	char **meta;
	size_t nmeta, capmeta;
	char *license;
	/* by name, so a big script is not quadratic in programs */
	struct hash mapidx, progidx, secidx;
	size_t *bysec;          /* program indices, section by section */
};

struct bo *
bo_new(void)
{
	struct bo *bo = emalloc(sizeof(*bo));

	memset(bo, 0, sizeof(*bo));
	bo->license = estrdup("GPL");
	return bo;
}

void
bo_free(struct bo *bo)
{
	size_t i, j;

	if (!bo)
		return;
	for (i = 0; i < bo->nmaps; i++)
		free(bo->maps[i].name);
	for (i = 0; i < bo->nprogs; i++) {
		struct boprog *p = &bo->progs[i];

		for (j = 0; j < p->nline; j++) {
			free(p->lines[j].file);
			free(p->lines[j].text);
		}
		free(p->name);
		free(p->insns);
		free(p->rels);
		free(p->lines);
		for (j = 0; j < p->ncore; j++)
			free(p->cores[j].access);
		free(p->cores);
	}
	for (i = 0; i < bo->nsecs; i++)
		free(bo->secs[i].name);
	for (i = 0; i < bo->nmeta; i++)
		free(bo->meta[i]);
	free(bo->maps);
	free(bo->progs);
	free(bo->secs);
	free(bo->meta);
	free(bo->bysec);
	free(bo->license);
	free(bo);
}

int
bo_map(struct bo *bo, const char *name, int type, unsigned key_size,
    unsigned value_size, unsigned max_entries, unsigned flags)
{
	struct bomap *m;

	bo->maps = vgrow(bo->maps, &bo->capmaps, bo->nmaps + 1,
	    sizeof(*bo->maps));
	m = &bo->maps[bo->nmaps];
	memset(m, 0, sizeof(*m));
	m->name = estrdup(name);
	if (hash_add(&bo->mapidx, m->name, (long)bo->nmaps) >= 0)
		bug("bo: map '%s' defined twice", name);
	m->type = type;
	m->key_size = key_size;
	m->value_size = value_size;
	m->max_entries = max_entries;
	m->flags = flags;
	return bo->nmaps++;
}

static int
section(struct bo *bo, const char *name, int kernel)
{
	long i = hash_get(&bo->secidx, name);

	if (i >= 0)
		return (int)i;
	bo->secs = vgrow(bo->secs, &bo->capsecs, bo->nsecs + 1,
	    sizeof(*bo->secs));
	memset(&bo->secs[bo->nsecs], 0, sizeof(*bo->secs));
	bo->secs[bo->nsecs].name = estrdup(name);
	bo->secs[bo->nsecs].kernel = kernel;
	hash_add(&bo->secidx, bo->secs[bo->nsecs].name, (long)bo->nsecs);
	return bo->nsecs++;
}

int
bo_prog(struct bo *bo, const char *name, const char *sec, int kernel,
    const struct bpf_insn *insns, size_t n)
{
	struct boprog *p;

	if (n == 0)
		bug("bo: program '%s' is empty", name);
	if (hash_get(&bo->progidx, name) >= 0)
		bug("bo: program '%s' defined twice", name);
	if (!kernel) {
		sec = USERSEC;
	} else if (!sec || (strncmp(sec, ".stap", 5) == 0 ||
	    (*sec == '.' && strcmp(sec, ".text"))) || !*sec) {
		bug("bo: kernel program '%s' needs a libbpf section name",
		    name);
	}
	bo->progs = vgrow(bo->progs, &bo->capprogs, bo->nprogs + 1,
	    sizeof(*bo->progs));
	p = &bo->progs[bo->nprogs];
	memset(p, 0, sizeof(*p));
	p->name = estrdup(name);
	hash_add(&bo->progidx, p->name, (long)bo->nprogs);
	p->kernel = kernel;
	p->sub = kernel && strcmp(sec, ".text") == 0;
	p->sec = section(bo, sec, kernel);
	if (bo->secs[p->sec].kernel != kernel)
		bug("bo: section '%s' holds kernel and userspace programs",
		    sec);
	p->insns = emalloc(n * sizeof(*insns));
	memcpy(p->insns, insns, n * sizeof(*insns));
	p->n = n;
	return bo->nprogs++;
}

int
bo_data(struct bo *bo, const char *name, unsigned size)
{
	int m = bo_map(bo, name, BPF_MAP_TYPE_ARRAY, 4, size, 1, 0);

	if (!size)
		bug("bo: global-data map '%s' of no size", name);
	bo->maps[m].data = 1;
	return m;
}

void
bo_reloc(struct bo *bo, int prog, size_t insn, int map)
{
	struct boprog *p;

	if (prog < 0 || (size_t)prog >= bo->nprogs || map < 0 ||
	    (size_t)map >= bo->nmaps)
		bug("bo: relocation of program %d against map %d", prog, map);
	p = &bo->progs[prog];
	if (insn + 1 >= p->n || p->insns[insn].code != (BPF_LD | BPF_IMM |
	    BPF_DW))
		bug("bo: relocation at insn %zu of '%s' is no 64-bit load",
		    insn, p->name);
	if ((p->insns[insn].src_reg == BPF_PSEUDO_MAP_VALUE) !=
	    bo->maps[map].data)
		bug("bo: insn %zu of '%s' loads map '%s' the wrong way",
		    insn, p->name, bo->maps[map].name);
	p->rels = vgrow(p->rels, &p->caprel, p->nrel + 1, sizeof(*p->rels));
	p->rels[p->nrel].insn = insn;
	p->rels[p->nrel].map = map;
	p->rels[p->nrel].func = -1;
	p->nrel++;
}

void
bo_core(struct bo *bo, int prog, size_t insn, const char *spec, int kind)
{
	struct boprog *p;

	if (prog < 0 || (size_t)prog >= bo->nprogs || !bo->progs[prog].kernel)
		bug("bo: CO-RE relocation in program %d", prog);
	p = &bo->progs[prog];
	if (!spec || insn >= p->n || BPF_CLASS(p->insns[insn].code) !=
	    BPF_ALU64 || BPF_SRC(p->insns[insn].code) != BPF_K)
		bug("bo: CO-RE relocation at insn %zu of '%s' is no ALU "
		    "instruction", insn, p->name);
	p->cores = vgrow(p->cores, &p->capcore, p->ncore + 1,
	    sizeof(*p->cores));
	p->cores[p->ncore].insn = insn;
	p->cores[p->ncore].kind = kind;
	p->cores[p->ncore++].spec = spec;
}

void
bo_funcreloc(struct bo *bo, int prog, size_t insn, int func)
{
	struct boprog *p;

	if (prog < 0 || (size_t)prog >= bo->nprogs || func < 0 ||
	    (size_t)func >= bo->nprogs || !bo->progs[func].sub ||
	    !bo->progs[prog].kernel)
		bug("bo: address of program %d taken in program %d", func,
		    prog);
	p = &bo->progs[prog];
	if (insn + 1 >= p->n || p->insns[insn].code != (BPF_LD | BPF_IMM |
	    BPF_DW) || p->insns[insn].src_reg != BPF_PSEUDO_FUNC)
		bug("bo: function relocation at insn %zu of '%s' is no "
		    "64-bit load of a function", insn, p->name);
	p->rels = vgrow(p->rels, &p->caprel, p->nrel + 1, sizeof(*p->rels));
	p->rels[p->nrel].insn = insn;
	p->rels[p->nrel].map = -1;
	p->rels[p->nrel].func = func;
	p->nrel++;
}

void
bo_line(struct bo *bo, int prog, size_t insn, const char *file,
    const char *text, unsigned line, unsigned col)
{
	struct boprog *p;
	struct boline *l;

	if (prog < 0 || (size_t)prog >= bo->nprogs)
		bug("bo: line info for program %d", prog);
	p = &bo->progs[prog];
	if (insn >= p->n)
		bug("bo: line info past the end of '%s'", p->name);
	if (!p->kernel)		/* .stap's line table serves those */
		return;
	p->lines = vgrow(p->lines, &p->capline, p->nline + 1,
	    sizeof(*p->lines));
	l = &p->lines[p->nline];
	l->seq = p->nline++;
	l->insn = insn;
	l->file = estrdup(file ? file : "");
	l->text = estrdup(text ? text : "");
	l->line = line;
	l->col = col;
}

void
bo_meta(struct bo *bo, const char *line)
{
	if (strchr(line, '\n'))
		bug("bo: .stap record with a newline: %s", line);
	bo->meta = vgrow(bo->meta, &bo->capmeta, bo->nmeta + 1,
	    sizeof(*bo->meta));
	bo->meta[bo->nmeta++] = estrdup(line);
}

void
bo_license(struct bo *bo, const char *license)
{
	free(bo->license);
	bo->license = estrdup(license);
}

/* Both tables sort by instruction; qsort is not stable, so ties are
 * broken by map, or by call order */
static int
relcmp(const void *a, const void *b)
{
	const struct borel *x = a, *y = b;

	if (x->insn != y->insn)
		return x->insn < y->insn ? -1 : 1;
	return x->map != y->map ? x->map - y->map : x->func - y->func;
}

static int
linecmp(const void *a, const void *b)
{
	const struct boline *x = a, *y = b;

	if (x->insn != y->insn)
		return x->insn < y->insn ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/*
 * The kernel wants line records in strictly increasing order, the first
 * at instruction 0, none on the second half of a 64-bit load.  Keep the
 * first record given for an instruction, and pull the first record
 * back to 0 if the generator started later (the prologue belongs to
 * the probe's first statement).
 */
static void
tidylines(struct boprog *p)
{
	size_t i, n = 0;

	if (p->nline)
		qsort(p->lines, p->nline, sizeof(*p->lines), linecmp);
	for (i = 0; i < p->nline; i++) {
		struct boline *l = &p->lines[i];
		int second = l->insn > 0 && p->insns[l->insn - 1].code ==
		    (BPF_LD | BPF_IMM | BPF_DW);

		if ((n && p->lines[n - 1].insn == l->insn) || second) {
			free(l->file);
			free(l->text);
			continue;
		}
		p->lines[n++] = *l;
	}
	p->nline = n;
	if (n)
		p->lines[0].insn = 0;
}

/*
 * libbpf warns about a program without line records when others have
 * them; such a program gets one empty record (file "", line 0).
 */
static void
fillines(struct bo *bo)
{
	size_t i, any = 0;

	for (i = 0; i < bo->nprogs; i++)
		any += bo->progs[i].kernel && bo->progs[i].nline;
	for (i = 0; any && i < bo->nprogs; i++)
		if (bo->progs[i].kernel && !bo->progs[i].nline)
			bo_line(bo, i, 0, "", "", 0, 0);
}

/*
 * Map definitions the way libbpf parses them: an anonymous struct whose
 * members are pointers to arrays, the array length being the value
 * ("int (*type)[BPF_MAP_TYPE_HASH]" in C), and a global VAR of it.
 */
struct field {
	const char *name;
	unsigned val;
	int always;
};

/* Each value's pointer type once: maps mostly share their numbers */
struct vals {
	unsigned *val;
	int *ptr;
	size_t n, cap, cap2;
};

static int
valptr(struct btfw *b, struct vals *v, int intid, int idx, unsigned val)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (v->val[i] == val)
			return v->ptr[i];
	v->val = vgrow(v->val, &v->cap, v->n + 1, sizeof(*v->val));
	v->ptr = vgrow(v->ptr, &v->cap2, v->n + 1, sizeof(*v->ptr));
	v->val[v->n] = val;
	v->ptr[v->n] = btfw_ptr(b, btfw_array(b, intid, idx, val));
	return v->ptr[v->n++];
}

static int
btfmaps(struct bo *bo, struct btfw *b)
{
	struct vals v;
	int intid, idx, st, *vars, u8 = 0;
	unsigned off = 0;
	size_t i, j, k, n, nm = 0;

	memset(&v, 0, sizeof(v));
	intid = btfw_int(b, "int", 4, 1);
	idx = btfw_int(b, "__ARRAY_SIZE_TYPE__", 4, 0);
	vars = emalloc((bo->nmaps + 1) * sizeof(*vars));
	for (i = 0; i < bo->nmaps; i++) {
		struct bomap *m = &bo->maps[i];
		struct field f[] = {
			{ "type", (unsigned)m->type, 1 },
			{ "max_entries", m->max_entries, 1 },
			{ "key_size", m->key_size, 0 },
			{ "value_size", m->value_size, 0 },
			{ "map_flags", m->flags, 0 },
		};
		int ptr[NELEM(f)];

		if (m->data)
			continue;
		nm++;
		for (j = n = 0; j < NELEM(f); j++) {
			if (!f[j].val && !f[j].always)
				continue;
			ptr[n] = valptr(b, &v, intid, idx, f[j].val);
			f[n++] = f[j];
		}
		st = btfw_struct(b, NULL, n * 8, n);
		for (k = 0; k < n; k++)
			btfw_member(b, f[k].name, ptr[k], k * 64);
		vars[i] = btfw_var(b, m->name, st, BTF_VAR_GLOBAL_ALLOCATED);
		m->off = off;
		m->size = n * 8;
		off += m->size;
	}
	if (nm) {
		btfw_datasec(b, ".maps", off, nm);
		for (i = 0; i < bo->nmaps; i++)
			if (!bo->maps[i].data)
				btfw_secvar(b, vars[i], bo->maps[i].off,
				    bo->maps[i].size);
	}
	for (i = 0; i < bo->nmaps; i++) {
		struct bomap *m = &bo->maps[i];
		char *sec;

		if (!m->data)
			continue;
		if (!u8)
			u8 = btfw_int(b, "unsigned char", 1, 0);
		vars[i] = btfw_var(b, m->name, btfw_array(b, u8, idx,
		    m->value_size), BTF_VAR_GLOBAL_ALLOCATED);
		sec = emalloc(strlen(m->name) + 7);
		strcpy(sec, ".data.");
		strcat(sec, m->name);
		btfw_datasec(b, sec, m->value_size, 1);
		btfw_secvar(b, vars[i], 0, m->value_size);
		free(sec);
	}
	free(vars);
	free(v.val);
	free(v.ptr);
	return intid;
}

/* The local types every CO-RE relocation names (core.c) */
static void
coretypes(struct bo *bo, struct btfw *b)
{
	const char **specs = NULL;
	int *type;
	char **access;
	size_t cap = 0, n = 0, i, k;

	for (i = 0; i < bo->nprogs; i++)
		for (k = 0; k < bo->progs[i].ncore; k++) {
			specs = vgrow(specs, &cap, n + 1, sizeof(*specs));
			specs[n++] = bo->progs[i].cores[k].spec;
		}
	if (!n)
		return;
	type = emalloc(n * sizeof(*type));
	access = emalloc(n * sizeof(*access));
	core_types(b, specs, n, type, access);
	for (i = n = 0; i < bo->nprogs; i++)
		for (k = 0; k < bo->progs[i].ncore; k++, n++) {
			bo->progs[i].cores[k].type = type[n];
			bo->progs[i].cores[k].access = access[n];
		}
	free(specs);
	free(type);
	free(access);
}

/*
 * Every kernel program is "int NAME(void *ctx)" to BTF, every
 * subprogram "static long NAME(void *, void *, void *, void *)": the
 * verifier holds callbacks to the helper's signature, not to this.
 */
static void
btfprogs(struct bo *bo, struct btfw *b, int intid)
{
	static const char *const args[] = { "a", "b", "c", "d" };
	int proto = 0, subproto = 0, ptr = 0;
	size_t i, j, k;

	for (i = 0; i < bo->nprogs; i++) {
		struct boprog *p = &bo->progs[i];

		if (!p->kernel)
			continue;
		if (!ptr)
			ptr = btfw_ptr(b, 0);
		if (p->sub && !subproto) {
			subproto = btfw_proto(b, btfw_int(b, "long", 8, 1),
			    NELEM(args));
			for (j = 0; j < NELEM(args); j++)
				btfw_param(b, args[j], ptr);
		} else if (!p->sub && !proto) {
			proto = btfw_proto(b, intid, 1);
			btfw_param(b, "ctx", ptr);
		}
		p->func = btfw_func(b, p->name, p->sub ? subproto : proto,
		    p->sub ? BTF_FUNC_STATIC : BTF_FUNC_GLOBAL);
	}
	coretypes(bo, b);
	for (i = j = 0; i < bo->nsecs; i++) {
		if (bo->secs[i].kernel)
			btfw_extsec(b, bo->secs[i].name);
		for (; j < bo->nprogs && bo->progs[bo->bysec[j]].sec == (int)i;
		    j++) {
			struct boprog *p = &bo->progs[bo->bysec[j]];

			if (!bo->secs[i].kernel)
				continue;
			btfw_funcinfo(b, p->off, p->func);
			for (k = 0; k < p->nline; k++)
				btfw_lineinfo(b, p->off + p->lines[k].insn * 8,
				    p->lines[k].file, p->lines[k].text,
				    p->lines[k].line, p->lines[k].col);
			for (k = 0; k < p->ncore; k++)
				btfw_corerelo(b, p->off + p->cores[k].insn * 8,
				    p->cores[k].type, p->cores[k].access,
				    p->cores[k].kind);
		}
	}
}

/* The sections of the file, in order, and their contents */
struct out {
	Elf64_Shdr sh;
	struct buf data;
};

struct layout {
	struct out *o;
	size_t n, cap;
	struct buf strtab;
};

static unsigned
name(struct layout *l, const char *s)
{
	unsigned off = l->strtab.n;

	buf_put(&l->strtab, s, strlen(s) + 1);
	return off;
}

static int
add(struct layout *l, const char *nm, unsigned type, unsigned flags,
    unsigned align, unsigned entsize)
{
	struct out *o;

	l->o = vgrow(l->o, &l->cap, l->n + 1, sizeof(*l->o));
	o = &l->o[l->n];
	memset(o, 0, sizeof(*o));
	o->sh.sh_name = nm ? name(l, nm) : 0;
	o->sh.sh_type = type;
	o->sh.sh_flags = flags;
	o->sh.sh_addralign = align;
	o->sh.sh_entsize = entsize;
	return l->n++;
}

/* Program sections of one kind, each followed by its relocations */
static void
progsecs(struct bo *bo, struct layout *l, int kernel)
{
	size_t i;

	for (i = 0; i < bo->nsecs; i++) {
		struct bosec *s = &bo->secs[i];

		if (s->kernel != kernel)
			continue;
		s->idx = add(l, s->name, SHT_PROGBITS, kernel ?
		    SHF_ALLOC | SHF_EXECINSTR : 0, 8, 0);
		if (s->hasrel) {
			char *rn = emalloc(strlen(s->name) + 5);

			strcpy(rn, ".rel");
			strcat(rn, s->name);
			s->relidx = add(l, rn, SHT_REL, 0, 8,
			    sizeof(Elf64_Rel));
			l->o[s->relidx].sh.sh_info = s->idx;
			free(rn);
		}
	}
}

/* The section symbol of .text is the first after the null symbol */
#define TEXTSYM 1

static void
fillprogs(struct bo *bo, struct layout *l, int symtab)
{
	size_t i;

	for (i = 0; i < bo->nprogs; i++) {
		struct boprog *p = &bo->progs[i];
		struct bosec *s = &bo->secs[p->sec];
		size_t j;

		/* a subprogram's address: its byte offset in .text */
		for (j = 0; j < p->nrel; j++)
			if (p->rels[j].map < 0)
				p->insns[p->rels[j].insn].imm =
				    (int32_t)bo->progs[p->rels[j].func].off;
		buf_put(&l->o[s->idx].data, p->insns, p->n * sizeof(*p->insns));
		if (!s->relidx)
			continue;
		l->o[s->relidx].sh.sh_link = symtab;
		for (j = 0; j < p->nrel; j++) {
			Elf64_Rel r;

			r.r_offset = p->off + p->rels[j].insn * 8;
			r.r_info = ELF64_R_INFO(p->rels[j].map >= 0 ?
			    bo->maps[p->rels[j].map].sym : TEXTSYM,
			    R_BPF_64_64);
			buf_put(&l->o[s->relidx].data, &r, sizeof(r));
		}
	}
}

/* Returns the index of the first global symbol */
static size_t
symbols(struct bo *bo, struct layout *l, struct buf *sym, int maps)
{
	Elf64_Sym s;
	size_t i, j, n = 1, first;
	int pass;

	memset(&s, 0, sizeof(s));
	buf_put(sym, &s, sizeof(s));
	for (i = 0; i < bo->nsecs; i++)
		if (!strcmp(bo->secs[i].name, ".text") && bo->secs[i].kernel) {
			s.st_info = ELF64_ST_INFO(STB_LOCAL, STT_SECTION);
			s.st_shndx = bo->secs[i].idx;
			buf_put(sym, &s, sizeof(s));
			if (n++ != TEXTSYM)
				bug("bo: the section symbol of .text");
		}
	first = n;
	for (pass = 0; pass < 2; pass++)
		for (j = 0; j < bo->nprogs; j++) {
			struct boprog *p = &bo->progs[bo->bysec[j]];

			i = p->sec;
			if (p->sub != !pass)
				continue;
			s.st_name = name(l, p->name);
			s.st_info = ELF64_ST_INFO(p->sub ? STB_LOCAL :
			    STB_GLOBAL, STT_FUNC);
			s.st_shndx = bo->secs[i].idx;
			s.st_value = p->off;
			s.st_size = p->n * sizeof(*p->insns);
			buf_put(sym, &s, sizeof(s));
			n++;
			if (p->sub)
				first = n;
		}
	for (i = 0; i < bo->nmaps; i++) {
		struct bomap *m = &bo->maps[i];

		s.st_name = name(l, m->name);
		s.st_info = ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT);
		s.st_shndx = m->data ? m->shidx : maps;
		s.st_value = m->data ? 0 : m->off;
		s.st_size = m->data ? m->value_size : m->size;
		buf_put(sym, &s, sizeof(s));
		bo->maps[i].sym = n++;
	}
	return first;
}

static void
stapsec(struct bo *bo, struct buf *b)
{
	size_t i;

	buf_put(b, "stap-bo 1\n", 10);
	for (i = 0; i < bo->nmeta; i++) {
		buf_put(b, bo->meta[i], strlen(bo->meta[i]));
		buf_put(b, "\n", 1);
	}
	buf_put(b, "end\n", 4);
}

static int
emit(struct layout *l, FILE *out)
{
	static const unsigned char zero[8];
	Elf64_Ehdr eh;
	size_t i, off = sizeof(eh), shoff;

	for (i = 1; i < l->n; i++) {
		size_t a = l->o[i].sh.sh_addralign;

		off = (off + a - 1) / a * a;
		l->o[i].sh.sh_offset = off;
		l->o[i].sh.sh_size = l->o[i].data.n;
		off += l->o[i].data.n;
	}
	shoff = (off + 7) / 8 * 8;
	/* one section per kernel section name: a few thousand at most */
	if (l->n >= SHN_LORESERVE)
		fatal("the probes need %zu ELF sections, more than the %d "
		    "a .bo can hold", l->n, SHN_LORESERVE - 1);
	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = *(const unsigned char *)&(uint16_t){ 1 } ?
	    ELFDATA2LSB : ELFDATA2MSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_REL;
	eh.e_machine = EM_BPF;
	eh.e_version = EV_CURRENT;
	eh.e_shoff = shoff;
	eh.e_ehsize = sizeof(eh);
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = l->n;
	eh.e_shstrndx = l->n - 1;
	off = sizeof(eh);
	if (fwrite(&eh, sizeof(eh), 1, out) != 1)
		return -1;
	for (i = 1; i < l->n; i++) {
		size_t pad = l->o[i].sh.sh_offset - off;

		if (fwrite(zero, 1, pad, out) != pad ||
		    fwrite(l->o[i].data.p, 1, l->o[i].data.n, out) !=
		    l->o[i].data.n)
			return -1;
		off = l->o[i].sh.sh_offset + l->o[i].data.n;
	}
	if (fwrite(zero, 1, shoff - off, out) != shoff - off)
		return -1;
	for (i = 0; i < l->n; i++)
		if (fwrite(&l->o[i].sh, sizeof(Elf64_Shdr), 1, out) != 1)
			return -1;
	return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}

/*
 * bo->bysec: the programs section by section, in the order given
 * within one (a counting sort), so the writers that go section by
 * section make one pass, not one per section
 */
static void
sortbysec(struct bo *bo)
{
	size_t *start = emalloc((bo->nsecs + 1) * sizeof(*start)), i;

	memset(start, 0, (bo->nsecs + 1) * sizeof(*start));
	for (i = 0; i < bo->nprogs; i++)
		start[bo->progs[i].sec + 1]++;
	for (i = 0; i < bo->nsecs; i++)
		start[i + 1] += start[i];
	free(bo->bysec);
	bo->bysec = emalloc((bo->nprogs + 1) * sizeof(*bo->bysec));
	for (i = 0; i < bo->nprogs; i++)
		bo->bysec[start[bo->progs[i].sec]++] = i;
	free(start);
}

int
bo_write(struct bo *bo, FILE *out)
{
	struct layout l;
	struct btfw *b = btfw_new();
	const void *p;
	size_t i, n, first, nm = 0;
	int maps = 0, btf, ext = 0, lic, stap, symtab, strtab, rc;

	/* stap-bpfld's map handles have 16 bits for the map */
	if (bo->nmaps > 0xffff)
		fatal("%zu maps: a .bo holds at most %d", bo->nmaps, 0xffff);
	for (i = 0; i < bo->nprogs; i++) {
		struct boprog *pr = &bo->progs[i];

		if (pr->nrel)
			qsort(pr->rels, pr->nrel, sizeof(*pr->rels), relcmp);
		tidylines(pr);
	}
	fillines(bo);
	for (i = 0; i < bo->nsecs; i++) {
		bo->secs[i].size = 0;
		bo->secs[i].hasrel = 0;
	}
	for (i = 0; i < bo->nprogs; i++) {
		struct bosec *s = &bo->secs[bo->progs[i].sec];

		bo->progs[i].off = s->size;
		s->size += bo->progs[i].n * 8;
		s->hasrel |= bo->progs[i].nrel > 0;
	}
	sortbysec(bo);

	memset(&l, 0, sizeof(l));
	buf_put(&l.strtab, "", 1);
	add(&l, NULL, SHT_NULL, 0, 0, 0);
	progsecs(bo, &l, 1);
	progsecs(bo, &l, 0);
	for (i = 0; i < bo->nmaps; i++)
		nm += !bo->maps[i].data;
	if (nm)
		maps = add(&l, ".maps", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE,
		    8, 0);
	for (i = 0; i < bo->nmaps; i++) {
		struct bomap *m = &bo->maps[i];
		char *sec;

		if (!m->data)
			continue;
		sec = emalloc(strlen(m->name) + 7);
		strcpy(sec, ".data.");
		strcat(sec, m->name);
		/* the map's first value: zeroes */
		m->shidx = add(&l, sec, SHT_PROGBITS, SHF_ALLOC | SHF_WRITE,
		    8, 0);
		free(sec);
		l.o[m->shidx].data.p = vgrow(NULL, &l.o[m->shidx].data.cap,
		    m->value_size, 1);
		memset(l.o[m->shidx].data.p, 0, m->value_size);
		l.o[m->shidx].data.n = m->value_size;
	}
	btf = add(&l, ".BTF", SHT_PROGBITS, 0, 4, 0);
	btfprogs(bo, b, btfmaps(bo, b));
	p = btfw_bytes(b, &n);
	buf_put(&l.o[btf].data, p, n);
	p = btfw_extbytes(b, &n);
	if (n) {
		ext = add(&l, ".BTF.ext", SHT_PROGBITS, 0, 4, 0);
		buf_put(&l.o[ext].data, p, n);
	}
	lic = add(&l, "license", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 1, 0);
	buf_put(&l.o[lic].data, bo->license, strlen(bo->license) + 1);
	stap = add(&l, ".stap", SHT_PROGBITS, 0, 1, 0);
	stapsec(bo, &l.o[stap].data);
	symtab = add(&l, ".symtab", SHT_SYMTAB, 0, 8, sizeof(Elf64_Sym));
	strtab = add(&l, ".strtab", SHT_STRTAB, 0, 1, 0);
	if (nm) {
		/* libbpf reads the map definitions out of BTF; the
		 * section itself is all zeroes */
		size_t sz = 0;

		for (i = 0; i < bo->nmaps; i++)
			sz += bo->maps[i].data ? 0 : bo->maps[i].size;
		l.o[maps].data.p = vgrow(NULL, &l.o[maps].data.cap, sz, 1);
		memset(l.o[maps].data.p, 0, sz);
		l.o[maps].data.n = sz;
	}
	first = symbols(bo, &l, &l.o[symtab].data, maps);
	fillprogs(bo, &l, symtab);
	l.o[symtab].sh.sh_link = strtab;
	l.o[symtab].sh.sh_info = (unsigned)first;
	buf_put(&l.o[strtab].data, l.strtab.p, l.strtab.n);

	rc = emit(&l, out);
	for (i = 0; i < l.n; i++)
		free(l.o[i].data.p);
	free(l.o);
	free(l.strtab.p);
	btfw_free(b);
	return rc;
}
