/*
 * abi.h: what the code stap-bpfgen generates and stap-bpfld, which
 * loads and runs it, must agree on beyond man/stap-bo.5: the helper ids
 * only stap-bpfld's interpreter has, the kinds of the records in
 * stap_events (man/stap-events.5), the layout of the stap_ctl value.
 * Constants only; needs nothing.
 */
#ifndef ABI_H
#define ABI_H

/* Helpers only the interpreter of userspace programs (begin, end and
 * error probes) has, called like a kernel helper */
enum {
	UHELPER_FOREACH_START = 0x7001,
	UHELPER_FOREACH_NEXT = 0x7002,
	UHELPER_MAP_CLEAR = 0x7003,
	UHELPER_MAP_COUNT = 0x7004,
	UHELPER_PPID = 0x7010,	/* ppid(): no task_struct to walk here */
	/* procfs probes' $value (stap-bpfld/procfs.c): set and append
	 * (r1 a string, r2 its slot's size) in a read probe, get (r1
	 * the slot, r2 its size) in a write probe */
	UHELPER_PROCFS_SET = 0x7020,
	UHELPER_PROCFS_APPEND = 0x7021,
	UHELPER_PROCFS_GET = 0x7022,
};

/* The record kinds in stap_events and in an event stream */
enum {
	REC_PRINTF = 1,
	REC_EXIT = 2,
	REC_ERROR = 3,
	REC_WARN = 4,
	REC_HIST = 5,
	REC_STACK = 6,		/* print_backtrace(): frames */
	REC_SYMS = 7,		/* print_syms(s): s */
	REC_KSYM = 8,		/* a symbol (event streams only) */
	REC_USTACK = 9,		/* a user stack: frames, build ids */
	REC_USYM = 10,		/* a user symbol (event streams only) */
	REC_SYSTEM = 16,	/* system(): a command for sh -c */
};

/* The global-data maps (man/stap-bo.5), by the names libbpf gives them:
 * those of their sections */
#define MAP_CTL ".data.stap_ctl"
#define MAP_GLOBALS ".data.stap_globals"

/* The stap_ctl value: byte offsets of its fields, and its size */
enum {
	CTL_EXIT = 0,
	CTL_ERRORS = 8,
	CTL_LOST = 16,
	CTL_TARGET = 24,
	CTL_REALTIME = 32,
	CTL_TASK_PARENT = 40,	/* offsetof(struct task_struct, real_parent) */
	CTL_TASK_TGID = 48,	/* offsetof(struct task_struct, tgid) */
	CTL_RUN = 56,		/* kernel probes may run (after begin) */
	CTL_TZOFF = 64,		/* tz_gmtoff(): seconds west of UTC */
	CTL_TZNAME = 72,	/* tz_name(): 16 bytes, NUL-terminated */
	CTL_SIZE = 88,
};

/*
 * What CTL_EXIT holds: 0 while the script runs, 1 once exit() asked
 * to stop, CTL_EXIT_ERROR + N after a runtime error of site N in a
 * kernel probe, which sends no ERROR record: stap-bpfld makes the
 * record from this (a few instructions, not a ring buffer output, at
 * every error site of every kernel program)
 */
enum { CTL_EXIT_ERROR = 2 };

#endif
