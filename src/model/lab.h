/* The lab model: what a lab file declares, after parsing and validation.
 * Every string is owned by the lab and freed by lab_free(). */
#ifndef OVSLAB_LAB_H
#define OVSLAB_LAB_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LAB_NAME_MAX 15 /* IFNAMSIZ - 1: names end up as interface names */
/* The external_ids key that marks a lab's rows in the switch (its value is
 * the lab's name); a lab file may not set it. */
#define LAB_MARK_KEY "ovslab-lab"

/* Where in the lab file a value came from, for file:line:col messages. */
struct lab_pos {
	int line; /* 1-based */
	int col;  /* 1-based */
};

struct lab_addr {
	int family; /* AF_INET or AF_INET6; 0 when unset */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	};
	uint8_t prefix;
};

/* An OpenFlow flow or group in ovs-ofctl syntax, and where it was written:
 * in the lab file, or (file set) at a line of a flows_file. */
struct lab_flow {
	char *text;
	const char *file;        /* NULL: the lab file; else the bridge's flows_file */
	struct lab_pos pos;
};

/* ---- Open vSwitch options (bridge settings, VLANs, patches, mirrors) ---- */

struct lab_kv {
	char *key;
	char *value;
};

/* Bridge settings passed to the switch; zero values leave the switch's
 * defaults. */
struct lab_bridge_settings {
	char *datapath;          /* NULL: the one ovslab picks for the lab */
	char *fail_mode;         /* NULL, "standalone" or "secure" */
	char **protocols;        /* "OpenFlow10" .. "OpenFlow15" */
	size_t n_protocols;
	char **controllers;      /* targets, e.g. "tcp:127.0.0.1:6653" */
	size_t n_controllers;
	bool mcast_snooping, stp, rstp;
	struct lab_kv *other_config;
	size_t n_other_config;
	struct lab_kv *external_ids; /* never LAB_MARK_KEY */
	size_t n_external_ids;
};

/* A host interface's settings as a bridge port. */
struct lab_port_settings {
	unsigned int ofport;     /* requested OpenFlow port; 0: the switch picks */
	unsigned int vlan;       /* access port of this VLAN; 0: none */
	unsigned int *trunks;    /* VLANs a trunk port carries; none: all */
	size_t n_trunks;
	struct lab_pos ofport_pos, vlan_pos;
};

/* A pair of OVS patch ports joining two lab bridges. */
struct lab_patch {
	char *bridge[2];
	char *port[2];           /* port[i] sits on bridge[i]; its peer is port[!i] */
	struct lab_pos pos;
	struct lab_pos end[2];
};

/* A host interface named in a mirror: HOST (its interfaces on the mirror's
 * bridge) or HOST:IFNAME. */
struct lab_mirror_ref {
	char *host;
	char *ifname;            /* NULL: by host */
	struct lab_pos pos;
};

struct lab_mirror {
	char *name;
	char *bridge;
	struct lab_mirror_ref *select; /* both directions; none: all the bridge's traffic */
	size_t n_select;
	struct lab_mirror_ref to;      /* by host: its first interface on the bridge */
	struct lab_pos pos, bridge_pos;
};

enum lab_tunnel {
	LAB_TUNNEL_GENEVE, /* the default */
	LAB_TUNNEL_VXLAN,
	LAB_TUNNEL_GRE,
};

/* Two machines a bridge's tunnels join (a bridge's tunnel: pairs:). */
struct lab_tunnel_pair {
	char *a, *b;
	struct lab_pos pos, a_pos, b_pos;
};

/* A machine interface a bridge takes as a port (`interfaces:`). */
struct lab_nic {
	char *name;
	/* Its addresses and routes move to the bridge's internal port while
	 * the lab is up, and back afterwards. */
	bool take_address;
	/* The user allows it although the machine's default route leaves
	 * through the interface. */
	bool take_default_route;
	struct lab_pos pos;
};

/* A TAP device on a bridge for a virtual machine (`taps:`): ovslab makes
 * it persistent and owned by uid/gid, the VM's emulator attaches to it. */
struct lab_tap {
	char *name;
	long uid, gid;           /* -1: root only */
	unsigned int queues;     /* > 1: IFF_MULTI_QUEUE, the VM opens this many */
	bool vnet_hdr;
	bool has_mac;            /* the VM's MAC for show's QEMU arguments */
	uint8_t mac[6];
	struct lab_pos pos;
};

struct lab_bridge {
	char *name;
	struct lab_addr gateway; /* IPv4; family 0: no gateway */
	struct lab_addr gateway6; /* IPv6; family 0: none */
	bool nat;
	char *uplink;            /* NULL: none; "auto": default route's device */
	char *gateway_on;        /* with machines: the machine holding the gateway */
	bool gateway_elsewhere;  /* in a machine's view: its hosts route through the
				  * gateway, which another machine holds */
	struct lab_pos gateway_on_pos;
	struct lab_bridge_settings settings;
	struct lab_pos pos;
	/* A lab with machines: how the bridge's copies on several machines
	 * are joined (model/lab_machines.c). */
	enum lab_tunnel tunnel;
	uint32_t key;            /* VNI (Geneve, VXLAN) or GRE key */
	bool key_flow;           /* key: flow: flows set tun_id, and tun_dst through
				  * the bridge's flow port (lab_tunnel_flow_port_name) */
	bool bfd;                /* BFD on its tunnels */
	struct lab_tunnel_pair *pairs; /* the machine pairs joined; none: a full mesh */
	size_t n_pairs;
	struct lab_pos tunnel_pos, key_pos;
	bool has_flows;          /* false: OVS's default NORMAL flow stays */
	struct lab_flow *flows;  /* replace the bridge's whole table */
	size_t n_flows;
	struct lab_flow *groups; /* installed before the flows */
	size_t n_groups;
	struct lab_flow *meters; /* set before the table is replaced */
	size_t n_meters;
	char *flows_file;        /* as resolved, for messages; NULL: inline */
	char *openflow;          /* `openflow:` as written ("OpenFlow10"); NULL: chosen */
	struct lab_pos openflow_pos;
	int of_version;          /* what the flows are sent in: 1 (OpenFlow10) .. 6
				  * (OpenFlow15), set once validated; 0: no flows */
	struct lab_nic *nics;    /* the machine's interfaces it takes as ports */
	size_t n_nics;
	struct lab_tap *taps;    /* ports for virtual machines */
	size_t n_taps;
};

/* ---- Link properties (lab_links.c): how an interface's link behaves ---- */

/* What an interface sends is shaped by these (the kernel's qdisc on it);
 * every value 0 is "not set" (the link as the kernel makes it).  All are
 * uint64_t so that one table (lab_props) reads, prints and compares them. */
struct lab_linkprops {
	uint64_t delay_us, jitter_us;
	uint64_t distribution;   /* enum lab_dist */
	uint64_t loss, loss_correlation, duplicate, reorder, corrupt; /* parts per million */
	uint64_t rate;           /* bit/s */
	uint64_t limit;          /* packets queued */
	uint64_t state;          /* enum lab_linkstate */
};

enum lab_dist { LAB_DIST_UNIFORM, LAB_DIST_NORMAL };
enum lab_linkstate { LAB_LINK_UP, LAB_LINK_DOWN };

enum lab_prop_kind { LAB_PROP_TIME, LAB_PROP_PERCENT, LAB_PROP_RATE, LAB_PROP_COUNT,
		     LAB_PROP_DIST, LAB_PROP_STATE };

/* One key of the lab file (and of `ovslab link ... set KEY=VALUE`). */
struct lab_prop {
	const char *key;
	enum lab_prop_kind kind;
	size_t off;              /* of its uint64_t in struct lab_linkprops */
};

#define LAB_N_PROPS 11
extern const struct lab_prop lab_props[LAB_N_PROPS];

const struct lab_prop *lab_prop_find(const char *key);
static inline uint64_t *lab_prop_val(const struct lab_prop *p, struct lab_linkprops *lp)
{
	return (uint64_t *)((char *)lp + p->off);
}
static inline uint64_t lab_prop_get(const struct lab_prop *p, const struct lab_linkprops *lp)
{
	return *(const uint64_t *)((const char *)lp + p->off);
}
/* Parses s as a value of p ("20ms", "1.5%", "10mbit", "down"): 0, or
 * -EINVAL with *why a phrase that follows the value ("is not a duration
 * (like 20ms)"). */
int lab_prop_parse(const struct lab_prop *p, const char *s, uint64_t *out, const char **why);
/* A value as people write it: "20ms", "1.5%", "10mbit", "down"; unset
 * values as "0ms", "0%", "none", "default", "up". */
const char *lab_prop_str(const struct lab_prop *p, uint64_t v, char *buf, size_t len);
bool lab_linkprops_eq(const struct lab_linkprops *a, const struct lab_linkprops *b);
/* Whether anything but the state is set: a qdisc or filter is needed. */
bool lab_linkprops_shaped(const struct lab_linkprops *lp);
/* "delay 10ms -> 50ms, loss 0% -> 10%": the keys that differ; "" if none. */
void lab_linkprops_diff(const struct lab_linkprops *a, const struct lab_linkprops *b, char *buf,
			size_t len);
/* "delay 20ms loss 1% rate 10mbit" (sep " "), or with sep "=" the words
 * `ovslab link ... set` takes: the keys that are set; "" if none. */
void lab_linkprops_str(const struct lab_linkprops *lp, const char *sep, char *buf, size_t len);
/* Why lp cannot be (a phrase naming the keys), or NULL: keys that need
 * another (jitter needs delay, reorder needs delay, ...). */
const char *lab_linkprops_problem(const struct lab_linkprops *lp);

struct lab_host;
struct lab_host_route;
/* Whether route r of host h leaves through an interface declared down
 * (state: down): the kernel drops such routes, so they are neither made
 * nor missed while it is down. */
bool lab_route_down(const struct lab_host *h, const struct lab_host_route *r);

/* What the far end of a host interface is. */
enum lab_attach {
	LAB_ATTACH_BRIDGE,  /* a port of one of the lab's bridges */
	LAB_ATTACH_MACHINE, /* `bridge: none`: a veth into the machine's namespace */
	LAB_ATTACH_LINK,    /* one end of a direct cable (`links:`) to another host */
	LAB_ATTACH_PHYSICAL, /* `physical: NAME`: the machine's interface, moved in */
	LAB_ATTACH_VLAN,    /* `parent: IFNAME`: an 802.1Q sub-interface of another of its interfaces */
};

struct lab_iface {
	enum lab_attach attach;
	char *bridge;            /* LAB_ATTACH_BRIDGE: name of a lab_bridge, else NULL */
	char *ifname;            /* inside the host's namespace */
	char *port;              /* BRIDGE/MACHINE: the veth end outside (bridge port or
				  * machine interface); LINK, PHYSICAL: NULL */
	char *physical;          /* PHYSICAL: the machine interface's name there */
	bool take_default_route; /* PHYSICAL: even if the default route uses it */
	char *parent;            /* VLAN: the host's interface it is made on */
	unsigned int vlan_id;    /* VLAN: the 802.1Q tag, 1 to 4094 */
	struct lab_addr *addrs;  /* IPv4 and IPv6, in file order */
	size_t n_addrs;
	bool has_mac;
	uint8_t mac[6];
	unsigned int mtu;        /* 0: the kernel's default */
	struct lab_linkprops props;
	struct lab_pos props_pos; /* the first link-property key, or the link's */
	/* `ovslab link` set props in place of the file's (file_props). */
	bool props_changed;
	struct lab_linkprops file_props;
	/* LAB_ATTACH_LINK: the other end, by host and interface name. */
	char *peer_host;
	char *peer_ifname;
	struct lab_port_settings settings;   /* LAB_ATTACH_BRIDGE only */
	struct lab_pos pos;
};

/* A static route inside a host. */
struct lab_route {
	struct lab_addr dst;     /* prefix 0 with family set: default route */
	struct lab_addr via;     /* family 0: no gateway (device route) */
	char *dev;               /* NULL: let the kernel pick from via */
	struct lab_pos pos;
};

struct lab_sysctl {
	char *key;               /* as written, dots: net.ipv4.ip_forward */
	char *value;
	struct lab_pos pos;
};

/* A command run inside the host once it is up: argv, never a shell unless
 * the user writes one. */
struct lab_cmd {
	char **argv;             /* NULL-terminated */
	size_t argc;
	struct lab_pos pos;
};

struct lab_host {
	char *name;              /* also the namespace name */
	struct lab_iface *ifaces;
	size_t n_ifaces;
	struct lab_route *routes;
	size_t n_routes;
	struct lab_sysctl *sysctls;
	size_t n_sysctls;
	struct lab_cmd *exec;
	size_t n_exec;
	char *machine;           /* the simulated machine it sits on; NULL: none */
	struct lab_pos pos, machine_pos;
};

/* A direct cable: a veth pair with one end in each host. */
struct lab_link {
	char *host[2];
	char *ifname[2];
	/* The mapping form ({ends: [...], delay: 20ms}): for both ends. */
	struct lab_linkprops props;
	unsigned int mtu;
	bool has_props;
	struct lab_pos pos;
};

/* A reachability check (`checks:`): not built by up, run by `ovslab check`. */
struct lab_check {
	char *from;              /* a host */
	char *to;                /* as written: a host name or an address */
	char *to_host;           /* the host that has addr; NULL: none of the lab's */
	struct lab_addr addr;    /* what is probed (prefix: the full length) */
	bool expect_reach;
	uint16_t tcp;            /* TCP connect to this port; 0: ICMP echo */
	bool service;            /* TCP: the user's own server, ovslab never listens */
	unsigned int count;      /* echo requests */
	unsigned int timeout_ms;
	struct lab_pos pos, pos_from, pos_to;
};

/* A simulated machine: a named namespace with its own Open vSwitch, on the
 * underlay network at `underlay` (the subnet's prefix length). */
struct lab_machine_flows {
	char *bridge;
	struct lab_flow *flows;  /* after the bridge's own, on this machine only */
	size_t n_flows;
	struct lab_pos pos;
};

struct lab_machine {
	char *name;
	struct lab_addr underlay;
	struct lab_pos pos, underlay_pos; /* underlay_pos: {0,0} when ovslab picked it */
	/* `up --machine` on a real computer: the interface that carries the
	 * underlay there; NULL: the one that has the underlay address. */
	char *interface;
	struct lab_pos interface_pos;
	struct lab_machine_flows *flows;  /* the machine's `flows:`, by bridge */
	size_t n_flows;
};

/* A tunnel the played machine's bridge needs (lab_play). */
struct lab_play_tunnel {
	const char *bridge;               /* into the lab's bridges */
	const struct lab_machine *peer;   /* into lab_play.machines; NULL: the
					   * bridge's remote_ip=flow port */
};

/* `ovslab up FILE --machine M` on a real computer: the lab is reduced to
 * M's part, a lab without machines (its bridges in the computer's switch,
 * its hosts namespaces of the computer); the file's machines stay here for
 * the underlay and the tunnels to the other computers. */
struct lab_play {
	struct lab_machine *machines;     /* all of the file's, M included */
	size_t n_machines;
	const struct lab_machine *self;   /* M */
	struct lab_play_tunnel *tunnels;  /* as simulated machines get them */
	size_t n_tunnels;
};

/* The network joining the machines: a Linux bridge in a namespace of its own.
 * Link properties of the underlay are not read yet; they would be a
 * struct lab_linkprops here, given with tc_set() to each machine's ul0. */
struct lab_underlay {
	struct lab_addr subnet;  /* network address and prefix */
	unsigned int mtu;
	struct lab_pos pos;
};

#define LAB_UNDERLAY_SUBNET "10.200.0.0/24"
/* Geneve adds 50 bytes (VXLAN 50, GRE 38 and more with a key): 1600 keeps
 * the hosts' MTU at 1500 whatever the tunnel. */
#define LAB_UNDERLAY_MTU 1600

/* Which packet filter holds the lab's NAT rules (firewall/firewall.h). */
enum lab_firewall {
	LAB_FIREWALL_AUTO,      /* the one the machine's own tools use */
	LAB_FIREWALL_IPTABLES,  /* legacy xtables */
	LAB_FIREWALL_NFTABLES,
};

struct lab {
	char *name;
	char *file;              /* path it was read from, for messages */
	struct lab_bridge *bridges;
	size_t n_bridges;
	struct lab_host *hosts;
	size_t n_hosts;
	struct lab_link *links;
	size_t n_links;
	struct lab_patch *patches;
	size_t n_patches;
	struct lab_mirror *mirrors;
	size_t n_mirrors;
	bool has_ipv6;           /* some address or route is IPv6 */
	struct lab_check *checks;
	size_t n_checks;
	struct lab_machine *machines; /* none: everything in the one switch, as before */
	size_t n_machines;
	struct lab_underlay underlay; /* with machines only */
	struct lab_play *play;        /* NULL: not one machine's part (lab_play) */
	enum lab_firewall firewall;   /* top-level `firewall:` */
	/* A machine's view (lab_machine_view): the flow lists it made by
	 * joining a bridge's flows with the machine's own. */
	struct lab_flow **view_flows;
	size_t n_view_flows;
};

void lab_free(struct lab *lab);
/* Frees a bridge's machine interfaces. */
void lab_bridge_nics_free(struct lab_bridge *b);
/* Frees a bridge's flows, groups, meters, flows_file and openflow. */
void lab_bridge_flows_free(struct lab_bridge *b);
/* What one bridge, host or check owns (not the object itself). */
void lab_bridge_free(struct lab_bridge *b);
void lab_host_free(struct lab_host *h);
void lab_check_free(struct lab_check *c);
void lab_machine_free(struct lab_machine *m);

/* The bridge that takes the machine interface name as a port, or NULL. */
const struct lab_bridge *lab_nic_bridge(const struct lab *lab, const char *name);
const struct lab_nic *lab_find_nic(const struct lab_bridge *b, const char *name);
/* The host interface that moves the machine interface name in, or NULL. */
const struct lab_iface *lab_physical_iface(const struct lab *lab, const char *name,
					   const struct lab_host **host);
struct lab_bridge *lab_find_bridge(const struct lab *lab, const char *name);
struct lab_host *lab_find_host(const struct lab *lab, const char *name);
struct lab_iface *lab_find_iface(const struct lab_host *host, const char *ifname);

/* Same family, prefix and address (two unset addresses are equal). */
bool lab_addr_eq(const struct lab_addr *a, const struct lab_addr *b);
/* Formats "a.b.c.d/len" or "x::y/len" into buf (at least 64 bytes). */
const char *lab_addr_str(const struct lab_addr *a, char *buf, size_t len);
/* Parses "a.b.c.d/len" or an IPv6 "addr/len"; 0 or -EINVAL. */
int lab_addr_parse(const char *s, struct lab_addr *out);
/* The network of a: host bits cleared. */
struct lab_addr lab_addr_network(const struct lab_addr *a);
/* Whether b lies inside the subnet of a (same family, a's prefix). */
bool lab_addr_in_subnet(const struct lab_addr *a, const struct lab_addr *b);

/* Whether s is a safe interface / namespace / file name: 1..15 bytes, no '/',
 * no whitespace, not "." or "..", no ':' (reserved for host:iface). */
bool lab_name_valid(const char *s);
/* Why s is not a valid name, as a phrase that follows it ("is empty"), or
 * NULL when it is one. */
const char *lab_name_problem(const char *s);
/* The same for a lab's name, the one rule of the lab file's "name" key and
 * of the LAB argument of the commands: a valid name not starting with a dot
 * (/run/ovslab keeps its own files, like the private switch's, under those). */
const char *lab_labname_problem(const char *s);

/* Default bridge-side port name for a host interface: "<host>_tap" when that
 * fits in 15 bytes, else a shortened form that still names the host. */
void lab_port_default(const char *host, size_t idx, char out[16]);

/* ---- Machines (lab_machines.c) ---- */

struct lab_machine *lab_find_machine(const struct lab *lab, const char *name);
/* "geneve", "vxlan" or "gre": also Open vSwitch's interface type. */
const char *lab_tunnel_name(enum lab_tunnel t);
/* The underlay's namespace: "<lab>-ul", shortened with a hash of the lab's
 * name when that does not fit 15 bytes. */
void lab_underlay_ns(const char *lab, char out[16]);
/* The tunnel port on `bridge` towards machine `peer`: "<bridge>-<peer>",
 * shortened like a patch port (one switch holds every bridge of a machine,
 * so the bridge's name keeps two bridges' tunnels to one peer apart). */
void lab_tunnel_port_name(const char *bridge, const char *peer, char out[16]);
/* With key: flow, the bridge's tunnel port whose remote is the flow's
 * tun_dst (remote_ip=flow): "<bridge>-flow", named as towards a peer
 * called LAB_TUNNEL_FLOW_PEER. */
#define LAB_TUNNEL_FLOW_PEER "flow"
void lab_tunnel_flow_port_name(const char *bridge, char out[16]);
/* Whether bridge b's tunnels join machines m and peer: both have it and
 * the bridge lists the pair (or lists none: a full mesh). */
bool lab_tunnel_joins(const struct lab *lab, const struct lab_bridge *b,
		      const struct lab_machine *m, const struct lab_machine *peer);
/* The machine's end of its uplink (a cable to the lab's root namespace, for
 * NAT out of the network node) and its end there: "up-<machine>",
 * shortened like a patch port. */
#define LAB_UPLINK_PORT "uplink0"
void lab_machine_uplink_name(const char *machine, char out[16]);
/* The /30 of machine index i's uplink (the lab's side .1, the machine's
 * .2), link-local, per lab: 169.254.X.4i/30 with X from the lab's name. */
void lab_machine_uplink_addr(const char *lab, size_t i, bool machine_side,
			     struct lab_addr *out);
/* Whether the machine holds bridge's gateway (its `gateway_on:`). */
bool lab_machine_gateway(const struct lab_machine *m, const struct lab_bridge *b);
/* Whether a host of the lab sits on machine m and has a port on bridge, or
 * m holds the bridge's gateway. */
bool lab_machine_has_bridge(const struct lab *lab, const struct lab_machine *m,
			    const char *bridge);
/* The part of lab on machine m: the bridges it has and its hosts, sharing
 * the lab's strings (free with lab_view_free).  The rows and hosts the
 * existing code builds for a lab are what that machine needs. */
int lab_machine_view(const struct lab *lab, const struct lab_machine *m, struct lab **out);
void lab_view_free(struct lab *view);
/* Reduces lab in place to machine's part (see struct lab_play): the other
 * machines' hosts, the bridges machine lacks and the checks from hosts
 * elsewhere go.  -ENOENT when the lab has no such machine, -ENOMEM. */
int lab_play(struct lab *lab, const char *machine);

/* ---- The routes a host gets (lab_routes.c) ---- */

/* A route as a host gets it: declared, or the default derived from a bridge
 * gateway or a machine attachment.  dev points into the lab. */
struct lab_host_route {
	struct lab_addr dst;
	struct lab_addr via;     /* family 0: no gateway */
	const char *dev;         /* ifname inside the host, or NULL */
};

/* Whether the interface has an address of family (AF_INET, AF_INET6). */
bool lab_iface_has_family(const struct lab_iface *ifc, int family);
/* The routes h gets in lab, in the order they are made: the count, with the
 * array malloc'd into *out (NULL when none; the caller frees it), or -ENOMEM. */
int lab_host_routes(const struct lab *lab, const struct lab_host *h, struct lab_host_route **out);
bool lab_host_route_eq(const struct lab_host_route *a, const struct lab_host_route *b);

/* Open vSwitch options (lab_settings.c). */
void lab_bridge_settings_free(struct lab_bridge_settings *settings);
void lab_patch_free(struct lab_patch *p);
void lab_mirror_free(struct lab_mirror *m);
/* The name of the patch port on bridge `from` towards bridge `to`:
 * "from-to", the longer name shortened first until it fits 15 bytes. */
void lab_patch_port_name(const char *from, const char *to, char out[16]);
/* The bridge ports a mirror reference stands for, in file order: calls fn
 * for each (by host: every interface of the host on the bridge, or only
 * the first when first_only).  Returns how many. */
size_t lab_mirror_ports(const struct lab *lab, const char *bridge,
			const struct lab_mirror_ref *ref, bool first_only,
			void (*fn)(const char *port, void *arg), void *arg);

#endif
