/* TX checksum offload off through SIOCETHTOOL (ethtool.h). */
#include "kernel/ethtool.h"

#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/err.h"

int ethtool_tx_csum_off_fd(int sockfd, const char *ifname)
{
	struct ethtool_value ev = { .cmd = ETHTOOL_STXCSUM, .data = 0 };
	struct ifreq ifr;

	if (strlen(ifname) >= sizeof(ifr.ifr_name)) {
		err_set("%s: cannot turn off TX checksum offload: %s", ifname, strerror(EINVAL));
		return -EINVAL;
	}
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, ifname);
	ifr.ifr_data = (char *)&ev;
	if (ioctl(sockfd, SIOCETHTOOL, &ifr) < 0) {
		int ret = -errno;

		err_set("%s: cannot turn off TX checksum offload: %s", ifname, strerror(errno));
		return ret;
	}
	return 0;
}

int ethtool_tx_csum_off(const char *ifname)
{
	/* The socket's namespace decides which interface the name means. */
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int ret;

	if (fd < 0) {
		ret = -errno;
		err_set("%s: cannot turn off TX checksum offload: %s", ifname, strerror(errno));
		return ret;
	}
	ret = ethtool_tx_csum_off_fd(fd, ifname);
	close(fd);
	return ret;
}
