/*
 * Test helper for the ioblock.* and irq_handler.* tapset test
 * (tapset_ioblock.stp), given a file name on a block device's file
 * system: two 8192-byte O_DIRECT writes to it (each a bio of the
 * process's own pages, waited for before the next); then 4096 bytes
 * written to NAME.b through the page cache and fsync()ed (a bio of
 * the file's page cache page, written back by the fsync in this
 * process).  Before that fsync, an lseek() to NAME.b's inode number
 * tells the script which inode that is.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	char name[4096];
	struct stat st;
	void *buf;
	int fd;

	if (argc != 2 || posix_memalign(&buf, 4096, 8192))
		return 2;
	memset(buf, 'd', 8192);
	fd = open(argv[1], O_CREAT | O_TRUNC | O_WRONLY | O_DIRECT, 0600);
	if (fd < 0 || pwrite(fd, buf, 8192, 0) != 8192 ||
	    pwrite(fd, buf, 8192, 8192) != 8192 || fdatasync(fd))
		return 1;
	close(fd);
	snprintf(name, sizeof name, "%s.b", argv[1]);
	fd = open(name, O_CREAT | O_TRUNC | O_WRONLY, 0600);
	if (fd < 0 || write(fd, buf, 4096) != 4096 || fstat(fd, &st) ||
	    lseek(fd, (off_t)st.st_ino, SEEK_SET) < 0 || fsync(fd))
		return 1;
	close(fd);
	unlink(name);
	unlink(argv[1]);
	return 0;
}
