/*
 * Test helper: a fixed sequence of system calls, made with syscall(2)
 * so the C library picks none of them, for the syscall tapset's tests.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int
main(void)
{
	/* on the stack, so the pages are there when the tracepoint
	 * reads them (a read at a syscall's entry cannot fault them in) */
	char none[] = "/nonexistent-sysc", null[] = "/dev/null";
	char a[] = "/nonexistent-a", b[] = "/nonexistent-b";
	char dir[] = "/nonexistent-sysc/x", root[] = "/", hello[] = "hello";
	long fd, pid;
	void *p;
	int st;

	syscall(SYS_openat, AT_FDCWD, none, O_RDONLY);
	fd = syscall(SYS_openat, AT_FDCWD, null,
	    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	syscall(SYS_dup2, fd, 100);
	syscall(SYS_write, 100, hello, 5);
	syscall(SYS_lseek, 100, 0, SEEK_CUR);
	syscall(SYS_close, 100);
	syscall(SYS_close, -1);
	syscall(SYS_kill, getpid(), 0);
	p = (void *)syscall(SYS_mmap, NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	syscall(SYS_mprotect, p, 4096, PROT_READ);
	syscall(SYS_munmap, p, 4096);
	syscall(SYS_unlink, none);
	syscall(SYS_rename, a, b);
	syscall(SYS_mkdir, dir, 0755);
	syscall(SYS_access, root, R_OK | W_OK);
	pid = fork();
	if (pid == 0)
		_exit(0);
	syscall(SYS_wait4, pid, &st, 0, NULL);
	syscall(SYS_getppid);
	return 0;
}
