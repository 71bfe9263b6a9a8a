/* The client listener: bind, listen, accept into conn_accept(). */
#ifndef PACE_LISTENER_H
#define PACE_LISTENER_H

#include "err.h"

/* Bind HOST:PORT ("[v6]:port" too). Returns 0 or a UV_E* / E_CONFIG. */
int listener_start(const char *hostport) WARN_UNUSED;
/* The port actually bound (for port 0). */
int listener_port(void);
/* Stop accepting; existing connections are not touched. */
void listener_stop(void);

/* Split "host:port" / "[v6]:port". Returns 0 or E_CONFIG. */
int parse_hostport(const char *s, char *host, size_t hostlen, int *port)
	WARN_UNUSED;

#endif
