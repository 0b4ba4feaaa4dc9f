/*
 * usym.h: user symbols of stacks and addresses (lib/usym.c), shared by
 * stap-bpfld, which finds them in the process's ELF files, and stap-fmt,
 * which reads them from an event stream's USYM records.
 */
#ifndef USYM_H
#define USYM_H

#include <stdint.h>
#include <stdio.h>

/* stap's MAXBACKTRACE: the frames of a USTACK record */
enum { USYM_MAXFRAMES = 20, USYM_KEEP = 64 };

/* A USTACK record's payload (after kind and id), as stap-bpfgen's
 * ustack.c writes it; build ids are the kernel's struct
 * bpf_stack_build_id */
enum {
	USTK_PID = 0, USTK_N = 4, USTK_NBID = 8, USTK_SEQ = 16,
	USTK_FROM = 24, USTK_IPS = 32, USTK_BIDS = USTK_IPS + 8 * USYM_MAXFRAMES,
	USTK_SIZE = USTK_BIDS + 32 * USYM_MAXFRAMES,
};

/* An address of process pid: a symbol [addr, addr + size) of module
 * mod, or (name "") the address itself, off bytes into mod ("" if in
 * no file known) */
struct usym {
	uint32_t pid;
	uint64_t addr, size, off;
	char *name, *mod;
	int seen;               /* sent in a USYM record already */
};

struct ustk {
	uint32_t pid, n;
	uint64_t seq;
	uint64_t from;          /* a .return's function, or 0 */
	uint64_t ips[USYM_MAXFRAMES];
};

struct usyms {
	struct usym *v;
	size_t n, cap;
	struct ustk keep[USYM_KEEP];    /* the last silent stacks */
	size_t nkeep;
	/* stap-bpfld: puts an address not in the table into it */
	void (*resolve)(void *arg, uint32_t pid, uint64_t addr);
	void *arg;
};

/* The styles of stap's _stp_snprint_addr used here */
enum { USYM_SYMBOL, USYM_DATA, USYM_FULL, USYM_SIMPLE };

struct usym *usym_add(struct usyms *us, uint32_t pid, uint64_t addr,
    uint64_t size, uint64_t off, const char *name, const char *mod);
struct usym *usym_lookup(struct usyms *us, uint32_t pid, uint64_t addr);
int usym_text(struct usyms *us, char *buf, size_t size, uint32_t pid,
    uint64_t addr, int style);
/* A USTACK payload into st; the build ids (32 bytes each) in *bids,
 * *nbid of them; -1 if malformed */
int usym_stack(const void *p, size_t len, struct ustk *st,
    const unsigned char **bids, uint32_t *nbid);
void usym_keep(struct usyms *us, const struct ustk *st);
int usym_print_stack(FILE *out, struct usyms *us, const void *p,
    size_t len);
/* A string's references (ESC "U" ...) replaced by their text, cut at
 * size - 1 */
size_t usym_expand(struct usyms *us, const char *s, size_t n, char *out,
    size_t size);
/* Call each with the USYM record of every address a USTACK payload or
 * a string's references need that was not sent yet */
void usym_needed_stack(struct usyms *us, const void *p, size_t len,
    void (*each)(void *, const void *, size_t), void *arg);
void usym_needed_refs(struct usyms *us, const void *p, size_t len,
    void (*each)(void *, const void *, size_t), void *arg);
int usym_feed(struct usyms *us, const void *p, size_t len);
void usym_free(struct usyms *us);

/* lib/printf.c expands a %s argument's references from this table */
extern struct usyms *stapfmt_usyms;

#endif
