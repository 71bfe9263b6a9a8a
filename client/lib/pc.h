/*
 * libpaceclient: what both clients (pace, pace-desk) use to talk to paced.
 *
 *  - pc_codec: the protocol core, independent of any event loop: feed it
 *    bytes as they arrive, take whole frames out.
 *  - pc_conn: a blocking transport (TCP, optionally TLS) for the CLI, with
 *    request/response matching; pushes that arrive meanwhile are kept.
 *  - pc_store: the user's server, login and session token under
 *    $XDG_CONFIG_HOME/pace/ (mode 0600).
 *  - pc_money.h, pc_time.h: amounts and times as people write them.
 *  - pc_outbox.h: writes queued while the server cannot be reached.
 *
 * Functions return 0 or a negative code from common/err.h. After a server
 * Error, pc_conn_error() has its message and field.
 */
#ifndef PACE_PC_H
#define PACE_PC_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "msg.h"
#include "rbuf.h"

/* --- codec --------------------------------------------------------------- */

struct pc_codec {
	struct rbuf in;
	uint32_t max; /* largest frame accepted from the server */
};

void pc_codec_init(struct pc_codec *c, uint32_t max);
void pc_codec_fini(struct pc_codec *c);
/* Buffer bytes; returns how many were taken (less when a frame is full). */
size_t pc_codec_feed(struct pc_codec *c, const uint8_t *p, size_t n);
/*
 * Next whole frame: 1 with *out set (free with msg_free), 0 when more bytes
 * are needed, or E_PROTO / E_TOO_BIG for a broken stream.
 */
int pc_codec_next(struct pc_codec *c, pace_frame_t **out);

/* --- blocking connection -------------------------------------------------- */

struct pc_conn;

struct pc_opts {
	const char *server;  /* HOST:PORT */
	const char *tls_ca;  /* CA file: use TLS and verify against it */
	int tls;             /* use TLS with the system's CAs */
	int timeout_ms;      /* per call; 0 for the default (15 s) */
	const char *client_name;
};

/* Connect and exchange Hello/Welcome. */
int pc_connect(const struct pc_opts *o, struct pc_conn **out) WARN_UNUSED;
void pc_close(struct pc_conn *pc);

/*
 * Send req (its id is assigned here) and wait for the frame answering it.
 * A server Error becomes its code (E_INVALID, E_DENIED, ...) with the
 * message kept; on success *resp is the response (free with msg_free).
 */
int pc_call(struct pc_conn *pc, pace_frame_t *req, pace_frame_t **resp)
	WARN_UNUSED;
/* Send without waiting (returns the id used). */
int pc_send(struct pc_conn *pc, pace_frame_t *req, uint32_t *id) WARN_UNUSED;
/*
 * Wait up to timeout_ms for the next frame (push or response). 1 with *out,
 * 0 on timeout, or an error.
 */
int pc_recv(struct pc_conn *pc, int timeout_ms, pace_frame_t **out)
	WARN_UNUSED;
/* The socket, for poll()-based callers. */
int pc_fd(const struct pc_conn *pc);
/* Pushes received during pc_call, oldest first; NULL when none. */
pace_frame_t *pc_next_push(struct pc_conn *pc);

const char *pc_conn_error(const struct pc_conn *pc);
const char *pc_conn_error_field(const struct pc_conn *pc);
uint32_t pc_retry_after_ms(const struct pc_conn *pc);

/* Login: on success token (if wanted) and identity are filled. */
int pc_login(struct pc_conn *pc, const char *user, const char *password,
	char **token, Pace__V1__Identity **identity) WARN_UNUSED;
int pc_resume(struct pc_conn *pc, const char *token,
	Pace__V1__Identity **identity) WARN_UNUSED;

/* --- the user's stored settings ------------------------------------------ */

struct pc_store {
	char *server;
	char *login;
	char *token;
	char *tls_ca;
};

/* $XDG_CONFIG_HOME/pace (or ~/.config/pace); xmalloc'd. */
char *pc_store_dir(void);
/* $XDG_DATA_HOME/pace (or ~/.local/share/pace); xmalloc'd. */
char *pc_data_dir(void);
/* Create dir and its missing parents, each mode 0700 when created. */
int pc_mkdir_private(const char *dir) WARN_UNUSED;
/* Load (missing file: all NULL). */
int pc_store_load(struct pc_store *s) WARN_UNUSED;
/* Save atomically with mode 0600 in a 0700 directory. */
int pc_store_save(const struct pc_store *s) WARN_UNUSED;
void pc_store_free(struct pc_store *s);

/* --- small things --------------------------------------------------------- */

/* A random (version 4) UUID for client_op_id. */
void pc_uuid(char out[37]);
/*
 * A UUID derived from data (BLAKE2b), shaped like a version 4 one: the same
 * data always gives the same id (deterministic op ids for imported rows).
 */
void pc_uuid_from(const void *data, size_t len, char out[37]);

#define PC_DEFAULT_SERVER "127.0.0.1:7420"

#endif
