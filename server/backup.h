/*
 * `paced backup --output FILE`: a pg_dump of the Pace database in pg_dump's
 * custom format (restore with pg_restore; docs/OPERATIONS.md), written to
 * FILE.partial and renamed into place only once complete. Blocking: it runs
 * instead of the server, never inside it.
 */
#ifndef PACE_BACKUP_H
#define PACE_BACKUP_H

/* The subcommand's own flags, for config_load(). */
extern const char *const backup_flags[];

/*
 * Dump the database at conninfo. pg_bindir (may be NULL) is where to look
 * for pg_dump first. Returns the process exit code: 0, 2 (usage), 3 (the
 * dump failed).
 */
int backup_cmd(
        const char *conninfo, const char *pg_bindir, int argc, char **argv);

#endif
