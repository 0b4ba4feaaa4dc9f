/*
 * The embedded BPF assembler: a function whose body is embedded code
 * tagged with a bpf comment (spec section 16, the tapsets' primitives)
 * is assembled afresh at each call, since gen.c inlines every function.
 *
 * The body is first cut into statements of comma-separated fields
 * (lex), then each statement becomes a directive or one instruction in
 * a uniform five-field shape (struct ins), which lower() emits.
 *
 * Values live in scratch slots (gen.c), not in registers, so an operand
 * $NAME is a slot: a long of 8 bytes, or for a string parameter and a
 * string $$ the string itself, whose address is what the code sees.  An
 * instruction loads its $-operands, runs on registers, and stores its
 * destination back.  Registers: the destination operand is computed in
 * r7 (gen.c keeps r7 for the inside of one lowering sequence only), a
 * source operand in r0, or in r7 when the destination is r0 itself.
 * r1-r5 are the body's own, to set up calls, and nothing here touches
 * them except `call`; r0 is clobbered by any instruction with a
 * $-source, so code must read r0 right after a call, as the tapsets do.
 * r6 (context), r8 (globals), r9 (scratch) and r10 are reserved: a
 * body may read but not write them, and r7 neither.
 *
 * alloc takes scratch bytes, not stack, and $NAME := alloc makes $NAME
 * a name for the address r9 + offset rather than a slot holding it: the
 * verifier forgets that a value reloaded from a map is a pointer, so a
 * stored address could not be dereferenced in a kernel probe.  Such a
 * name cannot be assigned afterwards.  String literals are the same.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

enum { A_NONE, A_REG, A_IMM, A_VAR, A_ADDR };

/* An operand: a machine register, an immediate, or a scratch slot */
struct opnd {
	int kind;
	int reg;                /* A_REG */
	int64_t imm;            /* A_IMM */
	int slot;               /* A_VAR, A_ADDR: offset from r9 */
	int str;                /* A_VAR: the slot holds a string */
	int size;               /* A_ADDR: bytes there */
};

struct var {
	const char *name;
	struct opnd o;
};

struct label {
	const char *name;
	int id;                 /* asm label */
	int defined;
	struct loc ref;         /* first use */
	int used;
};

struct stmt {
	struct loc loc;
	char **f;               /* fields, blanks deleted */
	struct loc *floc;       /* where each begins */
	int n;
	size_t cap, capfloc;
};

/* An instruction, whatever form it was written in */
struct ins {
	int code;               /* 0..0xff, or 0x118 */
	struct opnd dst, src;
	const char *label;      /* jumps */
	int64_t off, imm;
};

struct basm {
	struct gen *g;
	struct node *fn;
	struct loc loc;         /* of the statement at hand */
	struct stmt *st;        /* the statement at hand */
	struct stmt *failed;    /* the last one with an error */
	struct var *v;
	size_t nv, capv;
	struct label *l;
	size_t nl, capl;
	struct stmt *s;
	size_t ns, caps;
	int errors;
};

/* One error a statement: the first says what is wrong */
static void
verr(struct basm *b, struct loc loc, const char *fmt, va_list ap)
{
	if (b->st && b->failed == b->st) {
		b->errors++;
		return;
	}
	b->failed = b->st;
	diag_vreport("error", loc, fmt, ap);
	nerrors++;
	b->errors++;
}

/* An error at the statement */
static void
err(struct basm *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(b, b->loc, fmt, ap);
	va_end(ap);
}

/* Where field f of the statement begins, if f is one */
static struct loc
field_loc(struct basm *b, const char *f)
{
	int i;

	for (i = 0; b->st && i < b->st->n; i++)
		if (b->st->f[i] == f)
			return b->st->floc[i];
	return b->loc;
}

/* An error at field f, off bytes into it */
static void
errf_at(struct basm *b, const char *f, int off, const char *fmt, ...)
{
	struct loc l = field_loc(b, f);
	va_list ap;

	l.col += off;
	va_start(ap, fmt);
	verr(b, l, fmt, ap);
	va_end(ap);
}

static void
errf(struct basm *b, const char *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(b, field_loc(b, f), fmt, ap);
	va_end(ap);
}

/* ---- statements and fields (spec 16.1) ---- */

static void
advance(struct loc *pos, char c)
{
	if (c == '\n') {
		pos->line++;
		pos->col = 1;
	} else {
		pos->col++;
	}
}

struct cutter {
	struct basm *b;
	struct stmt st;         /* being read */
	char *f;                /* the field being read */
	size_t flen, fcap;
	struct loc floc;        /* where it begins */
	int started;            /* st has begun */
	int blankend;           /* the first field ended at a blank */
	int comma;              /* nothing but blanks since a ',' */
};

static void
push_field(struct cutter *x)
{
	x->st.f = vgrow(x->st.f, &x->st.cap, x->st.n + 1, sizeof *x->st.f);
	x->st.floc = vgrow(x->st.floc, &x->st.capfloc, x->st.n + 1,
	    sizeof *x->st.floc);
	x->st.floc[x->st.n] = x->flen ? x->floc : x->st.loc;
	x->st.f[x->st.n++] = arena_strndup(x->f ? x->f : "", x->flen);
	x->flen = 0;
}

static void
push_stmt(struct cutter *x)
{
	struct basm *b = x->b;

	if (x->flen || x->st.n)
		push_field(x);
	if (x->st.n) {
		b->s = vgrow(b->s, &b->caps, b->ns + 1, sizeof *b->s);
		b->s[b->ns++] = x->st;
	}
	memset(&x->st, 0, sizeof x->st);
	x->started = x->blankend = x->comma = 0;
}

static void
add_char(struct cutter *x, char c, struct loc pos)
{
	if (!x->started) {
		x->st.loc = pos;
		x->started = 1;
	}
	if (!x->flen)
		x->floc = pos;
	x->f = vgrow(x->f, &x->fcap, x->flen + 2, 1);
	x->f[x->flen++] = c;
	x->f[x->flen] = '\0';
}

static int
is_name(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!(s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (i && s[i] >= '0' && s[i] <= '9')))
			return 0;
	return n > 0;
}

/* Cut the body, which starts at pos, into statements of fields. */
static void
lex(struct basm *b, const char *s, struct loc pos)
{
	struct cutter x = { 0 };

	x.b = b;
	while (*s) {
		char c = *s;

		if (c == '/' && s[1] == '*') {
			for (advance(&pos, *s++), advance(&pos, *s++);
			    *s && !(s[0] == '*' && s[1] == '/'); s++)
				advance(&pos, *s);
			if (*s)
				advance(&pos, *s++), advance(&pos, *s++);
			if (!x.st.n && x.flen)
				x.blankend = 1, push_field(&x);
			continue;
		}
		if (c == '"') {
			struct loc at = pos;

			do {
				if (*s == '\\' && s[1])
					add_char(&x, *s, pos),
					    advance(&pos, *s++);
				add_char(&x, *s, pos);
				advance(&pos, *s++);
			} while (*s && *s != '"' && *s != '\n');
			if (*s != '"') {
				b->loc = at;
				err(b, "unterminated string in BPF assembly");
				return;
			}
			add_char(&x, *s, pos);
			advance(&pos, *s++);
			x.comma = 0;
			continue;
		}
		if (c == '\n' && x.comma) {
			advance(&pos, *s++);
			continue;
		}
		if (c == '\n' || c == ';') {
			push_stmt(&x);
			advance(&pos, *s++);
			continue;
		}
		if (c == ',') {
			/* "mov ,$n": the blank already ended the word */
			if (!(x.blankend && x.st.n == 1 && !x.flen))
				push_field(&x);
			x.blankend = 0;
			x.comma = 1;
			advance(&pos, *s++);
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == '\f' ||
		    c == '\v') {
			if (!x.st.n && x.flen)
				x.blankend = 1, push_field(&x);
			advance(&pos, *s++);
			continue;
		}
		if (c == ':' && !x.st.n && is_name(x.f, x.flen)) {
			/* NAME: defines a label; more may follow */
			x.st.f = vgrow(x.st.f, &x.st.cap, 1, sizeof *x.st.f);
			x.st.floc = vgrow(x.st.floc, &x.st.capfloc, 1,
			    sizeof *x.st.floc);
			x.st.floc[0] = x.st.loc;
			x.st.f[x.st.n++] = "label";
			push_stmt(&x);
			advance(&pos, *s++);
			continue;
		}
		add_char(&x, c, pos);
		x.comma = x.blankend = 0;
		advance(&pos, *s++);
	}
	push_stmt(&x);
	free(x.f);
}

/* The bytes of a "..." field, escapes as in script strings (lib/lex.c) */
static char *
unquote(struct basm *b, const char *f)
{
	size_t bad;
	const char *why;
	char *s = lex_unescape(f + 1, strlen(f) - 2, NULL, &bad, &why);

	if (!s) {
		errf_at(b, f, (int)bad + 1, "%s", why);
		return "";
	}
	return s;
}

/* A field that is one "..." literal and nothing else */
static int
is_string(const char *f)
{
	const char *p;

	if (f[0] != '"')
		return 0;
	for (p = f + 1; *p && *p != '"'; p++)
		if (*p == '\\' && p[1])
			p++;
	return *p == '"' && !p[1];
}

/* ---- operands (spec 16.2) ---- */

/* A number as strtol reads it, or a named constant; 0 if it is none. */
static int
constant(struct basm *b, const char *f, int64_t *v)
{
	char *end;

	if (!strcmp(f, "BPF_MAXSTRINGLEN")) {
		*v = b->g->maxstr;
		return 1;
	}
	if (!strcmp(f, "BPF_F_CURRENT_CPU")) {
		*v = 0xFFFFFFFF;
		return 1;
	}
	if (!(f[0] >= '0' && f[0] <= '9') &&
	    !((f[0] == '-' || f[0] == '+') && f[1] >= '0' && f[1] <= '9'))
		return 0;
	errno = 0;
	*v = strtoll(f, &end, 0);
	if (*end)
		return 0;
	if (errno == ERANGE) {
		errf(b, f, "number '%s' is out of range", f);
		*v = 0;
	}
	return 1;
}

static struct opnd *
var(struct basm *b, const char *name)
{
	size_t i;

	for (i = 0; i < b->nv; i++)
		if (!strcmp(b->v[i].name, name))
			return &b->v[i].o;
	return NULL;
}

static struct opnd *
new_var(struct basm *b, const char *name, struct opnd o)
{
	b->v = vgrow(b->v, &b->capv, b->nv + 1, sizeof *b->v);
	b->v[b->nv].name = name;
	b->v[b->nv].o = o;
	return &b->v[b->nv++].o;
}

static struct opnd
reg(int r)
{
	struct opnd o = { A_REG, r, 0, 0, 0, 0 };

	return o;
}

static struct opnd
imm(int64_t v)
{
	struct opnd o = { A_IMM, 0, v, 0, 0, 0 };

	return o;
}

/* A string literal in a fresh slot; the operand is its address. */
static struct opnd
literal(struct basm *b, const char *f)
{
	struct opnd o = { A_ADDR, 0, 0, 0, 0, 0 };

	o.slot = gen_string(b->g, unquote(b, f));
	o.size = b->g->maxstr;
	return o;
}

/* $$, $ctx or $NAME; an unknown NAME is a new long temporary */
static struct opnd
dollar(struct basm *b, const char *f)
{
	struct opnd *v = var(b, f), o = { A_VAR, 0, 0, 0, 0, 0 };

	if (v)
		return *v;
	if (!strcmp(f, "$ctx")) {
		if (b->g->fentry)
			b->g->fbad = 1; /* its kprobe's pt_regs is meant */
		return b->g->p->section ? reg(BPF_REG_6) : imm(0);
	}
	if (!strcmp(f, "$")) {
		err(b, "'$' without a name");
		return o;
	}
	o.slot = gen_slot(b->g, 8);
	return *new_var(b, f, o);
}

/*
 * A register field: '-', rN or a bare number N, $..., "text".  With
 * value set, a number or named constant is an immediate instead (the
 * arguments of call, the second operand of a short form).
 */
static struct opnd
operand(struct basm *b, const char *f, int value)
{
	struct opnd none = { A_NONE, 0, 0, 0, 0, 0 };
	int64_t v;

	if (!strcmp(f, "-"))
		return none;
	if (f[0] == '$')
		return dollar(b, f);
	if (f[0] == '"' && is_string(f))
		return literal(b, f);
	if (f[0] == 'r' && f[1] >= '0' && f[1] <= '9' &&
	    constant(b, f + 1, &v) && v >= 0 && v <= 10 &&
	    strspn(f + 1, "0123456789") == strlen(f + 1))
		return reg((int)v);
	if (constant(b, f, &v)) {
		if (value)
			return imm(v);
		if (v >= 0 && v <= 10 && f[0] >= '0' && f[0] <= '9')
			return reg((int)v);
	}
	errf(b, f, "'%s' is not a register, a variable or a string", f);
	return none;
}

/* An immediate field: a number, a named constant or '-' (0) */
static int64_t
immediate(struct basm *b, const char *f)
{
	int64_t v;

	if (!strcmp(f, "-"))
		return 0;
	if (constant(b, f, &v))
		return v;
	errf(b, f, "'%s' is not a number", f);
	return 0;
}

static struct label *
label(struct basm *b, const char *name, int def)
{
	size_t i;
	struct label *l;

	for (i = 0; i < b->nl; i++)
		if (!strcmp(b->l[i].name, name))
			break;
	if (i == b->nl) {
		b->l = vgrow(b->l, &b->capl, b->nl + 1, sizeof *b->l);
		l = &b->l[b->nl++];
		memset(l, 0, sizeof *l);
		l->name = name;
		l->id = asm_label(b->g->p);
	}
	l = &b->l[i];
	if (def) {
		if (l->defined)
			err(b, "label '%s' is defined twice", name);
		l->defined = 1;
		asm_bind(b->g->p, l->id);
	} else if (!l->used) {
		l->used = 1;
		l->ref = field_loc(b, name);
	}
	return l;
}

/* ---- registers in and out ---- */

static void
emit(struct basm *b, int code, int dst, int src, int16_t off, int32_t imm)
{
	asm_emit(b->g->p, (struct bpf_insn){ .code = (uint8_t)code,
	    .dst_reg = dst & 0xf, .src_reg = src & 0xf, .off = off,
	    .imm = imm });
}

/* The register holding the value of o, loaded into scratch if need be. */
static int
use(struct basm *b, const struct opnd *o, int scratch)
{
	struct prog *p = b->g->p;

	switch (o->kind) {
	case A_REG:
		return o->reg;
	case A_IMM:
		asm_ld64(p, scratch, o->imm);
		return scratch;
	case A_VAR:
		if (!o->str) {
			asm_ldx(p, BPF_DW, scratch, BPF_REG_9,
			    (int16_t)o->slot);
			return scratch;
		}
		/* a string is its address */
		/* FALLTHROUGH */
	case A_ADDR:
		asm_escape(p, o->slot, o->str ? b->g->maxstr : o->size);
		asm_mov(p, scratch, BPF_REG_9);
		asm_alui(p, BPF_ADD, scratch, o->slot);
		return scratch;
	default:
		err(b, "'-' is not a register");
		return scratch;
	}
}

/* The register to compute a destination in; put() stores it back. */
static int
def(struct basm *b, const struct opnd *o)
{
	if (o->kind == A_REG) {
		if (o->reg >= BPF_REG_6)
			err(b, "register 'r%d' is reserved by stap-bpf",
			    o->reg);
		return o->reg;
	}
	if (o->kind == A_VAR && !o->str)
		return BPF_REG_7;
	if (o->kind == A_NONE)
		err(b, "'-' is not a register");
	else if (o->kind == A_VAR)
		err(b, "a string can only be the destination of 'mov' or "
		    "'call'");
	else
		err(b, "this operand cannot be assigned (an alloc address, "
		    "a string or $ctx)");
	return BPF_REG_7;
}

static void
put(struct basm *b, const struct opnd *o, int r)
{
	if (o->kind == A_VAR && !o->str)
		asm_stx(b->g->p, BPF_DW, BPF_REG_9, (int16_t)o->slot, r);
}

/* The scratch register for a source: r0, unless r0 is the destination */
static int
src_scratch(const struct ins *in)
{
	return in->dst.kind == A_REG && in->dst.reg == BPF_REG_0 ?
	    BPF_REG_7 : BPF_REG_0;
}

/* A string slot := the string at src (an address), NUL-terminated. */
static void
str_assign(struct basm *b, int slot, const struct opnd *src)
{
	struct prog *p = b->g->p;
	int n = b->g->maxstr, i, base, off;

	if (src->kind == A_ADDR || (src->kind == A_VAR && src->str)) {
		base = BPF_REG_9;
		off = src->slot;
		if (src->kind == A_ADDR && src->size < n)
			n = src->size;
		if (off == slot)
			return;
	} else {
		base = use(b, src, BPF_REG_7);
		off = 0;
	}
	for (i = 0; i + 8 <= n; i += 8) {
		asm_ldx(p, BPF_DW, BPF_REG_0, base, (int16_t)(off + i));
		asm_stx(p, BPF_DW, BPF_REG_9, (int16_t)(slot + i), BPF_REG_0);
	}
	for (; i < b->g->maxstr; i += 8)
		asm_st(p, BPF_DW, BPF_REG_9, (int16_t)(slot + i), 0);
	asm_st(p, BPF_B, BPF_REG_9, (int16_t)(slot + b->g->maxstr - 1), 0);
}

/* o's value in a slot of its own kind: a string or a long */
static int
to_slot(struct basm *b, const struct opnd *o, int string)
{
	int s;

	if (string) {
		if ((o->kind == A_VAR && o->str) ||
		    (o->kind == A_ADDR && o->size >= b->g->maxstr))
			return o->slot;
		s = gen_slot(b->g, b->g->maxstr);
		str_assign(b, s, o);
		return s;
	}
	if (o->kind == A_VAR && !o->str)
		return o->slot;
	s = gen_slot(b->g, 8);
	asm_stx(b->g->p, BPF_DW, BPF_REG_9, (int16_t)s, use(b, o, BPF_REG_0));
	return s;
}

/* ---- instructions (spec 16.4) ---- */

static int
fits32(int64_t v)
{
	return v >= INT32_MIN && v <= (int64_t)UINT32_MAX;
}

static void
need_none(struct basm *b, const struct opnd *o, const char *what)
{
	if (o->kind != A_NONE && !(o->kind == A_REG && o->reg == 0))
		err(b, "the %s field of this instruction must be '-'", what);
}

static void
alu(struct basm *b, const struct ins *in)
{
	int op = in->code & 0xf0, x = in->code & BPF_X, d, s = 0;

	if (op == BPF_END || op > BPF_ARSH) {
		err(b, "opcode 0x%x is not supported by stap-bpf", in->code);
		return;
	}
	if (in->dst.kind == A_VAR && in->dst.str) {
		if (in->code != (BPF_ALU64 | BPF_MOV | BPF_X))
			err(b, "a string can only be the destination of 'mov' "
			    "or 'call'");
		else
			str_assign(b, in->dst.slot, &in->src);
		return;
	}
	if (op == BPF_MOV)
		d = def(b, &in->dst);
	else
		d = def(b, &in->dst), use(b, &in->dst, d);
	if (op == BPF_NEG || !x)
		need_none(b, &in->src, "source");
	else
		s = use(b, &in->src, src_scratch(in));
	if (x || op == BPF_NEG) {
		if (in->imm)
			err(b, "the immediate field of this instruction must "
			    "be 0");
	} else if (!fits32(in->imm)) {
		err(b, "immediate %lld does not fit in 32 bits",
		    (long long)in->imm);
	}
	emit(b, in->code, d, s, 0, x ? 0 : (int32_t)in->imm);
	put(b, &in->dst, d);
}

static const int inverse[16] = {
	[BPF_JLT >> 4] = BPF_JGE, [BPF_JLE >> 4] = BPF_JGT,
	[BPF_JSLT >> 4] = BPF_JSGE, [BPF_JSLE >> 4] = BPF_JSGT,
};

static int helper_id(struct basm *b, const char *name);

static void
jmp(struct basm *b, const struct ins *in, const char *immf)
{
	struct prog *p = b->g->p;
	int op = in->code & 0xf0, x = in->code & BPF_X, d, s = -1, skip;
	struct label *l;

	if (op == BPF_CALL || op == BPF_EXIT) {
		if (in->code != (BPF_JMP | op))
			err(b, "opcode 0x%x is not supported", in->code);
		need_none(b, &in->dst, "destination");
		need_none(b, &in->src, "source");
		if (op == BPF_CALL)
			asm_call(p, helper_id(b, immf));
		else
			asm_exit(p);
		return;
	}
	if (!in->label) {
		err(b, "a jump needs a label");
		return;
	}
	l = label(b, in->label, 0);
	if (op == BPF_JA) {
		if (in->code != (BPF_JMP | BPF_JA))
			err(b, "opcode 0x%x is not supported", in->code);
		asm_ja(p, l->id);
		return;
	}
	if (op > BPF_JSLE || op == BPF_JA) {
		err(b, "opcode 0x%x is not a jump stap-bpf knows", in->code);
		return;
	}
	d = use(b, &in->dst, BPF_REG_7);
	if (x)
		s = use(b, &in->src, src_scratch(in));
	else
		need_none(b, &in->src, "source");
	if (!x && !fits32(in->imm))
		err(b, "immediate %lld does not fit in 32 bits",
		    (long long)in->imm);
	if (inverse[op >> 4]) {
		/* the less-than jumps, as stock writes them: the
		 * opposite test over an unconditional jump */
		skip = asm_label(p);
		asm_jmpcode(p, (in->code & 0x0f) | inverse[op >> 4], d,
		    x ? s : -1, (int32_t)in->imm, skip);
		asm_ja(p, l->id);
		asm_bind(p, skip);
		return;
	}
	asm_jmpcode(p, in->code, d, x ? s : -1, (int32_t)in->imm, l->id);
}

static int
offset(struct basm *b, int64_t off)
{
	if (off < INT16_MIN || off > INT16_MAX)
		err(b, "offset %lld does not fit in 16 bits", (long long)off);
	return (int16_t)off;
}

static void
mem(struct basm *b, const struct ins *in)
{
	int cls = in->code & 7, d, s;

	if ((in->code & 0xe0) != BPF_MEM) {
		err(b, "opcode 0x%x is not supported by stap-bpf", in->code);
		return;
	}
	if (cls == BPF_LDX) {
		d = def(b, &in->dst);
		s = use(b, &in->src, src_scratch(in));
		emit(b, in->code, d, s, offset(b, in->off), 0);
		put(b, &in->dst, d);
		return;
	}
	d = use(b, &in->dst, BPF_REG_7);        /* an address */
	if (cls == BPF_ST) {
		need_none(b, &in->src, "source");
		if (!fits32(in->imm))
			err(b, "immediate %lld does not fit in 32 bits",
			    (long long)in->imm);
		emit(b, in->code, d, 0, offset(b, in->off),
		    (int32_t)in->imm);
		return;
	}
	s = use(b, &in->src, src_scratch(in));
	emit(b, in->code, d, s, offset(b, in->off), 0);
}

static void
ld(struct basm *b, const struct ins *in)
{
	struct gen *g = b->g;
	int d = def(b, &in->dst);

	need_none(b, &in->src, "source");
	if (in->code == 0x118) {
		/* map 0 the globals, 1 the transport: our stap_events */
		if (in->imm != 0 && in->imm != 1)
			err(b, "map %lld: only 0 (globals) and 1 (transport) "
			    "are known", (long long)in->imm);
		/* the globals are global data: their address */
		if (in->imm == 1)
			asm_ldmap(g->p, d, g->m_events);
		else
			asm_ldval(g->p, d, g->m_globals, 0);
	} else if (in->code == (BPF_LD | BPF_DW | BPF_IMM)) {
		emit(b, in->code, d, 0, 0, (int32_t)(uint32_t)in->imm);
		emit(b, 0, 0, 0, 0, (int32_t)(uint32_t)((uint64_t)in->imm >>
		    32));
	} else {
		err(b, "opcode 0x%x is not supported by stap-bpf", in->code);
		return;
	}
	put(b, &in->dst, d);
}

static void
lower(struct basm *b, const struct ins *in, const char *immf)
{
	switch (in->code & 7) {
	case BPF_ALU: case BPF_ALU64:
		alu(b, in);
		break;
	case BPF_JMP: case BPF_JMP32:
		jmp(b, in, immf);
		break;
	case BPF_LDX: case BPF_ST: case BPF_STX:
		mem(b, in);
		break;
	default:
		ld(b, in);
		break;
	}
}

/* ---- mnemonics (spec 16.5) ---- */

enum { M_ALU, M_NEG, M_LDDW, M_LDX, M_ST, M_STX, M_JA, M_JCC, M_EXIT };

struct mnemonic {
	const char *name;
	int reg, imm;           /* opcodes: register form, immediate form */
	int form;
};

static const struct mnemonic mnemonics[] = {
	{ "add", 0x0f, 0x07, M_ALU }, { "sub", 0x1f, 0x17, M_ALU },
	{ "mul", 0x2f, 0x27, M_ALU }, { "div", 0x3f, 0x37, M_ALU },
	{ "or", 0x4f, 0x47, M_ALU }, { "and", 0x5f, 0x57, M_ALU },
	{ "lsh", 0x6f, 0x67, M_ALU }, { "rsh", 0x7f, 0x77, M_ALU },
	{ "mod", 0x9f, 0x97, M_ALU }, { "xor", 0xaf, 0xa7, M_ALU },
	{ "mov", 0xbf, 0xb7, M_ALU }, { "arsh", 0xcf, 0xc7, M_ALU },
	{ "add32", 0x0c, 0x04, M_ALU }, { "sub32", 0x1c, 0x14, M_ALU },
	{ "mul32", 0x2c, 0x24, M_ALU }, { "div32", 0x3c, 0x34, M_ALU },
	{ "or32", 0x4c, 0x44, M_ALU }, { "and32", 0x5c, 0x54, M_ALU },
	{ "lsh32", 0x6c, 0x64, M_ALU }, { "rsh32", 0x7c, 0x74, M_ALU },
	{ "mod32", 0x9c, 0x94, M_ALU }, { "xor32", 0xac, 0xa4, M_ALU },
	{ "mov32", 0xbc, 0xb4, M_ALU }, { "arsh32", 0xcc, 0xc4, M_ALU },
	{ "neg", 0x87, 0x87, M_NEG }, { "neg32", 0x84, 0x84, M_NEG },
	{ "lddw", 0x18, 0x18, M_LDDW },
	{ "ldxw", 0x61, 0x61, M_LDX }, { "ldxh", 0x69, 0x69, M_LDX },
	{ "ldxb", 0x71, 0x71, M_LDX }, { "ldxdw", 0x79, 0x79, M_LDX },
	{ "stw", 0x62, 0x62, M_ST }, { "sth", 0x6a, 0x6a, M_ST },
	{ "stb", 0x72, 0x72, M_ST }, { "stdw", 0x7a, 0x7a, M_ST },
	{ "stxw", 0x63, 0x63, M_STX }, { "stxh", 0x6b, 0x6b, M_STX },
	{ "stxb", 0x73, 0x73, M_STX }, { "stxdw", 0x7b, 0x7b, M_STX },
	{ "ja", 0x05, 0x05, M_JA },
	{ "jeq", 0x1d, 0x15, M_JCC }, { "jgt", 0x2d, 0x25, M_JCC },
	{ "jge", 0x3d, 0x35, M_JCC }, { "jlt", 0xad, 0xa5, M_JCC },
	{ "jle", 0xbd, 0xb5, M_JCC }, { "jset", 0x4d, 0x45, M_JCC },
	{ "jne", 0x5d, 0x55, M_JCC }, { "jsgt", 0x6d, 0x65, M_JCC },
	{ "jsge", 0x7d, 0x75, M_JCC }, { "jslt", 0xcd, 0xc5, M_JCC },
	{ "jsle", 0xdd, 0xd5, M_JCC },
	{ "exit", 0x95, 0x95, M_EXIT },
};

static const struct mnemonic *
mnemonic(const char *name)
{
	size_t i;

	for (i = 0; i < NELEM(mnemonics); i++)
		if (!strcmp(mnemonics[i].name, name))
			return &mnemonics[i];
	return NULL;
}

/* "[REG+OFF]" or "[REG-OFF]" */
static int
bracket(struct basm *b, const char *f, struct opnd *o, int64_t *off)
{
	size_t n = strlen(f);
	char *in, *sep;

	if (n < 3 || f[0] != '[' || f[n - 1] != ']')
		return 0;
	in = arena_strndup(f + 1, n - 2);
	sep = strpbrk(in + 1, "+-");
	*off = 0;
	if (sep) {
		if (!constant(b, sep, off))
			err(b, "'%s' is not an offset", sep);
		*sep = '\0';
	}
	*o = operand(b, in, 0);
	return 1;
}

/* A short form, "OP dst, src" and so on, into ins. */
static int
short_form(struct basm *b, const struct mnemonic *m, char **f, int n,
    struct ins *in)
{
	int64_t v;

	in->code = m->reg;
	switch (m->form) {
	case M_ALU:
		if (n != 3)
			break;
		in->dst = operand(b, f[1], 0);
		if (constant(b, f[2], &in->imm))
			in->code = m->imm;
		else
			in->src = operand(b, f[2], 0);
		return 1;
	case M_NEG:
		if (n != 2)
			break;
		in->dst = operand(b, f[1], 0);
		return 1;
	case M_LDDW:
		if (n != 3)
			break;
		in->dst = operand(b, f[1], 0);
		in->imm = immediate(b, f[2]);
		return 1;
	case M_LDX:
		if (n != 4)
			break;
		in->dst = operand(b, f[1], 0);
		in->src = operand(b, f[2], 0);
		in->off = immediate(b, f[3]);
		return 1;
	case M_ST:
		if (n != 3 || !bracket(b, f[1], &in->dst, &in->off))
			break;
		in->imm = immediate(b, f[2]);
		return 1;
	case M_STX:
		if (n == 3 && bracket(b, f[1], &in->dst, &in->off)) {
			in->src = operand(b, f[2], 0);
			return 1;
		}
		if (n != 4)
			break;
		in->dst = operand(b, f[1], 0);
		if (constant(b, f[2], &v)) {
			in->off = v;
			in->src = operand(b, f[3], 0);
		} else {
			in->src = operand(b, f[2], 0);
			in->off = immediate(b, f[3]);
		}
		return 1;
	case M_JA:
		if (n != 2)
			break;
		in->label = f[1];
		return 1;
	case M_JCC:
		if (n != 4)
			break;
		in->dst = operand(b, f[1], 0);
		if (constant(b, f[3], &in->imm)) {
			/* OP dst, label, imm */
			in->label = f[2];
			in->code = m->imm;
			return 1;
		}
		in->label = f[3];
		if (constant(b, f[2], &in->imm))
			in->code = m->imm;
		else
			in->src = operand(b, f[2], 0);
		return 1;
	case M_EXIT:
		if (n != 1)
			break;
		return 1;
	}
	err(b, "wrong operands for '%s'", m->name);
	return 0;
}

/* OPCODE, DST, SRC, OFF, IMM */
static void
five_fields(struct basm *b, char **f)
{
	struct ins in = { 0 };
	const struct mnemonic *m = mnemonic(f[0]);
	int64_t v;
	int cls, op, before = b->errors;

	if (m) {
		in.code = m->reg;
	} else if (constant(b, f[0], &v)) {
		if (b->errors != before)
			return;
		if (v != 0x118 && (v < 0 || v > 0xff)) {
			errf(b, f[0], "opcode %s is out of range", f[0]);
			return;
		}
		in.code = (int)v;
	} else {
		errf(b, f[0], "unknown instruction '%s'", f[0]);
		return;
	}
	cls = in.code & 7;
	op = in.code & 0xf0;
	in.dst = operand(b, f[1], 0);
	in.src = operand(b, f[2], 0);
	if ((cls == BPF_JMP || cls == BPF_JMP32) && op != BPF_CALL &&
	    op != BPF_EXIT) {
		if (constant(b, f[3], &v))
			errf(b, f[3], "a jump target is a label, not '%s'",
			    f[3]);
		else if (strcmp(f[3], "-"))
			in.label = f[3];
	} else {
		in.off = immediate(b, f[3]);
	}
	if (cls == BPF_JMP && op == BPF_CALL) {
		lower(b, &in, f[4]);
		return;
	}
	in.imm = immediate(b, f[4]);
	if (b->errors == before)
		lower(b, &in, NULL);
}

/* ---- directives (spec 16.3) ---- */

/* Kernel helpers by name; a number gives any other. */
static const struct {
	const char *name;
	int id;
} helpers[] = {
	{ "map_lookup_elem", BPF_FUNC_map_lookup_elem },
	{ "map_update_elem", BPF_FUNC_map_update_elem },
	{ "map_delete_elem", BPF_FUNC_map_delete_elem },
	{ "probe_read", BPF_FUNC_probe_read },
	{ "ktime_get_ns", BPF_FUNC_ktime_get_ns },
	{ "trace_printk", BPF_FUNC_trace_printk },
	{ "get_prandom_u32", BPF_FUNC_get_prandom_u32 },
	{ "get_smp_processor_id", BPF_FUNC_get_smp_processor_id },
	{ "tail_call", BPF_FUNC_tail_call },
	{ "get_current_pid_tgid", BPF_FUNC_get_current_pid_tgid },
	{ "get_current_uid_gid", BPF_FUNC_get_current_uid_gid },
	{ "get_current_comm", BPF_FUNC_get_current_comm },
	{ "perf_event_output", BPF_FUNC_perf_event_output },
	{ "get_stackid", BPF_FUNC_get_stackid },
	{ "get_current_task", BPF_FUNC_get_current_task },
	{ "get_numa_node_id", BPF_FUNC_get_numa_node_id },
	{ "probe_read_str", BPF_FUNC_probe_read_str },
	{ "get_stack", BPF_FUNC_get_stack },
	{ "send_signal", BPF_FUNC_send_signal },
	{ "probe_read_user", BPF_FUNC_probe_read_user },
	{ "probe_read_kernel", BPF_FUNC_probe_read_kernel },
	{ "probe_read_user_str", BPF_FUNC_probe_read_user_str },
	{ "probe_read_kernel_str", BPF_FUNC_probe_read_kernel_str },
	{ "jiffies64", BPF_FUNC_jiffies64 },
	{ "ktime_get_boot_ns", BPF_FUNC_ktime_get_boot_ns },
	{ "ringbuf_output", BPF_FUNC_ringbuf_output },
	{ "ringbuf_reserve", BPF_FUNC_ringbuf_reserve },
	{ "ringbuf_submit", BPF_FUNC_ringbuf_submit },
	{ "ringbuf_discard", BPF_FUNC_ringbuf_discard },
	{ "get_current_task_btf", BPF_FUNC_get_current_task_btf },
	{ "snprintf", BPF_FUNC_snprintf },
};

static int
helper_id(struct basm *b, const char *name)
{
	size_t i;
	int64_t v;

	if (!name)
		name = "-";
	for (i = 0; i < NELEM(helpers); i++)
		if (!strcmp(helpers[i].name, name) || (!strncmp(name, "bpf_",
		    4) && !strcmp(helpers[i].name, name + 4)))
			return helpers[i].id;
	if (constant(b, name, &v) && v > 0 && v <= INT32_MAX)
		return (int)v;
	if (constant(b, name, &v))
		err(b, "helper %lld: stock stapbpf's pseudo-helpers are not "
		    "supported by stap-bpf", (long long)v);
	else
		errf(b, name, "unknown BPF helper '%s'", name);
	return 0;
}

/*
 * printf's conversions as the format wants them: 's' for %s, 'l' for
 * any other (and a '*' width or precision); -1 for a bad conversion.
 */
static int
conversions(const char *p, char *types, int max)
{
	int n = 0;

	for (; *p; p++) {
		if (*p != '%')
			continue;
		if (*++p == '%')
			continue;
		p += strspn(p, "-+ #0");
		if (*p == '*' && n < max)
			types[n++] = 'l', p++;
		p += strspn(p, "0123456789");
		if (*p == '.') {
			p++;
			if (*p == '*' && n < max)
				types[n++] = 'l', p++;
			p += strspn(p, "0123456789");
		}
		p += strspn(p, "lhLjz");
		if (!*p || !strchr("diuxXobcpsmM", *p) || n >= max)
			return -1;
		types[n++] = strchr("smM", *p) ? 's' : 'l';
	}
	types[n] = '\0';
	return n;
}

static void
do_printf(struct basm *b, char **f, int n)
{
	char types[64];
	int slots[64], want, i, before = b->errors;

	if (n < 4 || !is_string(f[3])) {
		err(b, "printf wants a literal format string");
		return;
	}
	want = conversions(unquote(b, f[3]), types, (int)NELEM(types) - 1);
	if (want < 0) {
		errf(b, f[3], "invalid conversion in format string");
		return;
	}
	if (want > n - 4) {
		errf(b, f[3], "format string wants more arguments than the "
		    "ones given");
		return;
	}
	if (want < n - 4) {
		errf(b, f[4 + want], "too many arguments for the format "
		    "string");
		return;
	}
	for (i = 0; i < want; i++) {
		struct opnd o = operand(b, f[4 + i], 1);

		if (o.kind == A_NONE) {
			err(b, "'-' is not a value");
			return;
		}
		slots[i] = to_slot(b, &o, types[i] == 's');
	}
	if (b->errors == before)
		gen_printf(b->g, unquote(b, f[3]), slots, types);
}

/* DEST := a, for call: a is r0 or 0 */
static void
assign(struct basm *b, const struct opnd *dest, const struct opnd *a)
{
	int r;

	if (dest->kind == A_NONE)
		return;
	if (dest->kind == A_VAR && dest->str) {
		str_assign(b, dest->slot, a);
		return;
	}
	r = def(b, dest);
	if (a->kind == A_REG) {
		if (r != a->reg)
			asm_mov(b->g->p, r, a->reg);
	} else {
		use(b, a, r);
	}
	put(b, dest, r);
}

/* call, DEST, HELPER, ARG... */
static void
do_call(struct basm *b, char **f, int n)
{
	struct prog *p = b->g->p;
	struct opnd dest, a;
	int i;

	if (n < 3) {
		err(b, "call wants a destination and a helper");
		return;
	}
	dest = operand(b, f[1], 0);
	if (!strcmp(f[2], "printf")) {
		do_printf(b, f, n);
		a = imm(0);
	} else if (!strcmp(f[2], "exit")) {
		if (n > 3)
			err(b, "exit takes no arguments");
		gen_exit(b->g, b->loc);
		a = imm(0);
	} else {
		int id = helper_id(b, f[2]);

		if (n - 3 > 5) {
			err(b, "a helper takes at most 5 arguments");
			return;
		}
		for (i = 0; i < n - 3; i++) {
			a = operand(b, f[3 + i], 1);
			if (a.kind == A_REG && a.reg >= BPF_REG_1 &&
			    a.reg <= i && a.reg != i + 1)
				err(b, "argument 'r%d' is overwritten before "
				    "it is passed", a.reg);
			if (a.kind == A_NONE)
				a = imm(0);
			if (a.kind == A_REG) {
				if (a.reg != i + 1)
					asm_mov(p, i + 1, a.reg);
			} else {
				use(b, &a, i + 1);
			}
		}
		asm_call(p, id);
		a = reg(BPF_REG_0);
	}
	assign(b, &dest, &a);
}

/* alloc, DEST, BYTES [, align | noalign] */
static void
do_alloc(struct basm *b, char **f, int n)
{
	struct opnd o = { A_ADDR, 0, 0, 0, 0, 0 }, *v, d;
	int64_t size;
	int r;

	if (n < 3 || n > 4 || (n == 4 && strcmp(f[3], "align") &&
	    strcmp(f[3], "noalign"))) {
		err(b, "alloc wants a register or variable, a size, and "
		    "'align' or 'noalign'");
		return;
	}
	if (f[1][0] != '$' && (f[1][0] == '"' ||
	    operand(b, f[1], 0).kind != A_REG)) {
		errf(b, f[1], "alloc wants a register or variable, not "
		    "'%s'", f[1]);
		return;
	}
	size = immediate(b, f[2]);
	if (size <= 0 || size > 4096) {
		err(b, "alloc of %lld bytes", (long long)size);
		return;
	}
	/* every slot is 8-aligned: align and noalign are the same here */
	o.slot = gen_slot(b->g, (int)size);
	o.size = (int)size;
	if (f[1][0] == '$' && strcmp(f[1], "$$") && strcmp(f[1], "$ctx") &&
	    !var(b, f[1])) {
		new_var(b, f[1], o);
		return;
	}
	/* an existing variable or register holds the address itself */
	v = f[1][0] == '$' ? var(b, f[1]) : NULL;
	d = v ? *v : operand(b, f[1], 0);
	r = def(b, &d);
	put(b, &d, use(b, &o, r));
}

/* A message operand, in a string slot */
static int
message(struct basm *b, char **f, int n)
{
	struct opnd o;

	if (n != 2) {
		err(b, "'%s' wants one message", f[0]);
		return -1;
	}
	o = operand(b, f[1], 1);
	if (o.kind == A_NONE)
		return gen_string(b->g, "");
	return to_slot(b, &o, 1);
}

static void
statement(struct basm *b, char **f, int n)
{
	const struct mnemonic *m;
	struct ins in = { 0 };
	int s, before;

	if (!strcmp(f[0], "label")) {
		if (n != 2 || !is_name(f[1], strlen(f[1])))
			err(b, "label wants a name");
		else
			label(b, f[1], 1);
		return;
	}
	if (!strcmp(f[0], "alloc")) {
		do_alloc(b, f, n);
		return;
	}
	if (!strcmp(f[0], "call")) {
		do_call(b, f, n);
		return;
	}
	if (!strcmp(f[0], "terminate")) {
		if (n != 1)
			err(b, "terminate takes no operands");
		gen_terminate(b->g);
		return;
	}
	if (!strcmp(f[0], "jump_to_catch") ||
	    !strcmp(f[0], "register_error")) {
		s = message(b, f, n);
		if (s >= 0)
			gen_raise(b->g, b->loc, s, f[0][0] == 'j');
		return;
	}
	if (n == 5) {
		five_fields(b, f);
		return;
	}
	m = mnemonic(f[0]);
	if (!m) {
		int64_t v;

		if (constant(b, f[0], &v))
			err(b, "an opcode wants five fields: OPCODE, DST, "
			    "SRC, OFF, IMM");
		else
			errf(b, f[0], "unknown instruction '%s'", f[0]);
		return;
	}
	before = b->errors;
	if (short_form(b, m, f, n, &in) && b->errors == before)
		lower(b, &in, NULL);
}

/* ---- the function ---- */

/* Functions already reported once: their other calls stay quiet. */
static struct node **failed;
static size_t nfailed, capfailed;

void
basm_inline(struct gen *g, struct node *fn, struct node *call,
    const int *param, int retslot)
{
	struct basm b = { 0 };
	struct node *body = fn->body, *a;
	struct loc pos = body->loc;
	size_t i;
	int k;

	for (i = 0; i < nfailed; i++)
		if (failed[i] == fn)
			return;
	b.g = g;
	b.fn = fn;
	b.loc = body->loc;
	if (g->p->section && strstr(body->str, "/* userspace */")) {
		err(&b, "'%s' works only in begin and end probes", fn->str);
		diag_note(call->loc, "called here");
	}
	for (a = fn->args, k = 0; a; a = a->next, k++) {
		struct opnd o = { A_VAR, 0, 0, 0, 0, 0 };
		char *name = arena_alloc(strlen(a->str) + 2);

		name[0] = '$';
		strcpy(name + 1, a->str);
		o.slot = param[k];
		o.str = a->type == T_STRING;
		new_var(&b, name, o);
	}
	{
		struct opnd o = { A_VAR, 0, 0, 0, 0, 0 };

		o.slot = retslot;
		o.str = fn->type == T_STRING;
		new_var(&b, "$$", o);
	}
	pos.col += 2;           /* the text starts after "%{" */
	lex(&b, body->str, pos);
	for (i = 0; i < b.ns; i++) {
		b.loc = b.s[i].loc;
		b.st = &b.s[i];
		asm_line(g->p, b.loc);
		statement(&b, b.s[i].f, b.s[i].n);
	}
	for (i = 0; i < b.nl; i++) {
		if (b.l[i].defined)
			continue;
		b.loc = b.l[i].ref;
		b.st = NULL;
		err(&b, "undefined label '%s'", b.l[i].name);
		asm_bind(g->p, b.l[i].id);      /* keep asm_finish sane */
	}
	if (b.errors) {
		failed = vgrow(failed, &capfailed, nfailed + 1,
		    sizeof *failed);
		failed[nfailed++] = fn;
	}
	for (i = 0; i < b.ns; i++)
		free(b.s[i].f), free(b.s[i].floc);
	free(b.s);
	free(b.v);
	free(b.l);
}
