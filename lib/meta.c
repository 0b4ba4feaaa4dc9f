/*
 * The reader of .stap records (man/stap-bo.5).  One line at a time, so
 * the same code reads the .stap section of a .bo and the text header of
 * an event stream, which repeats the records it needs.  Source lines
 * embedded by file records go into the source registry, so errors found
 * at run time can quote the script with a caret.
 *
 * And their writer, at the end: stap-bpfgen writes the records of a .bo
 * with it, stap-bpfld --raw those an event stream repeats.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "stap.h"
#include "meta.h"
#include "hist.h"

void
meta_init(struct meta *m)
{
	memset(m, 0, sizeof *m);
	m->maxstr = 128;
	m->srcid = -1;
}

/* The tables; strings are in the arena */
void
meta_free(struct meta *m)
{
	free(m->files);
	free(m->probes);
	free(m->formats);
	free(m->sites);
	free(m->hists);
	free(m->lines);
	free(m->arrays);
	free(m->fmtstrs);
	free(m->srcbuf);
	meta_init(m);
}

static int
bad(struct meta *m, const char *what)
{
	snprintf(m->err, sizeof m->err, "line %zu: %s", m->lineno, what);
	return -1;
}

static void
skipblank(const char **pp)
{
	while (**pp == ' ' || **pp == '\t')
		(*pp)++;
}

/* The next blank-separated word, copied */
static char *
word(const char **pp)
{
	const char *s;

	skipblank(pp);
	s = *pp;
	while (**pp && **pp != ' ' && **pp != '\t')
		(*pp)++;
	if (*pp == s)
		return NULL;
	return arena_strndup(s, *pp - s);
}

static int
number(const char **pp, uint64_t *v)
{
	char *e;

	skipblank(pp);
	if (**pp < '0' || **pp > '9')
		return -1;
	*v = strtoull(*pp, &e, 10);
	*pp = e;
	return 0;
}

char *
meta_unquote(const char **pp, size_t *lenp)
{
	const char *p = *pp, *why;
	char *out;

	skipblank(&p);
	if (!(out = arena_unquote(&p, lenp, &why)))
		return NULL;
	*pp = p;
	return out;
}

/* FILE:LINE:COL with FILE a file record's id */
static int
loc(struct meta *m, const char **pp, struct loc *l)
{
	uint64_t f, line, col;

	if (number(pp, &f) < 0 || *(*pp)++ != ':' || number(pp, &line) < 0 ||
	    *(*pp)++ != ':' || number(pp, &col) < 0)
		return -1;
	l->file = f < m->nfiles ? m->files[f].src : -1;
	l->line = (int)line;
	l->col = (int)col;
	return 0;
}

const char *
meta_locstr(struct loc l, char *buf, size_t n)
{
	struct srcfile *f = src_get(l.file);

	snprintf(buf, n, "%s:%d:%d", f ? f->name : "?", l.line, l.col);
	return buf;
}

/* Grow an indexed table so that id fits, zeroing the new entries */
static void *
index_grow(void *v, size_t *n, size_t *cap, uint64_t id, size_t elsz)
{
	if (id < *n)
		return v;
	v = vgrow(v, cap, id + 1, elsz);
	memset((char *)v + *n * elsz, 0, (id + 1 - *n) * elsz);
	*n = id + 1;
	return v;
}

static int
srcline(struct meta *m, const char *line)
{
	const char *p = line;
	size_t len;
	char *s = meta_unquote(&p, &len);

	if (!s)
		return bad(m, "malformed source line");
	m->srcbuf = vgrow(m->srcbuf, &m->srccap, m->srclen + len + 2, 1);
	memcpy(m->srcbuf + m->srclen, s, len);
	m->srclen += len;
	m->srcbuf[m->srclen++] = '\n';
	if (--m->srcleft == 0) {
		m->files[m->srcid].src = src_add(m->srcname, m->srcbuf,
		    m->srclen);
		m->srclen = 0;
		m->srcid = -1;
	}
	return 0;
}

static int
rec_file(struct meta *m, const char *p)
{
	uint64_t id, n;
	char *name;

	if (number(&p, &id) < 0 || !(name = meta_unquote(&p, NULL)) ||
	    number(&p, &n) < 0 || id > 4096)
		return bad(m, "malformed file record");
	m->files = index_grow(m->files, &m->nfiles, &m->capfiles, id,
	    sizeof *m->files);
	m->srcname = name;
	if (n == 0) {
		m->files[id].src = src_add(name, "", 0);
		return 0;
	}
	m->srcid = (int)id;
	m->srcleft = (int)n;
	return 0;
}

/* The kinds of probe records, by enum probekind */
static const char *const kindnames[] = {
	"begin", "end", "error", "timer", "tracepoint", "perf", "kprobe",
	"uprobe", "procfs",
};

enum probekind
meta_probekind(const char *s)
{
	size_t i;

	for (i = 0; i < NELEM(kindnames); i++)
		if (!strcmp(s, kindnames[i]))
			return (enum probekind)i;
	return PK_OTHER;
}

/* uprobe: "offsets N OFF[:REF]..." */
static int
rec_offsets(struct meta_probe *pr, const char **pp)
{
	uint64_t v;
	size_t i;

	if (number(pp, &v) < 0 || v == 0 || v > 1 << 20)
		return -1;
	pr->noffs = (size_t)v;
	pr->offs = arena_alloc(pr->noffs * sizeof *pr->offs);
	pr->refs = arena_alloc(pr->noffs * sizeof *pr->refs);
	for (i = 0; i < pr->noffs; i++) {
		if (number(pp, &pr->offs[i]) < 0)
			return -1;
		pr->refs[i] = 0;
		if (**pp == ':') {
			(*pp)++;
			if (number(pp, &pr->refs[i]) < 0)
				return -1;
		}
	}
	return 0;
}

static int
rec_probe(struct meta *m, const char *p)
{
	struct meta_probe *pr;
	char *k, *w, *colon;
	uint64_t v;

	m->probes = vgrow(m->probes, &m->capprobes, m->nprobes + 1,
	    sizeof *m->probes);
	pr = &m->probes[m->nprobes];
	memset(pr, 0, sizeof *pr);
	if (!(pr->prog = word(&p)) || !(k = word(&p)) ||
	    loc(m, &p, &pr->loc) < 0 || !(pr->point = meta_unquote(&p, NULL)))
		return bad(m, "malformed probe record");
	pr->kind = meta_probekind(k);
	while ((w = word(&p))) {
		if (!strcmp(w, "tracepoint")) {
			if (!(w = word(&p)) || !(colon = strchr(w, ':')))
				return bad(m, "malformed tracepoint");
			*colon = '\0';
			pr->tpgroup = w;
			pr->tpname = colon + 1;
			continue;
		}
		if (!strcmp(w, "args")) {
			pr->tpargs = 1;
			continue;
		}
		if (!strcmp(w, "return")) {
			pr->ret = 1;
			continue;
		}
		if (!strcmp(w, "funcs")) {
			size_t i;

			if (number(&p, &v) < 0 || v == 0 || v > 1 << 20)
				return bad(m, "malformed funcs");
			pr->nfuncs = (size_t)v;
			pr->funcs = arena_alloc(pr->nfuncs * sizeof *pr->funcs);
			for (i = 0; i < pr->nfuncs; i++)
				if (!(pr->funcs[i] = word(&p)))
					return bad(m, "malformed funcs");
			continue;
		}
		if (!strcmp(w, "path")) {
			if (!(pr->path = meta_unquote(&p, NULL)))
				return bad(m, "malformed path");
			continue;
		}
		if (!strcmp(w, "file")) {
			if (!(pr->file = meta_unquote(&p, NULL)))
				return bad(m, "malformed file");
			continue;
		}
		if (!strcmp(w, "write")) {
			pr->write = 1;
			continue;
		}
		if (!strcmp(w, "offsets")) {
			if (rec_offsets(pr, &p) < 0)
				return bad(m, "malformed offsets");
			continue;
		}
		if (!strcmp(w, "prio")) {
			char *e;

			pr->prio = strtol(p, &e, 10);
			if (e == p)
				return bad(m, "malformed prio");
			p = e;
			continue;
		}
		if (number(&p, &v) < 0)
			continue;
		if (!strcmp(w, "period"))
			pr->period = v;
		else if (!strcmp(w, "freq"))
			pr->freq = v;
		else if (!strcmp(w, "type"))
			pr->type = v;
		else if (!strcmp(w, "config"))
			pr->config = v;
		else if (!strcmp(w, "randomize"))
			pr->randomize = v;
		else if (!strcmp(w, "ticks"))
			pr->ticks = v + 1;
		else if (!strcmp(w, "probes"))
			pr->probes = v;
		else if (!strcmp(w, "umask"))
			pr->umask = v;
		else if (!strcmp(w, "maxsize"))
			pr->maxsize = v;
	}
	hash_add(&m->probeidx, pr->prog, (long)m->nprobes);
	m->nprobes++;
	return 0;
}

static int
rec_format(struct meta *m, const char *p)
{
	struct meta_format *f;
	uint64_t id;
	char *fmt, *types;

	if (number(&p, &id) < 0 || id > 1 << 20 ||
	    !(fmt = meta_unquote(&p, NULL)) || !(types = word(&p)))
		return bad(m, "malformed format record");
	if (strspn(types, "ls") != strlen(types) && strcmp(types, "-"))
		return bad(m, "unknown argument type in format record");
	m->formats = index_grow(m->formats, &m->nformats, &m->capformats, id,
	    sizeof *m->formats);
	f = &m->formats[id];
	f->fmt = fmt;
	f->types = strcmp(types, "-") ? types : "";
	return 0;
}

/* hist ID log | hist ID linear START STOP INTERVAL */
static int
rec_hist(struct meta *m, const char *p)
{
	struct meta_hist *h;
	uint64_t id;
	long long v[3];
	char *type, *e;
	int i, nb = 0;

	if (number(&p, &id) < 0 || id > 1 << 20 || !(type = word(&p)))
		return bad(m, "malformed hist record");
	if (!strcmp(type, "linear")) {
		for (i = 0; i < 3; i++) {
			skipblank(&p);
			v[i] = strtoll(p, &e, 10);
			if (e == p)
				return bad(m, "malformed hist record");
			p = e;
		}
		nb = stap_hist_nbuckets(HIST_LINEAR, v[0], v[1], v[2]);
	} else if (!strcmp(type, "log")) {
		nb = stap_hist_nbuckets(HIST_LOG, 0, 0, 0);
	}
	if (nb <= 0)
		return bad(m, "bad histogram in hist record");
	m->hists = index_grow(m->hists, &m->nhists, &m->caphists, id,
	    sizeof *m->hists);
	h = &m->hists[id];
	h->type = strcmp(type, "log") ? HIST_LINEAR : HIST_LOG;
	if (h->type == HIST_LINEAR) {
		h->start = v[0];
		h->stop = v[1];
		h->interval = v[2];
	}
	h->nbuckets = nb;
	return 0;
}

static int
rec_site(struct meta *m, const char *p)
{
	struct meta_site *s;
	struct loc l;
	uint64_t id;
	char *msg;

	if (number(&p, &id) < 0 || id > 1 << 20 || loc(m, &p, &l) < 0 ||
	    !(msg = meta_unquote(&p, NULL)))
		return bad(m, "malformed site record");
	m->sites = index_grow(m->sites, &m->nsites, &m->capsites, id,
	    sizeof *m->sites);
	s = &m->sites[id];
	s->loc = l;
	s->msg = msg;
	return 0;
}

static int
rec_line(struct meta *m, const char *p)
{
	struct meta_line *l;
	uint64_t insn;

	m->lines = vgrow(m->lines, &m->caplines, m->nlines + 1,
	    sizeof *m->lines);
	l = &m->lines[m->nlines];
	if (!(l->prog = word(&p)) || number(&p, &insn) < 0 ||
	    loc(m, &p, &l->loc) < 0)
		return bad(m, "malformed line record");
	l->insn = insn;
	m->nlines++;
	return 0;
}

static int
rec_array(struct meta *m, const char *p)
{
	struct meta_array *a;
	char *vt, *keys, *s;
	size_t i = 0;

	m->arrays = vgrow(m->arrays, &m->caparrays, m->narrays + 1,
	    sizeof *m->arrays);
	a = &m->arrays[m->narrays];
	if (!(a->name = word(&p)) || !(a->map = word(&p)) ||
	    !(vt = word(&p)) || !(keys = word(&p)))
		return bad(m, "malformed array record");
	a->valtype = !strcmp(vt, "stats") ? 'S' : vt[0] == 's' ? 's' : 'l';
	a->keytypes = arena_alloc(strlen(keys) + 1);
	for (s = strtok(keys, ","); s; s = strtok(NULL, ","))
		a->keytypes[i++] = s[0] == 's' ? 's' : 'l';
	m->narrays++;
	return 0;
}

static int
rec_fmtstr(struct meta *m, const char *p)
{
	struct meta_fmtstr *f;
	uint64_t off;

	m->fmtstrs = vgrow(m->fmtstrs, &m->capfmtstrs, m->nfmtstrs + 1,
	    sizeof *m->fmtstrs);
	f = &m->fmtstrs[m->nfmtstrs];
	if (number(&p, &off) < 0 || !(f->str = meta_unquote(&p, NULL)))
		return bad(m, "malformed fmtstr record");
	f->off = off;
	f->len = 0;
	m->nfmtstrs++;
	return 0;
}

/* fmtbytes OFFSET HEX: a regex's DFA, say */
static int
rec_fmtbytes(struct meta *m, const char *p)
{
	struct meta_fmtstr *f;
	uint64_t off;
	size_t n, i;
	char *w;

	if (number(&p, &off) < 0 || !(w = word(&p)) || !(n = strlen(w) / 2) ||
	    strlen(w) % 2 || strspn(w, "0123456789abcdef") != 2 * n)
		return bad(m, "malformed fmtbytes record");
	m->fmtstrs = vgrow(m->fmtstrs, &m->capfmtstrs, m->nfmtstrs + 1,
	    sizeof *m->fmtstrs);
	f = &m->fmtstrs[m->nfmtstrs++];
	f->off = off;
	f->len = n;
	f->str = arena_alloc(n);
	for (i = 0; i < n; i++) {
		int hi = w[2 * i] <= '9' ? w[2 * i] - '0' : w[2 * i] - 'a' + 10;
		int lo = w[2 * i + 1] <= '9' ? w[2 * i + 1] - '0' :
		    w[2 * i + 1] - 'a' + 10;

		f->str[i] = (char)(hi << 4 | lo);
	}
	return 0;
}

static int
header(struct meta *m, const char *p)
{
	uint64_t v;
	char *k = word(&p);

	if (!strcmp(k, "@script")) {
		if (!(m->script = meta_unquote(&p, NULL)))
			return bad(m, "malformed @script");
		return 0;
	}
	if (number(&p, &v) < 0)
		return 0;	/* someone else's header */
	if (!strcmp(k, "@maxstringlen")) {
		if (v < 8 || v > 1 << 16)
			return bad(m, "@maxstringlen out of range");
		m->maxstr = v;
	} else if (!strcmp(k, "@scratch"))
		m->scratch = v;
	else if (!strcmp(k, "@globals"))
		m->globals = v;
	else if (!strcmp(k, "@ringbuf"))
		m->ringbuf = v;
	return 0;
}

int
meta_feed(struct meta *m, const char *line, const char *magic)
{
	size_t n = strlen(magic);
	const char *p = line;
	char kind[16];
	size_t k;

	m->lineno++;
	if (!m->magic) {
		if (strncmp(line, magic, n) || line[n] != ' ') {
			snprintf(m->err, sizeof m->err, "not a %s file", magic);
			return -1;
		}
		if (strcmp(line + n + 1, "1")) {
			snprintf(m->err, sizeof m->err,
			    "%s version %.20s; this reader knows version 1",
			    magic, line + n + 1);
			return -1;
		}
		m->magic = 1;
		return 0;
	}
	if (m->ended)
		return bad(m, "data after the end line");
	if (m->srcleft)
		return srcline(m, line);
	if (line[0] == '@')
		return header(m, line);
	k = strcspn(p, " ");
	if (k >= sizeof kind)
		return 0;
	memcpy(kind, p, k);
	kind[k] = '\0';
	p += k;
	if (!strcmp(kind, "end"))
		m->ended = 1;
	else if (!strcmp(kind, "file"))
		return rec_file(m, p);
	else if (!strcmp(kind, "probe"))
		return rec_probe(m, p);
	else if (!strcmp(kind, "format"))
		return rec_format(m, p);
	else if (!strcmp(kind, "site"))
		return rec_site(m, p);
	else if (!strcmp(kind, "hist"))
		return rec_hist(m, p);
	else if (!strcmp(kind, "line"))
		return rec_line(m, p);
	else if (!strcmp(kind, "array"))
		return rec_array(m, p);
	else if (!strcmp(kind, "fmtstr"))
		return rec_fmtstr(m, p);
	else if (!strcmp(kind, "fmtbytes"))
		return rec_fmtbytes(m, p);
	return 0;
}

struct loc
meta_insnloc(const struct meta *m, const char *prog, size_t insn)
{
	const struct meta_probe *pr = meta_probe(m, prog);
	struct loc best = { -1, 0, 0 };
	size_t i, at = 0;
	int found = 0;

	if (pr)
		best = pr->loc;
	for (i = 0; i < m->nlines; i++) {
		const struct meta_line *l = &m->lines[i];

		if (strcmp(l->prog, prog) || l->insn > insn)
			continue;
		if (!found || l->insn >= at) {
			best = l->loc;
			at = l->insn;
			found = 1;
		}
	}
	return best;
}

const struct meta_probe *
meta_probe(const struct meta *m, const char *prog)
{
	long i = hash_get(&m->probeidx, prog);

	return i >= 0 ? &m->probes[i] : NULL;
}

/*
 * NULL if a map of ksize-byte keys and vsize-byte values holds what
 * array record a says (a long 8 bytes, a string maxstr, statistics
 * their count, sum, min and max at least), else what disagrees: the
 * code that walks and sorts the map reads keys and values by the
 * record, so a .bo where they differ is refused before it runs.
 */
const char *
meta_array_check(const struct meta *m, const struct meta_array *a,
    size_t ksize, size_t vsize)
{
	static char why[160];
	size_t k = 0, v;
	const char *t;

	for (t = a->keytypes; *t; t++)
		k += *t == 's' ? m->maxstr : 8;
	v = a->valtype == 's' ? m->maxstr : 8;
	if (k != ksize) {
		snprintf(why, sizeof why, "array '%.40s': its keys take %zu "
		    "bytes, map '%.40s' has %zu", a->name, k, a->map, ksize);
		return why;
	}
	if (a->valtype == 'S' ? vsize < 32 : v != vsize) {
		snprintf(why, sizeof why, "array '%.40s': its value takes "
		    "%zu bytes, map '%.40s' has %zu", a->name,
		    a->valtype == 'S' ? (size_t)32 : v, a->map, vsize);
		return why;
	}
	return NULL;
}

const struct meta_array *
meta_array(const struct meta *m, const char *map)
{
	size_t i;

	for (i = 0; i < m->narrays; i++)
		if (!strcmp(m->arrays[i].map, map))
			return &m->arrays[i];
	return NULL;
}

/* ---- the writer ---- */

const char *
meta_kindname(enum probekind k)
{
	return (size_t)k < NELEM(kindnames) ? kindnames[k] : "other";
}

char *
meta_rec(const char *fmt, ...)
{
	va_list ap;
	char *b;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal("meta_rec: bad format");
	b = arena_alloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(b, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return b;
}

static char *
q(const char *s)
{
	return arena_quote(s, strlen(s));
}

const char *
meta_typename(char t)
{
	return t == 's' ? "string" : t == 'S' ? "stats" : "long";
}

char *
meta_rec_file(size_t id, const char *name, int nlines)
{
	return meta_rec("file %zu %s %d", id, q(name), nlines);
}

char *
meta_rec_probe(const struct meta_probe *p)
{
	const char *kind = meta_kindname(p->kind);
	char extra[512];

	switch (p->kind) {
	case PK_TIMER:
		snprintf(extra, sizeof extra, "period %" PRIu64, p->period);
		if (p->randomize)
			snprintf(extra + strlen(extra), sizeof extra -
			    strlen(extra), " randomize %" PRIu64,
			    p->randomize);
		break;
	case PK_PERF:
		snprintf(extra, sizeof extra, "type %" PRIu64 " config %"
		    PRIu64 " %s %" PRIu64, p->type, p->config, p->freq ?
		    "freq" : "period", p->freq ? p->freq : p->period);
		break;
	case PK_TRACEPOINT:
		snprintf(extra, sizeof extra, "tracepoint %s:%s", p->tpgroup,
		    p->tpname);
		if (p->probes > 1)
			snprintf(extra + strlen(extra), sizeof extra -
			    strlen(extra), " probes %zu", p->probes);
		if (p->tpargs)
			snprintf(extra + strlen(extra), sizeof extra -
			    strlen(extra), " args");
		break;
	case PK_KPROBE: {
		/* the functions may be thousands: no fixed buffer */
		size_t i, len = 32;
		char *b, *e;

		for (i = 0; i < p->nfuncs; i++)
			len += strlen(p->funcs[i]) + 1;
		b = e = arena_alloc(len);
		e += sprintf(e, "%sfuncs %zu", p->ret ? "return " : "",
		    p->nfuncs);
		for (i = 0; i < p->nfuncs; i++)
			e += sprintf(e, " %s", p->funcs[i]);
		return meta_rec("probe %s %s %d:%d:%d %s %s", p->prog, kind,
		    p->loc.file, p->loc.line, p->loc.col, q(p->point), b);
	}
	case PK_UPROBE: {
		size_t i, len = 64 + strlen(p->path) * 4;
		char *b, *e;

		len += p->noffs * 42;
		b = e = arena_alloc(len);
		e += sprintf(e, "%spath %s offsets %zu", p->ret ? "return " :
		    "", q(p->path), p->noffs);
		for (i = 0; i < p->noffs; i++) {
			e += sprintf(e, " %" PRIu64, p->offs[i]);
			if (p->refs[i])
				e += sprintf(e, ":%" PRIu64, p->refs[i]);
		}
		return meta_rec("probe %s %s %d:%d:%d %s %s", p->prog, kind,
		    p->loc.file, p->loc.line, p->loc.col, q(p->point), b);
	}
	case PK_PROCFS:
		return meta_rec("probe %s %s %d:%d:%d %s file %s%s umask %"
		    PRIu64 " maxsize %" PRIu64, p->prog, kind, p->loc.file,
		    p->loc.line, p->loc.col, q(p->point), q(p->file),
		    p->write ? " write" : "", p->umask, p->maxsize);
	default:
		snprintf(extra, sizeof extra, "prio %ld", p->prio);
	}
	if (p->ticks)
		snprintf(extra + strlen(extra), sizeof extra - strlen(extra),
		    " ticks %" PRIu64, p->ticks - 1);
	return meta_rec("probe %s %s %d:%d:%d %s %s", p->prog, kind,
	    p->loc.file, p->loc.line, p->loc.col, q(p->point), extra);
}

char *
meta_rec_format(size_t id, const struct meta_format *f)
{
	return meta_rec("format %zu %s %s", id, q(f->fmt),
	    f->types[0] ? f->types : "-");
}

char *
meta_rec_site(size_t id, const struct meta_site *s)
{
	return meta_rec("site %zu %d:%d:%d %s", id, s->loc.file, s->loc.line,
	    s->loc.col, q(s->msg));
}

char *
meta_rec_hist(size_t id, const struct meta_hist *h)
{
	if (h->type == HIST_LOG)
		return meta_rec("hist %zu log", id);
	return meta_rec("hist %zu linear %lld %lld %lld", id,
	    (long long)h->start, (long long)h->stop, (long long)h->interval);
}

char *
meta_rec_line(const struct meta_line *l)
{
	return meta_rec("line %s %zu %d:%d:%d", l->prog, l->insn, l->loc.file,
	    l->loc.line, l->loc.col);
}

char *
meta_rec_array(const struct meta_array *a)
{
	size_t n = strlen(a->keytypes), i;
	char *keys = arena_alloc(8 * n + 1), *k = keys;

	for (i = 0; i < n; i++)
		k += sprintf(k, "%s%s", i ? "," : "",
		    meta_typename(a->keytypes[i]));
	*k = '\0';
	return meta_rec("array %s %s %s %s", a->name, a->map,
	    meta_typename(a->valtype), keys);
}

char *
meta_rec_global(const char *name, size_t off, char type)
{
	return meta_rec("global %s %zu %s", name, off, meta_typename(type));
}

char *
meta_rec_fmtstr(const struct meta_fmtstr *f)
{
	static const char hex[] = "0123456789abcdef";
	char *h;
	size_t k;

	if (!f->len)
		return meta_rec("fmtstr %zu %s", f->off, q(f->str));
	h = arena_alloc(2 * f->len + 1);
	for (k = 0; k < f->len; k++) {
		h[2 * k] = hex[(unsigned char)f->str[k] >> 4];
		h[2 * k + 1] = hex[(unsigned char)f->str[k] & 15];
	}
	h[2 * k] = '\0';
	return meta_rec("fmtbytes %zu %s", f->off, h);
}
