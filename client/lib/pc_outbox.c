/*
 * The offline outbox in SQLite (see pc_outbox.h). One table, one row per
 * queued write; every statement is prepared, run and finalised in one
 * function, and SQLite's own locking (with a busy timeout) lets several
 * pace processes share the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "clock.h"
#include "pc.h"
#include "pc_outbox.h"
#include "xmalloc.h"

/* Bump with a migration below when the table changes. */
#define SCHEMA_VERSION 1

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS outbox ("
	" seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	" created_at INTEGER NOT NULL,"
	" server TEXT NOT NULL,"
	" login TEXT NOT NULL,"
	" kind TEXT NOT NULL,"
	" summary TEXT NOT NULL,"
	" op_id TEXT NOT NULL,"
	" body BLOB NOT NULL,"
	" status INTEGER NOT NULL DEFAULT 0 CHECK (status IN (0, 1)),"
	" err_code TEXT NOT NULL DEFAULT '',"
	" err_message TEXT NOT NULL DEFAULT '',"
	" err_field TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX IF NOT EXISTS outbox_owner"
	" ON outbox (server, login, status, seq);"
	"PRAGMA user_version = 1;";

#define ITEM_COLUMNS                                                     \
	"seq, created_at, server, login, kind, summary, op_id, body, status, " \
	"err_code, err_message, err_field"

struct pc_outbox {
	sqlite3 *db;
	char err[256];
};

char *
pc_outbox_path(void)
{
	char *dir = pc_data_dir(), *path = xasprintf("%s/outbox.db", dir);

	free(dir);
	return path;
}

static int
db_fail(struct pc_outbox *ob, const char *what)
{
	snprintf(ob->err, sizeof(ob->err), "%s: %s", what,
		ob->db ? sqlite3_errmsg(ob->db) : "out of memory");
	return E_INTERNAL;
}

const char *
pc_outbox_error(const struct pc_outbox *ob)
{
	return ob ? ob->err : "";
}

/* Make the file (mode 0600) and its directory (0700) before SQLite does. */
static int
create_private(const char *path)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	int fd, rc = 0;

	if (slash && slash != dir) {
		*slash = '\0';
		rc = pc_mkdir_private(dir);
	}
	free(dir);
	if (rc != 0)
		return rc;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static int
migrate(struct pc_outbox *ob)
{
	sqlite3_stmt *st = NULL;
	int version = 0;

	if (sqlite3_prepare_v2(ob->db, "PRAGMA user_version", -1, &st, NULL) !=
		SQLITE_OK)
		return db_fail(ob, "outbox version");
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version > SCHEMA_VERSION) {
		snprintf(ob->err, sizeof(ob->err),
			"the outbox was written by a newer pace (version %d)",
			version);
		return E_INTERNAL;
	}
	if (version < SCHEMA_VERSION &&
		sqlite3_exec(ob->db, schema, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(ob, "outbox schema");
	return 0;
}

int
pc_outbox_open(const char *path, int create, struct pc_outbox **out)
{
	struct pc_outbox *ob = xcalloc(1, sizeof(*ob));
	char *def = path ? NULL : pc_outbox_path();
	int rc;

	if (path == NULL)
		path = def;
	if (!create && access(path, F_OK) != 0) {
		rc = E_NOTFOUND;
		goto fail;
	}
	if (create && (rc = create_private(path)) != 0) {
		snprintf(ob->err, sizeof(ob->err), "%s: %s", path, strerror(-rc));
		rc = E_INTERNAL;
		goto fail;
	}
	if (sqlite3_open_v2(path, &ob->db, SQLITE_OPEN_READWRITE, NULL) !=
		SQLITE_OK) {
		rc = db_fail(ob, path);
		goto fail;
	}
	chmod(path, 0600);
	sqlite3_busy_timeout(ob->db, 10000);
	sqlite3_exec(ob->db, "PRAGMA synchronous = FULL", NULL, NULL, NULL);
	if ((rc = migrate(ob)) != 0)
		goto fail;
	free(def);
	*out = ob;
	return 0;
fail:
	free(def);
	*out = ob; /* kept so the caller can read pc_outbox_error(); close it */
	return rc;
}

void
pc_outbox_close(struct pc_outbox *ob)
{
	if (ob == NULL)
		return;
	sqlite3_close(ob->db);
	free(ob);
}

static char *
col_text(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	return xstrdup(s ? (const char *)s : "");
}

static void
read_item(sqlite3_stmt *st, struct pc_outbox_item *it)
{
	const void *b = sqlite3_column_blob(st, 7);
	int n = sqlite3_column_bytes(st, 7);

	memset(it, 0, sizeof(*it));
	it->seq = sqlite3_column_int64(st, 0);
	it->created_at = sqlite3_column_int64(st, 1);
	it->server = col_text(st, 2);
	it->login = col_text(st, 3);
	it->kind = col_text(st, 4);
	it->summary = col_text(st, 5);
	it->op_id = col_text(st, 6);
	it->body = xmalloc(n > 0 ? (size_t)n : 1);
	if (n > 0)
		memcpy(it->body, b, (size_t)n);
	it->body_len = (size_t)n;
	it->status = sqlite3_column_int(st, 8) ? PC_OUTBOX_REJECTED :
						 PC_OUTBOX_PENDING;
	it->err_code = col_text(st, 9);
	it->err_message = col_text(st, 10);
	it->err_field = col_text(st, 11);
}

int
pc_outbox_add(struct pc_outbox *ob, const struct pc_outbox_item *it,
	int64_t *seq)
{
	static const char sql[] =
		"INSERT INTO outbox (created_at, server, login, kind, summary,"
		" op_id, body) VALUES (?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *st = NULL;
	int rc = 0;

	if (sqlite3_prepare_v2(ob->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(ob, "outbox add");
	sqlite3_bind_int64(st, 1, it->created_at ? it->created_at :
						    clock_now_us());
	sqlite3_bind_text(st, 2, it->server, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, it->login, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, it->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, it->summary ? it->summary : "", -1,
		SQLITE_STATIC);
	sqlite3_bind_text(st, 6, it->op_id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 7, it->body, (int)it->body_len, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = db_fail(ob, "outbox add");
	else if (seq)
		*seq = sqlite3_last_insert_rowid(ob->db);
	sqlite3_finalize(st);
	return rc;
}

int
pc_outbox_count(struct pc_outbox *ob, const char *server, const char *login,
	enum pc_outbox_status status, int64_t *n)
{
	static const char sql[] =
		"SELECT count(*) FROM outbox WHERE status = ?"
		" AND (?2 IS NULL OR server = ?2) AND (?3 IS NULL OR login = ?3)";
	sqlite3_stmt *st = NULL;
	int rc = 0;

	if (sqlite3_prepare_v2(ob->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(ob, "outbox count");
	sqlite3_bind_int(st, 1, (int)status);
	if (server)
		sqlite3_bind_text(st, 2, server, -1, SQLITE_STATIC);
	if (login)
		sqlite3_bind_text(st, 3, login, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	else
		rc = db_fail(ob, "outbox count");
	sqlite3_finalize(st);
	return rc;
}

int
pc_outbox_next(struct pc_outbox *ob, const char *server, const char *login,
	int64_t after, struct pc_outbox_item *it)
{
	static const char sql[] =
		"SELECT " ITEM_COLUMNS " FROM outbox WHERE status = 0"
		" AND server = ? AND login = ? AND seq > ? ORDER BY seq LIMIT 1";
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(ob->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(ob, "outbox next");
	sqlite3_bind_text(st, 1, server, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, login, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, after);
	switch (sqlite3_step(st)) {
	case SQLITE_ROW:
		read_item(st, it);
		rc = 1;
		break;
	case SQLITE_DONE:
		rc = 0;
		break;
	default:
		rc = db_fail(ob, "outbox next");
	}
	sqlite3_finalize(st);
	return rc;
}

int
pc_outbox_list(struct pc_outbox *ob, struct pc_outbox_item **items,
	size_t *n)
{
	static const char sql[] =
		"SELECT " ITEM_COLUMNS " FROM outbox ORDER BY seq";
	sqlite3_stmt *st = NULL;
	struct pc_outbox_item *v = NULL;
	size_t cnt = 0, cap = 0;
	int r;

	if (sqlite3_prepare_v2(ob->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(ob, "outbox list");
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			v = xrealloc(v, cap * sizeof(*v));
		}
		read_item(st, &v[cnt++]);
	}
	sqlite3_finalize(st);
	if (r != SQLITE_DONE) {
		pc_outbox_items_free(v, cnt);
		return db_fail(ob, "outbox list");
	}
	*items = v;
	*n = cnt;
	return 0;
}

/* Run one statement with an int64 parameter; *changes if wanted. */
static int
exec_seq(struct pc_outbox *ob, const char *sql, int64_t seq, int64_t *changes)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;

	if (sqlite3_prepare_v2(ob->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(ob, "outbox");
	sqlite3_bind_int64(st, 1, seq);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = db_fail(ob, "outbox");
	else if (changes)
		*changes = sqlite3_changes(ob->db);
	sqlite3_finalize(st);
	return rc;
}

int
pc_outbox_done(struct pc_outbox *ob, int64_t seq)
{
	return exec_seq(ob, "DELETE FROM outbox WHERE seq = ?", seq, NULL);
}

int
pc_outbox_reject(struct pc_outbox *ob, int64_t seq, const char *code,
	const char *message, const char *field)
{
	static const char sql[] =
		"UPDATE outbox SET status = 1, err_code = ?, err_message = ?,"
		" err_field = ? WHERE seq = ?";
	sqlite3_stmt *st = NULL;
	int rc = 0;

	if (sqlite3_prepare_v2(ob->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(ob, "outbox reject");
	sqlite3_bind_text(st, 1, code ? code : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, message ? message : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, field ? field : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, seq);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = db_fail(ob, "outbox reject");
	sqlite3_finalize(st);
	return rc;
}

int
pc_outbox_clear_rejected(struct pc_outbox *ob, int64_t *n)
{
	return exec_seq(ob, "DELETE FROM outbox WHERE status = ?",
		PC_OUTBOX_REJECTED, n);
}

void
pc_outbox_item_fini(struct pc_outbox_item *it)
{
	if (it == NULL)
		return;
	free(it->server);
	free(it->login);
	free(it->kind);
	free(it->summary);
	free(it->op_id);
	free(it->body);
	free(it->err_code);
	free(it->err_message);
	free(it->err_field);
	memset(it, 0, sizeof(*it));
}

void
pc_outbox_items_free(struct pc_outbox_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pc_outbox_item_fini(&items[i]);
	free(items);
}
