/*
 * Per-source-address bookkeeping: open connections (for the per-address
 * limit) and failed logins (for backoff). Entries disappear once unused.
 */
#ifndef PACE_ADDRTAB_H
#define PACE_ADDRTAB_H

#include <stdint.h>

struct addr_entry {
	char addr[48];
	int conns;
	int fails;          /* failed logins in a row */
	int64_t fail_until; /* monotonic us: no login check before this */
	int64_t last_fail;  /* monotonic us of the last failed login */
	int64_t audited_us; /* monotonic us: last refusal audited (limits) */
	struct addr_entry *next;
};

/* Find or create the entry for addr. */
struct addr_entry *addrtab_get(const char *addr);
/* Find without creating; NULL if absent. */
struct addr_entry *addrtab_find(const char *addr);
/*
 * Drop entries with no connections and no failure worth remembering: the
 * last failed login is an hour old and any imposed wait is over.
 */
void addrtab_sweep(int64_t now_mono_us);

#endif
