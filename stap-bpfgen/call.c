/*
 * stap-bpfgen, printing, and calls: the intrinsics lib/intrinsic.c
 * lists (see gen.c).
 */
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "regex.h"

/* ---- printing ---- */

static int
format_id(struct gen *g, const char *fmt, const char *types)
{
	size_t i;

	for (i = 0; i < g->nformats; i++)
		if (!strcmp(g->formats[i].fmt, fmt) &&
		    !strcmp(g->formats[i].types, types))
			return (int)i;
	g->formats = vgrow(g->formats, &g->capformats, g->nformats + 1,
	    sizeof *g->formats);
	g->formats[g->nformats].fmt = arena_strndup(fmt, strlen(fmt));
	g->formats[g->nformats].types = arena_strndup(types, strlen(types));
	return (int)g->nformats++;
}

/* A PRINTF record: the arguments first, then reserve, copy, submit. */
static void
emit_printf(struct gen *g, const char *fmt, struct node *args)
{
	char types[64];
	int slots[64], n = 0;
	struct node *a;

	for (a = args; a; a = a->next) {
		if (n == (int)NELEM(slots) - 1)
			fatal("printf with more than %d arguments",
			    (int)NELEM(slots) - 1);
		slots[n] = expr(g, a);
		types[n] = a->type == T_STRING ? 's' : 'l';
		n++;
	}
	types[n] = '\0';
	gen_printf(g, fmt, slots, types);
}

/* The record of printf(fmt, ...) whose values are in slots already. */
void
gen_printf(struct gen *g, const char *fmt, const int *slots,
    const char *types)
{
	int n = (int)strlen(types), size = 8, off, i, lost;

	for (i = 0; i < n; i++)
		size += types[i] == 's' ? g->maxstr : 8;
	lost = var_record_begin(g, size, REC_PRINTF, format_id(g, fmt,
	    n ? types :
	    "-"));
	for (i = 0, off = 8; i < n; i++) {
		int sz = types[i] == 's' ? g->maxstr : 8;

		gen_copy(g, BPF_REG_0, off, BPF_REG_9, slots[i], sz);
		off += sz;
	}
	var_record_end(g, lost);
}

/* print, println, printd, printdln as printf formats */
static char *
print_format(struct node *call, struct node **args)
{
	const char *name = call->str;
	int ln = strstr(name, "ln") != NULL, d = strchr(name + 5, 'd') != NULL;
	const char *delim = "";
	char *buf = NULL;
	size_t len = 0, cap = 0;
	struct node *a = call->args;

	if (d) {
		delim = a->str;
		a = a->next;
	}
	*args = a;
	buf = vgrow(buf, &cap, 1, 1);
	buf[0] = '\0';
	for (; a; a = a->next) {
		const char *q;
		size_t k = strlen(delim) * 2 + 4;

		buf = vgrow(buf, &cap, len + k + 4, 1);
		if (d && a != *args)
			for (q = delim; *q; q++) {
				if (*q == '%')
					buf[len++] = '%';
				buf[len++] = *q;
			}
		buf[len++] = '%';
		buf[len++] = a->type == T_STRING ? 's' : 'd';
	}
	buf = vgrow(buf, &cap, len + 2, 1);
	if (ln)
		buf[len++] = '\n';
	buf[len] = '\0';
	return buf;
}

/* ---- calls ---- */


static int
helper_long(struct gen *g, int helper)
{
	int s = gen_tmp(g, 8);

	asm_call(g->p, helper);
	gen_store(g, s, BPF_REG_0);
	return s;
}

/* string builtins reading memory: kernel_string, user_string... */
static int
read_string(struct gen *g, struct node *n, int user)
{
	struct prog *p = g->p;
	struct node *a = n->args, *dflt = NULL, *lim = NULL;
	int addr = expr(g, a), out = gen_tmp(g, g->maxstr), ok = asm_label(p);
	int dslot = -1, lslot = -1;

	if (strstr(n->str, "_n")) {
		lim = a->next;
		dflt = lim->next;
	} else {
		dflt = a->next;
	}
	if (lim)
		lslot = expr(g, lim);
	if (dflt)
		dslot = expr(g, dflt);
	gen_zero(g, BPF_REG_9, out, g->maxstr);
	asm_escape(p, out, g->maxstr);
	asm_mov(p, BPF_REG_1, BPF_REG_9);
	asm_alui(p, BPF_ADD, BPF_REG_1, out);
	asm_movi(p, BPF_REG_2, g->maxstr);
	if (lslot >= 0) {
		int big = asm_label(p);

		/* n bytes and the NUL, never more than the slot */
		gen_load(g, BPF_REG_2, lslot);
		asm_alui(p, BPF_ADD, BPF_REG_2, 1);
		asm_jmp(p, BPF_JSGT, BPF_REG_2, -1, 0, big);
		asm_movi(p, BPF_REG_2, 1);
		asm_bind(p, big);
		asm_jmp(p, BPF_JSLE, BPF_REG_2, -1, g->maxstr, ok + 0 * 0);
		asm_movi(p, BPF_REG_2, g->maxstr);
		asm_bind(p, ok);
		ok = asm_label(p);
	}
	gen_load(g, BPF_REG_3, addr);
	asm_call(p, user ? BPF_FUNC_probe_read_user_str :
	    BPF_FUNC_probe_read_kernel_str);
	asm_jmp(p, BPF_JSGE, BPF_REG_0, -1, 0, ok);
	if (dslot >= 0)
		gen_copy(g, BPF_REG_9, out, BPF_REG_9, dslot, g->maxstr);
	else
		gen_throw(g, n->loc, user ? "user string copy fault" :
		    "kernel string copy fault", -1);
	asm_bind(p, ok);
	return out;
}

/*
 * size bytes at the task_struct in slot task, at the offset stap_ctl's
 * field ctloff gives (the loader reads it from the kernel's BTF), into
 * slot dst; r0 is 0, or the fault
 */
static void
task_read(struct gen *g, int task, int ctloff, int dst, int size)
{
	gen_ctl_ptr(g, BPF_REG_1);
	asm_ldx(g->p, BPF_DW, BPF_REG_3, BPF_REG_1, (int16_t)ctloff);
	gen_load(g, BPF_REG_2, task);
	asm_alu(g->p, BPF_ADD, BPF_REG_3, BPF_REG_2);
	asm_escape(g->p, dst, size);
	asm_mov(g->p, BPF_REG_1, BPF_REG_9);
	asm_alui(g->p, BPF_ADD, BPF_REG_1, dst);
	asm_movi(g->p, BPF_REG_2, size);
	asm_call(g->p, BPF_FUNC_probe_read_kernel);
}

/*
 * stringat(s, pos): the byte at pos, an error unless 0 <= pos < strlen.
 * A scan of the bytes up to pos, none of them NUL: unlike strlen, it
 * leaves no length live when it ends, so the verifier prunes its exits.
 */
static int
string_at(struct gen *g, struct node *n)
{
	struct prog *p = g->p;
	int s = expr(g, n->args), pos = expr(g, n->args->next);
	int res = gen_tmp(g, 8), loop = asm_label(p), found = asm_label(p);
	int bad = asm_label(p), done = asm_label(p);

	gen_load(g, BPF_REG_1, pos);
	asm_jmp(p, BPF_JSLT, BPF_REG_1, -1, 0, bad);
	asm_jmp(p, BPF_JSGE, BPF_REG_1, -1, g->maxstr, bad);
	asm_movi(p, BPF_REG_4, 0);
	asm_bind(p, loop);
	asm_escape(p, s, g->maxstr);
	asm_mov(p, BPF_REG_2, BPF_REG_9);
	asm_alu(p, BPF_ADD, BPF_REG_2, BPF_REG_4);
	asm_ldx(p, BPF_B, BPF_REG_3, BPF_REG_2, (int16_t)s);
	asm_jmp(p, BPF_JEQ, BPF_REG_3, -1, 0, bad);
	asm_jmp(p, BPF_JGE, BPF_REG_4, BPF_REG_1, 0, found);
	asm_alui(p, BPF_ADD, BPF_REG_4, 1);
	asm_jmp(p, BPF_JLT, BPF_REG_4, -1, g->maxstr, loop);
	asm_ja(p, bad);
	asm_bind(p, found);
	gen_store(g, res, BPF_REG_3);
	asm_ja(p, done);
	asm_bind(p, bad);
	asm_st(p, BPF_DW, BPF_REG_9, (int16_t)res, 0);
	gen_throw(g, n->loc, "Position out of bounds", -1);
	asm_bind(p, done);
	return res;
}

int
call_builtin(struct gen *g, struct node *n)
{
	const char *f = n->str;
	struct prog *p = g->p;
	int s;

	if ((s = stack_call(g, n)) != -2 || (s = procfs_call(g, n)) != -2)
		return s;
	if (!strcmp(f, "printf")) {
		emit_printf(g, n->args->str, n->args->next);
		return -1;
	}
	if (!strncmp(f, "print", 5) && n->args && n->args->kind == N_STAT &&
	    !strncmp(n->args->str, "@hist", 5)) {
		var_hist_print(g, n->args);
		if (!strcmp(f, "println"))
			gen_printf(g, "\n", NULL, "");
		return -1;
	}
	if (!strncmp(f, "print", 5)) {
		struct node *args;
		char *fmt = print_format(n, &args);

		emit_printf(g, fmt, args);
		free(fmt);
		return -1;
	}
	if (!strncmp(f, "sprint", 6)) {
		struct node *args, *a;
		char *fmt = NULL;
		int slots[16], k = 0;
		enum type types[16];
		struct conv cv[16];

		memset(cv, 0, sizeof cv);
		if (!strcmp(f, "sprintf")) {
			fmt = estrdup(str_kernel_format(n, n->args->str, cv, 16,
			    p->section != NULL));
			args = n->args->next;
		} else {
			struct node fake = *n;
			char *pf;

			fake.str = f + 1;
			pf = print_format(&fake, &args);
			fmt = estrdup(str_kernel_format(n, pf, cv, 16,
			    p->section != NULL));
			free(pf);
		}
		for (a = args; a; a = a->next) {
			if (k == 12)
				fatal("sprintf takes at most 12 values in "
				    "stap-bpf");
			types[k] = a->type;
			slots[k] = expr(g, a);
			if (cv[k].kind == 's' && a->type == T_STRING) {
				slots[k] = str_cut(g, slots[k], cv[k].digits);
			} else if (cv[k].kind && cv[k].kind != 's' &&
			    a->type == T_LONG) {
				slots[k] = cv[k].kind == 'o' ?
				    str_octal(g, slots[k], &cv[k]) :
				    str_binary(g, slots[k], &cv[k]);
				types[k] = T_STRING;
			}
			k++;
		}
		s = str_snprintf_(g, fmt, slots, types, k);
		free(fmt);
		return s;
	}
	if (!strcmp(f, "pid") || !strcmp(f, "tid")) {
		/* in r0, where the helper left it: no copy to make */
		s = helper_long(g, BPF_FUNC_get_current_pid_tgid);
		if (f[0] == 'p')
			asm_alui(p, BPF_RSH, BPF_REG_0, 32);
		else
			asm_alui(p, BPF_AND, BPF_REG_0, -1), asm_emit(p,
			    (struct bpf_insn){ .code = BPF_ALU | BPF_MOV |
			    BPF_X, .dst_reg = BPF_REG_0,
			    .src_reg = BPF_REG_0 });
		gen_store(g, s, BPF_REG_0);
		return s;
	}
	if (!strcmp(f, "uid") || !strcmp(f, "gid") || !strcmp(f, "euid") ||
	    !strcmp(f, "egid")) {
		s = helper_long(g, BPF_FUNC_get_current_uid_gid);
		gen_load(g, BPF_REG_1, s);
		if (strchr(f, 'g'))
			asm_alui(p, BPF_RSH, BPF_REG_1, 32);
		else
			asm_emit(p, (struct bpf_insn){ .code = BPF_ALU |
			    BPF_MOV | BPF_X, .dst_reg = BPF_REG_1,
			    .src_reg = BPF_REG_1 });
		gen_store(g, s, BPF_REG_1);
		return s;
	}
	if (!strcmp(f, "ppid")) {
		/* current->real_parent->tgid, offsets from stap_ctl (the
		 * loader reads them from the kernel's BTF); 0 on a fault */
		int task, ok;

		if (!p->section)        /* begin, end: stap-bpfld's parent */
			return helper_long(g, UHELPER_PPID);
		task = helper_long(g, BPF_FUNC_get_current_task);
		s = gen_tmp(g, 8);
		ok = asm_label(p);
		asm_st(p, BPF_DW, BPF_REG_9, (int16_t)s, 0);
		task_read(g, task, CTL_TASK_PARENT, task, 8);
		asm_jmp(p, BPF_JNE, BPF_REG_0, -1, 0, ok);
		task_read(g, task, CTL_TASK_TGID, s, 4);
		asm_bind(p, ok);
		return s;
	}
	if (!strcmp(f, "task_current"))
		return helper_long(g, BPF_FUNC_get_current_task);
	if (!strcmp(f, "cpu"))
		return helper_long(g, BPF_FUNC_get_smp_processor_id);
	if (!strcmp(f, "local_clock_ns") || !strcmp(f, "ktime_get_ns"))
		return helper_long(g, BPF_FUNC_ktime_get_ns);
	if (!strncmp(f, "gettimeofday_", 13)) {
		static const int64_t div[] = { 1, 1000, 1000000, 1000000000 };
		const char *u = f + 13;
		int k = !strcmp(u, "ns") ? 0 : !strcmp(u, "us") ? 1 :
		    !strcmp(u, "ms") ? 2 : 3;

		s = helper_long(g, BPF_FUNC_ktime_get_ns);
		gen_ctl_ptr(g, BPF_REG_2);
		asm_ldx(p, BPF_DW, BPF_REG_2, BPF_REG_2, CTL_REALTIME);
		gen_load(g, BPF_REG_1, s);
		asm_alu(p, BPF_ADD, BPF_REG_1, BPF_REG_2);
		if (k)
			asm_alui(p, BPF_DIV, BPF_REG_1, (int32_t)div[k]);
		gen_store(g, s, BPF_REG_1);
		return s;
	}
	if (!strcmp(f, "target")) {
		s = gen_tmp(g, 8);
		gen_ctl_ptr(g, BPF_REG_1);
		asm_ldx(p, BPF_DW, BPF_REG_1, BPF_REG_1, CTL_TARGET);
		gen_store(g, s, BPF_REG_1);
		return s;
	}
	if (!strcmp(f, "pp")) {
		/* in a function (stap-resolve writes a probe's own pp() as
		 * a string): every function is inlined into each probe
		 * that calls it, so this probe's point is known here */
		struct scope *sc = gen_cur;

		while (sc && sc->up)
			sc = sc->up;
		if (sc && sc->probe && sc->probe->points)
			return str_literal(g, point_text(sc->probe->points));
		return str_literal(g, "");
	}
	if (!strcmp(f, "user_mode")) {
		/* the probe's program, not a loop's callback, has the kind */
		struct prog *top = g->probe;

		if (top->section && (!strncmp(top->section, "uprobe", 6) ||
		    !strncmp(top->section, "uretprobe", 9)))
			return gen_const_slot(g, 1);
		if (!top->section || (strcmp(top->kind, "timer") &&
		    strcmp(top->kind, "perf")))
			return gen_const_slot(g, 0);
		/* a perf event's pt_regs: user mode when cs's RPL is 3
		 * (x86_64: cs is the 18th u64) */
		s = gen_tmp(g, 8);
		asm_ldx(p, BPF_DW, BPF_REG_1, BPF_REG_6, 17 * 8);
		asm_alui(p, BPF_AND, BPF_REG_1, 3);
		asm_alui(p, BPF_ADD, BPF_REG_1, 1);
		asm_alui(p, BPF_RSH, BPF_REG_1, 2);
		gen_store(g, s, BPF_REG_1);
		return s;
	}
	if (!strcmp(f, "warn") || !strcmp(f, "system")) {
		/* a string for stap-bpfld: a WARN of no site (printed
		 * "WARNING: msg", no place, as stap's warn) or a command */
		int msg = expr(g, n->args), lost;

		lost = var_record_begin(g, 8 + g->maxstr, f[0] == 'w' ?
		    REC_WARN : REC_SYSTEM, -1);
		gen_copy(g, BPF_REG_0, 8, BPF_REG_9, msg, g->maxstr);
		var_record_end(g, lost);
		return -1;
	}
	if (!strcmp(f, "raise")) {
		/* the current thread; in a begin or end probe stap-bpfld's */
		int sig = expr(g, n->args), ok = asm_label(p);

		gen_load(g, BPF_REG_1, sig);
		asm_call(p, BPF_FUNC_send_signal_thread);
		asm_jmp(p, BPF_JEQ, BPF_REG_0, -1, 0, ok);
		gen_throw(g, n->loc, "raise/send_sig error", -1);
		asm_bind(p, ok);
		return -1;
	}
	if (!strcmp(f, "tz_gmtoff")) {
		s = gen_tmp(g, 8);
		gen_ctl_ptr(g, BPF_REG_1);
		asm_ldx(p, BPF_DW, BPF_REG_1, BPF_REG_1, CTL_TZOFF);
		gen_store(g, s, BPF_REG_1);
		return s;
	}
	if (!strcmp(f, "tz_name")) {
		s = gen_tmp(g, g->maxstr);
		gen_zero(g, BPF_REG_9, s, g->maxstr);
		gen_ctl_ptr(g, BPF_REG_2);
		gen_copy(g, BPF_REG_9, s, BPF_REG_2, CTL_TZNAME, 16);
		return s;
	}
	if (!strcmp(f, "execname")) {
		s = gen_tmp(g, g->maxstr);
		gen_zero(g, BPF_REG_9, s, g->maxstr);
		asm_escape(p, s, g->maxstr);
		asm_mov(p, BPF_REG_1, BPF_REG_9);
		asm_alui(p, BPF_ADD, BPF_REG_1, s);
		asm_movi(p, BPF_REG_2, 16);
		asm_call(p, BPF_FUNC_get_current_comm);
		return s;
	}
	if (!strcmp(f, "exit")) {
		gen_ctl_ptr(g, BPF_REG_1);
		gen_stop(g);
		gen_record8(g, REC_EXIT, 0);
		return -1;
	}
	if (!strcmp(f, "error")) {
		gen_throw(g, n->loc, "", expr(g, n->args));
		return -1;
	}
	if (!strcmp(f, "strlen"))
		return str_length(g, expr(g, n->args));
	if (!strcmp(f, "substr")) {
		int a = expr(g, n->args), b = expr(g, n->args->next);

		return str_sub(g, a, b, expr(g, n->args->next->next));
	}
	if (!strcmp(f, "isinstr")) {
		int a = expr(g, n->args);

		return str_find(g, a, expr(g, n->args->next), n->loc);
	}
	if (!strcmp(f, "stringat"))
		return string_at(g, n);
	if (!strncmp(f, "kernel_string", 13))
		return read_string(g, n, 0);
	if (!strncmp(f, "user_string", 11))
		return read_string(g, n, 1);
	if (uprobe_has(f))
		return uprobe_intrinsic(g, n);
	diag_error(n->loc, "'%s' is not supported by stap-bpf yet", f);
	return gen_const_slot(g, 0);
}
