/* `ovslab show LAB [--json]`: the lab as it is (hosts, interfaces, addresses,
 * ports, switch, NAT rules), read live next to what its file declares. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply/machines.h"
#include "apply/remote.h"
#include "apply/observe.h"
#include "util/err.h"
#include "util/json.h"
#include "cmd/cmd.h"
#include "labfile/labfile.h"
#include "firewall/firewall.h"
#include "switch/ovsdb.h"
#include "kernel/rtnl.h"
#include "cmd/show_settings.h"

/* What `show` learns from the switch, the kernel and the firewall. */
struct show_port {
	char name[IF_NAMESIZE];
	long long ofport;
	char error[128];
};

struct show {
	struct lab *lab;
	struct journal st;
	struct show_port *ports;
	size_t n_ports;
	char **rules;
	size_t n_rules;
	bool switch_down; /* the switch did not answer */
	/* Not run as root: setns, the switch's socket and the firewall are
	 * closed to us, so what they hold is unknown, not missing or dead. */
	bool unprivileged;
	bool switch_unseen, nat_unseen;
	struct lab_drift drift; /* what of the lab is missing */
};

/* The QEMU options that attach a VM to tap t: script=no, since ovslab made
 * the tap and puts it on the bridge; a multi-queue tap wants as many queues
 * in the guest's virtio device (vectors: one pair per queue, plus two). */
static const char *show_tap_qemu(const struct lab_tap *t, char *buf, size_t len)
{
	char mq[64] = "", mac[32] = "";

	if (t->queues > 1)
		snprintf(mq, sizeof(mq), ",mq=on,vectors=%u", 2 * t->queues + 2);
	if (t->has_mac)
		snprintf(mac, sizeof(mac), ",mac=%02x:%02x:%02x:%02x:%02x:%02x", t->mac[0],
			 t->mac[1], t->mac[2], t->mac[3], t->mac[4], t->mac[5]);
	snprintf(buf, len,
		 "-netdev tap,id=%s,ifname=%s,script=no,downscript=no,vnet_hdr=%s%s%.0u "
		 "-device virtio-net-pci,netdev=%s%s%s",
		 t->name, t->name, t->vnet_hdr ? "on" : "off", t->queues > 1 ? ",queues=" : "",
		 t->queues > 1 ? t->queues : 0, t->name, mq, mac);
	return buf;
}

/* What is missing of the host or bridge, in words; "" when nothing. */
static const char *show_drift(const struct show *s, bool bridge, const char *name, char *buf,
			      size_t len)
{
	const struct lab_drift_item *v = bridge ? s->drift.bridges : s->drift.hosts;
	size_t n = bridge ? s->drift.n_bridges : s->drift.n_hosts;

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			lab_drift_str(v[i].what, buf, len);
	return buf;
}

static const char *show_dead(const struct show *s)
{
	if (s->drift.ovsdb_dead && s->drift.switchd_dead)
		return "ovsdb-server and ovs-vswitchd not running";
	if (s->drift.ovsdb_dead)
		return "ovsdb-server not running";
	return s->drift.switchd_dead ? "ovs-vswitchd not running" : "";
}

static void show_port_cb(const struct ovsdb_port_info *p, void *arg)
{
	struct show *s = arg;
	struct show_port *np = realloc(s->ports, (s->n_ports + 1) * sizeof(*np));

	if (!np)
		return;
	s->ports = np;
	np = &s->ports[s->n_ports++];
	snprintf(np->name, sizeof(np->name), "%s", p->port);
	np->ofport = p->ofport;
	snprintf(np->error, sizeof(np->error), "%s", p->error ? p->error : "");
}

static void show_rule_cb(const char *table, const char *rule, void *arg)
{
	struct show *s = arg;
	char **nr = realloc(s->rules, (s->n_rules + 1) * sizeof(*nr));

	if (!nr)
		return;
	s->rules = nr;
	/* As the backend's own tool prints it: iptables -t nat -S, nft list. */
	if (!strncmp(table, "iptables ", 9) ?
	    asprintf(&s->rules[s->n_rules], "iptables -t %s %s", table + 9, rule) >= 0 :
	    asprintf(&s->rules[s->n_rules], "nft table %s %s", table + 9, rule) >= 0)
		s->n_rules++;
}

static const struct show_port *show_find_port(const struct show *s, const char *name)
{
	for (size_t i = 0; i < s->n_ports; i++)
		if (!strcmp(s->ports[i].name, name))
			return &s->ports[i];
	return NULL;
}

struct show_addrs {
	char text[256];
};

static void show_addr_cb(const struct lab_addr *a, void *arg)
{
	struct show_addrs *sa = arg;
	char buf[64];
	size_t used = strlen(sa->text);

	lab_addr_str(a, buf, sizeof(buf));
	snprintf(sa->text + used, sizeof(sa->text) - used, "%s%s", used ? "," : "", buf);
}

/* An interface's link as the kernel has it; false when it cannot be read
 * (not root, no namespace). */
static bool show_link(const struct show *s, const char *host, const char *ifname,
		      struct cmd_link_state *k)
{
	bool held;
	int ret;

	if (s->unprivileged)
		return false;
	held = err_hold();
	ret = cmd_link_read(&s->st, host, ifname, k);
	err_release(held);
	return ret == 0;
}

/* Addresses as the kernel has them now, read inside the host's namespace:
 * "-" for none (or no namespace), "?" when they cannot be read (not root)
 * or the name now holds a namespace that is not the lab's. */
static void show_host_addrs(const struct show *s, const char *host, const char *ifname,
			    char *buf, size_t len)
{
	struct show_addrs sa = { .text = "" };
	struct rtnl *nl = NULL;
	bool held = err_hold();
	int fd = s->unprivileged ? -EPERM : cmd_host_open(&s->st, host);
	int idx;

	err_release(held);
	if (fd >= 0 && rtnl_open_in(fd, &nl) == 0) {
		idx = rtnl_link_index(nl, ifname);
		if (idx > 0)
			rtnl_addr_list(nl, idx, show_addr_cb, &sa);
	}
	rtnl_close(nl);
	if (fd >= 0)
		close(fd);
	snprintf(buf, len, "%s", sa.text[0] ? sa.text : fd == -ESTALE || fd == -EPERM ? "?" : "-");
}

/* Where an interface leads: its bridge, the machine, or the far end of a cable. */
static const char *show_attach(const struct lab_iface *ifc, char *buf, size_t len)
{
	if (ifc->attach == LAB_ATTACH_BRIDGE)
		return ifc->bridge;
	if (ifc->attach == LAB_ATTACH_MACHINE)
		return "(machine)";
	if (ifc->attach == LAB_ATTACH_PHYSICAL) {
		snprintf(buf, len, "(machine's %s)", ifc->physical);
		return buf;
	}
	if (ifc->attach == LAB_ATTACH_VLAN) {
		snprintf(buf, len, "(%s vlan %u)", ifc->parent, ifc->vlan_id);
		return buf;
	}
	snprintf(buf, len, "%s:%s", ifc->peer_host, ifc->peer_ifname);
	return buf;
}

static void show_text(const struct show *s, FILE *out)
{
	enum journal_switch sw = journal_get_switch(&s->st, NULL);

	fprintf(out, "lab %s\n", s->lab->name);
	if (s->lab->n_machines)
		fputs("switch: one per machine\n", out);
	else if (sw == JOURNAL_SWITCH_NONE)
		fputs("switch: none (the lab has no bridge)\n", out);
	else
		fprintf(out, "switch: %s, %s, datapath %s%s%s%s\n",
			sw == JOURNAL_SWITCH_PRIVATE ? "private" : "shared",
			journal_get(&s->st, JOURNAL_REMOTE) ? journal_get(&s->st, JOURNAL_REMOTE) : "-",
			journal_get(&s->st, JOURNAL_DATAPATH) ? journal_get(&s->st, JOURNAL_DATAPATH) : "-",
			s->switch_unseen ? " (unknown: not run as root)"
					 : s->switch_down ? " (not answering)" : "",
			show_dead(s)[0] ? " ! " : "", show_dead(s));
	for (size_t i = 0; i < s->lab->n_bridges; i++) {
		const struct lab_bridge *b = &s->lab->bridges[i];
		/* The uplink as resolved when the lab came up. */
		const char *up = journal_get_uplink(&s->st, b->name, s->st.n_entries);
		char gw[64] = "-", drift[160];

		if (b->gateway.family)
			lab_addr_str(&b->gateway, gw, sizeof(gw));
		show_drift(s, true, b->name, drift, sizeof(drift));
		fprintf(out, "bridge %s: gateway %s, nat %s%s%s%s%s\n", b->name, gw,
			b->nat ? "on" : "off", up ? " via " : "", up ? up : "", drift[0] ? " ! " : "",
			drift);
		for (size_t k = 0; k < b->n_nics; k++)
			fprintf(out, "  machine interface %s%s\n", b->nics[k].name,
				b->nics[k].take_address ? " (its addresses and routes on the bridge)"
							: "");
		show_settings_bridge_text(b, out);
		for (size_t t = 0; t < b->n_taps; t++) {
			char qemu[512];

			fprintf(out, "  tap %s: qemu-system-x86_64 ... %s\n", b->taps[t].name,
				show_tap_qemu(&b->taps[t], qemu, sizeof(qemu)));
		}
	}
	show_settings_lab_text(s->lab, out);
	machines_show(s->lab, &s->st, false, out);
	remote_show(s->lab, &s->st, false, out);
	fprintf(out, "%-15s %-15s %-20s %-15s %-15s %s\n", "HOST", "IFNAME", "ADDRESS", "ATTACHED",
		"PORT", "OFPORT");
	for (size_t i = 0; i < s->lab->n_hosts; i++) {
		const struct lab_host *h = &s->lab->hosts[i];

		for (size_t j = 0; j < h->n_ifaces; j++) {
			const struct lab_iface *ifc = &h->ifaces[j];
			const struct show_port *p = ifc->port ? show_find_port(s, ifc->port) : NULL;
			char addrs[256], peer[40];
			struct cmd_link_state k;

			show_host_addrs(s, h->name, ifc->ifname, addrs, sizeof(addrs));
			fprintf(out, "%-15s %-15s %-20s %-15s %-15s ", h->name, ifc->ifname, addrs,
				show_attach(ifc, peer, sizeof(peer)), ifc->port ? ifc->port : "-");
			if (p && p->error[0])
				fprintf(out, "error: %s\n", p->error);
			else if (p)
				fprintf(out, "%lld", p->ofport);
			else
				fprintf(out, s->switch_unseen ? "?" : "-");
			show_settings_port_text(ifc, out);
			fputc('\n', out);
			/* Only links with something to say: the plain ones stay one line. */
			if (show_link(s, h->name, ifc->ifname, &k) &&
			    (lab_linkprops_shaped(&k.props) || lab_linkprops_shaped(&ifc->props) ||
			     k.props.state || ifc->props.state || ifc->props_changed)) {
				fprintf(out, "%-15s link: ", "");
				cmd_link_show(ifc, &k, false, out);
				fputc('\n', out);
			}
		}
	}
	fprintf(out, "nat rules:%s%s\n", s->nat_unseen ? " unknown (not run as root)"
					 : s->n_rules ? "" : " none",
		s->drift.nat ? " ! rules missing" : "");
	for (size_t i = 0; i < s->n_rules; i++)
		fprintf(out, "  %s\n", s->rules[i]);
	for (size_t i = 0; i < s->drift.n_hosts; i++) {
		char drift[160];

		fprintf(out, "! host %s: %s\n", s->drift.hosts[i].name,
			show_drift(s, false, s->drift.hosts[i].name, drift, sizeof(drift)));
	}
}

static void show_json(const struct show *s, FILE *out)
{
	enum journal_switch sw = journal_get_switch(&s->st, NULL);

	fputs("{\"name\":", out);
	json_str(out, s->lab->name);
	fprintf(out, ",\"switch\":{\"private\":%s,\"remote\":",
		sw == JOURNAL_SWITCH_PRIVATE ? "true" : "false");
	json_str(out, journal_get(&s->st, JOURNAL_REMOTE));
	fputs(",\"datapath\":", out);
	json_str(out, journal_get(&s->st, JOURNAL_DATAPATH));
	fprintf(out, ",\"answering\":%s,\"dead\":",
		s->switch_unseen ? "null" : s->switch_down ? "false" : "true");
	json_str(out, show_dead(s));
	fputs("},\"bridges\":[", out);
	for (size_t i = 0; i < s->lab->n_bridges; i++) {
		const struct lab_bridge *b = &s->lab->bridges[i];
		char gw[64] = "", drift[160];

		if (b->gateway.family)
			lab_addr_str(&b->gateway, gw, sizeof(gw));
		fputs(i ? ",{\"name\":" : "{\"name\":", out);
		json_str(out, b->name);
		fputs(",\"gateway\":", out);
		json_str(out, gw);
		fprintf(out, ",\"nat\":%s,\"uplink\":", b->nat ? "true" : "false");
		json_str(out, journal_get_uplink(&s->st, b->name, s->st.n_entries));
		fputs(",\"missing\":", out);
		json_str(out, show_drift(s, true, b->name, drift, sizeof(drift)));
		show_settings_bridge_json(b, out);
		fputs(",\"taps\":[", out);
		for (size_t t = 0; t < b->n_taps; t++) {
			char qemu[512];

			fputs(t ? ",{\"name\":" : "{\"name\":", out);
			json_str(out, b->taps[t].name);
			fputs(",\"qemu\":", out);
			json_str(out, show_tap_qemu(&b->taps[t], qemu, sizeof(qemu)));
			fputc('}', out);
		}
		fputs("]}", out);
	}
	fputs("],\"hosts\":[", out);
	for (size_t i = 0; i < s->lab->n_hosts; i++) {
		const struct lab_host *h = &s->lab->hosts[i];

		char drift[160];

		fputs(i ? ",{\"name\":" : "{\"name\":", out);
		json_str(out, h->name);
		fputs(",\"missing\":", out);
		json_str(out, show_drift(s, false, h->name, drift, sizeof(drift)));
		fputs(",\"interfaces\":[", out);
		for (size_t j = 0; j < h->n_ifaces; j++) {
			const struct lab_iface *ifc = &h->ifaces[j];
			const struct show_port *p = ifc->port ? show_find_port(s, ifc->port) : NULL;
			char addrs[256], peer[40];
			struct cmd_link_state k;

			show_host_addrs(s, h->name, ifc->ifname, addrs, sizeof(addrs));
			fputs(j ? ",{\"ifname\":" : "{\"ifname\":", out);
			json_str(out, ifc->ifname);
			fputs(",\"addresses\":", out);
			json_str(out, s->unprivileged ? NULL : addrs);
			fputs(",\"bridge\":", out);
			json_str(out, show_attach(ifc, peer, sizeof(peer)));
			fputs(",\"port\":", out);
			json_str(out, ifc->port);
			if (s->switch_unseen)
				fputs(",\"ofport\":null,\"error\":", out);
			else
				fprintf(out, ",\"ofport\":%lld,\"error\":", p ? p->ofport : 0LL);
			json_str(out, p ? p->error : "");
			show_settings_port_json(ifc, out);
			if (show_link(s, h->name, ifc->ifname, &k)) {
				fputc(',', out);
				cmd_link_show(ifc, &k, true, out);
			}
			fputc('}', out);
		}
		fputs("]}", out);
	}
	fputc(']', out);
	show_settings_lab_json(s->lab, out);
	machines_show(s->lab, &s->st, true, out);
	remote_show(s->lab, &s->st, true, out);
	fputs(",\"nat_rules\":", out);
	fputs(s->nat_unseen ? "null" : "[", out);
	for (size_t i = 0; !s->nat_unseen && i < s->n_rules; i++) {
		if (i)
			fputc(',', out);
		json_str(out, s->rules[i]);
	}
	fputs(s->nat_unseen ? "" : "]", out);
	fprintf(out, ",\"nat_rules_missing\":%s,\"damaged\":%s}\n", s->drift.nat ? "true" : "false",
		lab_drift_any(&s->drift) ? "true" : "false");
}

int cmd_show(const char *lab, bool json, FILE *out)
{
	struct show s = { 0 };
	struct ovsdb *db = NULL;
	const char *remote;
	int ret;

	ret = journal_read(lab, &s.st);
	if (ret < 0)
		return ret;
	s.unprivileged = geteuid() != 0;
	ret = cmd_load_saved(&s.st, &s.lab);
	if (ret < 0)
		goto out;
	/* Without root the machine's state cannot be read: unknown is not
	 * damaged, so nothing is observed (drift stays empty). */
	if (!s.unprivileged) {
		ret = observe_lab(s.lab, &s.st, &s.drift);
		if (ret < 0)
			goto out;
	}
	remote = journal_get(&s.st, JOURNAL_REMOTE);
	/* A dead database server is not waited for. */
	if (remote && (s.drift.ovsdb_dead || ovsdb_open(remote, 5000, &db) < 0 ||
		       ovsdb_lab_ports(db, lab, show_port_cb, &s) < 0)) {
		s.switch_down = !s.unprivileged;
		s.switch_unseen = s.unprivileged;
		err_clear();
	}
	/* A lab with machines: each machine's switch has its hosts' ports. */
	for (size_t i = 0; i < s.lab->n_machines; i++) {
		char mremote[PATH_MAX + 16];

		ovsdb_close(db);
		db = NULL;
		machines_remote(&s.st, s.lab->machines[i].name, mremote, sizeof(mremote));
		if (ovsdb_open(mremote, 5000, &db) < 0 ||
		    ovsdb_lab_ports(db, lab, show_port_cb, &s) < 0) {
			s.switch_down = true;
			err_clear();
		}
	}
	if (journal_get(&s.st, JOURNAL_NAT) && fw_list(lab, show_rule_cb, &s) < 0) {
		s.nat_unseen = s.unprivileged;
		err_clear();
	}
	/* Said once, apart from the output a script reads. */
	if (s.unprivileged)
		fprintf(stderr, "ovslab: show: not run as root: the hosts' addresses%s%s cannot be "
			"read and are shown as unknown\n", s.switch_unseen ? ", the switch" : "",
			s.nat_unseen ? ", the NAT rules" : "");
	if (json)
		show_json(&s, out);
	else
		show_text(&s, out);
	/* A damaged lab fails the command, for scripts that watch it. */
	if (lab_drift_any(&s.drift)) {
		err_set("%s: the lab is damaged (what is missing is marked with !); `ovslab up` on "
			"its file repairs it", lab);
		ret = -EIO;
	}
out:
	lab_drift_free(&s.drift);
	ovsdb_close(db);
	for (size_t i = 0; i < s.n_rules; i++)
		free(s.rules[i]);
	free(s.rules);
	free(s.ports);
	lab_free(s.lab);
	journal_close(&s.st);
	return ret;
}
