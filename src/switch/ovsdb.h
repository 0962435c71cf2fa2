/* The lab's rows in the Open vSwitch database, through the OVSDB IDL.
 * Every row ovslab creates carries external_ids:LAB_MARK_KEY=<lab name>. */
#ifndef OVSLAB_OVSDB_H
#define OVSLAB_OVSDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/lab.h"

/* How long to wait for the switch to apply a transaction. */
#define OVSDB_TIMEOUT_MS 30000

struct ovsdb;

/* Connects to remote (e.g. "unix:/run/openvswitch/db.sock") and waits for the
 * database contents, at most timeout_ms. */
int ovsdb_open(const char *remote, int timeout_ms, struct ovsdb **out);
void ovsdb_close(struct ovsdb *db);

/* Whether db still talks to the server at remote: a switch stopped and
 * started anew since ovsdb_open is to be opened anew. */
bool ovsdb_connected(struct ovsdb *db, const char *remote);

/* A bridge, port or interface name in the switch, for pre-flight. */
struct ovsdb_row_name {
	char *name;
	const char *kind; /* "a bridge", "a port" or "an interface" */
	char *lab;        /* the lab whose mark the row carries; NULL: none */
};
struct ovsdb_row_names {
	struct ovsdb_row_name *v; /* by name; for one name, bridge, port, interface */
	size_t n;
};
/* Every Bridge, Port and Interface row's name and mark.  Free *out with
 * ovsdb_row_names_free, also after a failure. */
int ovsdb_row_names(struct ovsdb *db, struct ovsdb_row_names *out);
void ovsdb_row_names_free(struct ovsdb_row_names *names);
/* How many bridges of the switch at remote carry no lab's mark (ovslab did
 * not make them: a user added them), their names joined by ", " in buf (cut
 * to len).  Reads the Bridge table only: quick beside thousands of ports. */
int ovsdb_foreign_bridges(const char *remote, int timeout_ms, char *buf, size_t len);

/* One transaction: the Open_vSwitch row if the database has none, each lab
 * bridge with its internal port (datapath_type `datapath`), and one port per
 * host interface.  Then waits until ovs-vswitchd has applied it (cur_cfg
 * reaches next_cfg) and fails, naming the interface, if any interface has an
 * error or ofport -1. */
int ovsdb_lab_apply(struct ovsdb *db, const struct lab *lab,
		    const char *datapath, int timeout_ms);

/* ovsdb_lab_apply in two halves, so that the caller can go on building
 * while ovs-vswitchd works: commit returns once the database took the
 * transaction, raising *next_cfg (start at 0) to the configuration to wait
 * for; wait waits for it and verifies the interfaces. */
int ovsdb_lab_commit(struct ovsdb *db, const struct lab *lab, const char *datapath,
		     int timeout_ms, int64_t *next_cfg);
int ovsdb_lab_wait(struct ovsdb *db, const char *lab_name, int64_t next_cfg, int timeout_ms);

/* ovsdb_lab_commit without waiting for the database's answer: the caller
 * goes on making hosts while ovsdb-server takes the transaction, calling
 * ovsdb_lab_pump now and then to keep it moving.  The answer is taken
 * (and *next_cfg raised) by ovsdb_lab_settle, which every later commit and
 * ovsdb_lab_wait call first.  lab may be a stack copy: it is copied. */
int ovsdb_lab_commit_start(struct ovsdb *db, const struct lab *lab, const char *datapath,
			   int timeout_ms, int64_t *next_cfg);
void ovsdb_lab_pump(struct ovsdb *db);
int ovsdb_lab_settle(struct ovsdb *db, int64_t *next_cfg);

/* A simulated machine's rows beyond its part of the lab. */
struct ovsdb_tunnel {
	const char *bridge;      /* the lab bridge it sits on */
	char name[16];
	const char *type;        /* "geneve", "vxlan" or "gre" */
	char remote[16];         /* the peer machine's underlay address, or "flow" */
	uint32_t key;            /* VNI or GRE key */
	bool key_flow;           /* options:key=flow: the flows set tun_id */
	bool bfd;                /* bfd:enable=true */
};
struct ovsdb_machine {
	const char *phy_bridge;  /* holds phy_port; its internal port gets the address */
	const char *phy_port;    /* the machine's underlay interface */
	unsigned int mtu;        /* of the underlay, asked of phy_bridge's internal port */
	const struct ovsdb_tunnel *tunnels; /* protected ports (split horizon) */
	size_t n_tunnels;
};
/* ovsdb_lab_commit on a simulated machine's own switch (datapath netdev):
 * view is its part of the lab (lab_machine_view), m what it adds, in one
 * transaction; wait for it with ovsdb_lab_wait (the caller commits to
 * every machine first, so their switches work at once). */
int ovsdb_machine_commit(struct ovsdb *db, const struct lab *view, const struct ovsdb_machine *m,
			 int timeout_ms, int64_t *next_cfg);

/* The BFD state ("up", "down", "init", "admin_down") of each named
 * interface, from its Interface bfd_status; "" for one without. */
int ovsdb_bfd_states(const char *remote, int timeout_ms, const char *const *ifaces, size_t n,
		     char (*states)[16]);

/* A computer that plays one machine of a lab (`up --machine`): every later
 * commit of the lab on this connection makes m's rows too (br-phy with the
 * computer's interface, the tunnels), on the lab's datapath.  m must
 * outlive the connection's commits; NULL: none. */
void ovsdb_set_machine(struct ovsdb *db, const struct ovsdb_machine *m);

/* Deletes every Bridge, Port and Interface marked with the lab's name, in one
 * transaction, and waits for ovs-vswitchd to apply it.  Rows not marked
 * with this lab are never touched. */
int ovsdb_lab_remove(struct ovsdb *db, const char *lab_name, int timeout_ms);
/* The same without waiting for ovs-vswitchd: for a switch whose
 * ovs-vswitchd is dead, which applies it when it starts again. */
int ovsdb_lab_remove_rows(struct ovsdb *db, const char *lab_name, int timeout_ms);

/* Deletes the lab's ports of these names (and their interfaces).  A veth
 * made anew under an old name must be opened anew by ovs-vswitchd: it gets
 * its port back by the next ovsdb_lab_apply. */
int ovsdb_lab_drop_ports(struct ovsdb *db, const char *lab_name, const char *const *ports,
			 size_t n, int timeout_ms);

/* Whether any row carries the lab's mark. */
bool ovsdb_lab_present(struct ovsdb *db, const char *lab_name);

/* Calls fn once for each distinct lab name that marks a Bridge, Port or
 * Interface row. */
int ovsdb_lab_names(struct ovsdb *db, void (*fn)(const char *lab, void *arg), void *arg);

struct ovsdb_port_info {
	const char *bridge;
	const char *port;
	const char *type;     /* "" or "internal" */
	int64_t ofport;       /* -1 failed, 0 not yet assigned */
	const char *error;    /* NULL if none */
	const char *datapath; /* bridge's datapath_type */
};
/* Calls fn for each port marked with the lab's name. */
int ovsdb_lab_ports(struct ovsdb *db, const char *lab_name,
		    void (*fn)(const struct ovsdb_port_info *p, void *arg),
		    void *arg);

#endif
