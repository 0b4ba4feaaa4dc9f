/*
 * regex.h: SystemTap's regular expressions (the right side of =~ and
 * !~), compiled by regex.c to a DFA table that the BPF code walks.
 */
#ifndef REGEX_H
#define REGEX_H

#include <stddef.h>

enum { RE_MAXSTATES = 255 };

struct redfa {
	int nstates;            /* 1..RE_MAXSTATES; state 0 starts */
	unsigned char *next;    /* nstates rows of 256: next[s * 256 + c] */
	unsigned char *accept;  /* nstates flags */
};

/* Compile re; NULL with a message in err (and *erroff, the byte in re
 * it is about) on bad syntax or when the DFA needs more than
 * RE_MAXSTATES states.  *erroff is -1 when the error is about the
 * whole regex, strlen(re) when about its end.  The result is malloc'd;
 * re_free frees it. */
struct redfa *re_compile(const char *re, char *err, size_t errlen,
    int *erroff);
void re_free(struct redfa *d);
/* The matcher the BPF code will be: a reference for tests */
int re_match(const struct redfa *d, const char *s);

#endif
