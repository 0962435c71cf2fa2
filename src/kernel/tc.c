/* Traffic control through rtnetlink (libmnl): the qdiscs and the filter
 * that give an interface its link properties, and reading them back (tc.h). */
#include "kernel/tc.h"

#include <errno.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kernel/rtnl_int.h"
#include "util/err.h"

#define TC_ROOT_HANDLE TC_H_MAKE(1U << 16, 0)   /* 1: */
#define TC_CHILD_HANDLE TC_H_MAKE(10U << 16, 0) /* 10: under 1:1 */
#define TC_EGRESS TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS)
/* The loss filter's name: the kernel keeps it with the filter, and the
 * drop threshold it stands for is read back from it. */
#define TC_LOSS_NAME "ovslab-loss-"
#define TC_FILTER_PRIO 1
/* netem's own table size for a distribution (iproute2's are 4096 too). */
#define TC_DIST_SIZE 4096
/* Room for a netem request with its distribution table. */
#define TC_BIG_REQ (RTNL_REQ_SIZE + TC_DIST_SIZE * 2 + 64)
/* psched ticks are 64 ns. */
#define TC_NS_TO_TICKS(ns) ((uint32_t)((ns) >> 6))

static uint32_t tc_prob(uint64_t ppm)
{
	return ppm >= 1000000 ? UINT32_MAX : (uint32_t)(ppm * (uint64_t)UINT32_MAX / 1000000);
}

static uint64_t tc_ppm(uint32_t prob)
{
	return ((uint64_t)prob * 1000000 + UINT32_MAX / 2) / UINT32_MAX;
}

const char *tc_needs_netem(const struct lab_linkprops *lp)
{
	return lp->delay_us ? "delay" : lp->jitter_us ? "jitter" :
	       lp->loss_correlation ? "loss_correlation" : lp->duplicate ? "duplicate" :
	       lp->reorder ? "reorder" : lp->corrupt ? "corrupt" :
	       lp->limit && !lp->rate ? "limit without rate" : NULL;
}

static struct nlmsghdr *tc_msg(void *buf, size_t len, int type, int flags, int ifindex,
			       uint32_t parent, uint32_t handle, struct tcmsg **tcm)
{
	struct nlmsghdr *nlh;
	struct tcmsg *t;

	memset(buf, 0, len);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags | (flags == NLM_F_DUMP ? 0 : NLM_F_ACK);
	t = mnl_nlmsg_put_extra_header(nlh, sizeof(*t));
	t->tcm_family = AF_UNSPEC;
	t->tcm_ifindex = ifindex;
	t->tcm_parent = parent;
	t->tcm_handle = handle;
	if (tcm)
		*tcm = t;
	return nlh;
}

/* Deletes a qdisc; one that is not there is no failure. */
static int tc_qdisc_del(struct rtnl *nl, int ifindex, uint32_t parent, uint32_t handle)
{
	struct rtnl_req req;
	int ret = rtnl_talk(nl, tc_msg(req.buf, sizeof(req.buf), RTM_DELQDISC, 0, ifindex, parent,
				       handle, NULL), NULL, NULL);

	return ret == -ENOENT || ret == -EINVAL ? 0 : ret;
}

/* ---- reading back ------------------------------------------------------ */

struct tc_qdisc {
	char kind[16];
	uint32_t parent, handle;
};

struct tc_dump {
	int ifindex;
	struct lab_linkprops *lp;
	struct tc_qdisc root;        /* kind "" when the kernel's default */
	unsigned int prog_id;
};

static void tc_read_tbf(const struct nlattr *opts, struct tc_dump *d)
{
	struct rtnl_attrs a = { 0 };
	const struct tc_tbf_qopt *q;
	const struct nlattr *attr;


	mnl_attr_for_each_nested(attr, opts)
		if (mnl_attr_get_type(attr) <= RTNL_ATTR_MAX)
			a.tb[mnl_attr_get_type(attr)] = attr;
	if (!a.tb[TCA_TBF_PARMS] || mnl_attr_get_payload_len(a.tb[TCA_TBF_PARMS]) < sizeof(*q))
		return;
	q = mnl_attr_get_payload(a.tb[TCA_TBF_PARMS]);
	d->lp->rate = (uint64_t)q->rate.rate * 8;
	if (a.tb[TCA_TBF_RATE64])
		d->lp->rate = mnl_attr_get_u64(a.tb[TCA_TBF_RATE64]) * 8;
}

static void tc_read_netem(const struct nlattr *opts, struct tc_dump *d)
{
	const struct tc_netem_qopt *q = mnl_attr_get_payload(opts);
	size_t len = mnl_attr_get_payload_len(opts), off = NLA_ALIGN(sizeof(*q));
	struct lab_linkprops *lp = d->lp;

	if (len < sizeof(*q))
		return;
	lp->delay_us = ((uint64_t)q->latency << 6) / 1000;
	lp->jitter_us = ((uint64_t)q->jitter << 6) / 1000;
	lp->loss = tc_ppm(q->loss);
	lp->duplicate = tc_ppm(q->duplicate);
	lp->limit = q->limit;
	/* The attributes follow the fixed part, not nested. */
	for (const struct nlattr *a = (const void *)((const char *)q + off);
	     (size_t)((const char *)a - (const char *)q) + sizeof(*a) <= len &&
	     (size_t)((const char *)a - (const char *)q) + a->nla_len <= len && a->nla_len >= sizeof(*a);
	     a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len))) {
		const void *p = mnl_attr_get_payload(a);

		switch (mnl_attr_get_type(a)) {
		case TCA_NETEM_LATENCY64:
			lp->delay_us = (uint64_t)mnl_attr_get_u64(a) / 1000;
			break;
		case TCA_NETEM_JITTER64:
			lp->jitter_us = (uint64_t)mnl_attr_get_u64(a) / 1000;
			break;
		case TCA_NETEM_CORR:
			lp->loss_correlation = tc_ppm(((const struct tc_netem_corr *)p)->loss_corr);
			break;
		case TCA_NETEM_REORDER:
			lp->reorder = tc_ppm(((const struct tc_netem_reorder *)p)->probability);
			break;
		case TCA_NETEM_CORRUPT:
			lp->corrupt = tc_ppm(((const struct tc_netem_corrupt *)p)->probability);
			break;
		}
	}
}

static int tc_qdisc_cb(const struct nlmsghdr *nlh, void *data)
{
	struct tc_dump *d = data;
	const struct tcmsg *t = mnl_nlmsg_get_payload(nlh);
	struct rtnl_attrs a;
	const char *kind;

	if (nlh->nlmsg_type != RTM_NEWQDISC || t->tcm_ifindex != d->ifindex)
		return MNL_CB_OK;
	rtnl_attrs_parse(nlh, sizeof(*t), &a);
	if (!a.tb[TCA_KIND])
		return MNL_CB_OK;
	kind = mnl_attr_get_str(a.tb[TCA_KIND]);
	if (t->tcm_parent == TC_H_ROOT && t->tcm_handle == TC_ROOT_HANDLE) {
		snprintf(d->root.kind, sizeof(d->root.kind), "%s", kind);
		d->root.handle = t->tcm_handle;
	}
	if (!a.tb[TCA_OPTIONS] || !d->lp)
		return MNL_CB_OK;
	/* Only ovslab's own layout: root 1:, its child 10:. */
	if (t->tcm_handle != TC_ROOT_HANDLE && t->tcm_handle != TC_CHILD_HANDLE)
		return MNL_CB_OK;
	if (!strcmp(kind, "tbf"))
		tc_read_tbf(a.tb[TCA_OPTIONS], d);
	else if (!strcmp(kind, "netem"))
		tc_read_netem(a.tb[TCA_OPTIONS], d);
	return MNL_CB_OK;
}

static int tc_filter_cb(const struct nlmsghdr *nlh, void *data)
{
	struct tc_dump *d = data;
	const struct tcmsg *t = mnl_nlmsg_get_payload(nlh);
	struct rtnl_attrs a, o;
	const struct nlattr *attr;
	const char *name;

	if (nlh->nlmsg_type != RTM_NEWTFILTER || t->tcm_ifindex != d->ifindex)
		return MNL_CB_OK;
	rtnl_attrs_parse(nlh, sizeof(*t), &a);
	if (!a.tb[TCA_KIND] || strcmp(mnl_attr_get_str(a.tb[TCA_KIND]), "bpf") || !a.tb[TCA_OPTIONS])
		return MNL_CB_OK;
	memset(&o, 0, sizeof(o));
	mnl_attr_for_each_nested(attr, a.tb[TCA_OPTIONS])
		if (mnl_attr_get_type(attr) <= RTNL_ATTR_MAX)
			o.tb[mnl_attr_get_type(attr)] = attr;
	if (!o.tb[TCA_BPF_NAME] || !o.tb[TCA_BPF_ID])
		return MNL_CB_OK;
	name = mnl_attr_get_str(o.tb[TCA_BPF_NAME]);
	if (strncmp(name, TC_LOSS_NAME, strlen(TC_LOSS_NAME)))
		return MNL_CB_OK;
	d->prog_id = mnl_attr_get_u32(o.tb[TCA_BPF_ID]);
	if (d->lp)
		d->lp->loss = strtoull(name + strlen(TC_LOSS_NAME), NULL, 10);
	return MNL_CB_OK;
}

static int tc_dump(struct rtnl *nl, int ifindex, struct tc_dump *d)
{
	struct rtnl_req req;
	int ret;

	d->ifindex = ifindex;
	ret = rtnl_talk(nl, tc_msg(req.buf, sizeof(req.buf), RTM_GETQDISC, NLM_F_DUMP, ifindex, 0,
				   0, NULL), tc_qdisc_cb, d);
	if (ret == 0) {
		ret = rtnl_talk(nl, tc_msg(req.buf, sizeof(req.buf), RTM_GETTFILTER, NLM_F_DUMP,
					   ifindex, TC_EGRESS, 0, NULL), tc_filter_cb, d);
		/* No clsact on the interface: no filter to list. */
		if (ret == -EINVAL || ret == -ENOENT)
			ret = 0;
	}
	return ret;
}

int tc_read(struct rtnl *nl, int ifindex, struct lab_linkprops *out)
{
	struct tc_dump d = { .lp = out };
	char name[RTNL_IFNAME_STR];
	struct rtnl_link_info li;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = tc_dump(nl, ifindex, &d);
	if (ret < 0) {
		err_set("%s: cannot read its traffic control: %s", rtnl_ifname(nl, ifindex, name),
			strerror(-ret));
		return ret;
	}
	/* netem's default limit (1000) is not something the file asked for. */
	if (!strcmp(d.root.kind, "netem") && out->limit == 1000)
		out->limit = 0;
	ret = rtnl_link_info(nl, ifindex, &li);
	if (ret == 0)
		out->state = li.admin_up ? LAB_LINK_UP : LAB_LINK_DOWN;
	return ret;
}

/* ---- netem ------------------------------------------------------------- */

/* netem's "normal" table: the inverse of the standard normal distribution
 * at 4096 evenly spread points, scaled by NETEM_DIST_SCALE, as iproute2's
 * normal.dist holds it (computed here: the machine need not have it). */
static void tc_normal_table(int16_t *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		double u = ((double)i + 0.5) / (double)n, lo = -8, hi = 8, z;

		for (int k = 0; k < 60; k++) {
			z = (lo + hi) / 2;
			if (0.5 * erfc(-z / sqrt(2.0)) < u)
				lo = z;
			else
				hi = z;
		}
		z = round((lo + hi) / 2 * NETEM_DIST_SCALE);
		t[i] = (int16_t)(z > 32767 ? 32767 : z < -32768 ? -32768 : z);
	}
}

static void tc_put_netem(struct nlmsghdr *nlh, const struct lab_linkprops *lp)
{
	struct tc_netem_qopt q = { 0 };
	struct nlattr *opts;

	q.latency = TC_NS_TO_TICKS(lp->delay_us * 1000);
	q.jitter = TC_NS_TO_TICKS(lp->jitter_us * 1000);
	q.limit = lp->limit ? (uint32_t)lp->limit : 1000;
	q.loss = tc_prob(lp->loss);
	q.duplicate = tc_prob(lp->duplicate);
	/* A gap of 1 is what makes netem reorder at all (as tc sets it). */
	q.gap = lp->reorder ? 1 : 0;
	/* netem's options are its struct followed by attributes, not a nest
	 * (no NLA_F_NESTED, as tc sends them): the length is fixed at the end. */
	opts = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put(nlh, TCA_OPTIONS, sizeof(q), &q);
	mnl_attr_put_u64(nlh, TCA_NETEM_LATENCY64, lp->delay_us * 1000);
	mnl_attr_put_u64(nlh, TCA_NETEM_JITTER64, lp->jitter_us * 1000);
	if (lp->loss_correlation) {
		struct tc_netem_corr c = { .loss_corr = tc_prob(lp->loss_correlation) };

		mnl_attr_put(nlh, TCA_NETEM_CORR, sizeof(c), &c);
	}
	if (lp->reorder) {
		struct tc_netem_reorder r = { .probability = tc_prob(lp->reorder) };

		mnl_attr_put(nlh, TCA_NETEM_REORDER, sizeof(r), &r);
	}
	if (lp->corrupt) {
		struct tc_netem_corrupt c = { .probability = tc_prob(lp->corrupt) };

		mnl_attr_put(nlh, TCA_NETEM_CORRUPT, sizeof(c), &c);
	}
	if (lp->distribution == LAB_DIST_NORMAL) {
		int16_t t[TC_DIST_SIZE];

		tc_normal_table(t, TC_DIST_SIZE);
		mnl_attr_put(nlh, TCA_NETEM_DELAY_DIST, sizeof(t), t);
	}
	mnl_attr_nest_end(nlh, opts);
}

/* ---- tbf --------------------------------------------------------------- */

static void tc_put_tbf(struct nlmsghdr *nlh, const struct lab_linkprops *lp, unsigned int mtu)
{
	uint64_t bytes = lp->rate / 8, burst, limit;
	struct tc_tbf_qopt q = { 0 };
	struct nlattr *opts;
	unsigned int frame = (mtu ? mtu : 1500) + ETH_HLEN;

	/* 10 ms worth of bytes, and room for two full frames. */
	burst = bytes / 100 > 2 * frame ? bytes / 100 : 2 * frame;
	/* limit counts packets in the file; tbf's queue counts bytes. */
	limit = lp->limit ? lp->limit * frame : bytes / 10 > 4 * burst ? bytes / 10 : 4 * burst;
	if (limit > UINT32_MAX)
		limit = UINT32_MAX;
	q.rate.rate = bytes >= UINT32_MAX ? UINT32_MAX : (uint32_t)bytes;
	/* No rate table is sent: the kernel computes from the rate itself. */
	q.rate.linklayer = TC_LINKLAYER_ETHERNET;
	q.limit = (uint32_t)limit;
	q.buffer = TC_NS_TO_TICKS(burst * 1000000000ULL / (bytes ? bytes : 1));
	opts = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put(nlh, TCA_TBF_PARMS, sizeof(q), &q);
	if (bytes >= UINT32_MAX)
		mnl_attr_put_u64(nlh, TCA_TBF_RATE64, bytes);
	mnl_attr_put_u32(nlh, TCA_TBF_BURST, (uint32_t)burst);
	mnl_attr_nest_end(nlh, opts);
}

/* Makes or changes the qdisc of kind at parent/handle (changed in place when
 * one of that kind is there, else made anew). */
static int tc_qdisc_set(struct rtnl *nl, int ifindex, uint32_t parent, uint32_t handle,
			const char *kind, const struct lab_linkprops *lp, unsigned int mtu)
{
	char *buf = malloc(TC_BIG_REQ);
	struct nlmsghdr *nlh;
	int ret;

	if (!buf)
		return -ENOMEM;
	nlh = tc_msg(buf, TC_BIG_REQ, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE, ifindex, parent,
		     handle, NULL);
	mnl_attr_put_strz(nlh, TCA_KIND, kind);
	if (!strcmp(kind, "netem"))
		tc_put_netem(nlh, lp);
	else
		tc_put_tbf(nlh, lp, mtu);
	ret = rtnl_talk(nl, nlh, NULL, NULL);
	free(buf);
	return ret;
}

/* ---- loss without netem: a cls_bpf program on clsact egress ------------- */

static int tc_bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

/* r0 = bpf_get_prandom_u32(); drop when r0 < threshold, else pass
 * (TC_ACT_OK): the packet is lost with probability threshold / 2^32.  The
 * drop is TC_ACT_STOLEN, not TC_ACT_SHOT: a shot packet comes back to a
 * local sender as ENOBUFS (ping does not even count it as sent, TCP takes
 * it for local congestion), a stolen one is gone without a word, as on a
 * lossy cable and as netem drops.  Raw instructions: no compiler, no
 * object file. */
static int tc_loss_prog(uint32_t threshold)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_get_prandom_u32 },
		{ .code = BPF_ALU | BPF_MOV | BPF_K, .dst_reg = BPF_REG_1, .imm = (int32_t)threshold },
		{ .code = BPF_JMP | BPF_JLT | BPF_X, .dst_reg = BPF_REG_0, .src_reg = BPF_REG_1, .off = 2 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = TC_ACT_OK },
		{ .code = BPF_JMP | BPF_EXIT },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = TC_ACT_STOLEN },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SCHED_CLS;
	attr.insns = (uint64_t)(uintptr_t)insns;
	attr.insn_cnt = sizeof(insns) / sizeof(*insns);
	attr.license = (uint64_t)(uintptr_t)"GPL";
	snprintf(attr.prog_name, sizeof(attr.prog_name), "ovslab_loss");
	return tc_bpf(BPF_PROG_LOAD, &attr);
}

static int tc_loss_set(struct rtnl *nl, int ifindex, uint64_t ppm)
{
	struct rtnl_req req;
	struct nlmsghdr *nlh;
	struct tcmsg *t;
	struct nlattr *opts;
	char name[48];
	int fd, ret;

	nlh = tc_msg(req.buf, sizeof(req.buf), RTM_NEWQDISC, NLM_F_CREATE, ifindex, TC_H_CLSACT,
		     TC_H_MAKE(TC_H_CLSACT, 0), NULL);
	mnl_attr_put_strz(nlh, TCA_KIND, "clsact");
	ret = rtnl_talk(nl, nlh, NULL, NULL);
	if (ret < 0 && ret != -EEXIST)
		return ret;
	fd = tc_loss_prog(tc_prob(ppm));
	if (fd < 0)
		return -errno;
	/* The program holds its threshold; the name says it for reading back. */
	snprintf(name, sizeof(name), TC_LOSS_NAME "%llu", (unsigned long long)ppm);
	nlh = tc_msg(req.buf, sizeof(req.buf), RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_REPLACE,
		     ifindex, TC_EGRESS, 1, &t);
	t->tcm_info = TC_H_MAKE(TC_FILTER_PRIO << 16, htons(ETH_P_ALL));
	mnl_attr_put_strz(nlh, TCA_KIND, "bpf");
	opts = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put_u32(nlh, TCA_BPF_FD, (uint32_t)fd);
	mnl_attr_put_strz(nlh, TCA_BPF_NAME, name);
	mnl_attr_put_u32(nlh, TCA_BPF_FLAGS, TCA_BPF_FLAG_ACT_DIRECT);
	mnl_attr_nest_end(nlh, opts);
	ret = rtnl_talk(nl, nlh, NULL, NULL);
	close(fd);
	return ret;
}

/* ---- setting ----------------------------------------------------------- */

int tc_set(struct rtnl *nl, int ifindex, const struct lab_linkprops *lp, unsigned int mtu,
	   bool netem)
{
	struct tc_dump d = { 0 };
	const char *root = NULL;
	char name[RTNL_IFNAME_STR];
	const char *what = "its qdisc";
	int ret;

	if (netem && (tc_needs_netem(lp) || lp->loss || lp->limit))
		root = "netem";
	else if (lp->rate)
		root = "tbf";
	ret = tc_dump(nl, ifindex, &d);
	/* A root of another kind is removed first: replacing it across kinds
	 * would keep the old one's children. */
	if (ret == 0 && d.root.kind[0] && (!root || strcmp(d.root.kind, root)))
		ret = tc_qdisc_del(nl, ifindex, TC_H_ROOT, TC_ROOT_HANDLE);
	if (ret == 0 && root)
		ret = tc_qdisc_set(nl, ifindex, TC_H_ROOT, TC_ROOT_HANDLE, root, lp, mtu);
	/* With netem at the root, the rate is a tbf under it (tc-netem(8)). */
	if (ret == 0 && root && !strcmp(root, "netem")) {
		if (lp->rate)
			ret = tc_qdisc_set(nl, ifindex, TC_H_MAKE(TC_ROOT_HANDLE, 1), TC_CHILD_HANDLE,
					   "tbf", lp, mtu);
		else
			ret = tc_qdisc_del(nl, ifindex, TC_H_MAKE(TC_ROOT_HANDLE, 1), TC_CHILD_HANDLE);
	}
	if (ret == 0) {
		what = "its loss filter";
		if (!netem && lp->loss)
			ret = tc_loss_set(nl, ifindex, lp->loss);
		else if (d.prog_id || !netem)
			ret = tc_qdisc_del(nl, ifindex, TC_H_CLSACT, TC_H_MAKE(TC_H_CLSACT, 0));
	}
	if (ret < 0)
		err_set("%s: cannot set %s: %s", rtnl_ifname(nl, ifindex, name), what, strerror(-ret));
	return ret;
}

/* ---- what the kernel can do -------------------------------------------- */

/* In the probe's namespace: a netem qdisc on its lo. */
static int tc_netem_probe(int s)
{
	struct lab_linkprops lp = { .delay_us = 1000 };
	struct rtnl_req req;
	struct nlmsghdr *nlh;
	int r;

	nlh = tc_msg(req.buf, sizeof(req.buf), RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, 1,
		     TC_H_ROOT, TC_ROOT_HANDLE, NULL);
	mnl_attr_put_strz(nlh, TCA_KIND, "netem");
	tc_put_netem(nlh, &lp);
	r = rtnl_probe_talk(s, nlh);
	return r == 0 ? 0 : r == 1 ? 2 : 1;
}

int tc_netem_available(void)
{
	static int known = -1;

	if (known < 0)
		known = rtnl_probe(tc_netem_probe, "netem (sch_netem)");
	return known;
}
