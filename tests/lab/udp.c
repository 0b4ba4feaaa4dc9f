/* Test helper: bring the loopback interface up, then send N datagrams
 * of SIZE bytes from 127.0.0.1:5001 to 127.0.0.1:5002 and receive
 * them, then exit. */
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int
bound(int port)
{
	struct sockaddr_in a;
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) < 0)
		exit(1);
	return s;
}

int
main(int argc, char **argv)
{
	static char buf[65536];
	long i, n = argc > 1 ? atol(argv[1]) : 1;
	size_t size = argc > 2 ? (size_t)atol(argv[2]) : 1;
	struct sockaddr_in to;
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM, 0), tx, rx;

	memset(&ifr, 0, sizeof ifr);
	strcpy(ifr.ifr_name, "lo");
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return 1;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0 || size > sizeof buf)
		return 1;
	tx = bound(5001);
	rx = bound(5002);
	memset(&to, 0, sizeof to);
	to.sin_family = AF_INET;
	to.sin_port = htons(5002);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < n; i++) {
		if (sendto(tx, buf, size, 0, (struct sockaddr *)&to,
		    sizeof to) != (ssize_t)size)
			return 1;
		if (recv(rx, buf, sizeof buf, 0) != (ssize_t)size)
			return 1;
	}
	return 0;
}
