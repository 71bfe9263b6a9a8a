/*
 * The leaderboard: rank, name, attainment (with a small bar) and status;
 * the top three carry a star in gold, silver or bronze; the person or scope
 * being watched is highlighted.
 */
#include "fmt.h"
#include "ui.h"

#define MAX_ROWS 40

struct board_view {
	DeskModel *m;
	GtkWidget *title;
	GtkWidget *grid;
	GtkWidget *empty;
};

static void
update(struct board_view *v)
{
	int n;
	const struct desk_board_row *rows = model_board(v->m, &n);
	GtkWidget *c;
	static const char *const medals[] = {"gold", "silver", "bronze"};

	gtk_label_set_text(GTK_LABEL(v->title), model_board_title(v->m));
	while ((c = gtk_widget_get_first_child(v->grid)) != NULL)
		gtk_grid_remove(GTK_GRID(v->grid), c);
	gtk_widget_set_visible(v->empty, n == 0);
	for (int i = 0; i < n && i < MAX_ROWS; i++) {
		const struct desk_board_row *r = &rows[i];
		GtkWidget *rank, *name, *bar, *att, *st;
		char *rt = r->top3 ? g_strdup_printf("★ %s", r->rank_text) :
				     g_strdup(r->rank_text);

		rank = ui_label(rt, "board-rank");
		g_free(rt);
		if (r->top3)
			gtk_widget_add_css_class(rank, medals[r->rank - 1]);
		name = ui_label(r->name, "board-name");
		gtk_label_set_ellipsize(GTK_LABEL(name), PANGO_ELLIPSIZE_END);
		gtk_label_set_wrap(GTK_LABEL(name), FALSE);
		gtk_widget_set_hexpand(name, TRUE);
		bar = gtk_progress_bar_new();
		gtk_progress_bar_set_fraction(GTK_PROGRESS_BAR(bar), r->fraction);
		gtk_widget_set_valign(bar, GTK_ALIGN_CENTER);
		gtk_widget_set_size_request(bar, 80, -1);
		ui_set_status_class(bar, r->status);
		att = ui_label(r->attainment, "board-att");
		gtk_label_set_xalign(GTK_LABEL(att), 1);
		st = ui_label(r->status_text, "status-text");
		ui_set_status_class(st, r->status);
		if (r->me) {
			gtk_widget_add_css_class(name, "me");
			gtk_widget_add_css_class(rank, "me");
		}
		gtk_grid_attach(GTK_GRID(v->grid), rank, 0, i, 1, 1);
		gtk_grid_attach(GTK_GRID(v->grid), name, 1, i, 1, 1);
		gtk_grid_attach(GTK_GRID(v->grid), bar, 2, i, 1, 1);
		gtk_grid_attach(GTK_GRID(v->grid), att, 3, i, 1, 1);
		gtk_grid_attach(GTK_GRID(v->grid), st, 4, i, 1, 1);
		/* Row data for the report. */
		g_object_set_data(G_OBJECT(rank), "row-top3", GINT_TO_POINTER(r->top3));
		g_object_set_data(G_OBJECT(rank), "row-me", GINT_TO_POINTER(r->me));
	}
}

static void
changed_cb(DeskModel *m, guint what, gpointer card)
{
	if (what & (DESK_CHANGED_BOARD | DESK_CHANGED_IDENTITY))
		update(g_object_get_data(G_OBJECT(card), "ui"));
}

GtkWidget *
ui_board_new(DeskModel *m)
{
	struct board_view *v = g_new0(struct board_view, 1);
	GtkWidget *card = ui_card(_("Leaderboard"), &v->title);

	v->m = m;
	gtk_widget_add_css_class(card, "board");
	v->grid = gtk_grid_new();
	gtk_grid_set_column_spacing(GTK_GRID(v->grid), 12);
	gtk_grid_set_row_spacing(GTK_GRID(v->grid), 6);
	gtk_box_append(GTK_BOX(card), v->grid);
	v->empty = ui_label(_("No leaderboard for this view yet."), "caption");
	gtk_box_append(GTK_BOX(card), v->empty);
	g_object_set_data_full(G_OBJECT(card), "ui", v, g_free);
	g_signal_connect_object(m, "changed", G_CALLBACK(changed_cb), card, 0);
	update(v);
	return card;
}

void
ui_board_report(GtkWidget *w, cJSON *o)
{
	struct board_view *v = g_object_get_data(G_OBJECT(w), "ui");
	cJSON *rows = cJSON_AddArrayToObject(o, "rows");

	cJSON_AddStringToObject(o, "title", gtk_label_get_text(GTK_LABEL(v->title)));
	for (int i = 0;; i++) {
		GtkWidget *rank = gtk_grid_get_child_at(GTK_GRID(v->grid), 0, i);
		cJSON *r;

		if (rank == NULL)
			break;
		r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "rank", gtk_label_get_text(GTK_LABEL(rank)));
		cJSON_AddStringToObject(r, "name", gtk_label_get_text(GTK_LABEL(
			gtk_grid_get_child_at(GTK_GRID(v->grid), 1, i))));
		cJSON_AddStringToObject(r, "attainment", gtk_label_get_text(GTK_LABEL(
			gtk_grid_get_child_at(GTK_GRID(v->grid), 3, i))));
		cJSON_AddStringToObject(r, "status", ui_status_class(
			gtk_grid_get_child_at(GTK_GRID(v->grid), 4, i)));
		cJSON_AddBoolToObject(r, "top3", GPOINTER_TO_INT(g_object_get_data(
			G_OBJECT(rank), "row-top3")));
		cJSON_AddBoolToObject(r, "me", GPOINTER_TO_INT(g_object_get_data(
			G_OBJECT(rank), "row-me")));
		cJSON_AddItemToArray(rows, r);
	}
}
