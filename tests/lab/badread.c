/* Test helper: read(2) N times COUNT bytes (-5: a count no buffer has)
 * from /dev/zero, each failing, then exit. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	static char buf[16];
	long i, n = argc > 1 ? atol(argv[1]) : 1;
	size_t count = (size_t)(argc > 2 ? atol(argv[2]) : -5);
	int fd = open("/dev/zero", O_RDONLY);

	if (fd < 0)
		return 1;
	for (i = 0; i < n; i++)
		if (read(fd, buf, count) >= 0)
			return 1;
	return 0;
}
