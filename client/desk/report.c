/* The test report and the screenshot (see report.h). */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "report.h"
#include "ui.h"

struct desk_report {
	char *path;            /* owned, NULL: no report */
	char *shot;            /* owned, NULL: no screenshot */
	int shot_state;        /* 0 waiting, 1 scheduled, 2 written, -1 failed */
	GtkWidget *win;        /* borrowed */
	DeskModel *m;          /* borrowed */
	struct desk_session *s;
	guint idle;
	unsigned long writes;
	GArray *notified;      /* uint64_t */
	gulong changed_id;
	gulong paint_id;
	GdkFrameClock *clock;  /* ref while waiting for a paint */
};

int
desk_screenshot(GtkWidget *w, const char *path)
{
	int width = gtk_widget_get_width(w), height = gtk_widget_get_height(w);
	GdkPaintable *p;
	GtkSnapshot *snap;
	GskRenderNode *node;
	GskRenderer *renderer;
	GdkTexture *tex;
	int rc = -1;

	if (width <= 0 || height <= 0 || gtk_widget_get_native(w) == NULL)
		return -1;
	p = gtk_widget_paintable_new(w);
	snap = gtk_snapshot_new();
	gdk_paintable_snapshot(p, GDK_SNAPSHOT(snap), width, height);
	node = gtk_snapshot_free_to_node(snap);
	g_object_unref(p);
	if (node == NULL)
		return -1;
	renderer = gtk_native_get_renderer(gtk_widget_get_native(w));
	tex = gsk_renderer_render_texture(renderer, node,
		&GRAPHENE_RECT_INIT(0, 0, width, height));
	gsk_render_node_unref(node);
	if (tex) {
		rc = gdk_texture_save_to_png(tex, path) ? 0 : -1;
		g_object_unref(tex);
	}
	return rc;
}

static long
rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long v = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

void
desk_report_write(struct desk_report *r)
{
	cJSON *j, *o, *a;
	char *text, *tmp;
	const Pace__V1__Identity *me = model_identity(r->m);
	struct desk_session_stats st;
	struct rusage ru;
	FILE *f;

	if (r->path == NULL)
		return;
	j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "writes", (double)++r->writes);
	cJSON_AddNumberToObject(j, "pid", (double)getpid());
	cJSON_AddStringToObject(j, "link", model_link_key(r->m));
	{
		GApplication *app = g_application_get_default();
		GDBusConnection *bus = app ? g_application_get_dbus_connection(app) :
					     NULL;
		cJSON_AddStringToObject(j, "bus_name",
			bus ? g_dbus_connection_get_unique_name(bus) : "");
	}
	cJSON_AddStringToObject(j, "link_message", model_link_message(r->m));
	if (me) {
		o = cJSON_AddObjectToObject(j, "identity");
		cJSON_AddStringToObject(o, "login", me->login ? me->login : "");
		cJSON_AddStringToObject(o, "name", me->name ? me->name : "");
		cJSON_AddNumberToObject(o, "role", me->role);
	} else {
		cJSON_AddNullToObject(j, "identity");
	}
	desk_session_stats(r->s, &st);
	o = cJSON_AddObjectToObject(j, "session");
	cJSON_AddNumberToObject(o, "pushes", (double)st.pushes);
	cJSON_AddNumberToObject(o, "snapshots", (double)st.snapshots);
	cJSON_AddNumberToObject(o, "alerts", (double)st.alerts);
	cJSON_AddNumberToObject(o, "boards", (double)st.boards);
	cJSON_AddNumberToObject(o, "series", (double)st.series);
	cJSON_AddNumberToObject(o, "connects", (double)st.connects);
	cJSON_AddNumberToObject(o, "seq", (double)st.seq);
	cJSON_AddStringToObject(o, "server", desk_session_server(r->s));
	a = cJSON_AddArrayToObject(j, "notifications");
	for (guint i = 0; i < r->notified->len; i++)
		cJSON_AddItemToArray(a, cJSON_CreateNumber(
			(double)g_array_index(r->notified, uint64_t, i)));
	cJSON_AddStringToObject(j, "screenshot",
		r->shot_state == 2 ? r->shot : "");
	o = cJSON_AddObjectToObject(j, "process");
	cJSON_AddNumberToObject(o, "rss_kib", (double)rss_kib());
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		cJSON_AddNumberToObject(o, "cpu_s",
			(double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
				(double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
	if (r->win) {
		o = cJSON_AddObjectToObject(j, "window");
		ui_window_report(r->win, o);
	}
	text = cJSON_Print(j);
	cJSON_Delete(j);
	tmp = g_strdup_printf("%s.tmp", r->path);
	f = fopen(tmp, "w");
	if (f) {
		fputs(text, f);
		fputc('\n', f);
		if (fclose(f) == 0)
			rename(tmp, r->path);
	}
	g_free(tmp);
	free(text);
}

/* Painted: the window shows what the model has; save it. */
static void
after_paint_cb(GdkFrameClock *clock, gpointer data)
{
	struct desk_report *r = data;

	g_signal_handler_disconnect(r->clock, r->paint_id);
	r->paint_id = 0;
	g_clear_object(&r->clock);
	r->shot_state = desk_screenshot(r->win, r->shot) == 0 ? 2 : -1;
	if (r->shot_state < 0)
		g_warning("could not save the screenshot to %s", r->shot);
	desk_report_write(r);
}

static int
dashboard_ready(struct desk_report *r)
{
	int nb;

	model_board(r->m, &nb);
	return model_page(r->m) == DESK_PAGE_DASHBOARD &&
		model_link(r->m) == DESK_LINK_ONLINE &&
		model_progress(r->m)->have && model_chart(r->m)->n >= 2 && nb > 0;
}

static void
maybe_screenshot(struct desk_report *r)
{
	GdkFrameClock *clock;

	if (r->shot == NULL || r->shot_state != 0 || !dashboard_ready(r))
		return;
	clock = gtk_widget_get_frame_clock(r->win);
	if (clock == NULL)
		return;
	r->shot_state = 1;
	r->clock = g_object_ref(clock);
	r->paint_id = g_signal_connect(clock, "after-paint",
		G_CALLBACK(after_paint_cb), r);
	gtk_widget_queue_draw(r->win);
}

static gboolean
idle_cb(gpointer data)
{
	struct desk_report *r = data;

	r->idle = 0;
	desk_report_write(r);
	maybe_screenshot(r);
	return G_SOURCE_REMOVE;
}

static void
changed_cb(DeskModel *m, guint what, gpointer data)
{
	struct desk_report *r = data;

	/* After the views have updated (they run in this emission). */
	if (r->idle == 0)
		r->idle = g_idle_add_full(G_PRIORITY_LOW, idle_cb, r, NULL);
}

struct desk_report *
desk_report_new(const char *path, const char *screenshot, GtkWidget *win,
	DeskModel *m, struct desk_session *s)
{
	struct desk_report *r = g_new0(struct desk_report, 1);

	r->path = g_strdup(path);
	r->shot = g_strdup(screenshot);
	r->win = win;
	r->m = m;
	r->s = s;
	r->notified = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	r->changed_id = g_signal_connect_after(m, "changed",
		G_CALLBACK(changed_cb), r);
	changed_cb(m, 0, r);
	return r;
}

void
desk_report_notified(struct desk_report *r, uint64_t id)
{
	g_array_append_val(r->notified, id);
	changed_cb(r->m, 0, r);
}

void
desk_report_free(struct desk_report *r)
{
	if (r == NULL)
		return;
	g_signal_handler_disconnect(r->m, r->changed_id);
	if (r->idle)
		g_source_remove(r->idle);
	if (r->paint_id)
		g_signal_handler_disconnect(r->clock, r->paint_id);
	g_clear_object(&r->clock);
	g_array_free(r->notified, TRUE);
	g_free(r->path);
	g_free(r->shot);
	g_free(r);
}
