/*
 * Sending writes, queueing them when the server is out of reach, and
 * replaying the queue (see offline.h).
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "frame.h"
#include "offline.h"
#include "output.h"
#include "pc_outbox.h"
#include "xmalloc.h"

int
offline_is_unreachable(int rc)
{
	return rc == E_UNAVAILABLE || rc == E_TIMEOUT || rc == E_CLOSED ||
		rc == E_DB_BUSY || rc == E_PROTO;
}

/*
 * The server refused the request itself: replaying it will not help. An
 * INTERNAL answer counts too: kept pending, one request the server cannot
 * handle would hold back every later write for good; marked rejected, it
 * stays visible in `pace outbox` and the queue moves on.
 */
static int
is_refusal(int rc)
{
	return rc == E_INVALID || rc == E_NOTFOUND || rc == E_CONFLICT ||
		rc == E_DENIED || rc == E_INTERNAL;
}

const char *
offline_code_name(int rc)
{
	switch (rc) {
	case E_INVALID:
		return "INVALID_ARGUMENT";
	case E_NOTFOUND:
		return "NOT_FOUND";
	case E_CONFLICT:
		return "CONFLICT";
	case E_DENIED:
		return "PERMISSION_DENIED";
	case E_UNAUTH:
		return "UNAUTHENTICATED";
	case E_EXHAUSTED:
		return "RESOURCE_EXHAUSTED";
	case E_UNAVAILABLE:
		return "UNAVAILABLE";
	default:
		return "INTERNAL";
	}
}

static const char *
my_login(const struct cli *cli)
{
	if (cli->me && cli->me->login && *cli->me->login)
		return cli->me->login;
	return cli->store.login ? cli->store.login : "";
}

/* Pending items of this server and user; 0 when there is no outbox. */
static int64_t
pending_count(struct cli *cli)
{
	struct pc_outbox *ob = NULL;
	int64_t n = 0;

	if (pc_outbox_open(NULL, 0, &ob) == 0 &&
		pc_outbox_count(ob, cli->server, my_login(cli),
			PC_OUTBOX_PENDING, &n) != 0)
		n = 0;
	pc_outbox_close(ob);
	return n;
}

/* Pack req into the outbox; EXIT_OK after saying so. */
static int
queue_write(struct cli *cli, pace_frame_t *req, const char *op_id,
	const char *summary)
{
	struct pc_outbox *ob = NULL;
	struct pc_outbox_item it = {0};
	size_t len = 0;
	uint8_t *packed;
	int64_t seq = 0, pending = 0;
	int code = EXIT_OK;

	req->id = 0;
	packed = msg_pack(req, &len);
	it.server = (char *)cli->server;
	it.login = (char *)my_login(cli);
	it.kind = (char *)cli->cmd->path;
	it.summary = (char *)(summary ? summary : "");
	it.op_id = (char *)op_id;
	it.body = packed + FRAME_HDR_LEN;
	it.body_len = len - FRAME_HDR_LEN;
	if (pc_outbox_open(NULL, 1, &ob) != 0 ||
		pc_outbox_add(ob, &it, &seq) != 0 ||
		pc_outbox_count(ob, cli->server, it.login, PC_OUTBOX_PENDING,
			&pending) != 0) {
		fprintf(stderr, _("pace: cannot queue the write offline: %s\n"),
			pc_outbox_error(ob));
		code = EXIT_UNAVAILABLE;
		goto out;
	}
	fprintf(stderr, _("queued offline (%lld pending)\n"), (long long)pending);
	if (cli->json) {
		cJSON *j = cJSON_CreateObject();
		cJSON_AddBoolToObject(j, "queued", 1);
		json_add_i64(j, "seq", seq);
		cJSON_AddStringToObject(j, "op_id", op_id);
		json_add_i64(j, "pending", pending);
		json_print(j);
	}
out:
	pc_outbox_close(ob);
	free(packed);
	return code;
}

int
cli_write(struct cli *cli, pace_frame_t *req, const char *op_id, int want,
	pace_frame_t **resp, const char *summary)
{
	int code, rc;

	*resp = NULL;
	code = cli_session_or_offline(cli);
	if (code == EXIT_UNAVAILABLE)
		return queue_write(cli, req, op_id, summary);
	if (code != EXIT_OK)
		return code;
	/* Earlier writes still queued (the replay stopped): keep the order. */
	if (pending_count(cli) > 0)
		return queue_write(cli, req, op_id, summary);
	rc = pc_call(cli->pc, req, resp);
	if (rc != 0 && offline_is_unreachable(rc))
		return queue_write(cli, req, op_id, summary);
	if (rc != 0)
		return cli_fail(cli, rc);
	if ((int)(*resp)->body_case != want) {
		msg_free(*resp);
		*resp = NULL;
		fprintf(stderr, _("pace: unexpected answer from the server\n"));
		return EXIT_ERROR;
	}
	return EXIT_OK;
}

/* Send one queued item; 0 (accepted) or the error code. */
static int
replay_one(struct cli *cli, const struct pc_outbox_item *it)
{
	pace_frame_t *req = msg_unpack(it->body, it->body_len), *resp = NULL;
	int rc;

	if (req == NULL)
		return E_PROTO;
	rc = pc_call(cli->pc, req, &resp);
	msg_free(resp);
	msg_free(req);
	return rc;
}

int
offline_replay(struct cli *cli, struct replay_result *r)
{
	struct pc_outbox *ob = NULL;
	const char *login = my_login(cli);
	int64_t after = 0, left = 0;
	int rc;

	memset(r, 0, sizeof(*r));
	rc = pc_outbox_open(NULL, 0, &ob);
	if (rc == E_NOTFOUND) {
		pc_outbox_close(ob);
		return 0;
	}
	if (rc != 0)
		goto fail;
	for (;;) {
		struct pc_outbox_item it;
		int sent;

		if ((rc = pc_outbox_next(ob, cli->server, login, after, &it)) < 0)
			goto fail;
		if (rc == 0)
			break;
		after = it.seq;
		sent = replay_one(cli, &it);
		if (sent == 0) {
			rc = pc_outbox_done(ob, it.seq);
			r->sent++;
		} else if (is_refusal(sent) || sent == E_PROTO) {
			rc = pc_outbox_reject(ob, it.seq,
				offline_code_name(sent == E_PROTO ? E_INVALID : sent),
				sent == E_PROTO ? N_("the queued request is damaged") :
						  pc_conn_error(cli->pc),
				pc_conn_error_field(cli->pc));
			r->rejected++;
		} else {
			r->stop_rc = sent;
		}
		pc_outbox_item_fini(&it);
		if (rc != 0)
			goto fail;
		if (r->stop_rc)
			break;
	}
	if ((rc = pc_outbox_count(ob, cli->server, login, PC_OUTBOX_PENDING,
		     &left)) != 0)
		goto fail;
	r->pending = (long)left;
	pc_outbox_close(ob);
	return 0;
fail:
	fprintf(stderr, _("pace: cannot read the offline outbox: %s\n"),
		pc_outbox_error(ob));
	pc_outbox_close(ob);
	return rc;
}

void
offline_replay_quiet(struct cli *cli)
{
	struct replay_result r;

	if (offline_replay(cli, &r) != 0)
		return;
	/* Two strings, not ngettext: po/fill_zh.py has no plural forms. */
	if (r.sent == 1)
		fprintf(stderr, _("synced 1 queued write\n"));
	else if (r.sent > 1)
		fprintf(stderr, _("synced %ld queued writes\n"), r.sent);
	if (r.rejected == 1)
		fprintf(stderr, _("1 queued write was rejected; see `pace outbox`\n"));
	else if (r.rejected > 1)
		fprintf(stderr,
			_("%ld queued writes were rejected; see `pace outbox`\n"),
			r.rejected);
}
