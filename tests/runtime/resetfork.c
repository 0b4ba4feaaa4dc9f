/* Test helper: with an argument of 1, set SCHED_RESET_ON_FORK on
 * itself (SCHED_OTHER, as any user may), then make one getppid call. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct sched_param sp = { 0 };

	if (argc > 1 && atoi(argv[1]) == 1 &&
	    sched_setscheduler(0, SCHED_OTHER | SCHED_RESET_ON_FORK, &sp))
		return 1;
	syscall(SYS_getppid);
	return 0;
}
