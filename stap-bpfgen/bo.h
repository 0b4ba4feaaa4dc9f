/*
 * bo.h: the .bo writer of stap-bpfgen (elf.c) and the BTF encoder it
 * uses (btf.c).  man/stap-bo.5 describes what they write.  Needs libc
 * and <linux/bpf.h> only: stap-bpfgen does not link libelf or libbpf.
 */
#include <stddef.h>
#include <stdio.h>

#include <linux/bpf.h>

/* A growable byte buffer: a section's contents, BTF's tables (btf.c) */
struct buf {
	unsigned char *p;
	size_t n, cap;
};

void buf_put(struct buf *b, const void *p, size_t n);

/* elf.c */

struct bo;

struct bo *bo_new(void);
void bo_free(struct bo *bo);
/* A BTF-defined map in .maps; returns its index.  Sizes of 0 are left
 * out of the definition (ring buffers want no key or value size). */
int bo_map(struct bo *bo, const char *name, int type, unsigned key_size,
    unsigned value_size, unsigned max_entries, unsigned flags);
/* A global-data map: libbpf's map of section .data.NAME, an ARRAY of
 * one SIZE-byte value, zero at first, that a 64-bit load with src_reg
 * BPF_PSEUDO_MAP_VALUE and the offset in imm addresses directly;
 * returns its index among the maps. */
int bo_data(struct bo *bo, const char *name, unsigned size);
/* A program; returns its index.  Kernel programs go to SECTION (a
 * libbpf section name); programs that ask for the same section share
 * it, one after another.  Section ".text" makes a subprogram, a static
 * function there.  Userspace programs all go to ".stap.progs" whatever
 * SECTION says, so pass NULL. */
int bo_prog(struct bo *bo, const char *name, const char *section,
    int kernel, const struct bpf_insn *insns, size_t n);
/* The 64-bit load at INSN of PROG loads the address of MAP (src_reg
 * BPF_PSEUDO_MAP_FD), or of its value, a global-data map's
 * (BPF_PSEUDO_MAP_VALUE). */
void bo_reloc(struct bo *bo, int prog, size_t insn, int map);
/* The 64-bit load at INSN of PROG (src_reg BPF_PSEUDO_FUNC) loads the
 * address of subprogram FUNC, a program in ".text". */
void bo_funcreloc(struct bo *bo, int prog, size_t insn, int func);
/* The ALU instruction at INSN of PROG has an immediate that libbpf
 * relocates (CO-RE), a field's enum bpf_core_relo_kind KIND: SPEC says
 * how to find the field (typed.c, core.c) */
void bo_core(struct bo *bo, int prog, size_t insn, const char *spec,
    int kind);
/* Source line of the statement that starts at INSN of a kernel
 * program, for .BTF.ext: the verifier log and bpftool quote TEXT. */
void bo_line(struct bo *bo, int prog, size_t insn, const char *file,
    const char *text, unsigned line, unsigned col);
/* One record of the .stap section, without newline; the writer adds
 * the first line "stap-bo 1" and the final "end". */
void bo_meta(struct bo *bo, const char *line);
/* Defaults to "GPL", which the helpers we call require. */
void bo_license(struct bo *bo, const char *license);
/* The whole object; -1 with errno set when writing fails. */
int bo_write(struct bo *bo, FILE *out);

/* btf.c: "btfw", not "btf", because libbpf's <bpf/btf.h> owns struct
 * btf and inline btf_array, btf_var... and tests include both */

struct btfw;

struct btfw *btfw_new(void);
void btfw_free(struct btfw *b);
unsigned btfw_str(struct btfw *b, const char *s);
int btfw_int(struct btfw *b, const char *name, unsigned size, int sign);
int btfw_ptr(struct btfw *b, int type);
int btfw_array(struct btfw *b, int elem, int index, unsigned n);
int btfw_struct(struct btfw *b, const char *name, unsigned size,
    unsigned nmember);
void btfw_member(struct btfw *b, const char *name, int type, unsigned bitoff);
int btfw_proto(struct btfw *b, int ret, unsigned nparam);
void btfw_param(struct btfw *b, const char *name, int type);
int btfw_func(struct btfw *b, const char *name, int proto, int linkage);
int btfw_var(struct btfw *b, const char *name, int type, int linkage);
int btfw_datasec(struct btfw *b, const char *name, unsigned size,
    unsigned nvar);
void btfw_secvar(struct btfw *b, int var, unsigned off, unsigned size);
/* .BTF.ext records, a section at a time: btf_extsec, then its records
 * in increasing insn order (byte offsets, as in the ELF file). */
void btfw_extsec(struct btfw *b, const char *section);
void btfw_funcinfo(struct btfw *b, unsigned insn_off, int func);
void btfw_lineinfo(struct btfw *b, unsigned insn_off, const char *file,
    const char *text, unsigned line, unsigned col);
void btfw_corerelo(struct btfw *b, unsigned insn_off, int type,
    const char *access, int kind);
int btfw_union(struct btfw *b, const char *name, unsigned size,
    unsigned nmember);
/* A struct or union whose members may be bitfields: btfw_member's
 * bitoff is then (bitfield size << 24) | bit offset */
int btfw_bitfields(struct btfw *b, const char *name, int isunion,
    unsigned size, unsigned nmember);
int btfw_enum(struct btfw *b, const char *name, unsigned size);

/* core.c: the local types of CO-RE relocations: for each spec, the
 * type id of its root struct and its access string */
void core_types(struct btfw *b, const char *const *specs, size_t n,
    int *type, char **access);

/* The encoded sections; valid until the next call or btf_free. */
const void *btfw_bytes(struct btfw *b, size_t *len);
const void *btfw_extbytes(struct btfw *b, size_t *len);
