/*
 * process(...) probe points: functions, PLT entries, absolute
 * statements and SDT marks of an executable or of a library it loads,
 * found with libelf.  A uprobe sits on a file at an offset, so each
 * concrete point becomes the file and the offset of its address (man
 * stap-tree(5)): where the file gets loaded does not matter, and a
 * probe on an executable fires in every process running it.
 *
 * A library's probe is on the library, in every process using it;
 * stap fires it only in processes of the executable named, so the
 * point gets a guard comparing execname() with the executable's name
 * (the kernel's comm: its first 15 bytes).
 *
 * Context variables become expressions of intrinsics: $return the
 * register the ABI returns in, an SDT mark's $argN the operand its
 * note gives (a register, a constant, or user memory at a register
 * plus a displacement), read with register(), u_register(), uaddr()
 * and user_*_error().  DWARF (libdw) gives $return its width.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <glob.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <gelf.h>
#include <libelf.h>

#include "resolve.h"

/* realpath(3) is XSI, outside the _POSIX_C_SOURCE we build with */
extern char *realpath(const char *, char *);

struct usym {
	const char *name;
	uint64_t addr, size;
};

/* An SDT note: .note.stapsdt, type 3, owner "stapsdt" */
struct umark {
	const char *provider, *name, *args;
	uint64_t pc, sem;
};

struct ufile {
	const char *path;
	int fd;
	Elf *elf;
	GElf_Phdr *ph;
	size_t nph;
	struct usym *syms;      /* functions, by name then address */
	size_t nsyms;
	struct umark *marks;
	size_t nmarks;
	Dwarf *dw;
	int dwtried;
	struct ufile *next;
};

struct uprobe {
	struct ufile *uf;       /* the file probed */
	uint64_t addr;          /* its address there, as linked */
	uint64_t faddr;         /* the function's, before its prologue */
	const char *func;       /* probefunc() */
	int ret;                /* a .return probe */
	struct umark *mark;
};

static struct ufile *files;
static const char *target_exe;  /* -c, -x: its executable, or NULL */
static const char *target_why;  /* why there is none */
static int64_t only_pid;        /* process(PID): its probes' guard */

static int
symcmp(const void *a, const void *b)
{
	const struct usym *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void
read_syms(struct ufile *uf)
{
	Elf_Scn *scn = NULL;
	size_t cap = 0, i, n;
	GElf_Shdr sh;
	int want;

	/* the full table if there is one; a stripped file keeps .dynsym */
	for (want = SHT_SYMTAB; want >= SHT_SYMTAB && !uf->nsyms;
	    want = want == SHT_SYMTAB ? SHT_DYNSYM : -1) {
		while ((scn = elf_nextscn(uf->elf, scn))) {
			Elf_Data *d;

			if (!gelf_getshdr(scn, &sh) || sh.sh_type !=
			    (unsigned)want || !(d = elf_getdata(scn, NULL)) ||
			    !sh.sh_entsize)
				continue;
			n = sh.sh_size / sh.sh_entsize;
			for (i = 0; i < n; i++) {
				GElf_Sym s;
				const char *name;

				if (!gelf_getsym(d, (int)i, &s) ||
				    (GELF_ST_TYPE(s.st_info) != STT_FUNC &&
				    GELF_ST_TYPE(s.st_info) != STT_GNU_IFUNC) ||
				    s.st_shndx == SHN_UNDEF || !s.st_value)
					continue;
				name = elf_strptr(uf->elf, sh.sh_link,
				    s.st_name);
				if (!name || !*name)
					continue;
				uf->syms = vgrow(uf->syms, &cap, uf->nsyms + 1,
				    sizeof *uf->syms);
				uf->syms[uf->nsyms].name = arena_strndup(name,
				    strlen(name));
				uf->syms[uf->nsyms].addr = s.st_value;
				uf->syms[uf->nsyms++].size = s.st_size;
			}
		}
		scn = NULL;
	}
	if (uf->nsyms)
		qsort(uf->syms, uf->nsyms, sizeof *uf->syms, symcmp);
}

static void
read_marks(struct ufile *uf)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	size_t shstr, cap = 0;
	uint64_t base = 0;
	int hasbase = 0;

	if (elf_getshdrstrndx(uf->elf, &shstr) < 0)
		return;
	while ((scn = elf_nextscn(uf->elf, scn))) {
		const char *name;

		if (!gelf_getshdr(scn, &sh) ||
		    !(name = elf_strptr(uf->elf, shstr, sh.sh_name)))
			continue;
		if (!strcmp(name, ".stapsdt.base")) {
			base = sh.sh_addr;
			hasbase = 1;
		}
	}
	while ((scn = elf_nextscn(uf->elf, scn))) {
		Elf_Data *d;
		GElf_Nhdr nh;
		size_t off = 0, next, noff, doff;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE ||
		    !(d = elf_getdata(scn, NULL)))
			continue;
		while ((next = gelf_getnote(d, off, &nh, &noff, &doff)) > 0) {
			const char *desc = (const char *)d->d_buf + doff;
			const char *end = desc + nh.n_descsz, *p;
			struct umark m;
			uint64_t v[3];

			off = next;
			if (nh.n_type != 3 || nh.n_namesz != 8 ||
			    memcmp((char *)d->d_buf + noff, "stapsdt", 8) ||
			    nh.n_descsz < 3 * 8 + 3)
				continue;
			memcpy(v, desc, sizeof v);
			p = desc + 24;
			m.provider = p;
			p = memchr(p, '\0', (size_t)(end - p));
			if (!p++ || p >= end)
				continue;
			m.name = p;
			p = memchr(p, '\0', (size_t)(end - p));
			if (!p++ || p > end)
				continue;
			m.args = p < end && memchr(p, '\0', (size_t)(end - p)) ?
			    p : "";
			/* prelink moves .stapsdt.base; the note says where
			 * it was, so the difference moves pc and semaphore */
			m.pc = v[0];
			m.sem = v[2];
			if (hasbase) {
				m.pc += base - v[1];
				if (m.sem)
					m.sem += base - v[1];
			}
			uf->marks = vgrow(uf->marks, &cap, uf->nmarks + 1,
			    sizeof *uf->marks);
			uf->marks[uf->nmarks++] = m;
		}
	}
}

static void ufile_close_all(void);

/* The file at path (absolute), opened once; NULL with *why set */
static struct ufile *
ufile_open(const char *path, const char **why)
{
	struct ufile *uf;
	GElf_Ehdr eh;
	size_t i;
	int fd;

	for (uf = files; uf; uf = uf->next)
		if (!strcmp(uf->path, path))
			return uf;
	elf_version(EV_CURRENT);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		*why = strerror(errno);
		return NULL;
	}
	uf = arena_alloc(sizeof *uf);
	memset(uf, 0, sizeof *uf);
	uf->path = arena_strndup(path, strlen(path));
	uf->fd = fd;
	uf->elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!uf->elf || elf_kind(uf->elf) != ELF_K_ELF ||
	    !gelf_getehdr(uf->elf, &eh) || (eh.e_type != ET_EXEC &&
	    eh.e_type != ET_DYN)) {
		*why = "not an ELF executable or shared library";
		goto bad;
	}
	if (eh.e_machine != EM_X86_64 || gelf_getclass(uf->elf) !=
	    ELFCLASS64) {
		*why = "not an x86-64 ELF file";
		goto bad;
	}
	if (elf_getphdrnum(uf->elf, &uf->nph) < 0)
		uf->nph = 0;
	uf->ph = arena_alloc((uf->nph + 1) * sizeof *uf->ph);
	for (i = 0; i < uf->nph; i++)
		if (!gelf_getphdr(uf->elf, (int)i, &uf->ph[i]))
			uf->ph[i].p_type = PT_NULL;
	read_syms(uf);
	read_marks(uf);
	if (!files)
		atexit(ufile_close_all);
	uf->next = files;
	files = uf;
	return uf;
bad:
	if (uf->elf)
		elf_end(uf->elf);
	close(fd);
	return NULL;
}

/* At exit, libdw's and libelf's memory back (leak checkers see it) */
static void
ufile_close_all(void)
{
	struct ufile *uf;

	udwarf_end();
	for (uf = files; uf; uf = uf->next) {
		if (uf->dw)
			dwarf_end(uf->dw);
		if (uf->elf)
			elf_end(uf->elf);
		close(uf->fd);
		free(uf->syms);
		free(uf->marks);
	}
	files = NULL;
}

/* The file's DWARF, read on first use; NULL if it has none */
static Dwarf *
ufile_dwarf(struct ufile *uf)
{
	if (!uf->dwtried) {
		uf->dwtried = 1;
		uf->dw = dwarf_begin(uf->fd, DWARF_C_READ);
	}
	return uf->dw;
}

/* The file offset of address a as linked, or -1 if no segment maps it */
static int64_t
file_offset(struct ufile *uf, uint64_t a)
{
	size_t i;

	for (i = 0; i < uf->nph; i++) {
		GElf_Phdr *p = &uf->ph[i];

		if (p->p_type == PT_LOAD && a >= p->p_vaddr &&
		    a < p->p_vaddr + p->p_filesz)
			return (int64_t)(a - p->p_vaddr + p->p_offset);
	}
	return -1;
}

/* The function holding address a, else NULL */
static const char *
func_at(struct ufile *uf, uint64_t a)
{
	const char *best = NULL;
	uint64_t bestaddr = 0;
	size_t i;

	for (i = 0; i < uf->nsyms; i++) {
		struct usym *s = &uf->syms[i];

		if (a >= s->addr && (a < s->addr + s->size || (!s->size &&
		    a == s->addr)) && (!best || s->addr > bestaddr ||
		    (s->addr == bestaddr && strcmp(s->name, best) < 0))) {
			best = s->name;
			bestaddr = s->addr;
		}
	}
	return best;
}

/* ---- finding files ---- */

static int
executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    access(path, X_OK) == 0;
}

/* As a shell finds a command: a name with a slash as it is, else on
 * $PATH; canonical, symbolic links resolved (uprobes see the inode) */
static const char *
find_exe(const char *name)
{
	char buf[PATH_MAX], *rp;
	const char *path = getenv("PATH"), *p, *e;

	if (strchr(name, '/'))
		return (rp = realpath(name, buf)) ? arena_strndup(rp,
		    strlen(rp)) : NULL;
	for (p = path ? path : "/usr/local/bin:/usr/bin:/bin"; *p; p = e) {
		char try[PATH_MAX];

		e = strchr(p, ':');
		if (!e)
			e = p + strlen(p);
		snprintf(try, sizeof try, "%.*s/%s", e == p ? 1 : (int)(e - p),
		    e == p ? "." : p, name);
		if (*e)
			e++;
		if (executable(try) && (rp = realpath(try, buf)))
			return arena_strndup(rp, strlen(rp));
	}
	return NULL;
}

/* try DIR/NAME: the canonical path, or NULL */
static const char *
try_dir(const char *dir, size_t dlen, const char *name)
{
	char try[PATH_MAX], buf[PATH_MAX], *rp;
	struct stat st;

	snprintf(try, sizeof try, "%.*s/%s", (int)dlen, dir, name);
	if (stat(try, &st) < 0 || !S_ISREG(st.st_mode) ||
	    !(rp = realpath(try, buf)))
		return NULL;
	return arena_strndup(rp, strlen(rp));
}

/* Each directory of a colon-separated list, $ORIGIN replaced */
static const char *
try_list(const char *list, const char *origin, const char *name)
{
	const char *p, *e, *r;

	for (p = list; p && *p; p = *e ? e + 1 : e) {
		char dir[PATH_MAX];

		e = strchr(p, ':');
		if (!e)
			e = p + strlen(p);
		if (!strncmp(p, "$ORIGIN", 7) || !strncmp(p, "${ORIGIN}", 9)) {
			size_t skip = p[1] == '{' ? 9 : 7;

			snprintf(dir, sizeof dir, "%s%.*s", origin,
			    (int)(e - p - (long)skip), p + skip);
		} else
			snprintf(dir, sizeof dir, "%.*s", (int)(e - p), p);
		if ((r = try_dir(dir, strlen(dir), name)))
			return r;
	}
	return NULL;
}

/*
 * /etc/ld.so.cache, the format glibc writes since 2.32 (and after the
 * old one before): "glibc-ld.so.cache1.1", the count of entries, the
 * string table's size, then 24-byte entries whose key and value are
 * offsets of the soname and path from the start of that header
 */
static const char *
try_cache(const char *name)
{
	static const char magic[] = "glibc-ld.so.cache1.1";
	const char *r = NULL;
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0, n, base, i, nlibs;
	FILE *f = fopen("/etc/ld.so.cache", "rb");

	if (!f)
		return NULL;
	do {
		buf = vgrow(buf, &cap, len + 65536, 1);
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0 && len < (64u << 20));
	fclose(f);
	for (base = 0; base + 48 <= len; base++)
		if (!memcmp(buf + base, magic, sizeof magic - 1))
			break;
	if (base + 48 > len)
		goto out;
	memcpy(&n, buf + base + 20, 4);
	nlibs = n & 0xffffffffu;
	for (i = 0; i < nlibs && base + 48 + (i + 1) * 24 <= len; i++) {
		const unsigned char *e = buf + base + 48 + i * 24;
		uint32_t flags, key, val;

		memcpy(&flags, e, 4);
		memcpy(&key, e + 4, 4);
		memcpy(&val, e + 8, 4);
		/* an ELF libc6 library for x86-64 */
		if ((flags & 0xff) != 3 || (flags & 0xff00) != 0x0300 ||
		    base + key >= len || base + val >= len ||
		    !memchr(buf + base + key, '\0', len - base - key) ||
		    !memchr(buf + base + val, '\0', len - base - val) ||
		    strcmp((char *)buf + base + key, name))
			continue;
		r = try_dir("", 0, (char *)buf + base + val + 1);
		if (r)
			break;
	}
out:
	free(buf);
	return r;
}

/* The dynamic entries' string: DT_RPATH, DT_RUNPATH */
static const char *
dyn_string(struct ufile *uf, int64_t tag)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(uf->elf, scn))) {
		Elf_Data *d;
		size_t i;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNAMIC ||
		    !(d = elf_getdata(scn, NULL)) || !sh.sh_entsize)
			continue;
		for (i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Dyn dyn;

			if (gelf_getdyn(d, (int)i, &dyn) && dyn.d_tag == tag)
				return elf_strptr(uf->elf, sh.sh_link,
				    dyn.d_un.d_val);
		}
	}
	return NULL;
}

/*
 * A library as the dynamic loader of exe would find it (ld.so(8)): a
 * name with a slash is a path; else DT_RPATH (without DT_RUNPATH),
 * LD_LIBRARY_PATH, DT_RUNPATH, /etc/ld.so.cache, the default
 * directories.
 */
static const char *
find_lib(struct ufile *exe, const char *name)
{
	static const char *dflt = "/lib/x86_64-linux-gnu:"
	    "/usr/lib/x86_64-linux-gnu:/lib64:/usr/lib64:/lib:/usr/lib";
	const char *runpath = dyn_string(exe, DT_RUNPATH), *r;
	const char *rpath = runpath ? NULL : dyn_string(exe, DT_RPATH);
	char origin[PATH_MAX], *slash;

	if (strchr(name, '/'))
		return try_dir("", 0, name[0] == '/' ? name + 1 : name);
	snprintf(origin, sizeof origin, "%s", exe->path);
	if ((slash = strrchr(origin, '/')))
		*slash = '\0';
	if ((r = try_list(rpath, origin, name)) ||
	    (r = try_list(getenv("LD_LIBRARY_PATH"), origin, name)) ||
	    (r = try_list(runpath, origin, name)) ||
	    (r = try_cache(name)) || (r = try_list(dflt, origin, name)))
		return r;
	return NULL;
}

/* ---- the points ---- */

static int
comp_is(struct node *c, const char *name, int arg)
{
	if (!c || strcmp(c->str, name))
		return 0;
	if (arg == 0)
		return !c->l;
	return c->l && c->l->kind == (arg == 's' ? N_STR : N_NUM);
}

static unsigned
levenshtein(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	unsigned *row = calloc(lb + 1, sizeof *row), d, prev, t;

	if (!row)
		fatal("out of memory");
	for (j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = (unsigned)i;
		for (j = 1; j <= lb; j++) {
			t = row[j];
			d = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < d)
				d = row[j] + 1;
			if (row[j - 1] + 1 < d)
				d = row[j - 1] + 1;
			row[j] = d;
			prev = t;
		}
	}
	d = row[lb];
	free(row);
	return d;
}

/* stap's hint: the five names closest to want, closest first */
static const char *
similar(const char **names, size_t n, const char *want)
{
	const char *best[5];
	unsigned score[5], s;
	size_t nb = 0, i, k;
	char *out;
	size_t len = 0;

	for (i = 0; i < n; i++) {
		if (i && !strcmp(names[i], names[i - 1]))
			continue;
		s = levenshtein(want, names[i]);
		for (k = nb; k > 0 && score[k - 1] > s; k--)
			;
		if (k >= 5)
			continue;
		if (nb < 5)
			nb++;
		memmove(best + k + 1, best + k, (nb - k - 1) * sizeof *best);
		memmove(score + k + 1, score + k, (nb - k - 1) * sizeof *score);
		best[k] = names[i];
		score[k] = s;
	}
	if (!nb)
		return NULL;
	for (i = 0; i < nb; i++)
		len += strlen(best[i]) + 2;
	out = arena_alloc(len + 1);
	for (i = 0, len = 0; i < nb; i++)
		len += (size_t)sprintf(out + len, "%s%s", i ? ", " : "",
		    best[i]);
	return out;
}

/* Point cp runs only where test g holds too (g first, then its own
 * condition) */
static void
guard(struct node *cp, struct node *g)
{
	struct node *x;

	if (cp->cond) {
		x = node_new(N_BINARY, g->loc);
		x->op = O_LAND;
		x->l = g;
		x->r = cp->cond;
		g = x;
	}
	cp->cond = g;
}

struct match {
	const char *name;
	uint64_t addr;
	uint64_t size;          /* a function's, whose prologue is skipped */
	struct umark *mark;
};

/* One concrete probe: point pt with its function or mark named, on
 * address m->addr of uf */
static int
add_point(struct resolver *r, struct node *probe, struct node *pt,
    struct node *body, struct ufile *uf, struct match *m,
    struct node *namecomp, int ret, const char *exe)
{
	struct node *cp = node_copy(pt);
	struct uprobe *up = arena_alloc(sizeof *up);
	struct probe *p;
	int64_t off, sem = 0;

	uint64_t entry = m->addr;

	if (m->size && !ret)
		m->addr = udwarf_prologue(ufile_dwarf(uf), m->addr, m->addr +
		    m->size);
	off = file_offset(uf, m->addr);

	if (off < 0) {
		diag_error(pt->loc, "address 0x%llx of '%s' is in no loaded "
		    "segment of '%s'", (unsigned long long)m->addr,
		    point_text(pt), uf->path);
		return -1;
	}
	if (m->mark && m->mark->sem && (sem = file_offset(uf,
	    m->mark->sem)) < 0) {
		diag_error(pt->loc, "the semaphore of mark '%s' is in no "
		    "loaded segment of '%s'", m->mark->name, uf->path);
		return -1;
	}
	cp->next = NULL;
	cp->args->l->str = exe;
	if (namecomp) {
		/* the same component of the copy names what matched */
		struct node *o = pt->args, *c = cp->args;

		while (o && o != namecomp)
			o = o->next, c = c->next;
		if (c && c->l && c->l->kind == N_STR)
			c->l->str = m->name;
	}
	if (strcmp(uf->path, exe))
		for (namecomp = cp->args; namecomp; namecomp = namecomp->next)
			if (!strcmp(namecomp->str, "library"))
				namecomp->l->str = uf->path;
	cp->str = uf->path;
	cp->num = off;
	cp->size = (int)sem;
	/* before the prologue, the stack's top is the return address
	 * and the frame pointer still the caller's: print_ubacktrace()
	 * needs to know (stap-bpfgen/ustack.c) */
	if (m->size && !ret && !m->mark && m->addr == entry)
		cp->flags |= F_UENTRY;
	if (strcmp(uf->path, exe)) {
		/* a library: only in processes of the executable */
		struct node *g = node_new(N_BINARY, pt->loc);
		const char *base = strrchr(exe, '/') + 1;

		g->op = O_EQ;
		g->l = node_new(N_CALL, pt->loc);
		g->l->str = "execname";
		g->r = node_new(N_STR, pt->loc);
		g->r->str = arena_strndup(base, strlen(base) > 15 ? 15 :
		    strlen(base));
		guard(cp, g);
	}
	if (only_pid) {
		struct node *g = node_new(N_BINARY, pt->loc);

		g->op = O_EQ;
		g->l = node_new(N_CALL, pt->loc);
		g->l->str = "pid";
		g->r = node_new(N_NUM, pt->loc);
		g->r->num = only_pid;
		guard(cp, g);
	}
	up->uf = uf;
	up->addr = m->addr;
	up->faddr = entry;
	up->ret = ret;
	up->mark = m->mark;
	up->func = m->mark ? func_at(uf, m->addr) : m->name;
	if (!up->func)
		up->func = "";
	p = points_add(r, probe, cp, body, NULL);
	p->up = up;
	return 1;
}

static int
matchcmp(const void *a, const void *b)
{
	const struct match *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* The functions of uf matching pat, one per address */
static struct match *
match_funcs(struct ufile *uf, const char *pat, size_t *np)
{
	struct match *v = NULL;
	size_t cap = 0, i, j, n = 0;

	for (i = 0; i < uf->nsyms; i++) {
		struct usym *s = &uf->syms[i];

		if (fnmatch(pat, s->name, 0))
			continue;
		/* aliases (malloc, __libc_malloc) and versions of one
		 * symbol at one address are one probe, the first name */
		for (j = 0; j < n && v[j].addr != s->addr; j++)
			;
		if (j < n)
			continue;
		v = vgrow(v, &cap, n + 1, sizeof *v);
		v[n].name = s->name;
		v[n].addr = s->addr;
		v[n].size = s->size;
		v[n++].mark = NULL;
	}
	if (n)
		qsort(v, n, sizeof *v, matchcmp);
	*np = n;
	return v;
}

/* PLT entries: .rela.plt's jump slots, in .plt.sec when the linker
 * made one (IBT), else in .plt after its first, special entry */
static struct match *
match_plt(struct ufile *uf, const char *pat, size_t *np)
{
	Elf_Scn *scn = NULL, *rela = NULL;
	GElf_Shdr sh, rsh;
	uint64_t plt = 0, pltsec = 0;
	size_t shstr, cap = 0, i, n = 0;
	struct match *v = NULL;
	Elf_Data *d, *symd = NULL;
	GElf_Shdr symsh;

	*np = 0;
	if (elf_getshdrstrndx(uf->elf, &shstr) < 0)
		return NULL;
	while ((scn = elf_nextscn(uf->elf, scn))) {
		const char *name;

		if (!gelf_getshdr(scn, &sh) ||
		    !(name = elf_strptr(uf->elf, shstr, sh.sh_name)))
			continue;
		if (!strcmp(name, ".plt"))
			plt = sh.sh_addr;
		else if (!strcmp(name, ".plt.sec"))
			pltsec = sh.sh_addr;
		else if (!strcmp(name, ".rela.plt"))
			rela = scn;
	}
	if (!rela || !plt || !gelf_getshdr(rela, &rsh) || !rsh.sh_entsize ||
	    !(d = elf_getdata(rela, NULL)))
		return NULL;
	scn = elf_getscn(uf->elf, rsh.sh_link);
	if (!scn || !gelf_getshdr(scn, &symsh) ||
	    !(symd = elf_getdata(scn, NULL)))
		return NULL;
	for (i = 0; i < rsh.sh_size / rsh.sh_entsize; i++) {
		GElf_Rela rl;
		GElf_Sym s;
		const char *name;

		if (!gelf_getrela(d, (int)i, &rl) ||
		    GELF_R_TYPE(rl.r_info) != R_X86_64_JUMP_SLOT ||
		    !gelf_getsym(symd, (int)GELF_R_SYM(rl.r_info), &s) ||
		    !(name = elf_strptr(uf->elf, symsh.sh_link, s.st_name)) ||
		    fnmatch(pat, name, 0))
			continue;
		v = vgrow(v, &cap, n + 1, sizeof *v);
		v[n].name = name;
		v[n].addr = pltsec ? pltsec + 16 * i : plt + 16 * (i + 1);
		v[n].size = 0;
		v[n++].mark = NULL;
	}
	if (n)
		qsort(v, n, sizeof *v, matchcmp);
	*np = n;
	return v;
}

/* stap writes a mark's "__" as "-": mark("a-b") names a__b */
static int
mark_matches(const char *pat, const char *name)
{
	char alt[256];
	size_t i, k = 0;

	if (!fnmatch(pat, name, 0))
		return 1;
	for (i = 0; name[i] && k + 1 < sizeof alt; i++) {
		if (name[i] == '_' && name[i + 1] == '_') {
			alt[k++] = '-';
			i++;
		} else
			alt[k++] = name[i];
	}
	alt[k] = '\0';
	return !fnmatch(pat, alt, 0);
}

static struct match *
match_marks(struct ufile *uf, const char *prov, const char *pat, size_t *np)
{
	struct match *v = NULL;
	size_t cap = 0, i, n = 0;

	for (i = 0; i < uf->nmarks; i++) {
		struct umark *m = &uf->marks[i];

		if ((prov && !mark_matches(prov, m->provider)) ||
		    !mark_matches(pat, m->name))
			continue;
		v = vgrow(v, &cap, n + 1, sizeof *v);
		v[n].name = m->name;
		v[n].addr = m->pc;
		v[n].size = 0;
		v[n++].mark = m;
	}
	/* in the file's order: marks of one name at several places */
	*np = n;
	return v;
}

static const char **
names_of(struct ufile *uf, int what, size_t *np)
{
	const char **v;
	size_t i, n = 0;
	struct match *m = NULL;

	if (what == 'p')
		m = match_plt(uf, "*", &n);
	else if (what == 'm')
		m = match_marks(uf, NULL, "*", &n);
	else
		n = uf->nsyms;
	v = arena_alloc((n + 1) * sizeof *v);
	for (i = 0; i < n; i++)
		v[i] = m ? m[i].name : uf->syms[i].name;
	free(m);
	*np = n;
	return v;
}

static int
expand_matches(struct resolver *r, struct node *probe, struct node *pt,
    struct node *body, struct ufile *uf, struct match *v, size_t n,
    struct node *namecomp, int ret, const char *exe)
{
	size_t i;
	int k = 0;

	for (i = 0; i < n; i++) {
		if (add_point(r, probe, pt, k ? node_copy(body) : body, uf,
		    &v[i], namecomp, ret, exe) < 0)
			return -1;
		k++;
	}
	return k;
}

void
uprobe_set_target(int opt, const char *arg)
{
	char buf[PATH_MAX], *rp;

	target_exe = NULL;
	if (opt == 'x') {
		char link[64];

		snprintf(link, sizeof link, "/proc/%s/exe", arg);
		if (!(rp = realpath(link, buf))) {
			target_why = arena_strndup(arg, strlen(arg));
			return;
		}
		target_exe = arena_strndup(rp, strlen(rp));
		return;
	}
	/* the command's first word, as the shell would find it */
	{
		size_t n = strcspn(arg + strspn(arg, " \t"), " \t");
		char *w = arena_strndup(arg + strspn(arg, " \t"), n);

		if (!(target_exe = find_exe(w)))
			target_why = w;
	}
}

static struct node *
mk_and(struct loc loc, struct node *a, struct node *b)
{
	struct node *x;

	if (!a || !b)
		return a ? a : b;
	x = node_new(N_BINARY, loc);
	x->op = O_LAND;
	x->l = a;
	x->r = b;
	return x;
}

static struct node *
mk_test(struct loc loc, const char *f, struct node *r)
{
	struct node *g = node_new(N_BINARY, loc);

	g->op = O_EQ;
	g->l = node_new(N_CALL, loc);
	g->l->str = f;
	g->r = r;
	return g;
}

/*
 * process[("PATH")].begin and .end on the scheduler's tracepoints: a
 * process begins running PATH when it execs it (sched_process_exec,
 * in the new program's context) and ends when its main thread exits
 * (sched_process_exit with pid() == tid()).  Processes are told by
 * execname(), the kernel's comm: the file's base name, 15 bytes of
 * it; without a path (and no -c or -x target) every process.
 */
static int
begin_end(struct resolver *r, struct node *probe, struct node *pt,
    struct node *body, const char *path, int end)
{
	struct node *np = node_copy(pt), *k, *t, *g = NULL;

	np->next = NULL;
	k = node_new(N_COMP, pt->loc);
	k->str = "kernel";
	t = node_new(N_COMP, pt->loc);
	t->str = "trace";
	t->l = node_new(N_STR, pt->loc);
	t->l->type = T_STRING;
	t->l->str = end ? "sched:sched_process_exit" :
	    "sched:sched_process_exec";
	k->next = t;
	np->args = k;
	if (path) {
		const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 :
		    path;
		struct node *s = node_new(N_STR, pt->loc);

		s->str = arena_strndup(base, strlen(base) > 15 ? 15 :
		    strlen(base));
		g = mk_test(pt->loc, "execname", s);
	}
	if (only_pid) {
		struct node *nn = node_new(N_NUM, pt->loc);

		nn->num = only_pid;
		g = mk_and(pt->loc, g, mk_test(pt->loc, "pid", nn));
	}
	if (end) {
		struct node *c = node_new(N_CALL, pt->loc);

		c->str = "tid";
		g = mk_and(pt->loc, g, mk_test(pt->loc, "pid", c));
	}
	np->cond = mk_and(pt->loc, g, np->cond);
	return points_trace(r, probe, np, body);
}

/*
 * process("/lib*\/libc.so.6"): a point for each file the pattern
 * matches, as stap's glob of the path; files of another machine (a
 * 32-bit library among them) are passed over, links to one file taken
 * once
 */
static int
expand_glob(struct resolver *r, struct node *probe, struct node *pt,
    struct node *body)
{
	struct node *c0 = pt->args;
	const char *pat = c0->l->str, *why, **seen = NULL;
	char buf[PATH_MAX], *rp;
	size_t i, j, n = 0, cap = 0;
	glob_t gl;
	int rc = 0;

	if (glob(pat, 0, NULL, &gl) != 0)
		gl.gl_pathc = 0;
	for (i = 0; i < gl.gl_pathc; i++) {
		if (!(rp = realpath(gl.gl_pathv[i], buf)) ||
		    !ufile_open(rp, &why))
			continue;
		for (j = 0; j < n && strcmp(seen[j], rp); j++)
			;
		if (j < n)
			continue;
		seen = vgrow(seen, &cap, n + 1, sizeof *seen);
		seen[n++] = c0->l->str = arena_strndup(rp, strlen(rp));
		if (uprobe_expand(r, probe, pt, body) < 0)
			rc = -1;
	}
	c0->l->str = pat;
	if (gl.gl_pathc)
		globfree(&gl);
	free(seen);
	if (!n && !rc) {
		diag_error(c0->l->loc, "cannot find executable '%s'", pat);
		return -1;
	}
	return rc < 0 ? -1 : 1;
}

/*
 * .statement("FUNC@FILE:LINE"): the first address the line table gives
 * LINE of FILE (the source path's end) in each function FUNC (a
 * wildcard) matches, as stap places a statement probe; the matches,
 * *np of them, or NULL.  *bad says why none when it is not a match
 * that failed.
 */
static struct match *
match_line(struct ufile *uf, const char *spec, size_t *np, const char **bad)
{
	const char *at = strchr(spec, '@'), *colon = strrchr(spec, ':');
	char func[256], file[PATH_MAX], *e;
	struct match *v = NULL;
	size_t cap = 0, i, j, n = 0, nsrc = 0;
	Dwarf_Line **src = NULL;
	Dwarf *dw;
	long line;

	*np = 0;
	if (!at || !colon || colon < at || (size_t)(at - spec) >= sizeof func ||
	    (size_t)(colon - at) > sizeof file || (line = strtol(colon + 1,
	    &e, 10)) <= 0 || *e) {
		*bad = "wants FUNCTION@FILE:LINE";
		return NULL;
	}
	snprintf(func, sizeof func, "%.*s", (int)(at - spec), spec);
	snprintf(file, sizeof file, "%.*s", (int)(colon - at - 1), at + 1);
	if (!(dw = ufile_dwarf(uf))) {
		*bad = "needs DWARF, and the file has none (build it with -g)";
		return NULL;
	}
	if (dwarf_getsrc_file(dw, file, (int)line, 0, &src, &nsrc) != 0)
		return NULL;
	for (i = 0; i < nsrc; i++) {
		Dwarf_Addr a;
		const char *f;

		if (dwarf_lineaddr(src[i], &a) != 0 ||
		    !(f = func_at(uf, a)) || fnmatch(func, f, 0))
			continue;
		for (j = 0; j < n && strcmp(v[j].name, f); j++)
			;
		if (j < n) {
			if (a < v[j].addr)
				v[j].addr = a;
			continue;
		}
		v = vgrow(v, &cap, n + 1, sizeof *v);
		memset(&v[n], 0, sizeof v[n]);
		v[n].name = f;
		v[n++].addr = a;
	}
	free(src);
	*np = n;
	return v;
}

int
uprobe_expand(struct resolver *r, struct node *probe, struct node *pt,
    struct node *body)
{
	struct node *c0 = pt->args, *c = c0->next, *name, *tail;
	struct ufile *exe, *uf;
	struct match *v = NULL, one;
	const char *path = NULL, *why = "", *what = NULL, *kind;
	size_t n = 0;
	int ret = 0, k, hint = 0;

	if (c && !c->l && !c->next && (!strcmp(c->str, "begin") ||
	    !strcmp(c->str, "end")) && (!c0->l || c0->l->kind == N_STR)) {
		only_pid = 0;
		if (c0->l && !(path = find_exe(c0->l->str))) {
			diag_error(c0->l->loc, "cannot find executable '%s'",
			    c0->l->str);
			return -1;
		}
		return begin_end(r, probe, pt, body, c0->l ? path :
		    target_exe, c->str[0] == 'e');
	}

	if (!c0->l && target_exe) {
		/* process.function(...): the -c or -x target's */
		c0->l = node_new(N_STR, c0->loc);
		c0->l->type = T_STRING;
		c0->l->str = target_exe;
	}
	if (!c0->l) {
		if (target_why)
			diag_error(c0->loc, "cannot find the executable of "
			    "the target '%s' for '%s'", target_why,
			    point_text(pt));
		else
			diag_error(c0->loc, "probe point '%s' needs a path, "
			    "or a target (-c or -x) whose executable it is",
			    point_text(pt));
		return -1;
	}
	only_pid = 0;
	if (c0->l->kind == N_NUM) {
		/* process(PID): that process's executable, guarded */
		char link[64], buf[PATH_MAX], *rp;

		snprintf(link, sizeof link, "/proc/%lld/exe",
		    (long long)c0->l->num);
		if (c0->l->num <= 0 || !(rp = realpath(link, buf))) {
			diag_error(c0->l->loc, "cannot find the executable of "
			    "process %lld", (long long)c0->l->num);
			return -1;
		}
		only_pid = c0->l->num;
		c0->l->kind = N_STR;
		c0->l->type = T_STRING;
		c0->l->str = arena_strndup(rp, strlen(rp));
	}
	if (c0->l->kind != N_STR) {
		diag_error(c0->loc, "probe point '%s' is not supported by "
		    "stap-bpf yet (process needs a path)", point_text(pt));
		return -1;
	}
	if (strpbrk(c0->l->str, "*?["))
		return expand_glob(r, probe, pt, body);
	if (!(path = find_exe(c0->l->str))) {
		diag_error(c0->l->loc, "cannot find executable '%s'",
		    c0->l->str);
		return -1;
	}
	if (!(exe = ufile_open(path, &why))) {
		diag_error(c0->l->loc, "cannot probe '%s': %s", path, why);
		return -1;
	}
	uf = exe;
	if (comp_is(c, "library", 's')) {
		const char *lib = find_lib(exe, c->l->str);

		if (!lib) {
			diag_error(c->l->loc, "cannot find library '%s' for "
			    "'%s'", c->l->str, path);
			return -1;
		}
		if (!(uf = ufile_open(lib, &why))) {
			diag_error(c->l->loc, "cannot probe '%s': %s", lib,
			    why);
			return -1;
		}
		c = c->next;
	}
	name = c;
	tail = c ? c->next : NULL;
	if (comp_is(c, "function", 's') && (!tail ||
	    (!tail->next && (comp_is(tail, "call", 0) ||
	    comp_is(tail, "return", 0))))) {
		ret = tail && !strcmp(tail->str, "return");
		v = match_funcs(uf, c->l->str, &n);
		what = "function";
		hint = 'f';
	} else if (comp_is(c, "plt", 's') && (!tail || (!tail->next &&
	    comp_is(tail, "return", 0)))) {
		ret = tail != NULL;
		v = match_plt(uf, c->l->str, &n);
		what = "function";
		hint = 'p';
	} else if (comp_is(c, "statement", 'n') && (!tail ||
	    (!tail->next && comp_is(tail, "absolute", 0)))) {
		one.name = NULL;
		one.addr = (uint64_t)c->l->num;
		one.mark = NULL;
		one.size = 0;
		one.name = func_at(uf, one.addr);
		k = add_point(r, probe, pt, body, uf, &one, NULL, 0, path);
		return k;
	} else if (comp_is(c, "statement", 's') && !tail) {
		const char *bad = NULL;

		v = match_line(uf, c->l->str, &n, &bad);
		if (bad) {
			diag_error(c->l->loc, "statement '%s': %s", c->l->str,
			    bad);
			return -1;
		}
		for (k = 0; (size_t)k < n; k++)
			if (add_point(r, probe, pt, body, uf, &v[k], NULL, 0,
			    path) < 0) {
				free(v);
				return -1;
			}
		free(v);
		if (n || (pt->flags & F_OPTIONAL))
			return (int)n;
		diag_error(pt->loc, "no match for probe point '%s'",
		    point_text(pt));
		return -1;
	} else if ((comp_is(c, "mark", 's') && !tail) ||
	    (comp_is(c, "provider", 's') && comp_is(tail, "mark", 's') &&
	    !tail->next)) {
		const char *prov = NULL;

		if (!strcmp(c->str, "provider")) {
			prov = c->l->str;
			name = tail;
		}
		v = match_marks(uf, prov, name->l->str, &n);
		what = "mark";
		hint = 'm';
	} else {
		diag_error(pt->loc, "probe point '%s' is not supported by "
		    "stap-bpf yet", point_text(pt));
		return -1;
	}
	k = expand_matches(r, probe, pt, body, uf, v, n, name, ret, path);
	free(v);
	if (k != 0 || (pt->flags & F_OPTIONAL))
		return k;
	{
		size_t nn;
		const char **names = names_of(uf, hint, &nn);
		const char *s = similar(names, nn, name->l->str);

		kind = what;
		if (s)
			diag_error(pt->loc, "no match for probe point '%s' "
			    "(similar %s%s: %s)", point_text(pt), kind,
			    strchr(s, ',') ? "s" : "", s);
		else
			diag_error(pt->loc, "no match for probe point '%s'",
			    point_text(pt));
	}
	return -1;
}

/* ---- context ---- */

/* %reg as a 64-bit read, or NULL */
static struct node *
reg64(struct loc loc, const char *s, size_t len, int *width)
{
	char name[16];
	int off;

	if (len < 2 || len >= sizeof name || s[0] != '%')
		return NULL;
	memcpy(name, s + 1, len - 1);
	name[len - 1] = '\0';
	if (uregs_find(name, &off, width) < 0)
		return NULL;
	return mk_reg(loc, "u_register", uregs_name(off));
}

/* A symbol's address as linked, in uf, for sym(%rip) operands */
static int
sym_addr(struct ufile *uf, const char *name, size_t len, uint64_t *a)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(uf->elf, scn))) {
		Elf_Data *d;
		size_t i;

		if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_SYMTAB &&
		    sh.sh_type != SHT_DYNSYM) || !sh.sh_entsize ||
		    !(d = elf_getdata(scn, NULL)))
			continue;
		for (i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym s;
			const char *nm;

			if (gelf_getsym(d, (int)i, &s) && s.st_shndx !=
			    SHN_UNDEF && (nm = elf_strptr(uf->elf, sh.sh_link,
			    s.st_name)) && strlen(nm) == len &&
			    !strncmp(nm, name, len)) {
				*a = s.st_value;
				return 0;
			}
		}
	}
	return -1;
}

/*
 * An SDT argument, "[-]SIZE@OPERAND" in AT&T syntax: %reg, $imm,
 * [disp](%base[,%index[,scale]]) or sym[+-off](%rip).  NULL if it
 * cannot be read
 */
static struct node *
sdt_arg(struct uprobe *up, const char *spec, size_t len, struct loc loc)
{
	const char *at = memchr(spec, '@', len), *op, *end = spec + len;
	const char *lp, *rp;
	int size = 8, sgn = 1, width;
	struct node *x, *addr = NULL;
	int64_t disp = 0;
	char *e;

	if (at) {
		long sz = strtol(spec, &e, 10);

		if (e != at || sz == 0 || sz < -8 || sz > 8)
			return NULL;
		sgn = sz < 0;
		size = (int)(sz < 0 ? -sz : sz);
		op = at + 1;
	} else
		op = spec;
	if (op < end && *op == '%') {
		if (!(x = reg64(loc, op, (size_t)(end - op), &width)))
			return NULL;
		return mk_narrow(loc, x, size < width ? size : width, sgn);
	}
	if (op < end && *op == '$') {
		char buf[32];

		snprintf(buf, sizeof buf, "%.*s", (int)(end - op - 1), op + 1);
		disp = strtoll(buf, &e, 0);
		return *e ? NULL : mk_num(loc, disp);
	}
	if (!(lp = memchr(op, '(', (size_t)(end - op))) || end[-1] != ')')
		return NULL;
	rp = end - 1;
	if (lp > op) {
		char buf[128];
		const char *pm;

		snprintf(buf, sizeof buf, "%.*s", (int)(lp - op), op);
		if (isdigit((unsigned char)buf[0]) || buf[0] == '-') {
			disp = strtoll(buf, &e, 0);
			if (*e)
				return NULL;
		} else {
			/* sym, sym+N, sym-N: only %rip-relative */
			uint64_t a;
			size_t nl;

			pm = strpbrk(buf, "+-");
			nl = pm ? (size_t)(pm - buf) : strlen(buf);
			if (strncmp(lp, "(%rip)", 6) ||
			    sym_addr(up->uf, buf, nl, &a) < 0)
				return NULL;
			if (pm) {
				disp = strtoll(pm, &e, 0);
				if (*e)
					return NULL;
			}
			/* at the hit the ip is the mark's address */
			addr = mk_bin(loc, O_PLUS, mk_call(loc, "uaddr", NULL),
			    mk_num(loc, (int64_t)(a - up->addr) + disp));
			return mk_uread(loc, addr, size, sgn);
		}
	}
	{
		const char *comma = memchr(lp, ',', (size_t)(rp - lp));
		const char *bend = comma ? comma : rp;

		if (bend - lp - 1 > 0 && !(addr = reg64(loc, lp + 1,
		    (size_t)(bend - lp - 1), &width)))
			return NULL;
		if (comma) {
			const char *c2 = memchr(comma + 1, ',',
			    (size_t)(rp - comma - 1));
			const char *iend = c2 ? c2 : rp;
			struct node *ix = reg64(loc, comma + 1,
			    (size_t)(iend - comma - 1), &width);
			long scale = 1;

			if (!ix)
				return NULL;
			if (c2) {
				scale = strtol(c2 + 1, &e, 10);
				if (e != rp)
					return NULL;
			}
			if (scale != 1)
				ix = mk_bin(loc, O_MUL, ix, mk_num(loc, scale));
			addr = addr ? mk_bin(loc, O_PLUS, addr, ix) : ix;
		}
		if (!addr)
			return NULL;
	}
	if (disp)
		addr = mk_bin(loc, O_PLUS, addr, mk_num(loc, disp));
	return mk_uread(loc, addr, size, sgn);
}

/* The k-th (from 1) argument spec of a mark: start and length */
static int
mark_arg(const char *args, int k, const char **s, size_t *len)
{
	const char *p = args;
	int i = 0;

	for (;;) {
		while (*p == ' ')
			p++;
		if (!*p)
			return -1;
		*s = p;
		while (*p && *p != ' ')
			p++;
		*len = (size_t)(p - *s);
		if (++i == k)
			return 0;
	}
}

static int
mark_nargs(const char *args)
{
	const char *s;
	size_t len;
	int k = 0;

	while (mark_arg(args, k + 1, &s, &len) == 0)
		k++;
	return k;
}

static void
become(struct node *n, struct node *x)
{
	struct loc loc = n->loc;
	struct node *next = n->next;

	/* n stays where it is in its list */
	*n = *x;
	n->loc = loc;
	n->next = next;
}

/* $return's width and sign from DWARF; 8 and signed without */
static void
ret_type(struct uprobe *up, int *size, int *sgn)
{
	Dwarf_Die cu, *cup, child, ty;
	Dwarf_Addr lo;
	Dwarf_Attribute a;
	Dwarf_Word enc;

	*size = 8;
	*sgn = 1;
	if (!ufile_dwarf(up->uf) ||
	    !(cup = dwarf_addrdie(up->uf->dw, up->addr, &cu)) ||
	    dwarf_child(cup, &child) != 0)
		return;
	do {
		if (dwarf_tag(&child) != DW_TAG_subprogram ||
		    dwarf_lowpc(&child, &lo) != 0 || lo != up->addr)
			continue;
		if (!dwarf_attr_integrate(&child, DW_AT_type, &a) ||
		    !dwarf_formref_die(&a, &ty))
			return;
		while ((dwarf_tag(&ty) == DW_TAG_typedef ||
		    dwarf_tag(&ty) == DW_TAG_const_type ||
		    dwarf_tag(&ty) == DW_TAG_volatile_type) &&
		    dwarf_attr_integrate(&ty, DW_AT_type, &a) &&
		    dwarf_formref_die(&a, &ty))
			;
		if (dwarf_tag(&ty) == DW_TAG_pointer_type) {
			*sgn = 0;
			return;
		}
		if (dwarf_tag(&ty) == DW_TAG_enumeration_type) {
			*size = 4;
			return;
		}
		if (dwarf_tag(&ty) != DW_TAG_base_type ||
		    dwarf_bytesize(&ty) <= 0)
			return;
		*size = dwarf_bytesize(&ty);
		if (dwarf_attr(&ty, DW_AT_encoding, &a) &&
		    dwarf_formudata(&a, &enc) == 0)
			*sgn = enc == DW_ATE_signed ||
			    enc == DW_ATE_signed_char;
		return;
	} while (dwarf_siblingof(&child, &child) == 0);
}

/* $$parms, $$vars on a mark: "arg1=0x.. arg2=0x.." */
static void
mark_parms(struct uprobe *up, struct node *n)
{
	int k, na = mark_nargs(up->mark->args);
	struct node *fmt = node_new(N_STR, n->loc), **tail = &fmt->next;
	char *buf = arena_alloc((size_t)na * 12 + 1);
	size_t len = 0;

	fmt->type = T_STRING;
	for (k = 1; k <= na; k++) {
		const char *s = "";
		size_t sl = 0;
		struct node *x;

		mark_arg(up->mark->args, k, &s, &sl);
		x = sdt_arg(up, s, sl, n->loc);
		if (!x)
			x = mk_num(n->loc, 0);
		len += (size_t)sprintf(buf + len, "%sarg%d=%%#x", k > 1 ? " " :
		    "", k);
		*tail = x;
		tail = &x->next;
	}
	buf[len] = '\0';
	fmt->str = buf;
	n->kind = N_CALL;
	n->str = "sprintf";
	n->flags = F_BUILTIN;
	n->type = T_STRING;
	n->args = fmt;
}

/* $$parms, $$vars, $$locals: "a=0x1 b=0x2" as stap prints them, each
 * read as $name would be, "?" where it cannot be, {...} and [...] for
 * structs and arrays; $$return "return=0x.." */
static void
list_parms(struct uprobe *up, struct node *n, int which)
{
	const char **names = NULL;
	char *agg = NULL;
	int k, na = up->ret ? 0 : udwarf_vars(ufile_dwarf(up->uf), up->addr,
	    which, &names, &agg);
	struct node *fmt = node_new(N_STR, n->loc), **tail = &fmt->next;
	char *buf;
	size_t len = 0, cap = 16;

	for (k = 0; k < na; k++)
		cap += strlen(names[k]) + 8;
	buf = arena_alloc(cap);
	buf[0] = '\0';
	fmt->type = T_STRING;
	if (which == 'r') {
		int size, sgn;

		ret_type(up, &size, &sgn);
		strcpy(buf, "return=%#x");
		*tail = mk_narrow(n->loc, mk_reg(n->loc, "u_register", "rax"),
		    size, sgn);
	}
	for (k = 0; k < na; k++) {
		struct node t = *n, *x = NULL;
		const char *why;
		char *nm = arena_alloc(strlen(names[k]) + 2);

		sprintf(nm, "$%s", names[k]);
		t.str = nm;
		t.args = NULL;
		if (!agg[k])
			x = udwarf_var(up->uf->dw, up->addr, &t, &why);
		len += (size_t)sprintf(buf + len, "%s%s=%s", k ? " " : "",
		    names[k], agg[k] == '{' ? "{...}" : agg[k] == '[' ?
		    "[...]" : x ? "%#x" : "?");
		if (x) {
			*tail = x;
			tail = &x->next;
		}
	}
	free(names);
	free(agg);
	fmt->str = buf;
	n->kind = N_CALL;
	n->str = "sprintf";
	n->flags = F_BUILTIN;
	n->type = T_STRING;
	n->args = fmt;
}

int
uprobe_target(struct probe *p, struct node *n)
{
	struct uprobe *up = p->up;
	const char *name = n->str;
	int size, sgn;

	if (n->flags & (F_ADDR | F_PRETTY | F_PPRETTY)) {
		diag_error(n->loc, "'%s': & and $ of "
		    "process probe variables are not supported yet", name);
		return -1;
	}
	if (!strcmp(name, "$return")) {
		if (!up->ret) {
			diag_error(n->loc, "'$return' is only available in "
			    ".return probes");
			return -1;
		}
		ret_type(up, &size, &sgn);
		become(n, mk_narrow(n->loc, mk_reg(n->loc, "u_register", "rax"),
		    size, sgn));
		return 0;
	}
	if (up->mark) {
		const char *s;
		size_t len;
		char *e;
		long k;

		if (!strcmp(name, "$$name") || !strcmp(name, "$$provider")) {
			n->kind = N_STR;
			n->str = name[2] == 'n' ? up->mark->name :
			    up->mark->provider;
			n->type = T_STRING;
			return 0;
		}
		if (!strcmp(name, "$$parms") || !strcmp(name, "$$vars")) {
			mark_parms(up, n);
			return 0;
		}
		if (!strncmp(name, "$arg", 4) && (k = strtol(name + 4, &e,
		    10)) > 0 && !*e) {
			struct node *x;

			if (mark_arg(up->mark->args, (int)k, &s, &len) < 0) {
				diag_error(n->loc, "mark '%s' has no argument "
				    "%ld (it has %d)", up->mark->name, k,
				    mark_nargs(up->mark->args));
				return -1;
			}
			if (!(x = sdt_arg(up, s, len, n->loc))) {
				diag_error(n->loc, "cannot read argument %ld "
				    "of mark '%s': operand '%.*s'", k,
				    up->mark->name, (int)len, s);
				return -1;
			}
			become(n, x);
			return 0;
		}
		diag_error(n->loc, "mark '%s' has no context variable '%s'",
		    up->mark->name, name);
		return -1;
	}
	if (!strcmp(name, "$$parms") || !strcmp(name, "$$vars") ||
	    !strcmp(name, "$$locals")) {
		list_parms(up, n, name[2]);
		return 0;
	}
	if (!strcmp(name, "$$return")) {
		if (!up->ret) {
			diag_error(n->loc, "'$$return' is only available in "
			    ".return probes");
			return -1;
		}
		list_parms(up, n, 'r');
		return 0;
	}
	if (up->ret) {
		diag_error(n->loc, "'%s' at the return of '%s': only $return "
		    "is available (@entry(%s) is the value at entry)", name,
		    up->func, name);
		return -1;
	}
	{
		const char *why = "";
		struct node *x = udwarf_var(ufile_dwarf(up->uf), up->addr, n,
		    &why);

		if (!x) {
			diag_error(n->loc, "'%s' in '%s': %s", name, up->func,
			    why);
			return -1;
		}
		become(n, x);
	}
	return 0;
}

/* Whether p is a process function's .return probe (entry.c) */
int
uprobe_is_return(struct probe *p)
{
	return p->up && p->up->ret && !p->up->mark;
}

int
uprobe_call(struct probe *p, struct node *n)
{
	/* @entry's key (entry.c): the function, the same at its entry
	 * and its return whatever the prologue */
	if (!n->args && !strcmp(n->str, "__stp_func_addr")) {
		n->kind = N_NUM;
		n->num = (int64_t)p->up->faddr;
		n->type = T_LONG;
		return 1;
	}
	if (n->args || (strcmp(n->str, "probefunc") &&
	    strcmp(n->str, "ppfunc")))
		return 0;
	n->kind = N_STR;
	n->str = p->up->func;
	n->type = T_STRING;
	return 1;
}
