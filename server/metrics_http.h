/*
 * The Prometheus scrape endpoint (metrics_listen = HOST:PORT): a minimal
 * HTTP/1.1 responder on the server's own libuv loop. GET /metrics answers
 * metrics_render(); anything else is 404 (405 for other methods). Requests
 * are bounded in size, count and time, and nothing here ever blocks the loop.
 */
#ifndef PACE_METRICS_HTTP_H
#define PACE_METRICS_HTTP_H

#include <uv.h>

#include "err.h"

/* Bind and listen. Returns 0 or a UV_E* / E_CONFIG (nothing started). */
int metrics_http_start(uv_loop_t *loop, const char *hostport) WARN_UNUSED;

/* The port actually bound (for HOST:0), or 0 when off. */
int metrics_http_port(void);

/* Stop listening and close every scrape connection (idempotent). */
void metrics_http_stop(void);

#endif
