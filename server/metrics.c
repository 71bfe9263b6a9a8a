/* Prometheus metrics (see metrics.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "db/db.h"
#include "db/pg_pool.h"
#include "err.h"
#include "log.h"
#include "metrics.h"
#include "msg.h"
#include "push/feed.h"
#include "server.h"
#include "xmalloc.h"

#define MAX_KIND 256
/* Request latency buckets, in microseconds. */
static const int64_t bounds[] = {250, 500, 1000, 2500, 5000, 10000, 25000,
	50000, 100000, 250000, 500000, 1000000, 2500000};
#define NBOUNDS (sizeof(bounds) / sizeof(bounds[0]))
/* Database transaction latency buckets, in microseconds. */
static const int64_t db_bounds[] = {100, 250, 500, 1000, 2500, 5000, 10000,
	25000, 50000, 100000, 250000, 1000000};
#define NDB (sizeof(db_bounds) / sizeof(db_bounds[0]))
/* Group-commit batch size buckets, in writes. */
static const int64_t batch_bounds[] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512,
	1024};
#define NBATCH (sizeof(batch_bounds) / sizeof(batch_bounds[0]))
/* Seconds between samples of pg_notification_queue_usage(). */
#define SAMPLE_MS 5000

struct hist {
	unsigned long long n[16]; /* one per bound, then +Inf */
	double sum;
	unsigned long long count;
};

static struct {
	unsigned long long conns_opened, conns_closed, refused, timeouts;
	unsigned long long slow_consumers, bad_frames, tls_failed;
	unsigned long long bytes_in, bytes_out;
	unsigned long long errors[E_BASE - E_LAST + 1];
	unsigned long long received[MAX_KIND];
	unsigned long long req[MAX_KIND], req_failed[MAX_KIND];
	unsigned long long hist[NBOUNDS + 1];
	double hist_sum_s;
	unsigned long long hist_count;
	unsigned long long pushes, push_dropped, alerts;
	struct hist db_read, db_write, batch;
	double notify_usage;  /* last sample of pg_notification_queue_usage() */
	int notify_sampled;   /* a sample succeeded once */
	int notify_warned;    /* warned about a filling queue */
	uv_timer_t sampler;
	int sampling;
} m;

static const struct stmt st_notify_usage = {"metrics_notify_usage",
	"SELECT pg_notification_queue_usage() AS u", 0};
const struct stmt *const metrics_stmts[] = {&st_notify_usage, NULL};

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
metrics_received(int kind)
{
	if (kind >= 0 && kind < MAX_KIND)
		m.received[kind]++;
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

static void
hist_add(struct hist *h, const int64_t *b, size_t nb, int64_t v, double scale)
{
	size_t i;

	for (i = 0; i < nb && v > b[i]; i++)
		;
	h->n[i]++;
	h->sum += (double)v * scale;
	h->count++;
}

void
metrics_db_txn(int write, int items, int64_t us)
{
	hist_add(write ? &m.db_write : &m.db_read, db_bounds, NDB, us, 1e-6);
	if (write)
		hist_add(&m.batch, batch_bounds, NBATCH, items, 1);
}

static void
usage_cb(void *arg, const struct db_result *r)
{
	if (r->err != 0)
		return;
	m.notify_usage = strtod(db_str(r->res, 0, "u"), NULL);
	m.notify_sampled = 1;
	/* PostgreSQL's own warning comes at 50%; say it where we look. */
	if (m.notify_usage >= 0.5 && !m.notify_warned) {
		m.notify_warned = 1;
		log_warn("the NOTIFY queue is %.0f%% full: a session is "
			 "listening without reading (see docs/OPERATIONS.md)",
			m.notify_usage * 100);
	} else if (m.notify_usage < 0.25) {
		m.notify_warned = 0;
	}
}

static void
sample_cb(uv_timer_t *t)
{
	if (db_read(&st_notify_usage, NULL, usage_cb, NULL) != 0)
		log_debug("metrics: NOTIFY queue sample skipped (queue full)");
}

void
metrics_sampler_start(uv_loop_t *loop)
{
	if (m.sampling)
		return;
	m.sampling = 1;
	uv_timer_init(loop, &m.sampler);
	uv_timer_start(&m.sampler, sample_cb, 1000, SAMPLE_MS);
}

void
metrics_sampler_stop(void)
{
	if (!m.sampling)
		return;
	m.sampling = 0;
	uv_timer_stop(&m.sampler);
	uv_close((uv_handle_t *)&m.sampler, NULL);
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

static void
histogram(struct sbuf *b, const char *name, const char *labels,
	const struct hist *h, const int64_t *bnd, size_t nb, double scale)
{
	unsigned long long cum = 0;
	const char *sep = *labels ? "," : "";

	for (size_t i = 0; i < nb; i++) {
		cum += h->n[i];
		sb_printf(b, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, labels, sep,
			(double)bnd[i] * scale, cum);
	}
	cum += h->n[nb];
	sb_printf(b, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels, sep,
		cum);
	if (*labels) {
		sb_printf(b, "%s_sum{%s} %.6f\n", name, labels, h->sum);
		sb_printf(b, "%s_count{%s} %llu\n", name, labels, h->count);
	} else {
		sb_printf(b, "%s_sum %.6f\n", name, h->sum);
		sb_printf(b, "%s_count %llu\n", name, h->count);
	}
}

char *
metrics_render(size_t *len)
{
	struct sbuf b = {xmalloc(8192), 0, 8192};
	struct pg_pool_stats ps;
	unsigned long long cum = 0, qbytes = 0, qmax = 0, subs = 0;
	struct conn *c;

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
	sb_printf(&b, "# HELP pace_requests_received_total Requests received "
		      "by type (refused ones too).\n"
		      "# TYPE pace_requests_received_total counter\n");
	for (int k = 0; k < MAX_KIND; k++)
		if (m.received[k])
			sb_printf(&b,
				"pace_requests_received_total{type=\"%s\"} "
				"%llu\n",
				msg_body_name(k), m.received[k]);
	sb_printf(&b, "# HELP pace_requests_total Requests answered after "
		      "database work, by type.\n"
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
	sb_printf(&b, "# HELP pace_request_seconds Latency of requests answered after database work.\n"
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
	sb_printf(&b, "# HELP pace_db_txn_seconds Database round trips (a "
		      "read, or a write batch to its commit).\n"
		      "# TYPE pace_db_txn_seconds histogram\n");
	histogram(&b, "pace_db_txn_seconds", "kind=\"read\"", &m.db_read,
		db_bounds, NDB, 1e-6);
	histogram(&b, "pace_db_txn_seconds", "kind=\"write\"", &m.db_write,
		db_bounds, NDB, 1e-6);
	sb_printf(&b, "# HELP pace_db_batch_size Writes per group-commit "
		      "transaction.\n# TYPE pace_db_batch_size histogram\n");
	histogram(&b, "pace_db_batch_size", "", &m.batch, batch_bounds, NBATCH,
		1);
	gauge(&b, "pace_db_listen_up",
		"1 while the LISTEN (change feed) connection is up.",
		feed_is_ready());
	gauge(&b, "pace_leader",
		"1 while this instance runs the time-driven work.",
		feed_is_leader());
	if (m.notify_sampled)
		sb_printf(&b, "# HELP pace_notify_queue_usage Fraction of "
			      "PostgreSQL's NOTIFY queue in use "
			      "(pg_notification_queue_usage(), sampled).\n"
			      "# TYPE pace_notify_queue_usage gauge\n"
			      "pace_notify_queue_usage %g\n",
			m.notify_usage);
	TAILQ_FOREACH(c, &srv.clients, all_entry)
	{
		qbytes += c->outq_bytes;
		if (c->outq_bytes > qmax)
			qmax = c->outq_bytes;
		subs += (unsigned long long)c->nsubs;
	}
	gauge(&b, "pace_subscriptions", "Live subscriptions.",
		(long long)subs);
	gauge(&b, "pace_subscriber_queue_bytes",
		"Bytes queued to clients, not yet written (all connections).",
		(long long)qbytes);
	gauge(&b, "pace_subscriber_queue_bytes_max",
		"Bytes queued to the most-behind connection.", (long long)qmax);
	sb_printf(&b, "# HELP pace_build_info Version of this paced.\n"
		      "# TYPE pace_build_info gauge\n"
		      "pace_build_info{version=\"%s\"} 1\n",
		PACE_VERSION);
	gauge(&b, "pace_start_time_seconds", "When this paced started.",
		srv.started_us / 1000000);
	*len = b.len;
	return b.p;
}
