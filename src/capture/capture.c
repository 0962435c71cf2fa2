/* The capture loop (see capture.h): libpcap handles made inside their
 * namespaces, read by poll, written as pcapng or as lines. */
#include <errno.h>
#include <poll.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture/capture.h"
#include "capture/pcapng.h"
#include "kernel/netns.h"
#include "util/err.h"

#define CAPTURE_SNAPLEN 262144
/* How long the kernel may hold packets before handing them over: short,
 * so that `-w -` readers and the lines keep up with the traffic. */
#define CAPTURE_BUFFER_MS 50

static volatile sig_atomic_t capture_stop;

static void capture_on_signal(int sig)
{
	(void)sig;
	capture_stop = 1;
}

struct capture_loop {
	const struct capture_target *t;
	const struct capture_opts *o;
	uint32_t iface;
	uint64_t seen;
	int ret;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void capture_packet(u_char *arg, const struct pcap_pkthdr *h, const u_char *data)
{
	struct capture_loop *l = (struct capture_loop *)arg;
	const struct capture_opts *o = l->o;
	uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;

	if (l->ret < 0 || (o->count && l->seen >= o->count))
		return;
	if (o->pcapng) {
		l->ret = pcapng_packet(o->pcapng, l->iface, ts, data, h->caplen, h->len);
		if (l->ret == 0 && fflush(o->pcapng) != 0)
			l->ret = -errno;
	} else {
		char line[256];
		struct tm tm;
		time_t sec = h->ts.tv_sec;

		localtime_r(&sec, &tm);
		capture_summary(data, h->caplen, line, sizeof(line));
		fprintf(o->text, "%02d:%02d:%02d.%06ld %s %s\n", tm.tm_hour, tm.tm_min, tm.tm_sec,
			(long)h->ts.tv_usec, l->t[l->iface].name, line);
		if (fflush(o->text) != 0)
			l->ret = -errno;
	}
	l->seen++;
}

/* A handle on t's interface, made inside its namespace, filtered. */
static int capture_open(const struct capture_target *t, const char *filter, pcap_t **out)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct bpf_program prog;
	int self = -1, ret = 0;
	pcap_t *p = NULL;

	*out = NULL;
	if (t->ns_fd >= 0) {
		self = netns_self();
		if (self < 0)
			return self;
		ret = netns_enter(t->ns_fd);
		if (ret < 0)
			goto out;
	}
	p = pcap_create(t->ifname, ebuf);
	if (!p) {
		err_set("%s: cannot capture: %s", t->name, ebuf);
		ret = -ENODEV;
		goto out;
	}
	pcap_set_snaplen(p, CAPTURE_SNAPLEN);
	pcap_set_promisc(p, 1);
	pcap_set_timeout(p, CAPTURE_BUFFER_MS);
	pcap_set_immediate_mode(p, 1);
	ret = pcap_activate(p);
	if (ret == PCAP_ERROR_IFACE_NOT_UP) {
		/* A bridge without a gateway keeps its internal port down. */
		err_set("%s: cannot capture: the interface is down", t->name);
		ret = -ENETDOWN;
		goto out;
	}
	if (ret < 0) {
		err_set("%s: cannot capture: %s", t->name, pcap_geterr(p));
		ret = ret == PCAP_ERROR_NO_SUCH_DEVICE ? -ENODEV :
		      ret == PCAP_ERROR_PERM_DENIED ? -EPERM : -EIO;
		goto out;
	}
	ret = 0;
	if (filter) {
		if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
			err_set("filter \"%s\": %s", filter, pcap_geterr(p));
			ret = -EINVAL;
			goto out;
		}
		ret = pcap_setfilter(p, &prog);
		pcap_freecode(&prog);
		if (ret < 0) {
			err_set("%s: cannot set the filter \"%s\": %s", t->name, filter, pcap_geterr(p));
			ret = -EIO;
			goto out;
		}
	}
	if (pcap_setnonblock(p, 1, ebuf) < 0) {
		err_set("%s: cannot capture: %s", t->name, ebuf);
		ret = -EIO;
	}
out:
	if (self >= 0) {
		/* Back home whatever happened: the next target's namespace is
		 * entered from here. */
		int back = netns_enter(self);

		close(self);
		if (back < 0 && ret == 0)
			ret = back;
	}
	if (ret < 0 && p)
		pcap_close(p);
	else
		*out = p;
	return ret;
}

int capture_run(const struct capture_target *t, size_t n, const struct capture_opts *o,
		uint64_t *seen)
{
	struct sigaction sa = { .sa_handler = capture_on_signal }, old_int, old_term, old_pipe;
	struct sigaction ign = { .sa_handler = SIG_IGN };
	struct capture_loop l = { .t = t, .o = o };
	struct pollfd *pfd = NULL;
	pcap_t **h = NULL;
	double deadline = o->duration > 0 ? now_s() + o->duration : 0;
	int ret = 0;

	h = calloc(n, sizeof(*h));
	pfd = calloc(n, sizeof(*pfd));
	if (!h || !pfd) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n && ret == 0; i++) {
		ret = capture_open(&t[i], o->filter, &h[i]);
		if (ret == 0) {
			pfd[i].fd = pcap_get_selectable_fd(h[i]);
			pfd[i].events = POLLIN;
		}
	}
	if (ret == 0 && o->pcapng)
		ret = pcapng_section(o->pcapng);
	for (size_t i = 0; i < n && ret == 0 && o->pcapng; i++)
		ret = pcapng_interface(o->pcapng, (uint16_t)pcap_datalink(h[i]),
				       (uint32_t)pcap_snapshot(h[i]), t[i].name);
	if (ret == 0 && o->pcapng && fflush(o->pcapng) != 0)
		ret = -errno;
	if (ret < 0)
		goto out;

	capture_stop = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	/* A reader of `-w -` that is gone ends the capture, not the process. */
	sigaction(SIGPIPE, &ign, &old_pipe);
	while (!capture_stop && l.ret == 0 && !(o->count && l.seen >= o->count)) {
		int wait = -1;

		if (deadline) {
			double left = deadline - now_s();

			if (left <= 0)
				break;
			wait = (int)(left * 1000) + 1;
		}
		if (poll(pfd, n, wait) < 0) {
			if (errno == EINTR)
				continue;
			l.ret = -errno;
			break;
		}
		for (size_t i = 0; i < n && l.ret == 0; i++) {
			if (!(pfd[i].revents & (POLLIN | POLLERR | POLLHUP)))
				continue;
			l.iface = (uint32_t)i;
			if (pcap_dispatch(h[i], -1, capture_packet, (u_char *)&l) == PCAP_ERROR) {
				err_set("%s: capture failed: %s", t[i].name, pcap_geterr(h[i]));
				l.ret = -EIO;
			}
		}
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGPIPE, &old_pipe, NULL);
	/* A reader that went away is how `| head` ends a capture: not an error. */
	ret = l.ret;
	if (ret == -EPIPE) {
		err_clear();
		ret = 0;
	}
	if (ret < 0 && !err_isset())
		err_set("cannot write the capture: %s", strerror(-ret));
out:
	for (size_t i = 0; h && i < n; i++)
		if (h[i])
			pcap_close(h[i]);
	free(h);
	free(pfd);
	if (seen)
		*seen = l.seen;
	return ret;
}
