/* The probes of `ovslab check`: sockets opened in each host's namespace and
 * driven by one epoll loop (probe.h). */
#include "probe/probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "util/err.h"
#include "kernel/neigh.h"
#include "kernel/netns.h"

/* linux/icmp.h's ICMP_FILTER, whose header clashes with netinet/ip_icmp.h. */
#define PROBE_ICMP_FILTER 1
/* A raw socket sees every ICMP packet of its namespace: room for bursts. */
#define PROBE_SOCKBUF (4 << 20)
#define PROBE_EVENTS 256

enum { PROBE_EV_RAW = 1, PROBE_EV_TCP = 2 };

/* What each echo request carries, to match its reply or error. */
struct probe_payload {
	uint32_t magic;
	uint32_t idx;
	int64_t sent_ns;
};

/* One raw ICMP socket: a source namespace and a family. */
struct probe_sock {
	int fd;
	int family;
	const char *ns;
	uint16_t id;
	uint16_t seq;
};

struct probe_listener {
	int fd;
	const char *ns;
	int family;
	uint16_t port;
};

/* The neighbour entries of a namespace, for probes with a from_if. */
struct probe_nb {
	const char *ns;
	struct neigh *nb;
};

/* A probe while it runs. */
struct probe_state {
	int64_t start_ns, deadline_ns, next_ns, interval_ns;
	unsigned int sent;
	int sock;     /* ICMP: index in socks */
	int fd;       /* TCP: its socket */
	bool admitted, started, done;
	int from_nb, to_nb;           /* index in nbs, -1: none */
	int from_ifindex, to_ifindex;
};

struct probe_run {
	struct probe *p;
	struct probe_state *st;
	size_t n, active;
	struct probe_sock *socks;
	size_t n_socks;
	struct probe_listener *ls;
	size_t n_ls;
	struct probe_nb *nbs;
	size_t n_nbs;
	size_t *live;       /* admitted, not done */
	size_t n_live;
	size_t cursor;      /* the next probe to admit */
	size_t window, in_window;
	int epfd, self_fd;
	uint32_t magic;
};

static int64_t probe_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static socklen_t probe_sockaddr(const struct lab_addr *a, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_addr = a->v4;
		sin->sin_port = htons(port);
		return sizeof(*sin);
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	sin6->sin6_family = AF_INET6;
	sin6->sin6_addr = a->v6;
	sin6->sin6_port = htons(port);
	return sizeof(*sin6);
}

/* A namespace holding many file descriptors at once (a socket per host and
 * per TCP probe) may need more than the default soft limit. */
static void probe_fd_limit(size_t need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < need + 64) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int probe_raw_open(int family)
{
	int big = PROBE_SOCKBUF;
	int fd;

	fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
	if (fd < 0)
		return -errno;
	/* Only replies and errors: the echo requests other hosts send this one
	 * would fill the buffer for nothing. */
	if (family == AF_INET) {
		uint32_t mask = ~((1U << ICMP_ECHOREPLY) | (1U << ICMP_DEST_UNREACH));

		setsockopt(fd, SOL_RAW, PROBE_ICMP_FILTER, &mask, sizeof(mask));
	} else {
		struct icmp6_filter f;

		ICMP6_FILTER_SETBLOCKALL(&f);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
		ICMP6_FILTER_SETPASS(ICMP6_DST_UNREACH, &f);
		setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f));
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	return fd;
}

/* The raw socket of a source namespace and family, opened on first use
 * (the caller is inside that namespace). */
static int probe_sock_get(struct probe_run *r, const char *ns, int family)
{
	struct probe_sock *ns_socks;
	struct epoll_event ev = { .events = EPOLLIN };
	int fd;

	for (size_t i = 0; i < r->n_socks; i++)
		if (r->socks[i].family == family && !strcmp(r->socks[i].ns, ns))
			return (int)i;
	ns_socks = realloc(r->socks, (r->n_socks + 1) * sizeof(*ns_socks));
	if (!ns_socks)
		return -ENOMEM;
	r->socks = ns_socks;
	fd = probe_raw_open(family);
	if (fd < 0) {
		err_set("%s: cannot open a raw ICMP socket: %s", ns, strerror(-fd));
		return fd;
	}
	r->socks[r->n_socks] = (struct probe_sock){ .fd = fd, .family = family, .ns = ns,
						    .id = (uint16_t)(getpid() + r->n_socks) };
	ev.data.u64 = (uint64_t)PROBE_EV_RAW << 32 | r->n_socks;
	if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		close(fd);
		return -errno;
	}
	return (int)r->n_socks++;
}

/* What probes with a from_if need in this namespace: its neighbour table
 * and the indices of their interfaces on either end. */
static int probe_open_nb(struct probe_run *r, const char *ns)
{
	struct probe_nb *nn;
	int nb = -1;
	int ret;

	for (size_t i = 0; i < r->n; i++) {
		struct probe *p = &r->p[i];
		struct probe_state *s = &r->st[i];
		bool from = !strcmp(p->from, ns), to = p->to_ns && !strcmp(p->to_ns, ns);

		if (!p->from_if || (!from && !to))
			continue;
		if (nb < 0) {
			nn = realloc(r->nbs, (r->n_nbs + 1) * sizeof(*nn));
			if (!nn)
				return -ENOMEM;
			r->nbs = nn;
			ret = neigh_open(&r->nbs[r->n_nbs].nb);
			if (ret < 0)
				return ret;
			r->nbs[r->n_nbs].ns = ns;
			nb = (int)r->n_nbs++;
		}
		if (from) {
			s->from_nb = nb;
			s->from_ifindex = (int)if_nametoindex(p->from_if);
		}
		if (to) {
			s->to_nb = nb;
			s->to_ifindex = (int)if_nametoindex(p->to_if);
		}
	}
	return 0;
}

/* The sockets of every probe from the namespace the caller is in. */
static int probe_open_from(struct probe_run *r, const char *ns)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int ret = probe_open_nb(r, ns);

	for (size_t i = 0; ret == 0 && i < r->n; i++) {
		struct probe *p = &r->p[i];
		struct probe_state *s = &r->st[i];

		if (strcmp(p->from, ns))
			continue;
		if (!p->tcp) {
			ret = probe_sock_get(r, ns, p->dst.family);
			s->sock = ret;
			ret = ret < 0 ? ret : 0;
			continue;
		}
		s->fd = socket(p->dst.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (s->fd < 0) {
			ret = -errno;
			err_set("%s: cannot open a TCP socket: %s", ns, strerror(errno));
			return ret;
		}
		/* A reset on close: no connection state stays behind. */
		setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	return ret;
}

/* Listens on the port in the namespace the caller is in, unless something
 * already holds it there (EADDRINUSE: the user's server). */
static int probe_listen(struct probe_run *r, const struct probe *p)
{
	struct lab_addr any = { .family = p->dst.family };
	struct sockaddr_storage ss;
	struct probe_listener *nl;
	socklen_t len = probe_sockaddr(&any, p->tcp, &ss);
	int one = 1;
	int fd;
	int ret = 0;

	fd = socket(p->dst.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	if (p->dst.family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
		ret = errno == EADDRINUSE ? 0 : -errno;
		goto out;
	}
	if (listen(fd, SOMAXCONN) < 0) {
		ret = -errno;
		goto out;
	}
	nl = realloc(r->ls, (r->n_ls + 1) * sizeof(*nl));
	if (!nl) {
		ret = -ENOMEM;
		goto out;
	}
	r->ls = nl;
	r->ls[r->n_ls++] = (struct probe_listener){ fd, p->to_ns, p->dst.family, p->tcp };
	fd = -1;
out:
	if (ret < 0)
		err_set("%s: cannot listen on TCP port %u: %s", p->to_ns, p->tcp, strerror(-ret));
	if (fd >= 0)
		close(fd);
	return ret;
}

static bool probe_listened(const struct probe_run *r, const struct probe *p,
			   const struct probe *upto)
{
	for (const struct probe *q = r->p; q < upto; q++)
		if (q->tcp == p->tcp && q->listen && q->to_ns && q->dst.family == p->dst.family &&
		    !strcmp(q->to_ns, p->to_ns))
			return true;
	return false;
}

/* Runs fn inside the namespace, and comes back. */
static int probe_in(struct probe_run *r, const char *ns,
		    int (*fn)(struct probe_run *r, const void *arg), const void *arg)
{
	int fd = netns_open(ns);
	int ret;

	if (fd < 0)
		return fd;
	ret = netns_enter(fd);
	close(fd);
	if (ret < 0)
		return ret;
	ret = fn(r, arg);
	/* Not coming back would leave every later step in the wrong place. */
	if (netns_enter(r->self_fd) < 0)
		abort();
	return ret;
}

static int probe_from_cb(struct probe_run *r, const void *arg)
{
	return probe_open_from(r, arg);
}

static int probe_listen_cb(struct probe_run *r, const void *arg)
{
	return probe_listen(r, arg);
}

static int probe_setup(struct probe_run *r)
{
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < r->n; i++) {
		const struct probe *p = &r->p[i];
		bool seen = false;

		for (size_t j = 0; !seen && j < i; j++)
			seen = !strcmp(r->p[j].from, p->from);
		if (!seen)
			ret = probe_in(r, p->from, probe_from_cb, p->from);
	}
	for (size_t i = 0; ret == 0 && i < r->n; i++) {
		const struct probe *p = &r->p[i];

		if (p->tcp && p->listen && p->to_ns && !probe_listened(r, p, p))
			ret = probe_in(r, p->to_ns, probe_listen_cb, p);
	}
	return ret;
}

static void probe_admit(struct probe_run *r, size_t i, int64_t now)
{
	struct probe_state *s = &r->st[i];
	unsigned int count = r->p[i].count ? r->p[i].count : 1;
	int64_t interval = (int64_t)r->p[i].timeout_ms * 1000000 / count;

	s->admitted = true;
	s->start_ns = s->next_ns = now;
	s->deadline_ns = now + (int64_t)r->p[i].timeout_ms * 1000000;
	s->interval_ns = interval < PROBE_INTERVAL_MS * 1000000LL ? interval
		: PROBE_INTERVAL_MS * 1000000LL;
	r->live[r->n_live++] = i;
}

static void probe_forget(struct probe_run *r, size_t i)
{
	const struct probe *p = &r->p[i];
	const struct probe_state *s = &r->st[i];

	if (s->from_nb >= 0 && s->from_ifindex > 0)
		neigh_forget(r->nbs[s->from_nb].nb, s->from_ifindex, &p->dst);
	if (s->to_nb >= 0 && s->to_ifindex > 0 && p->src.family)
		neigh_forget(r->nbs[s->to_nb].nb, s->to_ifindex, &p->src);
}

/* A lead done starts its twin; a unit done (a pair, or a probe alone) frees
 * its place in the window and, with a from_if, its neighbour entries. */
static void probe_pair_done(struct probe_run *r, size_t i, int64_t now)
{
	const struct probe *p = &r->p[i];
	size_t j = p->twin ? p->twin - 1 : i;

	if (j != i && !r->st[j].admitted) {
		probe_admit(r, j, now);
		return;
	}
	if (!r->st[j].done)
		return;
	if (p->from_if) {
		probe_forget(r, i);
		if (j != i)
			probe_forget(r, j);
	}
	r->in_window--;
}

static void probe_finish(struct probe_run *r, size_t i, int64_t now, bool reached,
			 int64_t since, const char *detail)
{
	struct probe *p = &r->p[i];
	struct probe_state *s = &r->st[i];

	if (s->done)
		return;
	s->done = true;
	r->active--;
	p->reached = reached;
	p->ms = (double)(now - since) / 1e6;
	if (detail)
		snprintf(p->detail, sizeof(p->detail), "%s", detail);
	else if (!reached && !p->detail[0])
		snprintf(p->detail, sizeof(p->detail), "timeout");
	if (s->fd >= 0) {
		close(s->fd);
		s->fd = -1;
	}
	probe_pair_done(r, i, now);
}

static const char *probe_errno_word(int e)
{
	switch (e) {
	case ECONNREFUSED:
		return "refused";
	case ENETUNREACH:
		return "no route";
	case EHOSTUNREACH:
		return "host unreachable";
	case ETIMEDOUT:
		return "timeout";
	case EPERM:
	case EACCES:
		return "prohibited";
	default:
		return strerror(e);
	}
}

static uint16_t probe_cksum(const void *data, size_t len)
{
	const uint8_t *b = data;
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static void probe_send_echo(struct probe_run *r, size_t i, int64_t now)
{
	struct probe *p = &r->p[i];
	struct probe_state *s = &r->st[i];
	struct probe_sock *k = &r->socks[s->sock];
	struct {
		struct icmphdr h; /* same layout as icmp6_hdr's first 8 bytes */
		struct probe_payload pl;
	} pkt;
	struct sockaddr_storage ss;
	socklen_t len = probe_sockaddr(&p->dst, 0, &ss);

	memset(&pkt, 0, sizeof(pkt));
	pkt.h.type = p->dst.family == AF_INET ? ICMP_ECHO : ICMP6_ECHO_REQUEST;
	pkt.h.un.echo.id = htons(k->id);
	pkt.h.un.echo.sequence = htons(k->seq++);
	pkt.pl = (struct probe_payload){ r->magic, (uint32_t)i, now };
	/* The kernel sums ICMPv6 itself (it needs the pseudo-header). */
	if (p->dst.family == AF_INET)
		pkt.h.checksum = probe_cksum(&pkt, sizeof(pkt));
	if (sendto(k->fd, &pkt, sizeof(pkt), 0, (struct sockaddr *)&ss, len) < 0) {
		int e = errno;

		if (e == EAGAIN || e == ENOBUFS) {
			s->next_ns = now + 1000000; /* full: again in a millisecond */
			return;
		}
		if (e == ENETUNREACH) {
			probe_finish(r, i, now, false, s->start_ns, "no route");
			return;
		}
		snprintf(p->detail, sizeof(p->detail), "%s", probe_errno_word(e));
	}
	s->sent++;
	s->next_ns += s->interval_ns;
}

static void probe_connect(struct probe_run *r, size_t i, int64_t now)
{
	struct probe *p = &r->p[i];
	struct probe_state *s = &r->st[i];
	struct epoll_event ev = { .events = EPOLLOUT, .data.u64 = (uint64_t)PROBE_EV_TCP << 32 | i };
	struct sockaddr_storage ss;
	socklen_t len = probe_sockaddr(&p->dst, p->tcp, &ss);

	s->started = true;
	if (connect(s->fd, (struct sockaddr *)&ss, len) == 0) {
		probe_finish(r, i, now, true, s->start_ns, NULL);
		return;
	}
	if (errno != EINPROGRESS) {
		probe_finish(r, i, now, false, s->start_ns, probe_errno_word(errno));
		return;
	}
	if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, s->fd, &ev) < 0)
		probe_finish(r, i, now, false, s->start_ns, probe_errno_word(errno));
}

/* Lets in what the window has room for: twins come with their lead. */
static void probe_admit_more(struct probe_run *r, int64_t now)
{
	for (; r->cursor < r->n; r->cursor++) {
		const struct probe *p = &r->p[r->cursor];

		if (p->twin && !p->lead)
			continue;
		if (r->window && r->in_window >= r->window)
			break;
		r->in_window++;
		probe_admit(r, r->cursor, now);
	}
}

/* Sends what is due, ends what timed out; returns when to look again. */
static int64_t probe_scan(struct probe_run *r, int64_t now)
{
	int64_t next = INT64_MAX;
	size_t kept = 0;

	probe_admit_more(r, now);
	for (size_t k = 0; k < r->n_live; k++) {
		size_t i = r->live[k];
		struct probe *p = &r->p[i];
		struct probe_state *s = &r->st[i];

		if (s->done)
			continue;
		if (now >= s->deadline_ns) {
			probe_finish(r, i, now, false, s->start_ns, NULL);
			continue;
		}
		if (p->tcp && !s->started && now >= s->start_ns)
			probe_connect(r, i, now);
		else if (!p->tcp && s->sent < p->count && now >= s->next_ns)
			probe_send_echo(r, i, now);
		if (s->done)
			continue;
		r->live[kept++] = i;
		if (s->deadline_ns < next)
			next = s->deadline_ns;
		if (((p->tcp && !s->started) || (!p->tcp && s->sent < p->count)) && s->next_ns < next)
			next = s->next_ns;
	}
	r->n_live = kept; /* twins admitted meanwhile were appended, and seen */
	return next;
}

static bool probe_same_addr(const struct lab_addr *a, const struct sockaddr_storage *ss)
{
	if (a->family == AF_INET && ss->ss_family == AF_INET)
		return ((const struct sockaddr_in *)ss)->sin_addr.s_addr == a->v4.s_addr;
	if (a->family == AF_INET6 && ss->ss_family == AF_INET6)
		return !memcmp(&((const struct sockaddr_in6 *)ss)->sin6_addr, &a->v6, sizeof(a->v6));
	return false;
}

/* The probe an echo request (its ICMP header at h, len bytes) belongs to. */
static bool probe_match(const struct probe_run *r, size_t sock, const uint8_t *h, size_t len,
			struct probe_payload *pl)
{
	uint16_t id;

	if (len < 8 + sizeof(*pl))
		return false;
	memcpy(&id, h + 4, sizeof(id));
	memcpy(pl, h + 8, sizeof(*pl));
	return ntohs(id) == r->socks[sock].id && pl->magic == r->magic && pl->idx < r->n &&
	       !r->st[pl->idx].done && !r->p[pl->idx].tcp && r->st[pl->idx].sock == (int)sock;
}

static const char *probe_unreach_word(int family, unsigned int code)
{
	if (family == AF_INET)
		return code == ICMP_NET_UNREACH ? "net unreachable" :
		       code == ICMP_HOST_UNREACH ? "host unreachable" :
		       code >= ICMP_NET_ANO ? "prohibited" : "unreachable";
	return code == ICMP6_DST_UNREACH_NOROUTE ? "no route" :
	       code == ICMP6_DST_UNREACH_ADMIN ? "prohibited" :
	       code == ICMP6_DST_UNREACH_ADDR ? "host unreachable" : "unreachable";
}

/* One ICMP packet read from a raw socket: a reply ends its probe; an error
 * about one of our requests says why it may not. */
static void probe_icmp_in(struct probe_run *r, size_t sock, const uint8_t *buf, size_t len,
			  const struct sockaddr_storage *from, int64_t now)
{
	int family = r->socks[sock].family;
	size_t off = 0, inner;
	struct probe_payload pl;

	if (family == AF_INET) {
		if (len < sizeof(struct iphdr))
			return;
		off = (size_t)(buf[0] & 0x0f) * 4;
	}
	if (len < off + 8)
		return;
	if ((family == AF_INET && buf[off] == ICMP_ECHOREPLY) ||
	    (family == AF_INET6 && buf[off] == ICMP6_ECHO_REPLY)) {
		if (probe_match(r, sock, buf + off, len - off, &pl) &&
		    probe_same_addr(&r->p[pl.idx].dst, from))
			probe_finish(r, pl.idx, now, true, pl.sent_ns, NULL);
		return;
	}
	/* The error quotes our request: its IP header, then its ICMP header. */
	inner = off + 8;
	if (family == AF_INET && len >= inner + sizeof(struct iphdr))
		inner += (size_t)(buf[inner] & 0x0f) * 4;
	else if (family == AF_INET6)
		inner += 40;
	if (inner < len && probe_match(r, sock, buf + inner, len - inner, &pl))
		snprintf(r->p[pl.idx].detail, sizeof(r->p[pl.idx].detail), "%s",
			 probe_unreach_word(family, buf[off + 1]));
}

static void probe_raw_read(struct probe_run *r, size_t sock, int64_t now)
{
	uint8_t buf[2048];
	struct sockaddr_storage from;
	socklen_t flen;
	ssize_t n;

	for (;;) {
		flen = sizeof(from);
		n = recvfrom(r->socks[sock].fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
		if (n < 0)
			return;
		probe_icmp_in(r, sock, buf, (size_t)n, &from, now);
	}
}

static void probe_tcp_done(struct probe_run *r, size_t i, int64_t now)
{
	int e = 0;
	socklen_t el = sizeof(e);

	if (r->st[i].done)
		return;
	getsockopt(r->st[i].fd, SOL_SOCKET, SO_ERROR, &e, &el);
	probe_finish(r, i, now, e == 0, r->st[i].start_ns, e ? probe_errno_word(e) : NULL);
}

static int probe_loop(struct probe_run *r)
{
	struct epoll_event ev[PROBE_EVENTS];
	int64_t now = probe_now(), next = now;
	size_t live;
	int nev;

	while (r->active) {
		now = probe_now();
		if (now >= next)
			next = probe_scan(r, now);
		if (!r->active)
			break;
		/* Rounded up: waking a little late is fine, early just spins. */
		nev = epoll_wait(r->epfd, ev, PROBE_EVENTS,
				 next > now ? (int)((next - now + 999999) / 1000000) : 0);
		if (nev < 0 && errno == EINTR)
			continue;
		if (nev < 0) {
			err_set("check: epoll_wait: %s", strerror(errno));
			return -errno;
		}
		now = probe_now();
		live = r->n_live;
		for (int e = 0; e < nev; e++) {
			size_t idx = (size_t)(ev[e].data.u64 & 0xffffffff);

			if (ev[e].data.u64 >> 32 == PROBE_EV_RAW)
				probe_raw_read(r, idx, now);
			else
				probe_tcp_done(r, idx, now);
		}
		/* Twins to start, or room in the window: at once. */
		if (r->n_live != live || (r->cursor < r->n && r->in_window < r->window))
			next = now;
	}
	return 0;
}

static void probe_close(struct probe_run *r)
{
	for (size_t i = 0; r->st && i < r->n; i++)
		if (r->st[i].fd >= 0)
			close(r->st[i].fd);
	for (size_t i = 0; i < r->n_socks; i++)
		close(r->socks[i].fd);
	for (size_t i = 0; i < r->n_ls; i++)
		close(r->ls[i].fd);
	for (size_t i = 0; i < r->n_nbs; i++)
		neigh_close(r->nbs[i].nb);
	free(r->nbs);
	free(r->live);
	if (r->epfd >= 0)
		close(r->epfd);
	if (r->self_fd >= 0)
		close(r->self_fd);
	free(r->socks);
	free(r->ls);
	free(r->st);
}

int probe_run(struct probe *probes, size_t n, size_t window)
{
	struct probe_run r = { .p = probes, .n = n, .active = n, .window = window, .epfd = -1,
			       .self_fd = -1 };
	int ret = 0;

	r.st = calloc(n + 1, sizeof(*r.st));
	r.live = calloc(n + 1, sizeof(*r.live));
	if (!r.st || !r.live) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		r.st[i].fd = -1;
		r.st[i].from_nb = r.st[i].to_nb = -1;
		probes[i].reached = false;
		probes[i].detail[0] = '\0';
	}
	probe_fd_limit(n * 2);
	r.magic = (uint32_t)(probe_now() ^ ((int64_t)getpid() << 16));
	r.self_fd = netns_self();
	r.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (r.self_fd < 0 || r.epfd < 0) {
		ret = -errno;
		err_set("check: cannot set up: %s", strerror(errno));
		goto out;
	}
	ret = probe_setup(&r);
	if (ret == 0)
		ret = probe_loop(&r);
out:
	probe_close(&r);
	return ret;
}
