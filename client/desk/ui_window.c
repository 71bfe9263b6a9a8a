/*
 * The main window: a toolbar (what to watch, which period, the link, the
 * menu), then either the sign-in page or the dashboard: cards laid out in
 * as many columns as the width allows, fonts scaled with the window, so
 * the same window serves a laptop and a wall display. Wall mode (F11, or
 * --wall) goes full screen and keeps the progress, the chart and the
 * leaderboard in large type.
 *
 * Keys: F11 wall mode, Escape leaves it, Ctrl+R reconnect now, Ctrl+K
 * acknowledge the newest open alert, Alt+W what to watch, Alt+P period,
 * Ctrl+Q quit; Tab moves between controls.
 */
#include <string.h>

#include "fmt.h"
#include "ui.h"

void ui_signin_focus(GtkWidget *w);

struct watch_entry {
	Pace__V1__ScopeKind kind;
	char *name;
};

struct window_view {
	DeskModel *m;
	GtkWidget *win;
	GtkWidget *toolbar;
	GtkWidget *stack;
	GtkWidget *signin;
	GtkWidget *dash, *scroll;
	GtkWidget *progress, *chart, *board, *funnel, *money, *alerts;
	GtkWidget *banner;
	GtkWidget *link, *updated;
	GtkWidget *watch_dd, *period_dd, *period_entry;
	GtkStringList *watch_list, *period_list;
	GArray *watch;          /* struct watch_entry */
	char *presets[DESK_PERIOD_NPRESETS];
	int updating;           /* setting dropdowns from the model */
	int wall;
	const char *size_class;
	guint size_idle;
};

static const char *css =
	"window.size-s { font-size: 10pt; }\n"
	"window.size-m { font-size: 11pt; }\n"
	"window.size-l { font-size: 12pt; }\n"
	"window.size-xl { font-size: 16pt; }\n"
	"window.wall { font-size: 15pt; }\n"
	"window.wall.size-xl { font-size: 22pt; }\n"
	".dashboard { padding: 12px; }\n"
	".toolbar { padding: 6px 12px; border-bottom: 1px solid alpha(currentColor, 0.15); }\n"
	".card { background-color: alpha(currentColor, 0.035); border: 1px solid alpha(currentColor, 0.13);"
	" border-radius: 10px; padding: 14px; }\n"
	".card-title { font-weight: bold; opacity: 0.75; }\n"
	".scope-title { font-size: 130%; font-weight: bold; }\n"
	".kpi-big { font-size: 300%; font-weight: 800; }\n"
	".figure { font-size: 125%; font-weight: bold; }\n"
	".figure-small { font-weight: bold; }\n"
	".caption { opacity: 0.7; font-size: 90%; }\n"
	".status-text.status-green { color: #1e8e3e; }\n"
	".status-text.status-yellow { color: #b06f00; }\n"
	".status-text.status-red { color: #c5221f; }\n"
	".status-pill { padding: 2px 12px; border-radius: 999px; color: white; font-weight: bold; }\n"
	".status-pill.status-green { background-color: #1e8e3e; }\n"
	".status-pill.status-yellow { background-color: #d98e00; }\n"
	".status-pill.status-red { background-color: #c5221f; }\n"
	".status-pill.status-none { background-color: #80868b; }\n"
	"progressbar.status-green > trough > progress { background-color: #34a853; border-color: #34a853; }\n"
	"progressbar.status-yellow > trough > progress { background-color: #f9ab00; border-color: #f9ab00; }\n"
	"progressbar.status-red > trough > progress { background-color: #ea4335; border-color: #ea4335; }\n"
	"progressbar.status-none > trough > progress { background-color: #8ab4f8; border-color: #8ab4f8; }\n"
	"progressbar.target-bar > trough, progressbar.target-bar > trough > progress { min-height: 20px; }\n"
	"progressbar.funnel-bar > trough > progress { background-color: #4285f4; }\n"
	"progressbar.funnel-lost > trough > progress { background-color: #ea4335; }\n"
	".board-rank { font-weight: bold; min-width: 3em; }\n"
	".board-rank.gold { color: #c99700; }\n"
	".board-rank.silver { color: #7d8085; }\n"
	".board-rank.bronze { color: #a0522d; }\n"
	".me { font-weight: 800; text-decoration: underline; }\n"
	".alert-dot { color: #80868b; }\n"
	".alert-dot.status-green { color: #1e8e3e; }\n"
	".alert-dot.status-yellow { color: #d98e00; }\n"
	".alert-dot.status-red { color: #c5221f; }\n"
	".alert-title { font-weight: bold; }\n"
	".acked { opacity: 0.55; }\n"
	".alerts { background: none; }\n"
	".banner-offline { background-color: #c5221f; color: white; padding: 6px 12px; font-weight: bold; }\n"
	".link-online { color: #1e8e3e; }\n"
	".link-offline { color: #c5221f; font-weight: bold; }\n"
	".error { color: #c5221f; }\n"
	".wall .kpi-big { font-size: 400%; }\n"
	".wall .figure { font-size: 160%; }\n"
	".wall .board-rank, .wall .board-name, .wall .board-att,"
	" .wall .board .status-text { font-size: 150%; }\n"
	".wall .board progressbar > trough, .wall .board progressbar > trough > progress"
	" { min-height: 14px; }\n";

/* --- what to watch ---------------------------------------------------------------- */

static void
watch_add(struct window_view *v, Pace__V1__ScopeKind kind, const char *name,
	const char *label)
{
	struct watch_entry e = {kind, g_strdup(name)};

	g_array_append_val(v->watch, e);
	gtk_string_list_append(v->watch_list, label);
}

static void
watch_clear(struct window_view *v)
{
	for (guint i = 0; i < v->watch->len; i++)
		g_free(g_array_index(v->watch, struct watch_entry, i).name);
	g_array_set_size(v->watch, 0);
	gtk_string_list_splice(v->watch_list, 0,
		g_list_model_get_n_items(G_LIST_MODEL(v->watch_list)), NULL);
}

static void
rebuild_watch(struct window_view *v)
{
	const Pace__V1__Identity *me = model_identity(v->m);
	Pace__V1__ScopeKind kind;
	const char *name, *period;
	guint sel = GTK_INVALID_LIST_POSITION;
	int n;
	const struct desk_choice *ch = model_choices(v->m, &n);
	char *label;

	v->updating++;
	watch_clear(v);
	model_view(v->m, &kind, &name, &period);
	label = g_strdup_printf(_("Me (%s)"), me && me->name ? me->name : "");
	watch_add(v, PACE__V1__SCOPE_KIND__SCOPE_USER, "", me ? label : _("Me"));
	g_free(label);
	if (model_can_choose_any(v->m)) {
		for (int i = 0; i < n; i++) {
			label = g_strdup_printf(ch[i].kind ==
						PACE__V1__SCOPE_KIND__SCOPE_TEAM ?
					_("Team %s") :
					_("Office %s"),
				ch[i].name);
			watch_add(v, ch[i].kind, ch[i].name, label);
			g_free(label);
		}
		watch_add(v, PACE__V1__SCOPE_KIND__SCOPE_ORG, "",
			_("The whole organisation"));
	} else if (model_can_choose_team(v->m)) {
		label = g_strdup_printf(_("My team (%s)"),
			me && me->team ? me->team : "");
		watch_add(v, PACE__V1__SCOPE_KIND__SCOPE_TEAM, "", label);
		g_free(label);
	}
	/* A view given on the command line that is not in the list. */
	for (guint i = 0; i < v->watch->len; i++) {
		struct watch_entry *e = &g_array_index(v->watch, struct watch_entry, i);
		if (e->kind == kind && strcmp(e->name, name) == 0)
			sel = i;
	}
	if (sel == GTK_INVALID_LIST_POSITION && kind != 0) {
		label = g_strdup_printf("%s", *name ? name : _("Mine"));
		watch_add(v, kind, name, label);
		g_free(label);
		sel = v->watch->len - 1;
	}
	gtk_drop_down_set_selected(GTK_DROP_DOWN(v->watch_dd), sel);
	gtk_widget_set_sensitive(v->watch_dd, v->watch->len > 1);
	v->updating--;
}

static void
sync_period(struct window_view *v)
{
	Pace__V1__ScopeKind kind;
	const char *name, *period;
	guint sel = GTK_INVALID_LIST_POSITION;

	v->updating++;
	model_view(v->m, &kind, &name, &period);
	for (int i = 0; i < DESK_PERIOD_NPRESETS; i++)
		if (strcmp(v->presets[i], period) == 0)
			sel = (guint)i;
	gtk_drop_down_set_selected(GTK_DROP_DOWN(v->period_dd), sel);
	gtk_editable_set_text(GTK_EDITABLE(v->period_entry),
		sel == GTK_INVALID_LIST_POSITION ? period : "");
	v->updating--;
}

static void
choose(struct window_view *v, Pace__V1__ScopeKind kind, const char *name,
	const char *period)
{
	model_choose_view(v->m, kind, name, period);
}

static void
watch_selected_cb(GObject *dd, GParamSpec *ps, gpointer data)
{
	struct window_view *v = data;
	guint i = gtk_drop_down_get_selected(GTK_DROP_DOWN(dd));
	Pace__V1__ScopeKind kind;
	const char *name, *period;

	if (v->updating || i >= v->watch->len)
		return;
	model_view(v->m, &kind, &name, &period);
	struct watch_entry *e = &g_array_index(v->watch, struct watch_entry, i);
	char *p = g_strdup(period);
	choose(v, e->kind, e->name, p);
	g_free(p);
}

static void
period_selected_cb(GObject *dd, GParamSpec *ps, gpointer data)
{
	struct window_view *v = data;
	guint i = gtk_drop_down_get_selected(GTK_DROP_DOWN(dd));
	Pace__V1__ScopeKind kind;
	const char *name, *period;

	if (v->updating || i >= DESK_PERIOD_NPRESETS)
		return;
	model_view(v->m, &kind, &name, &period);
	char *n = g_strdup(name);
	choose(v, kind, n, v->presets[i]);
	g_free(n);
}

static void
period_entry_cb(GtkEntry *e, gpointer data)
{
	struct window_view *v = data;
	char *text = g_ascii_strup(gtk_editable_get_text(GTK_EDITABLE(e)), -1);
	Pace__V1__ScopeKind kind;
	const char *name, *period;

	g_strstrip(text);
	if (!desk_period_valid(text)) {
		gtk_widget_add_css_class(GTK_WIDGET(e), "error");
		g_free(text);
		return;
	}
	gtk_widget_remove_css_class(GTK_WIDGET(e), "error");
	model_view(v->m, &kind, &name, &period);
	char *n = g_strdup(name);
	choose(v, kind, n, text);
	g_free(n);
	g_free(text);
}

/* --- size and wall mode -------------------------------------------------------------- */

static gboolean
size_idle_cb(gpointer data)
{
	struct window_view *v = data;
	int w = gtk_widget_get_width(v->win);
	const char *cls = w < 900 ? "size-s" : w < 1500 ? "size-m" :
		w < 2400 ? "size-l" : "size-xl";

	v->size_idle = 0;
	/* On a wall the chart takes what the progress card leaves. */
	ui_chart_set_height(v->chart, v->wall ?
			MAX(220, gtk_widget_get_height(v->win) * 11 / 20 - 120) :
			220);
	if (cls != v->size_class) {
		if (v->size_class)
			gtk_widget_remove_css_class(v->win, v->size_class);
		gtk_widget_add_css_class(v->win, cls);
		v->size_class = cls;
	}
	return G_SOURCE_REMOVE;
}

static void
columns_cb(GObject *layout, GParamSpec *ps, gpointer data)
{
	struct window_view *v = data;

	/* Not while allocating: after it. */
	if (v->size_idle == 0)
		v->size_idle = g_idle_add(size_idle_cb, v);
}

static void
width_cb(GObject *win, GParamSpec *ps, gpointer data)
{
	columns_cb(NULL, NULL, data);
}

void
ui_window_set_wall(GtkWidget *win, int wall)
{
	struct window_view *v = g_object_get_data(G_OBJECT(win), "ui");
	GtkLayoutManager *lm = gtk_widget_get_layout_manager(v->dash);
	GAction *a = g_action_map_lookup_action(G_ACTION_MAP(win), "wall");

	v->wall = wall;
	gtk_widget_set_visible(v->toolbar,
		!wall && model_page(v->m) == DESK_PAGE_DASHBOARD);
	gtk_widget_set_visible(v->funnel, !wall);
	gtk_widget_set_visible(v->money, !wall);
	gtk_widget_set_visible(v->alerts, !wall);
	desk_columns_layout_set_max_columns(DESK_COLUMNS_LAYOUT(lm), wall ? 2 : 3);
	if (wall) {
		GdkDisplay *d = gtk_widget_get_display(win);
		GListModel *mons = gdk_display_get_monitors(d);
		GdkMonitor *mon = g_list_model_get_item(mons, 0);

		gtk_widget_add_css_class(win, "wall");
		/* Without a window manager fullscreen is only a wish: also
		 * take the monitor's size. */
		if (mon) {
			GdkRectangle r;
			gdk_monitor_get_geometry(mon, &r);
			gtk_window_set_default_size(GTK_WINDOW(win), r.width, r.height);
			g_object_unref(mon);
		}
		gtk_window_fullscreen(GTK_WINDOW(win));
	} else {
		gtk_widget_remove_css_class(win, "wall");
		gtk_window_unfullscreen(GTK_WINDOW(win));
	}
	if (a)
		g_simple_action_set_state(G_SIMPLE_ACTION(a),
			g_variant_new_boolean(wall));
	columns_cb(NULL, NULL, v);
}

int
ui_window_is_wall(GtkWidget *win)
{
	struct window_view *v = g_object_get_data(G_OBJECT(win), "ui");

	return v->wall;
}

static void
wall_action_cb(GSimpleAction *a, GVariant *p, gpointer win)
{
	ui_window_set_wall(win, !ui_window_is_wall(win));
}

static void
leave_wall_cb(GSimpleAction *a, GVariant *p, gpointer win)
{
	if (ui_window_is_wall(win))
		ui_window_set_wall(win, 0);
}

static void
reconnect_cb(GSimpleAction *a, GVariant *p, gpointer win)
{
	struct window_view *v = g_object_get_data(G_OBJECT(win), "ui");

	model_reconnect(v->m);
}

static void
sign_out_cb(GSimpleAction *a, GVariant *p, gpointer win)
{
	struct window_view *v = g_object_get_data(G_OBJECT(win), "ui");

	model_sign_out(v->m);
}

static void
ack_newest_cb(GSimpleAction *a, GVariant *p, gpointer win)
{
	struct window_view *v = g_object_get_data(G_OBJECT(win), "ui");
	int n;
	const struct desk_alert *al = model_alerts(v->m, &n);

	for (int i = 0; i < n; i++) {
		if (!al[i].acknowledged && !al[i].ack_pending) {
			model_ack(v->m, al[i].id);
			return;
		}
	}
}

/* --- following the model ---------------------------------------------------------------- */

static void
update_link(struct window_view *v)
{
	enum desk_link l = model_link(v->m);
	int dash = model_page(v->m) == DESK_PAGE_DASHBOARD;
	const char *msg = model_link_message(v->m);
	int64_t last = model_last_update(v->m);

	gtk_stack_set_visible_child(GTK_STACK(v->stack),
		dash ? v->scroll : v->signin);
	gtk_widget_set_visible(v->toolbar, dash && !v->wall);
	gtk_label_set_text(GTK_LABEL(v->link), model_link_text(v->m));
	gtk_widget_set_tooltip_text(v->link, *msg ? msg : NULL);
	gtk_widget_remove_css_class(v->link, "link-online");
	gtk_widget_remove_css_class(v->link, "link-offline");
	gtk_widget_add_css_class(v->link,
		l == DESK_LINK_ONLINE ? "link-online" : "link-offline");
	gtk_widget_set_visible(v->banner, dash && l == DESK_LINK_OFFLINE);
	gtk_label_set_text(GTK_LABEL(v->banner), model_link_text(v->m));
	gtk_widget_set_tooltip_text(v->banner, *msg ? msg : NULL);
	if (last) {
		GDateTime *t = g_date_time_new_from_unix_local(last / G_USEC_PER_SEC);
		char *hm = g_date_time_format(t, "%H:%M:%S");
		char *s = g_strdup_printf(_("updated %s"), hm);
		gtk_label_set_text(GTK_LABEL(v->updated), s);
		g_free(s);
		g_free(hm);
		g_date_time_unref(t);
	}
}

static void
changed_cb(DeskModel *m, guint what, gpointer win)
{
	struct window_view *v = g_object_get_data(G_OBJECT(win), "ui");
	enum desk_page before = gtk_stack_get_visible_child(GTK_STACK(v->stack)) ==
			v->signin ? DESK_PAGE_SIGN_IN : DESK_PAGE_DASHBOARD;

	if (what & (DESK_CHANGED_LINK | DESK_CHANGED_PROGRESS |
			   DESK_CHANGED_ALERTS))
		update_link(v);
	if (what & (DESK_CHANGED_IDENTITY | DESK_CHANGED_CHOICES |
			   DESK_CHANGED_VIEW))
		rebuild_watch(v);
	if (what & DESK_CHANGED_VIEW)
		sync_period(v);
	if (before == DESK_PAGE_DASHBOARD && model_page(m) == DESK_PAGE_SIGN_IN)
		ui_signin_focus(v->signin);
}

static void
window_destroy_cb(GtkWidget *w, gpointer data)
{
	struct window_view *v = data;

	if (v->size_idle)
		g_source_remove(v->size_idle);
	v->size_idle = 0;
}

static void
view_free(gpointer data)
{
	struct window_view *v = data;

	/* The string lists went with their dropdowns. */
	for (guint i = 0; i < v->watch->len; i++)
		g_free(g_array_index(v->watch, struct watch_entry, i).name);
	g_array_free(v->watch, TRUE);
	for (int i = 0; i < DESK_PERIOD_NPRESETS; i++)
		g_free(v->presets[i]);
	g_free(v);
}

static GtkWidget *
build_toolbar(struct window_view *v)
{
	GtkWidget *bar = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 8);
	GtkWidget *l, *spacer, *menu_btn;
	GMenu *menu = g_menu_new();
	const char *labels[DESK_PERIOD_NPRESETS + 1];

	gtk_widget_add_css_class(bar, "toolbar");
	l = gtk_label_new_with_mnemonic(_("_Watch"));
	v->watch_list = gtk_string_list_new(NULL);
	v->watch_dd = gtk_drop_down_new(G_LIST_MODEL(v->watch_list), NULL);
	gtk_label_set_mnemonic_widget(GTK_LABEL(l), v->watch_dd);
	gtk_box_append(GTK_BOX(bar), l);
	gtk_box_append(GTK_BOX(bar), v->watch_dd);
	l = gtk_label_new_with_mnemonic(_("_Period"));
	for (int i = 0; i < DESK_PERIOD_NPRESETS; i++)
		labels[i] = desk_period_label(i);
	labels[DESK_PERIOD_NPRESETS] = NULL;
	v->period_list = gtk_string_list_new(labels);
	v->period_dd = gtk_drop_down_new(G_LIST_MODEL(v->period_list), NULL);
	gtk_label_set_mnemonic_widget(GTK_LABEL(l), v->period_dd);
	gtk_box_append(GTK_BOX(bar), l);
	gtk_box_append(GTK_BOX(bar), v->period_dd);
	v->period_entry = gtk_entry_new();
	gtk_entry_set_placeholder_text(GTK_ENTRY(v->period_entry),
		_("or e.g. 2026Q4"));
	gtk_editable_set_width_chars(GTK_EDITABLE(v->period_entry), 10);
	gtk_widget_set_tooltip_text(v->period_entry,
		_("A period: 2026, 2026Q4, 2026-11, 2026-W48 or 2026-11-27; Enter to show it"));
	gtk_box_append(GTK_BOX(bar), v->period_entry);
	spacer = gtk_label_new("");
	gtk_widget_set_hexpand(spacer, TRUE);
	gtk_box_append(GTK_BOX(bar), spacer);
	v->updated = ui_label("", "caption");
	gtk_label_set_wrap(GTK_LABEL(v->updated), FALSE);
	gtk_box_append(GTK_BOX(bar), v->updated);
	v->link = ui_label("", NULL);
	gtk_label_set_wrap(GTK_LABEL(v->link), FALSE);
	gtk_box_append(GTK_BOX(bar), v->link);
	g_menu_append(menu, _("Wall mode"), "win.wall");
	g_menu_append(menu, _("Reconnect now"), "win.reconnect");
	g_menu_append(menu, _("Acknowledge newest alert"), "win.ack-newest");
	g_menu_append(menu, _("Sign out"), "win.sign-out");
	g_menu_append(menu, _("Quit"), "app.quit");
	menu_btn = gtk_menu_button_new();
	gtk_menu_button_set_icon_name(GTK_MENU_BUTTON(menu_btn), "open-menu-symbolic");
	gtk_menu_button_set_menu_model(GTK_MENU_BUTTON(menu_btn), G_MENU_MODEL(menu));
	gtk_widget_set_tooltip_text(menu_btn, _("Menu"));
	g_object_unref(menu);
	gtk_box_append(GTK_BOX(bar), menu_btn);
	g_signal_connect(v->watch_dd, "notify::selected",
		G_CALLBACK(watch_selected_cb), v);
	g_signal_connect(v->period_dd, "notify::selected",
		G_CALLBACK(period_selected_cb), v);
	g_signal_connect(v->period_entry, "activate", G_CALLBACK(period_entry_cb), v);
	return bar;
}

GtkWidget *
ui_window_new(GtkApplication *app, DeskModel *m, const struct ui_window_opts *o)
{
	struct window_view *v = g_new0(struct window_view, 1);
	GtkWidget *win = gtk_application_window_new(app);
	GtkWidget *root = gtk_box_new(GTK_ORIENTATION_VERTICAL, 0);
	GtkCssProvider *prov = gtk_css_provider_new();
	GDateTime *now = g_date_time_new_now_local();
	static const GActionEntry actions[] = {
		{"wall", wall_action_cb, NULL, "false", NULL, {0}},
		{"leave-wall", leave_wall_cb, NULL, NULL, NULL, {0}},
		{"reconnect", reconnect_cb, NULL, NULL, NULL, {0}},
		{"sign-out", sign_out_cb, NULL, NULL, NULL, {0}},
		{"ack-newest", ack_newest_cb, NULL, NULL, NULL, {0}},
	};
	GtkLayoutManager *lm;

	v->m = m;
	v->win = win;
	v->watch = g_array_new(FALSE, TRUE, sizeof(struct watch_entry));
	for (int i = 0; i < DESK_PERIOD_NPRESETS; i++)
		v->presets[i] = desk_period_of(i, now);
	g_date_time_unref(now);
	g_object_set_data_full(G_OBJECT(win), "ui", v, view_free);
	gtk_window_set_title(GTK_WINDOW(win), "Pace");
	gtk_window_set_default_size(GTK_WINDOW(win), 1280, 820);
	gtk_css_provider_load_from_data(prov, css, -1);
	gtk_style_context_add_provider_for_display(gtk_widget_get_display(win),
		GTK_STYLE_PROVIDER(prov), GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
	g_object_unref(prov);
	g_action_map_add_action_entries(G_ACTION_MAP(win), actions,
		G_N_ELEMENTS(actions), win);

	v->toolbar = build_toolbar(v);
	gtk_box_append(GTK_BOX(root), v->toolbar);
	v->banner = ui_label("", "banner-offline");
	gtk_label_set_xalign(GTK_LABEL(v->banner), 0.5);
	gtk_widget_set_visible(v->banner, FALSE);
	gtk_accessible_update_property(GTK_ACCESSIBLE(v->banner),
		GTK_ACCESSIBLE_PROPERTY_LABEL, _("Connection state"), -1);
	gtk_box_append(GTK_BOX(root), v->banner);

	v->stack = gtk_stack_new();
	gtk_widget_set_vexpand(v->stack, TRUE);
	v->signin = ui_signin_new(m, o->server, o->login);
	gtk_stack_add_named(GTK_STACK(v->stack), v->signin, "signin");
	v->dash = gtk_box_new(GTK_ORIENTATION_VERTICAL, 0);
	lm = desk_columns_layout_new(440, 3, 12);
	gtk_widget_set_layout_manager(v->dash, lm);
	gtk_widget_add_css_class(v->dash, "dashboard");
	v->progress = ui_progress_new(m);
	desk_columns_set_span(v->progress, TRUE);
	v->chart = ui_chart_new(m);
	v->board = ui_board_new(m);
	v->funnel = ui_funnel_new(m);
	v->money = ui_money_new(m);
	v->alerts = ui_alerts_new(m);
	gtk_widget_set_parent(v->progress, v->dash);
	gtk_widget_set_parent(v->chart, v->dash);
	gtk_widget_set_parent(v->board, v->dash);
	gtk_widget_set_parent(v->alerts, v->dash);
	gtk_widget_set_parent(v->funnel, v->dash);
	gtk_widget_set_parent(v->money, v->dash);
	v->scroll = gtk_scrolled_window_new();
	gtk_scrolled_window_set_policy(GTK_SCROLLED_WINDOW(v->scroll),
		GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
	gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(v->scroll), v->dash);
	gtk_stack_add_named(GTK_STACK(v->stack), v->scroll, "dashboard");
	gtk_box_append(GTK_BOX(root), v->stack);
	gtk_window_set_child(GTK_WINDOW(win), root);

	g_signal_connect(lm, "notify::columns", G_CALLBACK(columns_cb), v);
	g_signal_connect(win, "notify::default-width", G_CALLBACK(width_cb), v);
	g_signal_connect(win, "notify::fullscreened", G_CALLBACK(width_cb), v);
	g_signal_connect(win, "destroy", G_CALLBACK(window_destroy_cb), v);
	g_signal_connect_object(m, "changed", G_CALLBACK(changed_cb), win, 0);
	rebuild_watch(v);
	sync_period(v);
	update_link(v);
	if (o->wall)
		ui_window_set_wall(win, 1);
	return win;
}

void
ui_window_report(GtkWidget *win, cJSON *o)
{
	struct window_view *v = g_object_get_data(G_OBJECT(win), "ui");
	GtkLayoutManager *lm = gtk_widget_get_layout_manager(v->dash);
	guint sel = gtk_drop_down_get_selected(GTK_DROP_DOWN(v->watch_dd));
	guint psel = gtk_drop_down_get_selected(GTK_DROP_DOWN(v->period_dd));
	cJSON *c;

	cJSON_AddStringToObject(o, "page",
		gtk_stack_get_visible_child(GTK_STACK(v->stack)) == v->signin ?
			"signin" :
			"dashboard");
	cJSON_AddStringToObject(o, "link_text", gtk_label_get_text(GTK_LABEL(v->link)));
	cJSON_AddBoolToObject(o, "banner_visible", gtk_widget_get_visible(v->banner));
	cJSON_AddStringToObject(o, "banner", gtk_label_get_text(GTK_LABEL(v->banner)));
	cJSON_AddBoolToObject(o, "wall", v->wall);
	cJSON_AddBoolToObject(o, "fullscreen",
		gtk_window_is_fullscreen(GTK_WINDOW(win)));
	cJSON_AddBoolToObject(o, "toolbar_visible", gtk_widget_get_visible(v->toolbar));
	cJSON_AddNumberToObject(o, "width", gtk_widget_get_width(win));
	cJSON_AddNumberToObject(o, "height", gtk_widget_get_height(win));
	cJSON_AddNumberToObject(o, "columns",
		desk_columns_layout_get_columns(DESK_COLUMNS_LAYOUT(lm)));
	cJSON_AddStringToObject(o, "size_class", v->size_class ? v->size_class : "");
	cJSON_AddStringToObject(o, "watching",
		sel < v->watch->len ? gtk_string_list_get_string(v->watch_list, sel) : "");
	cJSON_AddStringToObject(o, "period_choice",
		psel < DESK_PERIOD_NPRESETS ?
			gtk_string_list_get_string(v->period_list, psel) :
			gtk_editable_get_text(GTK_EDITABLE(v->period_entry)));
	c = cJSON_AddObjectToObject(o, "signin");
	ui_signin_report(v->signin, c);
	c = cJSON_AddObjectToObject(o, "progress");
	ui_progress_report(v->progress, c);
	c = cJSON_AddObjectToObject(o, "chart");
	ui_chart_report(v->chart, c);
	c = cJSON_AddObjectToObject(o, "board");
	ui_board_report(v->board, c);
	cJSON_AddBoolToObject(c, "visible", gtk_widget_get_visible(v->board));
	c = cJSON_AddObjectToObject(o, "funnel");
	ui_funnel_report(v->funnel, c);
	cJSON_AddBoolToObject(c, "visible", gtk_widget_get_visible(v->funnel));
	c = cJSON_AddObjectToObject(o, "money");
	ui_money_report(v->money, c);
	c = cJSON_AddObjectToObject(o, "alerts");
	ui_alerts_report(v->alerts, c);
	cJSON_AddBoolToObject(c, "visible", gtk_widget_get_visible(v->alerts));
}
