/*
 * pace watch: a live terminal dashboard drawn from pushes (no polling): the
 * progress bar coloured by status, actual/target/pace, the leaderboard, the
 * latest alerts, when the last update came and whether the link is up. It
 * reconnects by itself with backoff and resumes from the last sequence
 * number. With --json: one JSON object per push, one per line.
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alert_view.h"
#include "clock.h"
#include "cli.h"
#include "kpi_view.h"
#include "output.h"
#include "pc_money.h"
#include "pc_time.h"

#define BODY(name) PACE__V1__FRAME__BODY_##name
#define MAX_ALERTS 6
#define PING_EVERY_US (60 * 1000000LL)

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	stop = 1;
}

struct watch {
	struct cli *cli;
	Pace__V1__Scope scope;
	const char *period;
	int tty;
	uint64_t seq;                 /* highest sequence number seen */
	int subscribed;               /* once: later connections resume */
	pace_frame_t *kpi;            /* last snapshot frame (owned) */
	pace_frame_t *board;          /* last board frame (owned) */
	pace_frame_t *alerts[MAX_ALERTS]; /* newest first (owned frames) */
	int nalerts;
	int64_t last_update;          /* µs, wall clock */
	int up;
	int64_t retry_at;             /* monotonic µs of the next reconnect */
	int backoff_ms;
	int board_failed;             /* the last board request was not sent */
};

static void
draw(struct watch *w)
{
	char when[32];

	if (w->cli->json)
		return;
	if (w->tty)
		printf("\033[H\033[2J");
	if (w->kpi) {
		const Pace__V1__Kpi *k = w->kpi->push->snapshot;
		char actual[48], target[48], att[16], bar[256];
		const char *st = status_name(k->status);

		pc_money_format(k->actual, k->currency, actual, sizeof(actual));
		if (k->target)
			pc_money_format(k->target->v, k->currency, target,
				sizeof(target));
		else
			snprintf(target, sizeof(target), "—");
		printf("%s%s%s · %s\n", col_bold(), k->scope ? k->scope->name : "",
			col_reset(), k->period);
		printf("%s %s\n",
			fmt_bar(k->attainment ? k->attainment->v : 0, 40, k->status,
				bar, sizeof(bar)),
			fmt_ratio(k->attainment, att, sizeof(att)));
		printf(_("actual %s / target %s · pace "), actual, target);
		if (k->pace)
			printf("%.2f %s%s%s\n", k->pace->v, status_color(k->status),
				st ? _(st) : "", col_reset());
		else
			printf("—\n");
		printf("\n");
	} else {
		printf(_("waiting for the first numbers...\n\n"));
	}
	if (w->board && w->board->board->n_rows > 0)
		board_print(w->board->board, "revenue");
	if (w->nalerts > 0) {
		printf("\n%s%s%s\n", col_bold(), _("Latest alerts"), col_reset());
		for (int i = 0; i < w->nalerts; i++) {
			const Pace__V1__Alert *al = w->alerts[i]->push->alert;
			char t[32];
			pc_time_format(al->raised_at, t, sizeof(t));
			printf("  %s  %s%s%s\n", t,
				al->kind == PACE__V1__ALERT_KIND__ALERT_STATUS
					? status_color(al->to)
					: "",
				al->title, col_reset());
		}
	}
	if (w->last_update)
		pc_time_format(w->last_update, when, sizeof(when));
	else
		snprintf(when, sizeof(when), "—");
	printf("\n%s", col_dim());
	if (w->up)
		printf(_("last update %s · link up · q to quit"), when);
	else
		printf(_("last update %s · offline — reconnecting"), when);
	printf("%s\n", col_reset());
	fflush(stdout);
}

static void
json_line(cJSON *j)
{
	char *s = cJSON_PrintUnformatted(j);

	if (s) {
		puts(s);
		free(s);
	}
	fflush(stdout);
	cJSON_Delete(j);
}

/* Ask for the leaderboard that goes with the scope (after each snapshot). */
static void
request_board(struct watch *w)
{
	pace_frame_t req = PACE__V1__FRAME__INIT;
	Pace__V1__BoardGet m = PACE__V1__BOARD_GET__INIT;
	Pace__V1__Scope scope = w->scope;
	uint32_t id;

	if (scope.kind == PACE__V1__SCOPE_KIND__SCOPE_USER ||
		scope.kind == PACE__V1__SCOPE_KIND__SCOPE_UNSPECIFIED) {
		/* A rep watches their team's board. */
		scope.kind = PACE__V1__SCOPE_KIND__SCOPE_TEAM;
		scope.name = "";
	}
	m.scope = &scope;
	m.period = (char *)w->period;
	m.metric = "";
	m.level = "";
	req.body_case = BODY(BOARD_GET);
	req.board_get = &m;
	/* A broken link shows at the next read and is handled there. */
	if (pc_send(w->cli->pc, &req, &id) != 0)
		w->board_failed = 1;
}

static void
handle(struct watch *w, pace_frame_t *f)
{
	if (f->body_case == BODY(BOARD)) {
		msg_free(w->board);
		w->board = f;
		draw(w);
		return;
	}
	if (f->body_case != BODY(PUSH)) {
		/* Errors of board requests (e.g. a rep without a team): none. */
		msg_free(f);
		return;
	}
	if (f->push->seq > w->seq)
		w->seq = f->push->seq;
	w->last_update = clock_now_us();
	if (w->cli->json) {
		cJSON *j = cJSON_CreateObject();
		json_add_i64(j, "seq", (int64_t)f->push->seq);
		if (f->push->body_case == PACE__V1__PUSH__BODY_SNAPSHOT) {
			cJSON_AddStringToObject(j, "type", "snapshot");
			cJSON_AddItemToObject(j, "kpi", kpi_json(f->push->snapshot));
		} else {
			cJSON_AddStringToObject(j, "type", "alert");
			cJSON_AddItemToObject(j, "alert", alert_json(f->push->alert));
		}
		json_line(j);
	}
	if (f->push->body_case == PACE__V1__PUSH__BODY_SNAPSHOT) {
		msg_free(w->kpi);
		w->kpi = f;
		if (!w->cli->json)
			request_board(w);
	} else if (f->push->body_case == PACE__V1__PUSH__BODY_ALERT) {
		if (w->nalerts == MAX_ALERTS)
			msg_free(w->alerts[--w->nalerts]);
		memmove(w->alerts + 1, w->alerts, (size_t)w->nalerts * sizeof(*w->alerts));
		w->alerts[0] = f;
		w->nalerts++;
		if (w->tty && !w->cli->json)
			putchar('\a');
	} else {
		msg_free(f);
	}
	draw(w);
}

/* Connect, resume the session, subscribe (resuming from w->seq). */
static int
connect_and_subscribe(struct watch *w)
{
	pace_frame_t req = PACE__V1__FRAME__INIT, *resp = NULL;
	Pace__V1__Subscribe m = PACE__V1__SUBSCRIBE__INIT;
	pace_frame_t *push;
	int code;

	if ((code = cli_session(w->cli)) != EXIT_OK)
		return code;
	m.scope = &w->scope;
	m.period = (char *)w->period;
	m.resume_from = w->seq;
	m.resume = w->subscribed;
	req.body_case = BODY(SUBSCRIBE);
	req.subscribe = &m;
	if ((code = cli_call(w->cli, &req, BODY(SUBSCRIBED), &resp)) != EXIT_OK)
		return code;
	msg_free(resp);
	w->subscribed = 1;
	/* Pushes that came before the answer were kept aside. */
	while ((push = pc_next_push(w->cli->pc)) != NULL)
		handle(w, push);
	return EXIT_OK;
}

static void
drop_link(struct watch *w)
{
	pc_close(w->cli->pc);
	w->cli->pc = NULL;
	if (w->cli->me) {
		pace__v1__identity__free_unpacked(w->cli->me, NULL);
		w->cli->me = NULL;
	}
	w->up = 0;
	w->backoff_ms = w->backoff_ms ? w->backoff_ms * 2 : 500;
	if (w->backoff_ms > 30000)
		w->backoff_ms = 30000;
	/* Jitter so a whole office does not reconnect in step. */
	w->retry_at = clock_mono_us() +
		(int64_t)(w->backoff_ms / 2 + rand() % (w->backoff_ms / 2 + 1)) * 1000;
	draw(w);
}

static const struct opt watch_opts[] = {
	{"user", OPT_VALUE, N_("a rep or manager, by login"), 0},
	SCOPE_OPTS,
	{"period", OPT_VALUE, N_("a period (default: the current month)"), 0},
	{"exit-after", OPT_VALUE, N_("stop after this many pushes (scripts)"), 0},
	{NULL, 0, NULL, 0},
};

static int
run_watch(struct cli *cli, struct args *a)
{
	struct watch w;
	long exit_after = 0, pushes = 0;
	int64_t last_ping = clock_mono_us();
	int code;

	memset(&w, 0, sizeof(w));
	w.cli = cli;
	w.tty = isatty(STDOUT_FILENO);
	if ((code = cli_scope(cli, a, &w.scope)) != EXIT_OK)
		return code;
	if ((code = arg_int(cli, a, "exit-after", 1, 1000000, &exit_after)) !=
		EXIT_OK)
		return code;
	w.period = arg_get(cli, a, "period");
	if (w.period == NULL)
		w.period = "";
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	srand((unsigned)clock_mono_us());
	code = connect_and_subscribe(&w);
	if (code == EXIT_AUTH || code == EXIT_DENIED || code == EXIT_USAGE ||
		code == EXIT_NOTFOUND || code == EXIT_INVALID)
		return code; /* retrying would not help */
	if (code == EXIT_OK) {
		w.up = 1;
		w.backoff_ms = 0;
	} else {
		drop_link(&w);
	}
	while (!stop) {
		pace_frame_t *f = NULL;
		int rc;

		if (!w.up) {
			if (clock_mono_us() < w.retry_at) {
				usleep(100000);
				continue;
			}
			code = connect_and_subscribe(&w);
			if (code == EXIT_AUTH || code == EXIT_DENIED)
				break;
			if (code != EXIT_OK) {
				drop_link(&w);
				continue;
			}
			w.up = 1;
			w.backoff_ms = 0;
			draw(&w);
		}
		if (w.tty && !cli->json) {
			struct pollfd pin = {.fd = STDIN_FILENO, .events = POLLIN};
			if (poll(&pin, 1, 0) > 0) {
				char ch;
				if (read(STDIN_FILENO, &ch, 1) == 1 && (ch == 'q' || ch == 'Q'))
					break;
			}
		}
		rc = pc_recv(cli->pc, 500, &f);
		if (rc < 0) {
			drop_link(&w);
			continue;
		}
		if (rc == 1) {
			int is_push = f->body_case == BODY(PUSH);
			handle(&w, f);
			if (is_push && exit_after && ++pushes >= exit_after)
				break;
		}
		if (clock_mono_us() - last_ping > PING_EVERY_US) {
			pace_frame_t req = PACE__V1__FRAME__INIT;
			Pace__V1__Ping p = PACE__V1__PING__INIT;
			uint32_t id;
			req.body_case = BODY(PING);
			req.ping = &p;
			last_ping = clock_mono_us();
			if (pc_send(cli->pc, &req, &id) != 0)
				drop_link(&w);
		}
	}
	msg_free(w.kpi);
	msg_free(w.board);
	for (int i = 0; i < w.nalerts; i++)
		msg_free(w.alerts[i]);
	return EXIT_OK;
}

const struct cmd cmds_watch[] = {
	{"watch", "[--user L|--team T|--office O|--org] [--period P]",
		N_("Live dashboard from pushes; reconnects by itself"), watch_opts,
		0, 0, run_watch},
	{NULL, NULL, NULL, NULL, 0, 0, NULL},
};
