/*
 * stap-bpfld: load a .bo, attach its probes, run begin probes, print
 * what the probes send until something says stop, run end (or error)
 * probes, and leave nothing behind.  See man/stap-bpfld.1.
 *
 * Order of events, and why:
 *   fork the -c command, held on a pipe (so its pid is known to begin
 *     probes and to target(), and it cannot run before the probes are
 *     in place);
 *   open, load (stap_fmt first), fill stap_ctl (target, clock offset);
 *   attach every kernel program (they do nothing yet: stap_ctl.run);
 *   run begin probes, then set stap_ctl.run (no kernel probe runs
 *     before the initialisers and begin probes, as in stap), then
 *     release the command;
 *   drain the ring buffer until an EXIT or ERROR record, stap_ctl.exit,
 *     a signal, -T, the command's exit, or a write error;
 *   clear stap_ctl.run, so nothing counts while detaching, which takes
 *     a grace period per tracepoint;
 *   detach the kernel programs, drain what they sent before that,
 *     then run end probes (error probes after a runtime error), so end
 *     probes print last, as with stap;
 *   close everything: programs, links and maps go with their fds.
 */
/* fopencookie: the output stream writes through outwrite */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/btf.h>

#include "bpfld.h"

volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t child_signal;
static int verbose;

static const char usage[] =
    "usage: stap-bpfld [-v] [--raw] [-o FILE] [-T SECONDS] "
    "[-c CMD | -x PID] [-m NAME]\n"
    "                  [--procfs-dir DIR] [FILE.bo]\n";

static void
help(void)
{
	printf("%s", usage);
	printf("Load a .bo made by stap-bpfgen, run its probes, print "
	    "their output.\n\n"
	    "  -o FILE      write the output to FILE\n"
	    "  -T SECONDS   stop after SECONDS\n"
	    "  -c CMD       run CMD once the probes are attached; stop when "
	    "it exits;\n"
	    "               target() is its pid\n"
	    "  -x PID       target() is PID\n"
	    "  -m NAME      the module's name: procfs files are in\n"
	    "               /var/tmp/systemtap-USER/NAME\n"
	    "  --procfs-dir DIR\n"
	    "               put the procfs files in DIR instead\n"
	    "  -v           say how long each phase took; the verifier's "
	    "whole log\n"
	    "  --raw        write the event stream (stap-events(5)) instead "
	    "of text\n"
	    "  --help, --version\n");
}

double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double phase_start;

static void
phase(const char *name)
{
	double t = now_ms();

	if (verbose)
		fprintf(stderr, "%s: %s: %.3f ms\n", argv0, name,
		    t - phase_start);
	phase_start = t;
}

static int
printer(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG || verbose < (level == LIBBPF_WARN ? 1 : 2))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void
onsignal(int sig)
{
	static const char msg[] = "stap-bpfld: interrupted again, "
	    "exiting now\n";

	/* after a stop, SIGPIPE is a reader that went away (a "| head"
	 * hit by the same Ctrl-C), not a second interruption: the write
	 * error it comes with is reported */
	if (sig == SIGPIPE && stop_signal)
		return;
	if (stop_signal) {
		/* the kernel drops every program and map with our fds;
		 * the procfs files are ours to remove */
		procfs_unlink();
		if (write(2, msg, sizeof msg - 1) < 0)
			_exit(1);
		_exit(1);
	}
	stop_signal = sig;
}

static void
onchild(int sig)
{
	child_signal = sig;
}

/*
 * SIGINT, SIGTERM, SIGHUP and SIGPIPE stop the script as stap's do:
 * the end probes run.  SA_RESTART, so that a signal (the -c command's
 * SIGCHLD above all) cannot cut a write to a slow reader short;
 * epoll_wait is never restarted, so the ring buffer's poll still wakes.
 * SIGHUP stays ignored under nohup.  A parent may have blocked them:
 * they are unblocked, and one already pending arrives now, before the
 * begin probes.
 */
static void
handlers(void)
{
	static const int stops[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
	struct sigaction sa, old;
	sigset_t set;
	size_t i;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sigemptyset(&set);
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sa.sa_handler = onchild;
	sigaction(SIGCHLD, &sa, NULL);
	sigaddset(&set, SIGCHLD);
	sa.sa_flags = SA_RESTART;
	sa.sa_handler = onsignal;
	for (i = 0; i < NELEM(stops); i++) {
		if (stops[i] == SIGHUP && sigaction(SIGHUP, NULL, &old) == 0 &&
		    old.sa_handler == SIG_IGN)
			continue;
		sigaction(stops[i], &sa, NULL);
		sigaddset(&set, stops[i]);
	}
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

/*
 * The output stream writes through here rather than stdio's own
 * write, which gives up on EINTR and drops its buffer.  A write cut
 * short is resumed, a full non-blocking pipe waited on; the first real
 * error is kept with its errno (runloop stops on it, main reports it)
 * and what could not be written from then on is counted, not retried.
 */
static ssize_t
outwrite(void *cookie, const char *buf, size_t n)
{
	struct ld *ld = cookie;
	struct pollfd p;
	size_t done = 0;
	ssize_t w;

	while (!ld->werr && done < n) {
		w = write(ld->outfd, buf + done, n - done);
		if (w > 0) {
			done += (size_t)w;
		} else if (w < 0 && (errno == EAGAIN ||
		    errno == EWOULDBLOCK)) {
			p.fd = ld->outfd;
			p.events = POLLOUT;
			poll(&p, 1, -1);
		} else if (w == 0 || errno != EINTR) {
			ld->werr = w < 0 ? errno : EIO;
		}
	}
	ld->unwritten += n - done;
	return (ssize_t)n;
}

static int
outclosefd(void *cookie)
{
	struct ld *ld = cookie;

	if (ld->outfd != STDOUT_FILENO && close(ld->outfd) < 0 &&
	    !ld->werr)
		ld->werr = errno;	/* NFS and quotas say so late */
	return 0;
}

static void
openout(struct ld *ld)
{
	cookie_io_functions_t io = { .write = outwrite, .close = outclosefd };

	ld->outfd = ld->outpath ? out_create(ld->outpath) : STDOUT_FILENO;
	ld->out = fopencookie(ld, "w", io);
	if (!ld->out)
		fatal("open '%s':", ld->outpath ? ld->outpath : "<stdout>");
	/* as stdio does for stdout: a terminal sees each line */
	if (isatty(ld->outfd))
		setvbuf(ld->out, NULL, _IOLBF, 0);
}

/*
 * Splits CMD into words the way a shell would, with quotes and
 * backslashes, so that the pid of -c is the command's own (stap does
 * the same with wordexp).  -1 if it uses other shell syntax.
 */
static int
words(char *cmd, char **argv, int max)
{
	char *in = cmd, *out = cmd;
	int n = 0, q;

	for (;;) {
		while (*in == ' ' || *in == '\t')
			in++;
		if (!*in)
			break;
		if (n == max - 1)
			return -1;
		argv[n++] = out;
		while (*in && *in != ' ' && *in != '\t') {
			if (strchr("|&;<>()$`*?[#~{}\n", *in))
				return -1;
			if (*in == '\\' && in[1]) {
				*out++ = in[1];
				in += 2;
			} else if (*in == '\'' || *in == '"') {
				q = *in++;
				while (*in && *in != q) {
					if (q == '"' && strchr("$`", *in))
						return -1;
					if (q == '"' && *in == '\\' &&
					    strchr("\"\\", in[1]))
						in++;
					*out++ = *in++;
				}
				if (*in++ != q)
					return -1;
			} else
				*out++ = *in++;
		}
		if (*in)
			in++;
		*out++ = '\0';
	}
	argv[n] = NULL;
	return n;
}

/* Runs CMD: directly when it is plain words, else through sh -c */
static _Noreturn void
execcmd(const char *cmd)
{
	char *copy = estrdup(cmd), *argv[256];

	if (words(copy, argv, 256) > 0)
		execvp(argv[0], argv);
	else
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	fprintf(stderr, "%s: exec '%s': %s\n", argv0, cmd, strerror(errno));
	_exit(127);
}

static int
startchild(struct ld *ld)
{
	int p[2];
	char c;

	if (pipe(p) < 0)
		return -1;
	fflush(NULL);
	ld->child = fork();
	if (ld->child < 0)
		return -1;
	if (ld->child == 0) {
		close(p[1]);
		/* EOF: the loader gave up before the probes ran */
		if (read(p[0], &c, 1) != 1)
			_exit(0);
		close(p[0]);
		execcmd(ld->cmd);
	}
	close(p[0]);
	fcntl(p[1], F_SETFD, FD_CLOEXEC);
	ld->childpipe = p[1];
	return 0;
}

static void
releasechild(struct ld *ld)
{
	if (ld->childpipe < 0)
		return;
	if (write(ld->childpipe, "g", 1) != 1)
		fprintf(stderr, "%s: cannot start '%s': %s\n", argv0, ld->cmd,
		    strerror(errno));
	close(ld->childpipe);
	ld->childpipe = -1;
}

/* 0 if the child is gone (and how it went is reported), else 1 */
static int
childgone(struct ld *ld, int *bad, int hang)
{
	int st;
	pid_t r;

	if (ld->child <= 0)
		return 0;
	r = waitpid(ld->child, &st, hang ? 0 : WNOHANG);
	if (r == 0)
		return 1;
	ld->child = 0;
	if (r < 0)
		return 0;
	if (WIFEXITED(st) && WEXITSTATUS(st)) {
		fprintf(stderr, "WARNING: Child process exited with status "
		    "%d\n", WEXITSTATUS(st));
		*bad = 1;
	} else if (WIFSIGNALED(st) && WTERMSIG(st) != SIGTERM) {
		fprintf(stderr, "WARNING: Child process exited with signal "
		    "%d (%s)\n", WTERMSIG(st), strsignal(WTERMSIG(st)));
		*bad = 1;
	}
	return 0;
}

static int
options(struct ld *ld, int argc, char **argv)
{
	int i, nop = 0;
	char *e;
	const char *arg, *op = NULL;

	for (i = 1; i < argc; i++) {
		char *a = argv[i];

		if (a[0] != '-' || !a[1]) {
			op = a;
			nop++;
			continue;
		}

		if (!strcmp(a, "--help")) {
			help();
			exit(0);
		} else if (!strcmp(a, "--version")) {
			printf("stap-bpfld %s (libbpf %s)\n", VERSION,
			    libbpf_version_string());
			exit(0);
		} else if (!strcmp(a, "--raw")) {
			ld->raw = 1;
		} else if (!strncmp(a, "--procfs-dir", 12) &&
		    (!a[12] || a[12] == '=')) {
			ld->procdir = a[12] ? a + 13 : argv[++i];
			if (!ld->procdir || !*ld->procdir) {
				fprintf(stderr, "%s: option --procfs-dir wants "
				    "a directory\n%s", argv0, usage);
				return -1;
			}
		} else if (!strcmp(a, "--")) {
			for (i++; i < argc; i++, nop++)
				op = argv[i];
			break;
		} else if (a[1] == 'v' && strspn(a + 1, "v") == strlen(a + 1)) {
			ld->verbose += (int)strlen(a + 1);
		} else if (strchr("oTcxm", a[1]) && a[1]) {
			arg = a[2] ? a + 2 : argv[++i];
			if (!arg) {
				fprintf(stderr, "%s: option -%c wants an "
				    "argument\n%s", argv0, a[1], usage);
				return -1;
			}
			switch (a[1]) {
			case 'o': ld->outpath = arg; break;
			case 'c': ld->cmd = arg; break;
			case 'm':
				/* stap's: letters, digits and _ */
				if (!*arg || strspn(arg, "abcdefghijklmnopqrstuvw"
				    "xyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") !=
				    strlen(arg)) {
					fprintf(stderr, "%s: -m '%s': a module "
					    "name is letters, digits and _\n",
					    argv0, arg);
					return -1;
				}
				ld->module = arg;
				break;
			case 'T':
				ld->timeout = strtod(arg, &e);
				if (*e || e == arg || ld->timeout <= 0) {
					fprintf(stderr, "%s: -T '%s': not a "
					    "number of seconds\n", argv0, arg);
					return -1;
				}
				break;
			case 'x':
				ld->pid = strtol(arg, &e, 10);
				if (*e || e == arg || ld->pid <= 0) {
					fprintf(stderr, "%s: -x '%s': not a "
					    "pid\n", argv0, arg);
					return -1;
				}
				break;
			}
		} else {
			fprintf(stderr, "%s: unknown option '%s'\n%s", argv0, a,
			    usage);
			return -1;
		}
	}
	if (nop > 1) {
		fprintf(stderr, "%s: one .bo at a time\n%s", argv0, usage);
		return -1;
	}
	if (ld->cmd && ld->pid) {
		fprintf(stderr, "%s: -c and -x cannot go together\n", argv0);
		return -1;
	}
	ld->path = op ? op : "-";
	return 0;
}

/* stap_ctl.exit, read from the shared mapping when there is one */
static uint64_t
ctlexit(struct ld *ld)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < ld->numaps; i++)
		if (ld->umaps[i].fd == ld->ctlfd && ld->umaps[i].mapped) {
			memcpy(&v, ld->umaps[i].priv + CTL_EXIT, 8);
			return v;
		}
	return load_ctl(ld, CTL_EXIT, &v, 0) == 0 ? v : 0;
}

/*
 * Has the script asked to stop?  A kernel probe's runtime error of no
 * message leaves its site in stap_ctl.exit (lib/abi.h), not an ERROR
 * record: the record is made here, once, after what the buffer holds
 * (the probe's output before the error)
 */
static int
ctlstop(struct ld *ld)
{
	static int reported;
	uint64_t v = ctlexit(ld);
	uint32_t rec[2];

	if (v >= CTL_EXIT_ERROR && !reported) {
		reported = 1;
		events_poll(ld, 0);
		rec[0] = REC_ERROR;
		rec[1] = (uint32_t)(v - CTL_EXIT_ERROR);
		events_record(ld, rec, sizeof rec);
	}
	return v != 0;
}

/* Does any program, kernel or userspace, call bpf_get_current_task? */
static int
wants_task(const struct ld *ld)
{
	size_t i, j;

	for (i = 0; i < ld->bo->nprogs; i++)
		for (j = 0; j < ld->bo->progs[i].ninsn; j++) {
			const struct bpf_insn *in = &ld->bo->progs[i].insns[j];

			if (in->code == (BPF_JMP | BPF_CALL) &&
			    in->src_reg == 0 &&
			    (in->imm == BPF_FUNC_get_current_task ||
			    in->imm == BPF_FUNC_get_current_task_btf))
				return 1;
		}
	return 0;
}

/*
 * ppid() walks task_struct: the code reads where real_parent and tgid
 * are from stap_ctl, and we learn it from this kernel's BTF, so one .bo
 * serves kernels whose layouts differ (CO-RE by hand).  Parsing that
 * BTF costs most of a begin-only run (~5 MB read, twice that in RSS,
 * ~8 ms here), so only a .bo whose code walks a task pays for it.
 */
static void
task_offsets(struct ld *ld)
{
	struct btf *btf;
	const struct btf_type *t;
	const struct btf_member *m;
	uint64_t parent = 0, tgid = 0;
	int id, i;

	if (!wants_task(ld) || !(btf = btf__load_vmlinux_btf()))
		return;
	id = btf__find_by_name_kind(btf, "task_struct", BTF_KIND_STRUCT);
	t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	for (i = 0, m = t ? btf_members(t) : NULL; t && i < btf_vlen(t);
	    i++, m++) {
		const char *name = btf__name_by_offset(btf, m->name_off);

		if (name && !strcmp(name, "real_parent"))
			parent = btf_member_bit_offset(t, i) / 8;
		if (name && !strcmp(name, "tgid"))
			tgid = btf_member_bit_offset(t, i) / 8;
	}
	btf__free(btf);
	if (parent && tgid) {
		load_ctl(ld, CTL_TASK_PARENT, &parent, 1);
		load_ctl(ld, CTL_TASK_TGID, &tgid, 1);
	}
}

/*
 * tz_gmtoff() and tz_name(): what staprun passes, the standard time of
 * the zone in our environment (timezone and tzname[0] after tzset)
 */
static void
tz_ctl(struct ld *ld)
{
	char name[16] = { 0 };
	uint64_t v;

	tzset();
	v = (uint64_t)(int64_t)timezone;
	load_ctl(ld, CTL_TZOFF, &v, 1);
	if (tzname[0])
		strncpy(name, tzname[0], sizeof name - 1);
	memcpy(&v, name, 8);
	load_ctl(ld, CTL_TZNAME, &v, 1);
	memcpy(&v, name + 8, 8);
	load_ctl(ld, CTL_TZNAME + 8, &v, 1);
}

static void
setctl(struct ld *ld)
{
	struct timespec rt, mono;
	uint64_t v;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	v = (uint64_t)((rt.tv_sec - mono.tv_sec) * 1000000000LL +
	    (rt.tv_nsec - mono.tv_nsec));
	load_ctl(ld, CTL_REALTIME, &v, 1);
	v = ld->child > 0 ? (uint64_t)ld->child : (uint64_t)ld->pid;
	load_ctl(ld, CTL_TARGET, &v, 1);
	task_offsets(ld);
	tz_ctl(ld);
}

static void
runloop(struct ld *ld, int *bad)
{
	double end = ld->timeout > 0 ? now_ms() + ld->timeout * 1e3 : 0;
	int ms;

	while (!ld->exiting && !stop_signal) {
		ms = 100;
		if (ld->failed || ld->werr)
			break;
		if (end) {
			double left = end - now_ms();

			if (left <= 0)
				break;
			if (left < ms)
				ms = (int)left + 1;
		}
		/* what is printed shows while the script runs, as with
		 * stap: at most a poll interval late, even into a file */
		fflush(ld->out);
		if (procfs_poll(ld, ms) < 0) {
			fprintf(stderr, "%s: ring buffer: %s\n", argv0,
			    strerror(errno));
			*bad = 1;
			break;
		}
		if (ctlstop(ld))
			ld->exiting = 1;
		if (ld->cmd && (child_signal || ld->child > 0)) {
			child_signal = 0;
			if (!childgone(ld, bad, 0))
				break;
		}
	}
}

/* Timer and perf ticks the kernel dropped, as stap reports skipped
 * probes (they do not make the run fail) */
static void
report_skipped(struct ld *ld, uint64_t skipped)
{
	size_t i;

	fprintf(stderr, "WARNING: Number of skipped probes: %llu\n",
	    (unsigned long long)skipped);
	for (i = 0; i < ld->nkprogs; i++) {
		const struct kprog *k = &ld->kprogs[i];

		if (k->misses)
			fprintf(stderr, "WARNING: probe '%s': skipped %llu "
			    "times, another BPF program running on its CPU\n",
			    k->probe ? k->probe->point :
			    bpf_program__name(k->prog),
			    (unsigned long long)k->misses);
		if (k->ticks > k->ran + 1)
			fprintf(stderr, "WARNING: probe '%s': the kernel ran "
			    "%llu of its %llu periods (late or throttled "
			    "timer, or another BPF program running on its "
			    "CPU)\n", k->probe->point,
			    (unsigned long long)k->ran,
			    (unsigned long long)k->ticks);
	}
}

int
main(int argc, char **argv)
{
	static struct ld ld;     /* static: what it holds lives to the end */
	uint64_t lost = 0, errs = 0, skipped = 0;
	int bad = 0, rc = 1, started;

	argv0 = "stap-bpfld";
	memset(&ld, 0, sizeof ld);
	ld.childpipe = -1;
	ld.fmtfd = -1;
	if (options(&ld, argc, argv) < 0)
		return 2;
	verbose = ld.verbose;
	libbpf_set_print(printer);
	openout(&ld);
	phase_start = now_ms();
	if (ld.cmd && startchild(&ld) < 0) {
		fprintf(stderr, "%s: fork: %s\n", argv0, strerror(errno));
		return 1;
	}
	if (load_open(&ld) < 0)
		goto out;
	phase("open");
	if (load_load(&ld) < 0)
		goto out;
	setctl(&ld);
	if (user_init(&ld) < 0 || events_init(&ld) < 0)
		goto out;
	phase("load");
	handlers();
	if (load_attach(&ld) < 0)
		goto out;
	phase("attach");
	/*
	 * A signal before the begin probes stops a script that never
	 * started: no begin, no end probes (staprun's "exit before
	 * starting").  One during them cuts a runaway probe short (the
	 * interpreter polls stop_signal), and the end probes run.
	 */
	started = !stop_signal;
	ld.vm.intr = &stop_signal;
	if (started)
		user_run(&ld, PK_BEGIN);
	ld.vm.intr = NULL;
	/* kernel probes run once begin probes have, as in stap */
	if (!ld.exiting && !stop_signal && !ld.failed)
		load_gate(&ld, 1);
	/* the files, once begin probes have run, before the command
	 * that may read them starts */
	if (!ld.exiting && !stop_signal && !ld.failed &&
	    procfs_start(&ld) < 0)
		bad = 1;
	if (!ld.exiting && !stop_signal && !bad)
		releasechild(&ld);
	if (!bad)
		runloop(&ld, &bad);
	procfs_stop(&ld);
	/* the timers stop first, so that a tick after the gate closes is
	 * not counted as one the kernel dropped; then nothing counts
	 * after the stop, however long detaching takes */
	skipped = load_ticks(&ld);
	load_gate(&ld, 0);
	phase("run");
	load_detach(&ld);
	events_poll(&ld, 0);
	ctlstop(&ld);
	phase("detach");
	if (started)
		user_run(&ld, ld.failed ? PK_ERROR : PK_END);
	load_ctl(&ld, CTL_LOST, &lost, 0);
	load_ctl(&ld, CTL_ERRORS, &errs, 0);
	if (errs < ld.errors)
		errs = ld.errors;
	if (events_finish(&ld, lost, errs) < 0)
		bad = 1;
	if (skipped)
		report_skipped(&ld, skipped);
	phase("end");
	rc = errs || bad;
out:
	procfs_stop(&ld);
	if (ld.childpipe >= 0)
		close(ld.childpipe);	/* the child exits unrun */
	if (ld.child > 0 && childgone(&ld, &bad, 0)) {
		kill(ld.child, SIGTERM);
		childgone(&ld, &bad, 1);
	}
	events_free(&ld);
	user_free(&ld);
	load_close(&ld);
	fclose(ld.out);
	if (ld.werr) {
		/* nothing lost goes unsaid: the cause, and how much */
		fprintf(stderr, "%s: write '%s': %s (%llu bytes not written)\n",
		    argv0, ld.outpath ? ld.outpath : "<stdout>",
		    strerror(ld.werr), (unsigned long long)ld.unwritten);
		rc = 1;
	}
	return rc || bad;
}
