/*
 * A process probe's $name from DWARF (libdw): the variable or
 * parameter of that name in the scopes around the probe's address,
 * its location there (a location list gives one expression per
 * address range) turned into an expression of intrinsics: a register
 * (u_register), memory at a register plus an offset, at the frame
 * base or at a static address (user_*_error), or a constant.  The
 * frame base of gcc's code is DW_OP_call_frame_cfa, which the call
 * frame information (CFI) gives per address as a register plus an
 * offset.  Integers, enums and pointers are read as wide and signed
 * as their type says; struct members through -> are followed.
 *
 * Without optimisation gcc keeps parameters in the frame, stored
 * there by the prologue: udwarf_prologue gives the address after it,
 * where stap puts such a function's probe too.
 */
#include <stdlib.h>
#include <string.h>

#include <dwarf.h>
#include <elfutils/libdw.h>

#include "resolve.h"

/* DWARF's x86-64 register numbers, by the names uregs.c knows */
static const char *const dwregs[] = {
	"rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip",
};

/* u_register() of DWARF register dwreg, NULL for one it has no name */
static struct node *
dw_reg(struct loc loc, unsigned dwreg)
{
	if (dwreg >= NELEM(dwregs))
		return NULL;
	return mk_reg(loc, "u_register", dwregs[dwreg]);
}

/* A type without typedefs and qualifiers */
static int
strip(Dwarf_Die *ty)
{
	Dwarf_Attribute a;
	int tag, k;

	for (k = 0; k < 32; k++) {
		tag = dwarf_tag(ty);
		if (tag != DW_TAG_typedef && tag != DW_TAG_const_type &&
		    tag != DW_TAG_volatile_type && tag != DW_TAG_restrict_type)
			return tag;
		if (!dwarf_attr_integrate(ty, DW_AT_type, &a) ||
		    !dwarf_formref_die(&a, ty))
			return -1;      /* const void */
	}
	return -1;
}

static int
type_of(Dwarf_Die *d, Dwarf_Die *ty)
{
	Dwarf_Attribute a;

	if (!dwarf_attr_integrate(d, DW_AT_type, &a) ||
	    !dwarf_formref_die(&a, ty))
		return -1;
	return strip(ty);
}

/* An integer or pointer type's width and sign; -1 for others */
static int
scalar(Dwarf_Die *ty, int tag, int *size, int *sgn)
{
	Dwarf_Attribute a;
	Dwarf_Word enc;

	*sgn = 0;
	if (tag == DW_TAG_pointer_type || tag == DW_TAG_reference_type) {
		*size = 8;
		return 0;
	}
	if (tag != DW_TAG_base_type && tag != DW_TAG_enumeration_type)
		return -1;
	if ((*size = dwarf_bytesize(ty)) <= 0 || *size > 8)
		return -1;
	if (tag == DW_TAG_enumeration_type) {
		Dwarf_Die ut;

		/* gcc's enums are unsigned unless a value is negative,
		 * and say which with their underlying type */
		*sgn = 0;
		if (type_of(ty, &ut) == DW_TAG_base_type &&
		    dwarf_attr(&ut, DW_AT_encoding, &a) &&
		    dwarf_formudata(&a, &enc) == 0)
			*sgn = enc == DW_ATE_signed;
		return 0;
	}
	if (dwarf_attr(ty, DW_AT_encoding, &a) &&
	    dwarf_formudata(&a, &enc) == 0) {
		if (enc == DW_ATE_float)
			return -1;
		*sgn = enc == DW_ATE_signed || enc == DW_ATE_signed_char;
	}
	return 0;
}

struct place {
	struct node *addr;      /* in memory at addr, or */
	struct node *val;       /* the value itself */
};

/* The CFI of one file at a time, kept: libdw makes it anew per call */
static Dwarf *cfidw;
static Dwarf_CFI *cfi;

void
udwarf_end(void)
{
	if (cfi)
		dwarf_cfi_end(cfi);
	cfi = NULL;
	cfidw = NULL;
}

static Dwarf_CFI *
cfi_of(Dwarf *dw)
{
	if (cfidw != dw) {
		udwarf_end();
		cfidw = dw;
		/* .eh_frame is what gcc always emits; .debug_frame if
		 * asked (dwarf_getcfi's belongs to dw, not to us) */
		cfi = dwarf_getcfi_elf(dwarf_getelf(dw));
	}
	return cfi ? cfi : dwarf_getcfi(dw);
}

/* The frame base at pc: the CFA as the CFI gives it (gcc's
 * DW_AT_frame_base is DW_OP_call_frame_cfa), or fb's own register */
static struct node *
frame_base(Dwarf *dw, Dwarf_Die *fn, uint64_t pc, struct loc loc)
{
	Dwarf_Attribute a;
	Dwarf_Op *ops;
	size_t n;
	Dwarf_CFI *cf;
	Dwarf_Frame *fr = NULL;

	if (!dwarf_attr_integrate(fn, DW_AT_frame_base, &a) ||
	    dwarf_getlocation_addr(&a, pc, &ops, &n, 1) != 1 || n != 1)
		return NULL;
	if (ops[0].atom >= DW_OP_breg0 && ops[0].atom <= DW_OP_breg16)
		return mk_bin(loc, O_PLUS, dw_reg(loc, ops[0].atom -
		    DW_OP_breg0), mk_num(loc, (int64_t)ops[0].number));
	if (ops[0].atom >= DW_OP_reg0 && ops[0].atom <= DW_OP_reg16)
		return dw_reg(loc, ops[0].atom - DW_OP_reg0);
	if (ops[0].atom != DW_OP_call_frame_cfa)
		return NULL;
	if (!(cf = cfi_of(dw)))
		return NULL;
	/* libdw gives the CFA rule as DW_OP_bregx REG OFFSET */
	if (dwarf_cfi_addrframe(cf, pc, &fr) != 0 ||
	    dwarf_frame_cfa(fr, &ops, &n) != 0 || n != 1 ||
	    (ops[0].atom != DW_OP_bregx && (ops[0].atom < DW_OP_breg0 ||
	    ops[0].atom > DW_OP_breg16))) {
		free(fr);
		return NULL;
	}
	{
		int bx = ops[0].atom == DW_OP_bregx;
		unsigned reg = bx ? (unsigned)ops[0].number :
		    (unsigned)(ops[0].atom - DW_OP_breg0);
		struct node *r = dw_reg(loc, reg), *x;

		x = r ? mk_bin(loc, O_PLUS, r, mk_num(loc, (int64_t)(bx ?
		    ops[0].number2 : ops[0].number))) : NULL;
		free(fr);
		return x;
	}
}

/* Where the expression ops[0..n) puts the variable; -1 with *why */
static int
place_of(Dwarf *dw, Dwarf_Die *fn, uint64_t pc, Dwarf_Op *ops, size_t n,
    struct place *pl, struct loc loc, const char **why)
{
	unsigned at;

	pl->addr = pl->val = NULL;
	if (n == 0) {
		*why = "optimized out here";
		return -1;
	}
	at = ops[0].atom;
	if (n == 1 && at >= DW_OP_reg0 && at <= DW_OP_reg16) {
		pl->val = dw_reg(loc, at - DW_OP_reg0);
		return 0;
	}
	if (n == 1 && at == DW_OP_regx && (pl->val = dw_reg(loc,
	    (unsigned)ops[0].number)))
		return 0;
	if (n == 1 && at >= DW_OP_breg0 && at <= DW_OP_breg16) {
		pl->addr = mk_bin(loc, O_PLUS, dw_reg(loc, at - DW_OP_breg0),
		    mk_num(loc, (int64_t)ops[0].number));
		return 0;
	}
	if (n == 1 && at == DW_OP_fbreg) {
		struct node *fb = frame_base(dw, fn, pc, loc);

		if (!fb) {
			*why = "its frame base cannot be found";
			return -1;
		}
		pl->addr = mk_bin(loc, O_PLUS, fb, mk_num(loc,
		    (int64_t)ops[0].number));
		return 0;
	}
	if (n == 2 && ops[1].atom == DW_OP_stack_value) {
		if ((at >= DW_OP_lit0 && at <= DW_OP_lit31)) {
			pl->val = mk_num(loc, at - DW_OP_lit0);
			return 0;
		}
		if (at == DW_OP_consts || at == DW_OP_constu ||
		    (at >= DW_OP_const1u && at <= DW_OP_const8s)) {
			pl->val = mk_num(loc, (int64_t)ops[0].number);
			return 0;
		}
		if (at >= DW_OP_breg0 && at <= DW_OP_breg16) {
			pl->val = mk_bin(loc, O_PLUS, dw_reg(loc, at -
			    DW_OP_breg0), mk_num(loc, (int64_t)ops[0].number));
			return 0;
		}
	}
	if (at == DW_OP_entry_value || at == DW_OP_GNU_entry_value)
		*why = "optimized out here (only its value at entry is known)";
	else if (at == DW_OP_addr)
		*why = "a static variable, not supported yet";
	else
		*why = "its location is a DWARF expression stap-bpf does not "
		    "read yet";
	return -1;
}

/* The variable or parameter name in the scopes around pc */
static int
find_var(Dwarf_Die *scopes, int nscopes, const char *name, Dwarf_Die *var,
    int parms_only)
{
	int i;

	for (i = 0; i < nscopes; i++) {
		Dwarf_Die c;
		int tag = dwarf_tag(&scopes[i]);

		if (dwarf_child(&scopes[i], &c) == 0)
			do {
				int t = dwarf_tag(&c);
				const char *nm;

				if ((t == DW_TAG_formal_parameter ||
				    (!parms_only && t == DW_TAG_variable)) &&
				    (nm = dwarf_diename(&c)) &&
				    !strcmp(nm, name)) {
					*var = c;
					return 0;
				}
			} while (dwarf_siblingof(&c, &c) == 0);
		if (tag == DW_TAG_subprogram ||
		    tag == DW_TAG_inlined_subroutine)
			break;
	}
	return -1;
}

/* The innermost function scope (subprogram) of scopes */
static Dwarf_Die *
func_scope(Dwarf_Die *scopes, int nscopes)
{
	int i;

	for (i = 0; i < nscopes; i++)
		if (dwarf_tag(&scopes[i]) == DW_TAG_subprogram)
			return &scopes[i];
	return NULL;
}

/* The value of pl, typed by ty (tag) */
static struct node *
value_of(struct place *pl, Dwarf_Die *ty, int tag, struct loc loc,
    const char **why)
{
	int size, sgn;

	if (scalar(ty, tag, &size, &sgn) < 0) {
		*why = tag == DW_TAG_structure_type ||
		    tag == DW_TAG_union_type ? "a struct or union: name a "
		    "member with ->" : tag == DW_TAG_array_type ?
		    "an array, not supported yet" : "of a type stap-bpf does "
		    "not read (floating point, or none)";
		return NULL;
	}
	if (pl->val)
		return mk_narrow(loc, pl->val, size, sgn);
	return mk_uread(loc, pl->addr, size, sgn);
}

/* Follow the ->member chain ms of a target from pl, typed ty */
static struct node *
members(struct place *pl, Dwarf_Die *ty, int tag, struct node *ms,
    struct loc loc, const char **why)
{
	for (; ms; ms = ms->next) {
		Dwarf_Die c, *found = NULL;
		Dwarf_Attribute a;
		Dwarf_Word off = 0;

		if (ms->kind != N_MEMBER) {
			*why = "subscripts are not supported yet";
			return NULL;
		}
		/* p->m: p's value is the struct's address */
		if (tag == DW_TAG_pointer_type) {
			struct node *p = pl->val ? pl->val : mk_call(loc,
			    "user_uint64_error", pl->addr);

			if ((tag = type_of(ty, ty)) < 0) {
				*why = "a void pointer has no members";
				return NULL;
			}
			pl->addr = p;
			pl->val = NULL;
		}
		if ((tag != DW_TAG_structure_type &&
		    tag != DW_TAG_union_type) || !pl->addr) {
			*why = "not a struct, union or pointer to one";
			return NULL;
		}
		if (dwarf_child(ty, &c) == 0)
			do {
				const char *nm = dwarf_diename(&c);

				if (dwarf_tag(&c) == DW_TAG_member && nm &&
				    !strcmp(nm, ms->str)) {
					found = &c;
					break;
				}
			} while (dwarf_siblingof(&c, &c) == 0);
		if (!found) {
			*why = arena_alloc(strlen(ms->str) + 40);
			sprintf((char *)*why, "it has no member '%s'",
			    ms->str);
			return NULL;
		}
		if (dwarf_attr(found, DW_AT_data_member_location, &a))
			dwarf_formudata(&a, &off);
		if (off)
			pl->addr = mk_bin(loc, O_PLUS, pl->addr, mk_num(loc,
			    (int64_t)off));
		if ((tag = type_of(found, ty)) < 0) {
			*why = "a member of no type";
			return NULL;
		}
	}
	return value_of(pl, ty, tag, loc, why);
}

/*
 * $name (n) at address pc of the file dw describes, as an expression;
 * NULL with *why (after "'$name' ...") if it cannot be read there
 */
struct node *
udwarf_var(Dwarf *dw, uint64_t pc, struct node *n, const char **why)
{
	Dwarf_Die cu, *scopes = NULL, var, ty, *fn;
	Dwarf_Attribute a;
	Dwarf_Op *ops;
	size_t nops;
	struct place pl;
	struct node *x = NULL;
	int ns, tag;

	if (!dw) {
		*why = "needs DWARF, and the file has none (build it with -g)";
		return NULL;
	}
	if (!dwarf_addrdie(dw, pc, &cu) ||
	    (ns = dwarf_getscopes(&cu, pc, &scopes)) <= 0) {
		*why = "needs DWARF for this address, and there is none";
		return NULL;
	}
	fn = func_scope(scopes, ns);
	if (find_var(scopes, ns, n->str + 1, &var, 0) < 0) {
		*why = "is no parameter or variable here";
		goto out;
	}
	if (!dwarf_attr_integrate(&var, DW_AT_location, &a)) {
		if (dwarf_attr_integrate(&var, DW_AT_const_value, &a)) {
			Dwarf_Sword v;

			if (dwarf_formsdata(&a, &v) == 0) {
				x = mk_num(n->loc, v);
				goto out;
			}
		}
		*why = "optimized out";
		goto out;
	}
	if (dwarf_getlocation_addr(&a, pc, &ops, &nops, 1) != 1)
		nops = 0;
	if (place_of(dw, fn, pc, ops, nops, &pl, n->loc, why) < 0)
		goto out;
	if ((tag = type_of(&var, &ty)) < 0) {
		*why = "has no type";
		goto out;
	}
	x = members(&pl, &ty, tag, n->args, n->loc, why);
out:
	free(scopes);
	return x;
}

/*
 * The variables in scope at pc for $$parms ('p'), $$locals ('l') or
 * $$vars ('v'), as stap lists them: each scope from the innermost out
 * to the function's, its children in order; their count.  agg[k] is
 * '{' for a struct or union, '[' for an array (stap prints those as
 * {...} and [...]), else 0.
 */
int
udwarf_vars(Dwarf *dw, uint64_t pc, int which, const char ***names,
    char **agg)
{
	Dwarf_Die cu, *scopes = NULL, c, ty;
	Dwarf_Attribute a;
	int ns, i, k = 0, tag;
	size_t cap = 0, capa = 0;

	*names = NULL;
	*agg = NULL;
	if (!dw || !dwarf_addrdie(dw, pc, &cu) ||
	    (ns = dwarf_getscopes(&cu, pc, &scopes)) <= 0)
		return 0;
	for (i = 0; i < ns; i++) {
		int st = dwarf_tag(&scopes[i]);

		if (st == DW_TAG_compile_unit)
			break;
		if (dwarf_child(&scopes[i], &c) == 0)
			do {
				const char *nm = dwarf_diename(&c);
				char g = 0;

				tag = dwarf_tag(&c);
				if (!nm || (tag != DW_TAG_variable &&
				    tag != DW_TAG_formal_parameter) ||
				    (tag == DW_TAG_variable && which == 'p') ||
				    (tag == DW_TAG_formal_parameter &&
				    which == 'l'))
					continue;
				if (dwarf_attr_integrate(&c, DW_AT_type, &a) &&
				    dwarf_formref_die(&a, &ty)) {
					int t = strip(&ty);

					g = t == DW_TAG_structure_type ||
					    t == DW_TAG_union_type ||
					    t == DW_TAG_class_type ? '{' :
					    t == DW_TAG_array_type ? '[' : 0;
				}
				*names = vgrow(*names, &cap, (size_t)k + 1,
				    sizeof **names);
				*agg = vgrow(*agg, &capa, (size_t)k + 1, 1);
				(*names)[k] = nm;
				(*agg)[k++] = g;
			} while (dwarf_siblingof(&c, &c) == 0);
		/* an inlined function's scopes end at it */
		if (st == DW_TAG_subprogram)
			break;
	}
	free(scopes);
	return k;
}

/*
 * Where the probe of the function [lowpc, highpc) goes: after its prologue
 * when its compile unit was built without optimisation (the
 * parameters are in the frame only from there), at the address of the
 * second line-table row of the function, as gdb and stap find it;
 * else lowpc itself
 */
uint64_t
udwarf_prologue(Dwarf *dw, uint64_t lowpc, uint64_t highpc)
{
	Dwarf_Die cu;
	Dwarf_Lines *lines;
	Dwarf_Attribute a;
	const char *prod;
	size_t n, i;
	uint64_t best = 0;
	int first = -1;

	if (!dw || !dwarf_addrdie(dw, lowpc, &cu) ||
	    !dwarf_attr(&cu, DW_AT_producer, &a) ||
	    !(prod = dwarf_formstring(&a)))
		return lowpc;
	{
		const char *o = strstr(prod, " -O");

		if (o && o[3] != '0')
			return lowpc;
	}
	if (dwarf_getsrclines(&cu, &lines, &n) != 0)
		return lowpc;
	for (i = 0; i < n; i++) {
		Dwarf_Line *l = dwarf_onesrcline(lines, i);
		Dwarf_Addr ad;
		int line;

		if (!l || dwarf_lineaddr(l, &ad) != 0 ||
		    dwarf_lineno(l, &line) != 0)
			continue;
		if (ad == lowpc && first < 0)
			first = line;
		else if (first >= 0 && ad > lowpc && ad < highpc &&
		    line != first && (!best || ad < best))
			best = ad;
	}
	return best ? best : lowpc;
}
