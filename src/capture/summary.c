/* The one-line description of a frame that `ovslab capture` prints on a
 * terminal: enough to follow a ping or a connection, not a dissector. */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "capture/capture.h"

#define ETH_HLEN_ 14

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static const char *icmp4_name(uint8_t type)
{
	switch (type) {
	case 0: return "echo reply";
	case 3: return "unreachable";
	case 8: return "echo request";
	case 11: return "time exceeded";
	default: return NULL;
	}
}

static const char *icmp6_name(uint8_t type)
{
	switch (type) {
	case 1: return "unreachable";
	case 3: return "time exceeded";
	case 128: return "echo request";
	case 129: return "echo reply";
	case 133: return "router solicitation";
	case 134: return "router advertisement";
	case 135: return "neighbor solicitation";
	case 136: return "neighbor advertisement";
	case 143: return "MLDv2 report";
	default: return NULL;
	}
}

/* ICMP, TCP or UDP after the IP header; src/dst already printed. */
static void l4(uint8_t proto, const uint8_t *p, size_t len, bool v6, const char *src,
	       const char *dst, char *buf, size_t size)
{
	const char *name;

	if ((proto == 6 && len >= 20) || (proto == 17 && len >= 8)) {
		char flags[8] = "";
		size_t f = 0;

		if (proto == 6) {
			uint8_t fl = p[13];

			if (fl & 0x02) flags[f++] = 'S';
			if (fl & 0x01) flags[f++] = 'F';
			if (fl & 0x04) flags[f++] = 'R';
			if (fl & 0x08) flags[f++] = 'P';
			if (fl & 0x10) flags[f++] = '.';
			flags[f] = '\0';
		}
		snprintf(buf, size, "%s %s%s%u > %s%s%u %s%s%s", v6 ? "IPv6" : "IPv4", src,
			 v6 ? "." : ":", rd16(p), dst, v6 ? "." : ":", rd16(p + 2),
			 proto == 6 ? "TCP" : "UDP", f ? " " : "", flags);
		return;
	}
	if ((proto == 1 || proto == 58) && len >= 4) {
		name = proto == 1 ? icmp4_name(p[0]) : icmp6_name(p[0]);
		if (name && (p[0] == 0 || p[0] == 8 || p[0] == 128 || p[0] == 129) && len >= 8)
			snprintf(buf, size, "%s %s > %s ICMP%s %s id %u seq %u", v6 ? "IPv6" : "IPv4",
				 src, dst, v6 ? "6" : "", name, rd16(p + 4), rd16(p + 6));
		else if (name)
			snprintf(buf, size, "%s %s > %s ICMP%s %s", v6 ? "IPv6" : "IPv4", src, dst,
				 v6 ? "6" : "", name);
		else
			snprintf(buf, size, "%s %s > %s ICMP%s type %u", v6 ? "IPv6" : "IPv4", src,
				 dst, v6 ? "6" : "", p[0]);
		return;
	}
	snprintf(buf, size, "%s %s > %s proto %u", v6 ? "IPv6" : "IPv4", src, dst, proto);
}

void capture_summary(const uint8_t *p, size_t len, char *buf, size_t size)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	size_t off = ETH_HLEN_;
	uint16_t type;

	if (len < ETH_HLEN_) {
		snprintf(buf, size, "short frame (%zu bytes)", len);
		return;
	}
	type = rd16(p + 12);
	if ((type == 0x8100 || type == 0x88a8) && len >= off + 4) {
		type = rd16(p + off + 2);
		off += 4;
	}
	if (type == 0x0806 && len >= off + 28) {
		const uint8_t *a = p + off;

		inet_ntop(AF_INET, a + 14, src, sizeof(src));
		inet_ntop(AF_INET, a + 24, dst, sizeof(dst));
		if (rd16(a + 6) == 1)
			snprintf(buf, size, "ARP who-has %s tell %s", dst, src);
		else
			snprintf(buf, size, "ARP %s is-at %02x:%02x:%02x:%02x:%02x:%02x", src,
				 a[8], a[9], a[10], a[11], a[12], a[13]);
		return;
	}
	if (type == 0x0800 && len >= off + 20) {
		const uint8_t *ip = p + off;
		size_t ihl = (size_t)(ip[0] & 0x0f) * 4;

		inet_ntop(AF_INET, ip + 12, src, sizeof(src));
		inet_ntop(AF_INET, ip + 16, dst, sizeof(dst));
		if (ihl < 20 || len < off + ihl)
			ihl = len - off;
		l4(ip[9], ip + ihl, len - off - ihl, false, src, dst, buf, size);
		return;
	}
	if (type == 0x86dd && len >= off + 40) {
		const uint8_t *ip = p + off;
		uint8_t next = ip[6];
		size_t hl = 40;

		inet_ntop(AF_INET6, ip + 8, src, sizeof(src));
		inet_ntop(AF_INET6, ip + 24, dst, sizeof(dst));
		/* Hop-by-hop (MLD carries one) before the payload. */
		if (next == 0 && len >= off + hl + 8) {
			next = ip[hl];
			hl += (size_t)(ip[hl + 1] + 1) * 8;
			if (len < off + hl)
				hl = len - off;
		}
		l4(next, ip + hl, len - off - hl, true, src, dst, buf, size);
		return;
	}
	snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x > %02x:%02x:%02x:%02x:%02x:%02x ethertype 0x%04x, %zu bytes",
		 p[6], p[7], p[8], p[9], p[10], p[11], p[0], p[1], p[2], p[3], p[4], p[5], type, len);
}
