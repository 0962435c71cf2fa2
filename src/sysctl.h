/* /proc/sys access.  Network sysctls are per namespace: they are read and
 * written in the calling thread's current network namespace. */
#ifndef OVSLAB_SYSCTL_H
#define OVSLAB_SYSCTL_H

#include <stddef.h>

/* key is a path below /proc/sys, e.g. "net/ipv4/ip_forward" (slashes: interface
 * names may contain dots). */
int sysctl_read(const char *key, char *buf, size_t len);
int sysctl_write(const char *key, const char *value);

#endif
