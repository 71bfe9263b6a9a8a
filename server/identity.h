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

struct identity {
	int64_t user_id;
	int64_t org_id;
	int64_t team_id; /* 0 when none */
	enum role role;
	char login[65];
	char name[129];
	char team[129];
	char org[129];
	char currency[8];
	char timezone[64];
	char token_hash[65]; /* hex hash of this connection's session token */
	int64_t expires_at;
};

enum role role_parse(const char *s);
const char *role_name(enum role r);

#endif
