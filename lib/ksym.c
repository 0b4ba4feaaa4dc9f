/*
 * Kernel symbols for stacks: a table of text symbols, each with the
 * extent to the next one, filled from /proc/kallsyms (stap-bpfld) or
 * from the KSYM records of an event stream (stap-fmt), and the lines
 * stap prints for an address from it.
 *
 * A probe sends addresses only (STACK and SYMS records); they become
 * text here, at output time.  An event stream carries, before the first
 * record that needs it, a KSYM record of each symbol its addresses fall
 * in, so a stream rendered on another machine, or after a reboot, reads
 * as it would have here and then (man/stap-events.5).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "stap.h"
#include "meta.h"

/* kallsyms' order among symbols of one address: the kernel names the
 * first of them, and so do we */
static int
symcmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

void
ksym_add(struct ksyms *ks, uint64_t addr, uint64_t size, const char *name,
    const char *mod)
{
	struct ksym *k;

	ks->v = vgrow(ks->v, &ks->cap, ks->n + 1, sizeof *ks->v);
	k = &ks->v[ks->n];
	memset(k, 0, sizeof *k);
	k->addr = addr;
	k->size = size;
	k->name = estrdup(name);
	k->mod = estrdup(mod && *mod ? mod : "kernel");
	k->order = ks->n++;
	ks->sorted = 0;
}

static void
sort(struct ksyms *ks)
{
	size_t i, j;

	if (ks->sorted)
		return;
	qsort(ks->v, ks->n, sizeof *ks->v, symcmp);
	/* a symbol reaches to the next one at a higher address; the last
	 * of a table read from kallsyms has nothing to end it */
	for (i = 0; i < ks->n; i++) {
		if (ks->v[i].size)
			continue;
		for (j = i + 1; j < ks->n && ks->v[j].addr == ks->v[i].addr;)
			j++;
		ks->v[i].size = j < ks->n ? ks->v[j].addr - ks->v[i].addr : 0;
	}
	ks->sorted = 1;
}

/*
 * The text symbols of /proc/kallsyms.  Without root they read as 0:
 * then there are none, and addresses print as numbers.
 */
int
ksym_load(struct ksyms *ks, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512], name[256], mod[256], type;
	unsigned long long a;

	ks->loaded = 1;
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f)) {
		mod[0] = '\0';
		if (sscanf(line, "%llx %c %255s [%255[^]]]", &a, &type, name,
		    mod) < 3 || !a)
			continue;
		if (type != 't' && type != 'T' && type != 'w' && type != 'W')
			continue;
		ksym_add(ks, a, 0, name, mod);
	}
	fclose(f);
	sort(ks);
	return 0;
}

struct ksym *
ksym_find(struct ksyms *ks, uint64_t addr)
{
	size_t lo = 0, hi;
	struct ksym *k;

	sort(ks);
	hi = ks->n;
	/* the last symbol at or below addr, the first of its address */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ks->v[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	k = &ks->v[lo - 1];
	while (k > ks->v && k[-1].addr == k->addr)
		k--;
	if (addr - k->addr >= k->size)
		return NULL;
	return k;
}

/* stap's symdata(): "vfs_read+0x0/0x1a0 [kernel]", or the address */
int
ksym_data(struct ksyms *ks, char *buf, size_t size, uint64_t addr)
{
	const struct ksym *k = ksym_find(ks, addr);

	if (!k)
		return snprintf(buf, size, "0x%016" PRIx64, addr);
	return snprintf(buf, size, "%s+0x%" PRIx64 "/0x%" PRIx64 " [%s]",
	    k->name, addr - k->addr, k->size, k->mod);
}

/* the kernel's %pS ("vfs_read+0x0/0x1a0", a module's with " [mod]") and
 * %ps (the name), for the interpreter's bpf_snprintf */
int
ksym_kernel(struct ksyms *ks, char *buf, size_t size, uint64_t addr,
    int full)
{
	const struct ksym *k = ksym_find(ks, addr);

	if (!k)
		return snprintf(buf, size, "0x%" PRIx64, addr);
	if (!full)
		return snprintf(buf, size, "%s", k->name);
	if (!strcmp(k->mod, "kernel"))
		return snprintf(buf, size, "%s+0x%" PRIx64 "/0x%" PRIx64,
		    k->name, addr - k->addr, k->size);
	return snprintf(buf, size, "%s+0x%" PRIx64 "/0x%" PRIx64 " [%s]",
	    k->name, addr - k->addr, k->size, k->mod);
}

/* A frame of print_backtrace(), as stap's _STP_SYM_FULL prints it */
static void
frame(FILE *out, struct ksyms *ks, uint64_t addr)
{
	char buf[600];

	if (!ksym_find(ks, addr)) {
		fprintf(out, " 0x%016" PRIx64 "\n", addr);
		return;
	}
	ksym_data(ks, buf, sizeof buf, addr);
	fprintf(out, " 0x%016" PRIx64 " : %s\n", addr, buf);
}

/*
 * A STACK record's payload: u64 from (a .return probe's function, or
 * 0), then the frames, as many as the record's id says.
 */
int
ksym_print_stack(FILE *out, struct ksyms *ks, uint32_t n, const void *p,
    size_t len)
{
	const unsigned char *b = p;
	uint64_t a;
	uint32_t i;

	if (len < 8 || (len - 8) / 8 < n)
		return -1;
	memcpy(&a, b, 8);
	if (a) {
		fputs("Returning from: ", out);
		frame(out, ks, a);
		fputs("Returning to  : ", out);
	}
	for (i = 0; i < n; i++) {
		memcpy(&a, b + 8 + 8 * (size_t)i, 8);
		frame(out, ks, a);
	}
	return 0;
}

/* The addresses a SYMS record's string holds: hex words, blank between */
static const char *
word(const char *s, const char *end, uint64_t *a, size_t *wlen)
{
	const char *w;

	while (s < end && *s == ' ')
		s++;
	if (s >= end || !*s)
		return NULL;
	for (w = s; s < end && *s && *s != ' '; s++)
		;
	*wlen = (size_t)(s - w);
	*a = strtoull(w, NULL, 16);
	return s;
}

/* print_syms(s): " WORD : symdata\n" for each word of s, as stap */
int
ksym_print_syms(FILE *out, struct ksyms *ks, const void *p, size_t len)
{
	const char *s = p, *end = s + strnlen(p, len), *w;
	char buf[600];
	uint64_t a;
	size_t wl;

	while ((w = word(s, end, &a, &wl))) {
		ksym_data(ks, buf, sizeof buf, a);
		fprintf(out, " %.*s : %s\n", (int)wl, w - wl, buf);
		s = w;
	}
	return 0;
}

/*
 * The symbols the addresses of a STACK or SYMS record need, each once
 * (seen marks them): what an event stream carries for them.  each is
 * called with the KSYM record of a symbol not sent before.
 */
void
ksym_needed(struct ksyms *ks, uint32_t kind, uint32_t id, const void *p,
    size_t len, void (*each)(void *, const void *, size_t), void *arg)
{
	const unsigned char *b = p;
	uint64_t a;
	size_t i, n = 0, wl;
	const char *s = p, *end, *w;

	if (kind == REC_STACK)
		n = len / 8 < (size_t)id + 1 ? len / 8 : (size_t)id + 1;
	for (i = 0; i < n; i++) {
		memcpy(&a, b + 8 * i, 8);
		ksym_send(ks, a, each, arg);
	}
	if (kind != REC_SYMS)
		return;
	end = s + strnlen(p, len);
	while ((w = word(s, end, &a, &wl))) {
		ksym_send(ks, a, each, arg);
		s = w;
	}
}

void
ksym_send(struct ksyms *ks, uint64_t a, void (*each)(void *, const void *,
    size_t), void *arg)
{
	struct ksym *k = ksym_find(ks, a);
	unsigned char rec[8 + 16 + 2 * 256];
	size_t nl, ml;
	uint32_t v;

	if (!k || k->seen)
		return;
	k->seen = 1;
	nl = strnlen(k->name, 255);
	ml = strnlen(k->mod, 255);
	v = REC_KSYM;
	memcpy(rec, &v, 4);
	v = 0;
	memcpy(rec + 4, &v, 4);
	memcpy(rec + 8, &k->addr, 8);
	memcpy(rec + 16, &k->size, 8);
	memcpy(rec + 24, k->name, nl);
	rec[24 + nl] = '\0';
	memcpy(rec + 25 + nl, k->mod, ml);
	rec[25 + nl + ml] = '\0';
	each(arg, rec, 26 + nl + ml);
}

/* A KSYM record's payload into the table: u64 addr, u64 size, the
 * name and the module, each NUL-terminated */
int
ksym_feed(struct ksyms *ks, const void *p, size_t len)
{
	const char *s = (const char *)p + 16, *name, *mod;
	uint64_t addr, size;
	size_t nl;

	if (len < 18)
		return -1;
	memcpy(&addr, p, 8);
	memcpy(&size, (const char *)p + 8, 8);
	nl = strnlen(s, len - 16);
	if (nl + 1 >= len - 16)
		return -1;
	name = s;
	mod = s + nl + 1;
	if (strnlen(mod, len - 16 - nl - 1) == len - 16 - nl - 1)
		return -1;
	ksym_add(ks, addr, size ? size : 1, name, mod);
	return 0;
}

void
ksym_free(struct ksyms *ks)
{
	size_t i;

	for (i = 0; i < ks->n; i++) {
		free(ks->v[i].name);
		free(ks->v[i].mod);
	}
	free(ks->v);
	memset(ks, 0, sizeof *ks);
}
