/*
 * Test helper for the tracepoint C argument tests (tp_args*.stp): each
 * event once, in this order: SIGUSR2 to itself (handled), dup(-1)
 * (fails with EBADF), a fork by a bare clone(CLONE_CHILD_SETTID |
 * SIGCHLD) (clone flags exactly 0x1000000: the kernel keeps the exit
 * signal apart) whose child sleeps 100 ms and exits, and a wait for it
 * (the parent blocks, TASK_INTERRUPTIBLE).  With an argument, first
 * waits (up to 20 s) for that file to exist.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void
onusr2(int sig)
{
	(void)sig;
}

int
main(int argc, char **argv)
{
	struct timespec ts = { 0, 100000000 }, poll = { 0, 10000000 };
	long pid;
	int tid, i;

	for (i = 0; argc > 1 && i < 2000 && access(argv[1], F_OK); i++)
		nanosleep(&poll, NULL);
	signal(SIGUSR2, onusr2);
	kill(getpid(), SIGUSR2);
	syscall(SYS_dup, -1);
	pid = syscall(SYS_clone, (long)(CLONE_CHILD_SETTID | SIGCHLD), 0L,
	    (int *)0, &tid, 0L);
	if (pid == 0) {
		nanosleep(&ts, NULL);
		syscall(SYS_exit, 0);
	}
	if (pid > 0)
		waitpid((pid_t)pid, NULL, 0);
	return 0;
}
