/*
 * Tests for stap-bpfld's eBPF interpreter: hand-assembled programs, one
 * line per check ("ok NAME" or "FAIL NAME: detail"), then "N passed,
 * N failed"; exit 1 on any failure.  tests/interp/run.sh builds and runs
 * it; by hand, from the top of the repository:
 *
 *   cc -std=c11 -D_POSIX_C_SOURCE=200809L -g -O2 -Wall -Wextra -Wpedantic \
 *     -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Werror -Ilib \
 *     stap-bpfld/interp.c tests/interp/interptest.c -o /tmp/interptest
 *
 * and the same with -fsanitize=address,undefined
 * -fno-sanitize-recover=all.  The fuzz target is tests/fuzz/interp.c:
 *
 *   clang -fsanitize=fuzzer,address,undefined -g -O1 -Ilib \
 *     stap-bpfld/interp.c tests/fuzz/interp.c -o /tmp/fuzz-interp
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../stap-bpfld/interp.h"

#define INS(c, d, s, o, i) \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), \
	    .off = (o), .imm = (i) })
#define ALU64_K(op, d, i)	INS(BPF_ALU64 | BPF_K | (op), d, 0, 0, i)
#define ALU64_X(op, d, s)	INS(BPF_ALU64 | BPF_X | (op), d, s, 0, 0)
#define ALU32_K(op, d, i)	INS(BPF_ALU | BPF_K | (op), d, 0, 0, i)
#define ALU32_X(op, d, s)	INS(BPF_ALU | BPF_X | (op), d, s, 0, 0)
#define MOV(d, i)		ALU64_K(BPF_MOV, d, i)
#define MOVX(d, s)		ALU64_X(BPF_MOV, d, s)
#define LO(v)			((int32_t)(uint32_t)(uint64_t)(v))
#define HI(v)			((int32_t)(uint32_t)((uint64_t)(v) >> 32))
#define LDDW(d, v) \
	INS(BPF_LD | BPF_DW | BPF_IMM, d, 0, 0, LO(v)), INS(0, 0, 0, 0, HI(v))
#define LDX(sz, d, s, o)	INS(BPF_LDX | BPF_MEM | (sz), d, s, o, 0)
#define LDSX(sz, d, s, o)	INS(BPF_LDX | 0x80 | (sz), d, s, o, 0)
#define STX(sz, d, s, o)	INS(BPF_STX | BPF_MEM | (sz), d, s, o, 0)
#define ST(sz, d, o, i)		INS(BPF_ST | BPF_MEM | (sz), d, 0, o, i)
#define ATOM(sz, d, s, o, op)	INS(BPF_STX | BPF_ATOMIC | (sz), d, s, o, op)
#define JX(op, d, s, o)		INS(BPF_JMP | BPF_X | (op), d, s, o, 0)
#define JK(op, d, i, o)		INS(BPF_JMP | BPF_K | (op), d, 0, o, i)
#define J32X(op, d, s, o)	INS(BPF_JMP32 | BPF_X | (op), d, s, o, 0)
#define J32K(op, d, i, o)	INS(BPF_JMP32 | BPF_K | (op), d, 0, o, i)
#define JA(o)			INS(BPF_JMP | BPF_JA, 0, 0, o, 0)
#define CALL(id)		INS(BPF_JMP | BPF_CALL, 0, 0, 0, id)
#define EXIT			INS(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* A program literal and its length, as two arguments */
#define P(...) \
	(const struct bpf_insn[]){ __VA_ARGS__ }, \
	sizeof((const struct bpf_insn[]){ __VA_ARGS__ }) / \
	sizeof(struct bpf_insn)

static struct interp vm;
static int npass, nfail;
static uint64_t ctxaddr;

static void
ok(const char *name)
{
	npass++;
	printf("ok %s\n", name);
}

static void
bad(const char *name, const char *fmt, ...)
{
	va_list ap;

	nfail++;
	printf("FAIL %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* The program exits with r0 == want */
static void
expect(const char *name, const struct bpf_insn *p, size_t n, uint64_t want)
{
	size_t mark = interp_mark(&vm);
	uint64_t r0 = ~want;
	int rc;

	rc = interp_run(&vm, p, n, ctxaddr, &r0);
	interp_drop(&vm, mark);	/* what helpers and maps added */
	if (rc)
		bad(name, "error %d: %s", rc, vm.err);
	else if (r0 != want)
		bad(name, "r0 = 0x%" PRIx64 ", want 0x%" PRIx64, r0, want);
	else
		ok(name);
}

/* The program stops with code and an error message containing msg */
static void
expect_err(const char *name, const struct bpf_insn *p, size_t n, int code,
    const char *msg)
{
	size_t mark = interp_mark(&vm);
	uint64_t r0 = 0;
	int rc;

	rc = interp_run(&vm, p, n, ctxaddr, &r0);
	interp_drop(&vm, mark);
	if (rc == 0)
		bad(name, "ran, r0 = 0x%" PRIx64, r0);
	else if (rc != code)
		bad(name, "error %d, want %d: %s", rc, code, vm.err);
	else if (!strstr(vm.err, msg))
		bad(name, "message '%s' lacks '%s'", vm.err, msg);
	else
		ok(name);
}

/* ALU */

enum { KX = 0, XONLY = 1, KONLY = 2 };

static const struct alucase {
	const char *name;
	int cls, op, off, forms;
	uint64_t a, b, want;
} alucases[] = {
	{ "add64", BPF_ALU64, BPF_ADD, 0, KX, 1, 2, 3 },
	{ "add64 wraps", BPF_ALU64, BPF_ADD, 0, KX, UINT64_MAX, 1, 0 },
	{ "add64 imm sign-extends", BPF_ALU64, BPF_ADD, 0, KX,
	    0x100000005, UINT64_MAX, 0x100000004 },
	{ "sub64", BPF_ALU64, BPF_SUB, 0, KX, 0, 1, UINT64_MAX },
	{ "mul64", BPF_ALU64, BPF_MUL, 0, KX, (uint64_t)-3, 5,
	    (uint64_t)-15 },
	{ "mul64 overflow", BPF_ALU64, BPF_MUL, 0, XONLY,
	    0x100000000, 0x100000000, 0 },
	{ "div64", BPF_ALU64, BPF_DIV, 0, KX, 7, 2, 3 },
	{ "div64 unsigned", BPF_ALU64, BPF_DIV, 0, KX, UINT64_MAX, 2,
	    INT64_MAX },
	{ "div64 imm -1", BPF_ALU64, BPF_DIV, 0, KX, 10, UINT64_MAX, 0 },
	{ "div64 by zero", BPF_ALU64, BPF_DIV, 0, KX, 7, 0, 0 },
	{ "mod64", BPF_ALU64, BPF_MOD, 0, KX, 7, 3, 1 },
	{ "mod64 by zero", BPF_ALU64, BPF_MOD, 0, KX, 0xdeadbeef12345678,
	    0, 0xdeadbeef12345678 },
	{ "sdiv64 INT64_MIN/-1", BPF_ALU64, BPF_DIV, 1, KX,
	    (uint64_t)INT64_MIN, UINT64_MAX, (uint64_t)INT64_MIN },
	{ "sdiv64 truncates", BPF_ALU64, BPF_DIV, 1, KX, (uint64_t)-7, 2,
	    (uint64_t)-3 },
	{ "sdiv64 by zero", BPF_ALU64, BPF_DIV, 1, KX, (uint64_t)-7, 0, 0 },
	{ "smod64 INT64_MIN%-1", BPF_ALU64, BPF_MOD, 1, KX,
	    (uint64_t)INT64_MIN, UINT64_MAX, 0 },
	{ "smod64 sign of dividend", BPF_ALU64, BPF_MOD, 1, KX,
	    (uint64_t)-7, 2, UINT64_MAX },
	{ "smod64 negative divisor", BPF_ALU64, BPF_MOD, 1, KX, 7,
	    (uint64_t)-2, 1 },
	{ "smod64 by zero", BPF_ALU64, BPF_MOD, 1, KX, (uint64_t)-7, 0,
	    (uint64_t)-7 },
	{ "or64", BPF_ALU64, BPF_OR, 0, KX, 0xf0f0000000000000, 0x0f,
	    0xf0f000000000000f },
	{ "and64", BPF_ALU64, BPF_AND, 0, KX, 0xff000000000000ff, 0x0f,
	    0x0f },
	{ "and64 imm -1", BPF_ALU64, BPF_AND, 0, KX, 0xff000000000000ff,
	    UINT64_MAX, 0xff000000000000ff },
	{ "xor64", BPF_ALU64, BPF_XOR, 0, KX, UINT64_MAX, 1, UINT64_MAX - 1 },
	{ "lsh64 by 63", BPF_ALU64, BPF_LSH, 0, KX, 1, 63,
	    (uint64_t)INT64_MIN },
	{ "lsh64 by 64 is by 0", BPF_ALU64, BPF_LSH, 0, KX, 1, 64, 1 },
	{ "lsh64 by 65 is by 1", BPF_ALU64, BPF_LSH, 0, KX, 1, 65, 2 },
	{ "rsh64 unsigned", BPF_ALU64, BPF_RSH, 0, KX, (uint64_t)INT64_MIN,
	    63, 1 },
	{ "rsh64 by 64 is by 0", BPF_ALU64, BPF_RSH, 0, KX, 0x8000, 64,
	    0x8000 },
	{ "arsh64 by 63", BPF_ALU64, BPF_ARSH, 0, KX, (uint64_t)INT64_MIN,
	    63, UINT64_MAX },
	{ "arsh64 negative", BPF_ALU64, BPF_ARSH, 0, KX, (uint64_t)-16, 2,
	    (uint64_t)-4 },
	{ "arsh64 positive", BPF_ALU64, BPF_ARSH, 0, KX, INT64_MAX, 62, 1 },
	{ "arsh64 by 64 is by 0", BPF_ALU64, BPF_ARSH, 0, KX,
	    (uint64_t)-16, 64, (uint64_t)-16 },
	{ "neg64", BPF_ALU64, BPF_NEG, 0, KONLY, 5, 0, (uint64_t)-5 },
	{ "neg64 INT64_MIN", BPF_ALU64, BPF_NEG, 0, KONLY,
	    (uint64_t)INT64_MIN, 0, (uint64_t)INT64_MIN },
	{ "mov64", BPF_ALU64, BPF_MOV, 0, KX, 99, UINT64_MAX, UINT64_MAX },
	{ "movsx64 8", BPF_ALU64, BPF_MOV, 8, XONLY, 0, 0x1280,
	    (uint64_t)-128 },
	{ "movsx64 16", BPF_ALU64, BPF_MOV, 16, XONLY, 0, 0x18000,
	    0xffffffffffff8000 },
	{ "movsx64 32", BPF_ALU64, BPF_MOV, 32, XONLY, 0, 0x180000000,
	    0xffffffff80000000 },
	{ "movsx64 32 positive", BPF_ALU64, BPF_MOV, 32, XONLY, 0,
	    0xff7fffffff, 0x7fffffff },

	{ "add32 wraps", BPF_ALU, BPF_ADD, 0, KX, 0xffffffff, 1, 0 },
	{ "add32 zero-extends", BPF_ALU, BPF_ADD, 0, KX, 0xdeadbeef00000001,
	    1, 2 },
	{ "sub32", BPF_ALU, BPF_SUB, 0, KX, 0, 1, 0xffffffff },
	{ "mul32 overflow", BPF_ALU, BPF_MUL, 0, KX, 0x10000, 0x10000, 0 },
	{ "mul32 ignores high bits", BPF_ALU, BPF_MUL, 0, XONLY,
	    0x500000003, 0x700000002, 6 },
	{ "div32 unsigned", BPF_ALU, BPF_DIV, 0, KX, 0xffffffff, 2,
	    0x7fffffff },
	{ "div32 by zero", BPF_ALU, BPF_DIV, 0, KX, 7, 0, 0 },
	{ "div32 by 2^32 is by zero", BPF_ALU, BPF_DIV, 0, XONLY, 7,
	    0x100000000, 0 },
	{ "mod32 by zero zero-extends", BPF_ALU, BPF_MOD, 0, KX,
	    0xdeadbeef12345678, 0, 0x12345678 },
	{ "mod32", BPF_ALU, BPF_MOD, 0, KX, 0x100000007, 4, 3 },
	{ "sdiv32 INT32_MIN/-1", BPF_ALU, BPF_DIV, 1, KX, 0x80000000,
	    0xffffffff, 0x80000000 },
	{ "sdiv32 truncates", BPF_ALU, BPF_DIV, 1, KX, 0xfffffff9, 2,
	    0xfffffffd },
	{ "smod32 INT32_MIN%-1", BPF_ALU, BPF_MOD, 1, KX, 0x80000000,
	    0xffffffff, 0 },
	{ "smod32 sign of dividend", BPF_ALU, BPF_MOD, 1, KX, 0xfffffff9, 2,
	    0xffffffff },
	{ "or32", BPF_ALU, BPF_OR, 0, KX, 0xff00000000000001, 2, 3 },
	{ "and32", BPF_ALU, BPF_AND, 0, KX, UINT64_MAX, 0xf0f0f0f0,
	    0xf0f0f0f0 },
	{ "xor32", BPF_ALU, BPF_XOR, 0, KX, UINT64_MAX, 1, 0xfffffffe },
	{ "lsh32 by 31", BPF_ALU, BPF_LSH, 0, KX, 1, 31, 0x80000000 },
	{ "lsh32 by 32 is by 0", BPF_ALU, BPF_LSH, 0, KX, 1, 32, 1 },
	{ "lsh32 drops bit 32", BPF_ALU, BPF_LSH, 0, KX, 0x80000001, 1, 2 },
	{ "rsh32 ignores high bits", BPF_ALU, BPF_RSH, 0, KX, 0x100000000,
	    1, 0 },
	{ "rsh32 by 33 is by 1", BPF_ALU, BPF_RSH, 0, KX, 0x80000000, 33,
	    0x40000000 },
	{ "arsh32 zero-extends", BPF_ALU, BPF_ARSH, 0, KX, 0x80000000, 31,
	    0xffffffff },
	{ "arsh32 by 32 is by 0", BPF_ALU, BPF_ARSH, 0, KX, 0xfffffff0, 32,
	    0xfffffff0 },
	{ "neg32", BPF_ALU, BPF_NEG, 0, KONLY, 1, 0, 0xffffffff },
	{ "neg32 zero-extends", BPF_ALU, BPF_NEG, 0, KONLY,
	    0xffffffff00000000, 0, 0 },
	{ "mov32 imm -1", BPF_ALU, BPF_MOV, 0, KX, 99, UINT64_MAX,
	    0xffffffff },
	{ "movsx32 8", BPF_ALU, BPF_MOV, 8, XONLY, 0, 0x80, 0xffffff80 },
	{ "movsx32 16", BPF_ALU, BPF_MOV, 16, XONLY, 0, 0x7fff, 0x7fff },
};

static void
alucase(const struct alucase *c)
{
	char name[100];
	struct bpf_insn p[6];
	int fits;

	if (c->forms != KONLY) {
		snprintf(name, sizeof name, "%s (x)", c->name);
		p[0] = INS(BPF_LD | BPF_DW | BPF_IMM, 0, 0, 0, LO(c->a));
		p[1] = INS(0, 0, 0, 0, HI(c->a));
		p[2] = INS(BPF_LD | BPF_DW | BPF_IMM, 1, 0, 0, LO(c->b));
		p[3] = INS(0, 0, 0, 0, HI(c->b));
		p[4] = INS(c->cls | BPF_X | c->op, 0, 1, c->off, 0);
		p[5] = EXIT;
		expect(name, p, 6, c->want);
	}
	/* An imm is sign-extended in 64 bits, cut in 32 */
	fits = c->cls == BPF_ALU || (uint64_t)(int64_t)LO(c->b) == c->b;
	if (c->forms != XONLY && fits) {
		snprintf(name, sizeof name, "%s (k)", c->name);
		p[0] = INS(BPF_LD | BPF_DW | BPF_IMM, 0, 0, 0, LO(c->a));
		p[1] = INS(0, 0, 0, 0, HI(c->a));
		p[2] = INS(c->cls | BPF_K | c->op, 0, 0, c->off, LO(c->b));
		p[3] = EXIT;
		expect(name, p, 4, c->want);
	}
}

static void
test_alu(void)
{
	size_t i;

	for (i = 0; i < sizeof alucases / sizeof alucases[0]; i++)
		alucase(&alucases[i]);
	/* Byte swaps: to_be swaps on this little-endian host */
	expect("be16", P(LDDW(0, 0xaaaa1234), ALU32_K(BPF_END | BPF_TO_BE,
	    0, 16), EXIT), 0x3412);
	expect("be32", P(LDDW(0, 0xaa12345678), ALU32_K(BPF_END | BPF_TO_BE,
	    0, 32), EXIT), 0x78563412);
	expect("be64", P(LDDW(0, 0x0102030405060708),
	    ALU32_K(BPF_END | BPF_TO_BE, 0, 64), EXIT), 0x0807060504030201);
	expect("le16", P(LDDW(0, 0x12345678), ALU32_K(BPF_END | BPF_TO_LE,
	    0, 16), EXIT), 0x5678);
	expect("le32", P(LDDW(0, 0x1122334455667788),
	    ALU32_K(BPF_END | BPF_TO_LE, 0, 32), EXIT), 0x55667788);
	expect("le64", P(LDDW(0, 0x1122334455667788),
	    ALU32_K(BPF_END | BPF_TO_LE, 0, 64), EXIT), 0x1122334455667788);
	expect("bswap16", P(LDDW(0, 0xffff0102), ALU64_K(BPF_END, 0, 16),
	    EXIT), 0x0201);
	expect("bswap32", P(LDDW(0, 0xff01020304), ALU64_K(BPF_END, 0, 32),
	    EXIT), 0x04030201);
	expect("bswap64", P(LDDW(0, 0x0102030405060708),
	    ALU64_K(BPF_END, 0, 64), EXIT), 0x0807060504030201);
	expect("alu on other registers", P(MOV(3, 40), MOV(7, 2),
	    ALU64_X(BPF_ADD, 3, 7), MOVX(0, 3), EXIT), 42);
	expect("lddw", P(LDDW(0, 0x8000000000000001), EXIT),
	    0x8000000000000001);
	expect("mov32 clears high bits", P(LDDW(0, UINT64_MAX),
	    ALU32_X(BPF_MOV, 0, 0), EXIT), 0xffffffff);
}

/* Jumps */

static void
jcase(const char *name, int cls, int op, uint64_t a, uint64_t b, int taken)
{
	char buf[100];
	struct bpf_insn p[10];
	int fits;

	snprintf(buf, sizeof buf, "%s (x)", name);
	p[0] = INS(BPF_LD | BPF_DW | BPF_IMM, 1, 0, 0, LO(a));
	p[1] = INS(0, 0, 0, 0, HI(a));
	p[2] = INS(BPF_LD | BPF_DW | BPF_IMM, 2, 0, 0, LO(b));
	p[3] = INS(0, 0, 0, 0, HI(b));
	p[4] = INS(cls | BPF_X | op, 1, 2, 2, 0);
	p[5] = MOV(0, 0);
	p[6] = EXIT;
	p[7] = MOV(0, 1);
	p[8] = EXIT;
	expect(buf, p, 9, taken);
	fits = cls == BPF_JMP32 || (uint64_t)(int64_t)LO(b) == b;
	if (fits) {
		snprintf(buf, sizeof buf, "%s (k)", name);
		p[4] = INS(cls | BPF_K | op, 1, 0, 2, LO(b));
		expect(buf, p, 9, taken);
	}
}

static void
test_jmp(void)
{
	const uint64_t min = (uint64_t)INT64_MIN, max = INT64_MAX;

	jcase("jeq taken", BPF_JMP, BPF_JEQ, 5, 5, 1);
	jcase("jeq not taken", BPF_JMP, BPF_JEQ, 5, 6, 0);
	jcase("jeq imm -1", BPF_JMP, BPF_JEQ, UINT64_MAX, UINT64_MAX, 1);
	jcase("jne", BPF_JMP, BPF_JNE, 5, 6, 1);
	jcase("jgt unsigned", BPF_JMP, BPF_JGT, UINT64_MAX, 1, 1);
	jcase("jgt equal", BPF_JMP, BPF_JGT, 1, 1, 0);
	jcase("jge equal", BPF_JMP, BPF_JGE, 1, 1, 1);
	jcase("jlt unsigned", BPF_JMP, BPF_JLT, 1, UINT64_MAX, 1);
	jcase("jle", BPF_JMP, BPF_JLE, 2, 1, 0);
	jcase("jset", BPF_JMP, BPF_JSET, 0x10, 0x30, 1);
	jcase("jset none", BPF_JMP, BPF_JSET, 0x10, 0x20, 0);
	jcase("jsgt signed", BPF_JMP, BPF_JSGT, UINT64_MAX, 1, 0);
	jcase("jsgt max min", BPF_JMP, BPF_JSGT, max, min, 1);
	jcase("jsge equal", BPF_JMP, BPF_JSGE, min, min, 1);
	jcase("jslt min max", BPF_JMP, BPF_JSLT, min, max, 1);
	jcase("jslt -1 0", BPF_JMP, BPF_JSLT, UINT64_MAX, 0, 1);
	jcase("jsle", BPF_JMP, BPF_JSLE, 0, UINT64_MAX, 0);
	jcase("jeq32 ignores high bits", BPF_JMP32, BPF_JEQ, 0x100000005, 5,
	    1);
	jcase("jeq64 sees high bits", BPF_JMP, BPF_JEQ, 0x100000005, 5, 0);
	jcase("jgt32 unsigned", BPF_JMP32, BPF_JGT, 0x80000000, 1, 1);
	jcase("jsgt32 signed", BPF_JMP32, BPF_JSGT, 0x80000000, 1, 0);
	jcase("jsgt64 of same", BPF_JMP, BPF_JSGT, 0x80000000, 1, 1);
	jcase("jslt32", BPF_JMP32, BPF_JSLT, 0xffffffff, 0, 1);
	jcase("jsle32", BPF_JMP32, BPF_JSLE, 0x7fffffff, 0x80000000, 0);
	jcase("jsge32", BPF_JMP32, BPF_JSGE, 0, 0xffffffff, 1);
	jcase("jlt32", BPF_JMP32, BPF_JLT, 0x1ffffffff, 2, 0);
	jcase("jle32", BPF_JMP32, BPF_JLE, 0x100000000, 0, 1);
	jcase("jne32", BPF_JMP32, BPF_JNE, 0x100000000, 0, 0);
	jcase("jge32", BPF_JMP32, BPF_JGE, 0xffffffff, 0xffffffff, 1);
	jcase("jset32", BPF_JMP32, BPF_JSET, 0x100000000, 0x100000000, 0);
	expect("ja forward", P(MOV(0, 1), JA(1), MOV(0, 2), EXIT), 1);
	/* Sum 1..10 with a backward jump */
	expect("loop", P(MOV(0, 0), MOV(1, 10), ALU64_X(BPF_ADD, 0, 1),
	    ALU64_K(BPF_SUB, 1, 1), JK(BPF_JNE, 1, 0, -3), EXIT), 55);
	expect("gotol", P(MOV(0, 1), INS(BPF_JMP32 | BPF_JA, 0, 0, 0, 1),
	    MOV(0, 2), EXIT), 1);
	expect("jump over ld_imm64", P(MOV(0, 1), JA(2), LDDW(0, 2), EXIT),
	    1);
}

/* Memory through the stack */

static void
test_mem(void)
{
	const uint64_t v = 0x1122334455667788;

	expect("stx/ldx dw", P(LDDW(1, v), STX(BPF_DW, 10, 1, -8),
	    LDX(BPF_DW, 0, 10, -8), EXIT), v);
	expect("ldx w little-endian", P(LDDW(1, v), STX(BPF_DW, 10, 1, -8),
	    LDX(BPF_W, 0, 10, -8), EXIT), 0x55667788);
	expect("ldx w high half", P(LDDW(1, v), STX(BPF_DW, 10, 1, -8),
	    LDX(BPF_W, 0, 10, -4), EXIT), 0x11223344);
	expect("ldx h", P(LDDW(1, v), STX(BPF_DW, 10, 1, -8),
	    LDX(BPF_H, 0, 10, -8), EXIT), 0x7788);
	expect("ldx b", P(LDDW(1, v), STX(BPF_DW, 10, 1, -8),
	    LDX(BPF_B, 0, 10, -8), EXIT), 0x88);
	expect("stx w", P(LDDW(1, v), STX(BPF_W, 10, 1, -8),
	    LDX(BPF_DW, 0, 10, -8), EXIT), 0x55667788);
	expect("stx h", P(LDDW(1, v), STX(BPF_H, 10, 1, -8),
	    LDX(BPF_DW, 0, 10, -8), EXIT), 0x7788);
	expect("stx b", P(LDDW(1, v), STX(BPF_B, 10, 1, -1),
	    LDX(BPF_DW, 0, 10, -8), EXIT), 0x8800000000000000);
	expect("st dw sign-extends", P(ST(BPF_DW, 10, -8, -1),
	    LDX(BPF_DW, 0, 10, -8), EXIT), UINT64_MAX);
	expect("st w", P(ST(BPF_W, 10, -8, -1), LDX(BPF_DW, 0, 10, -8), EXIT),
	    0xffffffff);
	expect("st h", P(ST(BPF_H, 10, -8, 0x12345), LDX(BPF_DW, 0, 10, -8),
	    EXIT), 0x2345);
	expect("st b", P(ST(BPF_B, 10, -512, 0x1ff), LDX(BPF_B, 0, 10, -512),
	    EXIT), 0xff);
	expect("unaligned", P(LDDW(1, v), STX(BPF_DW, 10, 1, -13),
	    LDX(BPF_DW, 0, 10, -13), EXIT), v);
	expect("ldsx b", P(ST(BPF_B, 10, -1, 0x80), LDSX(BPF_B, 0, 10, -1),
	    EXIT), (uint64_t)-128);
	expect("ldsx h", P(ST(BPF_H, 10, -2, 0x7fff), LDSX(BPF_H, 0, 10, -2),
	    EXIT), 0x7fff);
	expect("ldsx w", P(ST(BPF_W, 10, -4, -2), LDSX(BPF_W, 0, 10, -4),
	    EXIT), (uint64_t)-2);
	expect("pointer arithmetic", P(MOVX(1, 10), ALU64_K(BPF_ADD, 1, -16),
	    ST(BPF_DW, 1, 8, 7), LDX(BPF_DW, 0, 10, -8), EXIT), 7);
	expect("stack zeroed per run", P(LDX(BPF_DW, 0, 10, -8), EXIT), 0);
	expect("atomic add dw", P(ST(BPF_DW, 10, -8, 5), MOV(1, 3),
	    ATOM(BPF_DW, 10, 1, -8, BPF_ADD), LDX(BPF_DW, 0, 10, -8), EXIT), 8);
	expect("atomic fetch add", P(ST(BPF_DW, 10, -8, 5), MOV(1, 3),
	    ATOM(BPF_DW, 10, 1, -8, BPF_ADD | BPF_FETCH), MOVX(0, 1), EXIT), 5);
	expect("atomic add w wraps", P(ST(BPF_DW, 10, -8, -1), MOV(1, 1),
	    ATOM(BPF_W, 10, 1, -8, BPF_ADD), LDX(BPF_DW, 0, 10, -8), EXIT),
	    0xffffffff00000000);
	expect("atomic or, and, xor", P(ST(BPF_DW, 10, -8, 0x0f), MOV(1, 0x30),
	    ATOM(BPF_DW, 10, 1, -8, BPF_OR), MOV(1, 0x3c),
	    ATOM(BPF_DW, 10, 1, -8, BPF_AND), MOV(1, 0x01),
	    ATOM(BPF_DW, 10, 1, -8, BPF_XOR), LDX(BPF_DW, 0, 10, -8), EXIT),
	    0x3d);
	expect("atomic xchg", P(ST(BPF_DW, 10, -8, 5), MOV(1, 9),
	    ATOM(BPF_DW, 10, 1, -8, BPF_XCHG), LDX(BPF_DW, 0, 10, -8),
	    ALU64_K(BPF_LSH, 0, 8), ALU64_X(BPF_OR, 0, 1), EXIT), 0x905);
	expect("atomic cmpxchg hit", P(ST(BPF_DW, 10, -8, 5), MOV(0, 5),
	    MOV(1, 9), ATOM(BPF_DW, 10, 1, -8, BPF_CMPXCHG),
	    LDX(BPF_DW, 1, 10, -8), ALU64_K(BPF_LSH, 0, 8),
	    ALU64_X(BPF_OR, 0, 1), EXIT), 0x509);
	expect("atomic cmpxchg miss", P(ST(BPF_DW, 10, -8, 5), MOV(0, 4),
	    MOV(1, 9), ATOM(BPF_DW, 10, 1, -8, BPF_CMPXCHG),
	    LDX(BPF_DW, 1, 10, -8), ALU64_K(BPF_LSH, 0, 8),
	    ALU64_X(BPF_OR, 0, 1), EXIT), 0x505);
}

/* Errors the program makes */

static void
test_faults(void)
{
	expect_err("load at the stack top", P(LDX(BPF_DW, 0, 10, 0), EXIT),
	    INTERP_EFAULT,
	    "insn 0: load of 8 bytes at 0x100000200 (r10+0) "
	    "outside any region");
	expect_err("load straddling the stack top",
	    P(MOV(0, 0), LDX(BPF_DW, 0, 10, -4), EXIT), INTERP_EFAULT,
	    "insn 1: load of 8 bytes");
	expect_err("store below the stack", P(ST(BPF_B, 10, -513, 1), EXIT),
	    INTERP_EFAULT, "store of 1 bytes at 0xffffffff (r10-513)");
	expect_err("load from null", P(MOV(1, 0), LDX(BPF_W, 0, 1, 0), EXIT),
	    INTERP_EFAULT, "insn 1: load of 4 bytes at 0x0 (r1+0)");
	expect_err("load from a wild address",
	    P(LDDW(1, 0x7fff00001000), LDX(BPF_H, 0, 1, 0), EXIT),
	    INTERP_EFAULT, "insn 2: load of 2 bytes at 0x7fff00001000");
	expect("load from the context", P(LDX(BPF_DW, 0, 1, 8), EXIT),
	    0x0807060504030201);
	expect_err("store into the read-only context",
	    P(ST(BPF_W, 1, 0, 1), EXIT), INTERP_EFAULT,
	    "store of 4 bytes at 0x200000000 (r1+0) in read-only memory");
	expect_err("atomic on the read-only context",
	    P(MOV(2, 1), ATOM(BPF_DW, 1, 2, 0, BPF_ADD), EXIT), INTERP_EFAULT,
	    "in read-only memory");
	expect_err("load past the context", P(LDX(BPF_B, 0, 1, 16), EXIT),
	    INTERP_EFAULT, "outside any region");
	expect_err("load from stack to context gap",
	    P(LDDW(1, 0x1fffffff8), LDX(BPF_DW, 0, 1, 0), EXIT), INTERP_EFAULT,
	    "outside any region");
	expect_err("fault stops the run", P(MOV(0, 1), MOV(1, 0),
	    ST(BPF_DW, 1, 0, 1), MOV(0, 2), EXIT), INTERP_EFAULT,
	    "insn 2: store");
}

static void
test_malformed(void)
{
	const struct bpf_insn one = MOV(0, 0);

	expect_err("write to r10", P(MOV(10, 0), EXIT), INTERP_EINSN,
	    "insn 0: write to r10");
	expect_err("ldx into r10", P(LDX(BPF_DW, 10, 10, -8), EXIT),
	    INTERP_EINSN, "write to r10");
	expect_err("lddw into r10", P(LDDW(10, 1), EXIT), INTERP_EINSN,
	    "write to r10");
	expect_err("fetch into r10", P(ATOM(BPF_DW, 10, 10, -8,
	    BPF_ADD | BPF_FETCH), EXIT), INTERP_EINSN, "write to r10");
	expect("r10 as a source", P(MOVX(0, 10), ALU64_X(BPF_SUB, 0, 10),
	    EXIT), 0);
	expect_err("bad source register", P(MOVX(0, 11), EXIT), INTERP_EINSN,
	    "insn 0: bad register r11");
	expect_err("bad destination register",
	    P(MOV(0, 0), ALU64_K(BPF_ADD, 15, 1), EXIT), INTERP_EINSN,
	    "insn 1: bad register r15");
	expect_err("bad jump register", P(JX(BPF_JEQ, 0, 12, 0), EXIT),
	    INTERP_EINSN, "bad register r12");
	expect_err("jump past the end", P(JA(5), EXIT), INTERP_EINSN,
	    "insn 0: jump to 6 outside the program (2 insns)");
	expect_err("jump to the end", P(JK(BPF_JEQ, 0, 0, 1), EXIT),
	    INTERP_EINSN, "jump to 2 outside");
	expect_err("jump before the start", P(MOV(0, 0), JA(-3), EXIT),
	    INTERP_EINSN, "insn 1: jump to -1 outside");
	expect_err("gotol outside", P(INS(BPF_JMP32 | BPF_JA, 0, 0, 0,
	    100000), EXIT), INTERP_EINSN, "jump to 100001 outside");
	expect_err("jump into a ld_imm64", P(JA(1), LDDW(0, 1), EXIT),
	    INTERP_EINSN, "middle of a ld_imm64");
	expect_err("unknown opcode", P(MOV(0, 0), INS(0xff, 0, 0, 0, 0), EXIT),
	    INTERP_EINSN, "insn 1: unknown opcode 0xff");
	expect_err("opcode 0", P(INS(0, 0, 0, 0, 0), EXIT), INTERP_EINSN,
	    "unknown opcode 0x00");
	expect_err("legacy packet load", P(INS(BPF_LD | BPF_ABS | BPF_W, 0,
	    0, 0, 0), EXIT), INTERP_EINSN, "unknown opcode 0x20");
	expect_err("alu op 0xe0", P(INS(BPF_ALU64 | 0xe0, 0, 0, 0, 0), EXIT),
	    INTERP_EINSN, "unknown opcode 0xe7");
	expect_err("ldsx dw", P(LDSX(BPF_DW, 0, 10, -8), EXIT), INTERP_EINSN,
	    "unknown opcode 0x99");
	expect_err("atomic on a byte", P(ATOM(BPF_B, 10, 1, -8, BPF_ADD),
	    EXIT), INTERP_EINSN, "unknown opcode 0xd3");
	expect_err("unknown atomic", P(ATOM(BPF_DW, 10, 1, -8, 0x10), EXIT),
	    INTERP_EINSN, "unknown atomic operation 0x10");
	expect_err("jmp32 call", P(INS(BPF_JMP32 | BPF_CALL, 0, 0, 0, 1),
	    EXIT), INTERP_EINSN, "unknown opcode 0x86");
	expect_err("reserved src_reg", P(INS(BPF_ALU64 | BPF_K | BPF_ADD, 0,
	    1, 0, 1), EXIT), INTERP_EINSN, "reserved field set in opcode 0x07");
	expect_err("reserved off", P(INS(BPF_ALU64 | BPF_K | BPF_ADD, 0, 0,
	    1, 1), EXIT), INTERP_EINSN, "reserved field");
	expect_err("movsx from K", P(INS(BPF_ALU64 | BPF_K | BPF_MOV, 0, 0,
	    8, 1), EXIT), INTERP_EINSN, "reserved field");
	expect_err("byte swap of 8 bits", P(ALU32_K(BPF_END, 0, 8), EXIT),
	    INTERP_EINSN, "byte swap of 8 bits");
	expect_err("bad second half of ld_imm64",
	    P(INS(BPF_LD | BPF_DW | BPF_IMM, 0, 0, 0, 1),
	    INS(0, 1, 0, 0, 0), EXIT), INTERP_EINSN,
	    "insn 1: bad second half of ld_imm64");
	expect_err("ld_imm64 truncated", P(MOV(0, 0), EXIT,
	    INS(BPF_LD | BPF_DW | BPF_IMM, 0, 0, 0, 1)), INTERP_EINSN,
	    "insn 2: ld_imm64 truncated at the end");
	expect_err("falls off the end", P(MOV(0, 1)), INTERP_EINSN,
	    "insn 0: last instruction falls off the end");
	expect_err("falls off after a branch", P(MOV(0, 1), EXIT,
	    JK(BPF_JEQ, 0, 1, -2)), INTERP_EINSN, "falls off the end");
	expect_err("ends in a ld_imm64", P(EXIT, LDDW(0, 1)), INTERP_EINSN,
	    "falls off the end");
	expect_err("empty program", &one, 0, INTERP_EINSN, "empty program");
	expect_err("bpf-to-bpf call", P(INS(BPF_JMP | BPF_CALL, 0, 1, 0, 1),
	    EXIT), INTERP_EINSN, "only helpers");
	expect_err("exit with a register", P(INS(BPF_JMP | BPF_EXIT, 1, 0, 0,
	    0)), INTERP_EINSN, "reserved field");
	expect_err("check before any effect", P(ST(BPF_B, 1, 0, 0), EXIT,
	    INS(0xff, 0, 0, 0, 0), EXIT), INTERP_EINSN, "insn 2: unknown");
}

static void
test_budget(void)
{
	uint64_t saved = vm.budget;

	vm.budget = 1000;
	expect_err("budget stops a loop", P(MOV(0, 0), JA(-1), EXIT),
	    INTERP_EBUDGET, "instruction budget of 1000 exhausted");
	if (vm.steps == 1000)
		ok("budget counts steps");
	else
		bad("budget counts steps", "%" PRIu64 " steps", vm.steps);
	vm.budget = 3;
	expect("budget just enough", P(MOV(0, 1), MOV(1, 2), EXIT), 1);
	if (vm.steps == 3)
		ok("steps of a run");
	else
		bad("steps of a run", "%" PRIu64 " steps", vm.steps);
	vm.budget = 2;
	expect_err("budget one short", P(MOV(0, 1), MOV(1, 2), EXIT),
	    INTERP_EBUDGET, "insn 2: instruction budget of 2");
	vm.budget = saved;

	vm.flags = INTERP_DIVTRAP;
	expect_err("divtrap div64", P(MOV(0, 1), MOV(1, 0),
	    ALU64_X(BPF_DIV, 0, 1), EXIT), INTERP_EDIVZERO,
	    "insn 2: division by zero");
	expect_err("divtrap mod32 of 2^32", P(MOV(0, 1), LDDW(1, 1ull << 32),
	    ALU32_X(BPF_MOD, 0, 1), EXIT), INTERP_EDIVZERO,
	    "insn 3: modulo by zero");
	expect_err("divtrap sdiv k", P(MOV(0, 1), INS(BPF_ALU64 | BPF_K |
	    BPF_DIV, 0, 0, 1, 0), EXIT), INTERP_EDIVZERO, "division by zero");
	expect("divtrap lets x/y run", P(MOV(0, 9), MOV(1, 2),
	    ALU64_X(BPF_DIV, 0, 1), EXIT), 4);
	vm.flags = 0;
}

/* Helpers and maps */

static char seen[64];		/* the last string helper 1 read */
static unsigned char mapvalue[16] = { [4] = 0x2a, [8] = 0x10 };

static int
helper(struct interp *v, int id, const uint64_t args[5], uint64_t *ret,
    void *user)
{
	const char *s;
	unsigned char *p;
	uint64_t addr;
	size_t len;

	if (user != &vm)
		return INTERP_EUSER;
	switch (id) {
	case 1:		/* strlen, keeping a copy */
		s = interp_str(v, args[0], &len);
		if (!s) {
			interp_error(v, "bad string at 0x%" PRIx64, args[0]);
			return INTERP_EUSER;
		}
		snprintf(seen, sizeof seen, "%s", s);
		*ret = len;
		return 0;
	case 2:		/* a lookup: a fresh copy of a value */
		p = interp_alloc(v, 8, 1, &addr);
		if (!p)
			return INTERP_ENOMEM;
		p[0] = 42;
		*ret = addr;
		return 0;
	case 3:		/* fill args[1] bytes at args[0] with 'x' */
		p = interp_mem(v, args[0], args[1], 1);
		if (!p)
			return INTERP_EFAULT;
		memset(p, 'x', args[1]);
		*ret = 0;
		return 0;
	case 4:
		interp_error(v, "helper says no");
		return INTERP_EUSER + 1;
	case 5:
		return INTERP_EHELPER;
	case 6:		/* are the arguments r1-r5? */
		*ret = args[0] + 10 * args[1] + 100 * args[2] +
		    1000 * args[3] + 10000 * args[4];
		return 0;
	case -1:
		*ret = (uint64_t)(int64_t)id;
		return 0;
	}
	interp_error(v, "unknown helper %d", id);
	return INTERP_EHELPER;
}

static int
mapload(struct interp *v, int src, int32_t imm, int32_t imm2, uint64_t *val,
    void *user)
{
	uint64_t base;

	(void)user;
	if (src == BPF_PSEUDO_MAP_FD && imm == 7) {
		*val = 0x1000 + imm;
		return 0;
	}
	if (src == BPF_PSEUDO_MAP_VALUE && imm == 7) {
		base = interp_region_add(v, mapvalue, sizeof mapvalue, 1);
		if (!base || imm2 < 0 || (size_t)imm2 > sizeof mapvalue)
			return INTERP_EMAP;
		*val = base + imm2;
		return 0;
	}
	return INTERP_EMAP;
}

#define MAPLD(d, src, fd, off) \
	INS(BPF_LD | BPF_DW | BPF_IMM, d, src, 0, fd), INS(0, 0, 0, 0, off)

static void
test_helpers(void)
{
	expect("helper reads a string from the stack",
	    P(LDDW(1, 0x006f6c6c6568), STX(BPF_DW, 10, 1, -8), MOVX(1, 10),
	    ALU64_K(BPF_ADD, 1, -8), CALL(1), EXIT), 5);
	if (strcmp(seen, "hello") == 0)
		ok("helper saw the string");
	else
		bad("helper saw the string", "'%s'", seen);
	expect_err("helper finds no NUL", P(ST(BPF_B, 10, -1, 'a'),
	    MOVX(1, 10), ALU64_K(BPF_ADD, 1, -1), CALL(1), EXIT),
	    INTERP_EUSER, "insn 3: bad string at 0x1000001ff");
	expect("helper arguments", P(MOV(1, 1), MOV(2, 2), MOV(3, 3), MOV(4, 4),
	    MOV(5, 5), CALL(6), EXIT), 54321);
	expect("negative helper id", P(CALL(-1), EXIT), UINT64_MAX);
	expect("r1-r5 clobbered by a call", P(MOV(1, 1), MOV(2, 2), CALL(6),
	    JK(BPF_JEQ, 1, 1, 2), MOV(0, 0), EXIT, MOV(0, 1), EXIT), 0);
	expect("r6-r9 kept across a call", P(MOV(6, 6), MOV(9, 3), CALL(6),
	    ALU64_X(BPF_ADD, 6, 9), MOVX(0, 6), EXIT), 9);
	expect("lookup returns a readable copy", P(CALL(2),
	    JK(BPF_JEQ, 0, 0, 1), LDX(BPF_B, 0, 0, 0), EXIT), 42);
	expect("lookup copy is writable", P(CALL(2), ST(BPF_DW, 0, 0, 7),
	    LDX(BPF_DW, 0, 0, 0), EXIT), 7);
	expect_err("past the lookup copy", P(CALL(2), LDX(BPF_B, 0, 0, 8),
	    EXIT), INTERP_EFAULT, "insn 1: load of 1 bytes");
	expect("helper writes the stack", P(MOVX(1, 10),
	    ALU64_K(BPF_ADD, 1, -8), MOV(2, 8), CALL(3),
	    LDX(BPF_DW, 0, 10, -8), EXIT), 0x7878787878787878);
	expect_err("helper refuses to write off the stack", P(MOVX(1, 10),
	    ALU64_K(BPF_ADD, 1, -8), MOV(2, 9), CALL(3), EXIT), INTERP_EFAULT,
	    "insn 3: helper 3 failed");
	expect_err("helper error passes through", P(MOV(0, 0), CALL(4),
	    EXIT), INTERP_EUSER + 1, "insn 1: helper says no");
	expect_err("helper failure without a message", P(CALL(5), EXIT),
	    INTERP_EHELPER, "insn 0: helper 5 failed");
	expect_err("unknown helper", P(CALL(99), EXIT), INTERP_EHELPER,
	    "unknown helper 99");

	expect("pseudo map fd", P(MAPLD(0, BPF_PSEUDO_MAP_FD, 7, 0), EXIT),
	    0x1007);
	expect("pseudo map value", P(MAPLD(1, BPF_PSEUDO_MAP_VALUE, 7, 4),
	    LDX(BPF_W, 0, 1, 0), LDX(BPF_W, 2, 1, 4), ALU64_X(BPF_ADD, 0, 2),
	    EXIT), 0x3a);
	expect("pseudo map value writable", P(MAPLD(1, BPF_PSEUDO_MAP_VALUE,
	    7, 8), ST(BPF_DW, 1, 0, 5), LDX(BPF_DW, 0, 1, 0), EXIT), 5);
	if (mapvalue[8] == 5)
		ok("map value written through");
	else
		bad("map value written through", "%d", mapvalue[8]);
	expect_err("pseudo map value bounds", P(MAPLD(1,
	    BPF_PSEUDO_MAP_VALUE, 7, 12), LDX(BPF_DW, 0, 1, 0), EXIT),
	    INTERP_EFAULT, "insn 2: load of 8 bytes");
	expect_err("unknown map", P(MAPLD(0, BPF_PSEUDO_MAP_FD, 8, 0), EXIT),
	    INTERP_EMAP, "insn 0: ld_imm64 of pseudo source 1 imm 8 failed");

	vm.helper = NULL;
	vm.mapload = NULL;
	expect_err("no helper callback", P(CALL(1), EXIT), INTERP_EHELPER,
	    "no helpers");
	expect_err("no map callback", P(MAPLD(0, 1, 7, 0), EXIT),
	    INTERP_EMAP, "no map callback");
	vm.helper = helper;
	vm.mapload = mapload;
}

/* The region API itself */

static void
check(const char *name, int cond)
{
	if (cond)
		ok(name);
	else
		bad(name, "no");
}

static void
test_regions(void)
{
	static unsigned char buf[16] = "abc";
	uint64_t a, b, old;
	size_t mark = interp_mark(&vm), i;
	int all = 1;

	a = interp_region_add(&vm, buf, sizeof buf, 0);
	check("region added", a != 0 && (a & 0xffffffff) == 0);
	check("mem whole region", interp_mem(&vm, a, 16, 0) == buf);
	check("mem tail", interp_mem(&vm, a + 15, 1, 0) == buf + 15);
	check("mem empty at the end", interp_mem(&vm, a + 16, 0, 0) != NULL);
	check("mem past the end", !interp_mem(&vm, a + 1, 16, 0));
	check("mem huge length", !interp_mem(&vm, a, SIZE_MAX, 0));
	check("mem write read-only", !interp_mem(&vm, a, 1, 1));
	check("mem null", !interp_mem(&vm, 0, 1, 0));
	check("str", interp_str(&vm, a, NULL) == (char *)buf);
	check("str at the NUL", interp_str(&vm, a + 3, NULL) != NULL);
	check("str past the end", !interp_str(&vm, a + 16, NULL));
	interp_drop(&vm, mark);
	check("dropped region gone", !interp_mem(&vm, a, 1, 0));
	b = interp_region_add(&vm, buf, sizeof buf, 1);
	check("slot reused, new address", b != 0 && b != a &&
	    (b >> 32 & 0xfffff) == (a >> 32 & 0xfffff));
	check("stale address still gone", !interp_mem(&vm, a, 1, 0));
	check("writable region", interp_mem(&vm, b, 16, 1) == buf);
	interp_drop(&vm, mark);
	check("region over 4 GiB refused", SIZE_MAX <= UINT32_MAX ||
	    !interp_region_add(&vm, buf, (size_t)UINT32_MAX + 1, 0));
	for (i = 0; i < 100000 && all; i++)
		all = interp_alloc(&vm, 64, 1, &a) != NULL;
	check("100000 regions", all);
	interp_drop(&vm, mark);
	check("drop keeps the stack", interp_mem(&vm, 0x100000000, 512, 1) &&
	    interp_mem(&vm, ctxaddr, 16, 0));
	interp_drop(&vm, 0);
	check("drop never drops the stack",
	    interp_mem(&vm, 0x100000000, 512, 1) != NULL);
	ctxaddr = 0;
	/* A pointer kept from one run fails in the next */
	mark = interp_mark(&vm);
	old = 0;
	interp_run(&vm, P(CALL(2), EXIT), 0, &old);
	interp_drop(&vm, mark);
	expect("no context means r1 = 0", P(MOVX(0, 1), EXIT), 0);
	vm.budget = 10;
	expect_err("stale pointer from a lookup", P(LDDW(1, old),
	    CALL(2), LDX(BPF_B, 0, 1, 0), EXIT), INTERP_EFAULT,
	    "insn 3: load of 1 bytes");
	vm.budget = 1000;
}

int
main(void)
{
	static const unsigned char ctx[16] = { 0xc0, 0xc1, 0xc2, 0xc3,
		0xc4, 0xc5, 0xc6, 0xc7, 1, 2, 3, 4, 5, 6, 7, 8 };
	struct interp big;

	if (interp_init(&vm, 0)) {
		printf("FAIL init\n");
		return 1;
	}
	vm.helper = helper;
	vm.mapload = mapload;
	vm.user = &vm;
	vm.budget = 1000;
	ctxaddr = interp_region_add(&vm, (void *)ctx, sizeof ctx, 0);
	check("context region", ctxaddr == 0x200000000);
	test_alu();
	test_jmp();
	test_mem();
	test_faults();
	test_malformed();
	test_budget();
	test_helpers();
	test_regions();
	interp_free(&vm);

	check("stack over the maximum refused",
	    interp_init(&big, INTERP_STACKMAX + 1) == INTERP_ENOMEM);
	interp_free(&big);
	if (interp_init(&big, INTERP_STACKMAX) == 0) {
		vm = big;	/* not yet run: copying is still safe */
		expect("64 KiB stack", P(MOVX(1, 10),
		    ALU64_K(BPF_ADD, 1, -65536), ST(BPF_DW, 1, 0, 3),
		    LDX(BPF_DW, 0, 1, 0), EXIT), 3);
		expect_err("64 KiB stack bottom", P(MOVX(1, 10),
		    ALU64_K(BPF_ADD, 1, -65537), LDX(BPF_B, 0, 1, 0), EXIT),
		    INTERP_EFAULT, "load of 1 bytes at 0xffffffff");
		interp_free(&vm);
	} else {
		bad("64 KiB stack", "init failed");
	}

	printf("%d passed, %d failed\n", npass, nfail);
	return nfail != 0;
}
