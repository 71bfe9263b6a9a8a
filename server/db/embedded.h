/*
 * The embedded PostgreSQL cluster: with no --db, paced keeps its own
 * cluster in a data directory (initdb on first start, unix socket only,
 * stopped with the server). Started as root, the cluster runs as an
 * unprivileged user. These calls block: start-up and exit only.
 */
#ifndef PACE_EMBEDDED_H
#define PACE_EMBEDDED_H

#include <stddef.h>

#include "err.h"

/*
 * Start (initdb first if needed) and make sure database "pace" exists.
 * On success *conninfo is an xmalloc'd libpq string for it.
 */
int embedded_start(const char *data_dir, const char *bindir,
	const char *pg_user, char **conninfo) WARN_UNUSED;

/* Stop the cluster if this process started it. */
void embedded_stop(void);

/* The default data directory: /var/lib/pace as root, else XDG data. */
char *embedded_default_dir(void);

#endif
