/*
 * A client connection: its socket, reassembly buffer, bounded write queue,
 * identity and lifecycle.
 *
 * Lifecycle: conn_new() (refs = 1, held by the open socket) -> requests and
 * writes take refs with conn_ref() -> conn_close(c, reason) marks CLOSING,
 * logs the reason once and closes the handle -> the close callback drops the
 * socket's ref -> freed when the last ref goes. Code holding a conn across a
 * loop turn holds a ref and checks conn_is_closing() before using it.
 */
#ifndef PACE_CONN_H
#define PACE_CONN_H

#include <stdint.h>
#include <sys/queue.h>
#include <uv.h>

#include "frame_ref.h"
#include "identity.h"
#include "rbuf.h"

enum conn_state {
	CONN_NEW,       /* waiting for Hello */
	CONN_HELLO,     /* Hello done, waiting for Login or Resume */
	CONN_READY,     /* logged in */
};

enum {
	CONN_CLOSING = 1 << 0,     /* conn_close() called; on no list */
	CONN_WRITING = 1 << 1,     /* a uv_write is in flight */
	CONN_PENDING = 1 << 2,     /* on the flush list */
	CONN_READ_PAUSED = 1 << 3, /* too many requests in progress */
	CONN_LINGER = 1 << 4,      /* close once the queue is written */
	CONN_READING = 1 << 5,     /* uv_read_start active */
	CONN_THROTTLED = 1 << 6,   /* over its request rate (audited once) */
};

struct outq_item {
	TAILQ_ENTRY(outq_item) entry;
	struct frame *f; /* ref */
};
TAILQ_HEAD(outq_head, outq_item);

struct sub;
struct tls_conn;

/* Every idle client holds one of these: mind the holes (docs/BENCHMARKS.md). */
struct conn {
	uv_tcp_t tcp;              /* first: the handle is the conn */
	uint64_t id;               /* c#<id> in logs */
	char addr[48];             /* "ip", the key for per-address limits */
	uint16_t port;             /* the peer's; logs say "c#<id> addr:port" */
	uint8_t alert_mode;        /* ALERTS_OFF/LIVE/CATCHUP (push/topics.h) */
	uint8_t alert_gap;         /* an alert came during catch-up */
	enum conn_state state;
	unsigned flags;
	int refs;
	struct rbuf in;            /* owned: bytes not yet framed */
	uint8_t *stash;            /* owned: bytes read while paused */
	size_t stash_len;
	struct outq_head outq;     /* owned items, frame refs */
	size_t outq_bytes;         /* bytes queued or being written */
	int64_t outq_soft_since;   /* when outq_bytes went over soft, or 0 */
	int inflight;              /* requests in progress */
	int nsubs;
	int64_t created_us;        /* monotonic */
	int64_t last_active_us;    /* monotonic, last frame received */
	int64_t linger_until_us;   /* monotonic deadline of a lingering close */
	char *close_reason;        /* owned: why a lingering close closes */
	double tokens;             /* request rate bucket */
	int64_t tokens_at_us;
	struct identity *ident;    /* owned; NULL until login */
	struct tls_conn *tls;      /* owned; NULL for plaintext */
	struct sub *subs;          /* owned list of subscriptions */
	uint64_t push_seq;         /* highest alert sequence delivered here */
	TAILQ_ENTRY(conn) all_entry;     /* on srv.clients while open */
	TAILQ_ENTRY(conn) pending_entry; /* on the flush list */
};

/* Accept a connection from the listener. NULL if refused (and closed). */
void conn_accept(uv_stream_t *server);

void conn_ref(struct conn *c);
void conn_unref(struct conn *c);

/* Close now; queued output is dropped. Idempotent. */
void conn_close(struct conn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Stop reading, write what is queued (e.g. a last Error), then close. */
void conn_close_after_flush(struct conn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static inline int
conn_is_closing(const struct conn *c)
{
	return (c->flags & CONN_CLOSING) != 0;
}

/*
 * Queue a packed frame for writing (takes a new ref of fr). Returns 0, or
 * E_EXHAUSTED after closing the connection because its queue passed the
 * hard limit ("too far behind").
 */
int conn_send_frame(struct conn *c, struct frame *fr);

/* Pack and queue a message. */
void conn_send(struct conn *c, const pace_frame_t *f);

/* Queue Error{code, message, field} in answer to request `id`. */
void conn_send_error(struct conn *c, uint32_t id, int err, const char *field,
	const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Request accounting: reading pauses while too many are in progress. */
void conn_req_begin(struct conn *c);
void conn_req_end(struct conn *c);

/* Set once logged in (takes ownership), or NULL at logout. */
void conn_set_identity(struct conn *c, struct identity *ident);

/* Log with the connection's prefix. */
void conn_log(struct conn *c, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Periodic checks for every connection: deadlines and slow readers. */
void conn_cron(int64_t now_mono_us);

/* Feed plaintext bytes from the socket (or TLS) into the frame decoder. */
void conn_feed(struct conn *c, const uint8_t *p, size_t n);

/* Write the queues of every connection with pending output. */
void conn_flush_all(void);

/* Write transport bytes (TLS records) outside the frame queue; takes data. */
void conn_write_raw(struct conn *c, uint8_t *data, size_t len);

/* Close every connection (shutdown). */
void conn_close_all(const char *reason);
/* Shutdown: read nothing more; frames already received are still served. */
void conn_stop_reading_all(void);

/* Connections from one address (for the per-address limit). */
int conn_count_addr(const char *addr);

#endif
