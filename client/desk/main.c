/*
 * pace-desk: the GTK4 desktop dashboard (DESIGN §8). Owns the model, the
 * session (the connection) and the window; new alerts become desktop
 * notifications (GNotification) with an Acknowledge button.
 *
 * Credentials: --user and --password-stdin (or PACE_DESK_USER and
 * PACE_DESK_PASSWORD), else the session stored by pace or pace-desk, else
 * the sign-in form. Server: --server, PACE_DESK_SERVER, PACE_SERVER, the
 * stored one, 127.0.0.1:7420.
 */
#include <locale.h>
#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>

#include "fmt.h"
#include "pc.h"
#include "report.h"
#include "session.h"
#include "ui.h"

struct desk {
	GtkApplication *app;
	DeskModel *model;
	struct desk_session *session;
	struct desk_report *report;
	GtkWidget *win;

	/* options */
	char *server, *user, *password, *tls_ca, *team, *office, *period;
	char *report_path, *screenshot;
	gboolean tls, org, me, wall, no_save, password_stdin, version;
	int series_refresh;
};

static const char *
locale_dir(void)
{
	static char dir[4096];
	const char *env = getenv("PACE_LOCALEDIR");
	char exe[4000];
	ssize_t n;

	if (env && *env)
		return env;
	/* Running from the build tree: <build>/client/desk/pace-desk. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *s;

		exe[n] = '\0';
		if ((s = strstr(exe, "/client/desk/pace-desk")) != NULL) {
			*s = '\0';
			snprintf(dir, sizeof(dir), "%s/locale", exe);
			if (g_file_test(dir, G_FILE_TEST_IS_DIR))
				return dir;
		}
	}
	return PACE_LOCALEDIR;
}

static void
setup_locale(void)
{
	if (setlocale(LC_ALL, "") == NULL)
		setlocale(LC_ALL, "C.UTF-8");
	if (strcmp(nl_langinfo(CODESET), "UTF-8") != 0)
		setlocale(LC_CTYPE, "C.UTF-8");
	bindtextdomain("pace", locale_dir());
	bind_textdomain_codeset("pace", "UTF-8");
	textdomain("pace");
}

/* --- notifications ------------------------------------------------------------- */

static void
alert_raised_cb(DeskModel *m, gpointer alert, gpointer data)
{
	struct desk *d = data;
	const struct desk_alert *a = alert;
	GNotification *n = g_notification_new(a->title);
	char id[32];
	char *body = *a->detail ? g_strdup_printf("%s\n%s", a->kind_text, a->detail) :
				  g_strdup(a->kind_text);

	g_notification_set_body(n, body);
	g_free(body);
	if (a->kind == PACE__V1__ALERT_KIND__ALERT_STATUS &&
		a->to == PACE__V1__STATUS__RED)
		g_notification_set_priority(n, G_NOTIFICATION_PRIORITY_HIGH);
	g_notification_add_button_with_target(n, _("Acknowledge"),
		"app.ack-alert", "t", (guint64)a->id);
	g_notification_set_default_action(n, "app.show");
	snprintf(id, sizeof(id), "alert-%llu", (unsigned long long)a->id);
	g_application_send_notification(G_APPLICATION(d->app), id, n);
	g_object_unref(n);
	if (d->report)
		desk_report_notified(d->report, a->id);
}

static void
ack_alert_cb(GSimpleAction *a, GVariant *p, gpointer data)
{
	struct desk *d = data;

	model_ack(d->model, g_variant_get_uint64(p));
}

static void
show_cb(GSimpleAction *a, GVariant *p, gpointer data)
{
	struct desk *d = data;

	if (d->win)
		gtk_window_present(GTK_WINDOW(d->win));
}

static void
quit_cb(GSimpleAction *a, GVariant *p, gpointer data)
{
	struct desk *d = data;

	g_application_quit(G_APPLICATION(d->app));
}

static gboolean
signal_cb(gpointer data)
{
	struct desk *d = data;

	g_application_quit(G_APPLICATION(d->app));
	return G_SOURCE_CONTINUE;
}

/* --- the application --------------------------------------------------------------- */

static void
activate_cb(GtkApplication *app, gpointer data)
{
	struct desk *d = data;
	struct desk_session_opts so = {0};
	struct ui_window_opts wo = {0};
	struct pc_store st;

	if (d->win) {
		gtk_window_present(GTK_WINDOW(d->win));
		return;
	}
	if (d->team)
		model_choose_view(d->model, PACE__V1__SCOPE_KIND__SCOPE_TEAM, d->team,
			d->period);
	else if (d->office)
		model_choose_view(d->model, PACE__V1__SCOPE_KIND__SCOPE_OFFICE,
			d->office, d->period);
	else if (d->org)
		model_choose_view(d->model, PACE__V1__SCOPE_KIND__SCOPE_ORG, "",
			d->period);
	else if (d->me)
		model_choose_view(d->model, PACE__V1__SCOPE_KIND__SCOPE_USER, "",
			d->period);
	else if (d->period && *d->period) {
		/* A period alone: the role's own scope, chosen at sign-in. */
		model_choose_view(d->model, PACE__V1__SCOPE_KIND__SCOPE_UNSPECIFIED,
			"", d->period);
	}
	so.server = d->server;
	so.tls = d->tls;
	so.tls_ca = d->tls_ca;
	so.login = d->user;
	so.password = d->password;
	so.no_save = d->no_save;
	so.series_refresh_s = d->series_refresh;
	d->session = desk_session_new(d->model, &so);
	if (pc_store_load(&st) != 0)
		memset(&st, 0, sizeof(st));
	wo.wall = d->wall;
	wo.server = desk_session_server(d->session);
	wo.login = d->user ? d->user : st.login;
	d->win = ui_window_new(app, d->model, &wo);
	pc_store_free(&st);
	if (d->password) {
		memset(d->password, 0, strlen(d->password));
		g_clear_pointer(&d->password, g_free);
	}
	if (d->report_path || d->screenshot)
		d->report = desk_report_new(d->report_path, d->screenshot, d->win,
			d->model, d->session);
	gtk_window_present(GTK_WINDOW(d->win));
	desk_session_start(d->session);
}

static void
shutdown_cb(GApplication *app, gpointer data)
{
	struct desk *d = data;

	if (d->report) {
		desk_report_write(d->report);
		desk_report_free(d->report);
		d->report = NULL;
	}
	if (d->win) {
		gtk_window_destroy(GTK_WINDOW(d->win));
		d->win = NULL;
	}
	desk_session_free(d->session);
	d->session = NULL;
}

static char *
read_password_stdin(void)
{
	char buf[1100];

	if (fgets(buf, sizeof(buf), stdin) == NULL)
		return NULL;
	buf[strcspn(buf, "\r\n")] = '\0';
	return g_strdup(buf);
}

static const char *
env(const char *a, const char *b)
{
	const char *v = getenv(a);

	if ((v == NULL || *v == '\0') && b)
		v = getenv(b);
	return v && *v ? v : NULL;
}

int
main(int argc, char **argv)
{
	struct desk d = {0};
	GOptionEntry entries[] = {
		{"server", 's', 0, G_OPTION_ARG_STRING, &d.server,
			N_("server as HOST:PORT (default: $PACE_DESK_SERVER, $PACE_SERVER, saved, 127.0.0.1:7420)"),
			"HOST:PORT"},
		{"user", 'u', 0, G_OPTION_ARG_STRING, &d.user,
			N_("sign in as this login ($PACE_DESK_USER)"), "LOGIN"},
		{"password-stdin", 0, 0, G_OPTION_ARG_NONE, &d.password_stdin,
			N_("read the password from standard input ($PACE_DESK_PASSWORD)"),
			NULL},
		{"tls", 0, 0, G_OPTION_ARG_NONE, &d.tls,
			N_("use TLS, trusting the system's CAs"), NULL},
		{"tls-ca", 0, 0, G_OPTION_ARG_FILENAME, &d.tls_ca,
			N_("use TLS, trusting this CA certificate file ($PACE_TLS_CA)"),
			"FILE"},
		{"me", 0, 0, G_OPTION_ARG_NONE, &d.me, N_("show my own numbers"), NULL},
		{"team", 0, 0, G_OPTION_ARG_STRING, &d.team, N_("show a team"), "TEAM"},
		{"office", 0, 0, G_OPTION_ARG_STRING, &d.office, N_("show an office"),
			"OFFICE"},
		{"org", 0, 0, G_OPTION_ARG_NONE, &d.org,
			N_("show the whole organisation"), NULL},
		{"period", 'p', 0, G_OPTION_ARG_STRING, &d.period,
			N_("a period: 2026, 2026Q4, 2026-11, 2026-W48, 2026-11-27 (default: this month)"),
			"PERIOD"},
		{"wall", 'w', 0, G_OPTION_ARG_NONE, &d.wall,
			N_("wall mode: full screen, large type, the board (F11 toggles)"),
			NULL},
		{"no-save", 0, 0, G_OPTION_ARG_NONE, &d.no_save,
			N_("do not remember the server and session"), NULL},
		{"test-report", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME,
			&d.report_path, "write what the widgets show as JSON on every change",
			"FILE"},
		{"screenshot", 0, 0, G_OPTION_ARG_FILENAME, &d.screenshot,
			N_("save the dashboard as a PNG once it shows its numbers"), "FILE"},
		{"series-refresh", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT,
			&d.series_refresh, "seconds between chart refreshes (10)", "S"},
		{"version", 0, 0, G_OPTION_ARG_NONE, &d.version,
			N_("print the version"), NULL},
		{NULL, 0, 0, 0, NULL, NULL, NULL},
	};
	GOptionContext *ctx;
	GError *err = NULL;
	GActionEntry app_actions[] = {
		{"ack-alert", ack_alert_cb, "t", NULL, NULL, {0}},
		{"show", show_cb, NULL, NULL, NULL, {0}},
		{"quit", quit_cb, NULL, NULL, NULL, {0}},
	};
	static const char *const quit_keys[] = {"<Control>q", NULL};
	static const char *const wall_keys[] = {"F11", NULL};
	static const char *const leave_keys[] = {"Escape", NULL};
	static const char *const reconnect_keys[] = {"<Control>r", NULL};
	static const char *const ack_keys[] = {"<Control>k", NULL};
	char *args1[2] = {argv[0], NULL};
	int rc, nopt;

	setup_locale();
	for (GOptionEntry *e = entries; e->long_name; e++)
		if (e->description && !(e->flags & G_OPTION_FLAG_HIDDEN))
			e->description = _(e->description);
	ctx = g_option_context_new(NULL);
	g_option_context_set_summary(ctx,
		_("The Pace desktop dashboard: live progress, chart, leaderboard, funnel and alerts."));
	g_option_context_set_description(ctx,
		_("Keys: F11 wall mode, Escape leaves it, Ctrl+R reconnect now, Ctrl+K acknowledge the newest alert, Alt+W what to watch, Alt+P period, Ctrl+Q quit.\nThe server and session are stored with pace's, in $XDG_CONFIG_HOME/pace/config."));
	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
		fprintf(stderr, "pace-desk: %s\n", err->message);
		g_error_free(err);
		g_option_context_free(ctx);
		return 2;
	}
	g_option_context_free(ctx);
	if (d.version) {
		printf("pace-desk %s\n", PACE_VERSION);
		return 0;
	}
	nopt = (d.team != NULL) + (d.office != NULL) + d.org + d.me;
	if (nopt > 1) {
		fprintf(stderr, "%s\n", _("pace-desk: choose one of --me, --team, --office, --org"));
		return 2;
	}
	if (d.period && !desk_period_valid(d.period)) {
		fprintf(stderr, _("pace-desk: not a period: %s\n"), d.period);
		return 2;
	}
	if (d.server == NULL)
		d.server = g_strdup(env("PACE_DESK_SERVER", "PACE_SERVER"));
	if (d.user == NULL)
		d.user = g_strdup(env("PACE_DESK_USER", NULL));
	if (d.tls_ca == NULL)
		d.tls_ca = g_strdup(env("PACE_TLS_CA", NULL));
	if (d.password_stdin)
		d.password = read_password_stdin();
	else if (env("PACE_DESK_PASSWORD", NULL))
		d.password = g_strdup(env("PACE_DESK_PASSWORD", NULL));
	if (d.password && d.user == NULL) {
		fprintf(stderr, "%s\n", _("pace-desk: a password needs --user"));
		return 2;
	}
	if (d.series_refresh < 0)
		d.series_refresh = 0;

	d.model = desk_model_new();
	d.app = gtk_application_new("org.pace.Desk", G_APPLICATION_NON_UNIQUE);
	g_action_map_add_action_entries(G_ACTION_MAP(d.app), app_actions,
		G_N_ELEMENTS(app_actions), &d);
	gtk_application_set_accels_for_action(d.app, "app.quit", quit_keys);
	gtk_application_set_accels_for_action(d.app, "win.wall", wall_keys);
	gtk_application_set_accels_for_action(d.app, "win.leave-wall", leave_keys);
	gtk_application_set_accels_for_action(d.app, "win.reconnect",
		reconnect_keys);
	gtk_application_set_accels_for_action(d.app, "win.ack-newest", ack_keys);
	g_signal_connect(d.app, "activate", G_CALLBACK(activate_cb), &d);
	g_signal_connect(d.app, "shutdown", G_CALLBACK(shutdown_cb), &d);
	g_signal_connect(d.model, "alert-raised", G_CALLBACK(alert_raised_cb), &d);
	g_unix_signal_add(SIGTERM, signal_cb, &d);
	g_unix_signal_add(SIGINT, signal_cb, &d);
	rc = g_application_run(G_APPLICATION(d.app), 1, args1);
	g_object_unref(d.app);
	g_object_unref(d.model);
	g_free(d.server);
	g_free(d.user);
	g_free(d.tls_ca);
	g_free(d.team);
	g_free(d.office);
	g_free(d.period);
	g_free(d.report_path);
	g_free(d.screenshot);
	return rc;
}
