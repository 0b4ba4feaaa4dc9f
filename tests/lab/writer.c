/* Test helper: open PATH (default /dev/null) and write(2) N times SIZE
 * bytes to it, then exit. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	static char buf[65536];
	long i, n = argc > 1 ? atol(argv[1]) : 1;
	size_t size = argc > 2 ? (size_t)atol(argv[2]) : 1;
	int fd = open(argc > 3 ? argv[3] : "/dev/null", O_WRONLY);

	if (fd < 0 || size > sizeof buf)
		return 1;
	for (i = 0; i < n; i++)
		if (write(fd, buf, size) != (ssize_t)size)
			return 1;
	return 0;
}
