/*
 * The userspace eBPF interpreter (see interp.h for the address space).
 *
 * A run has two halves.  interp_check looks at every instruction once,
 * the way the kernel's verifier does its cheap structural checks, so the
 * loop that executes need not re-check registers, opcodes or jump
 * targets: a malformed program is refused before it has any effect.  The
 * loop itself checks only what depends on values: memory accesses, the
 * budget, division by zero when asked to, and what the callbacks say.
 *
 * Semantics follow the kernel, not stock stapbpf (spec 10.4): neg
 * negates dst, shift counts are masked, x/0 = 0 and x%0 = x, 32-bit
 * results are zero-extended, arsh included.  The cpu v4 additions
 * (sdiv, smod, movsx, ldsx, bswap, gotol) cost little and are here too.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interp.h"

/* linux-libc-dev older than 6.6 lacks the cpu v4 names */
#ifndef BPF_MEMSX
#define BPF_MEMSX 0x80
#endif

enum {
	LDDW = BPF_LD | BPF_IMM | BPF_DW,
	SLOTBITS = 20,
	MAXSLOT = (1 << SLOTBITS) - 1,	/* slot + 1 must fit */
	GENMASK = 0xfff,
};

/*
 * r1-r5 after a helper call.  Its slot field (0xc0ffe) is far beyond
 * any region table a run builds, so using it as a pointer faults.
 */
static const uint64_t POISON = 0xbadc0ffee0ddf00dULL;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 0)))
#endif
static void
verror(struct interp *vm, const char *fmt, va_list ap)
{
	int n;

	n = snprintf(vm->err, sizeof vm->err, "insn %zu: ", vm->pc);
	if (n > 0 && (size_t)n < sizeof vm->err)
		vsnprintf(vm->err + n, sizeof vm->err - n, fmt, ap);
}

void
interp_error(struct interp *vm, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(vm, fmt, ap);
	va_end(ap);
}

/* Says what went wrong at pc and returns code, for brevity */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static int
fail(struct interp *vm, size_t pc, int code, const char *fmt, ...)
{
	va_list ap;

	vm->pc = pc;
	va_start(ap, fmt);
	verror(vm, fmt, ap);
	va_end(ap);
	return code;
}

/* Regions */

int
interp_init(struct interp *vm, size_t stacksize)
{
	memset(vm, 0, sizeof *vm);
	vm->budget = 1 << 24;
	if (stacksize == 0)
		stacksize = INTERP_STACK;
	if (stacksize > INTERP_STACKMAX)
		return INTERP_ENOMEM;
	vm->stack = calloc(stacksize, 1);
	if (!vm->stack)
		return INTERP_ENOMEM;
	vm->stacksize = stacksize;
	if (!interp_region_add(vm, vm->stack, stacksize, 1)) {
		free(vm->stack);
		vm->stack = NULL;
		return INTERP_ENOMEM;
	}
	return 0;
}

void
interp_free(struct interp *vm)
{
	interp_drop(vm, 1);
	free(vm->region);
	free(vm->stack);
	vm->region = NULL;
	vm->stack = NULL;
	vm->nregion = vm->cap = 0;
}

static int
grow(struct interp *vm)
{
	struct interp_region *r;
	size_t cap;

	if (vm->nregion < vm->cap)
		return 0;
	if (vm->cap >= MAXSLOT)
		return -1;
	cap = vm->cap ? vm->cap * 2 : 16;
	if (cap > MAXSLOT)
		cap = MAXSLOT;
	r = realloc(vm->region, cap * sizeof *r);
	if (!r)
		return -1;
	/* New slots start at generation 0; old ones keep theirs */
	memset(r + vm->cap, 0, (cap - vm->cap) * sizeof *r);
	vm->region = r;
	vm->cap = cap;
	return 0;
}

uint64_t
interp_region_add(struct interp *vm, void *host, size_t len, int writable)
{
	struct interp_region *r;
	size_t slot;

	if (len > UINT32_MAX || grow(vm) < 0)
		return 0;
	slot = vm->nregion++;
	r = &vm->region[slot];
	r->host = host;
	r->len = len;
	r->writable = writable != 0;
	r->owned = 0;
	r->base = (uint64_t)(r->gen & GENMASK) << (32 + SLOTBITS) |
	    (uint64_t)(slot + 1) << 32;
	return r->base;
}

void *
interp_alloc(struct interp *vm, size_t len, int writable, uint64_t *vaddr)
{
	void *p;

	*vaddr = 0;
	if (len > UINT32_MAX)
		return NULL;
	p = calloc(len ? len : 1, 1);
	if (!p)
		return NULL;
	*vaddr = interp_region_add(vm, p, len, writable);
	if (!*vaddr) {
		free(p);
		return NULL;
	}
	vm->region[vm->nregion - 1].owned = 1;
	return p;
}

size_t
interp_mark(const struct interp *vm)
{
	return vm->nregion;
}

void
interp_drop(struct interp *vm, size_t mark)
{
	struct interp_region *r;

	if (mark < 1)
		mark = 1;
	while (vm->nregion > mark) {
		r = &vm->region[--vm->nregion];
		if (r->owned)
			free(r->host);
		r->host = NULL;
		r->base = 0;
		r->len = 0;
		r->owned = 0;
		r->gen = (r->gen + 1) & GENMASK;
	}
}

/*
 * The region an address names, or NULL.  A slot field of 0 wraps to a
 * huge index, so small integers (NULL included) never match.
 */
static inline struct interp_region *
lookup(struct interp *vm, uint64_t addr)
{
	uint64_t slot = (addr >> 32 & MAXSLOT) - 1;
	struct interp_region *r;

	if (slot >= vm->nregion)
		return NULL;
	r = &vm->region[slot];
	if ((addr ^ r->base) >> 32)
		return NULL;	/* an older generation of this slot */
	return r;
}

/* The host address of [vaddr, vaddr+len), or NULL; the loop's hot path */
static inline unsigned char *
resolve(struct interp *vm, uint64_t vaddr, size_t len, int write)
{
	struct interp_region *r = lookup(vm, vaddr);
	uint32_t off = (uint32_t)vaddr;

	if (!r || off > r->len || len > r->len - off)
		return NULL;
	if (write && !r->writable)
		return NULL;
	return r->host + off;
}

void *
interp_mem(struct interp *vm, uint64_t vaddr, size_t len, int write)
{
	return resolve(vm, vaddr, len, write);
}

const char *
interp_str(struct interp *vm, uint64_t vaddr, size_t *len)
{
	struct interp_region *r = lookup(vm, vaddr);
	uint32_t off = (uint32_t)vaddr;
	unsigned char *nul;

	if (!r || off >= r->len)
		return NULL;
	nul = memchr(r->host + off, '\0', r->len - off);
	if (!nul)
		return NULL;
	if (len)
		*len = nul - (r->host + off);
	return (const char *)r->host + off;
}

/* The check */

static int
badreg(struct interp *vm, size_t pc, int reg, int written)
{
	if (reg > BPF_REG_10)
		return fail(vm, pc, INTERP_EINSN, "bad register r%d", reg);
	if (written && reg == BPF_REG_10)
		return fail(vm, pc, INTERP_EINSN, "write to r10");
	return 0;
}

static int
reserved(struct interp *vm, size_t pc, const struct bpf_insn *in, int bad)
{
	if (bad)
		return fail(vm, pc, INTERP_EINSN,
		    "reserved field set in opcode 0x%02x", in->code);
	return 0;
}

static int
unknown(struct interp *vm, size_t pc, const struct bpf_insn *in)
{
	return fail(vm, pc, INTERP_EINSN, "unknown opcode 0x%02x", in->code);
}

/* An X source reads src_reg and imm must be 0; a K source the reverse */
static int
checksrc(struct interp *vm, size_t pc, const struct bpf_insn *in)
{
	if (BPF_SRC(in->code) == BPF_X)
		return badreg(vm, pc, in->src_reg, 0) ||
		    reserved(vm, pc, in, in->imm != 0) ? INTERP_EINSN : 0;
	return reserved(vm, pc, in, in->src_reg != 0);
}

static int
checkalu(struct interp *vm, size_t pc, const struct bpf_insn *in)
{
	int op = BPF_OP(in->code), x = BPF_SRC(in->code) == BPF_X;
	int is64 = BPF_CLASS(in->code) == BPF_ALU64;

	if (badreg(vm, pc, in->dst_reg, 1))
		return INTERP_EINSN;
	switch (op) {
	case BPF_NEG:
		return reserved(vm, pc, in,
		    x || in->src_reg || in->off || in->imm);
	case BPF_END:
		if (is64 && x)
			return unknown(vm, pc, in);
		if (in->imm != 16 && in->imm != 32 && in->imm != 64)
			return fail(vm, pc, INTERP_EINSN,
			    "byte swap of %d bits", in->imm);
		return reserved(vm, pc, in, in->src_reg || in->off);
	case BPF_DIV: case BPF_MOD:
		if (in->off != 0 && in->off != 1)
			return reserved(vm, pc, in, 1);
		return checksrc(vm, pc, in);
	case BPF_MOV:
		/* movsx: off is the width to sign-extend from */
		if (in->off != 0 && !(x && (in->off == 8 || in->off == 16 ||
		    (is64 && in->off == 32))))
			return reserved(vm, pc, in, 1);
		return checksrc(vm, pc, in);
	case BPF_ADD: case BPF_SUB: case BPF_MUL: case BPF_OR:
	case BPF_AND: case BPF_LSH: case BPF_RSH: case BPF_XOR:
	case BPF_ARSH:
		if (reserved(vm, pc, in, in->off != 0))
			return INTERP_EINSN;
		return checksrc(vm, pc, in);
	}
	return unknown(vm, pc, in);
}

/* A jump target must be an instruction, not a ld_imm64's second half */
static int
checktarget(struct interp *vm, size_t pc, const struct bpf_insn *insns,
    size_t n, int64_t delta)
{
	int64_t t = (int64_t)pc + 1 + delta;

	if (t < 0 || (uint64_t)t >= n)
		return fail(vm, pc, INTERP_EINSN,
		    "jump to %lld outside the program (%zu insns)",
		    (long long)t, n);
	if (t > 0 && insns[t - 1].code == LDDW)
		return fail(vm, pc, INTERP_EINSN,
		    "jump to %lld, the middle of a ld_imm64", (long long)t);
	return 0;
}

static int
checkjmp(struct interp *vm, size_t pc, const struct bpf_insn *insns,
    size_t n)
{
	const struct bpf_insn *in = &insns[pc];
	int op = BPF_OP(in->code), is32 = BPF_CLASS(in->code) == BPF_JMP32;

	switch (op) {
	case BPF_JA:
		if (BPF_SRC(in->code) == BPF_X || in->src_reg || in->dst_reg)
			return reserved(vm, pc, in, 1);
		/* gotol: the 32-bit class takes its offset from imm */
		if (is32)
			return reserved(vm, pc, in, in->off != 0) ||
			    checktarget(vm, pc, insns, n, in->imm) ?
			    INTERP_EINSN : 0;
		return reserved(vm, pc, in, in->imm != 0) ||
		    checktarget(vm, pc, insns, n, in->off) ? INTERP_EINSN : 0;
	case BPF_CALL:
		if (is32)
			return unknown(vm, pc, in);
		if (in->src_reg)
			return fail(vm, pc, INTERP_EINSN,
			    "call with src_reg %d: only helpers are supported",
			    in->src_reg);
		return reserved(vm, pc, in, BPF_SRC(in->code) == BPF_X ||
		    in->dst_reg || in->off);
	case BPF_EXIT:
		if (is32)
			return unknown(vm, pc, in);
		return reserved(vm, pc, in, BPF_SRC(in->code) == BPF_X ||
		    in->dst_reg || in->src_reg || in->off || in->imm);
	case BPF_JEQ: case BPF_JGT: case BPF_JGE: case BPF_JSET:
	case BPF_JNE: case BPF_JSGT: case BPF_JSGE: case BPF_JLT:
	case BPF_JLE: case BPF_JSLT: case BPF_JSLE:
		if (badreg(vm, pc, in->dst_reg, 0) || checksrc(vm, pc, in))
			return INTERP_EINSN;
		return checktarget(vm, pc, insns, n, in->off);
	}
	return unknown(vm, pc, in);
}

static int
checkatomic(struct interp *vm, size_t pc, const struct bpf_insn *in)
{
	int size = BPF_SIZE(in->code);

	if (size != BPF_W && size != BPF_DW)
		return unknown(vm, pc, in);
	if (badreg(vm, pc, in->dst_reg, 0))
		return INTERP_EINSN;
	switch (in->imm) {
	case BPF_ADD: case BPF_OR: case BPF_AND: case BPF_XOR:
		return badreg(vm, pc, in->src_reg, 0);
	case BPF_ADD | BPF_FETCH: case BPF_OR | BPF_FETCH:
	case BPF_AND | BPF_FETCH: case BPF_XOR | BPF_FETCH: case BPF_XCHG:
		return badreg(vm, pc, in->src_reg, 1);
	case BPF_CMPXCHG:	/* writes r0, never r10 */
		return badreg(vm, pc, in->src_reg, 0);
	}
	return fail(vm, pc, INTERP_EINSN, "unknown atomic operation 0x%x",
	    (unsigned)in->imm);
}

static int
checkmem(struct interp *vm, size_t pc, const struct bpf_insn *in)
{
	int mode = BPF_MODE(in->code), size = BPF_SIZE(in->code);

	switch (BPF_CLASS(in->code)) {
	case BPF_LDX:
		if (mode != BPF_MEM && !(mode == BPF_MEMSX && size != BPF_DW))
			return unknown(vm, pc, in);
		if (badreg(vm, pc, in->dst_reg, 1) ||
		    badreg(vm, pc, in->src_reg, 0))
			return INTERP_EINSN;
		return reserved(vm, pc, in, in->imm != 0);
	case BPF_ST:
		if (mode != BPF_MEM)
			return unknown(vm, pc, in);
		if (badreg(vm, pc, in->dst_reg, 0))
			return INTERP_EINSN;
		return reserved(vm, pc, in, in->src_reg != 0);
	case BPF_STX:
		if (mode == BPF_ATOMIC)
			return checkatomic(vm, pc, in);
		if (mode != BPF_MEM)
			return unknown(vm, pc, in);
		if (badreg(vm, pc, in->dst_reg, 0) ||
		    badreg(vm, pc, in->src_reg, 0))
			return INTERP_EINSN;
		return reserved(vm, pc, in, in->imm != 0);
	}
	return unknown(vm, pc, in);
}

static int
checklddw(struct interp *vm, size_t pc, const struct bpf_insn *insns,
    size_t n)
{
	const struct bpf_insn *in = &insns[pc], *hi;

	if (pc + 1 >= n)
		return fail(vm, pc, INTERP_EINSN,
		    "ld_imm64 truncated at the end");
	if (badreg(vm, pc, in->dst_reg, 1) ||
	    reserved(vm, pc, in, in->off != 0))
		return INTERP_EINSN;
	hi = &insns[pc + 1];
	if (hi->code || hi->dst_reg || hi->src_reg || hi->off)
		return fail(vm, pc + 1, INTERP_EINSN,
		    "bad second half of ld_imm64");
	return 0;
}

int
interp_check(struct interp *vm, const struct bpf_insn *insns, size_t n)
{
	const struct bpf_insn *last;
	size_t pc;
	int rc;

	vm->err[0] = '\0';
	if (n == 0)
		return fail(vm, 0, INTERP_EINSN, "empty program");
	for (pc = 0; pc < n; pc++) {
		const struct bpf_insn *in = &insns[pc];

		switch (BPF_CLASS(in->code)) {
		case BPF_ALU: case BPF_ALU64:
			rc = checkalu(vm, pc, in);
			break;
		case BPF_JMP: case BPF_JMP32:
			rc = checkjmp(vm, pc, insns, n);
			break;
		case BPF_LD:
			if (in->code != LDDW)
				return unknown(vm, pc, in);
			rc = checklddw(vm, pc++, insns, n);
			break;
		default:
			rc = checkmem(vm, pc, in);
			break;
		}
		if (rc)
			return rc;
	}
	/*
	 * Only the last instruction can run past the end, and neither exit
	 * nor an unconditional jump does: the kernel's rule too.
	 */
	last = &insns[n - 1];
	if (last->code != (BPF_JMP | BPF_EXIT) &&
	    last->code != (BPF_JMP | BPF_JA) &&
	    last->code != (BPF_JMP32 | BPF_JA))
		return fail(vm, n - 1, INTERP_EINSN,
		    "last instruction falls off the end");
	return 0;
}

/* Arithmetic, written so that no input is undefined behaviour in C */

static uint64_t
sext(uint64_t x, int bits)
{
	uint64_t sign = (uint64_t)1 << (bits - 1);

	if (bits == 64)
		return x;
	x &= (sign << 1) - 1;
	return (x ^ sign) - sign;
}

/* >> on a negative signed value is implementation-defined in C */
static uint64_t
asr(uint64_t x, int n, int bits)
{
	uint64_t r = x >> n;

	if (n && x >> (bits - 1) & 1)
		r |= ~(uint64_t)0 << (bits - n);
	return bits == 64 ? r : r & 0xffffffff;
}

static uint64_t
bswap(uint64_t x, int bits)
{
	uint64_t r = 0;
	int i;

	for (i = 0; i < bits; i += 8)
		r = r << 8 | (x >> i & 0xff);
	return r;
}

/* Signed comparison without converting to a signed type */
static int
slt(uint64_t a, uint64_t b, int bits)
{
	uint64_t sign = (uint64_t)1 << (bits - 1);

	return (a ^ sign) < (b ^ sign);
}

/*
 * Division in the given width.  The kernel defines x/0 = 0, x%0 = x,
 * and for the signed forms INT_MIN/-1 = INT_MIN, INT_MIN%-1 = 0, all
 * of which C leaves undefined.
 */
static uint64_t
divide(uint64_t a, uint64_t b, int op, int sdiv, int bits)
{
	uint64_t mask = bits == 64 ? ~(uint64_t)0 : 0xffffffff;
	uint64_t q, r, ua, ub;
	int neg;

	if (b == 0)
		return op == BPF_DIV ? 0 : a;
	if (!sdiv)
		return op == BPF_DIV ? a / b : a % b;
	ua = a >> (bits - 1) & 1 ? (0 - a) & mask : a;
	ub = b >> (bits - 1) & 1 ? (0 - b) & mask : b;
	neg = (a ^ b) >> (bits - 1) & 1;
	q = ua / ub;
	r = ua % ub;
	/* Truncating division: the remainder takes the dividend's sign */
	if (op == BPF_DIV)
		return (neg ? 0 - q : q) & mask;
	return (a >> (bits - 1) & 1 ? 0 - r : r) & mask;
}

/* Little-endian host: to_le truncates, to_be swaps */
static uint64_t
endian(uint64_t x, int tobe, int bits)
{
	int swap = tobe;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	swap = !tobe;
#endif
	if (swap)
		return bswap(x, bits);
	return bits == 64 ? x : x & (((uint64_t)1 << bits) - 1);
}

/*
 * One ALU operation in width bits (64 or 32), a and b already cut to
 * that width.  Returns the result, also cut; *divzero is set when the
 * divisor was 0.
 */
static uint64_t
alu(const struct bpf_insn *in, uint64_t a, uint64_t b, int bits,
    int *divzero)
{
	uint64_t mask = bits == 64 ? ~(uint64_t)0 : 0xffffffff;
	int shift = (int)(b & (bits - 1));

	switch (BPF_OP(in->code)) {
	case BPF_ADD: return (a + b) & mask;
	case BPF_SUB: return (a - b) & mask;
	case BPF_MUL: return (a * b) & mask;
	case BPF_OR: return a | b;
	case BPF_AND: return a & b;
	case BPF_XOR: return a ^ b;
	case BPF_LSH: return a << shift & mask;
	case BPF_RSH: return a >> shift;
	case BPF_ARSH: return asr(a, shift, bits);
	case BPF_NEG: return (0 - a) & mask;
	case BPF_MOV:
		return in->off ? sext(b, in->off) & mask : b;
	case BPF_DIV: case BPF_MOD:
		*divzero = b == 0;
		return divide(a, b, BPF_OP(in->code), in->off == 1, bits);
	case BPF_END:
		if (BPF_CLASS(in->code) == BPF_ALU64)
			return bswap(a, in->imm);
		return endian(a, BPF_SRC(in->code) == BPF_TO_BE, in->imm);
	}
	return a;	/* interp_check let nothing else through */
}

static int
cond(int op, uint64_t a, uint64_t b, int bits)
{
	switch (op) {
	case BPF_JEQ: return a == b;
	case BPF_JNE: return a != b;
	case BPF_JGT: return a > b;
	case BPF_JGE: return a >= b;
	case BPF_JLT: return a < b;
	case BPF_JLE: return a <= b;
	case BPF_JSET: return (a & b) != 0;
	case BPF_JSGT: return slt(b, a, bits);
	case BPF_JSGE: return !slt(a, b, bits);
	case BPF_JSLT: return slt(a, b, bits);
	case BPF_JSLE: return !slt(b, a, bits);
	}
	return 0;
}

/* Memory */

static const int sizes[] = { [BPF_W >> 3] = 4, [BPF_H >> 3] = 2,
	[BPF_B >> 3] = 1, [BPF_DW >> 3] = 8 };

static int
fault(struct interp *vm, size_t pc, int reg, int16_t off, uint64_t addr,
    int size, int write)
{
	const char *why = "outside any region";

	if (write && interp_mem(vm, addr, size, 0))
		why = "in read-only memory";
	return fail(vm, pc, INTERP_EFAULT,
	    "%s of %d bytes at 0x%llx (r%d%+d) %s", write ? "store" : "load",
	    size, (unsigned long long)addr, reg, off, why);
}

static uint64_t
load(const unsigned char *p, int size)
{
	uint8_t b;
	uint16_t h;
	uint32_t w;
	uint64_t dw;

	/* memcpy: programs need not align, and this host may care */
	switch (size) {
	case 1: memcpy(&b, p, 1); return b;
	case 2: memcpy(&h, p, 2); return h;
	case 4: memcpy(&w, p, 4); return w;
	}
	memcpy(&dw, p, 8);
	return dw;
}

static void
store(unsigned char *p, uint64_t v, int size)
{
	uint8_t b = v;
	uint16_t h = v;
	uint32_t w = v;

	switch (size) {
	case 1: memcpy(p, &b, 1); return;
	case 2: memcpy(p, &h, 2); return;
	case 4: memcpy(p, &w, 4); return;
	}
	memcpy(p, &v, 8);
}

/* An atomic op; single-threaded here, so a plain read-modify-write */
static void
atomic(const struct bpf_insn *in, unsigned char *p, uint64_t r[])
{
	int size = sizes[BPF_SIZE(in->code) >> 3];
	uint64_t mask = size == 8 ? ~(uint64_t)0 : 0xffffffff;
	uint64_t old = load(p, size), src = r[in->src_reg] & mask, v;

	switch (in->imm & ~BPF_FETCH) {
	case BPF_ADD: v = old + src; break;
	case BPF_OR: v = old | src; break;
	case BPF_AND: v = old & src; break;
	case BPF_XOR: v = old ^ src; break;
	case BPF_XCHG & ~BPF_FETCH: v = src; break;
	default:	/* BPF_CMPXCHG */
		v = old == (r[BPF_REG_0] & mask) ? src : old;
		store(p, v, size);
		r[BPF_REG_0] = old;
		return;
	}
	store(p, v, size);
	if (in->imm & BPF_FETCH)
		r[in->src_reg] = old;
}

/* Execution */

static int
call(struct interp *vm, size_t pc, int id, uint64_t r[])
{
	uint64_t ret = 0;
	int i, rc;

	if (!vm->helper)
		return fail(vm, pc, INTERP_EHELPER, "call of helper %d, "
		    "but there are no helpers", id);
	vm->pc = pc;
	vm->err[0] = '\0';
	rc = vm->helper(vm, id, &r[BPF_REG_1], &ret, vm->user);
	if (rc) {
		if (!vm->err[0])
			fail(vm, pc, rc, "helper %d failed", id);
		return rc;
	}
	r[BPF_REG_0] = ret;
	for (i = BPF_REG_1; i <= BPF_REG_5; i++)
		r[i] = POISON;
	return 0;
}

static int
lddw(struct interp *vm, size_t pc, const struct bpf_insn *in, uint64_t *v)
{
	int rc;

	if (in->src_reg == 0) {
		*v = (uint32_t)in[0].imm | (uint64_t)(uint32_t)in[1].imm << 32;
		return 0;
	}
	if (!vm->mapload)
		return fail(vm, pc, INTERP_EMAP, "ld_imm64 of pseudo source "
		    "%d, but there is no map callback", in->src_reg);
	vm->pc = pc;
	vm->err[0] = '\0';
	rc = vm->mapload(vm, in->src_reg, in[0].imm, in[1].imm, v, vm->user);
	if (rc && !vm->err[0])
		fail(vm, pc, rc, "ld_imm64 of pseudo source %d imm %d failed",
		    in->src_reg, in->imm);
	return rc;
}

/* The instruction at pc passed interp_check yet the loop has no case */
static int
impossible(struct interp *vm, size_t pc, const struct bpf_insn *in)
{
	return fail(vm, pc, INTERP_EINSN,
	    "opcode 0x%02x passed the check but cannot run", in->code);
}

static int
stepalu(struct interp *vm, size_t pc, const struct bpf_insn *in,
    uint64_t r[])
{
	int bits = BPF_CLASS(in->code) == BPF_ALU64 ? 64 : 32, divzero = 0;
	uint64_t a = r[in->dst_reg], b;

	b = BPF_SRC(in->code) == BPF_X ? r[in->src_reg] :
	    (uint64_t)(int64_t)in->imm;
	/* A 32-bit class byte swap may still be 64 bits wide */
	if (bits == 32 && BPF_OP(in->code) != BPF_END) {
		a &= 0xffffffff;
		b &= 0xffffffff;
	}
	r[in->dst_reg] = alu(in, a, b, bits, &divzero);
	if (divzero && vm->flags & INTERP_DIVTRAP)
		return fail(vm, pc, INTERP_EDIVZERO, "%s by zero",
		    BPF_OP(in->code) == BPF_DIV ? "division" : "modulo");
	return 0;
}

/* A conditional jump: is it taken? */
static int
taken(const struct bpf_insn *in, const uint64_t r[])
{
	uint64_t a = r[in->dst_reg], b;

	b = BPF_SRC(in->code) == BPF_X ? r[in->src_reg] :
	    (uint64_t)(int64_t)in->imm;
	if (BPF_CLASS(in->code) == BPF_JMP32)
		return cond(BPF_OP(in->code), a & 0xffffffff, b & 0xffffffff,
		    32);
	return cond(BPF_OP(in->code), a, b, 64);
}

static int
stepload(struct interp *vm, size_t pc, const struct bpf_insn *in,
    uint64_t r[])
{
	int size = sizes[BPF_SIZE(in->code) >> 3];
	uint64_t addr = r[in->src_reg] + (uint64_t)(int64_t)in->off, v;
	unsigned char *p = resolve(vm, addr, size, 0);

	if (!p)
		return fault(vm, pc, in->src_reg, in->off, addr, size, 0);
	v = load(p, size);
	if (BPF_MODE(in->code) == BPF_MEMSX)
		v = sext(v, size * 8);
	r[in->dst_reg] = v;
	return 0;
}

static int
stepstore(struct interp *vm, size_t pc, const struct bpf_insn *in,
    uint64_t r[])
{
	int size = sizes[BPF_SIZE(in->code) >> 3];
	uint64_t addr = r[in->dst_reg] + (uint64_t)(int64_t)in->off;
	unsigned char *p = resolve(vm, addr, size, 1);

	if (!p)
		return fault(vm, pc, in->dst_reg, in->off, addr, size, 1);
	if (BPF_MODE(in->code) == BPF_ATOMIC)
		atomic(in, p, r);
	else if (BPF_CLASS(in->code) == BPF_ST)
		store(p, (uint64_t)(int64_t)in->imm, size);
	else
		store(p, r[in->src_reg], size);
	return 0;
}

/*
 * The loop.  interp_check has vouched for every register number, opcode
 * and jump target, so the cases only compute.
 */
static int
exec(struct interp *vm, const struct bpf_insn *insns, uint64_t r[])
{
	const struct bpf_insn *in;
	uint64_t left = vm->budget;
	size_t pc;
	int rc = 0;

	for (pc = 0; rc == 0; pc++) {
		if (left-- == 0) {
			vm->steps = vm->budget;
			return fail(vm, pc, INTERP_EBUDGET,
			    "instruction budget of %llu exhausted",
			    (unsigned long long)vm->budget);
		}
		/* 2^31 instructions take seconds: one Ctrl-C must not
		 * wait for them */
		if ((left & (INTERP_POLL - 1)) == 0 && vm->intr &&
		    *vm->intr) {
			vm->steps = vm->budget - left;
			return fail(vm, pc, INTERP_EINTR, "interrupted");
		}
		in = &insns[pc];
		switch (in->code) {
		case BPF_JMP | BPF_JA:
			pc += in->off;
			continue;
		case BPF_JMP32 | BPF_JA:
			pc += in->imm;
			continue;
		case BPF_JMP | BPF_CALL:
			rc = call(vm, pc, in->imm, r);
			continue;
		case BPF_JMP | BPF_EXIT:
			vm->pc = pc;
			vm->steps = vm->budget - left;
			return 0;
		case LDDW:
			rc = lddw(vm, pc++, in, &r[in->dst_reg]);
			continue;
		}
		switch (BPF_CLASS(in->code)) {
		case BPF_ALU64:
		case BPF_ALU:
			rc = stepalu(vm, pc, in, r);
			break;
		case BPF_JMP:
		case BPF_JMP32:
			if (taken(in, r))
				pc += in->off;
			break;
		case BPF_LDX:
			rc = stepload(vm, pc, in, r);
			break;
		case BPF_ST:
		case BPF_STX:
			rc = stepstore(vm, pc, in, r);
			break;
		default:
			rc = impossible(vm, pc, in);
			break;
		}
	}
	vm->steps = vm->budget - left;
	return rc;
}

int
interp_run(struct interp *vm, const struct bpf_insn *insns, size_t n,
    uint64_t ctx, uint64_t *r0)
{
	uint64_t r[BPF_REG_10 + 1] = { 0 };
	int rc;

	vm->steps = 0;
	vm->pc = 0;
	rc = interp_check(vm, insns, n);
	if (rc)
		return rc;
	if (!vm->stack || vm->nregion < 1)
		return fail(vm, 0, INTERP_ENOMEM, "interpreter not set up");
	memset(vm->stack, 0, vm->stacksize);
	r[BPF_REG_1] = ctx;
	r[BPF_REG_10] = vm->region[0].base + vm->stacksize;
	rc = exec(vm, insns, r);
	if (rc == 0) {
		vm->err[0] = '\0';	/* a helper spoke, then coped */
		if (r0)
			*r0 = r[BPF_REG_0];
	}
	return rc;
}
