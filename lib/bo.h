/*
 * bo.h: reading .bo objects (man/stap-bo.5), for stap-bpfld and
 * stap-fmt.  Implemented in bo.c with libelf and libbpf's BTF parser;
 * kept apart from stap.h so tools that do not read .bo files link
 * against libc alone.
 */
#include <stddef.h>

#include <linux/bpf.h>

#define BO_MAJOR 1

struct bo_map {
	char *name;
	unsigned type, key_size, value_size, max_entries, flags;
};

/* The 64-bit load at insn loads the address of map, or of func: a
 * subprogram in .text (a callback; the load's src_reg is
 * BPF_PSEUDO_FUNC).  One with src_reg BPF_PSEUDO_MAP_VALUE loads the
 * address of byte imm of the value of map, a global-data map (a
 * section .data.NAME, which bofile.maps lists after those of .maps,
 * by the section's name). */
struct bo_reloc {
	size_t insn;
	int map;                /* index into bofile.maps, or -1 */
	int func;               /* index into bofile.progs, or -1 */
};

struct bo_prog {
	char *name;
	char *section;
	int kernel;             /* 0: run by stap-bpfld's interpreter */
	struct bpf_insn *insns;
	size_t ninsn;
	struct bo_reloc *relocs;/* in increasing insn order */
	size_t nreloc;
};

struct bofile {
	/* The .stap records, without the "stap-bo N" line, the final
	 * "end" and the newlines */
	char **lines;
	size_t nlines;
	struct bo_prog *progs;  /* in file order */
	size_t nprogs;
	struct bo_map *maps;    /* in .maps order */
	size_t nmaps;
	char *license;
	char *mem;              /* the lines point into it */
};

/*
 * NULL on failure, with one line in err (no program name, no newline)
 * saying why, such as "'x.bo': not an ELF file".  NAME is what error
 * messages call the buffer.
 */
struct bofile *bo_open(const char *path, char *err, size_t errlen);
struct bofile *bo_openmem(const void *data, size_t size, const char *name,
    char *err, size_t errlen);
void bo_close(struct bofile *f);
int bo_findmap(const struct bofile *f, const char *name);
