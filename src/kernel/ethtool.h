/* The ethtool settings a lab needs, through SIOCETHTOOL: TX checksum offload. */
#ifndef OVSLAB_ETHTOOL_H
#define OVSLAB_ETHTOOL_H

#include <stdbool.h>

/* Turns TX checksum offload off on ifname in the calling thread's current
 * network namespace.  Needed on the namespace end of veths attached to the
 * userspace datapath: otherwise TCP segments leave with bad checksums. */
int ethtool_tx_csum_off(const char *ifname);
/* The same through an AF_INET socket of the namespace the interface is in
 * (an ioctl acts in its socket's namespace): no need to move there. */
int ethtool_tx_csum_off_fd(int sockfd, const char *ifname);

/* Whether TX checksum offload is on (1) or off (0) on ifname, in the calling
 * thread's namespace; -errno (-EOPNOTSUPP: the driver cannot tell), no
 * message set. */
int ethtool_tx_csum_get(const char *ifname);
/* Turns it on or off. */
int ethtool_tx_csum_set(const char *ifname, bool on);

#endif
