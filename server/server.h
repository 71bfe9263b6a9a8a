/*
 * The process-wide server state: the loop, the configuration, the list of
 * client connections and the periodic housekeeping timer. One per process.
 */
#ifndef PACE_SERVER_H
#define PACE_SERVER_H

#include <stdint.h>
#include <sys/queue.h>
#include <uv.h>

#include "clock.h"
#include "config.h"

struct conn;
struct tls_ctx;
TAILQ_HEAD(conn_list, conn);

struct server {
	uv_loop_t *loop;
	struct config cfg;
	struct conn_list clients; /* every open connection */
	int nclients;
	uint64_t next_conn_id;
	int stopping;             /* SIGTERM seen: accept nothing new */
	int db_ready;             /* a database connection came up once */
	int listening;
	int port;                 /* bound port (for --listen HOST:0) */
	struct tls_ctx *tls;      /* NULL when plaintext */
	int64_t started_us;
	int64_t clock_offset_us;  /* --test-clock: ClockSet moves "now" */
	int64_t clock_frozen_us;  /* --test-clock: "now" held here, or 0 */
};

extern struct server srv;

/* "Now" for business time (KPIs, alerts): the wall clock, unless a test
 * moved or froze it (ClockSet, only with --test-clock). */
static inline int64_t
srv_now_us(void)
{
	if (srv.clock_frozen_us)
		return srv.clock_frozen_us;
	return clock_now_us() + srv.clock_offset_us;
}

/* Current configuration limits as the transport needs them. */
static inline uint32_t
srv_max_frame(int authenticated)
{
	return (uint32_t)(authenticated ? srv.cfg.max_frame_bytes
					: srv.cfg.max_frame_bytes_preauth);
}

#endif
