/* The pcapng file format (the few blocks ovslab writes): a section header,
 * one interface description per captured interface, named, and one enhanced
 * packet block per packet.  libpcap's dumper writes classic pcap only. */
#ifndef OVSLAB_PCAPNG_H
#define OVSLAB_PCAPNG_H

#include <stdint.h>
#include <stdio.h>

/* Section header block; -errno (message set) when out cannot take it. */
int pcapng_section(FILE *out);
/* Interface description block: link type (DLT_*), snap length, name
 * (if_name) and timestamps in microseconds (the default resolution).
 * Interfaces are numbered from 0 in the order they are described. */
int pcapng_interface(FILE *out, uint16_t linktype, uint32_t snaplen, const char *name);
/* Enhanced packet block on interface iface: caplen bytes of a packet of
 * len bytes, taken at ts_us microseconds since the epoch. */
int pcapng_packet(FILE *out, uint32_t iface, uint64_t ts_us, const uint8_t *data,
		  uint32_t caplen, uint32_t len);

#endif
