/*
 * libFuzzer target for the whole pipeline: any bytes as a script,
 * parsed, resolved (tapset/ and the tracepoint formats of
 * tests/resolve/tracefs), compiled to a .bo, and the .bo's begin, then
 * end or error probes run by stap-bpfld's own userspace code (user.c,
 * events.c, interp.c).  Each stage reads what the one before wrote, as
 * through the pipes.  Nothing reaches the kernel: the libbpf map calls
 * user.c makes are answered here from memory (fake_* below), and the
 * kernel probes are never loaded.  What a stage refuses ends the run;
 * nothing may crash, and the interpreter's budget is small, so a loop
 * the generated code fails to bound ends as a runtime error, not a
 * hang.  FUZZDIR is the source tree (the Makefile passes it).
 */
#define _GNU_SOURCE		/* memfd_create */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "fuzz.h"
#include "../../stap-bpfld/bpfld.h"
#include "../../stap-resolve/resolve.h"

int bpfgen_run(FILE *fi, const char *input, FILE *fo);

/* main.c's, which is not linked */
volatile sig_atomic_t stop_signal;

double
now_ms(void)
{
	return 0;
}

enum {
	BUDGET = 1 << 20,	/* instructions per probe run */
	FAKEFD = 1 << 20,	/* fds of the maps that are not memfds */
	MAXMAPS = 64,
};

/* A map, in memory.  Arrays are value after value (a memfd when user.c
 * maps it), hashes key-value pairs in insertion order */
struct bpf_map {
	const char *name;
	unsigned type, ksize, vsize, max, flags;
	int fd, memfd;
	unsigned char *data;
	size_t n, cap, len;
};

struct bpf_object {
	struct bpf_map maps[MAXMAPS];
	size_t nmaps;
};

static struct bpf_object obj;

static struct bpf_map *
fake_map(int fd)
{
	size_t i;

	for (i = 0; i < obj.nmaps; i++)
		if (obj.maps[i].fd == fd)
			return &obj.maps[i];
	return NULL;
}

static int
fake_err(int e)
{
	errno = e;
	return -e;
}

static size_t
fake_stride(const struct bpf_map *m)
{
	return (m->vsize + 7) & ~(size_t)7;
}

/* The entry of key: its index, or n if there is none */
static size_t
fake_find(const struct bpf_map *m, const void *key)
{
	size_t i, esz = (size_t)m->ksize + m->vsize;

	for (i = 0; i < m->n; i++)
		if (!memcmp(m->data + i * esz, key, m->ksize))
			return i;
	return m->n;
}

enum bpf_map_type
bpf_map__type(const struct bpf_map *m)
{
	return (enum bpf_map_type)m->type;
}

__u32
bpf_map__key_size(const struct bpf_map *m)
{
	return m->ksize;
}

__u32
bpf_map__value_size(const struct bpf_map *m)
{
	return m->vsize;
}

__u32
bpf_map__max_entries(const struct bpf_map *m)
{
	return m->max;
}

__u32
bpf_map__map_flags(const struct bpf_map *m)
{
	return m->flags;
}

int
bpf_map__fd(const struct bpf_map *m)
{
	return m->fd;
}

struct bpf_map *
bpf_object__find_map_by_name(const struct bpf_object *o, const char *name)
{
	size_t i;

	for (i = 0; i < o->nmaps; i++)
		if (!strcmp(o->maps[i].name, name))
			return (struct bpf_map *)&o->maps[i];
	return NULL;
}

int
bpf_map_lookup_elem(int fd, const void *key, void *value)
{
	struct bpf_map *m = fake_map(fd);
	uint32_t idx;
	size_t i;

	if (!m)
		return fake_err(EBADF);
	if (m->type == BPF_MAP_TYPE_ARRAY) {
		memcpy(&idx, key, 4);
		if (idx >= m->max)
			return fake_err(ENOENT);
		memcpy(value, m->data + idx * fake_stride(m), m->vsize);
		return 0;
	}
	if ((i = fake_find(m, key)) == m->n)
		return fake_err(ENOENT);
	memcpy(value, m->data + i * (m->ksize + m->vsize) + m->ksize,
	    m->vsize);
	return 0;
}

int
bpf_map_update_elem(int fd, const void *key, const void *value, __u64 flags)
{
	struct bpf_map *m = fake_map(fd);
	size_t i, esz;
	uint32_t idx;

	if (!m)
		return fake_err(EBADF);
	if (m->type == BPF_MAP_TYPE_ARRAY) {
		memcpy(&idx, key, 4);
		if (idx >= m->max)
			return fake_err(E2BIG);
		memcpy(m->data + idx * fake_stride(m), value, m->vsize);
		return 0;
	}
	esz = (size_t)m->ksize + m->vsize;
	i = fake_find(m, key);
	if (i == m->n && flags == BPF_EXIST)
		return fake_err(ENOENT);
	if (i < m->n && flags == BPF_NOEXIST)
		return fake_err(EEXIST);
	if (i == m->n) {
		if (m->n >= m->max)
			return fake_err(E2BIG);
		m->data = vgrow(m->data, &m->cap, m->n + 1, esz);
		memcpy(m->data + i * esz, key, m->ksize);
		m->n++;
	}
	memcpy(m->data + i * esz + m->ksize, value, m->vsize);
	return 0;
}

int
bpf_map_delete_elem(int fd, const void *key)
{
	struct bpf_map *m = fake_map(fd);
	size_t i, esz;

	if (!m)
		return fake_err(EBADF);
	if (m->type == BPF_MAP_TYPE_ARRAY)
		return fake_err(EINVAL);
	if ((i = fake_find(m, key)) == m->n)
		return fake_err(ENOENT);
	esz = (size_t)m->ksize + m->vsize;
	memmove(m->data + i * esz, m->data + (i + 1) * esz,
	    (m->n - i - 1) * esz);
	m->n--;
	return 0;
}

int
bpf_map_get_next_key(int fd, const void *key, void *next_key)
{
	struct bpf_map *m = fake_map(fd);
	size_t i;

	if (!m)
		return fake_err(EBADF);
	if (m->type == BPF_MAP_TYPE_ARRAY)
		return fake_err(EINVAL);	/* not used on arrays */
	/* as the kernel's hash maps: an unknown key starts over */
	i = key ? fake_find(m, key) : m->n;
	i = i == m->n ? 0 : i + 1;
	if (i >= m->n)
		return fake_err(ENOENT);
	memcpy(next_key, m->data + i * ((size_t)m->ksize + m->vsize),
	    m->ksize);
	return 0;
}

/* The maps of the .bo, empty, with stap_fmt filled as load.c fills it
 * and the arrays mappable as load.c makes them: 0, or -1 to give up */
static int
fake_open(struct ld *ld)
{
	size_t i, n;

	for (i = 0; i < ld->bo->nmaps && i < MAXMAPS; i++) {
		const struct bo_map *b = &ld->bo->maps[i];
		struct bpf_map *m = &obj.maps[obj.nmaps++];

		memset(m, 0, sizeof *m);
		m->name = b->name;
		m->type = b->type;
		m->ksize = b->key_size;
		m->vsize = b->value_size;
		m->max = b->max_entries;
		m->flags = b->flags;
		m->fd = FAKEFD + (int)i;
		m->memfd = -1;
		if (m->type != BPF_MAP_TYPE_ARRAY)
			continue;
		if (m->ksize != 4 || fake_stride(m) * m->max > 1 << 24)
			return -1;	/* the kernel would refuse it */
		m->len = fake_stride(m) * m->max;
		if (strcmp(m->name, "stap_fmt")) {
			m->flags |= BPF_F_MMAPABLE;
			m->memfd = memfd_create("fuzzmap", 0);
			if (m->memfd < 0 || ftruncate(m->memfd, m->len ?
			    (off_t)m->len : 1) < 0)
				return -1;
			m->fd = m->memfd;
			m->data = mmap(NULL, m->len ? m->len : 1, PROT_READ |
			    PROT_WRITE, MAP_SHARED, m->memfd, 0);
			if (m->data == MAP_FAILED) {
				m->data = NULL;
				return -1;
			}
			continue;
		}
		m->data = calloc(1, m->len ? m->len : 1);
		if (!m->data)
			return -1;
		for (n = 0; n < ld->meta.nfmtstrs; n++) {
			const struct meta_fmtstr *f = &ld->meta.fmtstrs[n];
			size_t len = f->len ? f->len : strlen(f->str) + 1;

			if (f->off > m->vsize || len > m->vsize - f->off)
				return -1;	/* load.c refuses it */
			memcpy(m->data + f->off, f->str, len);
		}
	}
	return i < ld->bo->nmaps ? -1 : 0;
}

static void
fake_close(void)
{
	size_t i;

	for (i = 0; i < obj.nmaps; i++) {
		struct bpf_map *m = &obj.maps[i];

		if (m->memfd >= 0) {
			if (m->data)
				munmap(m->data, m->len ? m->len : 1);
			close(m->memfd);
		} else {
			free(m->data);
		}
	}
	obj.nmaps = 0;
}

/* The .bo's userspace probes, as stap-bpfld runs them */
static void
run_bo(FILE *devnull, char *data, size_t size)
{
	static struct ld ld;
	char err[256];
	size_t i;

	memset(&ld, 0, sizeof ld);
	ld.path = "fuzz.bo";
	ld.out = getenv("FUZZ_SHOW") ? stdout : devnull;
	ld.data = data;
	ld.size = size;
	ld.bo = bo_openmem(data, size, ld.path, err, sizeof err);
	if (!ld.bo)
		return;
	meta_init(&ld.meta);
	if (meta_feed(&ld.meta, "stap-bo 1", "stap-bo") < 0)
		goto out;
	for (i = 0; i < ld.bo->nlines; i++)
		if (meta_feed(&ld.meta, ld.bo->lines[i], "stap-bo") < 0)
			goto out;
	ld.obj = &obj;
	if (fake_open(&ld) < 0)
		goto out;
	if (user_init(&ld) == 0) {
		ld.vm.budget = BUDGET;
		user_run(&ld, PK_BEGIN);
		user_run(&ld, ld.failed ? PK_ERROR : PK_END);
	}
	user_free(&ld);
out:
	fake_close();
	meta_free(&ld.meta);
	bo_close(ld.bo);
}

/*
 * The text between two stages: written to out, then read back from in.
 * Static, so that what a fatal() jump leaves open is closed next time.
 */
static FILE *out, *in;
static char *text, *bo;
static size_t textlen, bolen;

static void
stage_close(void)
{
	if (out)
		fclose(out);
	if (in)
		fclose(in);
	free(text);
	free(bo);
	out = in = NULL;
	text = bo = NULL;
	textlen = bolen = 0;
}

/* A stream for a stage to write */
static FILE *
stage_out(void)
{
	stage_close();
	out = open_memstream(&text, &textlen);
	if (!out)
		fatal("out of memory");
	return out;
}

/* What the last stage wrote, for the next to read */
static FILE *
stage_in(void)
{
	int rc = fclose(out);

	out = NULL;
	if (rc != 0 || !(in = fmemopen(text, textlen ? textlen : 1, "r")))
		fatal("out of memory");
	return in;
}

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static char *args[] = { "1", "two" };
	static const char *dirs[] = { FUZZDIR "/tapset" };
	FILE *devnull = fuzz_start();
	struct script *s;
	struct facts f;
	int file;

	if (memchr(data, '\0', size))
		return 0;	/* stap-parse refuses these before parsing */
	if (setjmp(fuzz_back) == 0) {
		facts_default(&f);
		f.release = "6.1.0-test";
		f.arch = "x86_64";
		f.args = args;
		f.nargs = 2;
		file = src_add("fuzz.stp", (const char *)data, size);
		s = parse_script(&f, file, NULL, NULL, 0);
		if (nerrors)
			goto out;
		tree_write(stage_out(), s);
		s = resolve_run(stage_in(), "fuzz.tree", FUZZDIR
		    "/tests/resolve/tracefs/events", dirs, 1);
		if (!s)
			goto out;
		tree_write(stage_out(), s);
		stage_in();
		/* the tree is read from in, the .bo goes to a second stream */
		out = open_memstream(&bo, &bolen);
		if (!out)
			fatal("out of memory");
		if (bpfgen_run(in, "fuzz.tree", out) == 0) {
			fclose(out);
			out = NULL;
			run_bo(devnull, bo, bolen);
		}
	}
out:
	stage_close();
	fuzz_end();
	return 0;
}
