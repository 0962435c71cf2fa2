/* TCP across a lab for the root tests (xfer.h): test_lab.c and
 * test_machines.c share it. */
#include "xfer.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sandbox.h"

int xfer_listen(const char *addr, int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	int one = 1;
	int s = socket(AF_INET, SOCK_STREAM, 0);

	inet_pton(AF_INET, addr, &sin.sin_addr);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(s, 4) < 0)
		return -1;
	return s;
}

int xfer_connect(const char *addr, int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	int s = socket(AF_INET, SOCK_STREAM, 0);

	inet_pton(AF_INET, addr, &sin.sin_addr);
	if (connect(s, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		return -1;
	return s;
}

int xfer_sink(void *arg)
{
	struct xfer_server *sv = arg;
	uint64_t h = 1469598103934665603ULL, n = 0;
	unsigned char chunk[16384];
	int l = xfer_listen(sv->addr, sv->port), c;
	ssize_t r;

	if (l < 0)
		return 1;
	if (write(sv->ready, "r", 1) != 1)
		return 2;
	c = accept(l, NULL, NULL);
	if (c < 0)
		return 3;
	while ((r = read(c, chunk, sizeof(chunk))) > 0) {
		for (ssize_t i = 0; i < r; i++)
			h = (h ^ chunk[i]) * 1099511628211ULL;
		n += (uint64_t)r;
	}
	if (write(sv->report, &h, sizeof(h)) != sizeof(h) ||
	    write(sv->report, &n, sizeof(n)) != sizeof(n))
		return 4;
	return 0;
}

uint64_t xfer_pattern(unsigned char *data, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	uint32_t x = 12345;

	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245 + 12345;
		data[i] = (unsigned char)(x >> 16);
		h = (h ^ data[i]) * 1099511628211ULL;
	}
	return h;
}

int xfer_source(void *arg)
{
	static unsigned char data[XFER_BYTES];
	size_t off = 0;
	int s;

	xfer_pattern(data, sizeof(data));
	s = xfer_connect(arg, XFER_PORT);
	if (s < 0)
		return 1;
	while (off < sizeof(data)) {
		ssize_t w = write(s, data + off, sizeof(data) - off);

		if (w <= 0)
			return 2;
		off += (size_t)w;
	}
	close(s);
	return 0;
}

int xfer_peer_server(void *arg)
{
	struct xfer_server *sv = arg;
	struct sockaddr_in peer;
	socklen_t plen = sizeof(peer);
	int l = xfer_listen(sv->addr, sv->port), c;

	if (l < 0)
		return 1;
	if (write(sv->ready, "r", 1) != 1)
		return 2;
	c = accept(l, (struct sockaddr *)&peer, &plen);
	if (c < 0)
		return 3;
	if (write(sv->report, &peer.sin_addr, sizeof(peer.sin_addr)) != sizeof(peer.sin_addr))
		return 4;
	close(c);
	return 0;
}

int xfer_connect_client(void *arg)
{
	return xfer_connect(arg, 8080) < 0 ? 1 : 0;
}

void xfer_server_start(struct xfer_server *sv, int rep[2], int rdy[2], const char *ns,
		       int (*fn)(void *), pid_t *pid)
{
	char c;

	cr_assert_eq(pipe(rep), 0);
	cr_assert_eq(pipe(rdy), 0);
	sv->report = rep[1];
	sv->ready = rdy[1];
	*pid = sandbox_in_netns(ns, fn, sv);
	close(rep[1]);
	close(rdy[1]);
	cr_assert_eq(read(rdy[0], &c, 1), 1, "server in %s did not start", ns);
	close(rdy[0]);
}

void xfer_check(const char *from, const char *to, const char *addr)
{
	unsigned char *ref = malloc(XFER_BYTES);
	struct xfer_server sv = { .addr = addr, .port = XFER_PORT };
	int rep[2], rdy[2];
	uint64_t want, got_h = 0, got_n = 0;
	pid_t spid, cpid;

	cr_assert_not_null(ref);
	want = xfer_pattern(ref, XFER_BYTES);
	free(ref);
	xfer_server_start(&sv, rep, rdy, to, xfer_sink, &spid);
	cpid = sandbox_in_netns(from, xfer_source, (void *)addr);
	cr_assert_eq(sandbox_wait(cpid), 0, "the TCP transfer from %s to %s (%s) failed", from, to,
		     addr);
	cr_assert_eq(read(rep[0], &got_h, sizeof(got_h)), (ssize_t)sizeof(got_h));
	cr_assert_eq(read(rep[0], &got_n, sizeof(got_n)), (ssize_t)sizeof(got_n));
	cr_assert_eq(sandbox_wait(spid), 0);
	close(rep[0]);
	cr_assert_eq(got_n, (uint64_t)XFER_BYTES, "received %llu bytes",
		     (unsigned long long)got_n);
	cr_assert_eq(got_h, want, "data corrupted in transit");
}

struct in_addr xfer_seen_from(const char *from, const char *server_ns, const char *addr)
{
	struct xfer_server sv = { .addr = addr, .port = 8080 };
	struct in_addr seen = { 0 };
	int rep[2], rdy[2];
	pid_t spid, cpid;

	xfer_server_start(&sv, rep, rdy, server_ns, xfer_peer_server, &spid);
	cpid = sandbox_in_netns(from, xfer_connect_client, (void *)addr);
	cr_assert_eq(sandbox_wait(cpid), 0, "%s could not connect to %s:8080", from, addr);
	cr_assert_eq(read(rep[0], &seen, sizeof(seen)), (ssize_t)sizeof(seen));
	cr_assert_eq(sandbox_wait(spid), 0);
	close(rep[0]);
	return seen;
}
