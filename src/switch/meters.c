/* OpenFlow meters of a lab bridge through libopenvswitch (meters.h). */
#include <config.h>

#include "switch/meters.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

#include "openvswitch/dynamic-string.h"
#include "openvswitch/list.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-meter.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/vconn.h"
#include "util.h"

static const uint16_t meters_cmds[] = {
	[METERS_ADD] = OFPMC13_ADD,
	[METERS_MODIFY] = OFPMC13_MODIFY,
	[METERS_DELETE] = OFPMC13_DELETE,
};

char *meters_parse(enum meters_cmd cmd, const char *text, int version, uint32_t *id,
		   struct ofpbuf **msg)
{
	enum ofputil_protocol usable;
	struct ofputil_meter_mod mm;
	char *error;

	/* Encoding a meter mod for an older version would abort. */
	if (version && version < OFP13_VERSION)
		return xasprintf("meters need OpenFlow 1.3 or later, the bridge speaks %s",
				 ofputil_version_to_string(version));
	memset(&mm, 0, sizeof(mm));
	error = parse_ofp_meter_mod_str(&mm, text, meters_cmds[cmd], &usable);
	if (!error && id)
		*id = mm.meter.meter_id;
	if (!error && version)
		*msg = ofputil_encode_meter_mod(version, &mm);
	/* The parser may have taken the bands before it found the mistake. */
	free(mm.meter.bands);
	return error;
}

/* One meter's configuration on one line: the library breaks before each band. */
static void meters_format(struct ds *s, const struct ofputil_meter_config *mc)
{
	struct ds one = DS_EMPTY_INITIALIZER;

	ofputil_format_meter_config(&one, mc);
	ds_chomp(&one, '\n');
	for (const char *p = ds_cstr(&one); *p; p++)
		if (*p != '\n')
			ds_put_char(s, *p);
		else if (p[-1] != '=')
			ds_put_char(s, ' ');
	ds_destroy(&one);
}

/* Walks the bridge's meter configurations: their numbers into ids, or their
 * lines into text. */
static int meters_walk(struct vconn *vconn, const char *bridge, struct ds *text, uint32_t **ids,
		       size_t *n)
{
	struct ofpbuf bands, *reply;
	struct ovs_list reqs, replies;
	int ret;

	ovs_list_init(&reqs);
	ovs_list_push_back(&reqs, &ofputil_encode_meter_request(vconn_get_version(vconn),
							       OFPUTIL_METER_CONFIG,
							       OFPM13_ALL)->list_node);
	ret = vconn_transact_multipart(vconn, &reqs, &replies);
	if (ret) {
		err_set("bridge %s: no meter list from the switch: %s", bridge,
			ovs_retval_to_string(ret));
		return -EPROTO;
	}
	ofpbuf_init(&bands, 64);
	LIST_FOR_EACH (reply, list_node, &replies) {
		struct ofputil_meter_config mc;
		enum ofptype type;
		int r = EOF;

		if (ofptype_pull(&type, reply) || type != OFPTYPE_METER_CONFIG_STATS_REPLY) {
			err_set("bridge %s: the switch answered the meter list request with something "
				"else", bridge);
			ret = -EPROTO;
			break;
		}
		while (ret == 0 && (r = ofputil_decode_meter_config(reply, &mc, &bands)) == 0) {
			uint32_t *nids;

			if (text) {
				meters_format(text, &mc);
				ds_put_char(text, '\n');
				continue;
			}
			nids = realloc(*ids, (*n + 1) * sizeof(*nids));
			if (!nids) {
				ret = -ENOMEM;
				break;
			}
			*ids = nids;
			nids[(*n)++] = mc.meter_id;
		}
		if (ret == 0 && r != EOF) {
			err_set("bridge %s: the switch's meter list does not decode: %s", bridge,
				ofperr_to_string(r));
			ret = -EPROTO;
		}
		if (ret < 0)
			break;
	}
	ofpbuf_uninit(&bands);
	ofpbuf_list_delete(&replies);
	return ret;
}

int meters_list(struct vconn *vconn, const char *bridge, uint32_t **ids, size_t *n)
{
	*ids = NULL;
	*n = 0;
	return meters_walk(vconn, bridge, NULL, ids, n);
}

int meters_dump(struct vconn *vconn, const char *bridge, FILE *out)
{
	struct ds s = DS_EMPTY_INITIALIZER;
	int ret = 0;

	if (vconn_get_version(vconn) >= OFP13_VERSION)
		ret = meters_walk(vconn, bridge, &s, NULL, NULL);
	if (ret == 0)
		fputs(ds_cstr(&s), out);
	ds_destroy(&s);
	return ret;
}
