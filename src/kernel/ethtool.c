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

static int ethtool_value_fd(int sockfd, const char *ifname, struct ethtool_value *ev)
{
	struct ifreq ifr;

	if (strlen(ifname) >= sizeof(ifr.ifr_name))
		return -EINVAL;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, ifname);
	ifr.ifr_data = (char *)ev;
	return ioctl(sockfd, SIOCETHTOOL, &ifr) < 0 ? -errno : 0;
}

static int ethtool_tx_csum_fd(int sockfd, const char *ifname, bool on)
{
	struct ethtool_value ev = { .cmd = ETHTOOL_STXCSUM, .data = on };
	int ret = ethtool_value_fd(sockfd, ifname, &ev);

	if (ret < 0)
		err_set("%s: cannot turn %s TX checksum offload: %s", ifname, on ? "on" : "off",
			strerror(-ret));
	return ret;
}

int ethtool_tx_csum_off_fd(int sockfd, const char *ifname)
{
	return ethtool_tx_csum_fd(sockfd, ifname, false);
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

int ethtool_tx_csum_get(const char *ifname)
{
	struct ethtool_value ev = { .cmd = ETHTOOL_GTXCSUM };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int ret;

	if (fd < 0)
		return -errno;
	ret = ethtool_value_fd(fd, ifname, &ev);
	close(fd);
	return ret < 0 ? ret : ev.data != 0;
}

int ethtool_tx_csum_set(const char *ifname, bool on)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int ret;

	if (fd < 0) {
		ret = -errno;
		err_set("%s: cannot change TX checksum offload: %s", ifname, strerror(errno));
		return ret;
	}
	ret = ethtool_tx_csum_fd(fd, ifname, on);
	close(fd);
	return ret;
}
