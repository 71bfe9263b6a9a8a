/* The progress bar (see progress.h). */
#include <stdio.h>
#include <unistd.h>

#include "clock.h"
#include "progress.h"

#define BAR_WIDTH 30

void
progress_start(struct progress *p, const char *what, long total)
{
	p->on = isatty(STDERR_FILENO) && total > 0;
	p->what = what;
	p->total = total;
	p->drawn_at = 0;
	progress_update(p, 0);
}

void
progress_update(struct progress *p, long done)
{
	char bar[BAR_WIDTH + 1];
	int64_t now;
	int fill;

	if (!p->on)
		return;
	now = clock_mono_us();
	if (done < p->total && p->drawn_at && now - p->drawn_at < 100000)
		return;
	p->drawn_at = now;
	fill = (int)(done * BAR_WIDTH / p->total);
	for (int i = 0; i < BAR_WIDTH; i++)
		bar[i] = i < fill ? '#' : '-';
	bar[BAR_WIDTH] = '\0';
	fprintf(stderr, "\r[%s] %ld/%ld %s %3d%%", bar, done, p->total, p->what,
		(int)(done * 100 / p->total));
	fflush(stderr);
}

void
progress_end(struct progress *p)
{
	if (!p->on)
		return;
	fprintf(stderr, "\r\033[K");
	fflush(stderr);
}
