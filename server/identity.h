/* Who a logged-in connection acts as; copied from the session at login. */
#ifndef PACE_IDENTITY_H
#define PACE_IDENTITY_H

#include <stdint.h>

/* Values match pace.v1.Role. */
enum role {
	ROLE_NONE = 0,
	ROLE_ADMIN = 1,
	ROLE_DIRECTOR = 2,
	ROLE_MANAGER = 3,
	ROLE_REP = 4,
};

#define ROLE_BIT(r) (1u << (r))
#define ROLES_ANY 0u
#define ROLES_ADMINS (ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_DIRECTOR))

/*
 * One allocation per logged-in connection: the strings live right after the
 * struct, each exactly as long as it is (identity_new). An idle connection
 * of 10,000 costs this much, so it is kept small (docs/BENCHMARKS.md).
 */
struct identity {
	int64_t user_id;
	int64_t org_id;
	int64_t team_id; /* 0 when none */
	int64_t expires_at;
	enum role role;
	const char *login;
	const char *name;
	const char *team;
	const char *org;
	const char *currency;
	const char *timezone;
	uint8_t token_hash[32]; /* hash of this connection's session token */
	char strs[];            /* the strings above */
};

/* A new identity holding copies of the strings (NULL taken as ""); ids,
 * role, expiry and token_hash are the caller's to set. Free with free(). */
struct identity *identity_new(const char *login, const char *name,
	const char *team, const char *org, const char *currency,
	const char *timezone);

/* The token hash as the database has it: 64 hex digits. */
void identity_set_token_hash(struct identity *id, const char *hex);
void identity_token_hash(const struct identity *id, char hex[65]);

enum role role_parse(const char *s);
const char *role_name(enum role r);

#endif
