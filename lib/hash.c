/*
 * A table from names to numbers (an index into the caller's array,
 * mostly), for the lookups by name that a scan of a list would make
 * quadratic in the script's size: globals, functions, locals,
 * programs, sections.  Open addressing with linear probing, at most
 * half full, so a miss ends at an empty slot soon.
 *
 * The keys are not copied: they must live as long as the table, which
 * they do, being the names in nodes, symbols and sections.  The slots
 * come from the arena, like everything else a tool allocates; a table
 * that grows leaves its old slots there (twice the final size at
 * most, all told).
 */
#include <string.h>

#include "stap.h"

struct hashent {
	const char *key;        /* NULL: free */
	uint32_t hash;
	long val;
};

/* FNV-1a: short names, no adversary to fear but a big script */
uint32_t
hash_str(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static struct hashent *
slot(const struct hash *h, const char *key, uint32_t hv)
{
	size_t i = hv & (h->cap - 1);

	while (h->tab[i].key && (h->tab[i].hash != hv ||
	    strcmp(h->tab[i].key, key)))
		i = (i + 1) & (h->cap - 1);
	return &h->tab[i];
}

static void
grow(struct hash *h)
{
	struct hashent *old = h->tab;
	size_t n = h->cap, i;

	h->cap = n ? 2 * n : 16;
	h->tab = arena_alloc(h->cap * sizeof *h->tab);
	for (i = 0; i < n; i++)
		if (old[i].key)
			*slot(h, old[i].key, old[i].hash) = old[i];
}

/* The value of key, or -1 if it has none */
long
hash_get(const struct hash *h, const char *key)
{
	struct hashent *e;

	if (!h->n)
		return -1;
	e = slot(h, key, hash_str(key));
	return e->key ? e->val : -1;
}

/* key's entry, made with val (>= 0) if it has none; *fresh says which */
static struct hashent *
place(struct hash *h, const char *key, long val, int *fresh)
{
	uint32_t hv = hash_str(key);
	struct hashent *e;

	if (val < 0)
		bug("hash: value %ld for '%s'", val, key);
	if (2 * (h->n + 1) > h->cap)
		grow(h);
	e = slot(h, key, hv);
	*fresh = !e->key;
	if (*fresh) {
		e->key = key;
		e->hash = hv;
		e->val = val;
		h->n++;
	}
	return e;
}

/*
 * Give key the value val (>= 0) if it has none yet; either way return
 * what it had, -1 for none.  So the first of two equal names keeps
 * its place, and a caller learns of a duplicate in the same lookup.
 */
long
hash_add(struct hash *h, const char *key, long val)
{
	int fresh;
	struct hashent *e = place(h, key, val, &fresh);

	return fresh ? -1 : e->val;
}

/* Give key the value val (>= 0), whatever it had */
void
hash_set(struct hash *h, const char *key, long val)
{
	int fresh;

	place(h, key, val, &fresh)->val = val;
}
