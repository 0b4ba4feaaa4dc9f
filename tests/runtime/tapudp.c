/*
 * Test helper for the netdev.* and softirq.* tapset test
 * (tapset_netdev.stp): three UDP datagrams of 1237 bytes from one
 * socket to another, both on 127.0.0.1 (the loopback device), each
 * received before the next is sent.  1237 + 8 (UDP) + 20 (IPv4) is a
 * packet of 1265 bytes, 1279 with the Ethernet header loopback adds.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int
main(void)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof a;
	char buf[1237];
	int rx, tx, i;

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((rx = socket(AF_INET, SOCK_DGRAM, 0)) < 0 ||
	    (tx = socket(AF_INET, SOCK_DGRAM, 0)) < 0 ||
	    bind(rx, (struct sockaddr *)&a, sizeof a) < 0 ||
	    getsockname(rx, (struct sockaddr *)&a, &alen) < 0)
		return 1;
	memset(buf, 'u', sizeof buf);
	for (i = 0; i < 3; i++) {
		if (sendto(tx, buf, sizeof buf, 0, (struct sockaddr *)&a,
		    sizeof a) != (ssize_t)sizeof buf ||
		    recv(rx, buf, sizeof buf, 0) != (ssize_t)sizeof buf)
			return 1;
	}
	return 0;
}
