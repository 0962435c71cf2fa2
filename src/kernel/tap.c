/* TAP devices (tap.h): TUNSETIFF, TUNSETOWNER/GROUP, TUNSETPERSIST. */
#include "kernel/tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* Without ARP, like the lab's veth ports: the machine would otherwise
 * answer a VM's ARP for the gateway on the tap, and the VM's traffic would
 * bypass the switch. */
static int tap_noarp(struct ifreq *ifr)
{
	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int ret = 0;

	if (sock < 0)
		return -errno;
	if (ioctl(sock, SIOCGIFFLAGS, ifr) < 0)
		ret = -errno;
	ifr->ifr_flags |= IFF_NOARP;
	if (ret == 0 && ioctl(sock, SIOCSIFFLAGS, ifr) < 0)
		ret = -errno;
	close(sock);
	return ret;
}

int tap_create(const struct lab_tap *t)
{
	struct ifreq ifr = { 0 };
	int fd, ret = 0;

	/* TUNSETIFF attaches to an existing tap of that name instead of
	 * failing: only a name that is free is ours to make. */
	if (if_nametoindex(t->name))
		return -EEXIST;
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	strncpy(ifr.ifr_name, t->name, IFNAMSIZ - 1);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (t->queues > 1 ? IFF_MULTI_QUEUE : 0) |
			(t->vnet_hdr ? IFF_VNET_HDR : 0);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0 ||
	    (t->uid >= 0 && ioctl(fd, TUNSETOWNER, (unsigned long)t->uid) < 0) ||
	    (t->gid >= 0 && ioctl(fd, TUNSETGROUP, (unsigned long)t->gid) < 0) ||
	    ioctl(fd, TUNSETPERSIST, 1UL) < 0)
		ret = -errno;
	else
		ret = tap_noarp(&ifr);
	close(fd);
	return ret;
}
