/*
 * Userspace programs: begin, end and error probes, run by the
 * interpreter (interp.h) with the kernel's helpers emulated here, plus
 * the userspace-only helpers of abi.md (foreach, clear, count).
 *
 * Map values are where emulation has to choose.  The generated code
 * keeps a pointer from map_lookup_elem for a whole probe and stores
 * through it, as kernel code may, so a lookup must give memory whose
 * stores reach the map:
 *   - ARRAY maps (stap_ctl, stap_globals) are made BPF_F_MMAPABLE at
 *     load time and mapped here: a lookup returns the shared memory
 *     itself, stores and atomics are seen by kernel programs at once,
 *     and no system call is made.
 *   - per-CPU maps (stap_scratch) get a private copy: the interpreter
 *     is a CPU of its own, and must not clobber a real CPU's frame.
 *   - stap_fmt is the frozen bytes, read-only.
 *   - other maps (the HASH maps of global arrays) hand out copies from
 *     a ring of NSLOT buffers per map; a copy that changed is written
 *     back before the next helper call and when the program ends, and
 *     a second lookup of the same key returns the same copy, so two
 *     pointers to one element alias as they do in the kernel.
 * Every buffer is allocated and mapped into the interpreter once, at
 * setup; a run adds no regions except what interp_alloc gives, and the
 * regions the run added are dropped when it ends.
 */
/* syscall(2) for perf_event_open and gettid, which libc may lack */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "bpfld.h"

/* A map handle in a register: never a valid interpreter address, since
 * its slot bits (51..32) are 0 */
#define MAPTAG 0xb9f0000000000000ULL

enum {
	E_FAULT = INTERP_EUSER,
};

static size_t
stride(const struct umap *m)
{
	return (m->vsize + 7) & ~(size_t)7;
}

/*
 * NULL if the .stap's @globals (if any) and the probes' ticks counters
 * agree with stap_globals' value size, else what disagrees: load_ticks
 * reads the map's value into a buffer of @globals bytes and a counter
 * at each probe's ticks offset, so a .bo where they differ is refused
 * here, before any probe runs.
 */
static const char *
globalscheck(const struct ld *ld, size_t vsize)
{
	static char why[160];
	size_t i;

	if (ld->meta.globals && ld->meta.globals != vsize) {
		snprintf(why, sizeof why, "@globals says %zu bytes, map "
		    "'stap_globals' has %zu", ld->meta.globals, vsize);
		return why;
	}
	for (i = 0; i < ld->meta.nprobes; i++) {
		const struct meta_probe *pr = &ld->meta.probes[i];

		if (pr->ticks && (pr->ticks - 1 > vsize ||
		    vsize - (pr->ticks - 1) < 8)) {
			snprintf(why, sizeof why, "probe '%.40s': its ticks "
			    "counter at %llu is past map 'stap_globals' (%zu "
			    "bytes)", pr->prog,
			    (unsigned long long)(pr->ticks - 1), vsize);
			return why;
		}
	}
	return NULL;
}

static int
setupmap(struct ld *ld, struct umap *m, struct bpf_map *map)
{
	struct interp *vm = &ld->vm;
	size_t len, i;
	uint32_t key = 0;
	const char *why;

	m->type = bpf_map__type(map);
	m->ksize = bpf_map__key_size(map);
	m->vsize = bpf_map__value_size(map);
	m->max = bpf_map__max_entries(map);
	m->arr = meta_array(&ld->meta, m->name);
	if (m->arr && (why = meta_array_check(&ld->meta, m->arr, m->ksize,
	    m->vsize))) {
		fprintf(stderr, "%s: '%s': %s\n", argv0, ld->path, why);
		return -2;
	}
	if (!strcmp(m->name, MAP_GLOBALS) && (why = globalscheck(ld,
	    m->vsize))) {
		fprintf(stderr, "%s: '%s': %s\n", argv0, ld->path, why);
		return -2;
	}
	if (m->type == BPF_MAP_TYPE_RINGBUF || !m->vsize)
		return 0;
	if (!strcmp(m->name, "stap_fmt")) {
		m->priv = emalloc(m->vsize);
		if (bpf_map_lookup_elem(m->fd, &key, m->priv) < 0)
			return -1;
		m->privaddr = interp_region_add(vm, m->priv, m->vsize, 0);
		return m->privaddr ? 0 : -1;
	}
	if (m->type == BPF_MAP_TYPE_ARRAY &&
	    bpf_map__map_flags(map) & BPF_F_MMAPABLE) {
		len = stride(m) * m->max;
		m->priv = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
		    m->fd, 0);
		if (m->priv == MAP_FAILED) {
			m->priv = NULL;
			return -1;
		}
		m->mapped = len;
		m->privaddr = interp_region_add(vm, m->priv, len, 1);
		return m->privaddr ? 0 : -1;
	}
	if (m->type == BPF_MAP_TYPE_PERCPU_ARRAY) {
		len = stride(m) * m->max;
		m->priv = calloc(1, len ? len : 1);
		if (!m->priv)
			return -1;
		m->privaddr = interp_region_add(vm, m->priv, len, 1);
		return m->privaddr ? 0 : -1;
	}
	for (i = 0; i < NSLOT; i++) {
		struct lslot *s = &m->slot[i];

		s->buf = emalloc(m->vsize);
		s->snap = emalloc(m->vsize);
		s->key = emalloc(m->ksize ? m->ksize : 1);
		s->vaddr = interp_region_add(vm, s->buf, m->vsize, 1);
		if (!s->vaddr)
			return -1;
	}
	return 0;
}

static int helper(struct interp *vm, int id, const uint64_t args[5],
    uint64_t *ret, void *user);
static int mapload(struct interp *vm, int src, int32_t imm, int32_t imm2,
    uint64_t *val, void *user);

static int
setupprogs(struct ld *ld)
{
	size_t i, j, k;
	struct hash byname = { 0 };     /* userspace programs, the first */
	long at;

	ld->uprogs = calloc(ld->meta.nprobes + 1, sizeof *ld->uprogs);
	if (!ld->uprogs)
		return -1;
	for (j = 0; j < ld->bo->nprogs; j++)
		if (!ld->bo->progs[j].kernel)
			hash_add(&byname, ld->bo->progs[j].name, (long)j);
	for (i = 0; i < ld->meta.nprobes; i++) {
		const struct meta_probe *pr = &ld->meta.probes[i];
		const struct bo_prog *bp = NULL;
		struct uprog *u;

		if (pr->kind != PK_BEGIN && pr->kind != PK_END &&
		    pr->kind != PK_ERROR && pr->kind != PK_PROCFS)
			continue;
		if ((at = hash_get(&byname, pr->prog)) >= 0)
			bp = &ld->bo->progs[at];
		if (!bp) {
			fprintf(stderr, "%s: '%s': no program '%s' for probe "
			    "'%s'\n", argv0, ld->path, pr->prog, pr->point);
			return -1;
		}
		u = &ld->uprogs[ld->nuprogs++];
		u->probe = pr;
		u->n = bp->ninsn;
		u->insns = emalloc((u->n ? u->n : 1) * sizeof *u->insns);
		memcpy(u->insns, bp->insns, u->n * sizeof *u->insns);
		/* Map loads name the map by its index, which mapload
		 * turns into a handle */
		for (k = 0; k < bp->nreloc; k++) {
			const struct bo_reloc *r = &bp->relocs[k];

			if (r->insn >= u->n || r->map < 0 ||
			    (size_t)r->map >= ld->numaps)
				return -1;
			/* an address in a global-data map's value: the
			 * offset goes where the kernel has it */
			if (u->insns[r->insn].src_reg == BPF_PSEUDO_MAP_VALUE)
				u->insns[r->insn + 1].imm =
				    u->insns[r->insn].imm;
			else
				u->insns[r->insn].src_reg = BPF_PSEUDO_MAP_FD;
			u->insns[r->insn].imm = r->map;
		}
		if (interp_check(&ld->vm, u->insns, u->n)) {
			fprintf(stderr, "%s: '%s': program '%s': %s\n", argv0,
			    ld->path, pr->prog, ld->vm.err);
			return -1;
		}
	}
	return 0;
}

int
user_init(struct ld *ld)
{
	size_t i;
	int rc;
	struct bpf_map *map;

	if (interp_init(&ld->vm, INTERP_STACK))
		fatal("out of memory");
	ld->vm.helper = helper;
	ld->vm.mapload = mapload;
	ld->vm.user = ld;
	ld->vm.budget = USER_BUDGET;
	ld->numaps = ld->bo->nmaps;
	ld->umaps = calloc(ld->numaps + 1, sizeof *ld->umaps);
	if (!ld->umaps)
		fatal("out of memory");
	for (i = 0; i < ld->numaps; i++) {
		struct umap *m = &ld->umaps[i];

		m->name = ld->bo->maps[i].name;
		map = bpf_object__find_map_by_name(ld->obj, m->name);
		m->fd = map ? bpf_map__fd(map) : -1;
		if ((rc = m->fd < 0 ? -1 : setupmap(ld, m, map)) == -1)
			fprintf(stderr, "%s: map '%s': cannot reach it from "
			    "userspace: %s\n", argv0, m->name,
			    strerror(errno));
		if (rc < 0)
			return -1;
	}
	ld->resmax = 8 + 64 * (ld->meta.maxstr + 8);
	for (i = 0; i < NRESERVE; i++) {
		ld->res[i].buf = emalloc(ld->resmax);
		ld->res[i].vaddr = interp_region_add(&ld->vm, ld->res[i].buf,
		    ld->resmax, 1);
	}
	for (i = 0; i < NITER; i++)
		ld->iters[i].map = -1;
	if (setupprogs(ld) < 0)
		return -1;
	ld->vmmark = interp_mark(&ld->vm);
	return 0;
}

void
user_free(struct ld *ld)
{
	size_t i, j;

	if (!ld->umaps)
		return;
	for (i = 0; i < ld->numaps; i++) {
		struct umap *m = &ld->umaps[i];

		if (m->mapped)
			munmap(m->priv, m->mapped);
		else
			free(m->priv);
		for (j = 0; j < NSLOT; j++) {
			free(m->slot[j].buf);
			free(m->slot[j].snap);
			free(m->slot[j].key);
		}
	}
	for (i = 0; i < NRESERVE; i++)
		free(ld->res[i].buf);
	for (i = 0; i < NITER; i++)
		free(ld->iters[i].items);
	for (i = 0; i < ld->nuprogs; i++)
		free(ld->uprogs[i].insns);
	free(ld->uprogs);
	free(ld->umaps);
	interp_free(&ld->vm);
	ld->umaps = NULL;
}

/* Map values */

/* Write back every copy a program changed */
static void
flush(struct ld *ld)
{
	size_t i, j;

	for (i = 0; i < ld->numaps; i++) {
		struct umap *m = &ld->umaps[i];

		if (m->priv)
			continue;
		for (j = 0; j < NSLOT; j++) {
			struct lslot *s = &m->slot[j];

			if (!s->live || !memcmp(s->buf, s->snap, m->vsize))
				continue;
			/* ENOENT: deleted meanwhile, like a kernel
			 * pointer to a freed element, the store is lost */
			bpf_map_update_elem(m->fd, s->key, s->buf, BPF_EXIST);
			memcpy(s->snap, s->buf, m->vsize);
		}
	}
}

static struct lslot *
findslot(struct umap *m, const void *key)
{
	size_t j;

	for (j = 0; j < NSLOT; j++)
		if (m->slot[j].live && !memcmp(m->slot[j].key, key, m->ksize))
			return &m->slot[j];
	return NULL;
}

static uint64_t
lookup(struct umap *m, const void *key)
{
	struct lslot *s;
	uint32_t idx;

	if (m->priv) {
		memcpy(&idx, key, 4);
		return idx < m->max ? m->privaddr + idx * stride(m) : 0;
	}
	if (!m->slot[0].buf)
		return 0;
	s = findslot(m, key);
	if (!s) {
		s = &m->slot[m->next++ % NSLOT];
		memcpy(s->key, key, m->ksize);
	}
	if (bpf_map_lookup_elem(m->fd, key, s->buf) < 0) {
		s->live = 0;
		return 0;
	}
	memcpy(s->snap, s->buf, m->vsize);
	s->live = 1;
	return s->vaddr;
}

static int64_t
update(struct umap *m, const void *key, const void *val, uint64_t flags)
{
	struct lslot *s;
	uint32_t idx;

	if (m->priv && m->privaddr && !m->mapped && m->type !=
	    BPF_MAP_TYPE_PERCPU_ARRAY)
		return -EPERM;	/* stap_fmt */
	if (m->priv) {
		memcpy(&idx, key, 4);
		if (idx >= m->max)
			return -E2BIG;
		memcpy(m->priv + idx * stride(m), val, m->vsize);
		return 0;
	}
	if (bpf_map_update_elem(m->fd, key, val, flags) < 0)
		return -errno;
	if ((s = findslot(m, key))) {
		memcpy(s->buf, val, m->vsize);
		memcpy(s->snap, val, m->vsize);
	}
	return 0;
}

static int64_t
delete(struct umap *m, const void *key)
{
	struct lslot *s;

	if (m->priv)
		return -EINVAL;	/* arrays: as the kernel says */
	if ((s = findslot(m, key)))
		s->live = 0;
	return bpf_map_delete_elem(m->fd, key) < 0 ? -errno : 0;
}

/* Helpers */

static struct umap *
handle(struct ld *ld, uint64_t h)
{
	if ((h & ~0xffffULL) != MAPTAG || (h & 0xffff) >= ld->numaps) {
		interp_error(&ld->vm, "helper argument is not a map");
		return NULL;
	}
	return &ld->umaps[h & 0xffff];
}

static void *
mem(struct ld *ld, uint64_t addr, size_t len, int write)
{
	void *p = interp_mem(&ld->vm, addr, len, write);

	if (!p)
		interp_error(&ld->vm, "helper %s %zu bytes at 0x%llx: outside "
		    "the program's memory", write ? "writes" : "reads", len,
		    (unsigned long long)addr);
	return p;
}

static int
mapload(struct interp *vm, int src, int32_t imm, int32_t imm2,
    uint64_t *val, void *user)
{
	struct ld *ld = user;
	struct umap *m;

	if (imm < 0 || (size_t)imm >= ld->numaps)
		goto bad;
	m = &ld->umaps[imm];
	if (src == BPF_PSEUDO_MAP_FD) {
		*val = MAPTAG | (uint64_t)imm;
		return 0;
	}
	if (src == BPF_PSEUDO_MAP_VALUE && m->priv && imm2 >= 0 &&
	    (size_t)imm2 < stride(m) * m->max) {
		*val = m->privaddr + imm2;
		return 0;
	}
bad:
	interp_error(vm, "64-bit load of map %d (kind %d): no such map",
	    imm, src);
	return INTERP_EMAP;
}

static int
ringbuf(struct ld *ld, int id, const uint64_t a[5], uint64_t *ret)
{
	struct reserve *r;
	const void *p;
	size_t i;

	switch (id) {
	case BPF_FUNC_ringbuf_output:
		if (!(p = mem(ld, a[1], a[2], 0)))
			return E_FAULT;
		events_record(ld, p, a[2]);
		*ret = 0;
		return 0;
	case BPF_FUNC_ringbuf_reserve:
		*ret = 0;
		for (i = 0; i < NRESERVE; i++) {
			r = &ld->res[i];
			if (r->len || a[1] > ld->resmax || !a[1])
				continue;
			r->len = a[1];
			*ret = r->vaddr;
			break;
		}
		return 0;
	}
	for (i = 0; i < NRESERVE; i++) {
		r = &ld->res[i];
		if (r->len && r->vaddr == a[0]) {
			if (id == BPF_FUNC_ringbuf_submit)
				events_record(ld, r->buf, r->len);
			r->len = 0;
			return 0;
		}
	}
	interp_error(&ld->vm, "ringbuf submit or discard of 0x%llx, which "
	    "no reserve gave", (unsigned long long)a[0]);
	return E_FAULT;
}

/*
 * bpf_snprintf as the kernel does it: C conversions, each taking one
 * u64 of data, 32 bits unless an l modifier says 64, %s a pointer.
 */
static int64_t
bsnprintf(struct ld *ld, char *out, size_t size, const char *fmt,
    const uint64_t *data, size_t n)
{
	char spec[32], buf[4096];
	size_t used = 0, k, arg = 0, total = 0;
	const char *f = fmt;
	int longs, len;

	while (*f) {
		if (*f != '%' || f[1] == '%') {
			if (used + 1 < size)
				out[used++] = *f;
			total++;
			f += *f == '%' ? 2 : 1;
			continue;
		}
		k = strspn(f + 1, "-+ #0123456789.") + 1;
		if (k > 20)
			return -EINVAL;
		memcpy(spec, f, k);
		f += k;
		for (longs = 0; *f == 'l'; f++)
			longs++;
		if (arg >= n || !*f)
			return -EINVAL;
		if (*f == 's') {
			const char *s = interp_str(&ld->vm, data[arg], NULL);

			memcpy(spec + k, "s", 2);
			len = snprintf(buf, sizeof buf, spec, s ? s : "");
		} else if (*f == 'c') {
			memcpy(spec + k, "c", 2);
			len = snprintf(buf, sizeof buf, spec, (int)(unsigned
			    char)data[arg]);
		} else if (strchr("dixXuo", *f)) {
			int sign = *f == 'd' || *f == 'i';

			spec[k] = 'l';
			spec[k + 1] = 'l';
			spec[k + 2] = *f;
			spec[k + 3] = '\0';
			if (longs)
				len = snprintf(buf, sizeof buf, spec,
				    data[arg]);
			else if (sign)
				len = snprintf(buf, sizeof buf, spec,
				    (long long)(int32_t)data[arg]);
			else
				len = snprintf(buf, sizeof buf, spec,
				    (unsigned long long)(uint32_t)data[arg]);
		} else if (*f == 'p' && (f[1] == 's' || f[1] == 'S')) {
			/* the kernel's symbol of an address */
			f++;
			len = syms_kernel(ld, buf, sizeof buf, data[arg],
			    *f == 'S');
		} else if (*f == 'p') {
			len = snprintf(buf, sizeof buf, "0x%llx",
			    (unsigned long long)data[arg]);
		} else
			return -EINVAL;
		f++;
		arg++;
		if (len < 0)
			return -EINVAL;
		for (k = 0; k < (size_t)len && k < sizeof buf - 1; k++)
			if (used + 1 < size)
				out[used++] = buf[k];
		total += len;
	}
	if (size)
		out[used] = '\0';
	return (int64_t)total + 1;
}

static int
snprintf_helper(struct ld *ld, const uint64_t a[5], uint64_t *ret)
{
	char *out = NULL;
	const char *fmt;
	const uint64_t *data = NULL;
	int64_t rc;

	if ((a[1] && !(out = mem(ld, a[0], a[1], 1))) ||
	    !(fmt = interp_str(&ld->vm, a[2], NULL)) ||
	    (a[4] && !(data = mem(ld, a[3], a[4], 0)))) {
		if (!ld->vm.err[0])
			interp_error(&ld->vm, "bpf_snprintf: bad format");
		return E_FAULT;
	}
	rc = bsnprintf(ld, out, a[1], fmt, data, a[4] / 8);
	*ret = (uint64_t)rc;
	return 0;
}

/* The foreach helpers */

static const struct umap *sortmap;
static const unsigned char *sortitems;
static size_t sortisz;
static size_t sortmaxstr;
static int sortcol, sortop, sortdesc;

/* The sort key of an item: a long, or a string (NULL for longs) */
static const unsigned char *
sortkey(const unsigned char *item, int64_t *v)
{
	const struct umap *m = sortmap;
	const char *kt = m->arr ? m->arr->keytypes : "";
	char t;
	size_t off = 0;
	int i;

	if (sortcol == 0) {
		item += m->ksize;
		t = m->arr ? m->arr->valtype : m->vsize == 8 ? 'l' : 's';
		if (t == 'S') {
			int64_t st[4];

			memcpy(st, item, sizeof st);
			switch (sortop) {
			case 2: *v = st[1]; break;
			case 3: *v = st[2]; break;
			case 4: *v = st[3]; break;
			case 5: *v = st[0] ? st[1] / st[0] : 0; break;
			default: *v = st[0];
			}
			return NULL;
		}
	} else {
		/* keys are packed: longs 8 bytes, strings MAXSTRINGLEN */
		for (i = 1; i < sortcol && kt[i - 1]; i++)
			off += kt[i - 1] == 's' ? sortmaxstr : 8;
		t = kt[0] ? kt[sortcol - 1] : m->ksize == 8 ? 'l' : 's';
		item += off;
	}
	if (t == 's')
		return item;
	memcpy(v, item, 8);
	return NULL;
}

static int
sortcmp(const void *pa, const void *pb)
{
	size_t ia = *(const size_t *)pa, ib = *(const size_t *)pb;
	const unsigned char *a = sortitems + ia * sortisz;
	const unsigned char *b = sortitems + ib * sortisz;
	int64_t va = 0, vb = 0;
	const unsigned char *sa = sortkey(a, &va), *sb = sortkey(b, &vb);
	int c;

	if (sa)
		c = strcmp((const char *)sa, (const char *)sb);
	else
		c = va < vb ? -1 : va > vb;
	if (sortdesc)
		c = -c;
	return c ? c : ia < ib ? -1 : ia > ib;
}

static int
iterfill(struct umap *m, struct iter *it, size_t cap)
{
	unsigned char *key = it->items;
	size_t n = 0;
	int rc;

	rc = bpf_map_get_next_key(m->fd, NULL, key);
	while (rc == 0 && n < cap) {
		unsigned char *item = it->items + n * it->isz;

		if (item != key)
			memcpy(item, key, m->ksize);
		if (bpf_map_lookup_elem(m->fd, item, item + m->ksize) == 0)
			n++;
		key = it->items + n * it->isz;
		if (n < cap)
			rc = bpf_map_get_next_key(m->fd, item, key);
	}
	return (int)n;
}

static uint64_t
foreach_start(struct ld *ld, struct umap *m, uint64_t spec, int64_t limit)
{
	struct iter *it = NULL;
	size_t i, *order, cap, n, want;

	for (i = 0; i < NITER && !it; i++)
		if (ld->iters[i].map < 0)
			it = &ld->iters[i];
	if (!it || m->priv || !m->slot[0].buf)
		return 0;
	if ((spec & 0xff) > (m->arr ? strlen(m->arr->keytypes) : 1))
		spec &= ~0x2ffULL;	/* no such column: unsorted */
	it->isz = m->ksize + m->vsize;
	/* room for every element and the sort order */
	cap = m->max + 1;
	want = cap * (it->isz + sizeof(size_t));
	if (want > it->bytes) {
		unsigned char *p = realloc(it->items, want);

		if (!p)
			return 0;
		it->items = p;
		it->bytes = want;
	}
	n = (size_t)iterfill(m, it, m->max);
	order = (size_t *)(void *)(it->items + cap * it->isz);
	/* the order array must be aligned: isz is a multiple of 8 for
	 * our maps, and realloc's memory is */
	for (i = 0; i < n; i++)
		order[i] = i;
	if (spec & 0x200) {
		sortmap = m;
		sortmaxstr = ld->meta.maxstr;
		sortitems = it->items;
		sortisz = it->isz;
		sortcol = spec & 0xff;
		sortdesc = (spec & 0x100) != 0;
		sortop = (spec >> 12) & 0xf;
		qsort(order, n, sizeof *order, sortcmp);
	}
	if (limit >= 0 && (uint64_t)limit < n)
		n = (size_t)limit;
	if (n == 0)
		return 0;
	it->n = n;
	it->pos = 0;
	it->map = (int)(m - ld->umaps);
	it->gen = (it->gen + 1) & 0xffff;
	return (uint64_t)(it - ld->iters + 1) | (uint64_t)it->gen << 16;
}

static int
foreach_next(struct ld *ld, const uint64_t a[5], uint64_t *ret)
{
	size_t i = (a[0] & 0xffff) - 1, cap;
	struct iter *it;
	struct umap *m;
	const unsigned char *item;
	void *k, *v;

	*ret = 0;
	if (i >= NITER || (it = &ld->iters[i])->map < 0 ||
	    it->gen != (a[0] >> 16 & 0xffff))
		return 0;
	m = &ld->umaps[it->map];
	if (it->pos >= it->n) {
		it->map = -1;
		return 0;
	}
	cap = m->max + 1;
	item = it->items + ((size_t *)(void *)(it->items + cap *
	    it->isz))[it->pos++] * it->isz;
	if (a[1]) {
		if (!(k = mem(ld, a[1], m->ksize, 1)))
			return E_FAULT;
		memcpy(k, item, m->ksize);
	}
	if (a[2]) {
		if (!(v = mem(ld, a[2], m->vsize, 1)))
			return E_FAULT;
		memcpy(v, item + m->ksize, m->vsize);
	}
	*ret = 1;
	return 0;
}

static uint64_t
map_count(struct umap *m, int clear)
{
	unsigned char key[4096], next[4096];
	uint64_t n = 0;

	if (m->priv) {
		if (clear)
			memset(m->priv, 0, stride(m) * m->max);
		return m->max;
	}
	if (m->ksize > sizeof key)
		return 0;
	if (clear) {
		/*
		 * Take the keys there are now, then delete them.  Kernel
		 * probes insert meanwhile (our own system calls, under a
		 * raw_syscalls probe): "delete the first key" until none is
		 * left could delete our own entry forever and never reach
		 * the others.
		 */
		unsigned char *keys = malloc((size_t)m->ksize * m->max + 1);
		size_t nk = 0, j;

		if (keys && bpf_map_get_next_key(m->fd, NULL, keys) == 0) {
			for (nk = 1; nk < m->max; nk++)
				if (bpf_map_get_next_key(m->fd,
				    keys + (nk - 1) * m->ksize,
				    keys + nk * m->ksize) != 0)
					break;
		}
		for (j = 0; j < nk; j++)
			bpf_map_delete_elem(m->fd, keys + j * m->ksize);
		free(keys);
		for (n = 0; n < NSLOT; n++)
			m->slot[n].live = 0;
		return 0;
	}
	if (bpf_map_get_next_key(m->fd, NULL, key) < 0)
		return 0;
	do {
		n++;
		memcpy(next, key, m->ksize);
	} while (n < m->max && bpf_map_get_next_key(m->fd, next, key) == 0);
	return n;
}

static int
helper(struct interp *vm, int id, const uint64_t a[5], uint64_t *ret,
    void *user)
{
	struct ld *ld = user;
	struct umap *m = NULL;
	const void *k, *v;
	struct timespec ts;
	void *p;

	flush(ld);
	*ret = 0;
	switch (id) {
	case BPF_FUNC_map_lookup_elem:
	case BPF_FUNC_map_update_elem:
	case BPF_FUNC_map_delete_elem:
	case UHELPER_FOREACH_START:
	case UHELPER_MAP_CLEAR:
	case UHELPER_MAP_COUNT:
		if (!(m = handle(ld, a[0])))
			return E_FAULT;
	}
	switch (id) {
	case BPF_FUNC_map_lookup_elem:
		if (!(k = mem(ld, a[1], m->ksize, 0)))
			return E_FAULT;
		*ret = lookup(m, k);
		return 0;
	case BPF_FUNC_map_update_elem:
		if (!(k = mem(ld, a[1], m->ksize, 0)) ||
		    !(v = mem(ld, a[2], m->vsize, 0)))
			return E_FAULT;
		*ret = (uint64_t)update(m, k, v, a[3]);
		return 0;
	case BPF_FUNC_map_delete_elem:
		if (!(k = mem(ld, a[1], m->ksize, 0)))
			return E_FAULT;
		*ret = (uint64_t)delete(m, k);
		return 0;
	case BPF_FUNC_ktime_get_ns:
		clock_gettime(CLOCK_MONOTONIC, &ts);
		*ret = (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
		return 0;
	case BPF_FUNC_get_prandom_u32:
		*ret = (uint32_t)random();
		return 0;
	case BPF_FUNC_get_smp_processor_id:
		return 0;
	case BPF_FUNC_get_current_pid_tgid:
		*ret = (uint64_t)getpid() << 32 | (uint32_t)syscall(SYS_gettid);
		return 0;
	case UHELPER_PPID:
		*ret = (uint64_t)getppid();
		return 0;
	case BPF_FUNC_send_signal_thread:
		/* raise(): the thread running the probe, ours */
		*ret = syscall(SYS_tgkill, getpid(), syscall(SYS_gettid),
		    (int)a[0]) < 0 ? (uint64_t)-errno : 0;
		return 0;
	case BPF_FUNC_get_current_uid_gid:
		*ret = (uint64_t)getgid() << 32 | getuid();
		return 0;
	case BPF_FUNC_get_current_comm:
		if (!(p = mem(ld, a[0], a[1], 1)))
			return E_FAULT;
		memset(p, 0, a[1]);
		if (a[1])
			memcpy(p, "stap-bpfld", a[1] - 1 < 10 ? a[1] - 1 : 10);
		return 0;
	case BPF_FUNC_probe_read:
	case BPF_FUNC_probe_read_str:
	case BPF_FUNC_probe_read_user:
	case BPF_FUNC_probe_read_kernel:
	case BPF_FUNC_probe_read_user_str:
	case BPF_FUNC_probe_read_kernel_str:
		/* no kernel or task memory here; the kernel zeroes dst */
		if (!(p = mem(ld, a[0], a[1], 1)))
			return E_FAULT;
		memset(p, 0, a[1]);
		*ret = (uint64_t)-EFAULT;
		return 0;
	case BPF_FUNC_ringbuf_output:
	case BPF_FUNC_ringbuf_reserve:
	case BPF_FUNC_ringbuf_submit:
	case BPF_FUNC_ringbuf_discard:
		return ringbuf(ld, id, a, ret);
	case BPF_FUNC_snprintf:
		return snprintf_helper(ld, a, ret);
	case UHELPER_FOREACH_START:
		*ret = foreach_start(ld, m, a[1], (int64_t)a[2]);
		return 0;
	case UHELPER_FOREACH_NEXT:
		return foreach_next(ld, a, ret);
	case UHELPER_MAP_CLEAR:
		map_count(m, 1);
		return 0;
	case UHELPER_MAP_COUNT:
		*ret = map_count(m, 0);
		return 0;
	case UHELPER_PROCFS_SET:
	case UHELPER_PROCFS_APPEND:
		if (!(k = mem(ld, a[0], a[1], 0)))
			return E_FAULT;
		if (procfs_value(ld, id == UHELPER_PROCFS_APPEND, k,
		    strnlen(k, a[1])) < 0)
			break;
		return 0;
	case UHELPER_PROCFS_GET:
		if (!(p = mem(ld, a[0], a[1], 1)))
			return E_FAULT;
		if (procfs_get(ld, p, a[1]) < 0)
			break;
		return 0;
	}
	interp_error(vm, "helper %d is not available to begin, end and error "
	    "probes", id);
	return INTERP_EHELPER;
}

/* Runs */

static void
report(struct ld *ld, const struct uprog *u, int rc)
{
	struct loc loc = meta_insnloc(&ld->meta, u->probe->prog, ld->vm.pc);
	const char *msg = ld->vm.err, *colon = strstr(msg, ": ");
	char where[256];

	if (colon && !strncmp(msg, "insn ", 5))
		msg = colon + 2;
	if (rc == INTERP_EBUDGET)
		msg = "too many instructions in a userspace probe (MAXACTION)";
	fflush(ld->out);
	meta_locstr(loc, where, sizeof where);
	/* a signal cut it short: the script stops as it would have
	 * after the probe, without an error */
	if (rc == INTERP_EINTR)
		fprintf(stderr, "WARNING: probe '%s' interrupted near %s\n",
		    u->probe->point, where);
	else
		fprintf(stderr, "ERROR: %s near %s\n", msg, where);
}

static void
endrun(struct ld *ld)
{
	size_t i;

	flush(ld);
	interp_drop(&ld->vm, ld->vmmark);
	for (i = 0; i < NRESERVE; i++)
		ld->res[i].len = 0;
	for (i = 0; i < NITER; i++)
		ld->iters[i].map = -1;
	for (i = 0; i < ld->numaps; i++) {
		size_t j;

		for (j = 0; j < NSLOT; j++)
			ld->umaps[i].slot[j].live = 0;
	}
}

static int
run_one(struct ld *ld, const struct uprog *u)
{
	int rc;

	ld->inuser = 1;
	rc = interp_run(&ld->vm, u->insns, u->n, 0, NULL);
	ld->inuser = 0;
	endrun(ld);
	if (rc) {
		report(ld, u, rc);
		if (rc == INTERP_EINTR)
			return 0;
		ld->errors++;
		ld->failed = 1;
		return -1;
	}
	return 0;
}

int
user_run_probe(struct ld *ld, const struct meta_probe *pr)
{
	size_t i;

	for (i = 0; i < ld->nuprogs; i++)
		if (ld->uprogs[i].probe == pr)
			return run_one(ld, &ld->uprogs[i]);
	return -1;
}

int
user_run(struct ld *ld, enum probekind kind)
{
	size_t i;
	int bad = 0;

	for (i = 0; i < ld->nuprogs; i++) {
		const struct uprog *u = &ld->uprogs[i];

		if (u->probe->kind != kind)
			continue;
		if (kind == PK_BEGIN && (ld->exiting || ld->failed ||
		    stop_signal))
			break;
		if (run_one(ld, u) < 0)
			bad = -1;
	}
	return bad;
}
