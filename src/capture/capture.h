/* Packet capture through libpcap: one handle per interface, each opened
 * inside the interface's network namespace (the packet socket keeps it),
 * all read by one poll loop and merged in arrival order into one pcapng
 * stream or one line per packet. */
#ifndef OVSLAB_CAPTURE_H
#define OVSLAB_CAPTURE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct capture_target {
	char name[80];      /* as the file and the lines name it: "ns01:eth0" */
	char ifname[16];    /* inside ns_fd's namespace */
	int ns_fd;          /* the namespace; -1: the calling thread's own */
};

struct capture_opts {
	const char *filter;  /* pcap filter expression; NULL: everything */
	uint64_t count;      /* stop after this many packets; 0: no limit */
	double duration;     /* stop after this many seconds; 0: no limit */
	FILE *pcapng;        /* pcapng to here (flushed per packet) ... */
	FILE *text;          /* ... or, if pcapng is NULL, one line per packet */
};

/* Captures on every target until the count, the duration, SIGINT or SIGTERM
 * (or a reader gone: EPIPE), and leaves a complete file.  Every handle is
 * opened and its filter compiled before the first packet is read.  *seen
 * (if not NULL) gets the number of packets written.  0 or -errno with a
 * message naming the interface or the filter. */
int capture_run(const struct capture_target *t, size_t n, const struct capture_opts *o,
		uint64_t *seen);

/* One line about a captured Ethernet frame: addresses, protocol, ports
 * (ARP, IPv4, IPv6, ICMP, TCP, UDP), without the time or the interface. */
void capture_summary(const uint8_t *p, size_t len, char *buf, size_t size);

#endif
