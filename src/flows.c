#include <config.h>

#include "flows.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "ovslib.h"

#include "flow.h"
#include "jsonrpc.h"
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
#include "unixctl.h"
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

static void flows_map_fake(struct ofputil_port_map *map, const char *bridge,
			   const char *const *ports, size_t n)
{
	ofputil_port_map_init(map);
	ofputil_port_map_put(map, OFPP_LOCAL, bridge);
	for (size_t i = 0; i < n; i++)
		ofputil_port_map_put(map, u16_to_ofp((uint16_t)(i + 1)), ports[i]);
}

/* The OpenFlow 1.0 wire format OVS reads for a flow, or 0 when the flow
 * cannot be said in this version. */
static enum ofputil_protocol flows_protocol(enum ofp_version v, enum ofputil_protocol usable)
{
	enum ofputil_protocol p = ofputil_protocol_from_ofp_version(v);

	if (usable & p)
		return p;
	if (v == OFP10_VERSION && (usable & OFPUTIL_P_OF10_NXM))
		return OFPUTIL_P_OF10_NXM;
	return 0;
}

/* Parses one flow or group mod; with a version, *msg is it encoded. */
static char *flows_parse(enum flows_kind kind, int command, const char *text,
			 const struct ofputil_port_map *map, enum ofp_version v,
			 struct ofpbuf **msg)
{
	enum ofputil_protocol usable, p;
	char *error;

	if (kind == FLOWS_GROUP) {
		struct ofputil_group_mod gm;

		if (v && v < OFP11_VERSION)
			return xstrdup("groups need OpenFlow 1.1 or later, the bridge speaks 1.0");
		memset(&gm, 0, sizeof(gm));
		error = parse_ofp_group_mod_str(&gm, command, text, map, NULL, &usable);
		if (error)
			return error;
		if (v)
			*msg = ofputil_encode_group_mod(v, &gm, NULL, -1);
		ofputil_uninit_group_mod(&gm);
		return NULL;
	}

	struct ofputil_flow_mod fm;

	error = parse_ofp_flow_mod_str(&fm, text, map, NULL, command, &usable);
	if (error)
		return error;
	p = v ? flows_protocol(v, usable) : 0;
	if (v && !p)
		error = xasprintf("the bridge speaks OpenFlow 0x%02x, which cannot express this "
				  "flow", v);
	else if (v)
		*msg = ofputil_encode_flow_mod(&fm, p);
	free(CONST_CAST(struct ofpact *, fm.ofpacts));
	minimatch_destroy(&fm.match);
	return error;
}

int flows_check(enum flows_kind kind, const char *text, const char *bridge,
		const char *const *ports, size_t n_ports, char **msg)
{
	struct ofputil_port_map map;
	char *error;

	ovslib_init();
	*msg = NULL;
	flows_map_fake(&map, bridge, ports, n_ports);
	error = flows_parse(kind, kind == FLOWS_GROUP ? OFPGC11_ADD : OFPFC_ADD, text, &map, 0,
			    NULL);
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

static int flows_connect(const char *rundir, const char *bridge, struct vconn **out)
{
	char name[PATH_MAX + 32];
	int ret;

	ovslib_init();
	snprintf(name, sizeof(name), "unix:%s/%s.mgmt", rundir, bridge);
	ret = vconn_open_block(name, OFPUTIL_DEFAULT_VERSIONS, 0, FLOWS_TIMEOUT_MS, out);
	if (ret) {
		err_set("bridge %s: cannot connect to %s: %s", bridge, name, ovs_retval_to_string(ret));
		return ret > 0 ? -ret : -EPROTO;
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
		     const struct ofputil_port_map *map, enum ofp_version v, const char *bridge)
{
	struct flows_msg *nm = realloc(b->msgs, (b->n_msgs + 1) * sizeof(*nm));
	struct ofpbuf *msg = NULL;
	char *error;

	if (!nm)
		return -ENOMEM;
	b->msgs = nm;
	error = flows_parse(kind, command, text, map, v, &msg);
	if (error) {
		/* Checked when the file was read: only the real ports can differ. */
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
			    const struct ofputil_port_map *map, enum ofp_version v)
{
	int ret = flows_add(b, FLOWS_FLOW, OFPFC_DELETE, "", NULL, map, v, br->name);

	if (ret == 0 && v >= OFP11_VERSION)
		ret = flows_add(b, FLOWS_GROUP, OFPGC11_DELETE, "", NULL, map, v, br->name);
	for (size_t i = 0; ret == 0 && i < br->n_groups; i++)
		ret = flows_add(b, FLOWS_GROUP, OFPGC11_ADD, br->groups[i].text, &br->groups[i],
				map, v, br->name);
	for (size_t i = 0; ret == 0 && i < br->n_flows; i++)
		ret = flows_add(b, FLOWS_FLOW, OFPFC_ADD, br->flows[i].text, &br->flows[i], map, v,
				br->name);
	if (ret == 0 && !br->has_flows)
		ret = flows_add(b, FLOWS_FLOW, OFPFC_ADD, FLOWS_DEFAULT, NULL, map, v, br->name);
	return ret;
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
			m->from->file, m->from->pos.line, m->kind == FLOWS_GROUP ? "group" : "flow",
			m->from->text, e ? ofperr_to_string(e) : "?", why);
	else if (m && m->from)
		err_set("bridge %s: %s:%d:%d: the switch refused %s \"%s\": %s (%s)", br->name,
			lab->file, m->from->pos.line, m->from->pos.col,
			m->kind == FLOWS_GROUP ? "group" : "flow", m->from->text,
			e ? ofperr_to_string(e) : "?", why);
	else
		err_set("bridge %s: the switch refused to replace its flow table: %s (%s)", br->name,
			e ? ofperr_to_string(e) : "?", why);
	return -EPROTO;
}

static int flows_send(struct vconn *vconn, struct flows_batch *b, const struct lab *lab,
		      const struct lab_bridge *br)
{
	struct ofpbuf *reply = NULL, *err;
	struct ovs_list errors;
	int ret;

	if (vconn_get_version(vconn) < OFP14_VERSION) {
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
		err_set("bridge %s: replacing its flow table failed: %s", br->name,
			ovs_retval_to_string(ret));
		ret = -ret;
	}
	return ret;
}

int flows_install(const char *rundir, const struct lab *lab, const struct lab_bridge *br)
{
	struct ofputil_port_map map = OFPUTIL_PORT_MAP_INITIALIZER(&map);
	struct flows_batch b = { .lab = lab };
	struct vconn *vconn = NULL;
	int ret;

	ovs_list_init(&b.reqs);
	ret = flows_connect(rundir, br->name, &vconn);
	if (ret == 0)
		ret = flows_port_map(vconn, br->name, &map);
	if (ret == 0)
		ret = flows_batch_make(&b, br, &map, vconn_get_version(vconn));
	if (ret == 0)
		ret = flows_send(vconn, &b, lab, br);
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

int flows_dump(const char *rundir, const char *bridge, FILE *out)
{
	struct ofputil_port_map map = OFPUTIL_PORT_MAP_INITIALIZER(&map);
	struct ofputil_flow_stats_request fsr;
	struct ofputil_flow_stats *fses = NULL;
	struct vconn *vconn = NULL;
	struct ds s = DS_EMPTY_INITIALIZER;
	size_t n = 0;
	int ret;

	ret = flows_connect(rundir, bridge, &vconn);
	if (ret == 0)
		ret = flows_port_map(vconn, bridge, &map);
	if (ret < 0)
		goto out;
	memset(&fsr, 0, sizeof(fsr));
	match_init_catchall(&fsr.match);
	fsr.out_port = OFPP_ANY;
	fsr.out_group = OFPG_ANY;
	fsr.table_id = 0xff;
	ret = vconn_dump_flows(vconn, &fsr, ofputil_protocol_from_ofp_version(vconn_get_version(vconn)),
			       &fses, &n);
	if (ret) {
		err_set("bridge %s: dumping its flows failed: %s", bridge, ovs_retval_to_string(ret));
		ret = ret > 0 ? -ret : -EPROTO;
		goto out;
	}
	fprintf(out, "bridge %s:\n", bridge);
	for (size_t i = 0; i < n; i++) {
		ds_clear(&s);
		ofputil_flow_stats_format(&s, &fses[i], &map, NULL, true);
		fprintf(out, "%s\n", ds_cstr(&s));
	}
out:
	for (size_t i = 0; i < n; i++)
		free(CONST_CAST(struct ofpact *, fses[i].ofpacts));
	free(fses);
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

int flows_trace(const char *rundir, const char *bridge, const char *flow, FILE *out)
{
	char *argv[] = { CONST_CAST(char *, bridge), CONST_CAST(char *, flow) };
	char *result = NULL, *error = NULL;
	struct jsonrpc *client = NULL;
	char path[PATH_MAX + 32];
	int ret;

	ovslib_init();
	ret = flows_ctl(rundir, "ovs-vswitchd", path, sizeof(path));
	if (ret < 0)
		return ret;
	ret = unixctl_client_create(path, &client);
	if (ret == 0)
		ret = unixctl_client_transact(client, "ofproto/trace", 2, argv, &result, &error);
	if (ret) {
		err_set("%s: cannot ask ovs-vswitchd: %s", path, ovs_retval_to_string(ret));
		ret = -ret;
	} else if (error) {
		error[strcspn(error, "\n")] = '\0';
		err_set("bridge %s: trace failed: %s", bridge, error);
		ret = -EINVAL;
	} else {
		fputs(result ? result : "", out);
	}
	free(result);
	free(error);
	jsonrpc_close(client);
	return ret;
}
