/* Pipeline (count, amount, weighted, coverage) and collections. */
#include "ui.h"

struct money_view {
	DeskModel *m;
	GtkWidget *count, *amount, *weighted, *coverage, *collection, *overdue;
};

static void
row(GtkWidget *grid, int r, const char *caption, GtkWidget **value)
{
	GtkWidget *c = ui_label(caption, "caption");

	*value = ui_label("—", "figure");
	gtk_label_set_xalign(GTK_LABEL(*value), 1);
	gtk_widget_set_hexpand(*value, TRUE);
	gtk_grid_attach(GTK_GRID(grid), c, 0, r, 1, 1);
	gtk_grid_attach(GTK_GRID(grid), *value, 1, r, 1, 1);
}

static void
update(struct money_view *v)
{
	const struct desk_money_kpis *k = model_money(v->m);

	gtk_label_set_text(GTK_LABEL(v->count), k->pipeline_count);
	gtk_label_set_text(GTK_LABEL(v->amount), k->pipeline_amount);
	gtk_label_set_text(GTK_LABEL(v->weighted), k->pipeline_weighted);
	gtk_label_set_text(GTK_LABEL(v->coverage), k->coverage);
	gtk_label_set_text(GTK_LABEL(v->collection), k->collection_rate);
	gtk_label_set_text(GTK_LABEL(v->overdue), k->overdue_rate);
}

static void
changed_cb(DeskModel *m, guint what, gpointer card)
{
	if (what & DESK_CHANGED_PROGRESS)
		update(g_object_get_data(G_OBJECT(card), "ui"));
}

GtkWidget *
ui_money_new(DeskModel *m)
{
	struct money_view *v = g_new0(struct money_view, 1);
	GtkWidget *card = ui_card(_("Pipeline"), NULL);
	GtkWidget *g1 = gtk_grid_new(), *g2 = gtk_grid_new();

	v->m = m;
	gtk_grid_set_row_spacing(GTK_GRID(g1), 4);
	gtk_grid_set_row_spacing(GTK_GRID(g2), 4);
	gtk_grid_set_column_spacing(GTK_GRID(g1), 12);
	gtk_grid_set_column_spacing(GTK_GRID(g2), 12);
	row(g1, 0, _("Open deals"), &v->count);
	row(g1, 1, _("Amount"), &v->amount);
	row(g1, 2, _("Weighted"), &v->weighted);
	row(g1, 3, _("Coverage"), &v->coverage);
	gtk_box_append(GTK_BOX(card), g1);
	gtk_box_append(GTK_BOX(card), ui_label(_("Collections"), "card-title"));
	row(g2, 0, _("Collection rate"), &v->collection);
	row(g2, 1, _("Overdue rate"), &v->overdue);
	gtk_box_append(GTK_BOX(card), g2);
	g_object_set_data_full(G_OBJECT(card), "ui", v, g_free);
	g_signal_connect_object(m, "changed", G_CALLBACK(changed_cb), card, 0);
	update(v);
	return card;
}

void
ui_money_report(GtkWidget *w, cJSON *o)
{
	struct money_view *v = g_object_get_data(G_OBJECT(w), "ui");

	cJSON_AddStringToObject(o, "pipeline_count",
		gtk_label_get_text(GTK_LABEL(v->count)));
	cJSON_AddStringToObject(o, "pipeline_amount",
		gtk_label_get_text(GTK_LABEL(v->amount)));
	cJSON_AddStringToObject(o, "pipeline_weighted",
		gtk_label_get_text(GTK_LABEL(v->weighted)));
	cJSON_AddStringToObject(o, "coverage",
		gtk_label_get_text(GTK_LABEL(v->coverage)));
	cJSON_AddStringToObject(o, "collection_rate",
		gtk_label_get_text(GTK_LABEL(v->collection)));
	cJSON_AddStringToObject(o, "overdue_rate",
		gtk_label_get_text(GTK_LABEL(v->overdue)));
}
