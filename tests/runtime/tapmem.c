/*
 * Test helper for the vm.* tapset test (tapset_vm.stp): three fresh
 * anonymous mappings, each named to the script by an madvise() of it
 * first (advice 0, 1, 2: no effect on anonymous memory): 8 pages
 * written (8 user-mode write faults), 4 pages read (4 read faults),
 * and a page a read() from a pipe fills (a kernel-mode write fault in
 * copy_to_user); then a poll() of 100 fds, all -1, whose last 70
 * entries the kernel kmallocs (16 + 70 * 8 = 576 bytes) and kfrees,
 * and an open() of a missing file, whose name the kernel copies into
 * a names_cache object (4096 bytes) and frees.
 */
#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <unistd.h>

static char *
region(size_t len, int advice)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		_exit(1);
	madvise(p, len, advice);
	return p;
}

int
main(void)
{
	struct pollfd fds[100];
	volatile char *w, *r;
	char *k;
	int i, pfd[2], sum = 0;

	w = region(8 * 4096, MADV_NORMAL);
	for (i = 0; i < 8; i++)
		w[i * 4096] = 1;
	r = region(4 * 4096, MADV_RANDOM);
	for (i = 0; i < 4; i++)
		sum += r[i * 4096];
	k = region(4096, MADV_SEQUENTIAL);
	if (pipe(pfd) == 0 && write(pfd[1], "x", 1) == 1 &&
	    read(pfd[0], k, 1) != 1)
		return 1;
	for (i = 0; i < 100; i++) {
		fds[i].fd = -1;
		fds[i].events = POLLIN;
	}
	poll(fds, 100, 0);
	open("/nonexistent/tapmem", O_RDONLY);
	return sum;
}
