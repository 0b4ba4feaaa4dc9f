/*
 * User symbols: a table of what each address of a process names (a
 * function of an ELF file, at the place that process loaded it), the
 * text stap prints for them, and the records an event stream carries
 * them in.
 *
 * stap-bpfld fills the table from the process's files as records need
 * it (stap-bpfld/usyms.c) and, with --raw, sends a USYM record of each
 * entry ahead of the first record that needs it; stap-fmt fills it from
 * those, so it prints a stream as stap-bpfld would have, after the
 * process is gone or on another machine (man/stap-events.5).
 *
 * A string made in a probe (usymname(), usymdata(),
 * sprint_ubacktrace()) holds a reference, "\033U", a kind letter,
 * the pid in hex, ':', a hex number and ';': the address, or the seq
 * of the silent USTACK record sent before it.  It becomes text here,
 * when the string is printed.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "stap.h"
#include "abi.h"
#include "usym.h"

struct usyms *stapfmt_usyms;

static struct usym *
find(struct usyms *us, uint32_t pid, uint64_t addr)
{
	size_t i;

	/* newest first: a process that exec'd anew keeps its pid */
	for (i = us->n; i-- > 0;) {
		struct usym *u = &us->v[i];

		if (u->pid != pid)
			continue;
		if (u->name[0] ? addr - u->addr < u->size : addr == u->addr)
			return u;
	}
	return NULL;
}

struct usym *
usym_add(struct usyms *us, uint32_t pid, uint64_t addr, uint64_t size,
    uint64_t off, const char *name, const char *mod)
{
	struct usym *u;

	us->v = vgrow(us->v, &us->cap, us->n + 1, sizeof *us->v);
	u = &us->v[us->n++];
	memset(u, 0, sizeof *u);
	u->pid = pid;
	u->addr = addr;
	u->size = size ? size : 1;
	u->off = off;
	u->name = estrdup(name ? name : "");
	u->mod = estrdup(mod ? mod : "");
	return u;
}

struct usym *
usym_lookup(struct usyms *us, uint32_t pid, uint64_t addr)
{
	struct usym *u = find(us, pid, addr);

	if (!u && us->resolve) {
		us->resolve(us->arg, pid, addr);
		u = find(us, pid, addr);
	}
	return u;
}

static const char *
base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* addr as stap's _stp_snprint_addr prints it in style */
int
usym_text(struct usyms *us, char *buf, size_t size, uint32_t pid,
    uint64_t addr, int style)
{
	const struct usym *u = usym_lookup(us, pid, addr);
	const char *mod = u ? u->mod : "";
	uint64_t off;

	if (u && u->name[0]) {
		off = addr - u->addr;
		switch (style) {
		case USYM_SYMBOL:
			return snprintf(buf, size, "%s", u->name);
		case USYM_SIMPLE:
			return snprintf(buf, size, "%s+0x%" PRIx64 "%s%s%s",
			    u->name, off, *mod ? " [" : "", base(mod),
			    *mod ? "]" : "");
		case USYM_FULL:
			return snprintf(buf, size, "0x%016" PRIx64 " : %s+0x%"
			    PRIx64 "/0x%" PRIx64 "%s%s%s", addr, u->name, off,
			    u->size, *mod ? " [" : "", mod, *mod ? "]" : "");
		default:
			return snprintf(buf, size, "%s+0x%" PRIx64 "/0x%"
			    PRIx64 "%s%s%s", u->name, off, u->size,
			    *mod ? " [" : "", mod, *mod ? "]" : "");
		}
	}
	if (*mod && style != USYM_SYMBOL)
		return snprintf(buf, size, "0x%016" PRIx64 " [%s+0x%" PRIx64
		    "]", addr, style == USYM_SIMPLE ? base(mod) : mod, u->off);
	return snprintf(buf, size, "0x%016" PRIx64, addr);
}

int
usym_stack(const void *p, size_t len, struct ustk *st,
    const unsigned char **bids, uint32_t *nbid)
{
	const unsigned char *b = p;

	if (len < USTK_SIZE)
		return -1;
	memset(st, 0, sizeof *st);
	memcpy(&st->pid, b + USTK_PID, 4);
	memcpy(&st->n, b + USTK_N, 4);
	memcpy(&st->seq, b + USTK_SEQ, 8);
	memcpy(&st->from, b + USTK_FROM, 8);
	memcpy(nbid, b + USTK_NBID, 4);
	if (st->n > USYM_MAXFRAMES || *nbid > USYM_MAXFRAMES)
		return -1;
	memcpy(st->ips, b + USTK_IPS, 8 * (size_t)st->n);
	*bids = b + USTK_BIDS;
	return 0;
}

void
usym_keep(struct usyms *us, const struct ustk *st)
{
	us->keep[us->nkeep++ % USYM_KEEP] = *st;
}

/* print_ubacktrace(): a frame a line, as stap's _STP_SYM_FULL */
int
usym_print_stack(FILE *out, struct usyms *us, const void *p, size_t len)
{
	struct ustk st;
	const unsigned char *bids;
	uint32_t nbid, i;
	char buf[1024];

	if (usym_stack(p, len, &st, &bids, &nbid) < 0)
		return -1;
	if (st.from) {
		usym_text(us, buf, sizeof buf, st.pid, st.from, USYM_FULL);
		fprintf(out, "Returning from:  %s\nReturning to  : ", buf);
	}
	for (i = 0; i < st.n; i++) {
		usym_text(us, buf, sizeof buf, st.pid, st.ips[i], USYM_FULL);
		fprintf(out, " %s\n", buf);
	}
	return 0;
}

/* A reference at s (ESC 'U' seen): its kind, pid and number, and
 * where it ends; NULL if it is none */
static const char *
ref(const char *s, const char *end, int *kind, uint32_t *pid,
    uint64_t *num)
{
	char tmp[48], *e;
	size_t n;
	const char *semi;

	if (end - s < 4 || s[0] != '\033' || s[1] != 'U')
		return NULL;
	semi = memchr(s, ';', (size_t)(end - s));
	n = semi ? (size_t)(semi - s - 3) : 0;
	if (!semi || n >= sizeof tmp)
		return NULL;
	memcpy(tmp, s + 3, n);
	tmp[n] = '\0';
	*kind = s[2];
	*pid = (uint32_t)strtoul(tmp, &e, 16);
	if (*e != ':')
		return NULL;
	*num = strtoull(e + 1, &e, 16);
	if (*e)
		return NULL;
	return semi + 1;
}

static const struct ustk *
kept(struct usyms *us, uint32_t pid, uint64_t seq)
{
	size_t i;

	for (i = 0; i < USYM_KEEP && i < us->nkeep; i++)
		if (us->keep[i].pid == pid && us->keep[i].seq == seq)
			return &us->keep[i];
	return NULL;
}

size_t
usym_expand(struct usyms *us, const char *s, size_t n, char *out,
    size_t size)
{
	const char *end = s + n, *e;
	size_t len = 0, k;
	char buf[1024];
	uint32_t pid, i;
	uint64_t num;
	int kind;

#define PUT(p, l) do { \
	k = (l); \
	if (k > size - 1 - len) \
		k = size - 1 - len; \
	memcpy(out + len, (p), k); \
	len += k; \
} while (0)
	if (!size)
		return 0;
	while (s < end && len < size - 1) {
		if (!(e = ref(s, end, &kind, &pid, &num))) {
			PUT(s, 1);
			s++;
			continue;
		}
		s = e;
		if (kind == 'n' || kind == 'd') {
			k = (size_t)usym_text(us, buf, sizeof buf, pid, num,
			    kind == 'n' ? USYM_SYMBOL : USYM_DATA);
			PUT(buf, strlen(buf));
		} else if (kind == 's') {
			const struct ustk *st = kept(us, pid, num);

			for (i = 0; st && i < st->n; i++) {
				usym_text(us, buf, sizeof buf, pid,
				    st->ips[i], USYM_SIMPLE);
				PUT(buf, strlen(buf));
				PUT("\n", 1);
			}
		}
	}
#undef PUT
	out[len] = '\0';
	return len;
}

static void
send(struct usym *u, void (*each)(void *, const void *, size_t), void *arg)
{
	size_t nl = strnlen(u->name, 255), ml = strnlen(u->mod, 1023);
	unsigned char rec[8 + 32 + 256 + 1024 + 2];
	uint32_t v;

	if (u->seen)
		return;
	u->seen = 1;
	v = REC_USYM;
	memcpy(rec, &v, 4);
	memcpy(rec + 4, &u->pid, 4);
	memcpy(rec + 8, &u->addr, 8);
	memcpy(rec + 16, &u->size, 8);
	memcpy(rec + 24, &u->off, 8);
	memcpy(rec + 32, u->name, nl);
	rec[32 + nl] = '\0';
	memcpy(rec + 33 + nl, u->mod, ml);
	rec[33 + nl + ml] = '\0';
	each(arg, rec, 34 + nl + ml);
}

void
usym_needed_stack(struct usyms *us, const void *p, size_t len,
    void (*each)(void *, const void *, size_t), void *arg)
{
	struct ustk st;
	const unsigned char *bids;
	uint32_t nbid, i;
	struct usym *u;

	if (usym_stack(p, len, &st, &bids, &nbid) < 0)
		return;
	if (st.from && (u = usym_lookup(us, st.pid, st.from)))
		send(u, each, arg);
	for (i = 0; i < st.n; i++)
		if ((u = usym_lookup(us, st.pid, st.ips[i])))
			send(u, each, arg);
}

void
usym_needed_refs(struct usyms *us, const void *p, size_t len,
    void (*each)(void *, const void *, size_t), void *arg)
{
	const char *s = p, *end = s + len, *e;
	struct usym *u;
	uint32_t pid;
	uint64_t num;
	int kind;

	while ((s = memchr(s, '\033', (size_t)(end - s)))) {
		if (!(e = ref(s, end, &kind, &pid, &num))) {
			s++;
			continue;
		}
		if ((kind == 'n' || kind == 'd') &&
		    (u = usym_lookup(us, pid, num)))
			send(u, each, arg);
		s = e;
	}
}

/* A USYM record's payload (the pid in its id): u64 addr, size, off,
 * the name and the module, each NUL-terminated */
int
usym_feed(struct usyms *us, const void *p, size_t len)
{
	const char *s, *name, *mod;
	uint64_t addr, size, off;
	uint32_t pid;
	size_t rest, nl;

	if (len < 4 + 24 + 2)
		return -1;
	memcpy(&pid, p, 4);
	s = (const char *)p + 4 + 24;
	memcpy(&addr, (const char *)p + 4, 8);
	memcpy(&size, (const char *)p + 12, 8);
	memcpy(&off, (const char *)p + 20, 8);
	rest = len - 28;
	nl = strnlen(s, rest);
	if (nl + 1 >= rest)
		return -1;
	name = s;
	mod = s + nl + 1;
	if (strnlen(mod, rest - nl - 1) == rest - nl - 1)
		return -1;
	usym_add(us, pid, addr, size, off, name, mod);
	return 0;
}

void
usym_free(struct usyms *us)
{
	size_t i;

	for (i = 0; i < us->n; i++) {
		free(us->v[i].name);
		free(us->v[i].mod);
	}
	free(us->v);
	memset(us, 0, sizeof *us);
}
