/*
 * Memory for short-lived filters: one arena, zeroed, never freed one by
 * one.  Under check-san (-DSAN) every object is its own malloc, kept on
 * a list and freed at exit, so AddressSanitizer still sees overflows.
 */
#include <stdlib.h>
#include <string.h>

#include "stap.h"

enum { CHUNK = 1 << 16 };

struct chunk {
	struct chunk *next;
	size_t used, size;
	_Alignas(max_align_t) unsigned char mem[];
};

static struct chunk *chunks;

void *
emalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		fatal("out of memory");
	return p;
}

void *
erealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		fatal("out of memory");
	return p;
}

char *
estrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(emalloc(n), s, n);
}

#ifdef SAN
void *
arena_alloc(size_t n)
{
	struct chunk *c = emalloc(sizeof *c + n);

	c->next = chunks;
	chunks = c;
	memset(c->mem, 0, n);
	return c->mem;
}
#else
void *
arena_alloc(size_t n)
{
	struct chunk *c = chunks;
	void *p;

	n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (!c || c->size - c->used < n) {
		size_t size = n > CHUNK ? n : CHUNK;

		c = emalloc(sizeof *c + size);
		c->size = size;
		c->used = 0;
		c->next = chunks;
		chunks = c;
	}
	p = c->mem + c->used;
	c->used += n;
	memset(p, 0, n);
	return p;
}
#endif

char *
arena_strndup(const char *s, size_t n)
{
	char *p = arena_alloc(n + 1);

	memcpy(p, s, n);
	return p;
}

void
arena_freeall(void)
{
	while (chunks) {
		struct chunk *c = chunks;

		chunks = c->next;
		free(c);
	}
}

/* Grow the malloc'd array p of *cap elements to hold at least need. */
void *
vgrow(void *p, size_t *cap, size_t need, size_t elsz)
{
	size_t n = *cap ? *cap : 8;

	if (need <= *cap)
		return p;
	while (n < need)
		n *= 2;
	if (n > SIZE_MAX / elsz)
		fatal("out of memory");
	*cap = n;
	return erealloc(p, n * elsz);
}

/*
 * The n bytes at s C-quoted, as stap-tree(5), stap-bo(5) and
 * stap-events(5) write them, into dst, which has room for 4 * n + 3
 * bytes; returns the length written, a NUL after it not counted.
 * Plain runs are copied whole: the tree writer quotes every string of
 * a script through here.
 */
size_t
arena_quote_to(char *dst, const char *s, size_t n)
{
	char *o = dst;
	size_t i = 0, run;

	*o++ = '"';
	while (i < n) {
		unsigned char c;

		for (run = i; run < n; run++) {
			c = (unsigned char)s[run];
			if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
				break;
		}
		memcpy(o, s + i, run - i);
		o += run - i;
		if ((i = run) == n)
			break;
		c = (unsigned char)s[i++];
		*o++ = '\\';
		switch (c) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '\n': *o++ = 'n'; break;
		case '\t': *o++ = 't'; break;
		case '\r': *o++ = 'r'; break;
		default:
			*o++ = (char)('0' + (c >> 6));
			*o++ = (char)('0' + (c >> 3 & 7));
			*o++ = (char)('0' + (c & 7));
		}
	}
	*o++ = '"';
	*o = '\0';
	return (size_t)(o - dst);
}

/* The n bytes at s C-quoted, in the arena */
char *
arena_quote(const char *s, size_t n)
{
	char *q = arena_alloc(4 * n + 3);

	arena_quote_to(q, s, n);
	return q;
}

/*
 * A C-quoted string at *pp, as stap-tree(5), stap-bo(5) and
 * stap-events(5) write them: its decoded bytes in the arena, *pp past
 * it; NULL with *why set if it is none.
 */
char *
arena_unquote(const char **pp, size_t *lenp, const char **why)
{
	const char *p = *pp;
	char *buf, *o;

	*why = "expected a quoted string";
	if (*p != '"')
		return NULL;
	o = buf = arena_alloc(strlen(p) + 1);
	for (p++; *p != '"'; p++) {
		*why = "unterminated string";
		if (*p == '\0')
			return NULL;
		if (*p != '\\') {
			*o++ = *p;
			continue;
		}
		switch (*++p) {
		case 'n': *o++ = '\n'; break;
		case 't': *o++ = '\t'; break;
		case 'r': *o++ = '\r'; break;
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		default:
			*why = "bad escape in string";
			if (p[0] < '0' || p[0] > '3' ||
			    p[1] < '0' || p[1] > '7' ||
			    p[2] < '0' || p[2] > '7')
				return NULL;
			*o++ = (char)((p[0] - '0') * 64 + (p[1] - '0') * 8 +
			    (p[2] - '0'));
			p += 2;
		}
	}
	*pp = p + 1;
	if (lenp)
		*lenp = o - buf;
	*o = '\0';
	return buf;
}
