/*
 * stap-bpfgen, strings: literals, formats, regular expressions, sprintf,
 * comparison and the string functions (see gen.c).
 */
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "regex.h"

/* ---- strings ---- */

int
str_literal(struct gen *g, const char *s)
{
	int slot = gen_tmp(g, g->maxstr), i, j;
	size_t len = strlen(s);

	if (len > (size_t)g->maxstr - 1)
		len = g->maxstr - 1;
	for (i = 0; i < g->maxstr; i += 8) {
		uint64_t w = 0;

		for (j = 0; j < 8 && (size_t)(i + j) < len; j++)
			w |= (uint64_t)(unsigned char)s[i + j] << (8 * j);
		if (w == 0) {
			asm_st(g->p, BPF_DW, BPF_REG_9, (int16_t)(slot + i), 0);
			continue;
		}
		asm_ld64(g->p, BPF_REG_1, (int64_t)w);
		asm_stx(g->p, BPF_DW, BPF_REG_9, (int16_t)(slot + i),
		    BPF_REG_1);
	}
	return slot;
}

/* The offset of fmt in stap_fmt, adding it the first time. */
static int
fmtstr(struct gen *g, const char *fmt)
{
	size_t i, n = strlen(fmt) + 1;

	for (i = 0; i < g->nfmtstrs; i++)
		if (!g->fmtstrs[i].bytes && !strcmp(g->fmtstrs[i].s, fmt))
			return g->fmtstrs[i].off;
	g->fmtstrs = vgrow(g->fmtstrs, &g->capfmtstrs, g->nfmtstrs + 1,
	    sizeof *g->fmtstrs);
	memset(&g->fmtstrs[g->nfmtstrs], 0, sizeof *g->fmtstrs);
	g->fmtstrs[g->nfmtstrs].s = arena_strndup(fmt, n - 1);
	g->fmtstrs[g->nfmtstrs].off = (int)g->fmtlen;
	g->fmtlen += n;
	g->usesfmt = 1;
	return g->fmtstrs[g->nfmtstrs++].off;
}

/*
 * The DFA of regex re (a literal at loc) in stap_fmt, once a regex:
 * nstates rows of 256 next states, then nstates accept flags.  -1
 * after an error at the regex.
 */
static int
retable(struct gen *g, struct loc loc, const char *re, int *nstates)
{
	struct redfa *d;
	char err[200];
	int erroff = 0;
	size_t i, n;
	unsigned char *b;

	for (i = 0; i < g->nfmtstrs; i++)
		if (g->fmtstrs[i].bytes && !strcmp(g->fmtstrs[i].s, re)) {
			*nstates = g->fmtstrs[i].nstates;
			return g->fmtstrs[i].off;
		}
	if (!(d = re_compile(re, err, sizeof err, &erroff))) {
		/* under the byte it is about, escapes in the literal
		 * counted as they are written */
		size_t len;
		const char *line = src_line(loc.file, loc.line, &len);

		if (line && erroff >= 0 && (size_t)loc.col <= len)
			loc.col += 1 + (int)lex_string_offset(line + loc.col,
			    len - loc.col, (size_t)erroff);
		diag_error(loc, "regular expression: %s", err);
		return -1;
	}
	n = (size_t)d->nstates * 257;
	b = arena_alloc(n);
	memcpy(b, d->next, (size_t)d->nstates * 256);
	memcpy(b + (size_t)d->nstates * 256, d->accept, (size_t)d->nstates);
	g->fmtstrs = vgrow(g->fmtstrs, &g->capfmtstrs, g->nfmtstrs + 1,
	    sizeof *g->fmtstrs);
	g->fmtstrs[g->nfmtstrs].s = arena_strndup(re, strlen(re));
	g->fmtstrs[g->nfmtstrs].off = (int)g->fmtlen;
	g->fmtstrs[g->nfmtstrs].bytes = b;
	g->fmtstrs[g->nfmtstrs].n = n;
	g->fmtstrs[g->nfmtstrs].nstates = d->nstates;
	g->fmtlen += n;
	g->usesfmt = 1;
	*nstates = d->nstates;
	re_free(d);
	return g->fmtstrs[g->nfmtstrs++].off;
}

/*
 * s =~ re: walk the DFA over s's bytes and its NUL, stopping at the
 * first accepting state (a match) or after the NUL.  The table is in
 * stap_fmt, read-only to the program; a bounded loop the verifier
 * follows to its end, as str_compare's.
 */
int
str_regex_match(struct gen *g, struct node *n)
{
	struct prog *p = g->p;
	int s = expr(g, n->l), res = gen_tmp(g, 8), ns, off, yes, done, loop;

	off = retable(g, n->r->loc, n->r->str, &ns);
	yes = asm_label(p);
	done = asm_label(p);
	loop = asm_label(p);
	asm_st(p, BPF_DW, BPF_REG_9, (int16_t)res, n->op == O_NMATCH);
	if (off < 0)
		return res;
	asm_ldx(p, BPF_DW, BPF_REG_5, BPF_REG_10, SK_FMT);
	asm_movi(p, BPF_REG_3, 0);              /* the state */
	asm_ldx(p, BPF_B, BPF_REG_1, BPF_REG_5, (int16_t)(off + ns * 256));
	asm_jmp(p, BPF_JNE, BPF_REG_1, -1, 0, yes);
	asm_movi(p, BPF_REG_4, 0);              /* the index in s */
	asm_bind(p, loop);
	asm_escape(p, s, g->maxstr);
	asm_mov(p, BPF_REG_2, BPF_REG_9);
	asm_alu(p, BPF_ADD, BPF_REG_2, BPF_REG_4);
	asm_ldx(p, BPF_B, BPF_REG_2, BPF_REG_2, (int16_t)s);
	asm_jmp(p, BPF_JGE, BPF_REG_3, -1, ns, done);
	asm_alui(p, BPF_LSH, BPF_REG_3, 8);
	asm_alu(p, BPF_ADD, BPF_REG_3, BPF_REG_2);
	asm_alu(p, BPF_ADD, BPF_REG_3, BPF_REG_5);
	asm_ldx(p, BPF_B, BPF_REG_3, BPF_REG_3, (int16_t)off);
	asm_jmp(p, BPF_JGE, BPF_REG_3, -1, ns, done);
	asm_mov(p, BPF_REG_1, BPF_REG_3);
	asm_alu(p, BPF_ADD, BPF_REG_1, BPF_REG_5);
	asm_ldx(p, BPF_B, BPF_REG_1, BPF_REG_1, (int16_t)(off + ns * 256));
	asm_jmp(p, BPF_JNE, BPF_REG_1, -1, 0, yes);
	asm_jmp(p, BPF_JEQ, BPF_REG_2, -1, 0, done);
	asm_alui(p, BPF_ADD, BPF_REG_4, 1);
	asm_jmp(p, BPF_JLT, BPF_REG_4, -1, g->maxstr, loop);
	asm_ja(p, done);
	asm_bind(p, yes);
	asm_st(p, BPF_DW, BPF_REG_9, (int16_t)res, n->op == O_MATCH);
	asm_bind(p, done);
	return res;
}

/*
 * A script format as bpf_snprintf takes it: integer conversions are
 * 64-bit in stap but int unless told in the kernel's, so every one gets
 * "ll"; %p is stap's "0x" and 16 hex digits.  The helper has no %o or
 * %b (their values become strings first, cv says how, an entry an
 * argument, and the conversion a %s of the same width), takes no '#'
 * and no precision: a string's precision cuts a copy of it, "%#x"
 * becomes "0x%x"; what is left (a number's precision, '#' with a
 * width) stap-bpfld's interpreter formats, so it is refused only in a
 * kernel probe, at the script's line.
 */
char *
str_kernel_format(struct node *at, const char *fmt, struct conv *cv, int ncv,
    int kernel)
{
	size_t n = strlen(fmt);
	char *out = arena_alloc(3 * n + 1 + 64 * n), *o = out, *pct;
	const char *p, *q;
	int arg = 0;

	for (p = fmt; *p; p++) {
		int minus = 0, zero = 0, alt = 0, width = -1, prec = -1;

		*o++ = *p;
		if (*p != '%')
			continue;
		if (p[1] == '%') {
			*o++ = *++p;
			continue;
		}
		pct = o - 1;
		for (q = p + 1; *q && strchr("-+ #0", *q); q++) {
			minus |= *q == '-';
			zero |= *q == '0';
			alt |= *q == '#';
		}
		for (; *q >= '0' && *q <= '9'; q++)
			width = width < 0 ? *q - '0' : width < 10000 ?
			    width * 10 + *q - '0' : width;
		if (*q == '.')
			for (prec = 0, q++; *q >= '0' && *q <= '9'; q++)
				prec = prec < 10000 ? prec * 10 + *q - '0' :
				    prec;
		while (p[1] && strchr("-+ #0123456789.", p[1]))
			*o++ = *++p;
		while (p[1] == 'l' || p[1] == 'h' || p[1] == 'z' || p[1] == 'j')
			p++;
		if (arg < ncv)
			memset(&cv[arg], 0, sizeof cv[arg]);
		switch (p[1]) {
		case 'd': case 'i': case 'u': case 'x': case 'X':
			if (kernel && (prec >= 0 || (alt && (width >= 0 ||
			    p[1] == 'd' || p[1] == 'i' || p[1] == 'u')))) {
				diag_error(at->loc, "sprintf: the kernel's "
				    "bpf_snprintf has no '#' or precision for "
				    "numbers; stap-bpf cannot format this in a "
				    "kernel probe yet");
				*o = '\0';
				return out;
			}
			if (alt && width < 0) {
				/* stap's "%#x" is "0x" then the digits */
				o = pct;
				o += sprintf(o, "0%c%%", p[1]);
			}
			*o++ = 'l';
			*o++ = 'l';
			*o++ = *++p;
			break;
		case 'p':
			/* as stap-bpfld's printf: spaces to the width, "0x",
			 * zero-padded digits, 16 of them unless a width
			 * says otherwise */
			o = pct;
			if (width < 0)
				width = 18;
			if (!minus && width > 18)
				o += sprintf(o, "%*s", width - 18, "");
			o += sprintf(o, "0x%%0%dllx", !minus && width > 18 ?
			    16 : width > 2 ? width - 2 : 1);
			p++;
			break;
		case 's':
			if (prec >= 0 && arg < ncv) {
				cv[arg].kind = 's';
				cv[arg].digits = prec;
			}
			o = pct;
			o += sprintf(o, "%%%s", minus ? "-" : "");
			if (width >= 0)
				o += sprintf(o, "%d", width);
			*o++ = *++p;
			break;
		case 'c':
			*o++ = *++p;
			break;
		case 'o': case 'b':
			if (arg < ncv && p[1] == 'o') {
				cv[arg].kind = 'o';
				cv[arg].alt = alt;
				cv[arg].digits = prec >= 0 ? prec : zero &&
				    !minus && width > 0 ? width - alt : 1;
			} else if (arg < ncv) {
				cv[arg].kind = 'b';
				cv[arg].bytes = width == 1 || width == 2 ||
				    width == 4 ? width : 8;
			}
			o = pct;
			if (p[1] == 'o' && width > 0)
				o += sprintf(o, "%%%s%ds", minus ? "-" : "",
				    width);
			else
				o += sprintf(o, "%%s");
			p++;
			break;
		default:
			diag_error(at->loc, "sprintf conversion '%%%c' is not "
			    "supported by stap-bpf yet", p[1] ? p[1] : ' ');
			*o = '\0';
			return out;
		}
		arg++;
	}
	*o = '\0';
	return out;
}

/* A copy of the string in slot, cut to prec bytes: %.Ns */
int
str_cut(struct gen *g, int slot, int prec)
{
	int res = gen_tmp(g, g->maxstr);

	gen_copy(g, BPF_REG_9, res, BPF_REG_9, slot, g->maxstr);
	if (prec < g->maxstr)
		asm_st(g->p, BPF_B, BPF_REG_9, (int16_t)(res + prec), 0);
	return res;
}

/*
 * The octal digits of the long in slot, at least digits of them, then
 * a leading 0 for alt: a string for %o, written from its end
 */
int
str_octal(struct gen *g, int slot, const struct conv *cv)
{
	struct prog *p = g->p;
	int res = gen_tmp(g, g->maxstr), lmax = g->maxstr - 1;
	int count = asm_label(p), counted = asm_label(p), loop = asm_label(p);
	int done = asm_label(p);
	int digits = cv->digits < lmax ? cv->digits : lmax;

	if (lmax > 64)
		lmax = 64;
	if (digits > lmax)
		digits = lmax;
	gen_zero(g, BPF_REG_9, res, g->maxstr);
	/* r3 = how many digits v has */
	gen_load(g, BPF_REG_1, slot);
	asm_movi(p, BPF_REG_3, 0);
	asm_bind(p, count);
	asm_alui(p, BPF_ADD, BPF_REG_3, 1);
	asm_alui(p, BPF_RSH, BPF_REG_1, 3);
	asm_jmp(p, BPF_JEQ, BPF_REG_1, -1, 0, counted);
	asm_jmp(p, BPF_JLT, BPF_REG_3, -1, 22, count);
	asm_bind(p, counted);
	{
		int more = asm_label(p);

		asm_jmp(p, BPF_JGE, BPF_REG_3, -1, digits, more);
		asm_movi(p, BPF_REG_3, digits);
		asm_bind(p, more);
	}
	/* '#': a 0 before them, as stap's runtime writes it (0 is "00") */
	if (cv->alt)
		asm_alui(p, BPF_ADD, BPF_REG_3, 1);
	/* r3 = length; r4 = i from 0: digit i from the end at r3-1-i */
	gen_load(g, BPF_REG_1, slot);
	asm_movi(p, BPF_REG_4, 0);
	asm_bind(p, loop);
	asm_jmp(p, BPF_JGE, BPF_REG_4, BPF_REG_3, 0, done);
	asm_mov(p, BPF_REG_5, BPF_REG_3);
	asm_alu(p, BPF_SUB, BPF_REG_5, BPF_REG_4);
	asm_alui(p, BPF_SUB, BPF_REG_5, 1);
	asm_jmp(p, BPF_JGE, BPF_REG_5, -1, lmax, done);
	asm_mov(p, BPF_REG_2, BPF_REG_1);
	asm_alui(p, BPF_AND, BPF_REG_2, 7);
	asm_alui(p, BPF_ADD, BPF_REG_2, '0');
	asm_alu(p, BPF_ADD, BPF_REG_5, BPF_REG_9);
	asm_stx(p, BPF_B, BPF_REG_5, (int16_t)res, BPF_REG_2);
	asm_alui(p, BPF_RSH, BPF_REG_1, 3);
	asm_alui(p, BPF_ADD, BPF_REG_4, 1);
	asm_jmp(p, BPF_JLT, BPF_REG_4, -1, lmax, loop);
	asm_bind(p, done);
	return res;
}

/* %b: the value's low bytes as they are, a string up to a NUL */
int
str_binary(struct gen *g, int slot, const struct conv *cv)
{
	int res = gen_tmp(g, g->maxstr);

	gen_zero(g, BPF_REG_9, res, g->maxstr);
	gen_load(g, BPF_REG_1, slot);
	if (cv->bytes < 8) {
		asm_alui(g->p, BPF_LSH, BPF_REG_1, 64 - 8 * cv->bytes);
		asm_alui(g->p, BPF_RSH, BPF_REG_1, 64 - 8 * cv->bytes);
	}
	gen_store(g, res, BPF_REG_1);
	return res;
}

/*
 * out = snprintf(fmt, args): through the bpf_snprintf helper, whose
 * format must sit in a frozen read-only map (stap_fmt) and whose
 * arguments are an array of u64: longs as values, strings as pointers.
 */
int
str_snprintf_(struct gen *g, const char *fmt, const int *slots,
    const enum type *types, int n)
{
	int out = gen_tmp(g, g->maxstr), data = gen_tmp(g, 8 * (n ? n : 1));
	int off = fmtstr(g, fmt), i;

	for (i = 0; i < n; i++) {
		if (types[i] == T_STRING) {
			asm_escape(g->p, slots[i], g->maxstr);
			asm_mov(g->p, BPF_REG_1, BPF_REG_9);
			asm_alui(g->p, BPF_ADD, BPF_REG_1, slots[i]);
		} else {
			gen_load(g, BPF_REG_1, slots[i]);
		}
		gen_store(g, data + 8 * i, BPF_REG_1);
	}
	gen_zero(g, BPF_REG_9, out, g->maxstr);
	asm_escape(g->p, out, g->maxstr);
	asm_mov(g->p, BPF_REG_1, BPF_REG_9);
	asm_alui(g->p, BPF_ADD, BPF_REG_1, out);
	asm_movi(g->p, BPF_REG_2, g->maxstr);
	asm_ldx(g->p, BPF_DW, BPF_REG_3, BPF_REG_10, SK_FMT);
	asm_alui(g->p, BPF_ADD, BPF_REG_3, off);
	if (n) {
		asm_escape(g->p, data, 8 * n);
		asm_mov(g->p, BPF_REG_4, BPF_REG_9);
		asm_alui(g->p, BPF_ADD, BPF_REG_4, data);
	} else {
		asm_movi(g->p, BPF_REG_4, 0);
	}
	asm_movi(g->p, BPF_REG_5, 8 * n);
	asm_call(g->p, BPF_FUNC_snprintf);
	return out;
}

/*
 * r0 = strcmp(a, b) as -1, 0, 1: a byte loop with a constant bound,
 * which the verifier follows to its end.
 */
int
str_compare(struct gen *g, int a, int b)
{
	struct prog *p = g->p;
	int res = gen_tmp(g, 8);
	int loop = asm_label(p), diff = asm_label(p), equal = asm_label(p);
	int less = asm_label(p), done = asm_label(p);

	asm_movi(p, BPF_REG_1, 0);
	asm_bind(p, loop);
	asm_escape(p, a, g->maxstr);
	asm_escape(p, b, g->maxstr);
	asm_mov(p, BPF_REG_2, BPF_REG_9);
	asm_alu(p, BPF_ADD, BPF_REG_2, BPF_REG_1);
	asm_ldx(p, BPF_B, BPF_REG_3, BPF_REG_2, (int16_t)a);
	asm_ldx(p, BPF_B, BPF_REG_4, BPF_REG_2, (int16_t)b);
	asm_jmp(p, BPF_JNE, BPF_REG_3, BPF_REG_4, 0, diff);
	asm_jmp(p, BPF_JEQ, BPF_REG_3, -1, 0, equal);
	asm_alui(p, BPF_ADD, BPF_REG_1, 1);
	asm_jmp(p, BPF_JLT, BPF_REG_1, -1, g->maxstr, loop);
	asm_bind(p, equal);
	asm_movi(p, BPF_REG_0, 0);
	asm_ja(p, done);
	asm_bind(p, diff);
	asm_jmp(p, BPF_JLT, BPF_REG_3, BPF_REG_4, 0, less);
	asm_movi(p, BPF_REG_0, 1);
	asm_ja(p, done);
	asm_bind(p, less);
	asm_movi(p, BPF_REG_0, -1);
	asm_bind(p, done);
	gen_store(g, res, BPF_REG_0);
	return res;
}

int
str_length(struct gen *g, int s)
{
	struct prog *p = g->p;
	int res = gen_tmp(g, 8), loop = asm_label(p), done = asm_label(p);

	asm_movi(p, BPF_REG_1, 0);
	asm_bind(p, loop);
	asm_escape(p, s, g->maxstr);
	asm_mov(p, BPF_REG_2, BPF_REG_9);
	asm_alu(p, BPF_ADD, BPF_REG_2, BPF_REG_1);
	asm_ldx(p, BPF_B, BPF_REG_3, BPF_REG_2, (int16_t)s);
	asm_jmp(p, BPF_JEQ, BPF_REG_3, -1, 0, done);
	asm_alui(p, BPF_ADD, BPF_REG_1, 1);
	asm_jmp(p, BPF_JLT, BPF_REG_1, -1, g->maxstr, loop);
	asm_bind(p, done);
	gen_store(g, res, BPF_REG_1);
	return res;
}

/* substr(s, start, len): bytes start.. of s, at most len of them */
int
str_sub(struct gen *g, int s, int start, int len)
{
	struct prog *p = g->p;
	int res = gen_tmp(g, g->maxstr), loop = asm_label(p),
	    done = asm_label(p);

	gen_zero(g, BPF_REG_9, res, g->maxstr);
	gen_load(g, BPF_REG_4, start);      /* r4: the source index */
	gen_load(g, BPF_REG_5, len);        /* r5: bytes left to take */
	asm_movi(p, BPF_REG_1, 0);      /* r1: the destination index */
	asm_bind(p, loop);
	asm_jmp(p, BPF_JSLE, BPF_REG_5, -1, 0, done);
	asm_jmp(p, BPF_JSLT, BPF_REG_4, -1, 0, done);
	asm_jmp(p, BPF_JSGE, BPF_REG_4, -1, g->maxstr, done);
	asm_jmp(p, BPF_JGE, BPF_REG_1, -1, g->maxstr - 1, done);
	asm_escape(p, s, g->maxstr);
	asm_mov(p, BPF_REG_2, BPF_REG_9);
	asm_alu(p, BPF_ADD, BPF_REG_2, BPF_REG_4);
	asm_ldx(p, BPF_B, BPF_REG_3, BPF_REG_2, (int16_t)s);
	asm_jmp(p, BPF_JEQ, BPF_REG_3, -1, 0, done);
	asm_escape(p, res, g->maxstr);
	asm_mov(p, BPF_REG_2, BPF_REG_9);
	asm_alu(p, BPF_ADD, BPF_REG_2, BPF_REG_1);
	asm_stx(p, BPF_B, BPF_REG_2, (int16_t)res, BPF_REG_3);
	asm_alui(p, BPF_ADD, BPF_REG_1, 1);
	asm_alui(p, BPF_ADD, BPF_REG_4, 1);
	asm_alui(p, BPF_SUB, BPF_REG_5, 1);
	asm_ja(p, loop);
	asm_bind(p, done);
	return res;
}

/*
 * isinstr(a, b): a naive double loop.  In the kernel the outer loop is
 * a bpf_loop callback, whose index is the start in a; the verifier
 * would give up following 128 x 128 paths inline.
 */
int
str_find(struct gen *g, int a, int b, struct loc loc)
{
	struct prog *p = g->p, *cb = NULL;
	int res = gen_tmp(g, 8), outer = asm_label(p), inner, next, found, done;

	asm_st(p, BPF_DW, BPF_REG_9, (int16_t)res, 0);
	if (p->section) {
		cb = p = gen_callback(g, BPF_REG_2, loc);
		done = asm_label(p);
		asm_jmp(p, BPF_JGE, BPF_REG_1, -1, g->maxstr, done);
	} else {
		done = asm_label(p);
		asm_movi(p, BPF_REG_1, 0);      /* start in a */
		asm_bind(p, outer);
	}
	inner = asm_label(p);
	next = asm_label(p);
	found = asm_label(p);
	asm_movi(p, BPF_REG_4, 0);              /* index in b */
	asm_bind(p, inner);
	asm_escape(p, b, g->maxstr);
	asm_mov(p, BPF_REG_2, BPF_REG_9);
	asm_alu(p, BPF_ADD, BPF_REG_2, BPF_REG_4);
	asm_ldx(p, BPF_B, BPF_REG_5, BPF_REG_2, (int16_t)b);
	asm_jmp(p, BPF_JEQ, BPF_REG_5, -1, 0, found);
	asm_mov(p, BPF_REG_3, BPF_REG_1);
	asm_alu(p, BPF_ADD, BPF_REG_3, BPF_REG_4);
	asm_jmp(p, BPF_JGE, BPF_REG_3, -1, g->maxstr, done);
	asm_escape(p, a, g->maxstr);
	asm_mov(p, BPF_REG_2, BPF_REG_9);
	asm_alu(p, BPF_ADD, BPF_REG_2, BPF_REG_3);
	asm_ldx(p, BPF_B, BPF_REG_3, BPF_REG_2, (int16_t)a);
	asm_jmp(p, BPF_JEQ, BPF_REG_3, -1, 0, done);
	asm_jmp(p, BPF_JNE, BPF_REG_3, BPF_REG_5, 0, next);
	asm_alui(p, BPF_ADD, BPF_REG_4, 1);
	asm_jmp(p, BPF_JLT, BPF_REG_4, -1, g->maxstr, inner);
	asm_ja(p, found);
	asm_bind(p, next);
	if (cb) {
		gen_cb_return(cb, 0);
	} else {
		asm_alui(p, BPF_ADD, BPF_REG_1, 1);
		asm_jmp(p, BPF_JLT, BPF_REG_1, -1, g->maxstr, outer);
		asm_ja(p, done);
	}
	asm_bind(p, found);
	asm_st(p, BPF_DW, BPF_REG_9, (int16_t)res, 1);
	asm_bind(p, done);
	if (cb) {
		gen_cb_return(cb, 1);
		g->p = p = cb->up;
		asm_movi(p, BPF_REG_1, g->maxstr);
		gen_frame_args(g);
		gen_call_back(g, cb, BPF_FUNC_loop);
	}
	return res;
}
