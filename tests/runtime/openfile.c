/* Test helper: try to open each path named on the command line. */
#include <fcntl.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	int i, fd;

	for (i = 1; i < argc; i++)
		if ((fd = open(argv[i], O_RDONLY)) >= 0)
			close(fd);
	return 0;
}
