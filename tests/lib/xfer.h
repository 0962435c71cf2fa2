/* TCP across a lab, for the root tests: a 1 MiB transfer checked by hash at
 * the far end, and a server that reports the address it sees a connection
 * come from (NAT).  Each side runs in a namespace (sandbox_in_netns). */
#ifndef OVSLAB_TEST_XFER_H
#define OVSLAB_TEST_XFER_H

#include <stdint.h>
#include <sys/types.h>
#include <netinet/in.h>

#define XFER_BYTES (1 << 20)
#define XFER_PORT 5001

struct xfer_server {
	const char *addr;
	int port;
	int report;      /* pipe: what the server saw */
	int ready;       /* pipe: listening */
};

int xfer_listen(const char *addr, int port);
int xfer_connect(const char *addr, int port);
/* FNV-1a of the bytes xfer_source sends (data: XFER_BYTES long). */
uint64_t xfer_pattern(unsigned char *data, size_t len);
/* Server: FNV-1a over everything received and the byte count, reported. */
int xfer_sink(void *sv);
/* Client: XFER_BYTES of the pattern to the address arg, port XFER_PORT. */
int xfer_source(void *addr);
/* Server: the peer address (struct in_addr) of one connection, reported. */
int xfer_peer_server(void *sv);
/* Client: one connection to arg, port 8080. */
int xfer_connect_client(void *addr);
/* Starts fn as sv's server in namespace ns and waits until it listens; the
 * report comes on rep[0]. */
void xfer_server_start(struct xfer_server *sv, int rep[2], int rdy[2], const char *ns,
		       int (*fn)(void *), pid_t *pid);
/* 1 MiB from namespace `from` to addr (in namespace `to`), asserted intact. */
void xfer_check(const char *from, const char *to, const char *addr);
/* The address the server at addr:8080 in namespace `server_ns` sees a
 * connection from namespace `from` come from (asserted to connect). */
struct in_addr xfer_seen_from(const char *from, const char *server_ns, const char *addr);

#endif
