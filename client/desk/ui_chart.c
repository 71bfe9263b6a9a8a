/*
 * Cumulative actual against the pace line, drawn with cairo: the pace line
 * runs from nothing at the start of the period to the target at its end
 * (dashed); the actual climbs day by day up to now, in the status colour,
 * over a light fill; a dotted line marks now.
 */
#include <math.h>

#include "fmt.h"
#include "ui.h"

struct chart_view {
	DeskModel *m;
	GtkWidget *area;
	GtkWidget *legend;
	int chinese;
};

static void
status_rgb(Pace__V1__Status s, double *r, double *g, double *b)
{
	switch (s) {
	case PACE__V1__STATUS__GREEN:
		*r = 0.13, *g = 0.59, *b = 0.27;
		break;
	case PACE__V1__STATUS__YELLOW:
		*r = 0.85, *g = 0.60, *b = 0.0;
		break;
	case PACE__V1__STATUS__RED:
		*r = 0.82, *g = 0.19, *b = 0.15;
		break;
	default:
		*r = 0.20, *g = 0.40, *b = 0.75;
	}
}

static void
text_at(cairo_t *cr, PangoLayout *pl, const char *t, double x, double y,
	double xalign, double yalign)
{
	int w, h;

	pango_layout_set_text(pl, t, -1);
	pango_layout_get_pixel_size(pl, &w, &h);
	cairo_move_to(cr, x - w * xalign, y - h * yalign);
	pango_cairo_show_layout(cr, pl);
}

static void
draw_cb(GtkDrawingArea *area, cairo_t *cr, int width, int height,
	gpointer data)
{
	struct chart_view *v = data;
	const struct desk_chart *c = model_chart(v->m);
	const struct desk_progress *p = model_progress(v->m);
	GdkRGBA fg;
	PangoLayout *pl = gtk_widget_create_pango_layout(GTK_WIDGET(area), "");
	double left, right = 12, top = 10, bottom, pw, ph, r, g, b;
	char buf[64];
	int lw, lh;

#if GTK_CHECK_VERSION(4, 10, 0)
	gtk_widget_get_color(GTK_WIDGET(area), &fg);
#else
	gtk_style_context_get_color(gtk_widget_get_style_context(GTK_WIDGET(area)),
		&fg);
#endif
	/* Room for the widest axis label. */
	desk_fmt_money_short(c->ymax, c->currency, v->chinese, buf, sizeof(buf));
	pango_layout_set_text(pl, buf, -1);
	pango_layout_get_pixel_size(pl, &lw, &lh);
	left = lw + 10;
	bottom = lh + 8;
	pw = width - left - right;
	ph = height - top - bottom;
	if (pw < 20 || ph < 20) {
		g_object_unref(pl);
		return;
	}
#define X(fx) (left + (fx) * pw)
#define Y(v) (top + ph - ((double)(v) / (double)c->ymax) * ph)

	/* Grid and y labels at quarters of the scale. */
	cairo_set_line_width(cr, 1);
	for (int i = 0; i <= 4; i++) {
		int64_t v4 = c->ymax * i / 4;
		double y = floor(Y(v4)) + 0.5;

		cairo_set_source_rgba(cr, fg.red, fg.green, fg.blue, 0.12);
		cairo_move_to(cr, left, y);
		cairo_line_to(cr, left + pw, y);
		cairo_stroke(cr);
		cairo_set_source_rgba(cr, fg.red, fg.green, fg.blue, 0.7);
		desk_fmt_money_short(v4, c->currency, v->chinese, buf, sizeof(buf));
		text_at(cr, pl, buf, left - 6, y, 1, 0.5);
	}
	/* x labels: first day, middle, last day. */
	cairo_set_source_rgba(cr, fg.red, fg.green, fg.blue, 0.7);
	{
		int d[3] = {1, (c->days + 1) / 2, c->days};
		for (int i = 0; i < 3; i++) {
			if ((i == 1 && c->days < 3) || (i == 2 && c->days < 2))
				continue;
			snprintf(buf, sizeof(buf), "%d", d[i]);
			text_at(cr, pl, buf, X(((double)d[i] - 0.5) / c->days),
				top + ph + 4, 0.5, 0);
		}
	}
	/* The pace line: 0 at the start, the target at the end. */
	if (c->have_target) {
		double dash[] = {6, 4};

		cairo_set_source_rgba(cr, fg.red, fg.green, fg.blue, 0.55);
		cairo_set_line_width(cr, 2);
		cairo_set_dash(cr, dash, 2, 0);
		cairo_move_to(cr, X(0), Y(0));
		cairo_line_to(cr, X(1), Y(c->target));
		cairo_stroke(cr);
		cairo_set_dash(cr, NULL, 0, 0);
	}
	/* Now. */
	if (c->now_x > 0 && c->now_x < 1) {
		double dot[] = {2, 3};

		cairo_set_source_rgba(cr, fg.red, fg.green, fg.blue, 0.35);
		cairo_set_line_width(cr, 1);
		cairo_set_dash(cr, dot, 2, 0);
		cairo_move_to(cr, floor(X(c->now_x)) + 0.5, top);
		cairo_line_to(cr, floor(X(c->now_x)) + 0.5, top + ph);
		cairo_stroke(cr);
		cairo_set_dash(cr, NULL, 0, 0);
	}
	/* The actual: fill, then the line. */
	status_rgb(p->status, &r, &g, &b);
	if (c->n >= 2) {
		cairo_move_to(cr, X(c->x[0]), Y(0));
		for (int i = 0; i < c->n; i++)
			cairo_line_to(cr, X(c->x[i]), Y(c->y[i]));
		cairo_line_to(cr, X(c->x[c->n - 1]), Y(0));
		cairo_close_path(cr);
		cairo_set_source_rgba(cr, r, g, b, 0.15);
		cairo_fill(cr);
		cairo_move_to(cr, X(c->x[0]), Y(c->y[0]));
		for (int i = 1; i < c->n; i++)
			cairo_line_to(cr, X(c->x[i]), Y(c->y[i]));
		cairo_set_source_rgb(cr, r, g, b);
		cairo_set_line_width(cr, 3);
		cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
		cairo_stroke(cr);
		cairo_arc(cr, X(c->x[c->n - 1]), Y(c->y[c->n - 1]), 4.5, 0, 2 * M_PI);
		cairo_fill(cr);
	}
	/* Axes. */
	cairo_set_source_rgba(cr, fg.red, fg.green, fg.blue, 0.6);
	cairo_set_line_width(cr, 1);
	cairo_move_to(cr, floor(left) + 0.5, top);
	cairo_line_to(cr, floor(left) + 0.5, top + ph + 0.5);
	cairo_line_to(cr, left + pw, top + ph + 0.5);
	cairo_stroke(cr);
#undef X
#undef Y
	g_object_unref(pl);
}

static void
changed_cb(DeskModel *m, guint what, gpointer card)
{
	struct chart_view *v = g_object_get_data(G_OBJECT(card), "ui");

	if (what & (DESK_CHANGED_CHART | DESK_CHANGED_PROGRESS)) {
		const struct desk_chart *c = model_chart(m);
		char now[48], line[48];
		char *legend;

		if (c->have_target) {
			desk_fmt_money_short(c->pace_now, c->currency, v->chinese,
				line, sizeof(line));
			desk_fmt_money_short(c->n ? c->y[c->n - 1] : 0, c->currency,
				v->chinese, now, sizeof(now));
			/* TRANSLATORS: the chart's legend: actual so far, and where
			 * the pace line is today. */
			legend = g_strdup_printf(_("— actual %s   ┄ pace line %s today"),
				now, line);
		} else {
			legend = g_strdup(_("No target for this period: no pace line"));
		}
		gtk_label_set_text(GTK_LABEL(v->legend), legend);
		g_free(legend);
		gtk_widget_queue_draw(v->area);
	}
}

GtkWidget *
ui_chart_new(DeskModel *m)
{
	struct chart_view *v = g_new0(struct chart_view, 1);
	GtkWidget *card = ui_card(_("Cumulative actual against the pace line"),
		NULL);

	v->m = m;
	v->chinese = desk_fmt_chinese();
	v->area = gtk_drawing_area_new();
	gtk_drawing_area_set_content_height(GTK_DRAWING_AREA(v->area), 220);
	gtk_widget_set_hexpand(v->area, TRUE);
	gtk_widget_set_vexpand(v->area, TRUE);
	gtk_widget_add_css_class(v->area, "chart");
	gtk_drawing_area_set_draw_func(GTK_DRAWING_AREA(v->area), draw_cb, v, NULL);
	gtk_accessible_update_property(GTK_ACCESSIBLE(v->area),
		GTK_ACCESSIBLE_PROPERTY_LABEL,
		_("Cumulative actual against the pace line"), -1);
	gtk_box_append(GTK_BOX(card), v->area);
	v->legend = ui_label("", "caption");
	gtk_box_append(GTK_BOX(card), v->legend);
	g_object_set_data_full(G_OBJECT(card), "ui", v, g_free);
	g_signal_connect_object(m, "changed", G_CALLBACK(changed_cb), card, 0);
	changed_cb(m, DESK_CHANGED_CHART, card);
	return card;
}

void
ui_chart_report(GtkWidget *w, cJSON *o)
{
	struct chart_view *v = g_object_get_data(G_OBJECT(w), "ui");
	const struct desk_chart *c = model_chart(v->m);
	cJSON *pts = cJSON_AddArrayToObject(o, "actual");

	for (int i = 0; i < c->n; i++)
		cJSON_AddItemToArray(pts, cJSON_CreateNumber((double)c->y[i]));
	cJSON_AddNumberToObject(o, "points", c->n);
	cJSON_AddNumberToObject(o, "days", c->days);
	if (c->have_target)
		cJSON_AddNumberToObject(o, "target", (double)c->target);
	else
		cJSON_AddNullToObject(o, "target");
	cJSON_AddNumberToObject(o, "pace_now", (double)c->pace_now);
	cJSON_AddStringToObject(o, "legend", gtk_label_get_text(GTK_LABEL(v->legend)));
	cJSON_AddNumberToObject(o, "drawn_width", gtk_widget_get_width(v->area));
}

void
ui_chart_set_height(GtkWidget *w, int height)
{
	struct chart_view *v = g_object_get_data(G_OBJECT(w), "ui");

	gtk_drawing_area_set_content_height(GTK_DRAWING_AREA(v->area), height);
}
