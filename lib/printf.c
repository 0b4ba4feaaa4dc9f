/*
 * SystemTap's printf, for PRINTF records, and the renderer of event
 * streams (man/stap-events.5) that stap-fmt calls.
 *
 * The semantics are those of stap's kernel runtime, which differ from
 * C's: every integer conversion takes the whole 64-bit value (length
 * modifiers are accepted and ignored); a 0 flag pads even when there is
 * a precision; %#x of 0 is "0x0" and %#o always gets its leading 0; %p
 * is "0x" and 16 zero-padded hex digits; %b writes the value's bytes;
 * %c takes the low byte; an unknown conversion prints itself.  Where
 * stap has a plain defect (a NUL byte after "%05s", "0x0x" for "%#p")
 * we print what the script asked for instead.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "stap.h"
#include "meta.h"
#include "hist.h"
#include "usym.h"

enum {
	F_ZEROPAD = 1,
	F_SIGN = 2,
	F_PLUS = 4,
	F_SPACE = 8,
	F_LEFT = 16,
	F_SPECIAL = 32,
	F_LARGE = 64,
	MAXWIDTH = 1 << 16,	/* so a bad width cannot flood the output */
};

static void
pad(FILE *out, int c, long n)
{
	while (n-- > 0)
		putc(c, out);
}

/* An integer in base with width size and minimum digits precision */
static void
number(FILE *out, uint64_t num, int base, long size, long precision,
    int flags)
{
	const char *digits = flags & F_LARGE ? "0123456789ABCDEF" :
	    "0123456789abcdef";
	char tmp[66];
	int sign = 0, i = 0;

	if (flags & F_LEFT)
		flags &= ~F_ZEROPAD;
	if (flags & F_SIGN) {
		if ((int64_t)num < 0) {
			sign = '-';
			num = -num;	/* unsigned: right for INT64_MIN */
		} else if (flags & F_PLUS)
			sign = '+';
		else if (flags & F_SPACE)
			sign = ' ';
		if (sign)
			size--;
	}
	if (flags & F_SPECIAL)
		size -= base == 16 ? 2 : base == 8 ? 1 : 0;
	do
		tmp[i++] = digits[num % base];
	while ((num /= base) != 0);
	if (i > precision)
		precision = i;
	size -= precision;
	if (!(flags & (F_ZEROPAD | F_LEFT))) {
		pad(out, ' ', size);
		size = 0;
	}
	if (sign)
		putc(sign, out);
	if (flags & F_SPECIAL && base == 8)
		putc('0', out);
	if (flags & F_SPECIAL && base == 16) {
		putc('0', out);
		putc(flags & F_LARGE ? 'X' : 'x', out);
	}
	if (!(flags & F_LEFT))
		pad(out, flags & F_ZEROPAD ? '0' : ' ', size);
	pad(out, '0', precision - i);
	while (i-- > 0)
		putc(tmp[i], out);
	if (flags & F_LEFT)
		pad(out, ' ', size);
}

size_t
stapfmt_argsize(const char *types, size_t maxstr)
{
	size_t n = 0;

	for (; *types; types++)
		n += *types == 's' ? maxstr : 8;
	return n;
}

/* The argument list of one record, consumed in order */
struct args {
	const char *types;
	const unsigned char *p, *end;
	size_t maxstr;
	int bad;
};

static int64_t
arglong(struct args *a)
{
	int64_t v = 0;

	if (*a->types != 'l' || a->end - a->p < 8) {
		a->bad = 1;
		if (*a->types == 's' && (size_t)(a->end - a->p) >= a->maxstr)
			a->p += a->maxstr;
		if (*a->types)
			a->types++;
		return 0;
	}
	memcpy(&v, a->p, 8);
	a->p += 8;
	a->types++;
	return v;
}

/* A string argument: its bytes up to the NUL or maxstr */
static const char *
argstr(struct args *a, size_t *len)
{
	const char *s;

	if (*a->types != 's' || (size_t)(a->end - a->p) < a->maxstr) {
		a->bad = 1;
		if (*a->types == 'l' && a->end - a->p >= 8)
			a->p += 8;
		if (*a->types)
			a->types++;
		*len = 0;
		return "";
	}
	s = (const char *)a->p;
	a->p += a->maxstr;
	a->types++;
	*len = strnlen(s, a->maxstr);
	return s;
}

static void
conv_s(FILE *out, struct args *a, long width, long prec, int flags)
{
	size_t n;
	const char *s = argstr(a, &n);
	char buf[4096];

	/* a user symbol's reference (lib/usym.c) becomes its text */
	if (stapfmt_usyms && memchr(s, '\033', n)) {
		n = usym_expand(stapfmt_usyms, s, n, buf, a->maxstr <
		    sizeof buf ? a->maxstr : sizeof buf);
		s = buf;
	}
	if (prec >= 0 && (size_t)prec < n)
		n = prec;
	if (!(flags & F_LEFT))
		pad(out, ' ', width - (long)n);
	fwrite(s, 1, n, out);
	if (flags & F_LEFT)
		pad(out, ' ', width - (long)n);
}

/* %m: the string argument's bytes, precision of them (default 1);
 * %M: the same bytes in hex, two digits each */
static void
conv_m(FILE *out, struct args *a, int c, long width, long prec, int flags)
{
	size_t n, i, len;
	const char *s = argstr(a, &len);

	n = prec > 0 ? (size_t)prec : 1;
	if (n > a->maxstr)
		n = a->maxstr;
	if (!(flags & F_LEFT))
		pad(out, ' ', width - (long)(c == 'M' ? 2 * n : n));
	for (i = 0; i < n; i++) {
		unsigned char b = i < len ? (unsigned char)s[i] : 0;

		if (c == 'm')
			putc(b, out);
		else
			fprintf(out, "%02x", b);
	}
	if (flags & F_LEFT)
		pad(out, ' ', width - (long)(c == 'M' ? 2 * n : n));
}

/* %b: the value's low precision bytes (1, 2, 4 or 8; default 8) in
 * host order, padded with NULs to the width, as stap writes them */
static void
conv_b(FILE *out, uint64_t v, long width, long prec, int flags)
{
	unsigned char bytes[8];

	if (prec != 1 && prec != 2 && prec != 4 && prec != 8)
		prec = -1;
	if (width < 0 && prec < 0)
		width = prec = 8;
	else if (width < 0)
		width = prec;
	else if (prec < 0)
		prec = width == 1 || width == 2 || width == 4 ? width : 8;
	if (!(flags & F_LEFT))
		pad(out, '\0', width - prec);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v <<= 64 - 8 * prec;
#endif
	memcpy(bytes, &v, 8);
	fwrite(bytes, 1, prec, out);
	if (flags & F_LEFT)
		pad(out, '\0', width - prec);
}

static void
conv_p(FILE *out, uint64_t v, long width, int flags)
{
	long len = 2 + 16;

	if (width < 0)
		width = len;
	if (!(flags & F_LEFT))
		for (; width > len; width--)
			putc(' ', out);
	fputs("0x", out);
	width -= 2;
	number(out, v, 16, width, width,
	    (flags | F_ZEROPAD) & ~(F_SPECIAL | F_SIGN));
}

static void
conv_c(FILE *out, uint64_t v, long width, int flags)
{
	if (!(flags & F_LEFT))
		pad(out, ' ', width - 1);
	putc((unsigned char)v, out);
	if (flags & F_LEFT)
		pad(out, ' ', width - 1);
}

/* A width or precision: digits, or '*' taking a long argument */
static long
count(const char **fp, struct args *a)
{
	long n = 0;

	if (**fp == '*') {
		int64_t v = arglong(a);

		(*fp)++;
		return v < -MAXWIDTH ? -MAXWIDTH : v > MAXWIDTH ? MAXWIDTH : v;
	}
	while (**fp >= '0' && **fp <= '9') {
		if (n < MAXWIDTH)
			n = n * 10 + (*(*fp)++ - '0');
		else
			(*fp)++;
	}
	return n;
}

/* One conversion; f points after the '%' and is advanced past it */
static void
conversion(FILE *out, const char **fp, struct args *a)
{
	const char *f = *fp;
	long width = -1, prec = -1;
	int flags = 0, base = 10;
	uint64_t v;

	for (;; f++) {
		if (*f == '-') flags |= F_LEFT;
		else if (*f == '+') flags |= F_PLUS;
		else if (*f == ' ') flags |= F_SPACE;
		else if (*f == '#') flags |= F_SPECIAL;
		else if (*f == '0') flags |= F_ZEROPAD;
		else break;
	}
	if (*f == '*' || (*f >= '0' && *f <= '9')) {
		width = count(&f, a);
		if (width < 0) {
			width = -width;
			flags |= F_LEFT;
		}
	}
	if (*f == '.') {
		f++;
		prec = count(&f, a);
		if (prec < 0)
			prec = 0;
	}
	while (*f == 'h' || *f == 'l' || *f == 'L' || *f == 'z' ||
	    *f == 'j' || *f == 't')
		f++;
	*fp = f + (*f != '\0');
	switch (*f) {
	case 's':
		conv_s(out, a, width, prec, flags);
		return;
	case 'm': case 'M':
		conv_m(out, a, *f, width, prec, flags);
		return;
	case 'b':
		conv_b(out, arglong(a), width, prec, flags);
		return;
	case 'p':
		conv_p(out, arglong(a), width, flags);
		return;
	case 'c':
		conv_c(out, arglong(a), width, flags);
		return;
	case '%':
		putc('%', out);
		return;
	case 'd': case 'i':
		flags |= F_SIGN;
		break;
	case 'u':
		break;
	case 'X':
		flags |= F_LARGE;
		/* fall through */
	case 'x':
		base = 16;
		break;
	case 'o':
		base = 8;
		break;
	default:
		putc('%', out);
		if (*f)
			putc(*f, out);
		return;
	}
	v = (uint64_t)arglong(a);
	number(out, v, base, width, prec, flags);
}

int
stapfmt_print(FILE *out, const char *fmt, const char *types,
    const void *args, size_t len, size_t maxstr)
{
	struct args a = { types, args, (const unsigned char *)args + len,
	    maxstr, 0 };
	const char *f = fmt, *pct;

	while (*f) {
		pct = strchr(f, '%');
		if (!pct) {
			fputs(f, out);
			break;
		}
		fwrite(f, 1, pct - f, out);
		f = pct + 1;
		conversion(out, &f, &a);
	}
	return a.bad ? -1 : 0;
}

void
stapfmt_diag(FILE *err, const struct meta *m, unsigned kind, unsigned id,
    const void *payload, size_t len)
{
	const struct meta_site *s = id < m->nsites ? &m->sites[id] : NULL;
	const char *msg = s && s->msg ? s->msg : "unknown error site";
	size_t n = strnlen(payload, len < m->maxstr ? len : m->maxstr);
	char where[256];

	if (n)
		fprintf(err, "%s: %.*s", kind == REC_ERROR ? "ERROR" :
		    "WARNING", (int)n, (const char *)payload);
	else
		fprintf(err, "%s: %s", kind == REC_ERROR ? "ERROR" :
		    "WARNING", msg);
	if (s && s->msg)
		fprintf(err, " near %s", meta_locstr(s->loc, where,
		    sizeof where));
	fputc('\n', err);
}

int
stapfmt_hist(FILE *out, const struct meta *m, uint32_t id, const void *p,
    size_t len)
{
	const struct meta_hist *h;
	struct stap_hist sh;
	int64_t *b;

	if (id >= m->nhists || !(h = &m->hists[id])->type ||
	    len != 32 + 8 * (size_t)h->nbuckets)
		return -1;
	b = emalloc(8 * (size_t)h->nbuckets);
	memcpy(b, (const unsigned char *)p + 32, 8 * (size_t)h->nbuckets);
	sh.type = h->type;
	sh.start = h->start;
	sh.stop = h->stop;
	sh.interval = h->interval;
	sh.nbuckets = h->nbuckets;
	sh.buckets = b;
	stap_hist_print(out, &sh);
	free(b);
	return 0;
}

/* Event streams */

static int
readrec(FILE *in, unsigned char **buf, size_t *cap, uint32_t *len)
{
	if (fread(len, 4, 1, in) != 1)
		return -1;
	if (*len == 0)
		return 0;
	if (*len < 8 || *len > 1 << 24)
		return -1;
	*buf = vgrow(*buf, cap, *len, 1);
	return fread(*buf, 1, *len, in) == *len ? 1 : -1;
}

/* A USTACK record: printed, or (silent) kept for the references to
 * it */
static void
ustack(FILE *out, struct usyms *us, uint32_t silent, const void *p,
    size_t len)
{
	struct ustk st;
	const unsigned char *bids;
	uint32_t nbid;

	if (!silent)
		usym_print_stack(out, us, p, len);
	else if (silent == 1 && usym_stack(p, len, &st, &bids, &nbid) == 0)
		usym_keep(us, &st);
}

int
stapfmt_render(FILE *in, FILE *out, FILE *err, const char *name)
{
	struct meta m;
	char *line = NULL;
	size_t lcap = 0, cap = 0;
	unsigned char *buf = NULL;
	uint64_t lost = 0, nerr = 0, v;
	uint32_t len, kind, id;
	ssize_t n;
	int rc, data = 0, errors = 0, end = 0;
	const struct meta_format *f;
	struct ksyms ks = { 0 };
	struct usyms us = { 0 };

	meta_init(&m);
	stapfmt_usyms = &us;
	while (!data && (n = getline(&line, &lcap, in)) > 0) {
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if (!strcmp(line, "data") && m.magic)
			data = 1;
		else if (!strncmp(line, "@byteorder ", 11) &&
		    !strcmp(line + 11, "big") !=
		    (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)) {
			fprintf(err, "%s: '%s': written on a machine of the "
			    "other byte order\n", argv0, name);
			goto fail;
		} else if (meta_feed(&m, line, "stap-events") < 0) {
			fprintf(err, "%s: '%s': %s\n", argv0, name, m.err);
			goto fail;
		}
	}
	if (!data)
		goto truncated;
	while ((rc = readrec(in, &buf, &cap, &len)) > 0) {
		memcpy(&kind, buf, 4);
		memcpy(&id, buf + 4, 4);
		if (kind == REC_PRINTF && id < m.nformats &&
		    (f = &m.formats[id])->fmt)
			stapfmt_print(out, f->fmt, f->types, buf + 8, len - 8,
			    m.maxstr);
		else if (kind == REC_HIST)
			stapfmt_hist(out, &m, id, buf + 8, len - 8);
		else if (kind == REC_KSYM)
			ksym_feed(&ks, buf + 8, len - 8);
		else if (kind == REC_STACK)
			ksym_print_stack(out, &ks, id, buf + 8, len - 8);
		else if (kind == REC_SYMS)
			ksym_print_syms(out, &ks, buf + 8, len - 8);
		else if (kind == REC_USYM)
			usym_feed(&us, buf + 4, len - 4);
		else if (kind == REC_USTACK)
			ustack(out, &us, id, buf + 8, len - 8);
		else if (kind == REC_ERROR || kind == REC_WARN) {
			fflush(out);
			stapfmt_diag(err, &m, kind, id, buf + 8, len - 8);
			errors += kind == REC_ERROR;
		}
	}
	if (rc < 0)
		goto truncated;
	while ((n = getline(&line, &lcap, in)) > 0) {
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if (sscanf(line, "lost %" SCNu64, &v) == 1)
			lost = v;
		else if (sscanf(line, "errors %" SCNu64, &v) == 1)
			nerr = v;
		else if (!strcmp(line, "end")) {
			end = 1;
			break;
		}
	}
	if (!end)
		goto truncated;
	fflush(out);
	stapfmt_summary(err, lost, nerr > (uint64_t)errors ? nerr :
	    (uint64_t)errors);
	free(line);
	free(buf);
	meta_free(&m);
	ksym_free(&ks);
	usym_free(&us);
	stapfmt_usyms = NULL;
	return nerr || errors;
truncated:
	fprintf(err, "%s: '%s': truncated event stream (no end line)\n",
	    argv0, name);
fail:
	free(line);
	free(buf);
	meta_free(&m);
	ksym_free(&ks);
	usym_free(&us);
	stapfmt_usyms = NULL;
	return -1;
}

void
stapfmt_summary(FILE *err, uint64_t lost, uint64_t errors)
{
	if (lost)
		fprintf(err, "WARNING: Number of lost records: %" PRIu64 "\n",
		    lost);
	if (errors)
		fprintf(err, "WARNING: Number of errors: %" PRIu64 "\n",
		    errors);
}
