/*
 * The desk's views. Each ui_*.c builds one part of the window from the
 * model and keeps it current from the model's "changed" signal; none of
 * them knows about the network. ui_*_report() adds what its widgets show
 * (label texts, bar fractions, status classes) to a JSON object, for the
 * --test-report file.
 */
#ifndef PACE_DESK_UI_H
#define PACE_DESK_UI_H

#include <cjson/cJSON.h>
#include <gtk/gtk.h>
#include <libintl.h>

#include "model.h"

#define _(s) gettext(s)
#define N_(s) (s)

/* A titled card (a vertical box with the "card" style); *title if wanted. */
GtkWidget *ui_card(const char *title, GtkWidget **title_label);
/* Replace a widget's status-* class with the one of s. */
void ui_set_status_class(GtkWidget *w, Pace__V1__Status s);
/* The status-* class a widget carries ("green", ... or "none"). */
const char *ui_status_class(GtkWidget *w);
/* A label aligned to the start, with an optional CSS class. */
GtkWidget *ui_label(const char *text, const char *css_class);

GtkWidget *ui_signin_new(DeskModel *m, const char *server, const char *login);
void ui_signin_report(GtkWidget *w, cJSON *o);

GtkWidget *ui_progress_new(DeskModel *m);
void ui_progress_report(GtkWidget *w, cJSON *o);

GtkWidget *ui_chart_new(DeskModel *m);
void ui_chart_report(GtkWidget *w, cJSON *o);
/* The drawing's height (wall mode makes it fill the screen). */
void ui_chart_set_height(GtkWidget *w, int height);

GtkWidget *ui_board_new(DeskModel *m);
void ui_board_report(GtkWidget *w, cJSON *o);

GtkWidget *ui_funnel_new(DeskModel *m);
void ui_funnel_report(GtkWidget *w, cJSON *o);

GtkWidget *ui_money_new(DeskModel *m);
void ui_money_report(GtkWidget *w, cJSON *o);

GtkWidget *ui_alerts_new(DeskModel *m);
void ui_alerts_report(GtkWidget *w, cJSON *o);

/* The main window (toolbar, sign-in page, dashboard, wall mode). */
struct ui_window_opts {
	int wall;            /* start in wall mode (full screen, the board) */
	const char *server;  /* prefill the sign-in form */
	const char *login;
};
GtkWidget *ui_window_new(GtkApplication *app, DeskModel *m,
	const struct ui_window_opts *o);
void ui_window_report(GtkWidget *win, cJSON *o);
int ui_window_is_wall(GtkWidget *win);
void ui_window_set_wall(GtkWidget *win, int wall);

/* layout.c: cards in as many columns as the width allows. */
#define DESK_TYPE_COLUMNS_LAYOUT (desk_columns_layout_get_type())
G_DECLARE_FINAL_TYPE(DeskColumnsLayout, desk_columns_layout, DESK,
	COLUMNS_LAYOUT, GtkLayoutManager)
GtkLayoutManager *desk_columns_layout_new(int min_column_width,
	int max_columns, int spacing);
void desk_columns_layout_set_max_columns(DeskColumnsLayout *l, int n);
int desk_columns_layout_get_columns(DeskColumnsLayout *l);
/* A child that spans every column (starts a new row). */
void desk_columns_set_span(GtkWidget *child, gboolean span);

#endif
