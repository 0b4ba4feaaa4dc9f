/*
 * The userspace eBPF interpreter that runs begin, end and error probes.
 *
 * A program never sees a host pointer.  Its addresses live in a virtual
 * address space made of regions: the stack (r10 points one past its top),
 * the context if there is one, and buffers that the loader or a helper
 * registers, such as the copy of a map value a lookup returns.  Every
 * load and store is checked against the region its address names, so a
 * bad program stops with an error instead of scribbling on the loader.
 *
 * An address is laid out as
 *
 *	bits 63..52  generation of the slot (a dropped region's addresses
 *	             stop working even after its slot is reused)
 *	bits 51..32  slot + 1 (so 0 and every small integer is unmapped)
 *	bits 31..0   offset into the region
 *
 * which makes finding the region of an address one index, not a search.
 * The stack is slot 0: its base is 0x100000000.
 *
 * Typical use by the loader:
 *
 *	struct interp vm;
 *	interp_init(&vm, 0);                    stack of INTERP_STACK bytes
 *	vm.helper = myhelper; vm.mapload = mymapload; vm.user = me;
 *	vm.budget = 1000000;                    like stap's MAXACTION
 *	mark = interp_mark(&vm);
 *	rc = interp_run(&vm, insns, n, 0, &r0); no context: r1 = 0
 *	if (rc) fprintf(stderr, "stap-bpfld: %s\n", vm.err);
 *	interp_drop(&vm, mark);                 frees what helpers added
 *	...
 *	interp_free(&vm);
 *
 * A struct interp owns its stack and region table until interp_free.
 * A run is not re-entrant: a helper must not interp_run the vm that
 * called it.
 */
#ifndef INTERP_H
#define INTERP_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/bpf.h>

enum {
	INTERP_STACK = 512,		/* default stack, the kernel's size */
	INTERP_STACKMAX = 1 << 16,	/* what stock stapbpf gives */
	INTERP_ERRLEN = 160,
	INTERP_POLL = 1 << 16,		/* instructions between intr polls */
};

/* Flags in struct interp's flags */
enum {
	/*
	 * Division or modulo by zero stops the run with INTERP_EDIVZERO
	 * instead of giving the kernel's x/0 = 0 and x%0 = x: SystemTap
	 * reports it as a runtime error.
	 */
	INTERP_DIVTRAP = 1 << 0,
};

/*
 * What interp_run and interp_check return.  A helper or map callback
 * that fails may return any non-zero code of its own; interp_run passes
 * it on unchanged, so a loader can use codes from INTERP_EUSER up to
 * tell its own outcomes apart (say, "exit() was called").
 */
enum interperr {
	INTERP_OK,
	INTERP_EINSN,		/* malformed program, rejected before running */
	INTERP_EFAULT,		/* load or store outside the regions */
	INTERP_EDIVZERO,	/* only with INTERP_DIVTRAP */
	INTERP_EBUDGET,		/* instruction budget exhausted */
	INTERP_EHELPER,		/* no helper callback, or it failed */
	INTERP_EMAP,		/* no map callback, or it failed */
	INTERP_ENOMEM,		/* region table full or out of memory */
	INTERP_EINTR,		/* *intr was set (a signal came) */
	INTERP_EUSER = 100,
};

/*
 * The callbacks, fields of struct interp:
 *
 * helper: a call instruction.  id is the call's imm, signed (stock
 * numbers its pseudo-helpers -1, -2, ...); args are r1-r5; *ret becomes
 * r0.  Return 0, or non-zero to stop the run (interp_error may say why).
 * A helper may add regions, and read or write program memory through
 * interp_mem and interp_str.  After the call r1-r5 hold a poison value,
 * since the kernel's verifier would refuse code that reads them.
 *
 * mapload: a ld_imm64 whose src_reg is not 0: BPF_PSEUDO_MAP_FD (1)
 * with imm the map's fd, BPF_PSEUDO_MAP_VALUE (2) with imm the fd and
 * imm2 (the second slot's imm) the offset into the value, or any other
 * pseudo source the caller understands.  Set *val to what the register
 * gets: a map handle, or the address of a region holding the value.
 * Return 0, or non-zero to stop the run.  Called each time the
 * instruction runs, so the caller may cache.
 */
struct interp_region {
	unsigned char *host;
	uint64_t base;		/* virtual address of byte 0; 0 if free */
	uint32_t len;
	unsigned gen;		/* survives the region, for the next one */
	unsigned char writable;
	unsigned char owned;	/* host is ours: free it on drop */
};

struct interp {
	/* Set by the caller, any time before interp_run */
	uint64_t budget;	/* instructions per run; interp_init: 1<<24 */
	/* If set, polled every INTERP_POLL instructions: when *intr is
	 * non-zero the run stops with INTERP_EINTR, so that a signal
	 * handler can end a runaway program */
	volatile sig_atomic_t *intr;
	unsigned flags;		/* INTERP_DIVTRAP */
	int (*helper)(struct interp *vm, int id, const uint64_t args[5],
	    uint64_t *ret, void *user);
	int (*mapload)(struct interp *vm, int src, int32_t imm, int32_t imm2,
	    uint64_t *val, void *user);
	void *user;		/* passed to the callbacks */

	/* Results of the last run */
	uint64_t steps;		/* instructions executed */
	size_t pc;		/* the instruction that failed */
	char err[INTERP_ERRLEN];	/* "insn 12: ...", "" if none */

	/* Private */
	unsigned char *stack;
	size_t stacksize;
	struct interp_region *region;	/* region[0] is the stack */
	size_t nregion, cap;
};

/*
 * Set up vm with a zeroed stack of stacksize bytes (0 means INTERP_STACK,
 * at most INTERP_STACKMAX); no callbacks, flags 0.  Returns 0, or
 * INTERP_ENOMEM (vm is then safe to interp_free).
 */
int interp_init(struct interp *vm, size_t stacksize);
void interp_free(struct interp *vm);

/*
 * Map host[0..len) into the program's address space; stores go through
 * only if writable.  Returns its virtual address, or 0 if len is over
 * 4 GiB, the table is full (2^20 - 1 regions) or memory ran out.  The
 * caller keeps host alive until the region is dropped.
 */
uint64_t interp_region_add(struct interp *vm, void *host, size_t len,
    int writable);

/*
 * A zeroed buffer of len bytes owned by the interpreter and mapped at
 * *vaddr, freed when dropped: what a helper returns a pointer to.
 * Returns NULL (and *vaddr = 0) on failure.
 */
void *interp_alloc(struct interp *vm, size_t len, int writable,
    uint64_t *vaddr);

/*
 * Regions are a stack.  interp_mark says where it is; interp_drop(vm, m)
 * unmaps every region added since, freeing the buffers interp_alloc
 * made.  The stack region is never dropped.
 */
size_t interp_mark(const struct interp *vm);
void interp_drop(struct interp *vm, size_t mark);

/*
 * The host pointer for [vaddr, vaddr+len) if it lies inside one region
 * (and that region is writable, if write), else NULL.
 */
void *interp_mem(struct interp *vm, uint64_t vaddr, size_t len, int write);

/*
 * The NUL-terminated string at vaddr, if its NUL lies inside the same
 * region; else NULL.  *len (if not NULL) gets its strlen.
 */
const char *interp_str(struct interp *vm, uint64_t vaddr, size_t *len);

/*
 * Check a program without running it: every opcode known, registers
 * r0-r10 with r10 never written, reserved fields zero, jumps inside the
 * program and never into the middle of a ld_imm64, a complete last
 * ld_imm64, and a last instruction that cannot fall off the end (exit
 * or an unconditional jump).  Returns 0 or INTERP_EINSN with vm->err
 * and vm->pc set.  interp_run does this itself first.
 */
int interp_check(struct interp *vm, const struct bpf_insn *insns,
    size_t ninsns);

/*
 * Run a program: r1 = ctx (a virtual address, or 0 for none), r10 = top
 * of the zeroed stack, the other registers 0.  On exit stores r0 in *r0
 * (if not NULL) and returns 0; otherwise returns an enum interperr or a
 * callback's code, with vm->err saying which instruction did what.
 */
int interp_run(struct interp *vm, const struct bpf_insn *insns,
    size_t ninsns, uint64_t ctx, uint64_t *r0);

/*
 * For callbacks: record why the run stops, printf style, as
 * "insn N: " plus the message; then return non-zero.
 */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void interp_error(struct interp *vm, const char *fmt, ...);

#endif
