/* Prometheus metrics (see metrics.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/pg_pool.h"
#include "err.h"
#include "metrics.h"
#include "msg.h"
#include "server.h"
#include "xmalloc.h"

#define MAX_KIND 256
/* Request latency buckets, in microseconds. */
static const int64_t bounds[] = {250, 500, 1000, 2500, 5000, 10000, 25000,
	50000, 100000, 250000, 500000, 1000000, 2500000};
#define NBOUNDS (sizeof(bounds) / sizeof(bounds[0]))

static struct {
	unsigned long long conns_opened, conns_closed, refused, timeouts;
	unsigned long long slow_consumers, bad_frames, tls_failed;
	unsigned long long bytes_in, bytes_out;
	unsigned long long errors[E_BASE - E_LAST + 1];
	unsigned long long req[MAX_KIND], req_failed[MAX_KIND];
	unsigned long long hist[NBOUNDS + 1];
	double hist_sum_s;
	unsigned long long hist_count;
	unsigned long long pushes, push_dropped, alerts;
} m;

void metrics_conn_opened(void) { m.conns_opened++; }
void metrics_conn_closed(void) { m.conns_closed++; }
void metrics_refused(void) { m.refused++; }
void metrics_timeout(void) { m.timeouts++; }
void metrics_slow_consumer(void) { m.slow_consumers++; }
void metrics_bad_frame(void) { m.bad_frames++; }
void metrics_tls_failed(void) { m.tls_failed++; }
void metrics_bytes_in(size_t n) { m.bytes_in += n; }
void metrics_bytes_out(size_t n) { m.bytes_out += n; }
void metrics_alert(void) { m.alerts++; }

void
metrics_error(int err)
{
	if (err <= E_BASE && err >= E_LAST)
		m.errors[E_BASE - err]++;
}

void
metrics_request(int kind, int64_t us, int failed)
{
	size_t i;

	if (kind >= 0 && kind < MAX_KIND) {
		m.req[kind]++;
		if (failed)
			m.req_failed[kind]++;
	}
	for (i = 0; i < NBOUNDS && us > bounds[i]; i++)
		;
	m.hist[i]++;
	m.hist_sum_s += (double)us / 1e6;
	m.hist_count++;
}

void
metrics_push(size_t subscribers, size_t dropped)
{
	m.pushes += subscribers;
	m.push_dropped += dropped;
}

struct sbuf {
	char *p;
	size_t len, cap;
};

static void __attribute__((format(printf, 2, 3)))
sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		b->cap = b->cap * 2 + (size_t)(n > 0 ? n : 64);
		b->p = xrealloc(b->p, b->cap);
	}
}

static void
counter(struct sbuf *b, const char *name, const char *help,
	unsigned long long v)
{
	sb_printf(b, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n", name, help,
		name, name, v);
}

static void
gauge(struct sbuf *b, const char *name, const char *help, long long v)
{
	sb_printf(b, "# HELP %s %s\n# TYPE %s gauge\n%s %lld\n", name, help,
		name, name, v);
}

char *
metrics_render(size_t *len)
{
	struct sbuf b = {xmalloc(8192), 0, 8192};
	struct pg_pool_stats ps;
	unsigned long long cum = 0;

	gauge(&b, "pace_connections", "Open client connections.",
		srv.nclients);
	counter(&b, "pace_connections_opened_total", "Connections accepted.",
		m.conns_opened);
	counter(&b, "pace_connections_refused_total",
		"Connections refused by a limit.", m.refused);
	counter(&b, "pace_timeouts_total",
		"Connections closed by a handshake or idle deadline.",
		m.timeouts);
	counter(&b, "pace_slow_consumers_total",
		"Connections closed for not reading their output.",
		m.slow_consumers);
	counter(&b, "pace_bad_frames_total", "Frames refused as malformed.",
		m.bad_frames);
	counter(&b, "pace_tls_handshake_failures_total",
		"Failed TLS handshakes.", m.tls_failed);
	counter(&b, "pace_bytes_received_total", "Bytes read from clients.",
		m.bytes_in);
	counter(&b, "pace_bytes_sent_total", "Bytes written to clients.",
		m.bytes_out);
	sb_printf(&b, "# HELP pace_requests_total Requests by type.\n"
		      "# TYPE pace_requests_total counter\n");
	for (int k = 0; k < MAX_KIND; k++)
		if (m.req[k])
			sb_printf(&b, "pace_requests_total{type=\"%s\"} %llu\n",
				msg_body_name(k), m.req[k]);
	sb_printf(&b, "# HELP pace_request_errors_total Failed requests by type.\n"
		      "# TYPE pace_request_errors_total counter\n");
	for (int k = 0; k < MAX_KIND; k++)
		if (m.req_failed[k])
			sb_printf(&b,
				"pace_request_errors_total{type=\"%s\"} %llu\n",
				msg_body_name(k), m.req_failed[k]);
	sb_printf(&b, "# HELP pace_errors_total Error replies by code.\n"
		      "# TYPE pace_errors_total counter\n");
	for (int e = E_INVALID; e > E_LAST; e--)
		if (m.errors[E_BASE - e])
			sb_printf(&b, "pace_errors_total{error=\"%s\"} %llu\n",
				err_str(e), m.errors[E_BASE - e]);
	sb_printf(&b, "# HELP pace_request_seconds Request latency.\n"
		      "# TYPE pace_request_seconds histogram\n");
	for (size_t i = 0; i < NBOUNDS; i++) {
		cum += m.hist[i];
		sb_printf(&b, "pace_request_seconds_bucket{le=\"%g\"} %llu\n",
			(double)bounds[i] / 1e6, cum);
	}
	cum += m.hist[NBOUNDS];
	sb_printf(&b, "pace_request_seconds_bucket{le=\"+Inf\"} %llu\n", cum);
	sb_printf(&b, "pace_request_seconds_sum %.6f\n", m.hist_sum_s);
	sb_printf(&b, "pace_request_seconds_count %llu\n", m.hist_count);
	counter(&b, "pace_pushes_total", "Push frames queued to subscribers.",
		m.pushes);
	counter(&b, "pace_pushes_dropped_total",
		"Pushes not delivered because the subscriber was dropped.",
		m.push_dropped);
	counter(&b, "pace_alerts_total", "Alerts raised by this instance.",
		m.alerts);
	pg_pool_get_stats(&ps);
	gauge(&b, "pace_db_connections_ready", "Database connections up.",
		ps.conns_ready);
	gauge(&b, "pace_db_connections", "Database connections configured.",
		ps.conns_total);
	gauge(&b, "pace_db_queue", "Statements waiting for a connection.",
		ps.reads_waiting + ps.writes_waiting);
	gauge(&b, "pace_db_inflight", "Statements sent, not yet answered.",
		ps.inflight);
	counter(&b, "pace_db_batches_total", "Group-commit transactions.",
		ps.batches);
	counter(&b, "pace_db_batch_items_total",
		"Writes sent in group-commit transactions.", ps.batch_items);
	counter(&b, "pace_writes_committed_total",
		"Writes committed and acknowledged.", ps.writes_committed);
	counter(&b, "pace_db_write_retries_total",
		"Writes re-run after a neighbour in their batch failed.",
		ps.write_retries);
	*len = b.len;
	return b.p;
}
