/*
 * A layout for the dashboard's cards: as many columns as the width allows
 * (each at least min_column_width, at most max_columns), each card placed
 * in the shortest column (masonry), cards marked as spanning take a whole
 * row. So a laptop shows one or two columns and a wall display three, with
 * no scrolling sideways. The "columns" property follows the allocation.
 */
#include "ui.h"

struct _DeskColumnsLayout {
	GtkLayoutManager parent;
	int min_col;
	int max_cols;
	int spacing;
	int columns; /* at the last allocation */
};

G_DEFINE_TYPE(DeskColumnsLayout, desk_columns_layout, GTK_TYPE_LAYOUT_MANAGER)

enum { PROP_0, PROP_COLUMNS, NPROPS };
static GParamSpec *props[NPROPS];

#define MAX_COLS 6

void
desk_columns_set_span(GtkWidget *child, gboolean span)
{
	g_object_set_data(G_OBJECT(child), "desk-span", GINT_TO_POINTER(span));
}

static int
is_span(GtkWidget *child)
{
	return GPOINTER_TO_INT(g_object_get_data(G_OBJECT(child), "desk-span"));
}

static int
ncols_for(DeskColumnsLayout *l, int width)
{
	int n = (width + l->spacing) / (l->min_col + l->spacing);

	if (n < 1)
		n = 1;
	if (n > l->max_cols)
		n = l->max_cols;
	return n;
}

/*
 * Place the children for a width; with alloc, allocate them. Returns the
 * height used.
 */
static int
place(DeskColumnsLayout *l, GtkWidget *widget, int width, int alloc)
{
	int ncols = ncols_for(l, width);
	int colw = (width - (ncols - 1) * l->spacing) / ncols;
	int h[MAX_COLS] = {0};
	int top = 0;

	if (colw < 1)
		colw = 1;
	for (GtkWidget *c = gtk_widget_get_first_child(widget); c;
		c = gtk_widget_get_next_sibling(c)) {
		int min, nat, col = 0, x, y, w;

		if (!gtk_widget_should_layout(c))
			continue;
		if (is_span(c)) {
			for (int i = 0; i < ncols; i++)
				if (h[i] > top)
					top = h[i];
			w = width;
			x = 0;
			y = top;
		} else {
			for (int i = 1; i < ncols; i++)
				if (h[i] < h[col])
					col = i;
			if (h[col] < top)
				h[col] = top;
			w = colw;
			x = col * (colw + l->spacing);
			y = h[col];
		}
		gtk_widget_measure(c, GTK_ORIENTATION_VERTICAL, w, &min, &nat,
			NULL, NULL);
		if (alloc) {
			GtkAllocation a = {x, y, w, nat};
			gtk_widget_size_allocate(c, &a, -1);
		}
		if (is_span(c)) {
			top = y + nat + l->spacing;
			for (int i = 0; i < ncols; i++)
				h[i] = top;
		} else {
			h[col] = y + nat + l->spacing;
		}
	}
	for (int i = 0; i < ncols; i++)
		if (h[i] > top)
			top = h[i];
	return top > l->spacing ? top - l->spacing : top;
}

static GtkSizeRequestMode
request_mode(GtkLayoutManager *lm, GtkWidget *widget)
{
	return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
measure(GtkLayoutManager *lm, GtkWidget *widget, GtkOrientation o,
	int for_size, int *minimum, int *natural, int *min_baseline,
	int *nat_baseline)
{
	DeskColumnsLayout *l = DESK_COLUMNS_LAYOUT(lm);

	if (o == GTK_ORIENTATION_HORIZONTAL) {
		int mn = 0, nt = 0;
		for (GtkWidget *c = gtk_widget_get_first_child(widget); c;
			c = gtk_widget_get_next_sibling(c)) {
			int cm, cn;
			if (!gtk_widget_should_layout(c))
				continue;
			gtk_widget_measure(c, o, -1, &cm, &cn, NULL, NULL);
			if (cm > mn)
				mn = cm;
			if (cn > nt)
				nt = cn;
		}
		*minimum = mn;
		*natural = MAX(mn, l->min_col);
	} else {
		int w = for_size;
		if (w < 0) {
			int mn, nt;
			measure(lm, widget, GTK_ORIENTATION_HORIZONTAL, -1, &mn, &nt,
				NULL, NULL);
			w = nt;
		}
		*minimum = *natural = place(l, widget, w, 0);
	}
}

static void
allocate(GtkLayoutManager *lm, GtkWidget *widget, int width, int height,
	int baseline)
{
	DeskColumnsLayout *l = DESK_COLUMNS_LAYOUT(lm);
	int n = ncols_for(l, width);

	place(l, widget, width, 1);
	if (n != l->columns) {
		l->columns = n;
		g_object_notify_by_pspec(G_OBJECT(l), props[PROP_COLUMNS]);
	}
}

static void
get_property(GObject *o, guint id, GValue *v, GParamSpec *ps)
{
	if (id == PROP_COLUMNS)
		g_value_set_int(v, DESK_COLUMNS_LAYOUT(o)->columns);
}

static void
desk_columns_layout_class_init(DeskColumnsLayoutClass *k)
{
	GtkLayoutManagerClass *lk = GTK_LAYOUT_MANAGER_CLASS(k);
	GObjectClass *ok = G_OBJECT_CLASS(k);

	lk->get_request_mode = request_mode;
	lk->measure = measure;
	lk->allocate = allocate;
	ok->get_property = get_property;
	props[PROP_COLUMNS] = g_param_spec_int("columns", NULL, NULL, 0, MAX_COLS,
		0, G_PARAM_READABLE);
	g_object_class_install_properties(ok, NPROPS, props);
}

static void
desk_columns_layout_init(DeskColumnsLayout *l)
{
	l->min_col = 420;
	l->max_cols = 3;
	l->spacing = 12;
}

GtkLayoutManager *
desk_columns_layout_new(int min_column_width, int max_columns, int spacing)
{
	DeskColumnsLayout *l = g_object_new(DESK_TYPE_COLUMNS_LAYOUT, NULL);

	l->min_col = min_column_width;
	l->max_cols = CLAMP(max_columns, 1, MAX_COLS);
	l->spacing = spacing;
	return GTK_LAYOUT_MANAGER(l);
}

void
desk_columns_layout_set_max_columns(DeskColumnsLayout *l, int n)
{
	l->max_cols = CLAMP(n, 1, MAX_COLS);
	gtk_layout_manager_layout_changed(GTK_LAYOUT_MANAGER(l));
}

int
desk_columns_layout_get_columns(DeskColumnsLayout *l)
{
	return l->columns;
}
