/*
 * Sign-in: server, login, password. Enter in any field signs in; the
 * server and login are prefilled from what pace or pace-desk stored.
 */
#include "ui.h"

struct signin_view {
	DeskModel *m;
	GtkWidget *server, *login, *password, *button, *spinner, *error;
};

static void
submit(struct signin_view *v)
{
	const char *server = gtk_editable_get_text(GTK_EDITABLE(v->server));
	const char *login = gtk_editable_get_text(GTK_EDITABLE(v->login));
	const char *pw = gtk_editable_get_text(GTK_EDITABLE(v->password));

	if (*login == '\0') {
		model_set_sign_in_error(v->m, _("Enter your login."));
		gtk_widget_grab_focus(v->login);
		return;
	}
	if (*pw == '\0') {
		model_set_sign_in_error(v->m, _("Enter your password."));
		gtk_widget_grab_focus(v->password);
		return;
	}
	model_sign_in(v->m, server, login, pw);
	gtk_editable_set_text(GTK_EDITABLE(v->password), "");
}

static void
activate_cb(GtkWidget *w, gpointer card)
{
	submit(g_object_get_data(G_OBJECT(card), "ui"));
}

static void
update(struct signin_view *v)
{
	int busy = model_link(v->m) == DESK_LINK_CONNECTING;
	const char *err = model_sign_in_error(v->m);

	gtk_widget_set_sensitive(v->button, !busy);
	gtk_widget_set_visible(v->spinner, busy);
	if (busy)
		gtk_spinner_start(GTK_SPINNER(v->spinner));
	else
		gtk_spinner_stop(GTK_SPINNER(v->spinner));
	gtk_label_set_text(GTK_LABEL(v->error), err);
	gtk_widget_set_visible(v->error, *err != '\0');
}

static void
changed_cb(DeskModel *m, guint what, gpointer card)
{
	if (what & DESK_CHANGED_LINK)
		update(g_object_get_data(G_OBJECT(card), "ui"));
}

static GtkWidget *
field(GtkWidget *grid, int row, const char *mnemonic, GtkWidget *entry)
{
	GtkWidget *l = gtk_label_new_with_mnemonic(mnemonic);

	gtk_label_set_xalign(GTK_LABEL(l), 1);
	gtk_label_set_mnemonic_widget(GTK_LABEL(l), entry);
	gtk_widget_set_hexpand(entry, TRUE);
	gtk_grid_attach(GTK_GRID(grid), l, 0, row, 1, 1);
	gtk_grid_attach(GTK_GRID(grid), entry, 1, row, 1, 1);
	return entry;
}

GtkWidget *
ui_signin_new(DeskModel *m, const char *server, const char *login)
{
	struct signin_view *v = g_new0(struct signin_view, 1);
	GtkWidget *outer = gtk_box_new(GTK_ORIENTATION_VERTICAL, 0);
	GtkWidget *card = ui_card(_("Sign in to Pace"), NULL);
	GtkWidget *grid = gtk_grid_new();
	GtkWidget *buttons = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 8);

	v->m = m;
	gtk_widget_set_halign(card, GTK_ALIGN_CENTER);
	gtk_widget_set_valign(card, GTK_ALIGN_CENTER);
	gtk_widget_set_vexpand(card, TRUE);
	gtk_widget_set_size_request(card, 380, -1);
	gtk_widget_add_css_class(card, "signin");
	gtk_grid_set_row_spacing(GTK_GRID(grid), 8);
	gtk_grid_set_column_spacing(GTK_GRID(grid), 10);
	v->server = field(grid, 0, _("_Server"), gtk_entry_new());
	gtk_entry_set_placeholder_text(GTK_ENTRY(v->server), "127.0.0.1:7420");
	if (server)
		gtk_editable_set_text(GTK_EDITABLE(v->server), server);
	v->login = field(grid, 1, _("_Login"), gtk_entry_new());
	if (login)
		gtk_editable_set_text(GTK_EDITABLE(v->login), login);
	v->password = field(grid, 2, _("_Password"), gtk_password_entry_new());
	gtk_password_entry_set_show_peek_icon(GTK_PASSWORD_ENTRY(v->password),
		TRUE);
	gtk_box_append(GTK_BOX(card), grid);
	v->error = ui_label("", "error");
	gtk_box_append(GTK_BOX(card), v->error);
	v->spinner = gtk_spinner_new();
	v->button = gtk_button_new_with_mnemonic(_("Sign _in"));
	gtk_widget_add_css_class(v->button, "suggested-action");
	gtk_widget_set_hexpand(v->button, TRUE);
	gtk_widget_set_halign(v->button, GTK_ALIGN_END);
	gtk_box_append(GTK_BOX(buttons), v->spinner);
	gtk_box_append(GTK_BOX(buttons), v->button);
	gtk_box_append(GTK_BOX(card), buttons);
	gtk_box_append(GTK_BOX(outer), card);
	g_object_set_data_full(G_OBJECT(outer), "ui", v, g_free);
	g_signal_connect(v->server, "activate", G_CALLBACK(activate_cb), outer);
	g_signal_connect(v->login, "activate", G_CALLBACK(activate_cb), outer);
	g_signal_connect(v->password, "activate", G_CALLBACK(activate_cb), outer);
	g_signal_connect(v->button, "clicked", G_CALLBACK(activate_cb), outer);
	g_signal_connect_object(m, "changed", G_CALLBACK(changed_cb), outer, 0);
	update(v);
	return outer;
}

/* Focus the first empty field (when the page is shown). */
void ui_signin_focus(GtkWidget *w);
void
ui_signin_focus(GtkWidget *w)
{
	struct signin_view *v = g_object_get_data(G_OBJECT(w), "ui");

	if (*gtk_editable_get_text(GTK_EDITABLE(v->login)) == '\0')
		gtk_widget_grab_focus(v->login);
	else
		gtk_widget_grab_focus(v->password);
}

void
ui_signin_report(GtkWidget *w, cJSON *o)
{
	struct signin_view *v = g_object_get_data(G_OBJECT(w), "ui");

	cJSON_AddStringToObject(o, "server",
		gtk_editable_get_text(GTK_EDITABLE(v->server)));
	cJSON_AddStringToObject(o, "login",
		gtk_editable_get_text(GTK_EDITABLE(v->login)));
	cJSON_AddStringToObject(o, "error", gtk_label_get_text(GTK_LABEL(v->error)));
}
