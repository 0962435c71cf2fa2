/* Inside kernel/: the routing socket's parts that rtnl.c lends the other
 * rtnetlink users of kernel/ (tc.c for traffic control, ifstate.c for a
 * borrowed interface's state): the socket, one request and its answer,
 * attribute parsing, names for messages. */
#ifndef OVSLAB_RTNL_INT_H
#define OVSLAB_RTNL_INT_H

#include <libmnl/libmnl.h>
#include <net/if.h>

#include "kernel/rtnl.h"

/* Large enough for any message of a dump: the kernel fills up to 32 KiB. */
#define RTNL_RECV_SIZE 32768
/* Every request built here is a header plus a few attributes. */
#define RTNL_REQ_SIZE 1024
/* Highest attribute type kept when parsing; larger ones are not used. */
#define RTNL_ATTR_MAX 127
/* An interface name, or "ifindex N" when it cannot be had. */
#define RTNL_IFNAME_STR 32

struct rtnl {
	struct mnl_socket *sock;
	unsigned int portid;
	unsigned int seq;
	char buf[RTNL_RECV_SIZE];
};

struct rtnl_req {
	char buf[RTNL_REQ_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
};

struct rtnl_attrs {
	const struct nlattr *tb[RTNL_ATTR_MAX + 1];
};

/* A zeroed request of type with flags (NLM_F_ACK added unless it is a
 * dump). */
struct nlmsghdr *rtnl_msg(struct rtnl_req *req, int type, int flags);
/* Sends one request and runs cb (may be NULL) on each reply until its ACK or
 * the end of its dump; 0 or a negative errno (no message set). */
int rtnl_talk(struct rtnl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);
void rtnl_attrs_parse(const struct nlmsghdr *nlh, size_t hdrlen, struct rtnl_attrs *a);
/* What the kernel can do, tried in a child process in a network namespace
 * of its own: probe(sock) runs there with a raw NETLINK_ROUTE socket and
 * returns 0 (it can), 1 (it cannot) or 2 (the probe failed).  No malloc in
 * probe (the parent may have threads): stack buffers only.  1, 0, or
 * -errno with a message naming what. */
int rtnl_probe(int (*probe)(int sock), const char *what);
/* In a probe: one request on sock, its ACK's error (0 or -errno); 1 when
 * no answer came. */
int rtnl_probe_talk(int s, const struct nlmsghdr *nlh);
/* The name of ifindex in the socket's namespace; -ENODEV if none. */
int rtnl_link_name(struct rtnl *nl, int ifindex, char name[IF_NAMESIZE]);
/* For messages: the interface's name, or "ifindex N". */
const char *rtnl_ifname(struct rtnl *nl, int ifindex, char buf[RTNL_IFNAME_STR]);

#endif
