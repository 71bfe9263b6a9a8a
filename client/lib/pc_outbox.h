/*
 * The offline outbox: writes made while the server could not be reached,
 * kept in SQLite at $XDG_DATA_HOME/pace/outbox.db (directory 0700, file
 * 0600) until they are replayed. Each item keeps the packed request Frame
 * with its client_op_id already assigned, so a replay is applied by the
 * server exactly once however often it is sent. Items are replayed in the
 * order they were added (seq); one the server refuses stays, marked
 * rejected with the server's reason, until the user clears it.
 */
#ifndef PACE_PC_OUTBOX_H
#define PACE_PC_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct pc_outbox;

enum pc_outbox_status {
	PC_OUTBOX_PENDING = 0,
	PC_OUTBOX_REJECTED = 1,
};

struct pc_outbox_item {
	int64_t seq;          /* order of addition; set by pc_outbox_add */
	int64_t created_at;   /* µs since the epoch; 0 = now on add */
	char *server;         /* HOST:PORT the write was meant for */
	char *login;          /* who made it (whose session replays it) */
	char *kind;           /* the command, e.g. "deal add" */
	char *summary;        /* a line for people */
	char *op_id;          /* the request's client_op_id */
	uint8_t *body;        /* packed Frame, without the length header */
	size_t body_len;
	enum pc_outbox_status status;
	char *err_code;       /* rejected: the server's code, e.g. "INVALID" */
	char *err_message;    /* rejected: its message */
	char *err_field;      /* rejected: the field it named, or "" */
};

/* The default location, $XDG_DATA_HOME/pace/outbox.db; xmalloc'd. */
char *pc_outbox_path(void);

/*
 * Open the outbox at path (NULL: the default). With create, the file and
 * its directory are made when missing; without, a missing file answers
 * E_NOTFOUND (nothing was ever queued). Other failures: E_INTERNAL. As
 * with pc_connect(), *out is set also on failure, for pc_outbox_error();
 * close it either way.
 */
int pc_outbox_open(const char *path, int create, struct pc_outbox **out)
	WARN_UNUSED;
void pc_outbox_close(struct pc_outbox *ob);
/* The last SQLite error, for messages. */
const char *pc_outbox_error(const struct pc_outbox *ob);

/* Queue a write (seq, status and err_* of it are ignored). */
int pc_outbox_add(struct pc_outbox *ob, const struct pc_outbox_item *it,
	int64_t *seq) WARN_UNUSED;

/*
 * Count items in a status; server and login restrict the count when not
 * NULL.
 */
int pc_outbox_count(struct pc_outbox *ob, const char *server,
	const char *login, enum pc_outbox_status status, int64_t *n)
	WARN_UNUSED;

/*
 * The oldest pending item of (server, login) with seq > after: 1 with *it
 * filled (free with pc_outbox_item_fini), 0 when there is none, or an
 * error.
 */
int pc_outbox_next(struct pc_outbox *ob, const char *server,
	const char *login, int64_t after, struct pc_outbox_item *it)
	WARN_UNUSED;

/* Every item, oldest first; free with pc_outbox_items_free. */
int pc_outbox_list(struct pc_outbox *ob, struct pc_outbox_item **items,
	size_t *n) WARN_UNUSED;

/* The server accepted the item: forget it. */
int pc_outbox_done(struct pc_outbox *ob, int64_t seq) WARN_UNUSED;

/* The server refused the item: keep it, marked rejected, with the reason. */
int pc_outbox_reject(struct pc_outbox *ob, int64_t seq, const char *code,
	const char *message, const char *field) WARN_UNUSED;

/* Drop every rejected item; *n (if not NULL) says how many. */
int pc_outbox_clear_rejected(struct pc_outbox *ob, int64_t *n) WARN_UNUSED;

void pc_outbox_item_fini(struct pc_outbox_item *it);
void pc_outbox_items_free(struct pc_outbox_item *items, size_t n);

#endif
