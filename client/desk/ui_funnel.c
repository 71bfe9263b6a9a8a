/* The funnel: deals that reached each stage, with conversion between stages. */
#include "ui.h"

struct funnel_view {
	DeskModel *m;
	GtkWidget *grid;
	GtkWidget *empty;
};

static void
update(struct funnel_view *v)
{
	int n;
	const struct desk_funnel_row *rows = model_funnel(v->m, &n);
	GtkWidget *c;

	while ((c = gtk_widget_get_first_child(v->grid)) != NULL)
		gtk_grid_remove(GTK_GRID(v->grid), c);
	gtk_widget_set_visible(v->empty, n == 0);
	for (int i = 0; i < n; i++) {
		const struct desk_funnel_row *r = &rows[i];
		GtkWidget *stage = ui_label(r->stage, NULL);
		GtkWidget *bar = gtk_progress_bar_new();
		GtkWidget *count = ui_label(r->count_text, "figure-small");
		char *ct = *r->conversion ? g_strdup_printf("→ %s", r->conversion) :
					    g_strdup("");
		GtkWidget *conv = ui_label(ct, "caption");

		g_free(ct);
		gtk_progress_bar_set_fraction(GTK_PROGRESS_BAR(bar), r->fraction);
		gtk_widget_set_hexpand(bar, TRUE);
		gtk_widget_set_valign(bar, GTK_ALIGN_CENTER);
		gtk_widget_add_css_class(bar, r->lost ? "funnel-lost" : "funnel-bar");
		gtk_label_set_xalign(GTK_LABEL(count), 1);
		gtk_grid_attach(GTK_GRID(v->grid), stage, 0, i, 1, 1);
		gtk_grid_attach(GTK_GRID(v->grid), bar, 1, i, 1, 1);
		gtk_grid_attach(GTK_GRID(v->grid), count, 2, i, 1, 1);
		gtk_grid_attach(GTK_GRID(v->grid), conv, 3, i, 1, 1);
		g_object_set_data_full(G_OBJECT(stage), "key", g_strdup(r->key),
			g_free);
	}
}

static void
changed_cb(DeskModel *m, guint what, gpointer card)
{
	if (what & DESK_CHANGED_PROGRESS)
		update(g_object_get_data(G_OBJECT(card), "ui"));
}

GtkWidget *
ui_funnel_new(DeskModel *m)
{
	struct funnel_view *v = g_new0(struct funnel_view, 1);
	GtkWidget *card = ui_card(_("Funnel"), NULL);

	v->m = m;
	v->grid = gtk_grid_new();
	gtk_grid_set_column_spacing(GTK_GRID(v->grid), 10);
	gtk_grid_set_row_spacing(GTK_GRID(v->grid), 6);
	gtk_box_append(GTK_BOX(card), v->grid);
	v->empty = ui_label(_("No deals created in this period."), "caption");
	gtk_box_append(GTK_BOX(card), v->empty);
	g_object_set_data_full(G_OBJECT(card), "ui", v, g_free);
	g_signal_connect_object(m, "changed", G_CALLBACK(changed_cb), card, 0);
	update(v);
	return card;
}

void
ui_funnel_report(GtkWidget *w, cJSON *o)
{
	struct funnel_view *v = g_object_get_data(G_OBJECT(w), "ui");
	cJSON *rows = cJSON_AddArrayToObject(o, "stages");

	for (int i = 0;; i++) {
		GtkWidget *stage = gtk_grid_get_child_at(GTK_GRID(v->grid), 0, i);
		cJSON *r;

		if (stage == NULL)
			break;
		r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "stage",
			g_object_get_data(G_OBJECT(stage), "key"));
		cJSON_AddStringToObject(r, "label", gtk_label_get_text(GTK_LABEL(stage)));
		cJSON_AddStringToObject(r, "count", gtk_label_get_text(GTK_LABEL(
			gtk_grid_get_child_at(GTK_GRID(v->grid), 2, i))));
		cJSON_AddStringToObject(r, "conversion", gtk_label_get_text(GTK_LABEL(
			gtk_grid_get_child_at(GTK_GRID(v->grid), 3, i))));
		cJSON_AddItemToArray(rows, r);
	}
}
