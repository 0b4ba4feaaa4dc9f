/*
 * The optimizer's private header: opt.c (promotion, propagation, dead
 * code), flow.c (uses, definitions, liveness), regalloc.c (the linear
 * scan), keys.c (keys on the stack).
 */

/* flow.c */
struct ud {
	int use[3], nuse;
	int def[6], ndef;
	int effect;             /* more than its definitions */
};

struct live {
	int nregs, words;
	size_t nblocks;
	size_t *start;          /* of block b, in p->ir */
	uint64_t *in, *out;     /* nblocks x words */
	int *labelblock;
};

#define BIT(set, r) ((set)[(r) / 64] >> ((r) % 64) & 1)
#define SET(set, r) ((set)[(r) / 64] |= (uint64_t)1 << ((r) % 64))
#define CLR(set, r) ((set)[(r) / 64] &= ~((uint64_t)1 << ((r) % 64)))

int flow_is_mem(const struct ir *i);
int flow_mem_base(const struct ir *i);
int flow_mem_size(const struct ir *i);
int flow_reads_r9(const struct ir *i);
void flow_uses_defs(const struct ir *i, struct ud *u);
int flow_is_call(const struct ir *i);
int flow_is_jump(const struct ir *i);
int flow_ends_block(const struct ir *i);
void flow_step(const struct ir *i, uint64_t *set);
void flow_blocks(struct prog *p, struct live *lv);
void flow_live(struct prog *p, struct live *lv);
void flow_free(struct live *lv);

/* regalloc.c */
int regalloc_allocate(struct prog *p, struct live *lv);
void regalloc_tidy(struct prog *p);

/* keys.c */
void keys_to_stack(struct prog *p, int n);
