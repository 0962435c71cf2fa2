#include "ethtool.h"

#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "err.h"

int ethtool_tx_csum_off(const char *ifname)
{
	struct ethtool_value ev = { .cmd = ETHTOOL_STXCSUM, .data = 0 };
	struct ifreq ifr;
	int fd = -1;
	int ret = 0;

	if (strlen(ifname) >= sizeof(ifr.ifr_name)) {
		ret = -EINVAL;
		err_set("%s: cannot turn off TX checksum offload: %s", ifname, strerror(EINVAL));
		goto out;
	}
	/* The socket's namespace decides which interface the name means. */
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = -errno;
		err_set("%s: cannot turn off TX checksum offload: %s", ifname, strerror(errno));
		goto out;
	}
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, ifname);
	ifr.ifr_data = (char *)&ev;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0) {
		ret = -errno;
		err_set("%s: cannot turn off TX checksum offload: %s", ifname, strerror(errno));
		goto out;
	}
out:
	if (fd >= 0)
		close(fd);
	return ret;
}
