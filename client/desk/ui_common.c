/* Small pieces the views share: cards, labels, status classes. */
#include <string.h>

#include "fmt.h"
#include "ui.h"

static const char *const status_classes[] = {"status-none", "status-green",
	"status-yellow", "status-red"};

GtkWidget *
ui_card(const char *title, GtkWidget **title_label)
{
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 8);
	GtkWidget *t = ui_label(title, "card-title");

	gtk_widget_add_css_class(box, "card");
	gtk_box_append(GTK_BOX(box), t);
	gtk_accessible_update_property(GTK_ACCESSIBLE(box),
		GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
	if (title_label)
		*title_label = t;
	return box;
}

GtkWidget *
ui_label(const char *text, const char *css_class)
{
	GtkWidget *l = gtk_label_new(text);

	gtk_label_set_xalign(GTK_LABEL(l), 0);
	gtk_label_set_wrap(GTK_LABEL(l), TRUE);
	gtk_label_set_wrap_mode(GTK_LABEL(l), PANGO_WRAP_WORD_CHAR);
	/* Numbers, pills and ranks stay on one line. */
	if (css_class && (strstr(css_class, "figure") || strstr(css_class, "pill") ||
				 strstr(css_class, "kpi") || strstr(css_class, "board")))
		gtk_label_set_wrap(GTK_LABEL(l), FALSE);
	if (css_class)
		gtk_widget_add_css_class(l, css_class);
	return l;
}

void
ui_set_status_class(GtkWidget *w, Pace__V1__Status s)
{
	int k = s >= 0 && s <= 3 ? (int)s : 0;

	for (int i = 0; i < 4; i++)
		if (i != k)
			gtk_widget_remove_css_class(w, status_classes[i]);
	gtk_widget_add_css_class(w, status_classes[k]);
}

const char *
ui_status_class(GtkWidget *w)
{
	for (int i = 1; i < 4; i++)
		if (gtk_widget_has_css_class(w, status_classes[i]))
			return status_classes[i] + strlen("status-");
	return "none";
}
