/*
 * Counters and histograms for the Prometheus endpoint. Updating one is an
 * increment on the loop thread; rendering happens only when scraped.
 */
#ifndef PACE_METRICS_H
#define PACE_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

void metrics_conn_opened(void);
void metrics_conn_closed(void);
void metrics_refused(void);
void metrics_timeout(void);
void metrics_slow_consumer(void);
void metrics_bad_frame(void);
void metrics_tls_failed(void);
void metrics_bytes_in(size_t n);
void metrics_bytes_out(size_t n);
void metrics_error(int err);
/* A request of body case `kind` arrived (every request, even refused). */
void metrics_received(int kind);
/* A request of body case `kind` finished after `us` microseconds (requests
 * answered through struct req, i.e. after database work). */
void metrics_request(int kind, int64_t us, int failed);
void metrics_push(size_t subscribers, size_t dropped);
void metrics_alert(void);
/* A database transaction (a read, or a write batch of `items` writes)
 * finished `us` microseconds after it was sent. */
void metrics_db_txn(int write, int items, int64_t us);

/*
 * Sample what needs a query (the NOTIFY queue usage) every few seconds, on
 * the pool. Started with the HTTP endpoint: nothing is queried when metrics
 * are off.
 */
void metrics_sampler_start(uv_loop_t *loop);
void metrics_sampler_stop(void);

/* Render every metric in Prometheus text format (caller frees). */
char *metrics_render(size_t *len);

#endif
