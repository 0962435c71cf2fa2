/* A lab bridge's OpenFlow meters: declared in ovs-ofctl add-meter syntax,
 * parsed with libopenvswitch's meter parser, set on the switch next to its
 * flow table and dumped with it.  Only the OVS glue files use this header;
 * the OVS types it names are opaque here. */
#ifndef OVSLAB_METERS_H
#define OVSLAB_METERS_H

#include <stdint.h>
#include <stdio.h>

struct ofpbuf;
struct vconn;

/* The meter-mod commands ovslab sends (OpenFlow 1.3 OFPMC13_*). */
enum meters_cmd {
	METERS_ADD,
	METERS_MODIFY,
	METERS_DELETE,
};

/* Parses text (add-meter syntax) for cmd; with version (an OpenFlow wire
 * version, 0 for none) *msg is the meter mod encoded, and *id the meter's
 * number.  NULL, or the parser's message (malloc'd, the caller frees it). */
char *meters_parse(enum meters_cmd cmd, const char *text, int version, uint32_t *id,
		   struct ofpbuf **msg);

/* The numbers of the meters the switch has on the bridge (*ids malloc'd).
 * The connection must speak OpenFlow 1.3 or later. */
int meters_list(struct vconn *vconn, const char *bridge, uint32_t **ids, size_t *n);

/* Prints the bridge's meters, one a line, as ovs-ofctl dump-meters shows
 * them.  Prints nothing below OpenFlow 1.3, where there are none. */
int meters_dump(struct vconn *vconn, const char *bridge, FILE *out);

#endif
