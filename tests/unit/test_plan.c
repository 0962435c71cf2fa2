/* The planner: plan_make on two lab files parsed from text, the steps it
 * finds and what plan_print says of them.  Pure, no root. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "model/lab.h"
#include "plan/plan.h"
#include "labparse.h"

/* Two labs and the plan from the first to the second (the steps point into
 * both labs, so they live together). */
struct pair {
	struct lab *old, *new;
	struct plan plan;
	char *printed;
};

static struct lab *parse_ok(const char *yaml)
{
	struct result r = parse_as("t.yaml", yaml);

	cr_assert_eq(r.ret, 0, "ret %d, diag:\n%s\nfor:\n%s", r.ret, r.diag, yaml);
	cr_assert_str_empty(r.diag, "for:\n%s", yaml);
	free(r.diag);
	return r.lab;
}

static struct pair plan_of(const char *old, const char *new)
{
	struct pair x = { .old = parse_ok(old), .new = parse_ok(new) };
	size_t len;
	FILE *f;

	cr_assert_eq(plan_make(x.old, x.new, &x.plan), 0);
	f = open_memstream(&x.printed, &len);
	cr_assert_not_null(f);
	plan_print(&x.plan, x.new->name, f);
	cr_assert_eq(fclose(f), 0);
	return x;
}

static void pair_free(struct pair *x)
{
	plan_free(&x->plan);
	lab_free(x->old);
	lab_free(x->new);
	free(x->printed);
	err_clear();
}

/* The plan's steps, as plan_print writes them, must be exactly these. */
static void expect_printed(const struct pair *x, const char *want)
{
	cr_expect_str_eq(x->printed, want, "got:\n%swant:\n%s", x->printed, want);
}

static const struct plan_step *step(const struct pair *x, size_t i, enum plan_op op)
{
	cr_assert_lt(i, x->plan.n_steps, "no step %zu:\n%s", i, x->printed);
	cr_expect_eq(x->plan.steps[i].op, op, "step %zu is op %d, want %d:\n%s", i,
		     x->plan.steps[i].op, op, x->printed);
	return &x->plan.steps[i];
}

#define BASE_BRIDGES "bridges:\n  b1: {gateway: 10.0.0.1/24}\n"
#define BASE_HOSTS                                                                        \
	"hosts:\n"                                                                         \
	"  h1: {bridge: b1, address: 10.0.0.2/24}\n"                                       \
	"  h2: {bridge: b1, address: 10.0.0.3/24}\n"
#define BASE "name: t\n" BASE_BRIDGES BASE_HOSTS

Test(plan, identical_files_no_step)
{
	struct pair x = plan_of(BASE, BASE);

	cr_expect_eq(x.plan.n_steps, 0);
	cr_expect_not(x.plan.switch_rows);
	expect_printed(&x, "t: up to date, nothing to change\n");
	pair_free(&x);
}

Test(plan, nothing_up_everything_added)
{
	struct lab *new = parse_ok(BASE);
	struct plan p;

	cr_assert_eq(plan_make(NULL, new, &p), 0);
	cr_expect_eq(p.n_steps, 3);
	cr_expect(plan_has(&p, PLAN_BRIDGE_ADD));
	cr_expect(plan_has(&p, PLAN_HOST_ADD));
	cr_expect_not(plan_has(&p, PLAN_HOST_UPDATE));
	cr_expect(p.switch_rows);
	plan_free(&p);
	lab_free(new);
}

Test(plan, host_added)
{
	struct pair x = plan_of(BASE, BASE "  h3: {bridge: b1, address: 10.0.0.4/24}\n");
	const struct plan_step *s = step(&x, 0, PLAN_HOST_ADD);

	cr_expect_eq(x.plan.n_steps, 1);
	cr_expect_null(s->host.old);
	cr_expect_eq(s->host.new, lab_find_host(x.new, "h3"));
	cr_expect(x.plan.switch_rows, "a bridge port comes");
	expect_printed(&x, "+ host h3\n");
	pair_free(&x);
}

Test(plan, host_removed)
{
	struct pair x = plan_of(BASE, "name: t\n" BASE_BRIDGES
				"hosts:\n  h1: {bridge: b1, address: 10.0.0.2/24}\n");
	const struct plan_step *s = step(&x, 0, PLAN_HOST_DEL);

	cr_expect_eq(x.plan.n_steps, 1);
	cr_expect_eq(s->host.old, lab_find_host(x.old, "h2"));
	cr_expect_null(s->host.new);
	cr_expect(x.plan.switch_rows, "a bridge port goes");
	expect_printed(&x, "- host h2\n");
	pair_free(&x);
}

Test(plan, address_change_updates_in_place)
{
	struct pair x = plan_of(BASE, "name: t\n" BASE_BRIDGES
				"hosts:\n"
				"  h1: {bridge: b1, address: 10.0.0.2/24}\n"
				"  h2: {bridge: b1, address: 10.0.0.9/24}\n");
	const struct plan_step *s = step(&x, 0, PLAN_HOST_UPDATE);

	cr_expect_eq(x.plan.n_steps, 1);
	cr_expect_eq(s->host.old, lab_find_host(x.old, "h2"));
	cr_expect_eq(s->host.new, lab_find_host(x.new, "h2"));
	cr_expect_not(x.plan.switch_rows);
	expect_printed(&x, "~ host h2: addresses\n");
	pair_free(&x);
}

Test(plan, route_and_sysctl_change_update_in_place)
{
	struct pair x = plan_of(BASE, "name: t\n" BASE_BRIDGES
				"hosts:\n"
				"  h1: {bridge: b1, address: 10.0.0.2/24,\n"
				"       routes: [{to: 10.9.0.0/16, via: 10.0.0.3}]}\n"
				"  h2: {bridge: b1, address: 10.0.0.3/24,\n"
				"       sysctls: {net.ipv4.ip_forward: 1}}\n");

	step(&x, 0, PLAN_HOST_UPDATE);
	step(&x, 1, PLAN_HOST_UPDATE);
	cr_expect_eq(x.plan.n_steps, 2);
	expect_printed(&x, "~ host h1: routes\n~ host h2: sysctls\n");
	pair_free(&x);
}

Test(plan, interface_change_rebuilds_host)
{
	struct pair x = plan_of(BASE, "name: t\n" BASE_BRIDGES
				"hosts:\n"
				"  h1: {bridge: b1, address: 10.0.0.2/24}\n"
				"  h2: {bridge: b1, address: 10.0.0.3/24, mtu: 9000}\n");
	const struct plan_step *s = step(&x, 0, PLAN_HOST_REBUILD);

	cr_expect_eq(x.plan.n_steps, 1);
	cr_expect_eq(s->host.old, lab_find_host(x.old, "h2"));
	cr_expect_eq(s->host.new, lab_find_host(x.new, "h2"));
	cr_expect(x.plan.switch_rows, "the host's port is made anew");
	expect_printed(&x, "~ host h2: interfaces (made anew)\n");
	pair_free(&x);
}

Test(plan, bridge_added_and_removed)
{
	const char *two = "name: t\n"
			  "bridges:\n  b1: {gateway: 10.0.0.1/24}\n  b2:\n" BASE_HOSTS;
	struct pair x = plan_of(BASE, two);
	const struct plan_step *s = step(&x, 0, PLAN_BRIDGE_ADD);

	cr_expect_eq(x.plan.n_steps, 1);
	cr_expect_null(s->bridge.old);
	cr_expect_eq(s->bridge.new, lab_find_bridge(x.new, "b2"));
	cr_expect(x.plan.switch_rows);
	expect_printed(&x, "+ bridge b2\n");
	pair_free(&x);

	x = plan_of(two, BASE);
	s = step(&x, 0, PLAN_BRIDGE_DEL);
	cr_expect_eq(x.plan.n_steps, 1);
	cr_expect_eq(s->bridge.old, lab_find_bridge(x.old, "b2"));
	cr_expect_null(s->bridge.new);
	cr_expect(x.plan.switch_rows);
	expect_printed(&x, "- bridge b2\n");
	pair_free(&x);
}

/* The hosts' default routes go through the gateway: they change with it. */
Test(plan, gateway_change)
{
	struct pair x = plan_of(BASE, "name: t\nbridges:\n  b1: {gateway: 10.0.0.254/24}\n"
				BASE_HOSTS);
	const struct plan_step *s = step(&x, 0, PLAN_BRIDGE_GATEWAY);

	cr_expect_eq(s->bridge.old, lab_find_bridge(x.old, "b1"));
	cr_expect_eq(s->bridge.new, lab_find_bridge(x.new, "b1"));
	cr_expect_eq(step(&x, 1, PLAN_HOST_UPDATE)->host.new, lab_find_host(x.new, "h1"));
	cr_expect_eq(step(&x, 2, PLAN_HOST_UPDATE)->host.new, lab_find_host(x.new, "h2"));
	cr_expect_eq(x.plan.n_steps, 3);
	cr_expect_not(x.plan.switch_rows);
	expect_printed(&x, "~ bridge b1: gateway\n~ host h1: routes\n~ host h2: routes\n");
	pair_free(&x);
}

/* A host that declares its default route keeps it whatever the gateway. */
Test(plan, gateway_change_declared_default_route)
{
	const char *hosts = "hosts:\n"
			    "  h1: {bridge: b1, address: 10.0.0.2/24,\n"
			    "       routes: [{to: default, via: 10.0.0.3}]}\n";
	char old[256], new[256];
	struct pair x;

	snprintf(old, sizeof(old), "name: t\n%s%s", BASE_BRIDGES, hosts);
	snprintf(new, sizeof(new), "name: t\nbridges:\n  b1: {gateway: 10.0.0.254/24}\n%s",
		 hosts);
	x = plan_of(old, new);
	step(&x, 0, PLAN_BRIDGE_GATEWAY);
	cr_expect_eq(x.plan.n_steps, 1);
	expect_printed(&x, "~ bridge b1: gateway\n");
	pair_free(&x);
}

Test(plan, nat_switched_on)
{
	struct pair x = plan_of(BASE, "name: t\nbridges:\n  b1: {gateway: 10.0.0.1/24, nat: true}\n"
				BASE_HOSTS);

	step(&x, 0, PLAN_NAT);
	cr_expect_eq(x.plan.n_steps, 1);
	cr_expect_not(x.plan.switch_rows);
	expect_printed(&x, "~ nat rules\n");
	pair_free(&x);
}

#define FLOWS(f) "name: t\nbridges:\n  b1:\n    gateway: 10.0.0.1/24\n    flows: [" f "]\n"

Test(plan, flow_changed)
{
	struct pair x = plan_of(FLOWS("'priority=0,actions=NORMAL'") BASE_HOSTS,
				FLOWS("'priority=0,actions=drop'") BASE_HOSTS);
	const struct plan_step *s = step(&x, 0, PLAN_FLOWS);

	cr_expect_eq(x.plan.n_steps, 1);
	cr_expect_eq(s->bridge.old, lab_find_bridge(x.old, "b1"));
	cr_expect_eq(s->bridge.new, lab_find_bridge(x.new, "b1"));
	cr_expect_not(x.plan.switch_rows);
	expect_printed(&x, "~ bridge b1: flows\n");
	pair_free(&x);
}

/* A port made anew may get another OpenFlow number: the table follows. */
Test(plan, flows_follow_changed_ports)
{
	struct pair x = plan_of(FLOWS("'priority=0,actions=NORMAL'") BASE_HOSTS,
				FLOWS("'priority=0,actions=NORMAL'") BASE_HOSTS
				"  h3: {bridge: b1, address: 10.0.0.4/24}\n");

	step(&x, 0, PLAN_HOST_ADD);
	step(&x, 1, PLAN_FLOWS);
	cr_expect_eq(x.plan.n_steps, 2);
	cr_expect(x.plan.switch_rows);
	expect_printed(&x, "+ host h3\n~ bridge b1: flows (ports changed)\n");
	pair_free(&x);
}

Test(plan, bridge_setting_changes_switch_rows_only)
{
	struct pair x = plan_of(BASE, "name: t\nbridges:\n"
				"  b1: {gateway: 10.0.0.1/24, fail_mode: secure}\n" BASE_HOSTS);
	const struct plan_step *s = step(&x, 0, PLAN_SWITCH_CHANGE);

	cr_expect_eq(x.plan.n_steps, 1);
	cr_expect_eq(s->bridge.old, lab_find_bridge(x.old, "b1"));
	cr_expect_eq(s->bridge.new, lab_find_bridge(x.new, "b1"));
	cr_expect_null(s->host.old);
	cr_expect_null(s->host.new);
	cr_expect(x.plan.switch_rows);
	cr_expect_not(plan_has(&x.plan, PLAN_HOST_UPDATE));
	cr_expect_not(plan_has(&x.plan, PLAN_HOST_REBUILD));
	expect_printed(&x, "~ bridge b1: fail_mode\n");
	pair_free(&x);
}

Test(plan, port_vlan_changes_switch_rows_only)
{
	struct pair x = plan_of(BASE, "name: t\n" BASE_BRIDGES
				"hosts:\n"
				"  h1: {bridge: b1, address: 10.0.0.2/24, vlan: 10}\n"
				"  h2: {bridge: b1, address: 10.0.0.3/24}\n");
	const struct plan_step *s = step(&x, 0, PLAN_SWITCH_CHANGE);

	cr_expect_eq(x.plan.n_steps, 1);
	cr_expect_eq(s->host.new, lab_find_host(x.new, "h1"));
	cr_expect(x.plan.switch_rows);
	expect_printed(&x, "~ host h1: vlan\n");
	pair_free(&x);
}

#define LINKED                                                                            \
	"  h3: {ifname: c3, address: 10.1.0.1/30}\n"                                       \
	"  h4: {ifname: c4, address: 10.1.0.2/30}\n"                                       \
	"links:\n  - [h3:c3, h4:c4]\n"

Test(plan, link_added_with_its_hosts)
{
	struct pair x = plan_of(BASE, BASE LINKED);
	const struct plan_step *s = step(&x, 2, PLAN_LINK_ADD);

	step(&x, 0, PLAN_HOST_ADD);
	step(&x, 1, PLAN_HOST_ADD);
	cr_expect_eq(x.plan.n_steps, 3);
	cr_expect_null(s->link.old);
	cr_expect_eq(s->link.new, &x.new->links[0]);
	cr_expect_not(x.plan.switch_rows, "no bridge port comes");
	expect_printed(&x, "+ host h3\n+ host h4\n+ link h3:c3 - h4:c4\n");
	pair_free(&x);
}

/* A host made anew takes its cables with it: they are made again. */
Test(plan, link_made_again_with_rebuilt_host)
{
	struct pair x = plan_of(BASE LINKED, BASE
				"  h3: {ifname: c3, address: 10.1.0.1/30, mtu: 1400}\n"
				"  h4: {ifname: c4, address: 10.1.0.2/30}\n"
				"links:\n  - [h3:c3, h4:c4]\n");

	step(&x, 0, PLAN_HOST_REBUILD);
	cr_expect_eq(step(&x, 1, PLAN_LINK_ADD)->link.new, &x.new->links[0]);
	cr_expect_eq(x.plan.n_steps, 2);
	expect_printed(&x, "~ host h3: interfaces (made anew)\n+ link h3:c3 - h4:c4\n");
	pair_free(&x);
}

/* Drift: what a lab that is up lost on the machine, turned into steps by
 * plan_repair on top of the edit's plan (here none: the same file). */
static struct pair repair_of(const char *yaml, const struct lab_drift *d)
{
	struct pair x = { .old = parse_ok(yaml), .new = parse_ok(yaml) };
	size_t len;
	FILE *f;

	cr_assert_eq(plan_make(x.old, x.new, &x.plan), 0);
	cr_assert_eq(x.plan.n_steps, 0);
	cr_assert_eq(plan_repair(x.old, x.new, d, &x.plan), 0);
	f = open_memstream(&x.printed, &len);
	cr_assert_not_null(f);
	plan_print(&x.plan, x.new->name, f);
	cr_assert_eq(fclose(f), 0);
	return x;
}

Test(plan_repair, no_drift_no_step)
{
	struct lab_drift d = { 0 };
	struct pair x = repair_of(BASE, &d);

	cr_expect_not(lab_drift_any(&d));
	expect_printed(&x, "t: up to date, nothing to change\n");
	pair_free(&x);
}

Test(plan_repair, missing_namespace_rebuilds_host)
{
	struct lab_drift d = { 0 };
	struct pair x;

	cr_assert_eq(lab_drift_note(&d, false, "h2", LAB_DRIFT_NS | LAB_DRIFT_IFACE), 0);
	x = repair_of(BASE, &d);
	cr_expect(step(&x, 0, PLAN_HOST_REBUILD)->repair);
	cr_expect_eq(x.plan.steps[0].host.old, lab_find_host(x.old, "h2"));
	cr_expect_eq(x.plan.steps[0].host.new, lab_find_host(x.new, "h2"));
	cr_expect(x.plan.switch_rows);
	expect_printed(&x, "! host h2: namespace missing, interfaces missing (made anew)\n");
	lab_drift_free(&d);
	pair_free(&x);
}

Test(plan_repair, missing_address_updates_in_place)
{
	struct lab_drift d = { 0 };
	struct pair x;

	cr_assert_eq(lab_drift_note(&d, false, "h1", LAB_DRIFT_ADDR), 0);
	cr_assert_eq(lab_drift_note(&d, false, "h1", LAB_DRIFT_ROUTE), 0);
	x = repair_of(BASE, &d);
	cr_expect(step(&x, 0, PLAN_HOST_UPDATE)->repair);
	cr_expect_eq(x.plan.n_steps, 1);
	cr_expect_not(x.plan.switch_rows);
	expect_printed(&x, "! host h1: addresses missing, routes missing\n");
	lab_drift_free(&d);
	pair_free(&x);
}

Test(plan_repair, missing_port_and_bridge_rows)
{
	struct lab_drift d = { 0 };
	struct pair x;

	cr_assert_eq(lab_drift_note(&d, false, "h1", LAB_DRIFT_PORT), 0);
	cr_assert_eq(lab_drift_note(&d, true, "b1", LAB_DRIFT_BRIDGE), 0);
	x = repair_of(BASE, &d);
	step(&x, 0, PLAN_SWITCH_CHANGE);
	step(&x, 1, PLAN_SWITCH_CHANGE);
	step(&x, 2, PLAN_BRIDGE_GATEWAY);
	cr_expect(x.plan.switch_rows);
	expect_printed(&x, "! host h1: switch ports missing\n"
			   "! bridge b1: missing in the switch\n"
			   "! bridge b1: gateway address\n");
	lab_drift_free(&d);
	pair_free(&x);
}

Test(plan_repair, missing_nat_and_changed_flows)
{
	struct lab_drift d = { .nat = true };
	struct pair x;

	cr_assert_eq(lab_drift_note(&d, true, "b1", LAB_DRIFT_FLOWS), 0);
	x = repair_of(FLOWS("'priority=0,actions=NORMAL'") BASE_HOSTS, &d);
	step(&x, 0, PLAN_NAT);
	cr_expect_eq(step(&x, 1, PLAN_FLOWS)->bridge.new, lab_find_bridge(x.new, "b1"));
	cr_expect_not(x.plan.switch_rows);
	expect_printed(&x, "! nat rules missing\n! bridge b1: flows differ from the lab file\n");
	lab_drift_free(&d);
	pair_free(&x);
}

/* ovs-vswitchd restarted makes every internal port anew and has no flows:
 * gateways and tables come back after it. */
Test(plan_repair, dead_switch_restarts_then_gateways_and_flows)
{
	struct lab_drift d = { .switchd_dead = true };
	struct pair x = repair_of(FLOWS("'priority=0,actions=NORMAL'") BASE_HOSTS, &d);

	step(&x, 0, PLAN_SWITCH_RESTART);
	step(&x, 1, PLAN_BRIDGE_GATEWAY);
	step(&x, 2, PLAN_FLOWS);
	cr_expect_eq(x.plan.n_steps, 3);
	cr_expect(x.plan.switch_rows);
	expect_printed(&x, "! switch: ovs-vswitchd not running (started again)\n"
			   "! bridge b1: gateway address (switch restarted)\n"
			   "! bridge b1: flows (switch restarted)\n");
	pair_free(&x);
}

/* A host the edit removes is not made anew first; one it changes in place
 * but whose namespace went is made anew instead. */
Test(plan_repair, edit_and_drift_together)
{
	struct lab_drift d = { 0 };
	struct pair x = plan_of(BASE, "name: t\n" BASE_BRIDGES "hosts:\n"
				"  h1: {bridge: b1, address: 10.0.0.9/24}\n");

	cr_assert_eq(lab_drift_note(&d, false, "h1", LAB_DRIFT_NS), 0);
	cr_assert_eq(lab_drift_note(&d, false, "h2", LAB_DRIFT_NS), 0);
	cr_assert_eq(plan_repair(x.old, x.new, &d, &x.plan), 0);
	cr_expect_eq(x.plan.n_steps, 2);
	step(&x, 0, PLAN_HOST_DEL);
	cr_expect(step(&x, 1, PLAN_HOST_REBUILD)->repair);
	cr_expect_eq(x.plan.steps[1].host.new, lab_find_host(x.new, "h1"));
	lab_drift_free(&d);
	pair_free(&x);
}

Test(plan_repair, drift_printed)
{
	struct lab_drift d = { .switchd_dead = true, .nat = true };
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_eq(lab_drift_note(&d, false, "ns02", LAB_DRIFT_NS), 0);
	lab_drift_print(&d, f);
	cr_assert_eq(fclose(f), 0);
	cr_expect_str_eq(buf, "! switch: ovs-vswitchd not running\n! nat rules missing\n"
			      "! host ns02: namespace missing\n");
	free(buf);
	lab_drift_free(&d);
}

/* ---- a lab with machines (plan_machines) ---------------------------------- */

static char *machines_printed(struct lab *old, struct lab *new, int *ret)
{
	struct plan p;
	char *printed = NULL;
	size_t len;
	FILE *f;

	*ret = plan_machines(old, new, &p);
	if (*ret < 0)
		return NULL;
	f = open_memstream(&printed, &len);
	cr_assert_not_null(f);
	plan_print(&p, new->name, f);
	cr_assert_eq(fclose(f), 0);
	plan_free(&p);
	return printed;
}

#define MH_OLD                                                                             \
	"name: t\n"                                                                        \
	"machines: {hv1: {}, hv2: {}, hv3: {}}\n"                                           \
	"bridges: {b1: {}}\n"                                                              \
	"hosts:\n"                                                                         \
	"  h1: {machine: hv1, bridge: b1, address: 10.0.0.1/24}\n"                          \
	"  h2: {machine: hv1, bridge: b1, address: 10.0.0.2/24}\n"                          \
	"  h3: {machine: hv2, bridge: b1, address: 10.0.0.3/24}\n"                          \
	"  h4: {machine: hv3, bridge: b1, address: 10.0.0.4/24}\n"

/* A machine added, one removed, a host moved: those, the tunnel ports they
 * change on the machines that stay, and nothing else. */
Test(plan, machines_added_removed_moved)
{
	struct lab *old = parse_ok(MH_OLD);
	struct lab *new = parse_ok("name: t\n"
				   "machines: {hv1: {}, hv2: {}, hv4: {underlay: 10.200.0.4}}\n"
				   "bridges: {b1: {}}\n"
				   "hosts:\n"
				   "  h1: {machine: hv1, bridge: b1, address: 10.0.0.1/24}\n"
				   "  h2: {machine: hv2, bridge: b1, address: 10.0.0.2/24}\n"
				   "  h3: {machine: hv2, bridge: b1, address: 10.0.0.3/24}\n"
				   "  h4: {machine: hv4, bridge: b1, address: 10.0.0.4/24}\n");
	int ret;
	char *printed = machines_printed(old, new, &ret);

	cr_assert_eq(ret, 0);
	cr_expect_str_eq(printed, "- machine hv3\n"
				  "+ machine hv4\n"
				  "~ host h2 moves hv1 -> hv2\n"
				  "~ host h4 moves hv3 -> hv4\n"
				  "- tunnel b1 hv1 -> hv3\n"
				  "- tunnel b1 hv2 -> hv3\n"
				  "+ tunnel b1 hv1 -> hv4\n"
				  "+ tunnel b1 hv2 -> hv4\n");
	free(printed);
	printed = machines_printed(old, old, &ret);
	cr_expect_str_eq(printed, "t: up to date, nothing to change\n");
	free(printed);
	lab_free(old);
	lab_free(new);
}

/* The underlay of a lab that is up stays as it is. */
Test(plan, machines_underlay_change_refused)
{
	struct lab *old = parse_ok(MH_OLD);
	struct lab *new = parse_ok(MH_OLD "underlay: {mtu: 1700}\n");
	int ret;

	cr_expect_null(machines_printed(old, new, &ret));
	cr_expect_eq(ret, -EBUSY);
	cr_expect_str_eq(err_get(), "t: the underlay's subnet or MTU cannot change while the lab "
				    "is up: take it down first (`ovslab down t`)");
	err_clear();
	lab_free(old);
	lab_free(new);
}
