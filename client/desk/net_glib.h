/*
 * The protocol on the GLib main loop: a GSocketClient connection (TCP,
 * optionally TLS through GIO), read and written through pollable streams
 * whose sources wake the loop only when there is something to do: no
 * polling timer, no second thread. Bytes go through libpaceclient's codec
 * (pc_codec: bytes in, frames out) and msg_pack.
 *
 * One desk_net is one connection at a time: desk_net_connect() starts it
 * (Hello/Welcome included), desk_net_close() ends it. Requests get an id
 * and their reply callback is called exactly once: with the reply frame,
 * or with frame NULL and an error code (a server Error, or E_CLOSED when
 * the link goes away first). Frames that answer no request (pushes) go to
 * the on_frame callback. A link that stays silent is probed with Ping.
 */
#ifndef PACE_DESK_NET_GLIB_H
#define PACE_DESK_NET_GLIB_H

#include <stdint.h>

#include "msg.h"

struct desk_net;

enum desk_net_state {
	DESK_NET_DOWN,
	DESK_NET_CONNECTING, /* TCP/TLS connect and Hello in progress */
	DESK_NET_UP,         /* Welcome received: requests may be sent */
};

struct desk_net_cbs {
	/* The link changed state; message says why when it went down. */
	void (*on_state)(struct desk_net *n, enum desk_net_state st,
		const char *message, void *data);
	/* A frame that answers no request (a push). Borrowed. */
	void (*on_frame)(struct desk_net *n, const pace_frame_t *f, void *data);
};

/*
 * A reply: f is the response (borrowed, valid during the call), or NULL
 * with rc < 0 and message set (a server Error: its message; else why).
 */
typedef void (*desk_net_reply_cb)(struct desk_net *n, const pace_frame_t *f,
	int rc, const char *message, void *data);

struct desk_net *desk_net_new(const struct desk_net_cbs *cbs, void *data);
void desk_net_free(struct desk_net *n);

/*
 * Connect to HOST:PORT; with tls (or a CA file) through GIO's TLS, the
 * certificate checked against the host name and the CA file (or the
 * system's). Progress and failure come through on_state.
 */
void desk_net_connect(struct desk_net *n, const char *server, int tls,
	const char *tls_ca);
/* Close now (no callback for the state change; pending replies get E_CLOSED). */
void desk_net_close(struct desk_net *n);
enum desk_net_state desk_net_state(const struct desk_net *n);

/* Send a request (its id is set here). 0, or E_CLOSED when not up. */
int desk_net_call(struct desk_net *n, pace_frame_t *req, desk_net_reply_cb cb,
	void *data);
/* Forget the callbacks that have this data (its owner goes away). */
void desk_net_cancel_data(struct desk_net *n, void *data);

/* Bytes waiting to be written (tests, load measurements). */
size_t desk_net_queued(const struct desk_net *n);

#endif
