/* systemd notification through libsystemd when built with it (sdnotify.h). */
#include "sdnotify.h"

#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>

void
sdnotify(const char *state)
{
	(void)sd_notify(0, state);
}
#else
void
sdnotify(const char *state)
{
	(void)state;
}
#endif
