/*
 * Bench helper: print the verifier's processed-instruction count
 * (bpf_prog_info.verified_insns, kernel 5.16 and up) of the BPF program
 * with id ID; bpftool 7.1 does not show it.  Prints nothing on failure.
 */
#define _GNU_SOURCE
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	union bpf_attr a;
	struct bpf_prog_info info;
	int fd;

	if (argc != 2)
		return 2;
	memset(&a, 0, sizeof a);
	a.prog_id = (unsigned)atol(argv[1]);
	fd = (int)syscall(SYS_bpf, BPF_PROG_GET_FD_BY_ID, &a, sizeof a);
	if (fd < 0)
		return 1;
	memset(&info, 0, sizeof info);
	memset(&a, 0, sizeof a);
	a.info.bpf_fd = (unsigned)fd;
	a.info.info_len = sizeof info;
	a.info.info = (unsigned long)&info;
	if (syscall(SYS_bpf, BPF_OBJ_GET_INFO_BY_FD, &a, sizeof a) < 0)
		return 1;
	printf("%u\n", info.verified_insns);
	return 0;
}
