/*
 * Typed reads: the chains stap-resolve resolved through BTF (@cast, an
 * autocast, a typed context variable; stap-tree(5)).  The base value
 * is an address; each member step adds its offset, a subscript its
 * index times the element size, a deref step first loads the pointer
 * at the address; at the end the value is read, or the address is
 * the value (&, arrays).  Every read is bpf_probe_read_kernel into the
 * frame, a fault stap's runtime error.
 *
 * The offsets of a run of member steps with no load or index between
 * them (a segment) are one add instruction, and that instruction gets
 * a CO-RE relocation (BPF_CORE_FIELD_BYTE_OFFSET) against the struct
 * the run starts in: what libbpf needs to rebuild the access on
 * another kernel is the run's members, their containers and types,
 * which core.c turns into minimal local BTF types when the .bo is
 * written.  A bitfield at the end of a run is read as libbpf's
 * BPF_CORE_READ_BITFIELD_PROBED does: its load's offset and size and
 * the two shifts are relocated too.  A run that starts in an
 * anonymous struct keeps the offsets of the kernel it was compiled
 * for.
 */
#include <stdlib.h>
#include <string.h>

#include "gen.h"

static char **specs;            /* CO-RE relocation specs, by index */
static size_t nspecs, capspecs;

void
typed_reset(void)
{
	size_t i;

	for (i = 0; i < nspecs; i++)
		free(specs[i]);
	free(specs);
	specs = NULL;
	nspecs = capspecs = 0;
}

const char *
typed_core_spec(int ref)
{
	size_t k = (size_t)ref / 8;

	return ref >= 0 && k < nspecs ? specs[k] : NULL;
}

/* A member step's btf= is "CONTAINER BITS TYPE"; BITS "B" or "B:W" */
static int
bitfield(const struct node *s, unsigned *bit, unsigned *width)
{
	const char *b = s->btf ? strchr(s->btf, ' ') : NULL;

	*bit = *width = 0;
	if (!b)
		return 0;
	*bit = (unsigned)strtoul(b + 1, (char **)&b, 10);
	if (*b == ':')
		*width = (unsigned)strtoul(b + 1, NULL, 10);
	return *width != 0;
}

/* The spec core.c reads: a step a line, "CONTAINER BITS TYPE NAME" */
static int
core_add(struct node *first, struct node *end)
{
	struct node *s;
	char *buf = NULL;
	size_t len = 0, cap = 0, k;
	unsigned bit, width;
	int nstep = 0;

	for (s = first; s != end; s = s->next)
		if (++nstep > 16)       /* what core.c takes */
			return -1;
	/* an anonymous root has no name to find it by */
	if (!first->btf || !strncmp(strchr(first->btf, ':') + 1, ":", 1))
		return -1;
	for (s = first; s != end; s = s->next) {
		/* a bitfield only last: libbpf relocates its load */
		if (s->kind != N_MEMBER || !s->btf || (bitfield(s, &bit,
		    &width) && s->next != end))
			return -1;
		k = strlen(s->btf) + strlen(s->str ? s->str : "") + 3;
		buf = vgrow(buf, &cap, len + k + 1, 1);
		len += (size_t)snprintf(buf + len, k + 1, "%s %s\n", s->btf,
		    s->str ? s->str : "");
	}
	specs = vgrow(specs, &capspecs, nspecs + 1, sizeof *specs);
	specs[nspecs] = buf;
	return (int)nspecs++;
}

/* Instruction i gets relocation kind of spec k (none if k < 0): the
 * IR's ref holds both, k * 8 + kind (see typed_core_spec) */
static void
core_mark(struct prog *p, int k, int kind)
{
	if (k >= 0)
		p->ir[p->nir - 1].ref = k * 8 + kind;
}

/* The size of the integer a bitfield is declared as, from its TYPE */
static unsigned
bitfield_size(const struct node *s)
{
	const char *t = strrchr(s->btf, ' ');
	unsigned sz = 0;

	if (t && (sscanf(t + 1, "int:%u:", &sz) == 1 ||
	    sscanf(t + 1, "enum:%u:", &sz) == 1) && sz >= 1 && sz <= 8)
		return sz;
	return 4;
}

/*
 * A bitfield at the end of segment [first, last]: where its load
 * starts and how big it is, as libbpf computes them
 * (bpf_core_calc_field_relo), so the relocated values and these
 * compile-time ones agree; the shifts that extract it from the load
 */
static void
bitfield_load(struct node *first, struct node *last, int64_t *off,
    unsigned *size, int *lshift, int *rshift)
{
	struct node *s;
	unsigned bit, width, sz = bitfield_size(last);
	uint64_t tb = 0, boff;

	for (s = first; s != last; s = s->next)
		tb += 8 * (uint64_t)s->num;
	bitfield(last, &bit, &width);
	tb += bit;
	boff = tb / 8 / sz * sz;
	while (tb + width - boff * 8 > sz * 8 && sz < 8) {
		sz *= 2;
		boff = tb / 8 / sz * sz;
	}
	*off = (int64_t)boff;
	*size = sz;
	*lshift = (int)(64 - (tb + width - boff * 8));
	*rshift = (int)(64 - width);
}

/* addr += the offsets of the members [first, end), relocated; a
 * bitfield's load offset instead of its own; the spec's index or -1 */
static int
flush(struct gen *g, int addr, struct node *first, struct node *end,
    struct node *bf)
{
	struct prog *p = g->p;
	struct node *s;
	int64_t off = 0;
	unsigned size;
	int k, ls, rs;

	if (!first)
		return -1;
	for (s = first; s != end; s = s->next)
		off += s->num;
	if (bf)
		bitfield_load(first, bf, &off, &size, &ls, &rs);
	if (off > INT32_MAX)
		bug("member offset %lld", (long long)off);
	k = core_add(first, end);
	gen_load(g, BPF_REG_1, addr);
	asm_alui(p, BPF_ADD, BPF_REG_1, (int32_t)off);
	/* the add is what libbpf patches (opt.c leaves ALU K alone) */
	core_mark(p, k, BPF_CORE_FIELD_BYTE_OFFSET);
	gen_store(g, addr, BPF_REG_1);
	return k;
}

/* size bytes at the address in slot src into slot dst (zeroed), or
 * the runtime error naming the address */
static void
read_kernel(struct gen *g, int dst, int src, int size, struct loc loc,
    int sizecore)
{
	struct prog *p = g->p;
	int ok = asm_label(p);
	enum type ty = T_LONG;

	asm_st(p, BPF_DW, BPF_REG_9, (int16_t)dst, 0);
	asm_escape(p, dst, 8);
	asm_mov(p, BPF_REG_1, BPF_REG_9);
	asm_alui(p, BPF_ADD, BPF_REG_1, dst);
	asm_movi(p, BPF_REG_2, size);
	core_mark(p, sizecore, BPF_CORE_FIELD_BYTE_SIZE);
	gen_load(g, BPF_REG_3, src);
	asm_call(p, BPF_FUNC_probe_read_kernel);
	asm_jmp(p, BPF_JEQ, BPF_REG_0, -1, 0, ok);
	gen_throw(g, loc, "", str_snprintf_(g, "kernel read fault at "
	    "0x%016llx (addr)", &src, &ty, 1));
	asm_bind(p, ok);
}

int
typed_read(struct gen *g, struct node *n)
{
	struct prog *p = g->p;
	int addr = gen_tmp(g, 8), tmp = gen_tmp(g, 8), v;
	struct node *s, *seg = NULL, *last = NULL;
	unsigned bit = 0, width = 0;

	if (!g->probe->section) {
		/* stap-bpfld's interpreter reads no kernel memory */
		diag_error(n->loc, "typed kernel data cannot be read in a "
		    "begin, end or error probe: they run in user space");
		return gen_const_slot(g, 0);
	}
	v = expr(g, n->l);
	gen_load(g, BPF_REG_1, v);
	gen_store(g, addr, BPF_REG_1);
	for (s = n->args; s; s = s->next) {
		if ((s->flags & F_DEREF) || s->kind == N_SUBSCRIPT) {
			flush(g, addr, seg, s, NULL);
			seg = NULL;
		}
		if (s->flags & F_DEREF) {
			read_kernel(g, tmp, addr, 8, s->loc, -1);
			gen_load(g, BPF_REG_1, tmp);
			gen_store(g, addr, BPF_REG_1);
		}
		if (s->kind == N_SUBSCRIPT) {
			int i = expr(g, s->l);

			gen_load(g, BPF_REG_1, i);
			asm_alui(p, BPF_MUL, BPF_REG_1, (int32_t)s->num);
			gen_load(g, BPF_REG_2, addr);
			asm_alu(p, BPF_ADD, BPF_REG_1, BPF_REG_2);
			gen_store(g, addr, BPF_REG_1);
		} else if (!seg) {
			seg = s;
		}
		last = s;
	}
	if (last && last->kind == N_MEMBER && seg && bitfield(last, &bit,
	    &width) && n->size > 0 && !(n->flags & F_ADDR)) {
		/* the load that holds the bits, as libbpf relocates it
		 * (BPF_CORE_READ_BITFIELD_PROBED's way) */
		int64_t off;
		unsigned size;
		int ls, rs, k = flush(g, addr, seg, NULL, last);

		bitfield_load(seg, last, &off, &size, &ls, &rs);
		v = gen_tmp(g, 8);
		read_kernel(g, v, addr, (int)size, last->loc, k);
		gen_load(g, BPF_REG_1, v);
		asm_alui(p, BPF_LSH, BPF_REG_1, ls);
		core_mark(p, k, BPF_CORE_FIELD_LSHIFT_U64);
		asm_alui(p, (n->flags & F_SIGNED) ? BPF_ARSH : BPF_RSH,
		    BPF_REG_1, rs);
		core_mark(p, k, BPF_CORE_FIELD_RSHIFT_U64);
		gen_store(g, v, BPF_REG_1);
		return v;
	}
	flush(g, addr, seg, NULL, NULL);
	if ((n->flags & F_ADDR) || n->size <= 0)
		return addr;
	v = gen_tmp(g, 8);
	read_kernel(g, v, addr, n->size, last ? last->loc : n->loc, -1);
	gen_load(g, BPF_REG_1, v);
	if ((n->flags & F_SIGNED) && n->size < 8) {
		asm_alui(p, BPF_LSH, BPF_REG_1, 64 - 8 * n->size);
		asm_alui(p, BPF_ARSH, BPF_REG_1, 64 - 8 * n->size);
	}
	gen_store(g, v, BPF_REG_1);
	return v;
}
