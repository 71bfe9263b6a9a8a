/*
 * A progress bar on stderr for long work (imports), drawn only when stderr
 * is a terminal: scripts and logs get nothing.
 */
#ifndef PACE_CLI_PROGRESS_H
#define PACE_CLI_PROGRESS_H

#include <stdint.h>

struct progress {
	int on;           /* stderr is a terminal */
	const char *what; /* label, e.g. "rows" (translated) */
	long total;
	int64_t drawn_at; /* µs (monotonic) of the last redraw */
};

void progress_start(struct progress *p, const char *what, long total);
/* done of total; redrawn at most ten times a second, and at the end. */
void progress_update(struct progress *p, long done);
/* Clear the bar's line. */
void progress_end(struct progress *p);

#endif
