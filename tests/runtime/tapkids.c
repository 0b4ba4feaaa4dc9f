/*
 * Test helper for the scheduler, kprocess, process.thread and signal
 * tapset tests (tapset_sched.stp, tapset_kprocess.stp,
 * tapset_signal.stp): each event a known number of times, in this
 * order: pinned to CPU 0, then to CPU 1 (a migration from 0 to 1);
 * SIGUSR1 to itself by kill(), SIGUSR2 to itself by tgkill() (both
 * handled); three children by fork() that exit with 11, 12 and 13, and
 * are waited for one by one; a thread, joined; a child that execs
 * /bin/true, waited for; an execve() of a file that does not exist;
 * a 20 ms sleep.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void
onsig(int sig)
{
	(void)sig;
}

static void *
thread(void *arg)
{
	return arg;
}

static void
pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof set, &set);
}

int
main(void)
{
	struct timespec ts = { 0, 20000000 };
	char *argv[] = { "true", NULL }, *envp[] = { NULL };
	char nofile[] = "/nonexistent/tapkids";
	pthread_t t;
	pid_t kid;
	int i;

	pin(0);
	pin(1);
	signal(SIGUSR1, onsig);
	signal(SIGUSR2, onsig);
	kill(getpid(), SIGUSR1);
	syscall(SYS_tgkill, getpid(), gettid(), SIGUSR2);
	for (i = 0; i < 3; i++) {
		if ((kid = fork()) == 0)
			_exit(11 + i);
		if (kid > 0)
			waitpid(kid, NULL, 0);
	}
	if (pthread_create(&t, NULL, thread, NULL) == 0)
		pthread_join(t, NULL);
	if ((kid = fork()) == 0) {
		/* on the stack, so the page is there when the tracepoint
		 * reads it (the child has not faulted in the binary's) */
		char path[] = "/bin/true";

		execve(path, argv, envp);
		_exit(127);
	}
	if (kid > 0)
		waitpid(kid, NULL, 0);
	execve(nofile, argv, envp);
	nanosleep(&ts, NULL);
	return 0;
}
