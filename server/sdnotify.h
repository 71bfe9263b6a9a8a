/* systemd readiness notification; a no-op when not run by systemd. */
#ifndef PACE_SDNOTIFY_H
#define PACE_SDNOTIFY_H

void sdnotify(const char *state);

#endif
