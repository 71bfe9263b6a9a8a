/*
 * Alerts, newest first: a dot in the status colour (status alerts), the
 * title, kind and time, the detail, and an Acknowledge button (Tab to it,
 * Enter or Space to press; Ctrl+K acknowledges the newest open alert).
 */
#include "fmt.h"
#include "ui.h"

#define MAX_SHOWN 50

struct alerts_view {
	DeskModel *m;
	GtkWidget *title;
	GtkWidget *list;
	GtkWidget *empty;
};

static void
ack_clicked_cb(GtkButton *b, gpointer data)
{
	DeskModel *m = data;
	guint64 *id = g_object_get_data(G_OBJECT(b), "alert-id");

	if (id)
		model_ack(m, *id);
}

static GtkWidget *
alert_row(struct alerts_view *v, const struct desk_alert *a)
{
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 8);
	GtkWidget *dot = ui_label("●", "alert-dot");
	GtkWidget *text = gtk_box_new(GTK_ORIENTATION_VERTICAL, 2);
	GtkWidget *title = ui_label(a->title, "alert-title");
	char *meta = g_strdup_printf("%s · %s", a->kind_text, a->when);
	GtkWidget *act;
	guint64 *idp = g_new(guint64, 1);

	gtk_widget_set_valign(dot, GTK_ALIGN_START);
	ui_set_status_class(dot, a->kind == PACE__V1__ALERT_KIND__ALERT_STATUS ?
			a->to : PACE__V1__STATUS__STATUS_NONE);
	gtk_box_append(GTK_BOX(box), dot);
	gtk_box_append(GTK_BOX(text), title);
	gtk_box_append(GTK_BOX(text), ui_label(meta, "caption"));
	g_free(meta);
	if (a->detail && *a->detail)
		gtk_box_append(GTK_BOX(text), ui_label(a->detail, "alert-detail"));
	gtk_widget_set_hexpand(text, TRUE);
	gtk_box_append(GTK_BOX(box), text);
	if (a->acknowledged) {
		act = ui_label(_("acknowledged"), "caption");
		gtk_widget_add_css_class(box, "acked");
	} else {
		act = gtk_button_new_with_label(a->ack_pending ? _("Acknowledging…") :
								 _("Acknowledge"));
		gtk_widget_set_sensitive(act, !a->ack_pending);
		*idp = a->id;
		g_object_set_data_full(G_OBJECT(act), "alert-id", idp, g_free);
		idp = NULL;
		g_signal_connect(act, "clicked", G_CALLBACK(ack_clicked_cb), v->m);
	}
	g_free(idp);
	gtk_widget_set_valign(act, GTK_ALIGN_CENTER);
	gtk_box_append(GTK_BOX(box), act);
	return box;
}

static void
update(struct alerts_view *v)
{
	int n, open = model_unacked(v->m);
	const struct desk_alert *al = model_alerts(v->m, &n);
	GtkWidget *c;
	char *t;

	t = open ? g_strdup_printf(_("Alerts (%d open)"), open) :
		   g_strdup(_("Alerts"));
	gtk_label_set_text(GTK_LABEL(v->title), t);
	g_free(t);
	while ((c = gtk_widget_get_first_child(v->list)) != NULL)
		gtk_list_box_remove(GTK_LIST_BOX(v->list), c);
	for (int i = 0; i < n && i < MAX_SHOWN; i++) {
		GtkWidget *row = alert_row(v, &al[i]);
		char idtext[24];

		gtk_list_box_append(GTK_LIST_BOX(v->list), row);
		snprintf(idtext, sizeof(idtext), "%llu", (unsigned long long)al[i].id);
		g_object_set_data_full(G_OBJECT(gtk_widget_get_parent(row)),
			"alert-id", g_strdup(idtext), g_free);
		g_object_set_data(G_OBJECT(gtk_widget_get_parent(row)), "acked",
			GINT_TO_POINTER(al[i].acknowledged));
		g_object_set_data_full(G_OBJECT(gtk_widget_get_parent(row)),
			"title", g_strdup(al[i].title), g_free);
	}
	gtk_widget_set_visible(v->empty, n == 0);
}

static void
changed_cb(DeskModel *m, guint what, gpointer card)
{
	if (what & (DESK_CHANGED_ALERTS | DESK_CHANGED_IDENTITY))
		update(g_object_get_data(G_OBJECT(card), "ui"));
}

GtkWidget *
ui_alerts_new(DeskModel *m)
{
	struct alerts_view *v = g_new0(struct alerts_view, 1);
	GtkWidget *card = ui_card(_("Alerts"), &v->title);

	v->m = m;
	v->list = gtk_list_box_new();
	gtk_list_box_set_selection_mode(GTK_LIST_BOX(v->list), GTK_SELECTION_NONE);
	gtk_widget_add_css_class(v->list, "alerts");
	gtk_box_append(GTK_BOX(card), v->list);
	v->empty = ui_label(_("No alerts."), "caption");
	gtk_box_append(GTK_BOX(card), v->empty);
	g_object_set_data_full(G_OBJECT(card), "ui", v, g_free);
	g_signal_connect_object(m, "changed", G_CALLBACK(changed_cb), card, 0);
	update(v);
	return card;
}

void
ui_alerts_report(GtkWidget *w, cJSON *o)
{
	struct alerts_view *v = g_object_get_data(G_OBJECT(w), "ui");
	cJSON *arr = cJSON_AddArrayToObject(o, "items");

	cJSON_AddStringToObject(o, "title", gtk_label_get_text(GTK_LABEL(v->title)));
	for (GtkWidget *r = gtk_widget_get_first_child(v->list); r;
		r = gtk_widget_get_next_sibling(r)) {
		cJSON *a = cJSON_CreateObject();
		const char *id = g_object_get_data(G_OBJECT(r), "alert-id");

		cJSON_AddNumberToObject(a, "id", id ? g_ascii_strtod(id, NULL) : 0);
		cJSON_AddStringToObject(a, "title",
			g_object_get_data(G_OBJECT(r), "title"));
		cJSON_AddBoolToObject(a, "acknowledged",
			GPOINTER_TO_INT(g_object_get_data(G_OBJECT(r), "acked")));
		cJSON_AddItemToArray(arr, a);
	}
}
