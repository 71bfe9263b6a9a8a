/*
 * Writes that work offline. A write command builds its request (with its
 * client_op_id) and hands it to cli_write(): sent when the server can be
 * reached, else packed into the outbox (pc_outbox.h) and replayed later by
 * offline_replay(), from `pace sync` or quietly by the next command that
 * connects. Because the op id travels with the stored request, the server
 * applies each queued write exactly once, however often it is replayed.
 */
#ifndef PACE_CLI_OFFLINE_H
#define PACE_CLI_OFFLINE_H

#include "cli.h"

/*
 * Send a write and wait for its answer, which must be `want`. Returns
 * EXIT_OK with *resp set when the server stored it; EXIT_OK with *resp
 * NULL when it was queued instead ("queued offline (N pending)" is printed
 * on stderr); or an exit code after printing the server's error. The write
 * is queued when the server cannot be reached or answers UNAVAILABLE, and
 * also while earlier writes of this user are still queued, so that writes
 * reach the server in the order they were made. summary describes the
 * write for `pace outbox`.
 */
int cli_write(struct cli *cli, pace_frame_t *req, const char *op_id, int want,
	pace_frame_t **resp, const char *summary);

struct replay_result {
	long sent;      /* accepted by the server, now removed */
	long rejected;  /* refused (invalid, not found, conflict, denied) */
	long pending;   /* still queued for this server and user */
	int stop_rc;    /* why the replay stopped early (0: it did not) */
};

/*
 * Replay the pending outbox items of this server and user, oldest first,
 * on the open session: accepted items are removed, refused ones (invalid,
 * not found, conflict, denied, internal) marked rejected with the server's
 * reason. Stops at the first answer that means "later" (UNAVAILABLE, a
 * limit, a lost connection, an expired session). Returns 0, or an error
 * code when the outbox cannot be read.
 */
int offline_replay(struct cli *cli, struct replay_result *r);

/* After a session opened: replay quietly ("synced N queued writes"). */
void offline_replay_quiet(struct cli *cli);

/* Whether rc means the server could not be reached or must be retried. */
int offline_is_unreachable(int rc);

/* The wire-style name of an error code: "INVALID_ARGUMENT", ... */
const char *offline_code_name(int rc);

#endif
