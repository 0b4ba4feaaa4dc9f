/*
 * botest: the .bo container, end to end.  Writes an object with the
 * stap-bpfgen writer, has libbpf open it and this machine's kernel load
 * and run it (a tracepoint program counting getppid calls of this
 * process), reads it back with lib/bo.c, and feeds the reader things
 * that are not our .bo.  Prints "ok NAME" or "FAIL NAME: detail" per
 * check; exits 1 on any failure, 77 when only the kernel part could
 * not run ("needs root and BPF" last), 0 otherwise.
 *
 * Build (tests/bo/run.sh does this), from the top of the tree:
 *	cc -std=c11 -D_POSIX_C_SOURCE=200809L -g -O2 -Wall -Wextra \
 *	    -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
 *	    -Werror -Ilib $(pkg-config --cflags libbpf libelf) \
 *	    -o botest tests/bo/botest.c stap-bpfgen/elf.c stap-bpfgen/btf.c \
 *	    lib/bo.c lib/arena.c lib/diag.c \
 *	    $(pkg-config --libs libbpf libelf)
 * Run as root: ./botest [-v]   (-v: libbpf's warnings on stderr)
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../../lib/stap.h"
#include "../../lib/bo.h"
#include "../../stap-bpfgen/bo.h"

static int failed, verbose;
static char tmpdir[] = "/tmp/botest.XXXXXX";

static void
ok(const char *name)
{
	printf("ok %s\n", name);
}

static void
bad(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("FAIL %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	failed = 1;
}

static struct bpf_insn
ins(int code, int dst, int src, int off, int imm)
{
	struct bpf_insn i;

	memset(&i, 0, sizeof(i));
	i.code = code;
	i.dst_reg = dst;
	i.src_reg = src;
	i.off = off;
	i.imm = imm;
	return i;
}

#define LDMAP(n, dst) (p[n] = ins(BPF_LD | BPF_IMM | BPF_DW, dst, 0, 0, 0), \
	p[n + 1] = ins(0, 0, 0, 0, 0))
#define CALL(fn) ins(BPF_JMP | BPF_CALL, 0, 0, 0, fn)
#define MOVX(d, s) ins(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOVK(d, k) ins(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, k)
#define ADDK(d, k) ins(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, k)
#define EXIT ins(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

static const char *const source[] = {
	"global counts, target",
	"probe kernel.trace(\"syscalls:sys_enter_getppid\") {",
	"\tif (pid() == target) counts[pid()]++",
	"}",
	"probe begin { counts[0] = 0; print(\"hi\") }",
};

static const char *const meta[] = {
	"@tool \"botest\"",
	"@script \"botest.stp\"",
	"file 0 \"botest.stp\" 5",
	"\"global counts, target\"",
	"\"probe kernel.trace(\\\"syscalls:sys_enter_getppid\\\") {\"",
	"\"\\tif (pid() == target) counts[pid()]++\"",
	"\"}\"",
	"\"probe begin { counts[0] = 0; print(\\\"hi\\\") }\"",
	"probe probe_0 \"tracepoint/syscalls/sys_enter_getppid\" kernel "
	    "\"kernel.trace(\\\"syscalls:sys_enter_getppid\\\")\" 0:2:7",
	"probe begin_0 \".stap.prog.begin_0\" begin \"begin\" 0:5:7",
	"global counts counts long long 0:1:8",
	"global target target long - 0:1:16",
	"format 0 \"hi\"",
	"lines probe_0 3",
	"0 0:2:1",
	"3 0:3:2",
	"12 0:3:23",
};

enum { M_COUNTS, M_EVENTS, M_TARGET };

/* The tracepoint program: if (tgid == target[0]) counts[tgid]++ */
static int
probe0(struct bo *bo)
{
	struct bpf_insn p[34];
	int prog;

	p[0] = CALL(BPF_FUNC_get_current_pid_tgid);
	p[1] = MOVX(6, 0);
	p[2] = ins(BPF_ALU64 | BPF_RSH | BPF_K, 6, 0, 0, 32);
	p[3] = ins(BPF_ST | BPF_MEM | BPF_W, 10, 0, -4, 0);
	LDMAP(4, 1);
	p[6] = MOVX(2, 10);
	p[7] = ADDK(2, -4);
	p[8] = CALL(BPF_FUNC_map_lookup_elem);
	p[9] = ins(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 22, 0);
	p[10] = ins(BPF_LDX | BPF_MEM | BPF_W, 1, 0, 0, 0);
	p[11] = ins(BPF_JMP | BPF_JNE | BPF_X, 1, 6, 20, 0);
	p[12] = ins(BPF_STX | BPF_MEM | BPF_W, 10, 6, -8, 0);
	LDMAP(13, 1);
	p[15] = MOVX(2, 10);
	p[16] = ADDK(2, -8);
	p[17] = CALL(BPF_FUNC_map_lookup_elem);
	p[18] = ins(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 3, 0);
	p[19] = MOVK(1, 1);
	p[20] = ins(BPF_STX | BPF_ATOMIC | BPF_DW, 0, 1, 0, BPF_ADD);
	p[21] = ins(BPF_JMP | BPF_JA, 0, 0, 10, 0);
	p[22] = MOVK(1, 1);
	p[23] = ins(BPF_STX | BPF_MEM | BPF_DW, 10, 1, -16, 0);
	LDMAP(24, 1);
	p[26] = MOVX(2, 10);
	p[27] = ADDK(2, -8);
	p[28] = MOVX(3, 10);
	p[29] = ADDK(3, -16);
	p[30] = MOVK(4, BPF_ANY);
	p[31] = CALL(BPF_FUNC_map_update_elem);
	p[32] = MOVK(0, 0);
	p[33] = EXIT;
	prog = bo_prog(bo, "probe_0", "tracepoint/syscalls/sys_enter_getppid",
	    1, p, NELEM(p));
	bo_reloc(bo, prog, 4, M_TARGET);
	bo_reloc(bo, prog, 13, M_COUNTS);
	bo_reloc(bo, prog, 24, M_COUNTS);
	/* insn 5 is the second half of a load: the writer drops it */
	bo_line(bo, prog, 5, "botest.stp", source[2], 3, 9);
	bo_line(bo, prog, 12, "botest.stp", source[2], 3, 23);
	bo_line(bo, prog, 3, "botest.stp", source[2], 3, 2);
	bo_line(bo, prog, 0, "botest.stp", source[1], 2, 1);
	bo_line(bo, prog, 32, "botest.stp", source[3], 4, 1);
	return prog;
}

/* Two programs sharing "perf_event"; the second looks up a map, so
 * its relocation offset must count the first one's bytes */
static void
perfprogs(struct bo *bo)
{
	struct bpf_insn p[8];
	int prog;

	p[0] = MOVK(0, 0);
	p[1] = EXIT;
	bo_prog(bo, "probe_1", "perf_event", 1, p, 2);
	p[0] = ins(BPF_ST | BPF_MEM | BPF_W, 10, 0, -4, 0);
	LDMAP(1, 1);
	p[3] = MOVX(2, 10);
	p[4] = ADDK(2, -4);
	p[5] = CALL(BPF_FUNC_map_lookup_elem);
	p[6] = MOVK(0, 0);
	p[7] = EXIT;
	prog = bo_prog(bo, "probe_2", "perf_event", 1, p, 8);
	bo_reloc(bo, prog, 1, M_TARGET);
}

static struct bo *
build(void)
{
	struct bo *bo = bo_new();
	struct bpf_insn p[6];
	size_t i;
	int prog;

	if (bo_map(bo, "counts", BPF_MAP_TYPE_HASH, 4, 8, 1024, 0) !=
	    M_COUNTS || bo_map(bo, "events", BPF_MAP_TYPE_RINGBUF, 0, 0,
	    1 << 16, 0) != M_EVENTS || bo_map(bo, "target",
	    BPF_MAP_TYPE_ARRAY, 4, 4, 1, 0) != M_TARGET)
		bad("writer", "unexpected map indices");
	probe0(bo);
	perfprogs(bo);
	LDMAP(0, 1);
	LDMAP(2, 2);
	p[4] = MOVK(0, 0);
	p[5] = EXIT;
	prog = bo_prog(bo, "begin_0", NULL, 0, p, NELEM(p));
	bo_reloc(bo, prog, 2, M_EVENTS);
	bo_reloc(bo, prog, 0, M_COUNTS);
	for (i = 0; i < NELEM(meta); i++)
		bo_meta(bo, meta[i]);
	bo_license(bo, "GPL");
	return bo;
}

static char *
towrite(size_t *size)
{
	struct bo *bo = build();
	char *buf = NULL;
	FILE *f = open_memstream(&buf, size);

	if (!f || bo_write(bo, f) != 0 || fclose(f) != 0) {
		perror("botest: bo_write");
		exit(1);
	}
	bo_free(bo);
	return buf;
}

static void
writefile(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

static int
libbpfprint(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN || verbose)
		return vfprintf(stderr, fmt, ap);
	return 0;
}

/* libbpf opens it and sees the programs and maps we meant */
static struct bpf_object *
libbpfopen(const char *path)
{
	static const struct {
		const char *name;
		enum bpf_prog_type type;
	} want[] = {
		{ "probe_0", BPF_PROG_TYPE_TRACEPOINT },
		{ "probe_1", BPF_PROG_TYPE_PERF_EVENT },
		{ "probe_2", BPF_PROG_TYPE_PERF_EVENT },
	};
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_program *prog;
	struct bpf_map *map;
	size_t i, n = 0;

	if (!obj) {
		bad("libbpf open", "%s", strerror(errno));
		return NULL;
	}
	ok("libbpf open");
	bpf_object__for_each_program(prog, obj)
		n++;
	if (n != NELEM(want))
		bad("libbpf programs", "%zu programs, wanted %zu", n,
		    NELEM(want));
	for (i = 0; i < NELEM(want); i++) {
		prog = bpf_object__find_program_by_name(obj, want[i].name);
		if (!prog || bpf_program__type(prog) != want[i].type) {
			bad("libbpf programs", "'%s' missing or of type %d",
			    want[i].name, prog ? (int)bpf_program__type(prog) :
			    -1);
			return obj;
		}
	}
	ok("libbpf programs");
	map = bpf_object__find_map_by_name(obj, "counts");
	if (!map || bpf_map__type(map) != BPF_MAP_TYPE_HASH ||
	    bpf_map__key_size(map) != 4 || bpf_map__value_size(map) != 8 ||
	    bpf_map__max_entries(map) != 1024)
		bad("libbpf maps", "'counts' missing or wrong");
	else if (!(map = bpf_object__find_map_by_name(obj, "events")) ||
	    bpf_map__type(map) != BPF_MAP_TYPE_RINGBUF ||
	    bpf_map__max_entries(map) != 1 << 16)
		bad("libbpf maps", "'events' missing or wrong");
	else
		ok("libbpf maps");
	return obj;
}

/* A trivial socket filter: does this kernel let us load BPF at all? */
static int
canbpf(void)
{
	struct bpf_insn p[2];
	int fd;

	p[0] = MOVK(0, 0);
	p[1] = EXIT;
	fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, NULL, "GPL", p, 2,
	    NULL);
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

static void
lineinfo(struct bpf_object *obj)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	int fd;

	fd = bpf_program__fd(bpf_object__find_program_by_name(obj,
	    "probe_0"));
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0)
		bad("kernel line info", "%s", strerror(errno));
	else if (info.nr_func_info != 1 || info.nr_line_info != 4)
		bad("kernel line info", "%u func, %u line records, wanted 1, 4",
		    info.nr_func_info, info.nr_line_info);
	else
		ok("kernel line info");
}

static void
kernel(struct bpf_object *obj)
{
	struct bpf_program *prog;
	struct bpf_link *link;
	__u32 key = 0, pid = getpid();
	__u64 n = 0;
	int i, err;
	char log[64];

	err = bpf_object__load(obj);
	if (err) {
		libbpf_strerror(err, log, sizeof(log));
		bad("kernel load", "%s", log);
		return;
	}
	ok("kernel load");
	lineinfo(obj);
	if (bpf_map__update_elem(bpf_object__find_map_by_name(obj, "target"),
	    &key, 4, &pid, 4, BPF_ANY) != 0) {
		bad("kernel run", "set target: %s", strerror(errno));
		return;
	}
	prog = bpf_object__find_program_by_name(obj, "probe_0");
	link = bpf_program__attach(prog);
	if (!link) {
		bad("kernel attach", "%s", strerror(errno));
		return;
	}
	ok("kernel attach");
	for (i = 0; i < 7; i++)
		getppid();
	bpf_link__destroy(link);
	if (bpf_map__lookup_elem(bpf_object__find_map_by_name(obj, "counts"),
	    &pid, 4, &n, 8, 0) != 0)
		bad("kernel run", "counts[%u]: %s", pid, strerror(errno));
	else if (n != 7)
		bad("kernel run", "counts[%u] = %llu, wanted 7", pid,
		    (unsigned long long)n);
	else
		ok("kernel run");
}

static void
readback(const char *path)
{
	char err[256];
	struct bofile *f = bo_open(path, err, sizeof(err));
	struct bo_prog *p;
	size_t i;

	if (!f) {
		bad("read", "%s", err);
		return;
	}
	if (f->nlines != NELEM(meta))
		bad("read .stap", "%zu lines, wanted %zu", f->nlines,
		    NELEM(meta));
	for (i = 0; i < f->nlines && i < NELEM(meta); i++)
		if (strcmp(f->lines[i], meta[i]) != 0) {
			bad("read .stap", "line %zu is '%s'", i, f->lines[i]);
			break;
		}
	if (i == NELEM(meta))
		ok("read .stap");
	if (f->nmaps != 3 || strcmp(f->maps[0].name, "counts") ||
	    f->maps[0].type != BPF_MAP_TYPE_HASH || f->maps[0].key_size != 4 ||
	    f->maps[0].value_size != 8 || f->maps[0].max_entries != 1024 ||
	    strcmp(f->maps[1].name, "events") || f->maps[1].key_size ||
	    f->maps[1].max_entries != 1 << 16 ||
	    f->maps[2].type != BPF_MAP_TYPE_ARRAY)
		bad("read maps", "map definitions differ");
	else
		ok("read maps");
	if (f->nprogs != 4 || strcmp(f->progs[3].name, "begin_0") ||
	    !f->progs[0].kernel || f->progs[3].kernel ||
	    strcmp(f->progs[3].section, ".stap.progs") ||
	    f->progs[2].ninsn != 8 || f->progs[2].nreloc != 1 ||
	    f->progs[2].relocs[0].insn != 1) {
		bad("read programs", "programs differ");
	} else {
		ok("read programs");
	}
	p = f->nprogs == 4 ? &f->progs[3] : NULL;
	if (!p || p->ninsn != 6 || p->nreloc != 2 || p->relocs[0].insn != 0 ||
	    p->relocs[0].map != M_COUNTS || p->relocs[1].insn != 2 ||
	    strcmp(f->maps[p->relocs[1].map].name, "events") ||
	    p->insns[4].code != (BPF_ALU64 | BPF_MOV | BPF_K))
		bad("read userspace program", "instructions or relocations");
	else
		ok("read userspace program");
	if (!f->license || strcmp(f->license, "GPL"))
		bad("read license", "'%s'", f->license ? f->license : "");
	bo_close(f);
}

/* NAME must be refused with one line containing WANT */
static void
refuse(const char *name, const void *p, size_t n, const char *want)
{
	char err[256];
	struct bofile *f;

	err[0] = 0;
	f = bo_openmem(p, n, name, err, sizeof(err));
	if (f) {
		bad("refuse", "'%s' was accepted", name);
		bo_close(f);
	} else if (!strstr(err, want) || strchr(err, '\n')) {
		bad("refuse", "'%s': message '%s' lacks '%s'", name, err,
		    want);
	} else {
		printf("ok refuse %s\n", err);
	}
}

static void
patch(char *p, size_t n, const char *from, size_t len, const char *to)
{
	size_t i;

	for (i = 0; i + len <= n; i++)
		if (memcmp(p + i, from, len) == 0) {
			memcpy(p + i, to, len);
			return;
		}
	bad("patch", "'%s' not found", from + 1);
}

static void
refusals(const char *obj, size_t n)
{
	char *copy = emalloc(n), *sh;
	size_t i, shn = 0, bad0 = 0;
	FILE *f;

	for (i = 0; i < n; i++) {
		struct bofile *bf = bo_openmem(obj, i, "prefix", copy, 256);

		if (bf) {
			bo_close(bf);
			bad0++;
		}
	}
	if (bad0)
		bad("refuse truncated", "%zu prefixes accepted", bad0);
	else
		ok("refuse every truncated prefix");
	refuse("truncated.bo", obj, n / 2, "truncated");
	refuse("text", "stap-bo 1\nend\n", 14, "not an ELF file");
	sh = emalloc(1 << 16);
	if ((f = fopen("/bin/sh", "rb")) != NULL) {
		shn = fread(sh, 1, 1 << 16, f);
		fclose(f);
		refuse("/bin/sh", sh, shn, "not a BPF object");
	}
	free(sh);
	memcpy(copy, obj, n);
	patch(copy, n, "\0.stap\0", 7, "\0maps\0\0");
	refuse("stock.bo", copy, n, "stock stapbpf");
	memcpy(copy, obj, n);
	patch(copy, n, "\0.stap\0", 7, "\0.stab\0");
	refuse("nostap.bo", copy, n, "no '.stap' section");
	memcpy(copy, obj, n);
	patch(copy, n, "stap-bo 1\n", 10, "stap-bo 7\n");
	refuse("v7.bo", copy, n, "major version 7");
	memcpy(copy, obj, n);
	patch(copy, n, "\nend\n", 5, "\nenD\n");
	refuse("noend.bo", copy, n, "no final 'end'");
	free(copy);
}

static void
bpftool(const char *path)
{
	char cmd[512], line[512];
	FILE *p;
	int seen = 0;

	if (access("/usr/sbin/bpftool", X_OK) != 0)
		return;
	snprintf(cmd, sizeof(cmd), "/usr/sbin/bpftool btf dump file %s 2>&1",
	    path);
	if (!(p = popen(cmd, "r")))
		return;
	while (fgets(line, sizeof(line), p))
		if (strstr(line, "DATASEC '.maps' size=80 vlen=3") ||
		    strstr(line, "FUNC 'probe_0' type_id="))
			seen++;
	if (pclose(p) != 0 || seen != 2)
		bad("bpftool btf dump", "exit or output not as expected");
	else
		ok("bpftool btf dump");
}

int
main(int argc, char **argv)
{
	char path[64];
	char *obj, *again;
	size_t n, n2;
	struct bpf_object *bpf;
	int bpfok;

	verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
	libbpf_set_print(libbpfprint);
	if (!mkdtemp(tmpdir)) {
		perror("botest: mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/x.bo", tmpdir);
	obj = towrite(&n);
	again = towrite(&n2);
	if (n != n2 || memcmp(obj, again, n) != 0)
		bad("deterministic", "two writes differ");
	else
		ok("deterministic");
	writefile(path, obj, n);
	bpf = libbpfopen(path);
	bpfok = canbpf();
	if (bpf && bpfok)
		kernel(bpf);
	bpf_object__close(bpf);
	readback(path);
	refusals(obj, n);
	bpftool(path);
	if (!getenv("BOTEST_KEEP"))
		unlink(path);
	if (!getenv("BOTEST_KEEP"))
		rmdir(tmpdir);
	free(obj);
	free(again);
	if (failed)
		return 1;
	if (!bpfok) {
		printf("needs root and BPF\n");
		return 77;
	}
	return 0;
}
