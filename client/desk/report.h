/*
 * For tests and measurements: --test-report FILE writes what the widgets
 * show, as JSON, each time the model changes (after the views updated,
 * atomically: write and rename); --screenshot FILE saves the window as a
 * PNG once the dashboard has its numbers, its chart and its board, after
 * they were painted.
 */
#ifndef PACE_DESK_REPORT_H
#define PACE_DESK_REPORT_H

#include <gtk/gtk.h>

#include "model.h"
#include "session.h"

struct desk_report;

struct desk_report *desk_report_new(const char *path, const char *screenshot,
	GtkWidget *win, DeskModel *m, struct desk_session *s);
/* A desktop notification was sent for this alert. */
void desk_report_notified(struct desk_report *r, uint64_t id);
/* Write now (e.g. at exit). */
void desk_report_write(struct desk_report *r);
void desk_report_free(struct desk_report *r);

/* Save a widget as it looks now to a PNG; 0 or -1. */
int desk_screenshot(GtkWidget *w, const char *path);

#endif
