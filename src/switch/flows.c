/* OpenFlow flows and groups of a lab bridge through libopenvswitch: parsing,
 * installing over vconn, dumping and tracing (flows.h). */
#include <config.h>

#include "switch/flows.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/err.h"
#include "switch/meters.h"
#include "switch/switchd.h"
#include "switch/ovslib.h"

#include "flow.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/list.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-group.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-port.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/vconn.h"
#include "util.h"

/* The flow that OVS puts in a bridge nobody programmed. */
#define FLOWS_DEFAULT "priority=0,actions=NORMAL"

/* One message of a table replacement, and the declaration it came from
 * (NULL for the deletes ovslab adds), to name it when the switch refuses it. */
struct flows_msg {
	ovs_be32 xid;
	const struct lab_flow *from;
	enum flows_kind kind;
};

struct flows_batch {
	const struct lab *lab;
	struct ovs_list reqs;
	struct flows_msg *msgs;
	size_t n_msgs;
};

static const char *const flows_what[] = {
	[FLOWS_FLOW] = "flow", [FLOWS_GROUP] = "group", [FLOWS_METER] = "meter",
};
static const int flows_add_cmd[] = {
	[FLOWS_FLOW] = OFPFC_ADD, [FLOWS_GROUP] = OFPGC11_ADD, [FLOWS_METER] = METERS_ADD,
};

static void flows_map_fake(struct ofputil_port_map *map, const char *bridge,
			   const char *const *ports, size_t n)
{
	ofputil_port_map_init(map);
	ofputil_port_map_put(map, OFPP_LOCAL, bridge);
	for (size_t i = 0; i < n; i++)
		ofputil_port_map_put(map, u16_to_ofp((uint16_t)(i + 1)), ports[i]);
}

int flows_version_parse(const char *name)
{
	/* ovs-ofctl also takes "OpenFlow10,OpenFlow13" lists: one version here */
	if (!name || strchr(name, ','))
		return 0;
	return ofputil_version_from_string(name);
}

const char *flows_version_name(int version)
{
	return version >= OFP10_VERSION && version <= OFP15_VERSION
		? ofputil_version_to_string(version) : NULL;
}

bool flows_version_can(unsigned usable, int version)
{
	return (usable & ofputil_protocols_from_ofp_version(version)) != 0;
}

int flows_version_choose(unsigned usable, unsigned allowed, int want)
{
	if (want)
		return flows_version_can(usable, want) ? want : 0;
	for (int v = OFP15_VERSION; v >= OFP10_VERSION; v--)
		if ((!allowed || allowed & (1u << v)) && flows_version_can(usable, v))
			return v;
	return 0;
}

/* Parses one flow, group or meter mod; with a wire format p, *msg is it
 * encoded in p.  *usable (if not NULL) is ANDed with the formats that can
 * say it: groups need OpenFlow 1.1, meters 1.3. */
static char *flows_parse(enum flows_kind kind, int command, const char *text,
			 const struct ofputil_port_map *map, enum ofputil_protocol p,
			 unsigned *usable_out, struct ofpbuf **msg)
{
	enum ofp_version v = p ? ofputil_protocol_to_ofp_version(p) : 0;
	enum ofputil_protocol usable = OFPUTIL_P_ANY;
	char *error;

	if (kind == FLOWS_METER) {
		if (usable_out)
			*usable_out &= OFPUTIL_P_OF13_UP;
		return meters_parse(command, text, v, NULL, msg);
	}
	if (kind == FLOWS_GROUP) {
		struct ofputil_group_mod gm;

		if (v && v < OFP11_VERSION)
			return xstrdup("groups need OpenFlow11 or later, the bridge's flows are "
				       "sent in OpenFlow10");
		memset(&gm, 0, sizeof(gm));
		error = parse_ofp_group_mod_str(&gm, command, text, map, NULL, &usable);
		if (error)
			return error;
		if (usable_out)
			*usable_out &= usable & OFPUTIL_P_OF11_UP;
		if (v)
			*msg = ofputil_encode_group_mod(v, &gm, NULL, -1);
		ofputil_uninit_group_mod(&gm);
		return NULL;
	}

	struct ofputil_flow_mod fm;

	error = parse_ofp_flow_mod_str(&fm, text, map, NULL, command, &usable);
	if (error)
		return error;
	if (usable_out)
		*usable_out &= usable;
	if (p && !(usable & p))
		error = xasprintf("%s cannot express this flow (give the bridge an \"openflow:\" "
				  "version that can, or leave it out for ovslab to choose)",
				  ofputil_version_to_string(v));
	else if (p)
		*msg = ofputil_encode_flow_mod(&fm, p);
	free(CONST_CAST(struct ofpact *, fm.ofpacts));
	minimatch_destroy(&fm.match);
	return error;
}

int flows_validate(enum flows_kind kind, const char *text, const char *bridge,
		const char *const *ports, size_t n_ports, unsigned *usable, char **msg)
{
	struct ofputil_port_map map;
	char *error;

	ovslib_init();
	*msg = NULL;
	flows_map_fake(&map, bridge, ports, n_ports);
	error = flows_parse(kind, flows_add_cmd[kind], text, &map, 0, usable, NULL);
	ofputil_port_map_destroy(&map);
	if (!error)
		return 0;
	*msg = error;
	return -EINVAL;
}

int flows_rundir(const char *remote, char *buf, size_t len)
{
	const char *path = remote && !strncmp(remote, "unix:", 5) ? remote + 5 : NULL;
	const char *slash = path ? strrchr(path, '/') : NULL;

	if (!slash || (size_t)(slash - path) >= len) {
		err_set("%s: the switch's database is not a unix socket, so its run directory is "
			"unknown", remote ? remote : "(no switch)");
		return -EINVAL;
	}
	snprintf(buf, len, "%.*s", (int)(slash - path), path);
	return 0;
}

/* Offers only `version` (0: every one OVS speaks), as ovs-ofctl -O does;
 * not exact: that version or an older one, for a version ovslab chose on a
 * bridge whose protocols were narrowed behind the lab file's back. */
static int flows_connect(const char *rundir, const char *bridge, int version, bool exact,
			 struct vconn **out)
{
	uint32_t versions = !version ? OFPUTIL_DEFAULT_VERSIONS
			    : exact ? 1u << version
			    : ((2u << version) - 1) & OFPUTIL_DEFAULT_VERSIONS;
	char name[PATH_MAX + 32];
	int ret;

	ovslib_init();
	snprintf(name, sizeof(name), "unix:%s/%s.mgmt", rundir, bridge);
	ret = vconn_open_block(name, versions, 0, FLOWS_TIMEOUT_MS, out);
	/* a bridge that speaks none of the versions offered hangs up */
	if (ret && ret != ENOENT && ret != ECONNREFUSED && version && exact)
		err_set("bridge %s: it does not speak %s (the switch hung up: %s); add it to the "
			"bridge's \"protocols\"", bridge, flows_version_name(version),
			ovs_retval_to_string(ret));
	else if (ret)
		err_set("bridge %s: cannot connect to %s: %s", bridge, name, ovs_retval_to_string(ret));
	return ret > 0 ? -ret : ret ? -EPROTO : 0;
}

/* Switches the connection's wire format from *cur to want, as ovs-ofctl
 * does (OpenFlow 1.0's NXM and table-id extensions): false if the switch
 * says no. */
static bool flows_set_protocol(struct vconn *vconn, enum ofputil_protocol want,
			       enum ofputil_protocol *cur)
{
	for (;;) {
		struct ofpbuf *request, *reply = NULL;
		enum ofputil_protocol next;

		request = ofputil_encode_set_protocol(*cur, want, &next);
		if (!request)
			return *cur == want;
		if (vconn_transact_noreply(vconn, request, &reply) || reply) {
			ofpbuf_delete(reply);
			return false;
		}
		*cur = next;
	}
}

/* The wire format for flow mods that can only be said in `usable`: the one
 * the connection starts in if it can, else the first the switch takes. */
static enum ofputil_protocol flows_mod_protocol(struct vconn *vconn, enum ofputil_protocol usable)
{
	enum ofp_version v = vconn_get_version(vconn);
	enum ofputil_protocol cur = ofputil_protocol_from_ofp_version(v);

	usable &= ofputil_protocols_from_ofp_version(v);
	if (usable & cur)
		return cur;
	for (size_t i = 0; i < sizeof(enum ofputil_protocol) * CHAR_BIT; i++) {
		enum ofputil_protocol f = 1u << i;

		if (f & usable && flows_set_protocol(vconn, f, &cur))
			return f;
	}
	return 0;
}

/* The wire format for a flow dump, in ovs-ofctl's order of preference (NXM
 * on OpenFlow 1.0, which keeps the masks). */
static enum ofputil_protocol flows_dump_protocol(struct vconn *vconn,
						 enum ofputil_protocol usable)
{
	enum ofp_version v = vconn_get_version(vconn);
	enum ofputil_protocol cur = ofputil_protocol_from_ofp_version(v);

	usable &= ofputil_protocols_from_ofp_version(v);
	for (size_t i = 0; i < ofputil_n_flow_dump_protocols; i++) {
		enum ofputil_protocol f = ofputil_flow_dump_protocols[i];

		if (f & usable && flows_set_protocol(vconn, f, &cur))
			return f;
	}
	return 0;
}

/* The bridge's port names and numbers, from its port descriptions. */
static int flows_port_map(struct vconn *vconn, const char *bridge, struct ofputil_port_map *map)
{
	enum ofp_version v = vconn_get_version(vconn);
	struct ovs_list reqs, replies;
	struct ofpbuf *reply;
	int ret;

	ovs_list_init(&reqs);
	ovs_list_push_back(&reqs, &ofputil_encode_port_desc_stats_request(v, OFPP_ANY)->list_node);
	ret = vconn_transact_multipart(vconn, &reqs, &replies);
	if (ret) {
		err_set("bridge %s: no port list from the switch: %s", bridge,
			ovs_retval_to_string(ret));
		return -EPROTO;
	}
	LIST_FOR_EACH (reply, list_node, &replies) {
		struct ofputil_phy_port pp;
		enum ofptype type;

		if (ofptype_pull(&type, reply) || type != OFPTYPE_PORT_DESC_STATS_REPLY) {
			err_set("bridge %s: the switch answered the port list request with something "
				"else", bridge);
			ret = -EPROTO;
			break;
		}
		while (!ofputil_pull_phy_port(v, reply, &pp))
			ofputil_port_map_put(map, pp.port_no, pp.name);
	}
	ofpbuf_list_delete(&replies);
	return ret;
}

static int flows_add(struct flows_batch *b, enum flows_kind kind, int command,
		     const char *text, const struct lab_flow *from,
		     const struct ofputil_port_map *map, enum ofputil_protocol p,
		     const char *bridge)
{
	struct flows_msg *nm = realloc(b->msgs, (b->n_msgs + 1) * sizeof(*nm));
	struct ofpbuf *msg = NULL;
	char *error;

	if (!nm)
		return -ENOMEM;
	b->msgs = nm;
	error = flows_parse(kind, command, text, map, p, NULL, &msg);
	if (error) {
		/* Validated when the file was read: only the real ports can differ. */
		if (from && from->file)
			err_set("bridge %s: %s:%d: %s", bridge, from->file, from->pos.line, error);
		else if (from)
			err_set("bridge %s: %s:%d:%d: %s", bridge, b->lab->file, from->pos.line,
				from->pos.col, error);
		else
			err_set("bridge %s: %s", bridge, error);
		free(error);
		return -EINVAL;
	}
	nm[b->n_msgs++] = (struct flows_msg){ ((struct ofp_header *)msg->data)->xid, from, kind };
	ovs_list_push_back(&b->reqs, &msg->list_node);
	return 0;
}

/* Groups go after the flows are deleted (a group's deletion takes its flows
 * with it) and before the flows that use them are added. */
static int flows_batch_make(struct flows_batch *b, const struct lab_bridge *br,
			    const struct ofputil_port_map *map, enum ofputil_protocol p)
{
	int ret = flows_add(b, FLOWS_FLOW, OFPFC_DELETE, "", NULL, map, p, br->name);

	if (ret == 0 && ofputil_protocol_to_ofp_version(p) >= OFP11_VERSION)
		ret = flows_add(b, FLOWS_GROUP, OFPGC11_DELETE, "", NULL, map, p, br->name);
	for (size_t i = 0; ret == 0 && i < br->n_groups; i++)
		ret = flows_add(b, FLOWS_GROUP, OFPGC11_ADD, br->groups[i].text, &br->groups[i],
				map, p, br->name);
	for (size_t i = 0; ret == 0 && i < br->n_flows; i++)
		ret = flows_add(b, FLOWS_FLOW, OFPFC_ADD, br->flows[i].text, &br->flows[i], map, p,
				br->name);
	if (ret == 0 && !br->has_flows)
		ret = flows_add(b, FLOWS_FLOW, OFPFC_ADD, FLOWS_DEFAULT, NULL, map, p, br->name);
	return ret;
}

/* The wire formats every flow of the bridge can be said in (the real port
 * names now: a flow that does not parse is left for flows_add to name). */
static enum ofputil_protocol flows_usable(const struct lab_bridge *br,
					  const struct ofputil_port_map *map)
{
	unsigned usable = FLOWS_USABLE_ANY;

	for (size_t i = 0; i < br->n_flows; i++)
		free(flows_parse(FLOWS_FLOW, OFPFC_ADD, br->flows[i].text, map, 0, &usable, NULL));
	return usable;
}

/* Names the declaration the switch refused, from the error's xid. */
static int flows_refused(const struct flows_batch *b, const struct lab *lab,
			 const struct lab_bridge *br, const struct ofpbuf *reply)
{
	const struct ofp_header *oh = reply->data;
	enum ofperr e = ofperr_decode_msg(oh, NULL);
	const struct flows_msg *m = NULL;
	const char *why = e ? ofperr_get_description(e) : "an answer that is not an error";

	for (size_t i = 0; i < b->n_msgs; i++)
		if (b->msgs[i].xid == oh->xid)
			m = &b->msgs[i];
	if (m && m->from && m->from->file)
		err_set("bridge %s: %s:%d: the switch refused %s \"%s\": %s (%s)", br->name,
			m->from->file, m->from->pos.line, flows_what[m->kind], m->from->text,
			e ? ofperr_to_string(e) : "?", why);
	else if (m && m->from)
		err_set("bridge %s: %s:%d:%d: the switch refused %s \"%s\": %s (%s)", br->name,
			lab->file, m->from->pos.line, m->from->pos.col, flows_what[m->kind],
			m->from->text,
			e ? ofperr_to_string(e) : "?", why);
	else
		err_set("bridge %s: the switch refused to replace its flow table: %s (%s)", br->name,
			e ? ofperr_to_string(e) : "?", why);
	return -EPROTO;
}

static int flows_send(struct vconn *vconn, struct flows_batch *b, const struct lab *lab,
		      const struct lab_bridge *br, bool bundle)
{
	struct ofpbuf *reply = NULL, *err;
	struct ovs_list errors;
	int ret;

	if (!bundle || vconn_get_version(vconn) < OFP14_VERSION) {
		/* No bundles: the adds follow the delete, the barrier says when. */
		ret = vconn_transact_multiple_noreply(vconn, &b->reqs, &reply);
		if (ret == 0 && reply)
			ret = flows_refused(b, lab, br, reply);
		ofpbuf_delete(reply);
		goto out;
	}
	ret = vconn_bundle_transact(vconn, &b->reqs, OFPBF_ATOMIC | OFPBF_ORDERED, &errors);
	if (!ovs_list_is_empty(&errors)) {
		err = CONTAINER_OF(ovs_list_front(&errors), struct ofpbuf, list_node);
		ret = flows_refused(b, lab, br, err);
	}
	ofpbuf_list_delete(&errors);
out:
	if (ret > 0) {
		err_set("bridge %s: replacing its %s failed: %s", br->name,
			bundle ? "flow table" : "meters", ovs_retval_to_string(ret));
		ret = -ret;
	}
	return ret;
}

static bool flows_has_id(const uint32_t *ids, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* Declared meters are added, or modified where the switch has them (their
 * flows stay until the table is replaced); the others are deleted.  A meter
 * declared twice is added twice, for the switch to refuse. */
static int flows_meters(struct vconn *vconn, const struct lab *lab, const struct lab_bridge *br,
			const struct ofputil_port_map *map)
{
	enum ofp_version v = vconn_get_version(vconn);
	enum ofputil_protocol p = ofputil_protocol_from_ofp_version(v);
	struct flows_batch b = { .lab = lab };
	uint32_t *have = NULL, *want = NULL;
	size_t n_have = 0;
	int ret = 0;

	ovs_list_init(&b.reqs);
	if (v < OFP13_VERSION && !br->n_meters)
		return 0;
	if (v >= OFP13_VERSION)
		ret = meters_list(vconn, br->name, &have, &n_have);
	want = ret == 0 ? calloc(br->n_meters + 1, sizeof(*want)) : NULL;
	if (ret == 0 && !want)
		ret = -ENOMEM;
	for (size_t i = 0; ret == 0 && i < br->n_meters; i++) {
		char *error = meters_parse(METERS_ADD, br->meters[i].text, 0, &want[i], NULL);

		/* validated when the file was read; flows_add names it if not */
		free(error);
	}
	for (size_t i = 0; ret == 0 && i < n_have; i++) {
		char del[32];

		if (flows_has_id(want, br->n_meters, have[i]))
			continue;
		snprintf(del, sizeof(del), "meter=%" PRIu32, have[i]);
		ret = flows_add(&b, FLOWS_METER, METERS_DELETE, del, NULL, map, p, br->name);
	}
	for (size_t i = 0; ret == 0 && i < br->n_meters; i++) {
		bool mod = flows_has_id(have, n_have, want[i]) && !flows_has_id(want, i, want[i]);

		ret = flows_add(&b, FLOWS_METER, mod ? METERS_MODIFY : METERS_ADD, br->meters[i].text,
				&br->meters[i], map, p, br->name);
	}
	if (ret == 0 && b.n_msgs)
		ret = flows_send(vconn, &b, lab, br, false);
	ofpbuf_list_delete(&b.reqs);
	free(b.msgs);
	free(have);
	free(want);
	return ret;
}

int flows_install(const char *rundir, const struct lab *lab, const struct lab_bridge *br)
{
	struct ofputil_port_map map = OFPUTIL_PORT_MAP_INITIALIZER(&map);
	struct flows_batch b = { .lab = lab };
	struct vconn *vconn = NULL;
	enum ofputil_protocol p = 0;
	int ret;

	ovs_list_init(&b.reqs);
	ret = flows_connect(rundir, br->name, br->of_version, br->openflow != NULL, &vconn);
	if (ret == 0)
		ret = flows_port_map(vconn, br->name, &map);
	if (ret == 0)
		ret = flows_meters(vconn, lab, br, &map);
	if (ret == 0) {
		p = flows_mod_protocol(vconn, flows_usable(br, &map));
		if (!p) {
			err_set("bridge %s: the switch takes none of the wire formats of %s that "
				"can say its flows", br->name,
				flows_version_name(vconn_get_version(vconn)));
			ret = -EPROTO;
		}
	}
	if (ret == 0)
		ret = flows_batch_make(&b, br, &map, p);
	if (ret == 0)
		ret = flows_send(vconn, &b, lab, br, true);
	ofpbuf_list_delete(&b.reqs);
	free(b.msgs);
	ofputil_port_map_destroy(&map);
	vconn_close(vconn);
	return ret;
}

int flows_save(const char *dir, const struct lab_bridge *br)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	FILE *f;
	int ret = 0;

	if (!br->flows_file)
		return 0;
	snprintf(path, sizeof(path), "%s/%s.flows", dir, br->name);
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	f = fopen(tmp, "we");
	if (!f) {
		ret = -errno;
		goto out;
	}
	for (size_t i = 0; i < br->n_flows; i++)
		fprintf(f, "%s\n", br->flows[i].text);
	if (fclose(f) == EOF)
		ret = -errno;
	/* rename: a reader sees the old copy or the new one, never half. */
	if (ret == 0 && rename(tmp, path) < 0)
		ret = -errno;
out:
	if (ret < 0) {
		unlink(tmp);
		err_set("%s: cannot save bridge %s's flows: %s", path, br->name, strerror(-ret));
	}
	return ret;
}

/* The bridge's groups, one a line, as ovs-ofctl dump-groups --names. */
static int flows_dump_groups(struct vconn *vconn, const char *bridge,
			     const struct ofputil_port_map *map, FILE *out)
{
	enum ofp_version v = vconn_get_version(vconn);
	struct ds s = DS_EMPTY_INITIALIZER;
	struct ovs_list reqs, replies;
	struct ofpbuf *reply;
	int ret;

	if (v < OFP11_VERSION)
		return 0;
	ovs_list_init(&reqs);
	ovs_list_push_back(&reqs, &ofputil_encode_group_desc_request(v, OFPG_ALL)->list_node);
	ret = vconn_transact_multipart(vconn, &reqs, &replies);
	if (ret) {
		err_set("bridge %s: no group list from the switch: %s", bridge,
			ovs_retval_to_string(ret));
		return -EPROTO;
	}
	LIST_FOR_EACH (reply, list_node, &replies) {
		enum ofptype type;

		if (ofptype_decode(&type, reply->data) || type != OFPTYPE_GROUP_DESC_STATS_REPLY ||
		    ofputil_group_desc_format(&s, reply->data, map, NULL)) {
			err_set("bridge %s: the switch's group list does not decode", bridge);
			ret = -EPROTO;
			break;
		}
	}
	if (ret == 0 && s.length) {
		/* each group comes as "\n group_id=...": printed as the flows are */
		for (const char *p = ds_cstr(&s) + 1; *p; p++)
			if (*p != ' ' || p[-1] != '\n')
				fputc(*p, out);
		fputc('\n', out);
	}
	ofpbuf_list_delete(&replies);
	ds_destroy(&s);
	return ret;
}

/* The bridge's flows that match filter ("" for all), as the switch lists
 * them in the wire format ovs-ofctl would dump them in; *fses to be freed
 * with flows_stats_free. */
static int flows_dump_stats(struct vconn *vconn, const char *bridge, const char *filter,
			    const struct ofputil_port_map *map,
			    struct ofputil_flow_stats **fses, size_t *n)
{
	struct ofputil_flow_stats_request fsr;
	enum ofputil_protocol usable, p;
	char *error;
	int ret;

	*fses = NULL;
	*n = 0;
	error = parse_ofp_flow_stats_request_str(&fsr, false, filter, map, NULL, &usable);
	if (error) {
		err_set("bridge %s: filter \"%s\": %s", bridge, filter, error);
		free(error);
		return -EINVAL;
	}
	p = flows_dump_protocol(vconn, usable);
	if (!p) {
		err_set("bridge %s: %s cannot express the filter \"%s\"", bridge,
			flows_version_name(vconn_get_version(vconn)), filter);
		return -EINVAL;
	}
	ret = vconn_dump_flows(vconn, &fsr, p, fses, n);
	if (ret) {
		err_set("bridge %s: dumping its flows failed: %s", bridge, ovs_retval_to_string(ret));
		*fses = NULL;
		*n = 0;
		return ret > 0 ? -ret : -EPROTO;
	}
	return 0;
}

static void flows_stats_free(struct ofputil_flow_stats *fses, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(CONST_CAST(struct ofpact *, fses[i].ofpacts));
	free(fses);
}

static int flows_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The bridge's flows without their counters, sorted, one a line: what the
 * table holds, whatever the order the switch lists it in. */
static int flows_table_text(const char *rundir, const struct lab_bridge *br, char **text)
{
	struct ofputil_flow_stats *fses = NULL;
	struct vconn *vconn = NULL;
	struct ds s = DS_EMPTY_INITIALIZER;
	char **lines = NULL;
	size_t n = 0;
	int ret;

	*text = NULL;
	ret = flows_connect(rundir, br->name, br->of_version, br->openflow != NULL, &vconn);
	if (ret == 0)
		ret = flows_dump_stats(vconn, br->name, "", NULL, &fses, &n);
	if (ret < 0)
		goto out;
	lines = calloc(n + 1, sizeof(*lines));
	for (size_t i = 0; lines && i < n; i++) {
		ds_clear(&s);
		ofputil_flow_stats_format(&s, &fses[i], NULL, NULL, false);
		lines[i] = xstrdup(ds_cstr(&s));
	}
	if (!lines) {
		ret = -ENOMEM;
		goto out;
	}
	qsort(lines, n, sizeof(*lines), flows_cmp_str);
	ds_clear(&s);
	for (size_t i = 0; i < n; i++)
		ds_put_format(&s, "%s\n", lines[i]);
	*text = ds_steal_cstr(&s);
out:
	for (size_t i = 0; lines && i < n; i++)
		free(lines[i]);
	free(lines);
	flows_stats_free(fses, n);
	ds_destroy(&s);
	vconn_close(vconn);
	return ret;
}

int flows_table_record(const char *rundir, const char *dir, const struct lab_bridge *br)
{
	const char *bridge = br->name;
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	char *text = NULL;
	FILE *f;
	int ret;

	ret = flows_table_text(rundir, br, &text);
	if (ret < 0)
		goto out;
	snprintf(path, sizeof(path), "%s/%s.table", dir, bridge);
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	f = fopen(tmp, "we");
	if (!f) {
		ret = -errno;
		goto fail;
	}
	if (fputs(text, f) == EOF)
		ret = -EIO;
	if (fclose(f) == EOF && ret == 0)
		ret = -errno;
	/* rename: a reader sees the old record or the new one, never half. */
	if (ret == 0 && rename(tmp, path) < 0)
		ret = -errno;
fail:
	if (ret < 0) {
		unlink(tmp);
		err_set("%s: cannot record bridge %s's table: %s", path, bridge, strerror(-ret));
	}
out:
	free(text);
	return ret;
}

int flows_table_changed(const char *rundir, const char *dir, const struct lab_bridge *br)
{
	char path[PATH_MAX];
	char *text = NULL, *was = NULL;
	size_t len = 0;
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "%s/%s.table", dir, br->name);
	f = fopen(path, "re");
	if (!f)
		return 0; /* recorded by no run: nothing to compare with */
	if (getdelim(&was, &len, '\0', f) < 0) {
		free(was);
		was = xstrdup("");
	}
	fclose(f);
	ret = flows_table_text(rundir, br, &text);
	if (ret == 0)
		ret = strcmp(text, was) != 0;
	free(text);
	free(was);
	return ret;
}

int flows_dump(const char *rundir, const struct lab_bridge *br, int version, const char *filter,
	       FILE *out)
{
	const char *bridge = br->name;
	struct ofputil_port_map map = OFPUTIL_PORT_MAP_INITIALIZER(&map);
	struct ofputil_flow_stats *fses = NULL;
	struct vconn *vconn = NULL;
	struct ds s = DS_EMPTY_INITIALIZER;
	size_t n = 0;
	int ret;

	ret = flows_connect(rundir, bridge, version ? version : br->of_version,
			    version || br->openflow, &vconn);
	if (ret == 0)
		ret = flows_port_map(vconn, bridge, &map);
	if (ret == 0)
		ret = flows_dump_stats(vconn, bridge, filter ? filter : "", &map, &fses, &n);
	if (ret < 0)
		goto out;
	fprintf(out, "bridge %s:\n", bridge);
	for (size_t i = 0; i < n; i++) {
		ds_clear(&s);
		ofputil_flow_stats_format(&s, &fses[i], &map, NULL, true);
		fprintf(out, "%s\n", ds_cstr(&s));
	}
	if (!filter)
		ret = flows_dump_groups(vconn, bridge, &map, out);
	if (ret == 0 && !filter)
		ret = meters_dump(vconn, bridge, out);
out:
	flows_stats_free(fses, n);
	ds_destroy(&s);
	ofputil_port_map_destroy(&map);
	vconn_close(vconn);
	return ret;
}

int flows_ctl(const char *rundir, const char *daemon, char *buf, size_t len)
{
	char path[PATH_MAX];
	long pid = 0;
	FILE *f;

	snprintf(buf, len, "%s/%s.ctl", rundir, daemon);
	if (access(buf, F_OK) == 0)
		return 0;
	snprintf(path, sizeof(path), "%s/%s.pid", rundir, daemon);
	f = fopen(path, "re");
	if (!f || fscanf(f, "%ld", &pid) != 1 || pid <= 0) {
		err_set("%s: no pid of a running %s", path, daemon);
		if (f)
			fclose(f);
		return -ENOENT;
	}
	fclose(f);
	snprintf(buf, len, "%s/%s.%ld.ctl", rundir, daemon, pid);
	return 0;
}

/* One port of dpif/show: "    NAME OFPORT/ODPPORT: (TYPE...)" under the
 * line "  BRIDGE:". */
struct flows_dp_port {
	char name[64], bridge[64];
	unsigned ofp, odp;
};

static size_t flows_dp_ports(const char *show, struct flows_dp_port *ports, size_t max)
{
	char bridge[64] = "";
	size_t n = 0;

	for (const char *l = show; l && *l && n < max; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		struct flows_dp_port *p = &ports[n];

		if (sscanf(l, "    %63s %u/%u:", p->name, &p->ofp, &p->odp) == 3) {
			snprintf(p->bridge, sizeof(p->bridge), "%s", bridge);
			n++;
		} else if (!strncmp(l, "  ", 2) && l[2] != ' ') {
			sscanf(l, "  %63[^:\n]:", bridge);
		}
	}
	return n;
}

/* After each "Datapath actions:" line, the ports it outputs to (bare
 * numbers at its top level) by name and OpenFlow number: datapath numbers
 * differ from OpenFlow's and change from run to run. */
static void flows_trace_ports(const char *ctl, const char *result, FILE *out)
{
	static const char key[] = "Datapath actions: ";
	struct flows_dp_port ports[256];
	char *show = NULL;
	size_t n = 0;

	for (const char *l = result; *l; ) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) + 1 : strlen(l);
		const char *sep = "Datapath ports: ";
		int depth = 0;

		fwrite(l, 1, len, out);
		if (strncmp(l, key, sizeof(key) - 1)) {
			l += len;
			continue;
		}
		if (!show && switchd_unixctl(ctl, "dpif/show", NULL, 0, FLOWS_TIMEOUT_MS, &show) == 0)
			n = flows_dp_ports(show, ports, sizeof(ports) / sizeof(ports[0]));
		for (const char *p = l + sizeof(key) - 1; p < l + len; p++) {
			char *end;
			unsigned long odp;

			depth += *p == '(' ? 1 : *p == ')' ? -1 : 0;
			if (depth || (p != l + sizeof(key) - 1 && p[-1] != ','))
				continue;
			odp = strtoul(p, &end, 10);
			if (end == p || (*end != ',' && *end != '\n' && *end))
				continue;
			for (size_t i = 0; i < n; i++)
				if (ports[i].odp == odp) {
					fprintf(out, "%s%lu = %s (OpenFlow %u on %s)", sep, odp,
						ports[i].name, ports[i].ofp, ports[i].bridge);
					sep = ", ";
					break;
				}
		}
		if (sep[0] == ',')
			fputc('\n', out);
		l += len;
	}
	free(show);
}

int flows_trace(const char *rundir, const char *bridge, const char *const *args, size_t n_args,
		FILE *out)
{
	char path[PATH_MAX + 32];
	const char **all = calloc(n_args + 1, sizeof(*all));
	char *result = NULL;
	int ret;

	if (!all)
		return -ENOMEM;
	all[0] = bridge;
	memcpy(all + 1, args, n_args * sizeof(*args));
	ovslib_init();
	ret = flows_ctl(rundir, "ovs-vswitchd", path, sizeof(path));
	if (ret < 0)
		goto out;
	/* A wedged switch must not hang the command. */
	ret = switchd_unixctl(path, "ofproto/trace", all, n_args + 1, FLOWS_TIMEOUT_MS, &result);
	if (ret == -EIO && result) {
		result[strcspn(result, "\n")] = '\0';
		err_set("bridge %s: trace failed: %s", bridge, result);
		ret = -EINVAL;
	} else if (ret == -ETIMEDOUT) {
		err_set("%s: ovs-vswitchd did not answer within %d s", path, FLOWS_TIMEOUT_MS / 1000);
	} else if (ret < 0) {
		err_set("%s: cannot ask ovs-vswitchd: %s", path, strerror(-ret));
	} else {
		flows_trace_ports(path, result ? result : "", out);
	}
out:
	free(result);
	free(all);
	return ret;
}
