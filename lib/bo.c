/*
 * The .bo reader.  The file is read whole into memory and checked
 * before anything trusts it: the ELF header and the section table by
 * hand (so the message can say what the file is instead), every
 * section's extent against the file size, then libelf walks the
 * sections and looks up names, and libbpf parses .BTF for the map
 * definitions.  Data is copied out of the buffer, never pointed into,
 * so unaligned sections are harmless.  Every check that fails yields
 * one line naming the file; nothing malformed may crash, which
 * tests/fuzz/bo.c keeps honest.
 */
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <gelf.h>
#include <libelf.h>

#include "stap.h"
#include "bo.h"

/* .stap.progs holds every userspace program; older files have a
 * .stap.prog.NAME section each */
#define USERPFX ".stap.prog"

struct rd {
	const char *name;
	char *err;
	size_t errlen;
	const unsigned char *buf;
	size_t size;
	Elf *elf;
	size_t shnum, shstrndx;
	GElf_Shdr *sh;          /* copies, indexed like the file */
	const char **secname;
	size_t symtab;          /* 0: none */
	struct bofile *f;
	/* parallel to f->progs: section, byte offset, reloc capacity */
	size_t *progsec, *progoff, *relcap;
	size_t progcap[4];
	/* for relocations, so they cost no scan of every program, section
	 * or map: the programs by section and offset, the sections that
	 * relocations name, the maps by name */
	struct progpos *bypos;
	size_t textsec, mapsec;
	struct hash mapidx;
	int *datamap;           /* by section: its global-data map, or -1 */
};

struct progpos {
	size_t sec, off;
	int prog;
};

static int
fail(struct rd *r, const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	n = snprintf(r->err, r->errlen, "'%s': ", r->name);
	if (n < 0 || (size_t)n >= r->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(r->err + n, r->errlen - n, fmt, ap);
	va_end(ap);
	/* names come from the file: keep the message one printable line */
	for (p = r->err; *p; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			*p = '?';
	return -1;
}

static int
ishost(unsigned data)
{
	uint16_t one = 1;

	return data == (*(unsigned char *)&one ? ELFDATA2LSB : ELFDATA2MSB);
}

/* What the bytes are, before libelf sees them */
static int
header(struct rd *r)
{
	Elf64_Ehdr eh;
	uint64_t end;

	if (r->size < SELFMAG || memcmp(r->buf, ELFMAG, SELFMAG) != 0)
		return fail(r, "not an ELF file");
	if (r->size < EI_NIDENT)
		return fail(r, "truncated ELF header (%zu bytes)", r->size);
	if (r->buf[EI_CLASS] != ELFCLASS64)
		return fail(r, "not a 64-bit ELF file");
	if (!ishost(r->buf[EI_DATA]))
		return fail(r, "ELF byte order differs from this machine's");
	if (r->size < sizeof(eh))
		return fail(r, "truncated ELF header (%zu bytes)", r->size);
	memcpy(&eh, r->buf, sizeof(eh));
	if (eh.e_machine != EM_BPF)
		return fail(r, "not a BPF object (ELF machine %u)",
		    eh.e_machine);
	if (eh.e_type != ET_REL)
		return fail(r, "not a relocatable ELF object (type %u)",
		    eh.e_type);
	if (eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shnum == 0 ||
	    eh.e_shnum >= SHN_LORESERVE || eh.e_shstrndx >= eh.e_shnum)
		return fail(r, "bad ELF section table");
	end = eh.e_shoff + (uint64_t)eh.e_shnum * sizeof(Elf64_Shdr);
	if (eh.e_shoff > r->size || end > r->size)
		return fail(r, "truncated: section table ends at %llu, file "
		    "has %zu bytes", (unsigned long long)end, r->size);
	return 0;
}

static int
sections(struct rd *r)
{
	size_t i;
	const char *nm;

	if (elf_getshdrnum(r->elf, &r->shnum) != 0 ||
	    elf_getshdrstrndx(r->elf, &r->shstrndx) != 0)
		return fail(r, "bad ELF section table: %s", elf_errmsg(-1));
	r->sh = emalloc(r->shnum * sizeof(*r->sh));
	r->secname = emalloc(r->shnum * sizeof(*r->secname));
	for (i = 0; i < r->shnum; i++) {
		Elf_Scn *scn = elf_getscn(r->elf, i);
		GElf_Shdr *sh = &r->sh[i];

		/* gelf copies: libelf may hand out unaligned headers */
		if (!scn || !gelf_getshdr(scn, sh))
			return fail(r, "bad ELF section %zu", i);
		if (sh->sh_type != SHT_NOBITS && (sh->sh_offset > r->size ||
		    sh->sh_size > r->size - sh->sh_offset))
			return fail(r, "truncated: section %zu ends past the "
			    "end of the file (%zu bytes)", i, r->size);
		r->secname[i] = "";
	}
	if (r->sh[r->shstrndx].sh_type != SHT_STRTAB)
		return fail(r, "bad ELF section name table");
	for (i = 1; i < r->shnum; i++) {
		nm = elf_strptr(r->elf, r->shstrndx, r->sh[i].sh_name);
		if (!nm)
			return fail(r, "bad name of ELF section %zu", i);
		r->secname[i] = nm;
	}
	return 0;
}

static size_t
secbyname(struct rd *r, const char *name)
{
	size_t i;

	for (i = 1; i < r->shnum; i++)
		if (strcmp(r->secname[i], name) == 0)
			return i;
	return 0;
}

static const unsigned char *
secdata(struct rd *r, size_t i)
{
	return r->sh[i].sh_type == SHT_NOBITS ? NULL :
	    r->buf + r->sh[i].sh_offset;
}

/* The .stap text: "stap-bo MAJOR", records, "end" */
static int
stap(struct rd *r, size_t sec)
{
	const char *p = (const char *)secdata(r, sec);
	size_t n = r->sh[sec].sh_size, i, nl = 0;
	unsigned long major = 0;
	char *s, *e;

	if (!p)
		return fail(r, "'.stap' section has no contents");
	if (memchr(p, 0, n))
		return fail(r, "'.stap' section holds a NUL byte");
	if (n < 8 || memcmp(p, "stap-bo ", 8) != 0)
		return fail(r, "'.stap' section does not start with 'stap-bo'");
	for (i = 8; i < n && p[i] >= '0' && p[i] <= '9' && major < 1000; i++)
		major = major * 10 + (p[i] - '0');
	if (i == 8 || (i < n && p[i] != '\n' && p[i] != '.'))
		return fail(r, "bad '.stap' version line");
	if (major != BO_MAJOR)
		return fail(r, "stap-bo major version %lu is not supported "
		    "(this reader knows %d)", major, BO_MAJOR);
	if (n < 5 || memcmp(p + n - 4, "end\n", 4) != 0 ||
	    (p[n - 5] != '\n'))
		return fail(r, "'.stap' section is truncated (no final "
		    "'end' line)");
	s = r->f->mem = emalloc(n + 1);
	memcpy(s, p, n);
	s[n] = 0;
	for (i = 0; i < n; i++)
		nl += s[i] == '\n';
	r->f->lines = emalloc(nl * sizeof(*r->f->lines));
	s = strchr(s, '\n') + 1;	/* past the version line */
	while ((e = strchr(s, '\n')) != NULL && e + 1 < r->f->mem + n) {
		*e = 0;
		r->f->lines[r->f->nlines++] = s;
		s = e + 1;
	}
	return 0;
}

static const struct btf_type *
skipmods(const struct btf *btf, unsigned id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	int depth = 0;

	while (t && (btf_is_mod(t) || btf_is_typedef(t)) && depth++ < 32)
		t = btf__type_by_id(btf, t->type);
	return t;
}

/* "int (*name)[N]" gives N */
static int
field(struct rd *r, const struct btf *btf, const char *map,
    const struct btf_member *m, const char *fname, unsigned *val)
{
	const struct btf_type *t = skipmods(btf, m->type);

	if (!t || !btf_is_ptr(t))
		return fail(r, "map '%s': field '%s' is not a pointer", map,
		    fname);
	t = skipmods(btf, t->type);
	if (!t || !btf_is_array(t))
		return fail(r, "map '%s': field '%s' is not a pointer to an "
		    "array", map, fname);
	*val = btf_array(t)->nelems;
	return 0;
}

/* "typeof(v) *name" gives the size of v */
static int
typed(struct rd *r, const struct btf *btf, const char *map,
    const struct btf_member *m, const char *fname, unsigned *val)
{
	const struct btf_type *t = skipmods(btf, m->type);
	long long sz;

	if (!t || !btf_is_ptr(t))
		return fail(r, "map '%s': field '%s' is not a pointer", map,
		    fname);
	sz = btf__resolve_size(btf, t->type);
	if (sz < 0 || sz > UINT32_MAX)
		return fail(r, "map '%s': type of '%s' has no size", map,
		    fname);
	*val = sz;
	return 0;
}

static int
mapdef(struct rd *r, const struct btf *btf, const struct btf_var_secinfo *vi,
    struct bo_map *bm)
{
	const struct btf_type *var = btf__type_by_id(btf, vi->type), *t;
	const struct btf_member *m;
	const char *name, *fn;
	int i, rc = 0;

	if (!var || !btf_is_var(var))
		return fail(r, "'.maps' entry is not a variable");
	name = btf__name_by_offset(btf, var->name_off);
	if (!name || !*name)
		return fail(r, "'.maps' variable without a name");
	bm->name = estrdup(name);
	t = skipmods(btf, var->type);
	if (!t || !btf_is_struct(t))
		return fail(r, "map '%s' is not a struct", name);
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t) && rc == 0; i++, m++) {
		fn = btf__name_by_offset(btf, m->name_off);
		if (!fn)
			return fail(r, "map '%s': field without a name", name);
		if (strcmp(fn, "type") == 0)
			rc = field(r, btf, name, m, fn, &bm->type);
		else if (strcmp(fn, "max_entries") == 0)
			rc = field(r, btf, name, m, fn, &bm->max_entries);
		else if (strcmp(fn, "key_size") == 0)
			rc = field(r, btf, name, m, fn, &bm->key_size);
		else if (strcmp(fn, "value_size") == 0)
			rc = field(r, btf, name, m, fn, &bm->value_size);
		else if (strcmp(fn, "map_flags") == 0)
			rc = field(r, btf, name, m, fn, &bm->flags);
		else if (strcmp(fn, "key") == 0)
			rc = typed(r, btf, name, m, fn, &bm->key_size);
		else if (strcmp(fn, "value") == 0)
			rc = typed(r, btf, name, m, fn, &bm->value_size);
	}
	return rc;
}

static int
isdata(const struct rd *r, size_t i)
{
	return r->sh[i].sh_type == SHT_PROGBITS &&
	    strncmp(r->secname[i], ".data.", 6) == 0;
}

/*
 * The global-data maps, as libbpf makes them of the sections .data.NAME
 * (man/stap-bo.5): an ARRAY of one entry, the section's bytes its
 * value, named as the section
 */
static int
datamaps(struct rd *r)
{
	size_t i, n = 0;

	r->datamap = emalloc(r->shnum * sizeof(*r->datamap));
	for (i = 0; i < r->shnum; i++) {
		r->datamap[i] = -1;
		n += i && isdata(r, i);
	}
	if (!n)
		return 0;
	r->f->maps = erealloc(r->f->maps, (r->f->nmaps + n + 1) *
	    sizeof(*r->f->maps));
	for (i = 1; i < r->shnum; i++) {
		struct bo_map *m = &r->f->maps[r->f->nmaps];

		if (!isdata(r, i))
			continue;
		if (!r->sh[i].sh_size || r->sh[i].sh_size > UINT32_MAX)
			return fail(r, "global-data section '%s' of %llu "
			    "bytes", r->secname[i],
			    (unsigned long long)r->sh[i].sh_size);
		memset(m, 0, sizeof(*m));
		m->name = estrdup(r->secname[i]);
		m->type = BPF_MAP_TYPE_ARRAY;
		m->key_size = 4;
		m->value_size = (unsigned)r->sh[i].sh_size;
		m->max_entries = 1;
		r->datamap[i] = (int)r->f->nmaps++;
	}
	return 0;
}

static int
maps(struct rd *r)
{
	size_t ms = secbyname(r, ".maps"), bs = secbyname(r, ".BTF");
	const struct btf_type *sec;
	const struct btf_var_secinfo *vi;
	struct btf *btf;
	int id, i, rc = 0;

	if (!ms)
		return datamaps(r);
	if (!bs || !secdata(r, bs) || r->sh[bs].sh_size > UINT32_MAX)
		return fail(r, "'.maps' without '.BTF'");
	btf = btf__new(secdata(r, bs), r->sh[bs].sh_size);
	if (!btf)	/* libbpf 1.x: NULL and errno */
		return fail(r, "bad '.BTF' section: %s", strerror(errno));
	id = btf__find_by_name_kind(btf, ".maps", BTF_KIND_DATASEC);
	if (id <= 0) {
		btf__free(btf);
		return fail(r, "'.BTF' does not describe '.maps'");
	}
	sec = btf__type_by_id(btf, id);
	r->f->maps = emalloc((btf_vlen(sec) + 1) * sizeof(*r->f->maps));
	memset(r->f->maps, 0, (btf_vlen(sec) + 1) * sizeof(*r->f->maps));
	vi = btf_var_secinfos(sec);
	for (i = 0; i < btf_vlen(sec) && rc == 0; i++, vi++) {
		rc = mapdef(r, btf, vi, &r->f->maps[i]);
		r->f->nmaps++;
	}
	btf__free(btf);
	return rc ? rc : datamaps(r);
}

static int
symtab(struct rd *r)
{
	size_t i;

	for (i = 1; i < r->shnum; i++) {
		if (r->sh[i].sh_type != SHT_SYMTAB)
			continue;
		if (r->symtab)
			return fail(r, "more than one symbol table");
		r->symtab = i;
	}
	if (!r->symtab)
		return 0;
	i = r->symtab;
	if (r->sh[i].sh_entsize != sizeof(Elf64_Sym) ||
	    r->sh[i].sh_size % sizeof(Elf64_Sym) != 0 ||
	    r->sh[i].sh_link == 0 || r->sh[i].sh_link >= r->shnum ||
	    r->sh[r->sh[i].sh_link].sh_type != SHT_STRTAB)
		return fail(r, "bad symbol table");
	return 0;
}

static size_t
nsyms(struct rd *r)
{
	return r->symtab ? r->sh[r->symtab].sh_size / sizeof(Elf64_Sym) : 0;
}

static int
sym(struct rd *r, size_t i, Elf64_Sym *s, const char **name)
{
	memcpy(s, secdata(r, r->symtab) + i * sizeof(*s), sizeof(*s));
	*name = elf_strptr(r->elf, r->sh[r->symtab].sh_link, s->st_name);
	if (!*name)
		return fail(r, "bad name of symbol %zu", i);
	return 0;
}

static int
isprogsec(struct rd *r, size_t i)
{
	return r->sh[i].sh_type == SHT_PROGBITS &&
	    ((r->sh[i].sh_flags & SHF_EXECINSTR) ||
	    strncmp(r->secname[i], USERPFX, strlen(USERPFX)) == 0);
}

static int
addprog(struct rd *r, size_t sec, const Elf64_Sym *s, const char *name)
{
	struct bofile *f = r->f;
	struct bo_prog *p;
	size_t n = f->nprogs + 1;

	if (s->st_value % 8 || s->st_size % 8 || s->st_size == 0 ||
	    s->st_value > r->sh[sec].sh_size ||
	    s->st_size > r->sh[sec].sh_size - s->st_value)
		return fail(r, "program '%s' lies outside section '%s'", name,
		    r->secname[sec]);
	f->progs = vgrow(f->progs, &r->progcap[0], n, sizeof(*f->progs));
	r->progsec = vgrow(r->progsec, &r->progcap[1], n, sizeof(size_t));
	r->progoff = vgrow(r->progoff, &r->progcap[2], n, sizeof(size_t));
	r->relcap = vgrow(r->relcap, &r->progcap[3], n, sizeof(size_t));
	p = &f->progs[f->nprogs];
	memset(p, 0, sizeof(*p));
	p->name = estrdup(name);
	p->section = estrdup(r->secname[sec]);
	p->kernel = (r->sh[sec].sh_flags & SHF_EXECINSTR) != 0;
	p->ninsn = s->st_size / 8;
	p->insns = emalloc(s->st_size);
	memcpy(p->insns, secdata(r, sec) + s->st_value, s->st_size);
	r->progsec[f->nprogs] = sec;
	r->progoff[f->nprogs] = s->st_value;
	r->relcap[f->nprogs] = 0;
	f->nprogs++;
	return 0;
}

/*
 * Programs are STT_FUNC symbols in program sections; they come out in
 * symbol order, which our writer makes section-then-offset order.
 */
static int
progs(struct rd *r)
{
	size_t i, n = nsyms(r);
	Elf64_Sym s;
	const char *name;

	for (i = 1; i < n; i++) {
		if (sym(r, i, &s, &name) != 0)
			return -1;
		if (ELF64_ST_TYPE(s.st_info) != STT_FUNC ||
		    s.st_shndx == 0 || s.st_shndx >= r->shnum ||
		    !isprogsec(r, s.st_shndx))
			continue;
		if (addprog(r, s.st_shndx, &s, name) != 0)
			return -1;
	}
	return 0;
}

int
bo_findmap(const struct bofile *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->nmaps; i++)
		if (strcmp(f->maps[i].name, name) == 0)
			return i;
	return -1;
}

static int
poscmp(const void *a, const void *b)
{
	const struct progpos *x = a, *y = b;

	if (x->sec != y->sec)
		return x->sec < y->sec ? -1 : 1;
	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return x->prog - y->prog;
}

/* The program at byte off of section sec: the last one to start at or
 * before off, if it reaches off (index_progs refused overlaps) */
static int
progat(struct rd *r, size_t sec, uint64_t off)
{
	size_t lo = 0, hi = r->f->nprogs;
	const struct progpos *p;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		p = &r->bypos[mid];
		if (p->sec < sec || (p->sec == sec && p->off <= off))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return -1;
	p = &r->bypos[lo - 1];
	return p->sec == sec && off - p->off <
	    r->f->progs[p->prog].ninsn * 8 ? p->prog : -1;
}

static int
index_progs(struct rd *r)
{
	size_t i;

	r->bypos = emalloc((r->f->nprogs + 1) * sizeof(*r->bypos));
	for (i = 0; i < r->f->nprogs; i++) {
		r->bypos[i].sec = r->progsec[i];
		r->bypos[i].off = r->progoff[i];
		r->bypos[i].prog = (int)i;
	}
	qsort(r->bypos, r->f->nprogs, sizeof(*r->bypos), poscmp);
	for (i = 1; i < r->f->nprogs; i++) {
		const struct progpos *a = &r->bypos[i - 1], *b = &r->bypos[i];

		if (a->sec == b->sec &&
		    b->off - a->off < r->f->progs[a->prog].ninsn * 8)
			return fail(r, "programs '%s' and '%s' overlap in "
			    "section '%s'", r->f->progs[a->prog].name,
			    r->f->progs[b->prog].name, r->secname[a->sec]);
	}
	r->textsec = secbyname(r, ".text");
	r->mapsec = secbyname(r, ".maps");
	for (i = 0; i < r->f->nmaps; i++)
		hash_add(&r->mapidx, r->f->maps[i].name, (long)i);
	return 0;
}

static int
addreloc(struct rd *r, size_t sec, const Elf64_Rel *rel)
{
	struct bo_prog *p;
	Elf64_Sym s;
	const char *name;
	size_t insn;
	int pi, map, func;

	if (ELF64_R_TYPE(rel->r_info) != R_BPF_64_64)
		return fail(r, "unsupported relocation type %u in section "
		    "'%s'", (unsigned)ELF64_R_TYPE(rel->r_info),
		    r->secname[sec]);
	pi = progat(r, sec, rel->r_offset);
	if (rel->r_offset % 8 || pi < 0)
		return fail(r, "relocation at offset %llu of section '%s' is "
		    "in no program", (unsigned long long)rel->r_offset,
		    r->secname[sec]);
	p = &r->f->progs[pi];
	insn = (rel->r_offset - r->progoff[pi]) / 8;
	if (insn + 1 >= p->ninsn ||
	    p->insns[insn].code != (BPF_LD | BPF_IMM | BPF_DW))
		return fail(r, "relocation at insn %zu of '%s' is not on a "
		    "64-bit load", insn, p->name);
	if (ELF64_R_SYM(rel->r_info) == 0 ||
	    ELF64_R_SYM(rel->r_info) >= nsyms(r))
		return fail(r, "relocation at insn %zu of '%s' has a bad "
		    "symbol", insn, p->name);
	if (sym(r, ELF64_R_SYM(rel->r_info), &s, &name) != 0)
		return -1;
	func = -1;
	map = (int)hash_get(&r->mapidx, name);
	if (s.st_shndx < r->shnum && r->datamap[s.st_shndx] >= 0) {
		/* global data: the load is of an address in the value,
		 * which the interpreter takes from the immediate */
		const struct bo_map *m = &r->f->maps[r->datamap[s.st_shndx]];
		uint64_t off = s.st_value + (uint64_t)(int64_t)
		    p->insns[insn].imm;

		if (p->insns[insn].src_reg != BPF_PSEUDO_MAP_VALUE ||
		    off >= m->value_size)
			return fail(r, "relocation at insn %zu of '%s' is no "
			    "load of an address in '%s'", insn, p->name,
			    m->name);
		p->insns[insn].imm = (int32_t)off;
		map = r->datamap[s.st_shndx];
	} else if (p->insns[insn].src_reg == BPF_PSEUDO_MAP_VALUE) {
		return fail(r, "relocation at insn %zu of '%s' loads an "
		    "address in '%s', which is no global-data map", insn,
		    p->name, name);
	} else if (p->insns[insn].src_reg == BPF_PSEUDO_FUNC) {
		/* a callback: section symbol + offset, or its own symbol */
		size_t tsec = r->textsec;
		uint64_t off = s.st_value + (uint64_t)(int64_t)
		    p->insns[insn].imm;

		func = tsec && s.st_shndx == tsec ? progat(r, tsec, off) : -1;
		if (func < 0 || r->progoff[func] != off || !p->kernel)
			return fail(r, "relocation at insn %zu of '%s' refers "
			    "to no subprogram in .text", insn, p->name);
		map = -1;
	} else if (map < 0 || s.st_shndx != r->mapsec) {
		return fail(r, "relocation at insn %zu of '%s' refers to "
		    "'%s', which is not a map", insn, p->name, name);
	}
	p->relocs = vgrow(p->relocs, &r->relcap[pi], p->nreloc + 1,
	    sizeof(*p->relocs));
	p->relocs[p->nreloc].insn = insn;
	p->relocs[p->nreloc].map = map;
	p->relocs[p->nreloc].func = func;
	p->nreloc++;
	return 0;
}

static int
relcmp(const void *a, const void *b)
{
	const struct bo_reloc *x = a, *y = b;

	return (x->insn > y->insn) - (x->insn < y->insn);
}

static int
relocs(struct rd *r)
{
	size_t i, j, tgt;
	Elf64_Rel rel;

	if (index_progs(r) != 0)
		return -1;
	for (i = 1; i < r->shnum; i++) {
		if (r->sh[i].sh_type != SHT_REL)
			continue;
		tgt = r->sh[i].sh_info;
		if (tgt == 0 || tgt >= r->shnum || !isprogsec(r, tgt))
			continue;
		if (r->sh[i].sh_entsize != sizeof(Elf64_Rel) ||
		    r->sh[i].sh_size % sizeof(Elf64_Rel) != 0 ||
		    r->sh[i].sh_link != r->symtab || !r->symtab)
			return fail(r, "bad relocation section '%s'",
			    r->secname[i]);
		for (j = 0; j < r->sh[i].sh_size / sizeof(rel); j++) {
			memcpy(&rel, secdata(r, i) + j * sizeof(rel),
			    sizeof(rel));
			if (addreloc(r, tgt, &rel) != 0)
				return -1;
		}
	}
	for (i = 0; i < r->f->nprogs; i++)
		if (r->f->progs[i].nreloc)
			qsort(r->f->progs[i].relocs, r->f->progs[i].nreloc,
			    sizeof(struct bo_reloc), relcmp);
	return 0;
}

static int
license(struct rd *r)
{
	size_t i = secbyname(r, "license");
	const char *p;

	if (!i)
		return 0;
	p = (const char *)secdata(r, i);
	if (!p || !memchr(p, 0, r->sh[i].sh_size))
		return fail(r, "'license' is not a string");
	r->f->license = estrdup(p);
	return 0;
}

/*
 * Stock stapbpf objects are EM_BPF too; they give themselves away with
 * sections of the names stapbpf looks for.
 */
static int
ours(struct rd *r)
{
	static const char *const stock[] = { "maps", "version", "stap_begin" };
	size_t i, s = secbyname(r, ".stap");

	if (s)
		return stap(r, s);
	for (i = 0; i < NELEM(stock); i++)
		if (secbyname(r, stock[i]))
			return fail(r, "a stock stapbpf object (it has a '%s' "
			    "section), not one from stap-bpfgen", stock[i]);
	return fail(r, "not a stap-bpfgen object (no '.stap' section)");
}

static int
parse(struct rd *r)
{
	if (header(r) != 0)
		return -1;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return fail(r, "libelf: %s", elf_errmsg(-1));
	r->elf = elf_memory((char *)r->buf, r->size);
	if (!r->elf || elf_kind(r->elf) != ELF_K_ELF)
		return fail(r, "bad ELF file: %s", elf_errmsg(-1));
	if (sections(r) || ours(r) || symtab(r) || maps(r) || progs(r) ||
	    relocs(r) || license(r))
		return -1;
	return 0;
}

struct bofile *
bo_openmem(const void *data, size_t size, const char *name, char *err,
    size_t errlen)
{
	struct rd r;
	unsigned char *copy;
	int rc;

	memset(&r, 0, sizeof(r));
	/* libelf may write into the image it reads: give it our own */
	copy = emalloc(size);
	if (size)
		memcpy(copy, data, size);
	r.name = name;
	r.err = err;
	r.errlen = errlen;
	r.buf = copy;
	r.size = size;
	r.f = emalloc(sizeof(*r.f));
	memset(r.f, 0, sizeof(*r.f));
	rc = parse(&r);
	if (r.elf)
		elf_end(r.elf);
	free(r.sh);
	free(r.secname);
	free(r.progsec);
	free(r.progoff);
	free(r.relcap);
	free(r.bypos);
	free(r.datamap);
	free(copy);
	if (rc != 0) {
		bo_close(r.f);
		return NULL;
	}
	return r.f;
}

struct bofile *
bo_open(const char *path, char *err, size_t errlen)
{
	FILE *in = fopen(path, "rb");
	struct bofile *f;
	char *buf = NULL;
	size_t n = 0, cap = 0, got;

	if (!in) {
		snprintf(err, errlen, "open '%s': %s", path, strerror(errno));
		return NULL;
	}
	do {
		buf = vgrow(buf, &cap, n + 65536, 1);
		got = cap - n;
		if (got > INPUT_MAX + 1 - n)
			got = INPUT_MAX + 1 - n;
		got = fread(buf + n, 1, got, in);
		n += got;
		if (n > INPUT_MAX) {
			snprintf(err, errlen, "'%s': input larger than "
			    INPUT_MAX_TEXT, path);
			fclose(in);
			free(buf);
			return NULL;
		}
	} while (got > 0);
	if (ferror(in)) {
		snprintf(err, errlen, "read '%s': %s", path, strerror(errno));
		fclose(in);
		free(buf);
		return NULL;
	}
	fclose(in);
	f = bo_openmem(buf, n, path, err, errlen);
	free(buf);
	return f;
}

void
bo_close(struct bofile *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->nprogs; i++) {
		free(f->progs[i].name);
		free(f->progs[i].section);
		free(f->progs[i].insns);
		free(f->progs[i].relocs);
	}
	for (i = 0; i < f->nmaps; i++)
		free(f->maps[i].name);
	free(f->progs);
	free(f->maps);
	free(f->lines);
	free(f->mem);
	free(f->license);
	free(f);
}
