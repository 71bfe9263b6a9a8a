/*
 * The target progress: scope and period, attainment in large type, a bar
 * coloured by status, and actual, target, pace, elapsed and rank.
 */
#include "fmt.h"
#include "ui.h"

struct progress_view {
	DeskModel *m;
	GtkWidget *title, *attainment, *bar, *status;
	GtkWidget *actual, *target, *pace, *elapsed, *rank, *basis;
};

static GtkWidget *
figure(GtkWidget *flow, const char *caption, GtkWidget **value)
{
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 2);

	gtk_box_append(GTK_BOX(box), ui_label(caption, "caption"));
	*value = ui_label("—", "figure");
	gtk_box_append(GTK_BOX(box), *value);
	gtk_flow_box_append(GTK_FLOW_BOX(flow), box);
	gtk_widget_set_focusable(gtk_widget_get_parent(box), FALSE);
	return box;
}

static void
update(struct progress_view *v)
{
	const struct desk_progress *p = model_progress(v->m);
	char *pace;

	gtk_label_set_text(GTK_LABEL(v->title),
		p->have ? p->title : _("Waiting for the first numbers…"));
	gtk_label_set_text(GTK_LABEL(v->attainment), p->attainment);
	gtk_progress_bar_set_fraction(GTK_PROGRESS_BAR(v->bar), p->fraction);
	ui_set_status_class(v->bar, p->status);
	ui_set_status_class(v->attainment, p->status);
	ui_set_status_class(v->status, p->status);
	gtk_label_set_text(GTK_LABEL(v->status), p->status_text);
	gtk_label_set_text(GTK_LABEL(v->actual), p->actual);
	gtk_label_set_text(GTK_LABEL(v->target), p->target);
	pace = g_strdup_printf("%s", p->pace);
	gtk_label_set_text(GTK_LABEL(v->pace), pace);
	g_free(pace);
	ui_set_status_class(v->pace, p->status);
	gtk_label_set_text(GTK_LABEL(v->elapsed), p->elapsed);
	gtk_label_set_text(GTK_LABEL(v->rank), p->rank);
	gtk_label_set_text(GTK_LABEL(v->basis), p->basis);
	gtk_accessible_update_property(GTK_ACCESSIBLE(v->bar),
		GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, p->attainment, -1);
}

static void
changed_cb(DeskModel *m, guint what, gpointer card)
{
	if (what & (DESK_CHANGED_PROGRESS | DESK_CHANGED_IDENTITY))
		update(g_object_get_data(G_OBJECT(card), "ui"));
}

GtkWidget *
ui_progress_new(DeskModel *m)
{
	struct progress_view *v = g_new0(struct progress_view, 1);
	GtkWidget *card = ui_card(_("Target progress"), NULL);
	GtkWidget *row = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 16);
	GtkWidget *flow = gtk_flow_box_new();

	v->m = m;
	v->title = ui_label("", "scope-title");
	gtk_box_append(GTK_BOX(card), v->title);
	v->attainment = ui_label("—", "kpi-big");
	gtk_widget_add_css_class(v->attainment, "status-text");
	v->status = ui_label("", "status-pill");
	gtk_widget_set_valign(v->status, GTK_ALIGN_CENTER);
	gtk_box_append(GTK_BOX(row), v->attainment);
	gtk_box_append(GTK_BOX(row), v->status);
	v->basis = ui_label("", "caption");
	gtk_widget_set_hexpand(v->basis, TRUE);
	gtk_widget_set_halign(v->basis, GTK_ALIGN_END);
	gtk_widget_set_valign(v->basis, GTK_ALIGN_END);
	gtk_box_append(GTK_BOX(row), v->basis);
	gtk_box_append(GTK_BOX(card), row);
	v->bar = gtk_progress_bar_new();
	gtk_widget_add_css_class(v->bar, "target-bar");
	gtk_accessible_update_property(GTK_ACCESSIBLE(v->bar),
		GTK_ACCESSIBLE_PROPERTY_LABEL, _("Attainment"), -1);
	gtk_box_append(GTK_BOX(card), v->bar);
	gtk_flow_box_set_selection_mode(GTK_FLOW_BOX(flow), GTK_SELECTION_NONE);
	gtk_flow_box_set_min_children_per_line(GTK_FLOW_BOX(flow), 2);
	gtk_flow_box_set_max_children_per_line(GTK_FLOW_BOX(flow), 5);
	gtk_flow_box_set_homogeneous(GTK_FLOW_BOX(flow), TRUE);
	gtk_widget_set_focusable(flow, FALSE);
	figure(flow, _("Actual"), &v->actual);
	figure(flow, _("Target"), &v->target);
	figure(flow, _("Pace"), &v->pace);
	gtk_widget_add_css_class(v->pace, "status-text");
	figure(flow, _("Elapsed"), &v->elapsed);
	figure(flow, _("Rank"), &v->rank);
	gtk_box_append(GTK_BOX(card), flow);
	g_object_set_data_full(G_OBJECT(card), "ui", v, g_free);
	/* Disconnected when the card goes. */
	g_signal_connect_object(m, "changed", G_CALLBACK(changed_cb), card, 0);
	update(v);
	return card;
}

void
ui_progress_report(GtkWidget *w, cJSON *o)
{
	struct progress_view *v = g_object_get_data(G_OBJECT(w), "ui");

	cJSON_AddStringToObject(o, "title", gtk_label_get_text(GTK_LABEL(v->title)));
	cJSON_AddStringToObject(o, "attainment",
		gtk_label_get_text(GTK_LABEL(v->attainment)));
	cJSON_AddStringToObject(o, "actual", gtk_label_get_text(GTK_LABEL(v->actual)));
	cJSON_AddStringToObject(o, "target", gtk_label_get_text(GTK_LABEL(v->target)));
	cJSON_AddStringToObject(o, "pace", gtk_label_get_text(GTK_LABEL(v->pace)));
	cJSON_AddStringToObject(o, "elapsed",
		gtk_label_get_text(GTK_LABEL(v->elapsed)));
	cJSON_AddStringToObject(o, "rank", gtk_label_get_text(GTK_LABEL(v->rank)));
	cJSON_AddStringToObject(o, "status_text",
		gtk_label_get_text(GTK_LABEL(v->status)));
	cJSON_AddStringToObject(o, "bar_status", ui_status_class(v->bar));
	cJSON_AddNumberToObject(o, "bar_fraction",
		gtk_progress_bar_get_fraction(GTK_PROGRESS_BAR(v->bar)));
}
