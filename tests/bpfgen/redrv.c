/*
 * Tests of stap-bpfgen/regex.c.  re_match is checked against glibc's
 * regexec (REG_EXTENDED | REG_NOSUB) on patterns where stap's dialect
 * and POSIX ERE agree, fixed and random, each on fixed and random
 * strings; against expectations read off stap's sources where they
 * differ; then the errors, and the sizes of some typical DFAs.  Every
 * DFA is checked for its shape: entries in range, every state
 * reachable, and (if small) no two states alike.  Failures get a line,
 * then "N passed, N failed"; exit 1 on any failure.
 * "redrv RE [STRING...]" shows one regex instead.
 * tests/bpfgen/regex.sh builds and runs it.
 */
#include <regex.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/stap.h"
#include "../../stap-bpfgen/regex.h"

enum { MAXSHOW = 10, NRANDSUBJ = 150, NRANDRE = 10000 };

static int pass, fail, shown;
static uint64_t seed = 0x9e3779b97f4a7c15u;

static unsigned
rnd(unsigned n)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return (unsigned)(seed >> 32) % n;
}

/* The string with its odd bytes escaped, for messages */
static const char *
show(const char *s, char *buf, size_t n)
{
	size_t i = 0;

	for (; *s && i + 5 < n; s++) {
		if (*s >= ' ' && *s < 127)
			buf[i++] = *s;
		else
			i += (size_t)snprintf(buf + i, n - i, "\\x%02x",
			    (unsigned char)*s);
	}
	buf[i] = '\0';
	return buf;
}

static void
report(int ok, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		pass++;
		return;
	}
	fail++;
	if (shown++ >= MAXSHOW)
		return;
	fputs("FAIL ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* The DFA's shape; no two states alike if it is small enough to ask */
static int
shapeok(const struct redfa *d, const char **why)
{
	int n = d->nstates, p, q, c, changed, nq = 1, seen[RE_MAXSTATES];
	int queue[RE_MAXSTATES], i;
	char *dist;

	if (n < 1 || n > RE_MAXSTATES)
		return *why = "state count", 0;
	for (i = 0; i < n * 256; i++)
		if (d->next[i] >= n)
			return *why = "entry out of range", 0;
	memset(seen, 0, sizeof seen);
	seen[0] = 1;
	queue[0] = 0;
	for (i = 0; i < nq; i++)
		for (c = 0; c < 256; c++)
			if (!seen[q = d->next[queue[i] * 256 + c]]) {
				seen[q] = 1;
				queue[nq++] = q;
			}
	if (nq != n)
		return *why = "unreachable state", 0;
	if (n > 48)
		return 1;
	/* after the end's 0 only acceptance counts; accepting states
	 * are all alike, as the matcher stops in them */
	dist = calloc((size_t)n * n, 1);
	for (p = 0; p < n; p++)
		for (q = 0; q < n; q++)
			dist[p * n + q] = d->accept[p] != d->accept[q] ||
			    (!d->accept[p] &&
			    d->accept[d->next[p * 256]] !=
			    d->accept[d->next[q * 256]]);
	do {
		changed = 0;
		for (p = 0; p < n; p++)
			for (q = 0; q < n; q++) {
				if (dist[p * n + q] || d->accept[p])
					continue;
				for (c = 1; c < 256; c++)
					if (dist[d->next[p * 256 + c] * n +
					    d->next[q * 256 + c]])
						break;
				if (c < 256)
					dist[p * n + q] = changed = 1;
			}
	} while (changed);
	for (p = 0; p < n; p++)
		for (q = p + 1; q < n; q++)
			if (!dist[p * n + q]) {
				free(dist);
				return *why = "two states alike", 0;
			}
	free(dist);
	return 1;
}

/* re compiled and its shape checked; NULL with the message in err */
static struct redfa *
compile(const char *re, char *err, size_t n)
{
	char b[300];
	int off;
	const char *why = "";
	struct redfa *d = re_compile(re, err, n, &off);

	if (!d)
		return NULL;
	report(shapeok(d, &why), "/%s/: DFA of %d states: %s",
	    show(re, b, sizeof b), d->nstates, why);
	return d;
}

static void
randstr(char *buf, int max, const char *alpha)
{
	int n = (int)rnd((unsigned)max + 1), i, na = (int)strlen(alpha);

	for (i = 0; i < n; i++)
		buf[i] = alpha[rnd((unsigned)na)];
	buf[n] = '\0';
}

/* re_match against regexec on s */
static void
versus(const struct redfa *d, regex_t *g, const char *re, const char *s)
{
	int want = regexec(g, s, 0, NULL, 0) == 0, got = re_match(d, s);
	char b1[300], b2[300];

	report(got == want, "/%s/ on \"%s\": %d, glibc %d",
	    show(re, b1, sizeof b1), show(s, b2, sizeof b2), got, want);
}

static const char *subjects[] = {
	"", "a", "b", "c", "ab", "ba", "abc", "aab", "abb", "aaa", "xabcy",
	"abab", "abcabc", "cba", "\n", "a\nb", "\na", "a\n", " ", "\t",
	"/usr/bin/ls", "/usr/bin", "x/usr/bin/", "read", "readv", "write",
	"writev", "pwrite", "readx", "preadv", "foobar", "foo bar",
	"fooXbar", "barfoo", "3.14", "1.", ".5", "12.34.56", "a.c", "abc.",
	"\xff", "\x80", "a\xc3\xa4", "\xc3\xa4", "a]b", "]", "a-b", "-",
	"\\", "a\\b", "(a)", "a|b", "{1}", "a{2}", "^a", "a$", "ABC", "Abc",
	"123", "0x1F", "hello, world!", "aaaaaaaaaa", "abababab", "ac",
	"abbc", "abbbbc", "aabbabc", "effgz", "ij", "bcdd", "reffgz", "_x1",
	"*", "+", "?", ".", "[", "^", "$", "|", "}", "{", "(", ")", "x",
	"10.0.0.1", "192.168.1.255", "1.2.3", "e", "ef", "def", "-abc-",
};

/* Where stap's dialect is POSIX ERE as glibc has it */
static const char *agree[] = {
	"", "a", "abc", "a.c", ".", "..", "a*", "a+", "a?", "ab*c",
	"ab+c", "ab?c", "a*b*", "(ab)*", "(ab)+c", "(a|b)*c", "a|b",
	"a|bc|d", "(a|)", "(|a)b", "a||b", "a|", "|a", "()", "()*a",
	"(a*)*", "(a*)+b", "(a|b*)*c", "((a))", "(((((((((a)))))))))",
	"a**", "a+?", "a*?", "(a+|b)*", "(a+|b)+", "(a+|b)?", "(ab|a)b*c",
	"ab|cd", "(ab|cd)e", "(bc+d$|ef*g.|h?i(j|k))",
	"^a", "a$", "^a$", "^$", "^", "$", "^abc", "abc$", "^abc$",
	"a|^b", "^a|b$", "(^a|b)c", "(a|^)b", "x*^a", "(^|x)a", "(x|^)a",
	"a^b", "a$b", "a$|b", "(^)*a", "(^)+a", "(a$)*", "a*^b", ".*^",
	"$.*", "^a*", "(^a)*b", "^(ab|cd)e", "a$b*",
	"(a|b$)c?", "^|$", "a|$", "^a|$", "^ag|.h$", "^a(bc+|b[eh])g|.h$",
	"[abc]", "[^abc]", "[a-c]x", "[^a-c]", "[]a]", "[^]a]", "[a-]",
	"[-a]", "[!--]", "[^-b]", "a[]]b", "[]-a]", "[[:digit:]]+",
	"[[:alpha:]]", "[[:alnum:]_]", "[[:space:]]", "[[:blank:]]",
	"[[:upper:]][[:lower:]]", "[[:xdigit:]]{2}", "[[:cntrl:]]",
	"[[:print:]]", "^[[:graph:]]+$", "[^[:digit:]]", "[[:punct:]]",
	"^[[:punct:]]+$", "[[:alpha:][:digit:]]", "[a[:digit:]-]", "[[]",
	"[[a]", "[a[]", "[.]", "[*+?]", "[$^]", "[a^]", "[|]",
	"a{2}", "a{2,}", "a{2,3}", "a{0}", "a{0,1}", "a{0,}", "a{1,}",
	"(ab){1,2}", "x{0}y", "a{1}{2}", "(a|b){3}", "ab{0}c", "ab{1}{1}c",
	"ab{2}{2}c", "ab{0}*c", "ab{0}+c", "[0-9]{1,3}(\\.[0-9]{1,3}){3}",
	"^(a{1,2}b){2}$", "(a{0,2}){2,3}", "a{3}b{0,2}c{1,}",
	"\\.", "a\\*", "\\(", "\\)", "\\[", "\\]", "\\\\", "\\|", "\\+",
	"\\?", "\\{", "\\}", "\\^", "\\$", "a\\(*b", "\\((.*),", "a]", "}",
	"a}", "]",
	"^/usr/bin/", "(read|write)v?$", "[0-9]+\\.[0-9]+", "foo.*bar",
	"a.*b.*c", ".*", ".+", "(.*)c(.*)", "a\n", "[\n]", "a.b", "[^a]b",
	"\xff", "[\x80-\xff]", ".*\xff", "\xc3\xa4", "[^a]", "^.$",
	"[A-Za-z_][A-Za-z0-9_]*", "^[A-Za-z_][A-Za-z0-9_]*$",
	"M[ou]'?am+[ae]r .*([AEae]l[- ])?[GKQ]h?[aeu]+([dtz][dhz]?)+af[iy]",
	"^(([^:/?#]+):)?(//([^/?#]*))?([^?#]*)(\\?([^#]*))?(#(.*))?",
	"d([ou]|hu|hou)+de(tte)?s?", "(.*)*", "(a*|b)*", "((a*|b))*",
	"hello|world|foo|bar|baz", "^(GET|POST|PUT) ", "[[:digit:]]$",
};

static void
test_agree(void)
{
	size_t i, j;
	int k, f = fail;
	char alpha[300], s[32], b[300], err[200];
	regex_t g;
	struct redfa *d;

	for (i = 0; i < NELEM(agree); i++) {
		if (regcomp(&g, agree[i], REG_EXTENDED | REG_NOSUB)) {
			report(0, "/%s/: glibc refuses it",
			    show(agree[i], b, sizeof b));
			continue;
		}
		if (!(d = compile(agree[i], err, sizeof err))) {
			report(0, "/%s/: %s", show(agree[i], b, sizeof b), err);
			regfree(&g);
			continue;
		}
		for (j = 0; j < NELEM(subjects); j++)
			versus(d, &g, agree[i], subjects[j]);
		snprintf(alpha, sizeof alpha, "%sab.\n-\xff", agree[i]);
		for (k = 0; k < NRANDSUBJ; k++) {
			randstr(s, 12, alpha);
			versus(d, &g, agree[i], s);
		}
		re_free(d);
		regfree(&g);
	}
	printf("%s glibc agrees: %zu patterns\n", fail == f ? "ok  " : "FAIL",
	    NELEM(agree));
}

/*
 * Random patterns in the common dialect: no brackets with backslashes,
 * no postfix on an anchor, '$' once and outside repetitions, and no
 * anchor after it (in stap '$' reads the end, which glibc never does).
 * No '^' in repetitions either: glibc matches "(^a){2}" in "aa".
 */
struct gen {
	char s[200];
	size_t n;
	int dollar;
};

static void
put(struct gen *g, const char *s)
{
	size_t n = strlen(s);

	if (g->n + n < sizeof g->s) {
		memcpy(g->s + g->n, s, n + 1);
		g->n += n;
	}
}

static void galt(struct gen *g, int depth, int inrep);

static void
gbracket(struct gen *g)
{
	static const char *items[] = { "a", "b", "c", "a-c", "[:digit:]",
	    "[:alpha:]", "[:space:]", ".", "*", "x", "b-b", "\n" };
	int n = 1 + (int)rnd(3);

	put(g, rnd(3) ? "[" : "[^");
	while (n--)
		put(g, items[rnd(NELEM(items))]);
	put(g, rnd(4) ? "]" : "-]");
}

static void
gatom(struct gen *g, int depth, int inrep)
{
	static const char *lit[] = { "a", "b", "c", "a", "b", "x", "\\.",
	    "\\*", "\\(", "\\[", "\\{", "\\|", "\\\\", "\\^", "\\$", "-",
	    "}", "]", "\n" };
	unsigned r = rnd(10);

	if (r < 6 || (r >= 8 && depth >= 3))
		put(g, lit[rnd(NELEM(lit))]);
	else if (r == 6)
		put(g, ".");
	else if (r == 7)
		gbracket(g);
	else {
		put(g, "(");
		galt(g, depth + 1, inrep);
		put(g, ")");
	}
}

static void
gfactor(struct gen *g, int depth, int inrep)
{
	static const char *post[] = { "*", "+", "?", "{2}", "{0,2}", "{1,}",
	    "{0}", "{2,3}", "*", "+", "?" };
	unsigned r = rnd(24);
	const char *p;

	if (r == 0 && !g->dollar && !inrep) {
		put(g, "^");
		return;
	}
	if (r == 1 && !g->dollar && !inrep) {
		put(g, "$");
		g->dollar = 1;
		return;
	}
	p = rnd(3) ? "" : post[rnd(NELEM(post))];
	gatom(g, depth, inrep || *p);
	put(g, p);
}

static void
gterm(struct gen *g, int depth, int inrep)
{
	int n = (int)rnd(4);

	while (n--)
		gfactor(g, depth, inrep);
}

static void
galt(struct gen *g, int depth, int inrep)
{
	int n = 0;

	gterm(g, depth, inrep);
	while (n++ < 3 && !rnd(3)) {
		put(g, "|");
		gterm(g, depth, inrep);
	}
}

static void
test_random(void)
{
	int i, k, f = fail, big = 0, refused = 0, states = 0;
	char s[32], b[300], err[200];
	struct gen gn;
	regex_t g;
	struct redfa *d;

	for (i = 0; i < NRANDRE; i++) {
		memset(&gn, 0, sizeof gn);
		galt(&gn, 0, 0);
		if (regcomp(&g, gn.s, REG_EXTENDED | REG_NOSUB)) {
			refused++;
			continue;
		}
		if (!(d = compile(gn.s, err, sizeof err))) {
			big += !strncmp(err, "regex too complex", 17);
			report(!strncmp(err, "regex too complex", 17),
			    "/%s/: %s", show(gn.s, b, sizeof b), err);
			regfree(&g);
			continue;
		}
		states += d->nstates;
		/* glibc lets '^' match after a newline, '$' before one */
		for (k = 0; k < NRANDSUBJ / 2; k++) {
			randstr(s, 10, strpbrk(gn.s, "^$") ? "abcx.- *\xff" :
			    "abcx.-\n *\xff");
			versus(d, &g, gn.s, s);
		}
		re_free(d);
		regfree(&g);
	}
	printf("%s glibc agrees: %d random patterns (%d too big, glibc "
	    "refused %d; %d states in all)\n", fail == f ? "ok  " : "FAIL",
	    NRANDRE, big, refused, states);
}

/* Where stap and glibc differ: what stap's sources say, and its engine
 * does when built apart (but for its slips, noted) */
static const struct {
	const char *re, *s;
	int want;
} stap[] = {
	/* '$' reads the end, so nothing can follow it */
	{ "a$$", "a", 0 },
	{ "$$", "", 0 },
	{ "$^", "", 0 },
	{ "($)+$", "", 0 },
	{ "a$()", "a", 1 },
	{ "a$b*", "a", 1 },
	{ "(a$|b)$", "a", 0 },
	{ "(a$|b)$", "b", 1 },
	{ "^^a", "a", 1 },
	/* a backslash makes any byte literal */
	{ "\\d", "d", 1 },
	{ "\\d", "5", 0 },
	{ "\\w", "w", 1 },
	{ "\\w", "a", 0 },
	{ "\\s", " ", 0 },
	{ "\\s", "s", 1 },
	{ "\\b", "b", 1 },
	{ "a\\b", "a", 0 },
	{ "\\<a", "<a", 1 },
	{ "\\<a", "a", 0 },
	{ "(a)\\1", "a1", 1 },
	{ "(a)\\1", "aa", 0 },
	{ "\\n", "n", 1 },
	{ "\\n", "\n", 0 },
	{ "\\x41", "x41", 1 },
	{ "\\x41", "A", 0 },
	/* also inside brackets */
	{ "^[\\]]$", "]", 1 },
	{ "^[\\]]$", "\\", 0 },
	{ "^[\\]]$", "\\]", 0 },
	{ "^[a\\-z]$", "-", 1 },
	{ "^[a\\-z]$", "z", 1 },
	{ "^[a\\-z]$", "b", 0 },
	{ "^[\\d]$", "d", 1 },
	{ "^[\\d]$", "5", 0 },
	{ "^[\\^a]$", "^", 1 },
	{ "^[\\\\]$", "\\", 1 },
	{ "^[\\a-c]$", "b", 1 },
	/* a range's upper bound is the byte as it stands */
	{ "^[+-\\]$", "A", 1 },
	{ "^[+-\\]$", "\\", 1 },
	{ "^[+-\\]$", "]", 0 },
	/* stap's own class names */
	{ "^[[:d:]]+$", "123", 1 },
	{ "^[[:d:]]+$", "12a", 0 },
	{ "^[[:l:]]$", "q", 1 },
	{ "^[[:l:]]$", "Q", 0 },
	{ "^[[:u:]]$", "Q", 1 },
	{ "^[[:s:]]$", "\v", 1 },
	{ "^[[:s:]]$", "s", 0 },
	/* no collating symbols or equivalence classes */
	{ "^[[.a.]]$", "a]", 1 },
	{ "^[[.a.]]$", ".]", 1 },
	{ "^[[.a.]]$", "a", 0 },
	{ "^[[=a=]]$", "=]", 1 },
	/* (?: is a group (stap leaves the ':' in, a literal) */
	{ "^(?:ab)+$", "abab", 1 },
	{ "^(?:ab)+$", ":ab", 0 },
	{ "^(?:a|b)c$", "bc", 1 },
	/* '.' and negations take every byte but the end */
	{ "^.$", "\n", 1 },
	{ "^.$", "\xc3", 1 },
	{ "^[^a]$", "\xff", 1 },
	{ "^[^a]$", "\n", 1 },
	{ "a.b", "a\nb", 1 },
	/* bytes past 127 in a regex (stap reads past its tables) */
	{ "^\xc3\xa4$", "\xc3\xa4", 1 },
	{ "^\xc3\xa4$", "\xc3\xa5", 0 },
	{ "^[\xc3][\xa0-\xbf]$", "\xc3\xa4", 1 },
	/* from stap's testsuite (runok/regex.stp) */
	{ "a^", "abc", 0 },
	{ "ab^c", "abc", 0 },
	{ "$.*", "", 1 },
	{ "$a^", "a", 0 },
	{ "$.+", "a", 0 },
	{ ".+^", "a", 0 },
	{ "e$f", "ef", 0 },
	{ "[\\[:alpha:]]", ":]", 1 },
	{ "[\\[:alpha:]]", ":", 0 },
	{ "[\\[:alpha:]", ":", 1 },
	{ "[\\[\\:alpha:]", ":", 1 },
	{ "a\\x", "a\\x", 0 },
	{ "^#! */.*/(k|ba||pdk|z)sh", "#! /bin/sh", 1 },
	{ "a t.st", "This is a test.", 1 },
	{ "(foo|^)bar", "bazbar", 0 },
	{ "b.*foo", "b\xc3\xa4rfoob\xc3\xa4z", 1 },
};

static void
test_stap(void)
{
	size_t i;
	int f = fail, got;
	char b1[300], b2[300], err[200];
	struct redfa *d;

	for (i = 0; i < NELEM(stap); i++) {
		show(stap[i].re, b1, sizeof b1);
		if (!(d = compile(stap[i].re, err, sizeof err))) {
			report(0, "/%s/: %s", b1, err);
			continue;
		}
		got = re_match(d, stap[i].s);
		report(got == stap[i].want, "/%s/ on \"%s\": %d, stap %d", b1,
		    show(stap[i].s, b2, sizeof b2), got, stap[i].want);
		re_free(d);
	}
	printf("%s stap's semantics: %zu cases\n", fail == f ? "ok  " : "FAIL",
	    NELEM(stap));
}

static const struct {
	const char *re, *msg;
	int off;
} errors[] = {
	{ "*a", "unexpected '*'", 0 },
	{ "a|+b", "unexpected '+'", 2 },
	{ "a|?", "unexpected '?'", 2 },
	{ "x{2}|{3}", "unexpected '{'", 5 },
	{ "(?b)", "unexpected '(?b'", 0 },
	{ "(?", "unexpected end of regex", 2 },
	{ "^*", "postfix closure '*' applied to anchoring operator", 1 },
	{ "a$?", "postfix closure '?' applied to anchoring operator", 2 },
	{ "^{2}", "postfix closure '{' applied to anchoring operator", 1 },
	{ "a{", "expected number", 2 },
	{ "a{x}", "expected number", 2 },
	{ "a{,3}", "expected number", 2 },
	{ "a{2", "unexpected end of regex", 3 },
	{ "a{2x}", "expected ',' or '}'", 3 },
	{ "a{2,x}", "expected '}' or number", 4 },
	{ "a{2,", "expected '}' or number", 4 },
	{ "a{2,3", "expected }, found end of regex", 5 },
	{ "a{2,3x}", "expected }, found x", 5 },
	{ "a{12345}", "12345 is too large", 2 },
	{ "a{1,9999999999}", "9999999999 is too large", 4 },
	{ "a{9223372036854775807}", "9223372036854775807 is too large", 2 },
	{ "a{9223372036854775808}",
	    "could not parse number 9223372036854775808", 2 },
	{ "a{1,99999999999999999999}",
	    "could not parse number 99999999999999999999", 4 },
	{ "a{3,2}", "inverted repetition range {3,2}", 1 },
	{ "(a", "expected ), found end of regex", 2 },
	{ "((a)", "expected ), found end of regex", 4 },
	{ "a)", "unbalanced ')'", 1 },
	{ "a)b", "unbalanced ')'", 1 },
	{ ")", "unbalanced ')'", 0 },
	{ "(a))", "unbalanced ')'", 3 },
	{ "a\\", "unexpected end of regex", 2 },
	{ "[a", "unclosed character class", 0 },
	{ "x[", "unclosed character class", 1 },
	{ "[]", "unclosed character class", 0 },
	{ "[^]", "unclosed character class", 0 },
	{ "[a\\", "unclosed character class", 0 },
	{ "[\\]", "unclosed character class", 0 },
	{ "[[:alpha:]", "unclosed character class", 0 },
	{ "[z-a]", "Inverted character range z-a", 1 },
	{ "x[ab-a]", "Inverted character range b-a", 3 },
	{ "[[:foo:]]", "unknown character class 'foo'", 1 },
	{ "[[:DIGIT:]]", "unknown character class 'DIGIT'", 1 },
	{ "[[:alpha", "unclosed character class '[:alpha'", 1 },
	{ "a[b-d}+", "unclosed character class", 1 },
	{ "a{12344}", "regex too complex: its DFA needs more than 255 states",
	    -1 },
	{ "a[ab]{8}$",
	    "regex too complex: its DFA needs more than 255 states", -1 },
	{ "((a{50}){50}){50}",
	    "regex too complex: more than 20000 NFA states", -1 },
};

static void
test_errors(void)
{
	size_t i;
	int f = fail, off;
	char err[200], b[300];
	struct redfa *d;

	for (i = 0; i < NELEM(errors); i++) {
		off = -2;
		d = re_compile(errors[i].re, err, sizeof err, &off);
		show(errors[i].re, b, sizeof b);
		if (d) {
			report(0, "/%s/: compiled", b);
			re_free(d);
			continue;
		}
		report(!strcmp(err, errors[i].msg) && off == errors[i].off,
		    "/%s/: \"%s\" at %d, wanted \"%s\" at %d", b, err, off,
		    errors[i].msg, errors[i].off);
	}
	printf("%s errors: %zu cases\n", fail == f ? "ok  " : "FAIL",
	    NELEM(errors));
}

/* Deep nesting is refused, not a stack overflow */
static void
test_deep(void)
{
	char re[4100], err[200];
	int f = fail, off, i;
	struct redfa *d;

	for (i = 0; i < 2000; i++) {
		re[i] = '(';
		re[4000 - i] = ')';
	}
	memset(re + 2000, 'a', 1);
	re[4001] = '\0';
	d = re_compile(re, err, sizeof err, &off);
	report(!d && off == 1000 && !strcmp(err,
	    "regex too complex: groups nested too deeply"),
	    "2000 groups: %s at %d", d ? "compiled" : err, off);
	re_free(d);
	re[0] = 'a';
	memset(re + 1, '*', 3000);
	re[3001] = '\0';
	d = re_compile(re, err, sizeof err, &off);
	report(!d && off == -1 && !strcmp(err,
	    "regex too complex: nested too deeply"),
	    "3000 stars: %s at %d", d ? "compiled" : err, off);
	re_free(d);
	memset(re, 'a', 4000);
	re[4000] = '\0';
	d = re_compile(re, err, sizeof err, &off);
	report(!d && !strcmp(err,
	    "regex too complex: its DFA needs more than 255 states"),
	    "4000 bytes: %s", d ? "compiled" : err);
	re_free(d);
	memset(re, 'a', 250);
	re[250] = '\0';
	d = compile(re, err, sizeof err);
	report(d && d->nstates == 251 && re_match(d, re) &&
	    !re_match(d, re + 1), "250 bytes: %d states",
	    d ? d->nstates : 0);
	re_free(d);
	printf("%s deep and long patterns\n", fail == f ? "ok  " : "FAIL");
}

/* Sizes of typical DFAs: a guard against a growing table */
static const struct {
	const char *re;
	int n;
} sizes[] = {
	{ "", 1 },
	{ "a*", 1 },
	{ "a", 2 },
	{ "$", 2 },
	{ "^$", 3 },
	{ "^/usr/bin/", 11 },
	{ "(read|write)v?$", 11 },
	{ "[0-9]+\\.[0-9]+", 4 },
	{ "foo.*bar", 7 },
	{ "^(GET|POST|PUT) ", 8 },
	{ "[0-9]{1,3}(\\.[0-9]{1,3}){3}", 12 },
	{ "a[ab]{8}", 10 },
};

static void
test_sizes(void)
{
	size_t i;
	int f = fail;
	char err[200];
	struct redfa *d;

	for (i = 0; i < NELEM(sizes); i++) {
		if (!(d = compile(sizes[i].re, err, sizeof err))) {
			report(0, "/%s/: %s", sizes[i].re, err);
			continue;
		}
		report(d->nstates == sizes[i].n, "/%s/: %d states, wanted %d",
		    sizes[i].re, d->nstates, sizes[i].n);
		re_free(d);
	}
	printf("%s DFA sizes: %zu patterns\n", fail == f ? "ok  " : "FAIL",
	    NELEM(sizes));
}

static void (*const tests[])(void) = {
	test_agree, test_random, test_stap, test_errors, test_deep,
	test_sizes,
};

int
main(int argc, char **argv)
{
	char err[200];
	int off, i;
	struct redfa *d;

	if (argc > 1) {
		if (!(d = re_compile(argv[1], err, sizeof err, &off))) {
			printf("error at %d: %s\n", off, err);
			return 1;
		}
		printf("%d states\n", d->nstates);
		for (i = 2; i < argc; i++)
			printf("%d %s\n", re_match(d, argv[i]), argv[i]);
		re_free(d);
		return 0;
	}
	for (i = 0; i < (int)NELEM(tests); i++) {
		shown = 0;
		tests[i]();
	}
	printf("%d passed, %d failed\n", pass, fail);
	return fail != 0;
}
