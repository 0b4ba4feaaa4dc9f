/*
 * Writes small .bo files by hand with the writer of stap-bpfgen/bo.h,
 * so stap-bpfld is tested apart from the code generator:
 *
 *   mkbo hello OUT     a begin probe sending a PRINTF record through
 *                      bpf_ringbuf_output, then an EXIT record
 *   mkbo count OUT     a tracepoint probe counting getppid calls of the
 *                      target pid in stap_globals, an end probe
 *                      printing the count
 *   mkbo reject OUT    a tracepoint probe the verifier refuses (it
 *                      reads r2 before writing it), with line records
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/abi.h"
#include "../../lib/stap.h"
#include "../../stap-bpfgen/bo.h"

static struct bpf_insn
ins(int code, int dst, int src, int off, int imm)
{
	struct bpf_insn i;

	memset(&i, 0, sizeof i);
	i.code = code;
	i.dst_reg = dst;
	i.src_reg = src;
	i.off = off;
	i.imm = imm;
	return i;
}

#define MOVX(d, s) ins(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOVK(d, k) ins(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, k)
#define ADDK(d, k) ins(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, k)
#define RSHK(d, k) ins(BPF_ALU64 | BPF_RSH | BPF_K, d, 0, 0, k)
#define STW(d, off, k) ins(BPF_ST | BPF_MEM | BPF_W, d, 0, off, k)
#define STDW(d, off, k) ins(BPF_ST | BPF_MEM | BPF_DW, d, 0, off, k)
#define LDXDW(d, s, off) ins(BPF_LDX | BPF_MEM | BPF_DW, d, s, off, 0)
#define STXDW(d, s, off) ins(BPF_STX | BPF_MEM | BPF_DW, d, s, off, 0)
#define XADD(d, s, off) ins(BPF_STX | BPF_ATOMIC | BPF_DW, d, s, off, BPF_ADD)
#define JEQK(d, k, off) ins(BPF_JMP | BPF_JEQ | BPF_K, d, 0, off, k)
#define JNEX(d, s, off) ins(BPF_JMP | BPF_JNE | BPF_X, d, s, off, 0)
#define CALL(fn) ins(BPF_JMP | BPF_CALL, 0, 0, 0, fn)
#define EXIT ins(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define LD64(d) ins(BPF_LD | BPF_IMM | BPF_DW, d, 0, 0, 0), ins(0, 0, 0, 0, 0)
/* d = the address of a global-data map's value */
#define LDVAL(d) ins(BPF_LD | BPF_IMM | BPF_DW, d, BPF_PSEUDO_MAP_VALUE, 0, \
    0), ins(0, 0, 0, 0, 0)

enum { M_CTL, M_GLOBALS, M_SCRATCH, M_EVENTS, M_FMT };

static const char *src[] = {
	"global n",
	"probe kernel.trace(\"syscalls:sys_enter_getppid\") "
	    "{ if (pid() == target()) n++ }",
	"probe end { printf(\"n=%d\\n\", n) }",
	"probe begin { printf(\"hello\\n\"); exit() }",
};

static void
common(struct bo *bo)
{
	char buf[256];
	size_t i;

	bo_data(bo, "stap_ctl", CTL_SIZE);
	bo_data(bo, "stap_globals", 8);
	bo_map(bo, "stap_scratch", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 1, 0);
	bo_map(bo, "stap_events", BPF_MAP_TYPE_RINGBUF, 0, 0, 1 << 16, 0);
	bo_map(bo, "stap_fmt", BPF_MAP_TYPE_ARRAY, 4, 8, 1,
	    BPF_F_RDONLY_PROG);
	bo_meta(bo, "@script \"x.stp\"");
	bo_meta(bo, "@maxstringlen 128");
	bo_meta(bo, "@ringbuf 65536");
	bo_meta(bo, "file 0 \"x.stp\" 4");
	for (i = 0; i < NELEM(src); i++) {
		char *o = buf;
		const char *s;

		*o++ = '"';
		for (s = src[i]; *s; s++) {
			if (*s == '"' || *s == '\\')
				*o++ = '\\';
			*o++ = *s;
		}
		*o++ = '"';
		*o = '\0';
		bo_meta(bo, buf);
	}
	bo_meta(bo, "global n 0 long");
	bo_meta(bo, "format 0 \"hello\\n\" -");
	bo_meta(bo, "format 1 \"n=%d\\n\" l");
}

/* r1 = map at insn i of prog */
static void
reloc(struct bo *bo, int prog, size_t insn, int map)
{
	bo_reloc(bo, prog, insn, map);
}

static void
hello(struct bo *bo)
{
	/* record {kind 1, id 0} on the stack, then {kind 2, id 0} */
	struct bpf_insn p[] = {
		STW(10, -8, 1), STW(10, -4, 0),
		LD64(1), MOVX(2, 10), ADDK(2, -8), MOVK(3, 8), MOVK(4, 0),
		CALL(BPF_FUNC_ringbuf_output),
		STW(10, -8, 2),
		LD64(1), MOVX(2, 10), ADDK(2, -8), MOVK(3, 8), MOVK(4, 0),
		CALL(BPF_FUNC_ringbuf_output),
		MOVK(0, 0), EXIT,
	};
	int i = bo_prog(bo, "begin_0", NULL, 0, p, NELEM(p));

	reloc(bo, i, 2, M_EVENTS);
	reloc(bo, i, 10, M_EVENTS);
	bo_meta(bo, "probe begin_0 begin 0:4:7 \"begin\" prio 0");
	bo_meta(bo, "line begin_0 0 0:4:15");
}

static void
count(struct bo *bo)
{
	struct bpf_insn tp[] = {
		/* r6 = &ctl, r7 = &globals */
		LDVAL(6), LDVAL(7),
		CALL(BPF_FUNC_get_current_pid_tgid), RSHK(0, 32),
		LDXDW(1, 6, 24), JNEX(0, 1, 2),
		MOVK(1, 1), XADD(7, 1, 0),
		MOVK(0, 0), EXIT,
	};
	struct bpf_insn end[] = {
		/* record {kind 1, id 1, n} */
		LDVAL(0),
		LDXDW(1, 0, 0), STXDW(10, 1, -16),
		STW(10, -24, 1), STW(10, -20, 1),
		LD64(1), MOVX(2, 10), ADDK(2, -24), MOVK(3, 16), MOVK(4, 0),
		CALL(BPF_FUNC_ringbuf_output),
		MOVK(0, 0), EXIT,
	};
	int i = bo_prog(bo, "probe_1", "tracepoint/syscalls/sys_enter_getppid",
	    1, tp, NELEM(tp));

	reloc(bo, i, 0, M_CTL);
	reloc(bo, i, 2, M_GLOBALS);
	bo_meta(bo, "probe probe_1 tracepoint 0:2:1 "
	    "\"kernel.trace(\\\"syscalls:sys_enter_getppid\\\")\" "
	    "tracepoint syscalls:sys_enter_getppid");
	i = bo_prog(bo, "end_2", NULL, 0, end, NELEM(end));
	reloc(bo, i, 0, M_GLOBALS);
	reloc(bo, i, 6, M_EVENTS);
	bo_meta(bo, "probe end_2 end 0:3:7 \"end\" prio 0");
}

static void
reject(struct bo *bo)
{
	struct bpf_insn p[] = {
		MOVK(0, 0),
		MOVX(0, 2),	/* r2 was never written */
		EXIT,
	};
	int i = bo_prog(bo, "probe_1", "tracepoint/syscalls/sys_enter_getppid",
	    1, p, NELEM(p));

	(void)i;
	bo_meta(bo, "probe probe_1 tracepoint 0:2:1 "
	    "\"kernel.trace(\\\"syscalls:sys_enter_getppid\\\")\" "
	    "tracepoint syscalls:sys_enter_getppid");
	bo_meta(bo, "line probe_1 0 0:2:53");
	bo_meta(bo, "line probe_1 1 0:2:67");
}

int
main(int argc, char **argv)
{
	struct bo *bo = bo_new();
	FILE *f;

	argv0 = "mkbo";
	if (argc != 3) {
		fprintf(stderr, "usage: mkbo hello|count|reject OUT\n");
		return 2;
	}
	common(bo);
	if (!strcmp(argv[1], "hello"))
		hello(bo);
	else if (!strcmp(argv[1], "count"))
		count(bo);
	else if (!strcmp(argv[1], "reject"))
		reject(bo);
	else
		return 2;
	if (!(f = fopen(argv[2], "wb")) || bo_write(bo, f) < 0 ||
	    fclose(f) == EOF) {
		perror(argv[2]);
		return 1;
	}
	bo_free(bo);
	return 0;
}
