/*
 * The user symbols of stacks and addresses (lib/usym.c) for stap-bpfld:
 * found in the ELF files a process has loaded, at the place it loaded
 * them.
 *
 * Where a file is in a process comes from two places.  Each frame of a
 * USTACK record carries, besides its address, the build id of its file
 * and the offset in it, as the kernel saw them when the probe hit: the
 * file is found among those the script probes and the libraries they
 * need (as the dynamic loader would find them), and the frame's address
 * less the offset's address in the file is where the file sits.  That
 * holds after the process has exited.  Otherwise /proc/PID/maps, read
 * once per process, while it runs.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gelf.h>
#include <libelf.h>

#include "bpfld.h"
#include "usym.h"

struct fsym {
	uint64_t addr, size;
	const char *name;
	int global;
};

struct uelf {
	char *path;
	int fd;
	Elf *elf;
	unsigned char bid[20];
	size_t bidlen;
	GElf_Phdr *ph;          /* its PT_LOADs */
	size_t nph;
	uint64_t lo, hi;        /* the addresses they span */
	struct fsym *syms;
	size_t nsyms, capsyms;
	struct uelf *next;
};

/* file f of process pid is loaded bias bytes above its addresses */
struct umod {
	uint32_t pid;
	struct uelf *f;
	uint64_t bias;
	struct umod *next;
};

static struct usyms table;
static struct uelf *elfs;
static struct umod *mods;
static uint32_t *mapped;        /* the pids whose maps were read */
static size_t nmapped, capmapped;
static int indexed;
static struct ld *theld;

static int
fsymcmp(const void *a, const void *b)
{
	const struct fsym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* of a function's names, the global one (not its local alias) */
	return y->global - x->global;
}

static void
read_syms(struct uelf *f, Elf_Scn *scn, GElf_Shdr *sh)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t i, n;
	GElf_Sym s;

	if (!d || !sh->sh_entsize)
		return;
	n = sh->sh_size / sh->sh_entsize;
	for (i = 0; i < n; i++) {
		const char *name;
		int t;

		if (!gelf_getsym(d, (int)i, &s) || s.st_shndx == SHN_UNDEF ||
		    !s.st_value)
			continue;
		t = GELF_ST_TYPE(s.st_info);
		if (t != STT_FUNC && t != STT_GNU_IFUNC && t != STT_OBJECT)
			continue;
		name = elf_strptr(f->elf, sh->sh_link, s.st_name);
		if (!name || !*name)
			continue;
		f->syms = vgrow(f->syms, &f->capsyms, f->nsyms + 1,
		    sizeof *f->syms);
		f->syms[f->nsyms].addr = s.st_value;
		f->syms[f->nsyms].size = s.st_size;
		f->syms[f->nsyms].name = name;
		f->syms[f->nsyms++].global = GELF_ST_BIND(s.st_info) !=
		    STB_LOCAL;
	}
}

static void
read_bid(struct uelf *f, Elf_Scn *scn)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t off = 0, noff, doff;
	GElf_Nhdr nh;

	while (d && (off = gelf_getnote(d, off, &nh, &noff, &doff)) > 0)
		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
		    !memcmp((char *)d->d_buf + noff, "GNU", 4)) {
			f->bidlen = nh.n_descsz < 20 ? nh.n_descsz : 20;
			memcpy(f->bid, (char *)d->d_buf + doff, f->bidlen);
			return;
		}
}

/* The ELF file at path, opened once; NULL if it is none */
static struct uelf *
uelf_open(const char *path)
{
	struct uelf *f;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	size_t i, n, cap = 0, symtab = 0;

	for (f = elfs; f; f = f->next)
		if (!strcmp(f->path, path))
			return f->elf ? f : NULL;
	f = calloc(1, sizeof *f);
	if (!f)
		fatal("out of memory");
	f->path = estrdup(path);
	f->fd = -1;
	f->next = elfs;
	elfs = f;
	if ((f->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return NULL;
	elf_version(EV_CURRENT);
	if (!(f->elf = elf_begin(f->fd, ELF_C_READ_MMAP, NULL)) ||
	    elf_kind(f->elf) != ELF_K_ELF || elf_getphdrnum(f->elf, &n)) {
		if (f->elf)
			elf_end(f->elf);
		f->elf = NULL;
		close(f->fd);
		f->fd = -1;
		return NULL;
	}
	f->lo = UINT64_MAX;
	for (i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(f->elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		f->ph = vgrow(f->ph, &cap, f->nph + 1, sizeof *f->ph);
		f->ph[f->nph++] = ph;
		if (ph.p_vaddr < f->lo)
			f->lo = ph.p_vaddr;
		if (ph.p_vaddr + ph.p_memsz > f->hi)
			f->hi = ph.p_vaddr + ph.p_memsz;
	}
	while ((scn = elf_nextscn(f->elf, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB)
			symtab = 1;
	/* a stripped file's functions are those it exports */
	while ((scn = elf_nextscn(f->elf, scn))) {
		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == (symtab ? SHT_SYMTAB : SHT_DYNSYM))
			read_syms(f, scn, &sh);
		else if (sh.sh_type == SHT_NOTE && !f->bidlen)
			read_bid(f, scn);
	}
	qsort(f->syms, f->nsyms, sizeof *f->syms, fsymcmp);
	/* a symbol without a size reaches to the next */
	for (i = 0; i < f->nsyms; i++)
		if (!f->syms[i].size) {
			for (n = i + 1; n < f->nsyms &&
			    f->syms[n].addr == f->syms[i].addr;)
				n++;
			f->syms[i].size = n < f->nsyms ? f->syms[n].addr -
			    f->syms[i].addr : 1;
		}
	return f;
}

/* The address of file offset off in f, or -1 */
static int64_t
vaddr(const struct uelf *f, uint64_t off)
{
	size_t i;

	for (i = 0; i < f->nph; i++)
		if (off >= f->ph[i].p_offset && off - f->ph[i].p_offset <
		    f->ph[i].p_filesz)
			return (int64_t)(off - f->ph[i].p_offset +
			    f->ph[i].p_vaddr);
	return -1;
}

static const struct fsym *
fsym_find(const struct uelf *f, uint64_t a)
{
	size_t lo = 0, hi = f->nsyms, i;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (f->syms[mid].addr <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	i = lo - 1;
	while (i > 0 && f->syms[i - 1].addr == f->syms[i].addr)
		i--;
	/* the symbol at or below a that contains it; one that ends
	 * before a may lie inside a bigger one below (a function's
	 * static object) */
	for (;; i--) {
		if (a - f->syms[i].addr < f->syms[i].size)
			return &f->syms[i];
		if (!i || a - f->syms[i].addr > 1 << 20)
			return NULL;
	}
}

static void
learn(uint32_t pid, struct uelf *f, uint64_t bias)
{
	struct umod *m;

	for (m = mods; m; m = m->next)
		if (m->pid == pid && m->f == f) {
			m->bias = bias;
			return;
		}
	m = calloc(1, sizeof *m);
	if (!m)
		fatal("out of memory");
	m->pid = pid;
	m->f = f;
	m->bias = bias;
	m->next = mods;
	mods = m;
}

/* the directories the dynamic loader searches by default here */
static const char *const libdirs[] = {
	"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64",
	"/usr/lib64", "/lib", "/usr/lib",
};

/* f's DT_NEEDED libraries, and its interpreter, opened */
static void
open_needed(struct uelf *f, int depth)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	GElf_Dyn dyn;
	size_t i, k;
	char path[4096];

	if (depth > 3)
		return;
	while ((scn = elf_nextscn(f->elf, scn))) {
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNAMIC ||
		    !(d = elf_getdata(scn, NULL)) || !sh.sh_entsize)
			continue;
		for (i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			const char *name;
			struct uelf *g;

			if (!gelf_getdyn(d, (int)i, &dyn) ||
			    dyn.d_tag != DT_NEEDED || !(name = elf_strptr(
			    f->elf, sh.sh_link, dyn.d_un.d_val)))
				continue;
			for (k = 0; k < NELEM(libdirs); k++) {
				snprintf(path, sizeof path, "%s/%s",
				    libdirs[k], name);
				if (access(path, R_OK))
					continue;
				if ((g = uelf_open(path)))
					open_needed(g, depth + 1);
				break;
			}
		}
	}
	{
		size_t n;
		GElf_Phdr ph;

		if (elf_getphdrnum(f->elf, &n))
			return;
		for (i = 0; i < n; i++) {
			const char *interp;
			size_t len;

			if (!gelf_getphdr(f->elf, (int)i, &ph) ||
			    ph.p_type != PT_INTERP)
				continue;
			interp = elf_rawfile(f->elf, &len);
			if (interp && ph.p_offset + ph.p_filesz <= len &&
			    ph.p_filesz && memchr(interp + ph.p_offset, 0,
			    ph.p_filesz))
				uelf_open(interp + ph.p_offset);
		}
	}
}

/* the files a build id may be of: those probed, what they load */
static void
index_files(void)
{
	const struct meta *m = &theld->meta;
	struct uelf *f;
	size_t i;

	indexed = 1;
	for (i = 0; i < m->nprobes; i++)
		if (m->probes[i].path && (f = uelf_open(m->probes[i].path)))
			open_needed(f, 0);
}

static struct uelf *
by_bid(const unsigned char *bid)
{
	struct uelf *f;

	for (f = elfs; f; f = f->next)
		if (f->elf && f->bidlen && !memcmp(f->bid, bid, f->bidlen))
			return f;
	if (!indexed) {
		index_files();
		return by_bid(bid);
	}
	return NULL;
}

/* process pid's mappings: where its files are */
static void
read_maps(uint32_t pid)
{
	char path[64], line[4096 + 128], file[4096];
	unsigned long long start, end, off;
	size_t i;
	FILE *fp;

	for (i = 0; i < nmapped; i++)
		if (mapped[i] == pid)
			return;
	mapped = vgrow(mapped, &capmapped, nmapped + 1, sizeof *mapped);
	mapped[nmapped++] = pid;
	snprintf(path, sizeof path, "/proc/%" PRIu32 "/maps", pid);
	if (!(fp = fopen(path, "r")))
		return;
	while (fgets(line, sizeof line, fp)) {
		struct uelf *f;
		int64_t va;

		if (sscanf(line, "%llx-%llx %*s %llx %*s %*s %4095[^\n]",
		    &start, &end, &off, file) != 4 || file[0] != '/')
			continue;
		if (!(f = uelf_open(file)) || (va = vaddr(f, off)) < 0)
			continue;
		learn(pid, f, start - (uint64_t)va);
	}
	fclose(fp);
}

static int
from_mods(uint32_t pid, uint64_t addr)
{
	struct umod *m;
	const struct fsym *s;

	for (m = mods; m; m = m->next) {
		uint64_t a = addr - m->bias;

		if (m->pid != pid || a < m->f->lo || a >= m->f->hi)
			continue;
		if ((s = fsym_find(m->f, a)))
			usym_add(&table, pid, addr - (a - s->addr), s->size, 0,
			    s->name, m->f->path);
		else
			usym_add(&table, pid, addr, 1, a, "", m->f->path);
		return 1;
	}
	return 0;
}

static void
resolve(void *arg, uint32_t pid, uint64_t addr)
{
	(void)arg;
	if (from_mods(pid, addr))
		return;
	read_maps(pid);
	if (!from_mods(pid, addr))
		usym_add(&table, pid, addr, 1, 0, "", "");
}

/* What a USTACK record's build ids say of where its files are */
static void
learn_stack(const void *p, size_t len)
{
	struct ustk st;
	const unsigned char *bids;
	uint32_t nbid, i;

	if (usym_stack(p, len, &st, &bids, &nbid) < 0)
		return;
	for (i = 0; i < nbid && i < st.n; i++) {
		const unsigned char *b = bids + 32 * (size_t)i;
		int32_t status;
		uint64_t off;
		struct uelf *f;
		int64_t va;

		memcpy(&status, b, 4);
		memcpy(&off, b + 24, 8);
		/* BPF_STACK_BUILD_ID_VALID */
		if (status != 1 || !(f = by_bid(b + 4)) ||
		    (va = vaddr(f, off)) < 0)
			continue;
		learn(st.pid, f, st.ips[i] - (uint64_t)va);
	}
}

static void
init(struct ld *ld)
{
	if (theld)
		return;
	theld = ld;
	table.resolve = resolve;
	stapfmt_usyms = &table;
}

/* A USTACK record: printed, or kept (silent: the references of a
 * sprint_ubacktrace() name it), and with --raw its symbols sent
 * first; -1 if malformed */
int
usyms_record(struct ld *ld, uint32_t silent, const void *p, size_t len)
{
	struct ustk st;
	const unsigned char *bids;
	uint32_t nbid;

	init(ld);
	if (usym_stack(p, len, &st, &bids, &nbid) < 0)
		return -1;
	learn_stack(p, len);
	if (ld->raw) {
		usym_needed_stack(&table, p, len, syms_sendrec, ld);
		return 0;
	}
	if (silent == 1)
		usym_keep(&table, &st);
	else if (!silent)
		usym_print_stack(ld->out, &table, p, len);
	return 0;
}

/* --raw: the symbols a PRINTF record's references need, sent first */
void
usyms_refs(struct ld *ld, const void *p, size_t len)
{
	init(ld);
	usym_needed_refs(&table, p, len, syms_sendrec, ld);
}

void
usyms_free(void)
{
	struct uelf *f;
	struct umod *m;

	while ((f = elfs)) {
		elfs = f->next;
		if (f->elf)
			elf_end(f->elf);
		if (f->fd >= 0)
			close(f->fd);
		free(f->path);
		free(f->ph);
		free(f->syms);
		free(f);
	}
	while ((m = mods)) {
		mods = m->next;
		free(m);
	}
	free(mapped);
	mapped = NULL;
	nmapped = capmapped = 0;
	usym_free(&table);
	stapfmt_usyms = NULL;
	theld = NULL;
	indexed = 0;
}
