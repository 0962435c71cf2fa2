/* /proc/sys access.  Network sysctls are per namespace: they are read and
 * written in the calling thread's current network namespace. */
#ifndef OVSLAB_SYSCTL_H
#define OVSLAB_SYSCTL_H

#include <stddef.h>

/* key is a path below /proc/sys, e.g. "net/ipv4/ip_forward" (slashes: interface
 * names may contain dots). */
int sysctl_read(const char *key, char *buf, size_t len);
int sysctl_write(const char *key, const char *value);

/* /proc/sys/net of the calling thread's namespace, as a directory fd.  Every
 * namespace has its own /proc/sys/net entry, all hashed alike, so a lookup
 * from /proc/sys walks one entry per namespace on the machine: with a
 * thousand hosts that walk costs more than the write.  Below this fd it does
 * not.  Only valid while the thread stays in that namespace. */
int sysctl_net_open(void);
/* key below /proc/sys/net, e.g. "ipv6/conf/ns01_tap/disable_ipv6". */
int sysctl_net_write(int netfd, const char *key, const char *value);

#endif
