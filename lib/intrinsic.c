/*
 * The intrinsics: functions the back end implements directly (mostly
 * one BPF helper each), with their signatures.  stap-resolve binds and
 * types calls by this table, stap-bpfgen checks a resolved tree's calls
 * against it before gen.c lowers them by name.  The print family is
 * variadic and not here (print_family in parse.c).  Script-level
 * helpers live in the tapset library instead (tapset/, as .stp files).
 */
#include <string.h>

#include "stap.h"

static const struct intrinsic intrinsics[] = {
	{ "pid", 0, T_LONG, { 0 } },
	{ "tid", 0, T_LONG, { 0 } },
	{ "ppid", 0, T_LONG, { 0 } },
	{ "uid", 0, T_LONG, { 0 } },
	{ "gid", 0, T_LONG, { 0 } },
	{ "euid", 0, T_LONG, { 0 } },
	{ "egid", 0, T_LONG, { 0 } },
	{ "cpu", 0, T_LONG, { 0 } },
	{ "task_current", 0, T_LONG, { 0 } },
	{ "execname", 0, T_STRING, { 0 } },
	{ "target", 0, T_LONG, { 0 } },
	{ "pp", 0, T_STRING, { 0 } },
	{ "gettimeofday_ns", 0, T_LONG, { 0 } },
	{ "gettimeofday_us", 0, T_LONG, { 0 } },
	{ "gettimeofday_ms", 0, T_LONG, { 0 } },
	{ "gettimeofday_s", 0, T_LONG, { 0 } },
	{ "local_clock_ns", 0, T_LONG, { 0 } },
	{ "tz_gmtoff", 0, T_LONG, { 0 } },
	{ "tz_name", 0, T_STRING, { 0 } },
	{ "ktime_get_ns", 0, T_LONG, { 0 } },
	{ "kernel_string", 1, T_STRING, { T_LONG } },
	{ "kernel_string", 2, T_STRING, { T_LONG, T_STRING } },
	{ "kernel_string_n", 2, T_STRING, { T_LONG, T_LONG } },
	{ "user_string", 1, T_STRING, { T_LONG } },
	{ "user_string", 2, T_STRING, { T_LONG, T_STRING } },
	{ "user_string_n", 2, T_STRING, { T_LONG, T_LONG } },
	{ "user_string_n", 3, T_STRING, { T_LONG, T_LONG, T_STRING } },
	/* user space: registers of a process probe, user memory */
	{ "register", 1, T_LONG, { T_STRING } },
	{ "u_register", 1, T_LONG, { T_STRING } },
	{ "uaddr", 0, T_LONG, { 0 } },
	{ "user_char_error", 1, T_LONG, { T_LONG } },
	{ "user_short_error", 1, T_LONG, { T_LONG } },
	{ "user_ushort_error", 1, T_LONG, { T_LONG } },
	{ "user_int_error", 1, T_LONG, { T_LONG } },
	{ "user_long_error", 1, T_LONG, { T_LONG } },
	{ "user_ulong_error", 1, T_LONG, { T_LONG } },
	{ "user_int8_error", 1, T_LONG, { T_LONG } },
	{ "user_uint8_error", 1, T_LONG, { T_LONG } },
	{ "user_int16_error", 1, T_LONG, { T_LONG } },
	{ "user_uint16_error", 1, T_LONG, { T_LONG } },
	{ "user_int32_error", 1, T_LONG, { T_LONG } },
	{ "user_uint32_error", 1, T_LONG, { T_LONG } },
	{ "user_int64_error", 1, T_LONG, { T_LONG } },
	{ "user_uint64_error", 1, T_LONG, { T_LONG } },
	{ "strlen", 1, T_LONG, { T_STRING } },
	{ "substr", 3, T_STRING, { T_STRING, T_LONG, T_LONG } },
	{ "isinstr", 2, T_LONG, { T_STRING, T_STRING } },
	{ "stringat", 2, T_LONG, { T_STRING, T_LONG } },
	{ "user_mode", 0, T_LONG, { 0 } },
	{ "raise", 1, T_VOID, { T_LONG } },
	{ "warn", 1, T_VOID, { T_STRING } },
	{ "system", 1, T_VOID, { T_STRING } },
	{ "exit", 0, T_VOID, { 0 } },
	/* $value of a procfs probe (stap-resolve/procfs.c) */
	{ "__procfs_value_set", 1, T_VOID, { T_STRING } },
	{ "__procfs_value_append", 1, T_VOID, { T_STRING } },
	{ "__procfs_value_get", 0, T_STRING, { 0 } },
	{ "error", 1, T_VOID, { T_STRING } },
	/* stacks and symbols (stap-bpfgen/stack.c) */
	{ "print_backtrace", 0, T_VOID, { 0 } },
	{ "backtrace", 0, T_STRING, { 0 } },
	{ "print_syms", 1, T_VOID, { T_STRING } },
	{ "print_stack", 1, T_VOID, { T_STRING } },
	{ "stack", 1, T_LONG, { T_LONG } },
	{ "symname", 1, T_STRING, { T_LONG } },
	{ "symdata", 1, T_STRING, { T_LONG } },
	{ "addr", 0, T_LONG, { 0 } },
	{ "probefunc", 0, T_STRING, { 0 } },
	/* user stacks and symbols (stap-bpfgen/ustack.c) */
	{ "print_ubacktrace", 0, T_VOID, { 0 } },
	{ "ubacktrace", 0, T_STRING, { 0 } },
	{ "sprint_ubacktrace", 0, T_STRING, { 0 } },
	{ "ustack", 1, T_LONG, { T_LONG } },
	{ "usymname", 1, T_STRING, { T_LONG } },
	{ "usymdata", 1, T_STRING, { T_LONG } },
	/* the probed function's address, at entry and at return, for
	 * @entry (stap-resolve/entry.c) */
	{ "__stp_func_addr", 0, T_LONG, { 0 } },
	/* registers and arguments (stap-bpfgen/regs.c) */
	{ "int_arg", 1, T_LONG, { T_LONG } },
	{ "s32_arg", 1, T_LONG, { T_LONG } },
	{ "uint_arg", 1, T_LONG, { T_LONG } },
	{ "u32_arg", 1, T_LONG, { T_LONG } },
	{ "long_arg", 1, T_LONG, { T_LONG } },
	{ "ulong_arg", 1, T_LONG, { T_LONG } },
	{ "pointer_arg", 1, T_LONG, { T_LONG } },
	{ "longlong_arg", 1, T_LONG, { T_LONG } },
	{ "ulonglong_arg", 1, T_LONG, { T_LONG } },
	{ "s64_arg", 1, T_LONG, { T_LONG } },
	{ "u64_arg", 1, T_LONG, { T_LONG } },
	{ "register", 1, T_LONG, { T_STRING } },
	{ "u_register", 1, T_LONG, { T_STRING } },
};

const struct intrinsic *
intrinsic_find(const char *name, int nargs)
{
	size_t i;

	for (i = 0; i < NELEM(intrinsics); i++)
		if (!strcmp(intrinsics[i].name, name) &&
		    intrinsics[i].nargs == nargs)
			return &intrinsics[i];
	return NULL;
}

int
intrinsic_known(const char *name)
{
	size_t i;

	for (i = 0; i < NELEM(intrinsics); i++)
		if (!strcmp(intrinsics[i].name, name))
			return 1;
	return print_family(name);
}
