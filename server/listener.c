/* The client listener (see listener.h). */
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "listener.h"
#include "log.h"
#include "server.h"

static uv_tcp_t lsock;
static int active;
static int bound_port;

int
parse_hostport(const char *s, char *host, size_t hostlen, int *port)
{
	const char *colon;
	char *end;
	size_t n;
	long p;

	if (s == NULL)
		return E_CONFIG;
	if (*s == '[') {
		const char *rb = strchr(s, ']');
		if (rb == NULL || rb[1] != ':')
			return E_CONFIG;
		n = (size_t)(rb - s - 1);
		if (n >= hostlen)
			return E_CONFIG;
		memcpy(host, s + 1, n);
		host[n] = '\0';
		colon = rb + 1;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL)
			return E_CONFIG;
		n = (size_t)(colon - s);
		if (n >= hostlen)
			return E_CONFIG;
		memcpy(host, s, n);
		host[n] = '\0';
	}
	p = strtol(colon + 1, &end, 10);
	if (*end != '\0' || end == colon + 1 || p < 0 || p > 65535)
		return E_CONFIG;
	*port = (int)p;
	return 0;
}

static void
on_connection(uv_stream_t *server, int status)
{
	if (status < 0) {
		log_warn("accept: %s", uv_strerror(status));
		return;
	}
	conn_accept(server);
}

int
listener_start(const char *hostport)
{
	char host[128];
	struct sockaddr_storage ss;
	int port, rc, len = sizeof(ss);

	if (parse_hostport(hostport, host, sizeof(host), &port) != 0) {
		log_error("listen: '%s' is not HOST:PORT", hostport);
		return E_CONFIG;
	}
	if (strchr(host, ':'))
		rc = uv_ip6_addr(host, port, (struct sockaddr_in6 *)&ss);
	else
		rc = uv_ip4_addr(*host ? host : "0.0.0.0", port,
			(struct sockaddr_in *)&ss);
	if (rc != 0) {
		log_error("listen: bad address '%s'", host);
		return E_CONFIG;
	}
	uv_tcp_init(srv.loop, &lsock);
	active = 1;
	if ((rc = uv_tcp_bind(&lsock, (struct sockaddr *)&ss, 0)) != 0 ||
		(rc = uv_listen((uv_stream_t *)&lsock, 4096, on_connection)) != 0) {
		log_error("listen on %s: %s", hostport, uv_strerror(rc));
		return rc;
	}
	uv_tcp_getsockname(&lsock, (struct sockaddr *)&ss, &len);
	bound_port = ntohs(ss.ss_family == AF_INET6
			? ((struct sockaddr_in6 *)&ss)->sin6_port
			: ((struct sockaddr_in *)&ss)->sin_port);
	srv.port = bound_port;
	return 0;
}

int
listener_port(void)
{
	return bound_port;
}

void
listener_stop(void)
{
	if (active) {
		active = 0;
		uv_close((uv_handle_t *)&lsock, NULL);
	}
}
